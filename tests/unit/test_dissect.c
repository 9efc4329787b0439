/*
 * Unit tests: the dissectors, one hand-built frame per case (valid and
 * malformed), checking decoded fields and the per-layer result counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vantage/packet.h"

static const uint8_t MAC_A[6] = {0x00, 0x17, 0x88, 0x01, 0x02, 0x03};
static const uint8_t MAC_B[6] = {0x50, 0xc7, 0xbf, 0x0a, 0x0b, 0x0c};

static size_t put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	return 2;
}

static size_t eth(uint8_t *b, uint16_t et)
{
	memcpy(b, MAC_B, 6);
	memcpy(b + 6, MAC_A, 6);
	put16(b + 12, et);
	return 14;
}

/* IPv4 header with ihl words, total length tot, proto, src .2 dst .1. */
static size_t ip4(uint8_t *b, int ihl, uint16_t tot, uint8_t proto,
		  uint16_t frag)
{
	memset(b, 0, (size_t)ihl * 4);
	b[0] = (uint8_t)(0x40 | ihl);
	put16(b + 2, tot);
	put16(b + 6, frag);
	b[8] = 64;
	b[9] = proto;
	b[12] = 192, b[13] = 168, b[14] = 1, b[15] = 2;
	b[16] = 192, b[17] = 168, b[18] = 1, b[19] = 1;
	return (size_t)ihl * 4;
}

static size_t tcp(uint8_t *b, int off_words, uint8_t flags)
{
	memset(b, 0, (size_t)off_words * 4);
	put16(b, 40000);
	put16(b + 2, 80);
	b[12] = (uint8_t)(off_words << 4);
	b[13] = flags;
	put16(b + 14, 1024);
	return (size_t)off_words * 4;
}

static int decode(const uint8_t *f, size_t n, vt_pkt *p, vt_dis_stats *st)
{
	memset(st, 0, sizeof(*st));
	return vt_dissect_frame(VT_DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1, p,
				st);
}

static void eth_ipv4_tcp_padding(void **state)
{
	uint8_t f[60] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x0800);
	o += ip4(f + o, 5, 40, 6, 0x4000);
	tcp(f + o, 5, VT_TCP_SYN);
	/* 60-byte frame: 6 bytes of Ethernet padding must not be payload. */
	assert_int_equal(decode(f, sizeof(f), &p, &st), VT_DIS_OK);
	assert_true(p.has & VT_HAS_L4);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.tcp_flags, VT_TCP_SYN);
	assert_int_equal(p.l4_payload_len, 0);
	assert_int_equal(p.ip_df, 1);
	assert_memory_equal(p.mac_src, MAC_A, 6);
	assert_int_equal(st.result[VT_P_TCP][VT_DIS_OK], 1);
}

static void ipv4_bad_headers(void **state)
{
	uint8_t f[80] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x0800);
	ip4(f + o, 4, 40, 6, 0); /* IHL < 5 */
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_MALFORMED);
	assert_int_equal(st.result[VT_P_IPV4][VT_DIS_MALFORMED], 1);

	ip4(f + o, 6, 44, 6, 0);
	f[o + 20] = 7, f[o + 21] = 0; /* option with length 0 */
	assert_int_equal(decode(f, 80, &p, &st), VT_DIS_MALFORMED);
	f[o + 21] = 1; /* length 1 */
	assert_int_equal(decode(f, 80, &p, &st), VT_DIS_MALFORMED);
	f[o + 20] = 1, f[o + 21] = 1, f[o + 22] = 1, f[o + 23] = 0; /* NOPs, EOL */
	tcp(f + o + 24, 5, VT_TCP_ACK);
	assert_int_equal(decode(f, 80, &p, &st), VT_DIS_OK);

	ip4(f + o, 15, 40, 6, 0); /* header longer than the total length */
	assert_int_equal(decode(f, 80, &p, &st), VT_DIS_MALFORMED);
}

