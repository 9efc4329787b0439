/*
 * `vantage discover -i IFACE`: active discovery of the interface's LAN
 * (ARP sweep, DNS-SD over mDNS, SSDP and UPnP descriptions, WS-Discovery),
 * the devices identified as `vantage read` identifies them, printed (table
 * or JSON Lines) and optionally stored (run: vantage internal, technique
 * active).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/parse.h"
#include "vantage/discover.h"
#include "vantage/error.h"
#include "vantage/ident.h"
#include "vantage/oui.h"
#include "vantage/store.h"

#define CMD "discover"

static const char help[] =
	"usage: vantage discover -i IFACE [options]\n"
	"Find the devices on IFACE's IPv4 subnet: a paced ARP sweep, DNS-SD\n"
	"browsing over mDNS, an SSDP search, WS-Discovery probes, and a capped\n"
	"fetch of each UPnP description named by SSDP or a DNS-SD TXT location=\n"
	"(only from addresses of the subnet; at most 32, 8 per device). Every\n"
	"frame that arrives meanwhile is read as `vantage read` would, and the\n"
	"devices are identified the same way. Needs CAP_NET_RAW (root, or\n"
	"`setcap cap_net_raw+ep vantage`).\n\n"
	"  -i, --interface IFACE  the interface (it must have an IPv4 address)\n"
	"  --timeout SEC       listen SEC seconds after the last query (default\n"
	"                      2; DNS-SD follow-ups extend it by at most 10 s)\n"
	"  --rate N            ARP requests per second (default 100, max 10000)\n"
	"  --force             sweep a subnet larger than /16\n"
	"  --no-arp            no ARP sweep (devices are then those that answer\n"
	"                      the other queries or speak meanwhile)\n"
	"  --no-mdns           no mDNS/DNS-SD queries\n"
	"  --no-ssdp           no SSDP search (UPnP descriptions then come only\n"
	"                      from DNS-SD TXT location= keys)\n"
	"  --no-wsd            no WS-Discovery probes\n"
	"  --upnp-max-bytes N  cap per UPnP description response (default 65536)\n"
	"  --upnp-timeout SEC  time cap per UPnP description fetch (default 3)\n"
	"  --db FILE           also write the run and the devices to the SQLite\n"
	"                      store FILE (created if missing)\n"
	"  --json              JSON Lines, one object per device (as\n"
	"                      `devices --json`), instead of the table\n"
	"  --rules DIR         identification rules (default: data/ident)\n"
	"  -h, --help          this text\n\n"
	"A summary (probes sent, replies, UPnP fetch outcomes) goes to stderr.\n"
	"Exit status: 0 ok; 1 the store failed (devices are still printed);\n"
	"2 bad usage, no such interface, a subnet over /16 without --force, no\n"
	"privileges; 130 interrupted (what was found is still printed and\n"
	"stored).\n";

typedef struct opts {
	vt_discover_cfg cfg;
	const char *db, *rules;
	int json;
} opts;

enum { O_TIMEOUT = 256, O_RATE, O_FORCE, O_NOARP, O_NOMDNS, O_NOSSDP, O_NOWSD,
       O_UPBYTES, O_UPTIME, O_DB, O_JSON, O_RULES };

static const struct option longopts[] = {
	{"interface", required_argument, NULL, 'i'},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"rate", required_argument, NULL, O_RATE},
	{"force", no_argument, NULL, O_FORCE},
	{"no-arp", no_argument, NULL, O_NOARP},
	{"no-mdns", no_argument, NULL, O_NOMDNS},
	{"no-ssdp", no_argument, NULL, O_NOSSDP},
	{"no-wsd", no_argument, NULL, O_NOWSD},
	{"upnp-max-bytes", required_argument, NULL, O_UPBYTES},
	{"upnp-timeout", required_argument, NULL, O_UPTIME},
	{"db", required_argument, NULL, O_DB},
	{"json", no_argument, NULL, O_JSON},
	{"rules", required_argument, NULL, O_RULES},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse(int argc, char **argv, opts *o)
{
	uint64_t v = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hi:", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'i': o->cfg.ifname = optarg; break;
		case O_TIMEOUT:
			bad = vt_cli_num(CMD, "timeout", optarg, 1, 600, &v);
			o->cfg.wait_ms = (uint32_t)v * 1000u;
			break;
		case O_RATE:
			bad = vt_cli_num(CMD, "rate", optarg, 1, 10000, &v);
			o->cfg.rate = (uint32_t)v;
			break;
		case O_FORCE: o->cfg.force = 1; break;
		case O_NOARP: o->cfg.no_arp = 1; break;
		case O_NOMDNS: o->cfg.no_mdns = 1; break;
		case O_NOSSDP: o->cfg.no_ssdp = 1; break;
		case O_NOWSD: o->cfg.no_wsd = 1; break;
		case O_UPBYTES:
			bad = vt_cli_num(CMD, "upnp-max-bytes", optarg, 1024, 16u << 20, &v);
			o->cfg.upnp_max_bytes = (size_t)v;
			break;
		case O_UPTIME:
			bad = vt_cli_num(CMD, "upnp-timeout", optarg, 1, 60, &v);
			o->cfg.upnp_time_ms = (uint32_t)v * 1000u;
			break;
		case O_DB: o->db = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_RULES: o->rules = optarg; break;
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
	if (!o->cfg.ifname) {
		vt_cli_error(CMD, "no interface given (-i IFACE; see --help)");
		return -1;
	}
	return 0;
}

static void summary(const vt_discover_stats *s, size_t n_devs)
{
	fprintf(stderr,
		"vantage %s: %s %u.%u.%u.%u/%u, %zu devices in %.1f s\n", CMD,
		s->ifname, s->ip[0], s->ip[1], s->ip[2], s->ip[3], s->prefix,
		n_devs, (double)s->elapsed_ms / 1000.0);
	fprintf(stderr, "  arp: %llu targets, %llu requests sent, %llu replies\n",
		(unsigned long long)s->arp_targets,
		(unsigned long long)s->arp_sent,
		(unsigned long long)s->arp_replies);
	fprintf(stderr, "  mdns: %llu queries sent, %llu replies, %llu names "
		"over the caps\n",
		(unsigned long long)s->mdns_queries,
		(unsigned long long)s->mdns_replies,
		(unsigned long long)s->mdns_dropped);
	fprintf(stderr, "  ssdp: %llu searches sent, %llu replies\n",
		(unsigned long long)s->ssdp_searches,
		(unsigned long long)s->ssdp_replies);
	fprintf(stderr, "  wsd: %llu probes sent, %llu replies\n",
		(unsigned long long)s->wsd_probes,
		(unsigned long long)s->wsd_replies);
	fprintf(stderr, "  upnp:");
	for (int i = 0; i < VT_UPNP_NOUTCOMES; i++)
		fprintf(stderr, "%s %llu %s", i ? "," : "",
			(unsigned long long)s->upnp[i], vt_upnp_outcome_name(i));
	fprintf(stderr, "\n  frames received: %llu, send errors: %llu\n",
		(unsigned long long)s->frames,
		(unsigned long long)s->send_errors);
}

typedef struct run {
	vt_discover *disc;
	vt_store *st;
	int64_t run_id;
	vt_oui *oui;
	vt_rules *rules;
	vt_devrec *devs;
	size_t n_devs;
} run;

static int open_store(run *r, const opts *o, int argc, char **argv)
{
	vt_run_info ri = {.command = CMD, .vantage = "internal",
			  .technique = "active", .source = o->cfg.ifname};
	r->st = vt_cli_store_begin(CMD, o->db, argc, argv, &ri, &r->run_id);
	return r->st ? 0 : -1;
}

/* Identifies and stores the devices; returns the number of store faults. */
static int finish(run *r, const opts *o)
{
	int faults = 0;
	for (size_t i = 0; i < r->n_devs; i++)
		vt_identify(r->rules, r->oui, &r->devs[i]);
	for (size_t i = 0; r->st && i < r->n_devs; i++) {
		if (vt_store_device_put(r->st, r->run_id, &r->devs[i]) != VT_OK) {
			vt_cli_error(CMD, "%s: %s", o->db, vt_store_errmsg(r->st));
			faults++;
			break;
		}
	}
	if (r->st) {
		const char *status = vt_cli_interrupted ? "interrupted"
				     : faults	     ? "error"
							: "ok";
		if (vt_store_run_end(r->st, r->run_id, vt_cli_now_us(),
				     vt_discover_counters(r->disc)->frames,
				     status) != VT_OK) {
			vt_cli_error(CMD, "%s: %s", o->db, vt_store_errmsg(r->st));
			faults++;
		}
	}
	return faults;
}

