/*
 * Unit tests for the scan's layer-4 pieces: SipHash-2-4 against the
 * reference vector of its paper, the permutation (every index exactly
 * once, shards partition, seeds differ), the probe cookie, target and
 * port parsing, allow/exclude lists that fail closed, the token bucket,
 * the result table and the UDP payloads' BER lengths.
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
#include "vantage/scan.h"

static void siphash_vector(void **state)
{
	/* SipHash paper, appendix A: key 00..0f, message 00..0e. */
	uint8_t key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	uint64_t k0 = 0, k1 = 0;
	for (int i = 7; i >= 0; i--) {
		k0 = (k0 << 8) | key[i];
		k1 = (k1 << 8) | key[8 + i];
	}
	assert_true(vt_siphash24(k0, k1, msg, sizeof(msg)) == 0xa129ca6149be45e5ull);
	/* Empty message, same key: 0x726fdb47dd0e0e31 (reference vectors). */
	assert_true(vt_siphash24(k0, k1, msg, 0) == 0x726fdb47dd0e0e31ull);
}

static void perm_covers(uint64_t n, uint64_t seed, uint32_t shards)
{
	uint8_t *seen = calloc(n, 1);
	assert_non_null(seen);
	uint64_t total = 0;
	for (uint32_t s = 0; s < shards; s++) {
		vt_perm p;
		assert_int_equal(vt_perm_init(&p, n, seed, shards, s), VT_OK);
		uint64_t v, k = 0;
		while (vt_perm_next(&p, &v)) {
			assert_true(v < n);
			assert_int_equal(seen[v], 0); /* no duplicate, across shards */
			seen[v] = 1;
			k++;
		}
		assert_true(k == vt_perm_shard_size(&p));
		total += k;
	}
	assert_true(total == n); /* every index once */
	free(seen);
}

static void permutation(void **state)
{
	static const uint64_t sizes[] = {1, 2, 3, 5, 16, 17, 255, 1000, 65537, 300001};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		perm_covers(sizes[i], 42 + i, 1);
		perm_covers(sizes[i], 7, 3);
	}
	perm_covers(100000, 1, 64);
	/* Seeds give different orders; the order is not the identity. */
	vt_perm a, b;
	vt_perm_init(&a, 1000, 1, 1, 0);
	vt_perm_init(&b, 1000, 2, 1, 0);
	int differ = 0, moved = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		differ += vt_perm_at(&a, i) != vt_perm_at(&b, i);
		moved += vt_perm_at(&a, i) != i;
	}
	assert_true(differ > 900);
	assert_true(moved > 900);
	assert_int_equal(vt_perm_init(&a, 0, 1, 1, 0), VT_EINVAL);
	assert_int_equal(vt_perm_init(&a, 10, 1, 2, 2), VT_EINVAL);
	assert_int_equal(vt_perm_init(&a, 10, 1, 0, 0), VT_EINVAL);
}

static void cookie(void **state)
{
	vt_cookie_key k = {1, 2, VT_SPORT_BASE, VT_SPORT_SPAN}, k2 = k;
	k2.k0 = 3;
	vt_addr s, d;
	assert_int_equal(vt_addr_parse("192.168.77.2", &s), 0);
	assert_int_equal(vt_addr_parse("192.168.77.10", &d), 0);
	vt_cookie a = vt_cookie_make(&k, &s, &d, 6, 80);
	vt_cookie b = vt_cookie_make(&k, &s, &d, 6, 80);
	assert_true(a.seq == b.seq && a.sport == b.sport);
	assert_true(a.sport >= VT_SPORT_BASE && a.sport < VT_SPORT_BASE + VT_SPORT_SPAN);
	vt_cookie c = vt_cookie_make(&k, &s, &d, 6, 81);
	vt_cookie e = vt_cookie_make(&k2, &s, &d, 6, 80);
	vt_cookie u = vt_cookie_make(&k, &s, &d, 17, 80);
	assert_true(c.seq != a.seq);
	assert_true(e.seq != a.seq);
	assert_true(u.seq != a.seq);
	vt_cookie_key r1, r2;
	assert_int_equal(vt_cookie_key_random(&r1), VT_OK);
	assert_int_equal(vt_cookie_key_random(&r2), VT_OK);
	assert_true(r1.k0 != r2.k0 || r1.k1 != r2.k1);
}

static vt_targets *targets(const char *text)
{
	char err[VT_ERRBUF_LEN];
	vt_targets *t = vt_targets_new();
	assert_non_null(t);
	assert_int_equal(vt_targets_add(t, text, "t", err), VT_OK);
	return t;
}

