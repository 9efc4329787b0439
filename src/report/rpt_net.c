/*
 * The per-network queries of the report: for each view, the (proto, port)
 * services and how many devices offer (active views) or use (passive
 * views, any role) each; device types per view and, in the internal
 * passive view, how many of each type talk to external hosts; the bytes
 * per flow of local and external flows (quantiles and a CDF, read in one
 * sorted pass so no flow is held in memory); and the vendors and types
 * behind each local port.
 *
 * The flow table has no index on run_id on purpose (schema.c): the
 * queries scan it once and probe the small rpt_run table, which costs the
 * same as building the index would.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_int.h"

/* Active rows in active views, passive rows in passive views. */
#define TECH_MATCHES \
	" s.technique = CASE WHEN r.view IN (0, 2) THEN 'active'" \
	" ELSE 'passive' END AND (s.technique = 'passive' OR s.role = 'server')"

static const char services_sql[] =
	"SELECT r.view, s.proto, s.port, count(DISTINCT s.device_id)"
	" FROM service s JOIN temp.rpt_run r ON r.id = s.run_id WHERE"
	TECH_MATCHES " GROUP BY r.view, s.proto, s.port"
	" ORDER BY s.proto, s.port";

static uint8_t proto_num(const unsigned char *t)
{
	return t && strcmp((const char *)t, "udp") == 0 ? 17 : 6;
}

int vt_rpt_load_services(rpt_ctx *c)
{
	vt_rpt *r = c->r;
	sqlite3_stmt *s = vt_rpt_prepare(c, services_sql);
	if (!s)
		return VT_EDB;
	size_t cap = 0;
	int rc = VT_OK, step;
	while (rc == VT_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int v = sqlite3_column_int(s, 0);
		uint8_t proto = proto_num(sqlite3_column_text(s, 1));
		uint16_t port = (uint16_t)sqlite3_column_int(s, 2);
		vt_rpt_service *sv = r->n_services ? &r->services[r->n_services - 1]
						   : NULL;
		if (!sv || sv->proto != proto || sv->port != port) {
			if (r->n_services == VT_RPT_MAX_SERVICES) {
				r->dropped++;
				continue;
			}
			if (r->n_services == cap) {
				cap = cap ? cap * 2 : 64;
				vt_rpt_service *ns =
					realloc(r->services, cap * sizeof(*ns));
				if (!ns) {
					rc = VT_ENOMEM;
					break;
				}
				r->services = ns;
			}
			sv = &r->services[r->n_services++];
			memset(sv, 0, sizeof(*sv));
			sv->proto = proto;
			sv->port = port;
		}
		if (v >= 0 && v < VT_VIEW_COUNT)
			sv->devices[v] = (size_t)vt_rpt_col_u64(s, 3);
	}
	if (rc == VT_OK && step != SQLITE_DONE)
		rc = vt_rpt_dberr(c);
	sqlite3_finalize(s);
	return rc;
}

static const char types_sql[] =
	"SELECT r.view, coalesce(d.type, 'unknown') AS t,"
	" count(DISTINCT d.id) FROM device d JOIN device_run dr"
	" ON dr.device_id = d.id JOIN temp.rpt_run r ON r.id = dr.run_id"
	" GROUP BY r.view, t ORDER BY t";

/* Per type, in the internal passive view: devices, and those with an
 * external flow. */
static const char talkers_sql[] =
	"SELECT t, count(*), sum(x > 0) FROM (SELECT coalesce(d.type,"
	" 'unknown') AS t, sum(dr.external_flows) AS x FROM device d"
	" JOIN device_run dr ON dr.device_id = d.id JOIN temp.rpt_run r"
	" ON r.id = dr.run_id WHERE r.view = 1 GROUP BY d.id) GROUP BY t";

static vt_rpt_type *type_get(vt_rpt *r, const char *name, int *oom)
{
	for (size_t i = 0; i < r->n_types; i++)
		if (strcmp(r->types[i].type, name) == 0)
			return &r->types[i];
	vt_rpt_type *nt = realloc(r->types, (r->n_types + 1) * sizeof(*nt));
	if (!nt) {
		*oom = 1;
		return NULL;
	}
	r->types = nt;
	vt_rpt_type *t = &nt[r->n_types];
	memset(t, 0, sizeof(*t));
	t->type = strdup(name);
	if (!t->type) {
		*oom = 1;
		return NULL;
	}
	r->n_types++;
	return t;
}

