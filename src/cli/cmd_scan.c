/*
 * `vantage scan`: a stateless SYN (and UDP payload) scan of every
 * (address, port) in a random order at a fixed rate, then banner grabs on
 * the open TCP ports (the probe ladder, matched by the matcher), printed
 * as a table or JSON Lines (DESIGN.md contract) and written to the store:
 * a run (vantage internal when every target is private/on-link, external
 * otherwise; technique active), one device per host (keyed by MAC when the
 * kernel's neighbour table knows it after the scan, else by IP) with its
 * offered services, and one banner row per response.
 *
 * Privileges: raw sockets need CAP_NET_RAW. Started as root, the command
 * opens its sockets, the store and the rules, then drops to "nobody".
 */
#define _GNU_SOURCE /* ppoll */
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/scan_out.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/grab.h"
#include "vantage/match.h"
#include "vantage/scan.h"
#include "vantage/store.h"

#define CMD "scan"

static const char help[] =
	"usage: vantage scan [options] TARGETS...\n"
	"SYN-scan TCP ports (and probe UDP ports with protocol payloads) of\n"
	"TARGETS in a random order, grab and label banners on open TCP ports.\n"
	"TARGETS: addresses, CIDR prefixes (192.168.1.0/24), ranges\n"
	"(10.0.0.1-10.0.0.20, 10.0.0.1-20), IPv4 or IPv6; no host names.\n\n"
	"  -p, --ports LIST    ports: 22,80,1000-2000, T:/U: prefixes for TCP/\n"
	"                      UDP (U:53,161), '-' for every TCP port; default:\n"
	"                      about 110 IoT ports (see the man page)\n"
	"  -i, --iface IFACE   send and receive on IFACE only\n"
	"  --rate N            packets per second (default 100)\n"
	"  --retries N         send unanswered probes again N times (default 1)\n"
	"  --wait MS           wait for late replies after sending (default 1500)\n"
	"  --shards N --shard I --seed S\n"
	"                      scan only shard I (0..N-1) of the permutation\n"
	"                      seeded with S; shards with the same seed cover\n"
	"                      the space exactly once (default 1, 0, random)\n"
	"  --allow FILE        scan only targets inside FILE's list\n"
	"  --exclude FILE      never scan targets in FILE's list; a malformed\n"
	"                      allow/exclude/target list aborts the scan\n"
	"  --dry-run           print every probe that would be sent (proto,\n"
	"                      address, port; in sending order) and exit\n"
	"  --no-grab           layer 4 only: no banner grabs\n"
	"  --max-conns N       banner-grab connections at once (default 64)\n"
	"  --per-host N        connections per host at once (default 3)\n"
	"  --grab-timeout MS   time cap per port for banner grabs (default 15000)\n"
	"  --json              JSON Lines, one object per open (ip, proto, port)\n"
	"  --closed            also print closed ports\n"
	"  --db FILE           write the run, devices, services and banners to\n"
	"                      the SQLite store FILE\n"
	"  -h, --help          this text\n\n"
	"Needs CAP_NET_RAW (or root; root is dropped to 'nobody' once the\n"
	"sockets are open). A progress line goes to stderr when it is a\n"
	"terminal. SIGINT stops sending, waits briefly for replies, writes\n"
	"what was found and exits 130.\n"
	"Exit status: 0 ok; 1 the store failed; 2 bad usage, a bad target/\n"
	"allow/exclude list, or the sockets could not be opened; 130\n"
	"interrupted.\n";

enum { O_RATE = 256, O_RETRIES, O_WAIT, O_SHARDS, O_SHARD, O_SEED, O_ALLOW,
       O_EXCLUDE, O_DRY, O_NOGRAB, O_JSON, O_DB, O_CONNS, O_PERHOST,
       O_GRABTO, O_CLOSED };

