/*
 * One answer from several sources (match.h states the precedence): each
 * source's result becomes a candidate answer with a rank (ours, Nmap
 * hard, Recog by preference, Nmap soft); the best ranked gives the
 * fields and the rule, the others fill what it left empty unless they
 * name another service, and every matching rule is listed. The raw
 * device type goes through the crosswalk to the taxonomy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"

static void cpy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

#define CPY(dst, src) cpy((dst), sizeof(dst), (src))

static void add_cpe(vt_answer *a, const char *cpe)
{
	if (!cpe || !*cpe || strchr(cpe, '{'))
		return; /* an uninterpolated Recog template */
	for (int i = 0; i < a->n_cpe; i++)
		if (!strcmp(a->cpe[i], cpe))
			return;
	if (a->n_cpe < VT_ANSWER_MAX_CPES)
		CPY(a->cpe[a->n_cpe++], cpe);
}

/* "cpe:/h:vendor:..." -> vendor, for part 'h' (or 'o'). */
static void cpe_vendor(const vt_nmap_result *r, char part, char *out,
		       size_t cap)
{
	for (int i = 0; i < r->n_cpe; i++) {
		const char *c = r->cpe[i];
		if (strncmp(c, "cpe:/", 5) || c[5] != part || c[6] != ':')
			continue;
		const char *v = c + 7, *e = strchr(v, ':');
		size_t n = e ? (size_t)(e - v) : strlen(v);
		if (n >= cap)
			n = cap - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return;
	}
}

void vt_cand_from_nmap(vt_cand *c, const vt_nmap_result *r,
		       const vt_xwalk *xw)
{
	vt_answer *a = &c->a;
	memset(c, 0, sizeof(*c));
	c->rank = r->matched == 1 ? VT_RANK_NMAP : VT_RANK_SOFT;
	c->conf = r->matched == 1 ? 0.8 : 0.3;
	a->soft = r->matched == 2;
	CPY(a->service, r->service);
	CPY(a->product, r->product);
	CPY(a->version, r->version);
	CPY(a->info, r->info);
	CPY(a->hostname, r->hostname);
	CPY(a->os, r->os);
	CPY(a->devicetype, r->devicetype);
	for (int i = 0; i < r->n_cpe; i++)
		add_cpe(a, r->cpe[i]);
	cpe_vendor(r, 'h', a->vendor, sizeof(a->vendor));
	if (!a->vendor[0] && a->devicetype[0])
		cpe_vendor(r, 'o', a->vendor, sizeof(a->vendor));
	/* A softmatch only names the service: its other fields are dropped
	 * from our answer (Nmap prints them). Nmap's softmatch "HP LaserJet
	 * telnetd" d/printer takes any telnetd that opens with WILL ECHO,
	 * WILL SGA, BusyBox's included, and would make every such device a
	 * printer. */
	if (a->soft) {
		char svc[sizeof(a->service)];
		memcpy(svc, a->service, sizeof(svc));
		memset(a, 0, sizeof(*a));
		memcpy(a->service, svc, sizeof(svc));
		a->soft = 1;
	}
	a->type = vt_xwalk_type(xw, "nmap", a->devicetype);
	snprintf(a->rule, sizeof(a->rule), "nmap-service-probes:%d", r->line);
}

static const char *get(const vt_recog_result *r, const char *k)
{
	const char *v = vt_recog_value(r, k);
	return v && *v ? v : NULL;
}

/* Recog's "assert nothing" fingerprints (bare login prompts) carry
 * certainties of 0: they identify nothing. */
static int asserts_nothing(const vt_recog_result *r)
{
	const char *s = vt_recog_value(r, "service.certainty");
	const char *h = vt_recog_value(r, "hw.certainty");
	return s && h && atof(s) == 0 && atof(h) == 0;
}

