/*
 * `vantage import`: loads other scanners' results (src/import/): each
 * file's format is sniffed (or named by --format), gzip/xz/zstd are read
 * transparently, and every banner and certificate is relabelled by the
 * matcher (one answer per banner, as `vantage match`). With --db each
 * file is one run (vantage external, technique active): banners go to the
 * banner table with their label, hosts become devices keyed by IP with
 * their open ports as active services and the source's labels as
 * signals. --json prints the relabelled banners (DESIGN.md scan/match
 * contract). A malformed record is reported as FILE:LINE on stderr (at
 * most MAX_SHOWN lines a file) and skipped.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "vantage/error.h"
#include "vantage/import.h"
#include "vantage/json.h"
#include "vantage/match.h"
#include "vantage/store.h"
#include "vantage/textout.h"

#define CMD "import"
#define MAX_SHOWN 20 /* malformed-record lines shown per file */

static const char help[] =
	"usage: vantage import [options] FILE...\n"
	"Load ZGrab2, Censys (v2 and legacy IPv4), Nmap XML, masscan (-oJ, -oD,\n"
	"-oX, -oL, -oG) and ZMap (CSV, JSON, address list) results. The format\n"
	"is recognised from the content; .gz, .xz and .zst are read as they\n"
	"are (by their magic bytes). FILE '-' is standard input.\n\n"
	"  --db FILE        store each file as a run (vantage external,\n"
	"                   technique active): banners with their labels,\n"
	"                   hosts (keyed by IP) with open ports and the\n"
	"                   source's own labels as signals\n"
	"  --format F       skip sniffing: zgrab2, censys, censys-legacy,\n"
	"                   nmap-xml, masscan-json, masscan-ndjson, masscan-xml,\n"
	"                   masscan-list, zmap-csv, zmap-json\n"
	"  --json           print every banner relabelled by vantage's matcher\n"
	"                   as JSON Lines (the `vantage match --json` fields,\n"
	"                   plus file, line, format and seen); the per-file\n"
	"                   summary then goes to stderr\n"
	"  -h, --help       this text\n\n"
	"Output: a summary line per file: format, compression, records read,\n"
	"hosts, open ports, banners (and how many the matcher labelled), and\n"
	"malformed records. Each malformed record: 'FILE:LINE: reason' on\n"
	"stderr (the first 20 per file), then skipped; the rest loads.\n"
	"Exit status: 0 ok; 1 a record was malformed, a file was truncated or\n"
	"damaged (everything before the fault is kept), or the store failed;\n"
	"2 bad usage, a file that cannot be opened or whose format is not\n"
	"recognised, or rules that cannot be loaded; 130 interrupted.\n";

typedef struct opts {
	const char *db;
	vt_import_fmt fmt;
	int json;
} opts;

/* Counters of one file. */
typedef struct fstats {
	uint64_t hosts;    /* distinct hosts (new to the host table) */
	uint64_t ports;    /* distinct open (host, proto, port) */
	uint64_t banners, labelled, shown;
} fstats;

typedef struct run {
	const opts *o;
	vt_matcher *m;
	int matcher_failed;
	vt_store *st;
	int64_t run_id;
	int store_failed;
	vt_imp_hosts *hosts;
	const char *file;
	vt_import_fmt fmt;
	fstats fs;
	int any_bad, any_usage;
} run;

enum { O_JSON = 256, O_DB, O_FORMAT };

static const struct option longopts[] = {
	{"json", no_argument, NULL, O_JSON},
	{"db", required_argument, NULL, O_DB},
	{"format", required_argument, NULL, O_FORMAT},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse(int argc, char **argv, opts *o)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON: o->json = 1; break;
		case O_DB: o->db = optarg; break;
		case O_FORMAT:
			o->fmt = vt_import_fmt_parse(optarg);
			if (o->fmt == VT_IMP_UNKNOWN) {
				vt_cli_error(CMD, "--format: unknown format '%s' (see --help)",
					     optarg);
				return -1;
			}
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
	if (optind >= argc) {
		vt_cli_error(CMD, "no input file (see --help)");
		return -1;
	}
	return 0;
}

static void store_fail(run *r)
{
	if (!r->store_failed)
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
	r->store_failed = 1;
}

/* The first use of the matcher loads it (files without banners need
 * none). */
