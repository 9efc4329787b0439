/*
 * Inline SVG charts for the HTML report: horizontal bar charts (shares)
 * and cumulative distributions on a log10 axis. Labels pass through
 * vt_rpt_html_esc; the charts use no script and no external resource.
 */
#include <math.h>

#include "report/rpt_html.h"

#define BAR_W 520
#define BAR_LABEL 130
#define BAR_H 18

void vt_rpt_svg_bars(FILE *o, const char *title, const char *const *labels,
		     const double *vals, size_t n)
{
	int h = (int)n * BAR_H + 30;
	fprintf(o, "<figure class=\"chart\"><figcaption>");
	vt_rpt_html_esc(o, title);
	fprintf(o, "</figcaption><svg class=\"bars\" role=\"img\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\">",
		BAR_W, h, BAR_W, h);
	int plot = BAR_W - BAR_LABEL - 50;
	for (size_t i = 0; i < n; i++) {
		double v = isnan(vals[i]) ? 0 : vals[i];
		int y = 10 + (int)i * BAR_H, w = (int)lround(v * plot);
		fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			BAR_LABEL - 6, y + 12);
		vt_rpt_html_esc(o, labels[i]);
		fprintf(o, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" "
			   "width=\"%d\" height=\"%d\"><title>",
			BAR_LABEL, y + 2, w > 0 ? w : 1, BAR_H - 4);
		vt_rpt_html_esc(o, labels[i]);
		fprintf(o, ": %.1f%%</title></rect><text x=\"%d\" y=\"%d\">"
			   "%.1f%%</text>",
			v * 100, BAR_LABEL + w + 4, y + 12, v * 100);
	}
	fputs("</svg></figure>\n", o);
}

#define CDF_W 560
#define CDF_H 300
#define CDF_L 50
#define CDF_B 40

static double lx(double v)
{
	return log10(v < 1 ? 1 : v);
}

static void series(FILE *o, const vt_rpt_dist *d, const char *cls,
		   double lo, double hi)
{
	if (!d->n_cdf)
		return;
	int pw = CDF_W - CDF_L - 20, ph = CDF_H - CDF_B - 20;
	fprintf(o, "<polyline class=\"%s\" fill=\"none\" points=\"", cls);
	for (size_t i = 0; i < d->n_cdf; i++) {
		double x = CDF_L + (lx(d->cdf_x[i]) - lo) / (hi - lo) * pw;
		double y = 20 + (1 - d->cdf_y[i]) * ph;
		fprintf(o, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	fputs("\"/>", o);
}

void vt_rpt_svg_cdf(FILE *o, const char *title, const vt_rpt_dist *a,
		    const char *name_a, const vt_rpt_dist *b, const char *name_b)
{
	double lo = 0, hi = 1;
	if (a->n)
		hi = fmax(hi, ceil(lx(a->q[6])));
	if (b->n)
		hi = fmax(hi, ceil(lx(b->q[6])));
	int pw = CDF_W - CDF_L - 20, ph = CDF_H - CDF_B - 20;
	fprintf(o, "<figure class=\"chart\"><figcaption>");
	vt_rpt_html_esc(o, title);
	fprintf(o, "</figcaption><svg class=\"cdf\" role=\"img\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\">", CDF_W, CDF_H, CDF_W, CDF_H);
	fprintf(o, "<rect class=\"frame\" x=\"%d\" y=\"20\" width=\"%d\" "
		   "height=\"%d\" fill=\"none\"/>", CDF_L, pw, ph);
	for (int e = (int)lo; e <= (int)hi; e++) {
		double x = CDF_L + (e - lo) / (hi - lo) * pw;
		fprintf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" "
			   "y2=\"%d\"/><text x=\"%.1f\" y=\"%d\" "
			   "text-anchor=\"middle\">1e%d</text>",
			x, x, 20 + ph, x, 20 + ph + 16, e);
	}
	for (int k = 0; k <= 4; k++)
		fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.2f</text>",
			CDF_L - 4, 24 + (int)((1 - k / 4.0) * ph), k / 4.0);
	series(o, a, "s1", lo, hi);
	series(o, b, "s2", lo, hi);
	fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">bytes per "
		   "flow (log scale)</text>", CDF_L + pw / 2, CDF_H - 4);
	fprintf(o, "<text class=\"s1\" x=\"%d\" y=\"36\">", CDF_L + 10);
	vt_rpt_html_esc(o, name_a);
	fprintf(o, "</text><text class=\"s2\" x=\"%d\" y=\"52\">", CDF_L + 10);
	vt_rpt_html_esc(o, name_b);
	fputs("</text></svg></figure>\n", o);
}
