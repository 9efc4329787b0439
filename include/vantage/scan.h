/*
 * The layer-4 half of `vantage scan`: what to scan (targets, ports, scope
 * lists), in which order (a keyed random permutation of every (address,
 * port) pair, split into shards), how fast (a token bucket) and how replies
 * are recognised (a keyed cookie in the TCP sequence number and source
 * port, as ZMap does). src/probe/syn.c sends and receives; src/probe/grab.c
 * (include/vantage/grab.h) talks to the open ports.
 *
 * Scope fails closed: a target, allow or exclude list with one malformed
 * entry is an error and nothing is scanned; an empty result is an error.
 */
#ifndef VANTAGE_SCAN_H
#define VANTAGE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/error.h"

/* ---- addresses and target sets (targets.c) ---- */

typedef struct vt_addr {
	uint8_t ver;      /* 4 or 6 */
	uint8_t a[16];    /* IPv4 in the first 4 bytes, network order */
} vt_addr;

#define VT_TARGETS_MAX_ITEMS 65536     /* ranges in one list */
#define VT_TARGETS_MAX_ADDRS (1ull << 32) /* addresses after allow/exclude */
#define VT_TARGETS_MAX_V6 (1ull << 20)  /* IPv6 addresses (no /64 sweeps) */

typedef struct vt_targets vt_targets;

vt_targets *vt_targets_new(void);
void vt_targets_free(vt_targets *t);
/*
 * Adds the items of text: separated by commas, blanks or newlines; '#'
 * starts a comment to the end of the line. An item is an address
 * (a.b.c.d, IPv6), a prefix (a.b.c.d/n, x::/n), a range (a.b.c.d-e.f.g.h)
 * or a last-octet range (a.b.c.d-h). where names the source in messages
 * ("targets", a file name); a fault fills errbuf with "where:line: item:
 * reason" and returns VT_EFORMAT (the set is then unchanged).
 */
int vt_targets_add(vt_targets *t, const char *text, const char *where,
		   char *errbuf);
/* Reads a whole file with vt_targets_add; an unreadable file is an
 * error too (VT_EIO). */
int vt_targets_add_file(vt_targets *t, const char *path, char *errbuf);
/* Items added so far (before normalising). */
size_t vt_targets_items(const vt_targets *t);
/*
 * Normalises t to sorted disjoint ranges, keeps only what allow holds
 * (allow NULL: everything) and removes what exclude holds (NULL: nothing).
 * VT_EINVAL with errbuf filled when nothing is left or the set is over the
 * caps above.
 */
int vt_targets_finish(vt_targets *t, const vt_targets *allow,
		      const vt_targets *exclude, char *errbuf);
/* After finish: the number of addresses and address i (0 <= i < count),
 * in ascending order (IPv4 before IPv6). */
uint64_t vt_targets_count(const vt_targets *t);
void vt_targets_get(const vt_targets *t, uint64_t i, vt_addr *out);
/* 1 if the finished set holds a. */
int vt_targets_contains(const vt_targets *t, const vt_addr *a);
/* 1 if every address of the finished set is private, link-local, ULA or
 * loopback (the run's vantage is then "internal"). */
int vt_targets_all_local(const vt_targets *t);

/* Parses one address; 0 on success. */
int vt_addr_parse(const char *s, vt_addr *out);
void vt_addr_format(const vt_addr *a, char *out, size_t cap);

/* ---- ports (ports.c) ---- */

#define VT_PORTS_MAX 131072 /* every TCP and UDP port */

typedef struct vt_port {
	uint8_t proto;   /* 6 TCP, 17 UDP */
	uint16_t port;
} vt_port;

typedef struct vt_ports {
	vt_port *v;      /* owned; sorted by (proto, port), no duplicates */
	size_t n;
} vt_ports;

/*
 * Parses a port list: "22,80,1000-2000", "-" (every TCP port 1-65535),
 * and Nmap's protocol prefixes "T:80,U:53,161" (a prefix holds until the
 * next one). NULL or "" gives the default IoT list (vt_ports_default).
 * VT_EFORMAT with errbuf filled on a bad item, port 0 or over 65535.
 */
