/*
 * Unit tests: SSDP signals (src/dissect/sig_ssdp.c). Real M-SEARCH and
 * NOTIFY messages (ndpi-tests, lifecycle-cn-iot), a Philips Hue NOTIFY
 * (hand-built after the bridge's format; and, when the IoT Sentinel
 * captures are present in ../shared/datasets, the bridge's own, read at
 * run time and never stored here), search responses, and the bounds of
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
#include <pcap/pcap.h>

#include "sig_sink.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

static int ssdp(const char *s)
{
	return vt_sig_ssdp((const uint8_t *)s, strlen(s), rec_reset(&R));
}

/* ndpi-tests ssdp-m-search-ua.pcap frame 1 (Chrome on macOS). */
static void real_msearch_chrome(void **state)
{
	assert_int_equal(ssdp("M-SEARCH * HTTP/1.1\r\n"
			      "HOST: 239.255.255.250:1900\r\n"
			      "MAN: \"ssdp:discover\"\r\n"
			      "MX: 1\r\n"
			      "ST: urn:dial-multiscreen-org:service:dial:1\r\n"
			      "USER-AGENT: Google Chrome/99.0.4844.74 Mac OS X\r\n"
			      "\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"ssdp_st", "urn:dial-multiscreen-org:service:dial:1",
		"ssdp_user_agent", "Google Chrome/99.0.4844.74 Mac OS X"));
}

/* lifecycle-cn-iot xiaodu_plug_setup.pcap frame 45: mixed-case names. */
static void real_msearch_plug(void **state)
{
	assert_int_equal(ssdp("M-SEARCH * HTTP/1.1\r\n"
			      "MX: 1\r\n"
			      "ST: urn:schemas-upnp-org:device:MediaRenderer:1\r\n"
			      "MAN: \"ssdp:discover\"\r\n"
			      "User-Agent: UPnP/1.0 DLNADOC/1.50 Platinum/1.0.5.13\r\n"
			      "Connection: close\r\n"
			      "Host: 239.255.255.250:1900\r\n"
			      "\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"ssdp_st", "urn:schemas-upnp-org:device:MediaRenderer:1",
		"ssdp_user_agent", "UPnP/1.0 DLNADOC/1.50 Platinum/1.0.5.13"));
}

/* ndpi-tests 1kxun.pcap frame 693: a Windows media server NOTIFY. */
static void real_notify_windows(void **state)
{
	assert_int_equal(ssdp(
		"NOTIFY * HTTP/1.1\r\n"
		"Host: 239.255.255.250:1900\r\n"
		"NT: urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1\r\n"
		"NTS: ssdp:alive\r\n"
		"Location: http://192.168.5.49:2869/upnphost/udhisapi.dll?"
		"content=uuid:9319395a-4d03-4750-bb1b-4663933ab812\r\n"
		"USN: uuid:9319395a-4d03-4750-bb1b-4663933ab812::urn:microsoft.com:"
		"service:X_MS_MediaReceiverRegistrar:1\r\n"
		"Cache-Control: max-age=900\r\n"
		"Server: Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0\r\n"
		"OPT:\"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
		"01-NLS: d07b435d299b41784ca3d2ae2b959948\r\n"
		"\r\n"),
		VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"ssdp_nt", "urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1",
		"ssdp_location", "http://192.168.5.49:2869/upnphost/udhisapi.dll?"
				 "content=uuid:9319395a-4d03-4750-bb1b-4663933ab812",
		"ssdp_usn", "uuid:9319395a-4d03-4750-bb1b-4663933ab812::"
			    "urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1",
		"ssdp_server", "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0"));
}

