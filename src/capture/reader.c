/*
 * pcap/pcapng reading through libpcap, merging several files by
 * timestamp: each source holds its next frame, and the earliest goes out.
 * A source is advanced only when the caller asks for the frame after the
 * one it gave, so the frame bytes stay valid until then (libpcap reuses
 * its buffer on the next read).
 */
#include "vantage/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/packet.h"

typedef struct source {
	pcap_t *pcap;
	const char *path; /* borrowed from the caller */
	int dlt;
	int state; /* 0 need read, 1 frame pending, 2 finished */
	struct pcap_pkthdr *hdr;
	const u_char *data;
} source;

struct vt_capture {
	source *src;
	size_t n;
	size_t last; /* source of the frame handed out last; SIZE_MAX = none */
	char **errors;
	size_t n_errors;
};

static int open_one(source *s, const char *path, FILE *stream, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	s->path = path;
	if (stream || strcmp(path, "-") == 0) {
		s->pcap = pcap_fopen_offline_with_tstamp_precision(
			stream ? stream : stdin, PCAP_TSTAMP_PRECISION_MICRO,
			perr);
		if (!stream)
			s->path = "<stdin>";
		else if (!s->pcap)
			fclose(stream);
	} else {
		s->pcap = pcap_open_offline_with_tstamp_precision(
			path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	}
	if (!s->pcap) {
		size_t pl = strlen(s->path);
		if (strncmp(perr, s->path, pl) == 0 && perr[pl] == ':')
			snprintf(errbuf, VT_ERRBUF_LEN, "%s", perr);
		else
			snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", s->path, perr);
		return VT_EFORMAT;
	}
	s->dlt = pcap_datalink(s->pcap);
	if (!vt_dissect_linktype_ok(s->dlt)) {
		const char *name = pcap_datalink_val_to_name(s->dlt);
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: unsupported link type %d (%s)", s->path, s->dlt,
			 name ? name : "unknown");
		return VT_EUNSUP;
	}
	return VT_OK;
}

static vt_capture *alloc_capture(size_t n, char *errbuf)
{
	vt_capture *c = calloc(1, sizeof(*c));
	if (!c || !(c->src = calloc(n, sizeof(*c->src)))) {
		free(c);
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return NULL;
	}
	c->n = n;
	c->last = SIZE_MAX;
	return c;
}

vt_capture *vt_capture_open_stream(FILE *f, const char *name, char *errbuf)
{
	vt_capture *c = alloc_capture(1, errbuf);
	if (!c) {
		fclose(f);
		return NULL;
	}
	if (open_one(&c->src[0], name, f, errbuf) != VT_OK) {
		vt_capture_close(c);
		return NULL;
	}
	return c;
}

vt_capture *vt_capture_open(const char *const *paths, size_t n, char *errbuf)
{
	if (n == 0 || n > VT_CAPTURE_MAX_FILES) {
		snprintf(errbuf, VT_ERRBUF_LEN, "need 1 to %d capture files",
			 VT_CAPTURE_MAX_FILES);
		return NULL;
	}
	vt_capture *c = alloc_capture(n, errbuf);
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (open_one(&c->src[i], paths[i], NULL, errbuf) != VT_OK) {
			vt_capture_close(c);
			return NULL;
		}
	}
	return c;
}

void vt_capture_close(vt_capture *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->src[i].pcap)
			pcap_close(c->src[i].pcap);
	for (size_t i = 0; i < c->n_errors; i++)
		free(c->errors[i]);
	free(c->errors);
	free(c->src);
	free(c);
}

static void add_error(vt_capture *c, const char *path, const char *why)
{
	char line[VT_ERRBUF_LEN];
	snprintf(line, sizeof(line), "%s: %s", path, why);
	char **ne = realloc(c->errors, (c->n_errors + 1) * sizeof(*ne));
	if (!ne)
		return;
	c->errors = ne;
	if ((ne[c->n_errors] = strdup(line)))
		c->n_errors++;
}

static void advance(vt_capture *c, source *s)
{
	errno = 0;
	int r = pcap_next_ex(s->pcap, &s->hdr, &s->data);
	if (r == 1) {
		s->state = 1;
		return;
	}
	s->state = 2;
	if (r == PCAP_ERROR && errno == EINTR)
		return; /* a signal (the caller stops), not a damaged file */
	if (r == PCAP_ERROR) {
		const char *e = pcap_geterr(s->pcap);
		add_error(c, s->path, e && *e ? e : "read error");
	}
}

static uint64_t ts_of(const source *s)
{
	return (uint64_t)s->hdr->ts.tv_sec * 1000000u +
	       (uint64_t)s->hdr->ts.tv_usec;
}

int vt_capture_next(vt_capture *c, vt_frame *f)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < c->n; i++) {
		source *s = &c->src[i];
		if (s->state == 0 || i == c->last)
			if (s->state != 2)
				advance(c, s);
		if (s->state == 1 &&
		    (best == SIZE_MAX || ts_of(s) < ts_of(&c->src[best])))
			best = i;
	}
	c->last = best;
	if (best == SIZE_MAX)
		return 0;
	source *s = &c->src[best];
	f->dlt = s->dlt;
	f->data = s->data;
	f->caplen = s->hdr->caplen;
	f->wirelen = s->hdr->len;
	f->ts_us = ts_of(s);
	f->source = best;
	return 1;
}

size_t vt_capture_nerrors(const vt_capture *c) { return c->n_errors; }

const char *vt_capture_error(const vt_capture *c, size_t i)
{
	return i < c->n_errors ? c->errors[i] : NULL;
}
