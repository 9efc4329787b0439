/*
 * Reading devices back (vt_store_devices_load) as `vantage devices` shows
 * them: one vt_devrec per device that has a device_run row in the
 * selected runs, with counters summed over those runs, services merged by
 * (proto, port, role, scope), IP bindings merged by address and evidence
 * made distinct; the identification is the device row's, i.e. the latest
 * run's. Four queries (devices, services, IPs, evidence), each ordered by
 * device id, fill the records inside one read snapshot. The per-record
 * caps of devrec.h hold here too: the services with the most flows, the
 * addresses seen last and the first evidence in (signal, value, rule)
 * order are kept.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The records being built, in device id order (ids[i] is recs[i]'s). */
typedef struct loadset {
	vt_devrec *recs;
	int64_t *ids;
	size_t n, cap;
} loadset;

static void loadset_free(loadset *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		vt_devrec_cleanup(&ls->recs[i]);
	free(ls->recs);
	free(ls->ids);
	memset(ls, 0, sizeof(*ls));
}

static vt_devrec *loadset_add(loadset *ls, int64_t id)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		vt_devrec *r = realloc(ls->recs, cap * sizeof(*r));
		if (!r)
			return NULL;
		ls->recs = r;
		int64_t *ids = realloc(ls->ids, cap * sizeof(*ids));
		if (!ids)
			return NULL;
		ls->ids = ids;
		ls->cap = cap;
	}
	vt_devrec *d = &ls->recs[ls->n];
	memset(d, 0, sizeof(*d));
	ls->ids[ls->n++] = id;
	return d;
}

static vt_devrec *loadset_find(loadset *ls, int64_t id)
{
	size_t lo = 0, hi = ls->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ls->ids[mid] == id)
			return &ls->recs[mid];
		if (ls->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Returns arr (n elements) with room for one more, or NULL (arr intact)
 * when out of memory. Capacity doubles at powers of two, so it needs no
 * field of its own. */
static void *grow(void *arr, size_t n, size_t size)
{
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return arr;
	return realloc(arr, (n ? n * 2 : 4) * size);
}

static int bad_row(vt_store *st, int64_t id, const char *what)
{
	char msg[VT_ERRBUF_LEN];
	snprintf(msg, sizeof(msg), "device %lld: bad %s in the database",
		 (long long)id, what);
	return vt_store_error(st, VT_EFORMAT, msg);
}

static int parse_ip(const unsigned char *txt, uint8_t *ver, uint8_t *addr)
{
	const char *s = (const char *)txt;
	memset(addr, 0, 16);
	if (!s)
		return VT_EFORMAT;
	int v6 = strchr(s, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, s, addr) != 1)
		return VT_EFORMAT;
	*ver = v6 ? 6 : 4;
	return VT_OK;
}

/* A copy of a text column; NULL stays NULL. */
static int dup_col(sqlite3_stmt *s, int i, char **out)
{
	*out = NULL;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return VT_OK;
	const char *txt = (const char *)sqlite3_column_text(s, i);
	*out = txt ? strdup(txt) : NULL;
	return *out ? VT_OK : VT_ENOMEM;
}

static int dev_key(vt_store *st, sqlite3_stmt *s, int64_t id, vt_devrec *d)
{
	const unsigned char *mac = sqlite3_column_text(s, 1);
	if (mac) {
		d->has_mac = 1;
		if (vt_mac_parse((const char *)mac, d->mac))
			return bad_row(st, id, "mac");
		return VT_OK;
	}
	if (parse_ip(sqlite3_column_text(s, 2), &d->key_ipver, d->key_ip))
		return bad_row(st, id, "key_ip");
	return VT_OK;
}

static int dev_from_row(vt_store *st, sqlite3_stmt *s, vt_devrec *d)
{
	int64_t id = sqlite3_column_int64(s, 0);
	int rc = dev_key(st, s, id, d);
	if (rc)
		return rc;
	if (dup_col(s, 3, &d->vendor) || dup_col(s, 4, &d->type) ||
	    dup_col(s, 5, &d->model) || dup_col(s, 22, &d->os))
		return vt_store_error(st, VT_ENOMEM, "out of memory");
	d->confidence = sqlite3_column_double(s, 6);
	d->gateway = sqlite3_column_int(s, 7) != 0;
	d->randomized = sqlite3_column_int(s, 8) != 0;
	uint64_t *v[] = {
		&d->first_us,       &d->last_us,        &d->packets_sent,
		&d->bytes_sent,     &d->packets_recv,   &d->bytes_recv,
		&d->flows,          &d->local_flows,    &d->external_flows,
		&d->local_bytes,    &d->external_bytes, &d->external_peers,
		&d->services_dropped,
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		*v[i] = vt_store_col_u64(s, 9 + (int)i);
	return VT_OK;
}

static int load_devices(vt_store *st, loadset *ls, sqlite3_stmt *s)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		vt_devrec *d = loadset_add(ls, sqlite3_column_int64(s, 0));
		if (!d)
			return vt_store_error(st, VT_ENOMEM, "out of memory");
		int err = dev_from_row(st, s, d);
		if (err)
			return err;
	}
	return rc == SQLITE_DONE ? VT_OK : vt_store_fail(st);
}

