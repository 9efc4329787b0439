/*
 * Backscatter victims (CAIDA's rule, EXTERNAL.md section 2): the host a
 * spoofed attack targeted, i.e. the sender of a SYN-ACK/RST/ICMP reply,
 * or the quoted destination of an ICMP error. New victims past the cap
 * are counted in victims_dropped, not tracked.
 */
#include <stdlib.h>

#include "telescope/tel_int.h"
#include "vantage/error.h"

void vic_packet(vt_tel *t, const vt_tel_pkt *p)
{
	int64_t i = tab_find(&t->vic, p->victim);
	if (i < 0) {
		i = tab_insert(&t->vic, p->victim);
		if (i < 0) {
			t->st.victims_dropped++;
			return;
		}
		vt_tel_victim *v = tab_at(&t->vic, (uint32_t)i);
		v->ip = p->victim;
		v->first_us = p->ts_us;
		v->top_port = p->victim_port;
		v->top_proto = p->victim_proto;
	}
	vt_tel_victim *v = tab_at(&t->vic, (uint32_t)i);
	if (p->ts_us < v->first_us)
		v->first_us = p->ts_us;
	if (p->ts_us > v->last_us)
		v->last_us = p->ts_us;
	v->packets++;
	v->tcp += p->cls != VT_TC_ICMP;
	v->icmp += p->cls == VT_TC_ICMP;
}

static int by_packets(const void *a, const void *b)
{
	const vt_tel_victim *x = a, *y = b;
	if (x->packets != y->packets)
		return x->packets < y->packets ? 1 : -1;
	return x->ip < y->ip ? -1 : x->ip > y->ip;
}

int vic_finish(vt_tel *t)
{
	size_t n = t->vic.count, k = 0;
	t->victims = malloc((n ? n : 1) * sizeof(*t->victims));
	if (!t->victims)
		return VT_ENOMEM;
	for (size_t i = 0; i < t->vic.used; i++)
		if (tab_find(&t->vic, t->vic.key[i]) == (int64_t)i)
			t->victims[k++] = *(vt_tel_victim *)tab_at(&t->vic, (uint32_t)i);
	qsort(t->victims, k, sizeof(*t->victims), by_packets);
	t->n_victims = k;
	return VT_OK;
}