int vt_ports_parse(vt_ports *p, const char *spec, char *errbuf);
void vt_ports_cleanup(vt_ports *p);
/* The default list as text ("T:21,22,...,U:53,..."): the one place where
 * it is written down (documented in --help and the man page from it). */
const char *vt_ports_default(void);

/* ---- the scan order (perm.c) ---- */

/*
 * A keyed permutation of [0, n): a balanced Feistel network over the
 * smallest even power of two >= n, cycle-walked (values >= n are permuted
 * again) so that every index comes out exactly once. Sharding takes every
 * shards-th position from shard: shards with the same seed partition the
 * space.
 */
typedef struct vt_perm {
	uint64_t n;          /* domain size */
	unsigned half_bits;  /* Feistel half width */
	uint64_t k0, k1;     /* SipHash key from the seed */
	uint64_t pos;        /* next position (counts every shard's) */
	uint32_t shards, shard;
} vt_perm;

/* VT_EINVAL when n is 0 or over 2^62, shards 0 or shard >= shards. */
int vt_perm_init(vt_perm *p, uint64_t n, uint64_t seed, uint32_t shards,
		 uint32_t shard);
/* The permuted value at position pos (0 <= pos < n). */
uint64_t vt_perm_at(const vt_perm *p, uint64_t pos);
/* The next value of this shard into *out: 1, or 0 at the end. */
int vt_perm_next(vt_perm *p, uint64_t *out);
/* How many values this shard yields in all. */
uint64_t vt_perm_shard_size(const vt_perm *p);

/* ---- cookies (cookie.c) ---- */

uint64_t vt_siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len);

typedef struct vt_cookie_key {
	uint64_t k0, k1;     /* per-run random (or from the seed in tests) */
	uint16_t sport_base; /* source ports are sport_base + [0, sport_span) */
	uint16_t sport_span;
} vt_cookie_key;

#define VT_SPORT_BASE 40000
#define VT_SPORT_SPAN 20000

/* Fills k with random keys (getrandom); VT_EIO if none are available. */
int vt_cookie_key_random(vt_cookie_key *k);

typedef struct vt_cookie {
	uint32_t seq;    /* TCP sequence number to send */
	uint16_t sport;  /* source port to send from */
} vt_cookie;

/* The cookie for a probe from src to (dst, proto, dport). */
vt_cookie vt_cookie_make(const vt_cookie_key *k, const vt_addr *src,
			 const vt_addr *dst, uint8_t proto, uint16_t dport);

/* ---- rate (rate.c) ---- */

typedef struct vt_rate {
	double rate;      /* packets per second */
	double tokens;    /* available now */
	double burst;     /* bucket size */
	uint64_t last_ns; /* CLOCK_MONOTONIC of the last refill */
} vt_rate;

void vt_rate_init(vt_rate *r, double pps, uint64_t now_ns);
/* Takes one token: 0 when one was there, else nanoseconds to wait. */
uint64_t vt_rate_take(vt_rate *r, uint64_t now_ns);
uint64_t vt_now_ns(void);

/* ---- UDP payloads (udp_payloads.c) ---- */

/* The payload sent to a UDP port on a given attempt (SSDP M-SEARCH, mDNS,
 * SNMP v1 then v2c get, CoAP, NTP, DNS, ...; ports with several payloads
 * take them in turn), or NULL with *len 0 for an empty datagram. The
 * bytes are static. name (optional) gets the service's name as Nmap
 * spells it (domain, ntp, snmp, upnp, mdns, coap, ...). */
const uint8_t *vt_udp_payload(uint16_t port, unsigned attempt, size_t *len,
			      const char **name);
/* The Nmap probe that asks what our payload for port asks (its matches
 * then apply to the reply), or NULL when Nmap has none (SSDP, NAT-PMP). */
const char *vt_udp_nmap_probe(uint16_t port);

/* ---- sending and receiving (syn.c) ---- */

/*
 * Raw sockets: IPv4 with IP_HDRINCL (we write the IP header; the kernel
 * routes, so it ARPs for on-link targets and sends routed ones to the
 * gateway) and IPv6 (the kernel writes the header and the checksum).
 * Opening needs CAP_NET_RAW; the sockets stay usable after the process
 * drops its privileges. Each probe's source address is the one the
 * kernel's routing picks for the target (a connect()ed UDP socket, which
 * sends nothing), bound to iface when given.
 */
