/*
 * `vantage report`: the four views of a store side by side. The model is
 * built from the store by queries (src/report/rpt_*.c) and written by
 * renderers (text tables, JSON Lines, one HTML page). Views are the run
 * quadrants of DESIGN.md: internal/external x active/passive.
 *
 *   offered  a service row with technique 'active', role 'server'
 *            (answered a probe: `scan`, `import`)
 *   used     a service row with technique 'passive' (carried traffic:
 *            `read`); in the per-device port table only role 'server'
 *
 * Every string in the model that a device controls (vendor, type, model,
 * hostname, banner labels, states) is raw: renderers escape it.
 * Everything is owned by the vt_rpt and freed by vt_rpt_free.
 */
#ifndef VANTAGE_NETREPORT_H
#define VANTAGE_NETREPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vantage/stats.h"
#include "vantage/store.h"

enum vt_view {
	VT_VIEW_INT_ACTIVE,
	VT_VIEW_INT_PASSIVE,
	VT_VIEW_EXT_ACTIVE,
	VT_VIEW_EXT_PASSIVE,
	VT_VIEW_COUNT
};
/* "internal_active", ...; "internal active" for people. */
const char *vt_view_key(int v);
const char *vt_view_label(int v);

/* Caps: rows beyond them are left out and counted (vt_rpt.dropped). */
#define VT_RPT_MAX_RUNS 256         /* --run arguments */
#define VT_RPT_MAX_DEVICES 100000
#define VT_RPT_MAX_PORTS 4096       /* per device */
#define VT_RPT_MAX_SERVICES 65536   /* network service ranking rows */
#define VT_RPT_CDF_POINTS 101       /* points of each bytes-per-flow CDF */
#define VT_RPT_MAX_CORR 16

/* One well-known risky service (the table in risky.c). */
typedef struct vt_risky {
	uint8_t proto; /* 6 tcp, 17 udp */
	uint16_t port;
	const char *name, *why;
} vt_risky;
/* The entry for (proto, port), or NULL. */
const vt_risky *vt_risky_find(uint8_t proto, uint16_t port);
const vt_risky *vt_risky_table(size_t *n);

/* One (proto, port) of a device: offered in the active views, used as a
 * server in the passive one. */
typedef struct vt_rpt_port {
	uint8_t proto;
	uint16_t port;
	int offered_int, offered_ext; /* a service row in that active view */
	char *state_int, *state_ext;  /* banner state ("open"), or NULL */
	char *label;                  /* banner service/product, or NULL */
	int used;                     /* a passive server row */
	uint64_t used_flows, used_bytes;
	int used_local, used_external; /* peer scopes seen */
	uint64_t first_used_us;        /* 0: unknown */
	const vt_risky *risky;         /* NULL: not in the risky table */
} vt_rpt_port;

typedef struct vt_rpt_device {
	int64_t id;
	int selected;        /* matches --device (every device without it) */
	char *key;           /* MAC, or the IP of an IP-keyed device */
	char *ip;            /* the last bound address, or NULL */
	char *vendor, *type, *model, *hostname; /* NULL: unknown */
	unsigned views;      /* bit (1 << enum vt_view) per view that saw it */
	vt_rpt_port *ports;  /* by proto, port */
	size_t n_ports, ports_dropped;
	size_t n_offered;      /* offered in either active view */
	size_t n_used_server;  /* used as a server */
	size_t n_offered_used; /* offered and used */
	double used_share;     /* n_offered_used / n_offered; NaN: none offered */
	size_t n_unused_risky; /* offered, unused and in the risky table */
	size_t n_used;         /* distinct used services, any role/scope */
	uint64_t span_first_us, span_last_us; /* passive observation */
	uint64_t full_set_us;  /* when the last used service first appeared */
	double full_set_frac;  /* (full_set - first) / (last - first); NaN */
	uint64_t local_flows, external_flows, local_bytes, external_bytes,
		external_peers;
} vt_rpt_device;

/* A (proto, port) across the network: devices offering/using it per view. */
typedef struct vt_rpt_service {
	uint8_t proto;
	uint16_t port;
	size_t devices[VT_VIEW_COUNT];
	double share[VT_VIEW_COUNT]; /* devices / devices in the view */
	size_t rank[VT_VIEW_COUNT];  /* 1 = most shared (competition ranking:
				      * ties share the best rank); 0: absent */
} vt_rpt_service;

typedef struct vt_rpt_type {
	char *type;                   /* "unknown" for NULL */
	size_t devices[VT_VIEW_COUNT];
	size_t passive_devices;       /* in a passive view with flows */
	size_t external_talkers;      /* of those, with external flows */
} vt_rpt_type;

/* Bytes (both directions) per flow of one scope. */
typedef struct vt_rpt_dist {
	uint64_t n;
	double mean;
	double q[7];                     /* at vt_rpt_quantiles[] */
	size_t n_cdf;
	double cdf_x[VT_RPT_CDF_POINTS]; /* bytes */
	double cdf_y[VT_RPT_CDF_POINTS]; /* fraction of flows <= x */
} vt_rpt_dist;
extern const double vt_rpt_quantiles[7]; /* 0, .1, .25, .5, .75, .9, 1 */

/* Port specificity of the local ports of one view. */
typedef struct vt_rpt_portspec {
	uint8_t proto;
	uint16_t port;
	size_t devices, vendors, types; /* distinct known vendors/types */
} vt_rpt_portspec;

typedef struct vt_rpt_spec {
	vt_rpt_portspec *ports; /* by proto, port */
	size_t n_ports;
	size_t single_vendor, single_type, single_either, multi_vendor,
		unattributed; /* no device with a known vendor or type */
} vt_rpt_spec;

