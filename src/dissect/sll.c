/*
 * Linux cooked captures: SLL (DLT 113, 16-byte header) and SLL2 (DLT 276,
 * 20-byte header), as written by `tcpdump -i any`. Only the sender's
 * link-layer address is recorded; when it is a 6-byte address it becomes
 * the source MAC. Packets we sent ("outgoing", type 4) have our address as
 * the source too, so they count the same way. The destination MAC is not
 * in the header. Spec: https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
 */
#include "dissect/dissectors.h"

static int finish(vt_cur *c, vt_pkt *p, uint16_t hatype, uint16_t halen,
		  const uint8_t *addr, uint16_t proto)
{
	/* ARPHRD_ETHER (1) and loopback (772) use 6-byte addresses. */
	if ((hatype == 1 || hatype == 772) && halen == 6) {
		for (int i = 0; i < 6; i++)
			p->mac_src[i] = addr[i];
		p->has |= VT_HAS_MAC_SRC;
	}
	p->ethertype = proto;
	p->next = vt_dis_by_ethertype(proto);
	(void)c;
	return VT_DIS_OK;
}

static int sll_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 16)
		return VT_DIS_TRUNCATED;
	cur_be16(c); /* packet type */
	uint16_t hatype = cur_be16(c);
	uint16_t halen = cur_be16(c);
	const uint8_t *addr = cur_bytes(c, 8);
	uint16_t proto = cur_be16(c);
	return finish(c, p, hatype, halen, addr, proto);
}

static int sll2_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 20)
		return VT_DIS_TRUNCATED;
	uint16_t proto = cur_be16(c);
	cur_be16(c); /* reserved */
	cur_be32(c); /* interface index */
	uint16_t hatype = cur_be16(c);
	cur_u8(c);   /* packet type */
	uint8_t halen = cur_u8(c);
	const uint8_t *addr = cur_bytes(c, 8);
	return finish(c, p, hatype, halen, addr, proto);
}

static int raw_decode(vt_cur *c, vt_pkt *p)
{
	if (cur_left(c) < 1)
		return VT_DIS_TRUNCATED;
	switch (cur_peek(c, 0) >> 4) {
	case 4: p->next = VT_P_IPV4; return VT_DIS_OK;
	case 6: p->next = VT_P_IPV6; return VT_DIS_OK;
	}
	return VT_DIS_MALFORMED;
}

const vt_dissector vt_dis_sll = {
	.name = "sll", .id = VT_P_SLL, .decode = sll_decode};
const vt_dissector vt_dis_sll2 = {
	.name = "sll2", .id = VT_P_SLL2, .decode = sll2_decode};
const vt_dissector vt_dis_raw = {
	.name = "rawip", .id = VT_P_RAW, .decode = raw_decode};
