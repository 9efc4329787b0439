/*
 * Unit tests: DNS and mDNS signals (src/dissect/sig_dns.c). A real Apple
 * mDNS response, a real mDNS query and a real unicast query (ndpi-tests,
 * LGPL; lifecycle-cn-iot, Apache), a hand-built Chromecast-style
 * announcement, known answers and probes, and every hostile name of
 * RELIABILITY.md: pointers to themselves, loops, forward and out of the
 * packet, labels 64-191, names over 255 bytes, counts of 65535 with no
 * records, long pointer chains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sig_sink.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

/* ndpi-tests iphone.pcap frame 3: "Luca's iMac" answers with its
 * services (30 answers, 11 additional records). */
static const char APPLE[] =
	"000084000000001e0000000b0d4c756361e280997320694d6163065f6f646973"
	"6b045f746370056c6f63616c0000108001000011940034337379733d77614d41"
	"3d43343a32433a30333a30363a34393a46452c616456463d3078342c61644454"
	"3d3078332c616443433d30095f7365727669636573075f646e732d7364045f75"
	"6470c026000c0001000011940002c01ac01a000c0001000011940002c00c0d4c"
	"756361e280997320694d61630c5f6465766963652d696e666fc0210010000100"
	"001194001a0e6d6f64656c3d694d616331312c330a6f7378766572733d313709"
	"5f6b65726265726f730a4c756361732d694d6163c02600100001000011940033"
	"324c4b44433a534841312e343932343830433345413832383237373141304432"
	"383846313131454639453735314639354136330d4c756361e280997320694d61"
	"63045f736d62c0210010800100001194000100c06b000c0001000011940002c1"
	"41c141000c0001000011940002c1330d4c756361e280997320694d61630b5f61"
	"66706f766572746370c0210010800100001194000100c06b000c000100001194"
	"0002c17dc17d000c0001000011940002c16f0d4c756361e280997320694d6163"
	"045f737368c0210010800100001194000100c06b000c0001000011940002c1c0"
	"c1c0000c0001000011940002c1b20d4c756361e280997320694d6163095f7366"
	"74702d737368c0210010800100001194000100c06b000c0001000011940002c1"
	"fcc1fc000c0001000011940002c1eec00c0021800100000078000800000000c0"
	"00c0e9c133002180010000007800080000000001bdc0e9c16f00218001000000"
	"780008000000000224c0e9c1b200218001000000780008000000000016c0e9c1"
	"ee00218001000000780008000000000016c0e90d4c756361e280997320694d61"
	"63045f6e6673c0210010800100001194000100c06b000c0001000011940002c2"
	"a1c2a1000c0001000011940002c293c293002180010000007800080000000008"
	"01c0e90d4c756361e280997320694d61630f5f636f6d70616e696f6e2d6c696e"
	"6bc0210010800100001194005816727042413d35393a35313a30323a32463a41"
	"343a46460a727056723d3135322e3111727048493d3037313664303539343461"
	"66117270484e3d38623533323433353964376411727048413d32386434626564"
	"3531373830c06b000c0001000011940002c2f1c2f1000c0001000011940002c2"
	"e3c2e30021800100000078000800000000c003c0e9c0e9000180010000007800"
	"04c0a80201c0e9001c8001000000780010fe80000000000000c42c03fffe606a"
	"64c00c002f8001000011940009c00c00050000800040c133002f800100001194"
	"0009c13300050000800040c16f002f8001000011940009c16f00050000800040"
	"c1b2002f8001000011940009c1b200050000800040c1ee002f80010000119400"
	"09c1ee00050000800040c293002f8001000011940009c29300050000800040c2"
	"e3002f8001000011940009c2e300050000800040c0e9002f8001000000780008"
	"c0e900044000000800002905a00000119400120004000e0000c42c030649fec6"
	"2c03606a64"
	;

typedef struct pk {
	uint8_t b[70000];
	size_t n;
} pk;

static pk P;

