/*
 * Fuzz target: the telescope path. The input is a sequence of records
 * (2-byte big-endian length, 2-byte time step in seconds, then that many
 * bytes of an Ethernet frame); each frame is dissected and fed to one
 * telescope engine with tiny caps (so eviction, event expiry and window
 * growth run), its bytes also go to the quoted-header parser, and the
 * finished sources are written as JSON and the summary to /dev/null.
 * Seeds: fuzz/make-telescope-seeds.py from the synthetic cases.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vantage/tel_report.h"
#include "vantage/telescope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink_file(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

static void on_source(const vt_tel_source *s, void *user)
{
	if (sink_file())
		vt_tel_source_json(sink_file(), s, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const vt_cidr pfx[2] = {
		{.ver = 4, .bits = 24, .addr = {198, 51, 100, 0}},
		{.ver = 4, .bits = 1, .addr = {0}},
	};
	vt_tel_cfg cfg = {.prefixes = pfx, .n_prefixes = 2, .window_s = 60,
			  .mirai_k = 2, .max_sources = 4, .max_events = 4,
			  .max_victims = 4, .max_windows = 16};
	vt_tel_sinks sinks = {.source = on_source};
	vt_tel *t = vt_tel_new(&cfg, &sinks);
	if (!t)
		return 0;
	uint64_t ts = 1480068000ull * 1000000u;
	size_t off = 0;
	while (size - off >= 4) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		ts += ((uint64_t)data[off + 2] << 8 | data[off + 3]) * 1000000u;
		off += 4;
		if (len > size - off)
			len = size - off;
		vt_pkt p;
		vt_dis_stats st = {0};
		vt_tel_quote q;
		vt_dissect_frame(VT_DLT_EN10MB, data + off, (uint32_t)len,
				 (uint32_t)len, ts, &p, &st);
		vt_tel_packet(t, &p);
		vt_tel_quote_parse(data + off, len, &q);
		off += len;
	}
	vt_tel_finish(t);
	if (sink_file())
		vt_tel_summary(sink_file(), t, 60);
	vt_tel_free(t);
	return 0;
}
