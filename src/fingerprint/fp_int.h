/*
 * Internals shared by src/fingerprint/: compiled regexes with Nmap's
 * limits (regex.c), ordered regex sets with a multi-pattern prefilter
 * (prefilter.c), the parsed probes file (probes.c) and version-field
 * substitution (subst.c, cpe.c). Not part of the public API.
 */
#ifndef VT_FP_INT_H
#define VT_FP_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "vantage/probes.h"

/* Nmap's limits (service_scan.cc). */
#define VT_RX_MATCH_LIMIT 50000
#define VT_RX_DEPTH_LIMIT 1000
#define VT_RX_HEAP_LIMIT_KIB 10240

enum {
	VT_RX_CASELESS = 1,
	VT_RX_DOTALL = 2,
	VT_RX_MULTILINE = 4, /* ^ and $ at line breaks (Ruby's default) */
	VT_RX_ALLOW_EMPTY = 8, /* accept a pattern that can match "" (Recog) */
	VT_RX_UTF = 16,      /* UTF-8 mode; invalid subjects still match bytes */
};

/* Matching state for one thread: PCRE2 match data and context (limits),
 * the JIT stack and the prefilter's scratch space. */
typedef struct vt_rx_ctx {
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	pcre2_jit_stack *jstack;
	void *hs_scratch;     /* hs_scratch_t *, when Hyperscan is used */
	uint64_t errors;      /* matches that ended in an error, not NOMATCH */
	int last_rc;          /* pcre2_match's return for the last match */
	int subject_utf;      /* the scanned subject is valid UTF-8 (and the
				 set has UTF-8 variants) */
	uint64_t *bits;       /* candidate bitmap, sized for the largest set */
	size_t bits_words;
	const void *ready[256]; /* sets the scratch was sized for */
	size_t n_ready;
} vt_rx_ctx;

/*
 * Compiles pat (len bytes, no UTF) with flags; JIT-compiles it when
 * possible. Rejects a pattern that can match the empty string (unless
 * VT_RX_ALLOW_EMPTY: Recog has a few, harmless on non-empty values). NULL on
 * error with the reason and the offset in err.
 */
pcre2_code *vt_rx_compile(const char *pat, size_t len, unsigned flags,
			  char *err, size_t errlen);
int vt_rx_ctx_init(vt_rx_ctx *c);
void vt_rx_ctx_cleanup(vt_rx_ctx *c);
/* Makes room for a candidate bitmap of n bits; VT_OK or VT_ENOMEM. */
int vt_rx_ctx_bits(vt_rx_ctx *c, size_t n);
/*
 * Runs re on s. fast: JIT first, and only a JIT match (or error) is rerun
 * with the interpreter, so the answer is always the interpreter's under
 * Nmap's limits. Returns 1 match (c->md holds the groups), 0 otherwise
 * (errors are counted).
 */
int vt_rx_exec(vt_rx_ctx *c, const pcre2_code *re, const uint8_t *s,
	       size_t len, int fast);

/* An ordered set of regexes and its prefilter (prefilter.c). */
typedef struct vt_rset vt_rset;

vt_rset *vt_rset_new(void);
void vt_rset_free(vt_rset *s);
/* Appends a pattern (the set keeps a copy of the text for the prefilter;
 * re, the byte-mode code, and re_utf, its UTF-8 variant or NULL, are
 * borrowed and must outlive the set). Returns its index or -1. */
long vt_rset_add(vt_rset *s, const pcre2_code *re, const pcre2_code *re_utf,
		 const char *pat, size_t len, unsigned flags);
size_t vt_rset_count(const vt_rset *s);
/* Builds the prefilter; VT_OK, VT_EUNSUP (no Hyperscan) or an error. */
int vt_rset_build(vt_rset *s, const char *cache_dir, char *err, size_t errlen);
int vt_rset_has_prefilter(const vt_rset *s);
/* Prepares ctx for scanning this set (scratch, bitmap). */
int vt_rset_ctx_prepare(const vt_rset *s, vt_rx_ctx *c);
/*
 * Fills c->bits with the candidates for s: with a prefilter (and !all),
 * the patterns that may match; otherwise every pattern. VT_OK or error.
 */
