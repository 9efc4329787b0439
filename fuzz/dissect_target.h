/*
 * One libFuzzer target per dissector: the input is the bytes at that
 * dissector's layer, decoded from there down the chain. Each
 * fuzz_<name>.c defines VT_FUZZ_START and includes this file.
 */
#include <stddef.h>
#include <stdint.h>

#include "vantage/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vt_pkt p;
	vt_dis_stats st = {0};
	if (size > 65535)
		return 0;
	vt_dissect_from(VT_FUZZ_START, data, (uint32_t)size, &p, &st);
	return 0;
}
