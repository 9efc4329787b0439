/*
 * The ARP sweep's targets and requests (RFC 826 over Ethernet): one
 * broadcast "who-has" per address of the subnet, from our own MAC and
 * address so that replies come back to us (as arp-scan does).
 */
#include <string.h>

#include "probe/discover_int.h"

static uint32_t be32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

uint64_t vt_arp_sweep_init(vt_arp_sweep *s, const vt_lan4 *lan)
{
	uint32_t mask = lan->prefix ? ~0u << (32 - lan->prefix) : 0;
	uint32_t net = be32(lan->ip) & mask;
	s->self = be32(lan->ip);
	s->next = net;
	s->last = net | ~mask;
	if (lan->prefix <= 30) {
		s->next++;
		s->last--;
	}
	uint64_t n = (uint64_t)s->last - s->next + 1;
	return n - (s->self >= s->next && s->self <= s->last);
}

int vt_arp_sweep_next(vt_arp_sweep *s, uint8_t ip[4])
{
	if (s->next == s->self)
		s->next++;
	if (s->next > s->last)
		return 0;
	uint32_t a = (uint32_t)s->next++;
	ip[0] = (uint8_t)(a >> 24);
	ip[1] = (uint8_t)(a >> 16);
	ip[2] = (uint8_t)(a >> 8);
	ip[3] = (uint8_t)a;
	return 1;
}

void vt_arp_request(uint8_t f[ARP_FRAME_LEN], const uint8_t mac[6],
		    const uint8_t ip[4], const uint8_t target[4])
{
	static const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};
	memset(f, 0, ARP_FRAME_LEN);
	memset(f, 0xff, 6);          /* to broadcast */
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;                /* EtherType ARP */
	f[13] = 0x06;
	memcpy(f + 14, hdr, 8);      /* Ethernet, IPv4, 6, 4, request */
	memcpy(f + 22, mac, 6);      /* sender hardware address */
	memcpy(f + 28, ip, 4);       /* sender protocol address */
	memcpy(f + 38, target, 4);   /* target protocol address; THA zero */
}