static void cleanup(run *r)
{
	for (size_t i = 0; i < r->n_devs; i++)
		vt_devrec_cleanup(&r->devs[i]);
	free(r->devs);
	vt_discover_free(r->disc);
	vt_store_close(r->st);
	vt_oui_free(r->oui);
	vt_rules_free(r->rules);
}

int vt_cmd_discover(int argc, char **argv)
{
	opts o;
	run r;
	char err[VT_ERRBUF_LEN];
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	int p = parse(argc, argv, &o);
	if (p)
		return p > 0 ? VT_EXIT_OK : VT_EXIT_USAGE;
	o.cfg.stop = &vt_cli_interrupted;
	if (vt_cli_load_ident(CMD, o.rules, 0, &r.oui, &r.rules)) {
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	r.disc = vt_discover_new(&o.cfg, err);
	if (!r.disc) {
		vt_cli_error(CMD, "%s", err);
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	if (o.db && open_store(&r, &o, argc, argv)) {
		cleanup(&r);
		return VT_EXIT_USAGE;
	}
	vt_cli_catch_signals();
	vt_discover_run(r.disc);
	if (vt_discover_export(r.disc, &r.devs, &r.n_devs) != VT_OK) {
		vt_cli_error(CMD, "out of memory exporting devices");
		cleanup(&r);
		return VT_EXIT_DATA;
	}
	int faults = finish(&r, &o);
	vt_cli_print_devices(r.devs, r.n_devs, o.json);
	summary(vt_discover_counters(r.disc), r.n_devs);
	if (r.st)
		fprintf(stderr, "  store: %s, run %lld\n", o.db,
			(long long)r.run_id);
	int rc = vt_cli_interrupted ? VT_EXIT_INTERRUPTED
		 : faults	    ? VT_EXIT_DATA
				    : VT_EXIT_OK;
	cleanup(&r);
	return rc;
}
