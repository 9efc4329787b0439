/*
 * Who is who before any spoofing: the gateway and the named devices are
 * resolved to (IPv4, MAC) by asking ARP on the interface, so the true MACs
 * come from the hosts themselves, not from a cache another spoofer may
 * have poisoned. A device named by MAC (or --all) needs an ARP sweep of
 * the subnet, paced at about 100 requests/s and capped in size.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vantage/devrec.h"
#include "vantage/error.h"
#include "vantage/onpath.h"

#define SWEEP_GAP_MS 10  /* ~100 requests/s */
#define LISTEN_MS 1000   /* after the last request */
#define ROUNDS 2         /* each address is asked twice */

typedef struct seen {
	vt_host h[VT_ONPATH_MAX_SWEEP];
	size_t n;
} seen;

static uint32_t ip_u32(const uint8_t ip[4])
{
	return (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
	       (uint32_t)ip[2] << 8 | ip[3];
}

static void u32_ip(uint32_t v, uint8_t ip[4])
{
	ip[0] = (uint8_t)(v >> 24), ip[1] = (uint8_t)(v >> 16);
	ip[2] = (uint8_t)(v >> 8), ip[3] = (uint8_t)v;
}

static const vt_host *find_ip(const seen *s, const uint8_t ip[4])
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->h[i].ip, ip, 4))
			return &s->h[i];
	return NULL;
}

static const vt_host *find_mac(const seen *s, const uint8_t mac[6])
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->h[i].mac, mac, 6))
			return &s->h[i];
	return NULL;
}

/* Takes every waiting ARP reply addressed to us into s. */
static void collect(int fd, const vt_netif *nif, seen *s)
{
	vt_arp_msg m;
	int out, r;
	while ((r = vt_arp_recv(fd, &m, &out)) != 0) {
		if (r < 0)
			return;
		if (out || m.op != 2 || memcmp(m.tpa, nif->self.ip, 4) ||
		    find_ip(s, m.spa) || s->n >= VT_ONPATH_MAX_SWEEP)
			continue;
		memcpy(s->h[s->n].ip, m.spa, 4);
		memcpy(s->h[s->n].mac, m.sha, 6);
		s->n++;
	}
}

static void wait_collect(int fd, const vt_netif *nif, seen *s, int ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		long el = (t.tv_sec - t0.tv_sec) * 1000 +
			  (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= ms)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, (int)(ms - el));
		collect(fd, nif, s);
	}
}

static void ask(int fd, const vt_netif *nif, const uint8_t ip[4])
{
	vt_arp_msg m;
	memset(&m, 0, sizeof(m));
	memset(m.eth_dst, 0xff, 6);
	memcpy(m.eth_src, nif->self.mac, 6);
	m.op = 1;
	memcpy(m.sha, nif->self.mac, 6);
	memcpy(m.spa, nif->self.ip, 4);
	memcpy(m.tpa, ip, 4);
	vt_arp_send(fd, nif->ifindex, &m);
}

/* The addresses to ask: the gateway, named IPs, or the whole subnet. */
static int ask_all(int fd, const vt_netif *nif, const uint8_t (*ips)[4],
		   size_t n_ips, int sweep, seen *s, char *errbuf)
{
	uint32_t mask = ip_u32(nif->mask), net = ip_u32(nif->self.ip) & mask;
	uint64_t hosts = (uint64_t)(~mask) + 1;
	if (sweep && (hosts < 4 || hosts - 2 > VT_ONPATH_MAX_SWEEP)) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: subnet of %llu addresses: a device named by MAC "
			 "or --all needs a subnet of 4 to %d addresses",
			 nif->name, (unsigned long long)hosts,
			 VT_ONPATH_MAX_SWEEP + 2);
		return VT_EINVAL;
	}
	for (int round = 0; round < ROUNDS; round++) {
		ask(fd, nif, nif->gw);
		for (size_t i = 0; i < n_ips; i++)
			if (!find_ip(s, ips[i]))
				ask(fd, nif, ips[i]);
		for (uint32_t h = 1; sweep && h + 1 < hosts; h++) {
			uint8_t ip[4];
			u32_ip(net | h, ip);
			if (memcmp(ip, nif->self.ip, 4) && !find_ip(s, ip)) {
				ask(fd, nif, ip);
				wait_collect(fd, nif, s, SWEEP_GAP_MS);
			}
		}
		wait_collect(fd, nif, s, LISTEN_MS / ROUNDS);
	}
	return VT_OK;
}

static int add_victim(vt_targets *t, const vt_host *h, const char *name,
		      char *errbuf)
{
	char ip[16];
	inet_ntop(AF_INET, h->ip, ip, sizeof(ip));
	if (!memcmp(h->ip, t->gw.ip, 4) || !memcmp(h->mac, t->gw.mac, 6)) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s is the gateway (%s): it is never a victim", name,
			 ip);
		return VT_EINVAL;
	}
	if (!memcmp(h->ip, t->self.ip, 4) || !memcmp(h->mac, t->self.mac, 6)) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s is this host: it is never a victim", name);
		return VT_EINVAL;
	}
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(t->v[i].ip, h->ip, 4))
			return VT_OK;
	if (t->n >= VT_ONPATH_MAX_VICTIMS) {
		snprintf(errbuf, VT_ERRBUF_LEN, "more than %d devices",
			 VT_ONPATH_MAX_VICTIMS);
		return VT_EFULL;
	}
	t->v[t->n++] = *h;
	return VT_OK;
}