static const struct option longopts[] = {
	{"ports", required_argument, NULL, 'p'},
	{"iface", required_argument, NULL, 'i'},
	{"rate", required_argument, NULL, O_RATE},
	{"retries", required_argument, NULL, O_RETRIES},
	{"wait", required_argument, NULL, O_WAIT},
	{"shards", required_argument, NULL, O_SHARDS},
	{"shard", required_argument, NULL, O_SHARD},
	{"seed", required_argument, NULL, O_SEED},
	{"allow", required_argument, NULL, O_ALLOW},
	{"exclude", required_argument, NULL, O_EXCLUDE},
	{"dry-run", no_argument, NULL, O_DRY},
	{"no-grab", no_argument, NULL, O_NOGRAB},
	{"max-conns", required_argument, NULL, O_CONNS},
	{"per-host", required_argument, NULL, O_PERHOST},
	{"grab-timeout", required_argument, NULL, O_GRABTO},
	{"json", no_argument, NULL, O_JSON},
	{"closed", no_argument, NULL, O_CLOSED},
	{"db", required_argument, NULL, O_DB},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

typedef vt_scan_opts opts;

static int parse_one(int c, opts *o)
{
	switch (c) {
	case 'p': o->ports = optarg; return 0;
	case 'i': o->iface = optarg; return 0;
	case O_RATE: return vt_cli_num(CMD, "rate", optarg, 1, 10000000, &o->rate);
	case O_RETRIES: return vt_cli_num(CMD, "retries", optarg, 0, 10, &o->retries);
	case O_WAIT: return vt_cli_num(CMD, "wait", optarg, 0, 60000, &o->wait_ms);
	case O_SHARDS: return vt_cli_num(CMD, "shards", optarg, 1, 65536, &o->shards);
	case O_SHARD: return vt_cli_num(CMD, "shard", optarg, 0, 65535, &o->shard);
	case O_SEED:
		o->have_seed = 1;
		return vt_cli_num(CMD, "seed", optarg, 0, UINT64_MAX, &o->seed);
	case O_ALLOW: o->allow = optarg; return 0;
	case O_EXCLUDE: o->exclude = optarg; return 0;
	case O_DRY: o->dry = 1; return 0;
	case O_NOGRAB: o->no_grab = 1; return 0;
	case O_CONNS: return vt_cli_num(CMD, "max-conns", optarg, 1, 4096, &o->conns);
	case O_PERHOST: return vt_cli_num(CMD, "per-host", optarg, 1, 64, &o->per_host);
	case O_GRABTO: return vt_cli_num(CMD, "grab-timeout", optarg, 100, 600000, &o->grab_ms);
	case O_JSON: o->json = 1; return 0;
	case O_CLOSED: o->closed = 1; return 0;
	case O_DB: o->db = optarg; return 0;
	}
	return -1;
}

static int parse(int argc, char **argv, opts *o)
{
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hp:i:", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return 1;
		}
		if (c == ':') {
			vt_cli_error(CMD, "%s needs a value", argv[optind - 1]);
			return -1;
		}
		if (c == '?') {
			vt_cli_error(CMD, "unknown option '%s' (see --help)",
				     argv[optind - 1]);
			return -1;
		}
		if (parse_one(c, o))
			return -1;
	}
	if (o->shard >= o->shards) {
		vt_cli_error(CMD, "--shard %llu: must be below --shards %llu",
			     (unsigned long long)o->shard,
			     (unsigned long long)o->shards);
		return -1;
	}
	if (optind >= argc) {
		vt_cli_error(CMD, "no targets (see --help)");
		return -1;
	}
	return 0;
}

/* Targets from the arguments, cut by the allow and exclude lists. */
static vt_targets *load_targets(const opts *o, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN];
	vt_targets *t = vt_targets_new(), *allow = NULL, *excl = NULL;
	int ok = t != NULL;
	for (int i = optind; ok && i < argc; i++)
		ok = vt_targets_add(t, argv[i], "targets", err) == VT_OK;
	if (ok && o->allow)
		ok = (allow = vt_targets_new()) &&
		     vt_targets_add_file(allow, o->allow, err) == VT_OK;
	if (ok && o->exclude)
		ok = (excl = vt_targets_new()) &&
		     vt_targets_add_file(excl, o->exclude, err) == VT_OK;
	if (ok && o->allow && !vt_targets_items(allow)) {
		snprintf(err, sizeof(err), "%s: empty allow list", o->allow);
		ok = 0;
	}
	if (ok)
		ok = vt_targets_finish(t, allow, excl, err) == VT_OK;
	vt_targets_free(allow);
	vt_targets_free(excl);
	if (!ok) {
		vt_cli_error(CMD, "%s", t ? err : "out of memory");
		vt_targets_free(t);
		return NULL;
	}
	return t;
}

static void pair_at(const vt_scanjob *s, uint64_t v, vt_addr *a,
		    const vt_port **p)
{
	vt_targets_get(s->t, v / s->ports.n, a);
	*p = &s->ports.v[v % s->ports.n];
}

