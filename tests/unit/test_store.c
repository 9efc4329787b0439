/*
 * Unit tests for the SQLite store (src/store/): schema creation and
 * pragmas, device records written over two runs and read back merged
 * (all runs and one run), reopening, the version and foreign-file checks,
 * batched flow inserts seen from a second connection, and recovery after
 * failed writes. Each test works in its own temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "vantage/devrec.h"
#include "vantage/error.h"
#include "vantage/store.h"

typedef struct fixture {
	char dir[64];
	char path[96];
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vt_store_XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/vantage.db", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		char p[128];
		snprintf(p, sizeof(p), "%s%s", fx->path, sfx[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* --- raw SQLite access, a second connection as another reader would --- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* The first column of the first row as text, into out. */
static void raw_text(const char *path, const char *sql, char *out, size_t n)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	const unsigned char *t = sqlite3_column_text(s, 0);
	snprintf(out, n, "%s", t ? (const char *)t : "(null)");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* --- building records --- */

static vt_store *open_ok(const char *path)
{
	char err[VT_ERRBUF_LEN] = "";
	vt_store *st = vt_store_open(path, err);
	if (!st)
		fail_msg("open: %s", err);
	return st;
}

static int64_t begin_run(vt_store *st, uint64_t started_us)
{
	vt_run_info ri = {.command = "read", .args = "read x.pcap",
			  .vantage = "internal", .technique = "passive",
			  .source = "x.pcap", .started_us = started_us};
	int64_t id = 0;
	assert_int_equal(vt_store_run_begin(st, &ri, &id), VT_OK);
	assert_true(id > 0);
	return id;
}

static void set_mac(vt_devrec *d, const char *mac)
{
	assert_int_equal(vt_mac_parse(mac, d->mac), VT_OK);
	d->has_mac = 1;
}

static void add_ip(vt_devrec *d, const char *txt, uint32_t sources,
		   uint64_t first, uint64_t last)
{
	vt_ipbind *b = realloc(d->ips, (d->n_ips + 1) * sizeof(*b));
	assert_non_null(b);
	d->ips = b;
	b = &b[d->n_ips++];
	memset(b, 0, sizeof(*b));
	b->ver = strchr(txt, ':') ? 6 : 4;
	assert_int_equal(
		inet_pton(b->ver == 6 ? AF_INET6 : AF_INET, txt, b->addr), 1);
	b->sources = sources;
	b->first_us = first;
	b->last_us = last;
}

static void add_svc(vt_devrec *d, uint8_t proto, uint16_t port, uint8_t role,
		    uint8_t scope, uint64_t flows, uint64_t bytes,
		    uint64_t first, uint64_t last)
{
	vt_service *v = realloc(d->services,
				(d->n_services + 1) * sizeof(*v));
	assert_non_null(v);
	d->services = v;
	v[d->n_services++] = (vt_service){
		.proto = proto, .port = port, .role = role, .scope = scope,
		.flows = flows, .bytes = bytes, .first_us = first,
		.last_us = last};
}

static void set_text(char **field, const char *v)
{
	free(*field);
	*field = v ? strdup(v) : NULL;
}

static void set_counters(vt_devrec *d, uint64_t base)
{
	d->packets_sent = base + 1;
	d->bytes_sent = base + 2;
	d->packets_recv = base + 3;
	d->bytes_recv = base + 4;
	d->flows = base + 5;
	d->local_flows = base + 6;
	d->external_flows = base + 7;
	d->local_bytes = base + 8;
	d->external_bytes = base + 9;
	d->external_peers = base + 10;
	d->services_dropped = base + 11;
}

/* Device A in run 1: a camera with two addresses and two services. */
static void dev_a_run1(vt_devrec *d)
{
	memset(d, 0, sizeof(*d));
	set_mac(d, "00:11:22:33:44:55");
	set_text(&d->vendor, "Acme");
	set_text(&d->type, "camera");
	d->confidence = 0.5;
	d->first_us = 100;
	d->last_us = 200;
	set_counters(d, 100);
	add_ip(d, "192.168.1.10", VT_BIND_ARP, 100, 150);
	add_ip(d, "fe80::1", VT_BIND_NDP, 120, 200);
	add_svc(d, 6, 80, VT_ROLE_CLIENT, VT_SCOPE_EXTERNAL, 2, 300, 100, 150);
	add_svc(d, 17, 53, VT_ROLE_CLIENT, VT_SCOPE_LOCAL, 1, 100, 110, 120);
	assert_int_equal(vt_devrec_add_evidence(d, "oui", "Acme",
						"ieee-data:MA-L"), VT_OK);
	assert_int_equal(vt_devrec_add_evidence(d, "dhcp_hostname", "cam-1",
						"r.rules:1"), VT_OK);
}

