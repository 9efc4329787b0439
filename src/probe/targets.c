/*
 * Target sets for `vantage scan`: addresses, CIDR prefixes and ranges,
 * IPv4 and IPv6, from the command line or from allow/exclude files. Each
 * set is kept as inclusive ranges of 128-bit integers per IP version;
 * vt_targets_finish sorts and merges them, intersects with the allow list
 * and subtracts the exclude list, then indexes the result so that address
 * i can be found by binary search (the permutation picks indices).
 *
 * Fails closed (ZMap's blocklist model): one malformed item makes the
 * whole list an error, nothing is guessed, and hostnames are not
 * resolved.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "vantage/netclass.h"
#include "vantage/scan.h"

__extension__ typedef unsigned __int128 u128;

typedef struct range {
	uint8_t ver;
	u128 lo, hi;      /* inclusive */
	uint64_t before;  /* addresses in earlier ranges (after finish) */
} range;

struct vt_targets {
	range *r;
	size_t n, cap;
	uint64_t total;   /* after finish */
	int finished;
};

vt_targets *vt_targets_new(void) { return calloc(1, sizeof(vt_targets)); }

void vt_targets_free(vt_targets *t)
{
	if (!t)
		return;
	free(t->r);
	free(t);
}

size_t vt_targets_items(const vt_targets *t) { return t->n; }

static u128 to_u128(const vt_addr *a)
{
	u128 v = 0;
	int n = a->ver == 4 ? 4 : 16;
	for (int i = 0; i < n; i++)
		v = (v << 8) | a->a[i];
	return v;
}

static void from_u128(uint8_t ver, u128 v, vt_addr *a)
{
	int n = ver == 4 ? 4 : 16;
	memset(a, 0, sizeof(*a));
	a->ver = ver;
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		a->a[i] = (uint8_t)v;
}

int vt_addr_parse(const char *s, vt_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->ver = 4;
		return 0;
	}
	if (strchr(s, ':') && inet_pton(AF_INET6, s, out->a) == 1) {
		out->ver = 6;
		return 0;
	}
	return -1;
}

void vt_addr_format(const vt_addr *a, char *out, size_t cap)
{
	if (!inet_ntop(a->ver == 4 ? AF_INET : AF_INET6, a->a, out,
		       (socklen_t)cap) && cap)
		out[0] = 0;
}

static int push(range **v, size_t *n, size_t *cap, const range *x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		range *nv = realloc(*v, nc * sizeof(range));
		if (!nv)
			return VT_ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *x;
	return VT_OK;
}

/* Strict decimal in [0, max]; -1 otherwise. */
static long small_num(const char *s, long max)
{
	long v = 0;
	if (!*s || strlen(s) > 3)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v <= max ? v : -1;
}

/* One item into *out; NULL or the reason it is malformed. */
static const char *parse_item(char *s, range *out)
{
	vt_addr a, b;
	char *slash = strchr(s, '/'), *dash = strchr(s, '-');
	if (slash && dash)
		return "both '/' and '-'";
	if (slash) {
		*slash = 0;
		if (vt_addr_parse(s, &a))
			return "not an IPv4/IPv6 address";
		int width = a.ver == 4 ? 32 : 128;
		long bits = small_num(slash + 1, width);
		if (bits < 0)
			return "bad prefix length";
		if (a.ver == 6 && width - bits > 20)
			return "IPv6 prefix too large (at most /108)";
		u128 host = bits == width ? 0 : (((u128)1 << (width - bits)) - 1);
		out->ver = a.ver;
		out->lo = to_u128(&a) & ~host;
		out->hi = out->lo | host;
		return NULL;
	}
	if (dash) {
		*dash = 0;
		if (vt_addr_parse(s, &a))
			return "not an IPv4/IPv6 address";
		long last = a.ver == 4 ? small_num(dash + 1, 255) : -1;
		if (last >= 0) {
			b = a;
			b.a[3] = (uint8_t)last;
		} else if (vt_addr_parse(dash + 1, &b) || b.ver != a.ver) {
			return "bad range end";
		}
		out->ver = a.ver;
		out->lo = to_u128(&a);
		out->hi = to_u128(&b);
		if (out->hi < out->lo)
			return "range end before its start";
		if (a.ver == 6 && out->hi - out->lo >= VT_TARGETS_MAX_V6)
			return "IPv6 range too large";
		return NULL;
	}
	if (vt_addr_parse(s, &a))
		return "not an IPv4/IPv6 address (names are not resolved)";
	out->ver = a.ver;
	out->lo = out->hi = to_u128(&a);
	return NULL;
}

