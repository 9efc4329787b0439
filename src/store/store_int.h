/*
 * Internals shared by the store's files (src/store/): the handle, the
 * table of prepared statements and the helpers for stepping, binding and
 * batching. Not part of the public API.
 */
#ifndef VANTAGE_STORE_INT_H
#define VANTAGE_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "vantage/error.h"
#include "vantage/store.h"

#define VT_STORE_BUSY_MS 5000        /* wait this long for another writer */
#define VT_STORE_APP_ID 0x56544442   /* PRAGMA application_id: "VTDB" */
#define VT_STORE_TXT_LEN 64          /* an IP or MAC as text, with NUL */

/* Every statement the store runs, prepared once at open (statements.c). */
enum vt_store_stmt {
	S_BEGIN,       /* BEGIN IMMEDIATE: the write batch */
	S_BEGIN_READ,  /* BEGIN: a consistent snapshot for loading */
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,   /* one device's rows are written atomically */
	S_RELEASE,
	S_ROLLBACK_TO,
	S_RUN_BEGIN,
	S_RUN_END,
	S_FLOW,
	S_DEV_BY_MAC,
	S_DEV_BY_IP,
	S_DEVRUN,
	S_DEL_IP,
	S_DEL_SVC,
	S_DEL_EVI,
	S_DEL_SIG,
	S_SIG,
	S_IP,
	S_SVC,
	S_EVI,
	S_LOAD_DEV,
	S_LOAD_SVC,
	S_LOAD_IP,
	S_LOAD_EVI,
	S__COUNT
};

extern const char *const vt_store_sql[S__COUNT];

struct vt_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S__COUNT]; /* all prepared once open succeeds */
	int ready;                    /* open completed */
	int in_tx;                    /* a write transaction is open */
	size_t pending;               /* rows written in the open transaction */
	char err[VT_ERRBUF_LEN];      /* the last error, for vt_store_errmsg */
	/* ip_a, ip_b, mac_a, mac_b of the flow being inserted; bound
	 * SQLITE_STATIC, so they must live as long as the statement. */
	char flow_txt[4][VT_STORE_TXT_LEN];
};

/* Copies sqlite3_errmsg into st->err and returns VT_EDB. */
int vt_store_fail(vt_store *st);
/* Sets st->err to msg and returns err. */
int vt_store_error(vt_store *st, int err, const char *msg);
/* Steps s to completion and resets it: VT_OK or VT_EDB. */
int vt_store_step(vt_store *st, sqlite3_stmt *s);
/* Steps a statement whose binders returned bind_rc (OR-ed); on failure
 * records the error and notices a transaction SQLite rolled back. */
int vt_store_bound_step(vt_store *st, sqlite3_stmt *s, int bind_rc);
/* Runs a statement without parameters (BEGIN, COMMIT, ...). */
int vt_store_exec(vt_store *st, enum vt_store_stmt which);

/* Opens the write transaction if none is open. */
int vt_store_tx_begin(vt_store *st);
/* Commits the open write transaction, if any. */
int vt_store_tx_commit(vt_store *st);
/* Counts rows written; commits when the batch is full. */
int vt_store_tx_rows(vt_store *st, size_t rows);
/* After an error: SQLite may have rolled the transaction back itself. */
void vt_store_tx_sync(vt_store *st);

/*
 * Binders; each returns an SQLite result code. Unsigned counters are
 * clamped to INT64_MAX; a time of 0 (unknown) is stored as NULL; a NULL
 * string as NULL. Text is copied (SQLITE_TRANSIENT).
 */
int vt_store_bind_u64(sqlite3_stmt *s, int i, uint64_t v);
int vt_store_bind_time(sqlite3_stmt *s, int i, uint64_t us);
int vt_store_bind_text(sqlite3_stmt *s, int i, const char *txt);

/* Column readers: NULL and negative values read as 0. */
uint64_t vt_store_col_u64(sqlite3_stmt *s, int i);

/*
 * Checks the file's schema version and application id, sets the
 * connection's pragmas and creates or migrates the schema. On failure
 * fills errbuf with "path: reason".
 */
int vt_store_schema_open(sqlite3 *db, const char *path, char *errbuf);

#endif