/* Device A in run 2: better identified, a new address and service. */
static void dev_a_run2(vt_devrec *d)
{
	memset(d, 0, sizeof(*d));
	set_mac(d, "00:11:22:33:44:55");
	set_text(&d->vendor, "Acme Corp");
	set_text(&d->type, "camera");
	set_text(&d->model, "X1");
	d->confidence = 0.9;
	d->randomized = 0;
	d->first_us = 300;
	d->last_us = 400;
	set_counters(d, 1000);
	add_ip(d, "192.168.1.10", VT_BIND_DHCP, 300, 400);
	add_ip(d, "192.168.1.11", VT_BIND_TRAFFIC, 310, 320);
	add_svc(d, 6, 80, VT_ROLE_CLIENT, VT_SCOPE_EXTERNAL, 5, 700, 300, 390);
	add_svc(d, 6, 443, VT_ROLE_CLIENT, VT_SCOPE_EXTERNAL, 1, 10, 305, 306);
	assert_int_equal(vt_devrec_add_evidence(d, "oui", "Acme",
						"ieee-data:MA-L"), VT_OK);
	assert_int_equal(vt_devrec_add_evidence(d, "mdns", "cam.local",
						"r.rules:2"), VT_OK);
}

/* Device B: keyed by IP (no link layer), run 1 only. */
static void dev_b(vt_devrec *d)
{
	memset(d, 0, sizeof(*d));
	d->key_ipver = 4;
	assert_int_equal(inet_pton(AF_INET, "203.0.113.7", d->key_ip), 1);
	set_text(&d->type, "router");
	d->gateway = 1;
	d->first_us = 150;
	d->last_us = 160;
	set_counters(d, 0);
	add_svc(d, 6, 22, VT_ROLE_SERVER, VT_SCOPE_EXTERNAL, 1, 50, 150, 160);
}

/* Device C: run 2 only, sorts first by MAC. */
static void dev_c(vt_devrec *d)
{
	memset(d, 0, sizeof(*d));
	set_mac(d, "00:00:00:00:00:01");
	d->randomized = 1;
	d->first_us = 350;
	d->last_us = 360;
	set_counters(d, 5000);
}

static void put(vt_store *st, int64_t run, void (*make)(vt_devrec *))
{
	vt_devrec d;
	make(&d);
	assert_int_equal(vt_store_device_put(st, run, &d), VT_OK);
	vt_devrec_cleanup(&d);
}

/* Writes the two-run scenario; returns the run ids. */
static void write_scenario(vt_store *st, int64_t *r1, int64_t *r2)
{
	*r1 = begin_run(st, 1000);
	put(st, *r1, dev_a_run1);
	put(st, *r1, dev_b);
	assert_int_equal(vt_store_run_end(st, *r1, 2000, 77, "ok"), VT_OK);
	*r2 = begin_run(st, 3000);
	put(st, *r2, dev_a_run2);
	put(st, *r2, dev_c);
}

static void free_recs(vt_devrec *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vt_devrec_cleanup(&recs[i]);
	free(recs);
}

static void assert_mac(const vt_devrec *d, const char *mac)
{
	char txt[18];
	assert_true(d->has_mac);
	vt_mac_format(d->mac, txt);
	assert_string_equal(txt, mac);
}

static void assert_ip(const vt_ipbind *b, const char *ip, uint32_t sources,
		      uint64_t first, uint64_t last)
{
	char txt[64];
	vt_ip_format(b->ver, b->addr, txt, sizeof(txt));
	assert_string_equal(txt, ip);
	assert_int_equal(b->sources, sources);
	assert_int_equal(b->first_us, first);
	assert_int_equal(b->last_us, last);
}

static void assert_svc(const vt_service *v, uint8_t proto, uint16_t port,
		       uint8_t role, uint8_t scope, uint64_t flows,
		       uint64_t bytes, uint64_t first, uint64_t last)
{
	assert_int_equal(v->proto, proto);
	assert_int_equal(v->port, port);
	assert_int_equal(v->role, role);
	assert_int_equal(v->scope, scope);
	assert_int_equal(v->flows, flows);
	assert_int_equal(v->bytes, bytes);
	assert_int_equal(v->first_us, first);
	assert_int_equal(v->last_us, last);
}

