/*
 * `vantage report`: the views of a store side by side, per device
 * (offered against used) and per network (service ranks, device types,
 * bytes per flow, port specificity, correlations), as terminal tables,
 * JSON Lines (--json) or one self-contained HTML page (--html FILE).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/netreport.h"
#include "vantage/store.h"

#define CMD "report"

static const char help[] =
	"usage: vantage report [options]\n"
	"Put the views of a store side by side: internal/external x\n"
	"active/passive. Per device: services offered (active) against\n"
	"services used (passive), port by port, risky offered-but-unused\n"
	"ports, and when the full set of used services had appeared. Per\n"
	"network: services ranked by the share of devices offering or using\n"
	"them in each view, device types, bytes per flow (local vs external),\n"
	"port specificity and correlations. Missing views are named.\n\n"
	"  --db FILE      the store (default vantage.db)\n"
	"  --run ID       only run ID (repeatable; default every run)\n"
	"  --device KEY   the per-device part for one device only (its MAC,\n"
	"                 its key IP or an address it held)\n"
	"  --mirai        also join the Mirai sources of the telescope runs\n"
	"                 with the banners of the selected runs by IP (the\n"
	"                 Mirai paper's table): per protocol (HTTPS, FTP,\n"
	"                 Telnet, CWMP, SSH, others) the infected IPs with a\n"
	"                 banner, how many the matcher identified (device type\n"
	"                 or vendor) and the share; device types and vendors of\n"
	"                 the identified; the gap from first sighting to banner\n"
	"                 (negative: banner older). Says what is missing.\n"
	"  --json         JSON Lines, one object per line (README: object types)\n"
	"  --html FILE    also write one self-contained HTML page with charts\n"
	"                 and a sortable, searchable device table to FILE\n"
	"  -h, --help     this text\n\n"
	"Exit status: 0 ok; 1 the HTML file could not be written; 2 bad usage,\n"
	"the store cannot be read, or no such run or device.\n";

enum { O_DB = 256, O_RUN, O_DEVICE, O_JSON, O_HTML, O_MIRAI };

static const struct option longopts[] = {
	{"db", required_argument, NULL, O_DB},
	{"run", required_argument, NULL, O_RUN},
	{"device", required_argument, NULL, O_DEVICE},
	{"json", no_argument, NULL, O_JSON},
	{"mirai", no_argument, NULL, O_MIRAI},
	{"html", required_argument, NULL, O_HTML},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

typedef struct args {
	const char *db, *device, *html;
	int json, mirai;
	int64_t runs[VT_RPT_MAX_RUNS];
	size_t n_runs;
} args;

static int parse_args(int argc, char **argv, args *a)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		uint64_t id;
		switch (c) {
		case O_DB: a->db = optarg; break;
		case O_DEVICE: a->device = optarg; break;
		case O_JSON: a->json = 1; break;
		case O_MIRAI: a->mirai = 1; break;
		case O_HTML: a->html = optarg; break;
		case O_RUN:
			if (vt_parse_u64(optarg, 1, INT64_MAX, &id) != VT_OK) {
				vt_cli_error(CMD, "--run: '%s' is not a run id", optarg);
				return VT_EXIT_USAGE;
			}
			if (a->n_runs == VT_RPT_MAX_RUNS) {
				vt_cli_error(CMD, "--run: more than %d runs",
					     VT_RPT_MAX_RUNS);
				return VT_EXIT_USAGE;
			}
			a->runs[a->n_runs++] = (int64_t)id;
			break;
		case 'h': fputs(help, stdout); return -1;
		default: fputs(help, stderr); return VT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		vt_cli_error(CMD, "unexpected argument '%s'", argv[optind]);
		return VT_EXIT_USAGE;
	}
	if (a->html && !*a->html) {
		vt_cli_error(CMD, "--html: empty file name");
		return VT_EXIT_USAGE;
	}
	return VT_EXIT_OK;
}

/* Writes the page to a temporary file renamed over FILE, so a failure
 * never leaves half a page. */
static int write_html(const char *path, const vt_rpt *r)
{
	size_t len = strlen(path) + 8;
	char *tmp = malloc(len);
	if (!tmp) {
		vt_cli_error(CMD, "out of memory");
		return VT_EXIT_DATA;
	}
	snprintf(tmp, len, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		vt_cli_error(CMD, "%s: cannot write", path);
		free(tmp);
		return VT_EXIT_DATA;
	}
	vt_rpt_write_html(f, r);
	int bad = ferror(f);
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		vt_cli_error(CMD, "%s: cannot write", path);
		remove(tmp);
		free(tmp);
		return VT_EXIT_DATA;
	}
	free(tmp);
	return VT_EXIT_OK;
}

int vt_cmd_report(int argc, char **argv)
{
	args a = {.db = "vantage.db"};
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? VT_EXIT_OK : rc;
	if (access(a.db, F_OK) != 0) {
		vt_cli_error(CMD, "%s: no such store (create one with "
				  "'vantage read --db %s CAPTURE')", a.db, a.db);
		return VT_EXIT_USAGE;
	}
	char err[VT_ERRBUF_LEN];
	vt_store *st = vt_store_open(a.db, err);
	if (!st) {
		vt_cli_error(CMD, "%s", err);
		return VT_EXIT_USAGE;
	}
	vt_rpt_opts o = {.run_ids = a.runs, .n_run_ids = a.n_runs,
			 .device = a.device, .mirai = a.mirai};
	vt_rpt *r = NULL;
	if (vt_rpt_build(st, &o, &r, err) != VT_OK) {
		vt_cli_error(CMD, "%s: %s", a.db, err);
		vt_store_close(st);
		return VT_EXIT_USAGE;
	}
	vt_store_close(st);
	if (a.json)
		vt_rpt_write_json(stdout, r);
	else
		vt_rpt_write_text(stdout, r);
	fflush(stdout);
	rc = a.html ? write_html(a.html, r) : VT_EXIT_OK;
	vt_rpt_free(r);
	return rc;
}
