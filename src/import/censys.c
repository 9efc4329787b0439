/*
 * Censys v2 hosts (search.censys.io API v2 and its snapshots), one host a
 * line, bare or wrapped as {code, status, result: host}: {ip, labels[],
 * services[{port, service_name (CAPS), transport_protocol, banner |
 * banner_hex, _encoding: {banner: DISPLAY_UTF8 | DISPLAY_HEX |
 * DISPLAY_BASE64}, software[{vendor, product, version, part,
 * uniform_resource_identifier}], labels[], observed_at,
 * tls.certificates.{leaf_fp_sha_256, leaf_data.{subject_dn, issuer_dn}},
 * http.response.{status_code, html_title, headers (Title_Case keys,
 * array values), body, _encoding.body}}]}. An HTTP service's banner is rebuilt from
 * http.response when it has one (Censys's own banner is the head only).
 * Censys's service names, software, labels and the host's DNS names
 * (dns.names, dns.reverse_dns.names) become signals.
 */
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"

/* The service's banner bytes, as _encoding says; -1 if undecodable. */
static int banner(imp_ctx *c, vt_jref svc)
{
	const vt_json *j = c->j;
	size_t n, out;
	const char *hex = vt_json_string(j, vt_json_get(j, svc, "banner_hex"), &n);
	if (hex) {
		int rc = imp_hex_decode(hex, n, c->buf, IMP_MAX_BANNER, &out);
		if (rc == VT_EFORMAT)
			return imp_why(c, "\"banner_hex\" is not hex");
		imp_obs_banner(c, c->buf, rc ? 0 : out);
		return 0;
	}
	const char *b = vt_json_string(j, vt_json_get(j, svc, "banner"), &n);
	if (!b)
		return 0;
	const char *enc = imp_jstr(j, svc, "_encoding.banner");
	int rc = VT_OK;
	if (enc && !strcmp(enc, "DISPLAY_HEX"))
		rc = imp_hex_decode(b, n, c->buf, IMP_MAX_BANNER, &out);
	else if (enc && !strcmp(enc, "DISPLAY_BASE64"))
		rc = vt_b64_decode(b, n, c->buf, IMP_MAX_BANNER, &out);
	else
		imp_obs_banner(c, (const uint8_t *)b, n);
	if (rc == VT_EFORMAT)
		return imp_why(c, "\"banner\" is not in its _encoding (%s)", enc);
	if (enc && (!strcmp(enc, "DISPLAY_HEX") || !strcmp(enc, "DISPLAY_BASE64")))
		imp_obs_banner(c, c->buf, rc ? 0 : out);
	return 0;
}

/* Strings of an array, or the "value" of its objects, as labels. */
static void labels(imp_ctx *c, vt_jref arr, const char *signal)
{
	const vt_json *j = c->j;
	for (vt_jref e = vt_json_first(j, arr); e != VT_JNONE; e = vt_json_next(j, e)) {
		const char *s = vt_json_string(j, e, NULL);
		if (!s)
			s = imp_jstr(j, e, "value");
		if (s)
			imp_label(&c->o, signal, "%s", s);
	}
}

static void software(imp_ctx *c, vt_jref arr)
{
	const vt_json *j = c->j;
	for (vt_jref e = vt_json_first(j, arr); e != VT_JNONE; e = vt_json_next(j, e)) {
		const char *v = imp_jstr(j, e, "vendor"), *p = imp_jstr(j, e, "product");
		const char *ver = imp_jstr(j, e, "version");
		const char *uri = imp_jstr(j, e, "uniform_resource_identifier");
		if (v || p)
			imp_label(&c->o, "censys_software", "%s%s%s%s%s%s%s", v ? v : "",
				  v && p ? " " : "", p ? p : "", ver ? " " : "",
				  ver ? ver : "", uri ? " " : "", uri ? uri : "");
	}
}

