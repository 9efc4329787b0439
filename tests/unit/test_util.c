/*
 * Unit tests: address classes and CIDR parsing, JSON and terminal
 * escaping of hostile strings, the hash index (including deletion), and
 * the IEEE OUI loader on a registry file written by the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vantage/error.h"
#include "vantage/hidx.h"
#include "vantage/json.h"
#include "vantage/netclass.h"
#include "vantage/oui.h"
#include "vantage/textout.h"

static void cidr(void **state)
{
	vt_cidr c;
	uint8_t a[16] = {10, 1, 2, 3};
	assert_int_equal(vt_cidr_parse("10.0.0.0/8", &c), VT_OK);
	assert_true(vt_cidr_contains(&c, 4, a));
	a[0] = 11;
	assert_false(vt_cidr_contains(&c, 4, a));
	assert_int_equal(vt_cidr_parse("198.51.100.77/24", &c), VT_OK);
	assert_int_equal(c.addr[3], 0); /* host bits cleared */
	assert_int_equal(vt_cidr_size4(&c), 256);
	assert_int_equal(vt_cidr_parse("2001:db8::/32", &c), VT_OK);
	assert_int_equal(c.ver, 6);
	assert_int_equal(vt_cidr_parse("10.0.0.0/33", &c), VT_EINVAL);
	assert_int_equal(vt_cidr_parse("10.0.0/8", &c), VT_EINVAL);
	assert_int_equal(vt_cidr_parse("10.0.0.0/", &c), VT_EINVAL);
	assert_int_equal(vt_cidr_parse("", &c), VT_EINVAL);
	assert_int_equal(vt_cidr_parse("1.2.3.4", &c), VT_OK);
	assert_int_equal(c.bits, 32);
}

static void local_ranges(void **state)
{
	const uint8_t yes4[][4] = {{10, 0, 0, 1},   {172, 16, 0, 1},
				   {172, 31, 9, 9}, {192, 168, 0, 1},
				   {169, 254, 1, 1}, {224, 0, 0, 251},
				   {255, 255, 255, 255}, {0, 0, 0, 0}};
	const uint8_t no4[][4] = {{8, 8, 8, 8}, {172, 32, 0, 1},
				  {100, 64, 0, 1}, {192, 169, 0, 1}};
	for (size_t i = 0; i < sizeof(yes4) / 4; i++)
		assert_true(vt_ip_is_local_range(4, yes4[i]));
	for (size_t i = 0; i < sizeof(no4) / 4; i++)
		assert_false(vt_ip_is_local_range(4, no4[i]));
	uint8_t v6[16] = {0xfe, 0x80};
	assert_true(vt_ip_is_local_range(6, v6));
	v6[0] = 0xfd, v6[1] = 0;
	assert_true(vt_ip_is_local_range(6, v6));
	v6[0] = 0x20, v6[1] = 0x01;
	assert_false(vt_ip_is_local_range(6, v6));
}

static char *capture_json(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vt_json_str(f, s, n);
	fclose(f);
	return buf;
}

static void json_escaping(void **state)
{
	char *j = capture_json("a\"b\\c\n\x1b[31m", 11);
	assert_string_equal(j, "\"a\\\"b\\\\c\\n\\u001b[31m\"");
	free(j);
	j = capture_json("caf\xc3\xa9 \xff\xc3", 8); /* valid é, bad bytes */
	assert_string_equal(j, "\"caf\xc3\xa9 \\u00ff\\u00c3\"");
	free(j);
	j = capture_json("a\0b", 3);
	assert_string_equal(j, "\"a\\u0000b\"");
	free(j);
	j = capture_json("\xed\xa0\x80", 3); /* a UTF-16 surrogate */
	assert_string_equal(j, "\"\\u00ed\\u00a0\\u0080\"");
	free(j);
}

/* The buffer escapers (one fwrite per result in `vantage match`) agree
 * with the stream ones, and the stream ones, which work in 1 KiB chunks,
 * keep a character that straddles a chunk boundary whole. */
static void json_escaping_buffers(void **state)
{
	static char s[3000], out[6 * sizeof(s) + 2];
	for (size_t i = 0; i < sizeof(s); i++)
		s[i] = (char)('a' + i % 26);
	memcpy(s + 1023, "\xe2\x82\xac", 3); /* the euro sign across 1024 */
	memcpy(s + 2047, "\xc3\x22", 2);      /* a bad sequence across 2048 */
	s[100] = '\n';
	s[2999] = '\xff';
	char *j = capture_json(s, sizeof(s));
	size_t n = vt_json_str_mem(out, s, sizeof(s));
	assert_int_equal(strlen(j), n);
	assert_memory_equal(j, out, n);
	assert_non_null(strstr(j, "\xe2\x82\xac"));
	assert_non_null(strstr(j, "\\u00c3\\\""));
	free(j);

	uint8_t b[2500];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	vt_pesc_json(f, b, sizeof(b));
	fclose(f);
	n = vt_pesc_json_mem(out, b, sizeof(b));
	assert_int_equal(len, n);
	assert_memory_equal(buf, out, n);
	free(buf);
	n = vt_pesc_json_mem(out, (const uint8_t *)"a\"\\\x01", 4);
	out[n] = '\0';
	assert_string_equal(out, "\"a\\\"\\\\x5c\\\\x01\"");
}

