#!/bin/sh
# `vantage report` on a store built from the lab (lab/up: real daemons in
# vt* namespaces) by three real measurements of the same LAN:
#   1. a capture of the LAN bridge (tcpdump on br0 in vtlan, bounded by -c)
#      while devices talk: the camera downloads 1 MiB from the WAN web
#      server, two devices resolve names through the gateway's DNS, and
#      LAN devices use services of other LAN devices (the camera's web
#      page, the NAS's DSM page, the hub's MQTT broker);
#   2. `vantage discover -i eth0` and `vantage scan` of the truth's LAN
#      ports from vtscan (internal active), over 192.168.77.0/24 and the
#      devices' IPv6 addresses;
#   3. `vantage read` of the capture (internal passive), into the same store.
# Every expected figure comes from lab/truth.tsv, lab/devices.tsv and from
# tshark's reading of the capture (tests/report/check_lab.py), never from
# the store: offered ports per device, the ports used as server, the used
# share, the risky offered-but-unused flags, the views present, one device
# per MAC across the three runs, service ranks per view, and the flows and
# bytes per flow, local vs external. check_report.py then recomputes every
# figure from the store's rows as well.
# Holds the lab (lab/session.sh, which runs lab/up and lab/down) for the
# whole run. Root only. The HTML page is kept as tests/artifacts/report_lab.html.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
[ "$(id -u)" -eq 0 ] || vt_skip "needs root (the lab's namespaces, raw sockets, tcpdump)"
vt_need python3 sqlite3 bash flock tcpdump tshark busybox
LAB=$VT_SRCDIR/lab
if ! ip netns add "vtprobe$$" 2>/dev/null; then
	vt_skip "cannot create network namespaces here"
fi
ip netns del "vtprobe$$"

cap=$VT_TMP/lan.pcap
db=$VT_TMP/lab.db
out=$VT_TMP/out
err=$VT_TMP/err
tcpdump_pid=
cleanup() {
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null
	vt_lab_end >/dev/null 2>&1
	if [ -n "${VT_KEEP:-}" ]; then
		mkdir -p "$VT_KEEP" && cp -r "$VT_TMP"/. "$VT_KEEP"/
	fi
	rm -rf "$VT_TMP"
}
. "$LAB/session.sh"
export VT_LAB_QUIET=1
vt_lab_begin >"$VT_TMP/up.log" 2>&1 || {
	tail -20 "$VT_TMP/up.log" # (a failed lab/up removes what it built)
	vt_skip "lab/up failed or the lab stayed busy"
}
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT TERM
lab_id() { stat -L -c %i /run/netns/vtscan 2>/dev/null; }
id0=$(lab_id)
chmod 777 "$VT_TMP" # scan drops root to 'nobody' before writing the store

# 1. The capture. tcpdump writes packets as they come (-U) and stops at
# 20000 (-c) at the latest; it is stopped once the traffic is over.
ip netns exec vtlan tcpdump -i br0 -n -U -s 262144 -c 20000 -w "$cap" \
	>/dev/null 2>"$VT_TMP/tcpdump.err" 9>&- &
tcpdump_pid=$!
n=0
until grep -q 'listening on' "$VT_TMP/tcpdump.err" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -gt 100 ] && vt_skip "tcpdump did not start: $(head -1 "$VT_TMP/tcpdump.err")"
	sleep 0.1
done
dev() { ip netns exec "$@" 9>&- >>"$VT_TMP/traffic.log" 2>&1; }
dev vtcam timeout 20 busybox wget -q -O /dev/null http://198.51.100.10/files/1MiB.bin
vt_eq "camera downloads 1 MiB from the WAN server" "$?" 0
dev vtlinux timeout 10 busybox nslookup example.net 192.168.77.1
vt_eq "DNS lookup through the gateway (linux)" "$?" 0
dev vthub timeout 10 busybox nslookup example.com 192.168.77.1
vt_eq "DNS lookup through the gateway (hub)" "$?" 0
dev vtlinux timeout 10 busybox wget -q -O /dev/null http://192.168.77.20/
vt_eq "linux fetches the camera's page" "$?" 0
dev vtmedia timeout 10 busybox wget -q -O /dev/null http://192.168.77.40:5000/
vt_eq "media player fetches the NAS's page" "$?" 0
dev vtspeaker timeout 10 sh -c 'printf "\020\014\000\004MQTT\004\002\000\074\000\000" | busybox nc -w 2 192.168.77.60 1883'
vt_eq "speaker connects to the hub's MQTT broker" "$?" 0
sleep 1
kill -INT "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid"
tcpdump_pid=

