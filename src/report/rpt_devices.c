/*
 * The per-device queries of the report: the devices with a record in the
 * selected runs (identification from the device row, the last bound
 * address, a DHCP or mDNS host name, passive counters and observed span),
 * their ports offered (active service rows, role server; banner states
 * and labels) and used as a server (passive service rows), and the time
 * by which every service they used had appeared.
 */
#include <stdlib.h>
#include <string.h>

#include "report/rpt_int.h"

static const char devices_sql[] =
	"SELECT d.id, coalesce(d.mac, d.key_ip), d.vendor, d.type, d.model,"
	" sum(DISTINCT 1 << r.view),"
	" min(CASE WHEN r.view IN (1, 3) THEN dr.first_us END),"
	" max(CASE WHEN r.view IN (1, 3) THEN dr.last_us END),"
	" sum(CASE WHEN r.view = 1 THEN dr.local_flows ELSE 0 END),"
	" sum(CASE WHEN r.view = 1 THEN dr.external_flows ELSE 0 END),"
	" sum(CASE WHEN r.view = 1 THEN dr.local_bytes ELSE 0 END),"
	" sum(CASE WHEN r.view = 1 THEN dr.external_bytes ELSE 0 END),"
	" sum(CASE WHEN r.view = 1 THEN dr.external_peers ELSE 0 END),"
	" coalesce((SELECT b.ip FROM ip_binding b JOIN temp.rpt_run r2"
	"   ON r2.id = b.run_id WHERE b.device_id = d.id"
	"   ORDER BY instr(b.ip, ':') > 0, b.last_us DESC LIMIT 1), d.key_ip),"
	" (SELECT CAST(s.value AS TEXT) FROM signal s JOIN temp.rpt_run r3"
	"   ON r3.id = s.run_id WHERE s.device_id = d.id"
	"   AND s.signal IN ('dhcp_hostname', 'mdns_hostname')"
	"   ORDER BY s.signal = 'dhcp_hostname' DESC, s.last_us DESC LIMIT 1),"
	" ?1 IS NULL OR d.mac = lower(?1) OR d.key_ip = ?1 OR EXISTS (SELECT 1"
	"   FROM ip_binding b2 WHERE b2.device_id = d.id AND b2.ip = ?1)"
	" FROM device d JOIN device_run dr ON dr.device_id = d.id"
	" JOIN temp.rpt_run r ON r.id = dr.run_id"
	" GROUP BY d.id ORDER BY coalesce(d.mac, d.key_ip)";

static int fill_device(sqlite3_stmt *s, vt_rpt_device *d)
{
	int oom = 0;
	d->id = sqlite3_column_int64(s, 0);
	d->key = vt_rpt_col_dup(s, 1, &oom);
	d->vendor = vt_rpt_col_dup(s, 2, &oom);
	d->type = vt_rpt_col_dup(s, 3, &oom);
	d->model = vt_rpt_col_dup(s, 4, &oom);
	d->views = (unsigned)sqlite3_column_int(s, 5);
	d->span_first_us = vt_rpt_col_u64(s, 6);
	d->span_last_us = vt_rpt_col_u64(s, 7);
	d->local_flows = vt_rpt_col_u64(s, 8);
	d->external_flows = vt_rpt_col_u64(s, 9);
	d->local_bytes = vt_rpt_col_u64(s, 10);
	d->external_bytes = vt_rpt_col_u64(s, 11);
	d->external_peers = vt_rpt_col_u64(s, 12);
	d->ip = vt_rpt_col_dup(s, 13, &oom);
	d->hostname = vt_rpt_col_dup(s, 14, &oom);
	d->selected = sqlite3_column_int(s, 15) != 0;
	return oom ? VT_ENOMEM : VT_OK;
}

