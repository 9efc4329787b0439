/*
 * On-path capture by ARP spoofing (`vantage inspect`), done safely.
 *
 * The measuring host tells each named device ("victim") that the
 * gateway's IPv4 address is at its own MAC, and the gateway that the
 * victim's address is at its own MAC; the kernel forwards what arrives
 * (IPv4 forwarding on, ICMP redirects off), and a capture on the interface
 * sees both directions. Safety rules (docs RELIABILITY.md, promise 7):
 * only named victims, never the gateway or this host; paced replies;
 * corrective ARP (the true MACs, several replies over >= 2 s) on every
 * exit path; a guardian process that restores ARP and the sysctls when the
 * main process dies; stop when the gateway's MAC changes, another host
 * claims the gateway's or a victim's address, or the interface goes down.
 *
 * IPv4 and Ethernet only. Library code: no printing, errors in errbuf.
 */
#ifndef VANTAGE_ONPATH_H
#define VANTAGE_ONPATH_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vantage/passive.h"

#define VT_ONPATH_MAX_VICTIMS 64
#define VT_ONPATH_MAX_SWEEP 1024     /* hosts an ARP sweep may ask */
#define VT_ONPATH_CORRECT_ROUNDS 5   /* corrective replies per direction */
#define VT_ONPATH_CORRECT_GAP_MS 500 /* between rounds: 5 x 0.5 s >= 2 s */
#define VT_ARP_FRAME_LEN 42          /* Ethernet + ARP for IPv4 */

/* ---- ARP frames (arpwire.c) ---- */

typedef struct vt_arp_msg {
	uint8_t eth_dst[6], eth_src[6];
	uint16_t op;         /* 1 request, 2 reply */
	uint8_t sha[6];      /* sender hardware address: the claim */
	uint8_t spa[4];      /* sender protocol (IPv4) address */
	uint8_t tha[6], tpa[4];
} vt_arp_msg;

/* Builds an Ethernet II + ARP (IPv4 over Ethernet) frame into out; returns
 * its length (VT_ARP_FRAME_LEN) or 0 when cap is too small. */
size_t vt_arp_build(const vt_arp_msg *m, uint8_t *out, size_t cap);
/* Parses an Ethernet frame holding ARP for IPv4 over Ethernet: VT_OK,
 * VT_ETRUNC (short), VT_EUNSUP (not ARP, or other hardware/protocol). */
int vt_arp_parse(const uint8_t *frame, size_t len, vt_arp_msg *m);

/* ---- the interface (netif.c) ---- */

typedef struct vt_host {
	uint8_t ip[4];
	uint8_t mac[6];
} vt_host;

typedef struct vt_netif {
	char name[IF_NAMESIZE];
	int ifindex;
	vt_host self;      /* this host's address and MAC on name */
	uint8_t mask[4];
	uint8_t gw[4];     /* default gateway through name */
	int has_gw;
} vt_netif;

/* Index, MAC, IPv4 address and mask of name, and the default route's
 * gateway through it (from /proc/net/route). */
int vt_netif_get(const char *name, vt_netif *out, char *errbuf);
/* 1 when the interface is up and running, 0 when not, <0 on error. */
int vt_netif_running(int sock_fd, const char *name);
/* A packet socket for ARP frames on ifindex (needs CAP_NET_RAW); -1 with
 * errbuf filled. Frames this host sends are seen too (PACKET_OUTGOING). */
int vt_arp_socket(int ifindex, char *errbuf);
int vt_arp_send(int fd, int ifindex, const vt_arp_msg *m);
/* Receives one ARP frame (non-blocking): 1 with m filled and *outgoing
 * set, 0 when nothing is waiting or the frame is not ARP, <0 on error. */
int vt_arp_recv(int fd, vt_arp_msg *m, int *outgoing);

/* ---- who is who (targets.c) ---- */

typedef struct vt_targets {
	vt_host gw;                         /* the gateway, true MAC */
	vt_host self;                       /* this host */
	vt_host v[VT_ONPATH_MAX_VICTIMS];   /* victims, true MACs */
	size_t n;
} vt_targets;

/*
 * Resolves the gateway and the named devices ("IPv4" or "MAC") to address
 * and MAC by asking ARP on the interface (an ARP sweep of the subnet, at
 * most VT_ONPATH_MAX_SWEEP hosts at about 100 requests/s, when a device is
 * named by MAC or all is set). all: every host that answers except the
 * gateway and this host. Refuses the gateway or this host as a device.
 * VT_OK or an error with errbuf filled.
 */
int vt_targets_resolve(int arp_fd, const vt_netif *nif,
		       const char *const *devices, size_t n_devices, int all,
		       vt_targets *t, char *errbuf);

/*
 * After an ARP frame said the gateway's address is at another MAC: asks
 * the gateway's address again (two requests, 1 s of answers). When the
 * known MAC answers, nothing changes (0: a spoofer); when one other MAC
 * alone answers, the gateway did change and t->gw takes it (1); <0 when
 * nobody answered or several new MACs did (t unchanged).
 */
int vt_targets_recheck_gw(int arp_fd, const vt_netif *nif, vt_targets *t);

/* ---- spoofing and correcting (spoof.c) ---- */

/* One paced round: to each victim "gateway is at self", to the gateway
 * "victim is at self". Returns frames sent or <0. */
int vt_onpath_poison(int fd, int ifindex, const vt_targets *t);
/* One corrective round: the true MACs, to each victim and the gateway. */
int vt_onpath_correct_round(int fd, int ifindex, const vt_targets *t);
/* VT_ONPATH_CORRECT_ROUNDS rounds VT_ONPATH_CORRECT_GAP_MS apart
 * (blocks about 2 s); returns frames sent. */