int vt_cand_from_recog(vt_cand *c, const vt_recog_db *db,
		       const vt_recog_result *r, int ours, int order,
		       const vt_xwalk *xw)
{
	vt_answer *a = &c->a;
	const char *proto = vt_recog_protocol(db);
	if (r->fp < 0 || asserts_nothing(r))
		return -1;
	memset(c, 0, sizeof(*c));
	c->rank = ours ? VT_RANK_OURS : VT_RANK_RECOG;
	double pref = vt_recog_preference(db);
	c->conf = pref >= 0 ? pref : ours ? 0.9 : 0.5;
	c->order = order;
	if (get(r, "service.name"))
		CPY(a->service, get(r, "service.name"));
	else if (proto && strcmp(proto, "x509") && strcmp(proto, "tls"))
		CPY(a->service, proto);
	CPY(a->product, get(r, "service.product"));
	CPY(a->version, get(r, "service.version"));
	CPY(a->info, get(r, "service.info"));
	CPY(a->hostname, get(r, "host.name"));
	CPY(a->os, get(r, "os.product") ? get(r, "os.product")
					: get(r, "os.family"));
	const char *dev = get(r, "hw.device") ? get(r, "hw.device")
					      : get(r, "os.device");
	CPY(a->devicetype, dev);
	if (get(r, "hw.vendor"))
		CPY(a->vendor, get(r, "hw.vendor"));
	else if (dev && get(r, "os.vendor"))
		CPY(a->vendor, get(r, "os.vendor"));
	CPY(a->model, get(r, "hw.product"));
	add_cpe(a, get(r, "hw.cpe23"));
	add_cpe(a, get(r, "os.cpe23"));
	add_cpe(a, get(r, "service.cpe23"));
	a->type = get(r, "vantage.type") ? vt_xwalk_canon(get(r, "vantage.type"))
					 : vt_xwalk_type(xw, "recog", dev);
	snprintf(a->rule, sizeof(a->rule), "%s:%d", vt_recog_label(db), r->line);
	return 0;
}

static int cmp(const void *x, const void *y)
{
	const vt_cand *a = *(const vt_cand *const *)x, *b = *(const vt_cand *const *)y;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (a->rank != VT_RANK_NMAP && a->rank != VT_RANK_SOFT && a->conf != b->conf)
		return a->conf > b->conf ? -1 : 1;
	return a->order - b->order;
}

static void fill(char *dst, size_t cap, const char *src)
{
	if (!dst[0] && src[0])
		cpy(dst, cap, src);
}

#define FILL(f) fill(a->f, sizeof(a->f), o->f)

static void merge_one(vt_answer *a, const vt_answer *o)
{
	FILL(service);
	FILL(product);
	FILL(version);
	FILL(info);
	FILL(hostname);
	FILL(os);
	if (!a->devicetype[0] && o->devicetype[0]) {
		CPY(a->devicetype, o->devicetype);
		if (!strcmp(a->type, "unknown"))
			a->type = o->type;
	}
	if (!strcmp(a->type, "unknown"))
		a->type = o->type;
	FILL(vendor);
	FILL(model);
	for (int i = 0; i < o->n_cpe; i++)
		add_cpe(a, o->cpe[i]);
}

void vt_answer_merge(vt_cand *c, size_t n, vt_answer *a)
{
	const vt_cand *by[64];
	if (!n) {
		memset(a, 0, sizeof(*a));
		a->type = "unknown";
		return;
	}
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++)
		by[i] = &c[i];
	qsort(by, n, sizeof(by[0]), cmp); /* pointers: candidates are big */
	*a = by[0]->a;
	a->n_rules = 0;
	double conf = by[0]->conf;
	CPY(a->rules[a->n_rules++], by[0]->a.rule);
	for (size_t i = 1; i < n; i++) {
		const vt_answer *o = &by[i]->a;
		if (a->n_rules < VT_ANSWER_MAX_RULES)
			CPY(a->rules[a->n_rules++], o->rule);
		if (o->service[0] && a->service[0] &&
		    strcmp(o->service, a->service))
			continue; /* names another service: no fill */
		merge_one(a, o);
		if (o->service[0] || o->vendor[0])
			conf += 0.05;
	}
	a->confidence = conf > 1 ? 1 : conf;
}