static void u8(pk *p, uint8_t v) { p->b[p->n++] = v; }
static void u16(pk *p, uint16_t v) { u8(p, (uint8_t)(v >> 8)), u8(p, (uint8_t)v); }
static void raw(pk *p, const void *v, size_t n)
{
	memcpy(p->b + p->n, v, n);
	p->n += n;
}

/* A dotted name as labels and the root. */
static void name(pk *p, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
		u8(p, (uint8_t)n);
		raw(p, dotted, n);
		dotted += n + (dot ? 1 : 0);
	}
	u8(p, 0);
}

static void hdr(pk *p, uint16_t flags, uint16_t qd, uint16_t an,
		uint16_t ns, uint16_t ar)
{
	p->n = 0;
	u16(p, 0), u16(p, flags), u16(p, qd), u16(p, an), u16(p, ns), u16(p, ar);
}

static void question(pk *p, const char *q, uint16_t type)
{
	name(p, q);
	u16(p, type), u16(p, 0x8001); /* class IN with the QU bit */
}

/* A record header; the caller appends rdlen bytes of rdata. */
static void rr(pk *p, const char *owner, uint16_t type, uint16_t rdlen)
{
	name(p, owner);
	u16(p, type), u16(p, 0x8001), u16(p, 0), u16(p, 120), u16(p, rdlen);
}

static size_t name_len(const char *dotted) { return strlen(dotted) + 2; }

static void ptr(pk *p, const char *owner, const char *target)
{
	rr(p, owner, 12, (uint16_t)name_len(target));
	name(p, target);
}

static int dns(int mdns)
{
	return vt_sig_dns(P.b, P.n, mdns, rec_reset(&R));
}

static void real_apple_response(void **state)
{
	P.n = unhex(APPLE, P.b, sizeof(P.b));
	assert_int_equal(P.n, 1157);
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"mdns_instance", "Luca\xe2\x80\x99s iMac._odisk._tcp",
		"mdns_service", "_odisk._tcp",
		"mdns_txt", "sys=waMA=C4:2C:03:06:49:FE,adVF=0x4,adDT=0x3,adCC=0",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._device-info._tcp",
		"mdns_service", "_device-info._tcp",
		"mdns_txt", "model=iMac11,3",
		"mdns_txt", "osxvers=17",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._smb._tcp",
		"mdns_service", "_smb._tcp",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._afpovertcp._tcp",
		"mdns_service", "_afpovertcp._tcp",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._ssh._tcp",
		"mdns_service", "_ssh._tcp",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._sftp-ssh._tcp",
		"mdns_service", "_sftp-ssh._tcp",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._nfs._tcp",
		"mdns_service", "_nfs._tcp",
		"mdns_instance", "Luca\xe2\x80\x99s iMac._companion-link._tcp",
		"mdns_service", "_companion-link._tcp",
		"mdns_txt", "rpBA=59:51:02:2F:A4:FF",
		"mdns_txt", "rpVr=152.1",
		"mdns_txt", "rpHI=0716d05944af",
		"mdns_txt", "rpHN=8b5324359d7d",
		"mdns_txt", "rpHA=28d4bed51780",
		"mdns_hostname", "Lucas-iMac.local"));
	/* as unicast DNS a response says nothing about its sender */
	assert_int_equal(dns(0), VT_DIS_OK);
	assert_int_equal(R.n, 0);
}

/* ndpi-tests android.pcap frame 43 (mDNS) and lifecycle-cn-iot
 * xiaodu_plug_idle_off_local.pcap frames 83 and 84 (DNS). */
