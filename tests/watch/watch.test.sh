#!/bin/sh
# `vantage watch` on a real interface: a veth pair in a network namespace
# of our own (vtwatch<pid>, IPv6 off so the kernel itself sends nothing),
# two real captures from data/demo replayed onto one end with tcpreplay at
# 2000 packets/s while watch captures on the other end. Oracles:
#   - `vantage read` of the same captures (flow timeouts longer than the
#     replay, as the replay compresses time): every field of every device
#     record equal except first_seen/last_seen (live times) -- counters,
#     flows, services, peers, bindings, identification;
#   - tshark: frames and bytes sent/received per MAC;
# with 1 thread and with 2 threads (kernel fanout: both threads must get
# frames, and the merged records must still equal read's: flows not split,
# counters summed). Also:
#   - SIGINT with --db: exit 0, run row 'ok' with the frame count, the
#     stored devices (`vantage devices --json`) equal read's records;
#   - privileges: while running (started as root) the process is uid/gid
#     65534 with no capabilities and no_new_privs; as an unprivileged user
#     with only CAP_NET_RAW it works (2 threads); with no capability it
#     fails cleanly (exit 2, one error line naming CAP_NET_RAW);
#   - bad usage: no interface, unknown interface, unknown --user: exit 2.
# Needs root (namespaces, raw sockets); otherwise skipped.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces, raw sockets)"
vt_need ip tcpreplay tshark python3 sqlite3 setpriv timeout

