/*
 * DHCPv6 signals (RFC 8415): the vendor class (option 16, section 21.16:
 * enterprise number and a list of length-prefixed data items) and the
 * client FQDN (option 39, RFC 4704: flags and a wire-format name, which
 * may be partial) from the messages a client sends (SOLICIT, REQUEST,
 * CONFIRM, RENEW, REBIND, RELEASE, DECLINE, INFORMATION-REQUEST).
 *
 * Server messages are OK but say nothing about their sender; relay
 * messages carry another host's message and are UNSUPPORTED. An option
 * running past the message makes it MALFORMED; what was read before it
 * is emitted.
 */
#include "dissect/sig_common.h"
#include "vantage/packet.h"

#define VENDOR_ITEMS_MAX 8 /* data items emitted per vendor class option */

/* Option 16: "enterprise:data" for each vendor-class-data item. */
static int vendor_class(vt_cur v, const vt_sig_sink *s)
{
	uint32_t ent = cur_be32(&v);
	if (!cur_ok(&v))
		return VT_DIS_MALFORMED;
	int items = 0;
	while (cur_left(&v) > 0 && items < VENDOR_ITEMS_MAX) {
		uint16_t n = cur_be16(&v);
		const uint8_t *d = cur_bytes(&v, n);
		if (!d)
			return VT_DIS_MALFORMED;
		vt_sigbuf sb;
		vt_sigbuf_init(&sb);
		vt_sigbuf_u32(&sb, ent);
		vt_sigbuf_putc(&sb, ':');
		vt_sigbuf_put(&sb, d, n);
		vt_sigbuf_emit(&sb, s, "dhcp6_vendor_class");
		items++;
	}
	if (items == 0) {
		vt_sigbuf sb;
		vt_sigbuf_init(&sb);
		vt_sigbuf_u32(&sb, ent);
		vt_sigbuf_putc(&sb, ':');
		vt_sigbuf_emit(&sb, s, "dhcp6_vendor_class");
	}
	return VT_DIS_OK;
}

/* Option 39: one flags byte, then the (possibly partial) name. */
static int fqdn(vt_cur v, const vt_sig_sink *s)
{
	vt_sigbuf sb;
	vt_sigbuf_init(&sb);
	cur_u8(&v);
	if (!cur_ok(&v) || vt_sig_wire_name(&v, &sb) != VT_DIS_OK)
		return VT_DIS_MALFORMED;
	if (sb.len)
		vt_sigbuf_emit(&sb, s, "dhcp6_fqdn");
	return VT_DIS_OK;
}

static int client_msg(uint8_t type)
{
	switch (type) {
	case 1: case 3: case 4: case 5: case 6: case 8: case 9: case 11:
		return 1;
	default:
		return 0;
	}
}

int vt_sig_dhcp6(const uint8_t *payload, size_t len, const vt_sig_sink *s)
{
	vt_cur c;
	cur_init(&c, payload, len);
	if (len < 4)
		return VT_DIS_TRUNCATED;
	uint8_t type = cur_u8(&c);
	cur_skip(&c, 3); /* transaction id */
	if (type == 2 || type == 7 || type == 10)
		return VT_DIS_OK; /* server: nothing about itself */
	if (!client_msg(type))
		return VT_DIS_UNSUPPORTED; /* relay, leasequery, unknown */
	int rc = VT_DIS_OK;
	while (cur_left(&c) > 0 && rc == VT_DIS_OK) {
		uint16_t code = cur_be16(&c);
		uint16_t olen = cur_be16(&c);
		vt_cur v = cur_sub(&c, olen);
		if (!cur_ok(&c))
			return VT_DIS_MALFORMED;
		if (code == 16)
			rc = vendor_class(v, s);
		else if (code == 39)
			rc = fqdn(v, s);
	}
	return rc;
}
