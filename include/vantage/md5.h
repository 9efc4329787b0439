/*
 * MD5 (RFC 1321), for JA3 fingerprints only: it is not used for anything
 * that needs collision resistance. Incremental: init, any number of
 * updates, final. The context is caller storage; no allocation.
 */
#ifndef VANTAGE_MD5_H
#define VANTAGE_MD5_H

#include <stddef.h>
#include <stdint.h>

#define VT_MD5_LEN 16

typedef struct vt_md5 {
	uint32_t h[4];     /* chaining state A, B, C, D */
	uint64_t bytes;    /* message length so far, bytes */
	uint8_t buf[64];   /* partial block */
	size_t buf_len;    /* bytes in buf, 0..63 */
} vt_md5;

void vt_md5_init(vt_md5 *m);
void vt_md5_update(vt_md5 *m, const void *data, size_t len);
void vt_md5_final(vt_md5 *m, uint8_t out[VT_MD5_LEN]);

#endif
