/*
 * Unit tests: TLS signals (src/dissect/sig_tls.c, sig_x509.c) and the
 * hashes under them (src/util/md5.c, sha256.c).
 *
 * Real ClientHellos whose JA3 tshark 4.0 computes identically (and whose
 * JA4 matches an independent computation from tshark's dissected fields),
 * the JA4 specification's published example rebuilt byte by byte, a real
 * server segment with the start of a certificate chain (subject and
 * issuer as `openssl x509 -nameopt RFC2253` prints them, less its
 * escaping), and the cases of RELIABILITY.md: record and handshake
 * lengths that disagree, extensions overflowing the hello, odd SNI lists,
 * GREASE, long-form DER lengths, deep nesting, a NUL inside a CN and a
 * chain of 1,000 certificates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sig_sink.h"
#include "vantage/md5.h"
#include "vantage/packet.h"
#include "vantage/sha256.h"
#include "vantage/signal.h"

static rec R;
static uint8_t B[300000], T[300000], U[300000];

/* lifecycle-cn-iot xiaodu_plug_delete.pcap frame 34: the plug's
 * ClientHello to ota.baidu.com (TLS 1.2, 43 ciphers, no ALPN). */
static const char XIAODU_HELLO[] =
	"16030300d1010000cd0303661e386f95f7fa05243552c7ebfb6ec18af9b784e4"
	"e29723cc1cf7399a0e1370000056c02cc030009fc0adc09fc024c028006bc00a"
	"c0140039c0afc0a3c02bc02f009ec0acc09ec023c0270067c009c0130033c0ae"
	"c0a2009dc09d003d0035c02ec026c005c0a1009cc09c003c002fc02dc025c004"
	"c0a000ff0100004e00000012001000000d6f74612e62616964752e636f6d000d"
	"001600140603060105030501040304010303030102030201000a000800060018"
	"00170016000b00020100001600000017000000230000"
	;

/* ndpi-tests android.pcap frame 241: Chrome on Android, with GREASE in
 * ciphers, extensions, groups and versions. */
static const char ANDROID_HELLO[] =
	"1603010200010001fc03030bccec6d3ba84e9886167c1be2b60e2bfbb5a0960f"
	"0654d30026c6ff8d090fab207534e4c5d201856fa20ae3eda100e9bd488c46b3"
	"ae08e228404c33b4907070250022baba130113021303c02bc02fc02cc030cca9"
	"cca8c013c014009c009d002f0035000a01000191baba00000000001d001b0000"
	"186461746173617665722e676f6f676c65617069732e636f6d00170000ff0100"
	"0100000a000a0008aaaa001d00170018000b00020100002300000010000e000c"
	"02683208687474702f312e31000500050100000000000d001400120403080404"
	"01050308050501080606010201001200000033002b0029aaaa000100001d0020"
	"8f6e68315a02b71baa5eeb70a9381a1397236a2b76c8ec7fa8f7542b2eac150e"
	"002d00020101002b000b0a7a7a0304030303020301001b00030200021a1a0001"
	"00001500c0000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000"
	;

/* xiaodu_plug_delete.pcap frame 46, its first 400 bytes: ServerHello and
 * the start of the Certificate message (records claim 4,768 bytes). */
static const char XIAODU_SERVER[] =
	"160303003b020000370303661e386f586d41d8a9a54d98b3576494fce3c45ea7"
	"d41490f5f782cb20f7956300c02f00000f00230000ff01000100000b00020100"
	"16030312a00b00129c0012990009ec308209e8308208d0a003020102020c55e6"
	"acaed1f8a430f9a938c5300d06092a864886f70d01010b05003050310b300906"
	"035504061302424531193017060355040a1310476c6f62616c5369676e206e76"
	"2d7361312630240603550403131d476c6f62616c5369676e20525341204f5620"
	"53534c2043412032303138301e170d3233303730363031353130365a170d3234"
	"303830363031353130355a308180310b300906035504061302434e3110300e06"
	"0355040813076265696a696e673110300e060355040713076265696a696e6731"
	"393037060355040a13304265696a696e67204261696475204e6574636f6d2053"
	"6369656e636520546563686e6f6c6f677920436f2e2c204c7464311230100603"
	"550403130962616964752e636f6d30820122300d06092a864886f70d01010105"
	"000382010f003082010a0282010100bb"
	;