static void assert_evi(const vt_evidence *e, const char *signal,
		       const char *value, const char *rule)
{
	assert_string_equal(e->signal, signal);
	assert_string_equal(e->value, value);
	assert_string_equal(e->rule, rule);
}

/* Counters of set_counters(base1) + set_counters(base2). */
static void assert_counters(const vt_devrec *d, uint64_t sum_of_bases,
			    unsigned runs)
{
	assert_int_equal(d->packets_sent, sum_of_bases + 1 * runs);
	assert_int_equal(d->bytes_sent, sum_of_bases + 2 * runs);
	assert_int_equal(d->packets_recv, sum_of_bases + 3 * runs);
	assert_int_equal(d->bytes_recv, sum_of_bases + 4 * runs);
	assert_int_equal(d->flows, sum_of_bases + 5 * runs);
	assert_int_equal(d->local_flows, sum_of_bases + 6 * runs);
	assert_int_equal(d->external_flows, sum_of_bases + 7 * runs);
	assert_int_equal(d->local_bytes, sum_of_bases + 8 * runs);
	assert_int_equal(d->external_bytes, sum_of_bases + 9 * runs);
	assert_int_equal(d->external_peers, sum_of_bases + 10 * runs);
	assert_int_equal(d->services_dropped, sum_of_bases + 11 * runs);
}

/* Device A merged over both runs. */
static void assert_a_all(const vt_devrec *a)
{
	assert_mac(a, "00:11:22:33:44:55");
	assert_string_equal(a->vendor, "Acme Corp");
	assert_string_equal(a->type, "camera");
	assert_string_equal(a->model, "X1");
	assert_true(a->confidence > 0.89 && a->confidence < 0.91);
	assert_false(a->gateway);
	assert_int_equal(a->first_us, 100);
	assert_int_equal(a->last_us, 400);
	assert_counters(a, 1100, 2);
	assert_int_equal(a->n_services, 3);
	assert_svc(&a->services[0], 6, 80, VT_ROLE_CLIENT, VT_SCOPE_EXTERNAL,
		   7, 1000, 100, 390);
	assert_svc(&a->services[1], 6, 443, VT_ROLE_CLIENT, VT_SCOPE_EXTERNAL,
		   1, 10, 305, 306);
	assert_svc(&a->services[2], 17, 53, VT_ROLE_CLIENT, VT_SCOPE_LOCAL,
		   1, 100, 110, 120);
	assert_int_equal(a->n_ips, 3);
	assert_ip(&a->ips[0], "192.168.1.10", VT_BIND_ARP | VT_BIND_DHCP,
		  100, 400);
	assert_ip(&a->ips[1], "fe80::1", VT_BIND_NDP, 120, 200);
	assert_ip(&a->ips[2], "192.168.1.11", VT_BIND_TRAFFIC, 310, 320);
	assert_int_equal(a->n_evidence, 3);
	/* Distinct, in (signal, value, rule) order. */
	assert_evi(&a->evidence[0], "dhcp_hostname", "cam-1", "r.rules:1");
	assert_evi(&a->evidence[1], "mdns", "cam.local", "r.rules:2");
	assert_evi(&a->evidence[2], "oui", "Acme", "ieee-data:MA-L");
}

static void assert_b(const vt_devrec *b)
{
	char ip[64];
	assert_false(b->has_mac);
	assert_int_equal(b->key_ipver, 4);
	vt_ip_format(4, b->key_ip, ip, sizeof(ip));
	assert_string_equal(ip, "203.0.113.7");
	assert_null(b->vendor);
	assert_string_equal(b->type, "router");
	assert_true(b->gateway);
	assert_counters(b, 0, 1);
	assert_int_equal(b->n_ips, 0);
	assert_int_equal(b->n_evidence, 0);
	assert_int_equal(b->n_services, 1);
	assert_svc(&b->services[0], 6, 22, VT_ROLE_SERVER, VT_SCOPE_EXTERNAL,
		   1, 50, 150, 160);
}

