/*
 * The human summary of `vantage telescope` (EXTERNAL.md section 3):
 * Mirai sources per window and per day with the cumulative count and the
 * peak, the 23:2323 ratio, the ports of signature-only sources, scanners
 * by tool, backscatter victims, and what the caps dropped.
 */
#include <inttypes.h>

#include "vantage/report.h"
#include "vantage/tel_report.h"

#define MAX_ROWS 400 /* window rows printed (windows with Mirai packets);
			* the store keeps them all */
#define TOP_VICTIMS 10
#define MAX_SIG_PORTS 20

static void windows(FILE *o, const vt_tel *t, int days, const char *what)
{
	size_t n;
	const vt_tel_window *w = vt_tel_windows(t, days, &n);
	uint64_t cum[2] = {0, 0}, peak = 0;
	size_t at = 0, shown = 0;
	fprintf(o, "\nMirai sources per %s (UTC)\n", what);
	fprintf(o, "  %-20s %8s %8s %10s %10s %9s %8s %8s\n", "start", "k>=K",
		"k>=2", "cum k>=K", "cum k>=2", "sig pkts", "to 23", "to 2323");
	for (size_t i = 0; i < n; i++) {
		cum[0] += w[i].newly[0];
		cum[1] += w[i].newly[1];
		if (w[i].active[0] > peak) {
			peak = w[i].active[0];
			at = i;
		}
		if (!w[i].active[0] && !w[i].sig_packets)
			continue; /* quiet windows: only in the store */
		if (shown++ >= MAX_ROWS)
			continue;
		char ts[40];
		vt_time_iso(w[i].start_us, ts, sizeof(ts));
		ts[16] = 'Z';
		ts[17] = 0;
		fprintf(o, "  %-20s %8" PRIu64 " %8" PRIu64 " %10" PRIu64
			   " %10" PRIu64 " %9" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
			ts, w[i].active[0], w[i].active[1], cum[0], cum[1],
			w[i].sig_packets, w[i].sig_23, w[i].sig_2323);
	}
	if (shown > MAX_ROWS)
		fprintf(o, "  ... %zu more rows (all are in the store)\n",
			shown - MAX_ROWS);
	if (n) {
		char ts[40];
		vt_time_iso(w[at].start_us, ts, sizeof(ts));
		ts[16] = 'Z';
		ts[17] = 0;
		fprintf(o, "  peak: %" PRIu64 " sources in the %s starting %s\n",
			peak, what, ts);
	} else {
		fputs("  (no Mirai signature packets)\n", o);
	}
}

static void ratio(FILE *o, const vt_tel_stats *c)
{
	uint64_t tot = c->sig_23 + c->sig_2323;
	fprintf(o, "\n23:2323 ratio of signature SYNs: %" PRIu64 ":%" PRIu64,
		c->sig_23, c->sig_2323);
	if (tot)
		fprintf(o, " (%.1f%% to 23; the 2016 code sends 90%%)",
			100.0 * (double)c->sig_23 / (double)tot);
	fputc('\n', o);
	fputs("ports of signature-only SYNs (not the 2016 profile):", o);
	int shown = 0;
	for (unsigned p = 0; p < 65536 && shown < MAX_SIG_PORTS; p++)
		if (c->sig_only_ports[p / 64] >> (p % 64) & 1) {
			fprintf(o, " %u", p);
			shown++;
		}
	fputs(shown ? "\n" : " none\n", o);
}

static void victims(FILE *o, const vt_tel *t)
{
	size_t n;
	const vt_tel_victim *v = vt_tel_victims(t, &n);
	const vt_tel_stats *c = vt_tel_counters(t);
	fprintf(o, "\nbackscatter: %" PRIu64 " packets from %" PRIu64
		   " sources, %zu victims",
		c->backscatter, vt_tel_sources_by_class(t, VT_TEL_BACKSCATTER), n);
	if (c->victims_dropped)
		fprintf(o, " (%" PRIu64 " packets of victims past the cap)",
			c->victims_dropped);
	fputc('\n', o);
	if (n)
		fprintf(o, "  %-15s %9s %9s %9s %6s\n", "victim", "packets",
			"tcp", "icmp", "port");
	for (size_t i = 0; i < n && i < TOP_VICTIMS; i++) {
		char ip[16];
		vt_tel_ip_text(v[i].ip, ip);
		fprintf(o, "  %-15s %9" PRIu64 " %9" PRIu64 " %9" PRIu64, ip,
			v[i].packets, v[i].tcp, v[i].icmp);
		if (v[i].top_port)
			fprintf(o, " %4u/%s\n", v[i].top_port,
				v[i].top_proto == 17 ? "udp" : "tcp");
		else
			fputs("      -\n", o);
	}
}

static void header(FILE *o, const vt_tel *t, uint32_t window_s)
{
	const vt_tel_stats *c = vt_tel_counters(t);
	if (vt_tel_size(t))
		fprintf(o, "telescope: %" PRIu64 " addresses", vt_tel_size(t));
	else
		fputs("telescope: size unknown (no --prefix; no rates)", o);
	fprintf(o, "; window %us; Mirai threshold k=%u (and k=2)\n", window_s,
		vt_tel_k(t));
	fprintf(o, "packets: %" PRIu64 " counted, %" PRIu64
		   " outside the prefixes, %" PRIu64 " not IPv4\n",
		c->counted, c->outside, c->not_ipv4);
	fputs("classes:", o);
	for (int i = 0; i < VT_TC_COUNT; i++)
		fprintf(o, " %s %" PRIu64, vt_tel_class_name(i), c->per_class[i]);
	fprintf(o, "\nmirai_sig %" PRIu64 " packets, mirai_orig %" PRIu64
		   "; Mirai sources: %" PRIu64 " (k>=%u), %" PRIu64 " (k>=2)\n",
		c->mirai_sig, c->mirai_orig, vt_tel_mirai_total(t, 0),
		vt_tel_k(t), vt_tel_mirai_total(t, 1));
}

void vt_tel_summary(FILE *o, const vt_tel *t, uint32_t window_s)
{
	const vt_tel_stats *c = vt_tel_counters(t);
	header(o, t, window_s);
	windows(o, t, 0, window_s == 3600 ? "hour" : "window");
	windows(o, t, 1, "day");
	ratio(o, c);
	fprintf(o, "\nsources: %" PRIu64 " scanners, %" PRIu64
		   " backscatter, %" PRIu64 " other\n",
		vt_tel_sources_by_class(t, VT_TEL_SCANNER),
		vt_tel_sources_by_class(t, VT_TEL_BACKSCATTER),
		vt_tel_sources_by_class(t, VT_TEL_OTHER));
	fprintf(o, "scanners by tool: mirai %" PRIu64 ", masscan %" PRIu64
		   ", zmap %" PRIu64 ", other %" PRIu64 "\n",
		vt_tel_sources_by_tool(t, VT_TOOL_MIRAI),
		vt_tel_sources_by_tool(t, VT_TOOL_MASSCAN),
		vt_tel_sources_by_tool(t, VT_TOOL_ZMAP),
		vt_tel_sources_by_tool(t, VT_TOOL_NONE));
	fprintf(o, "events: %" PRIu64 " closed, %" PRIu64 " scans\n",
		c->events_closed, c->scan_events);
	victims(o, t);
	if (c->sources_evicted || c->events_evicted || c->windows_dropped)
		fprintf(o, "\ncaps: %" PRIu64 " sources evicted, %" PRIu64
			   " events closed early, %" PRIu64
			   " window rows dropped\n",
			c->sources_evicted, c->events_evicted, c->windows_dropped);
}
