/*
 * Frame decoding driver: picks the link-layer dissector from the capture's
 * link type, then follows each dissector's `next` through the table below,
 * counting every call and its result per protocol. The chain is bounded
 * (VT_MAX_CHAIN steps) so no input can loop it.
 */
#include <string.h>

#include "dissect/dissectors.h"

#define VT_MAX_CHAIN 32

static const vt_dissector *const table[VT_P_COUNT] = {
	[VT_P_ETH] = &vt_dis_eth,   [VT_P_SLL] = &vt_dis_sll,
	[VT_P_SLL2] = &vt_dis_sll2, [VT_P_RAW] = &vt_dis_raw,
	[VT_P_VLAN] = &vt_dis_vlan, [VT_P_ARP] = &vt_dis_arp,
	[VT_P_IPV4] = &vt_dis_ipv4, [VT_P_IPV6] = &vt_dis_ipv6,
	[VT_P_ICMP] = &vt_dis_icmp, [VT_P_ICMP6] = &vt_dis_icmp6,
	[VT_P_TCP] = &vt_dis_tcp,   [VT_P_UDP] = &vt_dis_udp,
	[VT_P_DHCP] = &vt_dis_dhcp,
};

static enum vt_proto link_dissector(int dlt)
{
	switch (dlt) {
	case VT_DLT_EN10MB: return VT_P_ETH;
	case VT_DLT_LINUX_SLL: return VT_P_SLL;
	case VT_DLT_LINUX_SLL2: return VT_P_SLL2;
	case VT_DLT_RAW:
	case VT_DLT_RAW_ALT:
	case VT_DLT_RAW101:
	case VT_DLT_IPV4:
	case VT_DLT_IPV6: return VT_P_RAW;
	}
	return VT_P_NONE;
}

int vt_dis_walk_options(vt_cur opts)
{
	while (cur_left(&opts) > 0) {
		uint8_t kind = cur_u8(&opts);
		if (kind == 0)
			return VT_DIS_OK;
		if (kind == 1)
			continue;
		if (cur_left(&opts) < 1)
			return VT_DIS_MALFORMED;
		uint8_t len = cur_u8(&opts);
		if (len < 2 || !cur_skip(&opts, (size_t)len - 2))
			return VT_DIS_MALFORMED;
	}
	return VT_DIS_OK;
}

int vt_dissect_linktype_ok(int dlt) { return link_dissector(dlt) != VT_P_NONE; }

const char *vt_dissect_name(enum vt_proto id)
{
	if (id > VT_P_NONE && id < VT_P_COUNT && table[id])
		return table[id]->name;
	return "none";
}

enum vt_proto vt_dis_by_ethertype(uint16_t et)
{
	switch (et) {
	case 0x0800: return VT_P_IPV4;
	case 0x86dd: return VT_P_IPV6;
	case 0x0806: return VT_P_ARP;
	case 0x8100:
	case 0x88a8:
	case 0x9100: return VT_P_VLAN;
	}
	return VT_P_NONE;
}

enum vt_proto vt_dis_by_ipproto(uint8_t proto)
{
	switch (proto) {
	case 6: return VT_P_TCP;
	case 17: return VT_P_UDP;
	case 1: return VT_P_ICMP;
	case 58: return VT_P_ICMP6;
	}
	return VT_P_NONE;
}

static int run_chain(enum vt_proto id, const uint8_t *frame, uint32_t caplen,
		     vt_pkt *p, vt_dis_stats *st)
{
	vt_cur c;
	int worst = VT_DIS_OK;

	cur_init(&c, frame, caplen);
	st->frames++;
	for (int steps = 0; id != VT_P_NONE && steps < VT_MAX_CHAIN; steps++) {
		const vt_dissector *d = table[id];
		p->next = VT_P_NONE;
		int r = d->decode(&c, p);
		st->seen[id]++;
		st->result[id][r]++;
		if (r != VT_DIS_OK) {
			worst = r;
			break;
		}
		id = p->next;
	}
	if (p->has & VT_HAS_FRAG)
		st->fragments++;
	return worst;
}

int vt_dissect_frame(int dlt, const uint8_t *frame, uint32_t caplen,
		     uint32_t wirelen, uint64_t ts_us, vt_pkt *p,
		     vt_dis_stats *st)
{
	memset(p, 0, sizeof(*p));
	p->ts_us = ts_us;
	p->caplen = caplen;
	p->wirelen = wirelen;
	return run_chain(link_dissector(dlt), frame, caplen, p, st);
}

int vt_dissect_from(enum vt_proto start, const uint8_t *data, uint32_t len,
		    vt_pkt *p, vt_dis_stats *st)
{
	memset(p, 0, sizeof(*p));
	p->caplen = p->wirelen = len;
	if (start <= VT_P_NONE || start >= VT_P_COUNT)
		return VT_DIS_UNSUPPORTED;
	return run_chain(start, data, len, p, st);
}
