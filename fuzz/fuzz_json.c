/*
 * Fuzz target: the bounded JSON reader (util/json.c) and the byte
 * encodings of banners (printable-escape, base64), the input surface of
 * `vantage match`: the input is one JSON document; every string in it is
 * also decoded as a banner both ways.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vantage/error.h"
#include "vantage/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(vt_json *j, vt_jref r, uint8_t *buf, size_t cap, int depth)
{
	size_t n, out, bad;
	int64_t v;
	const char *s = vt_json_string(j, r, &n);
	if (s) {
		vt_pesc_decode(s, n, buf, cap, &out, &bad);
		vt_b64_decode(s, n, buf, cap, &out);
	}
	vt_json_int(j, r, INT64_MIN, INT64_MAX, &v);
	vt_json_key(j, r, &n);
	for (vt_jref c = vt_json_first(j, r); c != VT_JNONE && depth < 100;
	     c = vt_json_next(j, c))
		walk(j, c, buf, cap, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vt_json_limits lim = {1u << 16, 16, 4096};
	vt_json *j = vt_json_new(&lim);
	uint8_t *buf = malloc(512);
	if (j && buf && vt_json_parse(j, data, size) == VT_OK) {
		walk(j, vt_json_root(j), buf, 512, 0);
		vt_json_path(j, vt_json_root(j), "data.http.result.response");
		vt_json_get(j, vt_json_root(j), "banner");
	}
	free(buf);
	vt_json_free(j);
	return 0;
}
