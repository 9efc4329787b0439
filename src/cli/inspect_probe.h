/*
 * `vantage inspect --probe`: the inspected devices' offered services,
 * probed while the inspection runs, with the scan library (SYN/UDP
 * probes from include/vantage/scan.h, banner grabs from grab.h).
 *
 * A pass (the port list on every device at a fixed packet rate, one retry
 * of unanswered probes, then banner grabs of the open TCP ports and the
 * labels of UDP replies) runs at the start and every interval seconds in
 * a thread of its own, so the inspect loop (ARP pacing, safety checks,
 * capture) never waits for it. The thread only probes: what a pass found
 * is queued, and the inspect loop writes it to the store (one writer): a
 * run of its own (command inspect, vantage internal, technique active),
 * each device by its MAC with one service row per open port (role server,
 * technique active) and one banner row per response, as `vantage scan`
 * writes them. vantage report then sets them beside the inspect run's
 * used services.
 *
 * Privileges: vt_iprobe_open (raw sockets, the matcher, the run) before
 * they are dropped; vt_iprobe_start after (the thread holds nothing).
 * vt_iprobe_stop only sets a flag: sending stops within about 50 ms and
 * grabs in progress end within 200 ms (vt_grab_run's poll step).
 */
#ifndef VT_CLI_INSPECT_PROBE_H
#define VT_CLI_INSPECT_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/store.h"

#define VT_IPROBE_MAX_QUEUE 4096 /* rows waiting for the store; more: counted */

typedef struct vt_iprobe vt_iprobe;

typedef struct vt_iprobe_dev {
	uint8_t ip[4];
	uint8_t mac[6];
} vt_iprobe_dev;

typedef struct vt_iprobe_cfg {
	const char *iface;
	const vt_iprobe_dev *devs; /* copied */
	size_t n_devs;
	const char *ports;         /* a port list (scan -p); NULL: the default */
	uint64_t rate;             /* packets per second */
	uint64_t interval_s;       /* between the starts of two passes */
	vt_store *st;              /* NULL: probe, print counts, store nothing */
	const char *args, *source; /* the run's (store only) */
} vt_iprobe_cfg;

typedef struct vt_iprobe_stats {
	uint64_t passes, sent, open, banners, stored, dropped;
} vt_iprobe_stats;

/* NULL with errbuf filled (bad port list, raw socket refused, matcher or
 * store run failed). */
vt_iprobe *vt_iprobe_open(const vt_iprobe_cfg *cfg, char *errbuf);
/* Starts the thread (first pass at once). VT_EIO with errbuf filled. */
int vt_iprobe_start(vt_iprobe *p, char *errbuf);
/* Stops sending and grabbing now; returns at once. */
void vt_iprobe_stop(vt_iprobe *p);
/* From the thread that owns the store: writes the queued rows. VT_OK or
 * the store's error (vt_store_errmsg). */
int vt_iprobe_store(vt_iprobe *p);
/* Stops, waits for the thread, writes what is queued and ends the run
 * with status; VT_OK or the store's error. */
int vt_iprobe_finish(vt_iprobe *p, const char *status);
const vt_iprobe_stats *vt_iprobe_stats_get(const vt_iprobe *p);
void vt_iprobe_free(vt_iprobe *p);

#endif
