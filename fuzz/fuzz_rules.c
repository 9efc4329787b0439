/*
 * Fuzz target: the identification rule loader (tokens, quoted strings,
 * regexes) and the engine matching the loaded rules against the input's
 * own lines as signal values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VT_ERRBUF_LEN];
	if (size > 65536)
		return 0;
	vt_rules *r = vt_rules_new();
	if (!r)
		return 0;
	vt_rules_add_buffer(r, "fuzz.rules", data, size, err);
	vt_devrec d;
	memset(&d, 0, sizeof(d));
	static const char *const names[] = {"dhcp_hostname", "dns_query",
					    "mdns_txt", "ssdp_server", "oui"};
	size_t start = 0, k = 0;
	for (size_t i = 0; i <= size && k < 32; i++) {
		if (i == size || data[i] == '\n') {
			vt_devrec_add_signal(&d, names[k % 5], data + start,
					     i - start, k);
			start = i + 1;
			k++;
		}
	}
	vt_identify(r, NULL, &d);
	vt_devrec_cleanup(&d);
	vt_rules_free(r);
	return 0;
}
