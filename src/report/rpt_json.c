/*
 * The report as JSON Lines: one object per line, each with "object"
 * naming its type (report, device, service, device_type, bytes_per_flow,
 * port_specificity, correlation, and mirai_join with --mirai; README.md
 * documents the fields). NaN is
 * null; times are ISO 8601 UTC; device-controlled strings are escaped.
 */
#include <inttypes.h>
#include <math.h>

#include "vantage/netreport.h"
#include "vantage/report.h"
#include "vantage/textout.h"

static void num(FILE *o, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", o);
	else
		fprintf(o, "%.10g", v);
}

static void kv_num(FILE *o, const char *k, double v)
{
	fprintf(o, ",\"%s\":", k);
	num(o, v);
}

static void kv_str(FILE *o, const char *k, const char *v)
{
	fprintf(o, ",\"%s\":", k);
	vt_json_cstr(o, v);
}

static void kv_time(FILE *o, const char *k, uint64_t us)
{
	char t[40];
	if (!us) {
		fprintf(o, ",\"%s\":null", k);
		return;
	}
	vt_time_iso(us, t, sizeof(t));
	fprintf(o, ",\"%s\":\"%s\"", k, t);
}

static const char *proto_name(uint8_t p)
{
	return p == 17 ? "udp" : "tcp";
}

static void report_obj(FILE *o, const vt_rpt *r)
{
	fputs("{\"object\":\"report\",\"runs\":[", o);
	for (size_t i = 0; i < r->n_runs; i++)
		fprintf(o, "%s%" PRId64, i ? "," : "", r->run_ids[i]);
	fputs("],\"views\":[", o);
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		fprintf(o, "%s{\"view\":\"%s\",\"present\":%s,\"runs\":%zu,"
			   "\"devices\":%zu}", v ? "," : "", vt_view_key(v),
			r->views[v].present ? "true" : "false", r->views[v].runs,
			r->views[v].devices);
	fputs("],\"missing\":[", o);
	int n = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (!r->views[v].present)
			fprintf(o, "%s\"%s\"", n++ ? "," : "", vt_view_key(v));
	fprintf(o, "],\"devices\":%zu", r->n_devices);
	kv_num(o, "median_used_share", r->median_used_share);
	kv_num(o, "median_full_set_fraction", r->median_full_set_frac);
	fprintf(o, ",\"dropped\":%zu}\n", r->dropped);
}

static void port_obj(FILE *o, const vt_rpt_port *p)
{
	int offered = p->offered_int || p->offered_ext;
	fprintf(o, "{\"proto\":\"%s\",\"port\":%u,\"offered_internal\":%s,"
		   "\"offered_external\":%s", proto_name(p->proto), p->port,
		p->offered_int ? "true" : "false",
		p->offered_ext ? "true" : "false");
	kv_str(o, "state_internal", p->state_int);
	kv_str(o, "state_external", p->state_ext);
	kv_str(o, "label", p->label);
	fprintf(o, ",\"used\":%s,\"used_flows\":%" PRIu64 ",\"used_bytes\":%" PRIu64
		   ",\"used_scopes\":[%s%s%s]",
		p->used ? "true" : "false", p->used_flows, p->used_bytes,
		p->used_local ? "\"local\"" : "",
		p->used_local && p->used_external ? "," : "",
		p->used_external ? "\"external\"" : "");
	kv_time(o, "first_used", p->first_used_us);
	fprintf(o, ",\"offered_unused\":%s,\"risky\":",
		offered && !p->used ? "true" : "false");
	if (p->risky)
		fprintf(o, "{\"name\":\"%s\",\"why\":\"%s\"}}", p->risky->name,
			p->risky->why);
	else
		fputs("null}", o);
}

static void device_obj(FILE *o, const vt_rpt_device *d)
{
	fputs("{\"object\":\"device\",\"key\":", o);
	vt_json_cstr(o, d->key);
	kv_str(o, "ip", d->ip);
	kv_str(o, "vendor", d->vendor);
	kv_str(o, "type", d->type ? d->type : "unknown");
	kv_str(o, "model", d->model);
	kv_str(o, "hostname", d->hostname);
	fputs(",\"views\":[", o);
	int n = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (d->views & (1u << v))
			fprintf(o, "%s\"%s\"", n++ ? "," : "", vt_view_key(v));
	fprintf(o, "],\"offered\":%zu,\"used_server\":%zu,\"offered_used\":%zu",
		d->n_offered, d->n_used_server, d->n_offered_used);
	kv_num(o, "used_share", d->used_share);
	fprintf(o, ",\"unused_risky\":%zu,\"services_used\":%zu", d->n_unused_risky,
		d->n_used);
	kv_time(o, "observed_first", d->span_first_us);
	kv_time(o, "observed_last", d->span_last_us);
	kv_time(o, "full_set_at", d->full_set_us);
	kv_num(o, "full_set_fraction", d->full_set_frac);
	fprintf(o, ",\"local_flows\":%" PRIu64 ",\"external_flows\":%" PRIu64
		   ",\"local_bytes\":%" PRIu64 ",\"external_bytes\":%" PRIu64
		   ",\"external_peers\":%" PRIu64 ",\"ports_dropped\":%zu,\"ports\":[",
		d->local_flows, d->external_flows, d->local_bytes,
		d->external_bytes, d->external_peers, d->ports_dropped);
	for (size_t i = 0; i < d->n_ports; i++) {
		if (i)
			fputc(',', o);
		port_obj(o, &d->ports[i]);
	}
	fputs("]}\n", o);
}