static int tls(const uint8_t *b, size_t n)
{
	return vt_sig_tls(b, n, rec_reset(&R));
}

static size_t put16(uint8_t *b, size_t v)
{
	b[0] = (uint8_t)(v >> 8), b[1] = (uint8_t)v;
	return 2;
}

static size_t put24(uint8_t *b, size_t v)
{
	b[0] = (uint8_t)(v >> 16);
	return 1 + put16(b + 1, v);
}

static size_t ext(uint8_t *b, uint16_t type, const void *data, size_t len)
{
	put16(b, type);
	put16(b + 2, len);
	memcpy(b + 4, data, len);
	return 4 + len;
}

/* ClientHello body: TLS 1.2 legacy version, zero random, a 32-byte
 * session id, the ciphers, null compression, the extensions block. */
static size_t hello_body(uint8_t *b, const uint16_t *ciphers, size_t nc,
			 const uint8_t *exts, size_t elen)
{
	size_t n = put16(b, 0x0303);
	memset(b + n, 0, 32 + 1 + 32);
	n += 32;
	b[n++] = 32;
	n += 32;
	n += put16(b + n, nc * 2);
	for (size_t i = 0; i < nc; i++)
		n += put16(b + n, ciphers[i]);
	b[n++] = 1, b[n++] = 0;
	n += put16(b + n, elen);
	if (elen)
		memcpy(b + n, exts, elen);
	return n + elen;
}

static size_t handshake(uint8_t *b, uint8_t type, const uint8_t *body,
			size_t len)
{
	b[0] = type;
	put24(b + 1, len);
	memmove(b + 4, body, len);
	return 4 + len;
}

/* One or more records of `type` carrying data, at most `frag` bytes each. */
static size_t records(uint8_t *b, uint8_t type, const uint8_t *data,
		      size_t len, size_t frag)
{
	size_t n = 0;
	for (size_t off = 0; off < len || (len == 0 && off == 0);) {
		size_t k = len - off < frag ? len - off : frag;
		b[n] = type, b[n + 1] = 3, b[n + 2] = 1;
		put16(b + n + 3, k);
		memmove(b + n + 5, data + off, k);
		n += 5 + k;
		off += k;
		if (len == 0)
			break;
	}
	return n;
}

/* The JA4 specification's example client: 15 ciphers, 16 extensions,
 * ALPN h2, with GREASE in ciphers, extensions, groups and versions. */
static size_t spec_hello(uint8_t *b)
{
	static const uint16_t ciphers[] = {
		0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
		0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
	uint8_t e[600];
	size_t n = 0;
	n += ext(e + n, 0x1a1a, "", 0);
	n += ext(e + n, 0x0000, "\x00\x0e\x00\x00\x0b" "example.com", 16);
	n += ext(e + n, 0x0017, "", 0);
	n += ext(e + n, 0xff01, "\x00", 1);
	n += ext(e + n, 0x000a, "\x00\x08\x2a\x2a\x00\x1d\x00\x17\x00\x18", 10);
	n += ext(e + n, 0x000b, "\x01\x00", 2);
	n += ext(e + n, 0x0023, "", 0);
	n += ext(e + n, 0x0010, "\x00\x0c\x02h2\x08http/1.1", 14);
	n += ext(e + n, 0x0005, "\x01\x00\x00\x00\x00", 5);
	n += ext(e + n, 0x000d, "\x00\x10\x04\x03\x08\x04\x04\x01\x05\x03"
				"\x08\x05\x05\x01\x08\x06\x06\x01", 18);
	n += ext(e + n, 0x0012, "", 0);
	n += ext(e + n, 0x0033, "\x00\x00", 2);
	n += ext(e + n, 0x002d, "\x01\x01", 2);
	n += ext(e + n, 0x002b, "\x06\x3a\x3a\x03\x04\x03\x03", 7);
	n += ext(e + n, 0x001b, "\x02\x00\x02", 3);
	n += ext(e + n, 0x4469, "\x00\x03\x02h2", 5);
	n += ext(e + n, 0x0015, "\0\0\0\0", 4);
	n += ext(e + n, 0x3a3a, "\x00", 1);
	size_t h = hello_body(T, ciphers, 16, e, n);
	h = handshake(U, 1, T, h);
	return records(b, 22, U, h, 16384);
}

static void hashes(void **state)
{
	static const struct {
		const char *in, *md5;
	} m[] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"12345678901234567890123456789012345678901234567890123456789012"
		 "345678901234567890",
		 "57edf4a22be3c955ac49da2e2107b67a"},
	};
	char hex[65];
	uint8_t out[32];
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		vt_md5 c;
		vt_md5_init(&c);
		/* fed in odd pieces to cross block boundaries */
		for (size_t k = 0; m[i].in[k]; k++)
			vt_md5_update(&c, m[i].in + k, 1);
		vt_md5_final(&c, out);
		for (int k = 0; k < 16; k++)
			snprintf(hex + 2 * k, 3, "%02x", out[k]);
		assert_string_equal(hex, m[i].md5);
	}
	vt_sha256 s;
	vt_sha256_init(&s);
	vt_sha256_update(&s, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmno"
			     "mnopnopq", 56);
	vt_sha256_final(&s, out);
	for (int k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", out[k]);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
	vt_sha256_init(&s);
	memset(T, 'a', 1000);
	for (int k = 0; k < 1000; k++)
		vt_sha256_update(&s, T, 1000);
	vt_sha256_final(&s, out);
	for (int k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", out[k]);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
}

static void real_hellos(void **state)
{
	size_t n = unhex(XIAODU_HELLO, B, sizeof(B));
	assert_int_equal(n, 214);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("tls_sni", "ota.baidu.com",
		"tls_ja3", "c6883964deb8e9e3ab3730fd3d257afd",
		"tls_ja4", "t12d430700_67b55c9e7dc6_7b0ba9b4cf08"));
	n = unhex(ANDROID_HELLO, B, sizeof(B));
	assert_int_equal(n, 517);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("tls_sni", "datasaver.googleapis.com",
		"tls_ja3", "66918128f1b9b03303d77c6f2eefd128",
		"tls_ja4", "t13d1615h2_46e7e9700bed_45f260be83e2"));
}

