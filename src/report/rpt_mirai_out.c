/*
 * The Mirai join (rpt_mirai.c) as a terminal table, one JSON object
 * ("object":"mirai_join", README.md documents its fields) and an HTML
 * section. Type and vendor names come from banners: terminal-safe,
 * JSON-escaped, HTML-escaped.
 */
#include <math.h>
#include <stdio.h>

#include "report/rpt_html.h"
#include "vantage/netreport.h"
#include "vantage/textout.h"

static const char *const qnames[7] = {"min", "p10", "p25", "median",
				      "p75", "p90", "max"};

static void pct(double v, char *out, size_t cap)
{
	if (isnan(v))
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%.1f%%", v * 100);
}

static void k_text(const vt_rpt_mirai *m, char *out, size_t cap)
{
	if (!m->telescope_runs)
		snprintf(out, cap, "-");
	else if (m->k_min == m->k_max)
		snprintf(out, cap, "%lld", (long long)m->k_min);
	else
		snprintf(out, cap, "%lld..%lld", (long long)m->k_min,
			 (long long)m->k_max);
}

static void text_counts(FILE *o, const char *what, const vt_rpt_count *c,
			size_t n)
{
	fprintf(o, "%-24s %7s\n", what, "DEVICES");
	for (size_t i = 0; i < n; i++) {
		char name[25];
		vt_term_safe(c[i].name, name, sizeof(name));
		fprintf(o, "%-24s %7zu\n", name, c[i].n);
	}
}

void vt_rpt_mirai_text(FILE *o, const vt_rpt_mirai *m)
{
	char k[48], share[16], share_src[16];
	k_text(m, k, sizeof(k));
	fprintf(o, "\n== Mirai sources joined with banners (telescope runs: %zu, "
		   "k = %s; banners: %zu in %zu run%s)\n",
		m->telescope_runs, k, m->banners, m->banner_runs,
		m->banner_runs == 1 ? "" : "s");
	if (m->missing)
		fprintf(o, "missing: %s\n", m->missing);
	if (!m->sources)
		return;
	fprintf(o, "%-9s %8s %8s %10s %7s\n", "PROTOCOL", "IPS", "BANNERS",
		"IDENTIFIED", "SHARE");
	for (int p = 0; p < VT_MIRAI_NPROTO; p++) {
		pct(m->proto[p].share, share, sizeof(share));
		fprintf(o, "%-9s %8zu %8zu %10zu %7s\n", vt_mirai_proto_label(p),
			m->proto[p].ips, m->proto[p].banners,
			m->proto[p].identified, share);
	}
	pct(m->share, share, sizeof(share));
	pct(m->share_sources, share_src, sizeof(share_src));
	fprintf(o, "%-9s %8zu %8s %10zu %7s  (an IP counts once; Mirai "
		   "sources: %zu, identified %s of them)\n",
		"any", m->with_banners, "-", m->identified, share, m->sources,
		share_src);
	if (m->n_types) {
		fputc('\n', o);
		text_counts(o, "DEVICE TYPE", m->types, m->n_types);
		fputc('\n', o);
		text_counts(o, "VENDOR", m->vendors, m->n_vendors);
	}
	fprintf(o, "\ngap from first sighting to banner (seconds; negative: "
		   "banner before the sighting): %zu joined banners, %zu "
		   "before, %zu same time, %zu after, %zu without a time\n",
		m->gap_n, m->gap_negative, m->gap_zero, m->gap_positive,
		m->gap_unknown);
	if (m->gap_n) {
		for (int q = 0; q < 7; q++)
			fprintf(o, "%s%s %.0f", q ? ", " : "", qnames[q],
				m->gap_q[q]);
		fputc('\n', o);
	}
	if (m->dropped)
		fprintf(o, "left out at a cap: %zu\n", m->dropped);
}

static void jnum(FILE *o, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", o);
	else
		fprintf(o, "%.10g", v);
}

static void json_counts(FILE *o, const char *key, const char *field,
			const vt_rpt_count *c, size_t n)
{
	fprintf(o, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fprintf(o, "%s{\"%s\":", i ? "," : "", field);
		vt_json_cstr(o, c[i].name);
		fprintf(o, ",\"devices\":%zu}", c[i].n);
	}
	fputc(']', o);
}

