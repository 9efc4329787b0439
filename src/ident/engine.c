/*
 * The identification engine (see include/vantage/ident.h). Each rule that
 * matches one of the device's signals proposes values for some fields with
 * a weight; proposals of the same value combine as independent evidence
 * (noisy-OR: 1 - prod(1 - w)); per field the best value wins and a
 * disagreeing runner-up costs it half its own score. The OUI proposes the
 * vendor (weight 0.3, 0.1 for module makers); the gateway role proposes
 * `router`. confidence = (vendor score + type score) / 2.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident/rules_int.h"
#include "vantage/error.h"
#include "vantage/signal.h"

#define MAX_CANDS 32
#define W_OUI 0.3
#define W_OUI_MODULE 0.1
#define W_GATEWAY 0.6

typedef struct cand {
	uint8_t field;
	char value[96];
	double miss; /* prod(1 - w) of its proposals */
} cand;

#define MAX_FIRED 64

typedef struct ctx {
	const vt_rules *r;
	vt_devrec *d;
	cand c[MAX_CANDS];
	size_t n;
	const rule *fired[MAX_FIRED]; /* rules that proposed already */
	size_t n_fired;
} ctx;

static void propose(ctx *x, int field, const char *value, double w)
{
	if (!value[0])
		return;
	for (size_t i = 0; i < x->n; i++) {
		if (x->c[i].field == field && !strcasecmp(x->c[i].value, value)) {
			x->c[i].miss *= 1 - w;
			return;
		}
	}
	if (x->n >= MAX_CANDS)
		return;
	cand *c = &x->c[x->n++];
	c->field = (uint8_t)field;
	snprintf(c->value, sizeof(c->value), "%s", value);
	c->miss = 1 - w;
}

static int ieq(uint8_t a, uint8_t b) { return tolower(a) == tolower(b); }

static int bytes_ieq(const uint8_t *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!ieq(a[i], (uint8_t)b[i]))
			return 0;
	return 1;
}

static int contains(const uint8_t *v, size_t len, const char *p, size_t pl)
{
	for (size_t i = 0; i + pl <= len; i++)
		if (bytes_ieq(v + i, p, pl))
			return 1;
	return 0;
}

/* Does rule u match value v? Regex groups land in r->md. */
static int matches(const vt_rules *r, const rule *u, const uint8_t *v,
		   size_t len)
{
	switch (u->op) {
	case OP_IS: return len == u->plen && bytes_ieq(v, u->pattern, len);
	case OP_PREFIX: return len >= u->plen && bytes_ieq(v, u->pattern, u->plen);
	case OP_SUFFIX:
		return len >= u->plen &&
		       bytes_ieq(v + len - u->plen, u->pattern, u->plen);
	case OP_CONTAINS: return contains(v, len, u->pattern, u->plen);
	}
	return pcre2_match(u->re, v, len, 0, 0, r->md, r->mctx) >= 0;
}

/* Expands $1-$9 from the last regex match; 0 if a group is unset. */
static int expand(const vt_rules *r, const rule *u, const char *tpl,
		  const uint8_t *v, char *out, size_t cap)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	uint32_t pairs = pcre2_get_ovector_count(r->md);
	size_t o = 0;
	for (const char *p = tpl; *p && o + 1 < cap; p++) {
		if (p[0] != '$' || p[1] < '1' || p[1] > '9' || u->op != OP_REGEX) {
			out[o++] = *p;
			continue;
		}
		uint32_t g = (uint32_t)(*++p - '0');
		if (g >= pairs || ov[2 * g] == PCRE2_UNSET)
			return 0;
		for (PCRE2_SIZE k = ov[2 * g]; k < ov[2 * g + 1] && o + 1 < cap; k++)
			out[o++] = isprint(v[k]) ? (char)v[k] : '?';
	}
	out[o] = '\0';
	return 1;
}

/* A rule (a line, whichever of its signals matched) proposes once per
 * device: ten names under one cloud domain are one piece of evidence. */
static int first_firing(ctx *x, const rule *u)
{
	for (size_t i = 0; i < x->n_fired; i++)
		if (x->fired[i]->file == u->file && x->fired[i]->line == u->line)
			return 0;
	if (x->n_fired < MAX_FIRED)
		x->fired[x->n_fired++] = u;
	return 1;
}

