/*
 * Loader of identification rule files (format: data/ident/README.md).
 * One rule per line:  SIGNAL OP "PATTERN" -> FIELD=VALUE... [weight=W]
 * Lines are read through the cursor; any error stops the file with
 * "file:line:column: reason".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident/rules_int.h"
#include "util/file.h"
#include "vantage/cursor.h"
#include "vantage/error.h"

const char *const vt_rule_fields[F_COUNT] = {"vendor", "type", "model", "os"};

static const char *const types[] = {
	"router",  "camera",  "media",	 "tv",	       "voice_assistant",
	"smart_home", "printer", "storage", "game_console", "health",
	"computer", "phone",   "generic_iot", "unknown"};

int vt_type_valid(const char *t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i], t))
			return 1;
	return 0;
}

typedef struct lexer {
	vt_cur c;
	const char *file;
	unsigned line;
	char *err; /* errbuf */
} lexer;

/* Reports why, at byte offset `at` of the line (1-based column). */
static int fail_at(lexer *lx, size_t at, const char *why)
{
	snprintf(lx->err, VT_ERRBUF_LEN, "%s:%u:%zu: %s", lx->file, lx->line,
		 at + 1, why);
	return VT_EFORMAT;
}

static int fail(lexer *lx, const char *why) { return fail_at(lx, lx->c.off, why); }

static void skip_ws(lexer *lx)
{
	while (cur_peek(&lx->c, 0) == ' ' || cur_peek(&lx->c, 0) == '\t')
		cur_u8(&lx->c);
}

/* A bare word: letters, digits and _.-+:/ ; returns its length. */
static size_t word(lexer *lx, char *out, size_t cap)
{
	size_t n = 0;
	skip_ws(lx);
	while (cur_left(&lx->c) > 0) {
		uint8_t ch = cur_peek(&lx->c, 0);
		if (ch == ' ' || ch == '\t' || ch == '=' || ch == '"')
			break;
		cur_u8(&lx->c);
		if (n + 1 < cap)
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n;
}

/*
 * A "quoted" string. \" is a quote; any other backslash is kept with the
 * character after it, so regex escapes (\. \d \() pass through as written.
 */
static int quoted(lexer *lx, char *out, size_t cap, size_t *len)
{
	size_t n = 0;
	skip_ws(lx);
	if (cur_u8(&lx->c) != '"')
		return fail(lx, "expected a \"quoted\" string");
	for (;;) {
		if (cur_left(&lx->c) == 0)
			return fail(lx, "unterminated string");
		uint8_t ch = cur_u8(&lx->c);
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (cur_left(&lx->c) == 0)
				return fail(lx, "unterminated string");
			if (cur_peek(&lx->c, 0) == '"') {
				ch = cur_u8(&lx->c);
			} else {
				if (n + 2 >= cap)
					return fail(lx, "string too long");
				out[n++] = '\\';
				ch = cur_u8(&lx->c);
			}
		}
		if (n + 1 >= cap)
			return fail(lx, "string too long");
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	*len = n;
	return VT_OK;
}

static int parse_op(lexer *lx, rule *r)
{
	static const char *const ops[] = {"is", "prefix", "suffix", "contains",
					  "regex"};
	char w[16];
	skip_ws(lx);
	size_t at = lx->c.off;
	word(lx, w, sizeof(w));
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!strcmp(w, ops[i])) {
			r->op = (uint8_t)i;
			return VT_OK;
		}
	}
	return fail_at(lx, at, "expected is, prefix, suffix, contains or regex");
}

static int compile(lexer *lx, rule *r)
{
	int code;
	PCRE2_SIZE at;
	r->re = pcre2_compile((PCRE2_SPTR)r->pattern, r->plen, PCRE2_CASELESS,
			      &code, &at, NULL);
	if (!r->re) {
		char msg[160], why[200];
		pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof(msg));
		snprintf(why, sizeof(why), "bad regex at offset %zu: %s",
			 (size_t)at, msg);
		return fail(lx, why);
	}
	pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE); /* optional speed-up */
	return VT_OK;
}

static int parse_weight(lexer *lx, rule *r, const char *v)
{
	char *end;
	double w = strtod(v, &end);
	if (*end || !(w > 0 && w <= 1))
		return fail(lx, "weight must be a number in (0, 1]");
	r->weight = w;
	return VT_OK;
}

