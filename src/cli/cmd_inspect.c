/*
 * `vantage inspect`: on-path capture of named devices by ARP spoofing
 * (the IoT Inspector technique), done safely; see include/vantage/onpath.h
 * for the mechanism and its safety rules.
 *
 * Order of work: resolve the gateway and the devices by ARP, get consent,
 * open the ARP socket, the capture and the store, set the sysctls, fork the
 * guardian, then drop privileges (root becomes --user; every capability is
 * dropped) before the first spoofed frame or parsed packet. Every exit
 * after the sysctls were set goes through finish(): corrective ARP, then
 * the guardian restores the sysctls. The traffic goes through the passive
 * pipeline (as `vantage read`); only the named devices' records and flows
 * are printed and stored (run: internal/passive, source "onpath:IFACE ...").
 * With --probe, a thread probes the devices' offered services meanwhile
 * (cli/inspect_probe.h) into a second run (internal/active, source
 * "onpath-probe:IFACE ..."); the loop writes its rows to the store.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/inspect_probe.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/ident.h"
#include "vantage/onpath.h"
#include "vantage/oui.h"
#include "vantage/privdrop.h"
#include "vantage/store.h"

#define CMD "inspect"

static const char help[] =
	"usage: vantage inspect -i IFACE --device MAC|IP [--device ...] --consent\n"
	"                       [options]\n"
	"Put this host on the path between the named devices and the gateway\n"
	"by ARP spoofing (both directions), forward their traffic, and record\n"
	"it as `vantage read` would: one record per named device.\n"
	"Only for networks you own or may test: the devices' traffic flows\n"
	"through this host while it runs.\n\n"
	"  -i, --iface IFACE   the LAN interface (Ethernet, IPv4, default route)\n"
	"  --device MAC|IP     a device to inspect (repeatable, max 64); never\n"
	"                      the gateway or this host\n"
	"  --all               every host answering an ARP sweep of the subnet\n"
	"                      (at most 1024 addresses) but the gateway and us\n"
	"  --consent           I own this network or may test it; without it\n"
	"                      vantage asks for a typed 'yes' on a terminal and\n"
	"                      refuses otherwise (also with --all)\n"
	"  --duration S        stop after S seconds (default: at Ctrl-C)\n"
	"  --interval S        seconds between spoofed replies per device and\n"
	"                      direction (1 to 10, default 2)\n"
	"  --db FILE           also write the run, devices and flows to the\n"
	"                      SQLite store FILE (opened before privileges drop)\n"
	"  --probe             also probe the devices' offered services: SYN\n"
	"                      (and UDP) probes of the ports, then banner grabs\n"
	"                      of the open ones, as `vantage scan`; a pass at\n"
	"                      the start and every --probe-interval; stored\n"
	"                      (needs --db) in a run of its own (vantage\n"
	"                      internal, technique active): each device's open\n"
	"                      ports as offered services, with banner rows, so\n"
	"                      `vantage report` shows offered against used;\n"
	"                      the devices' frames to this host (the probes'\n"
	"                      answers) are left out of the records\n"
	"  --probe-interval S  seconds between the starts of two passes (10 to\n"
	"                      86400, default 300)\n"
	"  --probe-rate N      probe packets per second (1 to 1000, default 50)\n"
	"  --probe-ports LIST  ports as for `vantage scan -p` (default: its IoT\n"
	"                      list)\n"
	"  --json              JSON Lines per device (as `vantage read --json`)\n"
	"  --user NAME         started as root: the user to become once the\n"
	"                      sockets are open (default nobody)\n"
	"  --rules DIR         identification rules (default: data/ident)\n"
	"  -h, --help          this text\n\n"
	"Needs CAP_NET_RAW and CAP_NET_ADMIN (not root). Sets net.ipv4.ip_forward\n"
	"=1 and net.ipv4.conf.{all,IFACE}.send_redirects=0 for the run and puts\n"
	"back the previous values at exit. On every exit (end of --duration,\n"
	"Ctrl-C, SIGTERM, an error) corrective ARP (5 replies over 2 s) gives\n"
	"the devices and the gateway their true MACs back; a guardian process\n"
	"does both if vantage is killed. Stops by itself when the gateway's MAC\n"
	"changes, another host spoofs the gateway or a device, or IFACE goes\n"
	"down. A live view (devices, bytes, top peers) refreshes on a terminal.\n"
	"Exit status: 0 ran for --duration; 1 stopped by a safety check or a\n"
	"store fault (records still printed); 2 bad usage or setup failed\n"
	"(nothing was spoofed); 130 interrupted (records still printed).\n";

typedef struct opts {
	const char *iface;
	const char *devices[VT_ONPATH_MAX_VICTIMS];
	size_t n_dev;
	int all, consent, json, probe;
	uint64_t duration_s, interval_s, probe_interval_s, probe_rate;
	const char *db, *user, *rules, *probe_ports;
} opts;

enum { O_DEV = 256, O_ALL, O_CONSENT, O_DUR, O_INT, O_DB, O_JSON, O_USER,
       O_RULES, O_PROBE, O_PINT, O_PRATE, O_PPORTS };

static const struct option longopts[] = {
	{"iface", required_argument, NULL, 'i'},
	{"device", required_argument, NULL, O_DEV},
	{"all", no_argument, NULL, O_ALL},
	{"consent", no_argument, NULL, O_CONSENT},
	{"duration", required_argument, NULL, O_DUR},
	{"interval", required_argument, NULL, O_INT},
	{"db", required_argument, NULL, O_DB},
	{"json", no_argument, NULL, O_JSON},
	{"user", required_argument, NULL, O_USER},
	{"rules", required_argument, NULL, O_RULES},
	{"probe", no_argument, NULL, O_PROBE},
	{"probe-interval", required_argument, NULL, O_PINT},
	{"probe-rate", required_argument, NULL, O_PRATE},
	{"probe-ports", required_argument, NULL, O_PPORTS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse(int argc, char **argv, opts *o)
{
	int c;
	o->interval_s = 2;
	o->probe_interval_s = 300;
	o->probe_rate = 50;
	o->user = "nobody";
	optind = 1;
	while ((c = getopt_long(argc, argv, "hi:", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'i': o->iface = optarg; break;
		case O_DEV:
			if (o->n_dev >= VT_ONPATH_MAX_VICTIMS) {
				vt_cli_error(CMD, "--device: at most %d",
					     VT_ONPATH_MAX_VICTIMS);
				return -1;
			}
			o->devices[o->n_dev++] = optarg;
			break;
		case O_ALL: o->all = 1; break;
		case O_CONSENT: o->consent = 1; break;
		case O_DUR:
			bad = vt_cli_num(CMD, "duration", optarg, 1, 31u * 86400,
				  &o->duration_s);
			break;
		case O_INT:
			bad = vt_cli_num(CMD, "interval", optarg, 1, 10, &o->interval_s);
			break;
		case O_DB: o->db = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_USER: o->user = optarg; break;
		case O_RULES: o->rules = optarg; break;
		case O_PROBE: o->probe = 1; break;
		case O_PINT:
			bad = vt_cli_num(CMD, "probe-interval", optarg, 10, 86400,
				  &o->probe_interval_s);
			break;
		case O_PRATE:
			bad = vt_cli_num(CMD, "probe-rate", optarg, 1, 1000, &o->probe_rate);
			break;
		case O_PPORTS: o->probe_ports = optarg; break;
		case 'h': fputs(help, stdout); return 1;
		default: fputs(help, stderr); return -1;
		}
		if (bad)
			return -1;
	}
	if (optind < argc) {
		vt_cli_error(CMD, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->iface || (!o->n_dev && !o->all)) {
		vt_cli_error(CMD, "needs -i IFACE and --device (or --all)");
		return -1;
	}
	if (o->probe && !o->db) {
		vt_cli_error(CMD, "--probe needs --db FILE (the offered services "
				  "go to the store)");
		return -1;
	}
	return 0;
}

typedef struct run {
	const opts *o;
	vt_netif nif;
	vt_targets t;
	int arp_fd, ctl_fd;
	vt_sysctls sc;
	int sysctls_set;
	vt_guard g;
	vt_tap *tap;
	vt_passive *pass;
	vt_store *st;
	int64_t run_id;
	vt_oui *oui;
	vt_rules *rules;
	vt_devrec *devs;
	size_t n_devs;
	vt_iprobe *probe;   /* --probe */
	int probe_failed;
	int faults;
	int alarm;          /* stopped by a safety check */
	uint64_t spoofed;   /* spoofed replies sent */
	uint64_t corrected; /* corrective replies sent */
	int view_lines;     /* lines of the live view on screen */
	uint64_t start_ms;
} run;

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void host_str(const vt_host *h, char *out, size_t cap)
{
	char ip[16], mac[18];
	inet_ntop(AF_INET, h->ip, ip, sizeof(ip));
	vt_mac_format(h->mac, mac);
	snprintf(out, cap, "%s (%s)", ip, mac);
}

