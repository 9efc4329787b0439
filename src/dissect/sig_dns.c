/*
 * DNS (RFC 1035) and multicast DNS (RFC 6762) with DNS-SD (RFC 6763)
 * signals.
 *
 * Unicast DNS: the questions of queries (QR=0) are names the sender
 * looked up (dns_query); responses say nothing about their sender.
 *
 * mDNS: the questions of a query are what the sender asks for
 * (mdns_query). Its own records are those of every section of a response
 * and the authority section of a query (probing, RFC 6762 8.2); the
 * answer section of a query holds known answers learnt from others
 * (7.1) and is skipped. From its own records: service types (PTR of
 * _services._dns-sd._udp, owners of service PTRs), instance names (PTR
 * targets, SRV and TXT owners), the strings of instances' TXT records
 * (key=value, or a lone key), and host names (A and AAAA owners under
 * .local).
 *
 * Names are decompressed with every pointer required to point strictly
 * before the previous one (so self, forward and looping pointers fail),
 * at most MAX_JUMPS jumps, labels of 64-191 (extended types) rejected and
 * the wire length capped at 255 bytes. Records are walked while the data
 * lasts, so counts of 65535 with no records end at once (TRUNCATED).
 */
#include <string.h>

#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define NAME_WIRE_MAX 255 /* RFC 1035 2.3.4, length bytes and root included */
#define MAX_LABELS 128
#define MAX_JUMPS 32      /* compression pointers followed per name */
#define MAX_RR 1024       /* questions + records walked per message */
#define MAX_EMIT 256      /* distinct signals per message */
#define MAX_TXT 64        /* strings read per TXT record */

enum { T_A = 1, T_PTR = 12, T_TXT = 16, T_AAAA = 28, T_SRV = 33 };

/* A decoded name: labels joined by '.', with each label's place. */
typedef struct dname {
	uint8_t text[NAME_WIRE_MAX + 1];
	size_t len;
	size_t n;                           /* labels */
	uint8_t off[MAX_LABELS], len_of[MAX_LABELS];
} dname;

/* The emitter: a sink with a per-message cap and duplicate filter. */
typedef struct emitter {
	const vt_sig_sink *s;
	uint64_t seen[MAX_EMIT];
	size_t n;
} emitter;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void emit(emitter *e, const char *name, const uint8_t *v, size_t n)
{
	if (n == 0 || e->n >= MAX_EMIT)
		return;
	uint64_t h = fnv(fnv(0xcbf29ce484222325ull, name, strlen(name) + 1),
			 v, n);
	for (size_t i = 0; i < e->n; i++)
		if (e->seen[i] == h)
			return;
	e->seen[e->n++] = h;
	vt_sig_emit(e->s, name, v, n);
}

static void name_add(dname *d, const uint8_t *label, uint8_t n)
{
	if (d->n > 0)
		d->text[d->len++] = '.';
	d->off[d->n] = (uint8_t)d->len;
	d->len_of[d->n++] = n;
	memcpy(d->text + d->len, label, n);
	d->len += n;
}

/*
 * Reads the name at *c and leaves *c after it. *c is a window of the
 * message starting at its first byte and ending with the enclosing field,
 * so offsets in *c are message offsets; msg is the whole message, the
 * space pointers refer to.
 */
static int read_name(const vt_cur *msg, vt_cur *c, dname *d)
{
	vt_cur r = *c;
	size_t limit = (size_t)-1, wire = 0;
	int jumps = 0;
	d->len = d->n = 0;
	for (;;) {
		size_t at = r.off;
		uint8_t b = cur_u8(&r);
		if ((b & 0xc0) == 0xc0) {
			size_t target = (size_t)(b & 0x3f) << 8 | cur_u8(&r);
			if (!cur_ok(&r))
				return VT_DIS_TRUNCATED;
			if (jumps == 0)
				cur_skip(c, r.off - c->off);
			if (target >= at || target >= limit || ++jumps > MAX_JUMPS)
				return VT_DIS_MALFORMED; /* self, forward, loop */
			limit = target;
			cur_init(&r, msg->p, msg->len);
			cur_skip(&r, target);
			continue;
		}
		if (!cur_ok(&r))
			return VT_DIS_TRUNCATED;
		if (b & 0xc0)
			return VT_DIS_MALFORMED; /* extended label type 64-191 */
		wire += 1u + b;
		if (wire + (b ? 1 : 0) > NAME_WIRE_MAX)
			return VT_DIS_MALFORMED;
		if (b == 0)
			break;
		const uint8_t *label = cur_bytes(&r, b);
		if (!label)
			return VT_DIS_TRUNCATED;
		name_add(d, label, b);
	}
	if (jumps == 0)
		cur_skip(c, r.off - c->off);
	return VT_DIS_OK;
}

static int label_is(const dname *d, size_t i, const char *s)
{
	return i < d->n && vt_sig_ieq(d->text + d->off[i], d->len_of[i], s);
}

/* End of label i in the text. */
static size_t label_end(const dname *d, size_t i)
{
	return (size_t)d->off[i] + d->len_of[i];
}

/*
 * Index of the protocol label ("_tcp"/"_udp") of a DNS-SD name, preceded
 * by an "_app" label; 0 when the name is not one.
 */
static size_t sd_proto(const dname *d)
{
	for (size_t i = d->n; i-- > 1;) {
		if (!label_is(d, i, "_tcp") && !label_is(d, i, "_udp"))
			continue;
		if (d->len_of[i - 1] > 0 && d->text[d->off[i - 1]] == '_')
			return i;
	}
	return 0;
}

