/*
 * The report as one self-contained HTML page: inline CSS, inline SVG
 * charts (rpt_svg.c) and a small inline script that sorts and filters the
 * tables (reading cell text through textContent, never as markup). No
 * resource is fetched. Every string from the store goes through
 * vt_rpt_html_esc. The script also reads "#q=TEXT&sort=N&dir=asc|desc"
 * from the address, so a headless browser can test search and sorting.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_html.h"

#define HTML_BARS 12
#define HTML_SPEC_ROWS 200 /* local ports listed per view */
#define HTML_SERVICE_ROWS 500 /* rows of the service ranking */

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;"
	"border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"th{background:#f3f3f3;cursor:pointer;user-select:none}"
	"th[data-dir=asc]::after{content:' \\25B2'}"
	"th[data-dir=desc]::after{content:' \\25BC'}"
	"tr.risky td{background:#fde2e1}tr.unused td{background:#fff4d6}"
	"tr.risky.unused td{background:#f9b9b5;font-weight:bold}"
	".missing{color:#a33}.present{color:#174}"
	".charts{display:flex;flex-wrap:wrap;gap:1em}"
	"figure.chart{margin:0}figcaption{font-weight:bold}"
	"svg text{font-size:11px;fill:#333}rect.bar{fill:#4a7ab8}"
	"polyline.s1{stroke:#2a7;stroke-width:2}polyline.s2{stroke:#c52;"
	"stroke-width:2}text.s1{fill:#2a7}text.s2{fill:#c52}"
	"line.grid{stroke:#ddd}rect.frame{stroke:#999}"
	"#search{padding:4px;width:20em}";

static const char js[] =
	"(function(){"
	"function key(td){var v=td.getAttribute('data-v');"
	"return v!==null?parseFloat(v):td.textContent.toLowerCase();}"
	"function sortBy(t,i,asc){var th=t.tHead.rows[0].cells;"
	"for(var k=0;k<th.length;k++)th[k].removeAttribute('data-dir');"
	"th[i].setAttribute('data-dir',asc?'asc':'desc');"
	"var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows);"
	"rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);"
	"if(x<y)return asc?-1:1;if(x>y)return asc?1:-1;return 0;});"
	"rows.forEach(function(r){tb.appendChild(r);});}"
	"var ts=document.querySelectorAll('table.sortable');"
	"Array.prototype.forEach.call(ts,function(t){"
	"Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){"
	"th.addEventListener('click',function(){"
	"sortBy(t,i,th.getAttribute('data-dir')!=='asc');});});});"
	"var q=document.getElementById('search'),"
	"shown=document.getElementById('shown');"
	"function filter(){var s=q.value.toLowerCase(),n=0;"
	"var rows=document.querySelectorAll('#devices tbody tr');"
	"Array.prototype.forEach.call(rows,function(r){"
	"var hide=s!==''&&r.textContent.toLowerCase().indexOf(s)<0;"
	"r.hidden=hide;if(!hide)n++;});shown.textContent=String(n);}"
	"q.addEventListener('input',filter);"
	"var h={};location.hash.replace(/^#/,'').split('&').forEach("
	"function(p){var kv=p.split('=');if(kv[0])"
	"h[kv[0]]=decodeURIComponent(kv[1]||'');});"
	"if(h.sort!==undefined){var t=document.getElementById('devices');"
	"var i=parseInt(h.sort,10);if(i>=0&&i<t.tHead.rows[0].cells.length)"
	"sortBy(t,i,h.dir!=='desc');}"
	"if(h.q!==undefined){q.value=h.q;}filter();"
	"document.body.setAttribute('data-ready','1');})();";

void vt_rpt_html_esc(FILE *o, const char *s)
{
	if (!s) {
		fputc('-', o);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(o, "\\x%02x", *p);
			else
				fputc(*p, o);
		}
	}
}

