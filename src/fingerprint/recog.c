/*
 * Loader of rule databases in Recog's XML schema (recog.h), with expat.
 * DTDs are refused outright: a DOCTYPE, an entity or an element
 * declaration stops the parse with an error, so no entity can expand and
 * nothing external is read. Elements other than fingerprints,
 * fingerprint, description, example and param are ignored, as are
 * comments. Everything that grows is capped: fingerprints per file,
 * params and examples per fingerprint, text per element.
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recog_int.h"
#include "util/file.h"
#include "vantage/error.h"
#include "vantage/json.h"

#define MAX_FILE (32u << 20)

typedef struct lstate {
	XML_Parser xp;
	vt_recog_db *db;
	char *err;
	int failed;
	int in_fp;       /* inside <fingerprint> */
	int text_kind;   /* 0 none, 1 description, 2 example */
	char *text;
	size_t text_len, text_cap;
	int ex_b64;      /* the open example is base64 */
	int ex_line;
	vt_recog_kv *ex_attrs;
	size_t ex_n;
} lstate;

static void stop(lstate *st, const char *why)
{
	if (st->failed)
		return;
	st->failed = 1;
	snprintf(st->err, VT_ERRBUF_LEN, "%s:%lu: %s", st->db->path,
		 (unsigned long)XML_GetCurrentLineNumber(st->xp), why);
	XML_StopParser(st->xp, XML_FALSE);
}

static const char *attr(const XML_Char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (!strcmp(a[0], name))
			return a[1];
	return NULL;
}

static char *sdup(lstate *st, const char *s)
{
	if (!s)
		return NULL;
	if (strlen(s) > VT_RECOG_MAX_TEXT) {
		stop(st, "attribute value too long");
		return NULL;
	}
	char *d = strdup(s);
	if (!d)
		stop(st, "out of memory");
	return d;
}

static void on_root(lstate *st, const XML_Char **a)
{
	vt_recog_db *db = st->db;
	const char *m = attr(a, "matches");
	const char *pref = attr(a, "preference");
	/* A nested <fingerprints> (not Recog's schema, but well-formed)
	 * replaces the root's values rather than leaking them. */
	if (m) {
		free(db->matches);
		db->matches = sdup(st, m);
	}
	if (attr(a, "protocol")) {
		free(db->protocol);
		db->protocol = sdup(st, attr(a, "protocol"));
	}
	if (pref) {
		char *end;
		double v = strtod(pref, &end);
		if (end != pref && *end == '\0' && v >= 0 && v <= 1)
			db->preference = v;
	}
}

static void on_fingerprint(lstate *st, const XML_Char **a)
{
	vt_recog_db *db = st->db;
	const char *pat = attr(a, "pattern");
	if (!pat || !*pat)
		{
		stop(st, "fingerprint without a pattern");
		return;
	}
	if (db->n_fps >= VT_RECOG_MAX_FPS)
		{
		stop(st, "too many fingerprints");
		return;
	}
	vt_recog_fp *f = realloc(db->fps, (db->n_fps + 1) * sizeof(*f));
	if (!f)
		{
		stop(st, "out of memory");
		return;
	}
	db->fps = f;
	f = &f[db->n_fps++];
	memset(f, 0, sizeof(*f));
	f->line = (int)XML_GetCurrentLineNumber(st->xp);
	f->pattern = sdup(st, pat);
	f->flags = sdup(st, attr(a, "flags"));
	st->in_fp = 1;
}

static void on_param(lstate *st, const XML_Char **a)
{
	vt_recog_fp *f = &st->db->fps[st->db->n_fps - 1];
	const char *pos = attr(a, "pos"), *name = attr(a, "name");
	char *end;
	long p = pos ? strtol(pos, &end, 10) : -1;
	if (!pos || *end || p < 0 || p > 99 || !name || !*name)
		{
		stop(st, "param needs pos (0-99) and name");
		return;
	}
	if (f->n_params >= VT_RECOG_MAX_PARAMS)
		{
		stop(st, "too many params");
		return;
	}
	vt_recog_param *np = realloc(f->params, (f->n_params + 1) * sizeof(*np));
	if (!np)
		{
		stop(st, "out of memory");
		return;
	}
	f->params = np;
	np = &np[f->n_params++];
	np->pos = (int)p;
	np->name = sdup(st, name);
	np->value = p == 0 ? sdup(st, attr(a, "value") ? attr(a, "value") : "")
			   : NULL;
}

static void clear_ex_attrs(lstate *st)
{
	for (size_t i = 0; i < st->ex_n; i++) {
		free(st->ex_attrs[i].name);
		free(st->ex_attrs[i].value);
	}
	st->ex_n = 0;
}

