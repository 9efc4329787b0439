/*
 * Unit tests: the UPnP description parser (src/probe/upnp_xml.c) and the
 * checks around a description fetch (src/probe/upnp_fetch.c): LOCATION
 * scope, HTTP response split. The descriptions are crafted after the
 * UDA 2.0 examples and MiniDLNA's rootDesc.xml, plus the hostile cases of
 * RELIABILITY.md (entity bombs, external entities, deep nesting, huge
 * values, thousands of fields).
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
#include "vantage/discover.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

static int upnp(const char *s)
{
	return vt_sig_upnp((const uint8_t *)s, strlen(s), rec_reset(&R));
}

/* MiniDLNA 1.3.0's description as the lab's media device serves it. */
static void minidlna_description(void **state)
{
	(void)state;
	assert_int_equal(
		upnp("<?xml version=\"1.0\"?>\r\n"
		     "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">"
		     "<specVersion><major>1</major><minor>0</minor></specVersion>"
		     "<device><deviceType>urn:schemas-upnp-org:device:MediaServer:1"
		     "</deviceType><friendlyName>Living Room TV</friendlyName>"
		     "<manufacturer>Justin Maggard</manufacturer>"
		     "<manufacturerURL>http://www.netgear.com/</manufacturerURL>"
		     "<modelDescription>MiniDLNA on Linux</modelDescription>"
		     "<modelName>Windows Media Connect compatible (MiniDLNA)</modelName>"
		     "<modelNumber>1.3.0</modelNumber>"
		     "<modelURL>http://www.netgear.com</modelURL>"
		     "<serialNumber>58CB527A8B32</serialNumber>"
		     "<UDN>uuid:5bb0e3a4-6b6f-4a1c-9c1e-58cb527a8b32</UDN>"
		     "<iconList><icon><mimetype>image/png</mimetype></icon></iconList>"
		     "<serviceList><service><serviceType>urn:schemas-upnp-org:"
		     "service:ContentDirectory:1</serviceType><serviceId>x</serviceId>"
		     "</service></serviceList></device></root>"),
		VT_DIS_OK);
	assert_sigs_exact(
		&R,
		SIGS("upnp_device_type", "urn:schemas-upnp-org:device:MediaServer:1",
		     "upnp_friendly_name", "Living Room TV",
		     "upnp_manufacturer", "Justin Maggard",
		     "upnp_manufacturer_url", "http://www.netgear.com/",
		     "upnp_model_description", "MiniDLNA on Linux",
		     "upnp_model_name", "Windows Media Connect compatible (MiniDLNA)",
		     "upnp_model_number", "1.3.0",
		     "upnp_serial_number", "58CB527A8B32",
		     "upnp_service_type",
		     "urn:schemas-upnp-org:service:ContentDirectory:1"));
}

/* Embedded devices, prefixes, white space, references and CDATA. */
static void embedded_and_forms(void **state)
{
	(void)state;
	assert_int_equal(
		upnp("<u:root xmlns:u=\"urn:schemas-upnp-org:device-1-0\">"
		     "<u:device><u:deviceType>urn:schemas-upnp-org:device:"
		     "InternetGatewayDevice:1</u:deviceType>"
		     "<u:manufacturer>\n   AVM Berlin \t</u:manufacturer>"
		     "<u:friendlyName>a &amp; b &#x41;</u:friendlyName>"
		     "<u:deviceList><u:device><u:deviceType>urn:schemas-upnp-org:"
		     "device:WANDevice:1</u:deviceType><u:modelName><![CDATA[<FRITZ!"
		     "Box>]]></u:modelName></u:device></u:deviceList>"
		     "<u:modelName></u:modelName><u:modelNumber>   </u:modelNumber>"
		     "</u:device><modelName>outside any device</modelName></u:root>"),
		VT_DIS_OK);
	assert_sigs_exact(
		&R,
		SIGS("upnp_device_type",
		     "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
		     "upnp_manufacturer", "AVM Berlin",
		     "upnp_friendly_name", "a & b A",
		     "upnp_device_type", "urn:schemas-upnp-org:device:WANDevice:1",
		     "upnp_model_name", "<FRITZ!Box>"));
}

/* The billion-laughs bomb, an external entity, and any DOCTYPE at all
 * are refused before a single field is emitted. */