static vt_matcher *matcher(run *r)
{
	char err[VT_ERRBUF_LEN];
	if (r->m || r->matcher_failed)
		return r->m;
	vt_matcher_cfg cfg = {0};
	r->m = vt_matcher_new(&cfg, err);
	if (!r->m) {
		vt_cli_error(CMD, "%s", err);
		r->matcher_failed = 1;
		r->any_usage = 1;
	} else if (vt_matcher_warning(r->m)) {
		vt_cli_error(CMD, "warning: %s", vt_matcher_warning(r->m));
	}
	return r->m;
}

static void cpe_json(const vt_answer *a, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "[");
	for (int i = 0; i < a->n_cpe && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s\"%s\"", i ? "," : "",
				      a->cpe[i]);
	if (n < cap)
		snprintf(out + n, cap - n, "]");
}

static void jfield(const char *name, const char *v)
{
	printf(",\"%s\":", name);
	if (v && *v)
		vt_json_cstr(stdout, v);
	else
		fputs("null", stdout);
}

static void jlist(const char *name, const char (*v)[192], int n)
{
	printf(",\"%s\":[", name);
	for (int i = 0; i < n; i++) {
		if (i)
			putchar(',');
		vt_json_cstr(stdout, v[i]);
	}
	putchar(']');
}

/* One relabelled banner (DESIGN.md scan/match contract, plus where it
 * came from). */
static void print_json(const run *r, const vt_imp_obs *o, const vt_answer *a)
{
	fputs("{\"ip\":", stdout);
	vt_json_cstr(stdout, o->ip_txt);
	printf(",\"proto\":\"%s\",\"port\":%u", o->proto == 17 ? "udp" : "tcp",
	       o->port);
	jfield("state", "open");
	jfield("service", a->service);
	jfield("product", a->product);
	jfield("version", a->version);
	jfield("info", a->info);
	jfield("hostname", a->hostname);
	jfield("os", a->os);
	jfield("devicetype", a->devicetype);
	jfield("type", a->type);
	jfield("vendor", a->vendor);
	jfield("model", a->model);
	fputs(",\"cpe\":[", stdout);
	for (int i = 0; i < a->n_cpe; i++) {
		if (i)
			putchar(',');
		vt_json_cstr(stdout, a->cpe[i]);
	}
	putchar(']');
	jfield("rule", a->rule);
	jlist("rules", a->rules, a->n_rules);
	fputs(",\"tls\":", stdout);
	if (o->tls_subject) {
		fputs("{\"subject\":", stdout);
		vt_json_cstr(stdout, o->tls_subject);
		fputs(",\"issuer\":", stdout);
		vt_json_cstr(stdout, o->tls_issuer);
		fputs(",\"sha256\":", stdout);
		vt_json_cstr(stdout, o->tls_sha256);
		putchar('}');
	} else {
		fputs("null", stdout);
	}
	fputs(",\"banner\":", stdout);
	vt_pesc_json(stdout, o->banner, o->banner_len);
	printf(",\"confidence\":%.2f", a->confidence);
	jfield("probe", o->probe);
	jfield("file", r->file);
	printf(",\"line\":%llu", (unsigned long long)o->line);
	jfield("format", vt_import_fmt_name(r->fmt));
	if (o->seen_us) {
		char ts[32];
		time_t t = (time_t)(o->seen_us / 1000000u);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		jfield("seen", ts);
	} else {
		jfield("seen", NULL);
	}
	fputs("}\n", stdout);
}

static void store_banner(run *r, const vt_imp_obs *o, const vt_answer *a)
{
	char cpes[1024];
	cpe_json(a, cpes, sizeof(cpes));
	vt_banner_rec b = {
		.ip = o->ip_txt, .proto = o->proto == 17 ? "udp" : "tcp",
		.port = o->port, .probe = o->probe, .state = "open",
		.seen_us = o->seen_us, .data = o->banner, .len = o->banner_len,
		.tls_subject = o->tls_subject, .tls_issuer = o->tls_issuer,
		.tls_sha256 = o->tls_sha256, .service = a->service,
		.product = a->product, .version = a->version, .info = a->info,
		.devicetype = a->devicetype, .type = a->type, .vendor = a->vendor,
		.cpe_json = cpes, .rule = a->rule, .confidence = a->confidence};
	if (vt_store_banner_put(r->st, r->run_id, &b) != VT_OK)
		store_fail(r);
}

