/*
 * The scan order: a keyed pseudo-random permutation of [0, n) from a
 * balanced 4-round Feistel network on 2h bits (2^2h the smallest even
 * power of two >= n, so 2^2h < 4n) with SipHash as the round function,
 * restricted to [0, n) by cycle walking (Black and Rogaway, "Ciphers with
 * arbitrary finite domains", 2002): a value >= n is enciphered again until
 * it falls inside, which keeps a bijection. Index v maps to the pair
 * (address v / n_ports, port v % n_ports) in the caller, so consecutive
 * probes rarely hit the same host. Shard I of N takes positions I, I+N,
 * I+2N, ...: same seed, disjoint shards, union the whole space.
 */
#include "vantage/scan.h"

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int vt_perm_init(vt_perm *p, uint64_t n, uint64_t seed, uint32_t shards,
		 uint32_t shard)
{
	if (!n || n > (1ull << 62) || !shards || shard >= shards)
		return VT_EINVAL;
	unsigned bits = 0;
	while (bits < 64 && ((n - 1) >> bits))
		bits++;
	p->half_bits = bits < 2 ? 1 : (bits + 1) / 2;
	p->n = n;
	uint64_t s = seed;
	p->k0 = splitmix(&s);
	p->k1 = splitmix(&s);
	p->shards = shards;
	p->shard = shard;
	p->pos = shard;
	return VT_OK;
}

static uint64_t encipher(const vt_perm *p, uint64_t x)
{
	unsigned h = p->half_bits;
	uint64_t mask = (1ull << h) - 1, l = x >> h, r = x & mask;
	for (uint64_t round = 0; round < 4; round++) {
		uint64_t m[2] = {round, r};
		uint64_t f = vt_siphash24(p->k0, p->k1, m, sizeof(m)) & mask;
		uint64_t t = r;
		r = l ^ f;
		l = t;
	}
	return (l << h) | r;
}

uint64_t vt_perm_at(const vt_perm *p, uint64_t pos)
{
	uint64_t v = encipher(p, pos);
	while (v >= p->n)
		v = encipher(p, v);
	return v;
}

int vt_perm_next(vt_perm *p, uint64_t *out)
{
	if (p->pos >= p->n)
		return 0;
	*out = vt_perm_at(p, p->pos);
	p->pos += p->shards;
	return 1;
}

uint64_t vt_perm_shard_size(const vt_perm *p)
{
	return p->n > p->shard ? (p->n - p->shard + p->shards - 1) / p->shards : 0;
}
