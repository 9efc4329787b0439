/*
 * Events per (source, key port, class), Merit's darknet-events
 * convention: an event closes after VT_TEL_TIMEOUT_S (624 s) without a
 * packet; a packet after a longer gap starts a new event. A closed event
 * is a scan when it reached VT_TEL_SCAN_MIN_DSTS unique destinations and
 * an extrapolated rate of VT_TEL_SCAN_MIN_RATE packets/s, where
 * rate = packets * (2^32 / telescope size) / duration, a duration under
 * one second counting as one second. Idle events are closed in the order
 * they were last touched; when the table is full the stalest open event is
 * closed early (counted in events_evicted).
 */
#include "telescope/tel_int.h"
#include "vantage/error.h"

#define TIMEOUT_US ((uint64_t)VT_TEL_TIMEOUT_S * 1000000u)

static uint64_t ev_key(const vt_tel_pkt *p)
{
	return ((uint64_t)p->src << 32) | ((uint64_t)p->port << 8) | p->cls;
}

static void close_ev(vt_tel *t, uint32_t i, int evicted)
{
	tel_ev *v = tab_at(&t->ev, i);
	vt_tel_event *e = &v->e;
	e->unique_dsts = vt_tel_distinct_count(&v->dsts);
	e->unique_24s = vt_tel_distinct_count(&v->nets);
	e->evicted = evicted;
	e->rate = -1;
	if (t->size) {
		double dur = (double)(e->last_us - e->first_us) / 1e6;
		if (dur < 1.0)
			dur = 1.0;
		e->rate = (double)e->packets * (4294967296.0 / (double)t->size) /
			  dur;
	}
	e->scan = e->unique_dsts >= VT_TEL_SCAN_MIN_DSTS &&
		  e->rate >= VT_TEL_SCAN_MIN_RATE;
	t->st.events_closed++;
	t->st.scan_events += e->scan;
	src_event_closed(t, e);
	if (t->sinks.event)
		t->sinks.event(e, t->sinks.user);
	vt_tel_distinct_cleanup(&v->dsts);
	vt_tel_distinct_cleanup(&v->nets);
	tab_remove(&t->ev, i);
}

static int64_t open_ev(vt_tel *t, const vt_tel_pkt *p, uint64_t key)
{
	int64_t i = tab_insert(&t->ev, key);
	if (i == VT_EFULL) {
		close_ev(t, (uint32_t)tab_oldest(&t->ev), 1);
		t->st.events_evicted++;
		i = tab_insert(&t->ev, key);
	}
	if (i < 0) {
		t->st.events_alloc_failed++;
		return -1;
	}
	tel_ev *v = tab_at(&t->ev, (uint32_t)i);
	v->e.src = p->src;
	v->e.port = p->port;
	v->e.cls = p->cls;
	v->e.first_us = v->e.last_us = p->ts_us;
	v->e.sample = (vt_tel_sample){
		.dst = p->dst, .seq = p->seq, .sport = p->sport,
		.dport = p->dport, .ip_id = p->ip_id, .win = p->win,
		.len = (uint16_t)p->bytes, .ttl = p->ttl, .flags = p->flags};
	return i;
}

void ev_packet(vt_tel *t, const vt_tel_pkt *p)
{
	uint64_t key = ev_key(p);
	int64_t i = tab_find(&t->ev, key);
	if (i >= 0) {
		tel_ev *v = tab_at(&t->ev, (uint32_t)i);
		if (p->ts_us > v->e.last_us + TIMEOUT_US) {
			close_ev(t, (uint32_t)i, 0);
			i = -1;
		}
	}
	if (i < 0 && (i = open_ev(t, p, key)) < 0)
		return;
	tab_touch(&t->ev, (uint32_t)i);
	tel_ev *v = tab_at(&t->ev, (uint32_t)i);
	vt_tel_event *e = &v->e;
	if (p->ts_us < e->first_us)
		e->first_us = p->ts_us;
	if (p->ts_us > e->last_us)
		e->last_us = p->ts_us;
	e->packets++;
	e->bytes += p->bytes;
	e->mirai_sig += p->mirai_sig;
	e->mirai_orig += p->mirai_orig;
	if (p->mirai_sig)
		e->npairs = pair_add(v->pair_sport, v->pair_win, e->npairs,
				     p->sport, p->win);
	vt_tel_distinct_add(&v->dsts, p->dst);
	vt_tel_distinct_add(&v->nets, p->dst >> 8);
}

void ev_expire(vt_tel *t, uint64_t now_us)
{
	int64_t i;
	while ((i = tab_oldest(&t->ev)) >= 0) {
		const tel_ev *v = tab_at(&t->ev, (uint32_t)i);
		if (now_us <= v->e.last_us + TIMEOUT_US)
			break;
		close_ev(t, (uint32_t)i, 0);
	}
}

void ev_close_all(vt_tel *t)
{
	int64_t i;
	while ((i = tab_oldest(&t->ev)) >= 0)
		close_ev(t, (uint32_t)i, 0);
}
