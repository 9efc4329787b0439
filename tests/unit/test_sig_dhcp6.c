/*
 * Unit tests: DHCPv6 signals (src/dissect/sig_dhcp6.c): vendor class and
 * client FQDN of client messages, server and relay messages, options
 * overflowing the message. Hand-built (the public captures at hand carry
 * neither option).
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

static size_t msg(uint8_t *b, uint8_t type)
{
	b[0] = type, b[1] = 0x12, b[2] = 0x34, b[3] = 0x56;
	/* client identifier, DUID-LL */
	memcpy(b + 4, "\x00\x01\x00\x0a\x00\x03\x00\x01\x00\x17\x88\x01\x02\x03",
	       14);
	return 18;
}

static size_t opt(uint8_t *b, uint16_t code, const void *v, uint16_t len)
{
	b[0] = (uint8_t)(code >> 8), b[1] = (uint8_t)code;
	b[2] = (uint8_t)(len >> 8), b[3] = (uint8_t)len;
	memcpy(b + 4, v, len);
	return 4u + len;
}

/* A Windows-like SOLICIT: vendor class 311 "MSFT 5.0", FQDN. */
static void solicit(void **state)
{
	uint8_t b[300];
	size_t n = msg(b, 1);
	n += opt(b + n, 39, "\x00\x09" "DESKTOP-1\x04home\x00", 16);
	n += opt(b + n, 16, "\x00\x00\x01\x37\x00\x08MSFT 5.0", 14);
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp6_fqdn", "DESKTOP-1.home",
				   "dhcp6_vendor_class", "311:MSFT 5.0"));
}

static void vendor_items(void **state)
{
	uint8_t b[300];
	size_t n = msg(b, 11); /* INFORMATION-REQUEST */
	n += opt(b + n, 16, "\x00\x00\x0d\xe9\x00\x01" "a\x00\x02" "bc", 11);
	n += opt(b + n, 16, "\x00\x00\x00\x09", 4); /* no data items */
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp6_vendor_class", "3561:a",
				   "dhcp6_vendor_class", "3561:bc",
				   "dhcp6_vendor_class", "9:"));
	/* an item running past its option */
	n = msg(b, 1);
	n += opt(b + n, 16, "\x00\x00\x00\x09\x00\x09" "abc", 9);
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
}

static void partial_fqdn(void **state)
{
	uint8_t b[300];
	size_t n = msg(b, 3);
	n += opt(b + n, 39, "\x01\x04" "plug", 6); /* no root label */
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_OK);
	assert_sigs_exact(&R, SIGS("dhcp6_fqdn", "plug"));
	n = msg(b, 3);
	n += opt(b + n, 39, "\x01\x09" "plug", 6); /* label past the option */
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
	n = msg(b, 3);
	n += opt(b + n, 39, "\x01\xc0\x0c", 3); /* no compression here */
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
	assert_int_equal(R.n, 0);
}

static void other_senders(void **state)
{
	uint8_t b[300];
	size_t n = msg(b, 2); /* ADVERTISE from a server */
	n += opt(b + n, 16, "\x00\x00\x01\x37\x00\x01x", 7);
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_OK);
	b[0] = 7; /* REPLY */
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_OK);
	b[0] = 12; /* RELAY-FORW: another host's message */
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	b[0] = 0;
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_UNSUPPORTED);
	assert_int_equal(R.n, 0);
	assert_int_equal(vt_sig_dhcp6(b, 3, rec_reset(&R)), VT_DIS_TRUNCATED);
	assert_int_equal(vt_sig_dhcp6(NULL, 0, rec_reset(&R)), VT_DIS_TRUNCATED);
}

static void option_overflow(void **state)
{
	uint8_t b[300];
	size_t n = msg(b, 1);
	n += opt(b + n, 39, "\x00\x01x\x00", 4);
	b[n++] = 0, b[n++] = 16, b[n++] = 0x01, b[n++] = 0x00; /* 256 > left */
	memcpy(b + n, "\x00\x00\x01\x37", 4), n += 4;
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
	assert_sigs_exact(&R, SIGS("dhcp6_fqdn", "x"));
	n = msg(b, 1);
	b[n++] = 0;
	assert_int_equal(vt_sig_dhcp6(b, n, rec_reset(&R)), VT_DIS_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(solicit),
		cmocka_unit_test(vendor_items),
		cmocka_unit_test(partial_fqdn),
		cmocka_unit_test(other_senders),
		cmocka_unit_test(option_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
