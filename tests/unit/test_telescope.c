/*
 * Unit tests: the telescope classifier (classes, backscatter, the Mirai
 * signature and 2016 profile, tool fingerprints, quoted ICMP headers), the
 * exclusion list, the distinct counter, and the engine's caps and event
 * timeout. Frames are built byte by byte and decoded by the dissectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vantage/error.h"
#include "vantage/telescope.h"

#define T1 0xC6336407u /* 198.51.100.7 */
#define BOT 0x2D43590Au /* 45.67.89.10 */

typedef struct spec {
	uint32_t src, dst, seq, ack;
	uint16_t sport, dport, win, ipid, frag;
	uint8_t flags, ttl, proto, optlen;
	int pad;
} spec;

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

/* Ethernet + IPv4 + TCP (or ICMP with a caller body); returns length. */
static size_t frame(uint8_t *b, const spec *s, const uint8_t *body,
		    size_t blen)
{
	memset(b, 0, 128);
	put16(b + 12, 0x0800);
	uint8_t *ip = b + 14;
	size_t l4 = s->proto == 1 ? blen : 20u + s->optlen;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4));
	put16(ip + 4, s->ipid);
	put16(ip + 6, s->frag);
	ip[8] = s->ttl ? s->ttl : 64;
	ip[9] = s->proto ? s->proto : 6;
	put32(ip + 12, s->src);
	put32(ip + 16, s->dst);
	uint8_t *t = ip + 20;
	if (s->proto == 1) {
		memcpy(t, body, blen);
	} else {
		put16(t, s->sport);
		put16(t + 2, s->dport);
		put32(t + 4, s->seq);
		put32(t + 8, s->ack);
		t[12] = (uint8_t)(((20 + s->optlen) / 4) << 4);
		t[13] = s->flags ? s->flags : VT_TCP_SYN;
		put16(t + 14, s->win);
		if (s->optlen == 4) {
			t[20] = 2; t[21] = 4; t[22] = 5; t[23] = 0xb4;
		}
	}
	size_t n = 14 + 20 + l4;
	return s->pad && n < 60 ? 60 : n;
}

static vt_tel_pkt classify(const spec *s, const uint8_t *body, size_t blen)
{
	uint8_t b[128];
	vt_pkt p;
	vt_dis_stats st;
	memset(&st, 0, sizeof(st));
	size_t n = frame(b, s, body, blen);
	vt_dissect_frame(VT_DLT_EN10MB, b, (uint32_t)n, (uint32_t)n, 1, &p, &st);
	vt_tel_pkt t;
	assert_int_equal(vt_tel_classify(&p, &t), VT_OK);
	return t;
}

static spec mirai_syn(void)
{
	return (spec){.src = BOT, .dst = T1, .seq = T1, .sport = 40000,
		      .dport = 23, .win = 5840, .ipid = 777};
}

static void test_mirai_canonical(void **state)
{
	spec s = mirai_syn();
	vt_tel_pkt t = classify(&s, NULL, 0);
	assert_int_equal(t.cls, VT_TC_TCP_SYN);
	assert_int_equal(t.port, 23);
	assert_true(t.mirai_sig);
	assert_true(t.mirai_orig);
	assert_int_equal(t.tool, VT_TOOL_MIRAI);
	assert_false(t.backscatter);
	s.pad = 1; /* Ethernet padding to 60: the IP length decides */
	t = classify(&s, NULL, 0);
	assert_true(t.mirai_orig);
	assert_int_equal(t.bytes, 40);
}

static void test_mirai_not_orig(void **state)
{
	spec s = mirai_syn();
	s.dport = 7547;
	assert_false(classify(&s, NULL, 0).mirai_orig);
	s = mirai_syn();
	s.optlen = 4; /* MSS: data offset 6, length 44 */
	vt_tel_pkt t = classify(&s, NULL, 0);
	assert_true(t.mirai_sig);
	assert_false(t.mirai_orig);
	s = mirai_syn();
	s.ttl = 120;
	assert_false(classify(&s, NULL, 0).mirai_orig);
	s = mirai_syn();
	s.frag = 0x4000; /* DF */
	assert_false(classify(&s, NULL, 0).mirai_orig);
	s = mirai_syn();
	s.sport = 1023;
	assert_false(classify(&s, NULL, 0).mirai_orig);
	s = mirai_syn();
	s.dst = s.seq = 0x0A010203; /* 10.1.2.3: excluded */
	t = classify(&s, NULL, 0);
	assert_true(t.mirai_sig);
	assert_false(t.mirai_orig);
}

