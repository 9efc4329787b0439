/*
 * The store's schema and its versioning. PRAGMA user_version holds the
 * schema version (VT_STORE_SCHEMA_VERSION) and PRAGMA application_id marks
 * the file as ours, so opening refuses a newer schema and a database that
 * belongs to something else instead of writing into it. migrations[v]
 * takes a file from version v to v + 1; a new file (version 0) runs them
 * all, in one transaction. Times are INTEGER microseconds since the epoch
 * (UTC), NULL when unknown; IPs are inet_ntop text and MACs
 * "aa:bb:cc:dd:ee:ff", so the file reads well from the sqlite3 shell.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

static const char schema_v1[] =
	/* One invocation of vantage (DESIGN.md "run"). ended_us and packets
	 * stay NULL and status 'running' until the run ends: a run left
	 * 'running' was killed. */
	"CREATE TABLE run ("
	" id INTEGER PRIMARY KEY,"
	" command TEXT NOT NULL,"       /* "read", "scan", ... */
	" args TEXT,"                   /* the command line, space separated */
	" started_us INTEGER,"
	" ended_us INTEGER,"
	" vantage TEXT CHECK (vantage IN ('internal', 'external')),"
	" technique TEXT CHECK (technique IN ('active', 'passive')),"
	" source TEXT,"                 /* input files or interface */
	" packets INTEGER,"             /* packets processed */
	" status TEXT NOT NULL DEFAULT 'running'" /* ok | error: x | interrupted */
	");"

	/* A thing on the network, keyed by MAC inside a LAN and by IP when
	 * there is no link layer (exactly one key is set). The identification
	 * is the most confident any run gave (the latest among equals,
	 * statements.c); first/last span every run. */
	"CREATE TABLE device ("
	" id INTEGER PRIMARY KEY,"
	" mac TEXT UNIQUE,"             /* NULL for devices keyed by IP */
	" key_ip TEXT UNIQUE,"          /* the key when mac IS NULL, else NULL */
	" vendor TEXT,"                 /* NULL: unknown */
	" type TEXT,"                   /* taxonomy identifier; NULL: unknown */
	" model TEXT,"
	" os TEXT,"
	" confidence REAL,"             /* 0..1 */
	" gateway INTEGER NOT NULL DEFAULT 0,"    /* external hosts behind it */
	" randomized INTEGER NOT NULL DEFAULT 0," /* locally administered MAC */
	" first_us INTEGER,"
	" last_us INTEGER,"
	" last_run_id INTEGER REFERENCES run(id) ON DELETE SET NULL,"
	" CHECK ((mac IS NULL) <> (key_ip IS NULL))"
	");"
	"CREATE INDEX device_last_run ON device(last_run_id);"

	/* A device's traffic counters in one run. Bytes are frame lengths.
	 * external_peers is distinct peers within the run, so a sum over runs
	 * counts a peer once per run it was seen in. services_dropped counts
	 * services over the per-device cap (VT_DEV_MAX_SERVICES), not stored. */
	"CREATE TABLE device_run ("
	" device_id INTEGER NOT NULL REFERENCES device(id) ON DELETE CASCADE,"
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" packets_sent INTEGER NOT NULL DEFAULT 0,"
	" bytes_sent INTEGER NOT NULL DEFAULT 0,"
	" packets_recv INTEGER NOT NULL DEFAULT 0,"
	" bytes_recv INTEGER NOT NULL DEFAULT 0,"
	" flows INTEGER NOT NULL DEFAULT 0,"
	" local_flows INTEGER NOT NULL DEFAULT 0,"
	" external_flows INTEGER NOT NULL DEFAULT 0,"
	" local_bytes INTEGER NOT NULL DEFAULT 0,"
	" external_bytes INTEGER NOT NULL DEFAULT 0,"
	" external_peers INTEGER NOT NULL DEFAULT 0,"
	" services_dropped INTEGER NOT NULL DEFAULT 0,"
	" first_us INTEGER,"
	" last_us INTEGER,"
	" PRIMARY KEY (device_id, run_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX device_run_run ON device_run(run_id);"

	/* An address a device held during a run. sources is a bit set of
	 * where it was learned: 1 ARP, 2 DHCP, 4 traffic, 8 NDP (VT_BIND_*). */
	"CREATE TABLE ip_binding ("
	" device_id INTEGER NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" ip TEXT NOT NULL,"
	" sources INTEGER NOT NULL DEFAULT 0,"
	" first_us INTEGER,"
	" last_us INTEGER,"
	" PRIMARY KEY (device_id, run_id, ip),"
	" FOREIGN KEY (device_id, run_id)"
	"  REFERENCES device_run(device_id, run_id) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX ip_binding_ip ON ip_binding(ip);"

	/* A (proto, port) a device took part in during a run. port is the
	 * server's port; role is the device's side, scope the peer's.
	 * technique 'passive' = carried traffic (used), 'active' = answered a
	 * probe (offered). bytes count both directions, frame lengths. */
	"CREATE TABLE service ("
	" device_id INTEGER NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" proto TEXT NOT NULL CHECK (proto IN ('tcp', 'udp')),"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" role TEXT NOT NULL CHECK (role IN ('client', 'server')),"
	" scope TEXT NOT NULL CHECK (scope IN ('local', 'external')),"
	" technique TEXT NOT NULL DEFAULT 'passive'"
	"  CHECK (technique IN ('passive', 'active')),"
	" flows INTEGER NOT NULL DEFAULT 0,"
	" bytes INTEGER NOT NULL DEFAULT 0,"
	" first_us INTEGER,"
	" last_us INTEGER,"
	" PRIMARY KEY (device_id, run_id, technique, proto, port, role, scope),"
	" FOREIGN KEY (device_id, run_id)"
	"  REFERENCES device_run(device_id, run_id) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX service_port ON service(proto, port);"

	/* One identifying signal seen for a device in a run and the rule that
	 * read it. value is device-controlled: escape it on output. */
	"CREATE TABLE evidence ("
	" device_id INTEGER NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" signal TEXT NOT NULL,"        /* "oui", "dhcp_hostname", ... */
	" value TEXT NOT NULL,"
	" rule TEXT NOT NULL,"          /* "ieee-data:MA-L", "x.rules:12" */
	" PRIMARY KEY (device_id, run_id, signal, value, rule),"
	" FOREIGN KEY (device_id, run_id)"
	"  REFERENCES device_run(device_id, run_id) ON DELETE CASCADE"
	") WITHOUT ROWID;"
	"CREATE INDEX evidence_signal ON evidence(signal, value);"

	/* Every distinct signal a device gave in a run (include/vantage/
	 * signal.h names them), whether or not a rule used it, so devices can
	 * be relabelled later with new rules. value is device-controlled. */
	"CREATE TABLE signal ("
	" device_id INTEGER NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" signal TEXT NOT NULL,"
	" value BLOB NOT NULL,"
	" count INTEGER NOT NULL,"
	" first_us INTEGER,"
	" last_us INTEGER,"
	" PRIMARY KEY (device_id, run_id, signal, value),"
	" FOREIGN KEY (device_id, run_id)"
	"  REFERENCES device_run(device_id, run_id) ON DELETE CASCADE"
	") WITHOUT ROWID;"

	/* One service response (DESIGN.md "banner"): the raw bytes a probe
	 * got from (ip, proto, port), kept so they can be relabelled, with the
	 * label the matcher gave at the time and the TLS certificate. device_id
	 * is set when the address belongs to a known device. cpe is a JSON
	 * array of strings. */
	"CREATE TABLE banner ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" device_id INTEGER REFERENCES device(id) ON DELETE SET NULL,"
	" ip TEXT,"
	" proto TEXT NOT NULL CHECK (proto IN ('tcp', 'udp')),"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" probe TEXT,"
	" state TEXT,"
	" seen_us INTEGER,"
	" data BLOB NOT NULL,"
	" tls_subject TEXT, tls_issuer TEXT, tls_sha256 TEXT, tls_chain BLOB,"
	" service TEXT, product TEXT, version TEXT, info TEXT,"
	" devicetype TEXT, type TEXT, vendor TEXT, cpe TEXT, rule TEXT,"
	" confidence REAL"
	");"
	"CREATE INDEX banner_addr ON banner(ip, proto, port);"

	/* One finished flow, a = initiator, b = responder. proto is the IP
	 * protocol number (flows are not only TCP and UDP); ports are 0 when
	 * the protocol has none. mac_a/mac_b are the device MACs of local
	 * sides, NULL otherwise. The table takes millions of rows per run, so
	 * it has no index besides the rowid (an index on run_id cost 2 s per
	 * 2.9M rows); ids ascend in the order flows ended, and a reader that
	 * needs flows by run creates its index when it runs. */
	"CREATE TABLE flow ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" proto INTEGER NOT NULL,"
	" ip_a TEXT NOT NULL,"
	" port_a INTEGER NOT NULL,"
	" ip_b TEXT NOT NULL,"
	" port_b INTEGER NOT NULL,"
	" mac_a TEXT,"
	" mac_b TEXT,"
	" scope TEXT NOT NULL CHECK (scope IN ('local', 'external')),"
	" first_us INTEGER,"
	" last_us INTEGER,"
	" packets_ab INTEGER NOT NULL,"
	" bytes_ab INTEGER NOT NULL,"
	" packets_ba INTEGER NOT NULL,"
	" bytes_ba INTEGER NOT NULL"
	");";

