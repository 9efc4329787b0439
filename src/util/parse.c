/* Strict number parsing for options (no atoi: every byte must be a digit). */
#include "util/parse.h"

#include <errno.h>
#include <stdlib.h>

#include "vantage/error.h"

int vt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return VT_EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return VT_EINVAL;
	*out = v;
	return VT_OK;
}