/* --consent, or a typed "yes" on a terminal after naming the devices
 * (without a terminal, setup refused before sending anything). */
static int consent(const run *r)
{
	if (r->o->consent)
		return 0;
	char s[64];
	fprintf(stderr, "vantage inspect will ARP-spoof on %s, putting this "
			"host between the gateway ", r->nif.name);
	host_str(&r->t.gw, s, sizeof(s));
	fprintf(stderr, "%s and:\n", s);
	for (size_t i = 0; i < r->t.n; i++) {
		host_str(&r->t.v[i], s, sizeof(s));
		fprintf(stderr, "  %s\n", s);
	}
	fprintf(stderr, "Only do this on a network you own or may test. "
			"Type 'yes' to go on: ");
	char line[16];
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n") != 0) {
		vt_cli_error(CMD, "not confirmed; nothing was sent");
		return -1;
	}
	return 0;
}

static int is_victim_mac(const vt_targets *t, const uint8_t mac[6])
{
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->v[i].mac, mac, 6))
			return 1;
	return 0;
}

/* Only flows of the named devices reach the store. */
static int store_flow(const vt_flow_rec *f, void *user)
{
	run *r = user;
	if (!(f->has_mac_a && is_victim_mac(&r->t, f->mac_a)) &&
	    !(f->has_mac_b && is_victim_mac(&r->t, f->mac_b)))
		return VT_OK;
	return vt_store_flow_add(r->st, r->run_id, f);
}

