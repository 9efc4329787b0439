/*
 * Helpers every importer uses: building and emitting observations, the
 * malformed-record report, times (epoch seconds or ISO 8601), the byte
 * encodings scanners put banners in (masscan's \u00XX code points, hex),
 * and the JSON Lines loop shared by the JSON formats.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "imp_int.h"
#include "vantage/error.h"

void imp_obs_reset(imp_ctx *c, uint64_t line)
{
	vt_imp_obs *o = &c->o;
	memset(o, 0, offsetof(vt_imp_obs, labels));
	o->n_labels = 0;
	o->labels_dropped = 0;
	o->line = line;
}

int imp_obs_ip(vt_imp_obs *o, const char *s)
{
	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, o->ip) == 1)
		o->ipver = 4;
	else if (inet_pton(AF_INET6, s, o->ip) == 1)
		o->ipver = 6;
	else
		return -1;
	inet_ntop(o->ipver == 4 ? AF_INET : AF_INET6, o->ip, o->ip_txt,
		  sizeof(o->ip_txt));
	return 0;
}

int imp_obs_port(vt_imp_obs *o, const char *proto, int64_t port)
{
	if (port < 0 || port > 65535)
		return -1;
	if (!proto || !strcmp(proto, "tcp") || !strcmp(proto, "TCP"))
		o->proto = 6;
	else if (!strcmp(proto, "udp") || !strcmp(proto, "UDP"))
		o->proto = 17;
	else
		return -1;
	o->port = (uint16_t)port;
	o->has_port = 1;
	return 0;
}

void imp_label(vt_imp_obs *o, const char *signal, const char *fmt, ...)
{
	if (o->n_labels >= VT_IMP_MAX_LABELS) {
		o->labels_dropped++;
		return;
	}
	vt_imp_label *l = &o->labels[o->n_labels];
	size_t n = 0;
	if (o->has_port)
		n = (size_t)snprintf(l->value, sizeof(l->value), "%s/%u ",
				     o->proto == 17 ? "udp" : "tcp", o->port);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->value + n, sizeof(l->value) - n, fmt, ap);
	va_end(ap);
	if (!l->value[n])
		return; /* an empty label says nothing */
	l->signal = signal;
	o->n_labels++;
}

void imp_obs_banner(imp_ctx *c, const uint8_t *p, size_t n)
{
	if (n > IMP_MAX_BANNER)
		n = IMP_MAX_BANNER;
	if (p != c->buf)
		memmove(c->buf, p, n);
	c->o.banner = c->buf;
	c->o.banner_len = n;
}

int imp_emit(imp_ctx *c)
{
	if (c->stop)
		return c->stop;
	c->st->obs++;
	int rc = c->sink->obs ? c->sink->obs(c->sink->user, &c->o) : 0;
	if (rc)
		c->stop = rc;
	return rc;
}

void imp_bad(imp_ctx *c, uint64_t line)
{
	c->st->bad++;
	if (c->sink->bad)
		c->sink->bad(c->sink->user, line, c->bad[0] ? c->bad : "malformed");
}

int imp_why(imp_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->bad, sizeof(c->bad), fmt, ap);
	va_end(ap);
	return -1;
}

/* n digits at *s as a number; -1 if any is not a digit. */
static int num(const char **s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

static uint64_t iso_us(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int y = num(&s, 4), mo = (*s == '-') ? (s++, num(&s, 2)) : -1;
	int d = (*s == '-') ? (s++, num(&s, 2)) : -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    (*s != 'T' && *s != ' '))
		return 0;
	s++;
	int h = num(&s, 2), mi = (*s == ':') ? (s++, num(&s, 2)) : -1;
	int sec = (*s == ':') ? (s++, num(&s, 2)) : -1;
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return 0;
	uint64_t frac = 0, scale = 1000000;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*s - '0') * scale;
			}
	long off = 0;
	if (*s == '+' || *s == '-') {
		int sign = *s++ == '-' ? -1 : 1;
		int oh = num(&s, 2);
		if (*s == ':')
			s++;
		int om = num(&s, 2);
		if (oh < 0 || om < 0)
			return 0;
		off = sign * (oh * 3600L + om * 60L);
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm) - off;
	return t > 0 ? (uint64_t)t * 1000000u + frac : 0;
}

uint64_t imp_time_us(const char *s)
{
	if (!s)
		return 0;
	size_t n = strspn(s, "0123456789");
	if (n && n <= 11 && (s[n] == '\0' || s[n] == '.')) {
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		return v * 1000000u;
	}
	return n == 4 ? iso_us(s) : 0;
}

uint64_t imp_json_time(const vt_json *j, vt_jref r)
{
	int64_t v;
	if (vt_json_int(j, r, 1, 99999999999LL, &v) == VT_OK)
		return (uint64_t)v * 1000000u;
	return imp_time_us(vt_json_string(j, r, NULL));
}

int imp_json_uint(const vt_json *j, vt_jref r, int64_t max, int64_t *out)
{
	if (vt_json_int(j, r, 0, max, out) == VT_OK)
		return 0;
	const char *s = vt_json_string(j, r, NULL);
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 12)
		return -1;
	int64_t v = 0;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

const char *imp_jstr(const vt_json *j, vt_jref o, const char *path)
{
	return vt_json_string(j, vt_json_path(j, o, path), NULL);
}

size_t imp_latin1(uint8_t *p, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] == 0xc2 || p[i] == 0xc3) && i + 1 < n &&
		    (p[i + 1] & 0xc0) == 0x80) {
			p[o++] = (uint8_t)((p[i] & 0x03) << 6 | (p[i + 1] & 0x3f));
			i++;
		} else {
			p[o++] = p[i];
		}
	}
	return o;
}

