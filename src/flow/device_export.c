/*
 * Export of the device table as vt_devrec values: the devices that sent
 * at least one frame (receive-only MACs are stale neighbours, not hosts we
 * saw), the gateway marked, services and bindings in a stable order.
 */
#include <stdlib.h>
#include <string.h>

#include "flow/devtab_int.h"
#include "vantage/error.h"

static int cmp_svc(const void *a, const void *b)
{
	const vt_service *x = a, *y = b;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	return (x->scope > y->scope) - (x->scope < y->scope);
}

static int cmp_ip(const void *a, const void *b)
{
	const vt_ipbind *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	if (x->ver != y->ver)
		return x->ver < y->ver ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *p = malloc(n * size);
	if (p)
		memcpy(p, src, n * size);
	return p;
}

static int copy_signals(const vt_devrec *s, vt_devrec *d)
{
	d->signals = NULL;
	d->n_signals = 0;
	if (!s->n_signals)
		return VT_OK;
	d->signals = calloc(s->n_signals, sizeof(*d->signals));
	if (!d->signals)
		return VT_ENOMEM;
	for (size_t i = 0; i < s->n_signals; i++) {
		vt_signal *o = &d->signals[i];
		*o = s->signals[i];
		o->name = strdup(s->signals[i].name);
		o->value = malloc(o->len + 1);
		if (!o->name || !o->value) {
			free(o->name);
			free(o->value);
			return VT_ENOMEM;
		}
		memcpy(o->value, s->signals[i].value, o->len + 1);
		d->n_signals++;
	}
	return VT_OK;
}

static int copy_rec(const vt_devrec *s, vt_devrec *d)
{
	*d = *s;
	d->vendor = d->type = d->model = d->os = NULL;
	d->evidence = NULL;
	d->n_evidence = 0;
	if (copy_signals(s, d) != VT_OK) {
		d->ips = NULL;
		d->services = NULL;
		d->n_ips = d->n_services = 0;
		vt_devrec_cleanup(d);
		return VT_ENOMEM;
	}
	d->ips = dup_array(s->ips, s->n_ips, sizeof(*s->ips));
	d->services = dup_array(s->services, s->n_services, sizeof(*s->services));
	if ((s->n_ips && !d->ips) || (s->n_services && !d->services)) {
		vt_devrec_cleanup(d);
		return VT_ENOMEM;
	}
	if (d->n_ips > 1)
		qsort(d->ips, d->n_ips, sizeof(*d->ips), cmp_ip);
	if (d->n_services > 1)
		qsort(d->services, d->n_services, sizeof(*d->services), cmp_svc);
	return VT_OK;
}

/*
 * The MAC with most votes (changes of the external address it carried),
 * or none when the top two tie: then the capture cannot tell a router from
 * a host with a global address of its own.
 */
static int64_t find_gateway(const vt_devtab *t)
{
	int64_t gw = -1;
	uint64_t second = 0;
	for (size_t i = 0; i < t->n_devs; i++) {
		const vt_dev *d = &t->devs[i];
		if (!d->r.has_mac || !d->ext_votes)
			continue;
		if (gw < 0 || d->ext_votes > t->devs[gw].ext_votes) {
			if (gw >= 0)
				second = t->devs[gw].ext_votes;
			gw = (int64_t)i;
		} else if (d->ext_votes > second) {
			second = d->ext_votes;
		}
	}
	return gw >= 0 && t->devs[gw].ext_votes > second ? gw : -1;
}

int vt_devtab_export(vt_devtab *t, vt_devrec **out, size_t *n_out)
{
	int64_t gw = find_gateway(t);
	size_t n = 0;
	vt_devrec *recs = calloc(t->n_devs ? t->n_devs : 1, sizeof(*recs));
	if (!recs)
		return VT_ENOMEM;
	for (size_t i = 0; i < t->n_devs; i++) {
		const vt_dev *d = &t->devs[i];
		if (!d->r.packets_sent && (int64_t)i != gw)
			continue;
		if (copy_rec(&d->r, &recs[n]) != VT_OK) {
			for (size_t j = 0; j < n; j++)
				vt_devrec_cleanup(&recs[j]);
			free(recs);
			return VT_ENOMEM;
		}
		recs[n++].gateway = (int64_t)i == gw;
	}
	vt_devrec_sort(recs, n);
	*out = recs;
	*n_out = n;
	return VT_OK;
}