static void real_queries(void **state)
{
	P.n = unhex("000000000001000000000000105f73706f746966792d636f6e6e656374"
		    "045f746370056c6f63616c00000c0001", P.b, sizeof(P.b));
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_query", "_spotify-connect._tcp"));

	P.n = unhex("e9aa01000001000000000000067869616f647505626169647503636f6d"
		    "0000010001", P.b, sizeof(P.b));
	assert_int_equal(dns(0), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dns_query", "xiaodu.baidu.com"));

	P.n = unhex("e9aa81800001000400000000067869616f647505626169647503636f6d"
		    "0000010001c00c00050001000000fb0012067869616f64750161067368"
		    "6966656ec019c02e00010001000000b900046f3f606dc02e0001000100"
		    "0000b900046f3f609fc02e00010001000000b900046f3f609d",
		    P.b, sizeof(P.b));
	assert_int_equal(dns(0), VT_DIS_OK);
	assert_int_equal(R.n, 0);
}

/* What a Chromecast announces, with compression as devices send it. */
static void chromecast_announce(void **state)
{
	hdr(&P, 0x8400, 0, 4, 0, 2);
	/* rdata of the first PTR: after the header, its owner, 10 bytes */
	size_t svc = 12 + name_len("_services._dns-sd._udp.local") + 10;
	ptr(&P, "_services._dns-sd._udp.local", "_googlecast._tcp.local");
	rr(&P, "_googlecast._tcp.local", 12, 1 + 17 + 2);
	size_t inst = P.n;
	u8(&P, 17), raw(&P, "Chromecast-1a2b3c", 17);
	u8(&P, 0xc0), u8(&P, (uint8_t)svc);
	/* TXT, owner compressed to the instance name */
	u8(&P, 0xc0), u8(&P, (uint8_t)inst);
	u16(&P, 16), u16(&P, 0x8001), u16(&P, 0), u16(&P, 120);
	u16(&P, 1 + 13 + 1 + 14 + 1);
	u8(&P, 13), raw(&P, "md=Chromecast", 13);
	u8(&P, 14), raw(&P, "fn=Living Room", 14);
	u8(&P, 0); /* an empty string: skipped */
	/* SRV: priority, weight, port, target */
	u8(&P, 0xc0), u8(&P, (uint8_t)inst);
	u16(&P, 33), u16(&P, 0x8001), u16(&P, 0), u16(&P, 120);
	u16(&P, (uint16_t)(6 + name_len("1a2b3c.local")));
	u16(&P, 0), u16(&P, 0), u16(&P, 8009);
	name(&P, "1a2b3c.local");
	rr(&P, "1a2b3c.local", 1, 4), raw(&P, "\xc0\xa8\x01\x05", 4);
	rr(&P, "1a2b3c.local", 28, 16);
	raw(&P, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"mdns_service", "_googlecast._tcp",
		"mdns_instance", "Chromecast-1a2b3c._googlecast._tcp",
		"mdns_txt", "md=Chromecast",
		"mdns_txt", "fn=Living Room",
		"mdns_hostname", "1a2b3c.local"));
}

/* A query's answers are known answers (others' records); its authority
 * section holds the records it is probing for (its own). */
static void known_answers_and_probes(void **state)
{
	hdr(&P, 0x0000, 2, 1, 1, 0);
	question(&P, "_googlecast._tcp.local", 12);
	question(&P, "myhost.local", 255);
	ptr(&P, "_googlecast._tcp.local", "Other TV._googlecast._tcp.local");
	rr(&P, "Mine._airplay._tcp.local", 33, 6 + name_len("myhost.local"));
	u16(&P, 0), u16(&P, 0), u16(&P, 7000), name(&P, "myhost.local");
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_query", "_googlecast._tcp",
				   "mdns_query", "myhost.local",
				   "mdns_instance", "Mine._airplay._tcp",
				   "mdns_service", "_airplay._tcp"));
	/* subtypes and instances in questions lose only the domain */
	hdr(&P, 0x0000, 2, 0, 0, 0);
	question(&P, "_B1._sub._googlecast._tcp.local", 12);
	question(&P, "Kitchen._raop._tcp.local", 33);
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_query", "_B1._sub._googlecast._tcp",
				   "mdns_query", "Kitchen._raop._tcp"));
}

