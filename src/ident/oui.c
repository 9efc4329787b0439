/*
 * MAC prefix registries and longest-prefix lookup (see oui.h): the IEEE
 * CSVs (RFC 4180: a field may be quoted, with "" for a quote inside), and
 * as later sources Nmap's nmap-mac-prefixes ("XXXXXX Name") and
 * Wireshark's manuf ("XX:XX:XX[:..]/bits<TAB>short<TAB>long name"), used
 * only for prefixes the IEEE files lack. Each file is read whole and
 * parsed through the cursor; entries are kept in one array sorted by
 * (source, bits, prefix) for binary search.
 */
#include "vantage/oui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/parse.h"
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

static const char *const reg_names[] = {"MA-L", "MA-M", "MA-S", "IAB",
					 "nmap-mac-prefixes", "wireshark-manuf"};
#define REG_NMAP 4
#define REG_MANUF 5

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

/* Reads up to cap-1 bytes of the line's next whitespace-free token. */
static void token(vt_cur *c, char *out, size_t cap, int stop_at_space)
{
	size_t n = 0;
	while (cur_left(c) > 0) {
		uint8_t ch = cur_peek(c, 0);
		if (ch == '\n' || ch == '\r' || ch == '\t' ||
		    (stop_at_space && ch == ' '))
			break;
		cur_u8(c);
		if (n + 1 < cap)
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	while (cur_peek(c, 0) == ' ' || cur_peek(c, 0) == '\t')
		cur_u8(c);
}

/* "00:1B:C5:00:00:00/36" or "F4:BD:9E" -> prefix value and bits. */
static int manuf_prefix(const char *s, uint64_t *prefix, uint8_t *bits)
{
	uint64_t v = 0;
	int digits = 0;
	for (; *s && *s != '/'; s++) {
		if (*s == ':' || *s == '-' || *s == '.')
			continue;
		int d = vt_hexval(*s);
		if (d < 0 || digits >= 12)
			return -1;
		v = v << 4 | (uint64_t)d;
		digits++;
	}
	int b = digits * 4;
	if (*s == '/') {
		uint64_t n;
		if (vt_parse_u64(s + 1, 8, 48, &n) != VT_OK)
			return -1;
		b = (int)n;
	}
	if (b != 24 && b != 28 && b != 36)
		return -1; /* other widths are not in the registries */
	if (digits * 4 < b)
		return -1;
	*prefix = v >> (digits * 4 - b);
	*bits = (uint8_t)b;
	return 0;
}

static int load_extra(vt_oui *o, const uint8_t *buf, size_t len, uint8_t reg)
{
	vt_cur c;
	char pfx[40], shortname[64], name[256];
	cur_init(&c, buf, len);
	while (cur_left(&c) > 0) {
		uint64_t prefix;
		uint8_t bits;
		if (cur_peek(&c, 0) == '#' || cur_peek(&c, 0) == '\n') {
			skip_line(&c);
			continue;
		}
		token(&c, pfx, sizeof(pfx), 1);
		if (reg == REG_MANUF)
			token(&c, shortname, sizeof(shortname), 0);
		token(&c, name, sizeof(name), 0);
		skip_line(&c);
		if (!name[0] && reg == REG_MANUF) /* no long name: the short */
			memcpy(name, shortname, sizeof(shortname));
		if (manuf_prefix(pfx, &prefix, &bits) || !name[0]) {
			o->skipped++;
			continue;
		}
		int r = add_entry(o, (int64_t)prefix, bits, reg, name);
		if (r == VT_ENOMEM)
			return r;
	}
	return VT_OK;
}

int vt_oui_add_file(vt_oui *o, const char *path, int format)
{
	uint8_t *buf;
	size_t len;
	int r = vt_file_read(path, 64u << 20, &buf, &len);
	if (r != VT_OK)
		return r;
	r = load_extra(o, buf, len,
		       format == VT_OUI_FORMAT_NMAP ? REG_NMAP : REG_MANUF);
	free(buf);
	return r;
}

void vt_oui_index(vt_oui *o)
{
	if (o->n > 1)
		qsort(o->e, o->n, sizeof(*o->e), cmp_entry);
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
	/* The IEEE registries first at every length, then the later sources
	 * (entries of one prefix sort by source, IEEE first). */
	for (size_t k = 0; k < 2 * sizeof(order); k++) {
		size_t i = k % sizeof(order);
		const entry *e = find(o, m >> (48 - order[i]), order[i]);
		if (e && (k >= sizeof(order) || e->reg < REG_NMAP)) {
			if (registry)
				*registry = reg_names[e->reg];
			return o->names + e->name;
		}
	}
	return NULL;
}

size_t vt_oui_count(const vt_oui *o) { return o->n; }
size_t vt_oui_skipped(const vt_oui *o) { return o->skipped; }