static void assert_all_runs(vt_store *st)
{
	vt_devrec *recs = NULL;
	size_t n = 0;
	assert_int_equal(vt_store_devices_load(st, 0, &recs, &n), VT_OK);
	assert_int_equal(n, 3);
	assert_mac(&recs[0], "00:00:00:00:00:01");
	assert_true(recs[0].randomized);
	assert_null(recs[0].vendor);
	assert_counters(&recs[0], 5000, 1);
	assert_int_equal(recs[0].n_services + recs[0].n_ips, 0);
	assert_a_all(&recs[1]);
	assert_b(&recs[2]);
	free_recs(recs, n);
}

static void test_create(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	char mode[16];
	raw_text(fx->path, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(raw_int(fx->path, "PRAGMA user_version"),
			 VT_STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM sqlite_master"
				 " WHERE type = 'table' AND name IN ('run',"
				 " 'device', 'device_run', 'ip_binding',"
				 " 'service', 'evidence', 'flow')"), 7);
	vt_devrec *recs = (vt_devrec *)1;
	size_t n = 9;
	assert_int_equal(vt_store_devices_load(st, 0, &recs, &n), VT_OK);
	assert_null(recs);
	assert_int_equal(n, 0);
	vt_store_close(st);
	vt_store_close(NULL);
}

static void test_put_load_all(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t r1, r2;
	write_scenario(st, &r1, &r2);
	assert_all_runs(st); /* inside the open batch */
	assert_int_equal(vt_store_flush(st), VT_OK);
	assert_all_runs(st); /* in a read snapshot */
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM device"), 3);
	vt_store_close(st);
}

static void test_load_one_run(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t r1, r2;
	write_scenario(st, &r1, &r2);
	vt_devrec *recs = NULL;
	size_t n = 0;
	assert_int_equal(vt_store_devices_load(st, r1, &recs, &n), VT_OK);
	assert_int_equal(n, 2);
	const vt_devrec *a = &recs[0];
	assert_mac(a, "00:11:22:33:44:55");
	assert_string_equal(a->vendor, "Acme Corp"); /* the device row's */
	assert_int_equal(a->first_us, 100);
	assert_int_equal(a->last_us, 200);
	assert_counters(a, 100, 1);
	assert_int_equal(a->n_services, 2);
	assert_svc(&a->services[0], 6, 80, VT_ROLE_CLIENT, VT_SCOPE_EXTERNAL,
		   2, 300, 100, 150);
	assert_svc(&a->services[1], 17, 53, VT_ROLE_CLIENT, VT_SCOPE_LOCAL,
		   1, 100, 110, 120);
	assert_int_equal(a->n_ips, 2);
	assert_ip(&a->ips[0], "192.168.1.10", VT_BIND_ARP, 100, 150);
	assert_int_equal(a->n_evidence, 2);
	assert_b(&recs[1]);
	free_recs(recs, n);

	assert_int_equal(vt_store_devices_load(st, r2, &recs, &n), VT_OK);
	assert_int_equal(n, 2);
	assert_mac(&recs[0], "00:00:00:00:00:01");
	assert_mac(&recs[1], "00:11:22:33:44:55");
	assert_counters(&recs[1], 1000, 1);
	assert_int_equal(recs[1].n_ips, 2);
	assert_ip(&recs[1].ips[0], "192.168.1.10", VT_BIND_DHCP, 300, 400);
	free_recs(recs, n);

	assert_int_equal(vt_store_devices_load(st, r2 + 100, &recs, &n),
			 VT_OK);
	assert_int_equal(n, 0);
	assert_null(recs);
	vt_store_close(st);
}

/* A second put in the same run replaces; an older run keeps the newer
 * identification. */
static void test_put_again(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t r1, r2;
	write_scenario(st, &r1, &r2);
	put(st, r2, dev_a_run2);
	vt_devrec d;
	dev_a_run1(&d);
	set_text(&d.vendor, "Stale");
	assert_int_equal(vt_store_device_put(st, r1, &d), VT_OK);
	vt_devrec_cleanup(&d);
	assert_all_runs(st);
	vt_store_close(st);
}

/* The identification is the most confident any run gave, the latest among
 * equals: a later run that saw less of the device does not undo it. */
static void put_ident(vt_store *st, int64_t run, const char *vendor,
		      const char *type, double confidence)
{
	vt_devrec d;
	memset(&d, 0, sizeof(d));
	set_mac(&d, "02:00:00:00:00:77");
	set_text(&d.vendor, vendor);
	set_text(&d.type, type);
	d.confidence = confidence;
	assert_int_equal(vt_store_device_put(st, run, &d), VT_OK);
	vt_devrec_cleanup(&d);
}