void vt_rpt_mirai_json(FILE *o, const vt_rpt_mirai *m)
{
	fprintf(o, "{\"object\":\"mirai_join\",\"telescope_runs\":%zu,"
		   "\"mirai_k\":", m->telescope_runs);
	if (!m->telescope_runs)
		fputs("null", o);
	else
		fprintf(o, "{\"min\":%lld,\"max\":%lld}", (long long)m->k_min,
			(long long)m->k_max);
	fprintf(o, ",\"banner_runs\":%zu,\"banners\":%zu,\"sources\":%zu,"
		   "\"sources_with_banners\":%zu,\"identified\":%zu,\"share\":",
		m->banner_runs, m->banners, m->sources, m->with_banners,
		m->identified);
	jnum(o, m->share);
	fputs(",\"share_of_sources\":", o);
	jnum(o, m->share_sources);
	fputs(",\"protocols\":[", o);
	for (int p = 0; p < VT_MIRAI_NPROTO; p++) {
		const vt_rpt_mirai_proto *x = &m->proto[p];
		fprintf(o, "%s{\"protocol\":\"%s\",\"ips\":%zu,\"banners\":%zu,"
			   "\"identified\":%zu,\"share\":", p ? "," : "",
			vt_mirai_proto_key(p), x->ips, x->banners, x->identified);
		jnum(o, x->share);
		fputc('}', o);
	}
	fputc(']', o);
	json_counts(o, "device_types", "type", m->types, m->n_types);
	json_counts(o, "vendors", "vendor", m->vendors, m->n_vendors);
	fprintf(o, ",\"gap_seconds\":{\"n\":%zu,\"negative\":%zu,\"zero\":%zu,"
		   "\"positive\":%zu,\"unknown\":%zu", m->gap_n, m->gap_negative,
		m->gap_zero, m->gap_positive, m->gap_unknown);
	for (int q = 0; q < 7; q++) {
		fprintf(o, ",\"%s\":", qnames[q]);
		jnum(o, m->gap_n ? m->gap_q[q] : NAN);
	}
	fputs("},\"missing\":", o);
	vt_json_cstr(o, m->missing);
	fprintf(o, ",\"dropped\":%zu}\n", m->dropped);
}

static void td_n(FILE *o, size_t v)
{
	fprintf(o, "<td class=\"n\" data-v=\"%zu\">%zu</td>", v, v);
}

static void td_share(FILE *o, double v)
{
	char t[16];
	pct(v, t, sizeof(t));
	fprintf(o, "<td class=\"n\" data-v=\"%.10g\">%s</td>", isnan(v) ? -1 : v,
		t);
}

static void html_counts(FILE *o, const char *id, const char *what,
			const vt_rpt_count *c, size_t n)
{
	fprintf(o, "<table id=\"%s\" class=\"sortable\"><thead><tr><th>%s</th>"
		   "<th>devices</th></tr></thead><tbody>", id, what);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", o);
		vt_rpt_html_esc(o, c[i].name);
		fputs("</td>", o);
		td_n(o, c[i].n);
		fputs("</tr>", o);
	}
	fputs("</tbody></table>\n", o);
}

void vt_rpt_mirai_html(FILE *o, const vt_rpt_mirai *m)
{
	char k[48];
	k_text(m, k, sizeof(k));
	fprintf(o, "<h2 id=\"mirai\">Mirai sources joined with banners</h2>"
		   "<p>%zu telescope run%s (k = %s), %zu banners in %zu run%s; "
		   "%zu Mirai source%s, %zu with banners.</p>",
		m->telescope_runs, m->telescope_runs == 1 ? "" : "s", k,
		m->banners, m->banner_runs, m->banner_runs == 1 ? "" : "s",
		m->sources, m->sources == 1 ? "" : "s", m->with_banners);
	if (m->missing) {
		fputs("<p class=\"missing\" id=\"mirai-missing\">missing: ", o);
		vt_rpt_html_esc(o, m->missing);
		fputs("</p>", o);
	}
	fputs("<table id=\"mirai-protocols\"><thead><tr><th>protocol</th>"
	      "<th>IPs with banners</th><th>banners</th><th>identified</th>"
	      "<th>share</th></tr></thead><tbody>", o);
	for (int p = 0; p < VT_MIRAI_NPROTO; p++) {
		fprintf(o, "<tr><td>%s</td>", vt_mirai_proto_label(p));
		td_n(o, m->proto[p].ips);
		td_n(o, m->proto[p].banners);
		td_n(o, m->proto[p].identified);
		td_share(o, m->proto[p].share);
		fputs("</tr>", o);
	}
	fputs("<tr><td>any (an IP counts once)</td>", o);
	td_n(o, m->with_banners);
	fputs("<td>-</td>", o);
	td_n(o, m->identified);
	td_share(o, m->share);
	fputs("</tr></tbody></table>\n", o);
	if (m->n_types) {
		html_counts(o, "mirai-types", "device type", m->types, m->n_types);
		html_counts(o, "mirai-vendors", "vendor", m->vendors,
			    m->n_vendors);
	}
	fprintf(o, "<p id=\"mirai-gap\">Gap from the first sighting to the "
		   "banner (seconds; negative: the banner is older than the "
		   "sighting): %zu joined banners, %zu before, %zu at the same "
		   "time, %zu after, %zu without a time.",
		m->gap_n, m->gap_negative, m->gap_zero, m->gap_positive,
		m->gap_unknown);
	for (int q = 0; q < 7 && m->gap_n; q++)
		fprintf(o, "%s%s %.0f", q ? ", " : " ", qnames[q], m->gap_q[q]);
	fputs("</p>\n", o);
}
