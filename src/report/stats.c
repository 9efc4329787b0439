/*
 * Correlations, ranks, quantiles and Student's t p-values for the report
 * (include/vantage/stats.h). The regularized incomplete beta function is
 * evaluated by its continued fraction
 *   I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * 1/(1+ d1/(1+ d2/(1+ ...)))
 *   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1))
 *   d_{2m}   =  m (b-m) x / ((a+2m-1)(a+2m))
 * with the modified Lentz method, using I_x(a,b) = 1 - I_{1-x}(b,a) where
 * the fraction converges slowly (x > (a+1)/(a+b+2)).
 */
#include <math.h>
#include <stdlib.h>

#include "vantage/error.h"
#include "vantage/stats.h"

#define CF_MAX_ITER 300
#define CF_EPS 1e-15
#define CF_TINY 1e-300

static double tiny_guard(double v)
{
	return fabs(v) < CF_TINY ? CF_TINY : v;
}

/* The continued fraction 1/(1+ d1/(1+ d2/(1+ ...))), evaluated from the
 * top down (modified Lentz); valid for x < (a+1)/(a+b+2). */
static double beta_cf(double a, double b, double x)
{
	double c = 1.0, d = 1.0 / tiny_guard(1.0 - (a + b) * x / (a + 1));
	double f = d, delta = 0;
	for (int m = 1; m <= CF_MAX_ITER; m++) {
		for (int odd = 0; odd < 2; odd++) {
			double num =
				odd ? -(a + m) * (a + b + m) * x /
					      ((a + 2 * m) * (a + 2 * m + 1))
				    : m * (b - m) * x /
					      ((a + 2 * m - 1) * (a + 2 * m));
			d = 1.0 / tiny_guard(1.0 + num * d);
			c = tiny_guard(1.0 + num / c);
			delta = c * d;
			f *= delta;
		}
		if (fabs(1.0 - delta) < CF_EPS)
			break;
	}
	return f;
}

double vt_stats_betai(double a, double b, double x)
{
	if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
			b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lfront) * beta_cf(a, b, x) / a;
	return 1.0 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

double vt_stats_t_pvalue(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0.0;
	return vt_stats_betai(df / 2, 0.5, df / (df + t * t));
}

static vt_corr corr_of(double r, size_t n)
{
	vt_corr c = {.n = n, .r = r, .p = NAN};
	if (isnan(r))
		return c;
	if (r > 1)
		r = c.r = 1;
	if (r < -1)
		r = c.r = -1;
	if (fabs(r) == 1) {
		c.p = 0;
		return c;
	}
	double df = (double)n - 2;
	c.p = vt_stats_t_pvalue(r * sqrt(df / (1 - r * r)), df);
	return c;
}

vt_corr vt_stats_pearson(const double *x, const double *y, size_t n)
{
	if (n < 3)
		return (vt_corr){.n = n, .r = NAN, .p = NAN};
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my;
		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	if (sxx == 0 || syy == 0)
		return (vt_corr){.n = n, .r = NAN, .p = NAN};
	return corr_of(sxy / sqrt(sxx * syy), n);
}

typedef struct idxval {
	double v;
	size_t i;
} idxval;

static int cmp_idxval(const void *a, const void *b)
{
	const idxval *x = a, *y = b;
	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int vt_stats_ranks(const double *x, size_t n, double *out)
{
	idxval *iv = malloc((n ? n : 1) * sizeof(*iv));
	if (!iv)
		return VT_ENOMEM;
	for (size_t i = 0; i < n; i++)
		iv[i] = (idxval){.v = x[i], .i = i};
	qsort(iv, n, sizeof(*iv), cmp_idxval);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && iv[j + 1].v == iv[i].v)
			j++;
		double mean = ((double)i + (double)j) / 2 + 1;
		for (size_t k = i; k <= j; k++)
			out[iv[k].i] = mean;
		i = j + 1;
	}
	free(iv);
	return VT_OK;
}

vt_corr vt_stats_spearman(const double *x, const double *y, size_t n)
{
	vt_corr bad = {.n = n, .r = NAN, .p = NAN};
	if (n < 3)
		return bad;
	double *rx = malloc(n * sizeof(*rx)), *ry = malloc(n * sizeof(*ry));
	if (!rx || !ry || vt_stats_ranks(x, n, rx) || vt_stats_ranks(y, n, ry)) {
		free(rx);
		free(ry);
		return bad;
	}
	vt_corr c = vt_stats_pearson(rx, ry, n);
	free(rx);
	free(ry);
	return c;
}

void vt_stats_quantile_pos(size_t n, double q, size_t *lo, size_t *hi,
			   double *frac)
{
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	double h = n ? (double)(n - 1) * q : 0;
	double fl = floor(h);
	*lo = (size_t)fl;
	*hi = *lo + 1 < n ? *lo + 1 : *lo;
	*frac = h - fl;
}

double vt_stats_quantile(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	size_t lo, hi;
	double frac;
	vt_stats_quantile_pos(n, q, &lo, &hi, &frac);
	return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}
