/*
 * IPv6 (RFC 8200) and its extension-header chain: hop-by-hop (0), routing
 * (43), fragment (44), destination options (60), AH (51), walked up to
 * VT_MAX_IP6_EXT headers. ESP (50) and "no next header" (59) end the walk.
 * The payload cursor is clamped to 40 + payload length; a payload length
 * of 0 with a hop-by-hop header (jumbogram) is UNSUPPORTED.
 */
#include "dissect/dissectors.h"

static int is_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

/* Walks one extension header; updates *nh. Returns a vt_dis_result. */
static int ext_header(vt_cur *c, vt_pkt *p, uint8_t *nh)
{
	if (cur_left(c) < 8)
		return VT_DIS_TRUNCATED;
	uint8_t next = cur_u8(c);
	uint8_t len = cur_u8(c);
	size_t rest;
	if (*nh == 44) { /* fragment: fixed 8 bytes */
		uint16_t off = cur_be16(c);
		cur_be32(c);
		p->ip_frag = 1;
		if (off & 0xfff8)
			p->has |= VT_HAS_FRAG;
		rest = 0;
	} else if (*nh == 51) { /* AH: length in 4-octet units, minus 2 */
		rest = ((size_t)len + 2) * 4 - 2;
	} else {
		rest = ((size_t)len + 1) * 8 - 2;
	}
	if (!cur_skip(c, rest))
		return VT_DIS_TRUNCATED;
	*nh = next;
	return VT_DIS_OK;
}

static int ipv6_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 40)
		return VT_DIS_TRUNCATED;
	uint32_t vtf = cur_be32(c);
	if (vtf >> 28 != 6)
		return VT_DIS_MALFORMED;
	p->tos = (uint8_t)(vtf >> 20);
	uint16_t plen = cur_be16(c);
	uint8_t nh = cur_u8(c);
	p->ttl = cur_u8(c);
	cur_copy(c, p->ip_src, 16);
	cur_copy(c, p->ip_dst, 16);
	p->ipver = 6;
	p->ip_len = (uint16_t)(40 + plen > 65535 ? 65535 : 40 + plen);
	p->has |= VT_HAS_IP;
	if (plen == 0 && nh == 0)
		return VT_DIS_UNSUPPORTED;
	*c = cur_sub(c, plen);
	c->err = 0;
	size_t start = c->off;
	for (int n = 0; is_ext(nh); n++) {
		if (n >= VT_MAX_IP6_EXT)
			return VT_DIS_UNSUPPORTED;
		int r = ext_header(c, p, &nh);
		if (r != VT_DIS_OK)
			return r;
	}
	p->ip_proto = nh;
	p->l4_declared = p->ip_frag ? 0 : plen - (uint32_t)(c->off - start);
	if (p->has & VT_HAS_FRAG)
		return VT_DIS_OK;
	p->next = vt_dis_by_ipproto(nh);
	return VT_DIS_OK;
}

const vt_dissector vt_dis_ipv6 = {
	.name = "ipv6", .id = VT_P_IPV6, .decode = ipv6_decode};
