/*
 * Legacy Censys IPv4 records (the 2016-2021 schema of the Mirai paper's
 * era, one host a line): {ip, updated_at, ports[], protocols["80/http"],
 * location, autonomous_system, metadata{manufacturer, product,
 * device_type, os, description}, tags[], p<port>: {<protocol>: {<scan>:
 * {...}}}}. Banners: p23.telnet.banner.{banner, will/do/wont/dont},
 * p21.ftp.banner.banner, p22.ssh.v2.banner.raw, p80.http.get and
 * p7547.cwmp.get.{status_code, status_line, headers (plain strings),
 * body}; any <protocol>.tls.certificate.parsed or
 * <protocol>.<scan>.tls.certificate.parsed gives the certificate
 * (p443.https.tls); other scans' "banner" strings are taken as they are.
 * Ports listed in protocols[] (else ports[]) without a p<port> entry are
 * open ports without a banner. metadata, tags and each scan's metadata are signals.
 */
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"

static int port_key(const char *k, size_t kl, int64_t *port)
{
	if (kl < 2 || kl > 6 || k[0] != 'p' || strspn(k + 1, "0123456789") != kl - 1)
		return 0;
	int64_t v = 0;
	for (size_t i = 1; i < kl; i++)
		v = v * 10 + (k[i] - '0');
	*port = v;
	return v <= 65535;
}

static void meta(imp_ctx *c, vt_jref m, const char *signal)
{
	static const char *const keys[] = {"manufacturer", "product", "version",
					   "device_type", "os", "os_version",
					   "description"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = imp_jstr(c->j, m, keys[i]);
		if (v)
			imp_label(&c->o, signal, "%s=%s", keys[i], v);
	}
}

/* Telnet's options as IAC bytes in front of its text (as sent). */
static size_t telnet_opts(imp_ctx *c, vt_jref b)
{
	static const struct { const char *k; uint8_t verb; } v[] = {
		{"will", 251}, {"wont", 252}, {"do", 253}, {"dont", 254}};
	const vt_json *j = c->j;
	size_t o = 0;
	for (size_t i = 0; i < 4; i++)
		for (vt_jref e = vt_json_first(j, vt_json_get(j, b, v[i].k));
		     e != VT_JNONE && o + 3 <= IMP_MAX_BANNER; e = vt_json_next(j, e)) {
			int64_t code;
			if (vt_json_int(j, vt_json_get(j, e, "value"), 0, 255, &code))
				continue;
			c->buf[o++] = 255;
			c->buf[o++] = v[i].verb;
			c->buf[o++] = (uint8_t)code;
		}
	return o;
}

static void text(imp_ctx *c, const char *s, size_t n, size_t o, int crlf)
{
	if (n > IMP_MAX_BANNER - o)
		n = IMP_MAX_BANNER - o;
	memcpy(c->buf + o, s, n);
	o += n;
	if (crlf && o + 2 <= IMP_MAX_BANNER) {
		c->buf[o++] = '\r';
		c->buf[o++] = '\n';
	}
	imp_obs_banner(c, c->buf, o);
	c->o.probe = "NULL";
}

/* One scan object (p80.http.get, p23.telnet.banner, ...). */
static void scan(imp_ctx *c, const char *proto, const char *name, vt_jref s)
{
	const vt_json *j = c->j;
	size_t n;
	const char *b;
	meta(c, vt_json_get(j, s, "metadata"), "censys_software");
	if (!c->o.tls_subject)
		imp_zgrab_cert(c, vt_json_path(j, s, "tls.certificate"));
	if (c->o.banner)
		return;
	int64_t code = 0;
	if (vt_json_int(j, vt_json_get(j, s, "status_code"), 0, 999, &code) == VT_OK ||
	    imp_jstr(j, s, "status_line")) {
		b = vt_json_string(j, vt_json_get(j, s, "body"), &n);
		imp_http_response(c, NULL, code, imp_jstr(j, s, "status_line"),
				  vt_json_get(j, s, "headers"), b, b ? n : 0);
	} else if (!strcmp(proto, "ssh") &&
		   (b = vt_json_string(j, vt_json_path(j, s, "banner.raw"), &n))) {
		text(c, b, n, 0, 1);
	} else if ((b = vt_json_string(j, vt_json_get(j, s, "banner"), &n))) {
		text(c, b, n, !strcmp(proto, "telnet") ? telnet_opts(c, s) : 0, 0);
	} else if (!strcmp(name, "v2") &&
		   (b = vt_json_string(j, vt_json_path(j, s, "banner.raw"), &n))) {
		text(c, b, n, 0, 1);
	}
}

