/*
 * Network telescope (darknet) analysis: classifies each packet sent to
 * unused address space (Merit's classes, CAIDA's backscatter rule, the
 * Mirai signature and the ZMap/masscan fingerprints), keeps bounded
 * per-source, per-event and per-victim state, and counts Mirai-infected
 * sources per time window. The rules are those of
 * docs/EXTERNAL.md sections 1-3.
 *
 * Addresses in this API are IPv4 in host order (uint32_t); the telescope
 * is IPv4 only (IPv6 packets are counted and skipped).
 */
#ifndef VANTAGE_TELESCOPE_H
#define VANTAGE_TELESCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/netclass.h"
#include "vantage/packet.h"

/* Merit's packet classes. */
enum vt_tel_class {
	VT_TC_TCP_SYN = 0, /* SYN without ACK/RST/FIN; keyed by dst port */
	VT_TC_TCP_SYNACK,  /* keyed by source port */
	VT_TC_TCP_ACK,     /* ACK without SYN/RST/FIN; keyed by source port */
	VT_TC_TCP_RST,     /* keyed by source port */
	VT_TC_TCP_OTHER,   /* keyed by destination port */
	VT_TC_UDP,         /* keyed by destination port */
	VT_TC_ICMP,        /* keyed by ICMP type */
	VT_TC_UNKNOWN,     /* keyed by IP protocol number */
	VT_TC_COUNT
};

/* Scanning tool fingerprints of a TCP SYN (Merit). */
enum vt_tel_tool {
	VT_TOOL_NONE = 0,
	VT_TOOL_MIRAI,   /* seq == dst */
	VT_TOOL_MASSCAN, /* ip_id == (dst ^ dport ^ seq) & 0xffff */
	VT_TOOL_ZMAP,    /* ip_id == 54321 */
	VT_TOOL_COUNT
};

#define VT_TEL_ZMAP_IPID 54321
#define VT_TEL_TIMEOUT_S 624      /* an event closes after this silence */
#define VT_TEL_SCAN_MIN_DSTS 10   /* a scan event: unique destinations */
#define VT_TEL_SCAN_MIN_RATE 10.0 /* ... and extrapolated packets/s */

/* One packet as the telescope sees it. */
typedef struct vt_tel_pkt {
	uint32_t src, dst;  /* outer addresses, host order */
	uint16_t sport, dport;
	uint16_t port;      /* the event key port (see vt_tel_class) */
	uint16_t win;       /* TCP window */
	uint32_t seq;       /* TCP sequence number */
	uint16_t ip_id;
	uint8_t ttl, flags; /* IP TTL, TCP flags (0 for UDP/ICMP) */
	uint32_t bytes;     /* IP total length (not the padded frame) */
	uint64_t ts_us;
	uint8_t cls;        /* enum vt_tel_class */
	uint8_t backscatter; /* CAIDA's rule */
	uint8_t mirai_sig, mirai_orig;
	uint8_t tool;       /* enum vt_tel_tool of a SYN, else NONE */
	uint8_t has_victim; /* backscatter: victim fields valid */
	uint8_t victim_proto; /* IP protocol of the victim's port (6/17/1) */
	uint16_t victim_port; /* victim's port (0: none) */
	uint32_t victim;    /* the DoS victim, host order */
} vt_tel_pkt;

/*
 * Classifies a decoded packet. Returns VT_OK with *out filled, or
 * VT_EUNSUP when the packet is not an IPv4 packet we can key (no IP
 * layer, IPv6, a non-first fragment). Reads quoted ICMP headers through
 * the cursor.
 */
int vt_tel_classify(const vt_pkt *p, vt_tel_pkt *out);

/* Is dst (host order) outside Mirai's target exclusions (2016 code)? */
int vt_tel_mirai_target(uint32_t dst);