static void ja4_spec_example(void **state)
{
	size_t n = spec_hello(B);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	/* JA3 string 771,4865-...-53,0-23-65281-10-11-35-16-5-13-18-51-45-
	 * 43-27-17513-21,29-23-24,0 (MD5 by Python's hashlib) */
	assert_sigs_exact(&R, SIGS("tls_sni", "example.com",
		"tls_ja3", "cd08e31494f9531f560d64c695473da9",
		"tls_ja4", "t13d1516h2_8daaf6152771_e5627efa2ab1"));
	/* the same handshake message split over 100-byte records */
	memcpy(U, B + 5, n - 5);
	size_t m = records(B, 22, U, n - 5, 100);
	assert_int_equal(tls(B, m), VT_DIS_OK);
	assert_sig(&R, "tls_ja4", "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

/* ALPN and version variants of section a. */
static void ja4_section_a(void **state)
{
	static const uint16_t c[] = {0x002f};
	static const struct {
		const char *alpn;
		size_t len;
		const char *want;
	} v[] = {
		{"\x00\x03\x02h2", 5, "t12i0101h2_"},
		{"\x00\x02\x01h", 4, "t12i0101hh_"},
		{"\x00\x05\x04\xab\x00\x00\xcd", 7, "t12i0101ad_"},
		{"\x00\x03\x02h\xff", 5, "t12i01016f_"},
		{"\x00\x01\x00", 3, "t12i010100_"},
		{"", 0, "t12i010100_"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t e[64];
		size_t n = ext(e, 0x0010, v[i].alpn, v[i].len);
		n = hello_body(T, c, 1, e, n);
		n = handshake(U, 1, T, n);
		n = records(B, 22, U, n, 16384);
		assert_int_equal(tls(B, n), VT_DIS_OK);
		assert_int_equal(rec_count(&R, "tls_ja4"), 1);
		assert_memory_equal(R.sig[1].val, v[i].want, 11);
	}
	/* no extensions block at all; SSL 3.0 legacy version */
	size_t n = hello_body(T, c, 1, NULL, 0) - 2; /* drop the length */
	T[0] = 3, T[1] = 0;
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	/* sha256("002f") = ba72b8082249... (Python hashlib) */
	assert_sig(&R, "tls_ja4", "ts3i010000_ba72b8082249_000000000000");
	/* supported_versions with only GREASE: the legacy version */
	uint8_t e[32];
	n = ext(e, 0x002b, "\x02\x4a\x4a", 3);
	n = hello_body(T, c, 1, e, n);
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_memory_equal(R.sig[1].val, "t12i0101", 8);
}

static void length_disagreements(void **state)
{
	size_t n = spec_hello(B);
	/* the record is cut by the segment end, the SNI is complete */
	assert_int_equal(tls(B, 140), VT_DIS_TRUNCATED);
	assert_sigs_exact(&R, SIGS("tls_sni", "example.com"));
	/* record shorter than the handshake message, nothing after it */
	B[3] = 0, B[4] = 150;
	assert_int_equal(tls(B, n), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("tls_sni", "example.com"));
	/* handshake length shorter than the hello: extensions overflow */
	n = spec_hello(B);
	size_t hl = (size_t)B[7] << 8 | B[8];
	put24(B + 6, hl - 20);
	assert_int_equal(tls(B, n), VT_DIS_MALFORMED);
	assert_int_equal(rec_count(&R, "tls_ja3"), 0);
	/* handshake length longer than the record and the data, but the
	 * hello's own fields complete: fingerprinted, and TRUNCATED */
	n = spec_hello(B);
	put24(B + 6, hl + 1000);
	assert_int_equal(tls(B, n), VT_DIS_TRUNCATED);
	assert_sig(&R, "tls_ja4", "t13d1516h2_8daaf6152771_e5627efa2ab1");
	/* ... while a hello cut inside its extensions is not */
	n = spec_hello(B);
	put24(B + 6, hl + 1000);
	assert_int_equal(tls(B, n - 30), VT_DIS_TRUNCATED);
	assert_int_equal(rec_count(&R, "tls_ja3"), 0);
	assert_sig(&R, "tls_sni", "example.com");
	/* record length over 2^14 + 2048, and a zero-length record */
	n = spec_hello(B);
	put16(B + 3, 0xffff);
	assert_int_equal(tls(B, n), VT_DIS_UNSUPPORTED);
	B[3] = 0, B[4] = 0;
	assert_int_equal(tls(B, 5), VT_DIS_OK);
	assert_int_equal(R.n, 0);
	/* a second record that is not TLS after a good one */
	n = spec_hello(B);
	memcpy(B + n, "\x99\x03\x03\x00\x01\x00", 6);
	assert_int_equal(tls(B, n + 6), VT_DIS_MALFORMED);
	assert_int_equal(rec_count(&R, "tls_ja4"), 1);
	/* not TLS at all */
	assert_int_equal(tls((const uint8_t *)"\x16\x02\x00\x00\x01\x00", 6),
			 VT_DIS_UNSUPPORTED);
	assert_int_equal(tls((const uint8_t *)"\x80\x2e\x01\x03\x01", 5),
			 VT_DIS_UNSUPPORTED); /* SSLv2 hello */
	assert_int_equal(tls((const uint8_t *)"\x16\x03", 2), VT_DIS_TRUNCATED);
	assert_int_equal(tls(NULL, 0), VT_DIS_OK);
	assert_int_equal(R.n, 0);
}

static void extension_overflows(void **state)
{
	static const uint16_t c[] = {0x1301};
	uint8_t e[256];
	size_t n = ext(e, 0x0000, "\x00\x06\x00\x00\x03" "abc", 8);
	size_t bad = n;
	n += ext(e + n, 0x000a, "\x00\x02\x00\x1d", 4);
	put16(e + bad + 2, 200); /* the groups extension claims 200 bytes */
	n = hello_body(T, c, 1, e, n);
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("tls_sni", "abc"));
	/* extensions block longer than the hello */
	n = ext(e, 0x0017, "", 0);
	n = hello_body(T, c, 1, e, n);
	put16(T + n - 6, 40);
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	/* odd cipher list length */
	n = hello_body(T, c, 1, NULL, 0);
	T[2 + 32 + 1 + 32 + 1] = 3;
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
}

/* Over JA4's sort caps (512 ciphers, 256 extensions): JA3 only. The
 * expected MD5s are of the JA3 strings computed by Python's hashlib. */
static void over_caps(void **state)
{
	static uint16_t c[600];
	for (int i = 0; i < 600; i++)
		c[i] = (uint16_t)(i + 1);
	size_t n = hello_body(T, c, 600, NULL, 0);
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("tls_ja3", "5fcbc881ec375eb6b7114a494bdc84be"));
	static uint8_t e[300 * 4];
	size_t el = 0;
	for (int i = 0; i < 300; i++)
		el += ext(e + el, (uint16_t)(0x100 + i), "", 0);
	c[0] = 0x2f;
	n = hello_body(T, c, 1, e, el);
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("tls_ja3", "f3cb59fe5df6a69a7bd29da73d989a30"));
}

