/*
 * The SSDP search request (UPnP Device Architecture 2.0, 1.3.2): an
 * M-SEARCH for every device and service (ST ssdp:all), multicast to
 * 239.255.255.250:1900; devices answer by unicast within MX seconds.
 */
#include <stdio.h>

#include "vantage/discover.h"

size_t vt_ssdp_msearch(uint8_t *buf, size_t cap, unsigned mx)
{
	int n = snprintf((char *)buf, cap,
			 "M-SEARCH * HTTP/1.1\r\n"
			 "HOST: 239.255.255.250:1900\r\n"
			 "MAN: \"ssdp:discover\"\r\n"
			 "MX: %u\r\n"
			 "ST: ssdp:all\r\n"
			 "USER-AGENT: Linux UPnP/1.1 vantage/" VT_VERSION "\r\n"
			 "\r\n",
			 mx);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
