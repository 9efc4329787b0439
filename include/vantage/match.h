/*
 * One answer per banner: the matcher runs a response through
 * nmap-service-probes, Recog's databases and our own rules (data/rules/),
 * and merges what they say with a fixed precedence (answer.c):
 *
 *   1. our rules (data/rules/ (XML)), where Nmap and Recog are weak (CWMP,
 *      device certificates, IoT web interfaces), by preference attribute;
 *   2. an Nmap hard match;
 *   3. Recog, databases in order of their preference attribute (then
 *      Server header, auth realm, title, cookies, other fields);
 *   4. an Nmap softmatch, for the service name only (its product, d/ and
 *      CPEs are too broad to be a claim, see answer.c).
 * The first source that matched gives every field it has and the rule;
 * fields it leaves empty are filled from the next sources, in order, when
 * they do not contradict it (same service, or none). `type` is the
 * taxonomy of DESIGN.md through data/taxonomy/crosswalk.tsv from the raw
 * device type (Nmap d/, Recog hw.device / os.device).
 *
 * A vt_matcher is used by one thread (it holds the match contexts).
 */
#ifndef VANTAGE_MATCH_H
#define VANTAGE_MATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vantage/probes.h"

#define VT_MATCH_MAX_BANNER 65536  /* bytes of one banner that are kept */
#define VT_ANSWER_MAX_CPES 8
#define VT_ANSWER_MAX_RULES 8

typedef struct vt_matcher vt_matcher;

typedef struct vt_matcher_cfg {
	const char *probes_path; /* NULL: VT_PROBES_DEFAULT; "": no Nmap */
	const char *datadir;     /* data/ (recog/, rules/, taxonomy/); NULL:
				    $VT_DATADIR or the build's */
	const char *cache_dir;   /* prefilter cache; NULL: the default */
	int sequential;          /* every regex in turn, interpreter only */
	int intensity;           /* Nmap ladder, 0: default 7 */
	int no_recog;            /* skip data/recog */
} vt_matcher_cfg;

/* One response. Strings are borrowed for the call; NULL when absent. */
typedef struct vt_banner {
	int proto;               /* VT_PROTO_TCP / VT_PROTO_UDP */
	unsigned port;
	const char *probe;       /* Nmap probe name, or a Recog "matches" key
				    naming what the bytes are (ssh.banner) */
	const uint8_t *data;
	size_t len;
	const char *tls_subject; /* the server certificate, if TLS */
	const char *tls_issuer;
	const char *tls_sha256;  /* lowercase hex */
} vt_banner;

typedef struct vt_answer {
	char service[64];
	char product[VT_NMAP_PRODUCT_MAX + 1];
	char version[VT_NMAP_VERSION_MAX + 1];
	char info[VT_NMAP_INFO_MAX + 1];
	char hostname[VT_NMAP_HOSTNAME_MAX + 1];
	char os[64];
	char devicetype[64];     /* raw: Nmap d/ or Recog hw.device */
	const char *type;        /* taxonomy identifier, never NULL */
	char vendor[64];
	char model[64];          /* Recog hw.product */
	char cpe[VT_ANSWER_MAX_CPES][96];
	int n_cpe;
	char rule[192];          /* provenance of the primary source */
	char rules[VT_ANSWER_MAX_RULES][192]; /* every source that matched */
	int n_rules;
	double confidence;       /* 0..1; 0 when nothing matched */
	int soft;                /* the primary is an Nmap softmatch */
} vt_answer;

/* Loads the probes file, Recog, our rules and the crosswalk, and builds
 * the prefilters unless sequential. NULL with errbuf filled (a rule file's
 * error names file:line). */
vt_matcher *vt_matcher_new(const vt_matcher_cfg *cfg, char *errbuf);
void vt_matcher_free(vt_matcher *m);

/* A warning from loading (e.g. "prefilter: built without Hyperscan,
 * matching sequentially"), or NULL. */
const char *vt_matcher_warning(const vt_matcher *m);
/* The loaded nmap-service-probes (for a scanner's probe ladder), NULL
 * when Nmap's file is not used; borrowed, lives as long as m. */
const vt_probes *vt_matcher_probes(const vt_matcher *m);

/* Totals for the summary: rules loaded, regex errors counted. */
size_t vt_matcher_rule_count(const vt_matcher *m);
uint64_t vt_matcher_regex_errors(const vt_matcher *m);

/* Labels one banner. VT_OK, VT_EINVAL (unknown probe name: the banner is
 * still matched as if the probe were unknown, and *a filled), VT_ENOMEM. */
int vt_matcher_match(vt_matcher *m, const vt_banner *b, vt_answer *a);

/* The taxonomy for a raw device type from source "nmap" or "recog";
 * "unknown" when not listed. */
const char *vt_matcher_type(const vt_matcher *m, const char *source,
			    const char *raw);

/* --- reading banners (input.c) --- */

#define VT_MATCH_MAX_LINE (4u << 20) /* one JSON line */

/* One banner read from the input. Borrowed; valid during the callback. */
typedef struct vt_mrec {
	uint64_t line;       /* input line number, from 1 */
	const char *ip;      /* NULL when absent */
	const char *module;  /* ZGrab2 module name, NULL for our format */
	vt_banner b;
	const char *error;   /* set only for a malformed line */
} vt_mrec;

typedef struct vt_mreader vt_mreader;

vt_mreader *vt_mreader_new(void);
void vt_mreader_free(vt_mreader *r);

/*
 * Reads the next line of in (JSON Lines: our format, or ZGrab2's, told
 * apart by a top-level "data" object) and calls fn once per banner in it
 * (ZGrab2: per module with a banner; at least once). Returns 1 for a
 * line read, -1 for a malformed line (why says what; fn is not called),
 * 0 at the end. Blank lines are not records and are skipped (they still
 * count in line numbers).
 */
int vt_mreader_next(vt_mreader *r, FILE *in,
		    void (*fn)(const vt_mrec *rec, void *user), void *user,
		    char *why, size_t cap);
/* The number of the last line read. */
uint64_t vt_mreader_line(const vt_mreader *r);

#endif
