/*
 * SSDP signals (UPnP Device Architecture 2.0, section 1: HTTP over UDP,
 * port 1900). A NOTIFY announces SERVER, NT, USN and LOCATION; an
 * M-SEARCH asks with USER-AGENT and ST; a unicast "HTTP/1.1 200" search
 * response answers with SERVER, ST (emitted as ssdp_nt: what it is), USN
 * and LOCATION. Header names are case-insensitive; lines end in CRLF or a
 * bare LF, the last may end with the data; at most VT_SIG_MAX_HEADERS
 * lines are read and values are cut at VT_SIG_MAX_VALUE bytes.
 */
#include "dissect/sig_common.h"
#include "vantage/packet.h"

enum kind { K_NOTIFY, K_SEARCH, K_RESPONSE };

typedef struct ctx {
	enum kind kind;
	const vt_sig_sink *s;
} ctx;

/* Which signal a header gives, per message kind (NULL: none). */
static const char *signal_of(enum kind k, const uint8_t *n, size_t nl)
{
	if (vt_sig_ieq(n, nl, "SERVER"))
		return k != K_SEARCH ? "ssdp_server" : NULL;
	if (vt_sig_ieq(n, nl, "USER-AGENT"))
		return k == K_SEARCH ? "ssdp_user_agent" : NULL;
	if (vt_sig_ieq(n, nl, "NT"))
		return k == K_NOTIFY ? "ssdp_nt" : NULL;
	if (vt_sig_ieq(n, nl, "ST"))
		return k == K_SEARCH ? "ssdp_st"
		       : k == K_RESPONSE ? "ssdp_nt" : NULL;
	if (vt_sig_ieq(n, nl, "USN"))
		return k != K_SEARCH ? "ssdp_usn" : NULL;
	if (vt_sig_ieq(n, nl, "LOCATION"))
		return k != K_SEARCH ? "ssdp_location" : NULL;
	return NULL;
}

static void header(void *user, const uint8_t *n, size_t nl,
		   const uint8_t *v, size_t vl)
{
	ctx *x = user;
	const char *sig = signal_of(x->kind, n, nl);
	if (sig && vl > 0)
		vt_sig_emit(x->s, sig, v, vl);
}

/* "HTTP/1.x 200" with anything (or nothing) after it. */
static int is_ok_status(const uint8_t *p, size_t n)
{
	return n >= 12 && vt_sig_iprefix(p, n, "HTTP/1.") && p[7] >= '0' &&
	       p[7] <= '9' && p[8] == ' ' && p[9] == '2' && p[10] == '0' &&
	       p[11] == '0' && (n == 12 || p[12] == ' ');
}

int vt_sig_ssdp(const uint8_t *payload, size_t len, const vt_sig_sink *s)
{
	vt_cur c, line;
	cur_init(&c, payload, len);
	if (!vt_sig_line(&c, &line))
		return VT_DIS_TRUNCATED;
	size_t n = cur_left(&line);
	const uint8_t *p = cur_bytes(&line, n);
	ctx x = {.s = s};
	if (vt_sig_iprefix(p, n, "NOTIFY * HTTP/1."))
		x.kind = K_NOTIFY;
	else if (vt_sig_iprefix(p, n, "M-SEARCH * HTTP/1."))
		x.kind = K_SEARCH;
	else if (is_ok_status(p, n))
		x.kind = K_RESPONSE;
	else
		return VT_DIS_UNSUPPORTED;
	return vt_sig_headers(&c, header, &x);
}
