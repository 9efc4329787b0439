/*
 * Building the report: the selected runs go into a TEMP table rpt_run(id,
 * view), then the per-device and per-network queries fill the model
 * inside one read transaction (a consistent snapshot while `read` or
 * `scan` may be writing), and the derived figures (ranks, shares,
 * correlations) are computed from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_int.h"

static const char *const view_keys[VT_VIEW_COUNT] = {
	"internal_active", "internal_passive", "external_active",
	"external_passive"};
static const char *const view_labels[VT_VIEW_COUNT] = {
	"internal active", "internal passive", "external active",
	"external passive"};

const double vt_rpt_quantiles[7] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1};

const char *vt_view_key(int v)
{
	return v >= 0 && v < VT_VIEW_COUNT ? view_keys[v] : "?";
}

const char *vt_view_label(int v)
{
	return v >= 0 && v < VT_VIEW_COUNT ? view_labels[v] : "?";
}

int vt_rpt_view_of(const char *vantage, const char *technique)
{
	if (!vantage || !technique)
		return -1;
	int ext = strcmp(vantage, "external") == 0;
	int act = strcmp(technique, "active") == 0;
	if ((!ext && strcmp(vantage, "internal")) ||
	    (!act && strcmp(technique, "passive")))
		return -1;
	return ext ? (act ? VT_VIEW_EXT_ACTIVE : VT_VIEW_EXT_PASSIVE)
		   : (act ? VT_VIEW_INT_ACTIVE : VT_VIEW_INT_PASSIVE);
}

int vt_rpt_dberr(rpt_ctx *c)
{
	snprintf(c->err, VT_ERRBUF_LEN, "%s", sqlite3_errmsg(c->db));
	return VT_EDB;
}

sqlite3_stmt *vt_rpt_prepare(rpt_ctx *c, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
		vt_rpt_dberr(c);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

char *vt_rpt_col_dup(sqlite3_stmt *s, int i, int *oom)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const char *t = (const char *)sqlite3_column_text(s, i);
	char *d = t ? strdup(t) : NULL;
	if (!d)
		*oom = 1;
	return d;
}

uint64_t vt_rpt_col_u64(sqlite3_stmt *s, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(s, i);
	return v < 0 ? 0 : (uint64_t)v;
}

vt_rpt_device *vt_rpt_device_by_id(rpt_ctx *c, int64_t id)
{
	size_t lo = 0, hi = c->r->n_devices;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->byid[mid].id == id)
			return &c->r->devices[c->byid[mid].i];
		if (c->byid[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int add_run(rpt_ctx *c, sqlite3_stmt *ins, int64_t id, int view)
{
	vt_rpt *r = c->r;
	int64_t *ids = realloc(r->run_ids, (r->n_runs + 1) * sizeof(*ids));
	if (!ids)
		return VT_ENOMEM;
	r->run_ids = ids;
	ids[r->n_runs++] = id;
	r->views[view].present = 1;
	r->views[view].runs++;
	sqlite3_bind_int64(ins, 1, id);
	sqlite3_bind_int(ins, 2, view);
	int rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? VT_OK : vt_rpt_dberr(c);
}

static int wanted(const vt_rpt_opts *o, int64_t id)
{
	if (!o->n_run_ids)
		return 1;
	for (size_t i = 0; i < o->n_run_ids; i++)
		if (o->run_ids[i] == id)
			return 1;
	return 0;
}

/* Every selected run id must exist; runs of no known view are skipped. */
static int select_runs(rpt_ctx *c, const vt_rpt_opts *o)
{
	if (sqlite3_exec(c->db,
			 "CREATE TEMP TABLE IF NOT EXISTS rpt_run(id INTEGER "
			 "PRIMARY KEY, view INTEGER NOT NULL);"
			 "DELETE FROM temp.rpt_run;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return vt_rpt_dberr(c);
	sqlite3_stmt *q = vt_rpt_prepare(
		c, "SELECT id, vantage, technique FROM run ORDER BY id");
	sqlite3_stmt *ins = vt_rpt_prepare(
		c, "INSERT INTO temp.rpt_run(id, view) VALUES (?1, ?2)");
	int rc = q && ins ? VT_OK : VT_EDB, step;
	size_t found = 0;
	while (rc == VT_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		if (!wanted(o, id))
			continue;
		found++;
		int v = vt_rpt_view_of((const char *)sqlite3_column_text(q, 1),
				       (const char *)sqlite3_column_text(q, 2));
		if (v >= 0)
			rc = add_run(c, ins, id, v);
	}
	if (rc == VT_OK && step != SQLITE_DONE)
		rc = vt_rpt_dberr(c);
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	if (rc == VT_OK && o->n_run_ids && found < o->n_run_ids) {
		for (size_t i = 0; i < o->n_run_ids; i++) {
			int hit = 0;
			for (size_t k = 0; k < c->r->n_runs; k++)
				hit |= c->r->run_ids[k] == o->run_ids[i];
			if (!hit) {
				snprintf(c->err, VT_ERRBUF_LEN,
					 "no run %lld in the store",
					 (long long)o->run_ids[i]);
				return VT_ENOTFOUND;
			}
		}
	}
	return rc;
}

static int view_devices(rpt_ctx *c)
{
	sqlite3_stmt *s = vt_rpt_prepare(
		c, "SELECT r.view, count(DISTINCT dr.device_id) FROM device_run "
		   "dr JOIN temp.rpt_run r ON r.id = dr.run_id GROUP BY r.view");
	if (!s)
		return VT_EDB;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int v = sqlite3_column_int(s, 0);
		if (v >= 0 && v < VT_VIEW_COUNT)
			c->r->views[v].devices = vt_rpt_col_u64(s, 1);
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? VT_OK : vt_rpt_dberr(c);
}

static int build(rpt_ctx *c, const vt_rpt_opts *o)
{
	int rc = select_runs(c, o);
	if (!rc)
		rc = view_devices(c);
	if (!rc)
		rc = vt_rpt_load_devices(c);
	if (!rc && c->device && c->r->n_selected == 0) {
		snprintf(c->err, VT_ERRBUF_LEN,
			 "no device %s in the selected runs", c->device);
		rc = VT_ENOTFOUND;
	}
	if (!rc)
		rc = vt_rpt_load_ports(c);
	if (!rc)
		rc = vt_rpt_load_services(c);
	if (!rc)
		rc = vt_rpt_load_types(c);
	if (!rc)
		rc = vt_rpt_load_dists(c);
	if (!rc)
		rc = vt_rpt_load_spec(c);
	if (!rc)
		rc = vt_rpt_derive(c->r);
	if (!rc && o->mirai)
		rc = vt_rpt_load_mirai(c);
	if (rc == VT_ENOMEM)
		snprintf(c->err, VT_ERRBUF_LEN, "out of memory");
	return rc;
}

int vt_rpt_build(vt_store *st, const vt_rpt_opts *o, vt_rpt **out,
		 char *errbuf)
{
	static const vt_rpt_opts none = {0};
	*out = NULL;
	errbuf[0] = '\0';
	if (!o)
		o = &none;
	if (vt_store_flush(st) != VT_OK) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s", vt_store_errmsg(st));
		return VT_EDB;
	}
	rpt_ctx c = {.db = vt_store_sqlite(st), .err = errbuf,
		     .device = o->device};
	c.r = calloc(1, sizeof(*c.r));
	if (!c.r) {
		snprintf(errbuf, VT_ERRBUF_LEN, "out of memory");
		return VT_ENOMEM;
	}
	int rc = sqlite3_exec(c.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
			 ? build(&c, o)
			 : vt_rpt_dberr(&c);
	if (!sqlite3_get_autocommit(c.db))
		sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
	sqlite3_exec(c.db, "DROP TABLE IF EXISTS temp.rpt_run", NULL, NULL,
		     NULL);
	free(c.byid);
	if (rc != VT_OK) {
		vt_rpt_free(c.r);
		return rc;
	}
	*out = c.r;
	return VT_OK;
}

static void device_free(vt_rpt_device *d)
{
	for (size_t i = 0; i < d->n_ports; i++) {
		free(d->ports[i].state_int);
		free(d->ports[i].state_ext);
		free(d->ports[i].label);
	}
	free(d->ports);
	free(d->key);
	free(d->ip);
	free(d->vendor);
	free(d->type);
	free(d->model);
	free(d->hostname);
}

void vt_rpt_free(vt_rpt *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_devices; i++)
		device_free(&r->devices[i]);
	free(r->devices);
	for (size_t i = 0; i < r->n_types; i++)
		free(r->types[i].type);
	free(r->types);
	free(r->services);
	for (int v = 0; v < VT_VIEW_COUNT; v++)
		free(r->spec[v].ports);
	free(r->run_ids);
	vt_rpt_mirai_free(r->mirai);
	free(r);
}