/* "onpath:IFACE IP..." (prefix "onpath"), the runs' source. */
static void source_of(const run *r, const char *prefix, char *src,
		      size_t cap)
{
	size_t off = (size_t)snprintf(src, cap, "%s:%s", prefix, r->nif.name);
	for (size_t i = 0; i < r->t.n && off < cap; i++) {
		char ip[16];
		inet_ntop(AF_INET, r->t.v[i].ip, ip, sizeof(ip));
		off += (size_t)snprintf(src + off, cap - off, " %s", ip);
	}
}

/* --probe: raw sockets, the matcher and its run, before the drop. */
static int open_probe(run *r, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN], src[1024];
	vt_iprobe_dev devs[VT_ONPATH_MAX_VICTIMS];
	for (size_t i = 0; i < r->t.n; i++) {
		memcpy(devs[i].ip, r->t.v[i].ip, 4);
		memcpy(devs[i].mac, r->t.v[i].mac, 6);
	}
	source_of(r, "onpath-probe", src, sizeof(src));
	char *args = vt_cli_join_args(argc, argv);
	vt_iprobe_cfg c = {.iface = r->o->iface, .devs = devs, .n_devs = r->t.n,
			   .ports = r->o->probe_ports, .rate = r->o->probe_rate,
			   .interval_s = r->o->probe_interval_s, .st = r->st,
			   .args = args ? args : "", .source = src};
	r->probe = vt_iprobe_open(&c, err);
	free(args);
	if (!r->probe) {
		vt_cli_error(CMD, "--probe: %s", err);
		return -1;
	}
	return 0;
}

