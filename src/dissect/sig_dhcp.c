/*
 * DHCPv4 signals (RFC 2131, options RFC 2132): message type (53), host
 * name (12), parameter request list (55), vendor class (60), client id
 * (61), client FQDN (81, RFC 4702) and maximum message size (57).
 *
 * Options are read from the options field and, when option 52 (overload,
 * RFC 2132 9.3) says so, from the `file` then the `sname` field. Repeated
 * instances of one option are concatenated (RFC 3396), up to a cap. Pad
 * (0) and end (255) have no length byte; an option running past its area
 * makes the message MALFORMED, but what was read before it is emitted. A
 * missing END is tolerated. Server replies (BOOTREPLY) describe the
 * client, not the sender, so only their message type is emitted.
 */
#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define OPT_CAP 512 /* bytes kept per option after RFC 3396 concatenation */

enum { O_TYPE, O_HOST, O_PRL, O_VENDOR, O_CLIENT, O_FQDN, O_MAXSZ, O_N };
static const uint8_t CODES[O_N] = {53, 12, 55, 60, 61, 81, 57};

typedef struct opts {
	uint8_t v[O_N][OPT_CAP];
	size_t len[O_N];
	uint8_t seen[O_N];
	uint8_t overload; /* option 52: 1 file, 2 sname, 3 both */
} opts;

static void keep(opts *o, uint8_t code, vt_cur v)
{
	for (int i = 0; i < O_N; i++) {
		if (CODES[i] != code)
			continue;
		o->seen[i] = 1;
		while (cur_left(&v) > 0 && o->len[i] < OPT_CAP)
			o->v[i][o->len[i]++] = cur_u8(&v);
		return;
	}
}

/* Walks one option area; `main` is the options field (52 honoured). */
static int walk(vt_cur c, opts *o, int main)
{
	while (cur_left(&c) > 0) {
		uint8_t code = cur_u8(&c);
		if (code == 0)
			continue;
		if (code == 255)
			return VT_DIS_OK;
		if (cur_left(&c) < 1)
			return VT_DIS_MALFORMED;
		uint8_t len = cur_u8(&c);
		vt_cur v = cur_sub(&c, len);
		if (!cur_ok(&c))
			return VT_DIS_MALFORMED;
		if (code == 52 && main && len == 1)
			o->overload = cur_u8(&v) & 3;
		else
			keep(o, code, v);
	}
	return VT_DIS_OK;
}

/* Strings sent NUL-terminated by many clients lose the trailing NULs. */
static void emit_text(const vt_sig_sink *s, const char *name,
		      const uint8_t *v, size_t len)
{
	while (len > 0 && v[len - 1] == 0)
		len--;
	if (len > 0)
		vt_sig_emit(s, name, v, len);
}

static void emit_prl(const vt_sig_sink *s, const uint8_t *v, size_t len)
{
	vt_sigbuf sb;
	vt_sigbuf_init(&sb);
	for (size_t i = 0; i < len; i++) {
		size_t need = (i ? 1 : 0) + (v[i] >= 100 ? 3 : v[i] >= 10 ? 2 : 1);
		if (!vt_sigbuf_room(&sb, need))
			break; /* cut at a whole code */
		if (i)
			vt_sigbuf_putc(&sb, ',');
		vt_sigbuf_u32(&sb, v[i]);
	}
	if (sb.len)
		vt_sigbuf_emit(&sb, s, "dhcp_prl");
}

/* Option 81: flags, two RCODEs, then the name (wire format if E is set). */
static void emit_fqdn(const vt_sig_sink *s, const uint8_t *v, size_t len)
{
	if (len < 4)
		return;
	vt_sigbuf sb;
	vt_sigbuf_init(&sb);
	if (v[0] & 0x04) {
		vt_cur c;
		cur_init(&c, v + 3, len - 3);
		if (vt_sig_wire_name(&c, &sb) != VT_DIS_OK)
			return;
	} else {
		size_t n = len - 3;
		while (n > 0 && (v[3 + n - 1] == 0 || v[3 + n - 1] == '.'))
			n--;
		vt_sigbuf_put(&sb, v + 3, n);
	}
	if (sb.len)
		vt_sigbuf_emit(&sb, s, "dhcp_fqdn");
}

static void emit_all(const opts *o, const vt_sig_sink *s)
{
	vt_sigbuf sb;
	if (o->seen[O_HOST])
		emit_text(s, "dhcp_hostname", o->v[O_HOST], o->len[O_HOST]);
	if (o->seen[O_PRL])
		emit_prl(s, o->v[O_PRL], o->len[O_PRL]);
	if (o->seen[O_VENDOR])
		emit_text(s, "dhcp_vendor_class", o->v[O_VENDOR],
			  o->len[O_VENDOR]);
	if (o->seen[O_CLIENT] && o->len[O_CLIENT] > 0) {
		vt_sigbuf_init(&sb);
		vt_sigbuf_hex(&sb, o->v[O_CLIENT], o->len[O_CLIENT]);
		vt_sigbuf_emit(&sb, s, "dhcp_client_id");
	}
	if (o->seen[O_FQDN])
		emit_fqdn(s, o->v[O_FQDN], o->len[O_FQDN]);
	if (o->seen[O_MAXSZ] && o->len[O_MAXSZ] == 2) {
		vt_sigbuf_init(&sb);
		vt_sigbuf_u32(&sb, (uint32_t)(o->v[O_MAXSZ][0] << 8 |
					      o->v[O_MAXSZ][1]));
		vt_sigbuf_emit(&sb, s, "dhcp_max_size");
	}
}

int vt_sig_dhcp(const uint8_t *payload, size_t len, const vt_sig_sink *s)
{
	vt_cur c;
	cur_init(&c, payload, len);
	if (len < 240)
		return VT_DIS_TRUNCATED;
	uint8_t op = cur_u8(&c);
	cur_skip(&c, 43); /* htype .. chaddr */
	vt_cur sname = cur_sub(&c, 64);
	vt_cur file = cur_sub(&c, 128);
	if ((op != 1 && op != 2) || cur_be32(&c) != 0x63825363)
		return VT_DIS_UNSUPPORTED; /* not DHCP (or plain BOOTP) */

	opts o = {0};
	int rc = walk(cur_rest(&c), &o, 1);
	if (rc == VT_DIS_OK && (o.overload & 1))
		rc = walk(file, &o, 0);
	if (rc == VT_DIS_OK && (o.overload & 2))
		rc = walk(sname, &o, 0);

	if (o.seen[O_TYPE] && o.len[O_TYPE] == 1) {
		vt_sigbuf sb;
		vt_sigbuf_init(&sb);
		vt_sigbuf_u32(&sb, o.v[O_TYPE][0]);
		vt_sigbuf_emit(&sb, s, "dhcp_msg_type");
	}
	if (op == 1)
		emit_all(&o, s);
	return rc;
}
