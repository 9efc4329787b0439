/*
 * Importing other scanners' results (EXTERNAL.md section 5): ZGrab2 JSON
 * Lines, Censys v2 hosts and legacy Censys IPv4 records, Nmap XML, masscan
 * (-oJ, -oD, -oX, -oL and -oG) and ZMap (CSV, JSON, plain address list).
 *
 * A file is read through a decompressing source (gzip, xz or zstd, told by
 * magic bytes, never by name), its format is sniffed from its first bytes
 * (or named by the caller), and the format's reader turns each record into
 * observations handed to a sink: one per open port, banner or certificate,
 * and host-level labels. Readers parse untrusted bytes only through the
 * bounded JSON reader, the cursor and expat (entities refused); they never
 * print. A malformed record is reported to the sink with its line number
 * and skipped; the rest of the file is still read.
 *
 * Signals (the source's own labels, kept beside vantage's relabelling);
 * values are "<proto>/<port> <text>" for a port, else "<text>":
 *   nmap_service, nmap_service_guess (method="table": a port guess),
 *   nmap_product, nmap_devicetype, nmap_ostype, nmap_cpe, nmap_hostname,
 *   nmap_mac, nmap_os; masscan_service; censys_service, censys_software,
 *   censys_label, censys_dns, censys_metadata, censys_tag; zgrab2_domain.
 */
#ifndef VANTAGE_IMPORT_H
#define VANTAGE_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vantage/devrec.h"

typedef enum vt_import_fmt {
	VT_IMP_UNKNOWN = 0,
	VT_IMP_ZGRAB2,
	VT_IMP_CENSYS,        /* Censys v2 host (also {result: host}) */
	VT_IMP_CENSYS_LEGACY, /* Censys IPv4 (2016-2021): p<port> keys */
	VT_IMP_NMAP_XML,
	VT_IMP_MASSCAN_JSON,  /* -oJ: an array, one record per line */
	VT_IMP_MASSCAN_NDJSON,/* -oD */
	VT_IMP_MASSCAN_XML,   /* -oX */
	VT_IMP_MASSCAN_LIST,  /* -oL, and -oG (grepable) */
	VT_IMP_ZMAP_CSV,      /* -O csv, or the default one address a line */
	VT_IMP_ZMAP_JSON,
	VT_IMP__COUNT
} vt_import_fmt;

/* "zgrab2", "censys", "censys-legacy", "nmap-xml", "masscan-json",
 * "masscan-ndjson", "masscan-xml", "masscan-list", "zmap-csv",
 * "zmap-json"; "unknown" for VT_IMP_UNKNOWN. */
const char *vt_import_fmt_name(vt_import_fmt f);
/* The format of a name (as above); VT_IMP_UNKNOWN if none. */
vt_import_fmt vt_import_fmt_parse(const char *name);

/* The format of a file from its first (decompressed) bytes: n should be
 * a few KiB when the file has them. VT_IMP_UNKNOWN when nothing fits. */
vt_import_fmt vt_import_sniff(const uint8_t *p, size_t n);

/* --- the decompressing source (zread.c) --- */

#define VT_IMPORT_MAX_LINE (16u << 20) /* one JSON/CSV line */

typedef struct vt_imp_src vt_imp_src;

/* Reads f (borrowed; the caller closes it), decompressing gzip, xz or
 * zstd when its first bytes say so. NULL with errbuf filled on OOM. */
vt_imp_src *vt_imp_src_new(FILE *f, char *errbuf);
void vt_imp_src_free(vt_imp_src *s);
/* "gzip", "xz", "zstd" or NULL (plain). */
const char *vt_imp_src_codec(const vt_imp_src *s);
/*
 * The first decompressed bytes (up to 8 KiB, fewer at the end of a short
 * file) without consuming them, for sniffing. VT_OK, or an error as for
 * vt_imp_src_read.
 */
int vt_imp_src_peek(vt_imp_src *s, const uint8_t **p, size_t *got);
/* Up to cap bytes; *got 0 at the end. VT_OK, VT_EIO (read error),
 * VT_EFORMAT (corrupt compressed data), VT_ETRUNC (the compressed stream
 * ends early), VT_ENOMEM. */
int vt_imp_src_read(vt_imp_src *s, uint8_t *buf, size_t cap, size_t *got);
/*
 * The next line (without its line end, NUL-terminated, borrowed until the
 * next call): 1 a line, 0 the end, 2 a line longer than
 * VT_IMPORT_MAX_LINE (skipped, still counted), or a negative VT_E* code
 * for a stream error (as vt_imp_src_read).
 */