static void ipv4_fragments(void **state)
{
	uint8_t f[80] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x0800);
	ip4(f + o, 5, 48, 17, 0x0003); /* offset 24 bytes: a later fragment */
	assert_int_equal(decode(f, 62, &p, &st), VT_DIS_OK);
	assert_true(p.has & VT_HAS_FRAG);
	assert_false(p.has & VT_HAS_L4);
	assert_int_equal(st.fragments, 1);
	assert_int_equal(st.seen[VT_P_UDP], 0);

	ip4(f + o, 5, 48, 17, 0x2000); /* first fragment (MF): decoded */
	memset(f + o + 20, 0, 8);
	put16(f + o + 20, 5353);
	put16(f + o + 22, 5353);
	put16(f + o + 24, 100);
	assert_int_equal(decode(f, 62, &p, &st), VT_DIS_OK);
	assert_true(p.has & VT_HAS_L4);
	assert_int_equal(p.ip_frag, 1);
	assert_int_equal(st.fragments, 0);
}

static void vlan_stacks(void **state)
{
	uint8_t f[600] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x88a8);
	put16(f + o, 100), put16(f + o + 2, 0x8100), o += 4;
	put16(f + o, 200), put16(f + o + 2, 0x0806), o += 4;
	f[o + 1] = 1, put16(f + o + 2, 0x0800), f[o + 4] = 6, f[o + 5] = 4;
	put16(f + o + 6, 1);
	assert_int_equal(decode(f, o + 28, &p, &st), VT_DIS_OK);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan_id, 100);
	assert_true(p.has & VT_HAS_ARP);

	o = eth(f, 0x8100);
	for (int i = 0; i < 100; i++, o += 4)
		put16(f + o, 1), put16(f + o + 2, 0x8100);
	assert_int_equal(decode(f, o, &p, &st), VT_DIS_UNSUPPORTED);
	assert_int_equal(st.result[VT_P_VLAN][VT_DIS_UNSUPPORTED], 1);
	assert_int_equal(st.seen[VT_P_VLAN], VT_MAX_VLAN + 1);
}

static void arp_sizes(void **state)
{
	uint8_t f[60] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x0806);
	f[o + 1] = 1, put16(f + o + 2, 0x0800), f[o + 4] = 7, f[o + 5] = 4;
	assert_int_equal(decode(f, 60, &p, &st), VT_DIS_UNSUPPORTED);
	assert_false(p.has & VT_HAS_ARP);
	f[o + 4] = 6;
	assert_int_equal(decode(f, o + 20, &p, &st), VT_DIS_TRUNCATED);
}

static void tcp_bad_offsets(void **state)
{
	uint8_t f[120] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x0800);
	o += ip4(f + o, 5, 40, 6, 0);
	tcp(f + o, 4, VT_TCP_SYN);
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_MALFORMED);
	tcp(f + o, 15, VT_TCP_SYN); /* 60-byte header in a 20-byte segment */
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_MALFORMED);
	ip4(f + 14, 5, 80, 6, 0); /* the segment is 60 bytes: only snapped */
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_TRUNCATED);
	ip4(f + 14, 5, 44, 6, 0);
	tcp(f + o, 6, VT_TCP_SYN);
	f[o + 20] = 2, f[o + 21] = 0; /* MSS option with length 0 */
	assert_int_equal(decode(f, 58, &p, &st), VT_DIS_MALFORMED);
	f[o + 20] = 2, f[o + 21] = 4, f[o + 22] = 5, f[o + 23] = 0xb4;
	assert_int_equal(decode(f, 58, &p, &st), VT_DIS_OK);
	assert_int_equal(p.tcp_opts_len, 4);
}

static void udp_lengths(void **state)
{
	uint8_t f[80] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x0800);
	o += ip4(f + o, 5, 40, 17, 0);
	put16(f + o, 1000), put16(f + o + 2, 53), put16(f + o + 4, 7);
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_MALFORMED);
	put16(f + o + 4, 500); /* past the IP packet */
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_MALFORMED);
	put16(f + o + 4, 20); /* fits IP, but the capture stopped: what is there */
	assert_int_equal(decode(f, 46, &p, &st), VT_DIS_OK);
	assert_int_equal(p.l4_payload_len, 4);
	put16(f + o + 4, 10);
	assert_int_equal(decode(f, 54, &p, &st), VT_DIS_OK);
	assert_int_equal(p.l4_payload_len, 2);
}

