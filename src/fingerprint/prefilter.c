/*
 * Ordered regex sets and their multi-pattern prefilter. A set keeps its
 * patterns in file order; the prefilter is one Hyperscan database of all
 * of them compiled with HS_FLAG_PREFILTER, which guarantees a superset of
 * the real matches: one scan of a banner marks the candidates, and only
 * those are confirmed with PCRE2, still in file order, so the first hit
 * is the one sequential matching finds. Patterns Hyperscan cannot take
 * even as a prefilter are always candidates.
 *
 * Compiling 12,000 Nmap patterns takes Hyperscan about 20 s, so the
 * database is serialised to an on-disk cache keyed by a hash of the
 * patterns, their flags and the Hyperscan version ($VT_CACHE_DIR, else
 * $XDG_CACHE_HOME/vantage, else ~/.cache/vantage; "off" disables it). A
 * cache file that does not load is ignored and rewritten.
 *
 * A pattern may come in two variants (Recog's, as Ruby runs them): UTF-8
 * mode for subjects that are valid UTF-8, byte mode for the others. The
 * prefilter is always byte mode (Hyperscan's UTF-8 mode made some Recog
 * databases take many minutes to compile), so for such sets it is used
 * only on pure-ASCII subjects, where the two modes agree; other subjects
 * are tried against every pattern.
 *
 * Without Hyperscan (it is x86-64 only) vt_rset_build returns VT_EUNSUP
 * and every pattern is a candidate: matching is sequential.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp_int.h"
#include "vantage/error.h"

#ifdef VT_HAVE_HYPERSCAN
#include <hs.h>
#endif

#define RS_NUL 0x100 /* internal flag: the pattern text holds a NUL */
#define VT_RSET_MIN_PREFILTER 64

struct vt_rset {
	const pcre2_code **re;     /* byte mode */
	const pcre2_code **re_utf; /* UTF-8 mode variant, or NULL */
	char **pat;          /* NUL-terminated copies for Hyperscan */
	unsigned *flags;
	size_t n, cap;
	uint64_t *always;    /* patterns the prefilter cannot take */
	int utf;             /* some pattern has a UTF-8 variant */
	void *db;            /* hs_database_t * */
};

vt_rset *vt_rset_new(void) { return calloc(1, sizeof(vt_rset)); }

void vt_rset_free(vt_rset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->pat[i]);
	free(s->pat);
	free(s->re);
	free(s->re_utf);
	free(s->flags);
	free(s->always);
#ifdef VT_HAVE_HYPERSCAN
	hs_free_database(s->db);
#endif
	free(s);
}

long vt_rset_add(vt_rset *s, const pcre2_code *re, const pcre2_code *re_utf,
		 const char *pat, size_t len, unsigned flags)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		const pcre2_code **r = realloc(s->re, cap * sizeof(*r));
		if (!r)
			return -1;
		s->re = r;
		r = realloc(s->re_utf, cap * sizeof(*r));
		if (!r)
			return -1;
		s->re_utf = r;
		char **p = realloc(s->pat, cap * sizeof(*p));
		if (!p)
			return -1;
		s->pat = p;
		unsigned *f = realloc(s->flags, cap * sizeof(*f));
		if (!f)
			return -1;
		s->flags = f;
		s->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, pat, len);
	copy[len] = '\0';
	s->re[s->n] = re;
	s->re_utf[s->n] = re_utf;
	s->pat[s->n] = copy;
	/* Hyperscan takes C strings: a pattern with a NUL byte in it is
	 * left to PCRE2 alone (always a candidate). */
	if (re_utf) {
		flags |= VT_RX_UTF;
		s->utf = 1;
	}
	s->flags[s->n] = flags | (memchr(pat, 0, len) ? RS_NUL : 0);
	return (long)s->n++;
}

size_t vt_rset_count(const vt_rset *s) { return s->n; }
int vt_rset_has_prefilter(const vt_rset *s) { return s->db != NULL; }

