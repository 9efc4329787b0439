/*
 * The JSON Lines object of one telescope source. The DESIGN.md contract
 * (ip, first_seen, last_seen, packets, unique_dsts, ports, class, tool,
 * mirai_packets, mirai_orig_packets, purity, consistent) comes first, then
 * EXTERNAL.md's additions. Every value is a number, a fixed name or an
 * address, so nothing device-controlled needs escaping.
 */
#include <inttypes.h>

#include "vantage/report.h"
#include "vantage/tel_report.h"

void vt_tel_ip_text(uint32_t ip, char *out)
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

static void str_or_null(FILE *o, const char *k, const char *v)
{
	if (v)
		fprintf(o, ",\"%s\":\"%s\"", k, v);
	else
		fprintf(o, ",\"%s\":null", k);
}

static void ports(FILE *o, const vt_tel_source *s)
{
	fputs(",\"ports\":[", o);
	for (uint32_t i = 0; i < s->nports; i++)
		fprintf(o, "%s{\"port\":%u,\"class\":\"%s\",\"packets\":%" PRIu64 "}",
			i ? "," : "", s->ports[i].port,
			vt_tel_class_name(s->ports[i].cls), s->ports[i].packets);
	fputc(']', o);
}

static void mirai(FILE *o, const vt_tel_source *s, uint32_t k)
{
	fprintf(o, ",\"mirai_packets\":%" PRIu64 ",\"mirai_orig_packets\":%" PRIu64,
		s->mirai_sig, s->mirai_orig);
	str_or_null(o, "purity", !s->mirai_sig ? NULL
				 : s->pure	? "pure"
						: "mixed");
	if (s->mirai_sig)
		fprintf(o, ",\"consistent\":%s", s->consistent ? "true" : "false");
	else
		fputs(",\"consistent\":null", o);
	fprintf(o, ",\"mirai\":%s,\"mirai_k2\":%s", s->mirai_sig >= k ? "true" : "false",
		s->mirai_sig >= 2 ? "true" : "false");
	fprintf(o, ",\"mirai_23\":%" PRIu64 ",\"mirai_2323\":%" PRIu64,
		s->mirai_23, s->mirai_2323);
	fputs(",\"mirai_pairs\":[", o);
	for (uint32_t i = 0; i < s->npairs && i < VT_TEL_MAX_PAIRS; i++)
		fprintf(o, "%s{\"sport\":%u,\"window\":%u}", i ? "," : "",
			s->pair_sport[i], s->pair_win[i]);
	fprintf(o, "],\"mirai_pair_count\":%u", s->npairs);
}

void vt_tel_source_json(FILE *o, const vt_tel_source *s, uint32_t k)
{
	char ip[16], t1[40], t2[40];
	vt_tel_ip_text(s->ip, ip);
	vt_time_iso(s->first_us, t1, sizeof(t1));
	vt_time_iso(s->last_us, t2, sizeof(t2));
	fprintf(o, "{\"ip\":\"%s\",\"first_seen\":\"%s\",\"last_seen\":\"%s\"",
		ip, t1, t2);
	fprintf(o, ",\"packets\":%" PRIu64 ",\"unique_dsts\":%" PRIu64, s->packets,
		s->unique_dsts);
	ports(o, s);
	fprintf(o, ",\"class\":\"%s\"", vt_tel_source_class_name(s->cls));
	str_or_null(o, "tool", vt_tel_tool_name(s->tool));
	mirai(o, s, k);
	fprintf(o, ",\"bytes\":%" PRIu64 ",\"unique_24s\":%" PRIu64
		   ",\"syn_packets\":%" PRIu64 ",\"backscatter_packets\":%" PRIu64,
		s->bytes, s->unique_24s, s->syn_packets, s->backscatter_packets);
	fprintf(o, ",\"zmap_packets\":%" PRIu64 ",\"masscan_packets\":%" PRIu64,
		s->tool_packets[VT_TOOL_ZMAP], s->tool_packets[VT_TOOL_MASSCAN]);
	fprintf(o, ",\"events\":%" PRIu64 ",\"scan_events\":%" PRIu64, s->events,
		s->scan_events);
	if (s->max_rate >= 0)
		fprintf(o, ",\"max_rate\":%.3f", s->max_rate);
	else
		fputs(",\"max_rate\":null", o);
	fprintf(o, ",\"ports_dropped\":%" PRIu64 ",\"evicted\":%s}\n",
		s->ports_dropped, s->evicted ? "true" : "false");
}
