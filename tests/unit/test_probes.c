/*
 * Unit tests for the nmap-service-probes parser and matcher
 * (src/fingerprint/probes*.c, subst.c, ladder.c, nmap_match.c): parse
 * errors with file:line:column, probe strings, Exclude, fallbacks
 * (including Nmap's cross-protocol one), the substitution helpers and
 * caps, CPE normalisation, match vs softmatch and fallback order, the
 * ladder, Nmap's regex limits with JIT and interpreter agreeing, and the
 * installed Debian file: real banners and prefilter = sequential.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fingerprint/fp_int.h"
#include "vantage/error.h"
#include "vantage/probes.h"

static vt_probes *parse(const char *text, char *err)
{
	return vt_probes_parse("t.probes", (const uint8_t *)text, strlen(text),
			       err);
}

static void expect_error(const char *text, const char *where, const char *why)
{
	char err[VT_ERRBUF_LEN] = "";
	vt_probes *p = parse(text, err);
	if (p) {
		vt_probes_free(p);
		fail_msg("parsed, expected error '%s'", why);
	}
	if (strncmp(err, where, strlen(where)) || !strstr(err, why))
		fail_msg("error '%s', expected '%s...%s'", err, where, why);
}

static void parse_errors(void **state)
{
	(void)state;
	expect_error("match x m|a|\n", "t.probes:1:", "before any Probe");
	expect_error("Probe TCP NULL q||\nbogus 1\n", "t.probes:2:", "unknown directive");
	expect_error("Probe TCP X q|\\q|\n", "t.probes:1:", "unknown escape");
	expect_error("Probe TCP X q|\\xZ1|\n", "t.probes:1:", "bad \\x escape");
	expect_error("Probe TCP X q|abc\n", "t.probes:1:", "unterminated probe string");
	expect_error("Probe SCTP X q|a|\n", "t.probes:1:", "TCP or UDP");
	expect_error("Probe TCP NULL q||\nExclude T:1\n", "t.probes:2:", "Exclude after a Probe");
	expect_error("Exclude T:1\nExclude T:2\n", "t.probes:2:", "Exclude given twice");
	expect_error("Probe TCP NULL q||\nProbe TCP N2 q||\n", "t.probes:2:", "second NULL");
	expect_error("Probe TCP NULL q||\n# c\n\nProbe TCP A q|a|\nfallback Nope\n",
		     "t.probes:5:", "unknown fallback probe 'Nope'");
	expect_error("Probe TCP NULL q||\nmatch x m|a*|\n", "t.probes:2:", "empty string");
	expect_error("Probe TCP NULL q||\nmatch x m|(|\n", "t.probes:2:", "bad regex");
	expect_error("Probe TCP NULL q||\nmatch x m|a|x\n", "t.probes:2:", "unknown pattern flag");
	expect_error("Probe TCP NULL q||\nmatch x m|abc\n", "t.probes:2:", "unterminated pattern");
	expect_error("Probe TCP NULL q||\nmatch x m|a| z/q/\n", "t.probes:2:", "unknown version field");
	expect_error("Probe TCP NULL q||\nmatch x m|a| p/q\n", "t.probes:2:", "unterminated");
	expect_error("Probe TCP NULL q||\nrarity 10\n", "t.probes:2:", "rarity");
	expect_error("Probe TCP NULL q||\nports 80-\n", "t.probes:2:", "bad ports list");
	/* Column of a bad regex: where the pattern starts. */
	expect_error("Probe TCP NULL q||\nmatch x m|ab(|\n", "t.probes:2:11:", "bad regex");
	char *big = malloc(9000 + 64);
	assert_non_null(big);
	strcpy(big, "Probe TCP NULL q||\nmatch x m|");
	memset(big + strlen(big), 'a', 9000);
	strcpy(big + 29 + 9000, "|\n");
	expect_error(big, "t.probes:2:", "longer than 8192");
	free(big);
}

