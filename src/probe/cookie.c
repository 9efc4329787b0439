/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012; reference test vector in tests/unit/test_scan.c) and the probe
 * cookie built on it: a keyed hash of (source, destination, protocol,
 * destination port) of which 32 bits become the TCP sequence number and
 * 15 bits pick the source port. A reply is ours only if it comes back to
 * that port acknowledging that number (syn.c), as ZMap validates its
 * replies; the key is random per run, so a third party cannot forge them.
 */
#include <string.h>
#include <sys/random.h>

#include "vantage/scan.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void round4(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t vt_siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			 k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
	size_t full = len - len % 8;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64(p + i);
		v[3] ^= m;
		round4(v);
		round4(v);
		v[0] ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)p[full + i] << (8 * i);
	v[3] ^= b;
	round4(v);
	round4(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		round4(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

int vt_cookie_key_random(vt_cookie_key *k)
{
	uint64_t r[2];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return VT_EIO;
	k->k0 = r[0];
	k->k1 = r[1];
	k->sport_base = VT_SPORT_BASE;
	k->sport_span = VT_SPORT_SPAN;
	return VT_OK;
}

vt_cookie vt_cookie_make(const vt_cookie_key *k, const vt_addr *src,
			 const vt_addr *dst, uint8_t proto, uint16_t dport)
{
	uint8_t m[37];
	m[0] = src->ver;
	memcpy(m + 1, src->a, 16);
	m[17] = dst->ver;
	memcpy(m + 18, dst->a, 16);
	m[34] = proto;
	m[35] = (uint8_t)(dport >> 8);
	m[36] = (uint8_t)dport;
	uint64_t h = vt_siphash24(k->k0, k->k1, m, sizeof(m));
	vt_cookie c;
	c.seq = (uint32_t)h;
	c.sport = (uint16_t)(k->sport_base + (h >> 32) % (k->sport_span ? k->sport_span : 1));
	return c;
}
