/*
 * masscan's text outputs (masscan src/out-json.c, out-ndjson.c,
 * out-text.c, out-grepable.c):
 *   -oJ  an array, one record a line, separated by lines holding ",":
 *        {ip, timestamp ("1795627062", a quoted string), ports: [{port,
 *        proto, status, reason, ttl} | {port, proto, service: {name,
 *        banner}}]}; older versions end records with "," instead, and
 *        may close with {finished: 1};
 *   -oD  one object a line: {ip, timestamp, port, proto, rec_type:
 *        "status" | "banner", data: {status, reason, ttl} | {service_name,
 *        banner}};
 *   -oL  "#masscan", then "open tcp 80 1.2.3.4 1795627062" and "banner
 *        tcp 80 1.2.3.4 1795627068 http <text>" lines;
 *   -oG  "# Masscan ..." then "Timestamp: T\tHost: IP ()\tPorts:
 *        80/open/tcp//http//" and "...\tPort: 80\tService: http\tBanner:
 *        <text>" lines.
 * Banners: JSON forms write every byte outside printable ASCII as
 * \u00XX (mapped back to one byte here); text forms as \xNN. masscan
 * truncates banners silently. Its "title", "ssl" and "X509" services are
 * summaries, not response bytes: they become labels.
 */
#include <stdio.h>
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"

/* Services whose "banner" is masscan's own summary. */
static int summary_service(const char *name)
{
	static const char *const s[] = {"title", "ssl", "X509", "X509CA",
					"http.server", NULL};
	for (int i = 0; name && s[i]; i++)
		if (!strcmp(name, s[i]))
			return 1;
	return 0;
}

/* A banner of service name, from the JSON text (code points <= 0xff are
 * the bytes). */
static void banner(imp_ctx *c, const char *name, const char *text, size_t n)
{
	if (!text)
		return;
	if (summary_service(name)) {
		imp_label(&c->o, "masscan_service", "%s: %.*s", name,
			  (int)(n > 200 ? 200 : n), text);
		return;
	}
	if (name && *name)
		imp_label(&c->o, "masscan_service", "%s", name);
	if (n > IMP_MAX_BANNER * 2)
		n = IMP_MAX_BANNER * 2;
	size_t k = n > IMP_MAX_BANNER ? IMP_MAX_BANNER : n;
	memcpy(c->buf, text, k);
	k = imp_latin1(c->buf, k);
	imp_obs_banner(c, c->buf, k);
	c->o.probe = name && !strcmp(name, "http") ? "GetRequest" : "NULL";
}

static int host(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	imp_obs_reset(c, vt_imp_src_lineno(c->src));
	if (imp_obs_ip(&c->o, imp_jstr(j, root, "ip")))
		return imp_why(c, "\"ip\" is not an IPv4 or IPv6 address");
	c->o.seen_us = imp_json_time(j, vt_json_get(j, root, "timestamp"));
	return 0;
}

static int port_of(imp_ctx *c, vt_jref obj)
{
	int64_t port;
	const char *proto = imp_jstr(c->j, obj, "proto");
	if (imp_json_uint(c->j, vt_json_get(c->j, obj, "port"), 65535, &port) ||
	    imp_obs_port(&c->o, proto, port))
		return imp_why(c, "\"port\"/\"proto\" missing or invalid");
	return 0;
}

static int json_rec(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	if (vt_json_get(j, root, "finished") != VT_JNONE &&
	    vt_json_get(j, root, "ip") == VT_JNONE)
		return 0; /* masscan 1.0's closing record */
	vt_jref ports = vt_json_get(j, root, "ports");
	if (host(c, root))
		return -1;
	if (vt_json_type(j, ports) != VT_JARR || !vt_json_count(j, ports))
		return imp_why(c, "no \"ports\" array");
	vt_imp_obs base = c->o;
	for (vt_jref p = vt_json_first(j, ports); p != VT_JNONE;
	     p = vt_json_next(j, p)) {
		c->o = base;
		if (port_of(c, p))
			return -1;
		vt_jref svc = vt_json_get(j, p, "service");
		if (vt_json_type(j, svc) == VT_JOBJ) {
			size_t n = 0;
			const char *b = vt_json_string(j, vt_json_get(j, svc, "banner"), &n);
			c->o.open = 1; /* a banner came from an open port */
			banner(c, imp_jstr(j, svc, "name"), b, n);
		} else {
			const char *st = imp_jstr(j, p, "status");
			c->o.open = st && !strcmp(st, "open");
		}
		if (imp_emit(c))
			return 0;
	}
	return 0;
}