/*
 * Parses an ICMP error's quoted IPv4 header (the ICMP payload after the
 * 4 unused bytes): the inner source/destination, protocol and, when the
 * first 4 bytes of the inner transport header are there, its ports.
 * VT_OK or VT_ETRUNC / VT_EFORMAT.
 */
typedef struct vt_tel_quote {
	uint32_t src, dst;
	uint8_t proto;
	int has_ports;
	uint16_t sport, dport;
} vt_tel_quote;
int vt_tel_quote_parse(const uint8_t *p, size_t len, vt_tel_quote *q);

const char *vt_tel_class_name(int cls);
const char *vt_tel_tool_name(int tool); /* NULL for VT_TOOL_NONE */

/* Configuration. Zero fields take the defaults. */
typedef struct vt_tel_cfg {
	const vt_cidr *prefixes; /* the telescope; borrowed */
	size_t n_prefixes;       /* 0: every destination counts, no rates */
	uint32_t window_s;       /* Mirai window (default 3600) */
	uint32_t mirai_k;        /* mirai_sig packets to count a source (1) */
	size_t max_sources;      /* default 1048576 */
	size_t max_events;       /* default 2097152 */
	size_t max_victims;      /* default 262144 */
	size_t max_windows;      /* per-window rows kept (default 100000) */
} vt_tel_cfg;

#define VT_TEL_MAX_PORTS 32 /* ports kept per source (more are counted) */
#define VT_TEL_MAX_PAIRS 4  /* Mirai (sport, window) pairs kept */

/* A distinct counter: exact up to a few values, estimated above. */
typedef struct vt_tel_distinct {
	uint32_t n;        /* exact count while <= VT_TEL_DISTINCT_EXACT */
	uint32_t v[12];    /* the exact values */
	uint8_t *hll;      /* owned; HyperLogLog registers once past exact */
} vt_tel_distinct;
#define VT_TEL_DISTINCT_EXACT 12 /* > the scan threshold: decided exactly */

typedef struct vt_tel_portcount {
	uint16_t port;
	uint8_t cls;
	uint64_t packets;
} vt_tel_portcount;

/* A finished source, as exported. */
typedef struct vt_tel_source {
	uint32_t ip;
	uint64_t first_us, last_us;
	uint64_t packets, bytes;
	uint64_t unique_dsts, unique_24s;
	uint64_t syn_packets, backscatter_packets;
	uint64_t mirai_sig, mirai_orig, mirai_23, mirai_2323;
	uint64_t tool_packets[VT_TOOL_COUNT]; /* SYNs per fingerprint */
	uint64_t events, scan_events;
	double max_rate;        /* extrapolated packets/s; < 0: no rates */
	uint32_t npairs;        /* distinct Mirai (sport, window) pairs */
	uint16_t pair_sport[VT_TEL_MAX_PAIRS], pair_win[VT_TEL_MAX_PAIRS];
	vt_tel_portcount ports[VT_TEL_MAX_PORTS]; /* by packets, descending */
	uint32_t nports;
	uint64_t ports_dropped; /* packets to ports past the cap */
	int evicted;            /* exported early because the table was full */
	/* derived */
	int cls;                /* 0 other, 1 scanner, 2 backscatter */
	int tool;               /* enum vt_tel_tool */
	int is_mirai;           /* mirai_sig >= k */
	int pure;               /* every SYN matched (meaningful if is_mirai) */
	int consistent;         /* one (sport, window) pair */
} vt_tel_source;

enum { VT_TEL_OTHER = 0, VT_TEL_SCANNER = 1, VT_TEL_BACKSCATTER = 2 };
const char *vt_tel_source_class_name(int cls);

/* The first packet of an event, as decoded (EXTERNAL.md: samples). */
typedef struct vt_tel_sample {
	uint32_t dst, seq;
	uint16_t sport, dport, ip_id, win, len;
	uint8_t ttl, flags;
} vt_tel_sample;