static const char small[] =
	"# a comment\n"
	"Exclude T:9100-9102,U:53\n"
	"Probe TCP NULL q||\n"
	"totalwaitms 6000\n"
	"softmatch ftp m|^220 |\n"
	"match ssh m|^SSH-([\\d.]+)-OpenSSH_([\\w.]+)| p/OpenSSH/ v/$2/ i/protocol $1/ cpe:/a:openbsd:openssh:$2/a\n"
	"Probe TCP GetRequest q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
	"rarity 1\n"
	"ports 80,8000-8010\n"
	"sslports 443\n"
	"match http m|^HTTP/1\\.[01] \\d\\d\\d .*\\r\\nServer: ([^\\r\\n]+)|s p/$1/\n"
	"match ftp m|^220 .*ProFTPD (\\S+)| p/ProFTPD/ v/$1/\n"
	"Probe TCP Rare q|\\0\\x41\\r\\n|\n"
	"rarity 9\n"
	"ports 7547\n"
	"fallback GetRequest\n"
	"softmatch http m|^HTTP/|\n"
	"Probe TCP Mid q|x|\n"
	"rarity 6\n"
	"match zzz m|^ZZZ|\n"
	"Probe UDP U1 q|u|\n"
	"rarity 1\n"
	"match dns m|^\\x12\\x34|\n"
	"Probe TCP X2 q|y|\n"
	"rarity 2\n"
	"fallback U1\n";

static vt_probes *small_probes(void)
{
	char err[VT_ERRBUF_LEN];
	vt_probes *p = parse(small, err);
	if (!p)
		fail_msg("%s", err);
	return p;
}

static void parse_small(void **state)
{
	(void)state;
	vt_probes *p = small_probes();
	assert_int_equal(vt_probes_count(p), 6);
	assert_int_equal(vt_probes_match_count(p), 7);
	const vt_probe_info *null = vt_probes_get(p, 0);
	assert_string_equal(null->name, "NULL");
	assert_int_equal(null->payload_len, 0);
	assert_int_equal(null->totalwait_ms, 6000);
	assert_int_equal(null->tcpwrapped_ms, 3000);
	int rare = vt_probes_find(p, VT_PROTO_TCP, "Rare");
	const vt_probe_info *r = vt_probes_get(p, (size_t)rare);
	assert_int_equal(r->payload_len, 4);
	assert_memory_equal(r->payload, "\0A\r\n", 4);
	assert_int_equal(r->rarity, 9);
	assert_int_equal(r->totalwait_ms, 5000);
	assert_int_equal(vt_probes_find(p, VT_PROTO_UDP, "GetRequest"), -1);
	assert_true(vt_probes_excluded(p, VT_PROTO_TCP, 9101));
	assert_false(vt_probes_excluded(p, VT_PROTO_TCP, 9103));
	assert_true(vt_probes_excluded(p, VT_PROTO_UDP, 53));
	assert_false(vt_probes_excluded(p, VT_PROTO_TCP, 53));
	/* X2 (TCP) falls back to the UDP probe U1, as Nmap's own file does. */
	int x2 = vt_probes_find(p, VT_PROTO_TCP, "X2");
	assert_int_equal(p->probes[x2].n_fallback, 1);
	assert_int_equal(p->probes[x2].fallback[0], vt_probes_find(p, VT_PROTO_UDP, "U1"));
	vt_probes_free(p);
}

static void match_one(const vt_probes *p, vt_probes_ctx *c, const char *probe,
		      unsigned port, const char *buf, int seq, vt_nmap_result *r)
{
	vt_nmap_query q = {.proto = VT_PROTO_TCP, .port = port, .probe = probe,
			   .sequential = seq};
	assert_int_equal(vt_probes_match(p, c, &q, (const uint8_t *)buf,
					 strlen(buf), r), VT_OK);
}

