/* Fuzz target: the UPnP device description parser (expat, entities off). */
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	fuzz_result(vt_sig_upnp(data, size, &sink));
	return 0;
}
