/*
 * Shared body of the importer fuzz targets (fuzz/fuzz_import_<fmt>.c):
 * the input is one file in the target's format, read through the
 * decompressing source (fmemopen), so compressed seeds also reach the
 * decoders; every observation goes into a small host table (capped at
 * 64 hosts, cleared when full) so hosts.c is exercised too, and the
 * sniffer looks at the same bytes.
 */
#ifndef VT_FUZZ_IMPORT_TARGET_H
#define VT_FUZZ_IMPORT_TARGET_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_obs(void *user, const vt_imp_obs *o)
{
	vt_imp_hosts *h = user;
	volatile size_t sink = 0;
	for (size_t i = 0; o->banner && i < o->banner_len; i++)
		sink += o->banner[i]; /* every banner byte is readable */
	if (o->tls_subject)
		sink += strlen(o->tls_subject);
	(void)sink;
	if (vt_imp_hosts_add(h, o, NULL) == VT_EFULL) {
		vt_imp_hosts_clear(h);
		vt_imp_hosts_add(h, o, NULL);
	}
	vt_imp_hosts_ident(h, o, "v", "router", NULL, 0.5, "x", "r");
	return 0;
}

static void fuzz_bad(void *user, uint64_t line, const char *why)
{
	(void)user, (void)line, (void)why;
}

static int fuzz_import(vt_import_fmt fmt, const uint8_t *data, size_t size)
{
	char err[VT_ERRBUF_LEN], why[256];
	vt_imp_stats st;
	const uint8_t *head;
	size_t n;
	if (size == 0)
		return 0; /* fmemopen wants a buffer */
	vt_import_sniff(data, size);
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	vt_imp_src *src = vt_imp_src_new(f, err);
	vt_imp_hosts *h = vt_imp_hosts_new(64);
	if (src && h && vt_imp_src_peek(src, &head, &n) == VT_OK) {
		vt_import_sniff(head, n);
		vt_imp_sink sink = {.user = h, .obs = fuzz_obs, .bad = fuzz_bad};
		vt_import_run(fmt, src, &sink, &st, why, sizeof(why));
	}
	vt_imp_hosts_free(h);
	vt_imp_src_free(src);
	fclose(f);
	return 0;
}

#define VT_FUZZ_IMPORT(fmt)                                                  \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)         \
	{                                                                    \
		return fuzz_import(fmt, data, size);                         \
	}

#endif
