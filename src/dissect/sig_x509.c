/*
 * Subject and issuer of an X.509 certificate (RFC 5280 section 4.1) as
 * RFC 4514 strings: RDNs from the last to the first joined by ',', the
 * attributes of one RDN by '+', the types of RFC 4514 section 3 (CN, L,
 * ST, O, OU, C, STREET, DC, UID) and emailAddress by name and others as
 * dotted OIDs, string values as their
 * bytes (BMPString and UniversalString converted to UTF-8) and other
 * values as '#' and the hex of their DER encoding. No escaping is done:
 * values are bytes as sent, escaped on output.
 *
 * The DER reader (X.690) takes one TLV at a time through the cursor:
 * single- or multi-byte tags, short or long-form lengths of up to 4
 * bytes, the indefinite form refused. The walk is fixed-depth
 * (Certificate, TBSCertificate, Name, RDN, attribute), never recursive,
 * so deep nesting costs nothing; RDNs and attributes are capped.
 */
#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define MAX_RDN 96 /* last RDNs kept per name: more never fit the value */
#define MAX_ATV 8  /* attributes per RDN */

/* Reads one TLV; *val is clamped to the data (TRUNCATED if cut). */
static int der_read(vt_cur *c, uint8_t *tag, vt_cur *val)
{
	*tag = cur_u8(c);
	if ((*tag & 0x1f) == 0x1f) {
		uint8_t b;
		int i = 0;
		do
			b = cur_u8(c);
		while ((b & 0x80) && ++i < 4);
		if (b & 0x80)
			return VT_DIS_MALFORMED;
	}
	uint8_t l = cur_u8(c);
	size_t n = l;
	if (l & 0x80) {
		int k = l & 0x7f;
		if (k == 0 || k > 4)
			return VT_DIS_MALFORMED; /* indefinite or absurd */
		n = 0;
		for (int i = 0; i < k; i++)
			n = n << 8 | cur_u8(c);
	}
	if (!cur_ok(c)) {
		cur_init(val, NULL, 0);
		return VT_DIS_TRUNCATED;
	}
	*val = cur_sub(c, n);
	return cur_ok(c) ? VT_DIS_OK : VT_DIS_TRUNCATED;
}

static int der_expect(vt_cur *c, uint8_t want, vt_cur *val)
{
	uint8_t tag;
	int rc = der_read(c, &tag, val);
	if (rc == VT_DIS_OK && tag != want)
		return VT_DIS_MALFORMED;
	return rc;
}

static void put_u64(vt_sigbuf *sb, uint64_t v)
{
	char d[20];
	size_t n = 0;
	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(d));
	vt_sigbuf_put(sb, d + sizeof(d) - n, n);
}

/* Dotted form of an OID's contents; an arc over 64 bits prints "?". */
static void oid_dotted(const uint8_t *p, size_t n, vt_sigbuf *sb)
{
	uint64_t v = 0;
	int first = 1, over = 0;
	for (size_t i = 0; i < n; i++) {
		if (v >> 57)
			over = 1;
		v = v << 7 | (p[i] & 0x7f);
		if (p[i] & 0x80)
			continue;
		if (!first)
			vt_sigbuf_putc(sb, '.');
		if (over) {
			vt_sigbuf_putc(sb, '?');
		} else if (first) {
			uint64_t top = v < 40 ? 0 : v < 80 ? 1 : 2;
			put_u64(sb, top);
			vt_sigbuf_putc(sb, '.');
			put_u64(sb, v - 40 * top);
		} else {
			put_u64(sb, v);
		}
		v = 0;
		first = over = 0;
	}
	if (n == 0 || (p[n - 1] & 0x80))
		vt_sigbuf_puts(sb, first ? "?" : ".?"); /* unfinished arc */
}

static void put_type(const uint8_t *p, size_t n, vt_sigbuf *sb)
{
	static const struct {
		uint8_t oid[10], len;
		const char *name;
	} known[] = {
		{{0x55, 0x04, 0x03}, 3, "CN"},
		{{0x55, 0x04, 0x06}, 3, "C"},
		{{0x55, 0x04, 0x07}, 3, "L"},
		{{0x55, 0x04, 0x08}, 3, "ST"},
		{{0x55, 0x04, 0x0a}, 3, "O"},
		{{0x55, 0x04, 0x0b}, 3, "OU"},
		{{0x55, 0x04, 0x09}, 3, "STREET"},
		{{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01}, 10,
		 "UID"},
		{{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, 10,
		 "DC"},
		{{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9,
		 "emailAddress"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t j = 0;
		while (j < n && j < known[i].len && p[j] == known[i].oid[j])
			j++;
		if (j == n && n == known[i].len) {
			vt_sigbuf_puts(sb, known[i].name);
			return;
		}
	}
	oid_dotted(p, n, sb);
}

static void put_utf8(vt_sigbuf *sb, uint32_t cp)
{
	uint8_t b[4];
	size_t n;
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (uint8_t)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12), n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18), n = 4;
	}
	for (size_t i = 1; i < n; i++)
		b[i] = (uint8_t)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3f));
	if (!vt_sigbuf_room(sb, n)) {
		sb->cut = 1;
		return;
	}
	vt_sigbuf_put(sb, b, n);
}