static void target_parsing(void **state)
{
	char err[VT_ERRBUF_LEN], ip[64];
	vt_targets *t = targets("10.0.0.0/30, 10.0.0.2-10.0.0.5\n192.168.1.7-9 # c\n"
				"2001:db8::/126 10.0.0.1");
	assert_int_equal(vt_targets_finish(t, NULL, NULL, err), VT_OK);
	assert_true(vt_targets_count(t) == 6 + 3 + 4);
	vt_addr a;
	vt_targets_get(t, 0, &a);
	vt_addr_format(&a, ip, sizeof(ip));
	assert_string_equal(ip, "10.0.0.0");
	vt_targets_get(t, 8, &a);
	vt_addr_format(&a, ip, sizeof(ip));
	assert_string_equal(ip, "192.168.1.9");
	vt_targets_get(t, 12, &a);
	vt_addr_format(&a, ip, sizeof(ip));
	assert_string_equal(ip, "2001:db8::3");
	assert_true(vt_targets_all_local(t) == 0); /* 2001:db8:: is not local */
	vt_targets_free(t);

	/* Host bits are cleared; a /24 of a private net is internal. */
	t = targets("192.168.77.5/24");
	assert_int_equal(vt_targets_finish(t, NULL, NULL, err), VT_OK);
	assert_true(vt_targets_count(t) == 256);
	assert_true(vt_targets_all_local(t));
	vt_targets_free(t);

	/* Malformed items: an error naming the line, the set unchanged. */
	static const char *bad[] = {"10.0.0.1/33", "10.0.0.256", "host.example",
				    "10.0.0.5-1", "10.0.0.1-10.0.1", "10.0.0.1/8/8",
				    "::/64", "::/0", "10.0.0.1-2001:db8::1", "010.0.0.1x",
				    "1.2.3.4/-1", "1.2.3.4-256"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = vt_targets_new();
		assert_int_equal(vt_targets_add(t, "10.1.1.1", "t", err), VT_OK);
		assert_int_equal(vt_targets_add(t, bad[i], "t", err), VT_EFORMAT);
		assert_true(vt_targets_items(t) == 1);
		vt_targets_free(t);
	}
	t = vt_targets_new();
	assert_int_equal(vt_targets_add(t, "10.0.0.1\n10.0.0.2\nnope\n", "f", err),
			 VT_EFORMAT);
	assert_non_null(strstr(err, "f:3:"));
	assert_true(vt_targets_items(t) == 0);
	vt_targets_free(t);
}

static void allow_exclude(void **state)
{
	char err[VT_ERRBUF_LEN];
	vt_targets *t = targets("10.0.0.0/24 192.168.0.0/24");
	vt_targets *allow = targets("10.0.0.0/25 172.16.0.0/12");
	vt_targets *excl = targets("10.0.0.10 10.0.0.100-10.0.0.200 10.0.0.0");
	assert_int_equal(vt_targets_finish(t, allow, excl, err), VT_OK);
	/* 10.0.0.0-127 allowed, minus .0, .10 and .100-.127 */
	assert_true(vt_targets_count(t) == 128 - 1 - 1 - 28);
	vt_addr a;
	assert_int_equal(vt_addr_parse("10.0.0.10", &a), 0);
	assert_false(vt_targets_contains(t, &a));
	assert_int_equal(vt_addr_parse("10.0.0.99", &a), 0);
	assert_true(vt_targets_contains(t, &a));
	assert_int_equal(vt_addr_parse("192.168.0.1", &a), 0);
	assert_false(vt_targets_contains(t, &a));
	for (uint64_t i = 0; i < vt_targets_count(t); i++) {
		vt_targets_get(t, i, &a);
		assert_true(a.a[0] == 10 && a.a[3] < 100 && a.a[3] != 10 && a.a[3]);
	}
	vt_targets_free(t);
	vt_targets_free(allow);
	vt_targets_free(excl);

	/* Everything excluded: an error, never an empty or full scan. */
	t = targets("10.0.0.0/24");
	excl = targets("0.0.0.0/0");
	assert_int_equal(vt_targets_finish(t, NULL, excl, err), VT_EINVAL);
	vt_targets_free(t);
	vt_targets_free(excl);

	/* Fail closed on a file: a missing one and a malformed one. */
	t = vt_targets_new();
	assert_int_equal(vt_targets_add_file(t, "/nonexistent/x", err), VT_EIO);
	char path[] = "/tmp/vt_scan_test_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "10.0.0.1\n# ok\n10.0.0.300\n", 25), 25);
	close(fd);
	assert_int_equal(vt_targets_add_file(t, path, err), VT_EFORMAT);
	assert_non_null(strstr(err, ":3:"));
	unlink(path);
	vt_targets_free(t);
}

