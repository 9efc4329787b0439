/*
 * p0f v3 signature of a TCP SYN (p0f 3.09b docs/README section 5; TCP
 * options RFC 9293, RFC 7323, RFC 2018), built from the decoded packet:
 *
 *   ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
 *
 * ittl is the TTL rounded up to 32, 64, 128 or 255; olen the IPv4 option
 * bytes; mss and scale are 0 when the option is absent; wsize is written
 * as "mss*N" or "mtu*N" when p0f would (the same divisor tests as its
 * detect_win_multi), else in bytes; olayout names the options in order
 * (eol+N with the padding count, nop, mss, ws, sok, sack, ts, ?K);
 * quirks are those p0f can see from the fields we decode: df, id+, id-,
 * ecn, seq-, ack+, urgf+, pushf+, ts1-, ts2+, opt+, exws, bad (not 0+,
 * flow, uptr+, which need header bits the dissectors do not keep);
 * pclass is 0 or + for a payload. Only SYNs without ACK are signed.
 */
#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define MIN_TCP4 40 /* IPv4 + TCP headers without options */
#define MIN_TCP6 60

enum {
	Q_DF = 1 << 0, Q_NZ_ID = 1 << 1, Q_ZERO_ID = 1 << 2, Q_ECN = 1 << 3,
	Q_ZERO_SEQ = 1 << 4, Q_NZ_ACK = 1 << 5, Q_URG = 1 << 6,
	Q_PUSH = 1 << 7, Q_ZERO_TS1 = 1 << 8, Q_NZ_TS2 = 1 << 9,
	Q_EOL_NZ = 1 << 10, Q_EXWS = 1 << 11, Q_BAD = 1 << 12,
};

static const char *const QUIRK_NAMES[] = {
	"df", "id+", "id-", "ecn", "seq-", "ack+", "urgf+", "pushf+",
	"ts1-", "ts2+", "opt+", "exws", "bad"};

typedef struct syn {
	unsigned mss, scale; /* 0 when the option is absent */
	int has_ts1;         /* timestamp option with a non-zero own value */
	unsigned quirks;     /* Q_* */
	unsigned n_opts;     /* options in the layout */
	vt_sigbuf layout;
} syn;

static void layout_add(syn *y, const char *name)
{
	if (y->n_opts++)
		vt_sigbuf_putc(&y->layout, ',');
	vt_sigbuf_puts(&y->layout, name);
}

/* The value of a known option; an unexpected length is "bad". */
static void known(syn *y, uint8_t kind, vt_cur v, uint8_t len)
{
	static const uint8_t want[9] = {0, 0, 4, 3, 2, 0, 0, 0, 10};
	if (kind == 5) {
		if (len < 10 || len > 34 || (len - 2) % 8)
			y->quirks |= Q_BAD;
		return;
	}
	if (len != want[kind])
		y->quirks |= Q_BAD;
	if (kind == 2 && cur_left(&v) >= 2) {
		y->mss = cur_be16(&v);
	} else if (kind == 3 && cur_left(&v) >= 1) {
		y->scale = cur_u8(&v);
		if (y->scale > 14)
			y->quirks |= Q_EXWS;
	} else if (kind == 8 && cur_left(&v) >= 8) {
		uint32_t ts1 = cur_be32(&v), ts2 = cur_be32(&v);
		y->has_ts1 = ts1 != 0;
		if (!ts1)
			y->quirks |= Q_ZERO_TS1;
		if (ts2)
			y->quirks |= Q_NZ_TS2;
	}
}

static void options(syn *y, vt_cur c)
{
	static const char *const names[9] = {NULL, NULL, "mss", "ws", "sok",
					     "sack", NULL, NULL, "ts"};
	while (cur_left(&c) > 0) {
		uint8_t kind = cur_u8(&c);
		if (kind == 0) {
			layout_add(y, "eol+");
			vt_sigbuf_u32(&y->layout, (uint32_t)cur_left(&c));
			while (cur_left(&c) > 0)
				if (cur_u8(&c))
					y->quirks |= Q_EOL_NZ;
			return;
		}
		if (kind == 1) {
			layout_add(y, "nop");
			continue;
		}
		int is_known = kind < 9 && names[kind];
		layout_add(y, is_known ? names[kind] : "?");
		if (!is_known)
			vt_sigbuf_u32(&y->layout, kind);
		uint8_t len = cur_u8(&c);
		vt_cur v = cur_sub(&c, len >= 2 ? len - 2u : 0u);
		if (len < 2 || !cur_ok(&c)) {
			y->quirks |= Q_BAD; /* p0f stops at a broken option */
			return;
		}
		if (is_known)
			known(y, kind, v, len);
	}
}

