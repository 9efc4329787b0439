/*
 * The source of an import: a FILE read through zlib (gzip, RFC 1952, also
 * concatenated members), liblzma (xz, concatenated streams) or libzstd
 * when the first bytes carry that format's magic (1f 8b; fd 37 7a 58 5a
 * 00; 28 b5 2f fd), else as it is. Decompressed bytes land in one buffer
 * that serves both the sniffer (peek, without consuming) and the readers:
 * raw chunks for expat, bounded lines for JSON Lines and CSV. A stream
 * that ends inside compressed data is VT_ETRUNC, corrupt data VT_EFORMAT;
 * either stops the file after what was decoded before it.
 */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "vantage/error.h"
#include "vantage/import.h"

#define IN_CAP (64u << 10)
#define OUT_CAP (256u << 10)
#define PEEK_LEN 8192
#define XZ_MEMLIMIT (256u << 20)

enum codec { C_PLAIN, C_GZIP, C_XZ, C_ZSTD };

struct vt_imp_src {
	FILE *f;
	enum codec codec;
	uint8_t *in;           /* compressed input */
	size_t in_pos, in_len;
	int in_eof;
	uint8_t *out;          /* decompressed, not yet consumed */
	size_t out_pos, out_len;
	int done;              /* decoder finished or failed */
	int err;               /* sticky stream error */
	char errmsg[96];
	z_stream z;
	int z_end;             /* inflate reached a member's end */
	lzma_stream x;
	ZSTD_DStream *zs;
	size_t zs_last;        /* last ZSTD_decompressStream hint; 0 = frame end */
	char *line;            /* line assembly */
	size_t line_cap;
	uint64_t lineno;
};

static int fail(vt_imp_src *s, int err, const char *msg)
{
	if (!s->err) {
		s->err = err;
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", msg);
	}
	s->done = 1;
	return err;
}

const char *vt_imp_src_error(const vt_imp_src *s) { return s->errmsg; }
uint64_t vt_imp_src_lineno(const vt_imp_src *s) { return s->lineno; }

const char *vt_imp_src_codec(const vt_imp_src *s)
{
	static const char *const names[] = {NULL, "gzip", "xz", "zstd"};
	return names[s->codec];
}

/* Tops up the compressed buffer (moving what is left to its start). */
static int fill_in(vt_imp_src *s)
{
	if (s->in_pos) {
		memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
		s->in_len -= s->in_pos;
		s->in_pos = 0;
	}
	if (s->in_eof || s->in_len == IN_CAP)
		return VT_OK;
	size_t n = fread(s->in + s->in_len, 1, IN_CAP - s->in_len, s->f);
	s->in_len += n;
	if (n == 0) {
		if (ferror(s->f))
			return fail(s, VT_EIO, "read error");
		s->in_eof = 1;
	}
	return VT_OK;
}

static enum codec sniff_codec(const uint8_t *p, size_t n)
{
	static const uint8_t xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	static const uint8_t zst[4] = {0x28, 0xb5, 0x2f, 0xfd};
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return C_GZIP;
	if (n >= 6 && !memcmp(p, xz, 6))
		return C_XZ;
	if (n >= 4 && !memcmp(p, zst, 4))
		return C_ZSTD;
	return C_PLAIN;
}

static int start_codec(vt_imp_src *s)
{
	switch (s->codec) {
	case C_GZIP:
		/* 15 + 32: a zlib or gzip header, detected. */
		return inflateInit2(&s->z, 15 + 32) == Z_OK ? VT_OK : VT_ENOMEM;
	case C_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		s->x = init;
		return lzma_stream_decoder(&s->x, XZ_MEMLIMIT, LZMA_CONCATENATED) ==
				       LZMA_OK
			       ? VT_OK
			       : VT_ENOMEM;
	}
	case C_ZSTD:
		s->zs = ZSTD_createDStream();
		if (!s->zs)
			return VT_ENOMEM;
		ZSTD_initDStream(s->zs);
		return VT_OK;
	default: return VT_OK;
	}
}

