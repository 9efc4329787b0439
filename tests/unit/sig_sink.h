/*
 * A recording vt_sig_sink for the signal-parser tests: keeps every
 * (name, value) pair emitted, checks the value cap on each, and offers
 * exact-list and membership assertions. Include after cmocka.h.
 */
#ifndef VT_TEST_SIG_SINK_H
#define VT_TEST_SIG_SINK_H

#include <stdio.h>
#include <string.h>

#include "vantage/signal.h"

#define REC_MAX 2048

typedef struct rec_sig {
	char name[32];
	uint8_t val[VT_SIG_MAX_VALUE + 1]; /* NUL after len for printing */
	size_t len;
} rec_sig;

typedef struct rec {
	rec_sig sig[REC_MAX];
	size_t n;
	vt_sig_sink sink;
} rec;

static inline void rec_emit(void *user, const char *name, const uint8_t *v,
		     size_t len)
{
	rec *r = user;
	assert_non_null(name);
	assert_true(len <= VT_SIG_MAX_VALUE);
	assert_true(len == 0 || v != NULL);
	assert_true(r->n < REC_MAX);
	rec_sig *g = &r->sig[r->n++];
	snprintf(g->name, sizeof(g->name), "%s", name);
	memcpy(g->val, v, len);
	g->val[len] = 0;
	g->len = len;
}

/* Clears r and returns its sink. */
static inline const vt_sig_sink *rec_reset(rec *r)
{
	r->n = 0;
	r->sink.emit = rec_emit;
	r->sink.user = r;
	return &r->sink;
}

static inline void rec_dump(const rec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		fprintf(stderr, "  [%zu] %s=", i, r->sig[i].name);
		for (size_t k = 0; k < r->sig[i].len; k++) {
			uint8_t ch = r->sig[i].val[k];
			if (ch >= 32 && ch < 127)
				fputc(ch, stderr);
			else
				fprintf(stderr, "\\x%02x", ch);
		}
		fputc('\n', stderr);
	}
}

static inline size_t rec_count(const rec *r, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += strcmp(r->sig[i].name, name) == 0;
	return n;
}

/* Is name=value (value of vlen bytes) among the signals? */
static inline int rec_has_n(const rec *r, const char *name, const void *value,
		     size_t vlen)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->sig[i].name, name) == 0 && r->sig[i].len == vlen &&
		    memcmp(r->sig[i].val, value, vlen) == 0)
			return 1;
	return 0;
}

static inline int rec_has(const rec *r, const char *name, const char *value)
{
	return rec_has_n(r, name, value, strlen(value));
}

#define assert_sig(r, name, value)                                          \
	do {                                                                \
		if (!rec_has((r), (name), (value))) {                       \
			fprintf(stderr, "missing %s=%s; got:\n", (name),    \
				(value));                                   \
			rec_dump(r);                                        \
			fail();                                             \
		}                                                           \
	} while (0)

/* The signals are exactly these name, value pairs, in this order. */
static inline void assert_sigs_exact(const rec *r, const char *const *pairs)
{
	size_t n = 0;
	while (pairs[2 * n])
		n++;
	int ok = n == r->n;
	for (size_t i = 0; ok && i < n; i++)
		ok = strcmp(r->sig[i].name, pairs[2 * i]) == 0 &&
		     r->sig[i].len == strlen(pairs[2 * i + 1]) &&
		     memcmp(r->sig[i].val, pairs[2 * i + 1], r->sig[i].len) == 0;
	if (!ok) {
		fprintf(stderr, "expected:\n");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  [%zu] %s=%s\n", i, pairs[2 * i],
				pairs[2 * i + 1]);
		fprintf(stderr, "got:\n");
		rec_dump(r);
		fail();
	}
}

#define SIGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Hex string to bytes; returns the byte count. For embedded payloads. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *hex; hex++) {
		int d = *hex >= '0' && *hex <= '9'   ? *hex - '0'
			: *hex >= 'a' && *hex <= 'f' ? *hex - 'a' + 10
			: *hex >= 'A' && *hex <= 'F' ? *hex - 'A' + 10
						     : -1;
		if (d < 0)
			continue;
		if (hi < 0) {
			hi = d;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	return n;
}

#endif
