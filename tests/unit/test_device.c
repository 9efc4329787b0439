/*
 * Unit tests: the device table on a small simulated LAN: a host behind a
 * gateway talking to the Internet and to a local peer. Checks the L2
 * counters, the gateway choice, attribution of external traffic to the
 * host (not the gateway), services, peers, bindings and the caps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vantage/device.h"

static const uint8_t GW[6] = {0xc8, 0xbf, 0x4c, 0, 0, 1};
static const uint8_t HOST[6] = {0x50, 0xc7, 0xbf, 0, 0, 2};
static const uint8_t PEER[6] = {0x00, 0x17, 0x88, 0, 0, 3};
static const uint8_t RAND[6] = {0x02, 0x11, 0x22, 0, 0, 4};
static const uint8_t IP_GW[4] = {192, 168, 1, 1}, IP_HOST[4] = {192, 168, 1, 2};
static const uint8_t IP_PEER[4] = {192, 168, 1, 3}, IP_EXT[4] = {8, 8, 8, 8};
static const uint8_t IP_EXT2[4] = {1, 1, 1, 1};

typedef struct lan {
	vt_devtab *d;
	vt_flowtab *f;
} lan;

static void on_end(const vt_flow *f, int reason, void *user)
{
	vt_devtab_flow_end(user, f, NULL);
}

static void send_pkt(lan *l, const uint8_t *sm, const uint8_t *dm,
		     const uint8_t *sip, const uint8_t *dip, uint8_t proto,
		     uint16_t sp, uint16_t dp, uint32_t len)
{
	vt_pkt p;
	memset(&p, 0, sizeof(p));
	p.has = VT_HAS_MAC_SRC | VT_HAS_MAC_DST | VT_HAS_IP | VT_HAS_L4;
	memcpy(p.mac_src, sm, 6);
	memcpy(p.mac_dst, dm, 6);
	p.ipver = 4;
	p.ip_proto = proto;
	memcpy(p.ip_src, sip, 4);
	memcpy(p.ip_dst, dip, 4);
	p.sport = sp;
	p.dport = dp;
	p.wirelen = len;
	p.ts_us = 1000000;
	int64_t dev[2];
	vt_flow *f;
	vt_devtab_frame(l->d, &p, dev);
	int s = vt_flowtab_packet(l->f, &p, &f);
	assert_true(s >= 0);
	vt_devtab_tag_flow(f, s, dev);
}

static vt_devrec *find(vt_devrec *r, size_t n, const uint8_t *mac)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].has_mac && !memcmp(r[i].mac, mac, 6))
			return &r[i];
	return NULL;
}

static void free_recs(vt_devrec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vt_devrec_cleanup(&r[i]);
	free(r);
}

static void home_lan(void **state)
{
	lan l;
	l.d = vt_devtab_new(NULL);
	l.f = vt_flowtab_new(NULL, on_end, l.d);
	/* DNS to the Internet through the gateway, twice to two servers. */
	send_pkt(&l, HOST, GW, IP_HOST, IP_EXT, 17, 5000, 53, 80);
	send_pkt(&l, GW, HOST, IP_EXT, IP_HOST, 17, 53, 5000, 120);
	send_pkt(&l, HOST, GW, IP_HOST, IP_EXT2, 17, 5001, 53, 80);
	/* A local HTTP server on the peer, and the host's own DNS to the gw. */
	send_pkt(&l, HOST, PEER, IP_HOST, IP_PEER, 6, 40000, 80, 60);
	send_pkt(&l, PEER, HOST, IP_PEER, IP_HOST, 6, 80, 40000, 1500);
	send_pkt(&l, HOST, GW, IP_HOST, IP_GW, 17, 5002, 53, 70);
	send_pkt(&l, RAND, GW, IP_PEER, IP_GW, 17, 5003, 53, 70);
	vt_flowtab_free(l.f); /* flushes every flow into the devices */
	vt_devrec *r;
	size_t n;
	assert_int_equal(vt_devtab_export(l.d, &r, &n), 0);
	assert_int_equal(n, 4);
	vt_devrec *g = find(r, n, GW), *h = find(r, n, HOST);
	vt_devrec *p = find(r, n, PEER), *z = find(r, n, RAND);
	assert_non_null(g);
	assert_true(g->gateway);
	assert_false(h->gateway);
	assert_int_equal(h->packets_sent, 4);
	assert_int_equal(h->bytes_sent, 80 + 80 + 60 + 70);
	assert_int_equal(h->packets_recv, 2);
	assert_int_equal(h->bytes_recv, 120 + 1500);
	assert_int_equal(h->external_flows, 2);
	assert_int_equal(h->external_peers, 2);
	assert_int_equal(h->external_bytes, 80 + 120 + 80);
	assert_int_equal(h->local_flows, 2);
	/* External traffic is never the gateway's. */
	assert_int_equal(g->external_flows, 0);
	assert_int_equal(g->local_flows, 2);
	assert_int_equal(g->n_ips, 1);
	assert_memory_equal(g->ips[0].addr, IP_GW, 4);
	/* Services: host is a client of udp/53 (external, local), tcp/80. */
	assert_int_equal(h->n_services, 3);
	assert_int_equal(h->services[0].proto, 6);
	assert_int_equal(h->services[0].port, 80);
	assert_int_equal(h->services[0].role, VT_ROLE_CLIENT);
	assert_int_equal(h->services[1].scope, VT_SCOPE_LOCAL);
	assert_int_equal(h->services[2].scope, VT_SCOPE_EXTERNAL);
	assert_int_equal(h->services[2].flows, 2);
	assert_int_equal(p->n_services, 1);
	assert_int_equal(p->services[0].role, VT_ROLE_SERVER);
	assert_int_equal(p->services[0].bytes, 1560);
	assert_true(z->randomized);
	assert_false(h->randomized);
	assert_true(vt_devtab_ip_local(l.d, 4, IP_PEER));
	assert_false(vt_devtab_ip_local(l.d, 4, IP_EXT));
	free_recs(r, n);
	vt_devtab_free(l.d);
}