static void semantics(void **state)
{
	(void)state;
	vt_probes *p = small_probes();
	vt_probes_ctx *c = vt_probes_ctx_new(p);
	vt_nmap_result r;
	/* Hard match with $N substitution and CPE with flags ignored. */
	match_one(p, c, NULL, 22, "SSH-2.0-OpenSSH_8.4p1 Debian\r\n", 1, &r);
	assert_int_equal(r.matched, 1);
	assert_string_equal(r.service, "ssh");
	assert_string_equal(r.product, "OpenSSH");
	assert_string_equal(r.version, "8.4p1");
	assert_string_equal(r.info, "protocol 2.0");
	assert_int_equal(r.n_cpe, 1);
	assert_string_equal(r.cpe[0], "cpe:/a:openbsd:openssh:8.4p1");
	assert_int_equal(r.line, 6);
	/* The NULL probe softmatches ftp first; the ladder's GetRequest lines
	 * (as an answer to GetRequest) then hard-match ProFTPD: hard wins. */
	match_one(p, c, NULL, 21, "220 ProFTPD 1.3.5 Server\r\n", 1, &r);
	assert_int_equal(r.matched, 1);
	assert_string_equal(r.product, "ProFTPD");
	assert_int_equal(r.line, 12);
	/* Only the NULL probe: the softmatch is the answer. */
	match_one(p, c, "NULL", 21, "220 ProFTPD 1.3.5 Server\r\n", 1, &r);
	assert_int_equal(r.matched, 2);
	assert_string_equal(r.service, "ftp");
	assert_int_equal(r.line, 5);
	/* Rare on 7547 (listed there, rarity 9): its own softmatch line comes
	 * first in its chain and decides, though GetRequest (its fallback)
	 * would hard-match. */
	match_one(p, c, "Rare", 7547, "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", 1, &r);
	assert_int_equal(r.matched, 2);
	assert_string_equal(r.service, "http");
	/* Through GetRequest (s flag: '.' crosses the line ends). */
	match_one(p, c, "GetRequest", 80, "HTTP/1.1 200 OK\r\nDate: x\r\nServer: lighttpd/1.4\r\n\r\n", 1, &r);
	assert_int_equal(r.matched, 1);
	assert_string_equal(r.product, "lighttpd/1.4");
	/* Unknown probe name. */
	vt_nmap_query q = {.proto = VT_PROTO_TCP, .port = 1, .probe = "Nope"};
	assert_int_equal(vt_probes_match(p, c, &q, (const uint8_t *)"x", 1, &r), VT_EINVAL);
	/* Nothing. */
	match_one(p, c, NULL, 80, "\x01\x02garbage", 1, &r);
	assert_int_equal(r.matched, 0);
	vt_probes_ctx_free(c);
	vt_probes_free(p);
}

static void ladder(void **state)
{
	(void)state;
	vt_probes *p = small_probes();
	vt_ladder l;
	int order[16], n = 0;
	vt_ladder_init(&l, p, VT_PROTO_TCP, 7547, 0, 7);
	for (int i; (i = vt_ladder_next(&l)) >= 0 && n < 16;)
		order[n++] = i;
	/* NULL, Rare (listed for 7547 despite rarity 9), then GetRequest,
	 * Mid, X2 by file order with rarity <= 7. */
	assert_int_equal(n, 5);
	assert_string_equal(vt_probes_get(p, (size_t)order[0])->name, "NULL");
	assert_string_equal(vt_probes_get(p, (size_t)order[1])->name, "Rare");
	assert_string_equal(vt_probes_get(p, (size_t)order[2])->name, "GetRequest");
	assert_string_equal(vt_probes_get(p, (size_t)order[3])->name, "Mid");
	assert_string_equal(vt_probes_get(p, (size_t)order[4])->name, "X2");
	/* Intensity 5 drops Mid (6). */
	vt_ladder_init(&l, p, VT_PROTO_TCP, 1, 0, 5);
	n = 0;
	while (vt_ladder_next(&l) >= 0)
		n++;
	assert_int_equal(n, 3); /* NULL, GetRequest, X2 */
	/* After a softmatch of http only the rest that can name http come
	 * (GetRequest), not Mid or X2. */
	vt_ladder_init(&l, p, VT_PROTO_TCP, 1, 0, 7);
	assert_string_equal(vt_probes_get(p, (size_t)vt_ladder_next(&l))->name, "NULL");
	vt_nmap_result soft = {.matched = 2};
	strcpy(soft.service, "http");
	vt_ladder_result(&l, &soft);
	assert_string_equal(vt_probes_get(p, (size_t)vt_ladder_next(&l))->name, "GetRequest");
	assert_int_equal(vt_ladder_next(&l), -1);
	/* sslports. */
	vt_ladder_init(&l, p, VT_PROTO_TCP, 443, 1, 1);
	vt_ladder_next(&l);
	assert_string_equal(vt_probes_get(p, (size_t)vt_ladder_next(&l))->name, "GetRequest");
	vt_probes_free(p);
}

