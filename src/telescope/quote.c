/*
 * The IPv4 header an ICMP error quotes (RFC 792: the original datagram's
 * IP header and its first 8 payload bytes), read through the cursor. For
 * telescope backscatter it names the DoS victim: the quoted packet went
 * from a spoofed telescope address to the victim, so the victim is the
 * inner destination. The quote is never classified itself (a quoted SYN
 * is not a Mirai SYN).
 */
#include "vantage/cursor.h"
#include "vantage/error.h"
#include "vantage/telescope.h"

int vt_tel_quote_parse(const uint8_t *p, size_t len, vt_tel_quote *q)
{
	vt_cur c;
	cur_init(&c, p, len);
	cur_skip(&c, 4); /* unused / pointer / next-hop MTU */
	uint8_t vihl = cur_u8(&c);
	if (!cur_ok(&c))
		return VT_ETRUNC;
	size_t hlen = (size_t)(vihl & 15) * 4;
	if (vihl >> 4 != 4 || hlen < 20)
		return VT_EFORMAT;
	cur_skip(&c, 8); /* tos, length, id, fragment, ttl */
	q->proto = cur_u8(&c);
	cur_skip(&c, 2);
	q->src = cur_be32(&c);
	q->dst = cur_be32(&c);
	cur_skip(&c, hlen - 20);
	if (!cur_ok(&c))
		return VT_ETRUNC;
	q->has_ports = 0;
	q->sport = q->dport = 0;
	if ((q->proto == 6 || q->proto == 17) && cur_left(&c) >= 4) {
		q->sport = cur_be16(&c);
		q->dport = cur_be16(&c);
		q->has_ports = 1;
	}
	return VT_OK;
}
