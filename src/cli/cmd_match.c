/*
 * `vantage match`: labels banners offline. Reads JSON Lines, either our
 * contract (DESIGN.md: {ip?, proto, port, probe?, banner | banner_b64,
 * tls?}) or ZGrab2 output (the banners of its ftp, ssh, telnet, http and
 * tls modules), and prints one result per banner in input order, as a
 * table or JSON Lines; with --db the banners and labels go to the store.
 * A malformed line gives one error line on stderr naming it and a result
 * object with an "error" field, so there is still exactly one result per
 * input line; the exit status is then 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "cli/cli.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/json.h"
#include "vantage/match.h"
#include "vantage/store.h"
#include "vantage/textout.h"

#define CMD "match"

static const char help[] =
	"usage: vantage match [options] [FILE|-]\n"
	"Label banners with nmap-service-probes, Recog and vantage's own rules.\n"
	"Input (FILE, or standard input): JSON Lines of {ip?, proto, port,\n"
	"probe?, banner | banner_b64, tls?}, banner printable-escaped (\\xHH),\n"
	"or ZGrab2 output (ftp, ssh, telnet, http and tls modules).\n\n"
	"  --json              JSON Lines, one object per banner, instead of\n"
	"                      the table\n"
	"  --db FILE           also store each banner and its label in the\n"
	"                      SQLite store FILE (created if missing)\n"
	"  --sequential        try every regex in turn with the interpreter, as\n"
	"                      Nmap does (no prefilter, no JIT); same answers\n"
	"  --probes FILE       nmap-service-probes to use (default\n"
	"                      " VT_PROBES_DEFAULT ")\n"
	"  --intensity N       Nmap version intensity for the probe ladder when\n"
	"                      a banner names no probe (0-9, default 7)\n"
	"  --stats             print banners, wall and CPU time and banners/s\n"
	"                      (after loading the rules) on stderr\n"
	"  -h, --help          this text\n\n"
	"Environment: VT_DATADIR (rules, Recog, crosswalk; default the source\n"
	"tree's data/), VT_CACHE_DIR (compiled prefilters; default\n"
	"~/.cache/vantage, 'off' for none).\n"
	"Exit status: 0 ok; 1 a line was malformed or the store failed (one\n"
	"result with an \"error\" field per such line); 2 bad usage, unreadable\n"
	"input or a bad rule file; 130 interrupted.\n";

typedef struct opts {
	const char *db, *probes, *input;
	int json, sequential, stats;
	int intensity;
} opts;

enum { O_JSON = 256, O_DB, O_SEQ, O_PROBES, O_INT, O_STATS };

static const struct option longopts[] = {
	{"json", no_argument, NULL, O_JSON},
	{"db", required_argument, NULL, O_DB},
	{"sequential", no_argument, NULL, O_SEQ},
	{"probes", required_argument, NULL, O_PROBES},
	{"intensity", required_argument, NULL, O_INT},
	{"stats", no_argument, NULL, O_STATS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse(int argc, char **argv, opts *o)
{
	int c;
	uint64_t v;
	optind = 1;
	opterr = 0; /* our own error line, "vantage match: ..." */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: o->json = 1; break;
		case O_DB: o->db = optarg; break;
		case O_SEQ: o->sequential = 1; break;
		case O_PROBES: o->probes = optarg; break;
		case O_STATS: o->stats = 1; break;
		case O_INT:
			if (vt_parse_u64(optarg, 0, 9, &v) != VT_OK) {
				vt_cli_error(CMD, "--intensity: '%s' is not a number from 0 to 9",
					     optarg);
				return -1;
			}
			o->intensity = (int)v;
			break;
		case 'h': fputs(help, stdout); return 1;
		case ':':
			vt_cli_error(CMD, "%s needs a value", argv[optind - 1]);
			return -1;
		default:
			vt_cli_error(CMD, "unknown option '%s' (see --help)",
				     argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind > 1) {
		vt_cli_error(CMD, "one input at most (see --help)");
		return -1;
	}
	o->input = optind < argc ? argv[optind] : "-";
	return 0;
}

