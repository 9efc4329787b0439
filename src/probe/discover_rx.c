/*
 * What discovery does with a received frame besides the passive pipeline
 * (which already files DHCP, mDNS, SSDP and HTTP signals and ARP
 * bindings): counts the replies to our probes, follows DNS-SD answers
 * (mdns_browse.c), files WS-Discovery ProbeMatches and SSDP answers that did not come from port 1900
 * (the pipeline knows SSDP by that port), and remembers each LOCATION a
 * device gave (in SSDP, or as a DNS-SD TXT location=). After listening, vt_discover_upnp fetches those LOCATIONs
 * (upnp_fetch.c) and files what the descriptions say (upnp_xml.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "dissect/sig_common.h"
#include "probe/discover_int.h"
#include "vantage/netclass.h"
#include "vantage/signal.h"

typedef struct file_ctx {
	vt_devtab *t;
	int64_t dev;
	uint64_t ts;
	vt_discover *d;
	const uint8_t *mac;
} file_ctx;

static void file_signal(void *user, const char *name, const uint8_t *v,
			size_t len)
{
	file_ctx *c = user;
	vt_devtab_signal(c->t, c->dev, name, v, len, c->ts);
}

static void remember_location(vt_discover *d, const uint8_t mac[6],
			      const uint8_t *v, size_t len)
{
	for (size_t i = 0; i < d->n_locs; i++)
		if (d->locs[i].len == len && !memcmp(d->locs[i].text, v, len))
			return;
	if (d->n_locs >= SSDP_MAX_LOCATIONS) {
		d->st.upnp[VT_UPNP_SKIPPED]++;
		return;
	}
	ssdp_loc *l = &d->locs[d->n_locs];
	l->text = malloc(len ? len : 1);
	if (!l->text)
		return;
	memcpy(l->text, v, len);
	l->len = len;
	memcpy(l->mac, mac, 6);
	d->n_locs++;
}

static void on_ssdp_signal(void *user, const char *name, const uint8_t *v,
			   size_t len)
{
	file_ctx *c = user;
	if (c->t)
		vt_devtab_signal(c->t, c->dev, name, v, len, c->ts);
	if (!strcmp(name, "ssdp_location"))
		remember_location(c->d, c->mac, v, len);
}

/* A DNS-SD TXT "location=URL" (Sonos players give their UPnP description
 * so) is a LOCATION like an SSDP one. */
static void on_mdns_signal(void *user, const char *name, const uint8_t *v,
			   size_t len)
{
	file_ctx *c = user;
	if (!strcmp(name, "mdns_txt") && len > 9 &&
	    vt_sig_iprefix(v, len, "location="))
		remember_location(c->d, c->mac, v + 9, len - 9);
}

static int from_lan(const vt_discover *d, const vt_pkt *p)
{
	if (!(p->has & VT_HAS_MAC_SRC) || !vt_mac_is_unicast(p->mac_src) ||
	    !memcmp(p->mac_src, d->ifc.mac, 6) || p->ipver != 4)
		return 0;
	vt_cidr net = {.ver = 4, .bits = d->ifc.lan.prefix};
	memcpy(net.addr, d->ifc.lan.ip, 4);
	return vt_cidr_contains(&net, 4, p->ip_src);
}

static void udp_frame(vt_discover *d, const vt_pkt *p)
{
	const uint8_t *pl = p->l4_payload;
	size_t n = p->l4_payload_len;
	if (!pl || !from_lan(d, p))
		return;
	if (p->sport == 5353 && (p->dport == d->mport || p->dport == 5353)) {
		if (p->dport == d->mport)
			d->st.mdns_replies++;
		vt_mdns_browse_reply(&d->browse, pl, n);
		file_ctx c = {.d = d, .mac = p->mac_src};
		vt_sig_sink s = {.emit = on_mdns_signal, .user = &c};
		if (n >= 3 && (pl[2] & 0x80))
			vt_sig_dns(pl, n, 1, &s);
		return;
	}
	int reply = p->dport == d->sport;
	vt_devtab *t = vt_passive_devices(d->pass);
	file_ctx c = {.d = d, .mac = p->mac_src, .ts = p->ts_us};
	if (reply && p->sport == 3702) { /* WS-Discovery ProbeMatches */
		d->st.wsd_replies++;
		c.t = t;
		c.dev = vt_devtab_mac(t, p->mac_src, p->ts_us);
		vt_sig_sink ws = {.emit = file_signal, .user = &c};
		vt_sig_wsd(pl, n, &ws);
		return;
	}
	if (!reply && p->dport != 1900)
		return;
	if (reply) {
		d->st.ssdp_replies++;
		if (p->sport != 1900) { /* the pipeline did not read it */
			c.t = t;
			c.dev = vt_devtab_mac(t, p->mac_src, p->ts_us);
		}
	}
	vt_sig_sink s = {.emit = on_ssdp_signal, .user = &c};
	vt_sig_ssdp(pl, n, &s);
}