static int sni_of(const char *list, size_t len)
{
	static const uint16_t c[] = {0x1301};
	uint8_t e[512];
	size_t n = ext(e, 0x0000, list, len);
	n = hello_body(T, c, 1, e, n);
	n = handshake(U, 1, T, n);
	n = records(B, 22, U, n, 16384);
	return tls(B, n);
}

static void odd_sni_lists(void **state)
{
	/* first host_name wins; other name types are skipped */
	assert_int_equal(sni_of("\x00\x0c\x01\x00\x03xyz\x00\x00\x03" "abc", 14), 0);
	assert_sig(&R, "tls_sni", "abc");
	assert_int_equal(rec_count(&R, "tls_sni"), 1);
	assert_memory_equal(R.sig[2].val, "t12d", 4); /* SNI present: d */
	assert_int_equal(sni_of("\x00\x0c\x00\x00\x03" "one\x00\x00\x03" "two", 14), 0);
	assert_sig(&R, "tls_sni", "one");
	assert_int_equal(rec_count(&R, "tls_sni"), 1);
	/* empty name, empty list, no list, list length disagreeing with the
	 * extension, name longer than the list: no SNI value, but the
	 * extension counts */
	static const struct {
		const char *l;
		size_t n;
	} odd[] = {
		{"\x00\x03\x00\x00\x00", 5},
		{"\x00\x00", 2},
		{"", 0},
		{"\x00\x40\x00\x00\x03" "abc", 8},
		{"\x00\x06\x00\x00\x09" "abc", 8},
		{"\x00\x06\x00\x00\x03" "abczz", 10}, /* bytes after the list */
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		assert_int_equal(sni_of(odd[i].l, odd[i].n), VT_DIS_OK);
		assert_int_equal(rec_count(&R, "tls_sni"), 0);
		assert_memory_equal(R.sig[1].val, "t12d", 4);
	}
	/* a 255-byte and a 300-byte host name */
	char big[400];
	big[0] = 0x01, big[1] = 0x2f, big[2] = 0, big[3] = 0x01, big[4] = 0x2c;
	memset(big + 5, 'n', 300);
	assert_int_equal(sni_of(big, 305), VT_DIS_OK);
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);
}

