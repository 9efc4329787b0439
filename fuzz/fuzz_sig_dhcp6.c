/* Fuzz target: the dhcp6 signal parser (DHCPv6 client options). */
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	fuzz_result(vt_sig_dhcp6(data, size, &sink));
	return 0;
}
