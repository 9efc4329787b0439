/*
 * UDP (RFC 768). The length field must be >= 8; the payload is clamped to
 * it (a length past the captured bytes leaves what was captured). DHCP
 * (ports 67/68) is handed to its dissector.
 */
#include "dissect/dissectors.h"

static int udp_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 8)
		return VT_DIS_TRUNCATED;
	p->sport = cur_be16(c);
	p->dport = cur_be16(c);
	uint16_t len = cur_be16(c);
	cur_be16(c); /* checksum */
	p->has |= VT_HAS_L4;
	if (len < 8 && !(len == 0 && p->ipver == 6))
		return VT_DIS_MALFORMED;
	if (p->l4_declared && len > p->l4_declared)
		return VT_DIS_MALFORMED; /* longer than the IP payload */
	vt_cur body = len ? cur_sub(c, (size_t)len - 8) : cur_rest(c);
	*c = body;
	p->l4_payload = cur_ptr(c);
	p->l4_payload_len = (uint32_t)cur_left(c);
	if ((p->sport == 67 || p->sport == 68) &&
	    (p->dport == 67 || p->dport == 68))
		p->next = VT_P_DHCP;
	return VT_DIS_OK;
}

const vt_dissector vt_dis_udp = {
	.name = "udp", .id = VT_P_UDP, .decode = udp_decode};
