/*
 * The probe ladder: the order in which Nmap's version scan sends probes
 * to one port (NMAP-SERVICE-PROBES.md, "Matching order"). TCP starts with
 * the NULL probe; then every probe of the port's protocol whose ports
 * (sslports inside TLS) list the port, in file order, whatever its
 * rarity; then the rest in file order with rarity <= intensity. After a
 * softmatch only those of the rest with a line for the softmatched
 * service are sent (Nmap's nextProbe and serviceIsPossible: the filter
 * does not apply to the port's own probes); a hard match ends the port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"

#include "fp_int.h"

static int listed(const vt_probe *pr, unsigned port, int in_tls)
{
	return in_tls ? vt_portlist_has(pr->sslports, pr->n_sslports, port)
		      : vt_portlist_has(pr->ports, pr->n_ports, port);
}

void vt_ladder_init(vt_ladder *l, const vt_probes *p, int proto,
		    unsigned port, int in_tls, int intensity)
{
	uint8_t used[VT_LADDER_MAX] = {0};
	memset(l, 0, sizeof(*l));
	l->p = p;
	if (intensity <= 0 || intensity > 9)
		intensity = VT_PROBES_DEFAULT_INTENSITY;
	size_t n = p->n_probes < VT_LADDER_MAX ? p->n_probes : VT_LADDER_MAX;
	if (proto == VT_PROTO_TCP && p->null_probe >= 0 &&
	    (size_t)p->null_probe < n) {
		l->order[l->n++] = p->null_probe;
		used[p->null_probe] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		const vt_probe *pr = &p->probes[i];
		if (!used[i] && pr->info.proto == proto && listed(pr, port, in_tls)) {
			l->order[l->n++] = (int)i;
			used[i] = 1;
		}
	}
	l->n_listed = l->n;
	for (size_t i = 0; i < n; i++) {
		const vt_probe *pr = &p->probes[i];
		if (!used[i] && pr->info.proto == proto &&
		    pr->info.rarity <= intensity) {
			l->order[l->n++] = (int)i;
			used[i] = 1;
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vt_probes_service_id(const vt_probes *p, const char *service)
{
	char *const *hit = p->n_svc ? bsearch(&service, p->svc, p->n_svc,
					      sizeof(*p->svc), cmp_str)
				    : NULL;
	return hit ? (int)(hit - p->svc) : -1;
}

/* Sorted distinct names (borrowed from the lines), ids per line, and a
 * bit set of ids per probe, so the ladder's filter is one bit test. */
int vt_probes_index_services(vt_probes *p)
{
	if (!(p->svc = malloc((p->n_m + 1) * sizeof(*p->svc))) ||
	    !(p->m_svc = malloc((p->n_m + 1) * sizeof(*p->m_svc))))
		return VT_ENOMEM;
	for (size_t i = 0; i < p->n_m; i++)
		p->svc[i] = p->m[i].service;
	qsort(p->svc, p->n_m, sizeof(*p->svc), cmp_str);
	for (size_t i = 0; i < p->n_m; i++)
		if (!p->n_svc || strcmp(p->svc[p->n_svc - 1], p->svc[i]))
			p->svc[p->n_svc++] = p->svc[i];
	size_t words = p->n_svc / 64 + 1;
	for (size_t i = 0; i < p->n_m; i++)
		p->m_svc[i] = vt_probes_service_id(p, p->m[i].service);
	for (size_t k = 0; k < p->n_probes; k++) {
		vt_probe *pr = &p->probes[k];
		if (!(pr->svc_bits = calloc(words, sizeof(uint64_t))))
			return VT_ENOMEM;
		for (size_t i = pr->m_first; i < pr->m_end; i++)
			pr->svc_bits[p->m_svc[i] / 64] |= 1ull << (p->m_svc[i] % 64);
	}
	return VT_OK;
}

static int can_name_id(const vt_probes *p, int probe, int id)
{
	const vt_probe *pr = &p->probes[probe];
	return id >= 0 && pr->svc_bits &&
	       (pr->svc_bits[id / 64] >> (id % 64) & 1);
}

int vt_probes_can_name(const vt_probes *p, int probe, const char *service)
{
	if (probe < 0 || (size_t)probe >= p->n_probes)
		return 0;
	return can_name_id(p, probe, vt_probes_service_id(p, service));
}

int vt_ladder_next(vt_ladder *l)
{
	while (!l->done && l->at < l->n) {
		size_t at = l->at++;
		int i = l->order[at];
		if (l->soft_service[0] && at >= l->n_listed &&
		    !can_name_id(l->p, i, l->soft_id))
			continue;
		return i;
	}
	return -1;
}

void vt_ladder_result(vt_ladder *l, const vt_nmap_result *r)
{
	if (r->matched == 1)
		l->done = 1;
	else if (r->matched == 2 && !l->soft_service[0]) {
		snprintf(l->soft_service, sizeof(l->soft_service), "%s", r->service);
		l->soft_id = vt_probes_service_id(l->p, l->soft_service);
	}
}
