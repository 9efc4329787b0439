/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) type and code, and for ICMPv6 the
 * Neighbor Discovery messages (RFC 4861) that bind addresses to MACs:
 * neighbor solicitation (135; source link-layer option 1) and
 * advertisement (136; target link-layer option 2). NDP options are walked
 * with length in 8-octet units, 0 being MALFORMED.
 */
#include <string.h>

#include "dissect/dissectors.h"

static int icmp_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 4)
		return VT_DIS_TRUNCATED;
	p->icmp_type = cur_u8(c);
	p->icmp_code = cur_u8(c);
	cur_be16(c);
	p->has |= VT_HAS_ICMP;
	p->l4_payload = cur_ptr(c);
	p->l4_payload_len = (uint32_t)cur_left(c);
	return VT_DIS_OK;
}

/* Walks NDP options looking for a link-layer address of type `want`. */
static int ndp_options(vt_cur *c, vt_pkt *p, uint8_t want)
{
	while (cur_left(c) >= 2) {
		uint8_t type = cur_u8(c);
		uint8_t len8 = cur_u8(c);
		if (len8 == 0)
			return VT_DIS_MALFORMED;
		vt_cur opt = cur_sub(c, (size_t)len8 * 8 - 2);
		if (!cur_ok(c))
			return VT_DIS_TRUNCATED;
		if (type == want && cur_left(&opt) >= 6) {
			cur_copy(&opt, p->ndp_ll, 6);
			p->has |= VT_HAS_NDP_LL;
		}
	}
	return VT_DIS_OK;
}

static int icmp6_decode(vt_cur *c, vt_pkt *p)
{
	int r = icmp_decode(c, p);
	if (r != VT_DIS_OK)
		return r;
	if (p->icmp_type != 135 && p->icmp_type != 136)
		return VT_DIS_OK;
	if (cur_left(c) < 20)
		return VT_DIS_TRUNCATED;
	cur_be32(c); /* reserved / flags */
	cur_copy(c, p->ndp_addr, 16);
	r = ndp_options(c, p, p->icmp_type == 135 ? 1 : 2);
	if (p->icmp_type == 135 && (p->has & VT_HAS_NDP_LL)) {
		/* NS: the option names the sender, so bind the source. */
		memcpy(p->ndp_addr, p->ip_src, 16);
	}
	return r;
}

const vt_dissector vt_dis_icmp = {
	.name = "icmp", .id = VT_P_ICMP, .decode = icmp_decode};
const vt_dissector vt_dis_icmp6 = {
	.name = "icmp6", .id = VT_P_ICMP6, .decode = icmp6_decode};