/* CPU time (user + system) of this process, in microseconds. */
static uint64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static uint64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

typedef struct run {
	const opts *o;
	vt_matcher *m;
	vt_store *st;
	int64_t run_id;
	uint64_t lines, banners, labelled, bad;  /* counters for --stats */
	int store_failed;
	int header;   /* the table header was printed */
} run;

static void cpe_json(const vt_answer *a, char *out, size_t cap)
{
	size_t n = 0;
	n += (size_t)snprintf(out + n, cap - n, "[");
	for (int i = 0; i < a->n_cpe && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\"%s\"", i ? "," : "",
				      a->cpe[i]);
	if (n < cap)
		snprintf(out + n, cap - n, "]");
}

static void store_one(run *r, const vt_mrec *rec, const vt_answer *a)
{
	char cpes[1024];
	if (!r->st || r->store_failed)
		return;
	cpe_json(a, cpes, sizeof(cpes));
	vt_banner_rec b = {
		.ip = rec->ip, .proto = rec->b.proto == VT_PROTO_UDP ? "udp" : "tcp",
		.port = rec->b.port, .probe = rec->b.probe, .state = "open",
		.data = rec->b.data, .len = rec->b.len,
		.tls_subject = rec->b.tls_subject, .tls_issuer = rec->b.tls_issuer,
		.tls_sha256 = rec->b.tls_sha256, .service = a->service,
		.product = a->product, .version = a->version, .info = a->info,
		.devicetype = a->devicetype, .type = a->type, .vendor = a->vendor,
		.cpe_json = cpes, .rule = a->rule, .confidence = a->confidence};
	if (vt_store_banner_put(r->st, r->run_id, &b) != VT_OK) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		r->store_failed = 1;
	}
}

/* A string field: null when absent or empty. */
static void jstr(FILE *out, const char *v)
{
	size_t n = 0;
	/* Plain printable ASCII goes out as is; anything else through the
	 * shared escaper. */
	while (v[n] >= 0x20 && v[n] < 0x7f && v[n] != '"' && v[n] != '\\')
		n++;
	if (v[n]) {
		vt_json_cstr(out, v);
		return;
	}
	putc('"', out);
	fwrite(v, 1, n, out);
	putc('"', out);
}

static void jfield(FILE *out, const char *name, const char *v)
{
	putc(',', out);
	putc('"', out);
	fputs(name, out);
	fputs("\":", out);
	if (v && *v)
		jstr(out, v);
	else
		fputs("null", out);
}

static void print_tls(FILE *out, const vt_banner *b)
{
	fputs(",\"tls\":", out);
	if (!b->tls_subject) {
		fputs("null", out);
		return;
	}
	fputs("{\"subject\":", out);
	vt_json_cstr(out, b->tls_subject);
	fputs(",\"issuer\":", out);
	vt_json_cstr(out, b->tls_issuer);
	fputs(",\"sha256\":", out);
	vt_json_cstr(out, b->tls_sha256);
	putc('}', out);
}

/* One result object (DESIGN.md output contract); a is NULL for a
 * malformed line, which then carries "error". */