static void hostnames_and_others(void **state)
{
	hdr(&P, 0x8400, 0, 5, 0, 0);
	rr(&P, "printer.local", 1, 4), raw(&P, "\xc0\xa8\x01\x09", 4);
	rr(&P, "printer.example.com", 1, 4), raw(&P, "\xc0\xa8\x01\x09", 4);
	rr(&P, "local", 28, 16), raw(&P, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	ptr(&P, "9.1.168.192.in-addr.arpa", "printer.local");
	rr(&P, "_kerberos.printer.local", 16, 4), raw(&P, "\x03k=v", 4);
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("mdns_hostname", "printer.local"));
	P.b[2] = 0xa8; /* QR=1, opcode 5 (UPDATE) */
	assert_int_equal(dns(1), VT_DIS_UNSUPPORTED);
	assert_int_equal(dns(0), VT_DIS_UNSUPPORTED);
}

static void pointer_self_loop_forward_out(void **state)
{
	/* question name is a pointer to itself */
	hdr(&P, 0, 1, 0, 0, 0);
	u8(&P, 0xc0), u8(&P, 12), u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	/* two pointers pointing at each other */
	hdr(&P, 0, 2, 0, 0, 0);
	u8(&P, 0xc0), u8(&P, 18), u16(&P, 1), u16(&P, 1);
	u8(&P, 0xc0), u8(&P, 12), u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	/* a label, then a pointer back to it: a.a.a... */
	hdr(&P, 0, 1, 0, 0, 0);
	u8(&P, 1), u8(&P, 'a'), u8(&P, 0xc0), u8(&P, 12), u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	/* forward pointer to a valid name later on */
	hdr(&P, 0, 2, 0, 0, 0);
	u8(&P, 0xc0), u8(&P, 18), u16(&P, 1), u16(&P, 1);
	question(&P, "ok.example", 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	/* pointers out of the packet */
	hdr(&P, 0, 1, 0, 0, 0);
	u8(&P, 0xff), u8(&P, 0xff), u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	hdr(&P, 0, 1, 0, 0, 0);
	u8(&P, 0xc0); /* half a pointer at the end */
	assert_int_equal(dns(0), VT_DIS_TRUNCATED);
	/* the first question is emitted before the bad second one */
	hdr(&P, 0, 2, 0, 0, 0);
	question(&P, "good.example", 1);
	u8(&P, 0xc0), u8(&P, 200), u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("dns_query", "good.example"));
}

static void pointer_chain(void **state)
{
	/* question i is one pointer to question i-1: i jumps to the name.
	 * 20 links are followed; 40 exceed the jump cap. */
	for (int hops = 20; hops <= 40; hops += 20) {
		hdr(&P, 0, (uint16_t)(1 + hops), 0, 0, 0);
		question(&P, "x.example", 1);
		size_t prev = 12;
		for (int i = 0; i < hops; i++) {
			size_t at = P.n;
			u8(&P, (uint8_t)(0xc0 | prev >> 8)), u8(&P, (uint8_t)prev);
			u16(&P, 1), u16(&P, 1);
			prev = at;
		}
		int rc = dns(0);
		assert_int_equal(rc, hops == 20 ? VT_DIS_OK : VT_DIS_MALFORMED);
		/* one distinct value: duplicates are emitted once */
		assert_sigs_exact(&R, SIGS("dns_query", "x.example"));
	}
}

static void bad_labels_and_lengths(void **state)
{
	for (unsigned l = 0x40; l <= 0xbf; l += 0x3f) { /* 0x40, 0x7f, 0xbe */
		hdr(&P, 0, 1, 0, 0, 0);
		u8(&P, (uint8_t)l), raw(&P, "abcdefgh", 8), u16(&P, 1), u16(&P, 1);
		assert_int_equal(dns(0), VT_DIS_MALFORMED);
	}
	/* 4 labels of 63: 256 bytes on the wire with the root */
	char big[300];
	memset(big, 'a', sizeof(big));
	for (int i = 63; i < 256; i += 64)
		big[i] = '.';
	big[255] = 0;
	hdr(&P, 0, 1, 0, 0, 0);
	question(&P, big, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	/* 255 exactly: 3 x 63 + 61 */
	big[253] = 0;
	hdr(&P, 0, 1, 0, 0, 0);
	question(&P, big, 1);
	assert_int_equal(dns(0), VT_DIS_OK);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.sig[0].len, 253);
	/* over 255 through compression: a long suffix reused */
	big[253] = 'a';
	big[191] = 0; /* 3 labels of 63: 193 bytes, 257 with one more */
	hdr(&P, 0, 2, 0, 0, 0);
	question(&P, big, 1);
	u8(&P, 63), raw(&P, big, 63), u8(&P, 0xc0), u8(&P, 12);
	u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(0), VT_DIS_MALFORMED);
	assert_int_equal(R.n, 1);
}