static int hexv(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

int imp_hex_decode(const char *s, size_t n, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	if (n % 2)
		return VT_EFORMAT;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexv(s[i]), lo = hexv(s[i + 1]);
		if (hi < 0 || lo < 0)
			return VT_EFORMAT;
		if (o >= cap)
			return VT_EFULL;
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = o;
	return VT_OK;
}

int imp_json_lines(imp_ctx *c, int (*rec)(imp_ctx *c, vt_jref root),
		   int (*prep)(char **line, size_t *len))
{
	char *line;
	size_t len;
	int rc;
	while (!c->stop && (rc = vt_imp_src_line(c->src, &line, &len)) != 0) {
		uint64_t ln = vt_imp_src_lineno(c->src);
		if (rc < 0)
			return rc;
		c->bad[0] = '\0';
		if (rc == 2) {
			c->st->records++;
			imp_why(c, "line longer than %u bytes", VT_IMPORT_MAX_LINE);
			imp_bad(c, ln);
			continue;
		}
		if (len == strspn(line, " \t\r"))
			continue;
		if (prep && !prep(&line, &len))
			continue;
		c->st->records++;
		if (vt_json_parse(c->j, (const uint8_t *)line, len) != VT_OK) {
			imp_why(c, "not JSON: %s", vt_json_error(c->j));
			imp_bad(c, ln);
			continue;
		}
		vt_jref root = vt_json_root(c->j);
		if (vt_json_type(c->j, root) != VT_JOBJ) {
			imp_why(c, "not a JSON object");
			imp_bad(c, ln);
			continue;
		}
		if (rec(c, root) < 0)
			imp_bad(c, ln);
	}
	return c->stop;
}

void imp_http_reset(imp_ctx *c) { c->http_len = 0; }

void imp_http_put(imp_ctx *c, const char *s, size_t n)
{
	if (n > IMP_MAX_BANNER - c->http_len)
		n = IMP_MAX_BANNER - c->http_len;
	memcpy(c->http + c->http_len, s, n);
	c->http_len += n;
}

void imp_http_puts(imp_ctx *c, const char *s) { imp_http_put(c, s, strlen(s)); }

/* "content_type" or "Content_Type" -> "Content-Type". */
static void header_name(imp_ctx *c, const char *k, size_t kl)
{
	char n[128];
	size_t i = 0;
	for (; i < kl && i + 1 < sizeof(n); i++) {
		char ch = k[i] == '_' ? '-' : k[i];
		if ((i == 0 || n[i - 1] == '-') && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		n[i] = ch;
	}
	imp_http_put(c, n, i);
}

static void header_values(imp_ctx *c, const char *k, size_t kl, vt_jref v)
{
	const vt_json *j = c->j;
	int arr = vt_json_type(j, v) == VT_JARR;
	for (vt_jref e = arr ? vt_json_first(j, v) : v; e != VT_JNONE;
	     e = arr ? vt_json_next(j, e) : VT_JNONE) {
		size_t vl;
		const char *s = vt_json_string(j, e, &vl);
		if (!s)
			continue;
		header_name(c, k, kl);
		imp_http_puts(c, ": ");
		imp_http_put(c, s, vl);
		imp_http_puts(c, "\r\n");
	}
}

void imp_http_response(imp_ctx *c, const char *proto, int64_t code,
		       const char *status, vt_jref headers, const char *body,
		       size_t body_len)
{
	const vt_json *j = c->j;
	char line[64];
	imp_http_reset(c);
	imp_http_puts(c, proto ? proto : "HTTP/1.1");
	imp_http_puts(c, " ");
	if (status) {
		imp_http_puts(c, status);
	} else {
		snprintf(line, sizeof(line), "%lld", (long long)code);
		imp_http_puts(c, line);
	}
	imp_http_puts(c, "\r\n");
	for (vt_jref m = vt_json_first(j, headers); m != VT_JNONE;
	     m = vt_json_next(j, m)) {
		size_t kl;
		const char *k = vt_json_key(j, m, &kl);
		if (!k || !kl || k[0] == '_')
			continue;
		if (strcmp(k, "unknown") || vt_json_type(j, m) != VT_JARR) {
			header_values(c, k, kl, m);
			continue;
		}
		for (vt_jref u = vt_json_first(j, m); u != VT_JNONE;
		     u = vt_json_next(j, u)) {
			const char *uk = imp_jstr(j, u, "key");
			if (uk)
				header_values(c, uk, strlen(uk), vt_json_get(j, u, "value"));
		}
	}
	imp_http_puts(c, "\r\n");
	if (body)
		imp_http_put(c, body, body_len);
	c->o.banner = (const uint8_t *)c->http;
	c->o.banner_len = c->http_len;
	c->o.probe = "GetRequest";
}

int imp_zgrab_cert(imp_ctx *c, vt_jref cert)
{
	const vt_json *j = c->j;
	vt_jref p = vt_json_get(j, cert, "parsed");
	const char *subj = imp_jstr(j, p, "subject_dn");
	const char *iss = imp_jstr(j, p, "issuer_dn");
	const char *fp = imp_jstr(j, p, "fingerprint_sha256");
	if (!subj && !iss && !fp)
		return 0;
	c->o.tls_subject = subj ? subj : "";
	c->o.tls_issuer = iss;
	c->o.tls_sha256 = fp;
	return 1;
}