/* -oJ lines: drop the separators and the array brackets. */
static int json_prep(char **line, size_t *len)
{
	char *s = *line;
	size_t n = *len;
	while (n && (*s == ',' || *s == ' ' || *s == '\t' || *s == '[')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ',' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
		     s[n - 1] == ']'))
		n--;
	/* masscan 1.0 closed the array with "{finished: 1}" (not JSON). */
	if (n >= 9 && !strncmp(s, "{finished", 9))
		return 0;
	/* "]" alone, or a "[" line; a record keeps its own "]" inside. */
	if (n && s[n - 1] == '}' ) {
		*line = s;
		*len = n;
		s[n] = '\0';
		return 1;
	}
	if (n == 0)
		return 0;
	/* Anything else is a record we cannot read: let the parser say so. */
	*line = s;
	*len = n;
	return 1;
}

int vt_imp_read_masscan_json(imp_ctx *c)
{
	return imp_json_lines(c, json_rec, json_prep);
}

static int ndjson_rec(imp_ctx *c, vt_jref root)
{
	const vt_json *j = c->j;
	const char *type = imp_jstr(j, root, "rec_type");
	vt_jref data = vt_json_get(j, root, "data");
	if (host(c, root) || port_of(c, root))
		return -1;
	if (!type || vt_json_type(j, data) != VT_JOBJ)
		return imp_why(c, "no \"rec_type\" or \"data\" object");
	if (!strcmp(type, "banner")) {
		size_t n = 0;
		const char *b = vt_json_string(j, vt_json_get(j, data, "banner"), &n);
		c->o.open = 1;
		banner(c, imp_jstr(j, data, "service_name"), b, n);
	} else if (!strcmp(type, "status")) {
		const char *st = imp_jstr(j, data, "status");
		c->o.open = st && !strcmp(st, "open");
	} else {
		return imp_why(c, "unknown \"rec_type\"");
	}
	imp_emit(c);
	return 0;
}

int vt_imp_read_masscan_ndjson(imp_ctx *c)
{
	return imp_json_lines(c, ndjson_rec, NULL);
}

/* --- -oL and -oG --- */

/* Splits s at the first of seps (NUL-terminating the word); the rest. */
static char *word(char **s, const char *seps)
{
	char *w = *s;
	size_t n = strcspn(w, seps);
	*s = w + n + (w[n] != '\0');
	w[n] = '\0';
	return w;
}

static int uint_word(const char *w, int64_t max, int64_t *out)
{
	size_t n = strlen(w);
	if (!n || n > 11 || strspn(w, "0123456789") != n)
		return -1;
	int64_t v = 0;
	for (; *w; w++)
		v = v * 10 + (*w - '0');
	*out = v;
	return v <= max ? 0 : -1;
}

/* "\xNN" escapes of the text forms back to bytes, into c->buf. */
static void text_banner(imp_ctx *c, const char *s)
{
	size_t o = 0;
	size_t one;
	for (size_t i = 0; s[i] && o < IMP_MAX_BANNER; i++) {
		if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] && s[i + 3] &&
		    imp_hex_decode(s + i + 2, 2, c->buf + o, 1, &one) == VT_OK) {
			o++;
			i += 3;
			continue;
		}
		c->buf[o++] = (uint8_t)s[i];
	}
	imp_obs_banner(c, c->buf, o);
}

