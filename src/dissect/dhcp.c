/*
 * DHCPv4 (RFC 2131/2132) as far as the foundation needs it: op, client MAC
 * (chaddr, when htype is Ethernet), ciaddr, yiaddr, message type (option
 * 53) and requested address (option 50), which bind IPs to MACs. Options
 * are walked with bounds: pad (0) and end (255) have no length; an option
 * running past the packet is MALFORMED (fields read before it are kept).
 */
#include "dissect/dissectors.h"

static int options(vt_cur *c, vt_pkt *p)
{
	while (cur_left(c) > 0) {
		uint8_t code = cur_u8(c);
		if (code == 0)
			continue;
		if (code == 255)
			return VT_DIS_OK;
		if (cur_left(c) < 1)
			return VT_DIS_MALFORMED;
		uint8_t len = cur_u8(c);
		vt_cur v = cur_sub(c, len);
		if (!cur_ok(c))
			return VT_DIS_MALFORMED;
		if (code == 53 && len == 1)
			p->dhcp_msgtype = cur_u8(&v);
		else if (code == 50 && len == 4)
			cur_copy(&v, p->dhcp_reqip, 4);
	}
	return VT_DIS_OK; /* no END option: tolerated */
}

static int dhcp_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 240)
		return VT_DIS_TRUNCATED;
	p->dhcp_op = cur_u8(c);
	uint8_t htype = cur_u8(c);
	uint8_t hlen = cur_u8(c);
	cur_skip(c, 9); /* hops, xid, secs, flags */
	cur_copy(c, p->dhcp_ciaddr, 4);
	cur_copy(c, p->dhcp_yiaddr, 4);
	cur_skip(c, 8); /* siaddr, giaddr */
	const uint8_t *ch = cur_bytes(c, 16);
	cur_skip(c, 64 + 128); /* sname, file */
	uint32_t cookie = cur_be32(c);
	if (p->dhcp_op != 1 && p->dhcp_op != 2)
		return VT_DIS_MALFORMED;
	if (htype != 1 || hlen != 6)
		return VT_DIS_UNSUPPORTED;
	for (int i = 0; i < 6; i++)
		p->dhcp_chaddr[i] = ch[i];
	if (cookie != 0x63825363)
		return VT_DIS_UNSUPPORTED; /* plain BOOTP */
	p->has |= VT_HAS_DHCP;
	return options(c, p);
}

const vt_dissector vt_dis_dhcp = {
	.name = "dhcp", .id = VT_P_DHCP, .decode = dhcp_decode};
