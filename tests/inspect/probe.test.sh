#!/bin/sh
# `vantage inspect --probe` in the lab (only inside the lab's vt*
# namespaces). From vtscan it inspects the camera (vtcam) with --probe
# while a WAN client fetches the camera's web page through the gateway's
# port forward (so through the spoofed path), and checks:
#  - the store holds the camera's offered services (a run of its own:
#    inspect, internal, active) exactly as lab/truth.tsv lists them
#    (tcp 23 telnet, 80 http, 554 rtsp), with banner rows labelled with the
#    truth's service (tcp/80 unlabelled, as the truth says Nmap leaves it,
#    but holding HTTP responses), and its used services (the inspect run, passive: tcp
#    80 as a server) on the same device row, and none of the probes'
#    answers among the used services;
#  - `vantage report --device <camera MAC> --json` sets them side by side:
#    80 offered and used, 23 and 554 offered and unused, 23 risky;
#  - the rate is polite: no second of the capture on the camera holds more
#    than 60 probes from vtscan (--probe-rate 50), and a second pass
#    started, not sooner than --probe-interval 10 after the first;
#  - privileges: the main process (and the probe thread) run as nobody
#    without capabilities;
#  - a safety stop (a second spoofer) stops probing at once: no probe
#    reaches the camera later than 0.2 s after the first corrective ARP.
# Root only (skips otherwise); holds the lab lock (lab/session.sh);
# cleans up on any exit; bounded (~50 s, a few thousand packets).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init

[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces, ARP spoofing inside them); run: sudo ctest -R inspect/probe"
vt_need ip tcpdump tshark arpspoof curl ping flock python3 bash
if ! ip netns add "vtprobe$$" 2>/dev/null; then
	vt_skip "cannot create network namespaces here"
fi
ip netns del "vtprobe$$"

. "$VT_SRCDIR/lab/session.sh"
export VT_LAB_QUIET=1
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	[ -z "${VT_LAB_LOCKED:-}" ] || vt_lab_end >/dev/null 2>&1
	rm -rf "$VT_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

vt_lab_begin >"$VT_TMP/up.log" 2>&1 || {
	tail -20 "$VT_TMP/up.log"
	echo "FAIL: lab/up"
	exit 1
}

in_ns() {
	case $1 in
	vt*) ns=$1; shift; ip netns exec "$ns" "$@" ;;
	*) echo "FAIL: refusing to run outside a vt namespace: $*"; exit 1 ;;
	esac
}

SCAN_MAC=$(in_ns vtscan cat /sys/class/net/eth0/address)
CAM_MAC=$(in_ns vtcam cat /sys/class/net/eth0/address)
GW_MAC=$(in_ns vtgw cat /sys/class/net/eth0/address)
CAM=192.168.77.20
GW=192.168.77.1
SCAN=192.168.77.250
DB=$VT_TMP/probe.db