static int is_sep(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\r'; }

int vt_targets_add(vt_targets *t, const char *text, const char *where,
		   char *errbuf)
{
	size_t n0 = t->n, line = 1;
	char item[128];
	const char *p = text;
	while (*p) {
		if (*p == '\n') {
			line++, p++;
			continue;
		}
		if (is_sep(*p)) {
			p++;
			continue;
		}
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		size_t len = 0;
		while (p[len] && p[len] != '\n' && p[len] != '#' && !is_sep(p[len]))
			len++;
		const char *why = NULL;
		range r = {0};
		if (len >= sizeof(item)) {
			why = "item too long";
		} else {
			memcpy(item, p, len);
			item[len] = 0;
			why = parse_item(item, &r);
		}
		if (!why && t->n >= VT_TARGETS_MAX_ITEMS)
			why = "too many items";
		if (!why && push(&t->r, &t->n, &t->cap, &r) != VT_OK)
			why = "out of memory";
		if (why) {
			snprintf(errbuf, VT_ERRBUF_LEN, "%s:%zu: '%.*s': %s", where,
				 line, (int)(len > 64 ? 64 : len), p, why);
			t->n = n0;
			return VT_EFORMAT;
		}
		p += len;
	}
	t->finished = 0;
	return VT_OK;
}

int vt_targets_add_file(vt_targets *t, const char *path, char *errbuf)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (vt_file_read(path, 64u << 20, &buf, &len) != VT_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot read", path);
		return VT_EIO;
	}
	if (memchr(buf, 0, len)) {
		free(buf);
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: NUL byte: not a list", path);
		return VT_EFORMAT;
	}
	int rc = vt_targets_add(t, (const char *)buf, path, errbuf);
	free(buf);
	return rc;
}

static int cmp_range(const void *x, const void *y)
{
	const range *a = x, *b = y;
	if (a->ver != b->ver)
		return a->ver < b->ver ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* Sorts and merges overlapping or adjacent ranges, in place. */
static void normalise(range *r, size_t *n)
{
	if (!*n)
		return;
	qsort(r, *n, sizeof(range), cmp_range);
	size_t w = 0;
	for (size_t i = 1; i < *n; i++) {
		if (r[i].ver == r[w].ver &&
		    (r[i].lo <= r[w].hi || r[i].lo - 1 == r[w].hi)) {
			if (r[i].hi > r[w].hi)
				r[w].hi = r[i].hi;
		} else {
			r[++w] = r[i];
		}
	}
	*n = w + 1;
}

/* out = a ∩ b (both normalised); a merge of two sorted lists. */
static int intersect(const range *a, size_t na, const range *b, size_t nb,
		     range **out, size_t *nout)
{
	size_t i = 0, j = 0, cap = 0;
	*out = NULL;
	*nout = 0;
	while (i < na && j < nb) {
		if (a[i].ver != b[j].ver) {
			a[i].ver < b[j].ver ? i++ : j++;
			continue;
		}
		u128 lo = a[i].lo > b[j].lo ? a[i].lo : b[j].lo;
		u128 hi = a[i].hi < b[j].hi ? a[i].hi : b[j].hi;
		if (lo <= hi) {
			range x = {.ver = a[i].ver, .lo = lo, .hi = hi};
			if (push(out, nout, &cap, &x) != VT_OK)
				return VT_ENOMEM;
		}
		a[i].hi < b[j].hi ? i++ : j++;
	}
	return VT_OK;
}

/* out = a \ x (both normalised). */
static int subtract(const range *a, size_t na, const range *x, size_t nx,
		    range **out, size_t *nout)
{
	size_t j = 0, cap = 0;
	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < na; i++) {
		range cur = a[i];
		int alive = 1;
		while (j < nx && (x[j].ver < cur.ver ||
				  (x[j].ver == cur.ver && x[j].hi < cur.lo)))
			j++;
		for (size_t k = j; alive && k < nx && x[k].ver == cur.ver &&
				   x[k].lo <= cur.hi; k++) {
			if (x[k].lo > cur.lo) {
				range left = cur;
				left.hi = x[k].lo - 1;
				if (push(out, nout, &cap, &left) != VT_OK)
					return VT_ENOMEM;
			}
			if (x[k].hi >= cur.hi)
				alive = 0;
			else
				cur.lo = x[k].hi + 1;
		}
		if (alive && push(out, nout, &cap, &cur) != VT_OK)
			return VT_ENOMEM;
	}
	return VT_OK;
}

