/*
 * Per-source state: counters, unique destinations and /24s, the ports it
 * sent to (each keyed as its class says), the Mirai counts and the
 * (source port, window) pairs of its signature SYNs, and its Mirai count
 * in the current hour and day. A source is exported (through the sink)
 * when the run ends, or early when the table is full and it is the one
 * touched least recently (counted in sources_evicted).
 */
#include <stdlib.h>
#include <string.h>

#include "telescope/tel_int.h"
#include "vantage/error.h"

uint32_t pair_add(uint16_t *sports, uint16_t *wins, uint32_t n,
		  uint16_t sport, uint16_t win)
{
	uint32_t kept = n < VT_TEL_MAX_PAIRS ? n : VT_TEL_MAX_PAIRS;
	for (uint32_t i = 0; i < kept; i++)
		if (sports[i] == sport && wins[i] == win)
			return n;
	if (n < VT_TEL_MAX_PAIRS) {
		sports[n] = sport;
		wins[n] = win;
	}
	return n + 1; /* past the cap: at least this many */
}

static void port_add(tel_src *s, const vt_tel_pkt *p)
{
	for (uint32_t i = 0; i < s->nports; i++) {
		if (s->ports[i].port == p->port && s->ports[i].cls == p->cls) {
			s->ports[i].packets++;
			return;
		}
	}
	if (s->nports == s->ports_alloc) {
		uint32_t a = s->ports_alloc ? s->ports_alloc * 2 : 2;
		vt_tel_portcount *n = NULL;
		if (a <= VT_TEL_MAX_PORTS)
			n = realloc(s->ports, a * sizeof(*n));
		if (!n) {
			s->ports_dropped++;
			return;
		}
		s->ports = n;
		s->ports_alloc = a;
	}
	s->ports[s->nports++] = (vt_tel_portcount){
		.port = p->port, .cls = p->cls, .packets = 1};
}

/* Moves the current window's count into its row (0 = hours, 1 = days). */
static void win_flush(vt_tel *t, tel_src *s, int d)
{
	if (!s->win_sig[d])
		return;
	vt_tel_window *w =
		win_slot(&t->win[d], s->win_cur[d] * t->win[d].len_s * 1000000ull);
	if (w) {
		w->active[0] += s->win_sig[d] >= t->cfg.mirai_k;
		w->active[1] += s->win_sig[d] >= 2;
	}
	s->win_sig[d] = 0;
}

static void mirai(vt_tel *t, tel_src *s, const vt_tel_pkt *p)
{
	s->sig++;
	s->orig += p->mirai_orig;
	s->sig23 += p->dport == 23;
	s->sig2323 += p->dport == 2323;
	s->npairs = pair_add(s->pair_sport, s->pair_win, s->npairs, p->sport,
			     p->win);
	for (int d = 0; d < 2; d++) {
		uint64_t num = p->ts_us / 1000000u / t->win[d].len_s;
		if (s->win_cur[d] != num)
			win_flush(t, s, d);
		s->win_cur[d] = num;
		s->win_sig[d]++;
		vt_tel_window *w = win_slot(&t->win[d], p->ts_us);
		if (!w)
			continue;
		w->sig_packets++;
		w->sig_23 += p->dport == 23;
		w->sig_2323 += p->dport == 2323;
		w->newly[0] += s->sig == t->cfg.mirai_k;
		w->newly[1] += s->sig == 2;
	}
	t->mirai_total[0] += s->sig == t->cfg.mirai_k;
	t->mirai_total[1] += s->sig == 2;
}

static int64_t lookup(vt_tel *t, uint32_t ip)
{
	int64_t i = tab_find(&t->src, ip);
	if (i >= 0)
		return i;
	i = tab_insert(&t->src, ip);
	if (i == VT_EFULL) {
		int64_t old = tab_oldest(&t->src);
		src_export(t, tab_at(&t->src, (uint32_t)old), 1);
		tab_remove(&t->src, (uint32_t)old);
		t->st.sources_evicted++;
		i = tab_insert(&t->src, ip);
	}
	if (i < 0) {
		t->st.sources_alloc_failed++;
		return -1;
	}
	tel_src *s = tab_at(&t->src, (uint32_t)i);
	s->ip = ip;
	s->first_us = UINT64_MAX;
	s->max_rate = -1;
	return i;
}