/* --- X.509 --- */

static size_t tlv(uint8_t *b, uint8_t tag, const void *v, size_t n)
{
	size_t h = 0;
	b[h++] = tag;
	if (n < 0x80) {
		b[h++] = (uint8_t)n;
	} else if (n < 0x100) {
		b[h++] = 0x81, b[h++] = (uint8_t)n;
	} else if (n < 0x10000) {
		b[h++] = 0x82, h += put16(b + h, n);
	} else {
		b[h++] = 0x83, h += put24(b + h, n);
	}
	memmove(b + h, v, n);
	return h + n;
}

typedef struct attr {
	const char *oid; /* contents, hex */
	uint8_t tag;
	const char *val;
	size_t len;
	int plus; /* same RDN as the previous attribute */
} attr;

static size_t name_der(uint8_t *b, const attr *a, size_t n)
{
	uint8_t seq[4096], set[1024], atv[512], x[512];
	size_t sl = 0, setl = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t oid[32];
		size_t on = unhex(a[i].oid, oid, sizeof(oid));
		size_t al = tlv(atv, 0x06, oid, on);
		al += tlv(atv + al, a[i].tag, a[i].val, a[i].len);
		size_t xl = tlv(x, 0x30, atv, al);
		if (!a[i].plus && setl) {
			sl += tlv(seq + sl, 0x31, set, setl);
			setl = 0;
		}
		memcpy(set + setl, x, xl);
		setl += xl;
	}
	if (setl)
		sl += tlv(seq + sl, 0x31, set, setl);
	return tlv(b, 0x30, seq, sl);
}