static void test_mirai_negatives(void **state)
{
	spec s = mirai_syn();
	s.seq = 0x076433C6; /* byte-swapped destination */
	assert_false(classify(&s, NULL, 0).mirai_sig);
	s = mirai_syn();
	s.seq = BOT;
	assert_false(classify(&s, NULL, 0).mirai_sig);
	s = mirai_syn();
	s.flags = VT_TCP_SYN | VT_TCP_ACK;
	vt_tel_pkt t = classify(&s, NULL, 0);
	assert_false(t.mirai_sig);
	assert_int_equal(t.cls, VT_TC_TCP_SYNACK);
	assert_int_equal(t.port, 40000); /* keyed by source port */
	assert_true(t.backscatter);
	assert_int_equal(t.victim, BOT);
}

static void test_tools(void **state)
{
	spec s = mirai_syn();
	s.seq = 0x11223344;
	s.ipid = 54321;
	assert_int_equal(classify(&s, NULL, 0).tool, VT_TOOL_ZMAP);
	s.ipid = (uint16_t)((T1 ^ 23 ^ 0x11223344u) & 0xffff);
	assert_int_equal(classify(&s, NULL, 0).tool, VT_TOOL_MASSCAN);
	s.ipid = 1;
	assert_int_equal(classify(&s, NULL, 0).tool, VT_TOOL_NONE);
}

static void test_classes(void **state)
{
	spec s = mirai_syn();
	s.flags = VT_TCP_RST | VT_TCP_ACK;
	vt_tel_pkt t = classify(&s, NULL, 0);
	assert_int_equal(t.cls, VT_TC_TCP_RST);
	assert_true(t.backscatter);
	s.flags = VT_TCP_ACK;
	assert_int_equal(classify(&s, NULL, 0).cls, VT_TC_TCP_ACK);
	s.flags = VT_TCP_FIN;
	assert_int_equal(classify(&s, NULL, 0).cls, VT_TC_TCP_OTHER);
	s.flags = VT_TCP_SYN | 0x40 | 0x80; /* ECE + CWR: still a SYN */
	assert_int_equal(classify(&s, NULL, 0).cls, VT_TC_TCP_SYN);
}

/* An ICMP port unreachable quoting a Mirai-like SYN to 8.8.4.4:23. */
static void test_icmp_quote(void **state)
{
	uint8_t body[4 + 4 + 28];
	memset(body, 0, sizeof(body));
	body[0] = 3;
	body[1] = 3;
	uint8_t *in = body + 8;
	in[0] = 0x45;
	put16(in + 2, 40);
	in[8] = 64;
	in[9] = 6;
	put32(in + 12, T1);
	put32(in + 16, 0x08080404);
	put16(in + 20, 40003);
	put16(in + 22, 23);
	put32(in + 24, 0x08080404); /* seq == inner dst */
	spec s = {.src = 0xC0000201, .dst = T1, .proto = 1};
	vt_tel_pkt t = classify(&s, body, sizeof(body));
	assert_int_equal(t.cls, VT_TC_ICMP);
	assert_int_equal(t.port, 3);
	assert_true(t.backscatter);
	assert_false(t.mirai_sig);
	assert_int_equal(t.victim, 0x08080404);
	assert_int_equal(t.victim_port, 23);
	/* Echo request (8) is not backscatter; echo reply (0) is. */
	body[0] = 8;
	assert_false(classify(&s, body, 8).backscatter);
	body[0] = 0;
	t = classify(&s, body, 8);
	assert_true(t.backscatter);
	assert_int_equal(t.victim, 0xC0000201);
}

static void test_quote_bounds(void **state)
{
	uint8_t q[28] = {0};
	vt_tel_quote out;
	q[4] = 0x45;
	q[13] = 6;
	for (size_t n = 0; n < 24; n++)
		assert_int_equal(vt_tel_quote_parse(q, n, &out), VT_ETRUNC);
	assert_int_equal(vt_tel_quote_parse(q, 24, &out), VT_OK);
	assert_false(out.has_ports);
	assert_int_equal(vt_tel_quote_parse(q, 28, &out), VT_OK);
	assert_true(out.has_ports);
	q[4] = 0x44; /* IHL 4 */
	assert_int_equal(vt_tel_quote_parse(q, 28, &out), VT_EFORMAT);
	q[4] = 0x4f; /* IHL 15: options past the quote */
	assert_int_equal(vt_tel_quote_parse(q, 28, &out), VT_ETRUNC);
}