static void assert_ident(const char *path, const char *want)
{
	char got[128] = "";
	raw_text(path, "SELECT coalesce(vendor, '-') || '/' ||"
		       " coalesce(type, '-') FROM device"
		       " WHERE mac = '02:00:00:00:00:77'", got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_ident_most_confident(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t r1 = begin_run(st, 1000), r2 = begin_run(st, 2000),
		r3 = begin_run(st, 3000), r4 = begin_run(st, 4000);
	put_ident(st, r1, "TP-Link", "router", 0.86);
	put_ident(st, r2, NULL, NULL, 0.0); /* saw less: kept */
	assert_int_equal(vt_store_flush(st), VT_OK);
	assert_ident(fx->path, "TP-Link/router");
	put_ident(st, r3, "Netgear", "router", 0.86); /* equal, newer: taken */
	assert_int_equal(vt_store_flush(st), VT_OK);
	assert_ident(fx->path, "Netgear/router");
	put_ident(st, r1, "Old", "camera", 0.86); /* equal, older: kept */
	put_ident(st, r4, "Hikvision", "camera", 0.95); /* better: taken */
	assert_int_equal(vt_store_flush(st), VT_OK);
	assert_ident(fx->path, "Hikvision/camera");
	vt_store_close(st);
}

/* A second put in the same run replaces the passive (used) services but
 * adds to the active (offered) ones: a prober or an importer may put a
 * device again with only its new ports. */
static void put_svcs(vt_store *st, int64_t run, uint8_t technique,
		     uint16_t port)
{
	vt_devrec d;
	memset(&d, 0, sizeof(d));
	set_mac(&d, "02:00:00:00:00:78");
	add_svc(&d, 6, port, VT_ROLE_SERVER, VT_SCOPE_LOCAL, 1, 60, 10, 20);
	d.services[0].technique = technique;
	assert_int_equal(vt_store_device_put(st, run, &d), VT_OK);
	vt_devrec_cleanup(&d);
}

static void test_active_services_add(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t r = begin_run(st, 1000);
	put_svcs(st, r, VT_TECH_ACTIVE, 23);
	put_svcs(st, r, VT_TECH_ACTIVE, 80);
	put_svcs(st, r, VT_TECH_ACTIVE, 80);
	put_svcs(st, r, VT_TECH_PASSIVE, 53);
	put_svcs(st, r, VT_TECH_PASSIVE, 443);
	assert_int_equal(vt_store_flush(st), VT_OK);
	char got[128] = "";
	raw_text(fx->path, "SELECT group_concat(technique || ':' || port || ':'"
		 " || flows, ' ') FROM (SELECT * FROM service ORDER BY"
		 " technique, port)", got, sizeof(got));
	assert_string_equal(got, "active:23:1 active:80:2 passive:443:1");
	vt_store_close(st);
}

static void test_reopen(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t r1, r2;
	write_scenario(st, &r1, &r2);
	vt_store_close(st); /* commits the open batch */
	st = open_ok(fx->path);
	assert_all_runs(st);
	int64_t r3 = begin_run(st, 5000);
	assert_true(r3 > r2);
	vt_store_close(st);
	assert_int_equal(raw_int(fx->path, "SELECT packets FROM run WHERE"
				 " status = 'ok' AND ended_us = 2000"), 77);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM run WHERE"
				 " status = 'running'"), 2);
}

static void test_newer_version(void **state)
{
	fixture *fx = *state;
	vt_store_close(open_ok(fx->path));
	raw_exec(fx->path, "PRAGMA user_version = 99");
	char err[VT_ERRBUF_LEN] = "";
	assert_null(vt_store_open(fx->path, err));
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "schema version 99 is newer"));
}

static void test_not_a_database(void **state)
{
	fixture *fx = *state;
	FILE *f = fopen(fx->path, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not an SQLite file\n", f);
	fclose(f);
	char err[VT_ERRBUF_LEN] = "";
	char want[VT_ERRBUF_LEN];
	assert_null(vt_store_open(fx->path, err));
	snprintf(want, sizeof(want), "%s: file is not a database", fx->path);
	assert_string_equal(err, want);
}

static void test_foreign_database(void **state)
{
	fixture *fx = *state;
	raw_exec(fx->path, "CREATE TABLE notes(x)");
	char err[VT_ERRBUF_LEN] = "";
	assert_null(vt_store_open(fx->path, err));
	assert_non_null(strstr(err, "not a vantage database"));
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM sqlite_master"),
			 1);
}

