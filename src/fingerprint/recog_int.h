/*
 * Internals of the Recog-schema databases (recog.c loads, recog_match.c
 * compiles and matches). Not part of the public API.
 */
#ifndef VT_RECOG_INT_H
#define VT_RECOG_INT_H

#include "fp_int.h"
#include "vantage/recog.h"

struct vt_recog_db {
	char *path;
	char *label;      /* rule name prefix */
	char *matches;    /* root matches=, or the file stem */
	char *protocol;
	double preference; /* -1: absent */
	vt_recog_fp *fps;
	size_t n_fps;
	pcre2_code **re;  /* per fingerprint, byte mode; NULL: did not compile */
	pcre2_code **re_utf; /* its UTF-8 mode variant; NULL for binary ones */
	long *set_index;  /* fingerprint -> index in set, -1 if not compiled */
	size_t *fp_of;    /* set index -> fingerprint */
	vt_rset *set;
	int prefiltered;
};

struct vt_recog_ctx {
	vt_rx_ctx rx;
};

/* Translates and compiles every pattern; VT_OK or VT_ENOMEM. */
int vt_recog_compile(vt_recog_db *db, char *errbuf);
void vt_recog_uncompile(vt_recog_db *db);
/* Ruby regex text to PCRE2 (caller frees); flags get VT_RX_* bits. */
char *vt_recog_translate(const char *ruby, const char *flags_attr,
			 unsigned *flags);

#endif