static int is_meta(const dname *d)
{
	return d->n == 4 && label_is(d, 0, "_services") &&
	       label_is(d, 1, "_dns-sd") && label_is(d, 2, "_udp") &&
	       label_is(d, 3, "local");
}

/* "_app._tcp" of a DNS-SD name (service, subtype or instance). */
static void emit_service(emitter *e, const dname *d)
{
	size_t k = sd_proto(d);
	if (k == 0 || is_meta(d))
		return;
	emit(e, "mdns_service", d->text + d->off[k - 1],
	     label_end(d, k) - d->off[k - 1]);
}

/* "Instance._app._tcp" when the name is exactly an instance name. */
static void emit_instance(emitter *e, const dname *d)
{
	size_t k = sd_proto(d);
	if (k != 2 || label_is(d, 0, "_sub") || d->len_of[0] == 0)
		return;
	emit(e, "mdns_instance", d->text, label_end(d, k));
	emit_service(e, d);
}

static void emit_hostname(emitter *e, const dname *d)
{
	if (d->n >= 2 && label_is(d, d->n - 1, "local"))
		emit(e, "mdns_hostname", d->text, d->len);
}

static void emit_query(emitter *e, const dname *d, int mdns)
{
	if (!mdns) {
		emit(e, "dns_query", d->text, d->len);
		return;
	}
	size_t k = sd_proto(d);
	emit(e, "mdns_query", d->text, k ? label_end(d, k) : d->len);
}

static int txt(emitter *e, vt_cur rd)
{
	for (int i = 0; i < MAX_TXT && cur_left(&rd) > 0; i++) {
		uint8_t n = cur_u8(&rd);
		const uint8_t *str = cur_bytes(&rd, n);
		if (!str)
			return VT_DIS_MALFORMED;
		emit(e, "mdns_txt", str, n);
	}
	return VT_DIS_OK;
}

/* One of the sender's own records. rd ends where the rdata ends. */
static int own_record(emitter *e, const vt_cur *msg, const dname *owner,
		      uint16_t type, vt_cur rd)
{
	dname target;
	switch (type) {
	case T_A:
	case T_AAAA:
		emit_hostname(e, owner);
		return VT_DIS_OK;
	case T_PTR: {
		int rc = read_name(msg, &rd, &target);
		if (rc != VT_DIS_OK)
			return VT_DIS_MALFORMED;
		if (is_meta(owner)) {
			emit_service(e, &target);
		} else if (sd_proto(owner)) {
			emit_service(e, owner);
			emit_instance(e, &target);
		}
		return VT_DIS_OK;
	}
	case T_SRV:
		emit_instance(e, owner);
		return VT_DIS_OK;
	case T_TXT:
		if (sd_proto(owner) != 2)
			return VT_DIS_OK; /* not DNS-SD (e.g. _kerberos.host) */
		emit_instance(e, owner);
		return txt(e, rd);
	default:
		return VT_DIS_OK;
	}
}

/* Walks `count` records; `own` says whether they are the sender's. */
static int records(emitter *e, const vt_cur *msg, vt_cur *c, unsigned count,
		   int own, unsigned *walked)
{
	dname owner;
	for (unsigned i = 0; i < count; i++) {
		if (++*walked > MAX_RR)
			return VT_DIS_OK;
		int rc = read_name(msg, c, &owner);
		if (rc != VT_DIS_OK)
			return rc;
		uint16_t type = cur_be16(c);
		cur_skip(c, 6); /* class, TTL */
		uint16_t rdlen = cur_be16(c);
		if (!cur_ok(c) || rdlen > cur_left(c))
			return VT_DIS_TRUNCATED;
		/* rdata names may point back into the message; a window from
		 * the message start to the rdata end keeps them inside. */
		vt_cur rd;
		cur_init(&rd, msg->p, c->off + rdlen);
		cur_skip(&rd, c->off);
		cur_skip(c, rdlen);
		if (own && (rc = own_record(e, msg, &owner, type, rd)) != VT_DIS_OK)
			return rc;
	}
	return VT_DIS_OK;
}

int vt_sig_dns(const uint8_t *payload, size_t len, int mdns,
	       const vt_sig_sink *s)
{
	vt_cur msg, c;
	cur_init(&msg, payload, len);
	if (len < 12)
		return VT_DIS_TRUNCATED;
	c = msg;
	cur_skip(&c, 2); /* id */
	uint16_t flags = cur_be16(&c);
	unsigned qd = cur_be16(&c), an = cur_be16(&c);
	unsigned ns = cur_be16(&c), ar = cur_be16(&c);
	int qr = flags >> 15;
	if (((flags >> 11) & 15) != 0)
		return VT_DIS_UNSUPPORTED; /* not a standard query/response */
	if (!mdns && qr)
		return VT_DIS_OK;

	emitter e = {.s = s, .n = 0};
	unsigned walked = 0;
	dname q;
	for (unsigned i = 0; i < qd; i++) {
		if (++walked > MAX_RR)
			return VT_DIS_OK;
		int rc = read_name(&msg, &c, &q);
		cur_skip(&c, 4); /* type, class */
		if (rc == VT_DIS_OK && !cur_ok(&c))
			rc = VT_DIS_TRUNCATED;
		if (rc != VT_DIS_OK)
			return rc;
		if (!qr && q.len > 0)
			emit_query(&e, &q, mdns);
	}
	if (!mdns)
		return VT_DIS_OK;
	int rc = records(&e, &msg, &c, an, qr, &walked);
	if (rc == VT_DIS_OK)
		rc = records(&e, &msg, &c, ns, 1, &walked);
	if (rc == VT_DIS_OK)
		rc = records(&e, &msg, &c, ar, qr, &walked);
	return rc;
}