static int dry_run(vt_scanjob *s)
{
	vt_perm perm = s->perm;
	uint64_t v, n = 0;
	char ip[64];
	while (vt_perm_next(&perm, &v)) {
		vt_addr a;
		const vt_port *p;
		pair_at(s, v, &a, &p);
		vt_addr_format(&a, ip, sizeof(ip));
		printf("%s %s %u\n", p->proto == 17 ? "udp" : "tcp", ip, p->port);
		n++;
	}
	fflush(stdout);
	fprintf(stderr, "vantage scan: dry run: %llu probes (%llu addresses x %zu ports, shard %u of %u)\n",
		(unsigned long long)n, (unsigned long long)vt_targets_count(s->t),
		s->ports.n, s->perm.shard, s->perm.shards);
	return VT_EXIT_OK;
}

/* Drops root for "nobody" once the sockets are open (RELIABILITY.md 8);
 * not root (CAP_NET_RAW from a file capability), drops every capability
 * instead: the open sockets keep working. */
static int drop_privileges(void)
{
	if (getuid() != 0 && geteuid() != 0) {
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];
		memset(d, 0, sizeof(d));
		if (syscall(SYS_capset, &h, d) != 0) {
			vt_cli_error(CMD, "cannot drop capabilities");
			return -1;
		}
		return 0;
	}
	struct passwd *pw = getpwnam("nobody");
	if (!pw) {
		vt_cli_error(CMD, "cannot drop privileges: no user 'nobody'");
		return -1;
	}
	if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid) ||
	    setuid(0) == 0) {
		vt_cli_error(CMD, "cannot drop privileges to 'nobody'");
		return -1;
	}
	return 0;
}

static void progress(vt_scanjob *s, uint64_t now, int force)
{
	if (!s->tty || (!force && now - s->last_progress < 250000000ull))
		return;
	s->last_progress = now;
	const vt_syn_stats *st = vt_syn_stats_get(s->syn);
	double secs = (double)(now - s->t0_ns) / 1e9;
	double rate = secs > 0 ? (double)st->sent / secs : 0;
	uint64_t left = s->total_probes > st->sent ? s->total_probes - st->sent : 0;
	fprintf(stderr, "\rsent %llu/%llu  recv %llu  open %zu  %.0f pkt/s  ETA %.0fs   ",
		(unsigned long long)st->sent, (unsigned long long)s->total_probes,
		(unsigned long long)st->valid,
		vt_results_in_state(s->res, VT_PORT_OPEN), rate,
		(double)left / (double)s->o_rate);
}

static void drain(vt_scanjob *s)
{
	vt_syn_reply r;
	while (vt_syn_recv(s->syn, &r)) {
		if (!vt_targets_contains(s->t, &r.addr))
			continue; /* a cookie from another run's key cannot match */
		vt_results_add(s->res, &r, vt_cli_now_us());
	}
}

/* Waits up to ms for replies. */
static void listen_for(vt_scanjob *s, uint64_t ms)
{
	uint64_t end = vt_now_ns() + ms * 1000000ull;
	struct pollfd pfd = {.fd = vt_syn_fd(s->syn), .events = POLLIN};
	for (uint64_t now; (now = vt_now_ns()) < end;) {
		int wait = (int)((end - now) / 1000000ull) + 1;
		poll(&pfd, 1, wait > 100 ? 100 : wait);
		drain(s);
		progress(s, vt_now_ns(), 0);
	}
}

/* Sends one probe; while the socket buffer is full (probes queued behind
 * ARP), reads replies and tries again, for at most 2 s. */
static void send_one(vt_scanjob *s, const vt_addr *a, const vt_port *p,
		     unsigned attempt, struct pollfd *pfd)
{
	for (int tries = 0; tries < 200 && !vt_cli_interrupted; tries++) {
		if (vt_syn_send(s->syn, a, p->proto, p->port, attempt) != VT_EFULL)
			return;
		poll(pfd, 1, 10);
		drain(s);
	}
	vt_syn_count_error(s->syn);
}

