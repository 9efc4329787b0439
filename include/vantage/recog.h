/*
 * Rule databases in Recog's XML schema (github.com/rapid7/recog,
 * xml/fingerprints.xsd): Recog's own fingerprints (vendored under
 * data/recog/) and ours (data/rules/, same schema, see its README). One
 * file is one database: <fingerprints matches="http_header.server" ...>
 * holding <fingerprint pattern="..." flags="..."> elements with
 * <description>, <example attr="expected"...>text</example> and
 * <param pos="N" name="..." value="..."/>.
 *
 * The XML is read with expat with DTDs refused: a DOCTYPE or an entity
 * declaration is an error (no entity expansion, no external entities).
 * Errors are "file:line: reason". Recog's regexes are Ruby regexes; they
 * are translated to PCRE2 (recog_match.c): ^ and $ match at line breaks
 * as in Ruby, Ruby's (?m) and the MULTILINE flags are PCRE's dot-all.
 *
 * Matching a value (an HTTP Server header, an SSH banner, ...) against a
 * database gives the first fingerprint in file order that matches, and
 * its params: fixed values (pos 0), capture groups (pos N), then
 * "{name}" references interpolated.
 */
#ifndef VANTAGE_RECOG_H
#define VANTAGE_RECOG_H

#include <stddef.h>
#include <stdint.h>

#define VT_RECOG_MAX_PARAMS 48      /* per fingerprint */
#define VT_RECOG_MAX_EXAMPLES 128   /* per fingerprint */
#define VT_RECOG_MAX_FPS 20000      /* per file */
#define VT_RECOG_MAX_TEXT 65536     /* one element's text or attribute */
#define VT_RECOG_VALUE_MAX 255      /* a param value in a result */

typedef struct vt_recog_db vt_recog_db;
typedef struct vt_recog_ctx vt_recog_ctx;

typedef struct vt_recog_kv {
	char *name;
	char *value;
} vt_recog_kv;

typedef struct vt_recog_param {
	int pos;        /* 0: fixed value; N: capture group N */
	char *name;
	char *value;    /* pos 0 (may hold {name} references); else NULL */
} vt_recog_param;

typedef struct vt_recog_example {
	uint8_t *data;      /* the example text (base64-decoded if so marked) */
	size_t len;
	int line;
	vt_recog_kv *expect; /* attributes: the values matching must give */
	size_t n_expect;
} vt_recog_example;

typedef struct vt_recog_fp {
	char *pattern;      /* as written in the file */
	char *flags;        /* the flags attribute, or NULL */
	char *desc;
	int line;           /* line of the <fingerprint> element */
	vt_recog_param *params;
	size_t n_params;
	vt_recog_example *examples;
	size_t n_examples;
	int compiled;       /* 0: the pattern did not compile (skipped) */
	char compile_error[160];
} vt_recog_fp;

typedef struct vt_recog_result {
	int fp;             /* fingerprint index, -1: no match */
	int line;
	size_t n;
	struct {
		char name[64];
		char value[VT_RECOG_VALUE_MAX + 1];
	} kv[VT_RECOG_MAX_PARAMS];
} vt_recog_result;

/*
 * Loads one XML database. label prefixes rule names in results (e.g.
 * "recog:http_servers.xml" or "data/rules/cwmp.xml"). A pattern that
 * PCRE2 rejects does not fail the load: the fingerprint is kept with
 * compiled = 0 and never matches (vt_recog_fp.compile_error says why).
 * NULL on error with "path:line: reason" in errbuf (VT_ERRBUF_LEN).
 */
vt_recog_db *vt_recog_load(const char *path, const char *label, char *errbuf);
vt_recog_db *vt_recog_parse(const char *label, const uint8_t *buf,
			    size_t len, char *errbuf);
void vt_recog_free(vt_recog_db *db);

/* The root's matches attribute, or the file name without ".xml" when it
 * has none (telnet_banners); protocol and preference (-1 if absent). */
const char *vt_recog_matches(const vt_recog_db *db);
const char *vt_recog_protocol(const vt_recog_db *db);
const char *vt_recog_label(const vt_recog_db *db);
double vt_recog_preference(const vt_recog_db *db);
size_t vt_recog_count(const vt_recog_db *db);
const vt_recog_fp *vt_recog_get(const vt_recog_db *db, size_t i);

/* Builds the database's prefilter (prefilter.c), cached under cache_dir
 * (NULL: the default cache); VT_OK or VT_EUNSUP. */
int vt_recog_prefilter(vt_recog_db *db, const char *cache_dir, char *errbuf);

vt_recog_ctx *vt_recog_ctx_new(void);
void vt_recog_ctx_free(vt_recog_ctx *c);

/* The first fingerprint that matches s; res->fp = -1 when none.
 * sequential: every regex in turn with the interpreter. */
int vt_recog_match(const vt_recog_db *db, vt_recog_ctx *c, const uint8_t *s,
		   size_t len, int sequential, vt_recog_result *res);
/* Only fingerprint i (for the example tests). */
int vt_recog_match_one(const vt_recog_db *db, vt_recog_ctx *c, size_t i,
		       const uint8_t *s, size_t len, vt_recog_result *res);
/* A param of a result by name, or NULL. */
const char *vt_recog_value(const vt_recog_result *res, const char *name);

#endif
