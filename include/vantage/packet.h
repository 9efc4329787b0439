/*
 * One decoded frame, as the dissectors leave it.
 *
 * The dissectors (src/dissect/) fill a vt_pkt from the frame bytes through
 * a cursor; nothing else reads frame bytes. Pointers (l4_payload,
 * tcp_opts) borrow the frame buffer and are valid only until the capture
 * source delivers the next frame.
 */
#ifndef VANTAGE_PACKET_H
#define VANTAGE_PACKET_H

#include <stdint.h>

/* What a dissector says about its layer. A malformed packet is data. */
enum vt_dis_result {
	VT_DIS_OK = 0,
	VT_DIS_TRUNCATED,   /* the capture stopped before the header did */
	VT_DIS_MALFORMED,   /* a field contradicts the spec or another field */
	VT_DIS_UNSUPPORTED, /* valid, but not something we decode */
	VT_DIS_NRESULTS
};

/* Dissector identifiers; also the index into the per-layer counters. */
enum vt_proto {
	VT_P_NONE = 0,
	VT_P_ETH,
	VT_P_SLL,
	VT_P_SLL2,
	VT_P_RAW, /* raw IP: picks IPv4 or IPv6 from the version nibble */
	VT_P_VLAN,
	VT_P_ARP,
	VT_P_IPV4,
	VT_P_IPV6,
	VT_P_ICMP,
	VT_P_ICMP6,
	VT_P_TCP,
	VT_P_UDP,
	VT_P_DHCP,
	VT_P_COUNT
};

/* Bits of vt_pkt.has: which layers were decoded successfully. */
#define VT_HAS_MAC_SRC (1u << 0)
#define VT_HAS_MAC_DST (1u << 1)
#define VT_HAS_ARP (1u << 2)
#define VT_HAS_IP (1u << 3)
#define VT_HAS_L4 (1u << 4)   /* TCP or UDP ports valid */
#define VT_HAS_ICMP (1u << 5)
#define VT_HAS_NDP_LL (1u << 6) /* ndp_ll/ndp_addr valid */
#define VT_HAS_DHCP (1u << 7)
#define VT_HAS_FRAG (1u << 8)  /* IP fragment other than the first */

#define VT_TCP_FIN 0x01
#define VT_TCP_SYN 0x02
#define VT_TCP_RST 0x04
#define VT_TCP_PSH 0x08
#define VT_TCP_ACK 0x10

#define VT_MAX_VLAN 8      /* deeper tag stacks are UNSUPPORTED */
#define VT_MAX_IP6_EXT 16  /* longer extension chains are UNSUPPORTED */

typedef struct vt_pkt {
	uint64_t ts_us;    /* capture time, microseconds since the epoch */
	uint32_t caplen;   /* bytes captured */
	uint32_t wirelen;  /* original length on the wire */
	uint32_t has;      /* VT_HAS_* */

	uint8_t mac_src[6], mac_dst[6];
	uint8_t nvlan;      /* 802.1Q/802.1ad tags seen */
	uint16_t vlan_id;   /* outermost VLAN id, 0 when untagged */
	uint16_t ethertype; /* innermost EtherType */

	/* ARP (Ethernet/IPv4 only), valid with VT_HAS_ARP */
	uint16_t arp_op;
	uint8_t arp_sha[6], arp_spa[4], arp_tha[6], arp_tpa[4];

	/* IP, valid with VT_HAS_IP; IPv4 addresses use the first 4 bytes */
	uint8_t ipver;      /* 4 or 6 */
	uint8_t ip_proto;   /* upper-layer protocol after extension headers */
	uint8_t ttl;        /* TTL or hop limit */
	uint8_t tos;
	uint8_t ip_src[16], ip_dst[16];
	uint16_t ip_id;     /* IPv4 identification */
	uint16_t ip_len;    /* IPv4 total length / IPv6 40 + payload length */
	uint8_t ip_hlen;    /* IPv4 header length in bytes */
	uint8_t ip_df;      /* IPv4 don't-fragment bit */
	uint8_t ip_frag;    /* 1 when this is any fragment (first or later) */
	uint32_t l4_declared; /* upper-layer length the IP header declares
			       * (the cursor holds only what was captured) */

	/* TCP/UDP, valid with VT_HAS_L4 */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t tcp_hlen;   /* data offset in bytes */
	uint16_t tcp_win;
	uint32_t tcp_seq, tcp_ack;
	const uint8_t *tcp_opts; /* borrowed; tcp_opts_len bytes */
	uint8_t tcp_opts_len;

	/* ICMP/ICMPv6, valid with VT_HAS_ICMP */
	uint8_t icmp_type, icmp_code;
	/* NDP: target (NA/NS) or source address with its link-layer option */
	uint8_t ndp_addr[16];
	uint8_t ndp_ll[6];

	/* DHCPv4, valid with VT_HAS_DHCP */
	uint8_t dhcp_op, dhcp_msgtype;
	uint8_t dhcp_chaddr[6];
	uint8_t dhcp_yiaddr[4], dhcp_ciaddr[4], dhcp_reqip[4]; /* 0.0.0.0 = absent */

	const uint8_t *l4_payload; /* borrowed; TCP/UDP payload */
	uint32_t l4_payload_len;

	enum vt_proto next; /* set by a dissector: who decodes the rest */
} vt_pkt;

/* Counters per dissector and result. `seen` counts calls. */
typedef struct vt_dis_stats {
	uint64_t seen[VT_P_COUNT];
	uint64_t result[VT_P_COUNT][VT_DIS_NRESULTS];
	uint64_t fragments; /* IPv4/IPv6 non-first fragments, not decoded further */
	uint64_t frames;    /* frames handed to vt_dissect_frame */
} vt_dis_stats;

/* libpcap DLT values we decode. */
enum {
	VT_DLT_EN10MB = 1,
	VT_DLT_RAW = 12,
	VT_DLT_RAW_ALT = 14, /* OpenBSD's DLT_RAW number */
	VT_DLT_LINUX_SLL = 113,
	VT_DLT_RAW101 = 101, /* LINKTYPE_RAW as written in files */
	VT_DLT_IPV4 = 228,
	VT_DLT_IPV6 = 229,
	VT_DLT_LINUX_SLL2 = 276,
};

/* Is the link type one we decode? */
int vt_dissect_linktype_ok(int dlt);

/*
 * Decodes one frame into *p (which it clears first). Returns the worst
 * vt_dis_result met; the counters in *st are updated. The frame bytes are
 * borrowed for the life of *p.
 */
int vt_dissect_frame(int dlt, const uint8_t *frame, uint32_t caplen,
		     uint32_t wirelen, uint64_t ts_us, vt_pkt *p,
		     vt_dis_stats *st);

/*
 * Decodes bytes starting at dissector `start` (for fuzzing and tests of
 * one layer): as vt_dissect_frame but without the link-layer choice.
 */
int vt_dissect_from(enum vt_proto start, const uint8_t *data, uint32_t len,
		    vt_pkt *p, vt_dis_stats *st);

/* Name of a dissector ("ipv4"), for summaries. */
const char *vt_dissect_name(enum vt_proto id);

#endif
