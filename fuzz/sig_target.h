/*
 * Shared by the signal-parser fuzz targets (fuzz_sig_*.c): a sink that
 * checks every emitted signal (a name, a value within VT_SIG_MAX_VALUE)
 * and reads each value byte, so a value pointing outside its buffer is
 * caught by AddressSanitizer, not just passed along.
 */
#ifndef VT_FUZZ_SIG_TARGET_H
#define VT_FUZZ_SIG_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/packet.h"
#include "vantage/signal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_emit(void *user, const char *name, const uint8_t *v,
		      size_t len)
{
	size_t *sum = user;
	if (!name || !name[0] || len > VT_SIG_MAX_VALUE || (len && !v))
		abort();
	for (size_t i = 0; i < len; i++)
		*sum += v[i];
	*sum += strlen(name);
}

/* Checks a parser's result is a vt_dis_result. */
static inline void fuzz_result(int rc)
{
	if (rc < VT_DIS_OK || rc >= VT_DIS_NRESULTS)
		abort();
}

#define FUZZ_SINK(var, sum) vt_sig_sink var = {.emit = fuzz_emit, .user = &(sum)}

#endif