/* FIELD=VALUE or weight=W; VALUE bare or quoted. */
static int parse_assign(lexer *lx, rule *r)
{
	char key[16], val[256];
	size_t len;
	skip_ws(lx);
	size_t at = lx->c.off;
	word(lx, key, sizeof(key));
	if (cur_u8(&lx->c) != '=')
		return fail(lx, "expected FIELD=VALUE");
	if (cur_peek(&lx->c, 0) == '"') {
		if (quoted(lx, val, sizeof(val), &len))
			return VT_EFORMAT;
	} else if (!word(lx, val, sizeof(val))) {
		return fail(lx, "empty value");
	}
	if (!strcmp(key, "weight"))
		return parse_weight(lx, r, val);
	for (int f = 0; f < F_COUNT; f++) {
		if (strcmp(key, vt_rule_fields[f]))
			continue;
		if (f == F_TYPE && !vt_type_valid(val))
			return fail(lx, "type is not in the taxonomy");
		if (r->n_as >= RULE_MAX_ASSIGN)
			return fail(lx, "too many assignments");
		r->as[r->n_as].field = (uint8_t)f;
		if (!(r->as[r->n_as].value = strdup(val)))
			return VT_ENOMEM;
		r->n_as++;
		return VT_OK;
	}
	return fail_at(lx, at, "expected vendor, type, model, os or weight");
}

static int parse_rule(lexer *lx, rule *r)
{
	char sig[64], pat[VT_RULE_LINE_MAX];
	size_t plen;
	if (!word(lx, sig, sizeof(sig)))
		return fail(lx, "expected a signal name");
	if (parse_op(lx, r) || quoted(lx, pat, sizeof(pat), &plen))
		return VT_EFORMAT;
	if (plen == 0)
		return fail(lx, "empty pattern");
	skip_ws(lx);
	if (cur_peek(&lx->c, 0) != '-' || cur_peek(&lx->c, 1) != '>')
		return fail(lx, "expected ->");
	cur_skip(&lx->c, 2);
	r->signal = strdup(sig);
	r->pattern = malloc(plen + 1); /* may hold NUL bytes: copy by length */
	if (!r->signal || !r->pattern)
		return VT_ENOMEM;
	memcpy(r->pattern, pat, plen + 1);
	r->plen = plen;
	r->weight = 0.5;
	if (r->op == OP_REGEX && compile(lx, r))
		return VT_EFORMAT;
	for (skip_ws(lx); cur_left(&lx->c) > 0; skip_ws(lx))
		if (parse_assign(lx, r))
			return VT_EFORMAT;
	if (!r->n_as)
		return fail(lx, "a rule needs at least one FIELD=VALUE");
	return VT_OK;
}

static void rule_free(rule *r)
{
	free(r->signal);
	free(r->pattern);
	pcre2_code_free(r->re);
	for (int i = 0; i < r->n_as; i++)
		free(r->as[i].value);
}

vt_rules *vt_rules_new(void)
{
	vt_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->md = pcre2_match_data_create(10, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	if (!r->md || !r->mctx) {
		vt_rules_free(r);
		return NULL;
	}
	pcre2_set_match_limit(r->mctx, 50000);
	pcre2_set_depth_limit(r->mctx, 1000);
	return r;
}

void vt_rules_free(vt_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rule_free(&r->rules[i]);
	free(r->rules);
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i]);
	free(r->files);
	for (size_t i = 0; i < r->n_vm; i++) {
		free(r->vm[i].pattern);
		free(r->vm[i].brand);
	}
	free(r->vm);
	free(r->heads);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	free(r);
}

size_t vt_rules_count(const vt_rules *r) { return r->n; }

static int add_path(vt_rules *r, const char *path)
{
	char **nf = realloc(r->files, (r->n_files + 1) * sizeof(*nf));
	if (!nf)
		return VT_ENOMEM;
	r->files = nf;
	if (!(nf[r->n_files] = strdup(path)))
		return VT_ENOMEM;
	r->n_files++;
	return VT_OK;
}

/* Parses the rule at lx into the next slot, reading signal `name`. */
static int one_rule(vt_rules *r, lexer *lx, const char *name)
{
	if (r->n >= VT_RULES_MAX)
		return fail(lx, "too many rules");
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 256;
		rule *nr = realloc(r->rules, nc * sizeof(*nr));
		if (!nr)
			return VT_ENOMEM;
		r->rules = nr;
		r->cap = nc;
	}
	rule *ru = &r->rules[r->n];
	memset(ru, 0, sizeof(*ru));
	int e = parse_rule(lx, ru);
	if (!e) {
		free(ru->signal);
		if (!(ru->signal = strdup(name)))
			e = VT_ENOMEM;
	}
	if (e) {
		rule_free(ru);
		return e;
	}
	ru->file = (uint32_t)(r->n_files - 1);
	ru->line = lx->line;
	r->n++;
	return VT_OK;
}