static void arp_and_public_lan(void **state)
{
	/* A LAN on public addresses: ARP makes them local. */
	vt_devtab *d = vt_devtab_new(NULL);
	vt_pkt p;
	memset(&p, 0, sizeof(p));
	p.has = VT_HAS_MAC_SRC | VT_HAS_MAC_DST | VT_HAS_ARP;
	memcpy(p.mac_src, HOST, 6);
	memset(p.mac_dst, 0xff, 6);
	memcpy(p.arp_sha, HOST, 6);
	memcpy(p.arp_spa, IP_EXT, 4);
	p.ts_us = 5;
	p.wirelen = 42;
	assert_false(vt_devtab_ip_local(d, 4, IP_EXT));
	vt_devtab_frame(d, &p, NULL);
	assert_true(vt_devtab_ip_local(d, 4, IP_EXT));
	vt_devrec *r;
	size_t n;
	assert_int_equal(vt_devtab_export(d, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].n_ips, 1);
	assert_int_equal(r[0].ips[0].sources, VT_BIND_ARP);
	assert_int_equal(r[0].packets_recv, 0); /* broadcast is no device */
	free_recs(r, n);
	vt_devtab_free(d);
}

static void device_cap(void **state)
{
	vt_devtab_cfg cfg = {.max_devices = 3};
	vt_devtab *d = vt_devtab_new(&cfg);
	vt_pkt p;
	memset(&p, 0, sizeof(p));
	p.has = VT_HAS_MAC_SRC;
	p.mac_src[0] = 0x10;
	for (int i = 0; i < 10; i++) {
		p.mac_src[5] = (uint8_t)i;
		vt_devtab_frame(d, &p, NULL);
	}
	assert_int_equal(vt_devtab_stats(d)->devices, 3);
	assert_int_equal(vt_devtab_stats(d)->device_drops, 7);
	vt_devtab_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(home_lan),
		cmocka_unit_test(arp_and_public_lan),
		cmocka_unit_test(device_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
