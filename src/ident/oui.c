/*
 * IEEE registry CSV loader and longest-prefix lookup (see oui.h). The CSV
 * is RFC 4180: a field may be quoted, with "" for a quote inside. Each
 * file is read whole and parsed through the cursor; entries are kept in
 * one array sorted by (bits, prefix) for binary search.
 */
#include "vantage/oui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "vantage/cursor.h"
#include "vantage/devrec.h"
#include "vantage/error.h"

typedef struct entry {
	uint64_t prefix; /* the MAC's top `bits` bits */
	uint8_t bits;    /* 24, 28 or 36 */
	uint8_t reg;     /* index into reg_names */
	uint32_t name;   /* offset into names */
} entry;

struct vt_oui {
	entry *e;
	size_t n, cap;
	char *names; /* NUL-separated organisation names */
	size_t names_len, names_cap;
	size_t skipped;
};

static const char *const reg_names[] = {"MA-L", "MA-M", "MA-S", "IAB"};

static const struct {
	const char *file;
	uint8_t bits, reg;
} files[] = {
	{"oui.csv", 24, 0}, {"mam.csv", 28, 1},
	{"oui36.csv", 36, 2}, {"iab.csv", 36, 3},
};

/* Reads one CSV field into out (cap bytes, NUL-terminated, truncated). */
static void csv_field(vt_cur *c, char *out, size_t cap)
{
	size_t n = 0;
	int quoted = cur_peek(c, 0) == '"';
	if (quoted)
		cur_u8(c);
	while (cur_left(c) > 0) {
		uint8_t ch = cur_peek(c, 0);
		if (quoted && ch == '"') {
			cur_u8(c);
			if (cur_peek(c, 0) != '"') {
				quoted = 0;
				continue;
			}
		} else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
			break;
		}
		cur_u8(c);
		if (n + 1 < cap)
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	if (cur_peek(c, 0) == ',')
		cur_u8(c);
}

static void skip_line(vt_cur *c)
{
	while (cur_left(c) > 0 && cur_u8(c) != '\n')
		;
}

/* Parses exactly bits/4 hex digits; -1 on error. */
static int64_t parse_prefix(const char *s, int bits)
{
	int digits = bits / 4;
	uint64_t v = 0;
	if ((int)strlen(s) != digits)
		return -1;
	for (int i = 0; i < digits; i++) {
		int d = vt_hexval(s[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	return (int64_t)v;
}

static int add_name(vt_oui *o, const char *name, uint32_t *off)
{
	size_t len = strlen(name) + 1;
	if (o->names_len + len > o->names_cap) {
		size_t nc = o->names_cap ? o->names_cap * 2 : 1 << 20;
		while (nc < o->names_len + len)
			nc *= 2;
		char *nn = realloc(o->names, nc);
		if (!nn)
			return VT_ENOMEM;
		o->names = nn;
		o->names_cap = nc;
	}
	memcpy(o->names + o->names_len, name, len);
	*off = (uint32_t)o->names_len;
	o->names_len += len;
	return VT_OK;
}

static int add_entry(vt_oui *o, int64_t prefix, uint8_t bits, uint8_t reg,
		     const char *name)
{
	if (o->n >= VT_OUI_MAX_ENTRIES)
		return VT_EFULL;
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 4096;
		entry *ne = realloc(o->e, nc * sizeof(*ne));
		if (!ne)
			return VT_ENOMEM;
		o->e = ne;
		o->cap = nc;
	}
	entry *e = &o->e[o->n];
	e->prefix = (uint64_t)prefix;
	e->bits = bits;
	e->reg = reg;
	int r = add_name(o, name, &e->name);
	if (r == VT_OK)
		o->n++;
	return r;
}

static int load_file(vt_oui *o, const uint8_t *buf, size_t len, uint8_t bits,
		     uint8_t reg)
{
	vt_cur c;
	char regf[16], assign[16], org[256];
	cur_init(&c, buf, len);
	skip_line(&c); /* header */
	while (cur_left(&c) > 0) {
		csv_field(&c, regf, sizeof(regf));
		csv_field(&c, assign, sizeof(assign));
		csv_field(&c, org, sizeof(org));
		skip_line(&c);
		int64_t p = parse_prefix(assign, bits);
		if (p < 0 || !org[0]) {
			o->skipped++;
			continue;
		}
		int r = add_entry(o, p, bits, reg, org);
		if (r == VT_ENOMEM)
			return r;
		if (r != VT_OK)
			o->skipped++;
	}
	return VT_OK;
}

static int cmp_entry(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (x->reg > y->reg) - (x->reg < y->reg);
}

vt_oui *vt_oui_load(const char *dir, char *errbuf)
{
	vt_oui *o = calloc(1, sizeof(*o));
	int loaded = 0;
	if (!o) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024];
		uint8_t *buf;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].file);
		if (vt_file_read(path, 64u << 20, &buf, &len) != VT_OK)
			continue;
		int r = load_file(o, buf, len, files[i].bits, files[i].reg);
		free(buf);
		if (r != VT_OK) {
			snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", path, vt_strerror(r));
			vt_oui_free(o);
			return NULL;
		}
		loaded++;
	}
	if (!loaded) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: no IEEE registry files (oui.csv, mam.csv, oui36.csv)",
			 dir);
		vt_oui_free(o);
		return NULL;
	}
	if (o->n > 1)
		qsort(o->e, o->n, sizeof(*o->e), cmp_entry);
	return o;
}

void vt_oui_free(vt_oui *o)
{
	if (!o)
		return;
	free(o->e);
	free(o->names);
	free(o);
}

static const entry *find(const vt_oui *o, uint64_t prefix, uint8_t bits)
{
	size_t lo = 0, hi = o->n;
	entry key = {.prefix = prefix, .bits = bits, .reg = 0};
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_entry(&o->e[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < o->n && o->e[lo].bits == bits && o->e[lo].prefix == prefix)
		return &o->e[lo];
	return NULL;
}

const char *vt_oui_lookup(const vt_oui *o, const uint8_t mac[6],
			  const char **registry)
{
	uint64_t m = 0;
	for (int i = 0; i < 6; i++)
		m = m << 8 | mac[i];
	static const uint8_t order[] = {36, 28, 24};
	for (size_t i = 0; i < sizeof(order); i++) {
		const entry *e = find(o, m >> (48 - order[i]), order[i]);
		if (e) {
			if (registry)
				*registry = reg_names[e->reg];
			return o->names + e->name;
		}
	}
	return NULL;
}

size_t vt_oui_count(const vt_oui *o) { return o->n; }
size_t vt_oui_skipped(const vt_oui *o) { return o->skipped; }