static void td(FILE *o, const char *s)
{
	fputs("<td>", o);
	vt_rpt_html_esc(o, s);
	fputs("</td>", o);
}

static void td_num(FILE *o, double v, const char *txt)
{
	fprintf(o, "<td class=\"n\" data-v=\"%.10g\">%s</td>", isnan(v) ? -1 : v,
		txt);
}

static void td_pct(FILE *o, double v)
{
	char t[16];
	snprintf(t, sizeof(t), isnan(v) ? "-" : "%.0f%%", v * 100);
	td_num(o, v, t);
}

static void td_count(FILE *o, uint64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "%" PRIu64, v);
	td_num(o, (double)v, t);
}

static void views_text(FILE *o, unsigned views)
{
	int n = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (views & (1u << v))
			fprintf(o, "%s%s", n++ ? ", " : "", vt_view_label(v));
}

static void summary(FILE *o, const vt_rpt *r)
{
	fputs("<h1>vantage report</h1><p>", o);
	fprintf(o, "%zu run%s, %zu device%s.</p><ul id=\"views\">", r->n_runs,
		r->n_runs == 1 ? "" : "s", r->n_devices,
		r->n_devices == 1 ? "" : "s");
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		const vt_rpt_view *w = &r->views[v];
		if (w->present)
			fprintf(o, "<li class=\"present\" data-view=\"%s\">%s: %zu "
				   "run%s, %zu devices</li>", vt_view_key(v),
				vt_view_label(v), w->runs, w->runs == 1 ? "" : "s",
				w->devices);
		else
			fprintf(o, "<li class=\"missing\" data-view=\"%s\">%s: "
				   "missing (no run of this view)</li>",
				vt_view_key(v), vt_view_label(v));
	}
	fputs("</ul>", o);
	if (r->dropped)
		fprintf(o, "<p>Rows left out at a cap: %zu.</p>", r->dropped);
}

static void device_rows(FILE *o, const vt_rpt *r)
{
	for (size_t i = 0; i < r->n_devices; i++) {
		const vt_rpt_device *d = &r->devices[i];
		if (!d->selected)
			continue;
		fprintf(o, "<tr class=\"%s\">", d->n_unused_risky ? "risky" : "");
		td(o, d->key);
		td(o, d->ip);
		td(o, d->vendor);
		td(o, d->type ? d->type : "unknown");
		td(o, d->model);
		td(o, d->hostname);
		fputs("<td>", o);
		views_text(o, d->views);
		fputs("</td>", o);
		td_count(o, d->n_offered);
		td_count(o, d->n_used_server);
		td_pct(o, d->used_share);
		td_count(o, d->n_unused_risky);
		td_count(o, d->n_used);
		td_pct(o, d->full_set_frac);
		fputs("</tr>\n", o);
	}
}

static void devices(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Devices: services offered vs used</h2>"
	      "<p><label>Search: <input id=\"search\" type=\"search\" "
	      "placeholder=\"MAC, IP, vendor, type, host name\"></label> "
	      "<span id=\"shown\"></span> shown. Click a heading to sort.</p>"
	      "<table id=\"devices\" class=\"sortable\"><thead><tr>"
	      "<th>device</th><th>IP</th><th>vendor</th><th>type</th>"
	      "<th>model</th><th>host name</th><th>views</th><th>offered</th>"
	      "<th>used (server)</th><th>share used</th>"
	      "<th>risky unused</th><th>services used</th>"
	      "<th>full set at</th></tr></thead><tbody>\n", o);
	device_rows(o, r);
	fputs("</tbody></table><p>offered: ports answering a probe in an active "
	      "view; used (server): ports carrying traffic to the device in the "
	      "passive view; share used: offered ports also used; full set at: "
	      "when the last of the device's used services first appeared, as a "
	      "fraction of its observed time.</p>\n", o);
}

static const char *state_of(int offered, const char *state)
{
	return offered ? (state ? state : "open") : state;
}