static void on_example(lstate *st, const XML_Char **a)
{
	st->text_kind = 2;
	st->text_len = 0;
	st->ex_line = (int)XML_GetCurrentLineNumber(st->xp);
	st->ex_b64 = 0;
	clear_ex_attrs(st); /* an <example> nested in an unclosed one */
	for (; a[0]; a += 2) {
		if (!strcmp(a[0], "_encoding")) {
			if (strcmp(a[1], "base64"))
				{
		stop(st, "unknown example encoding");
		return;
	}
			st->ex_b64 = 1;
			continue;
		}
		if (a[0][0] == '_')
			continue; /* _filename and other test-only attributes */
		if (st->ex_n >= VT_RECOG_MAX_PARAMS)
			{
		stop(st, "too many example attributes");
		return;
	}
		vt_recog_kv *kv = realloc(st->ex_attrs,
					  (st->ex_n + 1) * sizeof(*kv));
		if (!kv)
			{
		stop(st, "out of memory");
		return;
	}
		st->ex_attrs = kv;
		kv[st->ex_n].name = sdup(st, a[0]);
		kv[st->ex_n].value = sdup(st, a[1]);
		st->ex_n++;
	}
}

static void XMLCALL on_start(void *u, const XML_Char *el, const XML_Char **a)
{
	lstate *st = u;
	if (st->failed)
		return;
	if (!strcmp(el, "fingerprints"))
		on_root(st, a);
	else if (!strcmp(el, "fingerprint"))
		on_fingerprint(st, a);
	else if (st->in_fp && !strcmp(el, "param"))
		on_param(st, a);
	else if (st->in_fp && !strcmp(el, "example"))
		on_example(st, a);
	else if (st->in_fp && !strcmp(el, "description")) {
		st->text_kind = 1;
		st->text_len = 0;
	}
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
	lstate *st = u;
	if (st->failed || !st->text_kind || len <= 0)
		return;
	if (st->text_len + (size_t)len > VT_RECOG_MAX_TEXT)
		{
		stop(st, "element text too long");
		return;
	}
	if (st->text_len + (size_t)len + 1 > st->text_cap) {
		size_t cap = (st->text_len + (size_t)len + 1) * 2;
		char *t = realloc(st->text, cap);
		if (!t)
			{
		stop(st, "out of memory");
		return;
	}
		st->text = t;
		st->text_cap = cap;
	}
	memcpy(st->text + st->text_len, s, (size_t)len);
	st->text_len += (size_t)len;
	st->text[st->text_len] = '\0';
}

/* Base64 text may be wrapped: whitespace is dropped before decoding. */
static int example_bytes(lstate *st, uint8_t **out, size_t *olen)
{
	const char *t = st->text ? st->text : "";
	size_t n = st->text_len;
	*out = malloc(n + 1);
	if (!*out)
		return -1;
	if (!st->ex_b64) {
		memcpy(*out, t, n);
		*olen = n;
		return 0;
	}
	char *packed = malloc(n + 1);
	size_t m = 0;
	if (!packed)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (t[i] != ' ' && t[i] != '\n' && t[i] != '\r' && t[i] != '\t')
			packed[m++] = t[i];
	int rc = vt_b64_decode(packed, m, *out, n + 1, olen);
	free(packed);
	return rc == VT_OK ? 0 : -1;
}

static void end_example(lstate *st)
{
	vt_recog_fp *f = &st->db->fps[st->db->n_fps - 1];
	if (f->n_examples >= VT_RECOG_MAX_EXAMPLES)
		{
		stop(st, "too many examples");
		return;
	}
	vt_recog_example *e = realloc(f->examples,
				      (f->n_examples + 1) * sizeof(*e));
	if (!e)
		{
		stop(st, "out of memory");
		return;
	}
	f->examples = e;
	e = &e[f->n_examples];
	memset(e, 0, sizeof(*e));
	if (example_bytes(st, &e->data, &e->len)) {
		free(e->data);
		{
		stop(st, "bad base64 in example");
		return;
	}
	}
	f->n_examples++;
	e->line = st->ex_line;
	e->expect = st->ex_attrs;
	e->n_expect = st->ex_n;
	st->ex_attrs = NULL;
	st->ex_n = 0;
}

static void XMLCALL on_end(void *u, const XML_Char *el)
{
	lstate *st = u;
	if (st->failed)
		return;
	if (!strcmp(el, "fingerprint")) {
		st->in_fp = 0;
	} else if (st->text_kind == 2 && !strcmp(el, "example")) {
		st->text_kind = 0;
		end_example(st);
	} else if (st->text_kind == 1 && !strcmp(el, "description")) {
		vt_recog_fp *f = &st->db->fps[st->db->n_fps - 1];
		st->text_kind = 0;
		free(f->desc);
		f->desc = sdup(st, st->text ? st->text : "");
	}
}

