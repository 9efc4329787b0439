/*
 * A small bounded JSON reader (RFC 8259) for untrusted input: JSON Lines
 * of banners, ZGrab2 and, later, other importers' output. One call parses
 * a whole document into a flat node array owned by a reusable vt_json
 * handle; nodes are addressed by index (vt_jref) and stay valid until the
 * next parse or vt_json_free. Every input byte is read through the cursor.
 *
 * Caps (vt_json_limits): document size, nesting depth and node count;
 * exceeding one is VT_EFULL, never unbounded growth. Strings are decoded
 * (escapes resolved, \u to UTF-8, a lone surrogate to U+FFFD) into an
 * arena and NUL-terminated; their length is explicit because \u0000 is
 * legal. Raw bytes >= 0x80 are kept as they are (not validated as UTF-8).
 *
 * Also here (json_bytes.c): the two encodings of raw bytes inside JSON
 * strings that the output contract uses: printable-escape (every byte
 * outside printable ASCII, and backslash, as \xHH) and base64.
 */
#ifndef VANTAGE_JSON_H
#define VANTAGE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum vt_jtype {
	VT_JABSENT = 0, /* no such node (a lookup that found nothing) */
	VT_JNULL,
	VT_JFALSE,
	VT_JTRUE,
	VT_JNUM,
	VT_JSTR,
	VT_JARR,
	VT_JOBJ,
} vt_jtype;

typedef uint32_t vt_jref;      /* node index; VT_JNONE = absent */
#define VT_JNONE UINT32_MAX

typedef struct vt_json_limits {
	size_t max_bytes;   /* document length; default 1 MiB */
	unsigned max_depth; /* nesting of arrays/objects; default 64 */
	size_t max_nodes;   /* values + members; default 65536 */
} vt_json_limits;

typedef struct vt_json vt_json;

/* A reader with the given caps (NULL: defaults); NULL on OOM. */
vt_json *vt_json_new(const vt_json_limits *lim);
void vt_json_free(vt_json *j);

/*
 * Parses p (len bytes) as one JSON value, surrounded only by whitespace.
 * Returns VT_OK, VT_EFORMAT (not JSON), VT_EFULL (a cap) or VT_ENOMEM;
 * vt_json_error() then says where ("column 17: expected ':'").
 */
int vt_json_parse(vt_json *j, const uint8_t *p, size_t len);
const char *vt_json_error(const vt_json *j);

vt_jref vt_json_root(const vt_json *j);
vt_jtype vt_json_type(const vt_json *j, vt_jref r);
/* Member of an object by key (the first one if repeated), or VT_JNONE. */
vt_jref vt_json_get(const vt_json *j, vt_jref obj, const char *key);
/* Follows dot-separated keys ("data.http.result"); VT_JNONE if absent. */
vt_jref vt_json_path(const vt_json *j, vt_jref r, const char *path);
/* Children of an array or object in order; VT_JNONE at the end. */
vt_jref vt_json_first(const vt_json *j, vt_jref r);
vt_jref vt_json_next(const vt_json *j, vt_jref r);
size_t vt_json_count(const vt_json *j, vt_jref r);
/* The key of an object member (a child of an object), else NULL. */
const char *vt_json_key(const vt_json *j, vt_jref r, size_t *len);
/* A string's decoded bytes (NUL-terminated; *len may be NULL), else NULL. */
const char *vt_json_string(const vt_json *j, vt_jref r, size_t *len);
/* A number as an integer in [min, max] (no fraction/exponent): VT_OK,
 * else VT_EINVAL. */
int vt_json_int(const vt_json *j, vt_jref r, int64_t min, int64_t max,
		int64_t *out);

/* --- raw bytes in JSON strings (json_bytes.c) --- */

/*
 * Decodes printable-escaped text: "\xHH" (either case) is one byte, every
 * other byte stands for itself, and any other use of backslash is
 * VT_EFORMAT. Writes at most cap bytes (VT_EFULL beyond); *out_len is
 * the decoded length. *bad_at, if not NULL, gets the offset of a fault.
 */
int vt_pesc_decode(const char *s, size_t n, uint8_t *out, size_t cap,
		   size_t *out_len, size_t *bad_at);
/* Writes p as a JSON string literal of its printable-escaped text. */
void vt_pesc_json(FILE *out, const uint8_t *p, size_t n);
/* The same into out, which has room for 5 * n + 2 bytes; returns the
 * bytes written (no NUL). */
size_t vt_pesc_json_mem(char *out, const uint8_t *p, size_t n);

/* Decodes standard base64 (padding optional, no whitespace): VT_OK,
 * VT_EFORMAT, or VT_EFULL past cap. */
int vt_b64_decode(const char *s, size_t n, uint8_t *out, size_t cap,
		  size_t *out_len);

#endif