static void test_exclusions(void **state)
{
	assert_false(vt_tel_mirai_target(0x0A000001));  /* 10/8 */
	assert_false(vt_tel_mirai_target(0x64400000));  /* 100.64.0.0 */
	assert_false(vt_tel_mirai_target(0x647EFFFF));  /* 100.126.255.255 */
	assert_true(vt_tel_mirai_target(0x647F0000));   /* 100.127.0.0 */
	assert_true(vt_tel_mirai_target(0xA9FE0101));   /* 169.254.1.1 */
	assert_false(vt_tel_mirai_target(0xA9FF0101));  /* 169.255.1.1 */
	assert_false(vt_tel_mirai_target(0xC6120000));  /* 198.18/15 */
	assert_false(vt_tel_mirai_target(0xC6130000));
	assert_true(vt_tel_mirai_target(0xC6140000));
	assert_false(vt_tel_mirai_target(0xD6000001));  /* 214/8 */
	assert_false(vt_tel_mirai_target(0xE0000001));  /* 224/3 */
	assert_false(vt_tel_mirai_target(0xAC100001));  /* 172.16/12 */
	assert_true(vt_tel_mirai_target(0xAC200001));   /* 172.32 */
	assert_true(vt_tel_mirai_target(T1));
}

static void test_distinct(void **state)
{
	vt_tel_distinct d;
	memset(&d, 0, sizeof(d));
	for (uint32_t i = 0; i < 12; i++) {
		vt_tel_distinct_add(&d, i);
		vt_tel_distinct_add(&d, i);
	}
	assert_int_equal(vt_tel_distinct_count(&d), 12);
	assert_null(d.hll);
	for (uint32_t i = 0; i < 100000; i++)
		vt_tel_distinct_add(&d, i * 2654435761u);
	uint64_t n = vt_tel_distinct_count(&d);
	assert_true(n > 85000 && n < 115000); /* HyperLogLog, m = 256 */
	vt_tel_distinct_cleanup(&d);
}

typedef struct sink {
	int sources, evicted, events;
	uint64_t packets;
} sink;

static void on_src(const vt_tel_source *s, void *u)
{
	sink *k = u;
	k->sources++;
	k->evicted += s->evicted;
	k->packets += s->packets;
}

static void on_ev(const vt_tel_event *e, void *u)
{
	((sink *)u)->events++;
}

static void feed(vt_tel *t, uint32_t src, uint64_t ts_s)
{
	uint8_t b[128];
	vt_pkt p;
	vt_dis_stats st;
	memset(&st, 0, sizeof(st));
	spec s = {.src = src, .dst = T1, .seq = 5, .sport = 1, .dport = 80};
	size_t n = frame(b, &s, NULL, 0);
	vt_dissect_frame(VT_DLT_EN10MB, b, (uint32_t)n, (uint32_t)n,
			 ts_s * 1000000u, &p, &st);
	vt_tel_packet(t, &p);
}

static void test_source_cap(void **state)
{
	sink k = {0};
	vt_tel_cfg cfg = {.max_sources = 2};
	vt_tel_sinks sk = {.source = on_src, .event = on_ev, .user = &k};
	vt_tel *t = vt_tel_new(&cfg, &sk);
	assert_non_null(t);
	for (uint32_t i = 0; i < 10; i++)
		feed(t, 0x01000000 + i, 100);
	assert_int_equal(vt_tel_counters(t)->sources_evicted, 8);
	assert_int_equal(k.evicted, 8);
	vt_tel_finish(t);
	assert_int_equal(k.sources, 10); /* nothing lost: evicted = output */
	assert_int_equal(k.packets, 10);
	vt_tel_free(t);
}

static void test_event_timeout(void **state)
{
	sink k = {0};
	vt_tel_cfg cfg = {0};
	vt_tel_sinks sk = {.source = on_src, .event = on_ev, .user = &k};
	vt_tel *t = vt_tel_new(&cfg, &sk);
	feed(t, 1, 1000);
	feed(t, 1, 1000 + 624); /* exactly the timeout: same event */
	feed(t, 1, 1000 + 624 + 625); /* longer: a new one */
	assert_int_equal(k.events, 1);
	vt_tel_finish(t);
	assert_int_equal(k.events, 2);
	vt_tel_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mirai_canonical),
		cmocka_unit_test(test_mirai_not_orig),
		cmocka_unit_test(test_mirai_negatives),
		cmocka_unit_test(test_tools),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_icmp_quote),
		cmocka_unit_test(test_quote_bounds),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_source_cap),
		cmocka_unit_test(test_event_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
