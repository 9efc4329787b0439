/*
 * The passive pipeline: frames -> dissectors -> device table (L2 counters,
 * bindings) and flow table (flows) -> per-device shares when flows end.
 * Ended flows are also offered to a sink (the store) as vt_flow_rec rows.
 * Used by `vantage read` and, one per capture thread, by `vantage watch`.
 */
#ifndef VANTAGE_PASSIVE_H
#define VANTAGE_PASSIVE_H

#include "vantage/capture.h"
#include "vantage/device.h"
#include "vantage/flow.h"
#include "vantage/packet.h"
#include "vantage/store.h"

typedef struct vt_passive vt_passive;

/* Receives each ended flow; returns VT_OK or an error (counted). */
typedef int (*vt_flow_sink)(const vt_flow_rec *f, void *user);

typedef struct vt_passive_cfg {
	vt_flow_cfg flow;
	vt_devtab_cfg dev;
	int no_signals;    /* 1: skip identifying signals (DHCP, DNS, ...) */
	vt_flow_sink sink; /* may be NULL */
	void *sink_user;
} vt_passive_cfg;

typedef struct vt_passive_stats {
	uint64_t frames;       /* frames given to the pipeline */
	uint64_t ip_packets;   /* frames with an IP header decoded */
	uint64_t flows_ended;
	uint64_t sink_errors;  /* flows the sink refused (e.g. disk full) */
	int first_sink_error;  /* VT_E* of the first refusal */
	uint64_t first_us, last_us;
} vt_passive_stats;

vt_passive *vt_passive_new(const vt_passive_cfg *cfg);
void vt_passive_free(vt_passive *p);

void vt_passive_frame(vt_passive *p, const vt_frame *f);
/* Ends every open flow (they reach the devices and the sink). */
void vt_passive_finish(vt_passive *p);
/* Ends the flows idle at now_us (live capture calls it when traffic stops). */
void vt_passive_expire(vt_passive *p, uint64_t now_us);

vt_devtab *vt_passive_devices(vt_passive *p);
const vt_passive_stats *vt_passive_counters(const vt_passive *p);
const vt_dis_stats *vt_passive_dis_stats(const vt_passive *p);
const vt_flow_stats *vt_passive_flow_stats(const vt_passive *p);

#endif
