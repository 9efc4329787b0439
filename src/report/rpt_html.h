/* Internals of the HTML report (rpt_html.c, rpt_svg.c). */
#ifndef VANTAGE_RPT_HTML_H
#define VANTAGE_RPT_HTML_H

#include <stdio.h>

#include "vantage/netreport.h"

/*
 * Writes s as HTML text or attribute content: & < > " ' as entities,
 * control bytes as the visible text \xHH; NULL as "-". Safe in element
 * content and in quoted attributes.
 */
void vt_rpt_html_esc(FILE *o, const char *s);

/* A horizontal bar chart of n shares (0..1) with their labels. */
void vt_rpt_svg_bars(FILE *o, const char *title, const char *const *labels,
		     const double *vals, size_t n);
/* Two CDFs on a log10 x axis. */
void vt_rpt_svg_cdf(FILE *o, const char *title, const vt_rpt_dist *a,
		    const char *name_a, const vt_rpt_dist *b, const char *name_b);

#endif