neigh() {
	m=$(in_ns "$1" ip neigh show "$2" dev eth0 |
		awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')
	echo "${m:-none}"
}

wait_spoofed() {
	t=0
	while [ $t -le 100 ]; do
		if [ "$(neigh vtcam $GW)" = "$SCAN_MAC" ] &&
			[ "$(neigh vtgw $CAM)" = "$SCAN_MAC" ]; then
			return 0
		fi
		sleep 0.1
		t=$((t + 1))
	done
	return 1
}

wait_exit() {
	t=0
	while kill -0 "$1" 2>/dev/null && [ $t -lt 300 ]; do
		sleep 0.1
		t=$((t + 1))
	done
	wait "$1"
}

# The truth: the camera's LAN ports as "proto/port service" lines; the
# label expected from the matcher: the service, or "-" where the truth says
# Nmap leaves the port unrecognised (busybox httpd's header-less page).
TRUTH=$(awk -F '\t' '$1 == "vtcam" && $11 == "lan" {print $4 "/" $5 " " $6}' \
	"$VT_SRCDIR/lab/truth.tsv" | sort)
LABELS=$(awk -F '\t' '$1 == "vtcam" && $11 == "lan" {print $4 "/" $5 " " ($12 ~ /unrecognised/ ? "-" : $6)}' \
	"$VT_SRCDIR/lab/truth.tsv" | sort)
[ -n "$TRUTH" ] || { echo "FAIL: no camera rows in lab/truth.tsv"; exit 1; }

in_ns vtcam ping -n -q -c 2 -i 0.2 -W 1 $GW >/dev/null 2>&1

# ---- run 1: --probe for 24 s, a second pass at 10 s ----
ip netns exec vtcam tcpdump -U -n -i eth0 -w "$VT_TMP/cam1.pcap" 2>"$VT_TMP/cam1.err" &
CAMDUMP=$!
PIDS="$PIDS $CAMDUMP"
sleep 1
ip netns exec vtscan "$VANTAGE" inspect -i eth0 --device $CAM --consent --probe \
	--probe-interval 10 --duration 24 --db "$DB" >"$VT_TMP/run1.out" 2>"$VT_TMP/run1.err" &
RUN1=$!
PIDS="$PIDS $RUN1"
if wait_spoofed; then
	vt_ok "on path with --probe"
else
	vt_fail "not on path: $(cat "$VT_TMP/run1.err")"
fi
vt_eq "main process runs as nobody" "$(awk '/^Uid:/ {print $3}' /proc/$RUN1/status)" 65534
TASKS=$(ls /proc/$RUN1/task | wc -l)
vt_eq "main process and probe thread" "$TASKS" 2
NOCAP=yes
for t in /proc/$RUN1/task/*; do
	[ "$(awk '/^CapEff:/ {print $2}' "$t/status")" = 0000000000000000 ] || NOCAP=no
	[ "$(awk '/^Uid:/ {print $3}' "$t/status")" = 65534 ] || NOCAP=no
done
vt_eq "every thread: nobody, no capability" "$NOCAP" yes
# Used: a WAN client fetches the camera's page (gateway port forward
# 203.0.113.2:8080 -> camera:80), through the spoofed path.
GOT=0
for i in 1 2 3; do
	n=$(in_ns vtwan curl -s -m 5 -o /dev/null -w '%{size_download}' http://203.0.113.2:8080/)
	[ "${n:-0}" -gt 0 ] && GOT=$((GOT + 1))
	sleep 1
done
vt_eq "WAN fetches of the camera's page through the path" "$GOT" 3
wait_exit $RUN1
vt_eq "run 1: exit status" "$?" 0
kill -INT $CAMDUMP
wait $CAMDUMP 2>/dev/null
grep 'probe:' "$VT_TMP/run1.err" | sed 's/^/     /'

# The store: offered = the truth, used = port 80, one device row.
python3 - "$DB" "$CAM_MAC" >"$VT_TMP/store.txt" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
mac = sys.argv[2]
runs = db.execute("select id, command, vantage, technique, status from run order by id").fetchall()
act = [r for r in runs if r[3] == "active"]
pas = [r for r in runs if r[3] == "passive"]
print("runs", [(r[1], r[2], r[3], r[4]) for r in runs])
devs = db.execute("select id from device where mac = ?", (mac,)).fetchall()
print("camera device rows", len(devs))
dev = devs[0][0] if devs else -1
if act:
    rows = db.execute("select proto, port from service where device_id = ? and run_id = ?"
                      " and technique = 'active' and role = 'server' order by proto, port",
                      (dev, act[0][0])).fetchall()
    print("offered", " ".join("%s/%s" % (p if isinstance(p, str) else {6: "tcp", 17: "udp"}[p], n) for p, n in rows))
    best, http = {}, 0
    for proto, port, svc, conf, data in db.execute(
            "select proto, port, service, confidence, data from banner where run_id = ? and device_id = ?",
            (act[0][0], dev)):
        k = "%s/%s" % (proto, port)
        if k not in best or (svc and conf >= best[k][1]):
            best[k] = (svc or "-", conf or 0)
        if k == "tcp/80" and data and bytes(data).startswith(b"HTTP/1."):
            http += 1
    for k in sorted(best):
        print("banner", k, best[k][0])
    print("http responses on tcp/80", http)
if pas:
    rows = db.execute("select proto, port from service where device_id = ? and run_id = ?"
                      " and technique = 'passive' and role = 'server' order by proto, port",
                      (dev, pas[0][0])).fetchall()
    print("used", " ".join("%s/%s" % (p if isinstance(p, str) else {6: "tcp", 17: "udp"}[p], n) for p, n in rows))
EOF
sed 's/^/     /' "$VT_TMP/store.txt"
vt_eq "store: the inspect run and the probe run" "$(sed -n 's/^runs //p' "$VT_TMP/store.txt")" \
	"[('inspect', 'internal', 'passive', 'ok'), ('inspect', 'internal', 'active', 'ok')]"
vt_eq "store: one device row for the camera" "$(sed -n 's/^camera device rows //p' "$VT_TMP/store.txt")" 1
vt_eq "store: offered services = lab/truth.tsv" "$(sed -n 's/^offered //p' "$VT_TMP/store.txt")" \
	"$(echo "$TRUTH" | awk '{print $1}' | sort -t/ -k1,1 -k2,2n | tr '\n' ' ' | sed 's/ $//')"
vt_eq "store: banner rows labelled as the truth says" "$(sed -n 's/^banner //p' "$VT_TMP/store.txt" | sort)" "$LABELS"
N=$(sed -n 's/^http responses on tcp\/80 //p' "$VT_TMP/store.txt")
[ "${N:-0}" -gt 0 ] && vt_ok "store: tcp/80's banners hold HTTP responses ($N)" || vt_fail "no HTTP response on tcp/80"
vt_eq "store: used as a server (the WAN client's fetches)" "$(sed -n 's/^used //p' "$VT_TMP/store.txt")" "tcp/80"

# The report: offered vs used for the camera.
"$VANTAGE" report --db "$DB" --device "$CAM_MAC" --json >"$VT_TMP/report.json" 2>"$VT_TMP/report.err"
vt_eq "report --device: exit status" "$?" 0
"$VANTAGE" report --db "$DB" --device "$CAM_MAC" >"$VT_TMP/report.txt" 2>&1
python3 - "$VT_TMP/report.json" >"$VT_TMP/report.sum" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    ports = d.get("ports")
    if not isinstance(ports, list):
        continue
    for p in ports:
        off = p.get("offered_internal") or p.get("offered") or p.get("offered_int")
        print("%s/%s offered=%s used=%s risky=%s" % (p.get("proto"), p.get("port"),
              bool(off), bool(p.get("used")), bool(p.get("risky"))))
EOF
cat "$VT_TMP/report.sum" | sed 's/^/     /'
grep -q '^tcp/80 offered=True used=True' "$VT_TMP/report.sum" &&
	vt_ok "report: tcp/80 offered and used" || vt_fail "report: tcp/80: $(cat "$VT_TMP/report.json")"
grep -q '^tcp/23 offered=True used=False risky=True' "$VT_TMP/report.sum" &&
	vt_ok "report: tcp/23 offered, unused, risky" || vt_fail "report: tcp/23: $(cat "$VT_TMP/report.sum")"
grep -q '^tcp/554 offered=True used=False' "$VT_TMP/report.sum" &&
	vt_ok "report: tcp/554 offered, unused" || vt_fail "report: tcp/554: $(cat "$VT_TMP/report.sum")"

# Politeness: probes from vtscan seen on the camera, per second.
tshark -r "$VT_TMP/cam1.pcap" -Y "ip.src == $SCAN && ((tcp.flags.syn == 1 && tcp.flags.ack == 0) || udp)" \
	-T fields -e frame.time_epoch 2>/dev/null >"$VT_TMP/probes.txt"
RATE=$(python3 - "$VT_TMP/probes.txt" <<'EOF'
import sys
ts = sorted(float(l) for l in open(sys.argv[1]) if l.strip())
worst, j = 0, 0
for i, t in enumerate(ts):
    while ts[j] < t - 1.0:
        j += 1
    worst = max(worst, i - j + 1)
print(len(ts), worst)
EOF
)
# Passes: SYNs to tcp/21 (closed: one per pass, never grabbed).
P21=$(tshark -r "$VT_TMP/cam1.pcap" -Y "ip.src == $SCAN && tcp.dstport == 21 && tcp.flags.syn == 1" \
	-T fields -e frame.time_epoch 2>/dev/null | python3 -c '
import sys
ts = [float(l) for l in sys.stdin if l.strip()]
print(len(ts), " ".join("%.1f" % (b - a) for a, b in zip(ts, ts[1:])))')
echo "     probes on the camera: $RATE (packets, most in any 1 s window); SYNs to tcp/21 and their spacing (s): $P21"
set -- $RATE
[ "${1:-0}" -gt 0 ] && [ "${2:-999}" -le 60 ] &&
	vt_ok "polite: at most $2 probes in any second (--probe-rate 50)" || vt_fail "rate: $RATE"
set -- $P21
# Never sooner than --probe-interval; later when a pass (its banner
# grabs: up to 15 s per port) outlasts it.
if [ "${1:-0}" -ge 2 ] && python3 -c "import sys; sys.exit(0 if 9.9 <= float(sys.argv[1]) <= 25 else 1)" "${2:-0}"; then
	vt_ok "a second pass, not sooner than --probe-interval 10 ($1 passes started, ${2} s apart)"
else
	vt_fail "passes: $P21"
fi

# ---- run 2: a safety stop stops probing at once ----
ip netns exec vtcam tcpdump -U -n -i eth0 -w "$VT_TMP/cam2.pcap" 2>"$VT_TMP/cam2.err" &
CAMDUMP=$!
PIDS="$PIDS $CAMDUMP"
sleep 1
# Every TCP port at 50/s: a pass of 20 minutes, cut short by the stop.
ip netns exec vtscan "$VANTAGE" inspect -i eth0 --device $CAM --consent --probe \
	--probe-ports 1-65535 --duration 60 --db "$VT_TMP/stop.db" >"$VT_TMP/run2.out" 2>"$VT_TMP/run2.err" &
RUN2=$!
PIDS="$PIDS $RUN2"
wait_spoofed || vt_fail "run 2 not on path: $(cat "$VT_TMP/run2.err")"
sleep 3
ip netns exec vtlinux arpspoof -i eth0 $GW >"$VT_TMP/arpspoof.log" 2>&1 &
SPOOFER=$!
PIDS="$PIDS $SPOOFER"
wait_exit $RUN2
vt_eq "safety stop: exit status" "$?" 1
kill -INT $SPOOFER 2>/dev/null
wait $SPOOFER 2>/dev/null
sleep 0.5
kill -INT $CAMDUMP
wait $CAMDUMP 2>/dev/null
grep -q 'stopping: ' "$VT_TMP/run2.err" && vt_ok "safety stop: $(grep stopping "$VT_TMP/run2.err" | head -1)" ||
	vt_fail "no safety stop: $(cat "$VT_TMP/run2.err")"
LAST=$(tshark -r "$VT_TMP/cam2.pcap" -Y "ip.src == $SCAN && tcp.flags.syn == 1 && tcp.flags.ack == 0" \
	-T fields -e frame.time_epoch 2>/dev/null | tail -1)
# The first corrective ARP: from vtscan, giving the gateway's true MAC.
FIX=$(tshark -r "$VT_TMP/cam2.pcap" -Y "eth.src == $SCAN_MAC && arp.opcode == 2 && arp.src.hw_mac == $GW_MAC" \
	-T fields -e frame.time_epoch 2>/dev/null | head -1)
GAP=$(python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) - float(sys.argv[2])))" "${LAST:-0}" "${FIX:-0}" 2>/dev/null)
echo "     last probe - first corrective ARP: ${GAP:-?} s"
if [ -n "$LAST" ] && [ -n "$FIX" ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 0.2 else 1)" "$GAP"; then
	vt_ok "safety stop: probing stopped at once (last probe $GAP s after the first corrective ARP)"
else
	vt_fail "safety stop: last probe $LAST, first corrective ARP $FIX"
fi
vt_eq "safety stop: the probe run ends with the inspect run's status" \
	"$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select status from run where technique='active'\").fetchone()[0])" "$VT_TMP/stop.db")" \
	"error: stopped by a safety check"

vt_finish
