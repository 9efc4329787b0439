/*
 * Fuzz target: ARP frames as on-path mode receives them from the wire
 * (every frame reaching the interface, spoofers included): the parser,
 * the judge, and the property that a parsed frame builds back to the same
 * 42 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/onpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vt_arp_msg m;
	if (vt_arp_parse(data, size, &m) != VT_OK)
		return 0;
	uint8_t out[VT_ARP_FRAME_LEN];
	if (vt_arp_build(&m, out, sizeof(out)) != VT_ARP_FRAME_LEN ||
	    memcmp(out, data, VT_ARP_FRAME_LEN) != 0)
		abort();
	vt_targets t;
	memset(&t, 0, sizeof(t));
	static const uint8_t self[6] = {2, 0x76, 0x74, 0, 0, 0xfa};
	static const uint8_t gw[6] = {0x98, 0x9b, 0xcb, 1, 2, 1};
	memcpy(t.self.mac, self, 6);
	memcpy(t.gw.mac, gw, 6);
	memcpy(t.gw.ip, (uint8_t[]){192, 168, 77, 1}, 4);
	memcpy(t.v[0].ip, (uint8_t[]){192, 168, 77, 20}, 4);
	t.n = 1;
	char why[VT_ERRBUF_LEN];
	(void)vt_onpath_judge(&t, &m, why);
	return 0;
}