/* Writes the host table to the store and empties it. */
static void flush_hosts(run *r)
{
	for (size_t i = 0; i < vt_imp_hosts_count(r->hosts); i++)
		r->fs.ports += vt_imp_hosts_get(r->hosts, i)->n_services;
	for (size_t i = 0; r->st && !r->store_failed &&
			   i < vt_imp_hosts_count(r->hosts); i++)
		if (vt_store_device_put(r->st, r->run_id,
					vt_imp_hosts_get(r->hosts, i)) != VT_OK)
			store_fail(r);
	vt_imp_hosts_clear(r->hosts);
}

static int add_host(run *r, const vt_imp_obs *o)
{
	int is_new = 0, rc = vt_imp_hosts_add(r->hosts, o, &is_new);
	if (rc == VT_EFULL) {
		flush_hosts(r);
		rc = vt_imp_hosts_add(r->hosts, o, &is_new);
	}
	if (rc)
		return rc;
	r->fs.hosts += is_new;
	return VT_OK;
}

/* Before a host's first banner is stored its device row must exist, so
 * the banner links to it: a bare device (no ports yet) is written once;
 * the full record follows when the table is flushed. */
static void device_row(run *r, const vt_imp_obs *o)
{
	if (vt_imp_hosts_mark(r->hosts, o))
		return;
	vt_devrec bare;
	memset(&bare, 0, sizeof(bare));
	memcpy(bare.key_ip, o->ip, 16);
	bare.key_ipver = o->ipver;
	bare.first_us = bare.last_us = o->seen_us;
	if (vt_store_device_put(r->st, r->run_id, &bare) != VT_OK)
		store_fail(r);
}

static void relabel(run *r, const vt_imp_obs *o)
{
	vt_answer a;
	char ev[256];
	vt_banner b = {.proto = o->proto, .port = o->port, .probe = o->probe,
		       .data = o->banner, .len = o->banner_len,
		       .tls_subject = o->tls_subject, .tls_issuer = o->tls_issuer,
		       .tls_sha256 = o->tls_sha256};
	vt_matcher *m = matcher(r);
	if (!m)
		return;
	vt_matcher_match(m, &b, &a);
	if (a.rule[0])
		r->fs.labelled++;
	if (r->o->json)
		print_json(r, o, &a);
	if (!r->st || r->store_failed)
		return;
	device_row(r, o);
	store_banner(r, o, &a);
	snprintf(ev, sizeof(ev), "%s/%u %s%s%s", o->proto == 17 ? "udp" : "tcp",
		 o->port, a.service, a.product[0] ? " " : "", a.product);
	vt_imp_hosts_ident(r->hosts, o, a.vendor, a.type, a.model, a.confidence,
			   ev, a.rule);
}

static int on_obs(void *user, const vt_imp_obs *o)
{
	run *r = user;
	if (vt_cli_interrupted)
		return VT_EIO;
	if (add_host(r, o) != VT_OK) {
		vt_cli_error(CMD, "out of memory");
		return VT_ENOMEM;
	}
	if (o->banner && o->has_port) {
		r->fs.banners++;
		if (r->o->json || r->st)
			relabel(r, o);
	}
	return r->matcher_failed ? VT_EINVAL : VT_OK;
}

static void on_bad(void *user, uint64_t line, const char *why)
{
	run *r = user;
	if (r->fs.shown++ < MAX_SHOWN)
		vt_cli_error(CMD, "%s:%llu: %s", r->file, (unsigned long long)line, why);
}

static int begin_run(run *r, int argc, char **argv)
{
	char *args = vt_cli_join_args(argc, argv);
	vt_run_info ri = {.command = CMD, .args = args ? args : "",
			  .vantage = "external", .technique = "active",
			  .source = r->file, .started_us = vt_cli_now_us()};
	int e = vt_store_run_begin(r->st, &ri, &r->run_id);
	free(args);
	if (e != VT_OK)
		store_fail(r);
	return e;
}

