/*
 * Internals of `vantage discover`, shared by discover*.c, arp_*.c and
 * mdns_browse.c only.
 */
#ifndef VT_DISCOVER_INT_H
#define VT_DISCOVER_INT_H

#include <net/if.h>

#include "vantage/discover.h"
#include "vantage/passive.h"

#define ARP_FRAME_LEN 60 /* minimum Ethernet frame, padding included */
#define SSDP_MAX_LOCATIONS 64 /* distinct LOCATIONs remembered */
#define MDNS_MAX_PENDING 256  /* queries waiting to be sent */

/* The interface we discover on. */
typedef struct vt_iface {
	char name[IF_NAMESIZE];
	int index;
	uint8_t mac[6];
	vt_lan4 lan;
} vt_iface;

/* Fills *out for the interface's first IPv4 address; VT_OK or an error
 * with errbuf filled. */
int vt_iface_get(const char *name, vt_iface *out, char *errbuf);

/* The addresses of a subnet worth asking, in order, without our own. */
typedef struct vt_arp_sweep {
	uint64_t next, last; /* host order; next > last: done */
	uint32_t self;
} vt_arp_sweep;

/* Targets of lan: every address but network, broadcast (for /30 and
 * larger) and lan->ip; returns their count. */
uint64_t vt_arp_sweep_init(vt_arp_sweep *s, const vt_lan4 *lan);
/* The next target into ip; 0 when none is left. */
int vt_arp_sweep_next(vt_arp_sweep *s, uint8_t ip[4]);
/* A broadcast ARP request (RFC 826) who-has target tell ip/mac, padded to
 * ARP_FRAME_LEN bytes into frame. */
void vt_arp_request(uint8_t frame[ARP_FRAME_LEN], const uint8_t mac[6],
		    const uint8_t ip[4], const uint8_t target[4]);

/* DNS-SD browsing: the names learnt so far and the queries still due. */
typedef struct vt_mdns_browse {
	char *services[VT_MDNS_MAX_SERVICES];   /* "_app._tcp", owned */
	size_t n_services;
	char *instances[VT_MDNS_MAX_INSTANCES]; /* "Name._app._tcp", owned */
	size_t n_instances;
	uint8_t *pending[MDNS_MAX_PENDING];     /* built queries, owned */
	size_t pending_len[MDNS_MAX_PENDING];
	size_t n_pending;
	uint64_t dropped;                       /* over a cap */
} vt_mdns_browse;

/* Queues the meta-query (_services._dns-sd._udp.local PTR). */
int vt_mdns_browse_start(vt_mdns_browse *b);
/* Reads an mDNS response and queues PTR queries for new service types
 * and SRV+TXT queries for new instances. */
void vt_mdns_browse_reply(vt_mdns_browse *b, const uint8_t *msg, size_t len);
void vt_mdns_browse_cleanup(vt_mdns_browse *b);

typedef struct ssdp_loc {
	uint8_t mac[6];      /* the device that gave it */
	uint8_t *text;       /* owned */
	size_t len;
} ssdp_loc;

struct vt_discover {
	vt_discover_cfg cfg;
	vt_iface ifc;
	int pfd;             /* AF_PACKET, ETH_P_ALL, bound to the interface */
	int mfd, sfd;        /* UDP sockets: mDNS and SSDP queries */
	uint16_t mport, sport; /* their local ports (host order) */
	vt_passive *pass;
	vt_arp_sweep sweep;
	vt_mdns_browse browse;
	ssdp_loc locs[SSDP_MAX_LOCATIONS];
	size_t n_locs;
	vt_dis_stats dis;    /* for our own second look at replies */
	vt_discover_stats st;
	uint8_t buf[65536 + 64];
};

/* Handles one received frame (after the passive pipeline saw it). */
void vt_discover_frame(vt_discover *d, const uint8_t *frame, size_t caplen,
		       uint64_t ts_us);
/* Fetches every remembered LOCATION and files what the descriptions say
 * under the device that gave it. */
void vt_discover_upnp(vt_discover *d);

#endif
