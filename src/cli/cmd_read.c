/*
 * `vantage read`: pcap/pcapng captures -> per-device records (table or
 * JSON Lines on stdout), optionally into the store; a summary on stderr.
 * Faults in the input are reported after everything readable was used.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pipeopts.h"
#include "util/parse.h"
#include "vantage/capture.h"
#include "vantage/error.h"
#include "vantage/ident.h"
#include "vantage/netclass.h"
#include "vantage/oui.h"
#include "vantage/store.h"

#define CMD "read"

static const char help[] =
	"usage: vantage read [options] CAPTURE...\n"
	"Read pcap/pcapng captures ('-' = stdin; several are merged in time\n"
	"order) and print one record per device seen on the local network.\n\n"
	"  --db FILE           also write the run, devices, services and flows\n"
	"                      to the SQLite store FILE (created if missing)\n"
	"  --json              JSON Lines, one object per device, instead of\n"
	"                      the table\n"
	"  --local-net CIDR    treat CIDR as local besides RFC 1918, link-local,\n"
	"                      ULA, multicast and broadcast (repeatable, max 64)\n"
	"  --tcp-timeout SEC   idle timeout of TCP flows (default 300)\n"
	"  --udp-timeout SEC   idle timeout of UDP and other flows (default 60)\n"
	"  --max-flows N       flow table cap; the oldest flow is evicted and\n"
	"                      counted beyond it (default 1048576)\n"
	"  --max-devices N     device table cap (default 65536)\n"
	"  --rules DIR         identification rules (default: the data/ident\n"
	"                      folder, or $VT_DATADIR/ident)\n"
	"  --no-ident          skip identifying signals and rules (counters only)\n"
	"  -h, --help          this text\n\n"
	"Environment: VT_OUI_DIR, the IEEE registries (default "
	"/usr/share/ieee-data).\n"
	"Exit status: 0 ok; 1 a capture was damaged or the store failed (what\n"
	"was read is still printed and stored); 2 bad usage or unreadable input;\n"
	"130 interrupted (what was read is still printed and stored).\n";

typedef struct opts {
	const char *db;
	int json;
	vt_pipe_opts po;
	vt_passive_cfg pc;
} opts;

enum { O_DB = 256, O_JSON };

static const struct option longopts[] = {
	{"db", required_argument, NULL, O_DB},
	{"json", no_argument, NULL, O_JSON},
	VT_PIPE_LONGOPTS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse(int argc, char **argv, opts *o)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB: o->db = optarg; break;
		case O_JSON: o->json = 1; break;
		case 'h': fputs(help, stdout); return 1;
		case '?': fputs(help, stderr); return -1;
		default:
			if (vt_pipe_opt(CMD, c, optarg, &o->po, &o->pc) < 0)
				return -1;
			break;
		}
	}
	if (optind >= argc) {
		vt_cli_error(CMD, "no capture file given (see --help)");
		return -1;
	}
	vt_pipe_opts_finish(&o->po, &o->pc);
	return 0;
}

typedef struct run {
	vt_store *st;
	int64_t run_id;
	vt_capture *cap;
	vt_passive *pass;
	vt_oui *oui;
	vt_rules *rules;
	vt_devrec *devs;
	size_t n_devs;
	int faults;
} run;

static int store_flow(const vt_flow_rec *f, void *user)
{
	run *r = user;
	return vt_store_flow_add(r->st, r->run_id, f);
}

static int open_store(run *r, const opts *o, int argc, char **argv)
{
	char *src = vt_cli_join_args(argc - optind, argv + optind);
	vt_run_info ri = {.command = CMD, .vantage = "internal",
			  .technique = "passive", .source = src ? src : ""};
	r->st = vt_cli_store_begin(CMD, o->db, argc, argv, &ri, &r->run_id);
	free(src);
	return r->st ? 0 : -1;
}

/* Identification and (with a store) the device rows. */
static void finish_devices(run *r, const opts *o)
{
	if (vt_devtab_export(vt_passive_devices(r->pass), &r->devs,
			     &r->n_devs) != VT_OK) {
		vt_cli_error(CMD, "out of memory exporting devices");
		r->faults++;
		return;
	}
	for (size_t i = 0; i < r->n_devs; i++)
		vt_identify(r->rules, r->oui, &r->devs[i]);
	for (size_t i = 0; r->st && i < r->n_devs; i++) {
		if (vt_store_device_put(r->st, r->run_id, &r->devs[i]) != VT_OK) {
			vt_cli_error(CMD, "%s: %s", o->db, vt_store_errmsg(r->st));
			r->faults++;
			break;
		}
	}
}

static void close_store(run *r, const opts *o, const char *status)
{
	const vt_passive_stats *ps = vt_passive_counters(r->pass);
	if (ps->sink_errors) {
		vt_cli_error(CMD, "%s: %llu flows not stored: %s", o->db,
			     (unsigned long long)ps->sink_errors,
			     vt_store_errmsg(r->st));
		r->faults++;
	}
	if (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(), ps->frames, status) !=
	    VT_OK) {
		vt_cli_error(CMD, "%s: %s", o->db, vt_store_errmsg(r->st));
		r->faults++;
	}
	fprintf(stderr, "  store: %s, run %lld\n", o->db, (long long)r->run_id);
}

static void cleanup(run *r)
{
	for (size_t i = 0; i < r->n_devs; i++)
		vt_devrec_cleanup(&r->devs[i]);
	free(r->devs);
	vt_passive_free(r->pass);
	vt_capture_close(r->cap);
	vt_store_close(r->st);
	vt_oui_free(r->oui);
	vt_rules_free(r->rules);
}

static void process(run *r)
{
	vt_frame f;
	vt_cli_catch_signals();
	while (!vt_cli_interrupted && vt_capture_next(r->cap, &f) == 1)
		vt_passive_frame(r->pass, &f);
	vt_passive_finish(r->pass);
	for (size_t i = 0; i < vt_capture_nerrors(r->cap); i++) {
		vt_cli_error(CMD, "%s", vt_capture_error(r->cap, i));
		r->faults++;
	}
}

int vt_cmd_read(int argc, char **argv)
{
	opts o;
	run r;
	char err[VT_ERRBUF_LEN];
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	r.cap = vt_capture_open((const char *const *)argv + optind,
				(size_t)(argc - optind), err);
	if (!r.cap) {
		vt_cli_error(CMD, "%s", err);
		return VT_EXIT_USAGE;
	}
	if (vt_cli_load_ident(CMD, o.po.no_ident ? NULL : o.po.rules, o.po.no_ident,
			      &r.oui, &r.rules)) {
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	if (o.db && open_store(&r, &o, argc, argv)) {
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	o.pc.sink = o.db ? store_flow : NULL;
	o.pc.sink_user = &r;
	r.pass = vt_passive_new(&o.pc);
	if (!r.pass) {
		vt_cli_error(CMD, "out of memory");
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	process(&r);
	finish_devices(&r, &o);
	vt_cli_print_devices(r.devs, r.n_devs, o.json);
	vt_cli_passive_summary(CMD, r.pass, r.n_devs);
	if (r.st)
		close_store(&r, &o, vt_cli_interrupted ? "interrupted"
				    : r.faults ? "error" : "ok");
	int rc = vt_cli_interrupted ? VT_EXIT_INTERRUPTED
		 : r.faults	    ? VT_EXIT_DATA
				    : VT_EXIT_OK;
	cleanup(&r);
	return rc;
}
