/*
 * Unit tests: the flow table (initiator choice, both directions in one
 * flow, idle timeouts per class, eviction at the cap, connection reuse,
 * time running backwards) with an end callback that records every flow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vantage/flow.h"

#define MAXREC 16
static vt_flow ended[MAXREC];
static int reasons[MAXREC];
static int n_ended;

static void on_end(const vt_flow *f, int reason, void *user)
{
	(void)user;
	if (n_ended < MAXREC) {
		ended[n_ended] = *f;
		reasons[n_ended] = reason;
	}
	n_ended++;
}

static vt_pkt pkt(uint8_t proto, uint8_t a, uint16_t sp, uint8_t b,
		  uint16_t dp, uint8_t flags, uint64_t ts_s)
{
	vt_pkt p;
	memset(&p, 0, sizeof(p));
	p.has = VT_HAS_IP | VT_HAS_L4 | VT_HAS_MAC_SRC | VT_HAS_MAC_DST;
	p.ipver = 4;
	p.ip_proto = proto;
	p.ip_src[0] = 192, p.ip_src[1] = 168, p.ip_src[3] = a;
	p.ip_dst[0] = 192, p.ip_dst[1] = 168, p.ip_dst[3] = b;
	p.mac_src[5] = a;
	p.mac_dst[5] = b;
	p.sport = sp;
	p.dport = dp;
	p.tcp_flags = flags;
	p.ts_us = ts_s * 1000000u;
	p.wirelen = 100;
	return p;
}

static int setup(void **state)
{
	n_ended = 0;
	return 0;
}

static void both_directions_one_flow(void **state)
{
	vt_flowtab *t = vt_flowtab_new(NULL, on_end, NULL);
	vt_pkt syn = pkt(6, 2, 40000, 1, 80, VT_TCP_SYN, 10);
	vt_pkt sa = pkt(6, 1, 80, 2, 40000, VT_TCP_SYN | VT_TCP_ACK, 10);
	assert_int_equal(vt_flowtab_packet(t, &syn, NULL), 0);
	assert_int_equal(vt_flowtab_packet(t, &sa, NULL), 1);
	assert_int_equal(vt_flowtab_active(t), 1);
	vt_flowtab_free(t);
	assert_int_equal(n_ended, 1);
	assert_int_equal(reasons[0], VT_FLOW_END_FLUSH);
	assert_int_equal(ended[0].port[1], 80);
	assert_int_equal(ended[0].pkts[0], 1);
	assert_int_equal(ended[0].pkts[1], 1);
	assert_int_equal(ended[0].bytes[1], 100);
	assert_int_equal(ended[0].mac[1][5], 1);
	assert_int_equal(ended[0].mac_ok[1], 2);
}

static void initiator_from_synack_and_ports(void **state)
{
	vt_flowtab *t = vt_flowtab_new(NULL, on_end, NULL);
	vt_pkt sa = pkt(6, 1, 443, 2, 50000, VT_TCP_SYN | VT_TCP_ACK, 1);
	vt_pkt dns = pkt(17, 1, 53, 2, 33333, 0, 1); /* a reply seen first */
	vt_pkt dhcp = pkt(17, 1, 67, 2, 68, 0, 1);
	assert_int_equal(vt_flowtab_packet(t, &sa, NULL), 1);
	assert_int_equal(vt_flowtab_packet(t, &dns, NULL), 1);
	assert_int_equal(vt_flowtab_packet(t, &dhcp, NULL), 1);
	vt_flowtab_flush(t);
	assert_int_equal(n_ended, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ended[i].ip[1][3], 1); /* .1 is the server */
	vt_flowtab_free(t);
}

