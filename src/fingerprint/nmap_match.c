/*
 * Matching a response against nmap-service-probes with Nmap's semantics
 * (NMAP-SERVICE-PROBES.md; service_scan.cc servicescan_read_handler): the
 * response goes down the probe's fallback chain (itself, its fallbacks,
 * NULL for TCP) and the first line that matches in the first probe with
 * one decides: a hard match ends the search; a softmatch is kept if it is
 * the first and the search goes on with the next probe of the ladder.
 * With the probe unknown, the response is tried as the answer of each
 * probe of the port's ladder in turn; a probe's lines are run once per
 * response however many chains lead to them.
 *
 * Fast mode: the prefilter marks candidate lines in one scan and only
 * they are run (JIT, interpreter-confirmed), still in the same order, so
 * the answer equals sequential mode's, where each regex runs in turn
 * with the interpreter as Nmap does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp_int.h"
#include "vantage/error.h"

/* Ladders already built, by (proto, port, in_tls, intensity): building
 * one walks every probe's port list, which costs more than a scan. */
#define LADDER_CACHE 16

typedef struct ladder_slot {
	int proto, in_tls, intensity, used;
	unsigned port;
	uint64_t last;     /* use stamp, for replacing the oldest */
	vt_ladder l;
} ladder_slot;

struct vt_probes_ctx {
	vt_rx_ctx rx;
	ladder_slot ladders[LADDER_CACHE];
	uint64_t ladder_clock;
	uint32_t *visited; /* per probe: stamp of the last response */
	long *outcome;     /* per probe: its first matching line, or -1 */
	uint32_t stamp;
	int hs_ready;      /* scratch allocated for the prefilter */
};

typedef struct run {
	const vt_probes *p;
	vt_probes_ctx *c;
	const uint8_t *buf;
	size_t len;
	int fast;
	vt_nmap_result *res;
} run;

int vt_probes_prefilter(vt_probes *p, const char *cache_dir, char *errbuf)
{
	if (!p->set)
		return VT_OK;
	char *dflt = cache_dir ? NULL : vt_fp_cache_dir();
	int rc = vt_rset_build(p->set, cache_dir ? cache_dir : dflt, errbuf,
			       VT_ERRBUF_LEN);
	free(dflt);
	p->prefiltered = rc == VT_OK && vt_rset_has_prefilter(p->set);
	return rc;
}

vt_probes_ctx *vt_probes_ctx_new(const vt_probes *p)
{
	vt_probes_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->visited = calloc(p->n_probes + 1, sizeof(*c->visited));
	c->outcome = calloc(p->n_probes + 1, sizeof(*c->outcome));
	if (!c->visited || !c->outcome || vt_rx_ctx_init(&c->rx) != VT_OK ||
	    vt_rx_ctx_bits(&c->rx, p->n_m) != VT_OK) {
		vt_probes_ctx_free(c);
		return NULL;
	}
	return c;
}

void vt_probes_ctx_free(vt_probes_ctx *c)
{
	if (!c)
		return;
	vt_rx_ctx_cleanup(&c->rx);
	free(c->visited);
	free(c->outcome);
	free(c);
}

uint64_t vt_probes_ctx_errors(const vt_probes_ctx *c) { return c->rx.errors; }

static void field(run *r, const vt_pmatch *m, int f, char *out, size_t max)
{
	out[0] = '\0';
	if (m->tmpl[f] && vt_subst(m->tmpl[f], r->buf, r->c->rx.md,
				   r->c->rx.last_rc, out, max, 0))
		out[0] = '\0';
}

/* Copies line i's service and substituted fields into the result. */
static void fill(run *r, size_t i, int kind)
{
	const vt_pmatch *m = &r->p->m[i];
	vt_nmap_result *res = r->res;
	memset(res, 0, sizeof(*res));
	res->matched = kind;
	res->line = m->line;
	res->probe = m->probe;
	snprintf(res->service, sizeof(res->service), "%s", m->service);
	field(r, m, VT_F_P, res->product, VT_NMAP_PRODUCT_MAX);
	field(r, m, VT_F_V, res->version, VT_NMAP_VERSION_MAX);
	field(r, m, VT_F_I, res->info, VT_NMAP_INFO_MAX);
	field(r, m, VT_F_H, res->hostname, VT_NMAP_HOSTNAME_MAX);
	field(r, m, VT_F_O, res->os, VT_NMAP_OS_MAX);
	field(r, m, VT_F_D, res->devicetype, VT_NMAP_DEVTYPE_MAX);
	for (int k = 0; k < m->n_cpe && res->n_cpe < VT_NMAP_MAX_CPES; k++) {
		char v[VT_NMAP_CPE_MAX + 1];
		if (vt_subst(m->cpe[k], r->buf, r->c->rx.md, r->c->rx.last_rc,
			     v, VT_NMAP_CPE_MAX, 1) || !v[0])
			continue;
		memcpy(res->cpe[res->n_cpe], "cpe:/", 5);
		memcpy(res->cpe[res->n_cpe] + 5, v, strlen(v) + 1);
		res->n_cpe++;
	}
}

