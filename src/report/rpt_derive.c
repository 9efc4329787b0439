/*
 * Figures derived from the loaded rows: each device's offered/used counts
 * and shares and the time its full set of used services had appeared;
 * each service's share of a view's devices and its rank there
 * (competition ranking: 1 for the most shared, ties share the best rank);
 * the medians; and the correlations that mean something for the views
 * present:
 *   - for every pair of present views, the services' shares of devices
 *     over the services seen in either (0 where absent): do the views
 *     rank services alike?
 *   - across the devices seen by an active and the passive view, the
 *     number of services offered against the number used;
 *   - across the internal passive view's devices, local against
 *     external bytes, and services used against external peers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_int.h"

static void device_figures(vt_rpt_device *d)
{
	for (size_t i = 0; i < d->n_ports; i++) {
		const vt_rpt_port *p = &d->ports[i];
		int offered = p->offered_int || p->offered_ext;
		d->n_offered += offered;
		d->n_used_server += p->used;
		d->n_offered_used += offered && p->used;
		d->n_unused_risky += offered && !p->used && p->risky;
	}
	d->used_share = d->n_offered ? (double)d->n_offered_used / (double)d->n_offered
				     : NAN;
	d->full_set_frac = NAN;
	if (d->n_used && d->full_set_us && d->span_last_us > d->span_first_us &&
	    d->full_set_us >= d->span_first_us)
		d->full_set_frac = (double)(d->full_set_us - d->span_first_us) /
				   (double)(d->span_last_us - d->span_first_us);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median of the non-NaN values of field (an offset into the device). */
static double median_of(const vt_rpt *r, size_t off, double *tmp)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_devices; i++) {
		double v = *(const double *)((const char *)&r->devices[i] + off);
		if (!isnan(v))
			tmp[n++] = v;
	}
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return vt_stats_quantile(tmp, n, 0.5);
}

typedef struct counted {
	size_t devices;
	vt_rpt_service *s;
} counted;

static int cmp_counted(const void *a, const void *b)
{
	const counted *x = a, *y = b;
	return x->devices > y->devices ? -1 : x->devices < y->devices;
}

static void rank_view(vt_rpt *r, int v, counted *tmp)
{
	size_t n = 0, views_dev = r->views[v].devices;
	for (size_t i = 0; i < r->n_services; i++) {
		vt_rpt_service *s = &r->services[i];
		s->share[v] = views_dev ? (double)s->devices[v] / (double)views_dev
					: 0;
		if (s->devices[v])
			tmp[n++] = (counted){.devices = s->devices[v], .s = s};
	}
	qsort(tmp, n, sizeof(*tmp), cmp_counted);
	for (size_t i = 0; i < n; i++)
		tmp[i].s->rank[v] = i && tmp[i].devices == tmp[i - 1].devices
					    ? tmp[i - 1].s->rank[v]
					    : i + 1;
}

/* Best (smallest) rank over the views; absent ranks last. */
static size_t best_rank(const vt_rpt_service *s)
{
	size_t b = SIZE_MAX;
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		if (s->rank[v] && s->rank[v] < b)
			b = s->rank[v];
	return b;
}

static int cmp_service(const void *a, const void *b)
{
	const vt_rpt_service *x = a, *y = b;
	size_t bx = best_rank(x), by = best_rank(y);
	if (bx != by)
		return bx < by ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static void add_corr(vt_rpt *r, const char *what, const char *x,
		     const char *y, const double *xs, const double *ys, size_t n)
{
	if (r->n_corr == VT_RPT_MAX_CORR)
		return;
	vt_rpt_corr *c = &r->corr[r->n_corr++];
	snprintf(c->what, sizeof(c->what), "%s", what);
	snprintf(c->x, sizeof(c->x), "%s", x);
	snprintf(c->y, sizeof(c->y), "%s", y);
	c->pearson = vt_stats_pearson(xs, ys, n);
	c->spearman = vt_stats_spearman(xs, ys, n);
}

static void service_corrs(vt_rpt *r, double *xs, double *ys)
{
	for (int a = 0; a < VT_VIEW_COUNT; a++) {
		for (int b = a + 1; b < VT_VIEW_COUNT; b++) {
			if (!r->views[a].present || !r->views[b].present)
				continue;
			size_t n = 0;
			for (size_t i = 0; i < r->n_services; i++) {
				const vt_rpt_service *s = &r->services[i];
				if (!s->devices[a] && !s->devices[b])
					continue;
				xs[n] = s->share[a];
				ys[n++] = s->share[b];
			}
			char what[96];
			snprintf(what, sizeof(what), "service shares: %s vs %s",
				 vt_view_label(a), vt_view_label(b));
			add_corr(r, what, vt_view_key(a), vt_view_key(b), xs, ys, n);
		}
	}
}

static void device_corrs(vt_rpt *r, double *xs, double *ys)
{
	const unsigned ip = 1u << VT_VIEW_INT_PASSIVE;
	const unsigned act = 1u << VT_VIEW_INT_ACTIVE | 1u << VT_VIEW_EXT_ACTIVE;
	size_t n = 0;
	if (r->views[VT_VIEW_INT_PASSIVE].present &&
	    (r->views[VT_VIEW_INT_ACTIVE].present ||
	     r->views[VT_VIEW_EXT_ACTIVE].present)) {
		for (size_t i = 0; i < r->n_devices; i++) {
			const vt_rpt_device *d = &r->devices[i];
			if ((d->views & ip) && (d->views & act)) {
				xs[n] = (double)d->n_offered;
				ys[n++] = (double)d->n_used_server;
			}
		}
		add_corr(r, "devices: services offered vs used as a server",
			 "offered", "used_server", xs, ys, n);
	}
	if (!r->views[VT_VIEW_INT_PASSIVE].present)
		return;
	n = 0;
	for (size_t i = 0; i < r->n_devices; i++)
		if (r->devices[i].views & ip) {
			xs[n] = (double)r->devices[i].local_bytes;
			ys[n++] = (double)r->devices[i].external_bytes;
		}
	add_corr(r, "devices: local vs external bytes", "local_bytes",
		 "external_bytes", xs, ys, n);
	n = 0;
	for (size_t i = 0; i < r->n_devices; i++)
		if (r->devices[i].views & ip) {
			xs[n] = (double)r->devices[i].n_used;
			ys[n++] = (double)r->devices[i].external_peers;
		}
	add_corr(r, "devices: services used vs external peers", "services_used",
		 "external_peers", xs, ys, n);
}

int vt_rpt_derive(vt_rpt *r)
{
	for (size_t i = 0; i < r->n_devices; i++)
		device_figures(&r->devices[i]);
	size_t m = r->n_services > r->n_devices ? r->n_services : r->n_devices;
	double *xs = malloc((m + 1) * sizeof(*xs));
	double *ys = malloc((m + 1) * sizeof(*ys));
	counted *tmp = malloc((r->n_services + 1) * sizeof(*tmp));
	if (!xs || !ys || !tmp) {
		free(xs);
		free(ys);
		free(tmp);
		return VT_ENOMEM;
	}
	r->median_full_set_frac =
		median_of(r, offsetof(vt_rpt_device, full_set_frac), xs);
	r->median_used_share = median_of(r, offsetof(vt_rpt_device, used_share), xs);
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		rank_view(r, v, tmp);
	service_corrs(r, xs, ys);
	device_corrs(r, xs, ys);
	if (r->n_services)
		qsort(r->services, r->n_services, sizeof(*r->services),
		      cmp_service);
	free(xs);
	free(ys);
	free(tmp);
	return VT_OK;
}
