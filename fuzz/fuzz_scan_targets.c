/*
 * Fuzz target: scope and port lists of `vantage scan` (src/probe/
 * targets.c, ports.c), read from the command line and from allow/exclude
 * files: the input is one list; it is parsed as targets, as an exclude
 * list against a fixed target set, and as a port list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VT_ERRBUF_LEN];
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	vt_targets *t = vt_targets_new(), *base = vt_targets_new();
	if (t && base && vt_targets_add(t, text, "fuzz", err) == VT_OK &&
	    vt_targets_finish(t, NULL, NULL, err) == VT_OK) {
		vt_addr a;
		uint64_t n = vt_targets_count(t);
		vt_targets_get(t, 0, &a);
		vt_targets_get(t, n - 1, &a);
		vt_targets_get(t, n / 2, &a);
		vt_targets_contains(t, &a);
		vt_targets_all_local(t);
	}
	if (t && base && vt_targets_add(base, "10.0.0.0/16 2001:db8::/112", "b", err) == VT_OK)
		vt_targets_finish(base, NULL, t, err);
	vt_targets_free(t);
	vt_targets_free(base);
	vt_ports p;
	if (vt_ports_parse(&p, text, err) == VT_OK)
		vt_ports_cleanup(&p);
	free(text);
	return 0;
}