typedef struct vt_rpt_corr {
	char what[96];  /* "service shares", "devices: ..." */
	char x[48], y[48];
	vt_corr pearson, spearman;
} vt_rpt_corr;

/* The join of the telescope's Mirai sources with banners (rpt_mirai.c):
 * the Mirai paper's table. Protocols in this order. */
enum vt_mirai_proto {
	VT_MIRAI_HTTPS, /* a TLS certificate, or tcp/443 */
	VT_MIRAI_FTP,   /* tcp/21 */
	VT_MIRAI_TELNET,/* tcp/23, tcp/2323 */
	VT_MIRAI_CWMP,  /* tcp/7547 */
	VT_MIRAI_SSH,   /* tcp/22 */
	VT_MIRAI_OTHER, /* any other port */
	VT_MIRAI_NPROTO
};
/* "https", ...; "HTTPS", ... for people. */
const char *vt_mirai_proto_key(int p);
const char *vt_mirai_proto_label(int p);

#define VT_RPT_MIRAI_MAX_NAMES 4096   /* distinct types, vendors */
#define VT_RPT_MIRAI_MAX_GAPS (1u << 22)

typedef struct vt_rpt_count {
	char *name; /* raw (device-controlled) */
	size_t n;
} vt_rpt_count;

typedef struct vt_rpt_mirai_proto {
	size_t ips;        /* Mirai IPs with a banner on the protocol */
	size_t banners;    /* their banner rows */
	size_t identified; /* IPs whose joined banner is identified */
	double share;      /* identified / ips; NaN when no ips */
} vt_rpt_mirai_proto;

typedef struct vt_rpt_mirai {
	size_t telescope_runs, banner_runs; /* selected runs holding them */
	size_t banners;        /* banner rows in the selected runs */
	int64_t k_min, k_max;  /* the runs' --mirai-min-packets; 0: none */
	size_t sources;        /* distinct Mirai IPs */
	size_t with_banners;   /* of those, with at least one banner */
	size_t identified;     /* with an identified joined banner */
	double share;          /* identified / with_banners; NaN: none */
	double share_sources;  /* identified / sources; NaN: none */
	vt_rpt_mirai_proto proto[VT_MIRAI_NPROTO];
	vt_rpt_count *types, *vendors; /* by count desc, then name */
	size_t n_types, n_vendors;
	/* banner seen - first sighting, seconds, one per joined banner with
	 * both times; negative: the banner is older than the sighting. */
	size_t gap_n, gap_negative, gap_zero, gap_positive, gap_unknown;
	double gap_q[7]; /* at vt_rpt_quantiles[] */
	const char *missing; /* what is missing for the table, or NULL */
	size_t dropped;      /* gaps or names left out at a cap */
} vt_rpt_mirai;

typedef struct vt_rpt_view {
	int present;        /* a selected run is of this view */
	size_t runs;
	size_t devices;     /* devices with a record in those runs */
} vt_rpt_view;

typedef struct vt_rpt {
	int64_t *run_ids;   /* the selected runs, ascending */
	size_t n_runs;
	vt_rpt_view views[VT_VIEW_COUNT];
	vt_rpt_device *devices; /* by key; all of them (network figures) */
	size_t n_devices, n_selected; /* selected: the per-device part */
	vt_rpt_service *services; /* by best rank, then proto, port */
	size_t n_services;
	vt_rpt_type *types;       /* by name */
	size_t n_types;
	vt_rpt_dist bytes_local, bytes_external; /* passive flows */
	vt_rpt_spec spec[VT_VIEW_COUNT];
	vt_rpt_corr corr[VT_RPT_MAX_CORR];
	size_t n_corr;
	/* Median of devices' full_set_frac (NaN: none) and of used_share. */
	double median_full_set_frac, median_used_share;
	size_t dropped; /* rows left out at a cap */
	vt_rpt_mirai *mirai; /* NULL unless vt_rpt_opts.mirai */
} vt_rpt;

typedef struct vt_rpt_opts {
	const int64_t *run_ids; /* NULL/0: every run */
	size_t n_run_ids;
	const char *device;     /* a MAC or IP: the per-device part shows
				 * that device only (network part unchanged) */
	int mirai;              /* also build the Mirai join (r->mirai) */
} vt_rpt_opts;

/*
 * Builds the report from an open store (read queries, one snapshot;
 * an index on flow(run_id) is created when runs are selected). Returns
 * VT_OK, VT_ENOTFOUND (a --run id or --device that is not in the store;
 * errbuf says which), VT_EDB or VT_ENOMEM. *out is NULL on error.
 */
int vt_rpt_build(vt_store *st, const vt_rpt_opts *o, vt_rpt **out,
		 char *errbuf);
void vt_rpt_free(vt_rpt *r);

/* Renderers. The HTML page is self-contained (inline CSS, JS, SVG). */
void vt_rpt_write_text(FILE *out, const vt_rpt *r);
void vt_rpt_write_json(FILE *out, const vt_rpt *r);
void vt_rpt_write_html(FILE *out, const vt_rpt *r);

/* The Mirai join's part of each (rpt_mirai_out.c); the renderers above
 * call them when r->mirai is set. */
void vt_rpt_mirai_text(FILE *out, const vt_rpt_mirai *m);
void vt_rpt_mirai_json(FILE *out, const vt_rpt_mirai *m);
void vt_rpt_mirai_html(FILE *out, const vt_rpt_mirai *m);
void vt_rpt_mirai_free(vt_rpt_mirai *m);

#endif
