/*
 * The driver of `vantage discover` (see vantage/discover.h): opens an
 * AF_PACKET socket on the interface and two UDP sockets, then runs one
 * poll loop that paces the ARP sweep (cfg.rate requests per second),
 * sends the mDNS, SSDP and WS-Discovery queries (each twice, a second
 * apart, against loss) and the DNS-SD follow-ups as replies name new services, and hands
 * every received frame to the passive pipeline and to discover_rx.c. It
 * listens wait_ms after the last thing it sent, then fetches the UPnP
 * descriptions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "probe/discover_int.h"
#include "vantage/error.h"

#define REPEAT_MS 1000 /* the second mDNS/SSDP query */
#define FOLLOW_UP_MS 10000 /* DNS-SD follow-ups may extend listening so much */
#define SSDP_MX 1

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static int open_packet(vt_discover *d, char *errbuf)
{
	d->pfd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(ETH_P_ALL));
	if (d->pfd < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "raw socket: %s (needs CAP_NET_RAW)", strerror(errno));
		return -1;
	}
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_ALL),
				  .sll_ifindex = d->ifc.index};
	int rcvbuf = 4 << 20;
	setsockopt(d->pfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(d->pfd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: bind: %s", d->ifc.name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* A UDP socket on our address (an ephemeral port) sending multicast out
 * of the interface (mDNS asks for TTL 255, SSDP 2; all stay on link). */
static int open_udp(vt_discover *d, int ttl, uint16_t *port, char *errbuf)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	memcpy(&sa.sin_addr, d->ifc.lan.ip, 4);
	struct in_addr ifa;
	memcpy(&ifa, d->ifc.lan.ip, 4);
	unsigned char t = (unsigned char)ttl, loop = 0;
	socklen_t sl = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof(ifa)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, 1) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, 1) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: UDP socket: %s",
			 d->ifc.name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

vt_discover *vt_discover_new(const vt_discover_cfg *cfg, char *errbuf)
{
	vt_discover *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	d->pfd = d->mfd = d->sfd = -1;
	d->cfg = *cfg;
	if (!d->cfg.rate)
		d->cfg.rate = VT_DISCOVER_DEFAULT_RATE;
	if (!d->cfg.wait_ms)
		d->cfg.wait_ms = VT_DISCOVER_DEFAULT_WAIT_MS;
	if (!d->cfg.upnp_max_bytes)
		d->cfg.upnp_max_bytes = VT_UPNP_MAX_BYTES;
	if (!d->cfg.upnp_time_ms)
		d->cfg.upnp_time_ms = VT_UPNP_TIME_MS;
	if (vt_iface_get(cfg->ifname, &d->ifc, errbuf) != VT_OK)
		goto fail;
	snprintf(d->st.ifname, sizeof(d->st.ifname), "%s", d->ifc.name);
	memcpy(d->st.ip, d->ifc.lan.ip, 4);
	d->st.prefix = d->ifc.lan.prefix;
	if (!cfg->no_arp && d->ifc.lan.prefix < VT_DISCOVER_MIN_PREFIX &&
	    !cfg->force) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: subnet /%u is larger than /%d (%llu addresses): "
			 "refused without --force",
			 d->ifc.name, d->ifc.lan.prefix, VT_DISCOVER_MIN_PREFIX,
			 1ull << (32 - d->ifc.lan.prefix));
		goto fail;
	}
	d->st.arp_targets = cfg->no_arp ? 0
				: vt_arp_sweep_init(&d->sweep, &d->ifc.lan);
	if (open_packet(d, errbuf) ||
	    (d->mfd = open_udp(d, 255, &d->mport, errbuf)) < 0 ||
	    (d->sfd = open_udp(d, 2, &d->sport, errbuf)) < 0)
		goto fail;
	vt_cidr net = {.ver = 4, .bits = d->ifc.lan.prefix};
	memcpy(net.addr, d->ifc.lan.ip, 4);
	for (int i = 0; i < 4; i++) {
		int bits = d->ifc.lan.prefix - 8 * i;
		net.addr[i] &= bits >= 8 ? 0xff
			       : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	vt_passive_cfg pc;
	memset(&pc, 0, sizeof(pc));
	pc.dev.local_nets = &net; /* copied by the device table */
	pc.dev.n_local_nets = 1;
	d->pass = vt_passive_new(&pc);
	if (!d->pass) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		goto fail;
	}
	return d;