/* One pass over this shard's pairs; on a retry, only unanswered ones. */
static void send_pass(vt_scanjob *s, unsigned attempt)
{
	vt_perm perm = s->perm;
	vt_rate rl;
	uint64_t v;
	vt_rate_init(&rl, (double)s->o_rate, vt_now_ns());
	struct pollfd pfd = {.fd = vt_syn_fd(s->syn), .events = POLLIN};
	while (!vt_cli_interrupted && vt_perm_next(&perm, &v)) {
		vt_addr a;
		const vt_port *p;
		pair_at(s, v, &a, &p);
		if (attempt && vt_results_find(s->res, &a, p->proto, p->port))
			continue;
		uint64_t wait;
		while ((wait = vt_rate_take(&rl, vt_now_ns())) != 0) {
			/* Sleep until the next token or a reply, whichever comes
			 * first (ns precision: no spinning at high rates). */
			if (wait > 50000000u)
				wait = 50000000u;
			struct timespec ts = {0, (long)wait};
			ppoll(&pfd, 1, &ts, NULL);
			drain(s);
			if (vt_cli_interrupted)
				return;
		}
		send_one(s, &a, p, attempt, &pfd);
		drain(s);
		progress(s, vt_now_ns(), 0);
	}
}

static void syn_phase(vt_scanjob *s)
{
	s->t0_ns = vt_now_ns();
	for (unsigned at = 0; at <= s->o->retries && !vt_cli_interrupted; at++) {
		send_pass(s, at);
		/* Between passes a short pause; after the last, the full wait. */
		listen_for(s, vt_cli_interrupted ? 1000
			   : at < s->o->retries ? 500 : s->o->wait_ms);
	}
	progress(s, vt_now_ns(), 1);
	if (s->tty)
		fputc('\n', stderr);
}

static vt_matcher *load_matcher(void)
{
	char err[VT_ERRBUF_LEN];
	vt_matcher_cfg cfg = {0};
	vt_matcher *m = vt_matcher_new(&cfg, err);
	if (!m)
		vt_cli_error(CMD, "%s", err);
	else if (vt_matcher_warning(m))
		vt_cli_error(CMD, "warning: %s", vt_matcher_warning(m));
	return m;
}

static int setup(vt_scanjob *s, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN];
	vt_cookie_key key;
	if (vt_cookie_key_random(&key) != VT_OK) {
		vt_cli_error(CMD, "no random numbers for the cookie key");
		return -1;
	}
	if (!(s->syn = vt_syn_open(s->o->iface, &key, err))) {
		vt_cli_error(CMD, "%s", err);
		return -1;
	}
	if (!(s->res = vt_results_new())) {
		vt_cli_error(CMD, "out of memory");
		return -1;
	}
	if (!s->o->no_grab && !(s->m = load_matcher()))
		return -1;
	if (s->o->db && vt_scan_store_open(s, argc, argv) != 0)
		return -1;
	return drop_privileges();
}

static void teardown(vt_scanjob *s)
{
	vt_syn_close(s->syn);
	vt_results_free(s->res);
	vt_scan_ports_free(s);
	vt_matcher_free(s->m);
	vt_store_close(s->st);
	vt_targets_free(s->t);
	vt_ports_cleanup(&s->ports);
}

int vt_cmd_scan(int argc, char **argv)
{
	opts o = {.rate = 100, .retries = 1, .wait_ms = 1500, .shards = 1,
		  .conns = 64, .per_host = 3, .grab_ms = 15000};
	vt_scanjob s = {.o = &o};
	char err[VT_ERRBUF_LEN];
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	s.o_rate = o.rate;
	if (vt_ports_parse(&s.ports, o.ports, err) != VT_OK) {
		vt_cli_error(CMD, "%s", err);
		return VT_EXIT_USAGE;
	}
	if (!(s.t = load_targets(&o, argc, argv))) {
		vt_ports_cleanup(&s.ports);
		return VT_EXIT_USAGE;
	}
	uint64_t seed = o.seed;
	if (!o.have_seed) {
		vt_cookie_key k;
		vt_cookie_key_random(&k);
		seed = k.k0;
	}
	uint64_t n = vt_targets_count(s.t);
	if (n > (1ull << 62) / s.ports.n ||
	    vt_perm_init(&s.perm, n * s.ports.n, seed, (uint32_t)o.shards,
			 (uint32_t)o.shard) != VT_OK) {
		vt_cli_error(CMD, "too many (address, port) pairs");
		teardown(&s);
		return VT_EXIT_USAGE;
	}
	if (o.dry) {
		int rc = dry_run(&s);
		teardown(&s);
		return rc;
	}
	vt_cli_catch_signals();
	if (setup(&s, argc, argv) != 0) {
		teardown(&s);
		return VT_EXIT_USAGE;
	}
	s.tty = isatty(2);
	s.total_probes = vt_perm_shard_size(&s.perm);
	syn_phase(&s);
	int rc = vt_scan_finish(&s);
	teardown(&s);
	return rc;
}
