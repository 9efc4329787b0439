/*
 * Nmap XML (nmap.dtd) and masscan -oX, streamed through expat in chunks,
 * so a file of any size takes bounded memory. Entity declarations stop
 * the parser (no expansion, no external entities). One <host> is one
 * record: its <address> (ipv4/ipv6; a mac becomes a label), <hostnames>,
 * <ports>/<port protocol portid>/<state state>, <service name product
 * version extrainfo ostype devicetype method conf tunnel servicefp>/<cpe>
 * (masscan: <service name banner>, the banner with \xNN escapes), the
 * banner script's output, the ssl-cert script's subject, issuer and PEM
 * (hashed for its SHA-256), and <os>/<osmatch name>. Each port is handed
 * on when it closes; the host's own labels when </host> closes. A killed
 * run's file lacks its closing tags: every closed host was delivered (and
 * the closed <port>s of the host being written, which are as complete as
 * any), the cut host is not counted as a record, and the read ends with
 * VT_ETRUNC. Nmap's service guesses from its port table
 * (method="table") are kept apart as nmap_service_guess.
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "vantage/error.h"
#include "vantage/json.h"
#include "vantage/sha256.h"

#define TEXT_CAP (64u << 10)
#define MAX_TOKEN (8u << 20) /* bytes fed without an element event */
#define CHUNK (256u << 10)
#define DN_CAP 512

enum script { SC_NONE, SC_BANNER, SC_CERT };

typedef struct xstate {
	imp_ctx *c;
	XML_Parser p;
	int masscan;          /* scanner="masscan" */
	int depth_run;        /* inside <nmaprun> */
	int in_host, in_port, in_service;
	uint64_t host_line;
	uint64_t run_start_us;
	vt_imp_obs host;      /* the host's address, time and labels */
	int host_ok;          /* an address was read */
	int port_bad;         /* the port element is malformed */
	int os_done;
	enum script script;
	int table;            /* 1 subject, 2 issuer, inside ssl-cert */
	char elem_key[32];
	int collect;          /* collecting character data into text */
	char *text;
	size_t text_len;
	char subject[DN_CAP], issuer[DN_CAP], sha256[65];
	int refused;          /* an entity declaration was refused */
	size_t quiet;         /* bytes fed since the last element or text */
} xstate;

static const char *attr(const XML_Char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (!strcmp(a[0], name))
			return a[1];
	return NULL;
}

static int64_t attr_uint(const XML_Char **a, const char *name, int64_t max)
{
	const char *v = attr(a, name);
	if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 12)
		return -1;
	int64_t n = 0;
	for (; *v; v++)
		n = n * 10 + (*v - '0');
	return n <= max ? n : -1;
}

static void host_start(xstate *x, const XML_Char **a)
{
	imp_ctx *c = x->c;
	x->in_host = 1;
	x->host_ok = 0;
	x->os_done = 0;
	x->host_line = (uint64_t)XML_GetCurrentLineNumber(x->p);
	c->st->records++;
	imp_obs_reset(c, x->host_line);
	int64_t t = attr_uint(a, "starttime", 99999999999LL);
	if (t < 0)
		t = attr_uint(a, "endtime", 99999999999LL);
	c->o.seen_us = t > 0 ? (uint64_t)t * 1000000u : x->run_start_us;
	x->host = c->o;
}

static void address(xstate *x, const XML_Char **a)
{
	const char *type = attr(a, "addrtype"), *addr = attr(a, "addr");
	if (!type || !addr)
		return;
	if (!strcmp(type, "mac")) {
		const char *v = attr(a, "vendor");
		imp_label(&x->host, "nmap_mac", "%s%s%s", addr, v ? " " : "",
			  v ? v : "");
	} else if (!x->host_ok && !imp_obs_ip(&x->host, addr)) {
		x->host_ok = 1;
	}
}

static void port_start(xstate *x, const XML_Char **a)
{
	imp_ctx *c = x->c;
	x->in_port = 1;
	x->port_bad = 0;
	c->o = x->host;
	c->o.n_labels = 0; /* the host's labels go out with the host */
	c->o.labels_dropped = 0;
	c->o.line = (uint64_t)XML_GetCurrentLineNumber(x->p);
	x->subject[0] = x->issuer[0] = x->sha256[0] = '\0';
	int64_t port = attr_uint(a, "portid", 65535);
	if (port < 0 || imp_obs_port(&c->o, attr(a, "protocol"), port)) {
		x->port_bad = 1;
		imp_why(c, "<port>: bad protocol or portid");
	}
}

