/*
 * Writing one device's record for a run (vt_store_device_put): the device
 * row is upserted by its key (MAC, or IP when there is no link layer) and
 * takes the identification when the run is at least as recent as the one
 * it has; the run's counters, IP bindings, passive services and evidence
 * replace whatever an earlier put of the same device in the same run
 * wrote, so the caller may put a device again as it learns more. Each put
 * is a savepoint inside the open batch: a failure leaves none of its rows.
 */
#include <stdio.h>

#include "store_int.h"

static int bind_key(sqlite3_stmt *s, const vt_devrec *d)
{
	char key[64];
	if (d->has_mac) {
		vt_mac_format(d->mac, key);
		return vt_store_bind_text(s, 1, key) |
		       sqlite3_bind_null(s, 2);
	}
	vt_ip_format(d->key_ipver, d->key_ip, key, sizeof(key));
	return sqlite3_bind_null(s, 1) | vt_store_bind_text(s, 2, key);
}

static int upsert_device(vt_store *st, int64_t run_id, const vt_devrec *d,
			 int64_t *dev_id)
{
	sqlite3_stmt *s = st->stmt[d->has_mac ? S_DEV_BY_MAC : S_DEV_BY_IP];
	int rc = bind_key(s, d);
	rc |= vt_store_bind_text(s, 3, d->vendor);
	rc |= vt_store_bind_text(s, 4, d->type);
	rc |= vt_store_bind_text(s, 5, d->model);
	rc |= sqlite3_bind_double(s, 6, d->confidence);
	rc |= sqlite3_bind_int(s, 7, d->gateway != 0);
	rc |= sqlite3_bind_int(s, 8, d->randomized != 0);
	rc |= vt_store_bind_time(s, 9, d->first_us);
	rc |= vt_store_bind_time(s, 10, d->last_us);
	rc |= sqlite3_bind_int64(s, 11, run_id);
	rc |= vt_store_bind_text(s, 12, d->os);
	if (rc != SQLITE_OK)
		return vt_store_fail(st);
	/* RETURNING id: the row is written by the first step. */
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		vt_store_fail(st);
		sqlite3_reset(s);
		return VT_EDB;
	}
	*dev_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return VT_OK;
}

static int put_counters(vt_store *st, int64_t dev_id, int64_t run_id,
			const vt_devrec *d)
{
	sqlite3_stmt *s = st->stmt[S_DEVRUN];
	const uint64_t v[] = {
		d->packets_sent,   d->bytes_sent,     d->packets_recv,
		d->bytes_recv,     d->flows,          d->local_flows,
		d->external_flows, d->local_bytes,    d->external_bytes,
		d->external_peers, d->services_dropped,
	};
	int rc = sqlite3_bind_int64(s, 1, dev_id);
	rc |= sqlite3_bind_int64(s, 2, run_id);
	int i = 3;
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
		rc |= vt_store_bind_u64(s, i++, v[k]);
	rc |= vt_store_bind_time(s, i++, d->first_us);
	rc |= vt_store_bind_time(s, i, d->last_us);
	return vt_store_bound_step(st, s, rc);
}

/* Removes what an earlier put of this device in this run wrote. */
static int clear_run_rows(vt_store *st, int64_t dev_id, int64_t run_id)
{
	static const enum vt_store_stmt del[] = {S_DEL_IP, S_DEL_SVC,
						 S_DEL_EVI, S_DEL_SIG};
	for (size_t i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		sqlite3_stmt *s = st->stmt[del[i]];
		int rc = sqlite3_bind_int64(s, 1, dev_id) |
			 sqlite3_bind_int64(s, 2, run_id);
		if (vt_store_bound_step(st, s, rc))
			return VT_EDB;
	}
	return VT_OK;
}

static int put_ips(vt_store *st, int64_t dev_id, int64_t run_id,
		   const vt_devrec *d)
{
	sqlite3_stmt *s = st->stmt[S_IP];
	for (size_t i = 0; i < d->n_ips; i++) {
		const vt_ipbind *b = &d->ips[i];
		char ip[64];
		if (b->ver != 4 && b->ver != 6)
			return vt_store_error(st, VT_EINVAL,
					      "IP binding of unknown version");
		vt_ip_format(b->ver, b->addr, ip, sizeof(ip));
		int rc = sqlite3_bind_int64(s, 1, dev_id);
		rc |= sqlite3_bind_int64(s, 2, run_id);
		rc |= vt_store_bind_text(s, 3, ip);
		rc |= sqlite3_bind_int64(s, 4, b->sources);
		rc |= vt_store_bind_time(s, 5, b->first_us);
		rc |= vt_store_bind_time(s, 6, b->last_us);
		if (vt_store_bound_step(st, s, rc))
			return VT_EDB;
	}
	return VT_OK;
}

static const char *proto_name(uint8_t proto)
{
	if (proto == 6)
		return "tcp";
	return proto == 17 ? "udp" : NULL;
}

