/*
 * Active discovery of the local network (`vantage discover`): a paced ARP
 * sweep of an interface's IPv4 subnet, DNS-SD browsing over mDNS, SSDP
 * M-SEARCH and a capped fetch of each UPnP description, WS-Discovery. Every frame that
 * arrives on the interface meanwhile goes through the passive pipeline
 * (dissectors, device table, signal parsers), so a device found here is
 * the same record `vantage read` makes, identified the same way.
 *
 * Needs CAP_NET_RAW (an AF_PACKET socket on the interface). Sends only on
 * that interface: ARP requests to its subnet, mDNS/SSDP/WS-Discovery
 * queries to their link-local multicast groups, and HTTP GETs to LOCATION URLs whose host
 * is in that subnet.
 */
#ifndef VANTAGE_DISCOVER_H
#define VANTAGE_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/devrec.h"

#define VT_DISCOVER_DEFAULT_RATE 100      /* ARP requests per second */
#define VT_DISCOVER_DEFAULT_WAIT_MS 2000  /* listening after the last query */
#define VT_DISCOVER_MIN_PREFIX 16         /* larger subnets need force */
#define VT_UPNP_MAX_BYTES (64u * 1024u)   /* response cap per description */
#define VT_UPNP_TIME_MS 3000              /* time cap per description */
#define VT_UPNP_MAX_FETCHES 32            /* descriptions fetched per run */
#define VT_UPNP_MAX_PER_DEVICE 8          /* ... per device giving LOCATIONs */
#define VT_UPNP_TOTAL_MS 20000            /* no fetch starts after this */
#define VT_MDNS_MAX_SERVICES 64           /* service types browsed */
#define VT_MDNS_MAX_INSTANCES 128         /* instances resolved */

typedef struct vt_discover vt_discover;

typedef struct vt_discover_cfg {
	const char *ifname;
	uint32_t rate;          /* ARP requests/s; 0 = default */
	uint32_t wait_ms;       /* 0 = default */
	int no_arp, no_mdns, no_ssdp, no_wsd;
	int force;              /* allow a subnet larger than /16 */
	size_t upnp_max_bytes;  /* 0 = VT_UPNP_MAX_BYTES */
	uint32_t upnp_time_ms;  /* 0 = VT_UPNP_TIME_MS */
	volatile int *stop;     /* set (e.g. by SIGINT) to end early; may be NULL */
} vt_discover_cfg;

/* Outcomes of UPnP LOCATION fetches (index of vt_discover_stats.upnp). */
enum vt_upnp_outcome {
	VT_UPNP_OK = 0,  /* fetched and parsed */
	VT_UPNP_SCOPE,   /* host not an address of the interface's subnet */
	VT_UPNP_BADURL,  /* not http://, or unparsable */
	VT_UPNP_CONNECT, /* refused, reset, unreachable */
	VT_UPNP_TIMEOUT, /* the time cap ran out */
	VT_UPNP_TOOBIG,  /* more than the size cap */
	VT_UPNP_HTTP,    /* not an HTTP 200 with a body we can read */
	VT_UPNP_XML,     /* refused by the description parser */
	VT_UPNP_SKIPPED, /* over a fetch cap: per run, per device, total time,
			  * or more distinct LOCATIONs than are kept */
	VT_UPNP_NOUTCOMES
};

typedef struct vt_discover_stats {
	char ifname[32];
	uint8_t ip[4];          /* the interface's address and prefix */
	uint8_t prefix;
	uint64_t arp_targets, arp_sent, arp_replies; /* replies to us */
	uint64_t mdns_queries, mdns_replies;
	uint64_t mdns_dropped;  /* service/instance names over the caps */
	uint64_t ssdp_searches, ssdp_replies;
	uint64_t wsd_probes, wsd_replies;
	uint64_t upnp[VT_UPNP_NOUTCOMES];
	uint64_t frames;        /* frames received on the interface */
	uint64_t send_errors;
	uint64_t elapsed_ms;
} vt_discover_stats;

/*
 * Opens the sockets on cfg->ifname (which must have an IPv4 address).
 * NULL with errbuf (VT_ERRBUF_LEN) filled: no such interface, no IPv4
 * address, a subnet larger than /VT_DISCOVER_MIN_PREFIX without force,
 * missing CAP_NET_RAW.
 */
vt_discover *vt_discover_new(const vt_discover_cfg *cfg, char *errbuf);
void vt_discover_free(vt_discover *d);

/* Sends, listens and fetches; returns when done or *cfg->stop is set. */
int vt_discover_run(vt_discover *d);

/*
 * The devices that sent anything, as records sorted by MAC (signals
 * filled, identification not run, flow-derived fields empty: discovery
 * traffic is ours). The caller owns the array (vt_devrec_cleanup each,
 * then free).
 */
int vt_discover_export(vt_discover *d, vt_devrec **out, size_t *n_out);

const vt_discover_stats *vt_discover_counters(const vt_discover *d);
const char *vt_upnp_outcome_name(int outcome);

/* --- pieces, exposed for tests ------------------------------------- */

/* An IPv4 LAN: address and prefix of our interface. */
typedef struct vt_lan4 {
	uint8_t ip[4];
	uint8_t prefix;
} vt_lan4;

/* A LOCATION reduced to what we fetch: http://A.B.C.D[:port]/path. */
typedef struct vt_upnp_url {
	uint8_t ip[4];
	uint16_t port;
	char path[256];   /* starts with '/', printable ASCII */
} vt_upnp_url;

/*
 * Parses a LOCATION value and checks its scope. VT_UPNP_OK, VT_UPNP_BADURL
 * (not http, a host name, a bad port, a path too long or with control
 * bytes), or VT_UPNP_SCOPE (an address outside lan, its network or
 * broadcast address, or lan's own address).
 */
int vt_upnp_url_parse(const uint8_t *loc, size_t len, const vt_lan4 *lan,
		      vt_upnp_url *out);

/*
 * Splits an HTTP response: status must be 200, no chunked encoding, a
 * Content-Length (if any) not over what arrived. *body points into resp.
 * VT_UPNP_OK or VT_UPNP_HTTP.
 */
int vt_upnp_http_body(const uint8_t *resp, size_t len, const uint8_t **body,
		      size_t *body_len);

/*
 * GETs u with a size and a time cap into *resp (malloc'd, caller frees;
 * *len bytes). A vt_upnp_outcome: OK, CONNECT, TIMEOUT or TOOBIG.
 */
int vt_upnp_fetch(const vt_upnp_url *u, size_t max_bytes, uint32_t time_ms,
		  uint8_t **resp, size_t *len);

/*
 * An mDNS query (RFC 6762) for one name, given as labels, with one
 * question per qtype. Returns the length, or 0 if it does not fit in cap
 * or a label is empty or over 63 bytes.
 */
size_t vt_mdns_query(uint8_t *buf, size_t cap, const char *const *labels,
		     size_t n_labels, const uint16_t *qtypes, size_t n_qtypes);

/* An SSDP M-SEARCH for ssdp:all (UDA 2.0 1.3.2) with MX seconds. */
size_t vt_ssdp_msearch(uint8_t *buf, size_t cap, unsigned mx);

/*
 * A WS-Discovery Probe, for any type or (device_type) for wsdp:Device
 * (what Windows hosts and wsdd answer); seq makes the MessageID unique.
 */
size_t vt_wsd_probe(uint8_t *buf, size_t cap, unsigned seq, int device_type);

#endif
