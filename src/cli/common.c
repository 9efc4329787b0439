/* Helpers shared by the subcommands: errors, signals, summaries, output. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "cli/cli.h"
#include "util/parse.h"
#include "vantage/error.h"
#include "vantage/ident.h"
#include "vantage/oui.h"
#include "vantage/report.h"

volatile int vt_cli_interrupted;

uint64_t vt_cli_now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

vt_store *vt_cli_store_begin(const char *cmd, const char *db, int argc,
			     char **argv, vt_run_info *ri, int64_t *run_id)
{
	char err[VT_ERRBUF_LEN];
	vt_store *st = vt_store_open(db, err);
	if (!st) {
		vt_cli_error(cmd, "%s", err);
		return NULL;
	}
	char *args = vt_cli_join_args(argc, argv);
	ri->args = args ? args : "";
	ri->started_us = vt_cli_now_us();
	int e = vt_store_run_begin(st, ri, run_id);
	free(args);
	ri->args = NULL;
	if (e != VT_OK) {
		vt_cli_error(cmd, "%s: %s", db, vt_store_errmsg(st));
		vt_store_close(st);
		return NULL;
	}
	return st;
}

int vt_cli_num(const char *cmd, const char *opt, const char *v, uint64_t min,
	       uint64_t max, uint64_t *out)
{
	if (vt_parse_u64(v, min, max, out) == VT_OK)
		return 0;
	vt_cli_error(cmd, "--%s: '%s' is not a number from %llu to %llu", opt,
		     v, (unsigned long long)min, (unsigned long long)max);
	return -1;
}

void vt_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "vantage %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *vt_cli_data_dir(void)
{
	const char *d = getenv("VT_DATADIR");
	return d && *d ? d : VT_DATADIR;
}

int vt_cli_load_ident(const char *cmd, const char *rules_dir, int oui_only,
		      vt_oui **oui, vt_rules **rules)
{
	char err[VT_ERRBUF_LEN], dir[1024];
	const char *shown = rules_dir;
	*oui = vt_oui_load(vt_cli_oui_dir(), err);
	if (!*oui) {
		vt_cli_error(cmd, "warning: no OUI vendors: %s", err);
	} else {
		vt_oui_add_file(*oui, VT_OUI_NMAP_FILE, VT_OUI_FORMAT_NMAP);
		vt_oui_add_file(*oui, VT_OUI_MANUF_FILE, VT_OUI_FORMAT_MANUF);
		vt_oui_index(*oui);
	}
	*rules = vt_rules_new();
	if (!*rules) {
		vt_cli_error(cmd, "out of memory");
		return -1;
	}
	if (oui_only)
		return 0;
	if (!rules_dir) {
		snprintf(dir, sizeof(dir), "%s/ident", vt_cli_data_dir());
		rules_dir = dir;
		shown = "data/ident";
	}
	if (vt_rules_add_dir(*rules, rules_dir, shown, err) != VT_OK) {
		vt_cli_error(cmd, "%s", err);
		return -1;
	}
	return 0;
}

const char *vt_cli_oui_dir(void)
{
	const char *d = getenv("VT_OUI_DIR");
	return d && *d ? d : VT_OUI_DEFAULT_DIR;
}

void vt_cli_print_devices(const vt_devrec *d, size_t n, int json)
{
	const vt_devfmt *f = vt_devfmt_find(json ? "json" : "table");
	f->write(stdout, d, n);
	fflush(stdout);
}

static void on_signal(int sig)
{
	(void)sig;
	vt_cli_interrupted = 1;
}

void vt_cli_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

char *vt_cli_join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);
		memcpy(p, argv[i], l);
		p += l;
		*p++ = i + 1 < argc ? ' ' : '\0';
	}
	if (argc == 0)
		*p = '\0';
	return s;
}

void vt_cli_passive_summary(const char *cmd, const vt_passive *p,
			    size_t n_devices)
{
	vt_cli_passive_summary_of(
		cmd, vt_passive_counters(p), vt_passive_dis_stats(p),
		vt_passive_flow_stats(p),
		vt_devtab_stats(vt_passive_devices((vt_passive *)p)), n_devices);
}

void vt_cli_passive_summary_of(const char *cmd, const vt_passive_stats *ps,
			       const vt_dis_stats *ds, const vt_flow_stats *fs,
			       const vt_devtab_counters *dv, size_t n_devices)
{
	fprintf(stderr, "vantage %s: %llu frames, %llu with IP\n", cmd,
		(unsigned long long)ps->frames,
		(unsigned long long)ps->ip_packets);
	fprintf(stderr, "  %-10s %10s %10s %10s %10s %10s\n", "layer", "seen",
		"ok", "truncated", "malformed", "unsupported");
	for (int i = 1; i < VT_P_COUNT; i++) {
		if (!ds->seen[i])
			continue;
		fprintf(stderr, "  %-10s %10llu %10llu %10llu %10llu %10llu\n",
			vt_dissect_name((enum vt_proto)i),
			(unsigned long long)ds->seen[i],
			(unsigned long long)ds->result[i][VT_DIS_OK],
			(unsigned long long)ds->result[i][VT_DIS_TRUNCATED],
			(unsigned long long)ds->result[i][VT_DIS_MALFORMED],
			(unsigned long long)ds->result[i][VT_DIS_UNSUPPORTED]);
	}
	fprintf(stderr, "  fragments (not decoded past IP): %llu\n",
		(unsigned long long)ds->fragments);
	fprintf(stderr,
		"  flows: %llu (max active %llu; ended idle %llu, reused %llu, "
		"evicted %llu, at end %llu; unaccounted packets %llu)\n",
		(unsigned long long)fs->created,
		(unsigned long long)fs->max_active,
		(unsigned long long)fs->ended_idle,
		(unsigned long long)fs->reused, (unsigned long long)fs->evicted,
		(unsigned long long)fs->flushed,
		(unsigned long long)fs->alloc_failures);
	fprintf(stderr,
		"  devices: %zu reported, %llu tracked (dropped frames %llu, "
		"bindings %llu, services %llu, peers %llu)\n",
		n_devices, (unsigned long long)dv->devices,
		(unsigned long long)dv->device_drops,
		(unsigned long long)dv->binding_drops,
		(unsigned long long)dv->service_drops,
		(unsigned long long)dv->peer_drops);
}