static void idle_timeouts_per_class(void **state)
{
	vt_flow_cfg cfg = {.tcp_timeout_s = 300, .udp_timeout_s = 60};
	vt_flowtab *t = vt_flowtab_new(&cfg, on_end, NULL);
	vt_pkt u = pkt(17, 2, 5000, 1, 53, 0, 100);
	vt_pkt c = pkt(6, 2, 40000, 1, 22, VT_TCP_SYN, 100);
	vt_flowtab_packet(t, &u, NULL);
	vt_flowtab_packet(t, &c, NULL);
	vt_pkt later = pkt(17, 3, 5000, 1, 53, 0, 160); /* exactly 60 s */
	vt_flowtab_packet(t, &later, NULL);
	assert_int_equal(n_ended, 0);
	later = pkt(17, 3, 5000, 1, 53, 0, 161);
	vt_flowtab_packet(t, &later, NULL);
	assert_int_equal(n_ended, 1);
	assert_int_equal(ended[0].proto, 17);
	assert_int_equal(reasons[0], VT_FLOW_END_IDLE);
	later = pkt(17, 3, 5000, 1, 53, 0, 401);
	vt_flowtab_packet(t, &later, NULL);
	assert_int_equal(n_ended, 3); /* the TCP flow and the second UDP one */
	assert_int_equal(vt_flowtab_stats(t)->ended_idle, 3);
	vt_flowtab_free(t);
}

static void eviction_at_cap(void **state)
{
	vt_flow_cfg cfg = {.max_flows = 4};
	vt_flowtab *t = vt_flowtab_new(&cfg, on_end, NULL);
	for (uint16_t i = 0; i < 10; i++) {
		vt_pkt p = pkt(17, 2, (uint16_t)(1000 + i), 1, 53, 0, 1 + i);
		assert_int_equal(vt_flowtab_packet(t, &p, NULL), 0);
		assert_true(vt_flowtab_active(t) <= 4);
	}
	assert_int_equal(vt_flowtab_stats(t)->evicted, 6);
	assert_int_equal(ended[0].port[0], 1000); /* the oldest went first */
	assert_int_equal(reasons[0], VT_FLOW_END_EVICTED);
	vt_flowtab_free(t);
	assert_int_equal(n_ended, 10); /* every flow reported once */
}

static void reuse_after_close(void **state)
{
	vt_flowtab *t = vt_flowtab_new(NULL, on_end, NULL);
	vt_pkt syn = pkt(6, 2, 40000, 1, 80, VT_TCP_SYN, 1);
	vt_pkt rst = pkt(6, 1, 80, 2, 40000, VT_TCP_RST | VT_TCP_ACK, 2);
	vt_flowtab_packet(t, &syn, NULL);
	vt_flowtab_packet(t, &rst, NULL);
	syn.ts_us = 3000000;
	vt_flowtab_packet(t, &syn, NULL);
	assert_int_equal(n_ended, 1);
	assert_int_equal(reasons[0], VT_FLOW_END_REUSED);
	assert_int_equal(vt_flowtab_stats(t)->created, 2);
	vt_flowtab_free(t);
}

static void time_backwards(void **state)
{
	vt_flowtab *t = vt_flowtab_new(NULL, on_end, NULL);
	vt_pkt a = pkt(17, 2, 5000, 1, 53, 0, 1000);
	vt_pkt b = pkt(17, 3, 5000, 1, 53, 0, 10); /* 990 s in the past */
	vt_flowtab_packet(t, &a, NULL);
	vt_flowtab_packet(t, &b, NULL);
	/* The old packet must not expire the new flow, nor be expired. */
	assert_int_equal(n_ended, 0);
	vt_flowtab_flush(t);
	assert_int_equal(n_ended, 2);
	assert_int_equal(ended[0].first_us, 1000000000u);
	assert_int_equal(ended[1].first_us, 1000000000u);
	vt_flowtab_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(both_directions_one_flow, setup),
		cmocka_unit_test_setup(initiator_from_synack_and_ports, setup),
		cmocka_unit_test_setup(idle_timeouts_per_class, setup),
		cmocka_unit_test_setup(eviction_at_cap, setup),
		cmocka_unit_test_setup(reuse_after_close, setup),
		cmocka_unit_test_setup(time_backwards, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
