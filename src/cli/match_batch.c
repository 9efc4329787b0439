/*
 * Batches of banners for `vantage match`. Matching a banner touches the
 * compiled rules that can apply to it (the Nmap prefilter database is
 * 15 MB, each Recog database up to 1 MB, plus the JIT code of the
 * regexes): in input order, consecutive banners of different kinds evict
 * each other's rules from the caches and matching runs at half speed
 * (bench/README.md). A batch copies the records as they are read, is
 * matched grouped by kind, and its results are written in input order,
 * so the output is the same as banner by banner.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/match_batch.h"
#include "vantage/error.h"

#define NONE SIZE_MAX

enum { S_IP, S_MODULE, S_PROBE, S_DATA, S_SUBJ, S_ISSUER, S_SHA, S_ERROR, S_N };

typedef struct entry {
	size_t off[S_N];   /* into the arena, NONE for NULL */
	size_t len;        /* banner bytes */
	uint64_t line;
	int proto;
	unsigned port;
} entry;

struct vt_mbatch {
	entry *e;
	vt_mrec *rec;
	size_t *order;
	size_t n, max_n;
	char *arena;
	size_t used, cap, max_bytes;
};

vt_mbatch *vt_mbatch_new(size_t max_n, size_t max_bytes)
{
	vt_mbatch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->max_n = max_n ? max_n : 1;
	b->max_bytes = max_bytes;
	b->e = malloc(b->max_n * sizeof(*b->e));
	b->rec = malloc(b->max_n * sizeof(*b->rec));
	b->order = malloc(b->max_n * sizeof(*b->order));
	if (!b->e || !b->rec || !b->order) {
		vt_mbatch_free(b);
		return NULL;
	}
	return b;
}

void vt_mbatch_free(vt_mbatch *b)
{
	if (!b)
		return;
	free(b->e);
	free(b->rec);
	free(b->order);
	free(b->arena);
	free(b);
}

/* Appends n bytes and a NUL; the offset, or NONE for p NULL. */
static int save(vt_mbatch *b, const void *p, size_t n, size_t *off)
{
	*off = NONE;
	if (!p)
		return VT_OK;
	if (n + 1 > b->cap - b->used) {
		size_t cap = b->cap ? b->cap : 1u << 16;
		while (cap - b->used < n + 1)
			cap *= 2;
		char *a = realloc(b->arena, cap);
		if (!a)
			return VT_ENOMEM;
		b->arena = a;
		b->cap = cap;
	}
	memcpy(b->arena + b->used, p, n);
	b->arena[b->used + n] = '\0';
	*off = b->used;
	b->used += n + 1;
	return VT_OK;
}

static int save_str(vt_mbatch *b, const char *s, size_t *off)
{
	return save(b, s, s ? strlen(s) : 0, off);
}

int vt_mbatch_add(vt_mbatch *b, const vt_mrec *r)
{
	if (b->n >= b->max_n)
		return VT_EFULL;
	entry *e = &b->e[b->n];
	size_t mark = b->used;
	static const uint8_t empty[1];
	int rc = save_str(b, r->ip, &e->off[S_IP]) ||
		 save_str(b, r->module, &e->off[S_MODULE]) ||
		 save_str(b, r->b.probe, &e->off[S_PROBE]) ||
		 save(b, r->b.data ? r->b.data : empty, r->b.len, &e->off[S_DATA]) ||
		 save_str(b, r->b.tls_subject, &e->off[S_SUBJ]) ||
		 save_str(b, r->b.tls_issuer, &e->off[S_ISSUER]) ||
		 save_str(b, r->b.tls_sha256, &e->off[S_SHA]) ||
		 save_str(b, r->error, &e->off[S_ERROR]);
	if (rc) {
		b->used = mark;
		return VT_ENOMEM;
	}
	e->len = r->b.len;
	e->line = r->line;
	e->proto = r->b.proto;
	e->port = r->b.port;
	b->n++;
	return VT_OK;
}

int vt_mbatch_full(const vt_mbatch *b)
{
	return b->n >= b->max_n || b->used >= b->max_bytes;
}

size_t vt_mbatch_count(const vt_mbatch *b) { return b->n; }

void vt_mbatch_clear(vt_mbatch *b)
{
	b->n = 0;
	b->used = 0;
}

static const char *at(const vt_mbatch *b, size_t off)
{
	return off == NONE ? NULL : b->arena + off;
}

/* The arena for qsort's comparison (one thread runs a batch at a time). */
static const vt_mbatch *sorting;

static int cmp_str(const char *x, const char *y)
{
	if (!x || !y)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

static int by_kind(const void *pa, const void *pb)
{
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const vt_mrec *a = &sorting->rec[ia], *b = &sorting->rec[ib];
	int c = cmp_str(a->b.probe, b->b.probe);
	if (c)
		return c;
	if (a->b.proto != b->b.proto)
		return a->b.proto < b->b.proto ? -1 : 1;
	if (a->b.port != b->b.port)
		return a->b.port < b->b.port ? -1 : 1;
	size_t la = a->b.len < 4 ? a->b.len : 4, lb = b->b.len < 4 ? b->b.len : 4;
	c = memcmp(a->b.data, b->b.data, la < lb ? la : lb);
	if (c)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	return ia < ib ? -1 : ia > ib; /* stable */
}

const size_t *vt_mbatch_order(vt_mbatch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const entry *e = &b->e[i];
		vt_mrec *r = &b->rec[i];
		memset(r, 0, sizeof(*r));
		r->line = e->line;
		r->ip = at(b, e->off[S_IP]);
		r->module = at(b, e->off[S_MODULE]);
		r->error = at(b, e->off[S_ERROR]);
		r->b.proto = e->proto;
		r->b.port = e->port;
		r->b.probe = at(b, e->off[S_PROBE]);
		r->b.data = (const uint8_t *)at(b, e->off[S_DATA]);
		r->b.len = e->len;
		r->b.tls_subject = at(b, e->off[S_SUBJ]);
		r->b.tls_issuer = at(b, e->off[S_ISSUER]);
		r->b.tls_sha256 = at(b, e->off[S_SHA]);
		b->order[i] = i;
	}
	if (b->n > 1) {
		sorting = b;
		qsort(b->order, b->n, sizeof(*b->order), by_kind);
		sorting = NULL;
	}
	return b->order;
}

const vt_mrec *vt_mbatch_rec(const vt_mbatch *b, size_t i)
{
	return &b->rec[i];
}
