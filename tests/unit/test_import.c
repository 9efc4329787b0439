/*
 * Unit tests of the import layer's pieces: the format sniffer (every
 * format's first bytes, a BOM, blank lead, unknown content), the source's
 * line reader (CRLF, a final line without newline, an over-long line
 * skipped and counted, peek not consuming), times (epoch, ISO 8601 with
 * fraction and zone) and line numbers through a real reader, and the host
 * table (one service per port, closed ports' labels dropped, the cap, the
 * best identification kept, marks forgotten by a clear).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vantage/error.h"
#include "vantage/import.h"

static vt_import_fmt sniff(const char *s)
{
	return vt_import_sniff((const uint8_t *)s, strlen(s));
}

static void sniffer(void **state)
{
	(void)state;
	assert_int_equal(sniff("<?xml version=\"1.0\"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner=\"nmap\">"),
			 VT_IMP_NMAP_XML);
	assert_int_equal(sniff("<?xml version=\"1.0\"?>\n<nmaprun scanner=\"masscan\" start=\"1\">"),
			 VT_IMP_MASSCAN_XML);
	assert_int_equal(sniff("[\n{ \"ip\": \"1.2.3.4\" }"), VT_IMP_MASSCAN_JSON);
	assert_int_equal(sniff("{\"ip\":\"1.2.3.4\",\"rec_type\":\"status\"}\n"), VT_IMP_MASSCAN_NDJSON);
	assert_int_equal(sniff("{\"ip\":\"1.2.3.4\",\"data\":{\"ssh\":{}}}\n"), VT_IMP_ZGRAB2);
	assert_int_equal(sniff("{\"ip\":\"1.2.3.4\",\"services\":[]}\n"), VT_IMP_CENSYS);
	assert_int_equal(sniff("{\"code\":200,\"result\":{\"ip\":\"1.2.3.4\",\"services\":[]}}\n"),
			 VT_IMP_CENSYS);
	assert_int_equal(sniff("{\"ip\":\"1.2.3.4\",\"p23\":{}}\n"), VT_IMP_CENSYS_LEGACY);
	assert_int_equal(sniff("{\"ip\":\"1.2.3.4\",\"protocols\":[\"80/http\"]}\n"),
			 VT_IMP_CENSYS_LEGACY);
	assert_int_equal(sniff("{\"saddr\":\"1.2.3.4\",\"sport\":80}\n"), VT_IMP_ZMAP_JSON);
	/* A first record cut by the sniff window: its keys as text. */
	assert_int_equal(sniff("{\"ip\":\"1.2.3.4\",\"data\": {\"http\": {\"result\": {\"x"),
			 VT_IMP_ZGRAB2);
	assert_int_equal(sniff("#masscan\nopen tcp 80 1.2.3.4 1\n"), VT_IMP_MASSCAN_LIST);
	assert_int_equal(sniff("# Masscan 1.3.2 scan initiated\n"), VT_IMP_MASSCAN_LIST);
	assert_int_equal(sniff("saddr,sport,classification\n"), VT_IMP_ZMAP_CSV);
	assert_int_equal(sniff("192.0.2.1\n192.0.2.2\n"), VT_IMP_ZMAP_CSV);
	assert_int_equal(sniff("\xef\xbb\xbf\n\n  192.0.2.1\n"), VT_IMP_ZMAP_CSV);
	assert_int_equal(sniff("192.0.2\n"), VT_IMP_UNKNOWN);
	assert_int_equal(sniff("1234.1.1.1\n"), VT_IMP_UNKNOWN);
	assert_int_equal(sniff("# a comment\n"), VT_IMP_UNKNOWN);
	assert_int_equal(sniff("{\"hello\":1}\n"), VT_IMP_UNKNOWN);
	assert_int_equal(sniff("<html>"), VT_IMP_UNKNOWN);
	assert_int_equal(sniff(""), VT_IMP_UNKNOWN);
	assert_int_equal(vt_import_fmt_parse("masscan-list"), VT_IMP_MASSCAN_LIST);
	assert_int_equal(vt_import_fmt_parse("nope"), VT_IMP_UNKNOWN);
	assert_string_equal(vt_import_fmt_name(VT_IMP_CENSYS_LEGACY), "censys-legacy");
}

