/*
 * Banners in, for `vantage match`: JSON Lines read with a bounded line
 * reader and the bounded JSON reader (util/json.c).
 *
 * Our format (DESIGN.md): {ip?, proto, port, probe?, banner | banner_b64,
 * tls?: {subject, issuer, sha256}}; banner is printable-escaped (\xHH).
 *
 * ZGrab2 (github.com/zmap/zgrab2, one object per host: {ip, data: {<name>:
 * {status, protocol, result}}}): the module's protocol (else its name)
 * picks the fields: ftp and telnet result.banner (NULL probe); ssh
 * result.server_id.raw (NULL probe); http result.response rebuilt as an
 * HTTP response (status line, headers, body; GetRequest probe), with the
 * certificate of an https request; tls result.handshake_log's server
 * certificate. ZGrab2 does not record the port: the protocol's default
 * (21, 22, 23, 80 or 443 for https, 443) unless the record has "port".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/json.h"
#include "vantage/match.h"

struct vt_mreader {
	vt_json *j;
	char *line;
	size_t cap;
	uint64_t lineno;
	uint8_t *bytes;    /* decoded banner */
	char *http;        /* rebuilt HTTP response */
	size_t http_len, http_cap;
};

vt_mreader *vt_mreader_new(void)
{
	vt_mreader *r = calloc(1, sizeof(*r));
	vt_json_limits lim = {VT_MATCH_MAX_LINE, 32, 1u << 18};
	if (!r)
		return NULL;
	r->j = vt_json_new(&lim);
	r->bytes = malloc(VT_MATCH_MAX_BANNER);
	r->http = malloc(VT_MATCH_MAX_BANNER);
	r->http_cap = VT_MATCH_MAX_BANNER;
	if (!r->j || !r->bytes || !r->http) {
		vt_mreader_free(r);
		return NULL;
	}
	return r;
}

void vt_mreader_free(vt_mreader *r)
{
	if (!r)
		return;
	vt_json_free(r->j);
	free(r->line);
	free(r->bytes);
	free(r->http);
	free(r);
}

uint64_t vt_mreader_line(const vt_mreader *r) { return r->lineno; }

/* One line without its newline into r->line; 0 EOF, 1 ok, -1 too long
 * (the rest of the line is skipped). */
