/*
 * Writing banner rows (vt_store_banner_put): a response's raw bytes, its
 * TLS certificate names and the label `vantage match` gave it, so that it
 * can be relabelled later with new rules. device_id links the row to the
 * device that holds the address (by key IP or by an IP binding), when the
 * store knows one. Rows go into the open batch like flows.
 */
#include <string.h>

#include "store_int.h"

static const char banner_sql[] =
	"INSERT INTO banner (run_id, device_id, ip, proto, port, probe, state,"
	" seen_us, data, tls_subject, tls_issuer, tls_sha256, service,"
	" product, version, info, devicetype, type, vendor, cpe, rule,"
	" confidence, tls_chain) VALUES (?1,"
	" (SELECT id FROM device WHERE ?2 IS NOT NULL AND (key_ip = ?2 OR id ="
	"  (SELECT device_id FROM ip_binding WHERE ip = ?2"
	"   ORDER BY last_us DESC LIMIT 1)) LIMIT 1),"
	" ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, ?18, ?19, ?20, ?21, ?22)";

static int bind_all(sqlite3_stmt *s, int64_t run_id, const vt_banner_rec *b)
{
	static const uint8_t none[1];
	int rc = sqlite3_bind_int64(s, 1, run_id);
	rc |= vt_store_bind_text(s, 2, b->ip);
	rc |= vt_store_bind_text(s, 3, b->proto);
	rc |= sqlite3_bind_int(s, 4, (int)b->port);
	rc |= vt_store_bind_text(s, 5, b->probe);
	rc |= vt_store_bind_text(s, 6, b->state);
	rc |= b->seen_us ? vt_store_bind_time(s, 7, b->seen_us)
			 : sqlite3_bind_null(s, 7);
	rc |= sqlite3_bind_blob(s, 8, b->len ? b->data : none, (int)b->len,
				SQLITE_TRANSIENT);
	const char *txt[] = {b->tls_subject, b->tls_issuer, b->tls_sha256,
			     b->service, b->product, b->version, b->info,
			     b->devicetype, b->type, b->vendor, b->cpe_json,
			     b->rule};
	for (int i = 0; i < 12; i++)
		rc |= vt_store_bind_text(s, 9 + i, txt[i] && *txt[i] ? txt[i] : NULL);
	rc |= sqlite3_bind_double(s, 21, b->confidence);
	rc |= b->tls_chain && b->tls_chain_len
		      ? sqlite3_bind_blob(s, 22, b->tls_chain, (int)b->tls_chain_len,
					  SQLITE_TRANSIENT)
		      : sqlite3_bind_null(s, 22);
	return rc;
}

int vt_store_banner_put(vt_store *st, int64_t run_id, const vt_banner_rec *b)
{
	if (!st || !b || !b->proto || b->port > 65535 || b->len > INT32_MAX || b->tls_chain_len > INT32_MAX ||
	    (strcmp(b->proto, "tcp") && strcmp(b->proto, "udp")))
		return st ? vt_store_error(st, VT_EINVAL, "invalid banner")
			  : VT_EINVAL;
	if (vt_store_tx_begin(st))
		return VT_EDB;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(st->db, banner_sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &s, NULL) != SQLITE_OK)
		return vt_store_fail(st);
	int rc = vt_store_bound_step(st, s, bind_all(s, run_id, b));
	sqlite3_finalize(s);
	if (rc != VT_OK)
		return rc;
	return vt_store_tx_rows(st, 1);
}