static int index_ranges(vt_targets *t, char *errbuf)
{
	uint64_t total = 0, v6 = 0;
	for (size_t i = 0; i < t->n; i++) {
		u128 c = t->r[i].hi - t->r[i].lo + 1;
		if (t->r[i].ver == 6) {
			v6 += (uint64_t)c;
			if (c > VT_TARGETS_MAX_V6 || v6 > VT_TARGETS_MAX_V6) {
				snprintf(errbuf, VT_ERRBUF_LEN,
					 "more than %llu IPv6 targets",
					 (unsigned long long)VT_TARGETS_MAX_V6);
				return VT_EINVAL;
			}
		}
		t->r[i].before = total;
		total += (uint64_t)c;
	}
	if (!total) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "no target left after the allow and exclude lists");
		return VT_EINVAL;
	}
	if (total > VT_TARGETS_MAX_ADDRS) {
		snprintf(errbuf, VT_ERRBUF_LEN, "more than 2^32 targets");
		return VT_EINVAL;
	}
	t->total = total;
	t->finished = 1;
	return VT_OK;
}

static int copy_norm(const vt_targets *s, range **out, size_t *n)
{
	*n = s->n;
	*out = malloc((s->n ? s->n : 1) * sizeof(range));
	if (!*out)
		return VT_ENOMEM;
	if (s->n) /* an empty list has no array */
		memcpy(*out, s->r, s->n * sizeof(range));
	normalise(*out, n);
	return VT_OK;
}

int vt_targets_finish(vt_targets *t, const vt_targets *allow,
		      const vt_targets *exclude, char *errbuf)
{
	normalise(t->r, &t->n);
	range *tmp, *res;
	size_t ntmp, nres;
	if (allow) {
		if (copy_norm(allow, &tmp, &ntmp) != VT_OK)
			goto oom;
		int rc = intersect(t->r, t->n, tmp, ntmp, &res, &nres);
		free(tmp);
		if (rc != VT_OK)
			goto oom;
		free(t->r);
		t->r = res, t->n = t->cap = nres;
	}
	if (exclude) {
		if (copy_norm(exclude, &tmp, &ntmp) != VT_OK)
			goto oom;
		int rc = subtract(t->r, t->n, tmp, ntmp, &res, &nres);
		free(tmp);
		if (rc != VT_OK)
			goto oom;
		free(t->r);
		t->r = res, t->n = t->cap = nres;
	}
	return index_ranges(t, errbuf);
oom:
	snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
	return VT_ENOMEM;
}

uint64_t vt_targets_count(const vt_targets *t) { return t->finished ? t->total : 0; }

void vt_targets_get(const vt_targets *t, uint64_t i, vt_addr *out)
{
	size_t lo = 0, hi = t->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->r[mid].before <= i)
			lo = mid;
		else
			hi = mid;
	}
	from_u128(t->r[lo].ver, t->r[lo].lo + (i - t->r[lo].before), out);
}

int vt_targets_contains(const vt_targets *t, const vt_addr *a)
{
	u128 v = to_u128(a);
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].ver == a->ver && t->r[i].lo <= v && v <= t->r[i].hi)
			return 1;
	return 0;
}

/* Local ranges: a range is local when both ends are and no public block
 * lies between them; checking the ends and every /8 (IPv4) or /16 (IPv6)
 * boundary crossed is enough for the classes in netclass.c. */
int vt_targets_all_local(const vt_targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		vt_addr a;
		unsigned shift = t->r[i].ver == 4 ? 24 : 112;
		from_u128(t->r[i].ver, t->r[i].lo, &a);
		if (!vt_ip_is_local_range(a.ver, a.a))
			return 0;
		from_u128(t->r[i].ver, t->r[i].hi, &a);
		if (!vt_ip_is_local_range(a.ver, a.a))
			return 0;
		if ((t->r[i].lo >> shift) != (t->r[i].hi >> shift))
			return 0; /* spans blocks: treat as external */
	}
	return 1;
}
