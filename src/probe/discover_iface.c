/*
 * The interface discovery runs on: its index, MAC address and first IPv4
 * address with prefix length (getifaddrs and SIOCGIFHWADDR).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/discover_int.h"
#include "vantage/error.h"

static int prefix_of(uint32_t mask_h)
{
	int n = 0;
	while (n < 32 && (mask_h & (0x80000000u >> n)))
		n++;
	return (uint32_t)(n ? ~0u << (32 - n) : 0) == mask_h ? n : -1;
}

static int find_ipv4(const char *name, vt_lan4 *lan)
{
	struct ifaddrs *all, *a;
	int found = 0;
	if (getifaddrs(&all) != 0)
		return 0;
	for (a = all; a && !found; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET ||
		    !a->ifa_netmask || strcmp(a->ifa_name, name))
			continue;
		const struct sockaddr_in *ip = (const void *)a->ifa_addr;
		const struct sockaddr_in *nm = (const void *)a->ifa_netmask;
		int p = prefix_of(ntohl(nm->sin_addr.s_addr));
		if (p < 0)
			continue;
		memcpy(lan->ip, &ip->sin_addr, 4);
		lan->prefix = (uint8_t)p;
		found = 1;
	}
	freeifaddrs(all);
	return found;
}

int vt_iface_get(const char *name, vt_iface *out, char *errbuf)
{
	memset(out, 0, sizeof(*out));
	if (!name || !*name || strlen(name) >= IF_NAMESIZE) {
		snprintf(errbuf, VT_ERRBUF_LEN, "bad interface name");
		return VT_EINVAL;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->index = (int)if_nametoindex(name);
	if (out->index <= 0) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: no such interface", name);
		return VT_ENOTFOUND;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	int ok = fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 &&
		 ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
	if (fd >= 0)
		close(fd);
	if (!ok) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: not an Ethernet interface",
			 name);
		return VT_EUNSUP;
	}
	memcpy(out->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (!find_ipv4(name, &out->lan)) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: no IPv4 address", name);
		return VT_ENOTFOUND;
	}
	return VT_OK;
}
