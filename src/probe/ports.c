/*
 * Port lists for `vantage scan`: Nmap's syntax ("22,80,1000-2000",
 * "T:80,U:53,161", "-" for every TCP port) and the default IoT list.
 *
 * The default list is written down here only. Its TCP part is the IoT
 * ports of DESIGN.md and IoT Inspector's list (web admin pages on 80/81/
 * 8080-style ports, Telnet on 23/2323, CWMP 7547, RTSP 554/8554, IPP 631,
 * JetDirect 9100, MQTT 1883/8883, UPnP 1900/5000/49152, Sonos 1400,
 * Chromecast 8008/8009, Roku 8060, Yeelight 55443, camera DVR 34567/37777,
 * Plex 32400, MikroTik 8291, Home Assistant 8123, ...); its UDP part the
 * ports with a discovery or management payload (udp_payloads.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/scan.h"

static const char default_ports[] =
	"T:21,22,23,25,53,80,81,82,83,84,88,110,111,135,139,143,443,445,502,"
	"554,631,993,995,1080,1400,1443,1723,1843,1883,1900,1935,2000,2323,"
	"3000,3306,3389,4433,4443,4567,5000,5001,5060,5222,5431,5432,5555,"
	"5900,6000,6379,6667,6668,7000,7001,7547,7676,8000,8001,8008,8009,"
	"8060,8080,8081,8082,8083,8085,8086,8088,8089,8090,8099,8123,8181,"
	"8200,8291,8443,8554,8686,8843,8880,8883,8888,8899,9000,9001,9080,"
	"9090,9100,9443,9999,10000,10001,20000,32400,34567,37777,49152,"
	"49153,50000,55443,62078,"
	"U:53,123,137,161,1900,3702,5351,5353,5683";

const char *vt_ports_default(void) { return default_ports; }

static int cmp_port(const void *x, const void *y)
{
	const vt_port *a = x, *b = y;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (a->port > b->port) - (a->port < b->port);
}

/* Strict decimal port 1-65535; -1 otherwise. */
static long port_num(const char *s, size_t n)
{
	long v = 0;
	if (!n || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

/* Marks [lo, hi] of proto in the bitmaps. */
static void mark(uint8_t *tcp, uint8_t *udp, int proto, long lo, long hi)
{
	uint8_t *m = proto == 17 ? udp : tcp;
	for (long p = lo; p <= hi; p++)
		m[p >> 3] |= (uint8_t)(1u << (p & 7));
}

static int parse_item(const char *s, size_t n, int *proto, uint8_t *tcp,
		      uint8_t *udp)
{
	if (n >= 2 && s[1] == ':') {
		if (s[0] == 'T' || s[0] == 't')
			*proto = 6;
		else if (s[0] == 'U' || s[0] == 'u')
			*proto = 17;
		else
			return -1;
		s += 2, n -= 2;
	}
	const char *dash = memchr(s, '-', n);
	long lo, hi;
	if (n == 1 && s[0] == '-') {
		lo = 1, hi = 65535;
	} else if (dash) {
		lo = dash == s ? 1 : port_num(s, (size_t)(dash - s));
		size_t rn = n - (size_t)(dash - s) - 1;
		hi = rn ? port_num(dash + 1, rn) : 65535;
		if (lo < 0 || hi < 0 || hi < lo)
			return -1;
	} else {
		lo = hi = port_num(s, n);
		if (lo < 0)
			return -1;
	}
	mark(tcp, udp, *proto, lo, hi);
	return 0;
}

static int collect(vt_ports *p, const uint8_t *tcp, const uint8_t *udp)
{
	size_t n = 0;
	for (int i = 0; i < 65536; i++)
		n += ((tcp[i >> 3] >> (i & 7)) & 1) + ((udp[i >> 3] >> (i & 7)) & 1);
	p->v = malloc((n ? n : 1) * sizeof(vt_port));
	if (!p->v)
		return VT_ENOMEM;
	p->n = 0;
	for (int k = 0; k < 2; k++) {
		const uint8_t *m = k ? udp : tcp;
		for (int i = 1; i < 65536; i++)
			if ((m[i >> 3] >> (i & 7)) & 1)
				p->v[p->n++] = (vt_port){k ? 17 : 6, (uint16_t)i};
	}
	qsort(p->v, p->n, sizeof(vt_port), cmp_port);
	return VT_OK;
}

int vt_ports_parse(vt_ports *p, const char *spec, char *errbuf)
{
	uint8_t *tcp = calloc(2, 8192), *udp;
	p->v = NULL;
	p->n = 0;
	if (!tcp) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return VT_ENOMEM;
	}
	udp = tcp + 8192;
	if (!spec || !*spec)
		spec = default_ports;
	int proto = 6;
	const char *s = spec;
	while (1) {
		size_t n = strcspn(s, ",");
		if (parse_item(s, n, &proto, tcp, udp)) {
			snprintf(errbuf, VT_ERRBUF_LEN,
				 "ports: '%.*s': not a port, range (1-65535) or T:/U: list",
				 (int)(n > 32 ? 32 : n), s);
			free(tcp);
			return VT_EFORMAT;
		}
		if (!s[n])
			break;
		s += n + 1;
	}
	int rc = collect(p, tcp, udp);
	free(tcp);
	if (rc != VT_OK)
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
	return rc;
}

void vt_ports_cleanup(vt_ports *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