/* Parses the names; fails before anything is sent. */
static int parse_names(const vt_netif *nif, const char *const *devices,
		       size_t n, uint8_t (*ips)[4], size_t *n_ips, int *sweep,
		       char *errbuf)
{
	uint32_t mask = ip_u32(nif->mask);
	size_t i;
	for (i = 0; i < n; i++) {
		uint8_t mac[6], ip[4];
		if (vt_mac_parse(devices[i], mac) == VT_OK) {
			if (!memcmp(mac, nif->self.mac, 6))
				goto self;
			*sweep = 1;
		} else if (inet_pton(AF_INET, devices[i], ip) == 1) {
			if ((ip_u32(ip) & mask) != (ip_u32(nif->self.ip) & mask)) {
				snprintf(errbuf, VT_ERRBUF_LEN,
					 "--device %s is not on %s's subnet",
					 devices[i], nif->name);
				return VT_EINVAL;
			}
			if (!memcmp(ip, nif->self.ip, 4))
				goto self;
			if (!memcmp(ip, nif->gw, 4)) {
				snprintf(errbuf, VT_ERRBUF_LEN,
					 "--device %s is the gateway: it is "
					 "never a victim", devices[i]);
				return VT_EINVAL;
			}
			memcpy(ips[(*n_ips)++], ip, 4);
		} else {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "--device '%s' is neither an IPv4 address nor "
				 "a MAC", devices[i]);
			return VT_EINVAL;
		}
	}
	return VT_OK;
self:
	snprintf(errbuf, VT_ERRBUF_LEN,
		 "--device %s is this host: it is never a victim", devices[i]);
	return VT_EINVAL;
}

static int pick(const vt_netif *nif, const seen *s, const char *const *devices,
		size_t n, int all, vt_targets *t, char *errbuf)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t mac[6], ip[4];
		const vt_host *h;
		if (vt_mac_parse(devices[i], mac) == VT_OK) {
			h = find_mac(s, mac);
		} else {
			inet_pton(AF_INET, devices[i], ip);
			h = find_ip(s, ip);
		}
		if (!h) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "--device %s did not answer ARP on %s",
				 devices[i], nif->name);
			return VT_ENOTFOUND;
		}
		int e = add_victim(t, h, devices[i], errbuf);
		if (e)
			return e;
	}
	for (size_t i = 0; all && i < s->n; i++) {
		const vt_host *h = &s->h[i];
		if (memcmp(h->ip, t->gw.ip, 4) && memcmp(h->mac, t->gw.mac, 6) &&
		    memcmp(h->mac, t->self.mac, 6)) {
			int e = add_victim(t, h, "a host", errbuf);
			if (e)
				return e;
		}
	}
	if (!t->n) {
		snprintf(errbuf, VT_ERRBUF_LEN, "no device to inspect on %s",
			 nif->name);
		return VT_ENOTFOUND;
	}
	return VT_OK;
}

int vt_targets_resolve(int arp_fd, const vt_netif *nif,
		       const char *const *devices, size_t n_devices, int all,
		       vt_targets *t, char *errbuf)
{
	static seen s; /* 10 KiB: one resolution at a time */
	uint8_t ips[VT_ONPATH_MAX_VICTIMS][4];
	size_t n_ips = 0;
	int sweep = all;
	memset(t, 0, sizeof(*t));
	memset(&s, 0, sizeof(s));
	t->self = nif->self;
	if (!nif->has_gw) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: no default route through it, so no gateway",
			 nif->name);
		return VT_ENOTFOUND;
	}
	if (n_devices > VT_ONPATH_MAX_VICTIMS) {
		snprintf(errbuf, VT_ERRBUF_LEN, "more than %d devices",
			 VT_ONPATH_MAX_VICTIMS);
		return VT_EFULL;
	}
	int e = parse_names(nif, devices, n_devices, ips, &n_ips, &sweep,
			    errbuf);
	if (!e)
		e = ask_all(arp_fd, nif, (const uint8_t(*)[4])ips, n_ips,
			    sweep, &s, errbuf);
	if (e)
		return e;
	const vt_host *g = find_ip(&s, nif->gw);
	if (!g) {
		char ip[16];
		inet_ntop(AF_INET, nif->gw, ip, sizeof(ip));
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "the gateway %s did not answer ARP on %s", ip,
			 nif->name);
		return VT_ENOTFOUND;
	}
	t->gw = *g;
	return pick(nif, &s, devices, n_devices, all, t, errbuf);
}

int vt_targets_recheck_gw(int arp_fd, const vt_netif *nif, vt_targets *t)
{
	uint8_t macs[4][6];
	int n_macs = 0, known = 0;
	struct timespec t0, now;
	ask(arp_fd, nif, t->gw.ip);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int asked = 1;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long el = (now.tv_sec - t0.tv_sec) * 1000 +
			  (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= LISTEN_MS)
			break;
		if (el >= LISTEN_MS / 2 && asked < 2) {
			ask(arp_fd, nif, t->gw.ip);
			asked++;
		}
		struct pollfd p = {.fd = arp_fd, .events = POLLIN};
		poll(&p, 1, 50);
		vt_arp_msg m;
		int out, r;
		while ((r = vt_arp_recv(arp_fd, &m, &out)) > 0) {
			if (out || m.op != 2 || memcmp(m.spa, t->gw.ip, 4) ||
			    memcmp(m.tpa, nif->self.ip, 4))
				continue;
			if (!memcmp(m.sha, t->gw.mac, 6)) {
				known = 1;
				continue;
			}
			int dup = 0;
			for (int i = 0; i < n_macs; i++)
				dup |= !memcmp(macs[i], m.sha, 6);
			if (!dup && n_macs < 4)
				memcpy(macs[n_macs++], m.sha, 6);
		}
	}
	if (known)
		return 0;
	if (n_macs != 1)
		return -1;
	memcpy(t->gw.mac, macs[0], 6);
	return 1;
}
