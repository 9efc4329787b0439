/*
 * Raw bytes inside JSON strings, as the output contract (DESIGN.md)
 * writes them: printable-escape, where every byte outside printable ASCII
 * (0x20-0x7e) and the backslash itself is "\xHH", and base64 (RFC 4648).
 */
#include "vantage/devrec.h"
#include "vantage/json.h"

#include "vantage/error.h"

static const char hexd[] = "0123456789abcdef";


int vt_pesc_decode(const char *s, size_t n, uint8_t *out, size_t cap,
		   size_t *out_len, size_t *bad_at)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)s[i];
		if (b == '\\') {
			int hi = i + 3 < n && s[i + 1] == 'x' ? vt_hexval(s[i + 2]) : -1;
			int lo = hi >= 0 ? vt_hexval(s[i + 3]) : -1;
			if (lo < 0) {
				if (bad_at)
					*bad_at = i;
				return VT_EFORMAT;
			}
			b = (uint8_t)(hi << 4 | lo);
			i += 3;
		}
		if (o >= cap) {
			if (bad_at)
				*bad_at = i;
			return VT_EFULL;
		}
		out[o++] = b;
	}
	*out_len = o;
	return VT_OK;
}

static int plain(uint8_t b) { return b >= 0x20 && b < 0x7f && b != '\\'; }

size_t vt_pesc_json_mem(char *out, const uint8_t *p, size_t n)
{
	size_t k = 0;
	out[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];
		if (plain(b) && b != '"') {
			out[k++] = (char)b;
		} else if (b == '"') {
			out[k++] = '\\';
			out[k++] = '"';
		} else {
			/* "\\xHH": the JSON escape of the printable escape */
			out[k++] = '\\';
			out[k++] = '\\';
			out[k++] = 'x';
			out[k++] = hexd[b >> 4];
			out[k++] = hexd[b & 15];
		}
	}
	out[k++] = '"';
	return k;
}

void vt_pesc_json(FILE *out, const uint8_t *p, size_t n)
{
	enum { CHUNK = 1024 };
	char buf[5 * CHUNK + 2];
	if (n <= CHUNK) {
		fwrite(buf, 1, vt_pesc_json_mem(buf, p, n), out);
		return;
	}
	/* Long: chunk by chunk, without the quotes of each chunk. */
	putc('"', out);
	for (size_t i = 0; i < n; i += CHUNK) {
		size_t l = vt_pesc_json_mem(buf, p + i, n - i > CHUNK ? CHUNK : n - i);
		fwrite(buf + 1, 1, l - 2, out);
	}
	putc('"', out);
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int vt_b64_decode(const char *s, size_t n, uint8_t *out, size_t cap,
		  size_t *out_len)
{
	while (n && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return VT_EFORMAT;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val(s[i]);
		if (v < 0)
			return VT_EFORMAT;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return VT_EFULL;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*out_len = o;
	return VT_OK;
}
