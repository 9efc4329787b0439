/*
 * Fuzz target: the nmap-service-probes parser (and the regexes it
 * compiles): the input is a probes file; when it parses, a fixed set of
 * responses is matched against it, sequentially, so every compiled line
 * runs under Nmap's limits.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/probes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const resp[] = {
		"SSH-2.0-OpenSSH_9.2\r\n", "220 ftp ready\r\n",
		"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", "\xff\xfb\x01\x00\x01",
	};
	char err[VT_ERRBUF_LEN];
	vt_probes *p = vt_probes_parse("fuzz", data, size, err);
	if (!p)
		return 0;
	vt_probes_ctx *c = vt_probes_ctx_new(p);
	for (size_t i = 0; c && i < sizeof(resp) / sizeof(resp[0]); i++) {
		vt_nmap_result r;
		vt_nmap_query q = {.proto = i & 1 ? VT_PROTO_UDP : VT_PROTO_TCP,
				   .port = (unsigned)(21 + i), .sequential = 1};
		vt_probes_match(p, c, &q, (const uint8_t *)resp[i],
				strlen(resp[i]), &r);
		vt_ladder l;
		vt_ladder_init(&l, p, q.proto, q.port, 0, 9);
		while (vt_ladder_next(&l) >= 0)
			vt_ladder_result(&l, &r);
	}
	vt_probes_ctx_free(c);
	vt_probes_free(p);
	return 0;
}
