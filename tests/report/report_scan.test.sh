#!/bin/sh
# The internal active view from a real `vantage scan`, once the scan
# branch is merged (skips while `vantage scan` does not exist, or without
# CAP_NET_RAW). Two real listeners on loopback (Python's http.server and a
# socat banner service) on free ports are scanned, on 127.0.0.1 only;
# the store also holds the demo capture's run. The report must show both
# views, the scanned device offering exactly those ports (the HTTP one
# labelled by the matcher), and agree with check_report.py's independent
# recomputation.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3 socat
"$VANTAGE" scan --help >/dev/null 2>&1 || vt_skip "no 'vantage scan' in this build"

db=$VT_TMP/s.db
out=$VT_TMP/out
err=$VT_TMP/err
chmod 777 "$VT_TMP" # scan drops root to 'nobody' before writing the store

ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
http=${ports% *}
banner=${ports#* }
python3 -m http.server "$http" --bind 127.0.0.1 >/dev/null 2>&1 &
pid_http=$!
socat "TCP-LISTEN:$banner,bind=127.0.0.1,reuseaddr,fork" \
	SYSTEM:'printf "BusyBox v1.30.1 built-in shell (ash)\r\nlogin: "' >/dev/null 2>&1 &
pid_socat=$!
trap 'kill $pid_http $pid_socat 2>/dev/null; rm -rf "$VT_TMP"' EXIT
trap 'kill $pid_http $pid_socat 2>/dev/null; rm -rf "$VT_TMP"; exit 130' INT TERM
python3 - "$http" "$banner" <<'PYEOF' || vt_skip "listeners did not start"
import socket, sys, time
for p in sys.argv[1:]:
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", int(p)), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit(1)
PYEOF

vt_run "$out" "$err" "$VANTAGE" read --db "$db" "$VT_SRCDIR"/data/demo/*.pcap
vt_eq "read demo" "$VT_RC" 0
chmod 666 "$db"
vt_run "$out" "$err" timeout 120 "$VANTAGE" scan 127.0.0.1 -p "$http,$banner" \
	--wait 500 --grab-timeout 5000 --db "$db"
if [ "$VT_RC" -eq 2 ] && grep -qi 'socket\|permission\|CAP_NET_RAW' "$err"; then
	vt_skip "scan cannot open raw sockets here: $(head -1 "$err")"
fi
vt_eq "scan of loopback: exit status" "$VT_RC" 0

vt_run "$out" "$err" "$VANTAGE" report --db "$db" --json
vt_eq "report: exit status" "$VT_RC" 0
if python3 "$VT_SRCDIR/tests/report/check_report.py" "$db" "$out" >"$VT_TMP/check" 2>&1; then
	vt_ok "independent recomputation: $(tail -1 "$VT_TMP/check")"
else
	vt_fail "independent recomputation differs:"
	grep FAIL "$VT_TMP/check" | head -20
fi
got=$(python3 - "$out" "$http" <<'PYEOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
head = objs[0]
views = [v["view"] for v in head["views"] if v["present"]]
dev = [o for o in objs if o["object"] == "device" and o["key"] == "127.0.0.1"]
d = dev[0] if dev else {"ports": [], "views": []}
ports = sorted(p["port"] for p in d["ports"] if p["offered_internal"])
label = [p["label"] for p in d["ports"] if p["port"] == int(sys.argv[2])]
print(views, d["views"], len(ports), label)
PYEOF
)
vt_eq "views, device, offered ports, HTTP label" "$got" \
	"['internal_active', 'internal_passive'] ['internal_active'] 2 ['SimpleHTTPServer']"
vt_finish
