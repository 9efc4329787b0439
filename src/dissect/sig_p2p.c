/*
 * CS2 Network "PPPP" peer-to-peer signals (the relay protocol of many
 * consumer IP cameras): a 4-byte header 0xF1, message type, big-endian
 * payload length; device messages carry the device ID as an up-to-8-byte
 * upper-case prefix (NUL padded), a 32-bit serial and a check code. There
 * is no public specification; the layout is the one documented by
 * independent analyses of the protocol and seen in real captures.
 * Emits p2p_cs2 = "1" and p2p_uid_prefix = the ID's prefix.
 */
#include <string.h>

#include "vantage/cursor.h"
#include "vantage/packet.h"
#include "vantage/signal.h"

#define CS2_PORT 32100
#define CS2_LAN_PORT 32108

/* An ID prefix: 3-7 upper-case letters, then NUL padding to 8 bytes. */
static size_t uid_prefix(vt_cur c)
{
	const uint8_t *p = cur_bytes(&c, 8);
	size_t n = 0;
	if (!p)
		return 0;
	while (n < 8 && p[n] >= 'A' && p[n] <= 'Z')
		n++;
	if (n < 3 || n > 7)
		return 0;
	for (size_t i = n; i < 8; i++)
		if (p[i])
			return 0;
	return n;
}

int vt_sig_p2p(const uint8_t *payload, size_t len, uint16_t sport,
	       uint16_t dport, const vt_sig_sink *s)
{
	vt_cur c;
	cur_init(&c, payload, len);
	if (cur_u8(&c) != 0xf1)
		return VT_DIS_UNSUPPORTED;
	cur_u8(&c); /* message type */
	uint16_t plen = cur_be16(&c);
	if (!cur_ok(&c))
		return VT_DIS_TRUNCATED;
	if (plen != cur_left(&c))
		return VT_DIS_UNSUPPORTED;
	size_t pn = uid_prefix(c);
	int port = sport == CS2_PORT || dport == CS2_PORT ||
		   sport == CS2_LAN_PORT || dport == CS2_LAN_PORT;
	if (!port && !pn)
		return VT_DIS_UNSUPPORTED;
	s->emit(s->user, "p2p_cs2", (const uint8_t *)"1", 1);
	if (pn)
		s->emit(s->user, "p2p_uid_prefix", cur_ptr(&c), pn);
	return VT_DIS_OK;
}