static void ports(void **state)
{
	char err[VT_ERRBUF_LEN];
	vt_ports p;
	assert_int_equal(vt_ports_parse(&p, "22,80,1000-2000", err), VT_OK);
	assert_true(p.n == 1003);
	vt_ports_cleanup(&p);
	assert_int_equal(vt_ports_parse(&p, "-", err), VT_OK);
	assert_true(p.n == 65535 && p.v[0].port == 1 && p.v[65534].port == 65535);
	vt_ports_cleanup(&p);
	assert_int_equal(vt_ports_parse(&p, "T:80,U:53,161,T:22,80", err), VT_OK);
	assert_true(p.n == 4);
	assert_true(p.v[0].proto == 6 && p.v[0].port == 22);
	assert_true(p.v[2].proto == 17 && p.v[2].port == 53);
	vt_ports_cleanup(&p);
	assert_int_equal(vt_ports_parse(&p, NULL, err), VT_OK);
	assert_true(p.n >= 100 && p.n <= 130);
	int has7547 = 0, has_udp1900 = 0;
	for (size_t i = 0; i < p.n; i++) {
		has7547 |= p.v[i].proto == 6 && p.v[i].port == 7547;
		has_udp1900 |= p.v[i].proto == 17 && p.v[i].port == 1900;
	}
	assert_true(has7547 && has_udp1900);
	vt_ports_cleanup(&p);
	static const char *bad[] = {"0", "65536", "a", "5-3", "80,", ",80", "X:80",
				    "1-2-3", "123456", " 80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vt_ports_parse(&p, bad[i], err), VT_EFORMAT);
}

static void rate(void **state)
{
	vt_rate r;
	uint64_t t = 1000000000ull;
	vt_rate_init(&r, 100, t);
	assert_true(vt_rate_take(&r, t) == 0);
	uint64_t w = vt_rate_take(&r, t);
	assert_true(w > 9000000 && w <= 10000000); /* ~10 ms */
	/* One second later: at most the burst (5 at 100/s), not 100. */
	t += 1000000000ull;
	int got = 0;
	while (vt_rate_take(&r, t) == 0)
		got++;
	assert_int_equal(got, 5);
	/* Over 10 s of 1 ms steps, 100/s gives ~1000 tokens. */
	got = 0;
	for (int i = 0; i < 10000; i++) {
		t += 1000000;
		while (vt_rate_take(&r, t) == 0)
			got++;
	}
	assert_true(got >= 995 && got <= 1005);
}

static void results(void **state)
{
	vt_results *r = vt_results_new();
	vt_syn_reply x;
	memset(&x, 0, sizeof(x));
	vt_addr_parse("10.0.0.1", &x.addr);
	x.proto = 6;
	x.state = VT_PORT_CLOSED;
	for (int port = 1; port <= 5000; port++) {
		x.port = (uint16_t)port;
		assert_int_equal(vt_results_add(r, &x, 1), 1);
	}
	x.port = 77;
	x.state = VT_PORT_OPEN;
	assert_int_equal(vt_results_add(r, &x, 2), 0); /* duplicate, upgraded */
	assert_true(vt_results_count(r) == 5000);
	assert_true(vt_results_in_state(r, VT_PORT_OPEN) == 1);
	vt_results_sort(r);
	assert_true(vt_results_at(r, 0)->port == 1);
	assert_non_null(vt_results_find(r, &x.addr, 6, 4999));
	assert_null(vt_results_find(r, &x.addr, 17, 4999));
	vt_results_free(r);
}

static void udp_payloads(void **state)
{
	size_t n1, n2, n;
	const char *name;
	const uint8_t *s1 = vt_udp_payload(161, 0, &n1, &name);
	const uint8_t *s2 = vt_udp_payload(161, 1, &n2, NULL);
	assert_string_equal(name, "snmp");
	assert_true(n1 == n2 && s1[1] == n1 - 2); /* BER: outer length */
	assert_true(s1[4] == 0 && s2[4] == 1);    /* v1 then v2c */
	assert_true(s1[14] == n1 - 15);           /* PDU length */
	const uint8_t *d = vt_udp_payload(53, 0, &n, NULL);
	assert_true(n == 30 && d[5] == 1);
	assert_non_null(vt_udp_payload(1900, 0, &n, NULL));
	assert_null(vt_udp_payload(9, 0, &n, NULL));
	assert_true(n == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(siphash_vector), cmocka_unit_test(permutation),
		cmocka_unit_test(cookie),         cmocka_unit_test(target_parsing),
		cmocka_unit_test(allow_exclude),  cmocka_unit_test(ports),
		cmocka_unit_test(rate),           cmocka_unit_test(results),
		cmocka_unit_test(udp_payloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
