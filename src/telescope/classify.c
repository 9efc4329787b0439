/*
 * One packet -> its telescope class (docs/EXTERNAL.md section 2):
 * Merit's TCP/UDP/ICMP classes and key ports, CAIDA's backscatter rule
 * (TCP SYN+ACK or RST; ICMP types 0, 3, 4, 5, 11, 12, 14, 16, 18, with the
 * victim read from an error's quoted header), the Mirai signature (a SYN
 * whose sequence number equals the destination address; both are held in
 * host order here, decoded from network order the same way, so the
 * comparison is byte for byte), the 2016 Mirai profile, and the ZMap and
 * masscan SYN fingerprints.
 */
#include "vantage/error.h"
#include "vantage/telescope.h"

static const char *const class_names[VT_TC_COUNT] = {
	"tcp_syn", "tcp_synack", "tcp_ack", "tcp_rst",
	"tcp_other", "udp", "icmp", "unknown",
};

const char *vt_tel_class_name(int cls)
{
	return cls >= 0 && cls < VT_TC_COUNT ? class_names[cls] : "?";
}

const char *vt_tel_tool_name(int tool)
{
	switch (tool) {
	case VT_TOOL_MIRAI: return "mirai";
	case VT_TOOL_MASSCAN: return "masscan";
	case VT_TOOL_ZMAP: return "zmap";
	}
	return NULL;
}

static uint32_t be32(const uint8_t *a)
{
	return ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) |
	       ((uint32_t)a[2] << 8) | a[3];
}

static int tcp_class(uint8_t f)
{
	if (f & VT_TCP_RST)
		return VT_TC_TCP_RST;
	if ((f & (VT_TCP_SYN | VT_TCP_ACK)) == (VT_TCP_SYN | VT_TCP_ACK))
		return VT_TC_TCP_SYNACK;
	if ((f & (VT_TCP_SYN | VT_TCP_ACK | VT_TCP_FIN)) == VT_TCP_SYN)
		return VT_TC_TCP_SYN;
	if ((f & (VT_TCP_SYN | VT_TCP_ACK | VT_TCP_FIN)) == VT_TCP_ACK)
		return VT_TC_TCP_ACK;
	return VT_TC_TCP_OTHER;
}

/* The 2016 profile on top of the signature (EXTERNAL.md section 2). */
static int mirai_orig(const vt_pkt *p, const vt_tel_pkt *t)
{
	return (t->dport == 23 || t->dport == 2323) && p->ip_hlen == 20 &&
	       p->tcp_hlen == 20 && p->ip_len == 40 && p->ttl <= 64 &&
	       !p->ip_df && !p->ip_frag && t->sport >= 1024 &&
	       vt_tel_mirai_target(t->dst);
}

static void tcp(const vt_pkt *p, vt_tel_pkt *t)
{
	t->sport = p->sport;
	t->dport = p->dport;
	t->win = p->tcp_win;
	t->seq = p->tcp_seq;
	t->flags = p->tcp_flags;
	t->cls = (uint8_t)tcp_class(p->tcp_flags);
	switch (t->cls) {
	case VT_TC_TCP_SYN:
	case VT_TC_TCP_OTHER: t->port = p->dport; break;
	default: t->port = p->sport; break;
	}
	if (t->cls == VT_TC_TCP_SYNACK || t->cls == VT_TC_TCP_RST) {
		t->backscatter = 1;
		t->has_victim = 1;
		t->victim = t->src; /* it answered a SYN spoofed from us */
		t->victim_proto = 6;
		t->victim_port = p->sport;
	}
	if (t->cls != VT_TC_TCP_SYN)
		return;
	if (p->tcp_seq == t->dst) {
		t->mirai_sig = 1;
		t->mirai_orig = (uint8_t)mirai_orig(p, t);
		t->tool = VT_TOOL_MIRAI;
	} else if (p->ip_id == VT_TEL_ZMAP_IPID) {
		t->tool = VT_TOOL_ZMAP;
	} else if (p->ip_id == ((t->dst ^ t->dport ^ p->tcp_seq) & 0xffff)) {
		t->tool = VT_TOOL_MASSCAN;
	}
}

static int icmp_backscatter(uint8_t type)
{
	switch (type) {
	case 0: case 3: case 4: case 5: case 11:
	case 12: case 14: case 16: case 18: return 1;
	}
	return 0;
}

static int icmp_error(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void icmp(const vt_pkt *p, vt_tel_pkt *t)
{
	t->cls = VT_TC_ICMP;
	t->port = p->icmp_type;
	if (!icmp_backscatter(p->icmp_type))
		return;
	t->backscatter = 1;
	t->has_victim = 1;
	t->victim = t->src;
	t->victim_proto = 1;
	vt_tel_quote q;
	if (icmp_error(p->icmp_type) && p->l4_payload &&
	    vt_tel_quote_parse(p->l4_payload, p->l4_payload_len, &q) == VT_OK) {
		t->victim = q.dst;
		t->victim_proto = q.proto;
		t->victim_port = q.has_ports ? q.dport : 0;
	}
}

int vt_tel_classify(const vt_pkt *p, vt_tel_pkt *t)
{
	*t = (vt_tel_pkt){0};
	if (!(p->has & VT_HAS_IP) || p->ipver != 4 || (p->has & VT_HAS_FRAG))
		return VT_EUNSUP;
	t->src = be32(p->ip_src);
	t->dst = be32(p->ip_dst);
	t->ts_us = p->ts_us;
	t->bytes = p->ip_len;
	t->ip_id = p->ip_id;
	t->ttl = p->ttl;
	if (p->ip_proto == 6 && (p->has & VT_HAS_L4)) {
		tcp(p, t);
	} else if (p->ip_proto == 17 && (p->has & VT_HAS_L4)) {
		t->cls = VT_TC_UDP;
		t->sport = p->sport;
		t->dport = t->port = p->dport;
	} else if (p->ip_proto == 1 && (p->has & VT_HAS_ICMP)) {
		icmp(p, t);
	} else {
		t->cls = VT_TC_UNKNOWN;
		t->port = p->ip_proto;
	}
	return VT_OK;
}
