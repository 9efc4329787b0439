/*
 * TLS signals (RFC 8446 / RFC 5246 record and handshake layers): from a
 * ClientHello the server name (RFC 6066 section 3, the first host_name
 * entry), JA3 (Salesforce: version, ciphers, extensions, groups, point
 * formats, GREASE (RFC 8701) removed, MD5) and JA4 (FoxIO JA4
 * specification, TLS over TCP); from a Certificate message (TLS <= 1.2,
 * unencrypted) the subject and issuer of the first certificate, through
 * sig_x509.c.
 *
 * The handshake records of the payload are gathered (a message may span
 * records) into a buffer of HS_CAP bytes, then the handshake messages are
 * walked. Lengths are never trusted: a record or message longer than the
 * data is used as far as it goes (TRUNCATED); a ClientHello whose fields
 * overflow it is MALFORMED and gets no JA3/JA4; a certificate cut short
 * still yields the names that are complete.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/sig_common.h"
#include "vantage/md5.h"
#include "vantage/packet.h"
#include "vantage/sha256.h"

#define HS_CAP 16384      /* handshake bytes gathered from one payload */
#define RECORD_MAX 18432  /* 2^14 + 2048, RFC 5246 6.2.3 */
#define MAX_CIPHERS 512   /* JA4 sorts at most this many ciphers */
#define MAX_EXTS 256      /* ... and extensions */

enum { HS_CLIENT_HELLO = 1, HS_CERTIFICATE = 11 };
enum { EXT_SNI = 0, EXT_GROUPS = 10, EXT_FORMATS = 11, EXT_SIGALGS = 13,
       EXT_ALPN = 16, EXT_VERSIONS = 43 };

typedef struct hello {
	uint16_t legacy;  /* legacy_version */
	vt_cur ciphers;   /* cipher_suites, 2 bytes each */
	vt_cur exts;      /* extensions block (empty when absent) */
} hello;

static int worse(int a, int b) { return a != VT_DIS_OK ? a : b; }

/* Next extension of a validated block. */
static int ext_next(vt_cur *c, uint16_t *type, vt_cur *data)
{
	if (cur_left(c) < 4)
		return 0;
	*type = cur_be16(c);
	uint16_t n = cur_be16(c);
	*data = cur_sub(c, n);
	return cur_ok(c);
}

static int ext_find(vt_cur exts, uint16_t want, vt_cur *data)
{
	uint16_t type;
	while (ext_next(&exts, &type, data))
		if (type == want)
			return 1;
	return 0;
}

/* Splits a ClientHello body; the extensions must fit exactly. */
static int parse_hello(vt_cur c, hello *h)
{
	cur_init(&h->exts, NULL, 0);
	cur_init(&h->ciphers, NULL, 0);
	h->legacy = cur_be16(&c);
	cur_skip(&c, 32); /* random */
	cur_skip(&c, cur_u8(&c)); /* session id */
	uint16_t n = cur_be16(&c);
	h->ciphers = cur_sub(&c, n);
	cur_skip(&c, cur_u8(&c)); /* compression methods */
	if (!cur_ok(&c))
		return VT_DIS_TRUNCATED;
	if (n % 2)
		return VT_DIS_MALFORMED;
	if (cur_left(&c) == 0)
		return VT_DIS_OK; /* no extensions at all (SSL 3.0 style) */
	n = cur_be16(&c);
	h->exts = cur_sub(&c, n);
	if (!cur_ok(&c))
		return VT_DIS_TRUNCATED;
	vt_cur e = h->exts;
	while (cur_left(&e) > 0) {
		cur_skip(&e, 2);
		cur_skip(&e, cur_be16(&e));
		if (!cur_ok(&e))
			return VT_DIS_MALFORMED; /* extension overflows the block */
	}
	return VT_DIS_OK;
}

