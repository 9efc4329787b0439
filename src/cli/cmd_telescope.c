/*
 * `vantage telescope`: darknet captures -> scanners, Mirai-infected
 * sources, backscatter victims (docs/EXTERNAL.md sections 1-3). Prints the
 * summary table (or one JSON object per source), optionally writes the
 * run into the store (vantage external, technique passive), and a
 * per-layer summary on stderr. Faults in the input are reported after
 * everything readable was used.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/parse.h"
#include "vantage/capture.h"
#include "vantage/error.h"
#include "vantage/store.h"
#include "vantage/store_telescope.h"
#include "vantage/tel_report.h"
#include "vantage/telescope.h"

#define CMD "telescope"
#define MAX_PREFIXES 64

static const char help[] =
	"usage: vantage telescope [options] CAPTURE...\n"
	"Analyse network telescope (darknet) captures: packet classes, the\n"
	"Mirai signature (a SYN whose sequence number is the destination),\n"
	"ZMap and masscan fingerprints, scan events and backscatter victims.\n"
	"Captures are pcap/pcapng files ('-' = stdin; several are merged in\n"
	"time order).\n\n"
	"  --prefix CIDR            an IPv4 prefix of the telescope (repeatable,\n"
	"                           max 64); packets to other addresses are\n"
	"                           skipped and counted; the sum of the sizes\n"
	"                           gives the extrapolated rates (without any\n"
	"                           --prefix every packet counts and there are\n"
	"                           no rates, so no scan events)\n"
	"  --window DURATION        Mirai window: N, Ns, Nm, Nh or Nd (default 1h)\n"
	"  --mirai-min-packets K    signature packets for a Mirai source in a\n"
	"                           window (default 1; k=2 is always reported)\n"
	"  --max-sources N          per-source table cap; the least recently seen\n"
	"                           source is output early and counted beyond it\n"
	"                           (default 1048576; about 400 bytes each)\n"
	"  --max-events N           open event cap; the stalest event is closed\n"
	"                           early and counted beyond it (default 2097152;\n"
	"                           about 300 bytes each)\n"
	"  --json                   JSON Lines, one object per source, instead\n"
	"                           of the summary table\n"
	"  --db FILE                also write the run, sources, events, windows\n"
	"                           and victims to the SQLite store FILE\n"
	"  -h, --help               this text\n\n"
	"Exit status: 0 ok; 1 a capture was damaged or the store failed (what\n"
	"was read is still printed and stored); 2 bad usage or unreadable input;\n"
	"130 interrupted (what was read is still printed and stored).\n";

typedef struct opts {
	const char *db;
	int json;
	vt_cidr pfx[MAX_PREFIXES];
	char *pfx_text;
	vt_tel_cfg cfg;
} opts;

enum { O_PREFIX = 256, O_WINDOW, O_K, O_SOURCES, O_EVENTS, O_JSON, O_DB };

static const struct option longopts[] = {
	{"prefix", required_argument, NULL, O_PREFIX},
	{"window", required_argument, NULL, O_WINDOW},
	{"mirai-min-packets", required_argument, NULL, O_K},
	{"max-sources", required_argument, NULL, O_SOURCES},
	{"max-events", required_argument, NULL, O_EVENTS},
	{"json", no_argument, NULL, O_JSON},
	{"db", required_argument, NULL, O_DB},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* "90", "90s", "30m", "1h", "1d" -> seconds. */
static int duration(const char *v, uint32_t *out)
{
	char buf[32];
	size_t n = strlen(v);
	uint64_t mul = 1, x;
	if (n == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, v, n + 1);
	switch (buf[n - 1]) {
	case 's': mul = 1; buf[--n] = 0; break;
	case 'm': mul = 60; buf[--n] = 0; break;
	case 'h': mul = 3600; buf[--n] = 0; break;
	case 'd': mul = 86400; buf[--n] = 0; break;
	}
	if (vt_parse_u64(buf, 1, 366u * 86400, &x) != VT_OK ||
	    x * mul > 366u * 86400)
		goto bad;
	*out = (uint32_t)(x * mul);
	return 0;
bad:
	vt_cli_error(CMD, "--window: '%s' is not a duration from 1s to 366d "
		     "(N, Ns, Nm, Nh, Nd)", v);
	return -1;
}

