/*
 * The report's statistics against values known independently:
 * closed forms of the incomplete beta (I_x(1,1) = x, I_x(a,1) = x^a,
 * I_x(1,b) = 1 - (1-x)^b, I_1/2(a,a) = 1/2) and of Student's t (df 1 is
 * Cauchy: P(|T| > 1) = 1/2; df 2: p = 1 - t/sqrt(2 + t^2)); textbook
 * critical values (t = 2.228139 at df 10 and 2.085963 at df 20 give
 * p = 0.05, 3.169273 at df 10 gives 0.01); and correlations whose
 * p-values were computed by a separate Python program (plain math:
 * Simpson integration of the t density, no incomplete beta), kept in
 * tests/report/stats_oracle.py. Quantiles follow type 7 (R, NumPy).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "vantage/stats.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void betai_closed_forms(void **state)
{
	(void)state;
	for (double x = 0; x <= 1.0001; x += 0.125) {
		double xx = fmin(x, 1);
		NEAR(vt_stats_betai(1, 1, xx), xx, 1e-12);
		NEAR(vt_stats_betai(3.5, 1, xx), pow(xx, 3.5), 1e-12);
		NEAR(vt_stats_betai(1, 7, xx), 1 - pow(1 - xx, 7), 1e-12);
	}
	NEAR(vt_stats_betai(40, 40, 0.5), 0.5, 1e-12);
	NEAR(vt_stats_betai(0.5, 0.5, 0.5), 0.5, 1e-12);
	assert_true(isnan(vt_stats_betai(-1, 1, 0.5)));
	assert_true(isnan(vt_stats_betai(1, 1, 1.5)));
}

static void t_pvalues(void **state)
{
	(void)state;
	NEAR(vt_stats_t_pvalue(1, 1), 0.5, 1e-12);
	for (double t = 0; t < 20; t += 0.7)
		NEAR(vt_stats_t_pvalue(t, 2), 1 - t / sqrt(2 + t * t), 1e-12);
	NEAR(vt_stats_t_pvalue(2.228138852, 10), 0.05, 1e-8);
	NEAR(vt_stats_t_pvalue(-2.228138852, 10), 0.05, 1e-8);
	NEAR(vt_stats_t_pvalue(3.169272673, 10), 0.01, 1e-8);
	NEAR(vt_stats_t_pvalue(2.085963447, 20), 0.05, 1e-8);
	NEAR(vt_stats_t_pvalue(0, 5), 1, 1e-12);
	assert_true(vt_stats_t_pvalue(50, 30) < 1e-20);
}

static void correlations(void **state)
{
	(void)state;
	const double x[] = {1, 2, 3, 4, 5}, y[] = {2, 4, 5, 4, 5};
	const double y2[] = {5, 6, 7, 8, 7};
	vt_corr c = vt_stats_pearson(x, y, 5);
	assert_int_equal(c.n, 5);
	NEAR(c.r, sqrt(0.6), 1e-12);
	NEAR(c.p, 0.12402706265755048, 1e-9);
	c = vt_stats_spearman(x, y2, 5);
	NEAR(c.r, 0.8207826816681233, 1e-12);
	NEAR(c.p, 0.08858700531354635, 1e-9);
	/* Perfect, constant and too small. */
	c = vt_stats_spearman(x, x, 5);
	NEAR(c.r, 1, 1e-12);
	NEAR(c.p, 0, 0);
	const double k[] = {3, 3, 3, 3, 3};
	assert_true(isnan(vt_stats_pearson(x, k, 5).r));
	assert_true(isnan(vt_stats_pearson(x, y, 2).r));
}

static void ranks_and_quantiles(void **state)
{
	(void)state;
	const double v[] = {10, 30, 20, 30, 10, 40};
	double r[6];
	assert_int_equal(vt_stats_ranks(v, 6, r), 0);
	const double want[] = {1.5, 4.5, 3, 4.5, 1.5, 6};
	for (int i = 0; i < 6; i++)
		NEAR(r[i], want[i], 0);
	const double s[] = {1, 2, 3, 4};
	NEAR(vt_stats_quantile(s, 4, 0.5), 2.5, 1e-12);
	NEAR(vt_stats_quantile(s, 4, 0.1), 1.3, 1e-12);
	NEAR(vt_stats_quantile(s, 4, 0), 1, 0);
	NEAR(vt_stats_quantile(s, 4, 1), 4, 0);
	NEAR(vt_stats_quantile(s, 1, 0.7), 1, 0);
	assert_true(isnan(vt_stats_quantile(s, 0, 0.5)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(betai_closed_forms),
		cmocka_unit_test(t_pvalues),
		cmocka_unit_test(correlations),
		cmocka_unit_test(ranks_and_quantiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
