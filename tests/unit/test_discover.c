/*
 * Unit tests: the probes of `vantage discover` and the handling of their
 * replies, on crafted bytes: ARP requests (read back by the ARP
 * dissector) and sweep targets, mDNS queries (read back by the DNS
 * parser), DNS-SD browsing from crafted responses (src/probe/
 * mdns_browse.c), the SSDP M-SEARCH (read back by the SSDP parser), and
 * crafted reply frames through discover_rx.c: counted, followed, filed
 * under the sender, LOCATIONs kept once and capped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe/discover_int.h"
#include "sig_sink.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

static void arp_request_frame(void **state)
{
	(void)state;
	uint8_t f[ARP_FRAME_LEN];
	const uint8_t mac[6] = {0x02, 0x76, 0x74, 0, 0, 0xfa};
	const uint8_t me[4] = {192, 168, 77, 250}, to[4] = {192, 168, 77, 20};
	vt_arp_request(f, mac, me, to);
	vt_pkt p;
	vt_dis_stats st;
	memset(&st, 0, sizeof(st));
	assert_int_equal(vt_dissect_frame(VT_DLT_EN10MB, f, sizeof(f), sizeof(f),
					  0, &p, &st),
			 VT_DIS_OK);
	assert_true(p.has & VT_HAS_ARP);
	assert_int_equal(p.arp_op, 1);
	assert_memory_equal(p.mac_dst, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(p.mac_src, mac, 6);
	assert_memory_equal(p.arp_sha, mac, 6);
	assert_memory_equal(p.arp_spa, me, 4);
	assert_memory_equal(p.arp_tpa, to, 4);
	assert_memory_equal(p.arp_tha, "\0\0\0\0\0\0", 6);
}

static size_t sweep_all(uint8_t b0, uint8_t b3, uint8_t prefix,
			uint8_t out[][4], size_t cap, uint64_t *count)
{
	vt_lan4 lan = {.ip = {b0, 168, 77, b3}, .prefix = prefix};
	vt_arp_sweep s;
	*count = vt_arp_sweep_init(&s, &lan);
	size_t n = 0;
	uint8_t ip[4];
	while (vt_arp_sweep_next(&s, ip)) {
		assert_true(n < cap);
		memcpy(out[n++], ip, 4);
	}
	return n;
}

static void sweep_targets(void **state)
{
	(void)state;
	static uint8_t t[70000][4];
	uint64_t count;
	size_t n = sweep_all(192, 250, 24, t, 70000, &count);
	assert_int_equal(n, 253); /* .1-.254 without ourselves */
	assert_int_equal(count, 253);
	assert_memory_equal(t[0], ((uint8_t[]){192, 168, 77, 1}), 4);
	assert_memory_equal(t[248], ((uint8_t[]){192, 168, 77, 249}), 4);
	assert_memory_equal(t[249], ((uint8_t[]){192, 168, 77, 251}), 4);
	assert_memory_equal(t[252], ((uint8_t[]){192, 168, 77, 254}), 4);
	n = sweep_all(192, 1, 24, t, 70000, &count); /* self first */
	assert_int_equal(n, 253);
	assert_memory_equal(t[0], ((uint8_t[]){192, 168, 77, 2}), 4);
	n = sweep_all(192, 254, 24, t, 70000, &count); /* self last */
	assert_int_equal(n, 253);
	assert_memory_equal(t[252], ((uint8_t[]){192, 168, 77, 253}), 4);
	n = sweep_all(192, 5, 30, t, 70000, &count);
	assert_int_equal(n, 1);
	assert_int_equal(count, 1);
	assert_memory_equal(t[0], ((uint8_t[]){192, 168, 77, 6}), 4);
	n = sweep_all(192, 5, 31, t, 70000, &count);
	assert_int_equal(n, 1);
	assert_memory_equal(t[0], ((uint8_t[]){192, 168, 77, 4}), 4);
	n = sweep_all(192, 5, 32, t, 70000, &count);
	assert_int_equal(n, 0);
	assert_int_equal(count, 0);
	n = sweep_all(192, 5, 16, t, 70000, &count);
	assert_int_equal(n, 65533);
	assert_int_equal(count, 65533);
	/* the top of the address space does not wrap */
	n = sweep_all(255, 255, 31, t, 70000, &count);
	assert_int_equal(n, 1);
	assert_memory_equal(t[0], ((uint8_t[]){255, 168, 77, 254}), 4);
}

