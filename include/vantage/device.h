/*
 * The live device table of the passive pipeline. Devices on the local
 * network are keyed by MAC; captures without a link layer key local hosts
 * by IP. Per device it counts frames and bytes sent/received (L2: the
 * frame's source/destination MAC), learns IP bindings (ARP, DHCP, NDP,
 * traffic), and takes each ended flow's share: flows, local/external
 * flows and bytes, services used, external peers.
 *
 * The gateway is the MAC through which external addresses are reached:
 * the unicast MAC that most often sends or receives frames whose IP
 * address is external. Flows to external hosts carry the gateway's MAC on
 * the external side, so they are attributed to the local host, never to it.
 *
 * Everything that grows has a cap (devices, bindings, services, peers);
 * what does not fit is counted in vt_devtab_stats.
 */
#ifndef VANTAGE_DEVICE_H
#define VANTAGE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/devrec.h"
#include "vantage/flow.h"
#include "vantage/netclass.h"
#include "vantage/packet.h"

#define VT_DEVTAB_DEFAULT_MAX 65536
#define VT_DEVTAB_MAX_LOCALNETS 64

typedef struct vt_devtab vt_devtab;

typedef struct vt_devtab_cfg {
	size_t max_devices;       /* 0 = VT_DEVTAB_DEFAULT_MAX */
	size_t max_peers;         /* (device, external peer) pairs; 0 = 4M */
	const vt_cidr *local_nets; /* extra local prefixes (--local-net) */
	size_t n_local_nets;
} vt_devtab_cfg;

typedef struct vt_devtab_counters {
	uint64_t devices;          /* devices tracked */
	uint64_t device_drops;     /* frames not counted: device cap */
	uint64_t binding_drops;    /* bindings over VT_DEV_MAX_IPS */
	uint64_t service_drops;    /* services over VT_DEV_MAX_SERVICES */
	uint64_t peer_drops;       /* peer pairs over max_peers */
	uint64_t signal_drops;     /* signals over VT_DEV_MAX_SIGNALS */
	uint64_t flows_unattributed; /* flows with no local device side */
} vt_devtab_counters;

vt_devtab *vt_devtab_new(const vt_devtab_cfg *cfg);
void vt_devtab_free(vt_devtab *t);

/*
 * Counts one frame (L2 counters, bindings, gateway votes). dev[0]/dev[1]
 * (if dev is not NULL) get the sending/receiving device's index, or -1.
 */
void vt_devtab_frame(vt_devtab *t, const vt_pkt *p, int64_t dev[2]);

/*
 * Records that device dev (an index from vt_devtab_frame) gave signal
 * name = value; distinct pairs are kept (VT_DEV_MAX_SIGNALS per device,
 * values cut at VT_SIG_MAX_VALUE bytes), repeats counted.
 */
void vt_devtab_signal(vt_devtab *t, int64_t dev, const char *name,
		      const uint8_t *value, size_t len, uint64_t ts_us);

/*
 * Counts one use of device dev's budget of a kind of costly signature
 * work; 1 while fewer than limit were counted (the caller then does the
 * work), else 0.
 */
enum { VT_BUDGET_SYN, VT_BUDGET_TLS, VT_BUDGET_COUNT };
int vt_devtab_budget(vt_devtab *t, int64_t dev, int kind, unsigned limit);

/* The device index for a MAC (created if new), or -1. */
int64_t vt_devtab_mac(vt_devtab *t, const uint8_t mac[6], uint64_t ts_us);

/*
 * Tags the sides of flow f with the devices of a packet that side s sent
 * (dev as from vt_devtab_frame), so ending the flow needs no lookup.
 */
void vt_devtab_tag_flow(vt_flow *f, int s, const int64_t dev[2]);

/* What the device table made of a flow's two sides. */
typedef struct vt_flow_sides {
	int local[2];     /* the side's address is local */
	int has_mac[2];   /* the side is a device with a MAC ... */
	uint8_t mac[2][6]; /* ... this one */
} vt_flow_sides;

/*
 * Takes an ended flow's share (flows, bytes, services, peers). A side is a
 * device when its address is local and f->tag[s] names one (device index
 * + 1, as set from vt_devtab_frame's dev). Fills *out unless NULL.
 */
void vt_devtab_flow_end(vt_devtab *t, const vt_flow *f, vt_flow_sides *out);

/* Is this address local (range, --local-net, or bound on the LAN)? */
int vt_devtab_ip_local(vt_devtab *t, uint8_t ver, const uint8_t *ip);

/*
 * Exports the devices that sent at least one frame (plus the gateway), as
 * records sorted by MAC; the caller owns the array (vt_devrec_cleanup each,
 * then free). Marks the gateway. OUI vendors are not filled here.
 */
int vt_devtab_export(vt_devtab *t, vt_devrec **out, size_t *n_out);

const vt_devtab_counters *vt_devtab_stats(const vt_devtab *t);

/*
 * Folds every device of src into dst (created by vt_devtab_new, used only
 * as an accumulator and then exported): counters and drop counts added,
 * bindings, services and signals united by key, external peers united as
 * sets, gateway votes added. For per-thread tables of one capture whose
 * flows were never split between threads. Returns VT_OK; what dst's caps
 * refuse is counted in its vt_devtab_stats.
 */
int vt_devtab_merge(vt_devtab *dst, const vt_devtab *src);

#endif