static int read_line(vt_mreader *r, FILE *in, size_t *len)
{
	size_t n = 0;
	int too_long = 0, c = 0;
	for (;;) {
		if (n + 2 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 4096;
			char *l = cap <= VT_MATCH_MAX_LINE + 2 ? realloc(r->line, cap) : NULL;
			if (!l) {
				too_long = 1;
				n = 0;
			} else {
				r->line = l;
				r->cap = cap;
			}
		}
		if (!fgets(r->line + n, (int)(r->cap - n), in))
			break;
		size_t got = strlen(r->line + n);
		n += got;
		if (got && r->line[n - 1] == '\n') {
			c = '\n';
			break;
		}
		if (n + 2 > VT_MATCH_MAX_LINE) {
			too_long = 1;
			n = 0;
		}
	}
	if (n == 0 && c != '\n' && !too_long)
		return 0;
	while (n && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		n--;
	r->line[n] = '\0';
	*len = n;
	return too_long ? -1 : 1;
}

#define WHY(...) (snprintf(why, cap, __VA_ARGS__), -1)

static const char *str(const vt_json *j, vt_jref o, const char *path)
{
	vt_jref r = vt_json_path(j, o, path);
	return vt_json_string(j, r, NULL);
}

static int tls_obj(const vt_json *j, vt_jref t, vt_banner *b, char *why,
		   size_t cap)
{
	vt_jtype ty = vt_json_type(j, t);
	if (ty == VT_JABSENT || ty == VT_JNULL)
		return 0;
	if (ty != VT_JOBJ)
		return WHY("\"tls\" must be an object or null");
	b->tls_subject = str(j, t, "subject");
	b->tls_issuer = str(j, t, "issuer");
	b->tls_sha256 = str(j, t, "sha256");
	if (!b->tls_subject)
		b->tls_subject = "";
	return 0;
}

static int ours(vt_mreader *r, vt_mrec *rec, char *why, size_t cap)
{
	const vt_json *j = r->j;
	vt_jref root = vt_json_root(j);
	int64_t port;
	size_t n;
	const char *proto = str(j, root, "proto");
	if (!proto || (strcmp(proto, "tcp") && strcmp(proto, "udp")))
		return WHY("\"proto\" must be \"tcp\" or \"udp\"");
	if (vt_json_int(j, vt_json_get(j, root, "port"), 0, 65535, &port))
		return WHY("\"port\" must be an integer from 0 to 65535");
	rec->b.proto = proto[0] == 't' ? VT_PROTO_TCP : VT_PROTO_UDP;
	rec->b.port = (unsigned)port;
	rec->ip = str(j, root, "ip");
	rec->b.probe = str(j, root, "probe");
	const char *esc = vt_json_string(j, vt_json_get(j, root, "banner"), &n);
	if (esc) {
		size_t bad = 0;
		int rc = vt_pesc_decode(esc, n, r->bytes, VT_MATCH_MAX_BANNER,
					&rec->b.len, &bad);
		if (rc == VT_EFULL)
			return WHY("banner longer than %u bytes", VT_MATCH_MAX_BANNER);
		if (rc)
			return WHY("\"banner\": bad escape at offset %zu (only \\xHH)", bad);
	} else if ((esc = vt_json_string(j, vt_json_get(j, root, "banner_b64"), &n))) {
		int rc = vt_b64_decode(esc, n, r->bytes, VT_MATCH_MAX_BANNER,
				       &rec->b.len);
		if (rc)
			return WHY(rc == VT_EFULL ? "banner longer than the cap"
						  : "\"banner_b64\" is not base64");
	} else {
		return WHY("no \"banner\" or \"banner_b64\" string");
	}
	rec->b.data = r->bytes;
	return tls_obj(j, vt_json_get(j, root, "tls"), &rec->b, why, cap);
}

static void put(vt_mreader *r, const char *s, size_t n)
{
	if (n > r->http_cap - r->http_len)
		n = r->http_cap - r->http_len;
	memcpy(r->http + r->http_len, s, n);
	r->http_len += n;
}

static void puts_(vt_mreader *r, const char *s) { put(r, s, strlen(s)); }

/* "www_authenticate" -> "Www-Authenticate" */
static void header_name(vt_mreader *r, const char *k)
{
	char n[128];
	size_t i = 0;
	for (; k[i] && i + 1 < sizeof(n); i++) {
		char c = k[i] == '_' ? '-' : k[i];
		if ((i == 0 || n[i - 1] == '-') && c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		n[i] = c;
	}
	n[i] = '\0';
	puts_(r, n);
}

static void http_headers(vt_mreader *r, vt_jref h)
{
	const vt_json *j = r->j;
	for (vt_jref m = vt_json_first(j, h); m != VT_JNONE; m = vt_json_next(j, m)) {
		const char *k = vt_json_key(j, m, NULL);
		if (!k || !strcmp(k, "unknown"))
			continue;
		vt_jref v = vt_json_type(j, m) == VT_JARR ? vt_json_first(j, m) : m;
		for (; v != VT_JNONE; v = vt_json_type(j, m) == VT_JARR ? vt_json_next(j, v) : VT_JNONE) {
			size_t vl;
			const char *s = vt_json_string(j, v, &vl);
			if (!s)
				continue;
			header_name(r, k);
			puts_(r, ": ");
			put(r, s, vl);
			puts_(r, "\r\n");
		}
	}
}

static void zgrab_cert(const vt_json *j, vt_jref hs, vt_banner *b)
{
	vt_jref cert = vt_json_path(j, hs, "server_certificates.certificate");
	b->tls_subject = str(j, cert, "parsed.subject_dn");
	b->tls_issuer = str(j, cert, "parsed.issuer_dn");
	b->tls_sha256 = str(j, cert, "parsed.fingerprint_sha256");
	if (!b->tls_subject && (b->tls_issuer || b->tls_sha256))
		b->tls_subject = "";
}

static int zgrab_http(vt_mreader *r, vt_jref res, vt_mrec *rec)
{
	const vt_json *j = r->j;
	vt_jref resp = vt_json_get(j, res, "response");
	const char *proto = str(j, resp, "protocol.name");
	const char *status = str(j, resp, "status_line");
	size_t bl = 0;
	const char *body = vt_json_string(j, vt_json_get(j, resp, "body"), &bl);
	if (!status)
		return -1;
	r->http_len = 0;
	puts_(r, proto ? proto : "HTTP/1.1");
	puts_(r, " ");
	puts_(r, status);
	puts_(r, "\r\n");
	http_headers(r, vt_json_get(j, resp, "headers"));
	puts_(r, "\r\n");
	if (body)
		put(r, body, bl);
	rec->b.data = (const uint8_t *)r->http;
	rec->b.len = r->http_len;
	rec->b.probe = "GetRequest";
	const char *scheme = str(j, resp, "request.url.scheme");
	if (scheme && !strcmp(scheme, "https")) {
		rec->b.port = 443;
		zgrab_cert(j, vt_json_path(j, resp, "request.tls_log.handshake_log"),
			   &rec->b);
	}
	return 0;
}

/* Fills rec from one module; -1 when it has no banner. */
static int zgrab_module(vt_mreader *r, vt_jref mod, const char *name,
			vt_mrec *rec)
{
	const vt_json *j = r->j;
	vt_jref res = vt_json_get(j, mod, "result");
	const char *p = str(j, mod, "protocol");
	const char *kind = p ? p : name;
	size_t n;
	const char *s = NULL;
	rec->module = name;
	rec->b.probe = "NULL";
	if (!strcmp(kind, "ftp") || !strcmp(kind, "telnet")) {
		rec->b.port = kind[0] == 'f' ? 21 : 23;
		s = vt_json_string(j, vt_json_get(j, res, "banner"), &n);
	} else if (!strcmp(kind, "ssh")) {
		rec->b.port = 22;
		s = vt_json_string(j, vt_json_path(j, res, "server_id.raw"), &n);
	} else if (!strcmp(kind, "http")) {
		rec->b.port = 80;
		return zgrab_http(r, res, rec);
	} else if (!strcmp(kind, "tls")) {
		rec->b.port = 443;
		rec->b.probe = NULL;
		zgrab_cert(j, vt_json_get(j, res, "handshake_log"), &rec->b);
		return rec->b.tls_subject ? 0 : -1;
	}
	if (!s)
		return -1;
	if (n > VT_MATCH_MAX_BANNER)
		n = VT_MATCH_MAX_BANNER;
	memcpy(r->bytes, s, n);
	/* server_id.raw lacks the line end the protocol sends. */
	if (!strcmp(kind, "ssh") && n + 2 <= VT_MATCH_MAX_BANNER) {
		r->bytes[n++] = '\r';
		r->bytes[n++] = '\n';
	}
	rec->b.data = r->bytes;
	rec->b.len = n;
	return 0;
}

static int zgrab(vt_mreader *r, vt_mrec *base, vt_jref data,
		 void (*fn)(const vt_mrec *, void *), void *user, char *why,
		 size_t cap)
{
	const vt_json *j = r->j;
	int64_t port = -1;
	int any = 0;
	vt_json_int(j, vt_json_get(j, vt_json_root(j), "port"), 0, 65535, &port);
	for (vt_jref m = vt_json_first(j, data); m != VT_JNONE; m = vt_json_next(j, m)) {
		vt_mrec rec = *base;
		rec.b.proto = VT_PROTO_TCP;
		if (zgrab_module(r, m, vt_json_key(j, m, NULL), &rec))
			continue;
		if (port >= 0)
			rec.b.port = (unsigned)port;
		fn(&rec, user);
		any = 1;
	}
	return any ? 1 : WHY("no ftp, ssh, telnet, http or tls banner in the ZGrab2 record");
}

int vt_mreader_next(vt_mreader *r, FILE *in,
		    void (*fn)(const vt_mrec *rec, void *user), void *user,
		    char *why, size_t cap)
{
	size_t len;
	for (;;) {
		int rl = read_line(r, in, &len);
		if (rl == 0)
			return 0;
		r->lineno++;
		if (rl < 0)
			return WHY("line longer than %u bytes", VT_MATCH_MAX_LINE);
		size_t i = 0;
		while (i < len && (r->line[i] == ' ' || r->line[i] == '\t'))
			i++;
		if (i < len)
			break;
	}
	if (vt_json_parse(r->j, (const uint8_t *)r->line, len) != VT_OK)
		return WHY("not JSON: %s", vt_json_error(r->j));
	vt_jref root = vt_json_root(r->j);
	if (vt_json_type(r->j, root) != VT_JOBJ)
		return WHY("not a JSON object");
	vt_mrec rec;
	memset(&rec, 0, sizeof(rec));
	rec.line = r->lineno;
	vt_jref data = vt_json_get(r->j, root, "data");
	if (vt_json_type(r->j, data) == VT_JOBJ &&
	    vt_json_get(r->j, root, "banner") == VT_JNONE &&
	    vt_json_get(r->j, root, "banner_b64") == VT_JNONE) {
		rec.ip = str(r->j, root, "ip");
		return zgrab(r, &rec, data, fn, user, why, cap);
	}
	if (ours(r, &rec, why, cap))
		return -1;
	fn(&rec, user);
	return 1;
}