/* $N, $P, $SUBST, $I, unset groups, caps, trimming, CPE escaping. */
static void subst(void **state)
{
	(void)state;
	char err[200], out[300];
	vt_rx_ctx c;
	assert_int_equal(vt_rx_ctx_init(&c), VT_OK);
	pcre2_code *re = vt_rx_compile("^A(.)(\\w+)-(..)(x)?( *,*)B(.*)$", 30,
				       VT_RX_DOTALL, err, sizeof(err));
	assert_non_null(re);
	const uint8_t s[] = "A\x01hello-\x01\x02 ,B Hi There/";
	size_t n = sizeof(s) - 1;
	assert_int_equal(vt_rx_exec(&c, re, s, n, 0), 1);
	assert_int_equal(vt_subst("v$2.$10", s, c.md, c.last_rc, out, 80, 0), 0);
	assert_string_equal(out, "vhello.\x01" "0");
	assert_int_equal(vt_subst("$P(1)$P(2)", s, c.md, c.last_rc, out, 80, 0), 0);
	assert_string_equal(out, "hello");
	assert_int_equal(vt_subst("$SUBST(2,\"l\",\"L\")", s, c.md, c.last_rc, out, 80, 0), 0);
	assert_string_equal(out, "heLLo");
	assert_int_equal(vt_subst("$I(3,\">\") $I(3,\"<\")", s, c.md, c.last_rc, out, 80, 0), 0);
	assert_string_equal(out, "258 513");
	/* Group 4 did not take part: the whole field fails. */
	assert_int_equal(vt_subst("a $4 b", s, c.md, c.last_rc, out, 80, 0), -1);
	assert_int_equal(vt_subst("$P(9)", s, c.md, c.last_rc, out, 80, 0), -1);
	assert_int_equal(vt_subst("$SUBST(2,\"l\")", s, c.md, c.last_rc, out, 80, 0), -1);
	assert_int_equal(vt_subst("$I(2,\">\")", s, c.md, c.last_rc, out, 80, 0), 0);
	/* Trailing whitespace and commas go. */
	assert_int_equal(vt_subst("x$5", s, c.md, c.last_rc, out, 80, 0), 0);
	assert_string_equal(out, "x");
	/* A literal '$' that starts nothing stays. */
	assert_int_equal(vt_subst("US$ 5", s, c.md, c.last_rc, out, 80, 0), 0);
	assert_string_equal(out, "US$ 5");
	/* Over the cap: empty (failure). */
	assert_int_equal(vt_subst("$2$2$2", s, c.md, c.last_rc, out, 14, 0), -1);
	assert_int_equal(vt_subst("$2$2", s, c.md, c.last_rc, out, 10, 0), 0);
	/* CPE: captured text escaped and lowercased, template text kept. */
	assert_int_equal(vt_subst("a:x:y:$6", s, c.md, c.last_rc, out, 80, 1), 0);
	assert_string_equal(out, "a:x:y:_hi_there%2f");
	pcre2_code_free(re);
	vt_rx_ctx_cleanup(&c);
}

/* Nmap's match limit: the interpreter gives up (an error, counted, no
 * match); the fast (JIT-first) path must say the same. */
