/*
 * `vantage devices`: the devices in a store, as `vantage read` prints
 * them (table or JSON Lines), summed over all runs or one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/store.h"
#include "vantage/textout.h"

#define CMD "devices"

static const char help[] =
	"usage: vantage devices [options]\n"
	"Print the devices in a store: counters, services and addresses\n"
	"summed over the runs that saw them.\n\n"
	"  --db FILE    the store (default vantage.db)\n"
	"  --json       JSON Lines, one object per device (as `read --json`)\n"
	"  --run ID     only what run ID saw\n"
	"  --explain MAC  the identification of one device: vendor, type,\n"
	"               model, OS, confidence and every piece of evidence\n"
	"               with the rule that used it\n"
	"  -h, --help   this text\n\n"
	"Exit status: 0 ok; 2 bad usage or the store cannot be read.\n";

enum { O_DB = 256, O_JSON, O_RUN, O_EXPLAIN };

static const struct option longopts[] = {
	{"db", required_argument, NULL, O_DB},
	{"json", no_argument, NULL, O_JSON},
	{"run", required_argument, NULL, O_RUN},
	{"explain", required_argument, NULL, O_EXPLAIN},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void explain_text(const vt_devrec *d)
{
	char mac[18], buf[512];
	vt_mac_format(d->mac, mac);
	printf("device     %s%s%s\n", mac, d->gateway ? " (gateway)" : "",
	       d->randomized ? " (randomised MAC)" : "");
	const char *labels[] = {"vendor", "type", "model", "os"};
	const char *vals[] = {d->vendor, d->type, d->model, d->os};
	for (int i = 0; i < 4; i++) {
		vt_term_safe(vals[i] ? vals[i] : "-", buf, sizeof(buf));
		printf("%-10s %s\n", labels[i], buf);
	}
	printf("confidence %.2f\n\nevidence (%zu):\n", d->confidence,
	       d->n_evidence);
	printf("  %-18s %-40s %s\n", "SIGNAL", "VALUE", "RULE");
	for (size_t i = 0; i < d->n_evidence; i++) {
		char sig[40], val[41], rule[300];
		vt_term_safe(d->evidence[i].signal, sig, sizeof(sig));
		vt_term_safe(d->evidence[i].value, val, sizeof(val));
		vt_term_safe(d->evidence[i].rule, rule, sizeof(rule));
		printf("  %-18s %-40s %s\n", sig, val, rule);
	}
}

/* Prints the one device with that MAC; VT_EXIT_USAGE when absent. */
static int explain(const vt_devrec *d, size_t n, const char *arg, int json)
{
	uint8_t mac[6];
	if (vt_mac_parse(arg, mac) != 0) {
		vt_cli_error(CMD, "--explain: '%s' is not a MAC address", arg);
		return VT_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		if (!d[i].has_mac || memcmp(d[i].mac, mac, 6))
			continue;
		if (json)
			vt_cli_print_devices(&d[i], 1, 1);
		else
			explain_text(&d[i]);
		return VT_EXIT_OK;
	}
	vt_cli_error(CMD, "--explain: no device %s in the store", arg);
	return VT_EXIT_USAGE;
}

int vt_cmd_devices(int argc, char **argv)
{
	const char *db = "vantage.db", *explain_mac = NULL;
	int json = 0, c;
	uint64_t run = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB: db = optarg; break;
		case O_JSON: json = 1; break;
		case O_RUN:
			if (vt_parse_u64(optarg, 1, INT64_MAX, &run) != VT_OK) {
				vt_cli_error(CMD, "--run: '%s' is not a run id", optarg);
				return VT_EXIT_USAGE;
			}
			break;
		case O_EXPLAIN: explain_mac = optarg; break;
		case 'h': fputs(help, stdout); return VT_EXIT_OK;
		default: fputs(help, stderr); return VT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		vt_cli_error(CMD, "unexpected argument '%s'", argv[optind]);
		return VT_EXIT_USAGE;
	}
	char err[VT_ERRBUF_LEN];
	if (access(db, F_OK) != 0) {
		vt_cli_error(CMD, "%s: no such store (create one with "
				  "'vantage read --db %s CAPTURE')", db, db);
		return VT_EXIT_USAGE;
	}
	vt_store *st = vt_store_open(db, err);
	if (!st) {
		vt_cli_error(CMD, "%s", err);
		return VT_EXIT_USAGE;
	}
	vt_devrec *d = NULL;
	size_t n = 0;
	int rc = vt_store_devices_load(st, (int64_t)run, &d, &n);
	if (rc != VT_OK) {
		vt_cli_error(CMD, "%s: %s", db, vt_store_errmsg(st));
		vt_store_close(st);
		return VT_EXIT_USAGE;
	}
	if (explain_mac)
		rc = explain(d, n, explain_mac, json);
	else
		vt_cli_print_devices(d, n, json);
	for (size_t i = 0; i < n; i++)
		vt_devrec_cleanup(&d[i]);
	free(d);
	vt_store_close(st);
	return explain_mac ? rc : VT_EXIT_OK;
}
