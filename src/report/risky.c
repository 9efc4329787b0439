/*
 * Services that should not be offered by an IoT device without a reason:
 * the report highlights each one a device offers and nobody used. One
 * table, documented here and in the README; the reasons are why each is
 * a risk (remote login, file or device control, past mass exploitation).
 */
#include "vantage/netreport.h"

static const vt_risky risky[] = {
	{6, 21, "ftp", "cleartext file transfer, often anonymous or default logins"},
	{6, 22, "ssh", "remote shell; default and weak passwords (Mirai-era scans)"},
	{6, 23, "telnet", "cleartext remote shell, the port Mirai brute-forces"},
	{6, 69, "tftp", "unauthenticated file transfer (firmware, configs)"},
	{17, 69, "tftp", "unauthenticated file transfer (firmware, configs)"},
	{6, 111, "rpcbind", "RPC portmapper: service discovery, DDoS reflection"},
	{17, 111, "rpcbind", "RPC portmapper: service discovery, DDoS reflection"},
	{6, 135, "msrpc", "Windows RPC endpoint mapper"},
	{6, 139, "netbios-ssn", "SMB over NetBIOS: file shares, wormable flaws"},
	{17, 161, "snmp", "device management with community strings"},
	{6, 445, "smb", "file shares, wormable flaws (EternalBlue)"},
	{6, 1900, "upnp", "UPnP control: port mappings opened from inside"},
	{17, 1900, "ssdp", "UPnP discovery: DDoS reflection, device control"},
	{6, 2323, "telnet-alt", "alternative Telnet port scanned by Mirai"},
	{6, 3389, "rdp", "remote desktop"},
	{6, 5555, "adb", "Android Debug Bridge: unauthenticated root shell"},
	{6, 5900, "vnc", "remote screen, often without a password"},
	{6, 7547, "cwmp", "TR-069 management port, mass-exploited (Mirai 2016)"},
	{6, 49152, "upnp", "UPnP device control (miniupnpd, libupnp)"},
};

const vt_risky *vt_risky_find(uint8_t proto, uint16_t port)
{
	for (size_t i = 0; i < sizeof(risky) / sizeof(risky[0]); i++)
		if (risky[i].proto == proto && risky[i].port == port)
			return &risky[i];
	return NULL;
}

const vt_risky *vt_risky_table(size_t *n)
{
	*n = sizeof(risky) / sizeof(risky[0]);
	return risky;
}
