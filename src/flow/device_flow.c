/*
 * A finished flow's share for the devices on its sides: flows, local and
 * external flows and bytes, services used (the responder's port; role
 * server for the responder, client for the initiator; scope from the peer)
 * and the set of external peers. A side is a local device when its
 * address is local and the pipeline tagged it with a device (the external
 * side of a flow carries the gateway's MAC, so it never counts).
 */
#include <stdlib.h>
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/error.h"

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

static uint32_t peer_key(uint8_t ver, const uint8_t *ip)
{
	if (ver == 4)
		return (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 |
		       (uint32_t)ip[2] << 8 | ip[3];
	return vt_hash_bytes(ip, 16, 0x9e); /* collisions: ~n^2 / 2^33 */
}

uint32_t *vt_peerset_slot(vt_peerset *ps, uint32_t key)
{
	uint32_t i = (key * 0x9e3779b1u) & ps->mask;
	while (ps->keys[i] && ps->keys[i] != key)
		i = (i + 1) & ps->mask;
	return &ps->keys[i];
}

int vt_peerset_grow(vt_peerset *ps)
{
	uint32_t slots = ps->mask ? (ps->mask + 1) * 2 : 16;
	uint32_t *old = ps->keys, old_slots = ps->mask ? ps->mask + 1 : 0;
	ps->keys = calloc(slots, sizeof(*ps->keys));
	if (!ps->keys) {
		ps->keys = old;
		return -1;
	}
	ps->mask = slots - 1;
	for (uint32_t i = 0; i < old_slots; i++)
		if (old[i])
			*vt_peerset_slot(ps, old[i]) = old[i];
	free(old);
	return 0;
}

/* Adds an external peer of device dev; counts it when new. */
static void add_peer(vt_devtab *t, uint32_t dev, uint8_t ver, const uint8_t *ip)
{
	vt_peerset *ps = &t->devs[dev].peers;
	uint32_t key = peer_key(ver, ip);
	if (key == 0) {
		if (!ps->has_zero)
			t->devs[dev].r.external_peers++;
		ps->has_zero = 1;
		return;
	}
	if (ps->mask && *vt_peerset_slot(ps, key) == key)
		return;
	if (t->n_peers >= t->max_peers ||
	    ((ps->n + 1) * 2 > ps->mask && vt_peerset_grow(ps))) {
		t->st.peer_drops++;
		return;
	}
	*vt_peerset_slot(ps, key) = key;
	ps->n++;
	t->n_peers++;
	t->devs[dev].r.external_peers++;
}

static void share(vt_devtab *t, const vt_flow *f, int s, uint32_t dev, int ext)
{
	vt_dev *d = &t->devs[dev];
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

void vt_devtab_tag_flow(vt_flow *f, int s, const int64_t dev[2])
{
	if (dev[0] >= 0)
		f->tag[s] = (uint32_t)dev[0] + 1;
	/* The receiver's MAC names side !s only until !s is seen sending. */
	if (dev[1] >= 0 && f->mac_ok[!s] < 2)
		f->tag[!s] = (uint32_t)dev[1] + 1;
}

/* The device index of side s, or -1. */
static int64_t side_dev(const vt_devtab *t, const vt_flow *f, int s, int local)
{
	if (!local || !f->tag[s] || f->tag[s] > t->n_devs ||
	    vt_ip_is_multicast(f->ver, f->ip[s]))
		return -1;
	return (int64_t)f->tag[s] - 1;
}

void vt_devtab_flow_end(vt_devtab *t, const vt_flow *f, vt_flow_sides *out)
{
	vt_flow_sides sd;
	int64_t d[2];
	memset(&sd, 0, sizeof(sd));
	for (int s = 0; s < 2; s++) {
		sd.local[s] = vt_devtab_ip_local(t, f->ver, f->ip[s]);
		d[s] = side_dev(t, f, s, sd.local[s]);
		if (d[s] >= 0 && t->devs[d[s]].r.has_mac) {
			sd.has_mac[s] = 1;
			memcpy(sd.mac[s], t->devs[d[s]].r.mac, 6);
		}
	}
	if (out)
		*out = sd;
	if (d[0] < 0 && d[1] < 0) {
		t->st.flows_unattributed++;
		return;
	}
	if (d[0] >= 0)
		share(t, f, 0, (uint32_t)d[0], !sd.local[1]);
	if (d[1] >= 0 && d[1] != d[0])
		share(t, f, 1, (uint32_t)d[1], !sd.local[0]);
}