static vt_imp_src *src_of(const char *s, size_t n, FILE **f)
{
	char err[VT_ERRBUF_LEN];
	*f = fmemopen((void *)s, n, "rb");
	assert_non_null(*f);
	vt_imp_src *src = vt_imp_src_new(*f, err);
	assert_non_null(src);
	return src;
}

static void lines(void **state)
{
	(void)state;
	static const char text[] = "one\r\ntwo\n\nlast";
	FILE *f;
	vt_imp_src *s = src_of(text, sizeof(text) - 1, &f);
	const uint8_t *p;
	size_t n;
	char *line;
	assert_int_equal(vt_imp_src_peek(s, &p, &n), VT_OK);
	assert_int_equal(n, sizeof(text) - 1);
	assert_null(vt_imp_src_codec(s));
	assert_int_equal(vt_imp_src_line(s, &line, &n), 1);
	assert_string_equal(line, "one"); /* peek consumed nothing; CR gone */
	assert_int_equal(vt_imp_src_line(s, &line, &n), 1);
	assert_string_equal(line, "two");
	assert_int_equal(vt_imp_src_line(s, &line, &n), 1);
	assert_int_equal(n, 0);
	assert_int_equal(vt_imp_src_line(s, &line, &n), 1);
	assert_string_equal(line, "last");
	assert_int_equal(vt_imp_src_lineno(s), 4);
	assert_int_equal(vt_imp_src_line(s, &line, &n), 0);
	vt_imp_src_free(s);
	fclose(f);
}

static void long_line(void **state)
{
	(void)state;
	size_t big = VT_IMPORT_MAX_LINE + 10;
	char *buf = malloc(big + 8);
	assert_non_null(buf);
	memset(buf, 'a', big);
	memcpy(buf + big, "\nok\n", 4);
	FILE *f;
	vt_imp_src *s = src_of(buf, big + 4, &f);
	char *line;
	size_t n;
	assert_int_equal(vt_imp_src_line(s, &line, &n), 2); /* skipped */
	assert_int_equal(vt_imp_src_line(s, &line, &n), 1);
	assert_string_equal(line, "ok");
	assert_int_equal(vt_imp_src_lineno(s), 2);
	vt_imp_src_free(s);
	fclose(f);
	free(buf);
}

typedef struct seen {
	int n, bad;
	uint64_t lines[8], times[8], bad_lines[8];
	uint16_t ports[8];
	int open[8];
} seen;

static int on_obs(void *user, const vt_imp_obs *o)
{
	seen *s = user;
	if (s->n < 8) {
		s->lines[s->n] = o->line;
		s->times[s->n] = o->seen_us;
		s->ports[s->n] = o->port;
		s->open[s->n] = o->open;
	}
	s->n++;
	return 0;
}

static void on_bad(void *user, uint64_t line, const char *why)
{
	seen *s = user;
	(void)why;
	if (s->bad < 8)
		s->bad_lines[s->bad] = line;
	s->bad++;
}

static void zmap_times(void **state)
{
	(void)state;
	static const char csv[] =
		"saddr,sport,classification,success,repeat,timestamp-str\n"
		"192.0.2.1,23,synack,1,0,2017-01-15T10:00:00.250+0000\n"
		"192.0.2.1,23,synack,1,1,2017-01-15T10:00:01+0000\n"
		"192.0.2.2,80,rst,0,0,2017-01-15T11:00:00+01:00\n"
		"192.0.2.3,99999,synack,1,0,2017-01-15T10:00:00Z\n"
		"2001:db8::1,443,synack,1,0,1484474400\n";
	FILE *f;
	vt_imp_src *src = src_of(csv, sizeof(csv) - 1, &f);
	seen s;
	memset(&s, 0, sizeof(s));
	vt_imp_sink sink = {.user = &s, .obs = on_obs, .bad = on_bad};
	vt_imp_stats st;
	char why[128];
	assert_int_equal(vt_import_run(VT_IMP_ZMAP_CSV, src, &sink, &st, why, sizeof(why)),
			 VT_OK);
	assert_int_equal(st.records, 5);
	assert_int_equal(s.n, 3); /* the repeat is dropped, the bad port reported */
	assert_int_equal(s.bad, 1);
	assert_int_equal(s.bad_lines[0], 5);
	assert_int_equal(s.lines[0], 2);
	assert_int_equal(s.times[0], 1484474400250000ull);
	assert_int_equal(s.open[0], 1);
	assert_int_equal(s.lines[1], 4);
	assert_int_equal(s.times[1], 1484474400000000ull); /* 11:00+01:00 */
	assert_int_equal(s.open[1], 0);
	assert_int_equal(s.ports[2], 443);
	assert_int_equal(s.times[2], 1484474400000000ull);
	vt_imp_src_free(src);
	fclose(f);
}