static void terminal_escaping(void **state)
{
	char out[32];
	vt_term_safe("ok\x1b]0;pwned\x07", out, sizeof(out));
	assert_string_equal(out, "ok\\x1b]0;pwned\\x07");
	vt_term_safe("0123456789abcdefghijklmnopqrstuvwxyz", out, 12);
	assert_int_equal(strlen(out), 11);
	assert_string_equal(out + 8, "...");
	char h[16];
	vt_human_bytes(1536, h, sizeof(h));
	assert_string_equal(h, "1.5K");
	vt_human_bytes(999, h, sizeof(h));
	assert_string_equal(h, "999B");
}

static int eq_u32(const void *ctx, uint32_t i, const void *key)
{
	return ((const uint32_t *)ctx)[i] == *(const uint32_t *)key;
}

static void hash_index(void **state)
{
	enum { N = 5000 };
	static uint32_t keys[N];
	vt_hidx h;
	assert_int_equal(vt_hidx_init(&h, N), VT_OK);
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = i * 7919u;
		uint32_t hv = vt_hash_bytes(&keys[i], 4, 1) & 0xff; /* collide */
		assert_int_equal(vt_hidx_insert(&h, hv, i), VT_OK);
	}
	assert_int_equal(vt_hidx_insert(&h, 1, 0), VT_EFULL);
	for (uint32_t i = 0; i < N; i += 2)
		vt_hidx_remove(&h, vt_hash_bytes(&keys[i], 4, 1) & 0xff, i);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t hv = vt_hash_bytes(&keys[i], 4, 1) & 0xff;
		int64_t got = vt_hidx_find(&h, hv, eq_u32, keys, &keys[i]);
		assert_int_equal(got, i % 2 ? (int64_t)i : -1);
	}
	assert_int_equal(h.count, N / 2);
	vt_hidx_cleanup(&h);
}

static void oui_registry(void **state)
{
	char dir[] = "/tmp/vt-oui-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/oui.csv", dir);
	FILE *f = fopen(path, "w");
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	      "MA-L,94103E,Belkin International Inc.,Playa Vista CA US\n"
	      "MA-L,F4BD9E,\"Cisco Systems, Inc\",San Jose\n"
	      "MA-L,XYZ,broken,\n"
	      "MA-L,70B3D5,IEEE Registration Authority,\n",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/oui36.csv", dir);
	f = fopen(path, "w");
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	      "MA-S,70B3D5123,\"Tiny Sensors \"\"Ltd\"\"\",\n",
	      f);
	fclose(f);
	char err[VT_ERRBUF_LEN];
	vt_oui *o = vt_oui_load(dir, err);
	assert_non_null(o);
	assert_int_equal(vt_oui_count(o), 4);
	assert_int_equal(vt_oui_skipped(o), 1);
	const char *reg;
	uint8_t m1[6] = {0x94, 0x10, 0x3e, 1, 2, 3};
	assert_string_equal(vt_oui_lookup(o, m1, &reg), "Belkin International Inc.");
	assert_string_equal(reg, "MA-L");
	uint8_t m2[6] = {0xf4, 0xbd, 0x9e, 0, 0, 0};
	assert_string_equal(vt_oui_lookup(o, m2, NULL), "Cisco Systems, Inc");
	uint8_t m3[6] = {0x70, 0xb3, 0xd5, 0x12, 0x34, 0x56};
	assert_string_equal(vt_oui_lookup(o, m3, &reg), "Tiny Sensors \"Ltd\"");
	assert_string_equal(reg, "MA-S");
	m3[4] = 0x44; /* outside the MA-S block: falls back to MA-L */
	assert_string_equal(vt_oui_lookup(o, m3, NULL), "IEEE Registration Authority");
	uint8_t m4[6] = {0, 0, 0, 0, 0, 1};
	assert_null(vt_oui_lookup(o, m4, NULL));
	vt_oui_free(o);
	assert_null(vt_oui_load("/nonexistent-dir", err));
	assert_non_null(strstr(err, "no IEEE registry"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/oui.csv", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cidr),          cmocka_unit_test(local_ranges),
		cmocka_unit_test(json_escaping), cmocka_unit_test(json_escaping_buffers),
		cmocka_unit_test(terminal_escaping),
		cmocka_unit_test(hash_index),    cmocka_unit_test(oui_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
