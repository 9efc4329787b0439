/*
 * Compiling and matching Recog-schema databases. Recog's patterns are
 * Ruby regexes, translated to PCRE2 here:
 *   - ^ and $ are line anchors in Ruby: PCRE2_MULTILINE always;
 *   - Ruby's (?m) and the flags REG_DOT_NEWLINE, REG_MULTILINE and
 *     REG_LINE_ANY_CRLF (Recog maps all three to Regexp::MULTILINE) mean
 *     dot matches newline: PCRE's (?s) / PCRE2_DOTALL;
 *   - REG_ICASE is PCRE2_CASELESS; Ruby's \h / \H (hex digit) are
 *     spelled out, since PCRE's \h is horizontal space.
 * Ruby matches by characters when the value is UTF-8 text ('.' takes
 * "·" whole) and by bytes when it is binary (ASCII-8BIT, e.g. LDAP or
 * telnet bytes), and a pattern that spells raw bytes (\x80-\xff) is
 * binary itself. So each pattern gets a byte-mode code and, unless it is
 * binary, a UTF-8 variant used for subjects that are valid UTF-8.
 * Nmap's match limits apply to both. A match yields its params: fixed values (pos 0),
 * capture groups (pos N; an unset group gives no param), then "{name}"
 * in a value is replaced by that param's value, as Recog interpolates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recog_int.h"
#include "vantage/error.h"

static void put(char *o, size_t *n, const char *s)
{
	size_t l = strlen(s);
	memcpy(o + *n, s, l);
	*n += l;
}

/* (?flags) or (?flags: at t: copies it with Ruby's m turned into s. */
static size_t inline_flags(const char *t, char *o, size_t *n)
{
	size_t i = 2;
	while (t[i] == 'i' || t[i] == 'm' || t[i] == 'x' || t[i] == '-')
		i++;
	if (i == 2 || (t[i] != ')' && t[i] != ':'))
		return 0;
	for (size_t k = 0; k <= i; k++)
		o[(*n)++] = t[k] == 'm' && k >= 2 && k < i ? 's' : t[k];
	return i + 1;
}

/* A \x80-\xff escape: the pattern matches raw bytes. */
static int binary(const char *p)
{
	for (; *p; p++) {
		if (p[0] != '\\' || !p[1])
			continue;
		if (p[1] == 'x' && strchr("89abcdefABCDEF", p[2]) && p[2])
			return 1;
		p++;
	}
	return 0;
}

static unsigned parse_flags(const char *attr)
{
	unsigned f = VT_RX_MULTILINE;
	if (!attr)
		return f;
	if (strstr(attr, "REG_ICASE"))
		f |= VT_RX_CASELESS;
	if (strstr(attr, "REG_DOT_NEWLINE") || strstr(attr, "REG_MULTILINE") ||
	    strstr(attr, "REG_LINE_ANY_CRLF"))
		f |= VT_RX_DOTALL;
	return f;
}

char *vt_recog_translate(const char *ruby, const char *flags_attr,
			 unsigned *flags)
{
	size_t len = strlen(ruby), n = 0;
	char *o = malloc(len * 12 + 1);
	int in_class = 0;
	if (!o)
		return NULL;
	*flags = parse_flags(flags_attr) | (binary(ruby) ? 0 : VT_RX_UTF);
	for (size_t i = 0; i < len;) {
		const char *t = ruby + i;
		if (t[0] == '\\' && t[1]) {
			if (t[1] == 'h')
				put(o, &n, in_class ? "0-9a-fA-F" : "[0-9a-fA-F]");
			else if (t[1] == 'H' && !in_class)
				put(o, &n, "[^0-9a-fA-F]");
			else {
				o[n++] = t[0];
				o[n++] = t[1];
			}
			i += 2;
			continue;
		}
		if (!in_class && t[0] == '(' && t[1] == '?') {
			size_t used = inline_flags(t, o, &n);
			if (used) {
				i += used;
				continue;
			}
		}
		if (!in_class && t[0] == '[') {
			in_class = 1;
			o[n++] = '[';
			i++;
			if (ruby[i] == '^')
				o[n++] = ruby[i++];
			if (ruby[i] == ']')
				o[n++] = ruby[i++]; /* a leading ] is literal */
			continue;
		}
		if (in_class && t[0] == ']')
			in_class = 0;
		o[n++] = ruby[i++];
	}
	o[n] = '\0';
	return o;
}

