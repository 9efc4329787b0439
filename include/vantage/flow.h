/*
 * The flow table: bidirectional 5-tuple flows (TCP and UDP; other IP
 * protocols by address pair with ports 0), initiator decided from the SYN,
 * the SYN-ACK, or the first packet. Flows end by idle timeout (per class:
 * TCP, and UDP/other), by a TCP connection being reused after FIN/RST, by
 * eviction when the table is at its cap (the oldest flow goes, counted), or
 * at vt_flowtab_flush(). Every ended flow is handed to the end callback
 * exactly once, so nothing counted is lost.
 *
 * Time comes from the packets and never runs backwards inside the table: a
 * packet older than the newest seen is treated as arriving "now".
 */
#ifndef VANTAGE_FLOW_H
#define VANTAGE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/hidx.h"
#include "vantage/packet.h"

#define VT_FLOW_DEFAULT_MAX (1u << 20)
#define VT_FLOW_TCP_TIMEOUT_S 300
#define VT_FLOW_UDP_TIMEOUT_S 60

enum vt_flow_end_reason {
	VT_FLOW_END_IDLE = 0,
	VT_FLOW_END_EVICTED,
	VT_FLOW_END_REUSED,
	VT_FLOW_END_FLUSH,
};

/* Side 0 is the initiator, side 1 the responder. */
typedef struct vt_flow {
	uint8_t ip[2][16];
	uint8_t mac[2][6];     /* each side's MAC (source when it sent) */
	uint16_t port[2];      /* host order; 0 for non-TCP/UDP */
	uint8_t ver, proto;
	uint8_t mac_ok[2];     /* 1: from dst MAC, 2: seen as its source */
	uint8_t tcp_state;     /* bits: FIN from 0, FIN from 1, RST */
	uint8_t tmo_class;     /* 0 TCP, 1 other */
	uint8_t inspected[2];  /* payload segments of side s given to signal
				* parsers (the user's counter) */
	uint64_t first_us, last_us;
	uint64_t pkts[2], bytes[2]; /* sent by side s; bytes are wire lengths */
	uint32_t tag[2];       /* the user's per-side value (the passive
				* pipeline: device index + 1); 0 = none */
	uint32_t hash;
	uint32_t prev, next;   /* LRU list within tmo_class; UINT32_MAX = none */
} vt_flow;

typedef void (*vt_flow_end_fn)(const vt_flow *f, int reason, void *user);

typedef struct vt_flow_cfg {
	size_t max_flows;       /* hard cap; 0 = VT_FLOW_DEFAULT_MAX */
	uint32_t tcp_timeout_s; /* 0 = default */
	uint32_t udp_timeout_s; /* also other protocols; 0 = default */
} vt_flow_cfg;

typedef struct vt_flow_stats {
	uint64_t created, ended_idle, evicted, reused, flushed;
	uint64_t packets;        /* packets accounted to flows */
	uint64_t max_active;     /* high-water mark */
	uint64_t alloc_failures; /* packets not accounted: out of memory */
} vt_flow_stats;

typedef struct vt_flowtab vt_flowtab;

vt_flowtab *vt_flowtab_new(const vt_flow_cfg *cfg, vt_flow_end_fn on_end,
			   void *user);
/* Ends every remaining flow (reason FLUSH) first; NULL is a no-op. */
void vt_flowtab_free(vt_flowtab *t);

/*
 * Accounts one decoded IP packet (needs VT_HAS_IP). Returns the side (0 or
 * 1) the packet came from, or a negative VT_E* code when it could not be
 * accounted. `*out` (if not NULL) points at the flow until the next call.
 */
int vt_flowtab_packet(vt_flowtab *t, const vt_pkt *p, vt_flow **out);
/* Ends flows idle at time now_us (called by vt_flowtab_packet too). */
void vt_flowtab_expire(vt_flowtab *t, uint64_t now_us);
void vt_flowtab_flush(vt_flowtab *t);
const vt_flow_stats *vt_flowtab_stats(const vt_flowtab *t);
size_t vt_flowtab_active(const vt_flowtab *t);

#endif