static int open_store(run *r, int argc, char **argv)
{
	char src[1024];
	source_of(r, "onpath", src, sizeof(src));
	vt_run_info ri = {.command = CMD, .vantage = "internal",
			  .technique = "passive", .source = src};
	r->st = vt_cli_store_begin(CMD, r->o->db, argc, argv, &ri, &r->run_id);
	if (!r->st)
		return -1;
	if (vt_store_flush(r->st) != VT_OK) { /* the run row is visible at once */
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		return -1;
	}
	return 0;
}

/* Everything that needs privilege, in order; -1 after printing why. */
static int setup(run *r, int argc, char **argv)
{
	char err[VT_ERRBUF_LEN];
	const opts *o = r->o;
	if (!o->consent && (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))) {
		vt_cli_error(CMD, "refusing to ARP-spoof without --consent "
				  "(stdin is not a terminal to ask on); nothing "
				  "was sent");
		return -1;
	}
	if (vt_netif_get(o->iface, &r->nif, err) != VT_OK ||
	    (r->arp_fd = vt_arp_socket(r->nif.ifindex, err)) < 0 ||
	    vt_targets_resolve(r->arp_fd, &r->nif, o->devices, o->n_dev,
			       o->all, &r->t, err) != VT_OK) {
		vt_cli_error(CMD, "%s", err);
		return -1;
	}
	if (consent(r))
		return -1;
	if (vt_cli_load_ident(CMD, o->rules, 0, &r->oui, &r->rules))
		return -1;
	if (o->db && open_store(r, argc, argv))
		return -1;
	if (o->probe && open_probe(r, argc, argv))
		return -1;
	vt_passive_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.sink = o->db ? store_flow : NULL;
	pc.sink_user = r;
	r->pass = vt_passive_new(&pc);
	r->ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!r->pass || r->ctl_fd < 0) {
		vt_cli_error(CMD, "out of memory or sockets");
		return -1;
	}
	r->tap = vt_tap_open(o->iface, &r->t, r->pass, err);
	if (!r->tap || vt_sysctls_set(o->iface, &r->sc, err) != VT_OK) {
		vt_cli_error(CMD, "%s", err);
		return -1;
	}
	if (r->probe)
		vt_tap_skip_self(r->tap, 1); /* our probes' answers: not "used" */
	r->sysctls_set = 1;
	signal(SIGPIPE, SIG_IGN); /* a vanished guardian is an error, not death */
	if (vt_guard_start(&r->g, r->arp_fd, r->nif.ifindex, &r->t, &r->sc,
			   o->user, err) != VT_OK) {
		vt_cli_error(CMD, "%s", err);
		return -1;
	}
	vt_priv_result pr;
	if (vt_priv_drop(o->user, &pr, err) != VT_OK) {
		vt_cli_error(CMD, "dropping privileges: %s", err);
		return -1;
	}
	/* After the drop: the thread starts with no privilege to lose. */
	if (r->probe && vt_iprobe_start(r->probe, err) != VT_OK) {
		vt_cli_error(CMD, "--probe: %s", err);
		return -1;
	}
	return 0;
}

/* ---- the live view ---- */

static void human(uint64_t b, char *out, size_t cap)
{
	if (b >= 10u << 20)
		snprintf(out, cap, "%.1f MB", (double)b / 1048576.0);
	else if (b >= 10u << 10)
		snprintf(out, cap, "%.1f kB", (double)b / 1024.0);
	else
		snprintf(out, cap, "%llu B", (unsigned long long)b);
}

static void view_device(const vt_host *h, const vt_tap_victim *v)
{
	char who[48], b[32];
	host_str(h, who, sizeof(who));
	human(v->bytes, b, sizeof(b));
	fprintf(stderr, "\033[K  %-36s %10llu frames %10s  top:", who,
		(unsigned long long)v->frames, b);
	int used[3] = {-1, -1, -1};
	for (int k = 0; k < 3; k++) {
		int best = -1;
		for (size_t i = 0; i < v->n_peers; i++) {
			int taken = 0;
			for (int j = 0; j < k; j++)
				taken |= used[j] == (int)i;
			if (!taken && (best < 0 ||
				       v->peers[i].bytes > v->peers[best].bytes))
				best = (int)i;
		}
		if (best < 0)
			break;
		used[k] = best;
		char ip[16];
		inet_ntop(AF_INET, v->peers[best].ip, ip, sizeof(ip));
		human(v->peers[best].bytes, b, sizeof(b));
		fprintf(stderr, " %s %s", ip, b);
	}
	fputc('\n', stderr);
}

