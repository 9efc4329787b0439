/*
 * Internals of the telescope (src/telescope/): the bounded table every
 * kind of state lives in, and the per-source, per-event, per-victim and
 * per-window modules the engine (telescope.c) drives. Not public.
 */
#ifndef VT_TEL_INT_H
#define VT_TEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "vantage/hidx.h"
#include "vantage/telescope.h"

/*
 * A table of fixed-size records keyed by a 64-bit key, with a hash index
 * and a least-recently-touched list, capped at `max` records. Records
 * move when the table grows: re-fetch pointers after tab_insert.
 */
typedef struct tel_tab {
	vt_hidx idx;
	uint8_t *rec;    /* alloc * elem bytes */
	uint64_t *key;   /* per record */
	uint32_t *prev, *next; /* LRU links, index + 1; 0 = none */
	size_t elem, alloc, used, count, max;
	uint32_t head, tail; /* head: least recently touched (index + 1) */
	uint32_t free_list;  /* through next, index + 1 */
} tel_tab;

int tab_init(tel_tab *t, size_t elem, size_t max);
void tab_cleanup(tel_tab *t);
int64_t tab_find(const tel_tab *t, uint64_t key);
/* Returns the new record's index (zeroed), or VT_EFULL / VT_ENOMEM. */
int64_t tab_insert(tel_tab *t, uint64_t key);
void tab_touch(tel_tab *t, uint32_t i);
void tab_remove(tel_tab *t, uint32_t i);
/* The least recently touched record, or -1 when empty. */
int64_t tab_oldest(const tel_tab *t);
static inline void *tab_at(const tel_tab *t, uint32_t i)
{
	return t->rec + (size_t)i * t->elem;
}

/* Windows of one length (windows.c). */
typedef struct tel_windows {
	vt_tel_window *w;
	size_t n, alloc, max;
	uint64_t base;  /* window number of w[0] */
	uint32_t len_s;
	uint64_t *dropped; /* the engine's counter */
} tel_windows;

vt_tel_window *win_slot(tel_windows *ws, uint64_t ts_us);
void win_cleanup(tel_windows *ws);

/* Per-source state (sources.c). */
typedef struct tel_src {
	uint32_t ip;
	uint64_t first_us, last_us, packets, bytes;
	uint64_t syn, backscatter, sig, orig, sig23, sig2323;
	uint64_t tool[VT_TOOL_COUNT];
	uint64_t events, scan_events;
	double max_rate;
	vt_tel_distinct dsts, nets;
	vt_tel_portcount *ports; /* owned */
	uint32_t nports, ports_alloc;
	uint64_t ports_dropped;
	uint16_t pair_sport[VT_TEL_MAX_PAIRS], pair_win[VT_TEL_MAX_PAIRS];
	uint32_t npairs;
	uint64_t win_cur[2]; /* hour and day window numbers of win_sig */
	uint64_t win_sig[2];
} tel_src;

struct vt_tel {
	vt_tel_cfg cfg;
	vt_tel_sinks sinks;
	uint64_t size;   /* telescope addresses, 0 unknown */
	tel_tab src, ev, vic;
	tel_windows win[2]; /* hours (window_s), days */
	vt_tel_stats st;
	uint64_t mirai_total[2];
	uint64_t by_class[3], by_tool[VT_TOOL_COUNT];
	vt_tel_victim *victims; /* sorted at finish */
	size_t n_victims;
	int finished;
};

/* Sources (sources.c). */
void src_packet(vt_tel *t, const vt_tel_pkt *p);
void src_export(vt_tel *t, tel_src *s, int evicted);
void src_event_closed(vt_tel *t, const vt_tel_event *e);
void src_cleanup(tel_src *s);

/* Events (events.c). */
typedef struct tel_ev {
	vt_tel_event e;
	vt_tel_distinct dsts, nets;
	uint16_t pair_sport[VT_TEL_MAX_PAIRS], pair_win[VT_TEL_MAX_PAIRS];
} tel_ev;
void ev_packet(vt_tel *t, const vt_tel_pkt *p);
void ev_expire(vt_tel *t, uint64_t now_us);
void ev_close_all(vt_tel *t);

/* Victims (victims.c). */
void vic_packet(vt_tel *t, const vt_tel_pkt *p);
int vic_finish(vt_tel *t);

/* Adds (sport, win) to a kept list of pairs; returns the new count. */
uint32_t pair_add(uint16_t *sports, uint16_t *wins, uint32_t n,
		  uint16_t sport, uint16_t win);

#endif