/* open|closed|banner PROTO PORT IP TIME [SERVICE TEXT] */
static int list_line(imp_ctx *c, char *s)
{
	char *kind = word(&s, " "), *proto = word(&s, " "), *port = word(&s, " ");
	char *ip = word(&s, " "), *ts = word(&s, " ");
	int64_t p;
	if (strcmp(kind, "open") && strcmp(kind, "closed") && strcmp(kind, "banner"))
		return imp_why(c, "unknown record kind \"%.20s\"", kind);
	if (uint_word(port, 65535, &p) || imp_obs_port(&c->o, proto, p))
		return imp_why(c, "bad protocol or port");
	if (imp_obs_ip(&c->o, ip))
		return imp_why(c, "bad address");
	c->o.seen_us = imp_time_us(ts);
	c->o.open = strcmp(kind, "closed") != 0;
	if (!strcmp(kind, "banner")) {
		char *svc = word(&s, " ");
		if (summary_service(svc)) {
			imp_label(&c->o, "masscan_service", "%s: %.200s", svc, s);
		} else {
			imp_label(&c->o, "masscan_service", "%s", svc);
			text_banner(c, s);
			c->o.probe = !strcmp(svc, "http") ? "GetRequest" : "NULL";
		}
	}
	return 0;
}

/* The fields of a grepable line: "Key: value" separated by tabs. */
static const char *gfield(char *const *f, int n, const char *key)
{
	size_t k = strlen(key);
	for (int i = 0; i < n; i++)
		if (!strncmp(f[i], key, k) && f[i][k] == ':' && f[i][k + 1] == ' ')
			return f[i] + k + 2;
	return NULL;
}

static int grep_line(imp_ctx *c, char *s)
{
	char *f[8];
	int n = 0;
	while (*s && n < 8)
		f[n++] = word(&s, "\t");
	const char *h = gfield(f, n, "Host"), *ports = gfield(f, n, "Ports");
	const char *port = gfield(f, n, "Port");
	char ipbuf[64];
	if (!h)
		return imp_why(c, "no \"Host:\" field");
	snprintf(ipbuf, sizeof(ipbuf), "%.*s", (int)strcspn(h, " "), h);
	if (imp_obs_ip(&c->o, ipbuf))
		return imp_why(c, "bad address");
	c->o.seen_us = imp_time_us(gfield(f, n, "Timestamp"));
	int64_t p;
	char spec[128], *q = spec;
	if (ports) { /* 80/open/tcp//http// */
		snprintf(spec, sizeof(spec), "%s", ports);
		char *pn = word(&q, "/"), *state = word(&q, "/"), *proto = word(&q, "/");
		if (uint_word(pn, 65535, &p) || imp_obs_port(&c->o, proto, p))
			return imp_why(c, "bad \"Ports:\" field");
		c->o.open = !strcmp(state, "open");
		return 0;
	}
	const char *svc = gfield(f, n, "Service"), *b = gfield(f, n, "Banner");
	if (!port || uint_word(port, 65535, &p) || imp_obs_port(&c->o, "tcp", p))
		return imp_why(c, "no \"Ports:\" or \"Port:\" field");
	c->o.open = 1;
	if (svc && summary_service(svc)) {
		imp_label(&c->o, "masscan_service", "%s: %.200s", svc, b ? b : "");
	} else if (b) {
		if (svc)
			imp_label(&c->o, "masscan_service", "%s", svc);
		text_banner(c, b);
		c->o.probe = svc && !strcmp(svc, "http") ? "GetRequest" : "NULL";
	}
	return 0;
}

int vt_imp_read_masscan_list(imp_ctx *c)
{
	char *line;
	size_t len;
	int rc;
	while (!c->stop && (rc = vt_imp_src_line(c->src, &line, &len)) != 0) {
		uint64_t ln = vt_imp_src_lineno(c->src);
		if (rc < 0)
			return rc;
		if (rc == 1 && (!len || line[0] == '#'))
			continue; /* headers, comments, blank lines */
		c->st->records++;
		c->bad[0] = '\0';
		imp_obs_reset(c, ln);
		int grepable = rc == 1 && strstr(line, "Host: ") != NULL;
		if (rc == 2)
			imp_why(c, "line longer than %u bytes", VT_IMPORT_MAX_LINE);
		if (rc == 2 || (grepable ? grep_line(c, line) : list_line(c, line)))
			imp_bad(c, ln);
		else
			imp_emit(c);
	}
	return c->stop;
}