/* server_name: the first host_name entry of the list. */
static void sni(const hello *h, const vt_sig_sink *s)
{
	vt_cur d;
	if (!ext_find(h->exts, EXT_SNI, &d))
		return;
	uint16_t n = cur_be16(&d);
	if (!cur_ok(&d) || n != cur_left(&d))
		return; /* the list must be the whole extension */
	vt_cur list = cur_sub(&d, n);
	while (cur_left(&list) >= 3) {
		uint8_t type = cur_u8(&list);
		uint16_t len = cur_be16(&list);
		const uint8_t *name = cur_bytes(&list, len);
		if (!name)
			return; /* entry overflows the list */
		if (type == 0 && len > 0) {
			vt_sig_emit(s, "tls_sni", name, len);
			return;
		}
	}
}

static void hash_dec(vt_md5 *m, uint32_t v)
{
	vt_sigbuf sb;
	vt_sigbuf_init(&sb);
	vt_sigbuf_u32(&sb, v);
	vt_md5_update(m, sb.b, sb.len);
}

/* A JA3 field: values (16-bit, or 8-bit when `bytes`) joined by '-'. */
static void ja3_list(vt_md5 *m, vt_cur list, int bytes)
{
	int first = 1;
	while (cur_left(&list) >= (bytes ? 1u : 2u)) {
		uint16_t v = bytes ? cur_u8(&list) : cur_be16(&list);
		if (!bytes && vt_sig_grease(v))
			continue;
		if (!first)
			vt_md5_update(m, "-", 1);
		hash_dec(m, v);
		first = 0;
	}
}

static void ja3(const hello *h, const vt_sig_sink *s)
{
	vt_md5 m;
	vt_cur d, e = h->exts, none;
	uint16_t type;
	int first = 1;
	cur_init(&none, NULL, 0);
	vt_md5_init(&m);
	hash_dec(&m, h->legacy);
	vt_md5_update(&m, ",", 1);
	ja3_list(&m, h->ciphers, 0);
	vt_md5_update(&m, ",", 1);
	while (ext_next(&e, &type, &d)) {
		if (vt_sig_grease(type))
			continue;
		if (!first)
			vt_md5_update(&m, "-", 1);
		hash_dec(&m, type);
		first = 0;
	}
	vt_md5_update(&m, ",", 1);
	if (ext_find(h->exts, EXT_GROUPS, &d))
		ja3_list(&m, cur_sub(&d, cur_be16(&d)), 0);
	vt_md5_update(&m, ",", 1);
	if (ext_find(h->exts, EXT_FORMATS, &d))
		ja3_list(&m, cur_sub(&d, cur_u8(&d)), 1);

	uint8_t sum[VT_MD5_LEN];
	vt_sigbuf sb;
	vt_md5_final(&m, sum);
	vt_sigbuf_init(&sb);
	vt_sigbuf_hex(&sb, sum, sizeof(sum));
	vt_sigbuf_emit(&sb, s, "tls_ja3");
}

/* --- JA4 --- */

typedef struct ja4ctx {
	uint16_t ciphers[MAX_CIPHERS];
	size_t n_ciphers;
	uint16_t exts[MAX_EXTS]; /* without GREASE, SNI and ALPN */
	size_t n_exts;
	size_t n_all_exts;       /* without GREASE only */
	int has_sni;
} ja4ctx;

