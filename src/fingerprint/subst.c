/*
 * Version-field templates of nmap-service-probes (service_scan.cc
 * dotmplsubst/substvar): "$N" (one digit) is capture N as raw bytes;
 * "$P(N)" keeps only its printable bytes; "$SUBST(N,"find","repl")"
 * replaces occurrences left to right; "$I(N,">")" / "$I(N,"<")" reads up
 * to 8 bytes as a big/little-endian unsigned integer, printed in decimal.
 * An unset group, a malformed helper or a value past the field's cap
 * makes the whole field fail (the caller empties it); trailing whitespace
 * and commas are trimmed. A '$' that starts none of these is literal.
 * In a CPE field the captured text is normalised as Nmap does: the
 * characters :/?#[]@!$&'()*+,;=%<>" and backquote become %xx, whitespace
 * '_', and the whole value is lowercased.
 */
#include <stdio.h>
#include <string.h>

#include "fp_int.h"

typedef struct out_buf {
	char *p;
	size_t len, max; /* max bytes without the NUL */
	int cpe;         /* CPE field: transform captured bytes */
} out_buf;

static int put(out_buf *o, const void *s, size_t n)
{
	if (n > o->max - o->len)
		return -1;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	return 0;
}

/* Captured bytes: as they are, or CPE-escaped in a CPE field. */
static int put_cap(out_buf *o, const uint8_t *s, size_t n)
{
	static const char special[] = ":/?#[]@!$&'()*+,;=%<>\"`";
	static const char hex[] = "0123456789abcdef";
	if (!o->cpe)
		return put(o, s, n);
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = s[i];
		char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
		int rc;
		if (ch == ' ' || (ch >= '\t' && ch <= '\r'))
			rc = put(o, "_", 1);
		else if (ch && strchr(special, ch))
			rc = put(o, e, 3);
		else {
			char l = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
			rc = put(o, &l, 1);
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* Group n of the last match, or -1 when out of range or unset. */
static int group(pcre2_match_data *md, int nset, int n, size_t *start,
		 size_t *len)
{
	if (n < 0 || n >= nset)
		return -1;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	if (ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] < ov[2 * n])
		return -1;
	*start = ov[2 * n];
	*len = ov[2 * n + 1] - ov[2 * n];
	return 0;
}

/* A quoted argument "..." (no escapes, as Nmap). */
static int quoted(const char **t, const char **s, size_t *n)
{
	const char *p = *t;
	if (*p != '"')
		return -1;
	const char *e = strchr(p + 1, '"');
	if (!e)
		return -1;
	*s = p + 1;
	*n = (size_t)(e - p - 1);
	*t = e + 1;
	return 0;
}

static int do_subst(out_buf *o, const uint8_t *v, size_t vlen,
		    const char *find, size_t flen, const char *repl,
		    size_t rlen)
{
	for (size_t i = 0; i < vlen;) {
		if (flen && flen <= vlen - i && !memcmp(v + i, find, flen)) {
			if (put_cap(o, (const uint8_t *)repl, rlen))
				return -1;
			i += flen;
		} else {
			if (put_cap(o, v + i, 1))
				return -1;
			i++;
		}
	}
	return 0;
}

static int do_int(out_buf *o, const uint8_t *v, size_t vlen, int big)
{
	unsigned long long x = 0;
	char num[24];
	if (vlen > 8)
		return -1;
	for (size_t i = 0; i < vlen; i++)
		x |= (unsigned long long)v[big ? i : vlen - 1 - i]
		     << (8 * (vlen - 1 - i));
	int n = snprintf(num, sizeof(num), "%llu", x);
	return put(o, num, (size_t)n);
}

/* A helper after '$' at *t: returns 1 if handled (0 ok / -1 failed in
 * *res), 0 if *t does not start a helper (the '$' is literal). */
static int helper(const char **t, const uint8_t *s, pcre2_match_data *md,
		  int nset, out_buf *o, int *res)
{
	const char *p = *t;
	int kind = !strncmp(p, "P(", 2) ? 1 : !strncmp(p, "SUBST(", 6) ? 2
		 : !strncmp(p, "I(", 2)	    ? 3
					    : 0;
	if (!kind)
		return 0;
	p += kind == 2 ? 6 : 2;
	*res = -1;
	*t = p;
	if (*p < '0' || *p > '9')
		return 1;
	size_t gs, gl;
	int gr = group(md, nset, *p++ - '0', &gs, &gl);
	const char *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	if (kind == 2 && (*p++ != ',' || quoted(&p, &a, &al) ||
			  *p++ != ',' || quoted(&p, &b, &bl)))
		return 1;
	if (kind == 3 && (*p++ != ',' || quoted(&p, &a, &al) || al != 1 ||
			  (a[0] != '<' && a[0] != '>')))
		return 1;
	if (*p++ != ')')
		return 1;
	*t = p;
	if (gr)
		return 1;
	const uint8_t *v = s + gs;
	if (kind == 1) {
		for (size_t i = 0; i < gl; i++)
			if (v[i] >= 0x20 && v[i] < 0x7f && put_cap(o, v + i, 1))
				return 1;
		*res = 0;
	} else if (kind == 2) {
		*res = do_subst(o, v, gl, a, al, b, bl);
	} else {
		*res = do_int(o, v, gl, a[0] == '>');
	}
	return 1;
}

int vt_subst(const char *t, const uint8_t *s, pcre2_match_data *md,
	     int nset, char *out, size_t max, int cpe)
{
	out_buf o = {out, 0, max, cpe};
	out[0] = '\0';
	while (*t) {
		if (*t != '$') {
			char ch = *t++;
			if (cpe && ch >= 'A' && ch <= 'Z')
				ch = (char)(ch + 32);
			if (put(&o, &ch, 1))
				return -1;
			continue;
		}
		t++;
		if (*t >= '0' && *t <= '9') {
			size_t gs, gl;
			if (group(md, nset, *t++ - '0', &gs, &gl) ||
			    put_cap(&o, s + gs, gl))
				return -1;
			continue;
		}
		int res;
		if (helper(&t, s, md, nset, &o, &res)) {
			if (res)
				return -1;
			continue;
		}
		if (put(&o, "$", 1))
			return -1;
	}
	while (o.len && (out[o.len - 1] == ' ' || out[o.len - 1] == '\t' ||
			 out[o.len - 1] == '\r' || out[o.len - 1] == '\n' ||
			 out[o.len - 1] == '\v' || out[o.len - 1] == '\f' ||
			 out[o.len - 1] == ','))
		o.len--;
	out[o.len] = '\0';
	return 0;
}
