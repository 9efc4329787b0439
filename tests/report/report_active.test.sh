#!/bin/sh
# The active views of `vantage report`, until `vantage scan` and `vantage
# import` land (their branches had no commits when this was written): a
# store from `vantage read` of the demo capture gets, through sqlite3,
# the rows those commands are specified to write (src/store/schema.c and
# issues 5 and 7): an internal/active run whose service rows (technique
# 'active', role 'server', scope 'local') and banner rows say what the
# demo's camera and router offer, and an external/active run with an
# IP-keyed device. Checked: the views present and missing, offered vs used
# per port and the share used, risky offered-but-unused flags, ranks side
# by side and the cross-view correlations, all recomputed independently
# by check_report.py, plus hand-counted expectations for these rows.
# Replace the inserts with a lab scan when `scan` is merged.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3

db=$VT_TMP/a.db
out=$VT_TMP/out
err=$VT_TMP/err
vt_run "$out" "$err" "$VANTAGE" read --db "$db" "$VT_SRCDIR"/data/demo/*.pcap
vt_eq "read demo" "$VT_RC" 0

python3 - "$db" <<'PYEOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
dev = dict(con.execute("SELECT mac, id FROM device"))
cam, router = dev["78:df:72:24:69:4d"], dev["c8:bf:4c:77:a0:3a"]
T = 1713250000000000
cur = con.execute("INSERT INTO run(command, args, started_us, ended_us, vantage,"
                  " technique, source, status) VALUES ('scan', 'scan 192.168.1.0/24',"
                  " ?, ?, 'internal', 'active', 'lo', 'ok')", (T, T + 10**6))
ia = cur.lastrowid
offers = {cam: [("tcp", 23), ("tcp", 80), ("tcp", 554)],
          router: [("udp", 53), ("udp", 67), ("tcp", 80), ("tcp", 7547)]}
for d, ports in offers.items():
    con.execute("INSERT INTO device_run(device_id, run_id, first_us, last_us)"
                " VALUES (?, ?, ?, ?)", (d, ia, T, T))
    for proto, port in ports:
        con.execute("INSERT INTO service(device_id, run_id, proto, port, role,"
                    " scope, technique, first_us, last_us) VALUES (?, ?, ?, ?,"
                    " 'server', 'local', 'active', ?, ?)", (d, ia, proto, port, T, T))
con.execute("INSERT INTO banner(run_id, device_id, ip, proto, port, probe, state,"
            " seen_us, data, service, product) VALUES (?, ?, '192.168.1.165',"
            " 'tcp', 23, 'NULL', 'open', ?, X'fffd18', 'telnet', 'BusyBox telnetd')",
            (ia, cam, T))
cur = con.execute("INSERT INTO run(command, args, started_us, ended_us, vantage,"
                  " technique, source, status) VALUES ('import', 'import x.json',"
                  " ?, ?, 'external', 'active', 'x.json', 'ok')", (T, T))
ea = cur.lastrowid
cur = con.execute("INSERT INTO device(key_ip, vendor, type, first_us, last_us,"
                  " last_run_id) VALUES ('198.51.100.7', 'ZTE', 'router', ?, ?, ?)",
                  (T, T, ea))
x = cur.lastrowid
con.execute("INSERT INTO device_run(device_id, run_id, first_us, last_us)"
            " VALUES (?, ?, ?, ?)", (x, ea, T, T))
for proto, port in [("tcp", 7547), ("tcp", 23), ("tcp", 443)]:
    con.execute("INSERT INTO service(device_id, run_id, proto, port, role, scope,"
                " technique) VALUES (?, ?, ?, ?, 'server', 'external', 'active')",
                (x, ea, proto, port))
con.commit()
PYEOF
vt_eq "active rows inserted" "$?" 0

vt_run "$out" "$err" "$VANTAGE" report --db "$db" --json
vt_eq "report: exit status" "$VT_RC" 0
if python3 "$VT_SRCDIR/tests/report/check_report.py" "$db" "$out" >"$VT_TMP/check" 2>&1; then
	vt_ok "independent recomputation: $(tail -1 "$VT_TMP/check")"
else
	vt_fail "independent recomputation differs:"
	grep FAIL "$VT_TMP/check" | head -20
fi

# field KEY EXPR: a Python expression over the device object d.
field() {
	python3 - "$out" "$1" "$2" <<'PYEOF'
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["object"] == "device" and d["key"] == sys.argv[2]:
        print(eval(sys.argv[3]))
PYEOF
}
head=$(sed -n 1p "$out")
vt_eq "missing views" "$(echo "$head" | python3 -c 'import json,sys; print(json.load(sys.stdin)["missing"])')" "['external_passive']"
# The router offers udp/53, udp/67 (both used as a server in the capture),
# tcp/80 and tcp/7547 (never used): half its offered services are used,
# and CWMP is a risky unused one.
vt_eq "router offered" "$(field c8:bf:4c:77:a0:3a 'd["offered"]')" 4
vt_eq "router used share" "$(field c8:bf:4c:77:a0:3a 'd["used_share"]')" 0.5
vt_eq "router risky unused" "$(field c8:bf:4c:77:a0:3a '[p["risky"]["name"] for p in d["ports"] if p["offered_unused"] and p["risky"]]')" "['cwmp']"
# The camera offers telnet, http and rtsp and serves none of them.
vt_eq "camera used share" "$(field 78:df:72:24:69:4d 'd["used_share"]')" 0
vt_eq "camera telnet banner" "$(field 78:df:72:24:69:4d '[(p["state_internal"], p["label"]) for p in d["ports"] if p["port"] == 23]')" "[('open', 'BusyBox telnetd')]"
vt_eq "camera risky unused" "$(field 78:df:72:24:69:4d 'd["unused_risky"]')" 1
vt_eq "external device views" "$(field 198.51.100.7 'd["views"]')" "['external_active']"
vt_eq "external device offered" "$(field 198.51.100.7 'd["offered"]')" 3
# tcp/80: 2 of the 2 internally scanned devices; tcp/7547 first outside.
vt_eq "tcp/80 internal active" "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["object"] == "service" and o["proto"] == "tcp" and o["port"] == 80:
        v = o["views"]["internal_active"]; print(v["devices"], v["share"], v["rank"])' "$out")" "2 1 1"
vt_eq "cross-view correlations" "$(grep -c '"what":"service shares: ' "$out")" 3

vt_run "$out" "$err" "$VANTAGE" report --db "$db"
vt_eq "text: offered-unused risky telnet line" \
	"$(grep -c '^ *tcp/23 *open .*UNUSED RISKY:telnet *BusyBox telnetd$' "$out")" 1
[ -n "${VT_KEEP_DB:-}" ] && cp "$db" "$VT_KEEP_DB"
vt_finish