/* IPv6 header: payload length plen, next header nh. */
static size_t ip6(uint8_t *b, uint16_t plen, uint8_t nh)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, plen);
	b[6] = nh;
	b[7] = 255;
	b[8] = 0xfe, b[9] = 0x80, b[23] = 2;
	b[24] = 0xfe, b[25] = 0x80, b[39] = 1;
	return 40;
}

static void ipv6_extension_chain(void **state)
{
	uint8_t f[1200] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x86dd);
	o += ip6(f + o, 8 + 8 + 8, 0);
	f[o] = 60, f[o + 1] = 0, o += 8; /* hop-by-hop -> dest opts */
	f[o] = 17, f[o + 1] = 0, o += 8; /* dest opts -> UDP */
	put16(f + o, 546), put16(f + o + 2, 547), put16(f + o + 4, 8), o += 8;
	assert_int_equal(decode(f, o, &p, &st), VT_DIS_OK);
	assert_int_equal(p.ip_proto, 17);
	assert_int_equal(p.dport, 547);

	o = eth(f, 0x86dd);
	o += ip6(f + o, 60 * 8, 60);
	for (int i = 0; i < 60; i++, o += 8)
		f[o] = 60, f[o + 1] = 0;
	assert_int_equal(decode(f, o, &p, &st), VT_DIS_UNSUPPORTED);
	assert_int_equal(st.result[VT_P_IPV6][VT_DIS_UNSUPPORTED], 1);

	o = eth(f, 0x86dd);
	o += ip6(f + o, 8, 44); /* a later fragment */
	f[o] = 17, put16(f + o + 2, 0x0008), o += 8;
	assert_int_equal(decode(f, o, &p, &st), VT_DIS_OK);
	assert_true(p.has & VT_HAS_FRAG);
	assert_int_equal(st.fragments, 1);
}

static void ndp_binds(void **state)
{
	uint8_t f[200] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t o = eth(f, 0x86dd);
	o += ip6(f + o, 32, 58);
	f[o] = 136; /* neighbor advertisement */
	f[o + 8] = 0x20, f[o + 9] = 0x01, f[o + 23] = 0x42; /* target */
	f[o + 24] = 2, f[o + 25] = 1;                     /* target LL option */
	memcpy(f + o + 26, MAC_A, 6);
	o += 32;
	assert_int_equal(decode(f, o, &p, &st), VT_DIS_OK);
	assert_true(p.has & VT_HAS_NDP_LL);
	assert_memory_equal(p.ndp_ll, MAC_A, 6);
	assert_int_equal(p.ndp_addr[0], 0x20);
	assert_int_equal(p.ndp_addr[15], 0x42);
	f[o - 8 + 1] = 0; /* option length 0 */
	assert_int_equal(decode(f, o, &p, &st), VT_DIS_MALFORMED);
	assert_int_equal(st.result[VT_P_ICMP6][VT_DIS_MALFORMED], 1);
}

static size_t dhcp_ack(uint8_t *f, int with_end, int overrun)
{
	size_t o = eth(f, 0x0800);
	size_t ip = o;
	o += ip4(f + o, 5, 0, 17, 0);
	size_t udp = o;
	put16(f + o, 67), put16(f + o + 2, 68), o += 8;
	uint8_t *d = f + o;
	d[0] = 2, d[1] = 1, d[2] = 6;
	d[16] = 192, d[17] = 168, d[18] = 1, d[19] = 50; /* yiaddr */
	memcpy(d + 28, MAC_B, 6);
	d[236] = 0x63, d[237] = 0x82, d[238] = 0x53, d[239] = 0x63;
	o += 240;
	f[o++] = 53, f[o++] = 1, f[o++] = 5;
	if (overrun)
		f[o++] = 12, f[o++] = 200, f[o++] = 'x';
	else if (with_end)
		f[o++] = 255;
	put16(f + udp + 4, (uint16_t)(o - udp));
	put16(f + ip + 2, (uint16_t)(o - ip));
	return o;
}