static void mdns_query_bytes(void **state)
{
	(void)state;
	uint8_t b[512];
	const char *meta[] = {"_services", "_dns-sd", "_udp", "local"};
	const uint16_t ptr = 12;
	size_t n = vt_mdns_query(b, sizeof(b), meta, 4, &ptr, 1);
	assert_int_equal(n, 12 + 30 + 4);
	assert_memory_equal(b, "\0\0\0\0\0\1\0\0\0\0\0\0", 12);
	assert_memory_equal(b + 12, "\x09_services\x07_dns-sd\x04_udp\x05local\0"
				    "\0\x0c\0\x01", 34);
	/* the DNS parser reads it as the DNS-SD meta-query (a DNS-SD name
	 * is given up to its protocol label) */
	assert_int_equal(vt_sig_dns(b, n, 1, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_query", "_services._dns-sd._udp"));

	/* an instance label with a dot, two questions, the second compressed */
	const char *inst[] = {"Mr. Speaker", "_sonos", "_tcp", "local"};
	const uint16_t types[] = {33, 16};
	n = vt_mdns_query(b, sizeof(b), inst, 4, types, 2);
	assert_int_equal(b[5], 2);
	assert_memory_equal(b + 12, "\x0bMr. Speaker\x06_sonos\x04_tcp\x05local\0"
				    "\0\x21\0\x01\xc0\x0c\0\x10\0\x01", 41);
	assert_int_equal(n, 12 + 41);
	assert_int_equal(vt_sig_dns(b, n, 1, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_query", "Mr. Speaker._sonos._tcp"));

	/* labels it cannot send */
	char l64[65];
	memset(l64, 'a', 64);
	l64[64] = 0;
	const char *bad[] = {l64, "local"};
	assert_int_equal(vt_mdns_query(b, sizeof(b), bad, 2, &ptr, 1), 0);
	const char *empty[] = {"", "local"};
	assert_int_equal(vt_mdns_query(b, sizeof(b), empty, 2, &ptr, 1), 0);
	assert_int_equal(vt_mdns_query(b, 20, meta, 4, &ptr, 1), 0);
}

/* A DNS message builder for crafted responses (names uncompressed). */
typedef struct msg {
	uint8_t b[1500];
	size_t n;
} msg;

static void m_u16(msg *m, uint16_t v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void m_name(msg *m, const char *const *labels)
{
	for (; *labels; labels++) {
		size_t l = strlen(*labels);
		m->b[m->n++] = (uint8_t)l;
		memcpy(m->b + m->n, *labels, l);
		m->n += l;
	}
	m->b[m->n++] = 0;
}

static void m_header(msg *m, int response, uint16_t an)
{
	m->n = 0;
	m_u16(m, 0);
	m_u16(m, response ? 0x8400 : 0);
	m_u16(m, 0);
	m_u16(m, an);
	m_u16(m, 0);
	m_u16(m, 0);
}

static void m_ptr(msg *m, const char *const *owner, const char *const *target)
{
	m_name(m, owner);
	m_u16(m, 12);
	m_u16(m, 1);
	m_u16(m, 0);
	m_u16(m, 120);
	size_t at = m->n;
	m_u16(m, 0);
	m_name(m, target);
	size_t len = m->n - at - 2;
	m->b[at] = (uint8_t)(len >> 8);
	m->b[at + 1] = (uint8_t)len;
}

/* A TXT record of the given strings. */
static void m_txt(msg *m, const char *const *owner, const char *const *strs)
{
	m_name(m, owner);
	m_u16(m, 16);
	m_u16(m, 1);
	m_u16(m, 0);
	m_u16(m, 120);
	size_t at = m->n;
	m_u16(m, 0);
	for (; *strs; strs++) {
		size_t l = strlen(*strs);
		m->b[m->n++] = (uint8_t)l;
		memcpy(m->b + m->n, *strs, l);
		m->n += l;
	}
	size_t len = m->n - at - 2;
	m->b[at] = (uint8_t)(len >> 8);
	m->b[at + 1] = (uint8_t)len;
}

#define NAME(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The queued query i, as the DNS parser reads it. */
static void assert_pending(vt_mdns_browse *b, size_t i, const char *query)
{
	assert_true(i < b->n_pending);
	assert_int_equal(vt_sig_dns(b->pending[i], b->pending_len[i], 1,
				    rec_reset(&R)),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_query", query));
}

static void browse_follows_replies(void **state)
{
	(void)state;
	vt_mdns_browse b;
	memset(&b, 0, sizeof(b));
	assert_int_equal(vt_mdns_browse_start(&b), 0);
	assert_pending(&b, 0, "_services._dns-sd._udp");

	msg m;
	m_header(&m, 1, 2);
	m_ptr(&m, NAME("_services", "_dns-sd", "_udp", "local"),
	      NAME("_sonos", "_tcp", "local"));
	m_ptr(&m, NAME("_services", "_dns-sd", "_udp", "local"),
	      NAME("_spotify-connect", "_tcp", "local"));
	vt_mdns_browse_reply(&b, m.b, m.n);
	assert_int_equal(b.n_pending, 3);
	assert_pending(&b, 1, "_sonos._tcp");
	assert_pending(&b, 2, "_spotify-connect._tcp");
	vt_mdns_browse_reply(&b, m.b, m.n); /* the same again: nothing new */
	assert_int_equal(b.n_pending, 3);

	m_header(&m, 1, 1);
	m_ptr(&m, NAME("_sonos", "_tcp", "local"),
	      NAME("Kitchen.v2", "_sonos", "_tcp", "local"));
	vt_mdns_browse_reply(&b, m.b, m.n);
	assert_int_equal(b.n_pending, 4);
	/* SRV and TXT of the instance, its label kept whole */
	assert_int_equal(b.pending[3][5], 2);
	assert_memory_equal(b.pending[3] + 12, "\x0aKitchen.v2\x06_sonos", 18);
	assert_pending(&b, 3, "Kitchen.v2._sonos._tcp");

	/* a query (a known answer from someone else) is not followed */
	m_header(&m, 0, 1);
	m_ptr(&m, NAME("_services", "_dns-sd", "_udp", "local"),
	      NAME("_ipp", "_tcp", "local"));
	vt_mdns_browse_reply(&b, m.b, m.n);
	assert_int_equal(b.n_pending, 4);
	assert_int_equal(b.n_services, 2);
	assert_int_equal(b.n_instances, 1);
	vt_mdns_browse_cleanup(&b);
}

/* Hundreds of service types: the lists and the queue stay capped. */
static void browse_caps(void **state)
{
	(void)state;
	vt_mdns_browse b;
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < 300; i++) {
		char svc[32];
		snprintf(svc, sizeof(svc), "_s%d", i);
		msg m;
		m_header(&m, 1, 1);
		m_ptr(&m, NAME("_services", "_dns-sd", "_udp", "local"),
		      NAME(svc, "_tcp", "local"));
		vt_mdns_browse_reply(&b, m.b, m.n);
	}
	assert_int_equal(b.n_services, VT_MDNS_MAX_SERVICES);
	assert_int_equal(b.n_pending, VT_MDNS_MAX_SERVICES);
	assert_int_equal(b.dropped, 300 - VT_MDNS_MAX_SERVICES);
	vt_mdns_browse_cleanup(&b);
	/* garbage is read as garbage */
	memset(&b, 0, sizeof(b));
	uint8_t junk[64];
	memset(junk, 0xc0, sizeof(junk));
	junk[2] = 0x84;
	junk[3] = 0;
	vt_mdns_browse_reply(&b, junk, sizeof(junk));
	vt_mdns_browse_reply(&b, junk, 2);
	assert_int_equal(b.n_pending, 0);
	vt_mdns_browse_cleanup(&b);
}


/* --- replies as discovery handles them (discover_rx.c) ---------------- */

static const uint8_t OUR_MAC[6] = {0x02, 0x76, 0x74, 0, 0, 0xfa};
static const uint8_t DEV_MAC[6] = {0x58, 0xcb, 0x52, 0x7a, 0x8b, 0x32};

/* A discovery state without sockets: enough for vt_discover_frame. */
static vt_discover *fake_discover(void)
{
	vt_discover *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	memcpy(d->ifc.mac, OUR_MAC, 6);
	memcpy(d->ifc.lan.ip, ((uint8_t[]){192, 168, 77, 250}), 4);
	d->ifc.lan.prefix = 24;
	d->mport = 40001;
	d->sport = 40002;
	vt_passive_cfg pc;
	memset(&pc, 0, sizeof(pc));
	d->pass = vt_passive_new(&pc);
	assert_non_null(d->pass);
	return d;
}

static void free_discover(vt_discover *d)
{
	vt_passive_free(d->pass);
	vt_mdns_browse_cleanup(&d->browse);
	for (size_t i = 0; i < d->n_locs; i++)
		free(d->locs[i].text);
	free(d);
}

/* Ethernet + IPv4 + UDP around payload, into f; returns the length. */
static size_t udp_frame(uint8_t *f, const uint8_t src_mac[6], const uint8_t sip[4],
			uint16_t sport, uint16_t dport, const void *pl, size_t n)
{
	memcpy(f, OUR_MAC, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 8;
	f[13] = 0;
	uint8_t *ip = f + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((28 + n) >> 8);
	ip[3] = (uint8_t)(28 + n);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, sip, 4);
	memcpy(ip + 16, ((uint8_t[]){192, 168, 77, 250}), 4);
	uint8_t *u = ip + 20;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)((8 + n) >> 8);
	u[5] = (uint8_t)(8 + n);
	u[6] = u[7] = 0;
	memcpy(u + 8, pl, n);
	return 14 + 28 + n;
}

/* As discover.c's receive(): the passive pipeline, then our handling. */
static void deliver(vt_discover *d, const uint8_t *f, size_t n, uint64_t ts)
{
	vt_frame fr = {.dlt = VT_DLT_EN10MB, .data = f, .caplen = (uint32_t)n,
		       .wirelen = (uint32_t)n, .ts_us = ts};
	vt_passive_frame(d->pass, &fr);
	vt_discover_frame(d, f, n, ts);
}

static const char SSDP_REPLY[] =
	"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
	"LOCATION: http://192.168.77.50:8200/rootDesc.xml\r\n"
	"SERVER: Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.0\r\n"
	"ST: upnp:rootdevice\r\nUSN: uuid:x::upnp:rootdevice\r\n\r\n";

static size_t n_signals_of(vt_discover *d, const uint8_t mac[6])
{
	vt_devrec *r;
	size_t n, sigs = (size_t)-1;
	assert_int_equal(vt_devtab_export(vt_passive_devices(d->pass), &r, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (!memcmp(r[i].mac, mac, 6))
			sigs = r[i].n_signals;
		vt_devrec_cleanup(&r[i]);
	}
	free(r);
	return sigs;
}

static void ssdp_replies(void **state)
{
	(void)state;
	vt_discover *d = fake_discover();
	uint8_t f[1600];
	const uint8_t dev_ip[4] = {192, 168, 77, 50};
	/* from port 1900: counted, LOCATION kept (the pipeline files it) */
	size_t n = udp_frame(f, DEV_MAC, dev_ip, 1900, d->sport, SSDP_REPLY,
			     strlen(SSDP_REPLY));
	deliver(d, f, n, 1);
	assert_int_equal(d->st.ssdp_replies, 1);
	assert_int_equal(d->n_locs, 1);
	assert_memory_equal(d->locs[0].mac, DEV_MAC, 6);
	assert_int_equal(d->locs[0].len, strlen("http://192.168.77.50:8200/rootDesc.xml"));
	assert_memory_equal(d->locs[0].text, "http://192.168.77.50:8200/rootDesc.xml",
			    d->locs[0].len);
	/* SERVER, ST (as ssdp_nt), USN and LOCATION, by the pipeline */
	assert_int_equal(n_signals_of(d, DEV_MAC), 4);
	/* the same LOCATION from another device's port 40000 (the pipeline
	 * knows SSDP by port 1900): filed by us, the LOCATION not kept twice */
	const uint8_t dev2[6] = {0x00, 0x0e, 0x58, 1, 2, 3};
	n = udp_frame(f, dev2, ((uint8_t[]){192, 168, 77, 51}), 40000, d->sport,
		      SSDP_REPLY, strlen(SSDP_REPLY));
	deliver(d, f, n, 2);
	assert_int_equal(d->st.ssdp_replies, 2);
	assert_int_equal(d->n_locs, 1);
	assert_int_equal(n_signals_of(d, dev2), 4);
	/* not from the LAN, or from ourselves: ignored */
	n = udp_frame(f, DEV_MAC, ((uint8_t[]){10, 0, 0, 5}), 1900, d->sport,
		      SSDP_REPLY, strlen(SSDP_REPLY));
	deliver(d, f, n, 3);
	n = udp_frame(f, OUR_MAC, dev_ip, 1900, d->sport, SSDP_REPLY,
		      strlen(SSDP_REPLY));
	deliver(d, f, n, 4);
	assert_int_equal(d->st.ssdp_replies, 2);
	/* a NOTIFY to the group gives its LOCATION too; not a reply */
	static const char notify[] =
		"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
		"LOCATION: http://192.168.77.50:1400/xml/device_description.xml\r\n"
		"NT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n";
	n = udp_frame(f, DEV_MAC, dev_ip, 1900, 1900, notify, strlen(notify));
	deliver(d, f, n, 5);
	assert_int_equal(d->st.ssdp_replies, 2);
	assert_int_equal(d->n_locs, 2);
	/* a flood of distinct LOCATIONs: capped and counted */
	for (int i = 0; i < 100; i++) {
		char m[256];
		int l = snprintf(m, sizeof(m), "HTTP/1.1 200 OK\r\nLOCATION: "
			 "http://192.168.77.50:%d/d.xml\r\n\r\n", 2000 + i);
		n = udp_frame(f, DEV_MAC, dev_ip, 1900, d->sport, m, (size_t)l);
		deliver(d, f, n, 6);
	}
	assert_int_equal(d->n_locs, SSDP_MAX_LOCATIONS);
	assert_int_equal(d->st.upnp[VT_UPNP_SKIPPED], 102 - SSDP_MAX_LOCATIONS);
	free_discover(d);
}

static void mdns_and_arp_replies(void **state)
{
	(void)state;
	vt_discover *d = fake_discover();
	uint8_t f[1600];
	msg m;
	m_header(&m, 1, 1);
	m_ptr(&m, NAME("_services", "_dns-sd", "_udp", "local"),
	      NAME("_sonos", "_tcp", "local"));
	size_t n = udp_frame(f, DEV_MAC, ((uint8_t[]){192, 168, 77, 70}), 5353,
			     d->mport, m.b, m.n);
	deliver(d, f, n, 1);
	assert_int_equal(d->st.mdns_replies, 1);
	assert_int_equal(d->browse.n_pending, 1);
	assert_pending(&d->browse, 0, "_sonos._tcp");
	/* a multicast response to 5353 is followed but is no reply of ours */
	m_header(&m, 1, 1);
	m_ptr(&m, NAME("_services", "_dns-sd", "_udp", "local"),
	      NAME("_raop", "_tcp", "local"));
	n = udp_frame(f, DEV_MAC, ((uint8_t[]){192, 168, 77, 70}), 5353, 5353,
		      m.b, m.n);
	deliver(d, f, n, 2);
	assert_int_equal(d->st.mdns_replies, 1);
	assert_int_equal(d->browse.n_pending, 2);

	/* a TXT location= (Sonos) is a LOCATION of the device that said it */
	m_header(&m, 1, 1);
	m_txt(&m, NAME("Kitchen", "_sonos", "_tcp", "local"),
	      NAME("vers=3", "location=http://192.168.77.70:1400/xml/dd.xml"));
	n = udp_frame(f, DEV_MAC, ((uint8_t[]){192, 168, 77, 70}), 5353,
		      d->mport, m.b, m.n);
	deliver(d, f, n, 3);
	assert_int_equal(d->n_locs, 1);
	assert_memory_equal(d->locs[0].mac, DEV_MAC, 6);
	assert_int_equal(d->locs[0].len, strlen("http://192.168.77.70:1400/xml/dd.xml"));
	assert_memory_equal(d->locs[0].text, "http://192.168.77.70:1400/xml/dd.xml",
			    d->locs[0].len);
	/* ... but not when it is a query's known answer */
	m.b[2] = 0;
	m.b[m.n - 3] = '9';
	deliver(d, f, udp_frame(f, DEV_MAC, ((uint8_t[]){192, 168, 77, 70}),
				5353, d->mport, m.b, m.n), 3);
	assert_int_equal(d->n_locs, 1);

	/* ARP: a reply to us counts, a reply to someone else does not */
	uint8_t a[ARP_FRAME_LEN];
	vt_arp_request(a, DEV_MAC, ((uint8_t[]){192, 168, 77, 70}),
		       ((uint8_t[]){192, 168, 77, 250}));
	a[21] = 2; /* op: reply */
	deliver(d, a, sizeof(a), 3);
	assert_int_equal(d->st.arp_replies, 1);
	a[41] = 9;
	deliver(d, a, sizeof(a), 4);
	assert_int_equal(d->st.arp_replies, 1);
	/* junk frames of every length are only junk */
	for (size_t len = 0; len < 64; len++)
		deliver(d, f, len, 5);
	free_discover(d);
}

static void ssdp_search(void **state)
{
	(void)state;
	uint8_t b[512];
	size_t n = vt_ssdp_msearch(b, sizeof(b), 1);
	assert_true(n > 0);
	assert_int_equal(vt_sig_ssdp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sig(&R, "ssdp_st", "ssdp:all");
	assert_int_equal(rec_count(&R, "ssdp_user_agent"), 1);
	assert_memory_equal(b + n - 4, "\r\n\r\n", 4);
	assert_int_equal(vt_ssdp_msearch(b, 40, 1), 0);
}

static int wsd(const char *x)
{
	return vt_sig_wsd((const uint8_t *)x, strlen(x), rec_reset(&R));
}

/* A ProbeMatches as wsdd 0.7 sends it, and an ONVIF camera's. */
static void wsd_probe_matches(void **state)
{
	(void)state;
	assert_int_equal(
		wsd("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		    "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\""
		    " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
		    " xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">"
		    "<soap:Header><wsa:To>http://schemas.xmlsoap.org/ws/2004/08/"
		    "addressing/role/anonymous</wsa:To><wsa:Action>http://schemas."
		    "xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>"
		    "</soap:Header><soap:Body><wsd:ProbeMatches><wsd:ProbeMatch>"
		    "<wsa:EndpointReference><wsa:Address>urn:uuid:1</wsa:Address>"
		    "</wsa:EndpointReference><wsd:Types>wsdp:Device pub:Computer"
		    "</wsd:Types><wsd:MetadataVersion>1</wsd:MetadataVersion>"
		    "</wsd:ProbeMatch></wsd:ProbeMatches></soap:Body></soap:Envelope>"),
		VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("wsd_type", "wsdp:Device", "wsd_type",
				   "pub:Computer"));
	assert_int_equal(
		wsd("<s:Envelope><s:Body><d:ProbeMatches><d:ProbeMatch>"
		    "<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>"
		    "<d:Scopes>\n onvif://www.onvif.org/type/video_encoder\t"
		    "onvif://www.onvif.org/hardware/DS-2CD2032-I "
		    "onvif://www.onvif.org/name/HIKVISION </d:Scopes>"
		    "<d:XAddrs>http://192.168.77.20/onvif/device_service</d:XAddrs>"
		    "</d:ProbeMatch></d:ProbeMatches>"
		    "<d:Types>outside a match</d:Types></s:Body></s:Envelope>"),
		VT_DIS_OK);
	assert_sigs_exact(
		&R, SIGS("wsd_type", "dn:NetworkVideoTransmitter", "wsd_type",
			 "tds:Device", "wsd_scope",
			 "onvif://www.onvif.org/type/video_encoder", "wsd_scope",
			 "onvif://www.onvif.org/hardware/DS-2CD2032-I", "wsd_scope",
			 "onvif://www.onvif.org/name/HIKVISION", "wsd_xaddr",
			 "http://192.168.77.20/onvif/device_service"));
}

static void wsd_hostile(void **state)
{
	(void)state;
	assert_int_equal(wsd("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x><ProbeMatch>"
			     "<Types>&a;</Types></ProbeMatch></x>"),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	assert_int_equal(wsd("M-SEARCH * HTTP/1.1"), VT_DIS_MALFORMED);
	/* 10,000 tokens: 64 signals; a 300-byte token cut */
	size_t cap = 10000 * 3 + 600, off = 0;
	char *x = malloc(cap);
	assert_non_null(x);
	off += (size_t)snprintf(x + off, cap - off, "<ProbeMatch><Scopes>");
	for (int i = 0; i < 300; i++)
		x[off++] = 's';
	for (int i = 0; i < 10000; i++)
		off += (size_t)snprintf(x + off, cap - off, " t");
	snprintf(x + off, cap - off, "</Scopes></ProbeMatch>");
	assert_int_equal(wsd(x), VT_DIS_OK);
	assert_int_equal(R.n, 64);
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);
	free(x);
}

/* Our probes are well-formed and read back as probes. */
static void wsd_probe_bytes(void **state)
{
	(void)state;
	uint8_t b[1024];
	size_t n = vt_wsd_probe(b, sizeof(b), 7, 1);
	assert_true(n > 0);
	assert_non_null(strstr((char *)b, "<wsd:Types>wsdp:Device</wsd:Types>"));
	assert_non_null(strstr((char *)b, "urn:uuid:76610001-7461-6765-2d64-697363000007"));
	assert_int_equal(vt_sig_wsd(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(R.n, 0); /* a Probe, not a ProbeMatch */
	n = vt_wsd_probe(b, sizeof(b), 8, 0);
	assert_null(strstr((char *)b, "Types"));
	assert_int_equal(vt_sig_wsd(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(vt_wsd_probe(b, 100, 1, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arp_request_frame),
		cmocka_unit_test(sweep_targets),
		cmocka_unit_test(mdns_query_bytes),
		cmocka_unit_test(browse_follows_replies),
		cmocka_unit_test(browse_caps),
		cmocka_unit_test(ssdp_search),
		cmocka_unit_test(ssdp_replies),
		cmocka_unit_test(mdns_and_arp_replies),
		cmocka_unit_test(wsd_probe_matches),
		cmocka_unit_test(wsd_hostile),
		cmocka_unit_test(wsd_probe_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