static int cmp_type(const void *a, const void *b)
{
	return strcmp(((const vt_rpt_type *)a)->type,
		      ((const vt_rpt_type *)b)->type);
}

int vt_rpt_load_types(rpt_ctx *c)
{
	int oom = 0, step = SQLITE_DONE;
	for (int pass = 0; pass < 2 && !oom; pass++) {
		sqlite3_stmt *s = vt_rpt_prepare(c, pass ? talkers_sql : types_sql);
		if (!s)
			return VT_EDB;
		while (!oom && (step = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name =
				(const char *)sqlite3_column_text(s, pass ? 0 : 1);
			vt_rpt_type *t = type_get(c->r, name ? name : "unknown", &oom);
			if (!t)
				break;
			if (pass) {
				t->passive_devices = (size_t)vt_rpt_col_u64(s, 1);
				t->external_talkers = (size_t)vt_rpt_col_u64(s, 2);
			} else {
				int v = sqlite3_column_int(s, 0);
				if (v >= 0 && v < VT_VIEW_COUNT)
					t->devices[v] = (size_t)vt_rpt_col_u64(s, 2);
			}
		}
		sqlite3_finalize(s);
		if (!oom && step != SQLITE_DONE)
			return vt_rpt_dberr(c);
	}
	if (oom)
		return VT_ENOMEM;
	if (c->r->n_types)
		qsort(c->r->types, c->r->n_types, sizeof(*c->r->types), cmp_type);
	return VT_OK;
}

/* The order statistics one distribution needs, ascending. */
#define N_TARGETS (2 * (7 + VT_RPT_CDF_POINTS))
typedef struct picker {
	size_t pos[N_TARGETS];
	double val[N_TARGETS];
	size_t n, next; /* next: the first position not yet reached */
} picker;

static double target_q(int k)
{
	return k < 7 ? vt_rpt_quantiles[k]
		     : (double)(k - 7) / (VT_RPT_CDF_POINTS - 1);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static void picker_init(picker *p, uint64_t n)
{
	memset(p, 0, sizeof(*p));
	for (int k = 0; k < 7 + VT_RPT_CDF_POINTS; k++) {
		size_t lo, hi;
		double f;
		vt_stats_quantile_pos((size_t)n, target_q(k), &lo, &hi, &f);
		p->pos[p->n++] = lo;
		p->pos[p->n++] = hi;
	}
	qsort(p->pos, p->n, sizeof(p->pos[0]), cmp_size);
}

static void picker_feed(picker *p, size_t i, double v)
{
	while (p->next < p->n && p->pos[p->next] == i)
		p->val[p->next++] = v;
}

static double picked(const picker *p, size_t pos)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) { /* the first slot holding pos */
		size_t mid = (lo + hi) / 2;
		if (p->pos[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return p->val[lo < p->n ? lo : p->n - 1];
}

static void picker_done(const picker *p, vt_rpt_dist *d)
{
	if (!d->n)
		return;
	for (int k = 0; k < 7 + VT_RPT_CDF_POINTS; k++) {
		size_t lo, hi;
		double f;
		vt_stats_quantile_pos((size_t)d->n, target_q(k), &lo, &hi, &f);
		double v = picked(p, lo) + f * (picked(p, hi) - picked(p, lo));
		if (k < 7) {
			d->q[k] = v;
		} else {
			d->cdf_x[k - 7] = v;
			d->cdf_y[k - 7] = target_q(k);
		}
	}
	d->n_cdf = VT_RPT_CDF_POINTS;
}

static const char dist_count_sql[] =
	"SELECT f.scope = 'external', count(*), avg(f.bytes_ab + f.bytes_ba)"
	" FROM flow f JOIN temp.rpt_run r ON r.id = f.run_id"
	" WHERE r.view IN (1, 3) GROUP BY 1";
static const char dist_sql[] =
	"SELECT f.scope = 'external' AS x, f.bytes_ab + f.bytes_ba AS b"
	" FROM flow f JOIN temp.rpt_run r ON r.id = f.run_id"
	" WHERE r.view IN (1, 3) ORDER BY x, b";

int vt_rpt_load_dists(rpt_ctx *c)
{
	vt_rpt_dist *d[2] = {&c->r->bytes_local, &c->r->bytes_external};
	sqlite3_stmt *s = vt_rpt_prepare(c, dist_count_sql);
	if (!s)
		return VT_EDB;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		vt_rpt_dist *t = d[sqlite3_column_int(s, 0) != 0];
		t->n = vt_rpt_col_u64(s, 1);
		t->mean = sqlite3_column_double(s, 2);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return vt_rpt_dberr(c);
	if (!d[0]->n && !d[1]->n)
		return VT_OK;
	picker *pk = malloc(2 * sizeof(*pk));
	if (!pk)
		return VT_ENOMEM;
	picker_init(&pk[0], d[0]->n);
	picker_init(&pk[1], d[1]->n);
	s = vt_rpt_prepare(c, dist_sql);
	if (!s) {
		free(pk);
		return VT_EDB;
	}
	size_t i[2] = {0, 0};
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int x = sqlite3_column_int(s, 0) != 0;
		picker_feed(&pk[x], i[x]++, sqlite3_column_double(s, 1));
	}
	sqlite3_finalize(s);
	if (step == SQLITE_DONE) {
		picker_done(&pk[0], d[0]);
		picker_done(&pk[1], d[1]);
	}
	free(pk);
	return step == SQLITE_DONE ? VT_OK : vt_rpt_dberr(c);
}

static const char spec_sql[] =
	"SELECT r.view, s.proto, s.port, count(DISTINCT s.device_id),"
	" count(DISTINCT d.vendor), count(DISTINCT nullif(d.type, 'unknown'))"
	" FROM service s JOIN temp.rpt_run r ON r.id = s.run_id"
	" JOIN device d ON d.id = s.device_id WHERE s.scope = 'local' AND"
	TECH_MATCHES " GROUP BY r.view, s.proto, s.port"
	" ORDER BY r.view, s.proto, s.port";

static int spec_add(vt_rpt_spec *sp, const vt_rpt_portspec *ps)
{
	size_t n = sp->n_ports;
	if ((n & (n - 1)) == 0) {
		vt_rpt_portspec *np =
			realloc(sp->ports, (n ? n * 2 : 1) * sizeof(*np));
		if (!np)
			return VT_ENOMEM;
		sp->ports = np;
	}
	sp->ports[sp->n_ports++] = *ps;
	sp->single_vendor += ps->vendors == 1;
	sp->single_type += ps->types == 1;
	sp->single_either += ps->vendors == 1 || ps->types == 1;
	sp->multi_vendor += ps->vendors > 1;
	sp->unattributed += ps->vendors == 0 && ps->types == 0;
	return VT_OK;
}

int vt_rpt_load_spec(rpt_ctx *c)
{
	sqlite3_stmt *s = vt_rpt_prepare(c, spec_sql);
	if (!s)
		return VT_EDB;
	int rc = VT_OK, step;
	while (rc == VT_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int v = sqlite3_column_int(s, 0);
		if (v < 0 || v >= VT_VIEW_COUNT)
			continue;
		vt_rpt_portspec ps = {
			.proto = proto_num(sqlite3_column_text(s, 1)),
			.port = (uint16_t)sqlite3_column_int(s, 2),
			.devices = (size_t)vt_rpt_col_u64(s, 3),
			.vendors = (size_t)vt_rpt_col_u64(s, 4),
			.types = (size_t)vt_rpt_col_u64(s, 5),
		};
		if (c->r->spec[v].n_ports >= VT_RPT_MAX_SERVICES) {
			c->r->dropped++;
			continue;
		}
		rc = spec_add(&c->r->spec[v], &ps);
	}
	if (rc == VT_OK && step != SQLITE_DONE)
		rc = vt_rpt_dberr(c);
	sqlite3_finalize(s);
	return rc;
}