int vt_recog_compile(vt_recog_db *db, char *errbuf)
{
	if (!db->matches) {
		const char *b = strrchr(db->path, '/');
		b = b ? b + 1 : db->path;
		size_t l = strlen(b);
		if (l > 4 && !strcmp(b + l - 4, ".xml"))
			l -= 4;
		if (!(db->matches = malloc(l + 1)))
			goto oom;
		memcpy(db->matches, b, l);
		db->matches[l] = '\0';
	}
	db->re = calloc(db->n_fps + 1, sizeof(*db->re));
	db->re_utf = calloc(db->n_fps + 1, sizeof(*db->re_utf));
	db->set_index = calloc(db->n_fps + 1, sizeof(*db->set_index));
	db->fp_of = calloc(db->n_fps + 1, sizeof(*db->fp_of));
	db->set = vt_rset_new();
	if (!db->re || !db->re_utf || !db->set_index || !db->fp_of || !db->set)
		goto oom;
	for (size_t i = 0; i < db->n_fps; i++) {
		vt_recog_fp *f = &db->fps[i];
		unsigned fl;
		char *pat = vt_recog_translate(f->pattern, f->flags, &fl);
		db->set_index[i] = -1;
		if (!pat)
			goto oom;
		unsigned bfl = (fl & ~(unsigned)VT_RX_UTF) | VT_RX_ALLOW_EMPTY;
		db->re[i] = vt_rx_compile(pat, strlen(pat), bfl, f->compile_error,
					  sizeof(f->compile_error));
		if (db->re[i] && (fl & VT_RX_UTF))
			db->re_utf[i] = vt_rx_compile(pat, strlen(pat),
						      fl | VT_RX_ALLOW_EMPTY,
						      f->compile_error,
						      sizeof(f->compile_error));
		if (db->re[i]) {
			f->compiled = 1;
			long k = vt_rset_add(db->set, db->re[i], db->re_utf[i],
					     pat, strlen(pat),
					     fl & ~(unsigned)VT_RX_UTF);
			if (k < 0) {
				free(pat);
				goto oom;
			}
			db->set_index[i] = k;
			db->fp_of[k] = i;
		}
		free(pat);
	}
	return VT_OK;
oom:
	snprintf(errbuf, VT_ERRBUF_LEN, "%s: out of memory", db->path);
	return VT_ENOMEM;
}

void vt_recog_uncompile(vt_recog_db *db)
{
	for (size_t i = 0; db->re && i < db->n_fps; i++) {
		pcre2_code_free(db->re[i]);
		pcre2_code_free(db->re_utf[i]);
	}
	free(db->re);
	free(db->re_utf);
	free(db->set_index);
	free(db->fp_of);
	vt_rset_free(db->set);
}

int vt_recog_prefilter(vt_recog_db *db, const char *cache_dir, char *errbuf)
{
	char err[VT_ERRBUF_LEN];
	char *dflt = cache_dir ? NULL : vt_fp_cache_dir();
	int rc = vt_rset_build(db->set, cache_dir ? cache_dir : dflt, err,
			       sizeof(err));
	free(dflt);
	if (rc != VT_OK)
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", db->path, err);
	db->prefiltered = rc == VT_OK && vt_rset_has_prefilter(db->set);
	return rc;
}

vt_recog_ctx *vt_recog_ctx_new(void)
{
	vt_recog_ctx *c = calloc(1, sizeof(*c));
	if (!c || vt_rx_ctx_init(&c->rx) != VT_OK) {
		free(c);
		return NULL;
	}
	return c;
}

void vt_recog_ctx_free(vt_recog_ctx *c)
{
	if (!c)
		return;
	vt_rx_ctx_cleanup(&c->rx);
	free(c);
}