# 2. Discover and scan from the measuring host, into one store.
vt_run "$out" "$err" ip netns exec vtscan timeout 60 "$VANTAGE" discover -i eth0 \
	--timeout 2 --db "$db"
vt_eq "discover: exit status" "$VT_RC" 0
chmod 666 "$db"
PORTS=$(grep -v '^#' "$LAB/truth.tsv" | awk -F'\t' 'NR > 1 && $11 == "lan" { print ($4 == "udp" ? "U:" : "T:") $5 }' |
	sort -u | paste -sd, -)
# The devices' IPv6 (SLAAC) addresses too: a device answering on both
# families must stay one device, keyed by its MAC (the IPv6 neighbour
# table), not one per address.
V6=$(grep -v '^#' "$LAB/devices.tsv" | awk -F'\t' 'NR > 1 && $2 == "device" { print $5 }')
vt_run "$out" "$err" ip netns exec vtscan timeout 60 "$VANTAGE" scan -p "$PORTS" \
	--rate 3000 --grab-timeout 4000 --wait 1000 --db "$db" 192.168.77.0/24 $V6
[ "$(lab_id)" = "$id0" ] || vt_skip "the lab was taken down during the test (lab/down elsewhere)"
vt_eq "scan: exit status" "$VT_RC" 0

# 3. The capture into the same store.
vt_run "$out" "$err" "$VANTAGE" read --db "$db" "$cap"
vt_eq "read of the capture: exit status" "$VT_RC" 0

vt_run "$out" "$err" "$VANTAGE" report --db "$db" --json
vt_eq "report --json: exit status" "$VT_RC" 0
cp "$out" "$VT_TMP/report.jsonl"
mkdir -p "$VT_SRCDIR/tests/artifacts"
page=$VT_SRCDIR/tests/artifacts/report_lab.html
rm -f "$page"
vt_run "$VT_TMP/text" "$err" "$VANTAGE" report --db "$db" --html "$page"
vt_eq "report --html: exit status" "$VT_RC" 0

# The expected figures, from the truth files and tshark over the capture.
if python3 "$VT_SRCDIR/tests/report/check_lab.py" "$VT_TMP/report.jsonl" "$cap" \
	"$LAB/truth.tsv" "$LAB/devices.tsv" "$db" \
	vtcam:tcp/80 vtnas:tcp/5000 vthub:tcp/1883 vtgw:udp/53 >"$VT_TMP/lab.check" 2>&1; then
	vt_ok "check_lab.py (truth files + tshark): $(tail -1 "$VT_TMP/lab.check")"
else
	vt_fail "check_lab.py: the report differs from the truth files or the capture:"
	grep -v '^ok' "$VT_TMP/lab.check" | head -30
fi
grep -E 'risky unused|used_share|used as server|bytes per flow: (mean|median)|^ok   (local|external) flows|internal_|device keys|store:' \
	"$VT_TMP/lab.check" | sed 's/^/     /'
# The page: every LAN device's row, the camera's unused telnet flagged.
python3 - "$page" "$LAB/devices.tsv" >"$VT_TMP/html.check" <<'PYEOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
rows = [l.split("\t") for l in open(sys.argv[2]) if not l.startswith("#")]
macs = [r[2] for r in rows if r[1] in ("device", "gateway")]
print(sum(1 for m in macs if m in page), len(macs), "telnet" in page)
PYEOF
set -- $(cat "$VT_TMP/html.check")
vt_eq "HTML page names every LAN device's MAC" "$1" "$2"
vt_eq "HTML page flags telnet" "$3" True

if python3 "$VT_SRCDIR/tests/report/check_report.py" "$db" "$VT_TMP/report.jsonl" \
	>"$VT_TMP/check" 2>&1; then
	vt_ok "check_report.py (the store's rows, recomputed): $(tail -1 "$VT_TMP/check")"
else
	vt_fail "check_report.py differs:"
	grep FAIL "$VT_TMP/check" | head -20
fi
vt_finish
