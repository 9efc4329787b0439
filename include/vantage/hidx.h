/*
 * An open-addressing hash index: maps a 32-bit hash to record indices that
 * live in the caller's own array, so keys are stored once (in the record)
 * and a slot costs 8 bytes. Linear probing, load factor <= 1/2, deletion by
 * backward shift (no tombstones). The caller compares keys through `eq`.
 * Growth stops at max_entries: vt_hidx_insert then returns VT_EFULL and the
 * caller counts the drop.
 */
#ifndef VANTAGE_HIDX_H
#define VANTAGE_HIDX_H

#include <stddef.h>
#include <stdint.h>

typedef struct vt_hidx {
	uint64_t *slots;    /* (hash << 32) | (index + 1); 0 = empty */
	size_t mask;        /* slots - 1 (power of two) */
	size_t count;
	size_t max_entries; /* cap on count */
} vt_hidx;

typedef int (*vt_hidx_eq)(const void *ctx, uint32_t index, const void *key);

int vt_hidx_init(vt_hidx *h, size_t max_entries);
void vt_hidx_cleanup(vt_hidx *h);
/* Returns the record index, or -1. */
int64_t vt_hidx_find(const vt_hidx *h, uint32_t hash, vt_hidx_eq eq,
		     const void *ctx, const void *key);
int vt_hidx_insert(vt_hidx *h, uint32_t hash, uint32_t index);
/* Removes the slot holding index (found by hash). */
void vt_hidx_remove(vt_hidx *h, uint32_t hash, uint32_t index);

/* A fast non-cryptographic hash of n bytes, seeded. */
uint32_t vt_hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
