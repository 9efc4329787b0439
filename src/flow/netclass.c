/*
 * Address classes for scope decisions (local vs external) and CIDR
 * prefixes. Ranges: RFC 1918, RFC 3927 and RFC 4291 link-local, RFC 4193
 * ULA, multicast, limited broadcast, loopback, unspecified.
 */
#include "vantage/netclass.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"

static int parse_bits(const char *s, int max)
{
	if (!*s || strlen(s) > 3)
		return -1;
	int v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

int vt_cidr_parse(const char *s, vt_cidr *out)
{
	char buf[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return VT_EINVAL;
	memcpy(buf, s, n + 1);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->ver = 4;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->ver = 6;
	else
		return VT_EINVAL;
	int max = out->ver == 4 ? 32 : 128;
	int bits = slash ? parse_bits(slash + 1, max) : max;
	if (bits < 0)
		return VT_EINVAL;
	out->bits = (uint8_t)bits;
	for (int i = bits; i < max; i++)
		out->addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return VT_OK;
}

int vt_cidr_contains(const vt_cidr *c, uint8_t ver, const uint8_t *addr)
{
	if (c->ver != ver)
		return 0;
	int full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->addr, addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (addr[full] & m) == c->addr[full];
}

uint64_t vt_cidr_size4(const vt_cidr *c)
{
	return c->ver == 4 ? (uint64_t)1 << (32 - c->bits) : 0;
}

int vt_ip_is_multicast(uint8_t ver, const uint8_t *a)
{
	if (ver == 4)
		return (a[0] & 0xf0) == 0xe0;
	return a[0] == 0xff;
}

static int local4(const uint8_t *a)
{
	return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
	       a[0] == 127 || a[0] == 0 || (a[0] & 0xf0) == 0xe0 ||
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

int vt_ip_is_local_range(uint8_t ver, const uint8_t *a)
{
	if (ver == 4)
		return local4(a);
	if ((a[0] & 0xfe) == 0xfc || a[0] == 0xff)
		return 1; /* ULA, multicast */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return 1; /* link-local */
	static const uint8_t zero[15];
	return memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1);
}
