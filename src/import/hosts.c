/*
 * Imported observations gathered per host (keyed by IP) into the device
 * records the store takes (vt_devrec, has_mac 0): open ports as active
 * server services with external scope, the source's labels as signals,
 * the best relabelled banner's identification. The table is capped
 * (VT_IMPORT_MAX_HOSTS); when it is full the caller writes it out and
 * clears it, so memory stays bounded on files of any size.
 */
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"
#include "vantage/hidx.h"
#include "vantage/import.h"

struct vt_imp_hosts {
	vt_devrec *recs;
	uint8_t *marked;   /* per record: vt_imp_hosts_mark was called */
	size_t n, cap, max;
	vt_hidx idx;
};

vt_imp_hosts *vt_imp_hosts_new(size_t max_hosts)
{
	vt_imp_hosts *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->max = max_hosts ? max_hosts : VT_IMPORT_MAX_HOSTS;
	if (vt_hidx_init(&h->idx, h->max) != VT_OK) {
		free(h);
		return NULL;
	}
	return h;
}

void vt_imp_hosts_clear(vt_imp_hosts *h)
{
	for (size_t i = 0; i < h->n; i++) {
		vt_hidx_remove(&h->idx, vt_hash_bytes(h->recs[i].key_ip, 16, 0),
			       (uint32_t)i);
		vt_devrec_cleanup(&h->recs[i]);
	}
	h->n = 0;
}

void vt_imp_hosts_free(vt_imp_hosts *h)
{
	if (!h)
		return;
	vt_imp_hosts_clear(h);
	vt_hidx_cleanup(&h->idx);
	free(h->recs);
	free(h->marked);
	free(h);
}

size_t vt_imp_hosts_count(const vt_imp_hosts *h) { return h->n; }

const vt_devrec *vt_imp_hosts_get(const vt_imp_hosts *h, size_t i)
{
	return i < h->n ? &h->recs[i] : NULL;
}

static int eq(const void *ctx, uint32_t index, const void *key)
{
	const vt_imp_hosts *h = ctx;
	return !memcmp(h->recs[index].key_ip, key, 16);
}

/* The host of o, created if new; NULL when full (*err VT_EFULL/ENOMEM). */
static vt_devrec *host(vt_imp_hosts *h, const vt_imp_obs *o, int *is_new,
		       int *err)
{
	uint8_t key[16] = {0};
	memcpy(key, o->ip, o->ipver == 4 ? 4 : 16);
	uint32_t hash = vt_hash_bytes(key, 16, 0);
	int64_t i = vt_hidx_find(&h->idx, hash, eq, h, key);
	if (is_new)
		*is_new = i < 0;
	if (i >= 0)
		return &h->recs[i];
	if (h->n >= h->max) {
		*err = VT_EFULL;
		return NULL;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		vt_devrec *r = realloc(h->recs, cap * sizeof(*r));
		if (r)
			h->recs = r;
		uint8_t *m = r ? realloc(h->marked, cap) : NULL;
		if (!m) {
			*err = VT_ENOMEM;
			return NULL;
		}
		h->marked = m;
		h->cap = cap;
	}
	if ((*err = vt_hidx_insert(&h->idx, hash, (uint32_t)h->n)) != VT_OK)
		return NULL;
	h->marked[h->n] = 0;
	vt_devrec *d = &h->recs[h->n++];
	memset(d, 0, sizeof(*d));
	memcpy(d->key_ip, key, 16);
	d->key_ipver = o->ipver;
	return d;
}

static void widen(uint64_t *first, uint64_t *last, uint64_t t)
{
	if (!t)
		return;
	if (!*first || t < *first)
		*first = t;
	if (t > *last)
		*last = t;
}

static int add_service(vt_devrec *d, const vt_imp_obs *o)
{
	vt_service *s = NULL;
	for (size_t i = 0; i < d->n_services; i++)
		if (d->services[i].proto == o->proto && d->services[i].port == o->port)
			s = &d->services[i];
	if (!s) {
		if (d->n_services >= VT_DEV_MAX_SERVICES) {
			d->services_dropped++;
			return VT_OK;
		}
		vt_service *ns = realloc(d->services, (d->n_services + 1) * sizeof(*ns));
		if (!ns)
			return VT_ENOMEM;
		d->services = ns;
		s = &ns[d->n_services++];
		memset(s, 0, sizeof(*s));
		s->proto = o->proto;
		s->port = o->port;
		s->role = VT_ROLE_SERVER;
		s->scope = VT_SCOPE_EXTERNAL;
		s->technique = VT_TECH_ACTIVE;
	}
	s->flows++;
	widen(&s->first_us, &s->last_us, o->seen_us);
	return VT_OK;
}

int vt_imp_hosts_add(vt_imp_hosts *h, const vt_imp_obs *o, int *is_new)
{
	int err = VT_OK;
	if (o->ipver != 4 && o->ipver != 6)
		return VT_EINVAL;
	vt_devrec *d = host(h, o, is_new, &err);
	if (!d)
		return err;
	widen(&d->first_us, &d->last_us, o->seen_us);
	if (o->has_port && o->open && (err = add_service(d, o)) != VT_OK)
		return err;
	/* A closed or filtered port's labels are guesses about nothing. */
	for (int i = 0; (!o->has_port || o->open) && i < o->n_labels; i++) {
		const vt_imp_label *l = &o->labels[i];
		err = vt_devrec_add_signal(d, l->signal, (const uint8_t *)l->value,
					   strlen(l->value), o->seen_us);
		if (err == VT_EFULL)
			d->signals_dropped++;
		else if (err)
			return err;
	}
	return VT_OK;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = NULL;
	if (v && *v && !(*dst = strdup(v)))
		return VT_ENOMEM;
	return VT_OK;
}

int vt_imp_hosts_ident(vt_imp_hosts *h, const vt_imp_obs *o,
		       const char *vendor, const char *type, const char *model,
		       double confidence, const char *evidence_value,
		       const char *rule)
{
	int err = VT_OK;
	int says = (vendor && *vendor) || (model && *model) ||
		   (type && *type && strcmp(type, "unknown"));
	if (!says)
		return VT_OK;
	vt_devrec *d = host(h, o, NULL, &err);
	if (!d)
		return err;
	if (d->n_evidence < VT_DEV_MAX_EVIDENCE &&
	    (err = vt_devrec_add_evidence(d, "banner", evidence_value, rule)))
		return err;
	if (confidence <= d->confidence)
		return VT_OK;
	d->confidence = confidence;
	if (set_str(&d->vendor, vendor) || set_str(&d->type, type) ||
	    set_str(&d->model, model))
		return VT_ENOMEM;
	return VT_OK;
}

int vt_imp_hosts_mark(vt_imp_hosts *h, const vt_imp_obs *o)
{
	int err = VT_OK;
	vt_devrec *d = host(h, o, NULL, &err);
	if (!d)
		return 0;
	size_t i = (size_t)(d - h->recs);
	int was = h->marked[i];
	h->marked[i] = 1;
	return was;
}