fail:
	vt_discover_free(d);
	return NULL;
}

void vt_discover_free(vt_discover *d)
{
	if (!d)
		return;
	if (d->pfd >= 0)
		close(d->pfd);
	if (d->mfd >= 0)
		close(d->mfd);
	if (d->sfd >= 0)
		close(d->sfd);
	vt_passive_free(d->pass);
	vt_mdns_browse_cleanup(&d->browse);
	for (size_t i = 0; i < d->n_locs; i++)
		free(d->locs[i].text);
	free(d);
}

static void send_to(vt_discover *d, int fd, const char *group, uint16_t port,
		    const uint8_t *msg, size_t len, uint64_t *count)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, group, &to.sin_addr);
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		d->st.send_errors++;
	else
		(*count)++;
}

static void send_ssdp(vt_discover *d)
{
	uint8_t m[512];
	size_t n = vt_ssdp_msearch(m, sizeof(m), SSDP_MX);
	send_to(d, d->sfd, "239.255.255.250", 1900, m, n, &d->st.ssdp_searches);
}

/* Two WS-Discovery probes: for wsdp:Device, and for any type (ONVIF
 * cameras, printers). */
static void send_wsd(vt_discover *d)
{
	uint8_t m[1024];
	for (int dev = 1; dev >= 0; dev--) {
		size_t n = vt_wsd_probe(m, sizeof(m), (unsigned)d->st.wsd_probes, dev);
		send_to(d, d->sfd, "239.255.255.250", 3702, m, n,
			&d->st.wsd_probes);
	}
}

/* Sends the queued DNS-SD queries; returns how many. */
static size_t send_mdns(vt_discover *d)
{
	vt_mdns_browse *b = &d->browse;
	size_t n = b->n_pending;
	for (size_t i = 0; i < n; i++) {
		send_to(d, d->mfd, "224.0.0.251", 5353, b->pending[i],
			b->pending_len[i], &d->st.mdns_queries);
		free(b->pending[i]);
	}
	b->n_pending = 0;
	return n;
}

static void send_arp(vt_discover *d)
{
	uint8_t ip[4], f[ARP_FRAME_LEN];
	if (!vt_arp_sweep_next(&d->sweep, ip))
		return;
	vt_arp_request(f, d->ifc.mac, d->ifc.lan.ip, ip);
	if (send(d->pfd, f, sizeof(f), 0) < 0)
		d->st.send_errors++;
	else
		d->st.arp_sent++;
}

static void drain_udp(int fd)
{
	uint8_t junk[2048];
	while (recv(fd, junk, sizeof(junk), 0) >= 0)
		;
}

static void receive(vt_discover *d)
{
	for (int i = 0; i < 256; i++) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(d->pfd, d->buf, sizeof(d->buf), MSG_TRUNC,
				     (struct sockaddr *)&from, &fl);
		if (r < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue; /* our own probes */
		size_t cap = (size_t)r < sizeof(d->buf) ? (size_t)r : sizeof(d->buf);
		vt_frame f = {.dlt = VT_DLT_EN10MB, .data = d->buf,
			      .caplen = (uint32_t)cap, .wirelen = (uint32_t)r,
			      .ts_us = now_us()};
		d->st.frames++;
		vt_passive_frame(d->pass, &f);
		vt_discover_frame(d, d->buf, cap, f.ts_us);
	}
}

typedef struct sched {
	int64_t start, repeat, end;
	int64_t hard_end; /* end is never moved past it */
	uint64_t arp_interval_us;
	uint64_t arp_done;
	int repeated;
} sched;