static void print_json(FILE *out, const vt_mrec *rec, const vt_answer *a)
{
	static const vt_answer none = {.type = "unknown"};
	const vt_answer *x = a ? a : &none;
	fputs("{\"ip\":", out);
	vt_json_cstr(out, rec->ip);
	fprintf(out, ",\"proto\":");
	vt_json_cstr(out, a ? (rec->b.proto == VT_PROTO_UDP ? "udp" : "tcp") : NULL);
	if (a)
		fprintf(out, ",\"port\":%u", rec->b.port);
	else
		fputs(",\"port\":null", out);
	jfield(out, "state", a ? "open" : NULL);
	jfield(out, "service", x->service);
	jfield(out, "product", x->product);
	jfield(out, "version", x->version);
	jfield(out, "info", x->info);
	jfield(out, "hostname", x->hostname);
	jfield(out, "os", x->os);
	jfield(out, "devicetype", x->devicetype);
	jfield(out, "type", x->type);
	jfield(out, "vendor", x->vendor);
	jfield(out, "model", x->model);
	fputs(",\"cpe\":[", out);
	for (int i = 0; i < x->n_cpe; i++) {
		if (i)
			putc(',', out);
		vt_json_cstr(out, x->cpe[i]);
	}
	fputs("]", out);
	jfield(out, "rule", x->rule);
	fputs(",\"rules\":[", out);
	for (int i = 0; i < x->n_rules; i++) {
		if (i)
			putc(',', out);
		vt_json_cstr(out, x->rules[i]);
	}
	fputs("]", out);
	print_tls(out, &rec->b);
	fputs(",\"banner\":", out);
	if (a)
		vt_pesc_json(out, rec->b.data, rec->b.len);
	else
		fputs("null", out);
	fprintf(out, ",\"confidence\":%.2f", x->confidence);
	jfield(out, "probe", rec->b.probe);
	if (rec->module)
		jfield(out, "module", rec->module);
	fprintf(out, ",\"line\":%llu", (unsigned long long)rec->line);
	if (rec->error)
		jfield(out, "error", rec->error);
	fputs("}\n", out);
}

static void print_row(FILE *out, const vt_mrec *rec, const vt_answer *a)
{
	char ip[48], svc[64], prod[64], vend[40], rule[64];
	if (!a) {
		fprintf(out, "%-6llu error: %s\n", (unsigned long long)rec->line,
			rec->error);
		return;
	}
	char pv[256];
	snprintf(pv, sizeof(pv), "%s%s%s", a->product,
		 a->product[0] && a->version[0] ? " " : "", a->version);
	vt_term_safe(rec->ip ? rec->ip : "-", ip, sizeof(ip));
	vt_term_safe(a->service[0] ? a->service : "-", svc, sizeof(svc));
	vt_term_safe(pv[0] ? pv : "-", prod, 40);
	vt_term_safe(a->vendor[0] ? a->vendor : "-", vend, 24);
	vt_term_safe(a->rule[0] ? a->rule : "-", rule, sizeof(rule));
	fprintf(out, "%-6llu %-15s %3s/%-5u %-14s %-39s %-12s %-23s %s\n",
		(unsigned long long)rec->line, ip,
		rec->b.proto == VT_PROTO_UDP ? "udp" : "tcp", rec->b.port, svc,
		prod, a->type, vend, rule);
}

static void emit(run *r, const vt_mrec *rec, const vt_answer *a)
{
	if (r->o->json) {
		print_json(stdout, rec, a);
	} else {
		if (!r->header++)
			printf("%-6s %-15s %-9s %-14s %-39s %-12s %-23s %s\n", "LINE",
			       "IP", "PORT", "SERVICE", "PRODUCT VERSION", "TYPE",
			       "VENDOR", "RULE");
		print_row(stdout, rec, a);
	}
	if (a && a->rule[0])
		r->labelled++;
	if (a)
		store_one(r, rec, a);
}

static void one_banner(const vt_mrec *rec, void *user)
{
	run *r = user;
	vt_answer a;
	r->banners++;
	vt_matcher_match(r->m, &rec->b, &a);
	emit(r, rec, &a);
}

static void bad_line(run *r, uint64_t line, const char *why)
{
	vt_mrec rec;
	memset(&rec, 0, sizeof(rec));
	rec.line = line;
	rec.error = why;
	vt_cli_error(CMD, "line %llu: %s", (unsigned long long)line, why);
	r->bad++;
	emit(r, &rec, NULL);
}

