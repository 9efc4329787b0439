/*
 * Every SQL statement the store runs, in one table indexed by enum
 * vt_store_stmt, so the queries can be read next to the schema (schema.c)
 * and are all prepared, and so checked against the file, when the store
 * opens. Parameters are numbered (?N) and documented per statement.
 *
 * Loads select runs with "run_id BETWEEN ?1 AND ?2" (one run: r..r; all:
 * 1..INT64_MAX), which can use the run_id indexes. vt_bitor is the
 * bitwise-OR aggregate that store.c registers on the connection.
 */
#include "store_int.h"

/* min/max of two nullable times, NULL meaning unknown. */
#define MIN_T(c) "coalesce(min(" c ", excluded." c "), " c ", excluded." c ")"
#define MAX_T(c) "coalesce(max(" c ", excluded." c "), " c ", excluded." c ")"

/* The gateway and randomized flags are replaced only by a run at least as
 * recent. The identification (vendor, type, model, os, confidence) is the
 * most confident one any run gave, the most recent among equals, so a run
 * that saw less of a device (a capture without its DHCP, say) does not
 * undo what an earlier run identified. SQLite evaluates every SET
 * expression against the row before the update. */
#define NEWER "excluded.last_run_id >= coalesce(last_run_id, 0)"
#define TAKE(c) c " = CASE WHEN " NEWER " THEN excluded." c " ELSE " c " END, "
#define BETTER                                                              \
	"(coalesce(excluded.confidence, 0) > coalesce(confidence, 0) OR"    \
	" (coalesce(excluded.confidence, 0) = coalesce(confidence, 0) AND " \
	NEWER "))"
#define TAKE_ID(c)                                                          \
	c " = CASE WHEN " BETTER " THEN excluded." c " ELSE " c " END, "

/* ?1 mac, ?2 key_ip, ?3 vendor, ?4 type, ?5 model, ?6 confidence,
 * ?7 gateway, ?8 randomized, ?9 first_us, ?10 last_us, ?11 run id,
 * ?12 os. */
#define DEV_INSERT                                                          \
	"INSERT INTO device(mac, key_ip, vendor, type, model, confidence,"  \
	" gateway, randomized, first_us, last_us, last_run_id, os)"         \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
#define DEV_UPDATE                                                          \
	" DO UPDATE SET " TAKE_ID("vendor") TAKE_ID("type") TAKE_ID("model")\
	TAKE_ID("os") TAKE_ID("confidence")                                  \
	TAKE("gateway") TAKE("randomized")                                   \
	"first_us = " MIN_T("first_us") ", last_us = " MAX_T("last_us")     \
	", last_run_id = max(coalesce(last_run_id, 0), excluded.last_run_id)" \
	" RETURNING id"

#define DEVRUN_COLS                                                         \
	"packets_sent, bytes_sent, packets_recv, bytes_recv, flows,"        \
	" local_flows, external_flows, local_bytes, external_bytes,"        \
	" external_peers, services_dropped, first_us, last_us"

#define SET_EXCL(c) c " = excluded." c

