/*
 * `vantage watch`: live passive capture from an interface (a mirror port,
 * a router, this host) through the same pipeline as `vantage read`, one
 * pipeline per capture thread. Ended flows go to the store as they come,
 * device records every --flush seconds and at the end; SIGINT/SIGTERM or
 * --duration end the run normally (everything received is kept).
 *
 * Privileges: the capture handles, the identification data and the store
 * are opened first; then a process started as root becomes --user
 * (default nobody) and every process drops all capabilities, before any
 * frame is parsed. The store stays writable through its open descriptor.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/pipeopts.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/ident.h"
#include "vantage/live.h"
#include "vantage/netclass.h"
#include "vantage/oui.h"
#include "vantage/privdrop.h"
#include "vantage/store.h"

#define CMD "watch"

static const char help[] =
	"usage: vantage watch -i IFACE [options]\n"
	"Capture live from IFACE and keep one record per device seen on the\n"
	"local network, as `vantage read` does for a capture file. Stops at\n"
	"--duration or on SIGINT/SIGTERM, prints the records and a summary.\n\n"
	"  -i, --interface IFACE  interface to capture on (required)\n"
	"  --threads N         capture threads, 1-64 (default 1); with N > 1\n"
	"                      the kernel spreads flows over N sockets\n"
	"                      (PACKET_FANOUT_HASH, both directions of a flow\n"
	"                      on one thread)\n"
	"  --duration SEC      stop after SEC seconds (default: until a signal)\n"
	"  --flush SEC         write device records to the store every SEC\n"
	"                      seconds (default 60; 0: only at the end); ended\n"
	"                      flows are written every second\n"
	"  --buffer-mb N       kernel ring per thread in MiB (default 64)\n"
	"  --db FILE           also write the run, devices, services and flows\n"
	"                      to the SQLite store FILE (created if missing;\n"
	"                      opened before privileges are dropped)\n"
	"  --json              JSON Lines, one object per device, instead of\n"
	"                      the table (the `vantage read --json` format)\n"
	"  --user NAME         started as root: the user to become after the\n"
	"                      capture is open (default nobody)\n"
	"  --no-promisc        do not put the interface in promiscuous mode\n"
	"  --local-net CIDR    treat CIDR as local (repeatable, max 64)\n"
	"  --tcp-timeout SEC   idle timeout of TCP flows (default 300)\n"
	"  --udp-timeout SEC   idle timeout of UDP and other flows (default 60)\n"
	"  --max-flows N       flow table cap per thread (default 1048576)\n"
	"  --max-devices N     device table cap (default 65536)\n"
	"  --rules DIR         identification rules (default data/ident)\n"
	"  --no-ident          skip identifying signals and rules\n"
	"  -h, --help          this text\n\n"
	"Needs CAP_NET_RAW (root, or e.g. `setcap cap_net_raw,cap_net_admin+ep`\n"
	"on the binary); all capabilities are dropped once the capture is open.\n"
	"A status line (frames, rate, kernel and table drops) refreshes on\n"
	"stderr when it is a terminal.\n"
	"Exit status: 0 ok (also when stopped by a signal); 1 the capture or\n"
	"the store failed during the run (what was received is still printed\n"
	"and stored); 2 bad usage, or the capture or store could not be opened.\n";

typedef struct opts {
	const char *iface, *db, *user;
	int json;
	uint64_t duration_s, flush_s;
	vt_pipe_opts po;
	vt_live_cfg lc;
} opts;

enum { O_DB = 256, O_JSON, O_THREADS, O_DURATION, O_FLUSH, O_BUFFER, O_USER,
       O_NOPROMISC };

static const struct option longopts[] = {
	{"interface", required_argument, NULL, 'i'},
	{"threads", required_argument, NULL, O_THREADS},
	{"duration", required_argument, NULL, O_DURATION},
	{"flush", required_argument, NULL, O_FLUSH},
	{"buffer-mb", required_argument, NULL, O_BUFFER},
	{"db", required_argument, NULL, O_DB},
	{"json", no_argument, NULL, O_JSON},
	{"user", required_argument, NULL, O_USER},
	{"no-promisc", no_argument, NULL, O_NOPROMISC},
	VT_PIPE_LONGOPTS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Options of the capture and the pipeline; -1 on a bad value. */
static int parse_num(opts *o, int c)
{
	uint64_t v = 0;
	int bad = 0;
	switch (c) {
	case O_THREADS:
		bad = vt_cli_num(CMD, "threads", optarg, 1, VT_LIVE_MAX_THREADS, &v);
		o->lc.threads = (unsigned)v;
		break;
	case O_DURATION: bad = vt_cli_num(CMD, "duration", optarg, 1, 1u << 30, &o->duration_s); break;
	case O_FLUSH: bad = vt_cli_num(CMD, "flush", optarg, 0, 1u << 30, &o->flush_s); break;
	case O_BUFFER:
		bad = vt_cli_num(CMD, "buffer-mb", optarg, 1, 2047, &v);
		o->lc.buffer_bytes = (size_t)v << 20;
		break;
	default:
		return vt_pipe_opt(CMD, c, optarg, &o->po, &o->lc.passive) < 0;
	}
	return bad;
}

