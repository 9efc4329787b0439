/*
 * The tap: a live libpcap capture of the frames arriving on the interface
 * (PCAP_D_IN, not promiscuous: the victims' and the gateway's frames to
 * us, and broadcasts), handed to the passive pipeline. A frame this host
 * forwards is seen once, on arrival. Frames a victim or the gateway sent
 * to our MAC only because of the spoofing are given back the destination
 * MAC they would carry without it (victim -> gateway, gateway -> victim),
 * so device records, bindings and the gateway vote come out as from a
 * mirror port. Per victim, bytes per IPv4 peer feed the live view (capped).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/cursor.h"
#include "vantage/error.h"
#include "vantage/onpath.h"

#define SNAPLEN 65535

struct vt_tap {
	pcap_t *pcap;
	int dlt;
	vt_targets t;
	vt_passive *pass;
	vt_tap_victim v[VT_ONPATH_MAX_VICTIMS];
	int skip_self;      /* leave out a victim's frames to our address */
	uint64_t skipped;
	uint8_t buf[SNAPLEN];
};

static void count_peer(vt_tap_victim *v, const uint8_t ip[4], uint32_t len)
{
	v->frames++;
	v->bytes += len;
	for (size_t i = 0; i < v->n_peers; i++)
		if (!memcmp(v->peers[i].ip, ip, 4)) {
			v->peers[i].bytes += len;
			return;
		}
	if (v->n_peers >= VT_TAP_MAX_PEERS) {
		v->peers_dropped++;
		return;
	}
	memcpy(v->peers[v->n_peers].ip, ip, 4);
	v->peers[v->n_peers++].bytes = len;
}

static int is_victim(const vt_tap *tp, const uint8_t mac[6])
{
	for (size_t i = 0; i < tp->t.n; i++)
		if (!memcmp(tp->t.v[i].mac, mac, 6))
			return 1;
	return 0;
}

/* Rewrites buf's destination MAC when the frame is spoofed traffic; 1
 * when the frame is to be left out (vt_tap_skip_self). */
static int unspoof(vt_tap *tp, uint8_t *buf, uint32_t caplen, uint32_t len)
{
	vt_cur c;
	uint8_t dst[6], src[6], ipsrc[4], ipdst[4];
	cur_init(&c, buf, caplen);
	cur_copy(&c, dst, 6);
	cur_copy(&c, src, 6);
	uint16_t type = cur_be16(&c);
	uint8_t vihl = cur_u8(&c);
	cur_skip(&c, 11);
	cur_copy(&c, ipsrc, 4);
	cur_copy(&c, ipdst, 4);
	if (!cur_ok(&c) || type != 0x0800 || (vihl >> 4) != 4)
		return 0;
	if (tp->skip_self && !memcmp(ipdst, tp->t.self.ip, 4) &&
	    is_victim(tp, src))
		return 1;
	if (memcmp(dst, tp->t.self.mac, 6) || !memcmp(ipdst, tp->t.self.ip, 4))
		return 0;
	for (size_t i = 0; i < tp->t.n; i++) {
		const vt_host *v = &tp->t.v[i];
		if (!memcmp(src, tp->t.gw.mac, 6) && !memcmp(ipdst, v->ip, 4)) {
			memcpy(buf, v->mac, 6);
			count_peer(&tp->v[i], ipsrc, len);
			return 0;
		}
		if (!memcmp(src, v->mac, 6)) {
			memcpy(buf, tp->t.gw.mac, 6);
			count_peer(&tp->v[i], ipdst, len);
			return 0;
		}
	}
	return 0;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h,
		     const u_char *bytes)
{
	vt_tap *tp = (vt_tap *)user;
	uint32_t caplen = h->caplen < SNAPLEN ? h->caplen : SNAPLEN;
	memcpy(tp->buf, bytes, caplen);
	if (tp->dlt == DLT_EN10MB && unspoof(tp, tp->buf, caplen, h->len)) {
		tp->skipped++;
		return;
	}
	vt_frame f = {.dlt = tp->dlt, .data = tp->buf, .caplen = caplen,
		      .wirelen = h->len,
		      .ts_us = (uint64_t)h->ts.tv_sec * 1000000u +
			       (uint64_t)h->ts.tv_usec};
	vt_passive_frame(tp->pass, &f);
}

static vt_tap *fail(vt_tap *tp, char *errbuf, const char *what)
{
	snprintf(errbuf, VT_ERRBUF_LEN, "capture: %s", what);
	vt_tap_close(tp);
	return NULL;
}

vt_tap *vt_tap_open(const char *iface, const vt_targets *t, vt_passive *pass,
		    char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	vt_tap *tp = calloc(1, sizeof(*tp));
	if (!tp)
		return fail(NULL, errbuf, "out of memory");
	tp->t = *t;
	tp->pass = pass;
	tp->pcap = pcap_create(iface, perr);
	if (!tp->pcap)
		return fail(tp, errbuf, perr);
	int rc = pcap_set_snaplen(tp->pcap, SNAPLEN);
	rc |= pcap_set_promisc(tp->pcap, 0);
	rc |= pcap_set_immediate_mode(tp->pcap, 1);
	rc |= pcap_set_buffer_size(tp->pcap, 8 << 20);
	if (rc)
		return fail(tp, errbuf, "cannot set capture options");
	rc = pcap_activate(tp->pcap);
	if (rc < 0)
		return fail(tp, errbuf, pcap_geterr(tp->pcap));
	tp->dlt = pcap_datalink(tp->pcap);
	if (tp->dlt != DLT_EN10MB)
		return fail(tp, errbuf, "not an Ethernet interface");
	if (pcap_setdirection(tp->pcap, PCAP_D_IN) < 0)
		return fail(tp, errbuf, pcap_geterr(tp->pcap));
	if (pcap_setnonblock(tp->pcap, 1, perr) < 0)
		return fail(tp, errbuf, perr);
	return tp;
}

int vt_tap_fd(const vt_tap *tp) { return pcap_get_selectable_fd(tp->pcap); }

int vt_tap_pump(vt_tap *tp, char *errbuf)
{
	int n = pcap_dispatch(tp->pcap, 4096, on_frame, (u_char *)tp);
	if (n < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "capture: %s",
			 pcap_geterr(tp->pcap));
		return VT_EIO;
	}
	return n;
}

const vt_tap_victim *vt_tap_victims(const vt_tap *tp) { return tp->v; }

uint64_t vt_tap_kernel_drops(vt_tap *tp)
{
	struct pcap_stat ks;
	return pcap_stats(tp->pcap, &ks) == 0 ? ks.ps_drop : 0;
}

void vt_tap_close(vt_tap *tp)
{
	if (!tp)
		return;
	if (tp->pcap)
		pcap_close(tp->pcap);
	free(tp);
}

void vt_tap_skip_self(vt_tap *tp, int on)
{
	tp->skip_self = on;
}

uint64_t vt_tap_skipped(const vt_tap *tp)
{
	return tp->skipped;
}