static void service_obj(FILE *o, const vt_rpt *r, const vt_rpt_service *s)
{
	fprintf(o, "{\"object\":\"service\",\"proto\":\"%s\",\"port\":%u,"
		   "\"views\":{", proto_name(s->proto), s->port);
	int n = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		if (!r->views[v].present)
			continue;
		fprintf(o, "%s\"%s\":{\"devices\":%zu,\"share\":", n++ ? "," : "",
			vt_view_key(v), s->devices[v]);
		num(o, s->share[v]);
		if (s->rank[v])
			fprintf(o, ",\"rank\":%zu}", s->rank[v]);
		else
			fputs(",\"rank\":null}", o);
	}
	fputs("}}\n", o);
}

static void type_obj(FILE *o, const vt_rpt *r, const vt_rpt_type *t)
{
	fputs("{\"object\":\"device_type\",\"type\":", o);
	vt_json_cstr(o, t->type);
	fputs(",\"views\":{", o);
	int n = 0;
	for (int v = 0; v < VT_VIEW_COUNT; v++) {
		if (!r->views[v].present)
			continue;
		fprintf(o, "%s\"%s\":{\"devices\":%zu,\"share\":", n++ ? "," : "",
			vt_view_key(v), t->devices[v]);
		num(o, r->views[v].devices ? (double)t->devices[v] /
						     (double)r->views[v].devices
					   : NAN);
		fputc('}', o);
	}
	fprintf(o, "},\"passive_devices\":%zu,\"external_talkers\":%zu",
		t->passive_devices, t->external_talkers);
	kv_num(o, "external_share",
	       t->passive_devices ? (double)t->external_talkers /
					    (double)t->passive_devices
				  : NAN);
	fputs("}\n", o);
}

static void dist_obj(FILE *o, const char *scope, const vt_rpt_dist *d)
{
	static const char *const qn[7] = {"min", "p10", "p25", "median",
					  "p75", "p90", "max"};
	fprintf(o, "{\"object\":\"bytes_per_flow\",\"scope\":\"%s\",\"flows\":%"
		   PRIu64, scope, d->n);
	kv_num(o, "mean", d->n ? d->mean : NAN);
	fputs(",\"quantiles\":{", o);
	for (int k = 0; k < 7; k++) {
		fprintf(o, "%s\"%s\":", k ? "," : "", qn[k]);
		num(o, d->n ? d->q[k] : NAN);
	}
	fputs("},\"cdf\":[", o);
	for (size_t i = 0; i < d->n_cdf; i++) {
		fprintf(o, "%s[", i ? "," : "");
		num(o, d->cdf_x[i]);
		fputc(',', o);
		num(o, d->cdf_y[i]);
		fputc(']', o);
	}
	fputs("]}\n", o);
}

static void spec_obj(FILE *o, int v, const vt_rpt_spec *s)
{
	double n = (double)s->n_ports;
	fprintf(o, "{\"object\":\"port_specificity\",\"view\":\"%s\",\"ports\":%zu,"
		   "\"single_vendor\":%zu,\"single_type\":%zu,"
		   "\"single_vendor_or_type\":%zu,\"multi_vendor\":%zu,"
		   "\"unattributed\":%zu", vt_view_key(v), s->n_ports,
		s->single_vendor, s->single_type, s->single_either,
		s->multi_vendor, s->unattributed);
	kv_num(o, "single_vendor_share", n ? s->single_vendor / n : NAN);
	kv_num(o, "single_type_share", n ? s->single_type / n : NAN);
	kv_num(o, "single_vendor_or_type_share", n ? s->single_either / n : NAN);
	kv_num(o, "multi_vendor_share", n ? s->multi_vendor / n : NAN);
	fputs(",\"by_port\":[", o);
	for (size_t i = 0; i < s->n_ports; i++) {
		const vt_rpt_portspec *p = &s->ports[i];
		fprintf(o, "%s{\"proto\":\"%s\",\"port\":%u,\"devices\":%zu,"
			   "\"vendors\":%zu,\"types\":%zu}", i ? "," : "",
			proto_name(p->proto), p->port, p->devices, p->vendors,
			p->types);
	}
	fputs("]}\n", o);
}

static void corr_obj(FILE *o, const vt_rpt_corr *c)
{
	fputs("{\"object\":\"correlation\",\"what\":", o);
	vt_json_cstr(o, c->what);
	kv_str(o, "x", c->x);
	kv_str(o, "y", c->y);
	fprintf(o, ",\"n\":%zu,\"pearson\":{\"r\":", c->pearson.n);
	num(o, c->pearson.r);
	fputs(",\"p\":", o);
	num(o, c->pearson.p);
	fputs("},\"spearman\":{\"rho\":", o);
	num(o, c->spearman.r);
	fputs(",\"p\":", o);
	num(o, c->spearman.p);
	fputs("}}\n", o);
}

void vt_rpt_write_json(FILE *o, const vt_rpt *r)
{
	report_obj(o, r);
	for (size_t i = 0; i < r->n_devices; i++)
		if (r->devices[i].selected)
			device_obj(o, &r->devices[i]);
	for (size_t i = 0; i < r->n_services; i++)
		service_obj(o, r, &r->services[i]);
	for (size_t i = 0; i < r->n_types; i++)
		type_obj(o, r, &r->types[i]);
	dist_obj(o, "local", &r->bytes_local);
	dist_obj(o, "external", &r->bytes_external);
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (r->views[v].present)
			spec_obj(o, v, &r->spec[v]);
	for (size_t i = 0; i < r->n_corr; i++)
		corr_obj(o, &r->corr[i]);
	if (r->mirai)
		vt_rpt_mirai_json(o, r->mirai);
}
