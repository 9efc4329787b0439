/*
 * The dissector module kind: one struct of function pointers per protocol,
 * listed in one table (dissect.c) and looked up by id or name. Each decode
 * reads only through the cursor, consumes its header, leaves the cursor on
 * its payload (clamped to the declared length), sets p->next, and returns
 * a vt_dis_result.
 */
#ifndef VT_DISSECTORS_H
#define VT_DISSECTORS_H

#include "vantage/cursor.h"
#include "vantage/packet.h"

typedef struct vt_dissector {
	const char *name;
	enum vt_proto id;
	int (*decode)(vt_cur *c, vt_pkt *p);
} vt_dissector;

extern const vt_dissector vt_dis_eth, vt_dis_sll, vt_dis_sll2, vt_dis_raw,
	vt_dis_vlan, vt_dis_arp, vt_dis_ipv4, vt_dis_ipv6, vt_dis_icmp,
	vt_dis_icmp6, vt_dis_tcp, vt_dis_udp, vt_dis_dhcp;

/*
 * Walks IPv4 or TCP options (the same TLV layout: 0 = end, 1 = no-op,
 * others kind + length >= 2 + data), checking every length stays inside.
 */
int vt_dis_walk_options(vt_cur opts);

/* Next dissector for an EtherType (VT_P_NONE when we don't decode it). */
enum vt_proto vt_dis_by_ethertype(uint16_t ethertype);
/* Next dissector for an IP protocol number. */
enum vt_proto vt_dis_by_ipproto(uint8_t proto);

#endif
