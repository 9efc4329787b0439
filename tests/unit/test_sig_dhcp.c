/*
 * Unit tests: DHCPv4 signals (src/dissect/sig_dhcp.c). Real requests and
 * replies from ndpi-tests (LGPL) and lifecycle-cn-iot (Apache) captures,
 * and hand-built messages for the malformed cases of RELIABILITY.md:
 * options past the end, no END, overload into sname/file, hostnames with
 * NUL, escape sequences, HTML, 255 bytes and invalid UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sig_sink.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

static rec R;

/* A BOOTP header (op, 44 bytes of head as hex), empty sname/file, the
 * DHCP cookie and the given options (hex). Returns the length. */
static size_t real_msg(uint8_t *b, size_t cap, const char *head,
		       const char *opts)
{
	memset(b, 0, 240);
	assert_int_equal(unhex(head, b, 44), 44);
	b[236] = 0x63, b[237] = 0x82, b[238] = 0x53, b[239] = 0x63;
	return 240 + unhex(opts, b + 240, cap - 240);
}

/* A request (op 1) with an empty header; options appended by the test. */
static size_t req(uint8_t *b, uint8_t op)
{
	memset(b, 0, 240);
	b[0] = op, b[1] = 1, b[2] = 6;
	b[236] = 0x63, b[237] = 0x82, b[238] = 0x53, b[239] = 0x63;
	return 240;
}

static size_t opt(uint8_t *b, uint8_t code, const void *v, uint8_t len)
{
	b[0] = code;
	b[1] = len;
	memcpy(b + 2, v, len);
	return 2u + len;
}

/* ndpi-tests 1kxun.pcap frame 706: an Android (dhcpcd) DHCPDISCOVER;
 * the expected values agree with tshark's dhcp.option fields. */
static void real_android_discover(void **state)
{
	uint8_t b[600];
	size_t n = real_msg(b, sizeof(b),
		"01010600d3e2067a0000000000000000000000000000000000000000"
		"bcee7b0cb3de00000000000000000000",
		"350101390205dc3c0c6468637063642d352e352e360c18616e64726f6964"
		"2d663763613066353731323730633532643709012103060f1c333a3bff00");
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_msg_type", "1",
		"dhcp_hostname", "android-f7ca0f571270c52d",
		"dhcp_prl", "1,33,3,6,15,28,51,58,59",
		"dhcp_vendor_class", "dhcpcd-5.5.6",
		"dhcp_max_size", "1500"));
}

/* lifecycle-cn-iot xiaobai_Y2camera_setup.pcap frame 2: the router's
 * DHCPACK names the camera (option 12) -- a reply describes the client,
 * not its sender, so only the message type is emitted. */
static void real_server_ack(void **state)
{
	uint8_t b[600];
	size_t n = real_msg(b, sizeof(b),
		"020106008be3584c0000000000000000c0a801a5c0a801010000000078df"
		"7224694d00000000000000000000",
		"3501053604c0a8010133040000a8c03a04000054603b04000093a80104ff"
		"ffff001c04c0a801ff0304c0a801010604c0a801010f036c616e0c166368"
		"75616e676d695f63616d6572615f303630613032ff");
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_msg_type", "5"));
}

static void not_dhcp(void **state)
{
	uint8_t b[300];
	size_t n = req(b, 1);
	assert_int_equal(vt_sig_dhcp(b, 239, rec_reset(&R)), VT_DIS_TRUNCATED);
	assert_int_equal(vt_sig_dhcp(NULL, 0, rec_reset(&R)), VT_DIS_TRUNCATED);
	b[239] = 0; /* plain BOOTP */
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	n = req(b, 3); /* op neither request nor reply */
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	assert_int_equal(R.n, 0);
}

static void option_past_end(void **state)
{
	uint8_t b[300];
	size_t n = req(b, 1);
	n += opt(b + n, 53, "\x03", 1);
	n += opt(b + n, 60, "vendor", 6);
	b[n++] = 12, b[n++] = 20; /* host name claims 20, has 5 */
	memcpy(b + n, "abcde", 5), n += 5;
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("dhcp_msg_type", "3",
				   "dhcp_vendor_class", "vendor"));
	/* a code with no length byte at the very end */
	n = req(b, 1);
	n += opt(b + n, 53, "\x01", 1);
	b[n++] = 12;
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("dhcp_msg_type", "1"));
}

static void no_end_and_pads(void **state)
{
	uint8_t b[300];
	size_t n = req(b, 1);
	b[n++] = 0, b[n++] = 0; /* pads */
	n += opt(b + n, 53, "\x01", 1);
	n += opt(b + n, 12, "cam", 3); /* then the data ends: no END */
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_msg_type", "1",
				   "dhcp_hostname", "cam"));
	b[n++] = 255; /* options after END are not read */
	n += opt(b + n, 60, "late", 4);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(rec_count(&R, "dhcp_vendor_class"), 0);
}

