/*
 * Internals of the report's query module (rpt_build.c, rpt_devices.c,
 * rpt_net.c, rpt_derive.c). The selected runs live in a TEMP table
 * rpt_run(id, view) so every query joins on it.
 */
#ifndef VANTAGE_RPT_INT_H
#define VANTAGE_RPT_INT_H

#include <sqlite3.h>

#include "vantage/error.h"
#include "vantage/netreport.h"

typedef struct rpt_byid {
	int64_t id;
	size_t i; /* index into r->devices */
} rpt_byid;

typedef struct rpt_ctx {
	sqlite3 *db;
	rpt_byid *byid; /* sorted by id */
	vt_rpt *r;
	char *err; /* VT_ERRBUF_LEN */
	const char *device; /* --device filter, or NULL */
} rpt_ctx;

/* Fills err with SQLite's message and returns VT_EDB. */
int vt_rpt_dberr(rpt_ctx *c);
/* Prepares sql, or records the error (NULL). */
sqlite3_stmt *vt_rpt_prepare(rpt_ctx *c, const char *sql);
/* A copy of a text (or blob) column, NULL for NULL; *oom set on failure. */
char *vt_rpt_col_dup(sqlite3_stmt *s, int i, int *oom);
uint64_t vt_rpt_col_u64(sqlite3_stmt *s, int i);

/* The device with that id, or NULL. */
vt_rpt_device *vt_rpt_device_by_id(rpt_ctx *c, int64_t id);

int vt_rpt_load_devices(rpt_ctx *c);   /* rpt_devices.c */
int vt_rpt_load_ports(rpt_ctx *c);
int vt_rpt_load_services(rpt_ctx *c);  /* rpt_net.c */
int vt_rpt_load_types(rpt_ctx *c);
int vt_rpt_load_dists(rpt_ctx *c);
int vt_rpt_load_spec(rpt_ctx *c);
int vt_rpt_derive(vt_rpt *r);          /* rpt_derive.c */
int vt_rpt_load_mirai(rpt_ctx *c);     /* rpt_mirai.c */

/* The view of a (vantage, technique) pair, or -1. */
int vt_rpt_view_of(const char *vantage, const char *technique);

#endif