static void fire(ctx *x, const rule *u, const vt_signal *s)
{
	char val[96], loc[300];
	int propose_now = first_firing(x, u);
	for (int i = 0; propose_now && i < u->n_as; i++) {
		if (!expand(x->r, u, u->as[i].value, s->value, val, sizeof(val)))
			continue;
		if (u->as[i].field == F_VENDOR) {
			char *b = vt_vendor_normalize(x->r, val, NULL);
			if (b) {
				snprintf(val, sizeof(val), "%s", b);
				free(b);
			}
		}
		propose(x, u->as[i].field, val, u->weight);
	}
	snprintf(loc, sizeof(loc), "%s:%u", x->r->files[u->file], u->line);
	vt_devrec_add_evidence(x->d, s->name, (const char *)s->value, loc);
}

static void apply_rules(ctx *x)
{
	const vt_rules *r = x->r;
	for (size_t i = 0; r && i < x->d->n_signals; i++) {
		const vt_signal *s = &x->d->signals[i];
		for (size_t h = 0; h < r->n_heads; h++) {
			if (strcmp(r->heads[h].name, s->name))
				continue;
			for (uint32_t k = r->heads[h].first; k; k = r->rules[k - 1].next)
				if (matches(r, &r->rules[k - 1], s->value, s->len))
					fire(x, &r->rules[k - 1], s);
			break;
		}
	}
}

/* Adds the OUI as a signal (kept in the store) and a vendor proposal. */
static int apply_oui(ctx *x, const vt_oui *oui)
{
	vt_devrec *d = x->d;
	const char *reg = NULL, *org;
	if (!d->has_mac)
		return VT_OK;
	if (d->randomized)
		return vt_devrec_add_evidence(d, "mac", "locally administered",
					      "ieee802:U/L bit");
	if (!oui || !(org = vt_oui_lookup(oui, d->mac, &reg)))
		return VT_OK;
	int module = 0;
	char *brand = vt_vendor_normalize(x->r, org, &module);
	if (!brand)
		return VT_ENOMEM;
	propose(x, F_VENDOR, brand, module ? W_OUI_MODULE : W_OUI);
	free(brand);
	char rule_name[48];
	snprintf(rule_name, sizeof(rule_name), "%s:%s",
		 strncmp(reg, "MA-", 2) && strcmp(reg, "IAB") ? "registry" : "ieee-data",
		 reg);
	vt_devrec_add_evidence(d, "oui", org, rule_name);
	return vt_devrec_add_signal(d, "oui", (const uint8_t *)org, strlen(org),
				    d->first_us);
}

/* The winner of a field: its score less half the runner-up's. */
static const cand *winner(const ctx *x, int field, double *score)
{
	const cand *best = NULL;
	double b1 = 0, b2 = 0;
	for (size_t i = 0; i < x->n; i++) {
		double s = 1 - x->c[i].miss;
		if (x->c[i].field != field)
			continue;
		if (!best || s > b1) {
			b2 = b1;
			b1 = s;
			best = &x->c[i];
		} else if (s > b2) {
			b2 = s;
		}
	}
	*score = best ? b1 - b2 / 2 : 0;
	return best;
}

static int set_field(char **dst, const cand *c)
{
	free(*dst);
	*dst = c ? strdup(c->value) : NULL;
	return c && !*dst ? VT_ENOMEM : VT_OK;
}

int vt_identify(const vt_rules *r, const vt_oui *oui, vt_devrec *d)
{
	ctx x = {.r = r, .d = d, .n = 0};
	double sv, st, s;
	int e = apply_oui(&x, oui);
	apply_rules(&x);
	if (d->gateway) {
		propose(&x, F_TYPE, "router", W_GATEWAY);
		vt_devrec_add_evidence(d, "gateway", "external hosts reached through it",
				       "passive:gateway");
	}
	const cand *v = winner(&x, F_VENDOR, &sv), *t = winner(&x, F_TYPE, &st);
	e = e ? e : set_field(&d->vendor, v);
	e = e ? e : set_field(&d->type, t);
	e = e ? e : set_field(&d->model, winner(&x, F_MODEL, &s));
	e = e ? e : set_field(&d->os, winner(&x, F_OS, &s));
	if (!e && !d->type)
		e = (d->type = strdup("unknown")) ? VT_OK : VT_ENOMEM;
	d->confidence = ((v ? sv : 0) + (t ? st : 0)) / 2;
	vt_devrec_sort_evidence(d);
	return e;
}