static void counts_without_records(void **state)
{
	hdr(&P, 0x8400, 0xffff, 0xffff, 0xffff, 0xffff);
	assert_int_equal(dns(1), VT_DIS_TRUNCATED);
	assert_int_equal(dns(0), VT_DIS_OK); /* a unicast response: ignored */
	hdr(&P, 0x0000, 0xffff, 0xffff, 0xffff, 0xffff);
	assert_int_equal(dns(1), VT_DIS_TRUNCATED);
	assert_int_equal(dns(0), VT_DIS_TRUNCATED);
	/* 65535 questions, all present (the root name): capped, no hang */
	hdr(&P, 0x0000, 0xffff, 0, 0, 0);
	for (int i = 0; i < 12000; i++)
		u8(&P, 0), u16(&P, 1), u16(&P, 1);
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_int_equal(R.n, 0);
	/* 1,100 records: the walk stops at the cap of 1,024 */
	hdr(&P, 0x8400, 0, 1100, 0, 0);
	for (int i = 0; i < 1100; i++) {
		char host[32];
		snprintf(host, sizeof(host), "h%d.local", i);
		rr(&P, host, 1, 4), raw(&P, "\1\2\3\4", 4);
	}
	assert_int_equal(dns(1), VT_DIS_OK);
	assert_int_equal(R.n, 256); /* and emits at most 256 per message */
	assert_sig(&R, "mdns_hostname", "h0.local");
	assert_int_equal(vt_sig_dns(P.b, 11, 1, rec_reset(&R)),
			 VT_DIS_TRUNCATED);
	assert_int_equal(vt_sig_dns(NULL, 0, 0, rec_reset(&R)),
			 VT_DIS_TRUNCATED);
}

static void record_overflows(void **state)
{
	/* rdlength past the data: what came before is kept */
	hdr(&P, 0x8400, 0, 2, 0, 0);
	rr(&P, "a.local", 1, 4), raw(&P, "\1\2\3\4", 4);
	rr(&P, "b.local", 1, 40), raw(&P, "\1\2\3\4", 4);
	assert_int_equal(dns(1), VT_DIS_TRUNCATED);
	assert_sigs_exact(&R, SIGS("mdns_hostname", "a.local"));
	/* a TXT string running past its rdata (not into the next record) */
	hdr(&P, 0x8400, 0, 2, 0, 0);
	rr(&P, "X._hap._tcp.local", 16, 4), raw(&P, "\x09k=v", 4);
	rr(&P, "c.local", 1, 4), raw(&P, "\1\2\3\4", 4);
	assert_int_equal(dns(1), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("mdns_instance", "X._hap._tcp",
				   "mdns_service", "_hap._tcp"));
	/* a PTR target running past its rdata */
	hdr(&P, 0x8400, 0, 1, 0, 0);
	rr(&P, "_hap._tcp.local", 12, 3), raw(&P, "\x05" "abcde\0", 7);
	assert_int_equal(dns(1), VT_DIS_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_apple_response),
		cmocka_unit_test(real_queries),
		cmocka_unit_test(chromecast_announce),
		cmocka_unit_test(known_answers_and_probes),
		cmocka_unit_test(hostnames_and_others),
		cmocka_unit_test(pointer_self_loop_forward_out),
		cmocka_unit_test(pointer_chain),
		cmocka_unit_test(bad_labels_and_lengths),
		cmocka_unit_test(counts_without_records),
		cmocka_unit_test(record_overflows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
