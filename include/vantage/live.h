/*
 * Live capture for the passive pipeline (`vantage watch`): libpcap on a
 * Linux interface with TPACKET_V3 (a ring of blocks the kernel fills and
 * hands over whole, immediate mode off) and, with several threads, one
 * handle per thread joined to one PACKET_FANOUT_HASH group. The kernel's
 * fanout hash is symmetric (both directions of a flow hash alike), so a
 * flow is always seen by one thread; each thread runs its own passive
 * pipeline (flow table, device table) and the device tables are merged
 * when asked (vt_devtab_merge), so a device's counters are summed.
 *
 * Threads: vt_live_open/start/stop/close and every other call come from
 * one caller thread; capture threads only run the pipelines. Ended flows
 * are queued per thread (capped, overflow counted) and handed to the
 * caller's sink in the caller's thread by vt_live_drain and vt_live_stop.
 *
 * Startup: a handle receives every frame between its activation and its
 * joining the group (microseconds), so frames in that window may be seen
 * twice; after vt_live_open returns, every frame goes to one thread.
 * Non-first IP fragments carry no ports, so they may hash to another
 * thread than their first fragment; device counters are unaffected.
 */
#ifndef VANTAGE_LIVE_H
#define VANTAGE_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/device.h"
#include "vantage/passive.h"

#define VT_LIVE_MAX_THREADS 64
#define VT_LIVE_DEFAULT_BUFFER (64u << 20)
#define VT_LIVE_DEFAULT_QUEUE (1u << 18)

typedef struct vt_live vt_live;

typedef struct vt_live_cfg {
	const char *iface;       /* borrowed for vt_live_open */
	unsigned threads;        /* 1..VT_LIVE_MAX_THREADS; 0 = 1 */
	size_t buffer_bytes;     /* kernel ring per handle; 0 = default */
	int snaplen;             /* 0 = 262144 */
	int no_promisc;          /* 1: leave the interface's promiscuity */
	int block_timeout_ms;    /* TPACKET_V3 block retire time; 0 = 100 */
	size_t max_queued_flows; /* ended flows waiting per thread; 0 = default */
	vt_passive_cfg passive;  /* per thread; its sink is replaced ... */
	vt_flow_sink sink;       /* ... by this one, called in the caller's
				    thread only (may be NULL) */
	void *sink_user;
} vt_live_cfg;

typedef struct vt_live_stats {
	uint64_t received;        /* frames given to the pipelines */
	uint64_t kernel_drops;    /* pcap ps_drop: the ring was full */
	uint64_t if_drops;        /* pcap ps_ifdrop: dropped by the interface */
	uint64_t queue_drops;     /* ended flows not queued: queue full */
	uint64_t sink_errors;     /* flows the sink refused */
	int first_sink_error;     /* VT_E* of the first refusal */
	vt_passive_stats passive; /* summed over threads (first/last: range) */
	vt_dis_stats dis;         /* summed */
	vt_flow_stats flow;       /* summed (max_active: sum of maxima) */
	vt_devtab_counters dev;   /* summed per-thread tables (devices: a
				     device seen by two threads counts twice) */
	unsigned threads;
	uint64_t thread_frames[VT_LIVE_MAX_THREADS]; /* frames per thread */
} vt_live_stats;

/*
 * Opens and activates every handle (and joins them to the fanout group)
 * and creates the pipelines; no thread runs yet, so the caller may drop
 * privileges now. NULL with errbuf (VT_ERRBUF_LEN) filled on failure: no
 * such interface, no permission (needs CAP_NET_RAW), unsupported link
 * type, fanout refused, out of memory.
 */
vt_live *vt_live_open(const vt_live_cfg *cfg, char *errbuf);
/* Starts the capture threads. VT_OK, or an error with errbuf filled. */
int vt_live_start(vt_live *l, char *errbuf);
/*
 * Hands the queued ended flows to the sink; returns how many. Sink
 * refusals are counted in the stats.
 */
size_t vt_live_drain(vt_live *l);
/*
 * The merged device records (as vt_devtab_export: sorted by MAC, caller
 * owns them) and, if counters is not NULL, the merged table's counters.
 */
int vt_live_devices(vt_live *l, vt_devrec **out, size_t *n_out,
		    vt_devtab_counters *counters);
/* Counters so far (kernel counters read now). */
void vt_live_stats_get(vt_live *l, vt_live_stats *out);
/*
 * Stops the threads, takes what is left in the rings, ends every open
 * flow (to the sink) and drains the queues. Idempotent.
 */
void vt_live_stop(vt_live *l);
/* A capture thread's fatal error (e.g. the interface went away), or NULL. */
const char *vt_live_error(const vt_live *l);
/* Stops if needed and frees everything; NULL is a no-op. */
void vt_live_close(vt_live *l);

#endif
