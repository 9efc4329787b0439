/*
 * The SQLite store (include/vantage/store.h): opening and closing,
 * transactions and batching, runs and flows. One write transaction stays
 * open while rows arrive and is committed every VT_STORE_BATCH rows, on
 * vt_store_flush, at run end and on close; with WAL and synchronous=NORMAL
 * a commit survives a killed process without an fsync per batch. Every
 * statement is prepared once, at open (statements.c), which also proves
 * the file's schema is the one this build expects. Devices are written by
 * store_dev.c and read back by store_load.c; schema.c owns the schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int vt_store_fail(vt_store *st)
{
	snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
	return VT_EDB;
}

int vt_store_error(vt_store *st, int err, const char *msg)
{
	snprintf(st->err, sizeof(st->err), "%s", msg);
	return err;
}

int vt_store_step(vt_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		vt_store_fail(st);
		sqlite3_reset(s);
		return VT_EDB;
	}
	sqlite3_reset(s);
	return VT_OK;
}

int vt_store_bound_step(vt_store *st, sqlite3_stmt *s, int bind_rc)
{
	if (bind_rc != SQLITE_OK) {
		vt_store_fail(st);
		vt_store_tx_sync(st);
		return VT_EDB;
	}
	if (vt_store_step(st, s)) {
		vt_store_tx_sync(st);
		return VT_EDB;
	}
	return VT_OK;
}

int vt_store_exec(vt_store *st, enum vt_store_stmt which)
{
	return vt_store_step(st, st->stmt[which]);
}

void vt_store_tx_sync(vt_store *st)
{
	if (st->in_tx && sqlite3_get_autocommit(st->db)) {
		st->in_tx = 0;
		st->pending = 0;
	}
}

int vt_store_tx_begin(vt_store *st)
{
	if (st->in_tx)
		return VT_OK;
	if (vt_store_exec(st, S_BEGIN))
		return VT_EDB;
	st->in_tx = 1;
	st->pending = 0;
	return VT_OK;
}

int vt_store_tx_commit(vt_store *st)
{
	if (!st->in_tx)
		return VT_OK;
	if (vt_store_exec(st, S_COMMIT)) {
		/* A busy COMMIT leaves the transaction open to retry. */
		vt_store_tx_sync(st);
		return VT_EDB;
	}
	st->in_tx = 0;
	st->pending = 0;
	return VT_OK;
}

int vt_store_tx_rows(vt_store *st, size_t rows)
{
	st->pending += rows;
	if (st->pending >= VT_STORE_BATCH)
		return vt_store_tx_commit(st);
	return VT_OK;
}

int vt_store_bind_u64(sqlite3_stmt *s, int i, uint64_t v)
{
	sqlite3_int64 x = v > INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
	return sqlite3_bind_int64(s, i, x);
}

int vt_store_bind_time(sqlite3_stmt *s, int i, uint64_t us)
{
	if (us == 0)
		return sqlite3_bind_null(s, i);
	return vt_store_bind_u64(s, i, us);
}

int vt_store_bind_text(sqlite3_stmt *s, int i, const char *txt)
{
	if (!txt)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, txt, -1, SQLITE_TRANSIENT);
}

uint64_t vt_store_col_u64(sqlite3_stmt *s, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(s, i);
	return v < 0 ? 0 : (uint64_t)v;
}

/* vt_bitor(x): the bitwise OR of a group, for merging binding sources. */
static void bitor_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_int64 *acc = sqlite3_aggregate_context(ctx, sizeof(*acc));
	(void)argc;
	if (!acc) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	*acc |= sqlite3_value_int64(argv[0]);
}

static void bitor_final(sqlite3_context *ctx)
{
	sqlite3_int64 *acc = sqlite3_aggregate_context(ctx, 0);
	sqlite3_result_int64(ctx, acc ? *acc : 0);
}

static int db_connect(vt_store *st, const char *path, char *errbuf)
{
	/* NOMUTEX: a vt_store belongs to one thread (store.h). */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(st->db, 1);
		rc = sqlite3_busy_timeout(st->db, VT_STORE_BUSY_MS);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(
			st->db, "vt_bitor", 1,
			SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
			NULL, NULL, bitor_step, bitor_final);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		return VT_EDB;
	}
	return VT_OK;
}

static int prepare_all(vt_store *st, const char *path, char *errbuf)
{
	for (int i = 0; i < S__COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, vt_store_sql[i], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", path,
				 sqlite3_errmsg(st->db));
			return VT_EDB;
		}
	}
	return VT_OK;
}

vt_store *vt_store_open(const char *path, char *errbuf)
{
	if (!errbuf)
		return NULL;
	if (!path || !*path) {
		snprintf(errbuf, VT_ERRBUF_LEN, "no database path");
		return NULL;
	}
	errbuf[0] = '\0';
	vt_store *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: out of memory", path);
		return NULL;
	}
	if (db_connect(st, path, errbuf) ||
	    vt_store_schema_open(st->db, path, errbuf) ||
	    prepare_all(st, path, errbuf)) {
		vt_store_close(st);
		return NULL;
	}
	st->ready = 1;
	snprintf(st->err, sizeof(st->err), "no error");
	return st;
}