static int parse(int argc, char **argv, opts *o)
{
	int c;
	o->flush_s = 60;
	o->user = "nobody";
	optind = 1;
	while ((c = getopt_long(argc, argv, "hi:", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'i': o->iface = optarg; break;
		case O_DB: o->db = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_USER: o->user = optarg; break;
		case O_NOPROMISC: o->lc.no_promisc = 1; break;
		case 'h': fputs(help, stdout); return 1;
		case '?': fputs(help, stderr); return -1;
		default: bad = parse_num(o, c); break;
		}
		if (bad)
			return -1;
	}
	if (optind < argc) {
		vt_cli_error(CMD, "unexpected argument '%s' (see --help)",
			     argv[optind]);
		return -1;
	}
	if (!o->iface) {
		vt_cli_error(CMD, "no interface given: -i IFACE (see --help)");
		return -1;
	}
	o->lc.iface = o->iface;
	vt_pipe_opts_finish(&o->po, &o->lc.passive);
	return 0;
}

typedef struct run {
	const opts *o;
	vt_store *st;
	int64_t run_id;
	vt_live *live;
	vt_oui *oui;
	vt_rules *rules;
	vt_devrec *devs;
	size_t n_devs;
	vt_devtab_counters dv;
	int faults;
	int store_failed; /* reported once */
} run;

static int store_flow(const vt_flow_rec *f, void *user)
{
	run *r = user;
	return vt_store_flow_add(r->st, r->run_id, f);
}

static int open_store(run *r, int argc, char **argv)
{
	vt_run_info ri = {.command = CMD, .vantage = "internal",
			  .technique = "passive", .source = r->o->iface};
	r->st = vt_cli_store_begin(CMD, r->o->db, argc, argv, &ri, &r->run_id);
	if (!r->st)
		return -1;
	if (vt_store_flush(r->st) != VT_OK) { /* the run row is visible at once */
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		return -1;
	}
	return 0;
}

static void store_fault(run *r)
{
	if (!r->store_failed)
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
	r->store_failed = 1;
	r->faults++;
}

static void free_devs(run *r)
{
	for (size_t i = 0; i < r->n_devs; i++)
		vt_devrec_cleanup(&r->devs[i]);
	free(r->devs);
	r->devs = NULL;
	r->n_devs = 0;
}

/* Merged, identified device records; into the store when there is one. */
static void flush_devices(run *r)
{
	free_devs(r);
	if (vt_live_devices(r->live, &r->devs, &r->n_devs, &r->dv) != VT_OK) {
		vt_cli_error(CMD, "out of memory exporting devices");
		r->faults++;
		return;
	}
	for (size_t i = 0; i < r->n_devs; i++)
		vt_identify(r->rules, r->oui, &r->devs[i]);
	if (!r->st)
		return;
	vt_live_drain(r->live);
	for (size_t i = 0; i < r->n_devs; i++)
		if (vt_store_device_put(r->st, r->run_id, &r->devs[i]) != VT_OK) {
			store_fault(r);
			return;
		}
	if (vt_store_flush(r->st) != VT_OK)
		store_fault(r);
}

static void status_line(run *r, uint64_t t0_us, uint64_t *last_frames,
			uint64_t *last_us)
{
	vt_live_stats s;
	vt_live_stats_get(r->live, &s);
	uint64_t now = vt_cli_now_us();
	double dt = (double)(now - *last_us) / 1e6;
	double rate = dt > 0 ? (double)(s.received - *last_frames) / dt : 0;
	uint64_t table = s.flow.evicted + s.flow.alloc_failures +
			 s.dev.device_drops + s.queue_drops;
	fprintf(stderr,
		"\r%6.0f s  frames %llu (%.0f/s)  kernel drops %llu  "
		"table drops %llu  flows %llu\033[K",
		(double)(now - t0_us) / 1e6, (unsigned long long)s.received,
		rate, (unsigned long long)(s.kernel_drops + s.if_drops),
		(unsigned long long)table, (unsigned long long)s.flow.created);
	*last_frames = s.received;
	*last_us = now;
}

/* Runs until a signal, --duration or a capture error. */
static void capture_loop(run *r)
{
	const opts *o = r->o;
	uint64_t t0 = vt_cli_now_us(), last_tick = t0, last_flush = t0;
	uint64_t st_frames = 0, st_us = t0;
	int tty = isatty(2);
	while (!vt_cli_interrupted && !vt_live_error(r->live)) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		uint64_t now = vt_cli_now_us();
		if (o->duration_s && now - t0 >= o->duration_s * 1000000u)
			break;
		if (now - last_tick < 1000000u)
			continue;
		last_tick = now;
		if (r->st) {
			vt_live_drain(r->live);
			if (vt_store_flush(r->st) != VT_OK)
				store_fault(r);
		}
		if (o->flush_s && r->st &&
		    now - last_flush >= o->flush_s * 1000000u) {
			flush_devices(r);
			last_flush = now;
		}
		if (tty)
			status_line(r, t0, &st_frames, &st_us);
	}
	if (tty)
		fputc('\n', stderr);
}

