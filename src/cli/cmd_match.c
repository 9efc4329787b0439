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
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/match_batch.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/json.h"
#include "vantage/match.h"
#include "vantage/store.h"
#include "vantage/textout.h"

#define CMD "match"
/* Banners matched together (match_batch.c): enough that each kind of
 * banner comes in runs; bounded in bytes as well. */
#define BATCH_MAX 16384
#define BATCH_BYTES (16u << 20)

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

/* The results of a batch, built in memory and written in input order:
 * ~40 small stdio calls per result cost more than matching the banner. */
typedef struct obuf {
	char *p;
	size_t n, cap;
	int oom;
} obuf;

typedef struct run {
	const opts *o;
	vt_matcher *m;
	vt_store *st;
	int64_t run_id;
	uint64_t lines, banners, labelled, bad;  /* counters for --stats */
	int store_failed;
	int header;   /* the table header was printed */
	obuf out;     /* the results of a batch */
	vt_mbatch *batch;
	struct span {
		size_t off, len;
		int oom;
	} *span;      /* per record of the batch: its result in out */
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

/* Room for need more bytes; 0, or -1 (out of memory: the result is
 * dropped, see one_result). */
static int room(obuf *o, size_t need)
{
	if (o->oom)
		return -1;
	if (need <= o->cap - o->n)
		return 0;
	size_t cap = o->cap ? o->cap : 4096;
	while (cap - o->n < need)
		cap *= 2;
	char *p = realloc(o->p, cap);
	if (!p) {
		o->oom = 1;
		return -1;
	}
	o->p = p;
	o->cap = cap;
	return 0;
}

static void put(obuf *o, const char *s, size_t n)
{
	if (room(o, n) == 0) {
		memcpy(o->p + o->n, s, n);
		o->n += n;
	}
}

#define PUTS(o, lit) put((o), lit, sizeof(lit) - 1)

static void put_u64(obuf *o, unsigned long long v)
{
	char d[24];
	size_t i = sizeof(d);
	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	put(o, d + i, sizeof(d) - i);
}

/* A JSON string, or null for NULL. */
static void jstr(obuf *o, const char *v)
{
	if (!v) {
		PUTS(o, "null");
		return;
	}
	size_t n = strlen(v);
	if (room(o, 6 * n + 2) == 0)
		o->n += vt_json_str_mem(o->p + o->n, v, n);
}

/* ,"name":value: null when absent or empty. */
static void jfield(obuf *o, const char *name, size_t nlen, const char *v)
{
	put(o, name, nlen);
	jstr(o, v && *v ? v : NULL);
}

#define JFIELD(o, name, v) jfield((o), ",\"" name "\":", sizeof(name) + 3, (v))

static void print_tls(obuf *o, const vt_banner *b)
{
	if (!b->tls_subject) {
		PUTS(o, ",\"tls\":null");
		return;
	}
	PUTS(o, ",\"tls\":{\"subject\":");
	jstr(o, b->tls_subject);
	PUTS(o, ",\"issuer\":");
	jstr(o, b->tls_issuer);
	PUTS(o, ",\"sha256\":");
	jstr(o, b->tls_sha256);
	PUTS(o, "}");
}

static void jlist(obuf *o, const char *name, size_t nlen, const char (*v)[96],
		  int n)
{
	put(o, name, nlen);
	for (int i = 0; i < n; i++) {
		if (i)
			PUTS(o, ",");
		jstr(o, v[i]);
	}
	PUTS(o, "]");
}

/* ,"confidence":%.2f. Confidences take a handful of values: printf
 * (which costs more than the rest of the line) runs once per value. */
static void conf_json(obuf *o, double v)
{
	static struct {
		double v;
		char s[32];
		size_t n;
	} memo[16];
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	size_t h = (size_t)((bits ^ bits >> 29 ^ bits >> 47) % 16);
	if (!memo[h].n || memcmp(&memo[h].v, &v, sizeof(v))) {
		memo[h].v = v;
		memo[h].n = (size_t)snprintf(memo[h].s, sizeof(memo[h].s),
					     ",\"confidence\":%.2f", v);
	}
	put(o, memo[h].s, memo[h].n);
}

/* One result object (DESIGN.md output contract); a is NULL for a
 * malformed line, which then carries "error". */
static void print_json(obuf *o, const vt_mrec *rec, const vt_answer *a)
{
	static const vt_answer none = {.type = "unknown"};
	const vt_answer *x = a ? a : &none;
	PUTS(o, "{\"ip\":");
	jstr(o, rec->ip);
	PUTS(o, ",\"proto\":");
	jstr(o, a ? (rec->b.proto == VT_PROTO_UDP ? "udp" : "tcp") : NULL);
	if (a) {
		PUTS(o, ",\"port\":");
		put_u64(o, rec->b.port);
	} else {
		PUTS(o, ",\"port\":null");
	}
	JFIELD(o, "state", a ? "open" : NULL);
	JFIELD(o, "service", x->service);
	JFIELD(o, "product", x->product);
	JFIELD(o, "version", x->version);
	JFIELD(o, "info", x->info);
	JFIELD(o, "hostname", x->hostname);
	JFIELD(o, "os", x->os);
	JFIELD(o, "devicetype", x->devicetype);
	JFIELD(o, "type", x->type);
	JFIELD(o, "vendor", x->vendor);
	JFIELD(o, "model", x->model);
	jlist(o, ",\"cpe\":[", 8, x->cpe, x->n_cpe);
	JFIELD(o, "rule", x->rule);
	PUTS(o, ",\"rules\":[");
	for (int i = 0; i < x->n_rules; i++) {
		if (i)
			PUTS(o, ",");
		jstr(o, x->rules[i]);
	}
	PUTS(o, "]");
	print_tls(o, &rec->b);
	PUTS(o, ",\"banner\":");
	if (!a)
		PUTS(o, "null");
	else if (room(o, 5 * rec->b.len + 2) == 0)
		o->n += vt_pesc_json_mem(o->p + o->n, rec->b.data, rec->b.len);
	conf_json(o, x->confidence);
	JFIELD(o, "probe", rec->b.probe);
	if (rec->module)
		JFIELD(o, "module", rec->module);
	PUTS(o, ",\"line\":");
	put_u64(o, (unsigned long long)rec->line);
	if (rec->error)
		JFIELD(o, "error", rec->error);
	PUTS(o, "}\n");
}

static void print_row(obuf *o, const vt_mrec *rec, const vt_answer *a)
{
	char ip[48], svc[64], prod[64], vend[40], rule[64], line[512];
	int n;
	if (!a) {
		n = snprintf(line, sizeof(line), "%-6llu error: %s\n",
			     (unsigned long long)rec->line, rec->error);
		put(o, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
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
	n = snprintf(line, sizeof(line),
		     "%-6llu %-15s %3s/%-5u %-14s %-39s %-12s %-23s %s\n",
		     (unsigned long long)rec->line, ip,
		     rec->b.proto == VT_PROTO_UDP ? "udp" : "tcp", rec->b.port,
		     svc, prod, a->type, vend, rule);
	put(o, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Matches one record (a malformed line's has error set) and appends its
 * result to r->out; records its span for writing in input order. */
static void one_result(run *r, const vt_mrec *rec, size_t i)
{
	vt_answer a;
	size_t start = r->out.n;
	r->out.oom = 0;
	if (!rec->error) {
		vt_matcher_match(r->m, &rec->b, &a);
		if (a.rule[0])
			r->labelled++;
		store_one(r, rec, &a);
	}
	if (r->o->json)
		print_json(&r->out, rec, rec->error ? NULL : &a);
	else
		print_row(&r->out, rec, rec->error ? NULL : &a);
	if (r->out.oom)
		r->out.n = start; /* never half a line: an empty span */
	r->span[i].off = start;
	r->span[i].len = r->out.n - start;
	r->span[i].oom = r->out.oom;
}

/* Matches the batch kind by kind, then writes the results in input
 * order. */
static void flush_batch(run *r)
{
	size_t n = vt_mbatch_count(r->batch);
	if (!n)
		return;
	const size_t *order = vt_mbatch_order(r->batch);
	r->out.n = 0;
	for (size_t k = 0; k < n; k++)
		one_result(r, vt_mbatch_rec(r->batch, order[k]), order[k]);
	if (!r->o->json && !r->header++)
		printf("%-6s %-15s %-9s %-14s %-39s %-12s %-23s %s\n", "LINE", "IP",
		       "PORT", "SERVICE", "PRODUCT VERSION", "TYPE", "VENDOR",
		       "RULE");
	for (size_t i = 0; i < n; i++) {
		if (r->span[i].oom)
			fputs(r->o->json ? "{\"error\":\"out of memory\"}\n"
					 : "error: out of memory\n", stdout);
		else
			fwrite(r->out.p + r->span[i].off, 1, r->span[i].len, stdout);
	}
	vt_mbatch_clear(r->batch);
}

/* Copies a record into the batch, matching the batch first when full. */
static void add_rec(run *r, const vt_mrec *rec)
{
	if (vt_mbatch_full(r->batch))
		flush_batch(r);
	if (vt_mbatch_add(r->batch, rec) != VT_OK) {
		flush_batch(r); /* out of memory: a batch of one */
		if (vt_mbatch_add(r->batch, rec) != VT_OK) {
			vt_cli_error(CMD, "line %llu: out of memory",
				     (unsigned long long)rec->line);
			return;
		}
	}
}

static void one_banner(const vt_mrec *rec, void *user)
{
	run *r = user;
	r->banners++;
	add_rec(r, rec);
}

static void bad_line(run *r, uint64_t line, const char *why)
{
	vt_mrec rec;
	memset(&rec, 0, sizeof(rec));
	rec.line = line;
	rec.error = why;
	vt_cli_error(CMD, "line %llu: %s", (unsigned long long)line, why);
	r->bad++;
	add_rec(r, &rec);
}

/* Input that is not a regular file: more may come later. */
static int is_stream(FILE *in)
{
	struct stat st;
	return fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode);
}

/* Input can be read now without waiting (or is at its end). */
static int readable(FILE *in)
{
	struct pollfd p = {.fd = fileno(in), .events = POLLIN};
	return poll(&p, 1, 0) > 0;
}

static int process(run *r, FILE *in)
{
	vt_mreader *mr = vt_mreader_new();
	/* With --db the store's rows go in input order: a batch of one. */
	size_t max_n = r->o->db ? 1 : BATCH_MAX;
	r->batch = vt_mbatch_new(max_n, BATCH_BYTES);
	r->span = malloc(max_n * sizeof(*r->span));
	if (!mr || !r->batch || !r->span) {
		vt_cli_error(CMD, "out of memory");
		vt_mreader_free(mr);
		return -1;
	}
	char why[256];
	int rc;
	int stream = is_stream(in);
	while (!vt_cli_interrupted) {
		/* From a pipe or terminal, results are not held back while
		 * waiting for more input. */
		if (stream && vt_mbatch_count(r->batch) && !readable(in)) {
			flush_batch(r);
			fflush(stdout);
		}
		rc = vt_mreader_next(mr, in, one_banner, r, why, sizeof(why));
		if (!rc)
			break;
		r->lines++;
		if (rc < 0)
			bad_line(r, vt_mreader_line(mr), why);
	}
	flush_batch(r);
	vt_mreader_free(mr);
	fflush(stdout);
	return 0;
}

static int open_store(run *r, int argc, char **argv)
{
	vt_run_info ri = {.command = CMD, .source = r->o->input};
	r->st = vt_cli_store_begin(CMD, r->o->db, argc, argv, &ri, &r->run_id);
	return r->st ? 0 : -1;
}

static int finish(run *r, uint64_t t0, uint64_t c0)
{
	const char *status = vt_cli_interrupted ? "interrupted" : "ok";
	if (r->st && (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(), r->banners,
				       status) != VT_OK ||
		      vt_store_flush(r->st) != VT_OK)) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		r->store_failed = 1;
	}
	vt_store_close(r->st);
	if (r->o->stats) {
		double s = (double)(vt_cli_now_us() - t0) / 1e6;
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
		/* One thread writes stdout: its calls need not take the
		 * stream lock each. */
		__fsetlocking(stdout, FSETLOCKING_BYCALLER);
		uint64_t t0 = vt_cli_now_us(), c0 = cpu_us();
		process(&r, in);
		rc = finish(&r, t0, c0);
	} else {
		vt_store_close(r.st);
	}
	vt_matcher_free(r.m);
	free(r.out.p);
	free(r.span);
	vt_mbatch_free(r.batch);
	if (in != stdin)
		fclose(in);
	return rc;
}
