/*
 * Which packets carry identifying signals and whose they are: DHCP
 * requests (the client named by chaddr), DHCPv6 client messages, mDNS,
 * DNS queries, SSDP, the first payload segments of each side of a TCP
 * flow (HTTP, TLS) and TCP SYNs. A signal belongs to the sending device,
 * and only when that device is on the local network: a server's reply
 * through the gateway never describes the gateway.
 */
#include "flow/signals.h"

#include <string.h>

#include "vantage/signal.h"

#define INSPECT_SEGMENTS 2 /* payload segments per flow side: the request
			    * or ClientHello, and a server's first flight */
#define SYN_SIGNATURES 8   /* SYNs per device given a signature: a stack
			    * does not change between connections */
#define TLS_FINGERPRINTS 32 /* ClientHellos per device given JA3/JA4 (the
			     * server name is taken from every one) */

typedef struct sink_ctx {
	vt_devtab *t;
	int64_t dev;
	uint64_t ts;
} sink_ctx;

static void emit(void *user, const char *name, const uint8_t *v, size_t len)
{
	sink_ctx *c = user;
	vt_devtab_signal(c->t, c->dev, name, v, len, c->ts);
}

static int udp_port(const vt_pkt *p, uint16_t port)
{
	return p->sport == port || p->dport == port;
}

static void udp_signals(const vt_pkt *p, vt_sig_sink *s, sink_ctx *c)
{
	const uint8_t *pl = p->l4_payload;
	size_t n = p->l4_payload_len;
	if (udp_port(p, 67) && udp_port(p, 68)) {
		if (!(p->has & VT_HAS_DHCP) || p->dhcp_op != 1)
			return; /* replies describe the server's offer */
		c->dev = vt_devtab_mac(c->t, p->dhcp_chaddr, p->ts_us);
		vt_sig_dhcp(pl, n, s);
	} else if (p->dport == 547) {
		vt_sig_dhcp6(pl, n, s);
	} else if (udp_port(p, 5353)) {
		vt_sig_dns(pl, n, 1, s);
	} else if (p->dport == 53) {
		vt_sig_dns(pl, n, 0, s);
	} else if (udp_port(p, 1900)) {
		vt_sig_ssdp(pl, n, s);
	} else if (n >= 4 && pl[0] == 0xf1) {
		vt_sig_p2p(pl, n, p->sport, p->dport, s);
	}
}

static void tcp_signals(const vt_pkt *p, vt_flow *f, int side, vt_sig_sink *s,
			sink_ctx *c)
{
	if ((p->tcp_flags & (VT_TCP_SYN | VT_TCP_ACK)) == VT_TCP_SYN) {
		if (vt_devtab_budget(c->t, c->dev, VT_BUDGET_SYN, SYN_SIGNATURES))
			vt_sig_tcp_syn(p, s);
		return;
	}
	if (!p->l4_payload_len || !f || f->inspected[side] >= INSPECT_SEGMENTS)
		return;
	f->inspected[side]++;
	if (p->l4_payload[0] == 0x16) {
		if (!vt_devtab_budget(c->t, c->dev, VT_BUDGET_TLS, TLS_FINGERPRINTS))
			s->skip |= VT_SIG_SKIP_TLS_FP;
		vt_sig_tls(p->l4_payload, p->l4_payload_len, s);
	}
	else
		vt_sig_http(p->l4_payload, p->l4_payload_len, s);
}

/* Could this packet carry a signal? (cheap tests before any lookup) */
static int candidate(const vt_pkt *p, const vt_flow *f, int side)
{
	if (p->ip_proto == 6) {
		if ((p->tcp_flags & (VT_TCP_SYN | VT_TCP_ACK)) == VT_TCP_SYN)
			return 1;
		return p->l4_payload_len && f && f->inspected[side] < INSPECT_SEGMENTS;
	}
	if (p->ip_proto != 17)
		return 0;
	if (udp_port(p, 67) || udp_port(p, 5353) || udp_port(p, 1900) ||
	    p->dport == 547 || p->dport == 53)
		return 1;
	return p->l4_payload_len >= 4 && p->l4_payload[0] == 0xf1;
}

void vt_signals_packet(vt_devtab *t, const vt_pkt *p, const int64_t dev[2],
		       vt_flow *f, int side)
{
	sink_ctx c = {.t = t, .dev = dev[0], .ts = p->ts_us};
	vt_sig_sink s = {.emit = emit, .user = &c};
	if (!(p->has & VT_HAS_L4) || !p->l4_payload || !candidate(p, f, side))
		return;
	int dhcp = p->ip_proto == 17 && udp_port(p, 67) && udp_port(p, 68);
	/* Only a local sender's own words (DHCP names its client itself). */
	if (!dhcp && (dev[0] < 0 || !vt_devtab_ip_local(t, p->ipver, p->ip_src)))
		return;
	if (p->ip_proto == 17)
		udp_signals(p, &s, &c);
	else if (p->ip_proto == 6)
		tcp_signals(p, f, side, &s, &c);
}
