/* Fuzz target: the dhcp signal parser (DHCPv4 options (with overload into sname/file)). */
#include "sig_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sum = 0;
	FUZZ_SINK(sink, sum);
	fuzz_result(vt_sig_dhcp(data, size, &sink));
	return 0;
}
