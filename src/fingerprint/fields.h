/*
 * The values in a response that Recog-schema databases match (fields.c).
 * Internal to src/fingerprint/.
 */
#ifndef VT_FIELDS_H
#define VT_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/match.h"

#define VT_FIELDS_MAX 32

typedef struct vt_field {
	const char *key;      /* a database "matches" name */
	const uint8_t *p;     /* borrowed: the banner or the scratch buffer */
	size_t len;
} vt_field;

typedef struct vt_fields {
	vt_field v[VT_FIELDS_MAX];
	size_t n;
	uint8_t *scratch;     /* caller's buffer for rewritten values */
	size_t scratch_cap, scratch_len;
} vt_fields;

/* Fills f from b (scratch must hold 3 x b->len bytes). probe_is_key: b's
 * probe names a database key and the bytes are that value. */
void vt_fields_extract(vt_fields *f, const vt_banner *b, int probe_is_key);

#endif
