/*
 * Fuzz target: what a device controls around a UPnP description fetch:
 * the LOCATION URL (scope check) and the HTTP response split; the body
 * then goes to the description parser, as in discovery.
 */
#include "sig_target.h"
#include "vantage/discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	vt_lan4 lan = {.ip = {192, 168, 77, 250}, .prefix = 24};
	vt_upnp_url u;
	int rc = vt_upnp_url_parse(data, size, &lan, &u);
	if (rc < 0 || rc >= VT_UPNP_NOUTCOMES)
		abort();
	if (rc == VT_UPNP_OK && (u.path[0] != '/' || u.ip[0] != 192 ||
				 u.ip[1] != 168 || u.ip[2] != 77))
		abort(); /* a URL outside the subnet passed the scope check */
	const uint8_t *body;
	size_t blen;
	if (vt_upnp_http_body(data, size, &body, &blen) == VT_UPNP_OK) {
		if (body < data || body + blen > data + size)
			abort();
		fuzz_result(vt_sig_upnp(body, blen, &sink));
	}
	return 0;
}