typedef struct vt_syn vt_syn;

/* NULL with errbuf filled (e.g. "raw socket: Operation not permitted"). */
vt_syn *vt_syn_open(const char *iface, const vt_cookie_key *key,
		    char *errbuf);
void vt_syn_close(vt_syn *s);
/* A descriptor that polls readable when a reply may be waiting. */
int vt_syn_fd(const vt_syn *s);
/* Sends one probe (TCP SYN, or the port's UDP payload for this attempt).
 * VT_OK, VT_ENOTFOUND (no route to dst), VT_EFULL (the socket's buffer is
 * full, e.g. probes waiting for ARP: wait and send again; not counted),
 * VT_EIO (send failed, counted). */
int vt_syn_send(vt_syn *s, const vt_addr *dst, uint8_t proto, uint16_t port,
		unsigned attempt);
/* Counts a probe given up on (VT_EFULL for too long). */
void vt_syn_count_error(vt_syn *s);

enum { VT_PORT_OPEN = 1, VT_PORT_CLOSED = 2 };

#define VT_SYN_MAX_PAYLOAD 1472 /* UDP reply bytes kept */

typedef struct vt_syn_reply {
	vt_addr addr;
	uint8_t proto;
	uint16_t port;
	int state;               /* VT_PORT_OPEN / VT_PORT_CLOSED */
	uint8_t ttl;             /* IPv4 only, 0 otherwise */
	size_t len;              /* UDP payload bytes in data */
	uint8_t data[VT_SYN_MAX_PAYLOAD];
} vt_syn_reply;

typedef struct vt_syn_stats {
	uint64_t sent, send_errors, no_route;
	uint64_t received;       /* packets read from the raw sockets */
	uint64_t valid;          /* replies whose cookie checked */
	uint64_t invalid;        /* other traffic, or forged/stale cookies */
} vt_syn_stats;

/* Reads pending packets without blocking until one is a validated reply
 * to one of our probes: 1 with *r filled, 0 when none is waiting. */
int vt_syn_recv(vt_syn *s, vt_syn_reply *r);
const vt_syn_stats *vt_syn_stats_get(const vt_syn *s);

/* For tests and fuzzing: a vt_syn without sockets, and the parser of one
 * received IPv4 packet (IP header first) as vt_syn_recv applies it: 1
 * when it is a validated reply (r filled), else 0. */
vt_syn *vt_syn_new_offline(const vt_cookie_key *key);
int vt_syn_parse4(vt_syn *s, const uint8_t *p, size_t n, vt_syn_reply *r);

/* ---- the replies of a run (results.c) ---- */

#define VT_RESULTS_MAX (1u << 20) /* distinct (address, proto, port) kept */

typedef struct vt_result {
	vt_addr addr;
	uint8_t proto;
	uint16_t port;
	int state;          /* VT_PORT_OPEN / VT_PORT_CLOSED */
	uint8_t ttl;
	uint8_t *data;      /* first UDP reply payload (owned), or NULL */
	size_t len;
	uint64_t seen_us;   /* wall clock of the first reply */
} vt_result;

typedef struct vt_results vt_results;

vt_results *vt_results_new(void);
void vt_results_free(vt_results *r);
/* Records a reply: 1 when (addr, proto, port) is new, 0 for a duplicate,
 * VT_EFULL over VT_RESULTS_MAX (counted), VT_ENOMEM. */
int vt_results_add(vt_results *r, const vt_syn_reply *x, uint64_t now_us);
/* The entry for (a, proto, port), or NULL. */
vt_result *vt_results_find(vt_results *r, const vt_addr *a, uint8_t proto,
			   uint16_t port);
size_t vt_results_count(const vt_results *r);
uint64_t vt_results_dropped(const vt_results *r);
/* Entry i; the array is sorted by address, proto, port after
 * vt_results_sort (which invalidates nothing but the order). */
vt_result *vt_results_at(vt_results *r, size_t i);
void vt_results_sort(vt_results *r);
/* Number of entries in a state. */
size_t vt_results_in_state(const vt_results *r, int state);

#endif