static void overload(void **state)
{
	uint8_t b[400];
	size_t n = req(b, 1);
	n += opt(b + n, 53, "\x01", 1);
	n += opt(b + n, 52, "\x03", 1); /* both file and sname */
	n += opt(b + n, 55, "\x01\x03", 2);
	b[n++] = 255;
	/* file (offset 108) is read before sname (offset 44), RFC 2131 4.1 */
	size_t f = 108 + opt(b + 108, 12, "host-", 5);
	f += opt(b + f, 52, "\x00", 1); /* overload inside file: ignored */
	b[f] = 255;
	size_t s = 44 + opt(b + 44, 12, "name", 4);
	s += opt(b + s, 60, "in-sname", 8);
	b[s] = 255;
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	/* option 12 split over file and sname concatenates (RFC 3396) */
	assert_sigs_exact(&R, SIGS("dhcp_msg_type", "1",
		"dhcp_hostname", "host-name", "dhcp_prl", "1,3",
		"dhcp_vendor_class", "in-sname"));

	/* overload 1 (file only): sname is not options */
	n = req(b, 1);
	n += opt(b + n, 52, "\x01", 1);
	opt(b + 108, 12, "f", 1);
	opt(b + 44, 60, "s", 1);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_hostname", "f"));

	/* an option in file running past the 128-byte field */
	n = req(b, 1);
	n += opt(b + n, 52, "\x01", 1);
	b[108 + 120] = 12, b[108 + 121] = 40;
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
}

static void hostile_hostnames(void **state)
{
	uint8_t b[900], v[255];
	size_t n = req(b, 1);
	n += opt(b + n, 12, "ab\0cd\0\0", 7); /* inner NUL kept, trailing cut */
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(R.n, 1);
	assert_true(rec_has_n(&R, "dhcp_hostname", "ab\0cd", 5));

	n = req(b, 1);
	n += opt(b + n, 12, "\x1b[31mred\x1b]0;x\x07", 14);
	n += opt(b + n, 60, "<script>alert(1)</script>", 25);
	n += opt(b + n, 81, "\x00\x00\x00\xff\xfe\xc3", 6); /* invalid UTF-8 */
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_true(rec_has_n(&R, "dhcp_hostname", "\x1b[31mred\x1b]0;x\x07", 14));
	assert_sig(&R, "dhcp_vendor_class", "<script>alert(1)</script>");
	assert_true(rec_has_n(&R, "dhcp_fqdn", "\xff\xfe\xc3", 3));

	memset(v, 'h', sizeof(v));
	n = req(b, 1);
	n += opt(b + n, 12, v, 255);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_true(rec_has_n(&R, "dhcp_hostname", v, 255));
	/* two 255-byte instances concatenate; the value is cut at the cap */
	n += opt(b + n, 12, v, 255);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.sig[0].len, VT_SIG_MAX_VALUE);
}

static void client_id_prl_size(void **state)
{
	uint8_t b[900], v[255];
	size_t n = req(b, 1);
	n += opt(b + n, 61, "\x01\x00\x17\x88\xAB\xcd\xef", 7);
	n += opt(b + n, 57, "\x02\x40", 2);
	n += opt(b + n, 57 /* a second, wrong-length size: concatenated */,
		 "\x01", 1);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_client_id", "01001788abcdef"));

	n = req(b, 1);
	n += opt(b + n, 57, "\x05\xdc", 2);
	for (int i = 0; i < 255; i++)
		v[i] = (uint8_t)(200 + i % 50);
	n += opt(b + n, 55, v, 255); /* 255 three-digit codes */
	n += opt(b + n, 61, v, 255);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	size_t i;
	for (i = 0; i < R.n && strcmp(R.sig[i].name, "dhcp_prl"); i++)
		;
	assert_true(i < R.n);
	/* cut at a whole code: 64 codes of 3 digits and 63 commas = 255 */
	assert_int_equal(R.sig[i].len, 255);
	assert_memory_equal(R.sig[i].val, "200,201,202", 11);
	assert_memory_equal(R.sig[i].val + 248, "212,213", 7);
	for (i = 0; i < R.n && strcmp(R.sig[i].name, "dhcp_client_id"); i++)
		;
	assert_int_equal(R.sig[i].len, 254); /* 127 whole bytes of hex */
	assert_sig(&R, "dhcp_max_size", "1500");
}

static void fqdn_forms(void **state)
{
	uint8_t b[400];
	size_t n = req(b, 1);
	/* E flag: canonical wire format */
	n += opt(b + n, 81, "\x05\x00\x00\x03""cam\x04home\x03lan\x00", 17);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_fqdn", "cam.home.lan"));
	n = req(b, 1);
	n += opt(b + n, 81, "\x01\x00\x00plug.example.", 16); /* ASCII */
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_fqdn", "plug.example"));
	n = req(b, 1);
	n += opt(b + n, 81, "\x04\x00\x00\xc0\x0c", 5); /* a pointer: refused */
	n += opt(b + n, 81 - 69, "h", 1);
	assert_int_equal(vt_sig_dhcp(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp_hostname", "h"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_android_discover),
		cmocka_unit_test(real_server_ack),
		cmocka_unit_test(not_dhcp),
		cmocka_unit_test(option_past_end),
		cmocka_unit_test(no_end_and_pads),
		cmocka_unit_test(overload),
		cmocka_unit_test(hostile_hostnames),
		cmocka_unit_test(client_id_prl_size),
		cmocka_unit_test(fqdn_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