static int cmp_byid(const void *a, const void *b)
{
	const rpt_byid *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

int vt_rpt_load_devices(rpt_ctx *c)
{
	vt_rpt *r = c->r;
	sqlite3_stmt *s = vt_rpt_prepare(c, devices_sql);
	if (!s)
		return VT_EDB;
	if (c->device)
		sqlite3_bind_text(s, 1, c->device, -1, SQLITE_TRANSIENT);
	size_t cap = 0;
	int rc = VT_OK, step;
	while (rc == VT_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if (r->n_devices == VT_RPT_MAX_DEVICES) {
			r->dropped++;
			continue;
		}
		if (r->n_devices == cap) {
			cap = cap ? cap * 2 : 64;
			vt_rpt_device *nd = realloc(r->devices, cap * sizeof(*nd));
			if (!nd) {
				rc = VT_ENOMEM;
				break;
			}
			r->devices = nd;
		}
		vt_rpt_device *d = &r->devices[r->n_devices++];
		memset(d, 0, sizeof(*d));
		rc = fill_device(s, d);
		r->n_selected += d->selected;
	}
	if (rc == VT_OK && step != SQLITE_DONE)
		rc = vt_rpt_dberr(c);
	sqlite3_finalize(s);
	if (rc)
		return rc;
	c->byid = malloc((r->n_devices + 1) * sizeof(*c->byid));
	if (!c->byid)
		return VT_ENOMEM;
	for (size_t i = 0; i < r->n_devices; i++)
		c->byid[i] = (rpt_byid){.id = r->devices[i].id, .i = i};
	qsort(c->byid, r->n_devices, sizeof(*c->byid), cmp_byid);
	return VT_OK;
}

/* The device's row for (proto, port), added when missing; NULL at the
 * cap (counted) or on OOM (*oom). */
static vt_rpt_port *port_get(vt_rpt *r, vt_rpt_device *d, uint8_t proto,
			     uint16_t port, int *oom)
{
	for (size_t i = d->n_ports; i-- > 0;)
		if (d->ports[i].proto == proto && d->ports[i].port == port)
			return &d->ports[i];
	if (d->n_ports == VT_RPT_MAX_PORTS) {
		d->ports_dropped++;
		r->dropped++;
		return NULL;
	}
	size_t n = d->n_ports;
	if ((n & (n - 1)) == 0) { /* capacity doubles at powers of two */
		vt_rpt_port *np = realloc(d->ports, (n ? n * 2 : 1) * sizeof(*np));
		if (!np) {
			*oom = 1;
			return NULL;
		}
		d->ports = np;
	}
	vt_rpt_port *p = &d->ports[d->n_ports++];
	memset(p, 0, sizeof(*p));
	p->proto = proto;
	p->port = port;
	p->risky = vt_risky_find(proto, port);
	return p;
}

static uint8_t proto_num(const unsigned char *t)
{
	return t && strcmp((const char *)t, "udp") == 0 ? 17 : 6;
}

static void service_row(sqlite3_stmt *s, vt_rpt_port *p)
{
	int view = sqlite3_column_int(s, 3);
	const char *scope = (const char *)sqlite3_column_text(s, 4);
	if (view == VT_VIEW_INT_ACTIVE) {
		p->offered_int = 1;
	} else if (view == VT_VIEW_EXT_ACTIVE) {
		p->offered_ext = 1;
	} else {
		uint64_t first = vt_rpt_col_u64(s, 7);
		p->used = 1;
		p->used_flows += vt_rpt_col_u64(s, 5);
		p->used_bytes += vt_rpt_col_u64(s, 6);
		if (scope && strcmp(scope, "external") == 0)
			p->used_external = 1;
		else
			p->used_local = 1;
		if (first && (!p->first_used_us || first < p->first_used_us))
			p->first_used_us = first;
	}
}

/* Offered: active rows in active views; used: passive rows in passive
 * views; both role server. */
static const char ports_sql[] =
	"SELECT s.device_id, s.proto, s.port, r.view, s.scope, sum(s.flows),"
	" sum(s.bytes), min(s.first_us)"
	" FROM service s JOIN temp.rpt_run r ON r.id = s.run_id"
	" WHERE s.role = 'server' AND s.technique ="
	"  CASE WHEN r.view IN (0, 2) THEN 'active' ELSE 'passive' END"
	" GROUP BY s.device_id, s.proto, s.port, r.view, s.scope";

/* The latest banner per (device, port, view): its state and label. */
static const char banners_sql[] =
	"SELECT b.device_id, b.proto, b.port, r.view, b.state,"
	" coalesce(b.product, b.service)"
	" FROM banner b JOIN temp.rpt_run r ON r.id = b.run_id"
	" WHERE b.device_id IS NOT NULL AND r.view IN (0, 2)"
	" ORDER BY b.device_id, b.proto, b.port, b.seen_us, b.id";

static void replace(char **dst, char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = src;
}

static void banner_row(sqlite3_stmt *s, vt_rpt_port *p, int *oom)
{
	int ext = sqlite3_column_int(s, 3) == VT_VIEW_EXT_ACTIVE;
	char *state = vt_rpt_col_dup(s, 4, oom);
	replace(ext ? &p->state_ext : &p->state_int, state);
	replace(&p->label, vt_rpt_col_dup(s, 5, oom));
	/* An open banner is an offered service even without its row. */
	if (state && strcmp(state, "open") == 0)
		*(ext ? &p->offered_ext : &p->offered_int) = 1;
}

static int run_port_query(rpt_ctx *c, const char *sql, int banners)
{
	sqlite3_stmt *s = vt_rpt_prepare(c, sql);
	if (!s)
		return VT_EDB;
	int oom = 0, step;
	while (!oom && (step = sqlite3_step(s)) == SQLITE_ROW) {
		vt_rpt_device *d = vt_rpt_device_by_id(c, sqlite3_column_int64(s, 0));
		if (!d)
			continue;
		vt_rpt_port *p = port_get(c->r, d, proto_num(sqlite3_column_text(s, 1)),
					  (uint16_t)sqlite3_column_int(s, 2), &oom);
		if (!p)
			continue;
		if (banners)
			banner_row(s, p, &oom);
		else
			service_row(s, p);
	}
	sqlite3_finalize(s);
	if (oom)
		return VT_ENOMEM;
	return step == SQLITE_DONE ? VT_OK : vt_rpt_dberr(c);
}

/* Distinct used services (any role, scope) and when the last appeared. */
static const char used_sql[] =
	"SELECT device_id, count(*), max(f) FROM (SELECT s.device_id,"
	" min(s.first_us) AS f FROM service s JOIN temp.rpt_run r"
	" ON r.id = s.run_id WHERE s.technique = 'passive' AND r.view IN (1, 3)"
	" GROUP BY s.device_id, s.proto, s.port, s.role, s.scope)"
	" GROUP BY device_id";

static int load_used(rpt_ctx *c)
{
	sqlite3_stmt *s = vt_rpt_prepare(c, used_sql);
	if (!s)
		return VT_EDB;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		vt_rpt_device *d = vt_rpt_device_by_id(c, sqlite3_column_int64(s, 0));
		if (!d)
			continue;
		d->n_used = (size_t)vt_rpt_col_u64(s, 1);
		d->full_set_us = vt_rpt_col_u64(s, 2);
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? VT_OK : vt_rpt_dberr(c);
}

static int cmp_port(const void *a, const void *b)
{
	const vt_rpt_port *x = a, *y = b;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

int vt_rpt_load_ports(rpt_ctx *c)
{
	int rc = run_port_query(c, ports_sql, 0);
	if (!rc)
		rc = run_port_query(c, banners_sql, 1);
	if (!rc)
		rc = load_used(c);
	for (size_t i = 0; !rc && i < c->r->n_devices; i++) {
		vt_rpt_device *d = &c->r->devices[i];
		if (d->n_ports)
			qsort(d->ports, d->n_ports, sizeof(*d->ports), cmp_port);
	}
	return rc;
}
