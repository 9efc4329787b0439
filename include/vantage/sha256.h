/*
 * SHA-256 (FIPS 180-4), for JA4 fingerprints. Incremental: init, any
 * number of updates, final. The context is caller storage; no allocation.
 */
#ifndef VANTAGE_SHA256_H
#define VANTAGE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define VT_SHA256_LEN 32

typedef struct vt_sha256 {
	uint32_t h[8];     /* hash state H0..H7 */
	uint64_t bytes;    /* message length so far, bytes */
	uint8_t buf[64];   /* partial block */
	size_t buf_len;    /* bytes in buf, 0..63 */
} vt_sha256;

void vt_sha256_init(vt_sha256 *s);
void vt_sha256_update(vt_sha256 *s, const void *data, size_t len);
void vt_sha256_final(vt_sha256 *s, uint8_t out[VT_SHA256_LEN]);

#endif