static void summary(run *r)
{
	vt_live_stats s;
	vt_live_stats_get(r->live, &s);
	vt_cli_passive_summary_of(CMD, &s.passive, &s.dis, &s.flow, &r->dv,
				  r->n_devs);
	fprintf(stderr,
		"  capture: %s, %u thread%s: %llu frames received, kernel "
		"drops %llu (ring full %llu, interface %llu), flow rows not "
		"queued %llu\n",
		r->o->iface, s.threads, s.threads == 1 ? "" : "s",
		(unsigned long long)s.received,
		(unsigned long long)(s.kernel_drops + s.if_drops),
		(unsigned long long)s.kernel_drops,
		(unsigned long long)s.if_drops,
		(unsigned long long)s.queue_drops);
	if (s.threads > 1) {
		fprintf(stderr, "  frames per thread:");
		for (unsigned i = 0; i < s.threads; i++)
			fprintf(stderr, " %llu",
				(unsigned long long)s.thread_frames[i]);
		fputc('\n', stderr);
	}
	if (s.sink_errors) {
		vt_cli_error(CMD, "%s: %llu flows not stored: %s", r->o->db,
			     (unsigned long long)s.sink_errors,
			     vt_store_errmsg(r->st));
		r->faults++;
	}
	if (!r->st)
		return;
	const char *err = vt_live_error(r->live);
	char status[VT_ERRBUF_LEN + 16];
	snprintf(status, sizeof(status), "%s%s", err ? "error: " : "",
		 err ? err : r->faults ? "error" : "ok");
	if (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(), s.received, status) !=
	    VT_OK)
		store_fault(r);
	fprintf(stderr, "  store: %s, run %lld\n", r->o->db,
		(long long)r->run_id);
}

static void cleanup(run *r)
{
	free_devs(r);
	vt_live_close(r->live);
	vt_store_close(r->st);
	vt_oui_free(r->oui);
	vt_rules_free(r->rules);
}

/* Everything that needs privilege or files, then the drop. */
static int setup(run *r, opts *o, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN];
	vt_priv_result pr;
	if (vt_cli_load_ident(CMD, o->po.no_ident ? NULL : o->po.rules, o->po.no_ident,
			      &r->oui, &r->rules))
		return -1;
	if (o->db && open_store(r, argc, argv))
		return -1;
	o->lc.sink = o->db ? store_flow : NULL;
	o->lc.sink_user = r;
	if (!(r->live = vt_live_open(&o->lc, err))) {
		vt_cli_error(CMD, "%s", err);
		return -1;
	}
	if (vt_priv_drop(o->user, &pr, err) != VT_OK) {
		vt_cli_error(CMD, "dropping privileges: %s", err);
		return -1;
	}
	fprintf(stderr,
		"vantage %s: capturing on %s (%u thread%s, %zu MiB ring each), "
		"uid %lu gid %lu, no capabilities\n",
		CMD, o->iface, o->lc.threads ? o->lc.threads : 1,
		o->lc.threads > 1 ? "s" : "",
		(o->lc.buffer_bytes ? o->lc.buffer_bytes
				    : VT_LIVE_DEFAULT_BUFFER) >> 20,
		(unsigned long)pr.uid, (unsigned long)pr.gid);
	return 0;
}

int vt_cmd_watch(int argc, char **argv)
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
	if (setup(&r, &o, argc, argv)) {
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	vt_cli_catch_signals();
	if (vt_live_start(r.live, err) != VT_OK) {
		vt_cli_error(CMD, "%s", err);
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	capture_loop(&r);
	vt_live_stop(r.live);
	if (vt_live_error(r.live)) {
		vt_cli_error(CMD, "%s: %s", o.iface, vt_live_error(r.live));
		r.faults++;
	}
	flush_devices(&r);
	vt_cli_print_devices(r.devs, r.n_devs, o.json);
	summary(&r);
	int rc = r.faults ? VT_EXIT_DATA : VT_EXIT_OK;
	cleanup(&r);
	return rc;
}