static vt_imp_obs obs(const char *ip4, uint16_t port, int open)
{
	vt_imp_obs o;
	memset(&o, 0, sizeof(o));
	o.ipver = 4;
	for (int i = 0, v = 0, k = 0; ; i++) {
		if (ip4[i] == '.' || !ip4[i]) {
			o.ip[k++] = (uint8_t)v;
			v = 0;
			if (!ip4[i])
				break;
		} else {
			v = v * 10 + (ip4[i] - '0');
		}
	}
	o.has_port = port != 0;
	o.proto = 6;
	o.port = port;
	o.open = open;
	o.seen_us = 1000000;
	return o;
}

static void hosts(void **state)
{
	(void)state;
	vt_imp_hosts *h = vt_imp_hosts_new(2);
	assert_non_null(h);
	vt_imp_obs a = obs("192.0.2.1", 80, 1), b = obs("192.0.2.1", 80, 1);
	vt_imp_obs c = obs("192.0.2.1", 23, 0);
	c.labels[0].signal = "nmap_service_guess";
	snprintf(c.labels[0].value, sizeof(c.labels[0].value), "tcp/23 telnet");
	c.n_labels = 1;
	b.labels[0] = c.labels[0];
	b.n_labels = 1;
	int is_new = 0;
	assert_int_equal(vt_imp_hosts_add(h, &a, &is_new), VT_OK);
	assert_true(is_new);
	assert_int_equal(vt_imp_hosts_add(h, &b, &is_new), VT_OK);
	assert_false(is_new);
	assert_int_equal(vt_imp_hosts_add(h, &c, NULL), VT_OK);
	const vt_devrec *d = vt_imp_hosts_get(h, 0);
	assert_int_equal(d->has_mac, 0);
	assert_int_equal(d->key_ipver, 4);
	assert_int_equal(d->n_services, 1); /* the closed port is no service */
	assert_int_equal(d->services[0].flows, 2);
	assert_int_equal(d->services[0].technique, VT_TECH_ACTIVE);
	assert_int_equal(d->services[0].role, VT_ROLE_SERVER);
	assert_int_equal(d->services[0].scope, VT_SCOPE_EXTERNAL);
	assert_int_equal(d->n_signals, 1); /* the open port's label only */
	assert_int_equal(vt_imp_hosts_mark(h, &a), 0);
	assert_int_equal(vt_imp_hosts_mark(h, &b), 1); /* same host */
	assert_int_equal(vt_imp_hosts_ident(h, &a, "Huawei", "router", NULL, 0.8, "x", "r1"), VT_OK);
	assert_int_equal(vt_imp_hosts_ident(h, &a, "Other", "camera", NULL, 0.5, "y", "r2"), VT_OK);
	d = vt_imp_hosts_get(h, 0);
	assert_string_equal(d->vendor, "Huawei");
	assert_string_equal(d->type, "router");
	assert_int_equal(d->n_evidence, 2);
	vt_imp_obs e = obs("192.0.2.2", 0, 0), g = obs("192.0.2.3", 22, 1);
	assert_int_equal(vt_imp_hosts_add(h, &e, NULL), VT_OK);
	assert_int_equal(vt_imp_hosts_add(h, &g, NULL), VT_EFULL);
	assert_int_equal(vt_imp_hosts_count(h), 2);
	vt_imp_hosts_clear(h);
	assert_int_equal(vt_imp_hosts_count(h), 0);
	assert_int_equal(vt_imp_hosts_add(h, &g, &is_new), VT_OK);
	assert_true(is_new);
	assert_int_equal(vt_imp_hosts_add(h, &a, &is_new), VT_OK);
	assert_true(is_new); /* forgotten by the clear */
	assert_int_equal(vt_imp_hosts_mark(h, &a), 0);
	vt_imp_hosts_free(h);
	vt_imp_hosts_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniffer),   cmocka_unit_test(lines),
		cmocka_unit_test(long_line), cmocka_unit_test(zmap_times),
		cmocka_unit_test(hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
