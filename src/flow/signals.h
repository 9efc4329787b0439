/* Signal extraction in the passive pipeline (see signals.c). */
#ifndef VT_FLOW_SIGNALS_H
#define VT_FLOW_SIGNALS_H

#include "vantage/device.h"
#include "vantage/flow.h"
#include "vantage/packet.h"

/*
 * Hands packet p's identifying payloads to the signal parsers and files
 * what they emit under the sending device. dev as from vt_devtab_frame;
 * f/side the packet's flow and side (f may be NULL).
 */
void vt_signals_packet(vt_devtab *t, const vt_pkt *p, const int64_t dev[2],
		       vt_flow *f, int side);

#endif
