/*
 * The Mirai paper's table (EXTERNAL.md section 3): the Mirai sources of
 * the selected telescope runs (telescope_source.mirai, i.e. at least the
 * run's --mirai-min-packets mirai_sig packets) joined by IP with the
 * banners of the selected runs.
 *
 * A banner's protocol: HTTPS when it carries a TLS certificate or is on
 * tcp/443, else by port: FTP 21, SSH 22, Telnet 23 and 2323, CWMP 7547,
 * others. Per (IP, protocol) the joined banner is the one closest in time
 * to the IP's first sighting (the earliest first_us of its Mirai source
 * rows; banners without a time last, then the lowest banner id). It is
 * identified when the matcher gave it a device type (other than
 * "unknown") or a vendor; the banner table keeps no model, and the
 * matcher gives no model without a vendor. An IP is identified when one
 * of its joined banners is; its type and vendor are those of its
 * identified joined banner of highest confidence that has one (ties: the
 * protocol order above). The gap is seen - first sighting per joined
 * banner with both times.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt_int.h"

static const char *const proto_keys[VT_MIRAI_NPROTO] = {
	"https", "ftp", "telnet", "cwmp", "ssh", "other"};
static const char *const proto_labels[VT_MIRAI_NPROTO] = {
	"HTTPS", "FTP", "Telnet", "CWMP", "SSH", "others"};

const char *vt_mirai_proto_key(int p)
{
	return p >= 0 && p < VT_MIRAI_NPROTO ? proto_keys[p] : "?";
}

const char *vt_mirai_proto_label(int p)
{
	return p >= 0 && p < VT_MIRAI_NPROTO ? proto_labels[p] : "?";
}

/* The joined banners: ordered by IP, protocol, then closest first. */
static const char join_sql[] =
	"WITH m AS (SELECT s.ip AS ip, min(s.first_us) AS first_us"
	"  FROM telescope_source s JOIN temp.rpt_run r ON r.id = s.run_id"
	"  WHERE s.mirai != 0 GROUP BY s.ip),"
	" b AS (SELECT b.id AS id, b.ip AS ip, b.seen_us AS seen_us,"
	"  b.type AS type, b.vendor AS vendor, b.confidence AS confidence,"
	"  CASE WHEN b.tls_sha256 IS NOT NULL OR b.tls_subject IS NOT NULL"
	"   OR b.tls_issuer IS NOT NULL OR b.tls_chain IS NOT NULL"
	"   OR (b.proto = 'tcp' AND b.port = 443) THEN 0"
	"  WHEN b.proto = 'tcp' AND b.port = 21 THEN 1"
	"  WHEN b.proto = 'tcp' AND b.port IN (23, 2323) THEN 2"
	"  WHEN b.proto = 'tcp' AND b.port = 7547 THEN 3"
	"  WHEN b.proto = 'tcp' AND b.port = 22 THEN 4 ELSE 5 END AS pc"
	"  FROM banner b JOIN temp.rpt_run r ON r.id = b.run_id"
	"  WHERE b.ip IS NOT NULL)"
	" SELECT m.ip, b.pc, b.seen_us, m.first_us, b.type, b.vendor,"
	"  b.confidence FROM m JOIN b ON b.ip = m.ip"
	" ORDER BY m.ip, b.pc,"
	"  (b.seen_us IS NULL OR m.first_us IS NULL),"
	"  abs(b.seen_us - m.first_us), b.id";

typedef struct counts {
	vt_rpt_count *v;
	size_t n, cap;
} counts;

static int count_add(vt_rpt_mirai *m, counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0) {
			c->v[i].n++;
			return VT_OK;
		}
	if (c->n == VT_RPT_MIRAI_MAX_NAMES) {
		m->dropped++;
		return VT_OK;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		vt_rpt_count *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return VT_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].name = strdup(name);
	if (!c->v[c->n].name)
		return VT_ENOMEM;
	c->v[c->n++].n = 1;
	return VT_OK;
}

