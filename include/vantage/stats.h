/*
 * Small statistics for the report: correlation coefficients with their
 * two-sided p-values, ranks, and quantiles of sorted samples. p-values use
 * Student's t distribution, computed through the regularized incomplete
 * beta function (continued fraction, modified Lentz). NaN marks a value
 * that does not exist (too few points, a constant sample).
 */
#ifndef VANTAGE_STATS_H
#define VANTAGE_STATS_H

#include <stddef.h>

/* I_x(a, b) for a, b > 0 and 0 <= x <= 1; NaN outside that domain. */
double vt_stats_betai(double a, double b, double x);

/* Two-sided p-value of Student's t with df degrees of freedom:
 * P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2). */
double vt_stats_t_pvalue(double t, double df);

/* A correlation and its p-value (H0: no correlation, t with n-2 df). */
typedef struct vt_corr {
	size_t n;
	double r; /* NaN when n < 3 or a sample is constant */
	double p; /* NaN with r; 0 when |r| == 1 */
} vt_corr;

vt_corr vt_stats_pearson(const double *x, const double *y, size_t n);
/* Spearman's rho: Pearson's r of the ranks (ties share their mean rank),
 * with the same t approximation for the p-value. Returns r = NaN on OOM. */
vt_corr vt_stats_spearman(const double *x, const double *y, size_t n);

/* Ranks 1..n of x (ties get the mean of their ranks) into out; VT_OK or
 * VT_ENOMEM. */
int vt_stats_ranks(const double *x, size_t n, double *out);

/*
 * The q-quantile (0 <= q <= 1) of n sorted values by linear interpolation
 * between order statistics (Hyndman and Fan's type 7, the default of R
 * and NumPy): h = (n - 1) q, x[floor h] + (h - floor h)(x[ceil h] -
 * x[floor h]). NaN when n == 0.
 */
double vt_stats_quantile(const double *sorted, size_t n, double q);
/* The two order statistics (0-based) and weight that quantile reads, for
 * callers that stream sorted values instead of holding them. */
void vt_stats_quantile_pos(size_t n, double q, size_t *lo, size_t *hi,
			   double *frac);

#endif
