/* Internals shared by the grabber's files (grab.c, tls.c). */
#ifndef VT_PROBE_INT_H
#define VT_PROBE_INT_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "vantage/grab.h"

typedef struct vt_tls_info {
	int have;              /* a certificate was presented */
	char subject[512], issuer[512];
	char sha256[65];       /* lowercase hex of the leaf's DER */
	uint8_t chain[VT_GRAB_MAX_CHAIN];
	size_t chain_len;
} vt_tls_info;

SSL_CTX *vt_tls_ctx_new(void);
void vt_tls_cert(SSL *ssl, vt_tls_info *t);

#endif
