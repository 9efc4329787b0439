/*
 * On-path mode without a network: ARP frames built byte for byte as RFC
 * 826 lays them out, parsed back, refused when short or not IPv4-over-
 * Ethernet ARP; the judge of received ARP (who is a spoofer, when the
 * gateway changed); sysctl file reading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vantage/error.h"
#include "vantage/onpath.h"

static const uint8_t US[6] = {0x02, 0x76, 0x74, 0x00, 0x00, 0xfa};
static const uint8_t GWM[6] = {0x98, 0x9b, 0xcb, 0x01, 0x02, 0x01};
static const uint8_t CAM[6] = {0x44, 0x47, 0xcc, 0x3c, 0x4d, 0x14};
static const uint8_t EVIL[6] = {0xdc, 0xa6, 0x32, 0x11, 0x22, 0x50};

/* "192.168.77.1 is at US", to the camera: the spoofed reply. */
static const uint8_t SPOOF[VT_ARP_FRAME_LEN] = {
	0x44, 0x47, 0xcc, 0x3c, 0x4d, 0x14, /* eth dst: camera */
	0x02, 0x76, 0x74, 0x00, 0x00, 0xfa, /* eth src: us */
	0x08, 0x06,                         /* ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, /* Ethernet, IPv4, 6, 4 */
	0x00, 0x02,                         /* reply */
	0x02, 0x76, 0x74, 0x00, 0x00, 0xfa, 192, 168, 77, 1,
	0x44, 0x47, 0xcc, 0x3c, 0x4d, 0x14, 192, 168, 77, 20,
};

static vt_arp_msg spoof_msg(void)
{
	vt_arp_msg m;
	memset(&m, 0, sizeof(m));
	memcpy(m.eth_dst, CAM, 6);
	memcpy(m.eth_src, US, 6);
	m.op = 2;
	memcpy(m.sha, US, 6);
	memcpy(m.spa, (uint8_t[]){192, 168, 77, 1}, 4);
	memcpy(m.tha, CAM, 6);
	memcpy(m.tpa, (uint8_t[]){192, 168, 77, 20}, 4);
	return m;
}

static void build_exact(void **state)
{
	(void)state;
	uint8_t out[64];
	vt_arp_msg m = spoof_msg();
	assert_int_equal(vt_arp_build(&m, out, sizeof(out)), VT_ARP_FRAME_LEN);
	assert_memory_equal(out, SPOOF, VT_ARP_FRAME_LEN);
	/* too small a buffer: nothing, not a partial frame length */
	assert_int_equal(vt_arp_build(&m, out, VT_ARP_FRAME_LEN - 1), 0);
}

static void parse_back(void **state)
{
	(void)state;
	vt_arp_msg m, want = spoof_msg();
	assert_int_equal(vt_arp_parse(SPOOF, sizeof(SPOOF), &m), VT_OK);
	assert_memory_equal(&m, &want, sizeof(m));
	for (size_t n = 0; n < sizeof(SPOOF); n++) {
		int e = vt_arp_parse(SPOOF, n, &m);
		assert_true(e == VT_ETRUNC);
	}
	uint8_t f[VT_ARP_FRAME_LEN + 18];
	memcpy(f, SPOOF, sizeof(SPOOF));
	memset(f + sizeof(SPOOF), 0, 18); /* Ethernet padding is fine */
	assert_int_equal(vt_arp_parse(f, sizeof(f), &m), VT_OK);
	f[13] = 0x00; /* IPv4, not ARP */
	assert_int_equal(vt_arp_parse(f, sizeof(f), &m), VT_EUNSUP);
	memcpy(f, SPOOF, sizeof(SPOOF));
	f[18] = 8; /* hlen 8 */
	assert_int_equal(vt_arp_parse(f, sizeof(f), &m), VT_EUNSUP);
	memcpy(f, SPOOF, sizeof(SPOOF));
	f[17] = 0xdd; /* ptype IPv6 */
	assert_int_equal(vt_arp_parse(f, sizeof(f), &m), VT_EUNSUP);
}

static vt_targets lab(void)
{
	vt_targets t;
	memset(&t, 0, sizeof(t));
	memcpy(t.self.mac, US, 6);
	memcpy(t.self.ip, (uint8_t[]){192, 168, 77, 250}, 4);
	memcpy(t.gw.mac, GWM, 6);
	memcpy(t.gw.ip, (uint8_t[]){192, 168, 77, 1}, 4);
	memcpy(t.v[0].mac, CAM, 6);
	memcpy(t.v[0].ip, (uint8_t[]){192, 168, 77, 20}, 4);
	t.n = 1;
	return t;
}

static vt_arp_msg claim(const uint8_t eth_src[6], const uint8_t sha[6],
			uint8_t last_octet)
{
	vt_arp_msg m;
	memset(&m, 0, sizeof(m));
	memset(m.eth_dst, 0xff, 6);
	memcpy(m.eth_src, eth_src, 6);
	m.op = 2;
	memcpy(m.sha, sha, 6);
	memcpy(m.spa, (uint8_t[]){192, 168, 77, last_octet}, 4);
	return m;
}

static void judge(void **state)
{
	(void)state;
	vt_targets t = lab();
	char why[VT_ERRBUF_LEN] = "";
	vt_arp_msg m;
	/* the truth, and our own claims, are quiet */
	m = claim(GWM, GWM, 1);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_QUIET);
	m = claim(CAM, CAM, 20);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_QUIET);
	m = claim(US, US, 1);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_QUIET);
	/* another host's own address, any MAC: not ours to judge */
	m = claim(EVIL, EVIL, 80);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_QUIET);
	/* arpspoof: the gateway's address at its own MAC */
	m = claim(EVIL, EVIL, 1);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_GW_CHANGED);
	assert_non_null(strstr(why, "another host is spoofing"));
	assert_non_null(strstr(why, "dc:a6:32:11:22:50"));
	/* a claim for the gateway sent from a third MAC */
	m = claim(CAM, EVIL, 1);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_SPOOFER);
	/* a claim for the victim's address */
	m = claim(EVIL, EVIL, 20);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_SPOOFER);
	assert_non_null(strstr(why, "192.168.77.20"));
	/* a probe with no sender MAC is not a claim */
	static const uint8_t zero[6];
	m = claim(EVIL, zero, 1);
	assert_int_equal(vt_onpath_judge(&t, &m, why), VT_ONPATH_QUIET);
}

static void sysctl_read(void **state)
{
	(void)state;
	char path[] = "/tmp/vt-onpath-XXXXXX", out[16];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1\n", 2), 2);
	close(fd);
	assert_int_equal(vt_sysctl_read(path, out, sizeof(out)), VT_OK);
	assert_string_equal(out, "1");
	unlink(path);
	assert_int_equal(vt_sysctl_read(path, out, sizeof(out)), VT_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_exact),
		cmocka_unit_test(parse_back),
		cmocka_unit_test(judge),
		cmocka_unit_test(sysctl_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
