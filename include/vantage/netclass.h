/*
 * Address classes: which addresses are "local" (the LAN side of a home
 * network) and CIDR prefixes for --local-net and scope lists.
 */
#ifndef VANTAGE_NETCLASS_H
#define VANTAGE_NETCLASS_H

#include <stddef.h>
#include <stdint.h>

typedef struct vt_cidr {
	uint8_t ver;      /* 4 or 6 */
	uint8_t bits;     /* prefix length */
	uint8_t addr[16]; /* network address, host bits zeroed */
} vt_cidr;

/* Parses "a.b.c.d/n", "x::/n" or a bare address (a host prefix). */
int vt_cidr_parse(const char *s, vt_cidr *out);
int vt_cidr_contains(const vt_cidr *c, uint8_t ver, const uint8_t *addr);
/* Number of addresses in an IPv4 prefix (2^(32-bits)); 0 for IPv6. */
uint64_t vt_cidr_size4(const vt_cidr *c);

/*
 * RFC 1918, link-local (169.254/16, fe80::/10), ULA (fc00::/7), multicast,
 * broadcast, loopback and the unspecified address.
 */
int vt_ip_is_local_range(uint8_t ver, const uint8_t *addr);
int vt_ip_is_multicast(uint8_t ver, const uint8_t *addr);

static inline int vt_mac_is_unicast(const uint8_t *m) { return !(m[0] & 1); }
static inline int vt_mac_is_local_admin(const uint8_t *m) { return (m[0] & 2) != 0; }
static inline int vt_mac_is_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

#endif
