/* Fuzz target: the tls signal parser (TLS records: ClientHello (SNI, JA3, JA4) and Certificate). */
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	fuzz_result(vt_sig_tls(data, size, &sink));
	return 0;
}
