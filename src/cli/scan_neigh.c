/*
 * `vantage scan`: the kernel's neighbour tables (see scan_neigh.h). IPv4
 * entries come from /proc/net/arp; IPv6 has no such file, so its entries
 * come from one RTM_GETNEIGH dump over rtnetlink (readable without
 * privileges). Only entries with a 6-byte link-layer address in a state
 * that has one (reachable, stale, delay, probe, permanent) are kept.
 */
#include "cli/scan_neigh.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "vantage/devrec.h"

/* Complete IPv4 entries of /proc/net/arp (at most cap). */
static size_t read_arp(vt_neigh *out, size_t cap)
{
	FILE *f = fopen("/proc/net/arp", "r");
	char line[256], ip[64], hw[64], flags[16];
	size_t n = 0;
	if (!f)
		return 0;
	while (n < cap && fgets(line, sizeof(line), f)) {
		char *tok[6] = {0};
		int k = 0;
		for (char *p = line; k < 6 && *p;) {
			while (*p == ' ')
				p++;
			if (!*p || *p == '\n')
				break;
			tok[k++] = p;
			while (*p && *p != ' ' && *p != '\n')
				p++;
			if (*p)
				*p++ = 0;
		}
		if (k < 4 || strlen(tok[0]) >= sizeof(ip) ||
		    strlen(tok[2]) >= sizeof(flags) || strlen(tok[3]) >= sizeof(hw))
			continue;
		memcpy(ip, tok[0], strlen(tok[0]) + 1);
		memcpy(flags, tok[2], strlen(tok[2]) + 1);
		memcpy(hw, tok[3], strlen(tok[3]) + 1);
		vt_addr a;
		if (strcmp(flags, "0x2") && strcmp(flags, "0x6"))
			continue; /* incomplete */
		if (vt_addr_parse(ip, &a) || a.ver != 4 ||
		    vt_mac_parse(hw, out[n].mac))
			continue;
		out[n].ver = 4;
		memset(out[n].ip, 0, sizeof(out[n].ip));
		memcpy(out[n].ip, a.a, 4);
		n++;
	}
	fclose(f);
	return n;
}

#define NUD_HAS_LLADDR (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
			NUD_PERMANENT)

/* One neighbour message: appends its entry when it is a complete one. */
static void ndp_entry(const struct nlmsghdr *h, vt_neigh *out, size_t *n)
{
	if (h->nlmsg_type != RTM_NEWNEIGH ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg)))
		return;
	const struct ndmsg *nd = NLMSG_DATA(h);
	if (nd->ndm_family != AF_INET6 || !(nd->ndm_state & NUD_HAS_LLADDR))
		return;
	const uint8_t *dst = NULL, *ll = NULL;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (const struct rtattr *a = (const struct rtattr *)((const char *)nd +
							       NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == 16)
			dst = RTA_DATA(a);
		else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
			ll = RTA_DATA(a);
	}
	if (!dst || !ll)
		return;
	out[*n].ver = 6;
	memcpy(out[*n].ip, dst, 16);
	memcpy(out[*n].mac, ll, 6);
	(*n)++;
}

/* Complete IPv6 entries of the neighbour table (at most cap). */
static size_t read_ndp(vt_neigh *out, size_t cap)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return 0;
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd));
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.nd.ndm_family = AF_INET6;
	size_t n = 0;
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0) {
		close(fd);
		return 0;
	}
	static char buf[32768] __attribute__((aligned(4)));
	for (int done = 0, msgs = 0; !done && msgs < 1024; msgs++) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			break;
		int len = (int)r;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		     NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (n < cap)
				ndp_entry(h, out, &n);
		}
	}
	close(fd);
	return n;
}

size_t vt_neigh_read(vt_neigh *out, size_t cap)
{
	size_t n = read_arp(out, cap);
	return n + read_ndp(out + n, cap - n);
}

const uint8_t *vt_neigh_mac(const vt_neigh *t, size_t n, const vt_addr *a)
{
	size_t len = a->ver == 4 ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if (t[i].ver == a->ver && !memcmp(t[i].ip, a->a, len))
			return t[i].mac;
	return NULL;
}
