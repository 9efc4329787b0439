/*
 * The datagrams `vantage scan` sends to UDP ports: a request each service
 * answers, since a silent UDP port cannot be told from a filtered one.
 * Any reply (syn.c) marks the port open. Formats: DNS (RFC 1035, a CHAOS
 * TXT query for version.bind), NTP v4 client request (RFC 5905), NetBIOS
 * node status (RFC 1002 4.2.17), SNMP v1 and v2c GetRequest for sysDescr.0
 * with community "public" (RFC 1157/1905, BER), SSDP M-SEARCH (UPnP Device
 * Architecture 1.1 1.3.2), mDNS legacy unicast PTR query for
 * _services._dns-sd._udp.local (RFC 6762 6.7, 6763 9), CoAP confirmable
 * GET /.well-known/core (RFC 7252, RFC 6690), NAT-PMP external address
 * request (RFC 6886 3.2).
 */
#include <string.h>

#include "vantage/scan.h"

static const uint8_t dns[] = {
	0x56, 0x54, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0,
	0x00, 0x10, 0x00, 0x03};

static const uint8_t ntp[48] = {0xe3, 0x00, 0x04, 0xfa, 0x00, 0x01};

static const uint8_t nbstat[] = {
	0x56, 0x54, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 'C', 'K', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
	'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
	'A', 'A', 'A', 'A', 'A', 0x00, 0x00, 0x21, 0x00, 0x01};

#define SNMP_GET(ver)                                                        \
	{0x30, 0x29, 0x02, 0x01, ver, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', \
	 0xa0, 0x1c, 0x02, 0x04, 0x56, 0x54, 0x00, 0x01, 0x02, 0x01, 0x00,      \
	 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06,      \
	 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00}
static const uint8_t snmp1[] = SNMP_GET(0x00);
static const uint8_t snmp2c[] = SNMP_GET(0x01);

static const char ssdp[] = "M-SEARCH * HTTP/1.1\r\n"
			   "HOST: 239.255.255.250:1900\r\n"
			   "MAN: \"ssdp:discover\"\r\n"
			   "MX: 1\r\n"
			   "ST: ssdp:all\r\n\r\n";

static const uint8_t mdns[] = {
	0x56, 0x54, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	9, '_', 's', 'e', 'r', 'v', 'i', 'c', 'e', 's', 7, '_', 'd', 'n', 's',
	'-', 's', 'd', 4, '_', 'u', 'd', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0,
	0x00, 0x0c, 0x00, 0x01};

static const uint8_t coap[] = {
	0x40, 0x01, 0x56, 0x54, 0xbb, '.', 'w', 'e', 'l', 'l', '-', 'k', 'n',
	'o', 'w', 'n', 0x04, 'c', 'o', 'r', 'e'};

static const uint8_t natpmp[] = {0x00, 0x00};

typedef struct payload {
	uint16_t port;
	const char *name;
	const char *nmap;  /* the Nmap probe asking the same, or NULL */
	const uint8_t *p;
	size_t len;
} payload;

static const payload table[] = {
	{53, "domain", "DNSVersionBindReq", dns, sizeof(dns)},
	{123, "ntp", "NTPRequest", ntp, sizeof(ntp)},
	{137, "netbios-ns", "NBTStat", nbstat, sizeof(nbstat)},
	{161, "snmp", "SNMPv1public", snmp1, sizeof(snmp1)},
	{161, "snmp", "SNMPv1public", snmp2c, sizeof(snmp2c)},
	{1900, "upnp", NULL, (const uint8_t *)ssdp, sizeof(ssdp) - 1},
	{5351, "nat-pmp", NULL, natpmp, sizeof(natpmp)},
	{5353, "mdns", "DNS-SD", mdns, sizeof(mdns)},
	{5683, "coap", "coap-request", coap, sizeof(coap)},
};

const char *vt_udp_nmap_probe(uint16_t port)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].port == port)
			return table[i].nmap;
	return NULL;
}

const uint8_t *vt_udp_payload(uint16_t port, unsigned attempt, size_t *len,
			      const char **name)
{
	size_t first = 0, n = 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].port == port && !n++)
			first = i;
	if (!n) {
		*len = 0;
		if (name)
			*name = NULL;
		return NULL;
	}
	const payload *x = &table[first + attempt % n];
	*len = x->len;
	if (name)
		*name = x->name;
	return x->p;
}