char *vt_fp_cache_dir(void)
{
	const char *d = getenv("VT_CACHE_DIR");
	char buf[4096];
	if (d && !strcmp(d, "off"))
		return NULL;
	if (d && *d)
		return strdup(d);
	d = getenv("XDG_CACHE_HOME");
	if (d && *d) {
		snprintf(buf, sizeof(buf), "%s/vantage", d);
		return strdup(buf);
	}
	d = getenv("HOME");
	if (!d || !*d)
		return NULL;
	snprintf(buf, sizeof(buf), "%s/.cache/vantage", d);
	return strdup(buf);
}

int vt_utf8_valid(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t b = p[i];
		size_t len;
		uint32_t cp;
		if (b < 0x80) {
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0)
			len = 2, cp = b & 0x1f;
		else if ((b & 0xf0) == 0xe0)
			len = 3, cp = b & 0x0f;
		else if ((b & 0xf8) == 0xf0)
			len = 4, cp = b & 0x07;
		else
			return 0;
		if (len > n - i)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

#ifdef VT_HAVE_HYPERSCAN

#define CACHE_MAGIC "VTHSDB01"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void set_key(const vt_rset *s, uint64_t key[2])
{
	const char *v = hs_version();
	key[0] = fnv(0xcbf29ce484222325ull, v, strlen(v));
	key[1] = fnv(0x84222325cbf29ce4ull, v, strlen(v));
	for (size_t i = 0; i < s->n; i++) {
		size_t l = strlen(s->pat[i]) + 1;
		key[0] = fnv(key[0], s->pat[i], l);
		key[0] = fnv(key[0], &s->flags[i], sizeof(s->flags[i]));
		key[1] = fnv(key[1], &s->flags[i], sizeof(s->flags[i]));
		key[1] = fnv(key[1], s->pat[i], l);
	}
}

static unsigned hs_flags(unsigned f)
{
	unsigned h = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
	if (f & VT_RX_CASELESS)
		h |= HS_FLAG_CASELESS;
	if (f & VT_RX_DOTALL)
		h |= HS_FLAG_DOTALL;
	if (f & VT_RX_MULTILINE)
		h |= HS_FLAG_MULTILINE;
	return h;
}

static size_t words(size_t n) { return (n + 63) / 64; }

static int ascii(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] & 0x80)
			return 0;
	return 1;
}


/* Cache file: magic, key[2], n, always bitmap, serialised database. */
static int cache_load(vt_rset *s, const char *path, const uint64_t key[2])
{
	uint8_t *buf = NULL;
	int ok = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char magic[8];
	uint64_t k[2], n;
	size_t aw = words(s->n);
	if (fread(magic, 1, 8, f) == 8 && !memcmp(magic, CACHE_MAGIC, 8) &&
	    fread(k, sizeof(k), 1, f) == 1 && k[0] == key[0] &&
	    k[1] == key[1] && fread(&n, sizeof(n), 1, f) == 1 && n == s->n &&
	    fread(s->always, sizeof(uint64_t), aw, f) == aw) {
		long at = ftell(f);
		if (at >= 0 && fseek(f, 0, SEEK_END) == 0) {
			long end = ftell(f);
			size_t len = end > at ? (size_t)(end - at) : 0;
			buf = len ? malloc(len) : NULL;
			if (buf && fseek(f, at, SEEK_SET) == 0 &&
			    fread(buf, 1, len, f) == len) {
				hs_database_t *db = NULL;
				if (hs_deserialize_database((char *)buf, len,
							    &db) == HS_SUCCESS) {
					s->db = db;
					ok = 1;
				}
			}
		}
	}
	free(buf);
	fclose(f);
	return ok;
}

static void mkdirs(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", dir);
	for (char *q = p + 1; *q; q++) {
		if (*q == '/') {
			*q = '\0';
			mkdir(p, 0755);
			*q = '/';
		}
	}
	mkdir(p, 0755);
}