/* Sends what is due; returns the next time something is due. */
static int64_t send_due(vt_discover *d, sched *s, int64_t now)
{
	int64_t next = s->end;
	if (!d->cfg.no_arp && s->arp_done < d->st.arp_targets) {
		/* Requests due by now: start + k / rate. */
		while (s->arp_done < d->st.arp_targets &&
		       s->start * 1000 + (int64_t)(s->arp_done *
				s->arp_interval_us) <= now * 1000) {
			send_arp(d);
			s->arp_done++;
		}
		int64_t t = s->start + (int64_t)(s->arp_done * s->arp_interval_us / 1000);
		if (s->arp_done < d->st.arp_targets && t < next)
			next = t;
		if (s->arp_done >= d->st.arp_targets &&
		    now + d->cfg.wait_ms > s->end)
			s->end = now + d->cfg.wait_ms; /* the sweep just ended */
		else if (s->arp_done < d->st.arp_targets && t + 1 > s->end)
			s->end = t + 1; /* not before the sweep ends */
	}
	if (!s->repeated && now >= s->repeat) {
		s->repeated = 1;
		if (!d->cfg.no_ssdp)
			send_ssdp(d);
		if (!d->cfg.no_wsd)
			send_wsd(d);
		if (!d->cfg.no_mdns)
			vt_mdns_browse_start(&d->browse);
	}
	if (!s->repeated && s->repeat < next)
		next = s->repeat;
	if (send_mdns(d) && now + d->cfg.wait_ms > s->end)
		s->end = now + d->cfg.wait_ms; /* listen for the answers */
	if (s->end > s->hard_end)
		s->end = s->hard_end; /* a device naming new services forever */
	return next < s->end ? next : s->end;
}

int vt_discover_run(vt_discover *d)
{
	sched s;
	memset(&s, 0, sizeof(s));
	s.start = mono_ms();
	s.arp_interval_us = 1000000u / d->cfg.rate;
	s.repeat = s.start + REPEAT_MS;
	s.end = s.repeat + d->cfg.wait_ms;
	int64_t sweep_end = s.start + (int64_t)(d->st.arp_targets *
						s.arp_interval_us / 1000);
	s.hard_end = (sweep_end > s.repeat ? sweep_end : s.repeat) +
		     d->cfg.wait_ms + FOLLOW_UP_MS;
	if (!d->cfg.no_ssdp)
		send_ssdp(d);
	if (!d->cfg.no_wsd)
		send_wsd(d);
	if (!d->cfg.no_mdns)
		vt_mdns_browse_start(&d->browse);
	struct pollfd p[3] = {{.fd = d->pfd, .events = POLLIN},
			      {.fd = d->mfd, .events = POLLIN},
			      {.fd = d->sfd, .events = POLLIN}};
	for (;;) {
		int64_t now = mono_ms();
		if (d->cfg.stop && *d->cfg.stop)
			break;
		int64_t next = send_due(d, &s, now);
		if (now >= s.end)
			break;
		int wait = next > now ? (int)(next - now) : 0;
		if (poll(p, 3, wait) > 0) {
			receive(d);
			drain_udp(d->mfd);
			drain_udp(d->sfd);
		}
	}
	receive(d);
	if (!(d->cfg.stop && *d->cfg.stop))
		vt_discover_upnp(d);
	d->st.mdns_dropped = d->browse.dropped;
	d->st.elapsed_ms = (uint64_t)(mono_ms() - s.start);
	return VT_OK;
}

int vt_discover_export(vt_discover *d, vt_devrec **out, size_t *n_out)
{
	int rc = vt_devtab_export(vt_passive_devices(d->pass), out, n_out);
	if (rc != VT_OK)
		return rc;
	for (size_t i = 0; i < *n_out; i++) {
		vt_devrec *r = &(*out)[i];
		free(r->services);
		r->services = NULL;
		r->n_services = 0;
		r->services_dropped = 0;
		r->flows = r->local_flows = r->external_flows = 0;
		r->local_bytes = r->external_bytes = r->external_peers = 0;
		r->gateway = 0;
	}
	return VT_OK;
}

const vt_discover_stats *vt_discover_counters(const vt_discover *d)
{
	return &d->st;
}

const char *vt_upnp_outcome_name(int o)
{
	static const char *const names[VT_UPNP_NOUTCOMES] = {
		"ok", "off-subnet", "bad URL", "connect failed", "timed out",
		"too large", "bad HTTP", "bad XML", "over the fetch cap"};
	return o >= 0 && o < VT_UPNP_NOUTCOMES ? names[o] : "?";
}