/* Version 2: the telescope (`vantage telescope`, vantage external,
 * technique passive). A source row per exported source (a source evicted
 * from a full table and seen again has two rows in a run); device_id links
 * scanners to a device keyed by their IP. Events are Merit's (source, key
 * port, class) with the 624 s timeout; windows hold the Mirai counts per
 * hour (or --window) and per day; victims are backscatter's DoS victims. */
static const char schema_v2[] =
	"CREATE TABLE telescope_run ("
	" run_id INTEGER PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,"
	" prefixes TEXT,"                /* the --prefix list, space separated */
	" size INTEGER,"                 /* telescope addresses; NULL unknown */
	" mirai_k INTEGER NOT NULL,"     /* mirai_sig packets to count a source */
	" window_s INTEGER NOT NULL,"
	" packets INTEGER, counted INTEGER, outside INTEGER, not_ipv4 INTEGER,"
	" backscatter INTEGER, mirai_packets INTEGER, mirai_orig_packets INTEGER,"
	" sources_evicted INTEGER, events_evicted INTEGER,"
	" victims_dropped INTEGER"
	");"
	"CREATE TABLE telescope_source ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" device_id INTEGER REFERENCES device(id) ON DELETE SET NULL,"
	" ip TEXT NOT NULL,"
	" first_us INTEGER, last_us INTEGER,"
	" packets INTEGER NOT NULL, bytes INTEGER NOT NULL,"
	" unique_dsts INTEGER NOT NULL, unique_24s INTEGER NOT NULL,"
	" syn_packets INTEGER NOT NULL, backscatter_packets INTEGER NOT NULL,"
	" class TEXT NOT NULL CHECK (class IN ('scanner', 'backscatter', 'other')),"
	" tool TEXT CHECK (tool IN ('mirai', 'masscan', 'zmap')),"
	" mirai INTEGER NOT NULL,"       /* mirai_packets >= mirai_k */
	" mirai_packets INTEGER NOT NULL, mirai_orig_packets INTEGER NOT NULL,"
	" mirai_23 INTEGER NOT NULL, mirai_2323 INTEGER NOT NULL,"
	" purity TEXT CHECK (purity IN ('pure', 'mixed')),"
	" consistent INTEGER,"           /* NULL without mirai packets */
	" pairs TEXT,"                   /* JSON [{sport, window}] of Mirai SYNs */
	" ports TEXT,"                   /* JSON [{port, class, packets}] */
	" events INTEGER NOT NULL, scan_events INTEGER NOT NULL,"
	" max_rate REAL,"                /* extrapolated packets/s */
	" evicted INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX telescope_source_ip ON telescope_source(ip);"
	"CREATE TABLE telescope_event ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" ip TEXT NOT NULL,"
	" port INTEGER NOT NULL,"
	" class TEXT NOT NULL,"          /* tcp_syn, tcp_synack, ..., unknown */
	" first_us INTEGER, last_us INTEGER,"
	" packets INTEGER NOT NULL, bytes INTEGER NOT NULL,"
	" unique_dsts INTEGER NOT NULL, unique_24s INTEGER NOT NULL,"
	" mirai_packets INTEGER NOT NULL, mirai_orig_packets INTEGER NOT NULL,"
	" mirai_pairs INTEGER NOT NULL,"
	" rate REAL,"                    /* NULL without a telescope size */
	" scan INTEGER NOT NULL,"
	" evicted INTEGER NOT NULL DEFAULT 0,"
	" sample TEXT"                   /* JSON: the first packet's fields */
	");"
	"CREATE TABLE telescope_window ("
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" length_s INTEGER NOT NULL,"
	" start_us INTEGER NOT NULL,"
	" mirai_sources INTEGER NOT NULL,"   /* >= mirai_k signature packets */
	" mirai_sources_k2 INTEGER NOT NULL,"
	" new_sources INTEGER NOT NULL, new_sources_k2 INTEGER NOT NULL,"
	" mirai_packets INTEGER NOT NULL, mirai_23 INTEGER NOT NULL,"
	" mirai_2323 INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, length_s, start_us)"
	") WITHOUT ROWID;"
	"CREATE TABLE telescope_victim ("
	" run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	" ip TEXT NOT NULL,"
	" first_us INTEGER, last_us INTEGER,"
	" packets INTEGER NOT NULL, tcp_packets INTEGER NOT NULL,"
	" icmp_packets INTEGER NOT NULL,"
	" proto INTEGER, port INTEGER,"   /* the first attacked service seen */
	" PRIMARY KEY (run_id, ip)"
	") WITHOUT ROWID;";