/* Best effort: a cache that cannot be written only costs time. */
static void cache_store(const vt_rset *s, const char *dir, const char *path,
			const uint64_t key[2])
{
	char *bytes = NULL;
	size_t len = 0;
	char tmp[4200];
	if (hs_serialize_database(s->db, &bytes, &len) != HS_SUCCESS)
		return;
	mkdirs(dir);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (f) {
		uint64_t n = s->n;
		int ok = fwrite(CACHE_MAGIC, 1, 8, f) == 8 &&
			 fwrite(key, sizeof(uint64_t), 2, f) == 2 &&
			 fwrite(&n, sizeof(n), 1, f) == 1 &&
			 fwrite(s->always, sizeof(uint64_t), words(s->n), f) ==
				 words(s->n) &&
			 fwrite(bytes, 1, len, f) == len;
		ok = fclose(f) == 0 && ok;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(bytes);
}

static int compile_db(vt_rset *s, char *err, size_t errlen)
{
	const char **pats = malloc(s->n * sizeof(*pats));
	unsigned *fl = malloc(s->n * sizeof(*fl));
	unsigned *ids = malloc(s->n * sizeof(*ids));
	size_t m = 0;
	int rc = VT_ENOMEM;
	if (!pats || !fl || !ids)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *ce = NULL;
		unsigned f = hs_flags(s->flags[i]);
		if ((s->flags[i] & RS_NUL) ||
		    hs_expression_info(s->pat[i], f, &info, &ce) != HS_SUCCESS) {
			if (ce)
				hs_free_compile_error(ce);
			s->always[i / 64] |= 1ull << (i % 64);
			continue;
		}
		free(info);
		pats[m] = s->pat[i];
		fl[m] = f;
		ids[m] = (unsigned)i;
		m++;
	}
	rc = VT_OK;
	if (m) {
		hs_database_t *db = NULL;
		hs_compile_error_t *ce = NULL;
		if (hs_compile_multi(pats, fl, ids, (unsigned)m, HS_MODE_BLOCK,
				     NULL, &db, &ce) != HS_SUCCESS) {
			snprintf(err, errlen, "prefilter: %s (pattern %d)",
				 ce ? ce->message : "compile failed",
				 ce ? ce->expression : -1);
			hs_free_compile_error(ce);
			rc = VT_EFORMAT;
		} else {
			s->db = db;
		}
	}
out:
	free(pats);
	free(fl);
	free(ids);
	return rc;
}

int vt_rset_build(vt_rset *s, const char *cache_dir, char *err, size_t errlen)
{
	/* Below this many patterns one Hyperscan call costs more than
	 * running the JIT-compiled regexes in turn. */
	if (s->db || s->n < VT_RSET_MIN_PREFILTER)
		return VT_OK;
	if (hs_valid_platform() != HS_SUCCESS) {
		snprintf(err, errlen, "prefilter: this CPU lacks SSSE3");
		return VT_EUNSUP;
	}
	free(s->always);
	s->always = calloc(words(s->n) + 1, sizeof(uint64_t));
	if (!s->always)
		return VT_ENOMEM;
	uint64_t key[2];
	char path[4096] = "";
	set_key(s, key);
	if (cache_dir) {
		snprintf(path, sizeof(path), "%s/hs-%016llx%016llx.db",
			 cache_dir, (unsigned long long)key[0],
			 (unsigned long long)key[1]);
		if (cache_load(s, path, key))
			return VT_OK;
		memset(s->always, 0, (words(s->n) + 1) * sizeof(uint64_t));
	}
	int rc = compile_db(s, err, errlen);
	if (rc == VT_OK && s->db && cache_dir)
		cache_store(s, cache_dir, path, key);
	return rc;
}

