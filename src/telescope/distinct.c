/*
 * Distinct counting for unique destinations and /24s per source and per
 * event, in bounded memory: exact for the first VT_TEL_DISTINCT_EXACT
 * values (12, so the scan threshold of 10 unique destinations is always
 * decided on an exact count), then a
 * HyperLogLog of 256 one-byte registers (standard error about 6.5%),
 * allocated only for the sources that get there. With the register array
 * unavailable (out of memory) the count stays at the exact limit.
 */
#include <math.h>
#include <stdlib.h>

#include "vantage/telescope.h"

#define HLL_P 8
#define HLL_M (1u << HLL_P)

static uint64_t mix(uint32_t v)
{
	uint64_t x = (uint64_t)v * 0x9e3779b97f4a7c15ull;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

static void hll_add(uint8_t *r, uint32_t v)
{
	uint64_t h = mix(v);
	uint32_t idx = (uint32_t)(h >> (64 - HLL_P));
	uint64_t rest = h << HLL_P;
	uint8_t rank = 1;
	while (rank <= 64 - HLL_P && !(rest & (1ull << 63))) {
		rank++;
		rest <<= 1;
	}
	if (rank > r[idx])
		r[idx] = rank;
}

void vt_tel_distinct_add(vt_tel_distinct *d, uint32_t v)
{
	if (d->hll) {
		hll_add(d->hll, v);
		return;
	}
	for (uint32_t i = 0; i < d->n; i++)
		if (d->v[i] == v)
			return;
	if (d->n < VT_TEL_DISTINCT_EXACT) {
		d->v[d->n++] = v;
		return;
	}
	d->hll = calloc(HLL_M, 1);
	if (!d->hll)
		return;
	for (uint32_t i = 0; i < d->n; i++)
		hll_add(d->hll, d->v[i]);
	hll_add(d->hll, v);
}

uint64_t vt_tel_distinct_count(const vt_tel_distinct *d)
{
	if (!d->hll)
		return d->n;
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)d->hll[i]);
		zeros += d->hll[i] == 0;
	}
	double m = HLL_M, alpha = 0.7213 / (1 + 1.079 / m);
	double e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros); /* linear counting for small ranges */
	uint64_t n = (uint64_t)(e + 0.5);
	return n < d->n ? d->n : n;
}

void vt_tel_distinct_cleanup(vt_tel_distinct *d)
{
	free(d->hll);
	d->hll = NULL;
}
