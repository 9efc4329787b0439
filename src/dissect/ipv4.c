/*
 * IPv4 (RFC 791). The payload cursor is clamped to the total length so
 * Ethernet padding is never payload. A total length of 0 (TCP segmentation
 * offload on the capturing host) means "as captured", as tcpdump does.
 * Options are walked (kind, length >= 2, inside the header) only to
 * validate them. Fragments: the first (offset 0, MF) is decoded; later ones
 * stop here with VT_HAS_FRAG set and are counted by the driver.
 */
#include "dissect/dissectors.h"

static int ipv4_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 20)
		return VT_DIS_TRUNCATED;
	uint8_t vihl = cur_u8(c);
	if (vihl >> 4 != 4)
		return VT_DIS_MALFORMED;
	size_t hlen = (size_t)(vihl & 15) * 4;
	if (hlen < 20)
		return VT_DIS_MALFORMED;
	p->tos = cur_u8(c);
	uint16_t total = cur_be16(c);
	p->ip_id = cur_be16(c);
	uint16_t frag = cur_be16(c);
	p->ttl = cur_u8(c);
	p->ip_proto = cur_u8(c);
	cur_be16(c); /* checksum: not verified (offload makes it unreliable) */
	cur_copy(c, p->ip_src, 4);
	cur_copy(c, p->ip_dst, 4);
	p->ipver = 4;
	p->ip_hlen = (uint8_t)hlen;
	p->ip_df = (frag & 0x4000) != 0;
	p->has |= VT_HAS_IP;
	if (total == 0)
		total = (uint16_t)(cur_left(c) + 20 > 65535 ? 65535
							  : cur_left(c) + 20);
	p->ip_len = total;
	if (total < hlen)
		return VT_DIS_MALFORMED;
	if (cur_left(c) < hlen - 20)
		return VT_DIS_TRUNCATED;
	if (vt_dis_walk_options(cur_sub(c, hlen - 20)) != VT_DIS_OK)
		return VT_DIS_MALFORMED;
	*c = cur_sub(c, total - hlen); /* clamp; may be shorter if truncated */
	c->err = 0;
	p->l4_declared = total - (uint32_t)hlen;
	if (frag & 0x3fff) {
		p->ip_frag = 1;
		p->l4_declared = 0; /* a fragment holds part of the datagram */
		if (frag & 0x1fff) {
			p->has |= VT_HAS_FRAG;
			return VT_DIS_OK;
		}
	}
	p->next = vt_dis_by_ipproto(p->ip_proto);
	return VT_DIS_OK;
}

const vt_dissector vt_dis_ipv4 = {
	.name = "ipv4", .id = VT_P_IPV4, .decode = ipv4_decode};