int vt_rset_scan(const vt_rset *s, vt_rx_ctx *c, const uint8_t *buf,
		 size_t len, int all);
/* The first candidate in [from, to) at or after from, or to. */
size_t vt_rset_next(const vt_rx_ctx *c, size_t from, size_t to);
/* Matches pattern i of s against buf (JIT-first when fast), in UTF-8
 * mode if the last scan found buf valid UTF-8 and there is a variant. */
int vt_rset_test(const vt_rset *s, vt_rx_ctx *c, size_t i,
		 const uint8_t *buf, size_t len, int fast);

/* 1 if p holds only well-formed UTF-8. */
int vt_utf8_valid(const uint8_t *p, size_t n);

/* Frees the context's prefilter scratch (called by vt_rx_ctx_cleanup). */
void vt_rx_ctx_release_hs(vt_rx_ctx *c);

/* The default on-disk cache of compiled prefilters (caller frees), or
 * NULL when there is none ($VT_CACHE_DIR "off"). */
char *vt_fp_cache_dir(void);

/* --- the probes file (probes.c) --- */

typedef struct vt_portrange {
	uint16_t lo, hi;
} vt_portrange;

typedef struct vt_pmatch {
	int probe;         /* owning probe */
	int soft;          /* softmatch */
	int line;
	char *service;
	pcre2_code *re;
	char *tmpl[6];     /* p v i h o d templates (NULL: absent) */
	char **cpe;        /* cpe templates, without "cpe:/" */
	int n_cpe;
} vt_pmatch;

typedef struct vt_probe {
	vt_probe_info info;
	uint8_t *payload;
	vt_portrange *ports, *sslports;
	size_t n_ports, n_sslports;
	int fallback[16];  /* probe indices, not counting itself and NULL */
	int n_fallback;
	char **fb_names;   /* names until resolved at the end of the file */
	int n_fb_names;
	int fb_line;
	size_t m_first, m_end; /* its match lines: [m_first, m_end) */
	uint64_t *svc_bits;    /* services its own lines name (ids) */
} vt_probe;

struct vt_probes {
	char *path;
	vt_probe *probes;
	size_t n_probes;
	vt_pmatch *m;
	size_t n_m;
	vt_portrange *excl_tcp, *excl_udp;
	size_t n_excl_tcp, n_excl_udp;
	int has_exclude;
	int null_probe;    /* index of the NULL probe or -1 */
	vt_rset *set;      /* every match line, in file order */
	char **svc;        /* distinct service names; a line's id indexes it */
	int *m_svc;        /* per match line: its service id */
	size_t n_svc;
	int prefiltered;
};

/*
 * Parses the rest of a match/softmatch line (after the keyword) from c and
 * appends it to the last probe's lines, regex compiled. On VT_EFORMAT, why
 * says what is wrong and c is left where it was found.
 */
struct vt_cur;
int vt_pmatch_parse(vt_probes *p, struct vt_cur *c, int soft, int line,
		    char *why, size_t cap);

/* Version-info templates: p v i h o d. */
enum { VT_F_P, VT_F_V, VT_F_I, VT_F_H, VT_F_O, VT_F_D };

/*
 * Expands template t with the groups of the last match (md over subject
 * s; nset = pcre2_match's return, groups >= nset are unset) into out
 * (max bytes + NUL): $1-$9, $P(N), $SUBST(N,"a","b"), $I(N,">"|"<").
 * Returns 0, or -1 when a group is unset, a helper is malformed or the
 * result is longer than max (the field must then be empty). Trailing
 * whitespace and commas are trimmed. cpe: normalise as a CPE (subst.c).
 */
int vt_subst(const char *t, const uint8_t *s, pcre2_match_data *md,
	     int nset, char *out, size_t max, int cpe);

/* Interns service names and fills each probe's svc_bits (ladder.c). */
int vt_probes_index_services(vt_probes *p);
/* A service name's id, or -1. */
int vt_probes_service_id(const vt_probes *p, const char *service);

/* Port lists: "21,23,80-90". 0 or -1. *out is malloc'ed. */
int vt_portlist_parse(const char *s, vt_portrange **out, size_t *n);
int vt_portlist_has(const vt_portrange *r, size_t n, unsigned port);

#endif
