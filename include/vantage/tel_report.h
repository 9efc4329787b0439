/*
 * Output of `vantage telescope`: the JSON Lines object per source
 * (DESIGN.md output contract plus EXTERNAL.md's fields) and the summary
 * table (Mirai sources per window and per day, cumulative, peak, the
 * 23:2323 ratio, other scanners by tool, backscatter victims).
 */
#ifndef VANTAGE_TEL_REPORT_H
#define VANTAGE_TEL_REPORT_H

#include <stdio.h>

#include "vantage/telescope.h"

/* One source as a JSON object and a newline. k: the Mirai threshold. */
void vt_tel_source_json(FILE *out, const vt_tel_source *s, uint32_t k);
/* The summary, after vt_tel_finish. */
void vt_tel_summary(FILE *out, const vt_tel *t, uint32_t window_s);
/* IPv4 host-order address as a dotted quad (out >= 16 bytes). */
void vt_tel_ip_text(uint32_t ip, char *out);

#endif
