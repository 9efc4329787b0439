/*
 * The interface on-path mode works on: its index, MAC, IPv4 address and
 * mask (SIOCGIF* ioctls), the default gateway through it (/proc/net/route,
 * little-endian hex words as the kernel prints them), its running state,
 * and a packet socket for ARP frames (packet(7)).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vantage/devrec.h"
#include "vantage/error.h"
#include "vantage/onpath.h"

static int ifreq_get(int fd, const char *name, unsigned long req,
		     struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	return ioctl(fd, req, ifr);
}

static void sin_copy(const struct sockaddr *sa, uint8_t out[4])
{
	struct sockaddr_in sin;
	memcpy(&sin, sa, sizeof(sin));
	memcpy(out, &sin.sin_addr.s_addr, 4);
}

/* Splits line at blanks into up to n fields (in place); returns how many. */
static int fields(char *line, char **f, int n)
{
	int k = 0;
	char *p = line;
	while (k < n) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		f[k++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return k;
}

/* A hex word of 8 digits as the kernel prints it (native, LE order). */
static int hexword(const char *s, uint8_t out[4])
{
	uint32_t v = 0;
	if (strlen(s) != 8)
		return 0;
	for (int i = 0; i < 8; i++) {
		int h = vt_hexval(s[i]);
		if (h < 0)
			return 0;
		v = v << 4 | (uint32_t)h;
	}
	out[0] = (uint8_t)v, out[1] = (uint8_t)(v >> 8);
	out[2] = (uint8_t)(v >> 16), out[3] = (uint8_t)(v >> 24);
	return v != 0;
}

/* The gateway of the default route through name, from /proc/net/route
 * (Iface Destination Gateway ...). */
static int default_gw(const char *name, uint8_t gw[4])
{
	FILE *f = fopen("/proc/net/route", "r");
	if (!f)
		return 0;
	char line[256];
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *tok[3];
		if (fields(line, tok, 3) == 3 && !strcmp(tok[0], name) &&
		    !strcmp(tok[1], "00000000"))
			found = hexword(tok[2], gw);
	}
	fclose(f);
	return found;
}

int vt_netif_get(const char *name, vt_netif *out, char *errbuf)
{
	memset(out, 0, sizeof(*out));
	if (strlen(name) >= sizeof(out->name)) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: interface name too long",
			 name);
		return VT_EINVAL;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "socket: %s", strerror(errno));
		return VT_EIO;
	}
	struct ifreq ifr;
	int e = VT_OK;
	if (ifreq_get(fd, name, SIOCGIFINDEX, &ifr) < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: no such interface", name);
		e = VT_ENOTFOUND;
	} else {
		out->ifindex = ifr.ifr_ifindex;
		if (ifreq_get(fd, name, SIOCGIFHWADDR, &ifr) < 0 ||
		    ifr.ifr_hwaddr.sa_family != 1 /* ARPHRD_ETHER */) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "%s: not an Ethernet interface", name);
			e = VT_EUNSUP;
		} else {
			memcpy(out->self.mac, ifr.ifr_hwaddr.sa_data, 6);
		}
	}
	if (!e && ifreq_get(fd, name, SIOCGIFADDR, &ifr) < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: no IPv4 address", name);
		e = VT_ENOTFOUND;
	}
	if (!e) {
		sin_copy(&ifr.ifr_addr, out->self.ip);
		if (ifreq_get(fd, name, SIOCGIFNETMASK, &ifr) == 0)
			sin_copy(&ifr.ifr_netmask, out->mask);
	}
	close(fd);
	if (!e)
		out->has_gw = default_gw(name, out->gw);
	return e;
}

int vt_netif_running(int sock_fd, const char *name)
{
	struct ifreq ifr;
	if (ifreq_get(sock_fd, name, SIOCGIFFLAGS, &ifr) < 0)
		return errno == ENODEV ? 0 : -1;
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

int vt_arp_socket(int ifindex, char *errbuf)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			htons(ETH_P_ARP));
	if (fd < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "packet socket: %s (needs CAP_NET_RAW)",
			 strerror(errno));
		return -1;
	}
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "bind packet socket: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int vt_arp_send(int fd, int ifindex, const vt_arp_msg *m)
{
	uint8_t frame[64];
	size_t len = vt_arp_build(m, frame, sizeof(frame));
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, m->eth_dst, 6);
	ssize_t n = sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
			   sizeof(sll));
	return n == (ssize_t)len ? VT_OK : VT_EIO;
}

int vt_arp_recv(int fd, vt_arp_msg *m, int *outgoing)
{
	uint8_t buf[256];
	struct sockaddr_ll sll;
	socklen_t sl = sizeof(sll);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sll,
			     &sl);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
			       ? 0
			       : VT_EIO;
	*outgoing = sll.sll_pkttype == PACKET_OUTGOING;
	return vt_arp_parse(buf, (size_t)n, m) == VT_OK ? 1 : 0;
}