static int svc_from_row(vt_store *st, sqlite3_stmt *s, vt_devrec *d)
{
	const char *proto = (const char *)sqlite3_column_text(s, 1);
	const char *role = (const char *)sqlite3_column_text(s, 3);
	const char *scope = (const char *)sqlite3_column_text(s, 4);
	if (!proto || !role || !scope)
		return bad_row(st, sqlite3_column_int64(s, 0), "service");
	if (d->n_services == 0) /* "over" repeats on each of its rows */
		d->services_dropped += vt_store_col_u64(s, 9);
	vt_service *arr = grow(d->services, d->n_services, sizeof(*arr));
	if (!arr)
		return vt_store_error(st, VT_ENOMEM, "out of memory");
	d->services = arr;
	vt_service *v = &arr[d->n_services++];
	memset(v, 0, sizeof(*v));
	v->proto = strcmp(proto, "tcp") == 0 ? 6 : 17;
	v->port = (uint16_t)sqlite3_column_int(s, 2);
	v->role = strcmp(role, "server") == 0 ? VT_ROLE_SERVER
					      : VT_ROLE_CLIENT;
	v->scope = strcmp(scope, "local") == 0 ? VT_SCOPE_LOCAL
					       : VT_SCOPE_EXTERNAL;
	v->flows = vt_store_col_u64(s, 5);
	v->bytes = vt_store_col_u64(s, 6);
	v->first_us = vt_store_col_u64(s, 7);
	v->last_us = vt_store_col_u64(s, 8);
	return VT_OK;
}

static int ip_from_row(vt_store *st, sqlite3_stmt *s, vt_devrec *d)
{
	vt_ipbind b = {0};
	if (parse_ip(sqlite3_column_text(s, 1), &b.ver, b.addr))
		return bad_row(st, sqlite3_column_int64(s, 0), "ip");
	b.sources = (uint32_t)sqlite3_column_int64(s, 2);
	b.first_us = vt_store_col_u64(s, 3);
	b.last_us = vt_store_col_u64(s, 4);
	vt_ipbind *arr = grow(d->ips, d->n_ips, sizeof(*arr));
	if (!arr)
		return vt_store_error(st, VT_ENOMEM, "out of memory");
	d->ips = arr;
	arr[d->n_ips++] = b;
	return VT_OK;
}

static int evi_from_row(vt_store *st, sqlite3_stmt *s, vt_devrec *d)
{
	int rc = vt_devrec_add_evidence(
		d, (const char *)sqlite3_column_text(s, 1),
		(const char *)sqlite3_column_text(s, 2),
		(const char *)sqlite3_column_text(s, 3));
	if (rc == VT_ENOMEM)
		return vt_store_error(st, rc, "out of memory");
	return VT_OK; /* VT_EFULL: the first VT_DEV_MAX_EVIDENCE are kept */
}

typedef int (*row_fn)(vt_store *st, sqlite3_stmt *s, vt_devrec *d);

/* Steps a per-device query, handing each row to its device's record. */
static int load_rows(vt_store *st, loadset *ls, sqlite3_stmt *s, row_fn fn)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		vt_devrec *d = loadset_find(ls, sqlite3_column_int64(s, 0));
		if (!d)
			continue; /* its device_run row is outside the runs */
		int err = fn(st, s, d);
		if (err)
			return err;
	}
	return rc == SQLITE_DONE ? VT_OK : vt_store_fail(st);
}

static int bind_runs(sqlite3_stmt *s, int64_t run_id, int cap)
{
	int rc = sqlite3_bind_int64(s, 1, run_id ? run_id : 1);
	rc |= sqlite3_bind_int64(s, 2, run_id ? run_id : INT64_MAX);
	if (cap)
		rc |= sqlite3_bind_int(s, 3, cap);
	return rc;
}

static int load_all(vt_store *st, loadset *ls, int64_t run_id)
{
	static const struct {
		enum vt_store_stmt stmt;
		int cap;
		row_fn fn;
	} q[] = {
		{S_LOAD_DEV, 0, NULL},
		{S_LOAD_SVC, VT_DEV_MAX_SERVICES, svc_from_row},
		{S_LOAD_IP, VT_DEV_MAX_IPS, ip_from_row},
		{S_LOAD_EVI, 0, evi_from_row},
	};
	int rc = VT_OK;
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]) && !rc; i++) {
		sqlite3_stmt *s = st->stmt[q[i].stmt];
		if (bind_runs(s, run_id, q[i].cap) != SQLITE_OK)
			rc = vt_store_fail(st);
		else if (q[i].fn)
			rc = load_rows(st, ls, s, q[i].fn);
		else
			rc = load_devices(st, ls, s);
		sqlite3_reset(s);
	}
	return rc;
}

int vt_store_devices_load(vt_store *st, int64_t run_id, vt_devrec **out,
			  size_t *n_out)
{
	if (!st || !out || !n_out || run_id < 0)
		return st ? vt_store_error(st, VT_EINVAL, "invalid argument")
			  : VT_EINVAL;
	*out = NULL;
	*n_out = 0;
	/* Inside the write batch the snapshot is the batch's (pending rows
	 * included); otherwise a read transaction makes it consistent. */
	int own = !st->in_tx;
	if (own && vt_store_exec(st, S_BEGIN_READ))
		return VT_EDB;
	loadset ls = {0};
	int rc = load_all(st, &ls, run_id);
	if (own) {
		int end = vt_store_exec(st, rc ? S_ROLLBACK : S_COMMIT);
		rc = rc ? rc : end;
	}
	vt_store_tx_sync(st);
	if (rc) {
		loadset_free(&ls);
		return rc;
	}
	vt_devrec_sort(ls.recs, ls.n);
	free(ls.ids);
	*out = ls.recs;
	*n_out = ls.n;
	return VT_OK;
}
