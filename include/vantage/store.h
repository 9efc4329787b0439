/*
 * The embedded store: one SQLite file (WAL) holding runs, devices, IP
 * bindings, services, evidence and flows. Writes are batched into
 * transactions that commit every VT_STORE_BATCH rows (and at run end), so
 * a killed process loses at most the open batch and never a committed row.
 * The schema carries a version (PRAGMA user_version) for migrations.
 *
 * A vt_store is used by one thread.
 */
#ifndef VANTAGE_STORE_H
#define VANTAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/devrec.h"

#define VT_STORE_SCHEMA_VERSION 2
#define VT_STORE_BATCH 5000

typedef struct vt_store vt_store;

/* What a run was (DESIGN.md: run). Strings are borrowed for the call. */
typedef struct vt_run_info {
	const char *command;   /* "read" */
	const char *args;      /* the command line, space separated */
	const char *vantage;   /* "internal" | "external" */
	const char *technique; /* "active" | "passive" */
	const char *source;    /* input files or interface */
	uint64_t started_us;
} vt_run_info;

/* One finished flow, oriented initiator (a) -> responder (b). */
typedef struct vt_flow_rec {
	uint8_t ipver, proto;
	uint8_t ip_a[16], ip_b[16];
	uint16_t port_a, port_b;
	uint8_t mac_a[6], mac_b[6];
	int has_mac_a, has_mac_b; /* device MAC of each side, if local */
	int scope;                /* enum vt_scope of the flow */
	uint64_t first_us, last_us;
	uint64_t packets_ab, bytes_ab, packets_ba, bytes_ba;
} vt_flow_rec;

/*
 * Opens (creating if needed) the store at path. Returns NULL and fills
 * errbuf (VT_ERRBUF_LEN) on failure: unwritable path, not a database,
 * corrupt file, or a newer schema version than this build knows.
 */
vt_store *vt_store_open(const char *path, char *errbuf);
/* Commits anything pending and closes; NULL is a no-op. */
void vt_store_close(vt_store *st);
/* The last error message (SQLite's, or the store's own), for the CLI's
 * error line; kept until the next error or vt_store_close. */
const char *vt_store_errmsg(const vt_store *st);

int vt_store_run_begin(vt_store *st, const vt_run_info *ri, int64_t *run_id);
/* status: "ok", "error: <reason>", "interrupted". */
int vt_store_run_end(vt_store *st, int64_t run_id, uint64_t ended_us,
		     uint64_t packets, const char *status);

/* Queues a flow row; commits when the batch is full. */
int vt_store_flow_add(vt_store *st, int64_t run_id, const vt_flow_rec *f);

/*
 * Writes one device's record for this run: upserts the device (by MAC, or
 * by IP when !has_mac), its per-run counters, IP bindings, services (each
 * with its technique: passive = used, active = offered) and evidence.
 * Putting the same device again in the same run replaces that run's rows
 * (the identification kept is the most confident any run gave, the latest
 * among equals), except active services, which are added to (flows and
 * bytes summed, first/last widened), so an importer or a periodic prober
 * may put a device again with only its new ports. Atomic: on error none of the device's
 * rows are written. VT_EINVAL for a service that is not TCP/UDP or an
 * address that is not IPv4/IPv6.
 */
int vt_store_device_put(vt_store *st, int64_t run_id, const vt_devrec *d);

/*
 * One service response and the label the matcher gave it (DESIGN.md
 * "banner"), for the banner table. Strings are borrowed for the call;
 * NULL is stored as NULL. cpe_json is a JSON array of strings.
 */
typedef struct vt_banner_rec {
	const char *ip;        /* text, or NULL */
	const char *proto;     /* "tcp" | "udp" */
	unsigned port;
	const char *probe, *state;
	uint64_t seen_us;      /* 0: unknown */
	const uint8_t *data;   /* raw bytes */
	size_t len;
	const char *tls_subject, *tls_issuer, *tls_sha256;
	const uint8_t *tls_chain; /* DER certificates as sent, or NULL */
	size_t tls_chain_len;
	const char *service, *product, *version, *info, *devicetype, *type,
		*vendor, *cpe_json, *rule;
	double confidence;
} vt_banner_rec;

/* Queues a banner row (device_id from the device holding the address, if
 * any); commits when the batch is full. VT_EINVAL for a bad proto/port. */
int vt_store_banner_put(vt_store *st, int64_t run_id, const vt_banner_rec *b);

/* Commits the open batch now. */
int vt_store_flush(vt_store *st);

/*
 * Loads every device as `vantage devices` shows it: counters, services
 * and bindings summed over the selected runs (run_id 0 = all runs), the
 * identification the most confident any run gave (the latest among
 * equals). The array is sorted by MAC, owned
 * by the caller (free each with vt_devrec_cleanup, then free()).
 * Only devices with a record in the selected runs are listed; their
 * first/last times are those runs'. external_peers is a sum over runs (a
 * peer seen in two runs counts twice). The devrec.h caps hold: the
 * VT_DEV_MAX_SERVICES services with most flows are kept (the rest added
 * to services_dropped), the VT_DEV_MAX_IPS addresses seen last, and the
 * first VT_DEV_MAX_EVIDENCE evidence in (signal, value, rule) order.
 * Services are ordered by proto, port, role, scope; IPs by first_us, then
 * text. Errors: VT_EDB, VT_EFORMAT (a malformed key or address in the
 * file), VT_ENOMEM; vt_store_errmsg says which.
 */
int vt_store_devices_load(vt_store *st, int64_t run_id, vt_devrec **out,
			  size_t *n_out);

/*
 * The open SQLite connection, for read queries of the report module
 * (src/report) over the documented schema. Borrowed for the store's
 * lifetime; do not close it, and commit (vt_store_flush) before use so
 * no write batch is open.
 */
struct sqlite3;
struct sqlite3 *vt_store_sqlite(vt_store *st);

#endif