int vt_imp_src_line(vt_imp_src *s, char **line, size_t *len);
/* Number of the last line returned, from 1. */
uint64_t vt_imp_src_lineno(const vt_imp_src *s);
/* A description of the last stream error ("gzip: invalid data"). */
const char *vt_imp_src_error(const vt_imp_src *s);

/* --- observations --- */

#define VT_IMP_MAX_LABELS 24
#define VT_IMP_LABEL_MAX 256 /* bytes of one label value kept */

typedef struct vt_imp_label {
	const char *signal; /* a name listed above */
	char value[VT_IMP_LABEL_MAX];
} vt_imp_label;

/* What one record says about one host, or one of its ports. Strings and
 * bytes are borrowed for the callback. */
typedef struct vt_imp_obs {
	uint64_t line;        /* the record's line in the file, from 1 */
	uint8_t ipver;        /* 4 or 6 */
	uint8_t ip[16];
	char ip_txt[48];
	int has_port;         /* 0: host-level labels only */
	uint8_t proto;        /* 6 tcp, 17 udp */
	uint16_t port;
	int open;             /* the port answered (open); 0: closed/other */
	uint64_t seen_us;     /* 0: unknown */
	const char *probe;    /* Nmap probe name of the banner, or NULL */
	const uint8_t *banner;/* raw bytes; NULL: no banner */
	size_t banner_len;
	const char *tls_subject, *tls_issuer, *tls_sha256; /* NULL: none */
	vt_imp_label labels[VT_IMP_MAX_LABELS];
	int n_labels;
	uint64_t labels_dropped;
} vt_imp_obs;

typedef struct vt_imp_sink {
	void *user;
	/* One observation; a non-zero return stops the file (VT_E*). */
	int (*obs)(void *user, const vt_imp_obs *o);
	/* A malformed record at line, skipped. */
	void (*bad)(void *user, uint64_t line, const char *why);
} vt_imp_sink;

/* Counts for one file. */
typedef struct vt_imp_stats {
	uint64_t records;   /* records read (good and bad) */
	uint64_t bad;       /* malformed records, skipped */
	uint64_t obs;       /* observations given to the sink */
	int truncated;      /* the file ended inside a record (XML) */
} vt_imp_stats;

/*
 * Reads the whole source in format fmt. VT_OK when the file was read to
 * its end (even with bad records), VT_ETRUNC for a file that ends inside
 * its document (a killed Nmap run: the closed hosts were delivered), a
 * stream error (vt_imp_src_read's), or the sink's non-zero return. why
 * (cap bytes) says what went wrong for a non-OK return.
 */
int vt_import_run(vt_import_fmt fmt, vt_imp_src *src, const vt_imp_sink *sink,
		  vt_imp_stats *st, char *why, size_t cap);

/* --- hosts: observations gathered into device records (hosts.c) --- */

#define VT_IMPORT_MAX_HOSTS (1u << 18) /* hosts held before a flush */

typedef struct vt_imp_hosts vt_imp_hosts;

/* A table of at most max_hosts hosts (0: VT_IMPORT_MAX_HOSTS); NULL on
 * OOM. */
vt_imp_hosts *vt_imp_hosts_new(size_t max_hosts);
void vt_imp_hosts_free(vt_imp_hosts *h);
/*
 * Adds what o says to its host's record (keyed by IP, has_mac 0): an open
 * port becomes an active server service with external scope (flows =
 * observations), labels become signals (not those of a closed or
 * filtered port), seen_us widens first/last.
 * *is_new, if not NULL, says the host was not in the table. VT_OK,
 * VT_EFULL (the table is full: flush it and add again), VT_ENOMEM.
 */
int vt_imp_hosts_add(vt_imp_hosts *h, const vt_imp_obs *o, int *is_new);
/* Offers an identification for the host of o (vendor/type/model may be
 * NULL or empty; type "unknown" says nothing): kept when its confidence
 * is higher than the host's, with one evidence entry. */
int vt_imp_hosts_ident(vt_imp_hosts *h, const vt_imp_obs *o,
		       const char *vendor, const char *type, const char *model,
		       double confidence, const char *evidence_value,
		       const char *rule);
/* Marks the host of o (which must be in the table); returns whether it
 * was marked already. (The importer marks a host once it is written to
 * the store.) */
int vt_imp_hosts_mark(vt_imp_hosts *h, const vt_imp_obs *o);
size_t vt_imp_hosts_count(const vt_imp_hosts *h);
/* The i-th record (borrowed until the next clear). */
const vt_devrec *vt_imp_hosts_get(const vt_imp_hosts *h, size_t i);
/* Forgets every host. */
void vt_imp_hosts_clear(vt_imp_hosts *h);

#endif
