/*
 * Internals shared by the importers (src/import/): the reading context,
 * observation helpers and the JSON Lines loop. Not part of the public API.
 */
#ifndef VT_IMPORT_INT_H
#define VT_IMPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/import.h"
#include "vantage/json.h"

#define IMP_MAX_BANNER 65536 /* bytes of one banner kept (the matcher's) */

typedef struct imp_ctx {
	vt_imp_src *src;
	const vt_imp_sink *sink;
	vt_imp_stats *st;
	char *why;          /* the caller's message buffer */
	size_t why_cap;
	vt_json *j;         /* JSON formats */
	uint8_t *buf;       /* IMP_MAX_BANNER bytes: a decoded banner */
	char *http;         /* IMP_MAX_BANNER bytes: a rebuilt HTTP response */
	size_t http_len;
	vt_imp_obs o;       /* the observation being built */
	int stop;           /* the sink's non-zero return */
	char bad[256];      /* why the current record is malformed */
} imp_ctx;

/* Each format's reader: VT_OK at the end of the file, else an error. */
int vt_imp_read_zgrab2(imp_ctx *c);
int vt_imp_read_censys(imp_ctx *c);
int vt_imp_read_censys_legacy(imp_ctx *c);
int vt_imp_read_xml(imp_ctx *c);       /* Nmap and masscan -oX */
int vt_imp_read_masscan_json(imp_ctx *c);
int vt_imp_read_masscan_ndjson(imp_ctx *c);
int vt_imp_read_masscan_list(imp_ctx *c);
int vt_imp_read_zmap_csv(imp_ctx *c);
int vt_imp_read_zmap_json(imp_ctx *c);

/* Starts a fresh observation for the record at line. */
void imp_obs_reset(imp_ctx *c, uint64_t line);
/* Sets the address from text (IPv4 or IPv6): 0, or -1 if not one. */
int imp_obs_ip(vt_imp_obs *o, const char *s);
/* Sets the port: proto "tcp"/"udp" (NULL: tcp). 0, or -1 if invalid. */
int imp_obs_port(vt_imp_obs *o, const char *proto, int64_t port);
/* Adds a label; a port observation's value is prefixed "tcp/80 ". */
void imp_label(vt_imp_obs *o, const char *signal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copies a banner into c->buf (capped) and points the observation at it. */
void imp_obs_banner(imp_ctx *c, const uint8_t *p, size_t n);
/* Hands the observation to the sink; counts it. Returns the sink's rc. */
int imp_emit(imp_ctx *c);
/* Reports the current record as malformed (c->bad says why). */
void imp_bad(imp_ctx *c, uint64_t line);
/* Formats c->bad; returns -1 for "return imp_why(...)" in record parsers. */
int imp_why(imp_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Seconds (decimal string or number, or ISO 8601 "YYYY-MM-DDTHH:MM:SS",
 * optional fraction and zone Z/+hh:mm) to microseconds; 0 if not one. */
uint64_t imp_time_us(const char *s);
/* A JSON string or integer as a time (imp_time_us), 0 when absent. */
uint64_t imp_json_time(const vt_json *j, vt_jref r);
/* A JSON integer or decimal string in [0, max]: 0, else -1. */
int imp_json_uint(const vt_json *j, vt_jref r, int64_t max, int64_t *out);
/* A string member, or NULL. */
const char *imp_jstr(const vt_json *j, vt_jref o, const char *path);

/* Maps UTF-8 code points U+0080-U+00FF back to single bytes in place
 * (masscan writes every byte outside ASCII as \u00XX); other sequences
 * stay as they are. Returns the new length. */
size_t imp_latin1(uint8_t *p, size_t n);
/* Hex text (no separators) into out: VT_OK, VT_EFORMAT or VT_EFULL. */
int imp_hex_decode(const char *s, size_t n, uint8_t *out, size_t cap,
		   size_t *out_len);

/*
 * Reads every line as one JSON value (blank lines skipped) and calls rec
 * for each; rec returns 0, or -1 for a malformed record (c->bad says
 * why). prep, if not NULL, may trim a line (masscan -oJ's commas) and
 * returns 0 to skip it. Stream errors end the loop with their code.
 */
int imp_json_lines(imp_ctx *c, int (*rec)(imp_ctx *c, vt_jref root),
		   int (*prep)(char **line, size_t *len));

/* HTTP responses rebuilt from JSON into c->http (capped). */
void imp_http_reset(imp_ctx *c);
void imp_http_put(imp_ctx *c, const char *s, size_t n);
void imp_http_puts(imp_ctx *c, const char *s);
/*
 * Rebuilds an HTTP response into c->http and makes it the observation's
 * banner (probe GetRequest): "<proto> <status>\r\n", a line per header
 * value, a blank line, the body. status is a full status line ("200 OK")
 * or NULL (then code alone). headers is an object whose keys are header
 * names in any of the scanners' spellings (content_type, Content_Type):
 * '_' becomes '-' and words are capitalised; values are strings or arrays
 * of strings; "unknown" holds ZGrab's [{key, value[]}]; keys starting
 * with '_' are metadata and skipped.
 */
void imp_http_response(imp_ctx *c, const char *proto, int64_t code,
		       const char *status, vt_jref headers, const char *body,
		       size_t body_len);
/* Adds the certificate names found under cert (a ZGrab/Censys
 * "certificate" object: parsed.{subject_dn, issuer_dn,
 * fingerprint_sha256}) to the observation; 1 if there was one. */
int imp_zgrab_cert(imp_ctx *c, vt_jref cert);

#endif
