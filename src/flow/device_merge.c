/*
 * Folding one device table into another (vt_devtab_merge): live capture
 * runs one passive pipeline per thread and the kernel spreads flows over
 * them, so one device has a partial record in several tables. Counters
 * add up; first/last seen widen; bindings, services and signals are
 * united by key (their counts added); external peers are united as sets,
 * so a peer reached from two threads counts once; gateway votes add up.
 * The target is an accumulator: it is exported, never fed frames (its
 * binding and service indexes are not kept).
 */
#include <stdlib.h>
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/error.h"

static void widen(uint64_t *first, uint64_t *last, uint64_t f, uint64_t l)
{
	if (f && (!*first || f < *first))
		*first = f;
	if (l > *last)
		*last = l;
}

static void merge_ips(vt_devtab *t, vt_dev *d, const vt_devrec *s)
{
	for (size_t k = 0; k < s->n_ips; k++) {
		const vt_ipbind *b = &s->ips[k];
		size_t j = 0;
		while (j < d->r.n_ips &&
		       (d->r.ips[j].ver != b->ver ||
			memcmp(d->r.ips[j].addr, b->addr, 16)))
			j++;
		if (j < d->r.n_ips) {
			d->r.ips[j].sources |= b->sources;
			widen(&d->r.ips[j].first_us, &d->r.ips[j].last_us,
			      b->first_us, b->last_us);
			continue;
		}
		if (d->r.n_ips >= VT_DEV_MAX_IPS ||
		    vt_devtab_reserve((void **)&d->r.ips, &d->ips_cap,
				      d->r.n_ips, sizeof(*b))) {
			t->st.binding_drops++;
			continue;
		}
		d->r.ips[d->r.n_ips++] = *b;
	}
}

/* Slots of the per-device service lookup: twice the cap, a power of 2. */
#define SVC_SLOTS 512

static uint32_t svc_hash(const vt_service *v)
{
	return ((uint32_t)v->port * 0x9e3779b1u) ^ v->proto ^
	       (uint32_t)v->role << 8 ^ (uint32_t)v->scope << 9;
}

static int svc_same(const vt_service *a, const vt_service *b)
{
	return a->port == b->port && a->proto == b->proto &&
	       a->role == b->role && a->scope == b->scope;
}

/* Slot for v: the one holding it (index + 1) or an empty one (0). */
static uint16_t *svc_slot(uint16_t *slots, const vt_service *base,
			  const vt_service *v)
{
	uint32_t i = svc_hash(v) & (SVC_SLOTS - 1);
	while (slots[i] && !svc_same(&base[slots[i] - 1], v))
		i = (i + 1) & (SVC_SLOTS - 1);
	return &slots[i];
}

static void merge_services(vt_devtab *t, vt_dev *d, const vt_devrec *s)
{
	uint16_t slots[SVC_SLOTS];
	memset(slots, 0, sizeof(slots));
	for (size_t j = 0; j < d->r.n_services; j++)
		*svc_slot(slots, d->r.services, &d->r.services[j]) =
			(uint16_t)(j + 1);
	d->r.services_dropped += s->services_dropped;
	for (size_t k = 0; k < s->n_services; k++) {
		const vt_service *v = &s->services[k];
		uint16_t *slot = svc_slot(slots, d->r.services, v);
		if (*slot) {
			vt_service *o = &d->r.services[*slot - 1];
			o->flows += v->flows;
			o->bytes += v->bytes;
			widen(&o->first_us, &o->last_us, v->first_us,
			      v->last_us);
			continue;
		}
		if (d->r.n_services >= VT_DEV_MAX_SERVICES ||
		    vt_devtab_reserve((void **)&d->r.services, &d->svc_cap,
				      d->r.n_services, sizeof(*v))) {
			d->r.services_dropped++;
			t->st.service_drops++;
			continue;
		}
		d->r.services[d->r.n_services] = *v;
		*slot = (uint16_t)++d->r.n_services;
	}
}

