/*
 * Helpers shared by the signal parsers: the capped emit, a bounded value
 * builder, header lines of text protocols (HTTP/1.x, RFC 9112 section 2;
 * SSDP), and uncompressed DNS names (RFC 1035 section 3.1) as used inside
 * DHCP options. Every read of packet bytes goes through the cursor.
 */
#include <string.h>

#include "dissect/sig_common.h"
#include "vantage/packet.h"

void vt_sig_emit(const vt_sig_sink *s, const char *name, const uint8_t *v,
		 size_t len)
{
	if (!s || !s->emit)
		return;
	if (len > VT_SIG_MAX_VALUE)
		len = VT_SIG_MAX_VALUE;
	s->emit(s->user, name, v, len);
}

void vt_sigbuf_init(vt_sigbuf *sb)
{
	sb->len = 0;
	sb->cut = 0;
}

int vt_sigbuf_room(const vt_sigbuf *sb, size_t n)
{
	return n <= sizeof(sb->b) - sb->len;
}

void vt_sigbuf_put(vt_sigbuf *sb, const void *p, size_t n)
{
	if (!vt_sigbuf_room(sb, n)) {
		n = sizeof(sb->b) - sb->len;
		sb->cut = 1;
	}
	if (n)
		memcpy(sb->b + sb->len, p, n);
	sb->len += n;
}

void vt_sigbuf_putc(vt_sigbuf *sb, char ch) { vt_sigbuf_put(sb, &ch, 1); }

void vt_sigbuf_puts(vt_sigbuf *sb, const char *str)
{
	vt_sigbuf_put(sb, str, strlen(str));
}

void vt_sigbuf_u32(vt_sigbuf *sb, uint32_t v)
{
	char d[10];
	size_t n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(d));
	if (!vt_sigbuf_room(sb, n)) {
		sb->cut = 1;
		return;
	}
	vt_sigbuf_put(sb, d + sizeof(d) - n, n);
}

void vt_sigbuf_hex(vt_sigbuf *sb, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		if (!vt_sigbuf_room(sb, 2)) {
			sb->cut = 1;
			return;
		}
		vt_sigbuf_putc(sb, hex[p[i] >> 4]);
		vt_sigbuf_putc(sb, hex[p[i] & 15]);
	}
}

void vt_sigbuf_emit(const vt_sigbuf *sb, const vt_sig_sink *s,
		    const char *name)
{
	vt_sig_emit(s, name, sb->b, sb->len);
}

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch; }

int vt_sig_ieq(const uint8_t *a, size_t alen, const char *b)
{
	return strlen(b) == alen && vt_sig_iprefix(a, alen, b);
}

int vt_sig_iprefix(const uint8_t *a, size_t alen, const char *b)
{
	size_t i;
	for (i = 0; b[i]; i++)
		if (i >= alen || lower(a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

int vt_sig_line(vt_cur *c, vt_cur *line)
{
	size_t left = cur_left(c);
	if (!cur_ok(c) || left == 0)
		return 0;
	const uint8_t *lf = memchr(cur_ptr(c), '\n', left);
	size_t n = lf ? (size_t)(lf - cur_ptr(c)) : left;
	*line = cur_sub(c, n);
	if (lf)
		cur_skip(c, 1);
	if (n > 0 && cur_peek(line, n - 1) == '\r')
		line->len = n - 1; /* shrinking the window is always safe */
	return 1;
}

static int blank(uint8_t ch) { return ch == ' ' || ch == '\t'; }

int vt_sig_header(vt_cur line, const uint8_t **name, size_t *name_len,
		  const uint8_t **val, size_t *val_len)
{
	size_t n = cur_left(&line);
	const uint8_t *p = cur_bytes(&line, n);
	const uint8_t *colon = p ? memchr(p, ':', n) : NULL;
	if (!colon || colon == p || blank(p[0]))
		return 0; /* no colon, empty name, or an obsolete fold */
	size_t nl = (size_t)(colon - p);
	while (nl > 0 && blank(p[nl - 1]))
		nl--;
	size_t vs = (size_t)(colon - p) + 1, ve = n;
	while (vs < ve && blank(p[vs]))
		vs++;
	while (ve > vs && blank(p[ve - 1]))
		ve--;
	*name = p;
	*name_len = nl;
	*val = p + vs;
	*val_len = ve - vs;
	return nl > 0;
}

int vt_sig_headers(vt_cur *c, vt_sig_header_fn fn, void *user)
{
	vt_cur line;
	for (int i = 0; i < VT_SIG_MAX_HEADERS; i++) {
		const uint8_t *name, *val;
		size_t nl, vl;
		if (!vt_sig_line(c, &line) || cur_left(&line) == 0)
			return VT_DIS_OK; /* end of data or of the headers */
		if (vt_sig_header(line, &name, &nl, &val, &vl))
			fn(user, name, nl, val, vl);
	}
	if (cur_left(c) == 0 || cur_peek(c, 0) == '\n' ||
	    (cur_peek(c, 0) == '\r' && cur_peek(c, 1) == '\n'))
		return VT_DIS_OK; /* exactly the cap, then the blank line */
	return VT_DIS_MALFORMED;
}

int vt_sig_wire_name(vt_cur *c, vt_sigbuf *out)
{
	int first = 1;
	while (cur_left(c) > 0) {
		uint8_t n = cur_u8(c);
		if (n == 0)
			return VT_DIS_OK;
		if (n > 63)
			return VT_DIS_MALFORMED; /* pointer or extended label */
		const uint8_t *label = cur_bytes(c, n);
		if (!label)
			return VT_DIS_MALFORMED;
		if (!first)
			vt_sigbuf_putc(out, '.');
		vt_sigbuf_put(out, label, n);
		first = 0;
	}
	return VT_DIS_OK;
}
