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
#include <string.h>

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

int vt_probes_can_name(const vt_probes *p, int probe, const char *service)
{
	if (probe < 0 || (size_t)probe >= p->n_probes)
		return 0;
	const vt_probe *pr = &p->probes[probe];
	for (size_t i = pr->m_first; i < pr->m_end; i++)
		if (!strcmp(p->m[i].service, service))
			return 1;
	return 0;
}

int vt_ladder_next(vt_ladder *l)
{
	while (!l->done && l->at < l->n) {
		size_t at = l->at++;
		int i = l->order[at];
		if (l->soft_service[0] && at >= l->n_listed &&
		    !vt_probes_can_name(l->p, i, l->soft_service))
			continue;
		return i;
	}
	return -1;
}

void vt_ladder_result(vt_ladder *l, const vt_nmap_result *r)
{
	if (r->matched == 1)
		l->done = 1;
	else if (r->matched == 2 && !l->soft_service[0])
		snprintf(l->soft_service, sizeof(l->soft_service), "%s", r->service);
}