static void view(run *r)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (r->view_lines)
		fprintf(stderr, "\033[%dA", r->view_lines);
	char gw[48];
	host_str(&r->t.gw, gw, sizeof(gw));
	fprintf(stderr, "\033[Kvantage inspect on %s: %llu s, gateway %s, "
			"%llu spoofed replies\n", r->nif.name,
		(unsigned long long)((mono_ms() - r->start_ms) / 1000), gw,
		(unsigned long long)r->spoofed);
	const vt_tap_victim *v = vt_tap_victims(r->tap);
	size_t shown = r->t.n < 20 ? r->t.n : 20;
	for (size_t i = 0; i < shown; i++)
		view_device(&r->t.v[i], &v[i]);
	r->view_lines = (int)shown + 1;
	fflush(stderr);
}

/* ---- the loop ---- */

/* Which MAC the corrective ARP gives the devices for the gateway: the
 * one answering for its address now (a real change), else the known one. */
static void recheck_gw(run *r)
{
	char was[18], now[18];
	vt_mac_format(r->t.gw.mac, was);
	int c = vt_targets_recheck_gw(r->arp_fd, &r->nif, &r->t);
	vt_mac_format(r->t.gw.mac, now);
	if (c > 0)
		vt_cli_error(CMD, "the gateway answers from %s now (was %s): "
				  "the devices are told %s", now, was, now);
	else if (c == 0)
		vt_cli_error(CMD, "the gateway still answers from %s: another "
				  "host is spoofing it", was);
	else
		vt_cli_error(CMD, "the gateway's address gets no single answer: "
				  "the devices are told its known MAC %s", was);
}

/* Reads waiting ARP frames; 1 when one of them is an alarm. */
static int watch_arp(run *r)
{
	vt_arp_msg m;
	int out, got;
	char why[VT_ERRBUF_LEN];
	while ((got = vt_arp_recv(r->arp_fd, &m, &out)) != 0) {
		if (got < 0)
			return 0;
		int a = out ? VT_ONPATH_QUIET : vt_onpath_judge(&r->t, &m, why);
		if (a == VT_ONPATH_QUIET) {
			if (!out)
				vt_onpath_answer(r->arp_fd, r->nif.ifindex,
						 &r->t, &m);
			continue;
		}
		vt_cli_error(CMD, "stopping: %s", why);
		if (a == VT_ONPATH_GW_CHANGED)
			recheck_gw(r);
		return 1;
	}
	return 0;
}

/* What the probe thread found so far, into the store. */
static void store_probed(run *r)
{
	if (!r->probe || r->probe_failed)
		return;
	int e = vt_iprobe_store(r->probe);
	if (e == VT_OK)
		return;
	vt_cli_error(CMD, "%s: probed services not stored: %s", r->o->db,
		     e == VT_ENOMEM ? "out of memory" : vt_store_errmsg(r->st));
	r->probe_failed = 1;
	r->faults++;
}

/* Per-second checks: the interface, the guardian, the view. */
static int checks(run *r)
{
	store_probed(r);
	int up = vt_netif_running(r->ctl_fd, r->nif.name);
	if (up <= 0) {
		vt_cli_error(CMD, "stopping: %s is down", r->nif.name);
		return 1;
	}
	view(r);
	return 0;
}