/* masscan's banner attribute: \xNN escapes, other bytes as they are. */
static void masscan_banner(imp_ctx *c, const char *s)
{
	size_t o = 0, one;
	for (size_t i = 0; s[i] && o < IMP_MAX_BANNER; i++) {
		if (s[i] == '\\' && s[i + 1] == 'x' && s[i + 2] && s[i + 3] &&
		    imp_hex_decode(s + i + 2, 2, c->buf + o, 1, &one) == VT_OK) {
			o++;
			i += 3;
		} else {
			c->buf[o++] = (uint8_t)s[i];
		}
	}
	imp_obs_banner(c, c->buf, o);
}

/* Nmap's servicefp: the first response r(Probe,hexlen,"escaped"). */
static void servicefp(imp_ctx *c, const char *fp)
{
	static char probe[40];
	const char *r = strstr(fp, "%r(");
	if (!r)
		return;
	r += 3;
	size_t pn = strcspn(r, ",");
	if (pn == 0 || pn >= sizeof(probe) || r[pn] != ',')
		return;
	memcpy(probe, r, pn);
	probe[pn] = '\0';
	const char *q = strchr(r + pn + 1, ',');
	if (!q || q[1] != '"')
		return;
	size_t o = 0, one;
	for (q += 2; *q && *q != '"' && o < IMP_MAX_BANNER; q++) {
		if (*q == '\\' && q[1] == 'x' && q[2] && q[3] &&
		    imp_hex_decode(q + 2, 2, c->buf + o, 1, &one) == VT_OK) {
			o++;
			q += 3;
		} else if (*q == '\\' && q[1]) {
			static const char from[] = "rnt0", to[] = "\r\n\t";
			const char *m = strchr(from, q[1]);
			c->buf[o++] = m ? (uint8_t)to[m - from] : (uint8_t)q[1];
			q++;
		} else {
			c->buf[o++] = (uint8_t)*q;
		}
	}
	imp_obs_banner(c, c->buf, o);
	c->o.probe = probe;
}

static void service(xstate *x, const XML_Char **a)
{
	imp_ctx *c = x->c;
	vt_imp_obs *o = &c->o;
	const char *name = attr(a, "name"), *method = attr(a, "method");
	const char *prod = attr(a, "product"), *ver = attr(a, "version");
	const char *extra = attr(a, "extrainfo"), *tunnel = attr(a, "tunnel");
	x->in_service = 1;
	if (x->masscan) {
		const char *b = attr(a, "banner");
		if (b && name && (!strcmp(name, "title") || !strcmp(name, "ssl") ||
				  !strncmp(name, "X509", 4))) {
			imp_label(o, "masscan_service", "%s: %.200s", name, b);
			return;
		}
		if (name)
			imp_label(o, "masscan_service", "%s", name);
		if (b) {
			masscan_banner(c, b);
			o->probe = name && !strcmp(name, "http") ? "GetRequest" : "NULL";
		}
		return;
	}
	if (name)
		imp_label(o, method && !strcmp(method, "table") ? "nmap_service_guess"
							    : "nmap_service",
			  "%s%s%s", tunnel ? tunnel : "", tunnel ? "/" : "", name);
	if (prod)
		imp_label(o, "nmap_product", "%s%s%s%s%s%s", prod, ver ? " " : "",
			  ver ? ver : "", extra ? " (" : "", extra ? extra : "",
			  extra ? ")" : "");
	if (attr(a, "devicetype"))
		imp_label(o, "nmap_devicetype", "%s", attr(a, "devicetype"));
	if (attr(a, "ostype"))
		imp_label(o, "nmap_ostype", "%s", attr(a, "ostype"));
	if (attr(a, "servicefp"))
		servicefp(c, attr(a, "servicefp"));
}

static void script_start(xstate *x, const XML_Char **a)
{
	const char *id = attr(a, "id"), *out = attr(a, "output");
	x->script = SC_NONE;
	if (!id)
		return;
	if (!strcmp(id, "banner") && out && !x->c->o.banner) {
		x->script = SC_BANNER;
		masscan_banner(x->c, out); /* the banner script escapes as \xNN */
		x->c->o.probe = "NULL";
	} else if (!strcmp(id, "ssl-cert")) {
		x->script = SC_CERT;
	}
}

static void text_start(xstate *x)
{
	x->collect = 1;
	x->text_len = 0;
}