/*
 * Parses one line (without its newline), unless blank or a comment. A
 * signal list "a|b" makes one rule per signal from the same line.
 */
static int line_rule(vt_rules *r, lexer *lx)
{
	char names[128];
	skip_ws(lx);
	if (cur_left(&lx->c) == 0 || cur_peek(&lx->c, 0) == '#')
		return VT_OK;
	vt_cur start = lx->c;
	if (!word(lx, names, sizeof(names)))
		return fail(lx, "expected a signal name");
	for (char *n = names, *bar; n; n = bar ? bar + 1 : NULL) {
		if ((bar = strchr(n, '|')))
			*bar = '\0';
		if (!*n)
			return fail(lx, "empty signal name in a list");
		lx->c = start;
		int e = one_rule(r, lx, n);
		if (e)
			return e;
	}
	return VT_OK;
}

/* Rebuilds the per-signal chains so a signal meets only its rules. */
static int index_rules(vt_rules *r)
{
	free(r->heads);
	r->heads = calloc(r->n ? r->n : 1, sizeof(*r->heads));
	r->n_heads = 0;
	if (!r->heads)
		return VT_ENOMEM;
	uint32_t *tail = calloc(r->n ? r->n : 1, sizeof(*tail));
	if (!tail)
		return VT_ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		size_t h = 0;
		while (h < r->n_heads && strcmp(r->heads[h].name, r->rules[i].signal))
			h++;
		r->rules[i].next = 0;
		if (h == r->n_heads) {
			r->heads[h].name = r->rules[i].signal;
			r->heads[h].first = (uint32_t)i + 1;
			r->n_heads++;
		} else {
			r->rules[tail[h] - 1].next = (uint32_t)i + 1;
		}
		tail[h] = (uint32_t)i + 1;
	}
	free(tail);
	return VT_OK;
}

int vt_rules_add_file(vt_rules *r, const char *path, char *errbuf)
{
	uint8_t *buf;
	size_t len;
	int e = vt_file_read(path, 16u << 20, &buf, &len);
	if (e) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot read rule file", path);
		return e;
	}
	e = vt_rules_add_buffer(r, path, buf, len, errbuf);
	free(buf);
	return e;
}

int vt_rules_add_buffer(vt_rules *r, const char *name, const uint8_t *buf,
			size_t len, char *errbuf)
{
	int e = add_path(r, name);
	if (e != VT_OK)
		return e;
	lexer lx = {.file = name, .line = 0, .err = errbuf};
	vt_cur all;
	cur_init(&all, buf, len);
	while (cur_left(&all) > 0 && !e) {
		size_t n = 0;
		while (n < cur_left(&all) && cur_peek(&all, n) != '\n')
			n++;
		lx.line++;
		if (n > VT_RULE_LINE_MAX) {
			e = fail(&lx, "line too long");
			break;
		}
		lx.c = cur_sub(&all, n);
		if (lx.c.len && lx.c.p[lx.c.len - 1] == '\r')
			lx.c.len--;
		e = line_rule(r, &lx);
		cur_skip(&all, 1); /* the newline, if any */
		all.err = 0;
	}
	int ie = index_rules(r);
	return e ? e : ie;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.rules names in dir, sorted; caller frees each and the array. */
static int list_rules(const char *dir, char ***out, size_t *n_out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;
	if (!d)
		return VT_EIO;
	while ((e = readdir(d)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l < 7 || strcmp(e->d_name + l - 6, ".rules") || e->d_name[0] == '.')
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv || !(nv[n] = strdup(e->d_name))) {
			v = nv ? nv : v;
			break;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	*n_out = n;
	return VT_OK;
}

int vt_rules_add_dir(vt_rules *r, const char *dir, const char *shown,
		     char *errbuf)
{
	char **names, path[1024], label[1024];
	size_t n;
	if (list_rules(dir, &names, &n) != VT_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot open rules directory",
			 dir);
		return VT_EIO;
	}
	int e = VT_OK;
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(label, sizeof(label), "%s/%s", shown ? shown : dir,
			 names[i]);
		if (!e && (e = vt_file_read(path, 16u << 20, &buf, &len)) != VT_OK)
			snprintf(errbuf, VT_ERRBUF_LEN, "%s: cannot read rule file",
				 path);
		else if (!e) {
			e = vt_rules_add_buffer(r, label, buf, len, errbuf);
			free(buf);
		}
		free(names[i]);
	}
	free(names);
	if (e)
		return e;
	if (n == 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: no *.rules files", dir);
		return VT_ENOTFOUND;
	}
	snprintf(path, sizeof(path), "%s/vendors.tsv", dir);
	return vt_rules_add_vendors(r, path, errbuf);
}
