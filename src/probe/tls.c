/*
 * TLS for the banner grabber: one client context that accepts any
 * certificate (we record, not trust: IoT devices present self-signed and
 * expired ones, and old protocol versions and keys, so the security level
 * is lowered to 0), and the server certificate's subject and issuer
 * (RFC 2253 form), the SHA-256 of the leaf's DER and the chain as sent.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"

SSL_CTX *vt_tls_ctx_new(void)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	if (!c)
		return NULL;
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_security_level(c, 0);
	SSL_CTX_set_min_proto_version(c, 0);
	SSL_CTX_set_options(c, SSL_OP_LEGACY_SERVER_CONNECT |
				       SSL_OP_IGNORE_UNEXPECTED_EOF);
	return c;
}

static void name_text(X509_NAME *n, char *out, size_t cap)
{
	out[0] = 0;
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		int k = BIO_read(b, out, (int)cap - 1);
		out[k > 0 ? k : 0] = 0;
	}
	BIO_free(b);
}

void vt_tls_cert(SSL *ssl, vt_tls_info *t)
{
	memset(t, 0, sizeof(*t));
	X509 *x = SSL_get1_peer_certificate(ssl);
	if (!x)
		return;
	t->have = 1;
	name_text(X509_get_subject_name(x), t->subject, sizeof(t->subject));
	name_text(X509_get_issuer_name(x), t->issuer, sizeof(t->issuer));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen && i < 32; i++)
			snprintf(t->sha256 + 2 * i, 3, "%02x", md[i]);
	X509_free(x);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	for (int i = 0; chain && i < sk_X509_num(chain) && i < 16; i++) {
		int n = i2d_X509(sk_X509_value(chain, i), NULL);
		if (n <= 0 || t->chain_len + (size_t)n > sizeof(t->chain))
			break;
		unsigned char *p = t->chain + t->chain_len;
		i2d_X509(sk_X509_value(chain, i), &p);
		t->chain_len += (size_t)n;
	}
}
