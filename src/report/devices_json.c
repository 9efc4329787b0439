/*
 * The JSON Lines form of a device record (DESIGN.md output contract):
 * one object per line, keys in a fixed order, every device-controlled
 * string escaped, times in ISO 8601 UTC.
 */
#include <inttypes.h>
#include <time.h>

#include "vantage/report.h"
#include "vantage/textout.h"

void vt_time_iso(uint64_t us, char *out, size_t cap)
{
	time_t s = (time_t)(us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&s, &tm)) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000u));
}

static void kv_u64(FILE *o, const char *k, uint64_t v)
{
	fprintf(o, ",\"%s\":%" PRIu64, k, v);
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

static void ips(FILE *o, const vt_devrec *d)
{
	char buf[64];
	fputs(",\"ips\":[", o);
	if (!d->has_mac && d->n_ips == 0) {
		vt_ip_format(d->key_ipver, d->key_ip, buf, sizeof(buf));
		fprintf(o, "\"%s\"", buf);
	}
	for (size_t i = 0; i < d->n_ips; i++) {
		vt_ip_format(d->ips[i].ver, d->ips[i].addr, buf, sizeof(buf));
		fprintf(o, "%s\"%s\"", i ? "," : "", buf);
	}
	fputc(']', o);
}

static void services(FILE *o, const vt_devrec *d)
{
	fputs(",\"services_used\":[", o);
	for (size_t i = 0; i < d->n_services; i++) {
		const vt_service *s = &d->services[i];
		fprintf(o,
			"%s{\"proto\":\"%s\",\"port\":%u,\"role\":\"%s\","
			"\"scope\":\"%s\",\"flows\":%" PRIu64
			",\"bytes\":%" PRIu64 "}",
			i ? "," : "", s->proto == 6 ? "tcp" : "udp", s->port,
			s->role == VT_ROLE_SERVER ? "server" : "client",
			s->scope == VT_SCOPE_EXTERNAL ? "external" : "local",
			s->flows, s->bytes);
	}
	fputc(']', o);
}

static void evidence(FILE *o, const vt_devrec *d)
{
	fputs(",\"evidence\":[", o);
	for (size_t i = 0; i < d->n_evidence; i++) {
		fputs(i ? ",{\"signal\":" : "{\"signal\":", o);
		vt_json_cstr(o, d->evidence[i].signal);
		fputs(",\"value\":", o);
		vt_json_cstr(o, d->evidence[i].value);
		fputs(",\"rule\":", o);
		vt_json_cstr(o, d->evidence[i].rule);
		fputc('}', o);
	}
	fputc(']', o);
}

void vt_devrec_json(FILE *o, const vt_devrec *d)
{
	char mac[18];
	fputs("{\"mac\":", o);
	if (d->has_mac) {
		vt_mac_format(d->mac, mac);
		fprintf(o, "\"%s\"", mac);
	} else {
		fputs("null", o);
	}
	ips(o, d);
	fputs(",\"vendor\":", o);
	vt_json_cstr(o, d->vendor);
	fputs(",\"type\":", o);
	vt_json_cstr(o, d->type ? d->type : "unknown");
	fputs(",\"model\":", o);
	vt_json_cstr(o, d->model);
	fputs(",\"os\":", o);
	vt_json_cstr(o, d->os);
	fprintf(o, ",\"confidence\":%.2f", d->confidence);
	kv_u64(o, "packets_sent", d->packets_sent);
	kv_u64(o, "bytes_sent", d->bytes_sent);
	kv_u64(o, "packets_recv", d->packets_recv);
	kv_u64(o, "bytes_recv", d->bytes_recv);
	kv_u64(o, "flows", d->flows);
	kv_u64(o, "local_flows", d->local_flows);
	kv_u64(o, "external_flows", d->external_flows);
	kv_u64(o, "local_bytes", d->local_bytes);
	kv_u64(o, "external_bytes", d->external_bytes);
	kv_u64(o, "external_peers", d->external_peers);
	services(o, d);
	evidence(o, d);
	fprintf(o, ",\"gateway\":%s,\"randomized\":%s",
		d->gateway ? "true" : "false", d->randomized ? "true" : "false");
	kv_time(o, "first_seen", d->first_us);
	kv_time(o, "last_seen", d->last_us);
	fputc('}', o);
}

static void write_json(FILE *out, const vt_devrec *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vt_devrec_json(out, &d[i]);
		fputc('\n', out);
	}
}

const vt_devfmt vt_devfmt_json = {.name = "json", .write = write_json};
