/*
 * `vantage scan`, shared between its two files: cmd_scan.c (options, the
 * layer-4 pass) and scan_out.c (banner grabs, store, output).
 */
#ifndef VT_CLI_SCAN_OUT_H
#define VT_CLI_SCAN_OUT_H

#include <stdint.h>

#include "vantage/grab.h"
#include "vantage/match.h"
#include "vantage/scan.h"
#include "vantage/store.h"

typedef struct vt_scan_opts {
	const char *ports, *iface, *allow, *exclude, *db;
	uint64_t rate, retries, wait_ms, shards, shard, seed, conns, per_host,
		grab_ms;
	int have_seed, dry, no_grab, json, closed;
} vt_scan_opts;

/* What the grabs and UDP replies said about one result (an open port). */
typedef struct vt_portrec {
	vt_answer ans;
	int labelled;           /* ans is set */
	uint8_t *data;          /* the response kept (owned) */
	size_t len;
	const char *probe;      /* borrowed from the probes file, or NULL */
	char *tls_subject, *tls_issuer, *tls_sha256; /* owned, NULL: none */
	const char *end;        /* how the grab ended (static), or NULL */
	unsigned probes;
	uint64_t grab_ms;       /* time the grab took */
} vt_portrec;

typedef struct vt_scanjob {
	const vt_scan_opts *o;
	uint64_t o_rate;
	vt_targets *t;
	vt_ports ports;
	vt_perm perm;
	vt_syn *syn;
	vt_results *res;
	vt_matcher *m;
	vt_store *st;
	int64_t run_id;
	int store_failed;
	int tty;
	uint64_t t0_ns, last_progress, total_probes;
	vt_portrec *recs;       /* one per result after sorting */
	size_t n_recs;
} vt_scanjob;

/* Opens the store and begins the run; prints the error, -1 on failure. */
int vt_scan_store_open(vt_scanjob *s, int argc, char **argv);
/* Grabs, stores and prints; returns the exit status. */
int vt_scan_finish(vt_scanjob *s);
void vt_scan_ports_free(vt_scanjob *s);

#endif