static void XMLCALL on_doctype(void *u, const XML_Char *name,
			       const XML_Char *sysid, const XML_Char *pubid,
			       int has_internal)
{
	stop(u, "DOCTYPE not allowed (entities are refused)");
}

static void XMLCALL on_entity(void *u, const XML_Char *name, int is_param,
			      const XML_Char *value, int value_len,
			      const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	stop(u, "entity declarations are not allowed");
}

static void parse_xml(lstate *st, const uint8_t *buf, size_t len)
{
	XML_SetUserData(st->xp, st);
	XML_SetElementHandler(st->xp, on_start, on_end);
	XML_SetCharacterDataHandler(st->xp, on_text);
	XML_SetStartDoctypeDeclHandler(st->xp, on_doctype);
	XML_SetEntityDeclHandler(st->xp, on_entity);
	XML_SetParamEntityParsing(st->xp, XML_PARAM_ENTITY_PARSING_NEVER);
	if (len > (size_t)INT32_MAX) {
		stop(st, "file too large");
		return;
	}
	if (XML_Parse(st->xp, (const char *)buf, (int)len, XML_TRUE) ==
		    XML_STATUS_ERROR &&
	    !st->failed) {
		char why[160];
		snprintf(why, sizeof(why), "%s",
			 XML_ErrorString(XML_GetErrorCode(st->xp)));
		stop(st, why);
	}
}

vt_recog_db *vt_recog_parse(const char *label, const uint8_t *buf,
			    size_t len, char *errbuf)
{
	vt_recog_db *db = calloc(1, sizeof(*db));
	lstate st = {.db = db, .err = errbuf};
	errbuf[0] = '\0';
	if (!db || !(db->path = strdup(label)) || !(db->label = strdup(label)) ||
	    !(st.xp = XML_ParserCreate("UTF-8"))) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: out of memory", label);
		vt_recog_free(db);
		return NULL;
	}
	db->preference = -1;
	parse_xml(&st, buf, len);
	XML_ParserFree(st.xp);
	clear_ex_attrs(&st);
	free(st.ex_attrs);
	free(st.text);
	if (!st.failed && vt_recog_compile(db, errbuf) != VT_OK)
		st.failed = 1;
	if (st.failed) {
		vt_recog_free(db);
		return NULL;
	}
	return db;
}

vt_recog_db *vt_recog_load(const char *path, const char *label, char *errbuf)
{
	uint8_t *buf;
	size_t len;
	int rc = vt_file_read(path, MAX_FILE, &buf, &len);
	if (rc) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", path,
			 rc == VT_EFULL ? "file too large" : "cannot read");
		return NULL;
	}
	vt_recog_db *db = vt_recog_parse(path, buf, len, errbuf);
	free(buf);
	if (db && label) {
		char *l = strdup(label);
		if (!l) {
			vt_recog_free(db);
			snprintf(errbuf, VT_ERRBUF_LEN, "%s: out of memory", path);
			return NULL;
		}
		free(db->label);
		db->label = l;
	}
	return db;
}

static void free_fp(vt_recog_fp *f)
{
	free(f->pattern);
	free(f->flags);
	free(f->desc);
	for (size_t k = 0; k < f->n_params; k++) {
		free(f->params[k].name);
		free(f->params[k].value);
	}
	free(f->params);
	for (size_t k = 0; k < f->n_examples; k++) {
		vt_recog_example *e = &f->examples[k];
		free(e->data);
		for (size_t j = 0; j < e->n_expect; j++) {
			free(e->expect[j].name);
			free(e->expect[j].value);
		}
		free(e->expect);
	}
	free(f->examples);
}

void vt_recog_free(vt_recog_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n_fps; i++)
		free_fp(&db->fps[i]);
	vt_recog_uncompile(db);
	free(db->fps);
	free(db->matches);
	free(db->protocol);
	free(db->path);
	free(db->label);
	free(db);
}

const char *vt_recog_matches(const vt_recog_db *db) { return db->matches; }
const char *vt_recog_protocol(const vt_recog_db *db) { return db->protocol; }
const char *vt_recog_label(const vt_recog_db *db) { return db->label; }
double vt_recog_preference(const vt_recog_db *db) { return db->preference; }
size_t vt_recog_count(const vt_recog_db *db) { return db->n_fps; }

const vt_recog_fp *vt_recog_get(const vt_recog_db *db, size_t i)
{
	return i < db->n_fps ? &db->fps[i] : NULL;
}