int vt_onpath_correct(int fd, int ifindex, const vt_targets *t);

enum vt_onpath_alarm {
	VT_ONPATH_QUIET = 0,
	VT_ONPATH_GW_CHANGED,  /* a frame from the gateway's IP with another
				  MAC: its MAC changed (or it is spoofed) */
	VT_ONPATH_SPOOFER,     /* another host claims a victim's address or
				  the gateway's */
};
/* Judges an ARP frame received from the wire (not one of ours); fills
 * why (VT_ERRBUF_LEN) when it is an alarm. */
int vt_onpath_judge(const vt_targets *t, const vt_arp_msg *m, char *why);
/*
 * While spoofing: answers at once an ARP request the gateway makes for a
 * victim's address, or a victim makes for the gateway's, with our MAC.
 * Linux re-resolves a stale neighbour entry with unicast requests to the
 * MAC it holds (ours) before it broadcasts, so answering them keeps the
 * entries on us between the paced rounds instead of letting the true
 * device's answer to a later broadcast take the path back for a while.
 * Returns 1 when a reply was sent, 0 otherwise.
 */
int vt_onpath_answer(int fd, int ifindex, const vt_targets *t,
		     const vt_arp_msg *m);

/* ---- forwarding and redirects (sysctl.c) ---- */

#define VT_ONPATH_SYSCTLS 3
typedef struct vt_sysctls {
	char path[VT_ONPATH_SYSCTLS][96];
	char old[VT_ONPATH_SYSCTLS][16]; /* previous values, as read */
	int n_set;                       /* how many were changed */
} vt_sysctls;

/* Saves then sets net.ipv4.ip_forward=1, net.ipv4.conf.all.send_redirects
 * =0 and net.ipv4.conf.IFACE.send_redirects=0; on failure restores what it
 * had set. Needs CAP_NET_ADMIN. */
int vt_sysctls_set(const char *iface, vt_sysctls *s, char *errbuf);
/* Writes the saved values back (last set first). */
int vt_sysctls_restore(const vt_sysctls *s, char *errbuf);
/* Reads one sysctl file into out (trailing newline removed). */
int vt_sysctl_read(const char *path, char *out, size_t cap);

/* ---- the guardian (guardian.c) ---- */

typedef struct vt_guard {
	pid_t pid;   /* 0 when none */
	int to_fd;   /* main -> guardian; its EOF means the main is gone */
	int from_fd; /* guardian -> main; its EOF means the guardian is gone */
} vt_guard;

/*
 * Forks the guardian: a process in its own session, ignoring SIGINT/
 * SIGTERM/SIGHUP, that keeps only the ARP socket and the pipes, becomes
 * user (when root) with CAP_NET_ADMIN alone (for the sysctls), and waits.
 * When the main process tells it the ARP was corrected it only restores
 * the sysctls; when the main process vanishes without saying so (killed,
 * crashed) it sends the corrective ARP itself, then restores the sysctls.
 * Returns when the guardian is ready (privileges dropped) or failed.
 */
int vt_guard_start(vt_guard *g, int arp_fd, int ifindex, const vt_targets *t,
		   const vt_sysctls *s, const char *user, char *errbuf);
/* The main process sent the corrective ARP itself. */
void vt_guard_corrected(vt_guard *g);
/* Lets the guardian finish (closes the pipe, waits, at most ~10 s). 0 when
 * it restored everything, 1 when a sysctl could not be restored, -1 when
 * it vanished or did not finish. */
int vt_guard_finish(vt_guard *g);

/* ---- the tap: live capture into the passive pipeline (tap.c) ---- */

#define VT_TAP_MAX_PEERS 256 /* per victim; more are counted */

typedef struct vt_tap_peer {
	uint8_t ip[4];
	uint64_t bytes; /* frame lengths, both directions */
} vt_tap_peer;

typedef struct vt_tap_victim {
	vt_tap_peer peers[VT_TAP_MAX_PEERS];
	size_t n_peers;
	uint64_t peers_dropped; /* frames of peers over the cap */
	uint64_t frames, bytes;
} vt_tap_victim;

typedef struct vt_tap vt_tap;

/*
 * Opens a live capture of frames arriving on iface (PCAP_D_IN: what this
 * host forwards is not counted twice) that feeds pass. Frames a victim or
 * the gateway sent to this host only because of the spoofing get the
 * destination MAC they would have had without it, so the pipeline sees
 * the traffic as a mirror port would. Needs CAP_NET_RAW.
 */
vt_tap *vt_tap_open(const char *iface, const vt_targets *t, vt_passive *pass,
		    char *errbuf);
int vt_tap_fd(const vt_tap *tp);
/* Hands waiting frames to the pipeline: frames handled, or <0 with the
 * capture's error in errbuf (e.g. the interface went away). */
int vt_tap_pump(vt_tap *tp, char *errbuf);
const vt_tap_victim *vt_tap_victims(const vt_tap *tp); /* t->n entries */
uint64_t vt_tap_kernel_drops(vt_tap *tp);
void vt_tap_close(vt_tap *tp);
/* on: a victim's IPv4 frames to this host's own address are left out of
 * the passive pipeline (inspect --probe: they answer our own probes and
 * banner grabs, which are offered services, not used ones); counted. */
void vt_tap_skip_self(vt_tap *tp, int on);
uint64_t vt_tap_skipped(const vt_tap *tp);

#endif
