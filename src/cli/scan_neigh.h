/*
 * `vantage scan`: the kernel's neighbour tables (IPv4 from /proc/net/arp,
 * IPv6 from an rtnetlink dump), read after the SYN stage so that a host on
 * the scanner's link is keyed by its MAC whichever address family was
 * scanned.
 */
#ifndef VT_CLI_SCAN_NEIGH_H
#define VT_CLI_SCAN_NEIGH_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/scan.h"

typedef struct vt_neigh {
	uint8_t ver;    /* 4 or 6 */
	uint8_t ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t mac[6];
} vt_neigh;

/* Complete entries of both tables, at most cap (IPv4 first); the count. */
size_t vt_neigh_read(vt_neigh *out, size_t cap);
/* The MAC of address a in t[0..n), or NULL. */
const uint8_t *vt_neigh_mac(const vt_neigh *t, size_t n, const vt_addr *a);

#endif