vt_imp_src *vt_imp_src_new(FILE *f, char *errbuf)
{
	vt_imp_src *s = calloc(1, sizeof(*s));
	if (!s || !(s->in = malloc(IN_CAP)) || !(s->out = malloc(OUT_CAP))) {
		vt_imp_src_free(s);
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	s->f = f;
	fill_in(s);
	s->codec = sniff_codec(s->in, s->in_len);
	if (start_codec(s) != VT_OK) {
		s->codec = C_PLAIN; /* nothing of the codec to free */
		vt_imp_src_free(s);
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory (decompressor)");
		return NULL;
	}
	return s;
}

void vt_imp_src_free(vt_imp_src *s)
{
	if (!s)
		return;
	if (s->codec == C_GZIP)
		inflateEnd(&s->z);
	else if (s->codec == C_XZ)
		lzma_end(&s->x);
	else if (s->codec == C_ZSTD)
		ZSTD_freeDStream(s->zs);
	free(s->in);
	free(s->out);
	free(s->line);
	free(s);
}

/* One step of gzip into out[*n..cap). */
static int step_gzip(vt_imp_src *s, size_t cap, size_t *n)
{
	if (s->z_end) {
		/* Another member follows, or the end. */
		if (s->in_pos == s->in_len && s->in_eof) {
			s->done = 1;
			return VT_OK;
		}
		inflateReset(&s->z);
		s->z_end = 0;
	}
	s->z.next_in = s->in + s->in_pos;
	s->z.avail_in = (uInt)(s->in_len - s->in_pos);
	s->z.next_out = s->out + *n;
	s->z.avail_out = (uInt)(cap - *n);
	int rc = inflate(&s->z, Z_NO_FLUSH);
	s->in_pos = s->in_len - s->z.avail_in;
	*n = cap - s->z.avail_out;
	if (rc == Z_STREAM_END)
		s->z_end = 1;
	else if (rc == Z_BUF_ERROR && s->in_eof && s->in_pos == s->in_len)
		return fail(s, VT_ETRUNC, "gzip: the compressed data ends early");
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		return fail(s, rc == Z_MEM_ERROR ? VT_ENOMEM : VT_EFORMAT,
			    "gzip: invalid compressed data");
	return VT_OK;
}

static int step_xz(vt_imp_src *s, size_t cap, size_t *n)
{
	s->x.next_in = s->in + s->in_pos;
	s->x.avail_in = s->in_len - s->in_pos;
	s->x.next_out = s->out + *n;
	s->x.avail_out = cap - *n;
	lzma_ret rc = lzma_code(&s->x, s->in_eof ? LZMA_FINISH : LZMA_RUN);
	s->in_pos = s->in_len - s->x.avail_in;
	*n = cap - s->x.avail_out;
	if (rc == LZMA_STREAM_END) {
		s->done = 1;
	} else if (rc == LZMA_BUF_ERROR) {
		return fail(s, VT_ETRUNC, "xz: the compressed data ends early");
	} else if (rc != LZMA_OK) {
		return fail(s, rc == LZMA_MEM_ERROR || rc == LZMA_MEMLIMIT_ERROR
				       ? VT_ENOMEM : VT_EFORMAT,
			    "xz: invalid compressed data");
	}
	return VT_OK;
}

static int step_zstd(vt_imp_src *s, size_t cap, size_t *n)
{
	if (s->in_pos == s->in_len && s->in_eof) {
		if (s->zs_last != 0)
			return fail(s, VT_ETRUNC, "zstd: the compressed data ends early");
		s->done = 1;
		return VT_OK;
	}
	ZSTD_inBuffer ib = {s->in, s->in_len, s->in_pos};
	ZSTD_outBuffer ob = {s->out, cap, *n};
	size_t rc = ZSTD_decompressStream(s->zs, &ob, &ib);
	s->in_pos = ib.pos;
	*n = ob.pos;
	if (ZSTD_isError(rc))
		return fail(s, VT_EFORMAT, "zstd: invalid compressed data");
	s->zs_last = rc;
	return VT_OK;
}

/* Decompresses more into the output buffer (after what is unread). */
static int refill(vt_imp_src *s)
{
	if (s->out_pos) {
		memmove(s->out, s->out + s->out_pos, s->out_len - s->out_pos);
		s->out_len -= s->out_pos;
		s->out_pos = 0;
	}
	size_t before = s->out_len;
	/* Loop until some output or the end: a step may only eat input. */
	while (!s->done && s->out_len == before && s->out_len < OUT_CAP) {
		int rc = fill_in(s);
		if (rc)
			return rc;
		if (s->codec == C_PLAIN) {
			size_t k = s->in_len - s->in_pos;
			if (k > OUT_CAP - s->out_len)
				k = OUT_CAP - s->out_len;
			memcpy(s->out + s->out_len, s->in + s->in_pos, k);
			s->in_pos += k;
			s->out_len += k;
			if (k == 0 && s->in_eof)
				s->done = 1;
			continue;
		}
		size_t in_before = s->in_pos;
		rc = s->codec == C_GZIP ? step_gzip(s, OUT_CAP, &s->out_len)
		   : s->codec == C_XZ	? step_xz(s, OUT_CAP, &s->out_len)
					: step_zstd(s, OUT_CAP, &s->out_len);
		if (rc)
			return rc;
		if (s->out_len == before && s->in_pos == in_before && s->in_eof &&
		    !s->done)
			return fail(s, VT_ETRUNC, "the compressed data ends early");
	}
	return s->err;
}

int vt_imp_src_peek(vt_imp_src *s, const uint8_t **p, size_t *got)
{
	while (s->out_len - s->out_pos < PEEK_LEN && !s->done) {
		size_t had = s->out_len - s->out_pos;
		if (refill(s) || s->out_len - s->out_pos == had)
			break;
	}
	*p = s->out + s->out_pos;
	*got = s->out_len - s->out_pos;
	/* Bytes decoded before a fault are still worth sniffing and reading;
	 * the fault stays and is returned when the reader gets to it. */
	return *got || !s->err ? VT_OK : s->err;
}

int vt_imp_src_read(vt_imp_src *s, uint8_t *buf, size_t cap, size_t *got)
{
	*got = 0;
	if (s->out_pos == s->out_len) {
		if (s->err)
			return s->err;
		int rc = refill(s);
		if (rc && s->out_pos == s->out_len)
			return rc;
	}
	size_t k = s->out_len - s->out_pos;
	if (k > cap)
		k = cap;
	memcpy(buf, s->out + s->out_pos, k);
	s->out_pos += k;
	*got = k;
	return VT_OK;
}

/* Appends k bytes to the line being assembled; -1 past the cap. */
static int line_put(vt_imp_src *s, size_t *n, const uint8_t *p, size_t k)
{
	if (*n + k + 1 > VT_IMPORT_MAX_LINE)
		return -1;
	if (*n + k + 1 > s->line_cap) {
		size_t cap = s->line_cap ? s->line_cap : 4096;
		while (cap < *n + k + 1)
			cap *= 2;
		char *l = realloc(s->line, cap);
		if (!l)
			return -1;
		s->line = l;
		s->line_cap = cap;
	}
	memcpy(s->line + *n, p, k);
	*n += k;
	return 0;
}

int vt_imp_src_line(vt_imp_src *s, char **line, size_t *len)
{
	size_t n = 0;
	int too_long = 0, any = 0;
	for (;;) {
		if (s->out_pos == s->out_len) {
			int rc = s->err ? s->err : refill(s);
			if (s->out_pos == s->out_len) {
				if (rc && !any)
					return rc;
				break; /* the end, or an error after a partial line */
			}
		}
		any = 1;
		const uint8_t *p = s->out + s->out_pos;
		size_t avail = s->out_len - s->out_pos;
		const uint8_t *nl = memchr(p, '\n', avail);
		size_t k = nl ? (size_t)(nl - p) : avail;
		if (!too_long && line_put(s, &n, p, k))
			too_long = 1;
		s->out_pos += k + (nl != NULL);
		if (nl)
			break;
	}
	if (!any)
		return 0;
	s->lineno++;
	if (too_long)
		return 2;
	if (n && s->line[n - 1] == '\r')
		n--;
	if (!s->line && line_put(s, &n, (const uint8_t *)"", 0))
		return 2;
	s->line[n] = '\0';
	*line = s->line;
	*len = n;
	return 1;
}
