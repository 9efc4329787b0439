/*
 * The telescope engine: takes decoded frames, classifies them, keeps only
 * packets addressed to the telescope (the --prefix list, when given), and
 * feeds the source, event, victim and window state. Every packet handed
 * in is either counted or counted as skipped (not IPv4, outside):
 * packets = counted + not_ipv4 + outside.
 */
#include <stdlib.h>
#include <string.h>

#include "telescope/tel_int.h"
#include "vantage/error.h"

static void defaults(vt_tel_cfg *c)
{
	if (!c->window_s)
		c->window_s = 3600;
	if (!c->mirai_k)
		c->mirai_k = 1;
	if (!c->max_sources)
		c->max_sources = 1u << 20;
	if (!c->max_events)
		c->max_events = 2u << 20;
	if (!c->max_victims)
		c->max_victims = 1u << 18;
	if (!c->max_windows)
		c->max_windows = 100000;
}

vt_tel *vt_tel_new(const vt_tel_cfg *cfg, const vt_tel_sinks *sinks)
{
	vt_tel *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	defaults(&t->cfg);
	if (sinks)
		t->sinks = *sinks;
	for (size_t i = 0; i < t->cfg.n_prefixes; i++)
		t->size += vt_cidr_size4(&t->cfg.prefixes[i]);
	for (int d = 0; d < 2; d++) {
		t->win[d].len_s = d ? 86400 : t->cfg.window_s;
		t->win[d].max = t->cfg.max_windows;
		t->win[d].dropped = &t->st.windows_dropped;
	}
	if (tab_init(&t->src, sizeof(tel_src), t->cfg.max_sources) ||
	    tab_init(&t->ev, sizeof(tel_ev), t->cfg.max_events) ||
	    tab_init(&t->vic, sizeof(vt_tel_victim), t->cfg.max_victims)) {
		vt_tel_free(t);
		return NULL;
	}
	return t;
}

void vt_tel_free(vt_tel *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->src.used && !t->finished; i++)
		if (tab_find(&t->src, t->src.key[i]) == (int64_t)i)
			src_cleanup(tab_at(&t->src, (uint32_t)i));
	for (size_t i = 0; i < t->ev.used; i++) {
		if (tab_find(&t->ev, t->ev.key[i]) != (int64_t)i)
			continue;
		tel_ev *v = tab_at(&t->ev, (uint32_t)i);
		vt_tel_distinct_cleanup(&v->dsts);
		vt_tel_distinct_cleanup(&v->nets);
	}
	tab_cleanup(&t->src);
	tab_cleanup(&t->ev);
	tab_cleanup(&t->vic);
	win_cleanup(&t->win[0]);
	win_cleanup(&t->win[1]);
	free(t->victims);
	free(t);
}

static int inside(const vt_tel *t, const vt_pkt *p)
{
	if (!t->cfg.n_prefixes)
		return 1;
	for (size_t i = 0; i < t->cfg.n_prefixes; i++)
		if (vt_cidr_contains(&t->cfg.prefixes[i], 4, p->ip_dst))
			return 1;
	return 0;
}

void vt_tel_packet(vt_tel *t, const vt_pkt *p)
{
	vt_tel_pkt tp;
	t->st.packets++;
	if (vt_tel_classify(p, &tp) != VT_OK) {
		t->st.not_ipv4++;
		return;
	}
	if (!inside(t, p)) {
		t->st.outside++;
		return;
	}
	t->st.counted++;
	t->st.per_class[tp.cls]++;
	t->st.backscatter += tp.backscatter;
	t->st.mirai_sig += tp.mirai_sig;
	t->st.mirai_orig += tp.mirai_orig;
	if (tp.mirai_sig) {
		t->st.sig_23 += tp.dport == 23;
		t->st.sig_2323 += tp.dport == 2323;
		if (!tp.mirai_orig)
			t->st.sig_only_ports[tp.dport / 64] |= 1ull << (tp.dport % 64);
	}
	ev_expire(t, tp.ts_us);
	src_packet(t, &tp);
	ev_packet(t, &tp);
	if (tp.has_victim)
		vic_packet(t, &tp);
}

static int by_ip(const void *a, const void *b)
{
	uint32_t x = ((const tel_src *)a)->ip, y = ((const tel_src *)b)->ip;
	return x < y ? -1 : x > y;
}

void vt_tel_finish(vt_tel *t)
{
	if (t->finished)
		return;
	ev_close_all(t);
	/* Export in address order: compact the live records, then sort. */
	size_t k = 0;
	for (size_t i = 0; i < t->src.used; i++) {
		if (tab_find(&t->src, t->src.key[i]) != (int64_t)i)
			continue;
		if (k != i)
			memcpy(tab_at(&t->src, (uint32_t)k),
			       tab_at(&t->src, (uint32_t)i), sizeof(tel_src));
		k++;
	}
	t->finished = 1;
	if (k)
		qsort(t->src.rec, k, sizeof(tel_src), by_ip);
	for (size_t i = 0; i < k; i++)
		src_export(t, tab_at(&t->src, (uint32_t)i), 0);
	if (vic_finish(t) != VT_OK)
		t->n_victims = 0;
}

const vt_tel_stats *vt_tel_counters(const vt_tel *t) { return &t->st; }
uint64_t vt_tel_size(const vt_tel *t) { return t->size; }
uint32_t vt_tel_k(const vt_tel *t) { return t->cfg.mirai_k; }

const vt_tel_window *vt_tel_windows(const vt_tel *t, int days, size_t *n)
{
	*n = t->win[days ? 1 : 0].n;
	return t->win[days ? 1 : 0].w;
}

uint64_t vt_tel_mirai_total(const vt_tel *t, int i)
{
	return t->mirai_total[i ? 1 : 0];
}

uint64_t vt_tel_sources_by_class(const vt_tel *t, int cls)
{
	return cls >= 0 && cls < 3 ? t->by_class[cls] : 0;
}

uint64_t vt_tel_sources_by_tool(const vt_tel *t, int tool)
{
	return tool >= 0 && tool < VT_TOOL_COUNT ? t->by_tool[tool] : 0;
}

const vt_tel_victim *vt_tel_victims(const vt_tel *t, size_t *n)
{
	*n = t->n_victims;
	return t->victims;
}

const char *vt_tel_source_class_name(int cls)
{
	static const char *const n[] = {"other", "scanner", "backscatter"};
	return cls >= 0 && cls < 3 ? n[cls] : "?";
}
