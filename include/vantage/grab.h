/*
 * The layer-7 half of `vantage scan`: an event-driven (epoll) banner
 * grabber over open TCP ports. Each port walks the probe ladder of
 * include/vantage/probes.h (the NULL probe first: connect and wait for a
 * banner; then the port's probes, one connection each), every response is
 * labelled by the matcher (include/vantage/match.h) and a hard match ends
 * the port. TLS ports (and ports whose answer says "ssl") are spoken to
 * through OpenSSL; the server's chain is kept.
 *
 * Caps: bytes per response, time per probe, per TLS handshake and per
 * port, connections in all and per host, probes per port. A hostile
 * server (endless banner, drip feed, tarpit, a TLS handshake that never
 * ends) costs at most those caps.
 *
 * A vt_grab is used by one thread.
 */
#ifndef VANTAGE_GRAB_H
#define VANTAGE_GRAB_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/match.h"
#include "vantage/scan.h"

#define VT_GRAB_MAX_JOBS 65536  /* ports queued per run; more are counted */
#define VT_GRAB_MAX_CHAIN 65536 /* DER bytes of a certificate chain kept */

typedef struct vt_grab_cfg {
	unsigned connect_ms;   /* connect timeout (default 3000) */
	unsigned null_ms;      /* wait for a banner after connecting (2500) */
	unsigned probe_ms;     /* cap on a probe's wait (its totalwaitms) (2000) */
	unsigned idle_ms;      /* a response is over after this much silence
				  once bytes came (800; 0: wait it out) */
	unsigned tls_ms;       /* TLS handshake (3000) */
	unsigned port_ms;      /* everything on one port (15000) */
	size_t max_bytes;      /* response bytes read per probe (4096) */
	unsigned max_conns;    /* connections open at once (64) */
	unsigned per_host;     /* connections open to one address (3) */
	unsigned extra_probes; /* probes past the port's own (4) */
	unsigned max_silent;   /* stop after this many probes in a row got
				  no byte (3; 0: no limit) */
	int intensity;         /* ladder intensity (0: 7) */
} vt_grab_cfg;

/* Fills the defaults above. */
void vt_grab_cfg_default(vt_grab_cfg *c);

/* What a port said, handed to the callback. Everything is borrowed for
 * the call. */
typedef struct vt_grab_result {
	const vt_addr *addr;
	uint16_t port;
	int final;             /* 1: the port's last word, its best answer;
				  0: one non-empty response (a banner row) */
	const char *probe;     /* the probe that got data; NULL: none did */
	const uint8_t *data;   /* response bytes (capped), or NULL */
	size_t len;
	int tls;               /* spoken through TLS */
	const char *tls_subject, *tls_issuer, *tls_sha256; /* NULL: no cert */
	const uint8_t *tls_chain; /* DER certificates, leaf first */
	size_t tls_chain_len;
	const vt_answer *answer; /* the matcher's label (rule "" if none) */
	unsigned probes;       /* probes sent to the port so far */
	uint64_t elapsed_ms;   /* since the port's first connect */
	const char *end;       /* final only: "match", "ladder", "silent",
				  "port-time", "refused", "tls-time",
				  "interrupted" */
} vt_grab_result;

typedef void (*vt_grab_fn)(const vt_grab_result *r, void *user);

typedef struct vt_grab vt_grab;

typedef struct vt_grab_stats {
	uint64_t ports, done, connects, connect_fail, responses, bytes;
	uint64_t byte_caps, probe_timeouts, port_timeouts, tls_ok, tls_fail;
	uint64_t dropped;      /* ports over VT_GRAB_MAX_JOBS */
	int connect_errno;     /* the last connect failure's errno, 0: none */
} vt_grab_stats;

/* m labels responses and gives the probes (borrowed; outlives g). NULL
 * with errbuf filled when m has no Nmap probes or TLS cannot start. */
vt_grab *vt_grab_new(const vt_grab_cfg *cfg, vt_matcher *m, char *errbuf);
void vt_grab_free(vt_grab *g);
/* Queues a TCP port. VT_EFULL past VT_GRAB_MAX_JOBS (counted). */
int vt_grab_add(vt_grab *g, const vt_addr *a, uint16_t port);
/*
 * Runs until every queued port is done or *stop becomes non-zero (ports
 * in progress then end at once, reported as they stand). progress, when
 * set, is called about every 200 ms.
 */
int vt_grab_run(vt_grab *g, vt_grab_fn fn, void *user, volatile int *stop,
		void (*progress)(const vt_grab_stats *s, void *user));
const vt_grab_stats *vt_grab_stats_get(const vt_grab *g);

/* Ports spoken to through TLS from the start (HTTPS, MQTT over TLS,
 * IMAPS, ...). */
int vt_grab_tls_port(uint16_t port);

#endif
