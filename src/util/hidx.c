/*
 * Open-addressing hash index over caller-owned records (see hidx.h), and
 * the byte hash used by every table (64-bit multiply-xorshift over 8-byte
 * words, in the spirit of wyhash/murmur finalisers; not for adversarial
 * keys beyond what a seed gives).
 */
#include "vantage/hidx.h"

#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"

#define MIN_SLOTS 64

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint32_t vt_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
		b += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, b, n);
	return (uint32_t)mix(h ^ w ^ ((uint64_t)n << 56));
}

int vt_hidx_init(vt_hidx *h, size_t max_entries)
{
	h->slots = calloc(MIN_SLOTS, sizeof(*h->slots));
	if (!h->slots)
		return VT_ENOMEM;
	h->mask = MIN_SLOTS - 1;
	h->count = 0;
	h->max_entries = max_entries ? max_entries : SIZE_MAX / 4;
	return VT_OK;
}

void vt_hidx_cleanup(vt_hidx *h)
{
	if (!h)
		return;
	free(h->slots);
	h->slots = NULL;
	h->count = 0;
}

int64_t vt_hidx_find(const vt_hidx *h, uint32_t hash, vt_hidx_eq eq,
		     const void *ctx, const void *key)
{
	for (size_t i = hash & h->mask;; i = (i + 1) & h->mask) {
		uint64_t s = h->slots[i];
		if (!s)
			return -1;
		if ((uint32_t)(s >> 32) == hash &&
		    eq(ctx, (uint32_t)(s & 0xffffffffu) - 1, key))
			return (int64_t)(s & 0xffffffffu) - 1;
	}
}

static void place(uint64_t *slots, size_t mask, uint64_t s)
{
	size_t i = (uint32_t)(s >> 32) & mask;
	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = s;
}

static int grow(vt_hidx *h)
{
	size_t n = (h->mask + 1) * 2;
	uint64_t *ns = calloc(n, sizeof(*ns));
	if (!ns)
		return VT_ENOMEM;
	for (size_t i = 0; i <= h->mask; i++)
		if (h->slots[i])
			place(ns, n - 1, h->slots[i]);
	free(h->slots);
	h->slots = ns;
	h->mask = n - 1;
	return VT_OK;
}

int vt_hidx_insert(vt_hidx *h, uint32_t hash, uint32_t index)
{
	if (h->count >= h->max_entries)
		return VT_EFULL;
	if ((h->count + 1) * 2 > h->mask + 1) {
		int r = grow(h);
		if (r)
			return r;
	}
	place(h->slots, h->mask, ((uint64_t)hash << 32) | ((uint64_t)index + 1));
	h->count++;
	return VT_OK;
}

void vt_hidx_remove(vt_hidx *h, uint32_t hash, uint32_t index)
{
	uint64_t want = ((uint64_t)hash << 32) | ((uint64_t)index + 1);
	size_t i = hash & h->mask;
	while (h->slots[i] && h->slots[i] != want)
		i = (i + 1) & h->mask;
	if (!h->slots[i])
		return;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	size_t j = i;
	for (;;) {
		j = (j + 1) & h->mask;
		uint64_t s = h->slots[j];
		if (!s)
			break;
		size_t home = (uint32_t)(s >> 32) & h->mask;
		/* Move s into the hole at i unless its home lies in (i, j]. */
		int in_range = i <= j ? (home > i && home <= j)
				      : (home > i || home <= j);
		if (!in_range) {
			h->slots[i] = s;
			i = j;
		}
	}
	h->slots[i] = 0;
	h->count--;
}
