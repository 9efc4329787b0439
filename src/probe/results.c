/*
 * The replies of one scan, one entry per (address, protocol, port): an
 * array in arrival order plus an open-addressing index over it, so that
 * retries and duplicate replies are folded. Capped at VT_RESULTS_MAX
 * entries; past it replies are counted as dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "vantage/scan.h"

struct vt_results {
	vt_result *v;
	size_t n, cap;
	uint32_t *idx;     /* slot -> entry + 1, 0 empty */
	size_t slots;      /* power of two, > 2n */
	uint64_t dropped;
};

vt_results *vt_results_new(void) { return calloc(1, sizeof(vt_results)); }

void vt_results_free(vt_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].data);
	free(r->v);
	free(r->idx);
	free(r);
}

static uint64_t key_hash(const vt_addr *a, uint8_t proto, uint16_t port)
{
	uint8_t m[20];
	memcpy(m, a->a, 16);
	m[16] = a->ver;
	m[17] = proto;
	m[18] = (uint8_t)(port >> 8);
	m[19] = (uint8_t)port;
	return vt_siphash24(0x7661, 0x6e74, m, sizeof(m));
}

static int same(const vt_result *e, const vt_addr *a, uint8_t proto,
		uint16_t port)
{
	return e->proto == proto && e->port == port && e->addr.ver == a->ver &&
	       !memcmp(e->addr.a, a->a, 16);
}

static void place(vt_results *r, size_t i)
{
	const vt_result *e = &r->v[i];
	size_t s = key_hash(&e->addr, e->proto, e->port) & (r->slots - 1);
	while (r->idx[s])
		s = (s + 1) & (r->slots - 1);
	r->idx[s] = (uint32_t)(i + 1);
}

static int grow(vt_results *r)
{
	size_t ns = r->slots ? r->slots * 2 : 1024;
	uint32_t *ni = calloc(ns, sizeof(uint32_t));
	size_t nc = ns / 2;
	vt_result *nv = realloc(r->v, nc * sizeof(vt_result));
	if (!ni || !nv) {
		free(ni);
		if (nv)
			r->v = nv;
		return VT_ENOMEM;
	}
	r->v = nv;
	r->cap = nc;
	free(r->idx);
	r->idx = ni;
	r->slots = ns;
	for (size_t i = 0; i < r->n; i++)
		place(r, i);
	return VT_OK;
}

int vt_results_add(vt_results *r, const vt_syn_reply *x, uint64_t now_us)
{
	if (r->slots) {
		size_t s = key_hash(&x->addr, x->proto, x->port) & (r->slots - 1);
		for (; r->idx[s]; s = (s + 1) & (r->slots - 1)) {
			vt_result *e = &r->v[r->idx[s] - 1];
			if (!same(e, &x->addr, x->proto, x->port))
				continue;
			if (x->state == VT_PORT_OPEN && e->state != VT_PORT_OPEN)
				e->state = VT_PORT_OPEN; /* a reply beats an ICMP */
			return 0;
		}
	}
	if (r->n >= VT_RESULTS_MAX) {
		r->dropped++;
		return VT_EFULL;
	}
	if (r->n >= r->cap && grow(r) != VT_OK)
		return VT_ENOMEM;
	vt_result *e = &r->v[r->n];
	memset(e, 0, sizeof(*e));
	e->addr = x->addr;
	e->proto = x->proto;
	e->port = x->port;
	e->state = x->state;
	e->ttl = x->ttl;
	e->seen_us = now_us;
	if (x->len && (e->data = malloc(x->len))) {
		memcpy(e->data, x->data, x->len);
		e->len = x->len;
	}
	place(r, r->n++);
	return 1;
}

vt_result *vt_results_find(vt_results *r, const vt_addr *a, uint8_t proto,
			   uint16_t port)
{
	if (!r->slots)
		return NULL;
	size_t s = key_hash(a, proto, port) & (r->slots - 1);
	for (; r->idx[s]; s = (s + 1) & (r->slots - 1)) {
		vt_result *e = &r->v[r->idx[s] - 1];
		if (same(e, a, proto, port))
			return e;
	}
	return NULL;
}

size_t vt_results_count(const vt_results *r) { return r->n; }
uint64_t vt_results_dropped(const vt_results *r) { return r->dropped; }
vt_result *vt_results_at(vt_results *r, size_t i) { return &r->v[i]; }

size_t vt_results_in_state(const vt_results *r, int state)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].state == state;
	return n;
}

static int cmp_res(const void *x, const void *y)
{
	const vt_result *a = x, *b = y;
	if (a->addr.ver != b->addr.ver)
		return a->addr.ver < b->addr.ver ? -1 : 1;
	int c = memcmp(a->addr.a, b->addr.a, 16);
	if (c)
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->port > b->port) - (a->port < b->port);
}

void vt_results_sort(vt_results *r)
{
	if (!r->n)
		return;
	qsort(r->v, r->n, sizeof(vt_result), cmp_res);
	memset(r->idx, 0, r->slots * sizeof(uint32_t));
	for (size_t i = 0; i < r->n; i++)
		place(r, i);
}