/* p<port>: {<proto>: {<scan>: {...}}}; -1 if malformed. */
static int port_entry(imp_ctx *c, vt_jref pe, int64_t port)
{
	const vt_json *j = c->j;
	if (vt_json_type(j, pe) != VT_JOBJ)
		return imp_why(c, "\"p%lld\" is not an object", (long long)port);
	imp_obs_port(&c->o, "tcp", port);
	c->o.open = 1;
	for (vt_jref pr = vt_json_first(j, pe); pr != VT_JNONE; pr = vt_json_next(j, pr)) {
		const char *proto = vt_json_key(j, pr, NULL);
		imp_label(&c->o, "censys_service", "%s", proto);
		if (!c->o.tls_subject)
			imp_zgrab_cert(c, vt_json_path(j, pr, "tls.certificate"));
		for (vt_jref s = vt_json_first(j, pr); s != VT_JNONE; s = vt_json_next(j, s))
			if (vt_json_type(j, s) == VT_JOBJ)
				scan(c, proto, vt_json_key(j, s, NULL), s);
	}
	if (c->o.tls_subject && !c->o.banner)
		imp_obs_banner(c, c->buf, 0);
	return 0;
}

/* ports[] without protocols[]: open ports whose port has no p<port>. */
static void listed_ports(imp_ctx *c, vt_jref root, const vt_imp_obs *base)
{
	const vt_json *j = c->j;
	for (vt_jref e = vt_json_first(j, vt_json_get(j, root, "ports"));
	     e != VT_JNONE && !c->stop; e = vt_json_next(j, e)) {
		int64_t port;
		char key[8];
		if (vt_json_int(j, e, 0, 65535, &port))
			continue;
		snprintf(key, sizeof(key), "p%lld", (long long)port);
		if (vt_json_get(j, root, key) != VT_JNONE)
			continue;
		c->o = *base;
		imp_obs_port(&c->o, "tcp", port);
		c->o.open = 1;
		imp_emit(c);
	}
}

/* protocols[] entries "80/http" whose port has no p<port> object. */
static void listed(imp_ctx *c, vt_jref root, const vt_imp_obs *base)
{
	const vt_json *j = c->j;
	if (vt_json_get(j, root, "protocols") == VT_JNONE) {
		listed_ports(c, root, base);
		return;
	}
	for (vt_jref e = vt_json_first(j, vt_json_get(j, root, "protocols"));
	     e != VT_JNONE && !c->stop; e = vt_json_next(j, e)) {
		const char *s = vt_json_string(j, e, NULL);
		char key[8];
		int64_t port = 0;
		size_t d = s ? strspn(s, "0123456789") : 0;
		if (!d || d > 5 || s[d] != '/')
			continue;
		for (size_t i = 0; i < d; i++)
			port = port * 10 + (s[i] - '0');
		snprintf(key, sizeof(key), "p%lld", (long long)port);
		if (port > 65535 || vt_json_get(j, root, key) != VT_JNONE)
			continue;
		c->o = *base;
		imp_obs_port(&c->o, "tcp", port);
		c->o.open = 1;
		imp_label(&c->o, "censys_service", "%s", s + d + 1);
		imp_emit(c);
	}
}

static int host(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	imp_obs_reset(c, vt_imp_src_lineno(c->src));
	if (imp_obs_ip(&c->o, imp_jstr(j, root, "ip")))
		return imp_why(c, "\"ip\" is not an IPv4 or IPv6 address");
	c->o.seen_us = imp_json_time(j, vt_json_get(j, root, "updated_at"));
	vt_imp_obs base = c->o;
	meta(c, vt_json_get(j, root, "metadata"), "censys_metadata");
	for (vt_jref t = vt_json_first(j, vt_json_get(j, root, "tags"));
	     t != VT_JNONE; t = vt_json_next(j, t))
		if (vt_json_string(j, t, NULL))
			imp_label(&c->o, "censys_tag", "%s", vt_json_string(j, t, NULL));
	if (c->o.n_labels && imp_emit(c))
		return 0;
	int bad = 0;
	for (vt_jref m = vt_json_first(j, root); m != VT_JNONE && !c->stop;
	     m = vt_json_next(j, m)) {
		size_t kl;
		int64_t port;
		const char *k = vt_json_key(j, m, &kl);
		if (!k || !port_key(k, kl, &port))
			continue;
		c->o = base;
		if (port_entry(c, m, port))
			bad = 1;
		else
			imp_emit(c);
	}
	listed(c, root, &base);
	return bad ? -1 : 0;
}

int vt_imp_read_censys_legacy(imp_ctx *c)
{
	return imp_json_lines(c, host, NULL);
}