static int add_prefix(opts *o, const char *v)
{
	vt_cidr *c = &o->pfx[o->cfg.n_prefixes];
	if (o->cfg.n_prefixes >= MAX_PREFIXES) {
		vt_cli_error(CMD, "--prefix: at most %d prefixes", MAX_PREFIXES);
		return -1;
	}
	if (vt_cidr_parse(v, c) != VT_OK || c->ver != 4) {
		vt_cli_error(CMD, "--prefix: '%s' is not an IPv4 address or CIDR", v);
		return -1;
	}
	for (size_t i = 0; i < o->cfg.n_prefixes; i++) {
		if (vt_cidr_contains(&o->pfx[i], 4, c->addr) ||
		    vt_cidr_contains(c, 4, o->pfx[i].addr)) {
			vt_cli_error(CMD, "--prefix: '%s' overlaps another prefix", v);
			return -1;
		}
	}
	o->cfg.n_prefixes++;
	return 0;
}

static int parse(int argc, char **argv, opts *o)
{
	uint64_t v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case O_PREFIX: bad = add_prefix(o, optarg); break;
		case O_WINDOW: bad = duration(optarg, &o->cfg.window_s); break;
		case O_K:
			bad = vt_cli_num(CMD, "mirai-min-packets", optarg, 1, 1u << 30, &v);
			o->cfg.mirai_k = (uint32_t)v;
			break;
		case O_SOURCES:
			bad = vt_cli_num(CMD, "max-sources", optarg, 1, 1u << 28, &v);
			o->cfg.max_sources = (size_t)v;
			break;
		case O_EVENTS:
			bad = vt_cli_num(CMD, "max-events", optarg, 1, 1u << 28, &v);
			o->cfg.max_events = (size_t)v;
			break;
		case O_JSON: o->json = 1; break;
		case O_DB: o->db = optarg; break;
		case 'h': fputs(help, stdout); return 1;
		default: fputs(help, stderr); return -1;
		}
		if (bad)
			return -1;
	}
	if (optind >= argc) {
		vt_cli_error(CMD, "no capture file given (see --help)");
		return -1;
	}
	o->cfg.prefixes = o->pfx;
	if (!o->cfg.window_s)
		o->cfg.window_s = 3600;
	if (!o->cfg.mirai_k)
		o->cfg.mirai_k = 1;
	return 0;
}

typedef struct run {
	const opts *o;
	vt_store *st;
	vt_store_tel *sw;
	int64_t run_id;
	vt_capture *cap;
	vt_tel *tel;
	vt_dis_stats ds;
	uint64_t frames, store_errors;
	int faults;
} run;

static void on_source(const vt_tel_source *s, void *user)
{
	run *r = user;
	if (r->o->json)
		vt_tel_source_json(stdout, s, r->o->cfg.mirai_k);
	if (r->sw && vt_store_tel_source(r->sw, s, r->o->cfg.mirai_k) != VT_OK)
		r->store_errors++;
}

static void on_event(const vt_tel_event *e, void *user)
{
	run *r = user;
	if (r->sw && vt_store_tel_event(r->sw, e) != VT_OK)
		r->store_errors++;
}

static int open_store(run *r, int argc, char **argv)
{
	char *src = vt_cli_join_args(argc - optind, argv + optind);
	vt_run_info ri = {.command = CMD, .vantage = "external",
			  .technique = "passive", .source = src ? src : ""};
	r->st = vt_cli_store_begin(CMD, r->o->db, argc, argv, &ri, &r->run_id);
	free(src);
	if (!r->st)
		return -1;
	if (!(r->sw = vt_store_tel_new(r->st, r->run_id))) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		return -1;
	}
	return 0;
}

static void process(run *r)
{
	vt_frame f;
	vt_pkt p;
	vt_cli_catch_signals();
	while (!vt_cli_interrupted && vt_capture_next(r->cap, &f) == 1) {
		r->frames++;
		vt_dissect_frame(f.dlt, f.data, f.caplen, f.wirelen, f.ts_us, &p,
				 &r->ds);
		vt_tel_packet(r->tel, &p);
	}
	vt_tel_finish(r->tel);
	for (size_t i = 0; i < vt_capture_nerrors(r->cap); i++) {
		vt_cli_error(CMD, "%s", vt_capture_error(r->cap, i));
		r->faults++;
	}
}