/* BMPString (UTF-16BE, surrogate pairs joined) or UniversalString. */
static void put_wide(vt_cur v, int width, vt_sigbuf *sb)
{
	while (cur_left(&v) >= (size_t)width && !sb->cut) {
		uint32_t cp = width == 4 ? cur_be32(&v) : cur_be16(&v);
		if (width == 2 && cp >= 0xd800 && cp < 0xdc00 &&
		    cur_left(&v) >= 2) {
			uint16_t lo = (uint16_t)(cur_peek(&v, 0) << 8 |
						 cur_peek(&v, 1));
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cur_skip(&v, 2);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
		}
		put_utf8(sb, cp);
	}
}

static int string_tag(uint8_t tag)
{
	switch (tag) {
	case 12: case 18: case 19: case 20: case 22: case 26: case 27:
		return 1;
	default:
		return 0;
	}
}

/* One AttributeTypeAndValue: "type=value". */
static int atv(vt_cur a, vt_sigbuf *sb)
{
	vt_cur oid, val;
	uint8_t tag;
	if (der_expect(&a, 0x06, &oid) != VT_DIS_OK)
		return VT_DIS_MALFORMED;
	size_t on = cur_left(&oid);
	put_type(cur_bytes(&oid, on), on, sb);
	vt_sigbuf_putc(sb, '=');
	vt_cur before = a;
	if (der_read(&a, &tag, &val) != VT_DIS_OK)
		return VT_DIS_MALFORMED;
	size_t vn = cur_left(&val);
	if (string_tag(tag)) {
		vt_sigbuf_put(sb, cur_bytes(&val, vn), vn);
	} else if (tag == 30 || tag == 28) {
		put_wide(val, tag == 30 ? 2 : 4, sb);
	} else {
		size_t used = a.off - before.off;
		vt_sigbuf_putc(sb, '#');
		vt_sigbuf_hex(sb, cur_bytes(&before, used), used);
	}
	return VT_DIS_OK;
}

/*
 * A Name (RDNSequence) in RFC 4514 order: last RDN first. Only the last
 * MAX_RDN RDNs are kept (a ring), enough to fill the value.
 */
static int name_str(vt_cur name, vt_sigbuf *sb)
{
	vt_cur rdn[MAX_RDN];
	size_t n = 0;
	while (cur_left(&name) > 0)
		if (der_expect(&name, 0x31, &rdn[n++ % MAX_RDN]) != VT_DIS_OK)
			return VT_DIS_MALFORMED;
	size_t keep = n < MAX_RDN ? n : MAX_RDN;
	for (size_t j = 0; j < keep && !sb->cut; j++) {
		vt_cur *set = &rdn[(n - 1 - j) % MAX_RDN];
		if (j > 0)
			vt_sigbuf_putc(sb, ',');
		for (int k = 0; k < MAX_ATV && cur_left(set) > 0; k++) {
			vt_cur a;
			if (der_expect(set, 0x30, &a) != VT_DIS_OK)
				return VT_DIS_MALFORMED;
			if (k > 0)
				vt_sigbuf_putc(sb, '+');
			if (atv(a, sb) != VT_DIS_OK)
				return VT_DIS_MALFORMED;
		}
	}
	return VT_DIS_OK;
}

static int emit_name(vt_cur *tbs, const vt_sig_sink *s, const char *sig)
{
	vt_cur name;
	vt_sigbuf sb;
	int rc = der_expect(tbs, 0x30, &name);
	if (rc != VT_DIS_OK)
		return rc; /* a name cut short is not emitted */
	vt_sigbuf_init(&sb);
	rc = name_str(name, &sb);
	if (rc == VT_DIS_OK && sb.len > 0)
		vt_sigbuf_emit(&sb, s, sig);
	return rc;
}

/* A failure inside a certificate the data cut short is TRUNCATED; inside
 * a complete one, lengths disagree: MALFORMED. */
static int fail(int rc, int cut)
{
	return rc == VT_DIS_TRUNCATED && cut ? VT_DIS_TRUNCATED
					     : VT_DIS_MALFORMED;
}

int vt_sig_x509_names(vt_cur der, const vt_sig_sink *s)
{
	vt_cur cert, tbs, skip;
	uint8_t tag;
	int rc = der_expect(&der, 0x30, &cert);
	if (rc == VT_DIS_MALFORMED)
		return rc;
	int cut = rc == VT_DIS_TRUNCATED;
	if ((rc = der_expect(&cert, 0x30, &tbs)) == VT_DIS_MALFORMED)
		return rc;
	cut |= rc == VT_DIS_TRUNCATED;
	if (cur_peek(&tbs, 0) == 0xa0) /* [0] EXPLICIT version */
		der_read(&tbs, &tag, &skip);
	if ((rc = der_expect(&tbs, 0x02, &skip)) != VT_DIS_OK || /* serial */
	    (rc = der_expect(&tbs, 0x30, &skip)) != VT_DIS_OK || /* sig alg */
	    (rc = emit_name(&tbs, s, "tls_cert_issuer")) != VT_DIS_OK ||
	    (rc = der_expect(&tbs, 0x30, &skip)) != VT_DIS_OK || /* validity */
	    (rc = emit_name(&tbs, s, "tls_cert_subject")) != VT_DIS_OK)
		return fail(rc, cut);
	return cut ? VT_DIS_TRUNCATED : VT_DIS_OK;
}