/* migrations[v] takes the schema from version v to v + 1. */
static const char *const migrations[VT_STORE_SCHEMA_VERSION] = {
	schema_v1,
	schema_v2,
};

typedef struct header {
	int64_t version; /* PRAGMA user_version */
	int64_t app_id;  /* PRAGMA application_id */
	int64_t objects; /* rows in sqlite_master */
} header;

static int db_err(sqlite3 *db, const char *path, char *errbuf)
{
	snprintf(errbuf, VT_ERRBUF_LEN, "%s: %s", path, sqlite3_errmsg(db));
	return VT_EDB;
}

static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
	}
	/* finalize returns the step's error again and keeps the message. */
	int frc = sqlite3_finalize(s);
	return rc == SQLITE_OK ? frc : rc;
}

static int read_header(sqlite3 *db, header *h)
{
	if (query_int(db, "PRAGMA user_version", &h->version) ||
	    query_int(db, "PRAGMA application_id", &h->app_id) ||
	    query_int(db, "SELECT count(*) FROM sqlite_master", &h->objects))
		return VT_EDB;
	return VT_OK;
}

/* Refuses what this build must not write into. */
static int check_header(const header *h, const char *path, char *errbuf)
{
	if (h->version > VT_STORE_SCHEMA_VERSION || h->version < 0) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: schema version %lld is newer than this vantage "
			 "supports (%d); use a newer vantage",
			 path, (long long)h->version, VT_STORE_SCHEMA_VERSION);
		return VT_EFORMAT;
	}
	int ours = h->app_id == VT_STORE_APP_ID;
	if ((h->version > 0 && !ours) ||
	    (h->version == 0 && (h->app_id != 0 || h->objects > 0))) {
		snprintf(errbuf, VT_ERRBUF_LEN,
			 "%s: not a vantage database (application_id %lld, "
			 "schema version %lld)",
			 path, (long long)h->app_id, (long long)h->version);
		return VT_EFORMAT;
	}
	return VT_OK;
}

