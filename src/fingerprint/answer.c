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

/* snprintf(dst, cap, "%s:%d", label, line), without printf's cost. */
static void rule_name(char *dst, size_t cap, const char *label, int line)
{
	char buf[32];
	size_t i = sizeof(buf);
	unsigned v = line < 0 ? 0u - (unsigned)line : (unsigned)line;
	do
		buf[--i] = (char)('0' + v % 10);
	while (v /= 10);
	if (line < 0)
		buf[--i] = '-';
	buf[--i] = ':';
	size_t ll = strlen(label), nl = sizeof(buf) - i;
	if (ll >= cap)
		ll = cap - 1;
	memcpy(dst, label, ll);
	if (nl > cap - 1 - ll)
		nl = cap - 1 - ll;
	memcpy(dst + ll, buf + i, nl);
	dst[ll + nl] = '\0';
}

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
	rule_name(a->rule, sizeof(a->rule), "nmap-service-probes", r->line);
}

/* The params an answer reads, found in one pass over the result. */
enum {
	K_SVC_NAME, K_SVC_PRODUCT, K_SVC_VERSION, K_SVC_INFO, K_SVC_CPE,
	K_SVC_CERT, K_HW_DEVICE, K_HW_VENDOR, K_HW_PRODUCT, K_HW_CPE,
	K_HW_CERT, K_OS_PRODUCT, K_OS_FAMILY, K_OS_DEVICE, K_OS_VENDOR,
	K_OS_CPE, K_HOST_NAME, K_VT_TYPE, K_N
};

static int slot(const char *name)
{
	static const struct {
		const char *prefix;
		size_t plen;
		int first, end;
	} group[] = {
		{"service.", 8, K_SVC_NAME, K_HW_DEVICE},
		{"hw.", 3, K_HW_DEVICE, K_OS_PRODUCT},
		{"os.", 3, K_OS_PRODUCT, K_HOST_NAME},
		{"", 0, K_HOST_NAME, K_N},
	};
	static const char *const rest[K_N] = {
		"name", "product", "version", "info", "cpe23", "certainty",
		"device", "vendor", "product", "cpe23", "certainty",
		"product", "family", "device", "vendor", "cpe23",
		"host.name", "vantage.type",
	};
	for (size_t g = 0; g < sizeof(group) / sizeof(group[0]); g++) {
		if (strncmp(name, group[g].prefix, group[g].plen))
			continue;
		const char *r = name + group[g].plen;
		for (int k = group[g].first; k < group[g].end; k++)
			if (!strcmp(r, rest[k]))
				return k;
		return -1;
	}
	return -1;
}

typedef struct params {
	const char *raw[K_N];  /* as the result has them, or NULL */
} params;

static void index_params(const vt_recog_result *r, params *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < r->n; i++) {
		int k = slot(r->kv[i].name);
		if (k >= 0 && !p->raw[k])
			p->raw[k] = r->kv[i].value;
	}
}

/* A param's value, NULL when absent or empty. */
static const char *get(const params *p, int k)
{
	return p->raw[k] && *p->raw[k] ? p->raw[k] : NULL;
}

/* Recog's "assert nothing" fingerprints (bare login prompts) carry
 * certainties of 0: they identify nothing. */
static int asserts_nothing(const params *p)
{
	const char *s = p->raw[K_SVC_CERT], *h = p->raw[K_HW_CERT];
	return s && h && atof(s) == 0 && atof(h) == 0;
}

int vt_cand_from_recog(vt_cand *c, const vt_recog_db *db,
		       const vt_recog_result *r, int ours, int order,
		       const vt_xwalk *xw)
{
	vt_answer *a = &c->a;
	const char *proto = vt_recog_protocol(db);
	params p;
	if (r->fp < 0)
		return -1;
	index_params(r, &p);
	if (asserts_nothing(&p))
		return -1;
	memset(c, 0, sizeof(*c));
	c->rank = ours ? VT_RANK_OURS : VT_RANK_RECOG;
	double pref = vt_recog_preference(db);
	c->conf = pref >= 0 ? pref : ours ? 0.9 : 0.5;
	c->order = order;
	if (get(&p, K_SVC_NAME))
		CPY(a->service, get(&p, K_SVC_NAME));
	else if (proto && strcmp(proto, "x509") && strcmp(proto, "tls"))
		CPY(a->service, proto);
	CPY(a->product, get(&p, K_SVC_PRODUCT));
	CPY(a->version, get(&p, K_SVC_VERSION));
	CPY(a->info, get(&p, K_SVC_INFO));
	CPY(a->hostname, get(&p, K_HOST_NAME));
	CPY(a->os, get(&p, K_OS_PRODUCT) ? get(&p, K_OS_PRODUCT)
					 : get(&p, K_OS_FAMILY));
	const char *dev = get(&p, K_HW_DEVICE) ? get(&p, K_HW_DEVICE)
					       : get(&p, K_OS_DEVICE);
	CPY(a->devicetype, dev);
	if (get(&p, K_HW_VENDOR))
		CPY(a->vendor, get(&p, K_HW_VENDOR));
	else if (dev && get(&p, K_OS_VENDOR))
		CPY(a->vendor, get(&p, K_OS_VENDOR));
	CPY(a->model, get(&p, K_HW_PRODUCT));
	add_cpe(a, get(&p, K_HW_CPE));
	add_cpe(a, get(&p, K_OS_CPE));
	add_cpe(a, get(&p, K_SVC_CPE));
	a->type = get(&p, K_VT_TYPE) ? vt_xwalk_canon(get(&p, K_VT_TYPE))
				     : vt_xwalk_type(xw, "recog", dev);
	rule_name(a->rule, sizeof(a->rule), vt_recog_label(db), r->line);
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