static void summary(const run *r)
{
	const vt_tel_stats *c = vt_tel_counters(r->tel);
	fprintf(stderr, "vantage %s: %llu frames, %llu counted, %llu outside "
		"the prefixes, %llu not IPv4 (IPv6, no IP layer, fragments)\n",
		CMD, (unsigned long long)r->frames,
		(unsigned long long)c->counted, (unsigned long long)c->outside,
		(unsigned long long)c->not_ipv4);
	fprintf(stderr, "  %-10s %10s %10s %10s %10s %10s\n", "layer", "seen",
		"ok", "truncated", "malformed", "unsupported");
	for (int i = 1; i < VT_P_COUNT; i++) {
		if (!r->ds.seen[i])
			continue;
		fprintf(stderr, "  %-10s %10llu %10llu %10llu %10llu %10llu\n",
			vt_dissect_name((enum vt_proto)i),
			(unsigned long long)r->ds.seen[i],
			(unsigned long long)r->ds.result[i][VT_DIS_OK],
			(unsigned long long)r->ds.result[i][VT_DIS_TRUNCATED],
			(unsigned long long)r->ds.result[i][VT_DIS_MALFORMED],
			(unsigned long long)r->ds.result[i][VT_DIS_UNSUPPORTED]);
	}
	fprintf(stderr, "  caps: %llu sources evicted (output early), %llu "
		"events closed early, %llu victim packets past the victim cap, "
		"%llu window rows dropped\n",
		(unsigned long long)c->sources_evicted,
		(unsigned long long)c->events_evicted,
		(unsigned long long)c->victims_dropped,
		(unsigned long long)c->windows_dropped);
}

static void close_store(run *r)
{
	if (r->store_errors ||
	    vt_store_tel_finish(r->sw, r->tel, r->o->pfx_text,
				r->o->cfg.window_s) != VT_OK) {
		vt_cli_error(CMD, "%s: %llu rows not stored: %s", r->o->db,
			     (unsigned long long)r->store_errors,
			     vt_store_errmsg(r->st));
		r->faults++;
	}
	const char *status = vt_cli_interrupted ? "interrupted"
			     : r->faults	? "error"
						: "ok";
	if (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(), r->frames, status) !=
	    VT_OK) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		r->faults++;
	}
	fprintf(stderr, "  store: %s, run %lld\n", r->o->db,
		(long long)r->run_id);
}

static void cleanup(run *r, opts *o)
{
	vt_tel_free(r->tel);
	vt_capture_close(r->cap);
	vt_store_tel_free(r->sw);
	vt_store_close(r->st);
	free(o->pfx_text);
}

static char *prefix_text(int argc, char **argv)
{
	char *out = NULL;
	size_t len = 0;
	for (int i = 1; i < argc && i < optind; i++) {
		const char *v = NULL;
		if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--prefix=", 9))
			v = argv[i] + 9;
		if (!v)
			continue;
		char *n = realloc(out, len + strlen(v) + 2);
		if (!n)
			break;
		out = n;
		len += (size_t)snprintf(out + len, strlen(v) + 2, "%s%s",
					len ? " " : "", v);
	}
	return out;
}

int vt_cmd_telescope(int argc, char **argv)
{
	opts o;
	run r;
	char err[VT_ERRBUF_LEN];
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	r.o = &o;
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	o.pfx_text = prefix_text(argc, argv);
	r.cap = vt_capture_open((const char *const *)argv + optind,
				(size_t)(argc - optind), err);
	if (!r.cap) {
		vt_cli_error(CMD, "%s", err);
		cleanup(&r, &o);
		return VT_EXIT_USAGE;
	}
	if (o.db && open_store(&r, argc, argv)) {
		cleanup(&r, &o);
		return VT_EXIT_USAGE;
	}
	vt_tel_sinks sinks = {.source = on_source, .event = on_event, .user = &r};
	r.tel = vt_tel_new(&o.cfg, &sinks);
	if (!r.tel) {
		vt_cli_error(CMD, "out of memory");
		cleanup(&r, &o);
		return VT_EXIT_USAGE;
	}
	if (!o.cfg.n_prefixes)
		vt_cli_error(CMD, "warning: no --prefix: every destination counts "
			     "and there are no rates (no scan events)");
	process(&r);
	if (!o.json)
		vt_tel_summary(stdout, r.tel, o.cfg.window_s);
	fflush(stdout);
	summary(&r);
	if (r.st)
		close_store(&r);
	int rc = vt_cli_interrupted ? VT_EXIT_INTERRUPTED
		 : r.faults	    ? VT_EXIT_DATA
				    : VT_EXIT_OK;
	cleanup(&r, &o);
	return rc;
}