static void port_row(FILE *o, const vt_rpt_device *d, const vt_rpt_port *p)
{
	int offered = p->offered_int || p->offered_ext;
	char port[16], used[48];
	fprintf(o, "<tr class=\"%s%s\">", p->risky ? "risky" : "",
		offered && !p->used ? " unused" : "");
	td(o, d->key);
	snprintf(port, sizeof(port), "%s/%u", p->proto == 17 ? "udp" : "tcp",
		 p->port);
	fprintf(o, "<td data-v=\"%u\">%s</td>", p->port, port);
	td(o, state_of(p->offered_int, p->state_int));
	td(o, state_of(p->offered_ext, p->state_ext));
	if (p->used)
		snprintf(used, sizeof(used), "%" PRIu64 " flows%s%s", p->used_flows,
			 p->used_local ? ", local" : "",
			 p->used_external ? ", external" : "");
	td(o, p->used ? used : NULL);
	fputs("<td>", o);
	if (offered && !p->used)
		fputs("offered, unused ", o);
	if (p->risky) {
		fputs("<b>risky: ", o);
		vt_rpt_html_esc(o, p->risky->name);
		fputs("</b> (", o);
		vt_rpt_html_esc(o, p->risky->why);
		fputc(')', o);
	}
	fputs("</td>", o);
	td(o, p->label);
	fputs("</tr>\n", o);
}

static void ports(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Ports, device by device</h2><table id=\"ports\" "
	      "class=\"sortable\"><thead><tr><th>device</th><th>port</th>"
	      "<th>internal active</th><th>external active</th>"
	      "<th>passive (used as server)</th><th>flags</th><th>label</th>"
	      "</tr></thead><tbody>\n", o);
	for (size_t i = 0; i < r->n_devices; i++) {
		const vt_rpt_device *d = &r->devices[i];
		for (size_t k = 0; d->selected && k < d->n_ports; k++)
			port_row(o, d, &d->ports[k]);
	}
	fputs("</tbody></table>\n", o);
}

/* Bar charts of the services most shared in each present view. */
static void service_charts(FILE *o, const vt_rpt *r)
{
	const char *labels[HTML_BARS];
	char names[HTML_BARS][16];
	double vals[HTML_BARS];
	fputs("<div class=\"charts\">", o);
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		if (!r->views[v].present)
			continue;
		size_t n = 0;
		for (size_t rank = 1; n < HTML_BARS && rank <= r->n_services; rank++)
			for (size_t i = 0; i < r->n_services && n < HTML_BARS; i++) {
				const vt_rpt_service *s = &r->services[i];
				if (s->rank[v] != rank)
					continue;
				snprintf(names[n], sizeof(names[n]), "%s/%u",
					 s->proto == 17 ? "udp" : "tcp", s->port);
				labels[n] = names[n];
				vals[n++] = s->share[v];
			}
		char title[96];
		snprintf(title, sizeof(title), "%s: share of devices",
			 vt_view_label(v));
		vt_rpt_svg_bars(o, title, labels, vals, n);
	}
	fputs("</div>\n", o);
}