static int add_signal(vt_dev *d, const vt_signal *g, uint32_t h)
{
	if (d->r.n_signals >= VT_DEV_MAX_SIGNALS)
		return -1;
	if (d->r.n_signals == d->sig_cap) {
		size_t nc = d->sig_cap ? d->sig_cap * 2 : 8;
		vt_signal *ns = realloc(d->r.signals, nc * sizeof(*ns));
		if (!ns)
			return -1;
		d->r.signals = ns;
		uint32_t *nh = realloc(d->sig_hash, nc * sizeof(*nh));
		if (!nh)
			return -1;
		d->sig_hash = nh;
		d->sig_cap = nc;
	}
	vt_signal *o = &d->r.signals[d->r.n_signals];
	*o = *g;
	o->name = strdup(g->name);
	o->value = malloc(g->len + 1);
	if (!o->name || !o->value) {
		free(o->name);
		free(o->value);
		return -1;
	}
	memcpy(o->value, g->value, g->len + 1);
	d->sig_hash[d->r.n_signals++] = h;
	return 0;
}

static void merge_signals(vt_devtab *t, vt_dev *d, const vt_dev *s)
{
	d->r.signals_dropped += s->r.signals_dropped;
	for (size_t k = 0; k < s->r.n_signals; k++) {
		const vt_signal *g = &s->r.signals[k];
		size_t j = 0;
		while (j < d->r.n_signals &&
		       (d->sig_hash[j] != s->sig_hash[k] ||
			d->r.signals[j].len != g->len ||
			strcmp(d->r.signals[j].name, g->name) ||
			memcmp(d->r.signals[j].value, g->value, g->len)))
			j++;
		if (j < d->r.n_signals) {
			vt_signal *o = &d->r.signals[j];
			o->count += g->count;
			widen(&o->first_us, &o->last_us, g->first_us,
			      g->last_us);
		} else if (add_signal(d, g, s->sig_hash[k])) {
			d->r.signals_dropped++;
			t->st.signal_drops++;
		}
	}
}

static void merge_peers(vt_devtab *t, vt_dev *d, const vt_peerset *s)
{
	vt_peerset *ps = &d->peers;
	ps->has_zero |= s->has_zero;
	for (uint32_t i = 0; s->mask && i <= s->mask; i++) {
		uint32_t key = s->keys[i];
		if (!key || (ps->mask && *vt_peerset_slot(ps, key) == key))
			continue;
		if (t->n_peers >= t->max_peers ||
		    ((ps->n + 1) * 2 > ps->mask && vt_peerset_grow(ps))) {
			t->st.peer_drops++;
			continue;
		}
		*vt_peerset_slot(ps, key) = key;
		ps->n++;
		t->n_peers++;
	}
	d->r.external_peers = ps->n + ps->has_zero;
}

static void merge_counters(vt_devrec *d, const vt_devrec *s)
{
	d->packets_sent += s->packets_sent;
	d->bytes_sent += s->bytes_sent;
	d->packets_recv += s->packets_recv;
	d->bytes_recv += s->bytes_recv;
	d->flows += s->flows;
	d->local_flows += s->local_flows;
	d->external_flows += s->external_flows;
	d->local_bytes += s->local_bytes;
	d->external_bytes += s->external_bytes;
	widen(&d->first_us, &d->last_us, s->first_us, s->last_us);
}

int vt_devtab_merge(vt_devtab *dst, const vt_devtab *src)
{
	for (size_t i = 0; i < src->n_devs; i++) {
		const vt_dev *s = &src->devs[i];
		int64_t j = vt_devtab_get(dst, s->key, 0);
		if (j < 0) {
			dst->st.device_drops += s->r.packets_sent;
			continue;
		}
		vt_dev *d = &dst->devs[j];
		merge_counters(&d->r, &s->r);
		d->ext_votes += s->ext_votes;
		merge_ips(dst, d, &s->r);
		merge_services(dst, d, &s->r);
		merge_signals(dst, d, s);
		merge_peers(dst, d, &s->peers);
	}
	const vt_devtab_counters *c = &src->st;
	dst->st.device_drops += c->device_drops;
	dst->st.binding_drops += c->binding_drops;
	dst->st.service_drops += c->service_drops;
	dst->st.peer_drops += c->peer_drops;
	dst->st.signal_drops += c->signal_drops;
	dst->st.flows_unattributed += c->flows_unattributed;
	return VT_OK;
}
