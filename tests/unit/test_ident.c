/*
 * Unit tests: identification rules (syntax errors with file:line:column,
 * every operator, $N groups, signal lists), vendor normalisation, score
 * combination (a rule line counts once, agreeing rules add up, a runner-up
 * costs the winner) and the shipped rule files loading cleanly.
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
#include "vantage/ident.h"

static char path[64];

static vt_rules *load(const char *text, int *rc, char *err)
{
	snprintf(path, sizeof(path), "/tmp/vt-rules-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	vt_rules *r = vt_rules_new();
	*rc = vt_rules_add_file(r, path, err);
	unlink(path);
	return r;
}

static void syntax_errors(void **state)
{
	static const struct {
		const char *text, *where, *why;
	} cases[] = {
		{"x is \"a\" -> vendor=A\ny bogus \"b\" -> vendor=B\n", ":2:3:",
		 "expected is, prefix"},
		{"x is \"a\" vendor=A\n", ":1:10:", "expected ->"},
		{"x is \"a\" -> type=toaster\n", ":1:", "taxonomy"},
		{"x regex \"(\" -> vendor=A\n", ":1:", "bad regex"},
		{"x is \"a\" -> vendor=A weight=2\n", ":1:", "weight"},
		{"x is \"a -> vendor=A\n", ":1:", "unterminated"},
		{"x is \"a\" ->\n", ":1:", "at least one"},
		{"x is \"\" -> vendor=A\n", ":1:", "empty pattern"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[VT_ERRBUF_LEN] = "";
		int rc;
		vt_rules *r = load(cases[i].text, &rc, err);
		assert_int_equal(rc, VT_EFORMAT);
		assert_non_null(strstr(err, path));
		if (!strstr(err, cases[i].where))
			fprintf(stderr, "got: %s\n", err);
		assert_non_null(strstr(err, cases[i].where));
		assert_non_null(strstr(err, cases[i].why));
		vt_rules_free(r);
	}
}

static vt_devrec dev_with(const char *const *sig, size_t n)
{
	vt_devrec d;
	memset(&d, 0, sizeof(d));
	d.has_mac = 1;
	d.mac[0] = 0x02; /* locally administered: no OUI proposal */
	d.randomized = 1;
	for (size_t i = 0; i < n; i += 2)
		vt_devrec_add_signal(&d, sig[i], (const uint8_t *)sig[i + 1],
				     strlen(sig[i + 1]), 1);
	return d;
}

static void operators_and_groups(void **state)
{
	char err[VT_ERRBUF_LEN];
	int rc;
	vt_rules *r = load(
		"# comment\n"
		"dhcp_hostname regex \"^DCS-(\\d+)L$\" -> vendor=\"D-Link Corporation\" "
		"type=camera model=\"DCS-$1\" weight=0.9\n"
		"dns_query|tls_sni suffix \".meethue.com\" -> type=smart_home weight=0.5\n"
		"ssdp_server contains \"upnp/1.0\" -> os=Linux weight=0.2\n"
		"mdns_service is \"_ipp._tcp\" -> type=printer weight=0.3\n"
		"http_host prefix \"api.\" -> type=media weight=0.1\n",
		&rc, err);
	assert_int_equal(rc, VT_OK);
	assert_int_equal(vt_rules_count(r), 6); /* the signal list makes two */
	const char *sig[] = {"dhcp_hostname", "DCS-935L",
			     "tls_sni",	      "x.MEETHUE.com",
			     "ssdp_server",   "Linux, UPnP/1.0 Foo",
			     "mdns_service",  "_ipp._tcpx"};
	vt_devrec d = dev_with(sig, 8);
	assert_int_equal(vt_identify(r, NULL, &d), VT_OK);
	assert_string_equal(d.vendor, "D-Link");
	assert_string_equal(d.model, "DCS-935");
	assert_string_equal(d.type, "camera"); /* 0.9 - 0.5/2 beats 0.5 */
	assert_string_equal(d.os, "Linux");
	/* camera 0.9 less half of smart_home 0.5; vendor 0.9 */
	assert_true(d.confidence > 0.77 && d.confidence < 0.78);
	size_t rules_cited = 0;
	for (size_t i = 0; i < d.n_evidence; i++)
		rules_cited += strstr(d.evidence[i].rule, path) != NULL;
	assert_int_equal(rules_cited, 3); /* "is" needs the whole value */
	vt_devrec_cleanup(&d);
	vt_rules_free(r);
}

static void one_line_counts_once(void **state)
{
	char err[VT_ERRBUF_LEN];
	int rc;
	vt_rules *r = load("dns_query|tls_sni suffix \".mi.com\" -> vendor=Xiaomi weight=0.2\n"
			   "dhcp_hostname regex \"^cam\" -> vendor=Acme weight=0.3\n"
			   "dhcp_vendor_class is \"acme\" -> vendor=Acme weight=0.3\n",
			   &rc, err);
	assert_int_equal(rc, VT_OK);
	const char *sig[] = {"dns_query", "a.mi.com", "dns_query", "b.mi.com",
			     "tls_sni",	  "a.mi.com", "dhcp_hostname", "cam1"};
	vt_devrec d = dev_with(sig, 8);
	vt_identify(r, NULL, &d);
	/* Xiaomi: one line, 0.2 however often; Acme alone: 0.3 */
	assert_string_equal(d.vendor, "Acme");
	vt_devrec_cleanup(&d);
	const char *sig2[] = {"dhcp_hostname", "cam1", "dhcp_vendor_class", "acme"};
	d = dev_with(sig2, 4);
	vt_identify(r, NULL, &d);
	/* two lines agree: 1 - 0.7 * 0.7 = 0.51, type unknown: conf 0.255 */
	assert_true(d.confidence > 0.25 && d.confidence < 0.26);
	assert_string_equal(d.type, "unknown");
	vt_devrec_cleanup(&d);
	vt_rules_free(r);
}

static void vendor_names(void **state)
{
	vt_rules *r = vt_rules_new();
	char *v = vt_vendor_normalize(r, "Shanghai Xiaodu Technology Limited", NULL);
	assert_string_equal(v, "Xiaodu");
	free(v);
	v = vt_vendor_normalize(r, "Edimax Technology Co. Ltd.", NULL);
	assert_string_equal(v, "Edimax");
	free(v);
	v = vt_vendor_normalize(r, "Inc.", NULL);
	assert_string_equal(v, "Inc"); /* a first word is never dropped */
	free(v);
	vt_rules_free(r);
}

static void shipped_rules_load(void **state)
{
	char err[VT_ERRBUF_LEN], dir[512];
	const char *src = getenv("VT_SRCDIR");
	snprintf(dir, sizeof(dir), "%s/data/ident", src ? src : ".");
	vt_rules *r = vt_rules_new();
	int rc = vt_rules_add_dir(r, dir, "data/ident", err);
	if (rc)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, VT_OK);
	assert_true(vt_rules_count(r) > 200);
	int module = 0;
	char *v = vt_vendor_normalize(r, "Espressif Inc.", &module);
	assert_string_equal(v, "Espressif");
	assert_int_equal(module, 1);
	free(v);
	v = vt_vendor_normalize(r, "Belkin International Inc.", &module);
	assert_string_equal(v, "Belkin");
	assert_int_equal(module, 0);
	free(v);
	vt_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syntax_errors),
		cmocka_unit_test(operators_and_groups),
		cmocka_unit_test(one_line_counts_once),
		cmocka_unit_test(vendor_names),
		cmocka_unit_test(shipped_rules_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
