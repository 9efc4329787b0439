/*
 * Escaping for JSON (RFC 8259) and the terminal, and human-readable
 * units. Every device-controlled string leaves the program through here.
 */
#include "vantage/textout.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, surrogate */
	return len;
}

/* Escapes the characters of s (n bytes) that start in [*i, stop) into o
 * (room for 6 bytes per byte, plus 3); returns the bytes written. A
 * character may run past stop (it is read whole). */
static size_t json_esc(char *o, const unsigned char *s, size_t n, size_t *i,
		       size_t stop)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0, at = *i;
	while (at < stop) {
		unsigned char c = s[at];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			o[k++] = (char)c;
			at++;
			continue;
		}
		size_t l = utf8_len(s + at, n - at);
		o[k++] = '\\';
		if (c == '"' || c == '\\') {
			o[k++] = (char)c;
		} else if (c == '\n') {
			o[k++] = 'n';
		} else if (c == '\t') {
			o[k++] = 't';
		} else if (c == '\r') {
			o[k++] = 'r';
		} else if (c < 0x20 || c == 0x7f || l == 0) {
			memcpy(o + k, "u00", 3);
			o[k + 3] = hex[c >> 4];
			o[k + 4] = hex[c & 15];
			k += 5;
			l = 1;
		} else {
			k--; /* valid multi-byte UTF-8: as is */
			memcpy(o + k, s + at, l);
			k += l;
		}
		at += l;
	}
	*i = at;
	return k;
}

size_t vt_json_str_mem(char *out, const char *str, size_t n)
{
	size_t i = 0, k = 1;
	out[0] = '"';
	k += json_esc(out + k, (const unsigned char *)str, n, &i, n);
	out[k++] = '"';
	return k;
}

void vt_json_str(FILE *out, const char *str, size_t n)
{
	enum { CHUNK = 1024 };
	char buf[6 * CHUNK + 8];
	const unsigned char *s = (const unsigned char *)str;
	putc('"', out);
	for (size_t i = 0; i < n;) {
		size_t stop = n - i > CHUNK ? i + CHUNK : n;
		fwrite(buf, 1, json_esc(buf, s, n, &i, stop), out);
	}
	putc('"', out);
}

void vt_json_cstr(FILE *out, const char *s)
{
	if (!s)
		fputs("null", out);
	else
		vt_json_str(out, s, strlen(s));
}

void vt_term_safe(const char *str, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0;
	if (cap == 0)
		return;
	for (; s && *s; s++) {
		size_t need = (*s >= 0x20 && *s < 0x7f && *s != '\\') ? 1 : 4;
		if (o + need + 1 > cap) {
			if (cap >= 4) {
				o = o + 4 > cap ? cap - 4 : o;
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			out[o++] = (char)*s;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*s >> 4];
			out[o++] = hex[*s & 15];
		}
	}
	out[o] = '\0';
}

void vt_human_bytes(unsigned long long v, char *out, size_t cap)
{
	static const char units[] = "BKMGTP";
	double d = (double)v;
	int u = 0;
	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%lluB", v);
	else
		snprintf(out, cap, d < 10 ? "%.1f%c" : "%.0f%c", d, units[u]);
}
