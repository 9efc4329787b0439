/*
 * ARP (RFC 826) for Ethernet/IPv4: hardware type 1, protocol 0x0800, hlen 6,
 * plen 4. Other address sizes are UNSUPPORTED; a header claiming them but
 * too short is TRUNCATED.
 */
#include "dissect/dissectors.h"

static int arp_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 8)
		return VT_DIS_TRUNCATED;
	uint16_t htype = cur_be16(c);
	uint16_t ptype = cur_be16(c);
	uint8_t hlen = cur_u8(c);
	uint8_t plen = cur_u8(c);
	p->arp_op = cur_be16(c);
	if (htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4)
		return VT_DIS_UNSUPPORTED;
	if (cur_left(c) < 20)
		return VT_DIS_TRUNCATED;
	cur_copy(c, p->arp_sha, 6);
	cur_copy(c, p->arp_spa, 4);
	cur_copy(c, p->arp_tha, 6);
	cur_copy(c, p->arp_tpa, 4);
	if (p->arp_op != 1 && p->arp_op != 2)
		return VT_DIS_UNSUPPORTED;
	p->has |= VT_HAS_ARP;
	return VT_DIS_OK;
}

const vt_dissector vt_dis_arp = {
	.name = "arp", .id = VT_P_ARP, .decode = arp_decode};