/* A certificate whose TBS has the given issuer and subject DER. */
static size_t cert_der(uint8_t *b, const uint8_t *iss, size_t il,
		       const uint8_t *sub, size_t sl)
{
	static uint8_t tbs[300000], body[300000];
	size_t t = 0;
	t += tlv(tbs + t, 0xa0, "\x02\x01\x02", 3);
	t += tlv(tbs + t, 0x02, "\x01", 1);
	t += tlv(tbs + t, 0x30, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
				"\x05\x00", 13);
	memcpy(tbs + t, iss, il), t += il;
	t += tlv(tbs + t, 0x30, "\x17\x0d" "240101000000Z\x17\x0d" "250101000000Z",
		 30);
	memcpy(tbs + t, sub, sl), t += sl;
	t += tlv(tbs + t, 0x30, "\x30\x00\x03\x01\x00", 5); /* a stub SPKI */
	size_t n = tlv(body, 0x30, tbs, t);
	n += tlv(body + n, 0x30, "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"
				 "\x05\x00", 13);
	n += tlv(body + n, 0x03, "\x00\xaa", 2);
	return tlv(b, 0x30, body, n);
}

/* A Certificate handshake message with the certificate, then `extra`
 * more small "certificates", in records. */
static size_t cert_records(uint8_t *b, const uint8_t *der, size_t n,
			   int extra)
{
	size_t m = 3;
	m += put24(U + 4 + m, n);
	memcpy(U + 4 + m, der, n), m += n;
	for (int i = 0; i < extra; i++) {
		m += put24(U + 4 + m, 4);
		memcpy(U + 4 + m, "\x30\x02\x05\x00", 4), m += 4;
	}
	put24(U + 4, m - 3);
	U[0] = 11;
	put24(U + 1, m);
	return records(b, 22, U, m + 4, 16384);
}

#define CN "5504" "03"
#define O_ "5504" "0a"
#define C_ "5504" "06"

static int cert_case(const attr *iss, size_t ni, const attr *sub, size_t ns)
{
	uint8_t i[4096], s[4096], der[10000];
	size_t il = name_der(i, iss, ni), sl = name_der(s, sub, ns);
	size_t n = cert_der(der, i, il, s, sl);
	n = cert_records(B, der, n, 0);
	return tls(B, n);
}

static void real_certificate(void **state)
{
	size_t n = unhex(XIAODU_SERVER, B, sizeof(B));
	assert_int_equal(tls(B, n), VT_DIS_TRUNCATED);
	assert_sigs_exact(&R, SIGS(
		"tls_cert_issuer", "CN=GlobalSign RSA OV SSL CA 2018,"
				   "O=GlobalSign nv-sa,C=BE",
		"tls_cert_subject", "CN=baidu.com,O=Beijing Baidu Netcom Science "
				    "Technology Co., Ltd,L=beijing,ST=beijing,C=CN"));
	/* cut inside the subject: the issuer alone */
	assert_int_equal(tls(B, 360), VT_DIS_TRUNCATED);
	assert_sigs_exact(&R, SIGS(
		"tls_cert_issuer", "CN=GlobalSign RSA OV SSL CA 2018,"
				   "O=GlobalSign nv-sa,C=BE"));
}

static void name_forms(void **state)
{
	const attr iss[] = {
		{C_, 19, "US", 2, 0},
		{O_, 12, "Bar", 3, 0},
		{CN, 12, "foo", 3, 0},
	};
	const attr sub[] = {
		{"2a864886f70d010901", 22, "a@b.c", 5, 0}, /* emailAddress */
		{"0992268993f22c640119", 22, "lan", 3, 0},   /* DC */
		{"550405", 19, "123", 3, 0},                 /* serialNumber */
		{"550407", 12, "Town", 4, 1},                /* L, same RDN */
		{"2a0304", 2, "\x01\x00", 2, 0},             /* INTEGER value */
		{"88370105", 20, "x", 1, 0},                 /* 2.999.1.5 */
		{CN, 30, "\x00h\x00i\xd8\x3d\xde\x00", 8, 0}, /* BMP + surrogates */
		{CN, 28, "\x00\x00\x00" "A\x00\x11\x00\x00", 8, 0}, /* Universal */
		{"5504ff", 12, "v", 1, 0},                   /* unfinished arc */
	};
	assert_int_equal(cert_case(iss, 3, sub, 9), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"tls_cert_issuer", "CN=foo,O=Bar,C=US",
		"tls_cert_subject", "2.5.4.?=v,CN=A\xef\xbf\xbd,"
			"CN=hi\xf0\x9f\x98\x80,2.999.1.5=x,1.2.3.4=#02020100,"
			"2.5.4.5=123+L=Town,DC=lan,emailAddress=a@b.c"));
}

