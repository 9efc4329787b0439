/*
 * Unit tests: HTTP/1.x signals (src/dissect/sig_http.c). Real requests and
 * responses (lifecycle-cn-iot xiaodu plug, ndpi-tests android), content
 * recognition, a header block cut by the segment end, and the bounds of
 * RELIABILITY.md: no CRLF, a 1 MiB header line, 10,000 headers.
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
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

static int http(const char *s)
{
	return vt_sig_http((const uint8_t *)s, strlen(s), rec_reset(&R));
}

static void real_plug(void **state)
{
	/* xiaodu_plug_idle_off_local.pcap: its connectivity check... */
	assert_int_equal(http("GET /generate_204 HTTP/1.1\r\n"
			      "Host: 111.63.96.109\r\n"
			      "Accept: */*\r\n\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_host", "111.63.96.109"));
	/* ... and the server's answer */
	assert_int_equal(http("HTTP/1.1 204 No Content\r\n"
			      "Connection: keep-alive\r\n"
			      "Date: Tue, 16 Apr 2024 07:57:54 GMT\r\n"
			      "Server: dueros\r\n"
			      "Content-Length: 0\r\n"
			      "Content-Type: text/plain; charset=utf-8\r\n\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_server", "dueros"));
}

/* ndpi-tests android.pcap: a phone's request, with a body after it. */
static void real_android(void **state)
{
	assert_int_equal(http(
		"GET /connect HTTP/1.1\r\n"
		"Host: check.googlezip.net\r\n"
		"Connection: keep-alive\r\n"
		"User-Agent: Mozilla/5.0 (Linux; Android 9; Nokia 2.2) "
		"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.93 "
		"Mobile Safari/537.36\r\n"
		"Accept-Encoding: gzip, deflate\r\n"
		"Accept-Language: it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7\r\n"
		"\r\n"
		"User-Agent: in the body\r\n"),
		VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_host", "check.googlezip.net",
		"http_user_agent", "Mozilla/5.0 (Linux; Android 9; Nokia 2.2) "
		"AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.93 "
		"Mobile Safari/537.36"));
}

static void recognition(void **state)
{
	/* any method, target and HTTP/1.x, on any port */
	assert_int_equal(http("SUBSCRIBE /evt HTTP/1.0\r\nUSER-AGENT: upnp\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_user_agent", "upnp"));
	assert_int_equal(http("OPTIONS * HTTP/1.1\r\nHost: h\r\n"), VT_DIS_OK);
	assert_int_equal(http("GET http://x/ HTTP/1.1\r\nHost: x\r\n"), VT_DIS_OK);
	/* a response's User-Agent and a request's Server are not signals */
	assert_int_equal(http("HTTP/1.0 200\r\nUser-Agent: u\r\nServer: s\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_server", "s"));
	assert_int_equal(http("POST /a HTTP/1.1\r\nServer: s\r\n"), VT_DIS_OK);
	assert_int_equal(R.n, 0);
	/* not HTTP/1.x */
	static const char *const no[] = {
		"GET / HTTP/2.0\r\nHost: x\r\n",
		"GET /  HTTP/1.1\r\n",          /* empty target */
		"GET / HTTP/1.1 extra\r\n",
		"get / HTTP/1.1\r\n",           /* methods are upper case */
		"M-SEARCH * HTTP/1.1\r\n",      /* SSDP, not HTTP */
		"RTSP/1.0 200 OK\r\nServer: x\r\n",
		"HTTP/1.1 20 OK\r\n",
		"HTTP/1.1 200OK\r\n",
		"HTTP/1.x 200 OK\r\n",
		"SSH-2.0-OpenSSH_8.2\r\n",
		"\x16\x03\x01\x02\x00\x01",
		"GET",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n", /* method too long */
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_int_equal(http(no[i]), VT_DIS_UNSUPPORTED);
	assert_int_equal(http(""), VT_DIS_TRUNCATED);
	assert_int_equal(R.n, 0);
}

static void cut_and_odd_lines(void **state)
{
	/* the segment ends inside the headers: use what is there */
	assert_int_equal(http("GET / HTTP/1.1\r\nHost: a.example\r\nUser-Agent: Mozi"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_host", "a.example",
				   "http_user_agent", "Mozi"));
	/* no CRLF anywhere: the request line alone */
	assert_int_equal(http("GET / HTTP/1.1"), VT_DIS_OK);
	assert_int_equal(R.n, 0);
	/* bare LF, NUL and escapes in a value (kept as bytes) */
	static const char m[] = "GET / HTTP/1.1\nhost:\tx\0y\x1b[2J\n\n";
	assert_int_equal(vt_sig_http((const uint8_t *)m, sizeof(m) - 1,
				     rec_reset(&R)),
			 VT_DIS_OK);
	assert_true(rec_has_n(&R, "http_host", "x\0y\x1b[2J", 7));
}

static void huge_line_and_many_headers(void **state)
{
	size_t big = 1u << 20, n;
	char *m = malloc(big + 100);
	assert_non_null(m);
	n = (size_t)snprintf(m, 100, "GET / HTTP/1.1\r\nUser-Agent: ");
	memset(m + n, 'U', big);
	n += big;
	memcpy(m + n, "\r\nHost: h\r\n\r\n", 13);
	n += 13;
	assert_int_equal(vt_sig_http((uint8_t *)m, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(R.n, 2);
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);
	assert_sig(&R, "http_host", "h");
	/* a 1 MiB request target: still a request */
	n = (size_t)snprintf(m, 100, "GET /");
	memset(m + n, 'a', big);
	n += big;
	memcpy(m + n, " HTTP/1.1\r\nHost: h\r\n", 20);
	n += 20;
	assert_int_equal(vt_sig_http((uint8_t *)m, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("http_host", "h"));
	free(m);

	size_t cap = 30 + 10000 * 9;
	m = malloc(cap);
	assert_non_null(m);
	n = (size_t)snprintf(m, cap, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < 10000; i++) {
		memcpy(m + n, "Server:s\n", 9);
		n += 9;
	}
	assert_int_equal(vt_sig_http((uint8_t *)m, n, rec_reset(&R)),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 100);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_plug),
		cmocka_unit_test(real_android),
		cmocka_unit_test(recognition),
		cmocka_unit_test(cut_and_odd_lines),
		cmocka_unit_test(huge_line_and_many_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
