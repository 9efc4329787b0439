/* Fuzz target: the http signal parser (HTTP/1.x request and response headers). */
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	fuzz_result(vt_sig_http(data, size, &sink));
	return 0;
}