static void nul_and_hostile_values(void **state)
{
	const attr iss[] = {{CN, 12, "ca", 2, 0}};
	const attr sub[] = {
		{O_, 19, "<b>x</b>", 8, 0},
		{CN, 12, "evil.com\0.good.com", 18, 0},
		{CN, 12, "\x1b[31m\xff\xfe", 7, 0},
	};
	static const char want[] = "CN=\x1b[31m\xff\xfe,CN=evil.com\0.good.com,"
				   "O=<b>x</b>";
	assert_int_equal(cert_case(iss, 1, sub, 3), VT_DIS_OK);
	assert_true(rec_has_n(&R, "tls_cert_subject", want, sizeof(want) - 1));
}

static void long_form_and_bad_lengths(void **state)
{
	const attr iss[] = {{CN, 12, "ca", 2, 0}};
	char v[300];
	memset(v, 'w', sizeof(v));
	const attr sub[] = {{CN, 12, v, 300, 0}}; /* 0x82 lengths inside */
	assert_int_equal(cert_case(iss, 1, sub, 1), VT_DIS_OK);
	assert_int_equal(rec_count(&R, "tls_cert_subject"), 1);
	assert_int_equal(R.sig[1].len, VT_SIG_MAX_VALUE);

	/* the same certificate with a 4-byte long-form outer length */
	uint8_t i[64], s[64], der[4096], der2[4096];
	size_t il = name_der(i, iss, 1);
	size_t sl = name_der(s, iss, 1);
	size_t n = cert_der(der, i, il, s, sl);
	size_t inner = n - 2; /* short-form outer header */
	der2[0] = 0x30, der2[1] = 0x84;
	der2[2] = 0, der2[3] = 0, put16(der2 + 4, inner);
	memcpy(der2 + 6, der + 2, inner);
	assert_int_equal(tls(B, cert_records(B, der2, inner + 6, 0)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("tls_cert_issuer", "CN=ca",
				   "tls_cert_subject", "CN=ca"));
	der2[1] = 0x85; /* 5 length bytes */
	assert_int_equal(tls(B, cert_records(B, der2, inner + 6, 0)),
			 VT_DIS_MALFORMED);
	der2[1] = 0x80; /* indefinite: BER, not DER */
	assert_int_equal(tls(B, cert_records(B, der2, inner + 6, 0)),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	/* the outer length claims more than the message holds */
	der2[1] = 0x84, der2[2] = 0x7f;
	assert_int_equal(tls(B, cert_records(B, der2, inner + 6, 0)),
			 VT_DIS_TRUNCATED);
	assert_int_equal(R.n, 2);
	/* an inner length that disagrees with a complete outer one */
	memcpy(der2, der, n);
	der2[4 + 1] += 1; /* the TBS SEQUENCE length */
	int rc = tls(B, cert_records(B, der2, n, 0));
	assert_true(rc == VT_DIS_MALFORMED || rc == VT_DIS_TRUNCATED);
}

static void deep_nesting(void **state)
{
	/* an attribute value of 20,000 nested SEQUENCEs: hex, cut, no
	 * recursion */
	size_t depth = 20000, n = 0;
	for (size_t k = 0; k < depth; k++) {
		T[n++] = 0x30;
		T[n++] = 0x83;
		n += put24(T + n, (depth - k - 1) * 5);
	}
	static uint8_t atv[200000];
	size_t al = tlv(atv, 0x06, "\x55\x04\x03", 3);
	memcpy(atv + al, T, n), al += n;
	size_t xl = tlv(T, 0x30, atv, al);
	size_t setl = tlv(atv, 0x31, T, xl);
	size_t sl = tlv(T, 0x30, atv, setl);
	uint8_t i[64];
	const attr iss[] = {{CN, 12, "ca", 2, 0}};
	size_t il = name_der(i, iss, 1);
	static uint8_t der[300000];
	size_t dn = cert_der(der, i, il, T, sl);
	/* too big for one record: the handshake is gathered up to its cap */
	size_t m = 3;
	m += put24(U + 4 + m, dn);
	memcpy(U + 4 + m, der, dn), m += dn;
	put24(U + 4, m - 3);
	U[0] = 11;
	put24(U + 1, m);
	size_t rn = records(B, 22, U, m + 4, 16384);
	assert_int_equal(tls(B, rn), VT_DIS_TRUNCATED);
	assert_sigs_exact(&R, SIGS("tls_cert_issuer", "CN=ca"));
	/* small enough to fit: the value is hex of the DER, cut */
	depth = 2000;
	n = 0;
	for (size_t k = 0; k < depth; k++) {
		T[n++] = 0x30;
		T[n++] = 0x82;
		n += put16(T + n, (depth - k - 1) * 4);
	}
	al = tlv(atv, 0x06, "\x55\x04\x03", 3);
	memcpy(atv + al, T, n), al += n;
	xl = tlv(T, 0x30, atv, al);
	setl = tlv(atv, 0x31, T, xl);
	sl = tlv(T, 0x30, atv, setl);
	dn = cert_der(der, i, il, T, sl);
	assert_int_equal(tls(B, cert_records(B, der, dn, 0)), VT_DIS_OK);
	assert_int_equal(R.n, 2);
	assert_memory_equal(R.sig[1].val, "CN=#30821f3c30821f38", 19);
	assert_int_equal(R.sig[1].len, 3 + 1 + 250); /* whole hex bytes */
}

static void chain_of_1000(void **state)
{
	const attr iss[] = {{CN, 12, "Root", 4, 0}};
	const attr sub[] = {{CN, 12, "leaf", 4, 0}};
	uint8_t i[64], s[64], der[4096];
	size_t il = name_der(i, iss, 1), sl = name_der(s, sub, 1);
	size_t n = cert_der(der, i, il, s, sl);
	n = cert_records(B, der, n, 999);
	assert_true(n > 7000);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("tls_cert_issuer", "CN=Root",
				   "tls_cert_subject", "CN=leaf"));
	/* cut after 3,000 bytes: the first certificate is complete */
	assert_int_equal(tls(B, 3000), VT_DIS_TRUNCATED);
	assert_int_equal(R.n, 2);
	/* an empty chain and a chain whose list length lies */
	memcpy(U, "\x0b\x00\x00\x03\x00\x00\x00", 7);
	assert_int_equal(tls(B, records(B, 22, U, 7, 16384)), VT_DIS_OK);
	memcpy(U, "\x0b\x00\x00\x06\x00\x00\x00\x00\x00\x01", 10);
	assert_int_equal(tls(B, records(B, 22, U, 10, 16384)), VT_DIS_OK);
	memcpy(U, "\x0b\x00\x00\x03\x00\x00\x09", 7);
	assert_int_equal(tls(B, records(B, 22, U, 7, 16384)), VT_DIS_TRUNCATED);
	assert_int_equal(R.n, 0);
}

static void after_change_cipher_spec(void **state)
{
	/* a TLS 1.3 server flight: ServerHello, CCS, then encrypted data
	 * that happens to look like a Certificate is not read */
	const attr iss[] = {{CN, 12, "x", 1, 0}};
	uint8_t i[64], der[4096];
	size_t il = name_der(i, iss, 1);
	size_t dn = cert_der(der, i, il, i, il);
	size_t n = records(B, 22, (const uint8_t *)"\x02\x00\x00\x00", 4, 100);
	n += records(B + n, 20, (const uint8_t *)"\x01", 1, 100);
	n += cert_records(B + n, der, dn, 0);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_int_equal(R.n, 0);
	/* application data and alerts carry nothing */
	n = records(B, 23, (const uint8_t *)"abc", 3, 100);
	n += records(B + n, 21, (const uint8_t *)"\x02\x28", 2, 100);
	assert_int_equal(tls(B, n), VT_DIS_OK);
	assert_int_equal(R.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hashes),
		cmocka_unit_test(real_hellos),
		cmocka_unit_test(ja4_spec_example),
		cmocka_unit_test(ja4_section_a),
		cmocka_unit_test(length_disagreements),
		cmocka_unit_test(extension_overflows),
		cmocka_unit_test(odd_sni_lists),
		cmocka_unit_test(over_caps),
		cmocka_unit_test(real_certificate),
		cmocka_unit_test(name_forms),
		cmocka_unit_test(nul_and_hostile_values),
		cmocka_unit_test(long_form_and_bad_lengths),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(chain_of_1000),
		cmocka_unit_test(after_change_cipher_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