const char *const vt_store_sql[S__COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_BEGIN_READ] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT vt_device",
	[S_RELEASE] = "RELEASE vt_device",
	[S_ROLLBACK_TO] = "ROLLBACK TO vt_device",

	/* ?1 command, ?2 args, ?3 started_us, ?4 vantage, ?5 technique,
	 * ?6 source. */
	[S_RUN_BEGIN] = "INSERT INTO run(command, args, started_us, vantage,"
			" technique, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* ?1 id, ?2 ended_us, ?3 packets, ?4 status. */
	[S_RUN_END] = "UPDATE run SET ended_us = ?2, packets = ?3, status = ?4"
		      " WHERE id = ?1",

	[S_FLOW] = "INSERT INTO flow(run_id, proto, ip_a, port_a, ip_b, port_b,"
		   " mac_a, mac_b, scope, first_us, last_us, packets_ab,"
		   " bytes_ab, packets_ba, bytes_ba) VALUES (?1, ?2, ?3, ?4,"
		   " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",

	[S_DEV_BY_MAC] = DEV_INSERT " ON CONFLICT(mac)" DEV_UPDATE,
	[S_DEV_BY_IP] = DEV_INSERT " ON CONFLICT(key_ip)" DEV_UPDATE,

	/* ?1 device, ?2 run, ?3.. the counters in DEVRUN_COLS order. A second
	 * put of the device in the same run replaces its counters. */
	[S_DEVRUN] = "INSERT INTO device_run(device_id, run_id, " DEVRUN_COLS
		     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		     " ?12, ?13, ?14, ?15)"
		     " ON CONFLICT(device_id, run_id) DO UPDATE SET "
		     SET_EXCL("packets_sent") ", " SET_EXCL("bytes_sent") ", "
		     SET_EXCL("packets_recv") ", " SET_EXCL("bytes_recv") ", "
		     SET_EXCL("flows") ", " SET_EXCL("local_flows") ", "
		     SET_EXCL("external_flows") ", " SET_EXCL("local_bytes")
		     ", " SET_EXCL("external_bytes") ", "
		     SET_EXCL("external_peers") ", "
		     SET_EXCL("services_dropped") ", " SET_EXCL("first_us")
		     ", " SET_EXCL("last_us"),

	/* ?1 device, ?2 run: clear the run's rows before writing them. */
	[S_DEL_IP] = "DELETE FROM ip_binding WHERE device_id = ?1"
		     " AND run_id = ?2",
	/* Active (offered) services are added to by a second put, not
	 * replaced (store.h). */
	[S_DEL_SVC] = "DELETE FROM service WHERE device_id = ?1 AND run_id = ?2"
		      " AND technique = 'passive'",
	[S_DEL_EVI] = "DELETE FROM evidence WHERE device_id = ?1"
		      " AND run_id = ?2",
	[S_DEL_SIG] = "DELETE FROM signal WHERE device_id = ?1"
		      " AND run_id = ?2",
	/* ?1 device, ?2 run, ?3 signal, ?4 value (blob), ?5 count,
	 * ?6 first, ?7 last. */
	[S_SIG] = "INSERT INTO signal(device_id, run_id, signal, value, count,"
		  " first_us, last_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		  " ON CONFLICT DO UPDATE SET count = count + excluded.count",

	/* ?1 device, ?2 run, ?3 ip, ?4 sources, ?5 first, ?6 last. */
	[S_IP] = "INSERT INTO ip_binding(device_id, run_id, ip, sources,"
		 " first_us, last_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		 " ON CONFLICT(device_id, run_id, ip) DO UPDATE SET"
		 " sources = sources | excluded.sources, first_us = "
		 MIN_T("first_us") ", last_us = " MAX_T("last_us"),
	/* ?1 device, ?2 run, ?3 proto, ?4 port, ?5 role, ?6 scope, ?7 flows,
	 * ?8 bytes, ?9 first, ?10 last, ?11 technique. */
	[S_SVC] = "INSERT INTO service(device_id, run_id, proto, port, role,"
		   " scope, technique, flows, bytes, first_us, last_us) VALUES"
		  " (?1, ?2, ?3, ?4, ?5, ?6, ?11, ?7, ?8, ?9, ?10)"
		  " ON CONFLICT(device_id, run_id, technique, proto, port, role,"
		  " scope) DO UPDATE SET flows = flows + excluded.flows,"
		  " bytes = bytes + excluded.bytes, first_us = "
		  MIN_T("first_us") ", last_us = " MAX_T("last_us"),
	/* ?1 device, ?2 run, ?3 signal, ?4 value, ?5 rule. */
	[S_EVI] = "INSERT INTO evidence(device_id, run_id, signal, value, rule)"
		  " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",

	/* Devices with a device_run row in the runs, counters summed. */
	[S_LOAD_DEV] = "SELECT d.id, d.mac, d.key_ip, d.vendor, d.type,"
		       " d.model, d.confidence, d.gateway, d.randomized,"
		       " min(r.first_us), max(r.last_us), sum(r.packets_sent),"
		       " sum(r.bytes_sent), sum(r.packets_recv),"
		       " sum(r.bytes_recv), sum(r.flows), sum(r.local_flows),"
		       " sum(r.external_flows), sum(r.local_bytes),"
		       " sum(r.external_bytes), sum(r.external_peers),"
		       " sum(r.services_dropped), d.os"
		       " FROM device d JOIN device_run r ON r.device_id = d.id"
		       " WHERE r.run_id BETWEEN ?1 AND ?2"
		       " GROUP BY d.id ORDER BY d.id",
	/* Passive services merged over the runs; per device the ?3 with the
	 * most flows are kept and the rest counted in "over". */
	[S_LOAD_SVC] = "SELECT device_id, proto, port, role, scope, flows,"
		       " bytes, first_us, last_us, max(n - ?3, 0) AS over"
		       " FROM (SELECT device_id, proto, port, role, scope,"
		       "  sum(flows) AS flows, sum(bytes) AS bytes,"
		       "  min(first_us) AS first_us, max(last_us) AS last_us,"
		       "  row_number() OVER (PARTITION BY device_id ORDER BY"
		       "   sum(flows) DESC, sum(bytes) DESC, proto, port, role,"
		       "   scope) AS rank,"
		       "  count(*) OVER (PARTITION BY device_id) AS n"
		       "  FROM service WHERE technique = 'passive'"
		       "  AND run_id BETWEEN ?1 AND ?2"
		       "  GROUP BY device_id, proto, port, role, scope)"
		       " WHERE rank <= ?3 ORDER BY device_id, proto, port, role,"
		       " scope = 'external'",
	/* Bindings merged by address; per device the ?3 seen last are kept. */
	[S_LOAD_IP] = "SELECT device_id, ip, sources, first_us, last_us"
		      " FROM (SELECT device_id, ip, vt_bitor(sources) AS"
		      "  sources, min(first_us) AS first_us, max(last_us) AS"
		      "  last_us, row_number() OVER (PARTITION BY device_id"
		      "   ORDER BY max(last_us) DESC, ip) AS rank"
		      "  FROM ip_binding WHERE run_id BETWEEN ?1 AND ?2"
		      "  GROUP BY device_id, ip)"
		      " WHERE rank <= ?3 ORDER BY device_id, first_us, ip",
	/* Distinct evidence, sorted so output does not depend on the order
	 * runs were written in. */
	[S_LOAD_EVI] = "SELECT DISTINCT device_id, signal, value, rule"
		       " FROM evidence WHERE run_id BETWEEN ?1 AND ?2"
		       " ORDER BY device_id, signal, value, rule",
};
