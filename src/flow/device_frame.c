/*
 * Per-frame work of the device table: L2 counters (frames whose source or
 * destination MAC is the device, bytes = the frame's wire length), IP
 * bindings learned from ARP, DHCP ACKs, NDP and local source addresses,
 * and the gateway votes.
 */
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/error.h"

static int bind_eq(const void *ctx, uint32_t i, const void *key)
{
	const vt_bind *b = &((const vt_devtab *)ctx)->binds[i];
	const uint8_t *k = key;
	return b->ver == k[0] && !memcmp(b->ip, k + 1, 16);
}

static void bind_key(uint8_t k[17], uint8_t ver, const uint8_t *ip)
{
	memset(k, 0, 17);
	k[0] = ver;
	memcpy(k + 1, ip, ver == 4 ? 4 : 16);
}

int64_t vt_devtab_bound(const vt_devtab *t, uint8_t ver, const uint8_t *ip)
{
	uint8_t k[17];
	bind_key(k, ver, ip);
	uint32_t h = vt_hash_bytes(k, sizeof(k), 0xb1);
	int64_t i = vt_hidx_find(&t->bidx, h, bind_eq, t, k);
	return i < 0 ? -1 : (int64_t)t->binds[i].dev;
}

static unsigned memo_slot(uint8_t ver, const uint8_t *ip)
{
	const uint8_t *t = ip + (ver == 4 ? 0 : 12); /* the last 4 bytes */
	uint32_t v = (uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 |
		     (uint32_t)t[2] << 8 | t[3];
	return (v * 0x9e3779b1u) >> 24;
}

/* vt_devtab_bound() >= 0, remembered per address. */
static int bound_memo(vt_devtab *t, uint8_t ver, const uint8_t *ip)
{
	size_t alen = ver == 4 ? 4 : 16;
	struct bound_memo *m = &t->memo[memo_slot(ver, ip)];
	if (m->ver == ver && !memcmp(m->ip, ip, alen))
		return m->bound;
	m->ver = ver;
	memcpy(m->ip, ip, alen);
	m->bound = vt_devtab_bound(t, ver, ip) >= 0;
	return m->bound;
}

static void map_ip(vt_devtab *t, uint32_t dev, uint8_t ver, const uint8_t *ip)
{
	uint8_t k[17];
	bind_key(k, ver, ip);
	uint32_t h = vt_hash_bytes(k, sizeof(k), 0xb1);
	int64_t i = vt_hidx_find(&t->bidx, h, bind_eq, t, k);
	if (i >= 0) {
		t->binds[i].dev = dev; /* the address moved */
		return;
	}
	if (vt_devtab_reserve((void **)&t->binds, &t->cap_binds, t->n_binds,
			      sizeof(*t->binds)) ||
	    vt_hidx_insert(&t->bidx, h, (uint32_t)t->n_binds) != VT_OK) {
		t->st.binding_drops++;
		return;
	}
	vt_bind *b = &t->binds[t->n_binds++];
	if (!vt_ip_is_local_range(ver, ip))
		t->n_public_binds++;
	t->memo[memo_slot(ver, ip)].ver = 0;
	b->ver = ver;
	memcpy(b->ip, k + 1, 16);
	b->dev = dev;
}

void vt_devtab_bind(vt_devtab *t, uint32_t i, uint8_t ver, const uint8_t *ip,
		    uint32_t source, uint64_t ts_us)
{
	vt_dev *d = &t->devs[i];
	size_t alen = ver == 4 ? 4 : 16;
	vt_ipbind *b = NULL;
	if (d->last_bind < d->r.n_ips) {
		b = &d->r.ips[d->last_bind];
		if (b->ver != ver || memcmp(b->addr, ip, alen))
			b = NULL;
	}
	for (size_t j = 0; !b && j < d->r.n_ips; j++)
		if (d->r.ips[j].ver == ver && !memcmp(d->r.ips[j].addr, ip, alen))
			b = &d->r.ips[j];
	if (!b) {
		if (d->r.n_ips >= VT_DEV_MAX_IPS ||
		    vt_devtab_reserve((void **)&d->r.ips, &d->ips_cap,
				      d->r.n_ips, sizeof(*d->r.ips))) {
			t->st.binding_drops++;
			return;
		}
		b = &d->r.ips[d->r.n_ips++];
		memset(b, 0, sizeof(*b));
		b->ver = ver;
		memcpy(b->addr, ip, alen);
		b->first_us = ts_us;
		map_ip(t, i, ver, ip);
	}
	d->last_bind = (uint32_t)(b - d->r.ips);
	if (!(b->sources & source) && source != VT_BIND_TRAFFIC)
		map_ip(t, i, ver, ip); /* an authoritative source moves it */
	b->sources |= source;
	if (ts_us > b->last_us)
		b->last_us = ts_us;
}

/* In a built-in local range or a --local-net prefix. */
static int configured_local(const vt_devtab *t, uint8_t ver, const uint8_t *ip)
{
	if (vt_ip_is_local_range(ver, ip))
		return 1;
	for (size_t i = 0; i < t->n_nets; i++)
		if (vt_cidr_contains(&t->nets[i], ver, ip))
			return 1;
	return 0;
}

int vt_devtab_ip_local(vt_devtab *t, uint8_t ver, const uint8_t *ip)
{
	if (configured_local(t, ver, ip))
		return 1;
	/* Only ARP/NDP/DHCP bind addresses outside the local ranges. */
	return t->n_public_binds && bound_memo(t, ver, ip);
}

static int64_t mac_dev(vt_devtab *t, const uint8_t *mac, uint64_t ts_us)
{
	uint8_t key[DEVKEY_LEN];
	if (!vt_mac_is_unicast(mac) || vt_mac_is_zero(mac))
		return -1;
	for (int c = 0; c < 4; c++)
		if (t->cache_dev[c] != UINT32_MAX && !memcmp(t->cache_mac[c], mac, 6))
			return t->cache_dev[c];
	vt_devtab_mac_key(key, mac);
	int64_t i = vt_devtab_get(t, key, ts_us);
	if (i >= 0) {
		unsigned c = t->cache_next++ & 3;
		memcpy(t->cache_mac[c], mac, 6);
		t->cache_dev[c] = (uint32_t)i;
	}
	return i;
}

int64_t vt_devtab_mac(vt_devtab *t, const uint8_t mac[6], uint64_t ts_us)
{
	return mac_dev(t, mac, ts_us);
}

static int64_t ip_dev(vt_devtab *t, uint8_t ver, const uint8_t *ip,
		      uint64_t ts_us)
{
	uint8_t key[DEVKEY_LEN];
	if (vt_ip_is_multicast(ver, ip) || !vt_devtab_ip_local(t, ver, ip))
		return -1;
	vt_devtab_ip_key(key, ver, ip);
	return vt_devtab_get(t, key, ts_us);
}

static void touch(vt_dev *d, uint64_t ts_us)
{
	if (!d->r.first_us || ts_us < d->r.first_us)
		d->r.first_us = ts_us;
	if (ts_us > d->r.last_us)
		d->r.last_us = ts_us;
}

/* A source address a host may claim as its own. */
static int bindable(uint8_t ver, const uint8_t *ip)
{
	static const uint8_t zero[16];
	if (vt_ip_is_multicast(ver, ip) || !memcmp(ip, zero, ver == 4 ? 4 : 16))
		return 0;
	return !(ver == 4 && ip[0] == 255 && ip[1] == 255 && ip[2] == 255 &&
		 ip[3] == 255);
}

static void learn(vt_devtab *t, const vt_pkt *p, int64_t src, int64_t dst)
{
	uint64_t ts = p->ts_us;
	if ((p->has & VT_HAS_ARP) && bindable(4, p->arp_spa)) {
		int64_t i = mac_dev(t, p->arp_sha, ts);
		if (i >= 0)
			vt_devtab_bind(t, (uint32_t)i, 4, p->arp_spa, VT_BIND_ARP, ts);
	}
	if ((p->has & VT_HAS_DHCP) && p->dhcp_op == 2 && p->dhcp_msgtype == 5 &&
	    bindable(4, p->dhcp_yiaddr)) {
		int64_t i = mac_dev(t, p->dhcp_chaddr, ts);
		if (i >= 0)
			vt_devtab_bind(t, (uint32_t)i, 4, p->dhcp_yiaddr,
				       VT_BIND_DHCP, ts);
	}
	if ((p->has & VT_HAS_NDP_LL) && bindable(6, p->ndp_addr)) {
		int64_t i = mac_dev(t, p->ndp_ll, ts);
		if (i >= 0)
			vt_devtab_bind(t, (uint32_t)i, 6, p->ndp_addr, VT_BIND_NDP, ts);
	}
	if (src >= 0 && (p->has & VT_HAS_IP) && bindable(p->ipver, p->ip_src) &&
	    configured_local(t, p->ipver, p->ip_src))
		vt_devtab_bind(t, (uint32_t)src, p->ipver, p->ip_src,
			       VT_BIND_TRAFFIC, ts);
	/* A unicast frame to a local unicast address names its owner too. */
	if (dst >= 0 && (p->has & VT_HAS_IP) && bindable(p->ipver, p->ip_dst) &&
	    configured_local(t, p->ipver, p->ip_dst))
		vt_devtab_bind(t, (uint32_t)dst, p->ipver, p->ip_dst,
			       VT_BIND_TRAFFIC, ts);
}

/*
 * A gateway carries many external addresses; a host with a global address
 * of its own carries one (or a few). So a MAC gets a vote only when the
 * external address it carries differs from the last one it carried.
 */
static void vote_one(vt_dev *d, uint8_t ver, const uint8_t *ip)
{
	uint32_t h = vt_hash_bytes(ip, ver == 4 ? 4 : 16, ver);
	if (h != d->last_ext) {
		d->ext_votes++;
		d->last_ext = h;
	}
}

static void vote(vt_devtab *t, const vt_pkt *p, int64_t src, int64_t dst)
{
	if (src >= 0 && !vt_devtab_ip_local(t, p->ipver, p->ip_src))
		vote_one(&t->devs[src], p->ipver, p->ip_src);
	if (dst >= 0 && !vt_devtab_ip_local(t, p->ipver, p->ip_dst))
		vote_one(&t->devs[dst], p->ipver, p->ip_dst);
}

void vt_devtab_frame(vt_devtab *t, const vt_pkt *p, int64_t dev[2])
{
	int64_t src = -1, dst = -1;
	int has_ip = (p->has & VT_HAS_IP) != 0;
	if (p->has & VT_HAS_MAC_SRC)
		src = mac_dev(t, p->mac_src, p->ts_us);
	else if (has_ip)
		src = ip_dev(t, p->ipver, p->ip_src, p->ts_us);
	if (p->has & VT_HAS_MAC_DST)
		dst = mac_dev(t, p->mac_dst, p->ts_us);
	else if (has_ip && !(p->has & VT_HAS_MAC_SRC))
		dst = ip_dev(t, p->ipver, p->ip_dst, p->ts_us);
	if (src >= 0) {
		vt_dev *d = &t->devs[src];
		d->r.packets_sent++;
		d->r.bytes_sent += p->wirelen;
		touch(d, p->ts_us);
	}
	if (dst >= 0) {
		vt_dev *d = &t->devs[dst];
		d->r.packets_recv++;
		d->r.bytes_recv += p->wirelen;
	}
	if (((p->has & VT_HAS_MAC_SRC) && src < 0 &&
	     vt_mac_is_unicast(p->mac_src) && !vt_mac_is_zero(p->mac_src)) ||
	    ((p->has & VT_HAS_MAC_DST) && dst < 0 &&
	     vt_mac_is_unicast(p->mac_dst) && !vt_mac_is_zero(p->mac_dst)))
		t->st.device_drops++;
	learn(t, p, (p->has & VT_HAS_MAC_SRC) ? src : -1,
	      (p->has & VT_HAS_MAC_DST) ? dst : -1);
	if (has_ip && (p->has & VT_HAS_MAC_SRC))
		vote(t, p, src, dst);
	if (dev) {
		dev[0] = src;
		dev[1] = dst;
	}
}
