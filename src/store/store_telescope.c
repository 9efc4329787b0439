/*
 * Telescope rows (include/vantage/store_telescope.h): statements prepared
 * once per writer, rows added to the store's open batch. Addresses are
 * dotted quads like every IP in the store.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "vantage/store_telescope.h"

enum { W_DEV, W_DEVRUN, W_SRC, W_EV, W_WIN, W_VIC, W_RUN, W__COUNT };

static const char *const sql[W__COUNT] = {
	[W_DEV] = "INSERT INTO device (key_ip, first_us, last_us, last_run_id)"
		  " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key_ip) DO UPDATE SET"
		  " first_us = min(coalesce(first_us, excluded.first_us),"
		  "  excluded.first_us),"
		  " last_us = max(coalesce(last_us, 0), excluded.last_us)"
		  " RETURNING id",
	/* The scanner's traffic in this run, as `devices` and `report` count
	 * it; a source evicted and seen again adds to its row. */
	[W_DEVRUN] = "INSERT INTO device_run (device_id, run_id, packets_sent,"
		     " bytes_sent, first_us, last_us) VALUES (?1, ?2, ?3, ?4, ?5,"
		     " ?6) ON CONFLICT(device_id, run_id) DO UPDATE SET"
		     " packets_sent = packets_sent + excluded.packets_sent,"
		     " bytes_sent = bytes_sent + excluded.bytes_sent,"
		     " first_us = min(first_us, excluded.first_us),"
		     " last_us = max(last_us, excluded.last_us)",
	[W_SRC] = "INSERT INTO telescope_source (run_id, device_id, ip,"
		  " first_us, last_us, packets, bytes, unique_dsts, unique_24s,"
		  " syn_packets, backscatter_packets, class, tool, mirai,"
		  " mirai_packets, mirai_orig_packets, mirai_23, mirai_2323,"
		  " purity, consistent, pairs, ports, events, scan_events,"
		  " max_rate, evicted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		  " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
		  " ?21, ?22, ?23, ?24, ?25, ?26)",
	[W_EV] = "INSERT INTO telescope_event (run_id, ip, port, class,"
		 " first_us, last_us, packets, bytes, unique_dsts, unique_24s,"
		 " mirai_packets, mirai_orig_packets, mirai_pairs, rate, scan,"
		 " evicted, sample) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		 " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	[W_WIN] = "INSERT OR REPLACE INTO telescope_window (run_id, length_s,"
		  " start_us, mirai_sources, mirai_sources_k2, new_sources,"
		  " new_sources_k2, mirai_packets, mirai_23, mirai_2323)"
		  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[W_VIC] = "INSERT OR REPLACE INTO telescope_victim (run_id, ip,"
		  " first_us, last_us, packets, tcp_packets, icmp_packets,"
		  " proto, port) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[W_RUN] = "INSERT OR REPLACE INTO telescope_run (run_id, prefixes,"
		  " size, mirai_k, window_s, packets, counted, outside,"
		  " not_ipv4, backscatter, mirai_packets, mirai_orig_packets,"
		  " sources_evicted, events_evicted, victims_dropped) VALUES"
		  " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		  " ?14, ?15)",
};

struct vt_store_tel {
	vt_store *st;
	int64_t run_id;
	sqlite3_stmt *s[W__COUNT];
};

vt_store_tel *vt_store_tel_new(vt_store *st, int64_t run_id)
{
	vt_store_tel *w = calloc(1, sizeof(*w));
	if (!w) {
		vt_store_error(st, VT_ENOMEM, "out of memory");
		return NULL;
	}
	w->st = st;
	w->run_id = run_id;
	for (int i = 0; i < W__COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &w->s[i],
				       NULL) != SQLITE_OK) {
			vt_store_fail(st);
			vt_store_tel_free(w);
			return NULL;
		}
	}
	return w;
}

void vt_store_tel_free(vt_store_tel *w)
{
	if (!w)
		return;
	for (int i = 0; i < W__COUNT; i++)
		sqlite3_finalize(w->s[i]);
	free(w);
}

static void ip_text(uint32_t ip, char *out)
{
	uint32_t n = htonl(ip);
	inet_ntop(AF_INET, &n, out, VT_STORE_TXT_LEN);
}

/* A scanner's device row (and its device_run counters): its id, or 0
 * (NULL) when not a scanner. */
