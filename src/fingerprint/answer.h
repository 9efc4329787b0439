/*
 * Candidate answers from each source, their merge (answer.c) and the
 * device-type crosswalk (xwalk.c). Internal to src/fingerprint/.
 */
#ifndef VT_ANSWER_H
#define VT_ANSWER_H

#include <stddef.h>

#include "vantage/match.h"
#include "vantage/recog.h"

/* Precedence ranks, best first (match.h). */
enum { VT_RANK_OURS = 0, VT_RANK_NMAP, VT_RANK_RECOG, VT_RANK_SOFT };

typedef struct vt_cand {
	vt_answer a;
	int rank;
	double conf;   /* the source's confidence */
	int order;     /* tie-break among Recog databases: field order */
} vt_cand;

typedef struct vt_xwalk vt_xwalk;

/* Loads data/taxonomy/crosswalk.tsv: "source<TAB>raw value<TAB>type".
 * NULL with "path:line: reason" in errbuf. */
vt_xwalk *vt_xwalk_load(const char *path, char *errbuf);
void vt_xwalk_free(vt_xwalk *x);
/* The taxonomy for a raw value of source (case-insensitive); "unknown"
 * when raw is empty or not listed. Never NULL. */
const char *vt_xwalk_type(const vt_xwalk *x, const char *source,
			  const char *raw);
/* The static taxonomy string for an identifier, "unknown" if not one. */
const char *vt_xwalk_canon(const char *type);

void vt_cand_from_nmap(vt_cand *c, const vt_nmap_result *r,
		       const vt_xwalk *xw);
/* -1 when the result identifies nothing. */
int vt_cand_from_recog(vt_cand *c, const vt_recog_db *db,
		       const vt_recog_result *r, int ours, int order,
		       const vt_xwalk *xw);
/* Sorts c and merges it into a (a->type is never NULL). */
void vt_answer_merge(vt_cand *c, size_t n, vt_answer *a);

#endif
