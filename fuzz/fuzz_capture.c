/*
 * Fuzz target: a whole capture file (pcap or pcapng) through libpcap, the
 * capture reader and the passive pipeline (dissectors, flow and device
 * tables, export), as `vantage read` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vantage/capture.h"
#include "vantage/error.h"
#include "vantage/passive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[VT_ERRBUF_LEN];
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	vt_capture *c = vt_capture_open_stream(f, "fuzz", err);
	if (!c)
		return 0;
	vt_passive_cfg cfg = {.flow = {.max_flows = 64},
			      .dev = {.max_devices = 64, .max_peers = 256}};
	vt_passive *p = vt_passive_new(&cfg);
	vt_frame fr;
	for (int n = 0; p && n < 100000 && vt_capture_next(c, &fr) == 1; n++)
		vt_passive_frame(p, &fr);
	if (p) {
		vt_passive_finish(p);
		vt_devrec *d = NULL;
		size_t nd = 0;
		if (vt_devtab_export(vt_passive_devices(p), &d, &nd) == VT_OK) {
			for (size_t i = 0; i < nd; i++)
				vt_devrec_cleanup(&d[i]);
			free(d);
		}
	}
	vt_passive_free(p);
	vt_capture_close(c);
	return 0;
}