static int put_services(vt_store *st, int64_t dev_id, int64_t run_id,
			const vt_devrec *d)
{
	sqlite3_stmt *s = st->stmt[S_SVC];
	for (size_t i = 0; i < d->n_services; i++) {
		const vt_service *v = &d->services[i];
		const char *proto = proto_name(v->proto);
		if (!proto || v->role > VT_ROLE_SERVER ||
		    v->scope > VT_SCOPE_EXTERNAL || v->technique > VT_TECH_ACTIVE)
			return vt_store_error(st, VT_EINVAL,
					      "service with bad proto/role/scope");
		int rc = sqlite3_bind_int64(s, 1, dev_id);
		rc |= sqlite3_bind_int64(s, 2, run_id);
		rc |= vt_store_bind_text(s, 3, proto);
		rc |= sqlite3_bind_int(s, 4, v->port);
		rc |= vt_store_bind_text(
			s, 5, v->role == VT_ROLE_SERVER ? "server" : "client");
		rc |= vt_store_bind_text(
			s, 6, v->scope == VT_SCOPE_LOCAL ? "local" : "external");
		rc |= vt_store_bind_u64(s, 7, v->flows);
		rc |= vt_store_bind_u64(s, 8, v->bytes);
		rc |= vt_store_bind_time(s, 9, v->first_us);
		rc |= vt_store_bind_time(s, 10, v->last_us);
		rc |= vt_store_bind_text(
			s, 11, v->technique == VT_TECH_ACTIVE ? "active" : "passive");
		if (vt_store_bound_step(st, s, rc))
			return VT_EDB;
	}
	return VT_OK;
}

static int put_evidence(vt_store *st, int64_t dev_id, int64_t run_id,
			const vt_devrec *d)
{
	sqlite3_stmt *s = st->stmt[S_EVI];
	for (size_t i = 0; i < d->n_evidence; i++) {
		const vt_evidence *e = &d->evidence[i];
		int rc = sqlite3_bind_int64(s, 1, dev_id);
		rc |= sqlite3_bind_int64(s, 2, run_id);
		rc |= vt_store_bind_text(s, 3, e->signal ? e->signal : "");
		rc |= vt_store_bind_text(s, 4, e->value ? e->value : "");
		rc |= vt_store_bind_text(s, 5, e->rule ? e->rule : "");
		if (vt_store_bound_step(st, s, rc))
			return VT_EDB;
	}
	return VT_OK;
}

static int put_signals(vt_store *st, int64_t dev_id, int64_t run_id,
		       const vt_devrec *d)
{
	sqlite3_stmt *s = st->stmt[S_SIG];
	for (size_t i = 0; i < d->n_signals; i++) {
		const vt_signal *g = &d->signals[i];
		int rc = sqlite3_bind_int64(s, 1, dev_id);
		rc |= sqlite3_bind_int64(s, 2, run_id);
		rc |= vt_store_bind_text(s, 3, g->name);
		rc |= sqlite3_bind_blob(s, 4, g->value, (int)g->len, SQLITE_STATIC);
		rc |= vt_store_bind_u64(s, 5, g->count);
		rc |= vt_store_bind_time(s, 6, g->first_us);
		rc |= vt_store_bind_time(s, 7, g->last_us);
		if (vt_store_bound_step(st, s, rc))
			return VT_EDB;
	}
	return VT_OK;
}

static int put_rows(vt_store *st, int64_t run_id, const vt_devrec *d)
{
	int64_t dev_id = 0;
	int rc = upsert_device(st, run_id, d, &dev_id);
	if (!rc)
		rc = put_counters(st, dev_id, run_id, d);
	if (!rc)
		rc = clear_run_rows(st, dev_id, run_id);
	if (!rc)
		rc = put_ips(st, dev_id, run_id, d);
	if (!rc)
		rc = put_services(st, dev_id, run_id, d);
	if (!rc)
		rc = put_evidence(st, dev_id, run_id, d);
	if (!rc)
		rc = put_signals(st, dev_id, run_id, d);
	return rc;
}

/* Undoes a failed put; the error message stays the put's. */
static void undo_put(vt_store *st)
{
	vt_store_tx_sync(st);
	if (!st->in_tx)
		return; /* SQLite already rolled the whole batch back */
	if (sqlite3_step(st->stmt[S_ROLLBACK_TO]) == SQLITE_DONE)
		sqlite3_step(st->stmt[S_RELEASE]);
	sqlite3_reset(st->stmt[S_ROLLBACK_TO]);
	sqlite3_reset(st->stmt[S_RELEASE]);
	vt_store_tx_sync(st);
}

static int valid_key(const vt_devrec *d)
{
	return d->has_mac || d->key_ipver == 4 || d->key_ipver == 6;
}

int vt_store_device_put(vt_store *st, int64_t run_id, const vt_devrec *d)
{
	if (!st || !d || run_id <= 0 || !valid_key(d) ||
	    (d->n_ips && !d->ips) || (d->n_services && !d->services) ||
	    (d->n_evidence && !d->evidence))
		return st ? vt_store_error(st, VT_EINVAL, "invalid argument")
			  : VT_EINVAL;
	if (vt_store_tx_begin(st) || vt_store_exec(st, S_SAVEPOINT)) {
		vt_store_tx_sync(st);
		return VT_EDB;
	}
	int rc = put_rows(st, run_id, d);
	if (!rc && vt_store_exec(st, S_RELEASE))
		rc = VT_EDB;
	if (rc) {
		undo_put(st);
		return rc;
	}
	return vt_store_tx_rows(st, 2 + d->n_ips + d->n_services +
					    d->n_evidence);
}
