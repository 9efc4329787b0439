/*
 * Safe text output of untrusted strings (device-controlled hostnames,
 * banners, vendor names): JSON string literals and terminal-safe text.
 */
#ifndef VANTAGE_TEXTOUT_H
#define VANTAGE_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes s (n bytes) as a JSON string literal with quotes. Valid UTF-8 is
 * kept; control characters, quote and backslash are escaped; each byte of
 * an invalid UTF-8 sequence becomes \u00XX (its Latin-1 reading).
 */
void vt_json_str(FILE *out, const char *s, size_t n);
/* The same into out, which has room for 6 * n + 2 bytes; returns the
 * bytes written (no NUL). */
size_t vt_json_str_mem(char *out, const char *s, size_t n);
/* Same for a NUL-terminated string; NULL prints null. */
void vt_json_cstr(FILE *out, const char *s);

/*
 * Copies s into out (cap bytes, NUL-terminated) for a terminal: printable
 * ASCII as is, everything else (escape sequences, control, non-ASCII)
 * as \xHH, truncated with "..." when longer than cap allows.
 */
void vt_term_safe(const char *s, char *out, size_t cap);

/* Human units: 1536 -> "1.5K", bytes in powers of 1024. */
void vt_human_bytes(unsigned long long v, char *out, size_t cap);
#endif