static int loop(run *r)
{
	uint64_t now = mono_ms(), next_poison = now, next_check = now + 1000;
	uint64_t end = r->o->duration_s ? now + r->o->duration_s * 1000 : 0;
	char err[VT_ERRBUF_LEN];
	r->start_ms = now;
	vt_cli_catch_signals();
	while (!vt_cli_interrupted) {
		now = mono_ms();
		if (end && now >= end)
			return 0;
		if (now >= next_poison) {
			int n = vt_onpath_poison(r->arp_fd, r->nif.ifindex, &r->t);
			r->spoofed += n > 0 ? (uint64_t)n : 0;
			next_poison = now + r->o->interval_s * 1000;
		}
		if (now >= next_check) {
			if (checks(r))
				return 1;
			next_check = now + 1000;
		}
		uint64_t wake = next_poison < next_check ? next_poison : next_check;
		if (end && end < wake)
			wake = end;
		struct pollfd p[3] = {
			{.fd = r->arp_fd, .events = POLLIN},
			{.fd = vt_tap_fd(r->tap), .events = POLLIN},
			{.fd = r->g.from_fd, .events = POLLIN},
		};
		int timeout = wake > now ? (int)(wake - now) : 0;
		if (poll(p, 3, timeout) <= 0)
			continue;
		if (p[0].revents && watch_arp(r))
			return 1;
		if (p[1].revents && vt_tap_pump(r->tap, err) < 0) {
			vt_cli_error(CMD, "stopping: %s", err);
			return 1;
		}
		if (p[2].revents) {
			vt_cli_error(CMD, "stopping: the guardian process is gone");
			return 1;
		}
	}
	return 0;
}

/* Corrective ARP, then the guardian restores the sysctls. */
static void restore(run *r)
{
	if (r->g.pid && r->t.n) {
		int n = vt_onpath_correct(r->arp_fd, r->nif.ifindex, &r->t);
		r->corrected = n > 0 ? (uint64_t)n : 0;
		vt_guard_corrected(&r->g);
		uint64_t want = (uint64_t)VT_ONPATH_CORRECT_ROUNDS * 2 * r->t.n;
		if (r->corrected < want)
			vt_cli_error(CMD, "only %llu of %llu corrective ARP "
					  "replies could be sent (is %s down?); "
					  "the devices' caches heal when their "
					  "entries expire (about a minute)",
				     (unsigned long long)r->corrected,
				     (unsigned long long)want, r->nif.name);
	}
	int g = r->g.pid ? vt_guard_finish(&r->g) : -1;
	if (g == 0) {
		r->sysctls_set = 0;
		return;
	}
	char err[VT_ERRBUF_LEN];
	if (r->sysctls_set && vt_sysctls_restore(&r->sc, err) == VT_OK)
		r->sysctls_set = 0; /* the guardian never started */
	if (r->sysctls_set) {
		vt_cli_error(CMD, "the forwarding/redirect sysctls could not be "
				  "restored: set %s=%s, %s=%s, %s=%s by hand",
			     r->sc.path[0], r->sc.old[0], r->sc.path[1],
			     r->sc.old[1], r->sc.path[2], r->sc.old[2]);
		r->faults++;
	}
}

/* The named devices' records: identified, printed, stored. */
static void report(run *r)
{
	char err[VT_ERRBUF_LEN];
	for (int i = 0; i < 64 && vt_tap_pump(r->tap, err) > 0; i++)
		; /* what arrived while correcting (bounded) */
	vt_passive_finish(r->pass);
	vt_devrec *all = NULL;
	size_t n = 0;
	if (vt_devtab_export(vt_passive_devices(r->pass), &all, &n) != VT_OK) {
		vt_cli_error(CMD, "out of memory exporting devices");
		r->faults++;
		return;
	}
	r->devs = calloc(r->t.n ? r->t.n : 1, sizeof(*r->devs));
	for (size_t i = 0; i < n; i++) {
		if (r->devs && all[i].has_mac && is_victim_mac(&r->t, all[i].mac) &&
		    r->n_devs < r->t.n) {
			r->devs[r->n_devs++] = all[i];
			continue;
		}
		vt_devrec_cleanup(&all[i]);
	}
	free(all);
	for (size_t i = 0; i < r->n_devs; i++)
		vt_identify(r->rules, r->oui, &r->devs[i]);
	vt_cli_print_devices(r->devs, r->n_devs, r->o->json);
	for (size_t i = 0; r->st && i < r->n_devs; i++)
		if (vt_store_device_put(r->st, r->run_id, &r->devs[i]) != VT_OK) {
			vt_cli_error(CMD, "%s: %s", r->o->db,
				     vt_store_errmsg(r->st));
			r->faults++;
			break;
		}
}

