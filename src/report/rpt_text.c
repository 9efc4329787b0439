/*
 * The report as terminal tables: which views are present and missing,
 * per device the offered-against-used summary and its port table (risky
 * offered-but-unused ports marked), then per network the service ranks
 * side by side, device types, bytes per flow, port specificity and the
 * correlations. Device-controlled strings are made terminal-safe.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "vantage/netreport.h"
#include "vantage/report.h"
#include "vantage/textout.h"

#define TEXT_MAX_SERVICES 25

static const char *const view_abbr[VT_VIEW_COUNT] = {"IA", "IP", "EA", "EP"};

static void safe(const char *s, char *out, size_t cap)
{
	vt_term_safe(s ? s : "-", out, cap);
}

static void pct(double v, char *out, size_t cap)
{
	if (isnan(v))
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%.0f%%", v * 100);
}

static void views_str(unsigned views, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (int v = 0; v < VT_VIEW_COUNT && o + 4 < cap; v++)
		if (views & (1u << v))
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "",
					      view_abbr[v]);
	if (!o)
		snprintf(out, cap, "-");
}

static void header(FILE *o, const vt_rpt *r)
{
	fprintf(o, "vantage report: %zu run%s, %zu device%s\n", r->n_runs,
		r->n_runs == 1 ? "" : "s", r->n_devices,
		r->n_devices == 1 ? "" : "s");
	fprintf(o, "views present:");
	int any = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (r->views[v].present) {
			fprintf(o, "%s %s (%s: %zu run%s, %zu devices)",
				any++ ? ";" : "", vt_view_label(v), view_abbr[v],
				r->views[v].runs, r->views[v].runs == 1 ? "" : "s",
				r->views[v].devices);
		}
	fprintf(o, "%s\nviews missing:", any ? "" : " none");
	any = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (!r->views[v].present)
			fprintf(o, "%s %s", any++ ? "," : "", vt_view_label(v));
	fprintf(o, "%s\n", any ? "" : " none");
	if (r->dropped)
		fprintf(o, "rows left out at a cap: %zu\n", r->dropped);
}

static void device_row(FILE *o, const vt_rpt_device *d)
{
	char key[40], ip[40], vendor[17], type[16], host[21], views[16];
	char share[8], frac[8];
	safe(d->key, key, sizeof(key));
	safe(d->ip, ip, sizeof(ip));
	safe(d->vendor, vendor, sizeof(vendor));
	safe(d->type ? d->type : "unknown", type, sizeof(type));
	safe(d->hostname, host, sizeof(host));
	views_str(d->views, views, sizeof(views));
	pct(d->used_share, share, sizeof(share));
	pct(d->full_set_frac, frac, sizeof(frac));
	fprintf(o, "%-17s %-15s %-16s %-12s %-20s %-11s %7zu %7zu %5s %6zu %5zu %8s\n",
		key, ip, vendor, type, host, views, d->n_offered,
		d->n_used_server, share, d->n_unused_risky, d->n_used, frac);
}

static void port_line(FILE *o, const vt_rpt_port *p)
{
	char ia[16], ea[16], used[40], label[41], flags[64];
	safe(p->offered_int ? (p->state_int ? p->state_int : "open")
			    : p->state_int, ia, sizeof(ia));
	safe(p->offered_ext ? (p->state_ext ? p->state_ext : "open")
			    : p->state_ext, ea, sizeof(ea));
	if (p->used)
		snprintf(used, sizeof(used), "used %" PRIu64 " flows%s%s",
			 p->used_flows, p->used_local ? " L" : "",
			 p->used_external ? " X" : "");
	else
		snprintf(used, sizeof(used), "-");
	safe(p->label, label, sizeof(label));
	int offered = p->offered_int || p->offered_ext;
	snprintf(flags, sizeof(flags), "%s%s%s",
		 offered && !p->used ? "UNUSED " : "",
		 p->risky ? "RISKY:" : "", p->risky ? p->risky->name : "");
	fprintf(o, "    %-3s/%-5u %-10s %-10s %-24s %-28s %s\n",
		p->proto == 17 ? "udp" : "tcp", p->port, ia, ea, used, flags,
		label);
}

static void devices(FILE *o, const vt_rpt *r)
{
	fprintf(o, "\n== Devices: services offered (active) vs used (passive)\n");
	fprintf(o, "%-17s %-15s %-16s %-12s %-20s %-11s %7s %7s %5s %6s %5s %8s\n",
		"DEVICE", "IP", "VENDOR", "TYPE", "HOSTNAME", "VIEWS", "OFFERED",
		"USED_S", "SHARE", "RISKY", "USED", "FULLSET");
	for (size_t i = 0; i < r->n_devices; i++)
		if (r->devices[i].selected)
			device_row(o, &r->devices[i]);
	for (size_t i = 0; i < r->n_devices; i++) {
		const vt_rpt_device *d = &r->devices[i];
		if (!d->selected || !d->n_ports)
			continue;
		char key[40];
		safe(d->key, key, sizeof(key));
		fprintf(o, "  %s ports:\n    %-9s %-10s %-10s %-24s %-28s %s\n",
			key, "PORT", "INT-ACTIVE", "EXT-ACTIVE", "PASSIVE", "FLAGS",
			"LABEL");
		for (size_t k = 0; k < d->n_ports; k++)
			port_line(o, &d->ports[k]);
		if (d->ports_dropped)
			fprintf(o, "    (%zu more ports left out)\n", d->ports_dropped);
	}
	char m1[8], m2[8];
	pct(r->median_used_share, m1, sizeof(m1));
	pct(r->median_full_set_frac, m2, sizeof(m2));
	fprintf(o, "median share of offered services used: %s; median time to "
		   "the full set of used services: %s of the observed span\n",
		m1, m2);
}

static void services(FILE *o, const vt_rpt *r)
{
	fprintf(o, "\n== Services by share of devices (rank) per view\n%-10s", "SERVICE");
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (r->views[v].present)
			fprintf(o, " %7s %5s", view_abbr[v], "RANK");
	fputc('\n', o);
	size_t n = r->n_services < TEXT_MAX_SERVICES ? r->n_services
						      : TEXT_MAX_SERVICES;
	for (size_t i = 0; i < n; i++) {
		const vt_rpt_service *s = &r->services[i];
		fprintf(o, "%-3s/%-6u", s->proto == 17 ? "udp" : "tcp", s->port);
		for (int v = 0; v < VT_VIEW_COUNT; v++) {
			if (!r->views[v].present)
				continue;
			if (s->rank[v])
				fprintf(o, " %6.1f%% %5zu", s->share[v] * 100, s->rank[v]);
			else
				fprintf(o, " %7s %5s", "-", "-");
		}
		fputc('\n', o);
	}
	if (r->n_services > n)
		fprintf(o, "(%zu more services in --json and --html)\n",
			r->n_services - n);
}

static void types(FILE *o, const vt_rpt *r)
{
	fprintf(o, "\n== Device types per view; share talking to external hosts "
		   "(internal passive)\n%-16s", "TYPE");
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (r->views[v].present)
			fprintf(o, " %6s", view_abbr[v]);
	fprintf(o, " %9s\n", "EXTERNAL");
	for (size_t i = 0; i < r->n_types; i++) {
		const vt_rpt_type *t = &r->types[i];
		char name[16], ext[24];
		safe(t->type, name, sizeof(name));
		fprintf(o, "%-16s", name);
		for (int v = 0; v < VT_VIEW_COUNT; v++)
			if (r->views[v].present)
				fprintf(o, " %6zu", t->devices[v]);
		if (t->passive_devices)
			snprintf(ext, sizeof(ext), "%zu/%zu", t->external_talkers,
				 t->passive_devices);
		else
			snprintf(ext, sizeof(ext), "-");
		fprintf(o, " %9s\n", ext);
	}
}

static void dist(FILE *o, const char *scope, const vt_rpt_dist *d)
{
	if (!d->n) {
		fprintf(o, "%-9s %8d\n", scope, 0);
		return;
	}
	fprintf(o, "%-9s %8" PRIu64 " %9.0f", scope, d->n, d->mean);
	for (int k = 0; k < 7; k++)
		fprintf(o, " %9.0f", d->q[k]);
	fputc('\n', o);
}

static void flows(FILE *o, const vt_rpt *r)
{
	fprintf(o, "\n== Bytes per flow (passive views, both directions)\n"
		   "%-9s %8s %9s %9s %9s %9s %9s %9s %9s %9s\n",
		"SCOPE", "FLOWS", "MEAN", "MIN", "P10", "P25", "MEDIAN", "P75",
		"P90", "MAX");
	dist(o, "local", &r->bytes_local);
	dist(o, "external", &r->bytes_external);
}

static void spec(FILE *o, const vt_rpt *r)
{
	fprintf(o, "\n== Port specificity (local ports: vendors and types using "
		   "each)\n%-17s %6s %14s %14s %14s %14s\n",
		"VIEW", "PORTS", "1 VENDOR", "1 TYPE", "1 VENDOR|TYPE", "2+ VENDORS");
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		const vt_rpt_spec *s = &r->spec[v];
		if (!r->views[v].present || !s->n_ports)
			continue;
		double n = (double)s->n_ports;
		fprintf(o, "%-17s %6zu %6zu (%3.0f%%) %6zu (%3.0f%%) %6zu (%3.0f%%) "
			   "%6zu (%3.0f%%)\n",
			vt_view_label(v), s->n_ports, s->single_vendor,
			100 * s->single_vendor / n, s->single_type,
			100 * s->single_type / n, s->single_either,
			100 * s->single_either / n, s->multi_vendor,
			100 * s->multi_vendor / n);
	}
}

static void num(FILE *o, double v, int pvalue)
{
	if (isnan(v))
		fprintf(o, " %9s", "-");
	else if (pvalue)
		fprintf(o, " %9.2g", v);
	else
		fprintf(o, " %9.3f", v);
}

static void corrs(FILE *o, const vt_rpt *r)
{
	fprintf(o, "\n== Correlations\n%-58s %5s %9s %9s %9s %9s\n", "WHAT", "N",
		"PEARSON", "P", "SPEARMAN", "P");
	for (size_t i = 0; i < r->n_corr; i++) {
		const vt_rpt_corr *c = &r->corr[i];
		fprintf(o, "%-58s %5zu", c->what, c->pearson.n);
		num(o, c->pearson.r, 0);
		num(o, c->pearson.p, 1);
		num(o, c->spearman.r, 0);
		num(o, c->spearman.p, 1);
		fputc('\n', o);
	}
	if (!r->n_corr)
		fprintf(o, "(none: needs two views, or the internal passive view)\n");
}

void vt_rpt_write_text(FILE *o, const vt_rpt *r)
{
	header(o, r);
	devices(o, r);
	services(o, r);
	types(o, r);
	flows(o, r);
	spec(o, r);
	corrs(o, r);
	if (r->mirai)
		vt_rpt_mirai_text(o, r->mirai);
}
