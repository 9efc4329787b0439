/*
 * Unit tests: p0f-style SYN signatures (src/dissect/sig_tcp.c). Real SYNs
 * (lifecycle-cn-iot, ndpi-tests) whose signature is what p0f 3.09b prints
 * as raw_sig for them (its "ttl+distance" summed into the initial TTL),
 * then hand-built packets for each quirk, the window forms and broken
 * options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sig_sink.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

static const struct {
	const char *what, *ip, *sig;
} REAL[] = {
	{"xiaodu plug (lifecycle-cn-iot idle_off_local #85)",
	 "45000030109d0000ff0618f9c0a801dd6f3f606de43700500002b0f40000000070"
	 "02ffff5c8400000204059c01030303",
	 "4:255:0:1436:65535,3:mss,nop,ws::0"},
	{"xiaobai camera (lifecycle-cn-iot setup #3)",
	 "4500003c329f40004006d751c0a801a56e2b0053b15c01bb8f91d0bb00000000a0"
	 "02faf0618f0000020405b40402080a135b93f80000000001030303",
	 "4:64:0:1460:mss*44,3:mss,sok,ts,nop,ws:df,id+:0"},
	{"iPhone (ndpi-tests iphone.pcap #58)",
	 "45000040000040004006ac7ac0a8021111f8b98cc58f01bb0deab6d400000000b0"
	 "c2ffff23410000020405b4010303070101080a11dfe6d30000000004020000",
	 "4:64:0:1460:65535,7:mss,nop,ws,nop,nop,ts,sok,eol+1:df,ecn:0"},
	{"Linux over IPv6 (ndpi-tests http_ipv6.pcap #84)",
	 "60000000002806402a000d40000100037aacc0fffea70d4c2a03b0c0000300d000"
	 "00000000701001926e01bb98d56d7200000000a00270806b1a0000020405a00402"
	 "080a120d77270000000001030307",
	 "6:64:0:1440:mss*20,7:mss,sok,ts,nop,ws::0"},
	{"nmap SYN scan (ndpi-tests synscan.pcap #1)",
	 "4500002ce708000036062b6aac100008400d86348cd201bbdd5283180000000060"
	 "020c002ad40000020405b4",
	 "4:64:0:1460:3072,0:mss::0"},
};

static void real_syns(void **state)
{
	for (size_t i = 0; i < sizeof(REAL) / sizeof(REAL[0]); i++) {
		uint8_t b[200];
		vt_pkt p;
		vt_dis_stats st = {0};
		size_t n = unhex(REAL[i].ip, b, sizeof(b));
		vt_dissect_from(VT_P_RAW, b, (uint32_t)n, &p, &st);
		assert_int_equal(vt_sig_tcp_syn(&p, rec_reset(&R)), VT_DIS_OK);
		if (!rec_has(&R, "tcp_syn", REAL[i].sig)) {
			fprintf(stderr, "%s:\n", REAL[i].what);
			rec_dump(&R);
			fail();
		}
		assert_int_equal(R.n, 1);
	}
}

/* An IPv4 SYN with DF, a non-zero ID, TTL 64 and the given options. */
static vt_pkt syn(const uint8_t *opts, uint8_t olen)
{
	vt_pkt p;
	memset(&p, 0, sizeof(p));
	p.has = VT_HAS_IP | VT_HAS_L4;
	p.ipver = 4, p.ip_proto = 6, p.ttl = 57, p.ip_df = 1, p.ip_id = 77;
	p.ip_hlen = 20, p.tcp_hlen = (uint8_t)(20 + (olen + 3) / 4 * 4);
	p.tcp_flags = VT_TCP_SYN, p.tcp_seq = 1000, p.tcp_win = 29200;
	p.tcp_opts = opts, p.tcp_opts_len = olen;
	return p;
}

static const char *sig(const vt_pkt *p)
{
	int rc = vt_sig_tcp_syn(p, rec_reset(&R));
	if (rc != VT_DIS_OK)
		return "(none)";
	assert_int_equal(R.n, 1);
	return (const char *)R.sig[0].val;
}

#define LINUX "\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x03\x03\x07"

static void linux_and_quirks(void **state)
{
	vt_pkt p = syn((const uint8_t *)LINUX, 20);
	assert_string_equal(sig(&p), "4:64:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0");
	p.ip_id = 0;
	assert_string_equal(sig(&p), "4:64:0:1460:mss*20,7:mss,sok,ts,nop,ws:df:0");
	p.ip_df = 0; /* no DF and a zero ID */
	assert_string_equal(sig(&p), "4:64:0:1460:mss*20,7:mss,sok,ts,nop,ws:id-:0");
	p = syn((const uint8_t *)LINUX, 20);
	p.tos = 0x02, p.tcp_seq = 0, p.tcp_ack = 5;
	p.tcp_flags |= 0x20 | VT_TCP_PSH;
	p.l4_payload_len = 3;
	assert_string_equal(sig(&p), "4:64:0:1460:mss*20,7:mss,sok,ts,nop,ws:"
				     "df,id+,ecn,seq-,ack+,urgf+,pushf+:+");
	p = syn((const uint8_t *)LINUX, 20);
	p.tcp_flags |= 0x40 | 0x80; /* ECE, CWR */
	p.ip_hlen = 24; /* four bytes of IP options */
	assert_string_equal(sig(&p), "4:64:4:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+,ecn:0");
}