static void entities_refused(void **state)
{
	(void)state;
	assert_int_equal(
		upnp("<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY a \"aaaa\">"
		     "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		     "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
		     "<root><device><manufacturer>&c;</manufacturer>"
		     "<modelName>X</modelName></device></root>"),
		VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	assert_int_equal(
		upnp("<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY x SYSTEM "
		     "\"file:///etc/passwd\">]><root><device><manufacturer>&x;"
		     "</manufacturer></device></root>"),
		VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	assert_int_equal(upnp("<!DOCTYPE root><root><device><modelName>X"
			      "</modelName></device></root>"),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
	/* An undeclared entity is an XML error, not an expansion. */
	assert_int_equal(upnp("<root><device><modelName>&zz;</modelName>"
			      "</device></root>"),
			 VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
}

/* Not XML, cut short, too deep: refused; what came before is kept. */
static void malformed(void **state)
{
	(void)state;
	assert_int_equal(upnp("HTTP/1.1 200 OK"), VT_DIS_MALFORMED);
	assert_int_equal(upnp(""), VT_DIS_MALFORMED);
	assert_int_equal(upnp("<root><device><modelName>X</modelName><friendly"),
			 VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("upnp_model_name", "X"));
	char deep[1024];
	size_t off = 0;
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(deep + off, sizeof(deep) - off, "<a>");
	for (int i = 0; i < 40; i++)
		off += (size_t)snprintf(deep + off, sizeof(deep) - off, "</a>");
	assert_int_equal(upnp(deep), VT_DIS_MALFORMED);
}

/* A 400-byte value is cut at VT_SIG_MAX_VALUE; 10,000 services give at
 * most 128 signals, and that is not an error. */
static void caps(void **state)
{
	(void)state;
	char big[1024];
	snprintf(big, sizeof(big), "<root><device><modelName>%0400d"
		 "</modelName></device></root>", 7);
	assert_int_equal(upnp(big), VT_DIS_OK);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);

	size_t cap = 10000 * 64 + 128, off = 0;
	char *many = malloc(cap);
	assert_non_null(many);
	off += (size_t)snprintf(many + off, cap - off, "<root><device><serviceList>");
	for (int i = 0; i < 10000; i++)
		off += (size_t)snprintf(many + off, cap - off,
					"<service><serviceType>t%d</serviceType>"
					"</service>", i);
	snprintf(many + off, cap - off, "</serviceList></device></root>");
	assert_int_equal(upnp(many), VT_DIS_OK);
	assert_int_equal(R.n, 128);
	free(many);
}

static int url(const char *s, vt_upnp_url *u)
{
	static const vt_lan4 lan = {.ip = {192, 168, 77, 250}, .prefix = 24};
	return vt_upnp_url_parse((const uint8_t *)s, strlen(s), &lan, u);
}

static void location_scope(void **state)
{
	(void)state;
	vt_upnp_url u;
	assert_int_equal(url("http://192.168.77.50:8200/rootDesc.xml", &u),
			 VT_UPNP_OK);
	assert_memory_equal(u.ip, ((uint8_t[]){192, 168, 77, 50}), 4);
	assert_int_equal(u.port, 8200);
	assert_string_equal(u.path, "/rootDesc.xml");
	assert_int_equal(url("HTTP://192.168.77.1", &u), VT_UPNP_OK);
	assert_int_equal(u.port, 80);
	assert_string_equal(u.path, "/");
	/* outside the subnet, our own address, network and broadcast */
	assert_int_equal(url("http://10.255.0.1:8080/offnet.xml", &u), VT_UPNP_SCOPE);
	assert_int_equal(url("http://192.168.78.5/", &u), VT_UPNP_SCOPE);
	assert_int_equal(url("http://127.0.0.1/", &u), VT_UPNP_SCOPE);
	assert_int_equal(url("http://192.168.77.250/", &u), VT_UPNP_SCOPE);
	assert_int_equal(url("http://192.168.77.0/", &u), VT_UPNP_SCOPE);
	assert_int_equal(url("http://192.168.77.255/", &u), VT_UPNP_SCOPE);
	/* never followed: other schemes, host names, odd forms */
	assert_int_equal(url("file:///etc/passwd", &u), VT_UPNP_BADURL);
	assert_int_equal(url("https://192.168.77.5/", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://evil.example/desc.xml", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://192.168.77.5.evil.example/", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://user@192.168.77.5/", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://192.168.77.256/", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://192.168.77.5:0/", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://192.168.77.5:65536/", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://192.168.77.5/a b", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://192.168.77.5/a\r\nHost: x", &u), VT_UPNP_BADURL);
	assert_int_equal(url("http://[fe80::1]/", &u), VT_UPNP_BADURL);
	char longp[400] = "http://192.168.77.5/";
	memset(longp + strlen(longp), 'a', 300);
	assert_int_equal(url(longp, &u), VT_UPNP_BADURL);
}

static int body(const char *s, const char **b, size_t *n)
{
	const uint8_t *p;
	int rc = vt_upnp_http_body((const uint8_t *)s, strlen(s), &p, n);
	*b = rc == VT_UPNP_OK ? (const char *)p : NULL;
	return rc;
}

static void http_split(void **state)
{
	(void)state;
	const char *b;
	size_t n;
	assert_int_equal(body("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n<root/>junk",
			      &b, &n), VT_UPNP_OK);
	assert_int_equal(n, 7);
	assert_memory_equal(b, "<root/>", 7);
	assert_int_equal(body("HTTP/1.0 200 OK\nServer: x\n\n<root/>", &b, &n),
			 VT_UPNP_OK);
	assert_int_equal(n, 7);
	assert_int_equal(body("HTTP/1.1 200\r\n\r\n<r/>", &b, &n), VT_UPNP_OK);
	/* refused: other status, chunked, a length past the data, no body */
	assert_int_equal(body("HTTP/1.1 404 Not Found\r\n\r\n<r/>", &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("HTTP/1.1 2000 OK\r\n\r\n<r/>", &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			      "7\r\n<root/>\r\n0\r\n\r\n", &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n<r/>",
			      &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n<r/>",
			      &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
			      &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("HTTP/1.1 200 OK\r\n\r\n", &b, &n), VT_UPNP_HTTP);
	assert_int_equal(body("<root/>", &b, &n), VT_UPNP_HTTP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minidlna_description),
		cmocka_unit_test(embedded_and_forms),
		cmocka_unit_test(entities_refused),
		cmocka_unit_test(malformed),
		cmocka_unit_test(caps),
		cmocka_unit_test(location_scope),
		cmocka_unit_test(http_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