/* A closed event (source, port, class). */
typedef struct vt_tel_event {
	uint32_t src;
	uint16_t port;
	uint8_t cls;
	uint64_t first_us, last_us;
	uint64_t packets, bytes;
	uint64_t unique_dsts, unique_24s;
	uint64_t mirai_sig, mirai_orig;
	uint32_t npairs;
	double rate; /* extrapolated packets/s; < 0 without a telescope size */
	int scan;    /* >= 10 unique destinations and rate >= 10 */
	int evicted; /* closed early because the table was full */
	vt_tel_sample sample; /* its first packet */
} vt_tel_event;

typedef struct vt_tel_victim {
	uint32_t ip;
	uint64_t first_us, last_us;
	uint64_t packets;
	uint64_t tcp, icmp;  /* packets by backscatter kind */
	uint16_t top_port;   /* the victim port seen first (0: none) */
	uint8_t top_proto;
} vt_tel_victim;

/* Per-window Mirai counts; thresholds are k and 2. */
typedef struct vt_tel_window {
	uint64_t start_us;
	uint64_t active[2];  /* sources with >= k / >= 2 mirai_sig packets */
	uint64_t newly[2];   /* sources that first reached k / 2 here */
	uint64_t sig_23, sig_2323, sig_packets;
} vt_tel_window;

typedef struct vt_tel_stats {
	uint64_t packets;        /* handed to vt_tel_packet */
	uint64_t not_ipv4;       /* IPv6, no IP, fragments: skipped */
	uint64_t outside;        /* destination outside --prefix: skipped */
	uint64_t counted;        /* packets counted (the rest) */
	uint64_t per_class[VT_TC_COUNT];
	uint64_t backscatter, mirai_sig, mirai_orig, sig_23, sig_2323;
	uint64_t sources_evicted, events_evicted, victims_dropped;
	uint64_t windows_dropped;
	uint64_t sources_alloc_failed, events_alloc_failed;
	uint64_t events_closed, scan_events;
	uint64_t sig_only_ports[65536 / 64]; /* bitmap: ports of sig-not-orig */
} vt_tel_stats;

typedef struct vt_tel vt_tel;

/* Sinks: called for each finished record (borrowed for the call). */
typedef struct vt_tel_sinks {
	void (*source)(const vt_tel_source *s, void *user);
	void (*event)(const vt_tel_event *e, void *user);
	void *user;
} vt_tel_sinks;

vt_tel *vt_tel_new(const vt_tel_cfg *cfg, const vt_tel_sinks *sinks);
void vt_tel_free(vt_tel *t);
/* Counts one decoded frame. */
void vt_tel_packet(vt_tel *t, const vt_pkt *p);
/*
 * Closes every event and exports every source (sorted by IP) through the
 * sinks. Call once; afterwards only the getters below are valid.
 */
void vt_tel_finish(vt_tel *t);

const vt_tel_stats *vt_tel_counters(const vt_tel *t);
uint64_t vt_tel_size(const vt_tel *t); /* telescope addresses; 0 unknown */
uint32_t vt_tel_k(const vt_tel *t);
/* The windows (hours by default, then days), oldest first. */
const vt_tel_window *vt_tel_windows(const vt_tel *t, int days, size_t *n);
/* Distinct sources that ever reached k (i = 0) or 2 (i = 1). */
uint64_t vt_tel_mirai_total(const vt_tel *t, int i);
/* Sources per class, and scanners per tool (NONE: other), at export. */
uint64_t vt_tel_sources_by_class(const vt_tel *t, int cls);
uint64_t vt_tel_sources_by_tool(const vt_tel *t, int tool);
/* Victims, sorted by packets descending (valid after finish). */
const vt_tel_victim *vt_tel_victims(const vt_tel *t, size_t *n);

/* Distinct counter (distinct.c). */
void vt_tel_distinct_add(vt_tel_distinct *d, uint32_t v);
uint64_t vt_tel_distinct_count(const vt_tel_distinct *d);
void vt_tel_distinct_cleanup(vt_tel_distinct *d);

#endif