static void summary(const run *r, const char *codec, const vt_imp_stats *s)
{
	FILE *out = r->o->json ? stderr : stdout;
	char name[64], lab[24] = "-";
	vt_term_safe(r->file, name, sizeof(name));
	if (r->o->json || r->st)
		snprintf(lab, sizeof(lab), "%llu", (unsigned long long)r->fs.labelled);
	fprintf(out, "%s%-40s %-14s %-5s %8llu %7llu %7llu %7llu %8s %6llu\n",
		r->o->json ? "vantage import: summary " : "", name,
		vt_import_fmt_name(r->fmt), codec ? codec : "-",
		(unsigned long long)s->records, (unsigned long long)r->fs.hosts,
		(unsigned long long)r->fs.ports, (unsigned long long)r->fs.banners,
		lab, (unsigned long long)s->bad);
	if (r->fs.shown > MAX_SHOWN)
		vt_cli_error(CMD, "%s: %llu more malformed records not shown", r->file,
			     (unsigned long long)(r->fs.shown - MAX_SHOWN));
	fflush(out);
}

/* Reads one opened file to its end. */
static void import_src(run *r, vt_imp_src *src, int argc, char **argv)
{
	const uint8_t *head;
	size_t n;
	char why[256];
	vt_imp_stats s = {0};
	int rc = vt_imp_src_peek(src, &head, &n);
	r->fmt = r->o->fmt ? r->o->fmt : rc ? VT_IMP_UNKNOWN : vt_import_sniff(head, n);
	if (r->fmt == VT_IMP_UNKNOWN) {
		vt_cli_error(CMD, "%s: %s", r->file,
			     rc ? vt_imp_src_error(src)
				: "format not recognised (see --format)");
		r->any_usage = 1;
		return;
	}
	memset(&r->fs, 0, sizeof(r->fs));
	if (r->st && !r->store_failed && begin_run(r, argc, argv) != VT_OK)
		return;
	vt_imp_sink sink = {.user = r, .obs = on_obs, .bad = on_bad};
	rc = vt_import_run(r->fmt, src, &sink, &s, why, sizeof(why));
	flush_hosts(r);
	if (rc) {
		/* A stop asked by the sink (interrupt, rules, memory) was
		 * already said; anything else is the file's fault. */
		if (!vt_cli_interrupted && !r->matcher_failed && strcmp(why, "stopped"))
			vt_cli_error(CMD, "%s: %s", r->file, why);
		r->any_bad = 1;
	}
	if (s.bad)
		r->any_bad = 1;
	if (r->st && !r->store_failed) {
		const char *status = vt_cli_interrupted ? "interrupted"
				     : rc == VT_ETRUNC ? "error: truncated"
				     : rc ? "error: damaged"
					  : "ok";
		if (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(), s.records, status) ||
		    vt_store_flush(r->st))
			store_fail(r);
	}
	summary(r, vt_imp_src_codec(src), &s);
}

static void import_file(run *r, const char *path, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN];
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	r->file = path;
	if (!f) {
		vt_cli_error(CMD, "%s: cannot open", path);
		r->any_usage = 1;
		return;
	}
	vt_imp_src *src = vt_imp_src_new(f, err);
	if (!src) {
		vt_cli_error(CMD, "%s: %s", path, err);
		r->any_usage = 1;
	} else {
		import_src(r, src, argc, argv);
	}
	vt_imp_src_free(src);
	if (f != stdin)
		fclose(f);
}

int vt_cmd_import(int argc, char **argv)
{
	opts o = {0};
	run r = {.o = &o};
	char err[VT_ERRBUF_LEN];
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	if (o.db && !(r.st = vt_store_open(o.db, err))) {
		vt_cli_error(CMD, "%s", err);
		return VT_EXIT_USAGE;
	}
	if (!(r.hosts = vt_imp_hosts_new(0))) {
		vt_cli_error(CMD, "out of memory");
		vt_store_close(r.st);
		return VT_EXIT_USAGE;
	}
	vt_cli_catch_signals();
	if (!o.json)
		printf("%-40s %-14s %-5s %8s %7s %7s %7s %8s %6s\n", "FILE", "FORMAT",
		       "CODEC", "RECORDS", "HOSTS", "PORTS", "BANNERS", "LABELLED",
		       "BAD");
	for (int i = optind; i < argc && !vt_cli_interrupted && !r.matcher_failed; i++)
		import_file(&r, argv[i], argc, argv);
	vt_imp_hosts_free(r.hosts);
	vt_store_close(r.st);
	vt_matcher_free(r.m);
	fflush(stdout);
	if (vt_cli_interrupted)
		return VT_EXIT_INTERRUPTED;
	if (r.any_usage)
		return VT_EXIT_USAGE;
	return r.any_bad || r.store_failed ? VT_EXIT_DATA : VT_EXIT_OK;
}