int vt_rset_ctx_prepare(const vt_rset *s, vt_rx_ctx *c)
{
	if (vt_rx_ctx_bits(c, s->n) != VT_OK)
		return VT_ENOMEM;
	if (!s->db)
		return VT_OK;
	/* hs_alloc_scratch costs more than a scan: once per set. */
	for (size_t i = 0; i < c->n_ready; i++)
		if (c->ready[i] == s)
			return VT_OK;
	hs_scratch_t *sc = c->hs_scratch;
	if (hs_alloc_scratch(s->db, &sc) != HS_SUCCESS)
		return VT_ENOMEM;
	c->hs_scratch = sc;
	if (c->n_ready < sizeof(c->ready) / sizeof(c->ready[0]))
		c->ready[c->n_ready++] = s;
	return VT_OK;
}

static int on_match(unsigned id, unsigned long long from,
		    unsigned long long to, unsigned flags, void *user)
{
	uint64_t *bits = user;
	bits[id / 64] |= 1ull << (id % 64);
	return 0;
}

int vt_rset_scan(const vt_rset *s, vt_rx_ctx *c, const uint8_t *buf,
		 size_t len, int all)
{
	size_t w = words(s->n);
	c->subject_utf = s->utf && vt_utf8_valid(buf, len);
	/* The database is byte mode: for a UTF-8 variant it is a prefilter
	 * only of pure ASCII subjects (where both modes agree); any other
	 * subject is tried against every pattern. */
	if (all || !s->db || (s->utf && !ascii(buf, len))) {
		memset(c->bits, 0xff, w * sizeof(uint64_t));
		return VT_OK;
	}
	memcpy(c->bits, s->always, w * sizeof(uint64_t));
	static const char none[1];
	if (hs_scan(s->db, len ? (const char *)buf : none, (unsigned)len, 0,
		    c->hs_scratch, on_match, c->bits) != HS_SUCCESS) {
		memset(c->bits, 0xff, w * sizeof(uint64_t));
		return VT_EIO;
	}
	return VT_OK;
}

void vt_rx_ctx_release_hs(vt_rx_ctx *c)
{
	hs_free_scratch(c->hs_scratch);
	c->hs_scratch = NULL;
	c->n_ready = 0;
}

#else /* no Hyperscan: sequential only */

int vt_rset_build(vt_rset *s, const char *cache_dir, char *err, size_t errlen)
{
	(void)cache_dir;
	if (!s->n)
		return VT_OK;
	snprintf(err, errlen, "prefilter: built without Hyperscan");
	return VT_EUNSUP;
}

int vt_rset_ctx_prepare(const vt_rset *s, vt_rx_ctx *c)
{
	return vt_rx_ctx_bits(c, s->n);
}

int vt_rset_scan(const vt_rset *s, vt_rx_ctx *c, const uint8_t *buf,
		 size_t len, int all)
{
	(void)all;
	c->subject_utf = s->utf && vt_utf8_valid(buf, len);
	memset(c->bits, 0xff, ((s->n + 63) / 64) * sizeof(uint64_t));
	return VT_OK;
}

void vt_rx_ctx_release_hs(vt_rx_ctx *c) { c->hs_scratch = NULL; }

#endif

size_t vt_rset_next(const vt_rx_ctx *c, size_t from, size_t to)
{
	while (from < to) {
		uint64_t w = c->bits[from / 64] >> (from % 64);
		if (w)
			return from + (size_t)__builtin_ctzll(w) < to
				       ? from + (size_t)__builtin_ctzll(w)
				       : to;
		from = (from / 64 + 1) * 64;
	}
	return to;
}

int vt_rset_test(const vt_rset *s, vt_rx_ctx *c, size_t i,
		 const uint8_t *buf, size_t len, int fast)
{
	const pcre2_code *re = c->subject_utf && s->re_utf[i] ? s->re_utf[i]
							     : s->re[i];
	return vt_rx_exec(c, re, buf, len, fast);
}
