/*
 * Mirai sources per time window (EXTERNAL.md section 3): one row per
 * window of fixed length aligned to the epoch (UTC hours and days by
 * default), kept in a growing array from the first window seen. Rows are
 * capped (cfg.max_windows); a packet that would need a row past the cap
 * is counted in windows_dropped. Timestamps that go back before the first
 * row shift the array (within the cap).
 */
#include <stdlib.h>
#include <string.h>

#include "telescope/tel_int.h"

static int ensure(tel_windows *ws, size_t n)
{
	if (n <= ws->alloc)
		return 1;
	size_t a = ws->alloc ? ws->alloc : 64;
	while (a < n)
		a *= 2;
	vt_tel_window *w = realloc(ws->w, a * sizeof(*w));
	if (!w)
		return 0;
	ws->w = w;
	ws->alloc = a;
	return 1;
}

static void fill(tel_windows *ws, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		memset(&ws->w[i], 0, sizeof(ws->w[i]));
		ws->w[i].start_us = (ws->base + i) * ws->len_s * 1000000ull;
	}
}

vt_tel_window *win_slot(tel_windows *ws, uint64_t ts_us)
{
	uint64_t num = ts_us / 1000000u / ws->len_s;
	if (!ws->n) {
		if (!ensure(ws, 1))
			goto drop;
		ws->base = num;
		ws->n = 1;
		fill(ws, 0, 1);
	}
	if (num < ws->base) {
		size_t shift = (size_t)(ws->base - num);
		if (ws->n + shift > ws->max || !ensure(ws, ws->n + shift))
			goto drop;
		memmove(ws->w + shift, ws->w, ws->n * sizeof(*ws->w));
		ws->base = num;
		fill(ws, 0, shift);
		ws->n += shift;
	}
	uint64_t i = num - ws->base;
	if (i >= ws->n) {
		if (i >= ws->max || !ensure(ws, (size_t)i + 1))
			goto drop;
		fill(ws, ws->n, (size_t)i + 1);
		ws->n = (size_t)i + 1;
	}
	return &ws->w[i];
drop:
	(*ws->dropped)++;
	return NULL;
}

void win_cleanup(tel_windows *ws)
{
	free(ws->w);
	ws->w = NULL;
	ws->n = ws->alloc = 0;
}
