/*
 * Identifying signals: the things devices say about themselves (DESIGN.md
 * "signal"). Signal parsers read an application payload through the
 * cursor and emit (name, value) pairs; the passive pipeline attributes
 * them to a device and keeps the distinct pairs (capped), and the
 * identification rules match on them.
 *
 * Signal names (stable; rules and the store use them):
 *   dhcp_msg_type     DHCP message type, decimal ("1" discover, "3" request)
 *   dhcp_hostname     option 12
 *   dhcp_prl          option 55, decimal codes in order, comma-separated
 *   dhcp_vendor_class option 60
 *   dhcp_client_id    option 61, lowercase hex
 *   dhcp_fqdn         option 81 domain name
 *   dhcp_max_size     option 57, decimal
 *   dhcp6_vendor_class DHCPv6 option 16 (enterprise number:data)
 *   dhcp6_fqdn        DHCPv6 option 39
 *   dns_query         a name the device looked up (unicast DNS questions)
 *   mdns_service      a DNS-SD service type it announces ("_googlecast._tcp")
 *   mdns_instance     a DNS-SD instance name ("Living Room._googlecast._tcp")
 *   mdns_hostname     a host name it announces (A/AAAA owner, "foo.local")
 *   mdns_txt          a TXT key=value of its own records ("md=Chromecast")
 *   mdns_query        a service it asks for
 *   ssdp_server       SERVER header of its NOTIFY or search response
 *   ssdp_user_agent   USER-AGENT header of its M-SEARCH
 *   ssdp_nt           NT of its NOTIFY / ST of its response
 *   ssdp_st           ST of its M-SEARCH
 *   ssdp_usn          USN
 *   ssdp_location     LOCATION
 *   upnp_device_type  deviceType of its UPnP description (root or embedded)
 *   upnp_friendly_name friendlyName
 *   upnp_manufacturer manufacturer
 *   upnp_manufacturer_url manufacturerURL
 *   upnp_model_name   modelName
 *   upnp_model_number modelNumber
 *   upnp_model_description modelDescription
 *   upnp_serial_number serialNumber
 *   upnp_service_type serviceType of a service it lists
 *   wsd_type          a WS-Discovery type of its ProbeMatch ("pub:Computer",
 *                     "dn:NetworkVideoTransmitter", "wprt:PrintDeviceType")
 *   wsd_scope         a WS-Discovery scope (ONVIF: ".../hardware/MODEL")
 *   wsd_xaddr         a WS-Discovery transport address (its metadata URL)
 *   http_user_agent   User-Agent of its HTTP requests
 *   http_host         Host of its HTTP requests
 *   http_server       Server header of its HTTP responses
 *   tls_sni           server name of its ClientHello
 *   tls_ja3           JA3 hash (lowercase hex MD5) of its ClientHello
 *   tls_ja4           JA4 of its ClientHello
 *   tls_cert_subject  subject of a certificate it served (TLS <= 1.2)
 *   tls_cert_issuer   issuer of that certificate
 *   tcp_syn           p0f v3 SYN signature: ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass
 *   p2p_cs2           "1": it speaks CS2 PPPP (camera P2P relay, UDP 32100)
 *   p2p_uid_prefix    the vendor prefix of its CS2 device ID ("ABCD")
 *   oui               IEEE organisation of its MAC (added by identification)
 *
 * Values are bytes as sent (not NUL-terminated in the callback, at most
 * VT_SIG_MAX_VALUE bytes: longer ones are cut), escaped only on output.
 */
#ifndef VANTAGE_SIGNAL_H
#define VANTAGE_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#define VT_SIG_MAX_VALUE 255

typedef struct vt_sig_sink {
	/* Receives one signal; value is borrowed for the call. */
	void (*emit)(void *user, const char *name, const uint8_t *value,
		     size_t len);
	void *user;
	unsigned skip; /* VT_SIG_SKIP_*: work the caller does not need */
} vt_sig_sink;

/* The TLS stack's fingerprints (JA3, JA4) are not wanted this time: the
 * device's stack was fingerprinted often enough already. */
#define VT_SIG_SKIP_TLS_FP 1u

/*
 * The parsers. Each returns a vt_dis_result (OK, TRUNCATED, MALFORMED,
 * UNSUPPORTED = not this protocol) and emits what it found before any
 * fault. `payload` is the UDP or TCP payload.
 */
int vt_sig_dhcp(const uint8_t *payload, size_t len, const vt_sig_sink *s);
int vt_sig_dhcp6(const uint8_t *payload, size_t len, const vt_sig_sink *s);
/* mdns: 1 for multicast DNS (port 5353), 0 for unicast DNS. */
int vt_sig_dns(const uint8_t *payload, size_t len, int mdns,
	       const vt_sig_sink *s);
int vt_sig_ssdp(const uint8_t *payload, size_t len, const vt_sig_sink *s);
/*
 * A UPnP device description (UDA 2.0 section 2.3, XML), as fetched from
 * an SSDP LOCATION: the upnp_* fields of the root and embedded devices.
 * Parsed with expat; a DOCTYPE (and so any entity declaration) is refused.
 * Returns VT_DIS_OK, or VT_DIS_MALFORMED (not well-formed XML, a DOCTYPE,
 * too deep) after emitting what came before the fault.
 */
int vt_sig_upnp(const uint8_t *xml, size_t len, const vt_sig_sink *s);
/*
 * A WS-Discovery ProbeMatches message (SOAP over UDP, port 3702): the
 * wsd_* tokens of each ProbeMatch. expat, no DOCTYPE. VT_DIS_OK or
 * VT_DIS_MALFORMED.
 */
int vt_sig_wsd(const uint8_t *xml, size_t len, const vt_sig_sink *s);
/* HTTP request or response, recognised by content, on any port. */
int vt_sig_http(const uint8_t *payload, size_t len, const vt_sig_sink *s);
/* TLS records: ClientHello (SNI, JA3, JA4) and Certificate (subject,
 * issuer of the first certificate). */
int vt_sig_tls(const uint8_t *payload, size_t len, const vt_sig_sink *s);
/* CS2 PPPP camera P2P messages (UDP; ports 32100/32108 or a device ID). */
int vt_sig_p2p(const uint8_t *payload, size_t len, uint16_t sport,
	       uint16_t dport, const vt_sig_sink *s);
/* p0f-style signature of a TCP SYN (from the decoded packet fields). */
struct vt_pkt;
int vt_sig_tcp_syn(const struct vt_pkt *p, const vt_sig_sink *s);

#endif
