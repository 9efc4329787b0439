/*
 * Fuzz target: the scanner's reply parser (src/probe/syn.c), the bytes
 * that come back from scanned hosts: one IPv4 packet as a raw socket
 * hands it over (TCP SYN-ACK/RST, UDP answers, ICMP port unreachable
 * quoting our datagram), cookies checked against a fixed key.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vantage/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vt_syn *s;
	static const vt_cookie_key k = {1, 2, VT_SPORT_BASE, VT_SPORT_SPAN};
	if (!s && !(s = vt_syn_new_offline(&k)))
		return 0;
	vt_syn_reply *r = malloc(sizeof(*r));
	if (!r)
		return 0;
	vt_syn_parse4(s, data, size, r);
	free(r);
	return 0;
}