static void ttl_rounding(void **state)
{
	static const struct {
		uint8_t ttl;
		const char *want;
	} t[] = {{1, "32"}, {32, "32"}, {33, "64"}, {64, "64"}, {65, "128"},
		 {128, "128"}, {129, "255"}, {255, "255"}, {0, "32"}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		vt_pkt p = syn(NULL, 0);
		p.ttl = t[i].ttl;
		const char *s = sig(&p);
		assert_memory_equal(s + 2, t[i].want, strlen(t[i].want));
		assert_int_equal(s[2 + strlen(t[i].want)], ':');
	}
}

static void window_forms(void **state)
{
	/* mss*N; (mss-12)*N with timestamps; 1460*N; mtu*N; raw */
	vt_pkt p = syn((const uint8_t *)"\x02\x04\x05\x00", 4); /* MSS 1280 */
	p.tcp_win = 1280 * 4;
	assert_string_equal(sig(&p), "4:64:0:1280:mss*4,0:mss:df,id+:0");
	p.tcp_win = 1460 * 3;
	assert_string_equal(sig(&p), "4:64:0:1280:mss*3,0:mss:df,id+:0");
	p.tcp_win = (1280 + 40) * 2;
	assert_string_equal(sig(&p), "4:64:0:1280:mtu*2,0:mss:df,id+:0");
	p.tcp_win = 3000;
	assert_string_equal(sig(&p), "4:64:0:1280:mtu*2,0:mss:df,id+:0");
	p.tcp_win = 1234;
	assert_string_equal(sig(&p), "4:64:0:1280:1234,0:mss:df,id+:0");
	p.tcp_win = 0;
	assert_string_equal(sig(&p), "4:64:0:1280:0,0:mss:df,id+:0");
	/* timestamps: (mss - 12) divides */
	p = syn((const uint8_t *)"\x02\x04\x05\x00\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00", 14);
	p.tcp_win = 1268 * 5;
	assert_string_equal(sig(&p), "4:64:0:1280:mss*5,0:mss,ts:df,id+:0");
	/* an MSS under 100 never makes multiples */
	p = syn((const uint8_t *)"\x02\x04\x00\x40", 4);
	p.tcp_win = 640;
	assert_string_equal(sig(&p), "4:64:0:64:640,0:mss:df,id+:0");
}

static void option_quirks(void **state)
{
	/* own timestamp zero, peer timestamp set */
	vt_pkt p = syn((const uint8_t *)"\x08\x0a\x00\x00\x00\x00\x00\x00\x00\x09", 10);
	assert_string_equal(sig(&p), "4:64:0:0:29200,0:ts:df,id+,ts1-,ts2+:0");
	/* data after EOL, excessive window scale, SACK, unknown option */
	p = syn((const uint8_t *)"\x03\x03\x0f\x05\x0a\x00\x00\x00\x01\x00\x00\x00\x02"
		"\x1e\x02\x00\x00\x07", 18);
	assert_string_equal(sig(&p), "4:64:0:0:29200,15:ws,sack,?30,eol+2:df,id+,opt+,exws:0");
	/* EOL followed by zeros only */
	p = syn((const uint8_t *)"\x01\x00\x00\x00", 4);
	assert_string_equal(sig(&p), "4:64:0:0:29200,0:nop,eol+2:df,id+:0");
	/* option length 0, length 1, past the end: "bad" and the walk stops */
	p = syn((const uint8_t *)"\x01\x02\x00\x05\xb4", 5);
	assert_string_equal(sig(&p), "4:64:0:0:29200,0:nop,mss:df,id+,bad:0");
	p = syn((const uint8_t *)"\x04\x01\x01", 3);
	assert_string_equal(sig(&p), "4:64:0:0:29200,0:sok:df,id+,bad:0");
	p = syn((const uint8_t *)"\x02\x04\x05", 3);
	assert_string_equal(sig(&p), "4:64:0:0:29200,0:mss:df,id+,bad:0");
	p = syn((const uint8_t *)"\x02", 1);
	assert_string_equal(sig(&p), "4:64:0:0:29200,0:mss:df,id+,bad:0");
	/* wrong lengths for known options are "bad" but read on */
	p = syn((const uint8_t *)"\x02\x06\x05\xb4\x00\x00\x04\x03\x00", 9);
	assert_string_equal(sig(&p), "4:64:0:1460:mss*20,0:mss,sok:df,id+,bad:0");
	/* 255 bytes of NOPs: the layout is cut at the value cap */
	uint8_t nops[255];
	memset(nops, 1, sizeof(nops));
	p = syn(nops, 255);
	vt_sig_tcp_syn(&p, rec_reset(&R));
	assert_int_equal(R.n, 1);
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);
}

static void not_a_syn(void **state)
{
	vt_pkt p = syn(NULL, 0);
	p.tcp_flags = VT_TCP_SYN | VT_TCP_ACK;
	assert_int_equal(vt_sig_tcp_syn(&p, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	p.tcp_flags = VT_TCP_ACK;
	assert_int_equal(vt_sig_tcp_syn(&p, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	p = syn(NULL, 0);
	p.ip_proto = 17;
	assert_int_equal(vt_sig_tcp_syn(&p, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	p = syn(NULL, 0);
	p.has = VT_HAS_IP;
	assert_int_equal(vt_sig_tcp_syn(&p, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	assert_int_equal(R.n, 0);
	/* IPv6: no DF/ID quirks, no IP option length */
	p = syn(NULL, 0);
	p.ipver = 6, p.ip_df = 0, p.ip_id = 0, p.ip_hlen = 0;
	assert_string_equal(sig(&p), "6:64:0:0:29200,0:::0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_syns),
		cmocka_unit_test(linux_and_quirks),
		cmocka_unit_test(ttl_rounding),
		cmocka_unit_test(window_forms),
		cmocka_unit_test(option_quirks),
		cmocka_unit_test(not_a_syn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