void vt_discover_frame(vt_discover *d, const uint8_t *frame, size_t caplen,
		       uint64_t ts_us)
{
	vt_pkt p;
	vt_dissect_frame(VT_DLT_EN10MB, frame, (uint32_t)caplen,
			 (uint32_t)caplen, ts_us, &p, &d->dis);
	if ((p.has & VT_HAS_ARP) && p.arp_op == 2 &&
	    !memcmp(p.arp_tpa, d->ifc.lan.ip, 4)) {
		d->st.arp_replies++;
		return;
	}
	if ((p.has & VT_HAS_L4) && p.ip_proto == 17)
		udp_frame(d, &p);
}

static void count_sig(void *user, const char *name, const uint8_t *v,
		      size_t len)
{
	(void)name;
	(void)v;
	(void)len;
	(*(size_t *)user)++;
}

/* One LOCATION: fetch, check, and file its signals under the device. */
static int fetch_one(vt_discover *d, const ssdp_loc *l)
{
	vt_upnp_url u;
	int rc = vt_upnp_url_parse(l->text, l->len, &d->ifc.lan, &u);
	if (rc != VT_UPNP_OK)
		return rc;
	uint8_t *resp;
	size_t len;
	rc = vt_upnp_fetch(&u, d->cfg.upnp_max_bytes, d->cfg.upnp_time_ms,
			   &resp, &len);
	if (rc != VT_UPNP_OK)
		return rc;
	const uint8_t *body;
	size_t blen, nsig = 0;
	rc = vt_upnp_http_body(resp, len, &body, &blen);
	vt_sig_sink counter = {.emit = count_sig, .user = &nsig};
	if (rc == VT_UPNP_OK && vt_sig_upnp(body, blen, &counter) != VT_DIS_OK)
		rc = VT_UPNP_XML; /* nothing from a refused description */
	if (rc == VT_UPNP_OK) {
		vt_devtab *t = vt_passive_devices(d->pass);
		struct timeval tv;
		gettimeofday(&tv, NULL);
		uint64_t ts = (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
		file_ctx c = {.t = t, .d = d, .ts = ts};
		c.dev = vt_devtab_mac(t, l->mac, ts);
		vt_sig_sink s = {.emit = file_signal, .user = &c};
		vt_sig_upnp(body, blen, &s);
		/* the response's Server header, as the HTTP parser reads it */
		vt_sig_http(resp, (size_t)(body - resp), &s);
	}
	free(resp);
	return rc;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Fetches so far from the device that gave LOCATION i. */
static size_t fetches_of(const vt_discover *d, size_t i, const uint8_t *done)
{
	size_t n = 0;
	for (size_t k = 0; k < i; k++)
		n += done[k] && !memcmp(d->locs[k].mac, d->locs[i].mac, 6);
	return n;
}

/*
 * One after the other, each capped in time; a run's fetches are capped
 * in number, per device (one device's many LOCATIONs cannot starve the
 * others) and in total time.
 */
void vt_discover_upnp(vt_discover *d)
{
	size_t fetched = 0;
	uint8_t done[SSDP_MAX_LOCATIONS] = {0};
	int64_t until = mono_ms() + VT_UPNP_TOTAL_MS;
	for (size_t i = 0; i < d->n_locs; i++) {
		if (d->cfg.stop && *d->cfg.stop)
			return;
		if (fetched >= VT_UPNP_MAX_FETCHES || mono_ms() >= until ||
		    fetches_of(d, i, done) >= VT_UPNP_MAX_PER_DEVICE) {
			d->st.upnp[VT_UPNP_SKIPPED]++;
			continue;
		}
		int rc = fetch_one(d, &d->locs[i]);
		if (rc != VT_UPNP_SCOPE && rc != VT_UPNP_BADURL) {
			fetched++;
			done[i] = 1;
		}
		d->st.upnp[rc]++;
	}
}