static int device_id(vt_store_tel *w, const vt_tel_source *s,
		     const char *ip, int64_t *id)
{
	*id = 0;
	if (s->cls != VT_TEL_SCANNER)
		return VT_OK;
	sqlite3_stmt *q = w->s[W_DEV];
	int rc = vt_store_bind_text(q, 1, ip);
	rc |= vt_store_bind_time(q, 2, s->first_us);
	rc |= vt_store_bind_time(q, 3, s->last_us);
	rc |= sqlite3_bind_int64(q, 4, w->run_id);
	if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	else
		rc = SQLITE_ERROR;
	/* Finish the RETURNING statement so the write completes. */
	while (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		;
	int rrc = sqlite3_reset(q);
	if (rc != SQLITE_OK || rrc != SQLITE_OK) {
		vt_store_fail(w->st);
		vt_store_tx_sync(w->st);
		return VT_EDB;
	}
	q = w->s[W_DEVRUN];
	rc = sqlite3_bind_int64(q, 1, *id);
	rc |= sqlite3_bind_int64(q, 2, w->run_id);
	rc |= vt_store_bind_u64(q, 3, s->packets);
	rc |= vt_store_bind_u64(q, 4, s->bytes);
	rc |= vt_store_bind_time(q, 5, s->first_us);
	rc |= vt_store_bind_time(q, 6, s->last_us);
	return vt_store_bound_step(w->st, q, rc);
}

static void json_lists(const vt_tel_source *s, char *pairs, size_t pcap,
		       char *ports, size_t ocap)
{
	size_t n = 0;
	n += (size_t)snprintf(pairs, pcap, "[");
	for (uint32_t i = 0; i < s->npairs && i < VT_TEL_MAX_PAIRS && n < pcap; i++)
		n += (size_t)snprintf(pairs + n, pcap - n,
				      "%s{\"sport\":%u,\"window\":%u}",
				      i ? "," : "", s->pair_sport[i],
				      s->pair_win[i]);
	if (n < pcap)
		snprintf(pairs + n, pcap - n, "]");
	n = (size_t)snprintf(ports, ocap, "[");
	for (uint32_t i = 0; i < s->nports && n < ocap; i++)
		n += (size_t)snprintf(
			ports + n, ocap - n,
			"%s{\"port\":%u,\"class\":\"%s\",\"packets\":%llu}",
			i ? "," : "", s->ports[i].port,
			vt_tel_class_name(s->ports[i].cls),
			(unsigned long long)s->ports[i].packets);
	if (n < ocap)
		snprintf(ports + n, ocap - n, "]");
}

int vt_store_tel_source(vt_store_tel *w, const vt_tel_source *s, uint32_t k)
{
	char ip[VT_STORE_TXT_LEN], pairs[256], ports[2400];
	int64_t dev;
	ip_text(s->ip, ip);
	if (vt_store_tx_begin(w->st) || device_id(w, s, ip, &dev))
		return VT_EDB;
	json_lists(s, pairs, sizeof(pairs), ports, sizeof(ports));
	sqlite3_stmt *q = w->s[W_SRC];
	int rc = sqlite3_bind_int64(q, 1, w->run_id);
	rc |= dev ? sqlite3_bind_int64(q, 2, dev) : sqlite3_bind_null(q, 2);
	rc |= vt_store_bind_text(q, 3, ip);
	rc |= vt_store_bind_time(q, 4, s->first_us);
	rc |= vt_store_bind_time(q, 5, s->last_us);
	const uint64_t n[] = {s->packets, s->bytes, s->unique_dsts,
			      s->unique_24s, s->syn_packets,
			      s->backscatter_packets};
	for (int i = 0; i < 6; i++)
		rc |= vt_store_bind_u64(q, 6 + i, n[i]);
	rc |= vt_store_bind_text(q, 12, vt_tel_source_class_name(s->cls));
	rc |= vt_store_bind_text(q, 13, vt_tel_tool_name(s->tool));
	rc |= sqlite3_bind_int(q, 14, s->mirai_sig >= k);
	const uint64_t m[] = {s->mirai_sig, s->mirai_orig, s->mirai_23,
			      s->mirai_2323};
	for (int i = 0; i < 4; i++)
		rc |= vt_store_bind_u64(q, 15 + i, m[i]);
	rc |= vt_store_bind_text(q, 19, !s->mirai_sig ? NULL
					: s->pure	 ? "pure"
							 : "mixed");
	rc |= s->mirai_sig ? sqlite3_bind_int(q, 20, s->consistent)
			   : sqlite3_bind_null(q, 20);
	rc |= vt_store_bind_text(q, 21, pairs);
	rc |= vt_store_bind_text(q, 22, ports);
	rc |= vt_store_bind_u64(q, 23, s->events);
	rc |= vt_store_bind_u64(q, 24, s->scan_events);
	rc |= s->max_rate >= 0 ? sqlite3_bind_double(q, 25, s->max_rate)
			       : sqlite3_bind_null(q, 25);
	rc |= sqlite3_bind_int(q, 26, s->evicted);
	if (vt_store_bound_step(w->st, q, rc) != VT_OK)
		return VT_EDB;
	return vt_store_tx_rows(w->st, 1);
}

int vt_store_tel_event(vt_store_tel *w, const vt_tel_event *e)
{
	char ip[VT_STORE_TXT_LEN];
	ip_text(e->src, ip);
	if (vt_store_tx_begin(w->st))
		return VT_EDB;
	sqlite3_stmt *q = w->s[W_EV];
	int rc = sqlite3_bind_int64(q, 1, w->run_id);
	rc |= vt_store_bind_text(q, 2, ip);
	rc |= sqlite3_bind_int(q, 3, e->port);
	rc |= vt_store_bind_text(q, 4, vt_tel_class_name(e->cls));
	rc |= vt_store_bind_time(q, 5, e->first_us);
	rc |= vt_store_bind_time(q, 6, e->last_us);
	const uint64_t n[] = {e->packets, e->bytes, e->unique_dsts,
			      e->unique_24s, e->mirai_sig, e->mirai_orig,
			      e->npairs};
	for (int i = 0; i < 7; i++)
		rc |= vt_store_bind_u64(q, 7 + i, n[i]);
	rc |= e->rate >= 0 ? sqlite3_bind_double(q, 14, e->rate)
			   : sqlite3_bind_null(q, 14);
	rc |= sqlite3_bind_int(q, 15, e->scan);
	rc |= sqlite3_bind_int(q, 16, e->evicted);
	char sample[256], dst[VT_STORE_TXT_LEN];
	const vt_tel_sample *x = &e->sample;
	ip_text(x->dst, dst);
	snprintf(sample, sizeof(sample),
		 "{\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,\"seq\":%u,"
		 "\"ip_id\":%u,\"ttl\":%u,\"win\":%u,\"flags\":%u,\"len\":%u}",
		 dst, x->sport, x->dport, x->seq, x->ip_id, x->ttl, x->win,
		 x->flags, x->len);
	rc |= vt_store_bind_text(q, 17, sample);
	if (vt_store_bound_step(w->st, q, rc) != VT_OK)
		return VT_EDB;
	return vt_store_tx_rows(w->st, 1);
}

static int windows(vt_store_tel *w, const vt_tel *t, int days,
		   uint32_t len_s)
{
	size_t n;
	const vt_tel_window *win = vt_tel_windows(t, days, &n);
	sqlite3_stmt *q = w->s[W_WIN];
	for (size_t i = 0; i < n; i++) {
		int rc = sqlite3_bind_int64(q, 1, w->run_id);
		rc |= sqlite3_bind_int64(q, 2, len_s);
		rc |= vt_store_bind_u64(q, 3, win[i].start_us);
		const uint64_t v[] = {win[i].active[0], win[i].active[1],
				      win[i].newly[0], win[i].newly[1],
				      win[i].sig_packets, win[i].sig_23,
				      win[i].sig_2323};
		for (int j = 0; j < 7; j++)
			rc |= vt_store_bind_u64(q, 4 + j, v[j]);
		if (vt_store_bound_step(w->st, q, rc) != VT_OK ||
		    vt_store_tx_rows(w->st, 1) != VT_OK)
			return VT_EDB;
	}
	return VT_OK;
}

static int victims(vt_store_tel *w, const vt_tel *t)
{
	size_t n;
	const vt_tel_victim *v = vt_tel_victims(t, &n);
	sqlite3_stmt *q = w->s[W_VIC];
	for (size_t i = 0; i < n; i++) {
		char ip[VT_STORE_TXT_LEN];
		ip_text(v[i].ip, ip);
		int rc = sqlite3_bind_int64(q, 1, w->run_id);
		rc |= vt_store_bind_text(q, 2, ip);
		rc |= vt_store_bind_time(q, 3, v[i].first_us);
		rc |= vt_store_bind_time(q, 4, v[i].last_us);
		rc |= vt_store_bind_u64(q, 5, v[i].packets);
		rc |= vt_store_bind_u64(q, 6, v[i].tcp);
		rc |= vt_store_bind_u64(q, 7, v[i].icmp);
		rc |= sqlite3_bind_int(q, 8, v[i].top_proto);
		rc |= v[i].top_port ? sqlite3_bind_int(q, 9, v[i].top_port)
				    : sqlite3_bind_null(q, 9);
		if (vt_store_bound_step(w->st, q, rc) != VT_OK ||
		    vt_store_tx_rows(w->st, 1) != VT_OK)
			return VT_EDB;
	}
	return VT_OK;
}

int vt_store_tel_finish(vt_store_tel *w, const vt_tel *t,
			const char *prefixes, uint32_t window_s)
{
	if (vt_store_tx_begin(w->st))
		return VT_EDB;
	const vt_tel_stats *c = vt_tel_counters(t);
	sqlite3_stmt *q = w->s[W_RUN];
	int rc = sqlite3_bind_int64(q, 1, w->run_id);
	rc |= vt_store_bind_text(q, 2, prefixes);
	rc |= vt_tel_size(t) ? vt_store_bind_u64(q, 3, vt_tel_size(t))
			     : sqlite3_bind_null(q, 3);
	rc |= sqlite3_bind_int64(q, 4, vt_tel_k(t));
	rc |= sqlite3_bind_int64(q, 5, window_s);
	const uint64_t v[] = {c->packets, c->counted, c->outside, c->not_ipv4,
			      c->backscatter, c->mirai_sig, c->mirai_orig,
			      c->sources_evicted, c->events_evicted,
			      c->victims_dropped};
	for (int i = 0; i < 10; i++)
		rc |= vt_store_bind_u64(q, 6 + i, v[i]);
	if (vt_store_bound_step(w->st, q, rc) != VT_OK ||
	    windows(w, t, 0, window_s) || windows(w, t, 1, 86400) ||
	    victims(w, t))
		return VT_EDB;
	return vt_store_flush(w->st);
}