NS=vtwatch$$
A=vtwa$$
B=vtwb$$
WPID=
cleanup() {
	[ -z "$WPID" ] || kill -9 "$WPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$VT_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

ip netns add "$NS" || vt_skip "cannot create a network namespace"
nsx() { ip netns exec "$NS" "$@"; }
# Another script deleting every vt* namespace (or killing what runs in
# them) breaks this test; say so instead of failing obscurely.
ns_check() {
	ip netns list | grep -q "^$NS\>" ||
		echo "NOTE namespace $NS was deleted from outside during the test"
}
nsx ip link add "$A" type veth peer name "$B" || vt_skip "no veth support"
for i in "$A" "$B"; do
	nsx sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"
	nsx ip link set "$i" up
done

DEMO=$VT_SRCDIR/data/demo
CAPS="$DEMO/xiaobai_Y2camera_idle_local.pcap $DEMO/xiaodu_plug_on_voice.pcap"
out=$VT_TMP/out
err=$VT_TMP/err
# shellcheck disable=SC2086 # CAPS is a list of paths without spaces
"$VANTAGE" read --json --tcp-timeout 86400 --udp-timeout 86400 $CAPS \
	>"$VT_TMP/read.json" 2>"$VT_TMP/read.err"
vt_eq "oracle: vantage read exit status" $? 0
FRAMES=$(vt_frames "$VT_TMP/read.err")
for f in $CAPS; do
	tshark -r "$f" -T fields -e eth.src -e eth.dst -e frame.len 2>/dev/null
done >"$VT_TMP/tshark.tsv"

# compare NAME WATCH_JSON: device records equal to read's, L2 counters
# equal to tshark's.
compare() {
	python3 - "$VT_TMP/read.json" "$2" "$VT_TMP/tshark.tsv" <<'EOF'
import collections, json, sys
def load(p):
    return {d["mac"]: d for d in map(json.loads, open(p, encoding="utf-8"))}
want, got = load(sys.argv[1]), load(sys.argv[2])
bad = []
if sorted(want) != sorted(got):
    bad.append("devices %s vs read's %s" % (sorted(got), sorted(want)))
for mac, w in want.items():
    g = got.get(mac, {})
    for k, v in w.items():
        if k not in ("first_seen", "last_seen") and g.get(k) != v:
            bad.append("%s %s: %r, read %r" % (mac, k, g.get(k), v))
ts = collections.defaultdict(lambda: [0, 0, 0, 0])
for line in open(sys.argv[3]):
    src, dst, n = line.split("\t")
    ts[src][0] += 1; ts[src][1] += int(n); ts[dst][2] += 1; ts[dst][3] += int(n)
keys = ("packets_sent", "bytes_sent", "packets_recv", "bytes_recv")
for mac, g in got.items():
    if [g[k] for k in keys] != ts[mac]:
        bad.append("%s counters %r, tshark %r" % (mac, [g[k] for k in keys], ts[mac]))
for b in bad[:10]:
    print("   ", b)
print("%d devices, %d differences" % (len(got), len(bad)))
sys.exit(1 if bad else 0)
EOF
}

# start_watch ARGS...: runs watch in the namespace in the background and
# waits (at most 60 s: rules load slowly under ASan) until it captures.
start_watch() {
	# not through nsx: $! must be vantage's pid (ip netns exec execs it);
	# emptied first: the wait below must not see the last run's line
	: >"$err"
	ip netns exec "$NS" "$VANTAGE" watch -i "$B" "$@" >"$out" 2>"$err" &
	WPID=$!
	_n=0
	until grep -q 'capturing on' "$err" 2>/dev/null; do
		_n=$((_n + 1))
		if [ "$_n" -gt 600 ] || ! kill -0 "$WPID" 2>/dev/null; then
			vt_fail "watch did not start: $(head -3 "$err")"
			ns_check
			return 1
		fi
		sleep 0.1
	done
}

# wait_watch: waits (bounded) for watch to end; sets VT_RC.
wait_watch() {
	VT_RC=0
	wait "$WPID" || VT_RC=$?
	WPID=
}

replay() {
	# shellcheck disable=SC2086
	nsx timeout 60 tcpreplay -q -i "$A" --pps 2000 $CAPS >"$VT_TMP/replay.log" 2>&1
	vt_eq "tcpreplay exit status" $? 0
}

for t in 1 2; do
	echo "== $t thread(s), --duration"
	start_watch --threads "$t" --duration 6 --json || continue
	replay
	wait_watch
	vt_eq "$t thread(s): exit status" "$VT_RC" 0
	vt_eq "$t thread(s): frames received" "$(vt_frames "$err")" "$FRAMES"
	drops=$(sed -n 's/.*kernel drops \([0-9]*\) .*/\1/p' "$err")
	vt_eq "$t thread(s): kernel drops" "$drops" 0
	if compare "$t" "$out"; then
		vt_ok "$t thread(s): records equal read's and tshark's counters"
	else
		vt_fail "$t thread(s): records differ"
	fi
	if [ "$t" -eq 2 ]; then
		per=$(sed -n 's/^ *frames per thread: //p' "$err")
		set -- $per
		if [ "$#" -eq 2 ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ]; then
			vt_ok "2 threads: fanout spread the frames ($per)"
		else
			vt_fail "2 threads: frames per thread '$per'"
		fi
	fi
done

echo "== SIGINT with --db; privileges while running"
DB=$VT_TMP/watch.db
if start_watch --threads 2 --db "$DB" --flush 1; then
	st=$(grep -E '^(Uid|Gid|CapEff|CapPrm|NoNewPrivs):' "/proc/$WPID/status" |
		tr -s '\t' ' ' | tr '\n' ';')
	vt_eq "running process ids and capabilities" "$st" \
		"Uid: 65534 65534 65534 65534;Gid: 65534 65534 65534 65534;CapPrm: 0000000000000000;CapEff: 0000000000000000;NoNewPrivs: 1;"
	replay
	sleep 1
	kill -INT "$WPID"
	wait_watch
	vt_eq "SIGINT: exit status" "$VT_RC" 0
	vt_eq "SIGINT: run row" "$(sqlite3 "$DB" 'select command, source, packets, status from run')" \
		"watch|$B|$FRAMES|ok"
	vt_eq "SIGINT: integrity" "$(sqlite3 "$DB" 'pragma integrity_check')" ok
	"$VANTAGE" devices --db "$DB" --json >"$VT_TMP/devices.json" 2>"$VT_TMP/devices.err"
	if compare db "$VT_TMP/devices.json"; then
		vt_ok "SIGINT: stored devices equal read's records"
	else
		vt_fail "SIGINT: stored devices differ"
	fi
	flows=$(sqlite3 "$DB" 'select count(*) from flow')
	want=$(sed -n 's/^ *flows: \([0-9]*\) .*/\1/p' "$VT_TMP/read.err")
	vt_eq "SIGINT: flow rows stored" "$flows" "$want"
fi

echo "== least privilege without root"
# only CAP_NET_RAW, as nobody: works, 2 threads
nsx setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=+net_raw --ambient-caps=+net_raw \
	"$VANTAGE" watch -i "$B" --threads 2 --duration 1 >"$out" 2>"$err"
vt_eq "CAP_NET_RAW only: exit status" $? 0
if grep -q 'uid 65534 gid 65534, no capabilities' "$err"; then
	vt_ok "CAP_NET_RAW only: captured, then dropped the capability"
else
	vt_fail "CAP_NET_RAW only: $(head -2 "$err")"
fi
vt_run "$out" "$err" nsx setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VANTAGE" watch -i "$B" --duration 1
vt_eq "no capability: exit status" "$VT_RC" 2
vt_eq "no capability: error" "$(vt_err_lines "$err")" \
	"vantage watch: $B: permission denied (needs CAP_NET_RAW)"

echo "== bad usage"
vt_run "$out" "$err" "$VANTAGE" watch --duration 1
vt_eq "no interface: exit status" "$VT_RC" 2
vt_run "$out" "$err" nsx "$VANTAGE" watch -i vtnosuch0 --duration 1
vt_eq "unknown interface: exit status" "$VT_RC" 2
vt_eq "unknown interface: error" "$(vt_err_lines "$err")" \
	"vantage watch: vtnosuch0: no such interface"
vt_run "$out" "$err" nsx "$VANTAGE" watch -i "$B" --user vt-no-such-user --duration 1
vt_eq "unknown --user: exit status" "$VT_RC" 2
vt_eq "unknown --user: error" "$(vt_err_lines "$err")" \
	"vantage watch: dropping privileges: user 'vt-no-such-user' not found"

[ "$VT_FAILS" -eq 0 ] || ns_check
vt_finish
