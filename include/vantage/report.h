/*
 * Output formats for device records, a module kind like the dissectors:
 * a struct of function pointers per format, one table, looked up by name.
 * "table" is the aligned human table, "json" the JSON Lines contract of
 * DESIGN.md (one object per device).
 */
#ifndef VANTAGE_REPORT_H
#define VANTAGE_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "vantage/devrec.h"

typedef struct vt_devfmt {
	const char *name;
	/* Writes all n records (already sorted) to out. */
	void (*write)(FILE *out, const vt_devrec *d, size_t n);
} vt_devfmt;

const vt_devfmt *vt_devfmt_find(const char *name);

/* One device as a JSON object on one line (no newline). */
void vt_devrec_json(FILE *out, const vt_devrec *d);
/* ISO 8601 UTC with microseconds, "1970-01-01T00:00:00.000000Z". */
void vt_time_iso(uint64_t us, char *out, size_t cap);

#endif