static void dhcp_fields(void **state)
{
	uint8_t f[400] = {0};
	vt_pkt p;
	vt_dis_stats st;
	size_t n = dhcp_ack(f, 1, 0);
	assert_int_equal(decode(f, n, &p, &st), VT_DIS_OK);
	assert_true(p.has & VT_HAS_DHCP);
	assert_int_equal(p.dhcp_msgtype, 5);
	assert_memory_equal(p.dhcp_chaddr, MAC_B, 6);
	assert_int_equal(p.dhcp_yiaddr[3], 50);
	memset(f, 0, sizeof(f));
	n = dhcp_ack(f, 0, 0); /* no END: tolerated */
	assert_int_equal(decode(f, n, &p, &st), VT_DIS_OK);
	memset(f, 0, sizeof(f));
	n = dhcp_ack(f, 0, 1); /* option past the end: fields before kept */
	assert_int_equal(decode(f, n, &p, &st), VT_DIS_MALFORMED);
	assert_int_equal(p.dhcp_msgtype, 5);
	assert_int_equal(st.result[VT_P_DHCP][VT_DIS_MALFORMED], 1);
}

static void cooked_and_raw(void **state)
{
	uint8_t f[100] = {0};
	vt_pkt p;
	vt_dis_stats st = {0};
	/* SLL2: protocol, reserved, ifindex, hatype 1, pkttype, halen 6. */
	put16(f, 0x0800), f[9] = 1, f[11] = 6;
	memcpy(f + 12, MAC_A, 6);
	ip4(f + 20, 5, 40, 6, 0);
	tcp(f + 40, 5, VT_TCP_SYN | VT_TCP_ACK);
	assert_int_equal(vt_dissect_frame(VT_DLT_LINUX_SLL2, f, 60, 60, 1, &p, &st),
			 VT_DIS_OK);
	assert_true(p.has & VT_HAS_MAC_SRC);
	assert_false(p.has & VT_HAS_MAC_DST);
	assert_memory_equal(p.mac_src, MAC_A, 6);
	assert_int_equal(p.tcp_flags, VT_TCP_SYN | VT_TCP_ACK);
	/* Raw IP: the version nibble picks the dissector. */
	assert_int_equal(vt_dissect_frame(VT_DLT_RAW101, f + 20, 40, 40, 1, &p, &st),
			 VT_DIS_OK);
	assert_int_equal(p.ipver, 4);
	assert_false(p.has & VT_HAS_MAC_SRC);
	f[20] = 0x50;
	assert_int_equal(vt_dissect_frame(VT_DLT_RAW101, f + 20, 40, 40, 1, &p, &st),
			 VT_DIS_MALFORMED);
	assert_true(vt_dissect_linktype_ok(VT_DLT_LINUX_SLL));
	assert_false(vt_dissect_linktype_ok(147));
}

static void short_frames(void **state)
{
	uint8_t f[14] = {0};
	vt_pkt p;
	vt_dis_stats st;
	for (size_t n = 0; n < 14; n++) {
		assert_int_equal(decode(f, n, &p, &st), VT_DIS_TRUNCATED);
		assert_int_equal(st.result[VT_P_ETH][VT_DIS_TRUNCATED], 1);
	}
	put16(f + 12, 0x05dc); /* 802.3 length field */
	assert_int_equal(decode(f, 14, &p, &st), VT_DIS_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eth_ipv4_tcp_padding),
		cmocka_unit_test(ipv4_bad_headers),
		cmocka_unit_test(ipv4_fragments),
		cmocka_unit_test(vlan_stacks),
		cmocka_unit_test(arp_sizes),
		cmocka_unit_test(tcp_bad_offsets),
		cmocka_unit_test(udp_lengths),
		cmocka_unit_test(ipv6_extension_chain),
		cmocka_unit_test(ndp_binds),
		cmocka_unit_test(dhcp_fields),
		cmocka_unit_test(cooked_and_raw),
		cmocka_unit_test(short_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
