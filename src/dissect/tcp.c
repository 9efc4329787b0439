/*
 * TCP (RFC 9293) header. Data offset must be >= 5 words and inside the
 * segment; options are walked (kind, length >= 2, inside the header) and
 * kept as a borrowed pointer for fingerprinting. The payload is what
 * remains of the IP payload after the header.
 */
#include "dissect/dissectors.h"

static int tcp_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 20)
		return VT_DIS_TRUNCATED;
	p->sport = cur_be16(c);
	p->dport = cur_be16(c);
	p->tcp_seq = cur_be32(c);
	p->tcp_ack = cur_be32(c);
	uint8_t off = cur_u8(c);
	p->tcp_flags = cur_u8(c);
	p->tcp_win = cur_be16(c);
	cur_be32(c); /* checksum, urgent pointer */
	p->has |= VT_HAS_L4;
	size_t hlen = (size_t)(off >> 4) * 4;
	p->tcp_hlen = (uint8_t)hlen;
	if (hlen < 20 || (p->l4_declared && hlen > p->l4_declared))
		return VT_DIS_MALFORMED; /* the header claims more than IP gave */
	if (cur_left(c) < hlen - 20)
		return VT_DIS_TRUNCATED;
	vt_cur opts = cur_sub(c, hlen - 20);
	p->tcp_opts = cur_ptr(&opts);
	p->tcp_opts_len = (uint8_t)cur_left(&opts);
	if (vt_dis_walk_options(opts) != VT_DIS_OK)
		return VT_DIS_MALFORMED;
	p->l4_payload = cur_ptr(c);
	p->l4_payload_len = (uint32_t)cur_left(c);
	return VT_DIS_OK;
}

const vt_dissector vt_dis_tcp = {
	.name = "tcp", .id = VT_P_TCP, .decode = tcp_decode};
