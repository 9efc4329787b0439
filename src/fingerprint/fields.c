/*
 * From a response to the values Recog-schema databases match, keyed by
 * the databases' "matches" names. What a protocol's value is follows
 * Recog's conventions (and Rapid7 Sonar's, where the examples come from):
 *   HTTP/RTSP/SIP  headers (Server, WWW-Authenticate, Set-Cookie,
 *                  X-Powered-By, User-Agent), the HTML <title>, and our
 *                  "http.response" (the whole response, for CWMP rules)
 *                  and "cwmp.response" (the same, only on the TR-069
 *                  ports 7547, 4567 and 30005);
 *   SSH            ssh.banner: the identification after "SSH-x.y-";
 *   FTP/SMTP/NNTP  the reply text with each line's code removed, lines
 *                  joined by CRLF (FTP on 21/2121 or mentioning FTP, SMTP
 *                  on 25/465/587/2525 or mentioning SMTP, else both);
 *   POP3/IMAP      the greeting after "+OK " / "* OK ";
 *   Telnet         telnet_banners: telnet commands removed, trimmed;
 *   TLS            x509.subject, x509.issuer and our x509.sha256.
 * A banner whose probe names a database key is that value as it is.
 * Everything is read through the cursor; values point into the banner
 * or into the caller's scratch buffer.
 */
#include <string.h>

#include "fields.h"
#include "vantage/cursor.h"

static int add(vt_fields *f, const char *key, const uint8_t *p, size_t n)
{
	if (f->n >= VT_FIELDS_MAX || !n)
		return -1;
	f->v[f->n].key = key;
	f->v[f->n].p = p;
	f->v[f->n].len = n;
	f->n++;
	return 0;
}

