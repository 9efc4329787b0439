/*
 * A batch of banners for `vantage match` (match_batch.c): records are
 * copied in as they are read, matched grouped by what they will be
 * matched against, and their results written in input order.
 */
#ifndef VT_CLI_MATCH_BATCH_H
#define VT_CLI_MATCH_BATCH_H

#include <stddef.h>

#include "vantage/match.h"

typedef struct vt_mbatch vt_mbatch;

/* At most max_n records or about max_bytes of their bytes (>= 1). */
vt_mbatch *vt_mbatch_new(size_t max_n, size_t max_bytes);
void vt_mbatch_free(vt_mbatch *b);
/* Copies rec (its strings and bytes too): VT_OK or VT_ENOMEM. */
int vt_mbatch_add(vt_mbatch *b, const vt_mrec *rec);
/* 1 when no more records should be added before the batch is used. */
int vt_mbatch_full(const vt_mbatch *b);
size_t vt_mbatch_count(const vt_mbatch *b);
/*
 * Makes the copies usable (the records' pointers) and returns the order
 * to match them in: input indices sorted by probe, protocol, port and
 * the banner's first bytes (stable), so consecutive banners run against
 * the same rules and their compiled code and tables stay in the caches.
 */
const size_t *vt_mbatch_order(vt_mbatch *b);
/* Record i (input order), valid after vt_mbatch_order. */
const vt_mrec *vt_mbatch_rec(const vt_mbatch *b, size_t i);
/* Empties the batch (keeps its memory). */
void vt_mbatch_clear(vt_mbatch *b);

#endif
