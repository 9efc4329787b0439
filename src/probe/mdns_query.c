/*
 * mDNS queries for DNS-SD browsing (RFC 6762, RFC 6763): a header with
 * id 0 and QDCOUNT questions for one name, each asking for one type in
 * class IN. Sent from an ephemeral port, they are "legacy unicast"
 * queries (RFC 6762 6.7): responders answer by unicast to that port.
 */
#include <string.h>

#include "vantage/discover.h"

static int put(uint8_t *buf, size_t cap, size_t *off, const void *p, size_t n)
{
	if (n > cap - *off)
		return 0;
	memcpy(buf + *off, p, n);
	*off += n;
	return 1;
}

static int put16(uint8_t *buf, size_t cap, size_t *off, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	return put(buf, cap, off, b, 2);
}

size_t vt_mdns_query(uint8_t *buf, size_t cap, const char *const *labels,
		     size_t n_labels, const uint16_t *qtypes, size_t n_qtypes)
{
	size_t off = 0, wire = 1;
	if (n_qtypes == 0 || n_qtypes > 16 || cap < 12)
		return 0;
	memset(buf, 0, 12);
	buf[5] = (uint8_t)n_qtypes; /* QDCOUNT */
	off = 12;
	size_t name_at = off;
	for (size_t i = 0; i < n_labels; i++) {
		size_t n = strlen(labels[i]);
		wire += n + 1;
		if (n == 0 || n > 63 || wire > 255)
			return 0;
		uint8_t len = (uint8_t)n;
		if (!put(buf, cap, &off, &len, 1) ||
		    !put(buf, cap, &off, labels[i], n))
			return 0;
	}
	uint8_t root = 0;
	if (!put(buf, cap, &off, &root, 1))
		return 0;
	for (size_t q = 0; q < n_qtypes; q++) {
		if (q > 0 && !put16(buf, cap, &off, (uint16_t)(0xc000 | name_at)))
			return 0; /* the same name, compressed */
		if (!put16(buf, cap, &off, qtypes[q]) ||
		    !put16(buf, cap, &off, 1 /* IN */))
			return 0;
	}
	return off;
}