static void limits(void **state)
{
	(void)state;
	char err[200];
	vt_rx_ctx c;
	assert_int_equal(vt_rx_ctx_init(&c), VT_OK);
	pcre2_code *re = vt_rx_compile("^(a+)+$", 7, 0, err, sizeof(err));
	assert_non_null(re);
	uint8_t s[40];
	memset(s, 'a', sizeof(s));
	s[39] = 'b';
	assert_int_equal(vt_rx_exec(&c, re, s, sizeof(s), 0), 0);
	assert_int_equal(c.errors, 1);
	assert_int_equal(vt_rx_exec(&c, re, s, sizeof(s), 1), 0);
	/* A shorter subject within the limit matches either way. */
	assert_int_equal(vt_rx_exec(&c, re, s, 10, 0), 1);
	assert_int_equal(vt_rx_exec(&c, re, s, 10, 1), 1);
	pcre2_code_free(re);
	vt_rx_ctx_cleanup(&c);
}

static const struct {
	const char *banner;
	unsigned port;
	const char *service, *product;
} real[] = {
	{"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 22, "ssh", "OpenSSH"},
	{"SSH-2.0-dropbear_2022.83\r\n", 22, "ssh", "Dropbear sshd"},
	{"220 (vsFTPd 3.0.3)\r\n", 21, "ftp", "vsftpd"},
	{"HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.69\r\n\r\n", 80, "http", "lighttpd"},
	{"HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\r\n", 8000, "http", "SimpleHTTPServer"},
	{"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n", 25, "smtp", "Postfix smtpd"},
	{"* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS AUTH=PLAIN] Dovecot ready.\r\n", 143, "imap", "Dovecot imapd"},
	{"\x10\x00\x00\x00", 1883, NULL, NULL},
};

/* The installed file: real banners, and prefilter = sequential. */
static void debian_file(void **state)
{
	(void)state;
	char err[VT_ERRBUF_LEN];
	vt_probes *p = vt_probes_load(NULL, err);
	if (!p)
		fail_msg("%s", err);
	assert_true(vt_probes_match_count(p) > 11000);
	assert_true(vt_probes_count(p) > 100);
	int pf = vt_probes_prefilter(p, NULL, err);
	assert_true(pf == VT_OK || pf == VT_EUNSUP);
	vt_probes_ctx *c = vt_probes_ctx_new(p);
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		vt_nmap_result a, b;
		match_one(p, c, NULL, real[i].port, real[i].banner, 0, &a);
		match_one(p, c, NULL, real[i].port, real[i].banner, 1, &b);
		assert_memory_equal(&a, &b, sizeof(a));
		if (!real[i].service) {
			assert_int_equal(a.matched, 0);
			continue;
		}
		if (a.matched != 1 || strcmp(a.service, real[i].service) ||
		    strcmp(a.product, real[i].product))
			fail_msg("%s: got %d %s '%s' (line %d)", real[i].banner,
				 a.matched, a.service, a.product, a.line);
	}
	/* Random bytes: both modes agree on every one. */
	srand(7);
	for (int k = 0; k < 100; k++) {
		char buf[200];
		size_t n = 1 + (size_t)(rand() % 199);
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand() % 4 ? rand() % 95 + 32 : rand() % 256);
		buf[n] = '\0';
		vt_nmap_result a, b;
		vt_nmap_query q = {.proto = VT_PROTO_TCP, .port = (unsigned)(k % 3 ? 80 : 23)};
		vt_probes_match(p, c, &q, (const uint8_t *)buf, n, &a);
		q.sequential = 1;
		vt_probes_match(p, c, &q, (const uint8_t *)buf, n, &b);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	vt_probes_ctx_free(c);
	vt_probes_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_errors), cmocka_unit_test(parse_small),
		cmocka_unit_test(semantics),    cmocka_unit_test(ladder),
		cmocka_unit_test(subst),        cmocka_unit_test(limits),
		cmocka_unit_test(debian_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