/* The first line of [first, end) that matches, or -1. */
static long first_hit(run *r, size_t first, size_t end)
{
	for (size_t i = vt_rset_next(&r->c->rx, first, end); i < end;
	     i = vt_rset_next(&r->c->rx, i + 1, end))
		if (vt_rset_test(r->p->set, &r->c->rx, i, r->buf, r->len, r->fast))
			return (long)i;
	return -1;
}

/*
 * Nmap's ServiceProbe::testMatch for one probe's lines: the first line
 * that matches, hard or soft. Each probe's lines are run once per
 * response; a later chain that reaches them reuses the outcome. A soft
 * line is recorded when it is the first softmatch (and filled then, while
 * the match data is its own). Returns -1 none, 0 soft, 1 hard.
 */
static int test_probe_lines(run *r, int probe)
{
	vt_probes_ctx *c = r->c;
	long hit;
	if (probe < 0)
		return -1;
	if (c->visited[probe] == c->stamp) {
		hit = c->outcome[probe];
	} else {
		const vt_probe *pr = &r->p->probes[probe];
		hit = first_hit(r, pr->m_first, pr->m_end);
		c->visited[probe] = c->stamp;
		c->outcome[probe] = hit;
		if (hit >= 0 && (!r->p->m[hit].soft || !r->res->matched))
			fill(r, (size_t)hit, r->p->m[hit].soft ? 2 : 1);
	}
	return hit < 0 ? -1 : !r->p->m[hit].soft;
}

/* The response as the answer to probe: its fallback chain (itself, the
 * listed fallbacks, and NULL for TCP) up to the first probe whose lines
 * match. 1 on a hard match. */
static int try_probe(run *r, int probe)
{
	const vt_probe *pr = &r->p->probes[probe];
	int o = test_probe_lines(r, probe);
	for (int k = 0; o < 0 && k < pr->n_fallback; k++)
		o = test_probe_lines(r, pr->fallback[k]);
	if (o < 0 && pr->info.proto == VT_PROTO_TCP)
		o = test_probe_lines(r, r->p->null_probe);
	return o == 1;
}

/* l = the fresh ladder for q, from the cache when it was built before. */
static void get_ladder(const vt_probes *p, vt_probes_ctx *c,
		       const vt_nmap_query *q, vt_ladder *l)
{
	ladder_slot *old = &c->ladders[0];
	int tls = q->in_tls != 0;
	c->ladder_clock++;
	for (size_t i = 0; i < LADDER_CACHE; i++) {
		ladder_slot *s = &c->ladders[i];
		if (s->used && s->proto == q->proto && s->port == q->port &&
		    s->in_tls == tls && s->intensity == q->intensity) {
			s->last = c->ladder_clock;
			*l = s->l;
			return;
		}
		if (s->last < old->last)
			old = s;
	}
	vt_ladder_init(&old->l, p, q->proto, q->port, tls, q->intensity);
	old->proto = q->proto;
	old->port = q->port;
	old->in_tls = tls;
	old->intensity = q->intensity;
	old->used = 1;
	old->last = c->ladder_clock;
	*l = old->l;
}

static void next_stamp(vt_probes_ctx *c, size_t n_probes)
{
	if (++c->stamp == 0) {
		memset(c->visited, 0, (n_probes + 1) * sizeof(*c->visited));
		c->stamp = 1;
	}
}

int vt_probes_match(const vt_probes *p, vt_probes_ctx *c,
		    const vt_nmap_query *q, const uint8_t *buf, size_t len,
		    vt_nmap_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!p->set || !len)
		return VT_OK;
	if (len > VT_PROBES_MAX_BUF)
		len = VT_PROBES_MAX_BUF;
	int pf = !q->sequential && p->prefiltered;
	run r = {p, c, buf, len, !q->sequential, res};
	int probe = -1;
	if (q->probe && (probe = vt_probes_find(p, q->proto, q->probe)) < 0)
		return VT_EINVAL;
	if (pf && !c->hs_ready) {
		if (vt_rset_ctx_prepare(p->set, &c->rx) != VT_OK)
			return VT_ENOMEM;
		c->hs_ready = 1;
	}
	vt_rset_scan(p->set, &c->rx, buf, len, !pf);
	next_stamp(c, p->n_probes);
	if (probe >= 0) {
		try_probe(&r, probe);
		return VT_OK;
	}
	vt_ladder l;
	get_ladder(p, c, q, &l);
	for (int i; (i = vt_ladder_next(&l)) >= 0;) {
		if (try_probe(&r, i))
			break;
		vt_ladder_result(&l, res);
	}
	return VT_OK;
}