void vt_store_close(vt_store *st)
{
	if (!st)
		return;
	if (st->ready) {
		(void)vt_store_tx_commit(st);
		/* Keeps planner statistics current; bounded work per table. */
		sqlite3_exec(st->db, "PRAGMA analysis_limit = 400;"
				     "PRAGMA optimize;", NULL, NULL, NULL);
	}
	for (int i = 0; i < S__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* An uncommitted transaction (a failed COMMIT) is rolled back. */
	sqlite3_close(st->db);
	free(st);
}

sqlite3 *vt_store_sqlite(vt_store *st)
{
	return st ? st->db : NULL;
}

const char *vt_store_errmsg(const vt_store *st)
{
	return st ? st->err : "no store";
}

int vt_store_flush(vt_store *st)
{
	if (!st)
		return VT_EINVAL;
	return vt_store_tx_commit(st);
}

static int bind_run(sqlite3_stmt *s, const vt_run_info *ri)
{
	int rc = vt_store_bind_text(s, 1, ri->command);
	rc |= vt_store_bind_text(s, 2, ri->args);
	rc |= vt_store_bind_time(s, 3, ri->started_us);
	rc |= vt_store_bind_text(s, 4, ri->vantage);
	rc |= vt_store_bind_text(s, 5, ri->technique);
	rc |= vt_store_bind_text(s, 6, ri->source);
	return rc;
}

/* The run row is committed at once, so even a killed run leaves one. */
int vt_store_run_begin(vt_store *st, const vt_run_info *ri, int64_t *run_id)
{
	if (!st || !ri || !ri->command || !run_id)
		return st ? vt_store_error(st, VT_EINVAL, "invalid argument")
			  : VT_EINVAL;
	*run_id = 0;
	if (vt_store_tx_begin(st))
		return VT_EDB;
	sqlite3_stmt *s = st->stmt[S_RUN_BEGIN];
	if (vt_store_bound_step(st, s, bind_run(s, ri)))
		return VT_EDB;
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if (vt_store_tx_commit(st))
		return VT_EDB;
	*run_id = id;
	return VT_OK;
}

int vt_store_run_end(vt_store *st, int64_t run_id, uint64_t ended_us,
		     uint64_t packets, const char *status)
{
	if (!st || run_id <= 0 || !status)
		return st ? vt_store_error(st, VT_EINVAL, "invalid argument")
			  : VT_EINVAL;
	if (vt_store_tx_begin(st))
		return VT_EDB;
	sqlite3_stmt *s = st->stmt[S_RUN_END];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= vt_store_bind_time(s, 2, ended_us);
	rc |= vt_store_bind_u64(s, 3, packets);
	rc |= vt_store_bind_text(s, 4, status);
	if (vt_store_bound_step(st, s, rc))
		return VT_EDB;
	int found = sqlite3_changes(st->db) > 0;
	if (vt_store_tx_commit(st))
		return VT_EDB;
	if (!found)
		return vt_store_error(st, VT_ENOTFOUND, "no such run");
	return VT_OK;
}

/* inet_ntop's IPv4 form without its sprintf: this runs twice per flow. */
static void ip4_text(const uint8_t *a, char *out)
{
	char *p = out;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
}

static void ip_text(uint8_t ver, const uint8_t *addr, char *out, size_t len)
{
	if (ver == 4)
		ip4_text(addr, out);
	else
		vt_ip_format(ver, addr, out, len);
}

/* Text is bound SQLITE_STATIC from st->flow_txt, which outlives the step:
 * no copy per row, the hot path of a capture. */
static int bind_flow(vt_store *st, sqlite3_stmt *s, int64_t run_id,
		     const vt_flow_rec *f)
{
	char(*t)[VT_STORE_TXT_LEN] = st->flow_txt;
	ip_text(f->ipver, f->ip_a, t[0], sizeof(t[0]));
	ip_text(f->ipver, f->ip_b, t[1], sizeof(t[1]));
	if (f->has_mac_a)
		vt_mac_format(f->mac_a, t[2]);
	if (f->has_mac_b)
		vt_mac_format(f->mac_b, t[3]);
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= sqlite3_bind_int(s, 2, f->proto);
	rc |= sqlite3_bind_text(s, 3, t[0], -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int(s, 4, f->port_a);
	rc |= sqlite3_bind_text(s, 5, t[1], -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int(s, 6, f->port_b);
	rc |= f->has_mac_a ? sqlite3_bind_text(s, 7, t[2], -1, SQLITE_STATIC)
			   : sqlite3_bind_null(s, 7);
	rc |= f->has_mac_b ? sqlite3_bind_text(s, 8, t[3], -1, SQLITE_STATIC)
			   : sqlite3_bind_null(s, 8);
	rc |= sqlite3_bind_text(s, 9, f->scope == VT_SCOPE_LOCAL ? "local"
							       : "external",
				-1, SQLITE_STATIC);
	rc |= vt_store_bind_time(s, 10, f->first_us);
	rc |= vt_store_bind_time(s, 11, f->last_us);
	rc |= vt_store_bind_u64(s, 12, f->packets_ab);
	rc |= vt_store_bind_u64(s, 13, f->bytes_ab);
	rc |= vt_store_bind_u64(s, 14, f->packets_ba);
	rc |= vt_store_bind_u64(s, 15, f->bytes_ba);
	return rc;
}

int vt_store_flow_add(vt_store *st, int64_t run_id, const vt_flow_rec *f)
{
	if (!st || !f || run_id <= 0 || (f->ipver != 4 && f->ipver != 6) ||
	    (f->scope != VT_SCOPE_LOCAL && f->scope != VT_SCOPE_EXTERNAL))
		return st ? vt_store_error(st, VT_EINVAL, "invalid argument")
			  : VT_EINVAL;
	if (vt_store_tx_begin(st))
		return VT_EDB;
	sqlite3_stmt *s = st->stmt[S_FLOW];
	if (vt_store_bound_step(st, s, bind_flow(st, s, run_id, f)))
		return VT_EDB;
	return vt_store_tx_rows(st, 1);
}
