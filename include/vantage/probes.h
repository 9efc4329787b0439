/*
 * nmap-service-probes: the parsed file, its matcher and the probe ladder
 * (../shared/docs/NMAP-SERVICE-PROBES.md is the specification followed).
 *
 * vt_probes_load() parses the file (Debian's copy by default,
 * VT_PROBES_DEFAULT) and compiles every match/softmatch regex with PCRE2
 * (no UTF, Nmap's limits); a fault is reported as "file:line: reason" and
 * nothing is returned. The file is never copied into the repository.
 *
 * Matching a response (vt_probes_match) follows Nmap: the probe's own
 * lines then its fallbacks', in file order; the first line that matches
 * (hard or soft) decides for that probe. A hard match ends the search; the
 * first softmatch is kept and the search goes on for a hard match. When the probe that got
 * the response is unknown, the response is tried as the answer to every
 * probe of the port's ladder in turn. The answer's version fields are
 * substituted ($N, $P, $SUBST, $I), trimmed and capped as Nmap does, CPEs
 * normalised, and the match line number kept as provenance.
 *
 * The ladder (vt_ladder_*) is the order in which an active scanner sends
 * probes to one port.
 *
 * A vt_probes is immutable after loading and may be shared by threads;
 * each thread matches with its own vt_probes_ctx.
 */
#ifndef VANTAGE_PROBES_H
#define VANTAGE_PROBES_H

#include <stddef.h>
#include <stdint.h>

#define VT_PROBES_DEFAULT "/usr/share/nmap/nmap-service-probes"
#define VT_PROBES_MAX_LINE 8192
#define VT_PROBES_MAX_BUF 4096   /* Nmap's response buffer cap */
#define VT_PROBES_DEFAULT_INTENSITY 7

/* Field caps (bytes, without the NUL); a value over its cap is emptied. */
#define VT_NMAP_PRODUCT_MAX 80
#define VT_NMAP_VERSION_MAX 80
#define VT_NMAP_INFO_MAX 256
#define VT_NMAP_HOSTNAME_MAX 80
#define VT_NMAP_OS_MAX 32
#define VT_NMAP_DEVTYPE_MAX 32
#define VT_NMAP_CPE_MAX 80
#define VT_NMAP_MAX_CPES 8

enum { VT_PROTO_TCP = 6, VT_PROTO_UDP = 17 };

typedef struct vt_probes vt_probes;
typedef struct vt_probes_ctx vt_probes_ctx;

/* One probe, as the ladder hands it to a scanner (borrowed from the
 * vt_probes, valid while it lives). */
typedef struct vt_probe_info {
	const char *name;
	int proto;                /* VT_PROTO_TCP / VT_PROTO_UDP */
	const uint8_t *payload;   /* what to send (binary) */
	size_t payload_len;       /* 0 for the NULL probe */
	int rarity;               /* 1-9 */
	unsigned totalwait_ms;
	unsigned tcpwrapped_ms;
	int line;                 /* line of its Probe directive */
} vt_probe_info;

/* What a match line yielded. Strings are NUL-terminated, "" when unset. */
typedef struct vt_nmap_result {
	int matched;    /* 0 none, 1 hard match, 2 softmatch only */
	char service[64];
	char product[VT_NMAP_PRODUCT_MAX + 1];
	char version[VT_NMAP_VERSION_MAX + 1];
	char info[VT_NMAP_INFO_MAX + 1];
	char hostname[VT_NMAP_HOSTNAME_MAX + 1];
	char os[VT_NMAP_OS_MAX + 1];
	char devicetype[VT_NMAP_DEVTYPE_MAX + 1];
	char cpe[VT_NMAP_MAX_CPES][VT_NMAP_CPE_MAX + 6]; /* "cpe:/" + value */
	int n_cpe;
	int line;        /* the match line (provenance) */
	int probe;       /* index of the probe that owns the line */
} vt_nmap_result;

/* Loads and compiles path (NULL: VT_PROBES_DEFAULT). NULL on failure with
 * "path:line: reason" (or "path: reason") in errbuf (VT_ERRBUF_LEN). */
vt_probes *vt_probes_load(const char *path, char *errbuf);
/* The same from memory; name is used in messages. */
vt_probes *vt_probes_parse(const char *name, const uint8_t *buf, size_t len,
			   char *errbuf);
void vt_probes_free(vt_probes *p);

size_t vt_probes_count(const vt_probes *p);
size_t vt_probes_match_count(const vt_probes *p);
/* Probe i (0 <= i < count); index by name and protocol, or -1. */
const vt_probe_info *vt_probes_get(const vt_probes *p, size_t i);
int vt_probes_find(const vt_probes *p, int proto, const char *name);
/* The Exclude directive: 1 if (proto, port) must not be version-scanned. */
int vt_probes_excluded(const vt_probes *p, int proto, unsigned port);

/*
 * Builds the prefilter over every match line (Hyperscan, cached on disk
 * under cache_dir, NULL: the default cache) so that vt_probes_match need
 * not try each regex in turn. Without Hyperscan, or on failure, matching
 * stays sequential; VT_OK or a VT_E* code with errbuf filled.
 */
int vt_probes_prefilter(vt_probes *p, const char *cache_dir, char *errbuf);

vt_probes_ctx *vt_probes_ctx_new(const vt_probes *p);
void vt_probes_ctx_free(vt_probes_ctx *c);
/* Regex runs that ended in an error other than NOMATCH (counted as no
 * match, as Nmap does), since the context was made. */
uint64_t vt_probes_ctx_errors(const vt_probes_ctx *c);

typedef struct vt_nmap_query {
	int proto;           /* VT_PROTO_TCP / VT_PROTO_UDP */
	unsigned port;
	const char *probe;   /* probe that got the response; NULL: unknown */
	int in_tls;          /* the response came through TLS (sslports) */
	int intensity;       /* 0-9; 0 means the default (7) */
	int sequential;      /* try every regex in turn, no prefilter, no JIT */
} vt_nmap_query;

/* Matches buf (the first VT_PROBES_MAX_BUF bytes are used). Returns VT_OK
 * (res->matched says what was found) or VT_EINVAL (unknown probe). */
int vt_probes_match(const vt_probes *p, vt_probes_ctx *c,
		    const vt_nmap_query *q, const uint8_t *buf, size_t len,
		    vt_nmap_result *res);

/* --- the probe ladder (ladder.c) --- */

#define VT_LADDER_MAX 256

typedef struct vt_ladder {
	const vt_probes *p;
	int order[VT_LADDER_MAX]; /* probe indices in sending order */
	size_t n, at;
	size_t n_listed;          /* NULL and the port's own probes */
	char soft_service[64];    /* set once a softmatch names a service */
	int soft_id;              /* its id in the probes file's services */
	int done;                 /* a hard match ended the port */
} vt_ladder;

/* The order for (proto, port): NULL first (TCP), then probes whose ports
 * (sslports when in_tls) list the port, in file order, whatever their
 * rarity; then the rest in file order with rarity <= intensity. After a
 * softmatch, probes of the rest that cannot name its service are skipped. */
void vt_ladder_init(vt_ladder *l, const vt_probes *p, int proto,
		    unsigned port, int in_tls, int intensity);
/* The next probe to send, or -1 when the ladder is exhausted or done. */
int vt_ladder_next(vt_ladder *l);
/* Tells the ladder what the last probe's response matched. */
void vt_ladder_result(vt_ladder *l, const vt_nmap_result *r);
/* 1 if probe i has a match or softmatch line of its own for service
 * (Nmap's serviceIsPossible). */
int vt_probes_can_name(const vt_probes *p, int probe, const char *service);

#endif
