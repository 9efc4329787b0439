/* Whole-file reads with a size cap (see file.h). */
#include "util/file.h"

#include <stdio.h>
#include <stdlib.h>

#include "vantage/error.h"

int vt_file_read(const char *path, size_t max_len, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return VT_EIO;
	size_t cap = 65536, n = 0;
	uint8_t *b = malloc(cap + 1);
	int r = b ? VT_OK : VT_ENOMEM;
	while (r == VT_OK) {
		if (n == cap) {
			if (cap >= max_len) {
				r = VT_EFULL;
				break;
			}
			cap = cap * 2 > max_len ? max_len : cap * 2;
			uint8_t *nb = realloc(b, cap + 1);
			if (!nb) {
				r = VT_ENOMEM;
				break;
			}
			b = nb;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				r = VT_EIO;
			break;
		}
	}
	fclose(f);
	if (r != VT_OK) {
		free(b);
		return r;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return VT_OK;
}
