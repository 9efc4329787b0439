/*
 * A finished flow's share for the devices on its sides: flows, local and
 * external flows and bytes, services used (the responder's port; role
 * server for the responder, client for the initiator; scope from the peer)
 * and the set of external peers. A side is a local device when its
 * address is local and, with a link layer, its MAC is a unicast MAC (the
 * external side of a flow carries the gateway's MAC, so it never counts).
 */
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/error.h"

int vt_devtab_flow_side_device(const vt_devtab *t, const vt_flow *f, int s,
			       uint8_t mac_out[6])
{
	if (!vt_devtab_ip_local(t, f->ver, f->ip[s]) ||
	    vt_ip_is_multicast(f->ver, f->ip[s]))
		return 0;
	if (!f->mac_ok[s])
		return 0;
	if (!vt_mac_is_unicast(f->mac[s]) || vt_mac_is_zero(f->mac[s]))
		return 0;
	memcpy(mac_out, f->mac[s], 6);
	return 1;
}

/* The device index for side s, or -1. */
static int64_t side_dev(vt_devtab *t, const vt_flow *f, int s)
{
	uint8_t key[DEVKEY_LEN], mac[6];
	if (vt_devtab_flow_side_device(t, f, s, mac)) {
		vt_devtab_mac_key(key, mac);
	} else if (!f->mac_ok[0] && !f->mac_ok[1] &&
		   vt_devtab_ip_local(t, f->ver, f->ip[s]) &&
		   !vt_ip_is_multicast(f->ver, f->ip[s])) {
		vt_devtab_ip_key(key, f->ver, f->ip[s]); /* no link layer */
	} else {
		return -1;
	}
	return vt_devtab_get(t, key, f->first_us);
}

static int svc_eq(const void *ctx, uint32_t i, const void *key)
{
	const vt_svck *a = &((const vt_devtab *)ctx)->svcs[i];
	const vt_svck *b = key;
	return a->dev == b->dev && a->port == b->port && a->proto == b->proto &&
	       a->role == b->role && a->scope == b->scope;
}

static vt_service *service(vt_devtab *t, uint32_t dev, vt_svck *k)
{
	uint32_t h = vt_hash_bytes(k, sizeof(*k) - sizeof(k->svc), 0x5c);
	int64_t i = vt_hidx_find(&t->sidx, h, svc_eq, t, k);
	vt_dev *d = &t->devs[dev];
	if (i >= 0)
		return &d->r.services[t->svcs[i].svc];
	if (d->r.n_services >= VT_DEV_MAX_SERVICES ||
	    vt_devtab_reserve((void **)&d->r.services, &d->svc_cap,
			      d->r.n_services, sizeof(vt_service)) ||
	    vt_devtab_reserve((void **)&t->svcs, &t->cap_svcs, t->n_svcs,
			      sizeof(*t->svcs)) ||
	    vt_hidx_insert(&t->sidx, h, (uint32_t)t->n_svcs) != VT_OK) {
		d->r.services_dropped++;
		t->st.service_drops++;
		return NULL;
	}
	k->svc = (uint32_t)d->r.n_services;
	t->svcs[t->n_svcs++] = *k;
	vt_service *s = &d->r.services[d->r.n_services++];
	memset(s, 0, sizeof(*s));
	s->proto = k->proto;
	s->port = k->port;
	s->role = k->role;
	s->scope = k->scope;
	return s;
}

static int peer_eq(const void *ctx, uint32_t i, const void *key)
{
	return !memcmp(&((const vt_devtab *)ctx)->peers[i], key, sizeof(vt_peer));
}

static void add_peer(vt_devtab *t, uint32_t dev, uint8_t ver, const uint8_t *ip)
{
	vt_peer k;
	memset(&k, 0, sizeof(k));
	k.dev = dev;
	k.ver = ver;
	memcpy(k.ip, ip, ver == 4 ? 4 : 16);
	uint32_t h = vt_hash_bytes(&k, sizeof(k), 0x9e);
	if (vt_hidx_find(&t->pidx, h, peer_eq, t, &k) >= 0)
		return;
	if (vt_devtab_reserve((void **)&t->peers, &t->cap_peers, t->n_peers,
			      sizeof(k)) ||
	    vt_hidx_insert(&t->pidx, h, (uint32_t)t->n_peers) != VT_OK) {
		t->st.peer_drops++;
		return;
	}
	t->peers[t->n_peers++] = k;
	t->devs[dev].r.external_peers++;
}

static void share(vt_devtab *t, const vt_flow *f, int s, uint32_t dev)
{
	vt_dev *d = &t->devs[dev];
	int ext = !vt_devtab_ip_local(t, f->ver, f->ip[!s]);
	uint64_t bytes = f->bytes[0] + f->bytes[1];
	d->r.flows++;
	if (ext) {
		d->r.external_flows++;
		d->r.external_bytes += bytes;
		add_peer(t, dev, f->ver, f->ip[!s]);
	} else {
		d->r.local_flows++;
		d->r.local_bytes += bytes;
	}
	if (f->proto != 6 && f->proto != 17)
		return;
	vt_svck k;
	memset(&k, 0, sizeof(k));
	k.dev = dev;
	k.port = f->port[1];
	k.proto = f->proto;
	k.role = s == 1 ? VT_ROLE_SERVER : VT_ROLE_CLIENT;
	k.scope = ext ? VT_SCOPE_EXTERNAL : VT_SCOPE_LOCAL;
	vt_service *sv = service(t, dev, &k);
	if (!sv)
		return;
	sv->flows++;
	sv->bytes += bytes;
	if (!sv->first_us || f->first_us < sv->first_us)
		sv->first_us = f->first_us;
	if (f->last_us > sv->last_us)
		sv->last_us = f->last_us;
}

void vt_devtab_flow_end(vt_devtab *t, const vt_flow *f)
{
	int64_t d0 = side_dev(t, f, 0), d1 = side_dev(t, f, 1);
	if (d0 < 0 && d1 < 0) {
		t->st.flows_unattributed++;
		return;
	}
	if (d0 >= 0)
		share(t, f, 0, (uint32_t)d0);
	if (d1 >= 0 && d1 != d0)
		share(t, f, 1, (uint32_t)d1);
}