static int set_pragmas(sqlite3 *db)
{
	/* journal_mode answers with the mode; anything but an error is
	 * accepted (an in-memory database stays "memory"). */
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s,
				    NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	int frc = sqlite3_finalize(s);
	if (rc != SQLITE_OK || frc != SQLITE_OK)
		return VT_EDB;
	if (sqlite3_exec(db,
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA foreign_keys = ON;",
			 NULL, NULL, NULL) != SQLITE_OK)
		return VT_EDB;
	return VT_OK;
}

/* Runs the migrations from the version found inside the transaction. */
static int migrate_locked(sqlite3 *db, const char *path, char *errbuf)
{
	header h = {0};
	if (read_header(db, &h))
		return db_err(db, path, errbuf);
	int rc = check_header(&h, path, errbuf);
	if (rc)
		return rc;
	for (int64_t v = h.version; v < VT_STORE_SCHEMA_VERSION; v++)
		if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL))
			return db_err(db, path, errbuf);
	char sql[96];
	snprintf(sql, sizeof(sql),
		 "PRAGMA user_version = %d; PRAGMA application_id = %d;",
		 VT_STORE_SCHEMA_VERSION, VT_STORE_APP_ID);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL))
		return db_err(db, path, errbuf);
	return VT_OK;
}

static int migrate(sqlite3 *db, const char *path, char *errbuf)
{
	/* IMMEDIATE: another process creating the same file waits here, then
	 * finds the schema in place when it re-reads the version. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		return db_err(db, path, errbuf);
	int rc = migrate_locked(db, path, errbuf);
	if (rc == VT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL))
		rc = db_err(db, path, errbuf);
	if (rc != VT_OK && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int vt_store_schema_open(sqlite3 *db, const char *path, char *errbuf)
{
	header h = {0};
	/* The first read of the file: "file is not a database" shows here. */
	if (read_header(db, &h))
		return db_err(db, path, errbuf);
	int rc = check_header(&h, path, errbuf);
	if (rc)
		return rc;
	if (sqlite3_db_readonly(db, "main") == 1) {
		snprintf(errbuf, VT_ERRBUF_LEN, "%s: database is read-only",
			 path);
		return VT_EIO;
	}
	if (set_pragmas(db))
		return db_err(db, path, errbuf);
	if (h.version < VT_STORE_SCHEMA_VERSION)
		return migrate(db, path, errbuf);
	return VT_OK;
}
