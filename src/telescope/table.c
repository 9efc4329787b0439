/*
 * The bounded table behind sources, events and victims: records in one
 * growing array (doubling up to the cap), a vt_hidx hash index over their
 * keys, a free list for removed records and a least-recently-touched list
 * so the engine can expire idle events and evict the stalest source when
 * the cap is reached (p0f's host table, Suricata's flow memcap).
 */
#include <stdlib.h>
#include <string.h>

#include "telescope/tel_int.h"
#include "vantage/error.h"

static uint32_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (uint32_t)k;
}

static int key_eq(const void *ctx, uint32_t index, const void *key)
{
	const tel_tab *t = ctx;
	return t->key[index] == *(const uint64_t *)key;
}

int tab_init(tel_tab *t, size_t elem, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->elem = elem;
	t->max = max;
	return vt_hidx_init(&t->idx, max);
}

void tab_cleanup(tel_tab *t)
{
	vt_hidx_cleanup(&t->idx);
	free(t->rec);
	free(t->key);
	free(t->prev);
	free(t->next);
	memset(t, 0, sizeof(*t));
}

int64_t tab_find(const tel_tab *t, uint64_t key)
{
	return vt_hidx_find(&t->idx, hash64(key), key_eq, t, &key);
}

static int grow(tel_tab *t)
{
	size_t n = t->alloc ? t->alloc * 2 : 1024;
	if (n > t->max)
		n = t->max;
	void *r = realloc(t->rec, n * t->elem);
	if (!r)
		return VT_ENOMEM;
	t->rec = r;
	uint64_t *k = realloc(t->key, n * sizeof(*k));
	if (!k)
		return VT_ENOMEM;
	t->key = k;
	uint32_t *p = realloc(t->prev, n * sizeof(*p));
	if (!p)
		return VT_ENOMEM;
	t->prev = p;
	p = realloc(t->next, n * sizeof(*p));
	if (!p)
		return VT_ENOMEM;
	t->next = p;
	t->alloc = n;
	return VT_OK;
}

static void unlink_lru(tel_tab *t, uint32_t i)
{
	uint32_t p = t->prev[i], n = t->next[i];
	if (p)
		t->next[p - 1] = n;
	else
		t->head = n;
	if (n)
		t->prev[n - 1] = p;
	else
		t->tail = p;
}

static void append_lru(tel_tab *t, uint32_t i)
{
	t->prev[i] = t->tail;
	t->next[i] = 0;
	if (t->tail)
		t->next[t->tail - 1] = i + 1;
	else
		t->head = i + 1;
	t->tail = i + 1;
}

int64_t tab_insert(tel_tab *t, uint64_t key)
{
	if (t->count >= t->max)
		return VT_EFULL;
	uint32_t i;
	if (t->free_list) {
		i = t->free_list - 1;
		t->free_list = t->next[i];
	} else {
		if (t->used == t->alloc && grow(t) != VT_OK)
			return VT_ENOMEM;
		i = (uint32_t)t->used++;
	}
	if (vt_hidx_insert(&t->idx, hash64(key), i) != VT_OK) {
		t->next[i] = t->free_list;
		t->free_list = i + 1;
		return VT_ENOMEM;
	}
	t->key[i] = key;
	memset(tab_at(t, i), 0, t->elem);
	append_lru(t, i);
	t->count++;
	return i;
}

void tab_touch(tel_tab *t, uint32_t i)
{
	if (t->tail == i + 1)
		return;
	unlink_lru(t, i);
	append_lru(t, i);
}

void tab_remove(tel_tab *t, uint32_t i)
{
	vt_hidx_remove(&t->idx, hash64(t->key[i]), i);
	unlink_lru(t, i);
	t->next[i] = t->free_list;
	t->free_list = i + 1;
	t->count--;
}

int64_t tab_oldest(const tel_tab *t)
{
	return t->head ? (int64_t)t->head - 1 : -1;
}