static const char HUE[] =
	"NOTIFY * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"CACHE-CONTROL: max-age=100\r\n"
	"LOCATION: http://192.168.1.20:80/description.xml\r\n"
	"SERVER: Linux/3.14.0 UPnP/1.0 IpBridge/1.16.0\r\n"
	"NTS: ssdp:alive\r\n"
	"hue-bridgeid: 001788FFFE2476FF\r\n"
	"NT: upnp:rootdevice\r\n"
	"USN: uuid:2f402f80-da50-11e1-9b23-0017882476ff::upnp:rootdevice\r\n"
	"\r\n";

static void hue_notify(void **state)
{
	assert_int_equal(ssdp(HUE), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"ssdp_location", "http://192.168.1.20:80/description.xml",
		"ssdp_server", "Linux/3.14.0 UPnP/1.0 IpBridge/1.16.0",
		"ssdp_nt", "upnp:rootdevice",
		"ssdp_usn", "uuid:2f402f80-da50-11e1-9b23-0017882476ff::upnp:rootdevice"));
}

/*
 * The Hue bridge's own NOTIFYs from the IoT Sentinel setup capture
 * (research-use data: read in place, never copied into the tree). Skipped
 * when the datasets are not beside the source tree.
 */
static void hue_bridge_capture(void **state)
{
	const char *src = getenv("VT_SRCDIR");
	char path[4096], err[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/../shared/datasets/iot-sentinel/"
		 "HueBridge/Setup-A-1-STA.pcap", src ? src : ".");
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc) {
		skip();
		return;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	int notifies = 0;
	while (pcap_next_ex(pc, &h, &d) == 1) {
		/* Ethernet + IPv4 (no options) + UDP from port 1900 */
		if (h->caplen < 42 + 7 || d[12] != 8 || d[13] != 0 ||
		    d[23] != 17 || d[14] != 0x45 || d[34] != 0x07 ||
		    d[35] != 0x6c || memcmp(d + 42, "NOTIFY ", 7) != 0)
			continue;
		assert_int_equal(vt_sig_ssdp(d + 42, h->caplen - 42,
					     rec_reset(&R)), VT_DIS_OK);
		assert_sig(&R, "ssdp_server",
			   "Linux/3.14.0 UPnP/1.0 IpBridge/1.9.0");
		assert_sig(&R, "ssdp_location",
			   "http://10.10.10.6:80/description.xml");
		assert_int_equal(rec_count(&R, "ssdp_usn"), 1);
		assert_int_equal(rec_count(&R, "ssdp_nt"), 1);
		notifies++;
	}
	pcap_close(pc);
	assert_true(notifies > 0);
}

