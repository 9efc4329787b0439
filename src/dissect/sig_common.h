/*
 * Shared pieces of the signal parsers (src/dissect/sig_*.c): emitting with
 * the value cap, a bounded value builder, text-header lines for SSDP and
 * HTTP, and uncompressed DNS wire-format names (DHCP options 81 and
 * DHCPv6 option 39). Internal to the library.
 */
#ifndef VT_SIG_COMMON_H
#define VT_SIG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/cursor.h"
#include "vantage/signal.h"

/* Emits name=value, cutting the value at VT_SIG_MAX_VALUE bytes. */
void vt_sig_emit(const vt_sig_sink *s, const char *name, const uint8_t *v,
		 size_t len);

/*
 * A signal value under construction: at most VT_SIG_MAX_VALUE bytes.
 * Appends that do not fit are cut and set `cut`; callers that must not
 * split an item (a number in a list) ask vt_sigbuf_room() first.
 */
typedef struct vt_sigbuf {
	uint8_t b[VT_SIG_MAX_VALUE];
	size_t len; /* bytes used, 0..VT_SIG_MAX_VALUE */
	int cut;    /* something did not fit */
} vt_sigbuf;

void vt_sigbuf_init(vt_sigbuf *sb);
int vt_sigbuf_room(const vt_sigbuf *sb, size_t n);
void vt_sigbuf_put(vt_sigbuf *sb, const void *p, size_t n);
void vt_sigbuf_putc(vt_sigbuf *sb, char ch);
void vt_sigbuf_puts(vt_sigbuf *sb, const char *str);
/* Decimal, whole or not at all (sets cut when it does not fit). */
void vt_sigbuf_u32(vt_sigbuf *sb, uint32_t v);
/* Lowercase hex of n bytes, whole bytes only. */
void vt_sigbuf_hex(vt_sigbuf *sb, const uint8_t *p, size_t n);
void vt_sigbuf_emit(const vt_sigbuf *sb, const vt_sig_sink *s,
		    const char *name);

/* ASCII case-insensitive equality of bytes and a C string. */
int vt_sig_ieq(const uint8_t *a, size_t alen, const char *b);
/* ASCII case-insensitive: does a start with the C string b? */
int vt_sig_iprefix(const uint8_t *a, size_t alen, const char *b);

/*
 * Takes the next line (up to LF, a CR before it dropped; the last line
 * may end at the end of the data) from *c into *line. Returns 0 when *c
 * is exhausted.
 */
int vt_sig_line(vt_cur *c, vt_cur *line);

/*
 * Splits a "Name: value" header line. The value has leading and trailing
 * spaces and tabs removed. Returns 0 when the line has no colon or an
 * empty name (not a header).
 */
int vt_sig_header(vt_cur line, const uint8_t **name, size_t *name_len,
		  const uint8_t **val, size_t *val_len);

#define VT_SIG_MAX_HEADERS 100 /* header lines read per message */

typedef void (*vt_sig_header_fn)(void *user, const uint8_t *name,
				 size_t name_len, const uint8_t *val,
				 size_t val_len);

/*
 * Reads header lines from *c until a blank line or the end of the data,
 * calling fn for each "Name: value" (lines that are not headers are
 * skipped). Returns VT_DIS_OK, or VT_DIS_MALFORMED after
 * VT_SIG_MAX_HEADERS lines without the end of the headers.
 */
int vt_sig_headers(vt_cur *c, vt_sig_header_fn fn, void *user);

/*
 * Appends an uncompressed DNS wire-format name (RFC 1035 3.1) from c as
 * dotted text, without the root dot. A name may end at the end of c
 * without a root label (DHCPv6 partial names). Returns VT_DIS_OK or
 * VT_DIS_MALFORMED (a compression pointer, an extended label type, or a
 * label running past the end).
 */
int vt_sig_wire_name(vt_cur *c, vt_sigbuf *out);

/*
 * Emits tls_cert_issuer and tls_cert_subject of one DER certificate
 * (RFC 5280 4.1) as RFC 4514 strings (sig_x509.c). A certificate cut short
 * yields the names that are complete. Returns a vt_dis_result.
 */
int vt_sig_x509_names(vt_cur der, const vt_sig_sink *s);

/* TLS GREASE values (RFC 8701): 0x?a?a with both bytes equal. */
static inline int vt_sig_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

#endif
