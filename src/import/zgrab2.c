/*
 * ZGrab2 JSON Lines (github.com/zmap/zgrab2, one object a target):
 * {ip, domain?, data: {<instance>: {status, protocol, port?, timestamp,
 * result, error}}}. The module's protocol (else its instance name) picks
 * the fields, never the instance name alone (instances are named by the
 * user): ftp, telnet and the mail protocols result.banner (telnet's
 * will/do/wont/dont options are put back in front as IAC bytes, as the
 * server sent them); ssh result.server_id.raw; http result.response,
 * rebuilt as the response bytes, with the certificate of an https
 * request (result.response.request.tls_log.handshake_log); tls
 * result.handshake_log's server certificate. zgrab (v1) has no "result"
 * level: the module object is the result. A module whose status is not
 * "success" and that holds no banner says the port did not answer. The
 * target's domain, when given, is a signal (zgrab2_domain).
 */
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"

static unsigned default_port(const char *p)
{
	static const struct { const char *name; unsigned port; } d[] = {
		{"ftp", 21}, {"ssh", 22}, {"telnet", 23}, {"smtp", 25},
		{"http", 80}, {"pop3", 110}, {"imap", 143}, {"tls", 443},
		{"https", 443}, {"smb", 445}, {"modbus", 502}, {"mqtt", 1883},
		{"cwmp", 7547}, {"fox", 1911}, {"bacnet", 47808}};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (!strcmp(p, d[i].name))
			return d[i].port;
	return 0;
}

/* Telnet options back to bytes: IAC WILL/WONT/DO/DONT <code>. */
static size_t telnet_opts(imp_ctx *c, vt_jref res, size_t o)
{
	static const struct { const char *key; uint8_t verb; } v[] = {
		{"will", 251}, {"wont", 252}, {"do", 253}, {"dont", 254}};
	const vt_json *j = c->j;
	for (size_t i = 0; i < 4; i++) {
		vt_jref a = vt_json_get(j, res, v[i].key);
		for (vt_jref e = vt_json_first(j, a); e != VT_JNONE && o + 3 <= IMP_MAX_BANNER;
		     e = vt_json_next(j, e)) {
			int64_t code;
			if (vt_json_int(j, vt_json_get(j, e, "value"), 0, 255, &code))
				continue;
			c->buf[o++] = 255;
			c->buf[o++] = v[i].verb;
			c->buf[o++] = (uint8_t)code;
		}
	}
	return o;
}

static void text_banner(imp_ctx *c, const char *s, size_t n, size_t o,
			int crlf)
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

static void http(imp_ctx *c, vt_jref res)
{
	const vt_json *j = c->j;
	vt_jref resp = vt_json_get(j, res, "response");
	int64_t code = 0;
	size_t bl = 0;
	const char *status = imp_jstr(j, resp, "status_line");
	if (!status && vt_json_int(j, vt_json_get(j, resp, "status_code"), 0, 999, &code))
		return;
	const char *body = vt_json_string(j, vt_json_get(j, resp, "body"), &bl);
	imp_http_response(c, imp_jstr(j, resp, "protocol.name"), code, status,
			  vt_json_get(j, resp, "headers"), body, bl);
	vt_jref hs = vt_json_path(j, resp, "request.tls_log.handshake_log");
	imp_zgrab_cert(c, vt_json_path(j, hs, "server_certificates.certificate"));
}

/* One module: fills the banner or certificate; 1 if it has one. */
static int module(imp_ctx *c, const char *proto, vt_jref res)
{
	const vt_json *j = c->j;
	size_t n;
	const char *s;
	if (!strcmp(proto, "http") || !strcmp(proto, "cwmp")) {
		http(c, res);
	} else if (!strcmp(proto, "ssh")) {
		if ((s = vt_json_string(j, vt_json_path(j, res, "server_id.raw"), &n)))
			text_banner(c, s, n, 0, 1);
	} else if (!strcmp(proto, "tls")) {
		vt_jref hs = vt_json_get(j, res, "handshake_log");
		if (imp_zgrab_cert(c, vt_json_path(j, hs, "server_certificates.certificate")))
			imp_obs_banner(c, c->buf, 0);
	} else if ((s = vt_json_string(j, vt_json_get(j, res, "banner"), &n))) {
		size_t o = !strcmp(proto, "telnet") ? telnet_opts(c, res, 0) : 0;
		text_banner(c, s, n, o, 0);
	}
	/* Any module: a certificate from STARTTLS or implicit TLS. */
	if (!c->o.tls_subject)
		imp_zgrab_cert(c, vt_json_path(j, res,
			"tls.handshake_log.server_certificates.certificate"));
	if (c->o.tls_subject && !c->o.banner)
		imp_obs_banner(c, c->buf, 0);
	return c->o.banner != NULL;
}

static int record(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	vt_jref data = vt_json_get(j, root, "data");
	int64_t rport = -1;
	imp_obs_reset(c, vt_imp_src_lineno(c->src));
	if (imp_obs_ip(&c->o, imp_jstr(j, root, "ip")))
		return imp_why(c, "\"ip\" is not an IPv4 or IPv6 address");
	if (vt_json_type(j, data) != VT_JOBJ)
		return imp_why(c, "no \"data\" object");
	imp_json_uint(j, vt_json_get(j, root, "port"), 65535, &rport);
	uint64_t t = imp_json_time(j, vt_json_get(j, root, "timestamp"));
	vt_imp_obs base = c->o;
	const char *domain = imp_jstr(j, root, "domain");
	if (domain && *domain) { /* the name the target was scanned by */
		c->o.seen_us = t;
		imp_label(&c->o, "zgrab2_domain", "%s", domain);
		if (imp_emit(c))
			return 0;
	}
	for (vt_jref m = vt_json_first(j, data); m != VT_JNONE && !c->stop;
	     m = vt_json_next(j, m)) {
		const char *proto = imp_jstr(j, m, "protocol");
		const char *st = imp_jstr(j, m, "status");
		vt_jref res = vt_json_get(j, m, "result");
		int64_t port = rport;
		if (!proto)
			proto = vt_json_key(j, m, NULL);
		if (vt_json_type(j, m) != VT_JOBJ)
			continue;
		if (res == VT_JNONE && !st)
			res = m; /* zgrab v1: no result level */
		c->o = base;
		imp_json_uint(j, vt_json_get(j, m, "port"), 65535, &port);
		const char *scheme = imp_jstr(j, res, "response.request.url.scheme");
		if (port < 0 && scheme && !strcmp(scheme, "https"))
			port = 443; /* an http module over TLS */
		if (port < 0)
			port = default_port(proto);
		if (port <= 0)
			continue; /* a protocol whose port the record does not say */
		imp_obs_port(&c->o, "tcp", port);
		c->o.seen_us = imp_json_time(j, vt_json_get(j, m, "timestamp"));
		if (!c->o.seen_us)
			c->o.seen_us = t;
		int got = module(c, proto, res);
		c->o.open = got || (st && !strcmp(st, "success"));
		if (c->o.open)
			imp_emit(c);
	}
	return 0;
}

int vt_imp_read_zgrab2(imp_ctx *c)
{
	return imp_json_lines(c, record, NULL);
}
