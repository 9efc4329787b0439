/*
 * The per-device record: what `vantage read` and `vantage devices` print
 * and what the store keeps. A plain value type, decoupled from the live
 * device table (src/flow/device.c) so the store and the output formats
 * need nothing else.
 *
 * Strings are NUL-terminated and owned by the record (vt_devrec_cleanup
 * frees them); arrays likewise. All times are microseconds since the epoch
 * (UTC), 0 meaning unknown.
 */
#ifndef VANTAGE_DEVREC_H
#define VANTAGE_DEVREC_H

#include <stddef.h>
#include <stdint.h>

#define VT_DEV_MAX_IPS 32        /* IP bindings kept per device */
#define VT_DEV_MAX_SERVICES 256  /* services kept per device; more are counted */
#define VT_DEV_MAX_EVIDENCE 64

enum vt_role { VT_ROLE_CLIENT = 0, VT_ROLE_SERVER = 1 };
enum vt_scope { VT_SCOPE_LOCAL = 0, VT_SCOPE_EXTERNAL = 1 };
enum vt_technique { VT_TECH_PASSIVE = 0, VT_TECH_ACTIVE = 1 };

/* Where an IP binding was learned (bit set). */
#define VT_BIND_ARP 1u
#define VT_BIND_DHCP 2u
#define VT_BIND_TRAFFIC 4u
#define VT_BIND_NDP 8u

typedef struct vt_ipbind {
	uint8_t ver;      /* 4 or 6 */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint32_t sources; /* VT_BIND_* */
	uint64_t first_us, last_us;
} vt_ipbind;

typedef struct vt_service {
	uint8_t proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;    /* the server's port */
	uint8_t role;     /* enum vt_role: the device's role */
	uint8_t scope;    /* enum vt_scope: the peer's */
	uint8_t technique; /* enum vt_technique: 0 passive (carried traffic,
			      "used"), 1 active (answered a probe, "offered") */
	uint64_t flows;
	uint64_t bytes;   /* both directions, frame lengths */
	uint64_t first_us, last_us;
} vt_service;

typedef struct vt_evidence {
	char *signal; /* "oui", "dhcp_hostname", ... */
	char *value;  /* device-controlled: escape on output */
	char *rule;   /* "ieee-data:MA-L", "data/rules/x.rules:12" */
} vt_evidence;

/* One distinct signal a device gave (include/vantage/signal.h). */
typedef struct vt_signal {
	char *name;     /* a signal name; owned */
	uint8_t *value; /* bytes as sent, NUL-terminated copy; owned */
	size_t len;     /* value length without the NUL */
	uint64_t count; /* times seen */
	uint64_t first_us, last_us;
} vt_signal;

#define VT_DEV_MAX_SIGNALS 128 /* distinct signals kept per device */

typedef struct vt_devrec {
	uint8_t mac[6];
	int has_mac;           /* 0 for devices keyed by IP (no link layer) */
	uint8_t key_ip[16];    /* key when !has_mac */
	uint8_t key_ipver;

	char *vendor;          /* NULL when unknown */
	char *type;            /* taxonomy identifier; "unknown" when NULL */
	char *model;
	char *os;              /* NULL when unknown */
	double confidence;     /* 0..1 */
	int gateway;           /* the MAC through which external hosts are reached */
	int randomized;        /* locally administered MAC */

	uint64_t first_us, last_us;
	uint64_t packets_sent, bytes_sent, packets_recv, bytes_recv;
	uint64_t flows, local_flows, external_flows;
	uint64_t local_bytes, external_bytes;
	uint64_t external_peers;

	vt_ipbind *ips;
	size_t n_ips;
	vt_service *services;
	size_t n_services;
	uint64_t services_dropped; /* over VT_DEV_MAX_SERVICES */
	vt_evidence *evidence;
	size_t n_evidence;
	vt_signal *signals;    /* what it said, for identification and store */
	size_t n_signals;
	uint64_t signals_dropped;
} vt_devrec;

void vt_devrec_cleanup(vt_devrec *d);

/* Deep-copies evidence strings; returns VT_OK or VT_ENOMEM. */
int vt_devrec_add_evidence(vt_devrec *d, const char *signal,
			   const char *value, const char *rule);

/* Appends a signal (deep copy) unless the pair is there or the cap hit. */
int vt_devrec_add_signal(vt_devrec *d, const char *name, const uint8_t *value,
			 size_t len, uint64_t ts_us);

/* "aa:bb:cc:dd:ee:ff" into out (at least 18 bytes). */
void vt_mac_format(const uint8_t mac[6], char *out);
/* Parses "aa:bb:cc:dd:ee:ff" (also '-' separated); 0 on success. */
int vt_mac_parse(const char *s, uint8_t mac[6]);
/* Value of a hex digit, or -1. */
int vt_hexval(char c);
/* Formats an address of version ver (4 or 6) into out (>= 46 bytes). */
void vt_ip_format(uint8_t ver, const uint8_t *addr, char *out, size_t outlen);

/*
 * Puts evidence in its canonical order, (signal, value, rule) bytewise, as
 * the store returns it, so `read` and `devices` print the same.
 */
void vt_devrec_sort_evidence(vt_devrec *d);

/* Sorts records by MAC (devices keyed by IP after, by address). */
void vt_devrec_sort(vt_devrec *d, size_t n);

#endif