static void set_kv(vt_recog_result *res, const char *name, const char *v,
		   size_t vlen)
{
	size_t i = 0;
	while (i < res->n && strcmp(res->kv[i].name, name))
		i++;
	if (i == res->n) {
		if (res->n >= VT_RECOG_MAX_PARAMS)
			return;
		res->n++;
	}
	size_t nl = strlen(name);
	if (nl >= sizeof(res->kv[i].name))
		nl = sizeof(res->kv[i].name) - 1;
	memcpy(res->kv[i].name, name, nl);
	res->kv[i].name[nl] = '\0';
	if (vlen > VT_RECOG_VALUE_MAX)
		vlen = VT_RECOG_VALUE_MAX;
	memcpy(res->kv[i].value, v, vlen);
	res->kv[i].value[vlen] = '\0';
}

const char *vt_recog_value(const vt_recog_result *res, const char *name)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->kv[i].name, name))
			return res->kv[i].value;
	return NULL;
}

/* {name} references in each value, replaced by the named value. */
static void interpolate(vt_recog_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		char out[VT_RECOG_VALUE_MAX + 1];
		const char *v = res->kv[i].value;
		size_t o = 0;
		if (!strchr(v, '{'))
			continue;
		while (*v && o < VT_RECOG_VALUE_MAX) {
			const char *close = *v == '{' ? strchr(v, '}') : NULL;
			char key[64];
			const char *rep = NULL;
			if (close && (size_t)(close - v - 1) < sizeof(key)) {
				memcpy(key, v + 1, (size_t)(close - v - 1));
				key[close - v - 1] = '\0';
				rep = vt_recog_value(res, key);
			}
			if (!rep || rep == res->kv[i].value) {
				out[o++] = *v++;
				continue;
			}
			for (; *rep && o < VT_RECOG_VALUE_MAX; rep++)
				out[o++] = *rep;
			v = close + 1;
		}
		out[o] = '\0';
		memcpy(res->kv[i].value, out, o + 1);
	}
}

static void extract(const vt_recog_db *db, vt_rx_ctx *rx, size_t fp,
		    const uint8_t *s, vt_recog_result *res)
{
	const vt_recog_fp *f = &db->fps[fp];
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
	res->fp = (int)fp;
	res->line = f->line;
	res->n = 0;
	for (size_t k = 0; k < f->n_params; k++) {
		const vt_recog_param *p = &f->params[k];
		if (p->pos == 0) {
			set_kv(res, p->name, p->value, strlen(p->value));
			continue;
		}
		if (p->pos >= rx->last_rc || ov[2 * p->pos] == PCRE2_UNSET)
			continue;
		set_kv(res, p->name, (const char *)s + ov[2 * p->pos],
		       ov[2 * p->pos + 1] - ov[2 * p->pos]);
	}
	interpolate(res);
}

static int prepare(const vt_recog_db *db, vt_recog_ctx *c, int pf)
{
	if (pf)
		return vt_rset_ctx_prepare(db->set, &c->rx);
	return vt_rx_ctx_bits(&c->rx, vt_rset_count(db->set));
}

int vt_recog_match(const vt_recog_db *db, vt_recog_ctx *c, const uint8_t *s,
		   size_t len, int sequential, vt_recog_result *res)
{
	int fast = !sequential, pf = fast && db->prefiltered;
	size_t n = vt_rset_count(db->set);
	res->fp = -1;
	res->n = 0;
	if (!n)
		return VT_OK;
	if (prepare(db, c, pf) != VT_OK)
		return VT_ENOMEM;
	vt_rset_scan(db->set, &c->rx, s, len, !pf);
	for (size_t i = vt_rset_next(&c->rx, 0, n); i < n;
	     i = vt_rset_next(&c->rx, i + 1, n)) {
		if (vt_rset_test(db->set, &c->rx, i, s, len, fast)) {
			extract(db, &c->rx, db->fp_of[i], s, res);
			return VT_OK;
		}
	}
	return VT_OK;
}

int vt_recog_match_one(const vt_recog_db *db, vt_recog_ctx *c, size_t i,
		       const uint8_t *s, size_t len, vt_recog_result *res)
{
	res->fp = -1;
	res->n = 0;
	if (i >= db->n_fps || !db->re[i])
		return VT_OK;
	const pcre2_code *re = db->re_utf[i] && vt_utf8_valid(s, len)
				       ? db->re_utf[i]
				       : db->re[i];
	if (vt_rx_exec(&c->rx, re, s, len, 0))
		extract(db, &c->rx, i, s, res);
	return VT_OK;
}