static unsigned ittl(uint8_t ttl)
{
	return ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}

/*
 * p0f's detect_win_multi: the window as a multiple of the MSS, of common
 * MSS values or of the MTU. Returns the multiplier (0: none) and sets
 * *mtu when the divisor was an MTU.
 */
static unsigned win_multi(const vt_pkt *p, const syn *y, int *mtu)
{
	unsigned win = p->tcp_win, mss = y->mss;
	unsigned hdr = (p->ipver == 4 ? p->ip_hlen : 40u) + p->tcp_hlen;
	unsigned div[] = {mss, y->has_ts1 ? mss - 12 : 0, 1460, 1448,
			  p->ipver == 6 ? 1440u : 0, p->ipver == 6 ? 1428u : 0,
			  mss + MIN_TCP4, mss + hdr,
			  p->ipver == 6 ? mss + MIN_TCP6 : 0, 1500};
	if (!win || mss < 100)
		return 0;
	for (size_t i = 0; i < sizeof(div) / sizeof(div[0]); i++) {
		if (div[i] && win % div[i] == 0) {
			*mtu = i >= 6;
			return win / div[i];
		}
	}
	return 0;
}

static unsigned ip_quirks(const vt_pkt *p)
{
	unsigned q = 0;
	if (p->ipver == 4 && p->ip_df)
		q |= Q_DF | (p->ip_id ? Q_NZ_ID : 0);
	if (p->ipver == 4 && !p->ip_df && !p->ip_id)
		q |= Q_ZERO_ID;
	if ((p->tos & 3) || (p->tcp_flags & 0xc0)) /* ECT/CE, ECE/CWR */
		q |= Q_ECN;
	if (!p->tcp_seq)
		q |= Q_ZERO_SEQ;
	if (p->tcp_ack)
		q |= Q_NZ_ACK; /* the ACK flag is never set here */
	if (p->tcp_flags & 0x20)
		q |= Q_URG;
	if (p->tcp_flags & VT_TCP_PSH)
		q |= Q_PUSH;
	return q;
}

int vt_sig_tcp_syn(const struct vt_pkt *p, const vt_sig_sink *s)
{
	if (!(p->has & VT_HAS_IP) || !(p->has & VT_HAS_L4) ||
	    p->ip_proto != 6 || (p->ipver != 4 && p->ipver != 6))
		return VT_DIS_UNSUPPORTED;
	if ((p->tcp_flags & (VT_TCP_SYN | VT_TCP_ACK)) != VT_TCP_SYN)
		return VT_DIS_UNSUPPORTED;
	syn y = {0};
	vt_cur c;
	vt_sigbuf_init(&y.layout);
	cur_init(&c, p->tcp_opts, p->tcp_opts_len);
	options(&y, c);
	y.quirks |= ip_quirks(p);

	vt_sigbuf sb;
	int mtu = 0;
	unsigned multi = win_multi(p, &y, &mtu);
	vt_sigbuf_init(&sb);
	vt_sigbuf_u32(&sb, p->ipver);
	vt_sigbuf_putc(&sb, ':');
	vt_sigbuf_u32(&sb, ittl(p->ttl));
	vt_sigbuf_putc(&sb, ':');
	vt_sigbuf_u32(&sb, p->ipver == 4 && p->ip_hlen > 20 ? p->ip_hlen - 20u : 0);
	vt_sigbuf_putc(&sb, ':');
	vt_sigbuf_u32(&sb, y.mss);
	vt_sigbuf_putc(&sb, ':');
	if (multi) {
		vt_sigbuf_puts(&sb, mtu ? "mtu*" : "mss*");
		vt_sigbuf_u32(&sb, multi);
	} else {
		vt_sigbuf_u32(&sb, p->tcp_win);
	}
	vt_sigbuf_putc(&sb, ',');
	vt_sigbuf_u32(&sb, y.scale);
	vt_sigbuf_putc(&sb, ':');
	vt_sigbuf_put(&sb, y.layout.b, y.layout.len);
	vt_sigbuf_putc(&sb, ':');
	for (unsigned i = 0, n = 0; i < sizeof(QUIRK_NAMES) / sizeof(QUIRK_NAMES[0]); i++) {
		if (!(y.quirks & (1u << i)))
			continue;
		if (n++)
			vt_sigbuf_putc(&sb, ',');
		vt_sigbuf_puts(&sb, QUIRK_NAMES[i]);
	}
	vt_sigbuf_putc(&sb, ':');
	vt_sigbuf_putc(&sb, p->l4_payload_len ? '+' : '0');
	vt_sigbuf_emit(&sb, s, "tcp_syn");
	return VT_DIS_OK;
}