static void test_unwritable_path(void **state)
{
	fixture *fx = *state;
	char path[160], err[VT_ERRBUF_LEN] = "";
	snprintf(path, sizeof(path), "%s/no/such/dir/x.db", fx->dir);
	assert_null(vt_store_open(path, err));
	assert_non_null(strstr(err, "unable to open"));
}

static void make_flow(vt_flow_rec *f, uint32_t i)
{
	memset(f, 0, sizeof(*f));
	f->ipver = 4;
	f->proto = 6;
	uint32_t a = htonl(0x0a000000u + i), b = htonl(0xcb007107u);
	memcpy(f->ip_a, &a, 4);
	memcpy(f->ip_b, &b, 4);
	f->port_a = (uint16_t)(1024 + i % 60000);
	f->port_b = 443;
	assert_int_equal(vt_mac_parse("00:11:22:33:44:55", f->mac_a), VT_OK);
	f->has_mac_a = 1;
	f->scope = VT_SCOPE_EXTERNAL;
	f->first_us = 1000 + i;
	f->last_us = 2000 + i;
	f->packets_ab = 3;
	f->bytes_ab = 300;
	f->packets_ba = 4;
	f->bytes_ba = 4000;
}

static void test_flows_batched(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t run = begin_run(st, 1);
	const uint32_t n = 2 * VT_STORE_BATCH + 123;
	vt_flow_rec f;
	for (uint32_t i = 1; i <= n; i++) {
		make_flow(&f, i);
		assert_int_equal(vt_store_flow_add(st, run, &f), VT_OK);
	}
	/* Full batches are committed; the last one is not yet. */
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM flow"),
			 2 * VT_STORE_BATCH);
	assert_int_equal(vt_store_flush(st), VT_OK);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM flow"), n);
	assert_int_equal(raw_int(fx->path, "SELECT sum(bytes_ba) FROM flow"),
			 (int64_t)n * 4000);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM flow WHERE"
				 " id = 1 AND ip_a = '10.0.0.1' AND port_a ="
				 " 1025 AND ip_b = '203.0.113.7' AND port_b ="
				 " 443 AND proto = 6 AND mac_a ="
				 " '00:11:22:33:44:55' AND mac_b IS NULL AND"
				 " scope = 'external' AND first_us = 1001"),
			 1);
	vt_store_close(st);
}

/* The text forms: IPv4 edge values, IPv6, both MACs, a local UDP flow. */
static void test_flow_text(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t run = begin_run(st, 1);
	vt_flow_rec f;
	make_flow(&f, 1);
	f.proto = 17;
	f.scope = VT_SCOPE_LOCAL;
	assert_int_equal(inet_pton(AF_INET, "0.0.0.0", f.ip_a), 1);
	assert_int_equal(inet_pton(AF_INET, "255.100.10.9", f.ip_b), 1);
	assert_int_equal(vt_mac_parse("aa:bb:cc:dd:ee:ff", f.mac_b), VT_OK);
	f.has_mac_b = 1;
	assert_int_equal(vt_store_flow_add(st, run, &f), VT_OK);
	f.ipver = 6;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", f.ip_a), 1);
	assert_int_equal(inet_pton(AF_INET6, "fe80::aa:1", f.ip_b), 1);
	f.has_mac_a = 0;
	assert_int_equal(vt_store_flow_add(st, run, &f), VT_OK);
	assert_int_equal(vt_store_flush(st), VT_OK);
	char txt[128];
	raw_text(fx->path, "SELECT ip_a || ' ' || ip_b || ' ' || mac_a || ' '"
		 " || mac_b || ' ' || scope || ' ' || proto FROM flow"
		 " WHERE id = 1", txt, sizeof(txt));
	assert_string_equal(txt, "0.0.0.0 255.100.10.9 00:11:22:33:44:55"
				 " aa:bb:cc:dd:ee:ff local 17");
	raw_text(fx->path, "SELECT ip_a || ' ' || ip_b || ' ' ||"
		 " coalesce(mac_a, '-') FROM flow WHERE id = 2", txt,
		 sizeof(txt));
	assert_string_equal(txt, "2001:db8::1 fe80::aa:1 -");
	vt_store_close(st);
}

