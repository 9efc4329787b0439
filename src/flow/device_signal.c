/*
 * Signals per device: the distinct (name, value) pairs a device gave,
 * with counts and first/last times, capped per device. Lookups scan the
 * device's own short list by a stored hash: signals are rare next to
 * packets (DHCP, DNS, mDNS, SSDP, the first segments of HTTP and TLS).
 */
#include <stdlib.h>
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/signal.h"

static uint32_t sig_hash(const char *name, const uint8_t *v, size_t len)
{
	uint32_t h = vt_hash_bytes(name, strlen(name), 0x51);
	return vt_hash_bytes(v, len, h);
}

static int add(vt_dev *d, uint32_t h, const char *name, const uint8_t *v,
	       size_t len, uint64_t ts)
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
	vt_signal *s = &d->r.signals[d->r.n_signals];
	s->name = strdup(name);
	s->value = malloc(len + 1);
	if (!s->name || !s->value) {
		free(s->name);
		free(s->value);
		return -1;
	}
	memcpy(s->value, v, len);
	s->value[len] = '\0';
	s->len = len;
	s->count = 1;
	s->first_us = s->last_us = ts;
	d->sig_hash[d->r.n_signals++] = h;
	return 0;
}

int vt_devtab_budget(vt_devtab *t, int64_t dev, int kind, unsigned limit)
{
	if (dev < 0 || (size_t)dev >= t->n_devs || kind < 0 ||
	    kind >= VT_BUDGET_COUNT)
		return 0;
	vt_dev *d = &t->devs[dev];
	if (d->budget[kind] >= limit)
		return 0;
	d->budget[kind]++;
	return 1;
}

void vt_devtab_signal(vt_devtab *t, int64_t dev, const char *name,
		      const uint8_t *v, size_t len, uint64_t ts)
{
	if (dev < 0 || (size_t)dev >= t->n_devs)
		return;
	if (len > VT_SIG_MAX_VALUE)
		len = VT_SIG_MAX_VALUE;
	vt_dev *d = &t->devs[dev];
	uint32_t h = sig_hash(name, v, len);
	for (size_t i = 0; i < d->r.n_signals; i++) {
		vt_signal *s = &d->r.signals[i];
		if (d->sig_hash[i] == h && s->len == len &&
		    !strcmp(s->name, name) && !memcmp(s->value, v, len)) {
			s->count++;
			if (ts < s->first_us)
				s->first_us = ts;
			if (ts > s->last_us)
				s->last_us = ts;
			return;
		}
	}
	if (add(d, h, name, v, len, ts) != 0) {
		d->r.signals_dropped++;
		t->st.signal_drops++;
	}
}