static int cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static const char *version_code(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

/* Highest non-GREASE supported_versions entry, else legacy_version. */
static uint16_t ja4_version(const hello *h)
{
	vt_cur d;
	uint16_t best = 0;
	if (ext_find(h->exts, EXT_VERSIONS, &d)) {
		vt_cur list = cur_sub(&d, cur_u8(&d));
		while (cur_left(&list) >= 2) {
			uint16_t v = cur_be16(&list);
			if (!vt_sig_grease(v) && v > best)
				best = v;
		}
	}
	return best ? best : h->legacy;
}

static int alnum(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z');
}

/* First and last character of the first ALPN value, "00" if none. */
static void ja4_alpn(const hello *h, vt_sigbuf *sb)
{
	static const char hex[] = "0123456789abcdef";
	vt_cur d;
	const uint8_t *v = NULL;
	uint8_t n = 0;
	if (ext_find(h->exts, EXT_ALPN, &d)) {
		vt_cur list = cur_sub(&d, cur_be16(&d));
		n = cur_u8(&list);
		v = cur_bytes(&list, n);
	}
	if (!v || n == 0) {
		vt_sigbuf_puts(sb, "00");
	} else if (alnum(v[0]) && alnum(v[n - 1])) {
		vt_sigbuf_putc(sb, (char)v[0]);
		vt_sigbuf_putc(sb, (char)v[n - 1]);
	} else {
		vt_sigbuf_putc(sb, hex[v[0] >> 4]);
		vt_sigbuf_putc(sb, hex[v[n - 1] & 15]);
	}
}

static void two_digits(vt_sigbuf *sb, size_t n)
{
	if (n > 99)
		n = 99;
	vt_sigbuf_putc(sb, (char)('0' + n / 10));
	vt_sigbuf_putc(sb, (char)('0' + n % 10));
}

static void sha_hex16(vt_sha256 *sh, uint16_t v, int comma)
{
	static const char hex[] = "0123456789abcdef";
	char b[5] = {',', hex[v >> 12], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
		     hex[v & 15]};
	vt_sha256_update(sh, comma ? b : b + 1, comma ? 5 : 4);
}

/* "_" and the first 12 hex digits of the hash, "000000000000" if empty. */
static void put_hash12(vt_sigbuf *sb, vt_sha256 *sh, size_t items)
{
	uint8_t sum[VT_SHA256_LEN];
	vt_sigbuf_putc(sb, '_');
	if (items == 0) {
		vt_sigbuf_puts(sb, "000000000000");
		return;
	}
	vt_sha256_final(sh, sum);
	vt_sigbuf_hex(sb, sum, 6);
}

/* Collects and sorts; returns 0 when a list is over its cap. */
static int ja4_collect(const hello *h, ja4ctx *x)
{
	vt_cur c = h->ciphers, e = h->exts, d;
	uint16_t type;
	memset(x, 0, sizeof(*x));
	while (cur_left(&c) >= 2) {
		uint16_t v = cur_be16(&c);
		if (vt_sig_grease(v))
			continue;
		if (x->n_ciphers == MAX_CIPHERS)
			return 0;
		x->ciphers[x->n_ciphers++] = v;
	}
	while (ext_next(&e, &type, &d)) {
		if (vt_sig_grease(type))
			continue;
		x->n_all_exts++;
		if (type == EXT_SNI)
			x->has_sni = 1;
		if (type == EXT_SNI || type == EXT_ALPN)
			continue;
		if (x->n_exts == MAX_EXTS)
			return 0;
		x->exts[x->n_exts++] = type;
	}
	qsort(x->ciphers, x->n_ciphers, sizeof(uint16_t), cmp16);
	qsort(x->exts, x->n_exts, sizeof(uint16_t), cmp16);
	return 1;
}

static void ja4(const hello *h, const vt_sig_sink *s)
{
	ja4ctx x;
	vt_sigbuf sb;
	vt_sha256 sh;
	vt_cur d;
	if (!ja4_collect(h, &x))
		return;
	vt_sigbuf_init(&sb);
	vt_sigbuf_putc(&sb, 't');
	vt_sigbuf_puts(&sb, version_code(ja4_version(h)));
	vt_sigbuf_putc(&sb, x.has_sni ? 'd' : 'i');
	two_digits(&sb, x.n_ciphers);
	two_digits(&sb, x.n_all_exts);
	ja4_alpn(h, &sb);

	vt_sha256_init(&sh);
	for (size_t i = 0; i < x.n_ciphers; i++)
		sha_hex16(&sh, x.ciphers[i], i > 0);
	put_hash12(&sb, &sh, x.n_ciphers);

	vt_sha256_init(&sh);
	for (size_t i = 0; i < x.n_exts; i++)
		sha_hex16(&sh, x.exts[i], i > 0);
	if (ext_find(h->exts, EXT_SIGALGS, &d)) {
		vt_cur list = cur_sub(&d, cur_be16(&d));
		int first = 1;
		while (cur_left(&list) >= 2) {
			uint16_t v = cur_be16(&list);
			if (vt_sig_grease(v))
				continue;
			if (first)
				vt_sha256_update(&sh, "_", 1);
			sha_hex16(&sh, v, !first);
			first = 0;
		}
	}
	put_hash12(&sb, &sh, x.n_exts);
	vt_sigbuf_emit(&sb, s, "tls_ja4");
}

static int client_hello(vt_cur body, int complete, const vt_sig_sink *s)
{
	hello h;
	int rc = parse_hello(body, &h);
	if (rc == VT_DIS_TRUNCATED && complete)
		rc = VT_DIS_MALFORMED; /* a field overflows the message */
	if (rc != VT_DIS_OK) {
		if (cur_left(&h.exts) > 0)
			sni(&h, s);
		return rc;
	}
	sni(&h, s);
	if (!(s->skip & VT_SIG_SKIP_TLS_FP)) {
		ja3(&h, s);
		ja4(&h, s);
	}
	return VT_DIS_OK;
}

/* Certificate (RFC 5246 7.4.2): a 24-bit list length, then each
 * certificate with a 24-bit length. Only the first is read. */
static int certificate(vt_cur body, const vt_sig_sink *s)
{
	uint32_t list = (uint32_t)cur_u8(&body) << 16 | cur_be16(&body);
	if (!cur_ok(&body))
		return VT_DIS_TRUNCATED;
	if (list == 0)
		return VT_DIS_OK; /* an empty chain (client without one) */
	vt_cur certs = cur_sub(&body, list);
	uint32_t n = (uint32_t)cur_u8(&certs) << 16 | cur_be16(&certs);
	if (!cur_ok(&certs))
		return VT_DIS_TRUNCATED;
	vt_cur der = cur_sub(&certs, n);
	int cut = !cur_ok(&certs);
	int rc = vt_sig_x509_names(der, s);
	return worse(rc, cut ? VT_DIS_TRUNCATED : VT_DIS_OK);
}

/*
 * Appends the handshake-record fragments of the payload to buf. Stops at
 * the first record that is not TLS, at a ChangeCipherSpec (what follows
 * is encrypted) or at the end of the data.
 */
static int gather(vt_cur *c, uint8_t *buf, size_t *n)
{
	int rc = VT_DIS_OK, first = 1;
	while (cur_left(c) > 0) {
		uint8_t type = cur_u8(c);
		uint16_t ver = cur_be16(c);
		uint16_t rlen = cur_be16(c);
		if (!cur_ok(c))
			return worse(rc, VT_DIS_TRUNCATED);
		if (type < 20 || type > 23 || ver >> 8 != 3 || rlen > RECORD_MAX)
			return first ? VT_DIS_UNSUPPORTED : worse(rc, VT_DIS_MALFORMED);
		vt_cur frag = cur_sub(c, rlen);
		if (!cur_ok(c))
			rc = worse(rc, VT_DIS_TRUNCATED);
		first = 0;
		if (type == 20)
			break;
		size_t take = cur_left(&frag);
		if (type != 22)
			continue;
		if (take > HS_CAP - *n)
			take = HS_CAP - *n;
		cur_copy(&frag, buf + *n, take);
		*n += take;
	}
	return rc;
}

int vt_sig_tls(const uint8_t *payload, size_t len, const vt_sig_sink *s)
{
	static _Thread_local uint8_t buf[HS_CAP];
	vt_cur c;
	size_t n = 0;
	cur_init(&c, payload, len);
	int rc = gather(&c, buf, &n);
	if (rc == VT_DIS_UNSUPPORTED)
		return rc;
	vt_cur hs;
	cur_init(&hs, buf, n);
	while (cur_left(&hs) >= 4) {
		uint8_t type = cur_u8(&hs);
		uint32_t mlen = (uint32_t)cur_u8(&hs) << 16 | cur_be16(&hs);
		vt_cur body = cur_sub(&hs, mlen);
		int complete = cur_ok(&hs);
		if (!complete)
			rc = worse(rc, VT_DIS_TRUNCATED);
		if (type == HS_CLIENT_HELLO)
			rc = worse(rc, client_hello(body, complete, s));
		else if (type == HS_CERTIFICATE)
			rc = worse(rc, certificate(body, s));
	}
	return rc;
}