static void summary(run *r, const char *status)
{
	const vt_passive_stats *ps = vt_passive_counters(r->pass);
	fprintf(stderr, "vantage %s: %s on %s, %zu device(s), %llu spoofed and %llu "
			"corrective ARP replies, %llu frames (%llu kernel "
			"drops); forwarding and redirects %s\n",
		CMD, status, r->nif.name, r->t.n, (unsigned long long)r->spoofed,
		(unsigned long long)r->corrected,
		(unsigned long long)ps->frames,
		(unsigned long long)vt_tap_kernel_drops(r->tap),
		r->sysctls_set ? "NOT restored" : "restored");
	if (!r->st)
		return;
	if (ps->sink_errors) {
		vt_cli_error(CMD, "%s: %llu flows not stored: %s", r->o->db,
			     (unsigned long long)ps->sink_errors,
			     vt_store_errmsg(r->st));
		r->faults++;
	}
	if (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(), ps->frames, status) !=
	    VT_OK) {
		vt_cli_error(CMD, "%s: %s", r->o->db, vt_store_errmsg(r->st));
		r->faults++;
	}
}

/* --probe: the thread stopped at the loop's end; its last rows, the
 * end of its run and its counts. */
static void probe_summary(run *r, const char *status)
{
	if (!r->probe)
		return;
	int e = vt_iprobe_finish(r->probe, status);
	if (e != VT_OK && !r->probe_failed) {
		vt_cli_error(CMD, "%s: probed services not stored: %s", r->o->db,
			     e == VT_ENOMEM ? "out of memory"
					    : vt_store_errmsg(r->st));
		r->faults++;
	}
	const vt_iprobe_stats *s = vt_iprobe_stats_get(r->probe);
	fprintf(stderr, "vantage %s: probe: %llu full pass(es), %llu probes "
			"sent, %llu open ports, %llu banners, %llu rows stored, "
			"%llu over the queue cap; %llu frames to this host left "
			"out of the records\n", CMD,
		(unsigned long long)s->passes, (unsigned long long)s->sent,
		(unsigned long long)s->open, (unsigned long long)s->banners,
		(unsigned long long)s->stored, (unsigned long long)s->dropped,
		(unsigned long long)vt_tap_skipped(r->tap));
}

static void cleanup(run *r)
{
	vt_iprobe_free(r->probe);
	for (size_t i = 0; i < r->n_devs; i++)
		vt_devrec_cleanup(&r->devs[i]);
	free(r->devs);
	vt_tap_close(r->tap);
	vt_passive_free(r->pass);
	vt_store_close(r->st);
	vt_oui_free(r->oui);
	vt_rules_free(r->rules);
	if (r->arp_fd >= 0)
		close(r->arp_fd);
	if (r->ctl_fd >= 0)
		close(r->ctl_fd);
}

int vt_cmd_inspect(int argc, char **argv)
{
	opts o;
	run r;
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.arp_fd = r.ctl_fd = r.g.to_fd = r.g.from_fd = -1;
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	if (setup(&r, argc, argv)) {
		restore(&r); /* nothing was spoofed; sysctls if set */
		if (r.probe)
			vt_iprobe_finish(r.probe, "error: setup failed");
		if (r.st)
			vt_store_run_end(r.st, r.run_id, vt_cli_now_us(), 0,
					 "error: setup failed");
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	r.alarm = loop(&r);
	vt_iprobe_stop(r.probe); /* no probe leaves once the loop ended */
	restore(&r);
	report(&r);
	const char *status = vt_cli_interrupted ? "interrupted"
			     : r.alarm ? "error: stopped by a safety check"
			     : r.faults ? "error: store or restore failed"
					: "ok";
	probe_summary(&r, status);
	summary(&r, status);
	int rc = vt_cli_interrupted	 ? VT_EXIT_INTERRUPTED
		 : r.alarm || r.faults ? VT_EXIT_DATA
				       : VT_EXIT_OK;
	cleanup(&r);
	return rc;
}