static void start(void *u, const XML_Char *el, const XML_Char **a)
{
	xstate *x = u;
	x->quiet = 0;
	if (x->c->stop)
		return;
	if (!strcmp(el, "nmaprun")) {
		const char *s = attr(a, "scanner");
		x->masscan = s && !strcmp(s, "masscan");
		x->depth_run = 1;
		int64_t t = attr_uint(a, "start", 99999999999LL);
		x->run_start_us = t > 0 ? (uint64_t)t * 1000000u : 0;
	} else if (!strcmp(el, "host")) {
		host_start(x, a);
	} else if (!x->in_host) {
		return;
	} else if (!strcmp(el, "address")) {
		address(x, a);
	} else if (!strcmp(el, "hostname") && attr(a, "name")) {
		imp_label(&x->host, "nmap_hostname", "%s", attr(a, "name"));
	} else if (!strcmp(el, "osmatch") && !x->os_done && attr(a, "name")) {
		imp_label(&x->host, "nmap_os", "%s", attr(a, "name"));
		x->os_done = 1;
	} else if (!strcmp(el, "port")) {
		port_start(x, a);
	} else if (!x->in_port) {
		return;
	} else if (!strcmp(el, "state")) {
		const char *s = attr(a, "state");
		x->c->o.open = s && !strcmp(s, "open");
	} else if (!strcmp(el, "service")) {
		service(x, a);
	} else if (!strcmp(el, "cpe") && x->in_service) {
		text_start(x);
	} else if (!strcmp(el, "script")) {
		script_start(x, a);
	} else if (x->script == SC_CERT && !strcmp(el, "table")) {
		const char *k = attr(a, "key");
		x->table = k && !strcmp(k, "subject") ? 1 : k && !strcmp(k, "issuer") ? 2 : 0;
	} else if (x->script == SC_CERT && !strcmp(el, "elem")) {
		snprintf(x->elem_key, sizeof(x->elem_key), "%s",
			 attr(a, "key") ? attr(a, "key") : "");
		text_start(x);
	}
}

static void chars(void *u, const XML_Char *s, int len)
{
	xstate *x = u;
	x->quiet = 0; /* text is handed on as it comes: nothing piles up */
	if (!x->collect || len <= 0)
		return;
	size_t k = (size_t)len;
	if (k > TEXT_CAP - 1 - x->text_len)
		k = TEXT_CAP - 1 - x->text_len;
	memcpy(x->text + x->text_len, s, k);
	x->text_len += k;
}

/* "commonName" -> "CN", as certificate names are written. */
static const char *rdn(const char *k)
{
	static const char *const m[][2] = {
		{"commonName", "CN"}, {"organizationName", "O"},
		{"organizationalUnitName", "OU"}, {"countryName", "C"},
		{"stateOrProvinceName", "ST"}, {"localityName", "L"}};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(k, m[i][0]))
			return m[i][1];
	return k;
}

/* The SHA-256 of the certificate in a PEM text. */
static void pem_sha256(xstate *x)
{
	char *b = x->text, *e;
	size_t o = 0, der_len;
	if (!(b = strstr(b, "-----BEGIN CERTIFICATE-----")))
		return;
	b += 27;
	if (!(e = strstr(b, "-----END")))
		return;
	for (char *p = b; p < e; p++) /* base64 without line breaks, in place */
		if (*p != '\n' && *p != '\r' && *p != ' ')
			b[o++] = *p;
	uint8_t *der = (uint8_t *)x->c->http; /* free here: HTTP is not rebuilt for XML */
	if (vt_b64_decode(b, o, der, IMP_MAX_BANNER, &der_len) != VT_OK)
		return;
	vt_sha256 h;
	uint8_t d[VT_SHA256_LEN];
	vt_sha256_init(&h);
	vt_sha256_update(&h, der, der_len);
	vt_sha256_final(&h, d);
	for (int i = 0; i < VT_SHA256_LEN; i++)
		snprintf(x->sha256 + 2 * i, 3, "%02x", d[i]);
}

static void cert_elem(xstate *x)
{
	if (x->table) {
		char *dn = x->table == 1 ? x->subject : x->issuer;
		size_t n = strlen(dn);
		snprintf(dn + n, DN_CAP - n, "%s%s=%s", n ? ", " : "",
			 rdn(x->elem_key), x->text);
	} else if (!strcmp(x->elem_key, "pem")) {
		pem_sha256(x);
	}
}

static void port_end(xstate *x)
{
	imp_ctx *c = x->c;
	x->in_port = 0;
	if (x->port_bad) {
		imp_bad(c, c->o.line);
		return;
	}
	if (!x->host_ok) {
		imp_why(c, "<port> before the host's <address>");
		imp_bad(c, c->o.line);
		return;
	}
	memcpy(c->o.ip, x->host.ip, sizeof(c->o.ip));
	c->o.ipver = x->host.ipver;
	memcpy(c->o.ip_txt, x->host.ip_txt, sizeof(c->o.ip_txt));
	if (x->subject[0] || x->sha256[0]) {
		c->o.tls_subject = x->subject;
		c->o.tls_issuer = x->issuer[0] ? x->issuer : NULL;
		c->o.tls_sha256 = x->sha256[0] ? x->sha256 : NULL;
		if (!c->o.banner)
			imp_obs_banner(c, c->buf, 0); /* the certificate alone */
	}
	imp_emit(c);
}