static void search_response(void **state)
{
	assert_int_equal(ssdp("HTTP/1.1 200 OK\r\n"
			      "CACHE-CONTROL: max-age=1800\r\n"
			      "EXT:\r\n"
			      "LOCATION: http://192.168.1.30:8008/ssdp/device-desc.xml\r\n"
			      "SERVER: Linux/3.8.13+, UPnP/1.0, Portable SDK for UPnP devices/1.6.18\r\n"
			      "ST: urn:dial-multiscreen-org:service:dial:1\r\n"
			      "USN: uuid:1234::urn:dial-multiscreen-org:service:dial:1\r\n"
			      "\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS(
		"ssdp_location", "http://192.168.1.30:8008/ssdp/device-desc.xml",
		"ssdp_server", "Linux/3.8.13+, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
		"ssdp_nt", "urn:dial-multiscreen-org:service:dial:1",
		"ssdp_usn", "uuid:1234::urn:dial-multiscreen-org:service:dial:1"));
	/* other statuses and other protocols are not SSDP signals */
	assert_int_equal(ssdp("HTTP/1.1 404 Not Found\r\nSERVER: x\r\n\r\n"),
			 VT_DIS_UNSUPPORTED);
	assert_int_equal(ssdp("HTTP/1.1 2000\r\nSERVER: x\r\n\r\n"),
			 VT_DIS_UNSUPPORTED);
	assert_int_equal(ssdp("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
			 VT_DIS_UNSUPPORTED);
	assert_int_equal(ssdp("\x16\x03\x01"), VT_DIS_UNSUPPORTED);
	assert_int_equal(ssdp(""), VT_DIS_TRUNCATED);
	assert_int_equal(R.n, 0);
}

static void header_forms(void **state)
{
	/* bare LF, odd case, spaces around the colon, empty values, a line
	 * without colon, a folded line, a header the kind does not use */
	assert_int_equal(ssdp("notify * http/1.1\n"
			      "sErVeR :  lighttpd/1.4  \t\n"
			      "NT:\n"
			      "garbage line\n"
			      " folded: continuation\n"
			      "USER-AGENT: not-for-notify\n"
			      "Usn:\tuuid:x"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("ssdp_server", "lighttpd/1.4",
				   "ssdp_usn", "uuid:x"));
	/* headers after the blank line are a body */
	assert_int_equal(ssdp("NOTIFY * HTTP/1.1\r\nNT: a\r\n\r\nSERVER: b\r\n"),
			 VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("ssdp_nt", "a"));
}

static void no_crlf_and_huge(void **state)
{
	/* no line end at all */
	assert_int_equal(ssdp("M-SEARCH * HTTP/1.1"), VT_DIS_OK);
	assert_int_equal(R.n, 0);
	assert_int_equal(ssdp("M-SEARCH * HTTP/1.1 ST: x USER-AGENT: y"),
			 VT_DIS_OK);
	assert_int_equal(R.n, 0);

	/* a 1 MiB SERVER line: cut at the value cap */
	size_t big = 1u << 20;
	char *m = malloc(big + 64);
	assert_non_null(m);
	size_t n = (size_t)snprintf(m, 64, "NOTIFY * HTTP/1.1\r\nSERVER: ");
	memset(m + n, 'S', big);
	n += big;
	memcpy(m + n, "\r\nNT: tail\r\n\r\n", 14);
	n += 14;
	assert_int_equal(vt_sig_ssdp((uint8_t *)m, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(R.n, 2);
	assert_string_equal(R.sig[0].name, "ssdp_server");
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);
	assert_sig(&R, "ssdp_nt", "tail");
	/* ... and a 1 MiB start line */
	memset(m, 'N', big);
	assert_int_equal(vt_sig_ssdp((uint8_t *)m, big, rec_reset(&R)),
			 VT_DIS_UNSUPPORTED);
	free(m);
}

static void ten_thousand_headers(void **state)
{
	size_t cap = 20 + 10000 * 8 + 32;
	char *m = malloc(cap);
	assert_non_null(m);
	size_t n = (size_t)snprintf(m, cap, "NOTIFY * HTTP/1.1\r\n");
	for (int i = 0; i < 10000; i++) {
		memcpy(m + n, "X-A: b\r\n", 8);
		n += 8;
	}
	memcpy(m + n, "NT: late\r\n\r\n", 12);
	n += 12;
	assert_int_equal(vt_sig_ssdp((uint8_t *)m, n, rec_reset(&R)),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0); /* NT came after the header cap */
	/* 10,000 NT headers: only the first VT_SIG_MAX_HEADERS are read */
	n = (size_t)snprintf(m, cap, "NOTIFY * HTTP/1.1\r\n");
	for (int i = 0; i < 10000; i++) {
		memcpy(m + n, "NT: abc\r\n", 9);
		n += 9;
		if (n + 9 > cap)
			break;
	}
	assert_int_equal(vt_sig_ssdp((uint8_t *)m, n, rec_reset(&R)),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 100);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_msearch_chrome),
		cmocka_unit_test(real_msearch_plug),
		cmocka_unit_test(real_notify_windows),
		cmocka_unit_test(hue_notify),
		cmocka_unit_test(hue_bridge_capture),
		cmocka_unit_test(search_response),
		cmocka_unit_test(header_forms),
		cmocka_unit_test(no_crlf_and_huge),
		cmocka_unit_test(ten_thousand_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
