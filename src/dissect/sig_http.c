/*
 * HTTP/1.x signals (RFC 9112): User-Agent and Host of a request, Server of
 * a response. Recognised by content on any port: a request line (method of
 * capital letters, a target, "HTTP/1.d") or a status line ("HTTP/1.d"
 * and a three-digit code). Only the headers in the given payload (the
 * first segment of a message) are read; a header block cut by the
 * segment end is used as far as it goes. At most VT_SIG_MAX_HEADERS
 * lines; values are cut at VT_SIG_MAX_VALUE bytes.
 */
#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define METHOD_MAX 24 /* longest method token accepted */

typedef struct ctx {
	int request;
	const vt_sig_sink *s;
} ctx;

static int digit(uint8_t ch) { return ch >= '0' && ch <= '9'; }

static int is_version(const uint8_t *p, size_t n)
{
	return n == 8 && vt_sig_iprefix(p, n, "HTTP/1.") && digit(p[7]);
}

/* METHOD SP target SP HTTP/1.d, the whole line. */
static int is_request(const uint8_t *p, size_t n)
{
	size_t m = 0;
	while (m < n && m <= METHOD_MAX && p[m] >= 'A' && p[m] <= 'Z')
		m++;
	if (m == 0 || m > METHOD_MAX || m >= n || p[m] != ' ')
		return 0;
	size_t t = m + 1;
	while (t < n && p[t] != ' ')
		t++;
	if (t == m + 1 || t >= n)
		return 0; /* empty target or no version */
	return is_version(p + t + 1, n - t - 1);
}

/* HTTP/1.d SP ddd [SP reason] */
static int is_status(const uint8_t *p, size_t n)
{
	return n >= 12 && is_version(p, 8) && p[8] == ' ' && digit(p[9]) &&
	       digit(p[10]) && digit(p[11]) && (n == 12 || p[12] == ' ');
}

static void header(void *user, const uint8_t *n, size_t nl,
		   const uint8_t *v, size_t vl)
{
	ctx *x = user;
	const char *sig = NULL;
	if (x->request && vt_sig_ieq(n, nl, "User-Agent"))
		sig = "http_user_agent";
	else if (x->request && vt_sig_ieq(n, nl, "Host"))
		sig = "http_host";
	else if (!x->request && vt_sig_ieq(n, nl, "Server"))
		sig = "http_server";
	if (sig && vl > 0)
		vt_sig_emit(x->s, sig, v, vl);
}

int vt_sig_http(const uint8_t *payload, size_t len, const vt_sig_sink *s)
{
	vt_cur c, line;
	cur_init(&c, payload, len);
	if (!vt_sig_line(&c, &line))
		return VT_DIS_TRUNCATED;
	size_t n = cur_left(&line);
	const uint8_t *p = cur_bytes(&line, n);
	ctx x = {.s = s};
	if (p && is_request(p, n))
		x.request = 1;
	else if (!p || !is_status(p, n))
		return VT_DIS_UNSUPPORTED;
	return vt_sig_headers(&c, header, &x);
}