void src_packet(vt_tel *t, const vt_tel_pkt *p)
{
	int64_t i = lookup(t, p->src);
	if (i < 0)
		return;
	tab_touch(&t->src, (uint32_t)i);
	tel_src *s = tab_at(&t->src, (uint32_t)i);
	if (p->ts_us < s->first_us)
		s->first_us = p->ts_us;
	if (p->ts_us > s->last_us)
		s->last_us = p->ts_us;
	s->packets++;
	s->bytes += p->bytes;
	s->syn += p->cls == VT_TC_TCP_SYN;
	s->backscatter += p->backscatter;
	s->tool[p->tool]++;
	vt_tel_distinct_add(&s->dsts, p->dst);
	vt_tel_distinct_add(&s->nets, p->dst >> 8);
	port_add(s, p);
	if (p->mirai_sig)
		mirai(t, s, p);
}

void src_event_closed(vt_tel *t, const vt_tel_event *e)
{
	int64_t i = tab_find(&t->src, e->src);
	if (i < 0)
		return; /* evicted before its event closed */
	tel_src *s = tab_at(&t->src, (uint32_t)i);
	s->events++;
	s->scan_events += e->scan;
	if (e->rate > s->max_rate)
		s->max_rate = e->rate;
}

void src_cleanup(tel_src *s)
{
	vt_tel_distinct_cleanup(&s->dsts);
	vt_tel_distinct_cleanup(&s->nets);
	free(s->ports);
	s->ports = NULL;
}

static int by_packets(const void *a, const void *b)
{
	const vt_tel_portcount *x = a, *y = b;
	if (x->packets != y->packets)
		return x->packets < y->packets ? 1 : -1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (int)x->cls - (int)y->cls;
}

/*
 * The fingerprint most of a source's SYNs carry. ZMap's and masscan's are
 * 16-bit IP ID tests that a random SYN passes once in 65,536, so they
 * also need two matching SYNs; Mirai's is a 32-bit test.
 */
static int majority_tool(const tel_src *s)
{
	for (int k = VT_TOOL_MIRAI; k < VT_TOOL_COUNT; k++)
		if (s->syn && s->tool[k] * 2 > s->syn &&
		    (k == VT_TOOL_MIRAI || s->tool[k] >= 2))
			return k;
	return VT_TOOL_NONE;
}

static void derive(vt_tel *t, vt_tel_source *o)
{
	o->is_mirai = o->mirai_sig >= t->cfg.mirai_k;
	o->pure = o->mirai_sig && o->mirai_sig == o->syn_packets;
	o->consistent = o->npairs == 1;
	if (o->backscatter_packets * 2 > o->packets)
		o->cls = VT_TEL_BACKSCATTER;
	else if (o->scan_events || o->is_mirai || o->tool != VT_TOOL_NONE)
		o->cls = VT_TEL_SCANNER;
	else
		o->cls = VT_TEL_OTHER;
	t->by_class[o->cls]++;
	if (o->cls == VT_TEL_SCANNER)
		t->by_tool[o->tool]++;
}

void src_export(vt_tel *t, tel_src *s, int evicted)
{
	win_flush(t, s, 0);
	win_flush(t, s, 1);
	vt_tel_source o = {
		.ip = s->ip, .first_us = s->first_us, .last_us = s->last_us,
		.packets = s->packets, .bytes = s->bytes,
		.unique_dsts = vt_tel_distinct_count(&s->dsts),
		.unique_24s = vt_tel_distinct_count(&s->nets),
		.syn_packets = s->syn, .backscatter_packets = s->backscatter,
		.mirai_sig = s->sig, .mirai_orig = s->orig,
		.mirai_23 = s->sig23, .mirai_2323 = s->sig2323,
		.events = s->events, .scan_events = s->scan_events,
		.max_rate = s->max_rate, .npairs = s->npairs,
		.nports = s->nports, .ports_dropped = s->ports_dropped,
		.evicted = evicted, .tool = majority_tool(s),
	};
	memcpy(o.tool_packets, s->tool, sizeof(o.tool_packets));
	memcpy(o.pair_sport, s->pair_sport, sizeof(o.pair_sport));
	memcpy(o.pair_win, s->pair_win, sizeof(o.pair_win));
	if (s->nports)
		memcpy(o.ports, s->ports, s->nports * sizeof(*s->ports));
	qsort(o.ports, o.nports, sizeof(*o.ports), by_packets);
	derive(t, &o);
	if (t->sinks.source)
		t->sinks.source(&o, t->sinks.user);
	src_cleanup(s);
}
