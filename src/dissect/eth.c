/*
 * Ethernet II (IEEE 802.3 frames with a length field are UNSUPPORTED: they
 * carry LLC/STP, nothing we decode) and 802.1Q/802.1ad VLAN tags, stacked up
 * to VT_MAX_VLAN deep.
 */
#include "dissect/dissectors.h"

static int set_ethertype(vt_pkt *p, uint16_t et)
{
	p->ethertype = et;
	if (et < 0x0600)
		return VT_DIS_UNSUPPORTED; /* 802.3 length, LLC follows */
	p->next = vt_dis_by_ethertype(et);
	return VT_DIS_OK;
}

static int eth_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 14)
		return VT_DIS_TRUNCATED;
	cur_copy(c, p->mac_dst, 6);
	cur_copy(c, p->mac_src, 6);
	p->has |= VT_HAS_MAC_SRC | VT_HAS_MAC_DST;
	return set_ethertype(p, cur_be16(c));
}

static int vlan_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 4)
		return VT_DIS_TRUNCATED;
	if (p->nvlan >= VT_MAX_VLAN)
		return VT_DIS_UNSUPPORTED;
	uint16_t tci = cur_be16(c);
	if (p->nvlan++ == 0)
		p->vlan_id = tci & 0x0fff;
	return set_ethertype(p, cur_be16(c));
}

const vt_dissector vt_dis_eth = {
	.name = "ethernet", .id = VT_P_ETH, .decode = eth_decode};
const vt_dissector vt_dis_vlan = {
	.name = "vlan", .id = VT_P_VLAN, .decode = vlan_decode};