/* Scratch space, or NULL when the buffer is used up. */
static uint8_t *scratch(vt_fields *f, size_t n)
{
	if (n > f->scratch_cap - f->scratch_len)
		return NULL;
	uint8_t *p = f->scratch + f->scratch_len;
	f->scratch_len += n;
	return p;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int prefix_ci(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (n < l)
		return 0;
	for (size_t i = 0; i < l; i++)
		if (lower(p[i]) != lower((uint8_t)s[i]))
			return 0;
	return 1;
}

static const uint8_t *find_ci(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	for (size_t i = 0; l <= n && i <= n - l; i++)
		if (prefix_ci(p + i, n - i, s))
			return p + i;
	return NULL;
}

/* One line (without CR LF) from c, or NULL at the end. */
static const uint8_t *line(vt_cur *c, size_t *len)
{
	if (!cur_left(c))
		return NULL;
	const uint8_t *s = cur_ptr(c);
	const uint8_t *nl = memchr(s, '\n', cur_left(c));
	size_t n = nl ? (size_t)(nl - s) : cur_left(c);
	cur_skip(c, n + (nl != NULL));
	if (n && s[n - 1] == '\r')
		n--;
	*len = n;
	return s;
}

static void trim(const uint8_t **p, size_t *n)
{
	while (*n && ((*p)[0] == ' ' || (*p)[0] == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

static void header_fields(vt_fields *f, vt_cur c, int sip)
{
	static const struct {
		const char *name, *key, *sip_key;
	} hdr[] = {
		{"server:", "http_header.server", "sip_header.server"},
		{"www-authenticate:", "http_header.wwwauth", NULL},
		{"set-cookie:", "http_header.cookie", NULL},
		{"x-powered-by:", "http_header.x-powered-by", NULL},
		{"user-agent:", NULL, "sip_header.user_agent"},
	};
	const uint8_t *l;
	size_t n;
	line(&c, &n); /* the status line */
	while ((l = line(&c, &n)) && n) {
		for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
			const char *key = sip == 1 ? hdr[i].sip_key
					: sip == 2 ? (i == 0 ? "rtsp_header.server" : NULL)
						   : hdr[i].key;
			size_t hl = strlen(hdr[i].name);
			if (!key || !prefix_ci(l, n, hdr[i].name))
				continue;
			const uint8_t *v = l + hl;
			size_t vl = n - hl;
			trim(&v, &vl);
			add(f, key, v, vl);
		}
	}
}

static void title_field(vt_fields *f, const uint8_t *p, size_t n)
{
	const uint8_t *t = find_ci(p, n, "<title");
	if (!t)
		return;
	const uint8_t *gt = memchr(t, '>', n - (size_t)(t - p));
	if (!gt)
		return;
	gt++;
	size_t rest = n - (size_t)(gt - p);
	const uint8_t *end = find_ci(gt, rest, "</title");
	size_t tl = end ? (size_t)(end - gt) : 0;
	uint8_t *o = scratch(f, tl);
	size_t m = 0;
	if (!o)
		return;
	/* Whitespace runs (newlines inside the title) become one space. */
	for (size_t i = 0; i < tl; i++) {
		uint8_t b = gt[i];
		int ws = b == ' ' || b == '\t' || b == '\r' || b == '\n';
		if (ws && (m == 0 || o[m - 1] == ' '))
			continue;
		o[m++] = ws ? ' ' : b;
	}
	while (m && o[m - 1] == ' ')
		m--;
	add(f, "html_title", o, m);
}

static void http_fields(vt_fields *f, const uint8_t *p, size_t n, int kind)
{
	vt_cur c;
	cur_init(&c, p, n);
	if (kind == 0)
		add(f, "http.response", p, n);
	header_fields(f, c, kind);
	if (kind == 0)
		title_field(f, p, n);
}

/* Reply text with the "NNN " / "NNN-" codes removed, lines joined CRLF. */
static int coded_text(vt_fields *f, const uint8_t *p, size_t n,
		      const uint8_t **out, size_t *olen)
{
	uint8_t *o = scratch(f, n);
	size_t m = 0;
	vt_cur c;
	const uint8_t *l;
	size_t ll;
	if (!o)
		return -1;
	cur_init(&c, p, n);
	while ((l = line(&c, &ll))) {
		if (ll >= 4 && l[0] >= '0' && l[0] <= '9' && l[1] >= '0' &&
		    l[1] <= '9' && l[2] >= '0' && l[2] <= '9' &&
		    (l[3] == ' ' || l[3] == '-')) {
			l += 4;
			ll -= 4;
		} else if (ll == 3) {
			continue;
		}
		if (m) {
			o[m++] = '\r';
			o[m++] = '\n';
		}
		if (!ll && !m)
			continue;
		memcpy(o + m, l, ll);
		m += ll;
	}
	*out = o;
	*olen = m;
	return m ? 0 : -1;
}

static int port_in(unsigned port, const unsigned *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == port)
			return 1;
	return 0;
}

static void coded_fields(vt_fields *f, const vt_banner *b)
{
	static const unsigned ftp[] = {21, 2121}, smtp[] = {25, 465, 587, 2525},
			      nntp[] = {119, 563};
	const uint8_t *t;
	size_t tl;
	if (coded_text(f, b->data, b->len, &t, &tl))
		return;
	int is_ftp = port_in(b->port, ftp, 2) || find_ci(b->data, b->len, "FTP");
	int is_smtp = port_in(b->port, smtp, 4) ||
		      find_ci(b->data, b->len, "SMTP");
	if (port_in(b->port, nntp, 2) || find_ci(b->data, b->len, "NNTP"))
		add(f, "nntp.banner", t, tl);
	if (is_ftp || !is_smtp)
		add(f, "ftp.banner", t, tl);
	if (is_smtp || !is_ftp)
		add(f, "smtp.banner", t, tl);
}

/* Telnet: IAC commands (and subnegotiations) dropped, then trimmed. */
static void telnet_field(vt_fields *f, const uint8_t *p, size_t n)
{
	uint8_t *o = scratch(f, n);
	size_t m = 0;
	vt_cur c;
	if (!o)
		return;
	cur_init(&c, p, n);
	while (cur_left(&c)) {
		uint8_t b = cur_u8(&c);
		if (b != 0xff) {
			o[m++] = b;
			continue;
		}
		uint8_t cmd = cur_u8(&c);
		if (cmd >= 251 && cmd <= 254) {
			cur_skip(&c, 1);
		} else if (cmd == 250) { /* SB ... IAC SE */
			while (cur_left(&c) && !(cur_peek(&c, 0) == 0xff &&
						 cur_peek(&c, 1) == 240))
				cur_skip(&c, 1);
			cur_skip(&c, 2);
		} else if (cmd == 0xff) {
			o[m++] = 0xff;
		}
	}
	const uint8_t *s = o;
	while (m && (s[0] == '\r' || s[0] == '\n' || s[0] == ' ' || s[0] == '\t' || s[0] == 0)) {
		s++;
		m--;
	}
	while (m && (s[m - 1] == '\r' || s[m - 1] == '\n' || s[m - 1] == ' ' ||
		     s[m - 1] == '\t' || s[m - 1] == 0))
		m--;
	add(f, "telnet_banners", s, m);
}

static void line_after(vt_fields *f, const char *key, const uint8_t *p,
		       size_t n, size_t skip)
{
	vt_cur c;
	size_t ll;
	cur_init(&c, p, n);
	const uint8_t *l = line(&c, &ll);
	if (l && ll > skip)
		add(f, key, l + skip, ll - skip);
}

static void ssh_field(vt_fields *f, const uint8_t *p, size_t n)
{
	vt_cur c;
	size_t ll;
	cur_init(&c, p, n);
	const uint8_t *l = line(&c, &ll);
	/* "SSH-2.0-" then softwareversion SP comments */
	const uint8_t *d = l ? memchr(l + 4, '-', ll - 4) : NULL;
	if (d)
		add(f, "ssh.banner", d + 1, ll - (size_t)(d + 1 - l));
}

static void tls_fields(vt_fields *f, const vt_banner *b)
{
	if (b->tls_subject)
		add(f, "x509.subject", (const uint8_t *)b->tls_subject,
		    strlen(b->tls_subject));
	if (b->tls_issuer)
		add(f, "x509.issuer", (const uint8_t *)b->tls_issuer,
		    strlen(b->tls_issuer));
	if (b->tls_sha256)
		add(f, "x509.sha256", (const uint8_t *)b->tls_sha256,
		    strlen(b->tls_sha256));
}

void vt_fields_extract(vt_fields *f, const vt_banner *b, int probe_is_key)
{
	const uint8_t *p = b->data;
	size_t n = b->len;
	f->n = 0;
	f->scratch_len = 0;
	tls_fields(f, b);
	if (probe_is_key) {
		add(f, b->probe, p, n);
		return;
	}
	if (!n)
		return;
	if (prefix_ci(p, n, "HTTP/")) {
		static const unsigned cwmp[] = {7547, 4567, 30005};
		if (b->proto == VT_PROTO_TCP && port_in(b->port, cwmp, 3))
			add(f, "cwmp.response", p, n);
		http_fields(f, p, n, 0);
	}
	else if (prefix_ci(p, n, "SIP/2.0"))
		http_fields(f, p, n, 1);
	else if (prefix_ci(p, n, "RTSP/"))
		http_fields(f, p, n, 2);
	else if (n > 8 && !memcmp(p, "SSH-", 4))
		ssh_field(f, p, n);
	else if (n >= 4 && p[0] >= '1' && p[0] <= '5' && p[1] >= '0' &&
		 p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
		 (p[3] == ' ' || p[3] == '-'))
		coded_fields(f, b);
	else if (prefix_ci(p, n, "+OK"))
		line_after(f, "pop3.banner", p, n, n > 3 && p[3] == ' ' ? 4 : 3);
	else if (prefix_ci(p, n, "* OK"))
		line_after(f, "imap4.banner", p, n, n > 4 && p[4] == ' ' ? 5 : 4);
	if (p[0] == 0xff || b->port == 23 || b->port == 2323)
		telnet_field(f, p, n);
}
