/*
 * Fuzz target: the whole matcher on random banners against the real
 * rules (the installed nmap-service-probes, data/recog, data/rules, with
 * the prefilter). The first byte picks the protocol and a probe or field
 * name, the next two the port, the rest is the banner; a third of the
 * inputs also carry it as a TLS subject.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vantage/error.h"
#include "vantage/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vt_matcher *matcher(void)
{
	static vt_matcher *m;
	static int tried;
	if (!tried) {
		char err[VT_ERRBUF_LEN];
		vt_matcher_cfg cfg = {0};
		tried = 1;
		m = vt_matcher_new(&cfg, err);
		if (!m) {
			fprintf(stderr, "fuzz_match: %s\n", err);
			abort();
		}
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const probes[] = {
		NULL, "NULL", "GetRequest", "GenericLines", "ssh.banner",
		"http_header.server", "html_title", "telnet_banners",
		"dhcp_vendor_class", "x509.subject", "nope", "DNSVersionBindReq",
	};
	char subj[256];
	if (size < 3)
		return 0;
	vt_banner b = {
		.proto = data[0] & 0x80 ? VT_PROTO_UDP : VT_PROTO_TCP,
		.port = (unsigned)(data[1] << 8 | data[2]),
		.probe = probes[(data[0] & 0x7f) % (sizeof(probes) / sizeof(probes[0]))],
		.data = data + 3,
		.len = size - 3,
	};
	if (data[0] % 3 == 0) {
		size_t n = b.len < sizeof(subj) - 1 ? b.len : sizeof(subj) - 1;
		for (size_t i = 0; i < n; i++)
			subj[i] = b.data[i] ? (char)b.data[i] : ' ';
		subj[n] = '\0';
		b.tls_subject = subj;
		b.tls_issuer = subj;
	}
	vt_answer a;
	vt_matcher_match(matcher(), &b, &a);
	return 0;
}
