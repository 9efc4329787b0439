/* Strict parsing of option values. */
#ifndef VT_UTIL_PARSE_H
#define VT_UTIL_PARSE_H

#include <stdint.h>

/* Decimal integer in [min, max], whole string; VT_EINVAL otherwise. */
int vt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