static int count_cmp(const void *a, const void *b)
{
	const vt_rpt_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* One IP's state while its rows stream by. */
typedef struct ipstate {
	char ip[64];
	int any, identified, last_pc;
	char type[128], vendor[128];
	double type_conf, vendor_conf;
	int has_type, has_vendor;
} ipstate;

typedef struct join {
	vt_rpt_mirai *m;
	counts types, vendors;
	double *gaps;
	size_t n_gaps, cap_gaps;
} join;

static int finish_ip(join *j, ipstate *s)
{
	if (!s->any)
		return VT_OK;
	vt_rpt_mirai *m = j->m;
	m->with_banners++;
	if (!s->identified)
		return VT_OK;
	m->identified++;
	int rc = count_add(m, &j->types, s->has_type ? s->type : "unknown");
	if (!rc)
		rc = count_add(m, &j->vendors, s->has_vendor ? s->vendor
							     : "unknown");
	return rc;
}

static int add_gap(join *j, double g)
{
	if (j->n_gaps == VT_RPT_MIRAI_MAX_GAPS) {
		j->m->dropped++;
		return VT_OK;
	}
	if (j->n_gaps == j->cap_gaps) {
		size_t cap = j->cap_gaps ? j->cap_gaps * 2 : 256;
		double *v = realloc(j->gaps, cap * sizeof(*v));
		if (!v)
			return VT_ENOMEM;
		j->gaps = v;
		j->cap_gaps = cap;
	}
	j->gaps[j->n_gaps++] = g;
	return VT_OK;
}

static int known(const char *type, const char *vendor)
{
	return (type && *type && strcmp(type, "unknown")) ||
	       (vendor && *vendor);
}

/* The first row of an (IP, protocol) group: the joined banner. */
static int joined(join *j, ipstate *s, sqlite3_stmt *q, int pc)
{
	vt_rpt_mirai *m = j->m;
	m->proto[pc].ips++;
	int has_seen = sqlite3_column_type(q, 2) != SQLITE_NULL;
	int has_first = sqlite3_column_type(q, 3) != SQLITE_NULL;
	if (has_seen && has_first) {
		double g = (double)(sqlite3_column_int64(q, 2) -
				    sqlite3_column_int64(q, 3)) / 1e6;
		m->gap_n++;
		m->gap_negative += g < 0;
		m->gap_zero += g == 0;
		m->gap_positive += g > 0;
		if (add_gap(j, g))
			return VT_ENOMEM;
	} else {
		m->gap_unknown++;
	}
	const char *type = (const char *)sqlite3_column_text(q, 4);
	const char *vendor = (const char *)sqlite3_column_text(q, 5);
	if (!known(type, vendor))
		return VT_OK;
	double conf = sqlite3_column_double(q, 6);
	m->proto[pc].identified++;
	s->identified = 1;
	/* Rows come in protocol order: only a strictly higher confidence
	 * replaces a label. */
	if (type && *type && strcmp(type, "unknown") &&
	    (!s->has_type || conf > s->type_conf)) {
		snprintf(s->type, sizeof(s->type), "%s", type);
		s->type_conf = conf;
		s->has_type = 1;
	}
	if (vendor && *vendor && (!s->has_vendor || conf > s->vendor_conf)) {
		snprintf(s->vendor, sizeof(s->vendor), "%s", vendor);
		s->vendor_conf = conf;
		s->has_vendor = 1;
	}
	return VT_OK;
}

static int walk(rpt_ctx *c, join *j)
{
	sqlite3_stmt *q = vt_rpt_prepare(c, join_sql);
	if (!q)
		return VT_EDB;
	ipstate *s = calloc(1, sizeof(*s));
	if (!s) {
		sqlite3_finalize(q);
		return VT_ENOMEM;
	}
	int rc = VT_OK, step;
	while (rc == VT_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *ip = (const char *)sqlite3_column_text(q, 0);
		int pc = sqlite3_column_int(q, 1);
		if (!ip || pc < 0 || pc >= VT_MIRAI_NPROTO)
			continue;
		if (!s->any || strcmp(ip, s->ip)) {
			rc = finish_ip(j, s);
			memset(s, 0, sizeof(*s));
			snprintf(s->ip, sizeof(s->ip), "%s", ip);
			s->any = 1;
			s->last_pc = -1;
		}
		j->m->proto[pc].banners++;
		if (rc == VT_OK && pc != s->last_pc) {
			s->last_pc = pc;
			rc = joined(j, s, q, pc);
		}
	}
	if (rc == VT_OK && step != SQLITE_DONE)
		rc = vt_rpt_dberr(c);
	if (rc == VT_OK)
		rc = finish_ip(j, s);
	free(s);
	sqlite3_finalize(q);
	return rc;
}

static int query_count(rpt_ctx *c, const char *sql, size_t *out)
{
	sqlite3_stmt *q = vt_rpt_prepare(c, sql);
	if (!q)
		return VT_EDB;
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		*out = (size_t)vt_rpt_col_u64(q, 0);
	sqlite3_finalize(q);
	return step == SQLITE_ROW ? VT_OK : vt_rpt_dberr(c);
}

static int totals(rpt_ctx *c, vt_rpt_mirai *m)
{
	int rc = query_count(c, "SELECT count(*) FROM telescope_run t JOIN "
				"temp.rpt_run r ON r.id = t.run_id",
			     &m->telescope_runs);
	if (!rc)
		rc = query_count(c, "SELECT count(DISTINCT b.run_id), "
				    "count(*) FROM banner b JOIN temp.rpt_run r "
				    "ON r.id = b.run_id", &m->banner_runs);
	if (!rc)
		rc = query_count(c, "SELECT count(*) FROM banner b JOIN "
				    "temp.rpt_run r ON r.id = b.run_id",
				 &m->banners);
	if (!rc)
		rc = query_count(c, "SELECT count(DISTINCT s.ip) FROM "
				    "telescope_source s JOIN temp.rpt_run r ON "
				    "r.id = s.run_id WHERE s.mirai != 0",
				 &m->sources);
	if (rc)
		return rc;
	sqlite3_stmt *q = vt_rpt_prepare(
		c, "SELECT min(t.mirai_k), max(t.mirai_k) FROM telescope_run t "
		   "JOIN temp.rpt_run r ON r.id = t.run_id");
	if (!q)
		return VT_EDB;
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		m->k_min = sqlite3_column_int64(q, 0);
		m->k_max = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	return step == SQLITE_ROW ? VT_OK : vt_rpt_dberr(c);
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void derive(vt_rpt_mirai *m, join *j)
{
	for (int p = 0; p < VT_MIRAI_NPROTO; p++)
		m->proto[p].share = m->proto[p].ips
					    ? (double)m->proto[p].identified /
						      (double)m->proto[p].ips
					    : NAN;
	m->share = m->with_banners ? (double)m->identified /
					     (double)m->with_banners
				   : NAN;
	m->share_sources = m->sources ? (double)m->identified /
						(double)m->sources
				      : NAN;
	if (j->n_gaps)
		qsort(j->gaps, j->n_gaps, sizeof(double), dcmp);
	for (int k = 0; k < 7; k++)
		m->gap_q[k] = vt_stats_quantile(j->gaps, j->n_gaps,
						vt_rpt_quantiles[k]);
	if (j->types.n)
		qsort(j->types.v, j->types.n, sizeof(vt_rpt_count), count_cmp);
	if (j->vendors.n)
		qsort(j->vendors.v, j->vendors.n, sizeof(vt_rpt_count),
		      count_cmp);
	m->types = j->types.v;
	m->n_types = j->types.n;
	m->vendors = j->vendors.v;
	m->n_vendors = j->vendors.n;
	j->types.v = j->vendors.v = NULL;
	j->types.n = j->vendors.n = 0;
	if (!m->telescope_runs)
		m->missing = "no telescope run in the selected runs "
			     "(vantage telescope --db)";
	else if (!m->banners)
		m->missing = "no banners in the selected runs "
			     "(vantage import --db, or vantage scan)";
	else if (!m->sources)
		m->missing = "no Mirai source in the telescope runs";
	else if (!m->with_banners)
		m->missing = "no banner for any Mirai source's IP";
}

static void counts_free(counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
}

int vt_rpt_load_mirai(rpt_ctx *c)
{
	vt_rpt_mirai *m = calloc(1, sizeof(*m));
	if (!m)
		return VT_ENOMEM;
	c->r->mirai = m;
	join j = {.m = m};
	int rc = totals(c, m);
	if (!rc && m->sources && m->banners)
		rc = walk(c, &j);
	if (!rc)
		derive(m, &j);
	counts_free(&j.types);
	counts_free(&j.vendors);
	free(j.gaps);
	c->r->dropped += m->dropped;
	return rc;
}

void vt_rpt_mirai_free(vt_rpt_mirai *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_types; i++)
		free(m->types[i].name);
	for (size_t i = 0; i < m->n_vendors; i++)
		free(m->vendors[i].name);
	free(m->types);
	free(m->vendors);
	free(m);
}