static int process(run *r, FILE *in)
{
	vt_mreader *mr = vt_mreader_new();
	if (!mr) {
		vt_cli_error(CMD, "out of memory");
		return -1;
	}
	char why[256];
	int rc;
	while (!vt_cli_interrupted &&
	       (rc = vt_mreader_next(mr, in, one_banner, r, why, sizeof(why))) != 0) {
		r->lines++;
		if (rc < 0)
			bad_line(r, vt_mreader_line(mr), why);
	}
	vt_mreader_free(mr);
	fflush(stdout);
	return 0;
}

static int open_store(run *r, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN];
	if (!(r->st = vt_store_open(r->o->db, err))) {
		vt_cli_error(CMD, "%s", err);
		return -1;
	}
	char *args = vt_cli_join_args(argc, argv);
	vt_run_info ri = {.command = CMD, .args = args ? args : "",
			  .source = r->o->input, .started_us = now_us()};
	int e = vt_store_run_begin(r->st, &ri, &r->run_id);
	free(args);
	if (e != VT_OK) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		return -1;
	}
	return 0;
}

static int finish(run *r, uint64_t t0, uint64_t c0)
{
	const char *status = vt_cli_interrupted ? "interrupted" : "ok";
	if (r->st && (vt_store_run_end(r->st, r->run_id, now_us(), r->banners,
				       status) != VT_OK ||
		      vt_store_flush(r->st) != VT_OK)) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		r->store_failed = 1;
	}
	vt_store_close(r->st);
	if (r->o->stats) {
		double s = (double)(now_us() - t0) / 1e6;
		double cs = (double)(cpu_us() - c0) / 1e6;
		fprintf(stderr,
			"vantage match: stats: %llu lines, %llu banners, %llu labelled, "
			"%llu malformed, %.3f s, %.0f banners/s, cpu %.3f s, "
			"%.0f banners/cpu-s, %s\n",
			(unsigned long long)r->lines, (unsigned long long)r->banners,
			(unsigned long long)r->labelled, (unsigned long long)r->bad, s,
			s > 0 ? (double)r->banners / s : 0.0, cs,
			cs > 0 ? (double)r->banners / cs : 0.0,
			r->o->sequential ? "sequential" : "prefilter");
	}
	if (vt_cli_interrupted)
		return VT_EXIT_INTERRUPTED;
	return r->bad || r->store_failed ? VT_EXIT_DATA : VT_EXIT_OK;
}

int vt_cmd_match(int argc, char **argv)
{
	opts o = {0};
	run r = {.o = &o};
	char err[VT_ERRBUF_LEN];
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	FILE *in = strcmp(o.input, "-") ? fopen(o.input, "rb") : stdin;
	if (!in) {
		vt_cli_error(CMD, "%s: cannot open", o.input);
		return VT_EXIT_USAGE;
	}
	vt_matcher_cfg cfg = {.probes_path = o.probes, .sequential = o.sequential,
			      .intensity = o.intensity};
	r.m = vt_matcher_new(&cfg, err);
	if (!r.m) {
		vt_cli_error(CMD, "%s", err);
		if (in != stdin)
			fclose(in);
		return VT_EXIT_USAGE;
	}
	if (vt_matcher_warning(r.m))
		vt_cli_error(CMD, "warning: %s", vt_matcher_warning(r.m));
	int rc = VT_EXIT_USAGE;
	if (!o.db || open_store(&r, argc, argv) == 0) {
		vt_cli_catch_signals();
		/* One thread writes stdout: ~100 stdio calls per result need
		 * not take the stream lock each. */
		__fsetlocking(stdout, FSETLOCKING_BYCALLER);
		uint64_t t0 = now_us(), c0 = cpu_us();
		process(&r, in);
		rc = finish(&r, t0, c0);
	} else {
		vt_store_close(r.st);
	}
	vt_matcher_free(r.m);
	if (in != stdin)
		fclose(in);
	return rc;
}