static int service(imp_ctx *c, vt_jref svc)
{
	const vt_json *j = c->j;
	int64_t port;
	const char *name = imp_jstr(j, svc, "service_name");
	if (imp_json_uint(j, vt_json_get(j, svc, "port"), 65535, &port) ||
	    imp_obs_port(&c->o, imp_jstr(j, svc, "transport_protocol"), port))
		return imp_why(c, "a service without a valid port/transport_protocol");
	c->o.open = 1;
	uint64_t t = imp_json_time(j, vt_json_get(j, svc, "observed_at"));
	if (t)
		c->o.seen_us = t;
	if (name)
		imp_label(&c->o, "censys_service", "%s", name);
	software(c, vt_json_get(j, svc, "software"));
	labels(c, vt_json_get(j, svc, "labels"), "censys_label");
	vt_jref resp = vt_json_path(j, svc, "http.response");
	int64_t code;
	if (vt_json_int(j, vt_json_get(j, resp, "status_code"), 0, 999, &code) == VT_OK) {
		size_t bl = 0;
		const char *body = vt_json_string(j, vt_json_get(j, resp, "body"), &bl);
		const char *enc = imp_jstr(j, resp, "_encoding.body");
		if (body && enc && (!strcmp(enc, "DISPLAY_HEX") || !strcmp(enc, "DISPLAY_BASE64"))) {
			size_t out = 0;
			int rc = enc[8] == 'H' ? imp_hex_decode(body, bl, c->buf, IMP_MAX_BANNER, &out)
					       : vt_b64_decode(body, bl, c->buf, IMP_MAX_BANNER, &out);
			if (rc == VT_EFORMAT)
				return imp_why(c, "http body is not in its _encoding (%s)", enc);
			body = (const char *)c->buf;
			bl = rc ? 0 : out;
		}
		const char *reason = imp_jstr(j, resp, "status_reason");
		char status[96];
		snprintf(status, sizeof(status), "%lld%s%s", (long long)code,
			 reason ? " " : "", reason ? reason : "");
		imp_http_response(c, imp_jstr(j, resp, "protocol"), code, status,
				  vt_json_get(j, resp, "headers"), body, bl);
	} else if (banner(c, svc)) {
		return -1;
	} else if (c->o.banner) {
		c->o.probe = "NULL";
	}
	vt_jref certs = vt_json_path(j, svc, "tls.certificates");
	const char *subj = imp_jstr(j, certs, "leaf_data.subject_dn");
	const char *fp = imp_jstr(j, certs, "leaf_fp_sha_256");
	if (subj || fp) {
		c->o.tls_subject = subj ? subj : "";
		c->o.tls_issuer = imp_jstr(j, certs, "leaf_data.issuer_dn");
		c->o.tls_sha256 = fp;
		if (!c->o.banner)
			imp_obs_banner(c, c->buf, 0);
	}
	return 0;
}

static int host(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	vt_jref h = vt_json_get(j, root, "services") == VT_JNONE &&
				vt_json_type(j, vt_json_get(j, root, "result")) == VT_JOBJ
			? vt_json_get(j, root, "result")
			: root;
	vt_jref svcs = vt_json_get(j, h, "services");
	imp_obs_reset(c, vt_imp_src_lineno(c->src));
	if (imp_obs_ip(&c->o, imp_jstr(j, h, "ip")))
		return imp_why(c, "\"ip\" is not an IPv4 or IPv6 address");
	if (vt_json_type(j, svcs) != VT_JARR && svcs != VT_JNONE)
		return imp_why(c, "\"services\" is not an array");
	c->o.seen_us = imp_json_time(j, vt_json_get(j, h, "last_updated_at"));
	vt_imp_obs base = c->o;
	/* Host labels and names first, on their own. */
	labels(c, vt_json_get(j, h, "labels"), "censys_label");
	labels(c, vt_json_path(j, h, "dns.names"), "censys_dns");
	labels(c, vt_json_path(j, h, "dns.reverse_dns.names"), "censys_dns");
	if (c->o.n_labels && imp_emit(c))
		return 0;
	int bad = 0;
	for (vt_jref s = vt_json_first(j, svcs); s != VT_JNONE && !c->stop;
	     s = vt_json_next(j, s)) {
		c->o = base;
		if (service(c, s))
			bad = 1; /* reported once for the record, after the rest */
		else
			imp_emit(c);
	}
	return bad ? -1 : 0;
}

int vt_imp_read_censys(imp_ctx *c)
{
	return imp_json_lines(c, host, NULL);
}