static void services(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Services by share of devices, rank in each view</h2>", o);
	service_charts(o, r);
	fputs("<table id=\"services\" class=\"sortable\"><thead><tr>"
	      "<th>service</th>", o);
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (r->views[v].present)
			fprintf(o, "<th>%s share</th><th>rank</th>", vt_view_label(v));
	fputs("</tr></thead><tbody>\n", o);
	size_t n = r->n_services < HTML_SERVICE_ROWS ? r->n_services
						      : HTML_SERVICE_ROWS;
	for (size_t i = 0; i < n; i++) {
		const vt_rpt_service *s = &r->services[i];
		fprintf(o, "<tr><td data-v=\"%u\">%s/%u</td>", s->port,
			s->proto == 17 ? "udp" : "tcp", s->port);
		for (int v = 0; v < VT_VIEW_COUNT; v++) {
			if (!r->views[v].present)
				continue;
			td_pct(o, s->rank[v] ? s->share[v] : NAN);
			char t[24];
			snprintf(t, sizeof(t), s->rank[v] ? "%zu" : "-", s->rank[v]);
			td_num(o, s->rank[v] ? (double)s->rank[v] : NAN, t);
		}
		fputs("</tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
	if (r->n_services > n)
		fprintf(o, "<p>%zu more services in <code>--json</code>.</p>\n",
			r->n_services - n);
}

static void types(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Device types</h2><div class=\"charts\">", o);
	const char **labels = malloc((r->n_types + 1) * sizeof(*labels));
	double *vals = malloc((r->n_types + 1) * sizeof(*vals));
	for (int v = 0; labels && vals && v < VT_VIEW_COUNT; v++) {
		if (!r->views[v].present || !r->views[v].devices)
			continue;
		for (size_t i = 0; i < r->n_types; i++) {
			labels[i] = r->types[i].type;
			vals[i] = (double)r->types[i].devices[v] /
				  (double)r->views[v].devices;
		}
		char title[96];
		snprintf(title, sizeof(title), "%s: device types",
			 vt_view_label(v));
		vt_rpt_svg_bars(o, title, labels, vals, r->n_types);
	}
	free(labels);
	free(vals);
	fputs("</div><table id=\"types\" class=\"sortable\"><thead><tr>"
	      "<th>type</th>", o);
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (r->views[v].present)
			fprintf(o, "<th>%s</th>", vt_view_label(v));
	fputs("<th>talk to external hosts (internal passive)</th></tr></thead>"
	      "<tbody>\n", o);
	for (size_t i = 0; i < r->n_types; i++) {
		const vt_rpt_type *t = &r->types[i];
		fputs("<tr>", o);
		td(o, t->type);
		for (int v = 0; v < VT_VIEW_COUNT; v++)
			if (r->views[v].present)
				td_count(o, t->devices[v]);
		td_pct(o, t->passive_devices ? (double)t->external_talkers /
						       (double)t->passive_devices
					     : NAN);
		fputs("</tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
}

static void dist_row(FILE *o, const char *scope, const vt_rpt_dist *d)
{
	fprintf(o, "<tr><td>%s</td>", scope);
	td_count(o, d->n);
	for (int k = -1; k < 7; k++) {
		double v = d->n ? (k < 0 ? d->mean : d->q[k]) : NAN;
		char t[32];
		snprintf(t, sizeof(t), isnan(v) ? "-" : "%.0f", v);
		td_num(o, v, t);
	}
	fputs("</tr>\n", o);
}

static void flows(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Bytes per flow, local vs external (passive views)</h2>", o);
	vt_rpt_svg_cdf(o, "CDF of bytes per flow", &r->bytes_local, "local",
		       &r->bytes_external, "external");
	fputs("<table id=\"flows\"><thead><tr><th>scope</th><th>flows</th>"
	      "<th>mean</th><th>min</th><th>p10</th><th>p25</th><th>median</th>"
	      "<th>p75</th><th>p90</th><th>max</th></tr></thead><tbody>", o);
	dist_row(o, "local", &r->bytes_local);
	dist_row(o, "external", &r->bytes_external);
	fputs("</tbody></table>\n", o);
}

static int cmp_vendors(const void *a, const void *b)
{
	const vt_rpt_portspec *x = *(const vt_rpt_portspec *const *)a;
	const vt_rpt_portspec *y = *(const vt_rpt_portspec *const *)b;
	if (x->vendors != y->vendors)
		return x->vendors > y->vendors ? -1 : 1;
	if (x->devices != y->devices)
		return x->devices > y->devices ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* The local ports of each view, most vendors first (HTML_SPEC_ROWS). */
static void spec_ports(FILE *o, const vt_rpt *r)
{
	fputs("<table id=\"specports\" class=\"sortable\"><thead><tr>"
	      "<th>view</th><th>local port</th><th>devices</th><th>vendors</th>"
	      "<th>types</th></tr></thead><tbody>\n", o);
	size_t left = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		const vt_rpt_spec *s = &r->spec[v];
		const vt_rpt_portspec **p = malloc((s->n_ports + 1) * sizeof(*p));
		if (!r->views[v].present || !p) {
			free(p);
			continue;
		}
		for (size_t i = 0; i < s->n_ports; i++)
			p[i] = &s->ports[i];
		qsort(p, s->n_ports, sizeof(*p), cmp_vendors);
		size_t n = s->n_ports < HTML_SPEC_ROWS ? s->n_ports : HTML_SPEC_ROWS;
		left += s->n_ports - n;
		for (size_t i = 0; i < n; i++) {
			fprintf(o, "<tr><td>%s</td><td data-v=\"%u\">%s/%u</td>",
				vt_view_label(v), p[i]->port,
				p[i]->proto == 17 ? "udp" : "tcp", p[i]->port);
			td_count(o, p[i]->devices);
			td_count(o, p[i]->vendors);
			td_count(o, p[i]->types);
			fputs("</tr>\n", o);
		}
		free(p);
	}
	fputs("</tbody></table>", o);
	if (left)
		fprintf(o, "<p>%zu more ports in <code>--json</code>.</p>", left);
	fputc('\n', o);
}

static void spec(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Port specificity (local ports)</h2><table id=\"spec\">"
	      "<thead><tr><th>view</th><th>ports</th><th>single vendor</th>"
	      "<th>single type</th><th>single vendor or type</th>"
	      "<th>two or more vendors</th></tr></thead><tbody>", o);
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		const vt_rpt_spec *s = &r->spec[v];
		if (!r->views[v].present)
			continue;
		double n = s->n_ports ? (double)s->n_ports : NAN;
		fprintf(o, "<tr><td>%s</td>", vt_view_label(v));
		td_count(o, s->n_ports);
		td_pct(o, s->single_vendor / n);
		td_pct(o, s->single_type / n);
		td_pct(o, s->single_either / n);
		td_pct(o, s->multi_vendor / n);
		fputs("</tr>", o);
	}
	fputs("</tbody></table>\n", o);
	spec_ports(o, r);
}

static void corrs(FILE *o, const vt_rpt *r)
{
	fputs("<h2>Correlations</h2><table id=\"corr\"><thead><tr><th>what</th>"
	      "<th>n</th><th>Pearson r</th><th>p</th><th>Spearman &rho;</th>"
	      "<th>p</th></tr></thead><tbody>", o);
	for (size_t i = 0; i < r->n_corr; i++) {
		const vt_rpt_corr *c = &r->corr[i];
		const double v[4] = {c->pearson.r, c->pearson.p, c->spearman.r,
				     c->spearman.p};
		fputs("<tr>", o);
		td(o, c->what);
		td_count(o, c->pearson.n);
		for (int k = 0; k < 4; k++) {
			char t[32];
			snprintf(t, sizeof(t), isnan(v[k]) ? "-" : k % 2 ? "%.2g" : "%.3f",
				 v[k]);
			td_num(o, v[k], t);
		}
		fputs("</tr>", o);
	}
	fputs("</tbody></table>\n", o);
}

void vt_rpt_write_html(FILE *o, const vt_rpt *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	      "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
	      "img-src data:\">"
	      "<title>vantage report</title><style>", o);
	fputs(css, o);
	fputs("</style></head><body>\n", o);
	summary(o, r);
	devices(o, r);
	ports(o, r);
	services(o, r);
	types(o, r);
	flows(o, r);
	spec(o, r);
	corrs(o, r);
	if (r->mirai)
		vt_rpt_mirai_html(o, r->mirai);
	fputs("<script>", o);
	fputs(js, o);
	fputs("</script></body></html>\n", o);
}
