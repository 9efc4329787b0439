/*
 * Capture sources for the passive pipeline: pcap and pcapng files (and
 * "-" for standard input) through libpcap, several merged in time order.
 * Frames are borrowed: f->data is valid until the next vt_capture_next().
 *
 * A source that fails mid-file (truncated record, bad block) stops; the
 * merge goes on with the others and the failure is kept in the error list,
 * so the caller can report every fault after using everything that was
 * read before it.
 */
#ifndef VANTAGE_CAPTURE_H
#define VANTAGE_CAPTURE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define VT_CAPTURE_MAX_FILES 4096

typedef struct vt_capture vt_capture;

typedef struct vt_frame {
	int dlt;             /* link type of the source */
	const uint8_t *data; /* borrowed */
	uint32_t caplen;     /* bytes in data */
	uint32_t wirelen;    /* original length on the wire */
	uint64_t ts_us;      /* microseconds since the epoch */
	size_t source;       /* index into the paths given to open */
} vt_frame;

/*
 * Opens every path (fails on the first that is missing, not a capture, or
 * of a link type we do not decode; errbuf says which and why).
 */
vt_capture *vt_capture_open(const char *const *paths, size_t n, char *errbuf);
/*
 * Opens one capture from an open stream (taken over: closed with the
 * capture, also on failure); name is used in messages and must outlive c.
 */
vt_capture *vt_capture_open_stream(FILE *f, const char *name, char *errbuf);
void vt_capture_close(vt_capture *c);

/* 1 = a frame in *f, 0 = every source finished (cleanly or not). */
int vt_capture_next(vt_capture *c, vt_frame *f);

/* Errors met while reading, one line each ("file: reason"). */
size_t vt_capture_nerrors(const vt_capture *c);
const char *vt_capture_error(const vt_capture *c, size_t i);

#endif
