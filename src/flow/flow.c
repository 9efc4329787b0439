/*
 * Bidirectional flow table (see include/vantage/flow.h). Records live in
 * one growable array indexed by a vt_hidx over a canonical (ordered) key,
 * so both directions find the same record. Two LRU lists, one per timeout
 * class, make idle expiry and eviction O(1): their tails are the oldest.
 */
#include "vantage/flow.h"

#include <stdlib.h>
#include <string.h>

#include "vantage/error.h"

#define NIL UINT32_MAX
#define FIN0 1
#define FIN1 2
#define RST 4

struct vt_flowtab {
	vt_flow *flows;
	size_t n_alloc, n_used; /* records allocated / ever handed out */
	uint32_t free_head;     /* freed records, linked through .next */
	vt_hidx idx;
	uint32_t head[2], tail[2]; /* LRU per timeout class */
	uint64_t timeout_us[2];
	uint64_t now_us;
	size_t max_flows;
	vt_flow_end_fn on_end;
	void *user;
	vt_flow_stats st;
};


static uint64_t mix64(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

/*
 * Symmetric key hash: the endpoints are put in a canonical order first,
 * so both directions of a flow hash alike. IPv4 packs into two words.
 */
static uint32_t key_hash(const vt_pkt *p)
{
	size_t alen = p->ipver == 4 ? 4 : 16;
	int c = memcmp(p->ip_src, p->ip_dst, alen);
	int swap = c ? c > 0 : p->sport > p->dport;
	const uint8_t *lo = swap ? p->ip_dst : p->ip_src;
	const uint8_t *hi = swap ? p->ip_src : p->ip_dst;
	uint64_t ports = (uint64_t)(swap ? p->dport : p->sport) << 16 |
			 (swap ? p->sport : p->dport);
	uint64_t meta = ports << 16 | (uint64_t)p->ip_proto << 8 | p->ipver;
	if (p->ipver == 4) {
		uint32_t a, b;
		memcpy(&a, lo, 4);
		memcpy(&b, hi, 4);
		return (uint32_t)mix64(((uint64_t)a << 32 | b) ^ mix64(meta));
	}
	uint8_t k[32];
	memcpy(k, lo, 16);
	memcpy(k + 16, hi, 16);
	return vt_hash_bytes(k, sizeof(k), meta);
}

static int key_eq(const void *ctx, uint32_t i, const void *key)
{
	const vt_flow *f = &((const vt_flowtab *)ctx)->flows[i];
	const vt_pkt *p = key;
	size_t alen = p->ipver == 4 ? 4 : 16;
	if (f->ver != p->ipver || f->proto != p->ip_proto)
		return 0;
	if (f->port[0] == p->sport && f->port[1] == p->dport &&
	    !memcmp(f->ip[0], p->ip_src, alen) &&
	    !memcmp(f->ip[1], p->ip_dst, alen))
		return 1;
	return f->port[0] == p->dport && f->port[1] == p->sport &&
	       !memcmp(f->ip[0], p->ip_dst, alen) &&
	       !memcmp(f->ip[1], p->ip_src, alen);
}

vt_flowtab *vt_flowtab_new(const vt_flow_cfg *cfg, vt_flow_end_fn on_end,
			   void *user)
{
	vt_flowtab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_flows = cfg && cfg->max_flows ? cfg->max_flows
					     : VT_FLOW_DEFAULT_MAX;
	uint32_t tcp = cfg && cfg->tcp_timeout_s ? cfg->tcp_timeout_s
						 : VT_FLOW_TCP_TIMEOUT_S;
	uint32_t udp = cfg && cfg->udp_timeout_s ? cfg->udp_timeout_s
						 : VT_FLOW_UDP_TIMEOUT_S;
	t->timeout_us[0] = (uint64_t)tcp * 1000000u;
	t->timeout_us[1] = (uint64_t)udp * 1000000u;
	t->head[0] = t->head[1] = t->tail[0] = t->tail[1] = NIL;
	t->free_head = NIL;
	t->on_end = on_end;
	t->user = user;
	if (vt_hidx_init(&t->idx, t->max_flows) != VT_OK) {
		free(t);
		return NULL;
	}
	return t;
}

static void lru_unlink(vt_flowtab *t, uint32_t i)
{
	vt_flow *f = &t->flows[i];
	int c = f->tmo_class;
	if (f->prev != NIL)
		t->flows[f->prev].next = f->next;
	else
		t->head[c] = f->next;
	if (f->next != NIL)
		t->flows[f->next].prev = f->prev;
	else
		t->tail[c] = f->prev;
}

static void lru_push(vt_flowtab *t, uint32_t i)
{
	vt_flow *f = &t->flows[i];
	int c = f->tmo_class;
	f->prev = NIL;
	f->next = t->head[c];
	if (t->head[c] != NIL)
		t->flows[t->head[c]].prev = i;
	t->head[c] = i;
	if (t->tail[c] == NIL)
		t->tail[c] = i;
}

static void end_flow(vt_flowtab *t, uint32_t i, int reason)
{
	vt_flow *f = &t->flows[i];
	if (t->on_end)
		t->on_end(f, reason, t->user);
	switch (reason) {
	case VT_FLOW_END_IDLE: t->st.ended_idle++; break;
	case VT_FLOW_END_EVICTED: t->st.evicted++; break;
	case VT_FLOW_END_REUSED: t->st.reused++; break;
	default: t->st.flushed++; break;
	}
	lru_unlink(t, i);
	vt_hidx_remove(&t->idx, f->hash, i);
	f->next = t->free_head;
	t->free_head = i;
}

void vt_flowtab_expire(vt_flowtab *t, uint64_t now_us)
{
	for (int c = 0; c < 2; c++) {
		while (t->tail[c] != NIL) {
			uint32_t i = t->tail[c];
			if (t->flows[i].last_us + t->timeout_us[c] >= now_us)
				break;
			end_flow(t, i, VT_FLOW_END_IDLE);
		}
	}
}

/* Evicts the older of the two LRU tails. */
static void evict_oldest(vt_flowtab *t)
{
	uint32_t a = t->tail[0], b = t->tail[1];
	uint32_t v = a == NIL ? b
		     : b == NIL ? a
		     : t->flows[a].last_us <= t->flows[b].last_us ? a : b;
	if (v != NIL)
		end_flow(t, v, VT_FLOW_END_EVICTED);
}

static int64_t alloc_record(vt_flowtab *t)
{
	if (t->free_head != NIL) {
		uint32_t i = t->free_head;
		t->free_head = t->flows[i].next;
		return i;
	}
	if (t->n_used == t->n_alloc) {
		size_t n = t->n_alloc ? t->n_alloc * 2 : 1024;
		if (n > t->max_flows)
			n = t->max_flows;
		vt_flow *nf = realloc(t->flows, n * sizeof(*nf));
		if (!nf)
			return VT_ENOMEM;
		t->flows = nf;
		t->n_alloc = n;
	}
	return (int64_t)t->n_used++;
}

/* Does the first packet come from the responder? (SYN-ACK, server port) */
static int first_from_responder(const vt_pkt *p)
{
	if (!(p->has & VT_HAS_L4))
		return 0;
	if (p->ip_proto == 6) {
		uint8_t sa = p->tcp_flags & (VT_TCP_SYN | VT_TCP_ACK);
		if (sa == VT_TCP_SYN)
			return 0;
		if (sa == (VT_TCP_SYN | VT_TCP_ACK))
			return 1;
	}
	/* DHCP servers answer clients on the clients' fixed ports. */
	if ((p->dport == 68 && p->sport == 67) ||
	    (p->dport == 546 && p->sport == 547))
		return 1;
	/* Mid-stream start: a well-known port answering an ephemeral one. */
	return p->sport < 1024 && p->dport >= 1024;
}

static int64_t create(vt_flowtab *t, const vt_pkt *p, uint32_t hash)
{
	if (t->idx.count >= t->max_flows)
		evict_oldest(t);
	int64_t i = alloc_record(t);
	if (i < 0)
		return i;
	if (vt_hidx_insert(&t->idx, hash, (uint32_t)i) != VT_OK) {
		t->flows[i].next = t->free_head;
		t->free_head = (uint32_t)i;
		return VT_ENOMEM;
	}
	vt_flow *f = &t->flows[i];
	memset(f, 0, sizeof(*f));
	int r = first_from_responder(p);
	memcpy(f->ip[r], p->ip_src, 16);
	memcpy(f->ip[!r], p->ip_dst, 16);
	f->port[r] = p->sport;
	f->port[!r] = p->dport;
	f->ver = p->ipver;
	f->proto = p->ip_proto;
	f->tmo_class = p->ip_proto == 6 ? 0 : 1;
	f->first_us = p->ts_us;
	f->hash = hash;
	lru_push(t, (uint32_t)i);
	t->st.created++;
	if (t->idx.count > t->st.max_active)
		t->st.max_active = t->idx.count;
	return i;
}

static int side_of(const vt_flow *f, const vt_pkt *p)
{
	size_t alen = p->ipver == 4 ? 4 : 16;
	if (f->port[0] != p->sport || f->port[1] != p->dport)
		return 1;
	return memcmp(f->ip[0], p->ip_src, alen) != 0;
}

static void note_tcp(vt_flow *f, const vt_pkt *p, int s)
{
	if (p->tcp_flags & VT_TCP_FIN)
		f->tcp_state |= s ? FIN1 : FIN0;
	if (p->tcp_flags & VT_TCP_RST)
		f->tcp_state |= RST;
}

static int closed_and_new_syn(const vt_flow *f, const vt_pkt *p)
{
	int closed = (f->tcp_state & RST) ||
		     (f->tcp_state & (FIN0 | FIN1)) == (FIN0 | FIN1);
	return closed && p->ip_proto == 6 &&
	       (p->tcp_flags & (VT_TCP_SYN | VT_TCP_ACK)) == VT_TCP_SYN;
}

static void account(vt_flow *f, const vt_pkt *p, int s)
{
	f->pkts[s]++;
	f->bytes[s] += p->wirelen;
	f->last_us = p->ts_us > f->last_us ? p->ts_us : f->last_us;
	if (p->has & VT_HAS_MAC_SRC) {
		memcpy(f->mac[s], p->mac_src, 6);
		f->mac_ok[s] = 2;
	}
	if ((p->has & VT_HAS_MAC_DST) && f->mac_ok[!s] < 2) {
		memcpy(f->mac[!s], p->mac_dst, 6);
		f->mac_ok[!s] = 1;
	}
	if (p->ip_proto == 6 && (p->has & VT_HAS_L4))
		note_tcp(f, p, s);
}

int vt_flowtab_packet(vt_flowtab *t, const vt_pkt *pkt, vt_flow **out)
{
	vt_pkt tmp;
	const vt_pkt *p = pkt;
	if (!(p->has & VT_HAS_IP))
		return VT_EINVAL;
	if (p->ts_us > t->now_us) {
		t->now_us = p->ts_us;
		vt_flowtab_expire(t, t->now_us);
	} else if (p->ts_us < t->now_us) {
		tmp = *pkt; /* time went backwards: clamp to now */
		tmp.ts_us = t->now_us;
		p = &tmp;
	}
	uint32_t h = key_hash(p);
	int64_t i = vt_hidx_find(&t->idx, h, key_eq, t, p);
	if (i >= 0 && closed_and_new_syn(&t->flows[i], p)) {
		end_flow(t, (uint32_t)i, VT_FLOW_END_REUSED);
		i = -1;
	}
	if (i < 0) {
		i = create(t, p, h);
		if (i < 0) {
			t->st.alloc_failures++;
			return (int)i;
		}
	} else {
		lru_unlink(t, (uint32_t)i);
		lru_push(t, (uint32_t)i);
	}
	vt_flow *f = &t->flows[i];
	int s = side_of(f, p);
	account(f, p, s);
	t->st.packets++;
	if (out)
		*out = f;
	return s;
}

void vt_flowtab_flush(vt_flowtab *t)
{
	for (int c = 0; c < 2; c++)
		while (t->tail[c] != NIL)
			end_flow(t, t->tail[c], VT_FLOW_END_FLUSH);
}

void vt_flowtab_free(vt_flowtab *t)
{
	if (!t)
		return;
	vt_flowtab_flush(t);
	vt_hidx_cleanup(&t->idx);
	free(t->flows);
	free(t);
}

const vt_flow_stats *vt_flowtab_stats(const vt_flowtab *t) { return &t->st; }
size_t vt_flowtab_active(const vt_flowtab *t) { return t->idx.count; }
