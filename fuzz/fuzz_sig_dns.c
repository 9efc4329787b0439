/*
 * Fuzz target: the DNS/mDNS signal parser. The first input byte chooses
 * the mode (bit 0 set: mDNS), the rest is the DNS message.
 */
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	if (size < 1)
		return 0;
	fuzz_result(vt_sig_dns(data + 1, size - 1, data[0] & 1, &sink));
	return 0;
}