static void end(void *u, const XML_Char *el)
{
	xstate *x = u;
	imp_ctx *c = x->c;
	x->quiet = 0;
	if (c->stop)
		return;
	if (x->collect) {
		x->text[x->text_len] = '\0';
		x->collect = 0;
		if (!strcmp(el, "cpe"))
			imp_label(&c->o, "nmap_cpe", "%s", x->text);
		else if (!strcmp(el, "elem"))
			cert_elem(x);
	}
	if (!strcmp(el, "nmaprun")) {
		x->depth_run = 0;
	} else if (!strcmp(el, "host") && x->in_host) {
		x->in_host = 0;
		if (!x->host_ok) {
			imp_why(c, "<host> without an IPv4 or IPv6 <address>");
			imp_bad(c, x->host_line);
		} else if (x->host.n_labels) {
			c->o = x->host;
			imp_emit(c);
		}
	} else if (!strcmp(el, "port") && x->in_port) {
		port_end(x);
	} else if (!strcmp(el, "service")) {
		x->in_service = 0;
	} else if (!strcmp(el, "script")) {
		x->script = SC_NONE;
	} else if (!strcmp(el, "table")) {
		x->table = 0;
	}
}

static void entity_decl(void *u, const XML_Char *name, int is_param,
			const XML_Char *value, int value_len,
			const XML_Char *base, const XML_Char *system_id,
			const XML_Char *public_id, const XML_Char *notation)
{
	xstate *x = u;
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)system_id, (void)public_id, (void)notation;
	x->refused = 1;
	XML_StopParser(x->p, XML_FALSE);
}

/* After a parse error: the file's end inside the document is a killed
 * run (VT_ETRUNC); anything else is not XML we can read on from. */
static int finish_error(xstate *x, int at_end)
{
	imp_ctx *c = x->c;
	uint64_t line = (uint64_t)XML_GetCurrentLineNumber(x->p);
	if (x->refused) {
		snprintf(c->why, c->why_cap,
			 "line %llu: entity declarations are refused",
			 (unsigned long long)line);
		return VT_EFORMAT;
	}
	if (at_end && x->depth_run) {
		snprintf(c->why, c->why_cap,
			 "line %llu: the file ends inside <nmaprun>%s (a killed "
			 "run?); the closed hosts were read",
			 (unsigned long long)line, x->in_host ? " and a <host>" : "");
		if (x->in_host)
			c->st->records--; /* the cut host is not a record */
		c->st->truncated = 1;
		return VT_ETRUNC;
	}
	snprintf(c->why, c->why_cap, "line %llu: not well-formed XML: %s",
		 (unsigned long long)line,
		 XML_ErrorString(XML_GetErrorCode(x->p)));
	return VT_EFORMAT;
}

int vt_imp_read_xml(imp_ctx *c)
{
	xstate x;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.text = malloc(TEXT_CAP);
	x.p = XML_ParserCreate(NULL);
	if (!x.text || !x.p) {
		free(x.text);
		if (x.p)
			XML_ParserFree(x.p);
		return VT_ENOMEM;
	}
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, start, end);
	XML_SetCharacterDataHandler(x.p, chars);
	XML_SetEntityDeclHandler(x.p, entity_decl);
	XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);
	int rc = VT_OK;
	for (;;) {
		size_t got;
		void *buf = XML_GetBuffer(x.p, CHUNK);
		if (!buf) {
			rc = VT_ENOMEM;
			break;
		}
		rc = vt_imp_src_read(c->src, buf, CHUNK, &got);
		if (rc) /* a stream error: what was parsed is kept */
			break;
		if (XML_ParseBuffer(x.p, (int)got, got == 0) != XML_STATUS_OK) {
			rc = c->stop ? c->stop : finish_error(&x, got == 0);
			break;
		}
		if (got == 0 || c->stop) {
			rc = c->stop;
			break;
		}
		/* expat holds a whole start tag in memory: a tag (an attribute)
		 * of endless length must not grow it without bound. */
		if ((x.quiet += got) > MAX_TOKEN) {
			snprintf(c->why, c->why_cap, "line %llu: no element ends "
				 "within %u MiB (a huge tag or attribute)",
				 (unsigned long long)XML_GetCurrentLineNumber(x.p),
				 MAX_TOKEN >> 20);
			rc = VT_EFULL;
			break;
		}
	}
	XML_ParserFree(x.p);
	free(x.text);
	return rc;
}