static void test_errors_recover(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	int64_t run = begin_run(st, 1);
	vt_flow_rec f;
	make_flow(&f, 1);
	/* foreign_keys is on: a flow of an unknown run is refused. */
	assert_int_equal(vt_store_flow_add(st, run + 42, &f), VT_EDB);
	assert_non_null(strstr(vt_store_errmsg(st), "FOREIGN KEY"));
	assert_int_equal(vt_store_flow_add(st, run, &f), VT_OK);
	f.ipver = 5;
	assert_int_equal(vt_store_flow_add(st, run, &f), VT_EINVAL);
	assert_int_equal(vt_store_run_end(st, run + 42, 1, 0, "ok"),
			 VT_ENOTFOUND);
	/* A put with a bad service leaves no row of that device. */
	vt_devrec d;
	dev_a_run1(&d);
	d.services[1].proto = 1;
	assert_int_equal(vt_store_device_put(st, run, &d), VT_EINVAL);
	/* A put for a run that does not exist fails as a whole too. */
	d.services[1].proto = 17;
	assert_int_equal(vt_store_device_put(st, run + 42, &d), VT_EDB);
	assert_non_null(strstr(vt_store_errmsg(st), "FOREIGN KEY"));
	vt_devrec_cleanup(&d);
	put(st, run, dev_b);
	assert_int_equal(vt_store_flush(st), VT_OK);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM flow"), 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM device"), 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM service"), 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM device_run"),
			 1);
	vt_store_close(st);
}

/* A device with more than the caps over two runs. */
static void big_device(vt_devrec *d, uint32_t run)
{
	memset(d, 0, sizeof(*d));
	set_mac(d, "02:00:00:00:00:01");
	for (uint32_t i = 0; i < 20; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.%u.0.%u", run, i + 1);
		add_ip(d, ip, VT_BIND_TRAFFIC, run * 1000 + i, run * 1000 + i);
	}
	for (uint32_t i = 0; i < 200; i++)
		add_svc(d, 17, (uint16_t)(run * 1000 + i), VT_ROLE_CLIENT,
			VT_SCOPE_LOCAL, run == 2 ? 10 : 1, 1, 1, 1);
	for (uint32_t i = 0; i < 40; i++) {
		char v[32];
		snprintf(v, sizeof(v), "r%u-%u", run, i);
		assert_int_equal(vt_devrec_add_evidence(d, "dns", v, "x"),
				 VT_OK);
	}
	d->services_dropped = 5;
}

static void test_caps(void **state)
{
	fixture *fx = *state;
	vt_store *st = open_ok(fx->path);
	for (uint32_t run = 1; run <= 2; run++) {
		int64_t id = begin_run(st, run);
		vt_devrec d;
		big_device(&d, run);
		assert_int_equal(vt_store_device_put(st, id, &d), VT_OK);
		vt_devrec_cleanup(&d);
	}
	vt_devrec *recs = NULL;
	size_t n = 0;
	assert_int_equal(vt_store_devices_load(st, 0, &recs, &n), VT_OK);
	assert_int_equal(n, 1);
	const vt_devrec *d = &recs[0];
	/* The 32 seen last: all 20 of run 2 and the last 12 of run 1. */
	assert_int_equal(d->n_ips, VT_DEV_MAX_IPS);
	assert_ip(&d->ips[0], "10.1.0.9", VT_BIND_TRAFFIC, 1008, 1008);
	assert_ip(&d->ips[31], "10.2.0.20", VT_BIND_TRAFFIC, 2019, 2019);
	/* The 256 with most flows: run 2's 200, then 56 of run 1. */
	assert_int_equal(d->n_services, VT_DEV_MAX_SERVICES);
	assert_int_equal(d->services_dropped, 5 + 5 + 400 - 256);
	assert_int_equal(d->services[0].port, 1000);
	assert_int_equal(d->services[55].port, 1055);
	assert_int_equal(d->services[56].port, 2000);
	assert_int_equal(d->services[56].flows, 10);
	assert_int_equal(d->n_evidence, VT_DEV_MAX_EVIDENCE);
	assert_string_equal(d->evidence[0].value, "r1-0");
	/* Text order: r1-*, then r2-0 r2-1 r2-10..19 r2-2 r2-20..29 r2-3. */
	assert_string_equal(d->evidence[39].value, "r1-9");
	assert_string_equal(d->evidence[63].value, "r2-3");
	free_recs(recs, n);
	vt_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_load_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_one_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_active_services_add, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ident_most_confident, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreign_database, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flows_batched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flow_text, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors_recover, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
