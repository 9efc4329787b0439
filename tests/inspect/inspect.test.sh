#!/bin/sh
# `vantage inspect` in the lab (ARP spoofing: only ever inside the lab's vt*
# namespaces; this test refuses to run anything elsewhere). From vtscan it
# inspects the camera (vtcam, 192.168.77.20) and checks:
#  - refusals: no --consent (stdin not a terminal), the gateway or this host
#    as --device: nothing spoofed, exit 2;
#  - while on path: the camera's and the gateway's neighbour entries name
#    vtscan's MAC, forwarding on and redirects off in vtscan, the main
#    process runs as nobody without capabilities, the guardian as nobody
#    with CAP_NET_ADMIN alone; 300 pings lose < 1 %; a 1 MiB download from
#    the WAN server completes, and the camera's HTTP bytes in the record
#    equal those of `vantage read` and of tshark on a capture taken on the
#    camera's own interface;
#  - after SIGINT, SIGTERM and SIGKILL of the main process: the camera's
#    and the gateway's entries name the true MACs within 5 s, the sysctls
#    are back to their previous values (also non-default ones);
#  - a second spoofer (dsniff's arpspoof in vtlinux) stops the run with a
#    clear message and exit status 1;
#  - a capture on the LAN bridge (br0 in vtlan) shows spoofed ARP from
#    vtscan only to the camera and the gateway.
# Root only (skips otherwise); holds the lab lock; cleans up on any exit;
# bounded (~50 s, a few hundred ARP frames).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init

[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces, ARP spoofing inside them); run: sudo ctest -R inspect/inspect"
vt_need ip tcpdump tshark arpspoof curl ping flock timeout python3 bash
if ! ip netns add "vtprobe$$" 2>/dev/null; then
	vt_skip "cannot create network namespaces here"
fi
ip netns del "vtprobe$$"

# Both lab locks for the whole test: the shared one (/run/vantage-lab.lock)
# and the one lab/up, lab/down and lab/session.sh use.
exec 8>/run/vantage-lab.lock
flock -w 300 8 || vt_skip "the lab lock stayed busy for 300 s"
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

# lab/up
vt_lab_begin >"$VT_TMP/up.log" 2>&1 || {
	tail -20 "$VT_TMP/up.log"
	echo "FAIL: lab/up"
	exit 1
}

T0=$(date +%s)

# Every command of this test that sends anything runs in a vt* namespace
# (background ones call `ip netns exec vt...` directly, so $! is theirs).
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
WAN_URL=http://198.51.100.10/files/1MiB.bin
[ -n "$SCAN_MAC" ] && [ -n "$CAM_MAC" ] && [ -n "$GW_MAC" ] || {
	echo "FAIL: lab MACs not found"
	exit 1
}

# lladdr of IP in NS's neighbour table ("none" when absent).
neigh() {
	m=$(in_ns "$1" ip neigh show "$2" dev eth0 |
		awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')
	echo "${m:-none}"
}

# wait_true LABEL: both entries name the true MACs within 5 s.
wait_true() {
	t=0
	while [ $t -le 50 ]; do
		if [ "$(neigh vtcam $GW)" = "$GW_MAC" ] &&
			[ "$(neigh vtgw $CAM)" = "$CAM_MAC" ]; then
			vt_ok "$1: true MACs back in the camera and the gateway after $((t / 10)).$((t % 10)) s"
			return
		fi
		sleep 0.1
		t=$((t + 1))
	done
	vt_fail "$1: after 5 s the camera says $GW is at $(neigh vtcam $GW), the gateway says $CAM is at $(neigh vtgw $CAM)"
}

# wait_not_ours LABEL: within 5 s neither entry names vtscan's MAC. After a
# second spoofer, what the entries name last depends on that spoofer's own
# timing (arpspoof re-arps on exit), which is not ours to assert; ours is
# that nothing points at this host any more.
wait_not_ours() {
	t=0
	while [ $t -le 50 ]; do
		if [ "$(neigh vtcam $GW)" != "$SCAN_MAC" ] &&
			[ "$(neigh vtgw $CAM)" != "$SCAN_MAC" ]; then
			vt_ok "$1: no entry names this host after $((t / 10)).$((t % 10)) s"
			return
		fi
		sleep 0.1
		t=$((t + 1))
	done
	vt_fail "$1: after 5 s the camera says $GW is at $(neigh vtcam $GW), the gateway says $CAM is at $(neigh vtgw $CAM)"
}

# wait_spoofed: both entries name vtscan (10 s at most); 0 when they do.
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

sysctls() {
	in_ns vtscan sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/send_redirects /proc/sys/net/ipv4/conf/eth0/send_redirects' | tr '\n' ' '
}

set_sysctls() { # FORWARD ALL ETH0
	in_ns vtscan sh -c "echo $1 > /proc/sys/net/ipv4/ip_forward; echo $2 > /proc/sys/net/ipv4/conf/all/send_redirects; echo $3 > /proc/sys/net/ipv4/conf/eth0/send_redirects"
}

# wait_sysctls LABEL EXPECTED: back within 5 s (the guardian restores them).
wait_sysctls() {
	t=0
	while [ $t -le 50 ] && [ "$(sysctls)" != "$2" ]; do
		sleep 0.1
		t=$((t + 1))
	done
	vt_eq "$1: forwarding and redirect sysctls (forward all eth0)" "$(sysctls)" "$2"
}

# start_inspect NAME ARGS...: vantage inspect of the camera in vtscan.
start_inspect() {
	name=$1
	shift
	ip netns exec vtscan "$VANTAGE" inspect -i eth0 --device $CAM --consent "$@" \
		>"$VT_TMP/$name.out" 2>"$VT_TMP/$name.err" &
	IPID=$!
	PIDS="$PIDS $IPID"
}

# wait_exit PID: its exit status (at most 20 s).
wait_exit() {
	t=0
	while kill -0 "$1" 2>/dev/null && [ $t -lt 200 ]; do
		sleep 0.1
		t=$((t + 1))
	done
	wait "$1"
}

# A capture of every ARP frame on the LAN bridge for the whole test.
ip netns exec vtlan tcpdump -U -n -i br0 -w "$VT_TMP/bridge.pcap" arp 2>"$VT_TMP/bridge.err" &
BRIDGE_PID=$!
PIDS="$PIDS $BRIDGE_PID"
sleep 1

# The camera and the gateway know each other (as devices that talk do:
# Linux only updates an existing neighbour entry from an unsolicited reply).
in_ns vtcam ping -n -q -c 2 -i 0.2 -W 1 $GW >/dev/null 2>&1

# ---- refusals: nothing is spoofed, nothing changes ----
BEFORE=$(sysctls)
vt_run "$VT_TMP/r1.out" "$VT_TMP/r1.err" in_ns vtscan "$VANTAGE" inspect -i eth0 --device $CAM </dev/null
vt_eq "no --consent: exit status" "$VT_RC" 2
grep -q 'refusing to ARP-spoof without --consent' "$VT_TMP/r1.err" &&
	vt_ok "no --consent: says why" || vt_fail "no --consent: $(cat "$VT_TMP/r1.err")"
vt_run "$VT_TMP/r4.out" "$VT_TMP/r4.err" in_ns vtscan "$VANTAGE" inspect -i eth0 --all </dev/null
vt_eq "--all without --consent: exit status" "$VT_RC" 2
grep -q 'refusing to ARP-spoof without --consent' "$VT_TMP/r4.err" &&
	vt_ok "--all without --consent: refused" || vt_fail "--all without --consent: $(cat "$VT_TMP/r4.err")"
vt_run "$VT_TMP/r2.out" "$VT_TMP/r2.err" in_ns vtscan "$VANTAGE" inspect -i eth0 --device $GW --consent
vt_eq "the gateway as --device: exit status" "$VT_RC" 2
grep -q 'is the gateway' "$VT_TMP/r2.err" && vt_ok "the gateway as --device: refused" ||
	vt_fail "the gateway as --device: $(cat "$VT_TMP/r2.err")"
vt_run "$VT_TMP/r3.out" "$VT_TMP/r3.err" in_ns vtscan "$VANTAGE" inspect -i eth0 --device $SCAN_MAC --consent
vt_eq "this host as --device: exit status" "$VT_RC" 2
grep -q 'is this host' "$VT_TMP/r3.err" && vt_ok "this host as --device: refused" ||
	vt_fail "this host as --device: $(cat "$VT_TMP/r3.err")"
vt_eq "refusals leave the sysctls" "$(sysctls)" "$BEFORE"
vt_eq "refusals leave the camera's entry" "$(neigh vtcam $GW)" "$GW_MAC"

# ---- on a terminal: a typed confirmation naming the devices ----
# on_tty ANSWER CMD...: runs CMD on a pseudo-terminal, answers the prompt.
on_tty() {
	python3 - "$@" <<'EOF'
import os, pty, select, sys, time
answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
buf, sent, end = b"", False, time.time() + 30
while time.time() < end:
    if select.select([fd], [], [], 0.2)[0]:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        buf += d
        if not sent and b"Type 'yes'" in buf:
            os.write(fd, (answer + "\n").encode())
            sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.write(buf.decode("utf-8", "replace"))
print("\nEXIT", os.waitstatus_to_exitcode(st))
EOF
}
on_tty no ip netns exec vtscan "$VANTAGE" inspect -i eth0 --device $CAM >"$VT_TMP/tty1.out" 2>&1
if grep -q "$CAM ($CAM_MAC)" "$VT_TMP/tty1.out" && grep -q 'not confirmed; nothing was sent' "$VT_TMP/tty1.out" &&
	grep -q '^EXIT 2$' "$VT_TMP/tty1.out"; then
	vt_ok "terminal: the prompt names the device; anything but 'yes' refuses (exit 2)"
else
	vt_fail "terminal refusal: $(cat "$VT_TMP/tty1.out")"
fi
vt_eq "terminal refusal leaves the camera's entry" "$(neigh vtcam $GW)" "$GW_MAC"
on_tty yes ip netns exec vtscan "$VANTAGE" inspect -i eth0 --device $CAM --duration 3 >"$VT_TMP/tty2.out" 2>&1
if grep -q '^EXIT 0$' "$VT_TMP/tty2.out" && grep -q 'vantage inspect on eth0: ' "$VT_TMP/tty2.out" &&
	grep -q "$CAM ($CAM_MAC) .* frames" "$VT_TMP/tty2.out"; then
	vt_ok "terminal: 'yes' runs it, with the live view (device, frames, bytes)"
else
	vt_fail "terminal 'yes': $(cat "$VT_TMP/tty2.out")"
fi
wait_true "after --duration"

# ---- not root: nobody with CAP_NET_RAW and CAP_NET_ADMIN only ----
if command -v setpriv >/dev/null 2>&1; then
	BEFORE=$(sysctls)
	ip netns exec vtscan setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin \
		"$VANTAGE" inspect -i eth0 --device $CAM --consent --duration 5 --json \
		>"$VT_TMP/caps.out" 2>"$VT_TMP/caps.err" &
	CAPS=$!
	PIDS="$PIDS $CAPS"
	wait_spoofed && vt_ok "as nobody with CAP_NET_RAW+CAP_NET_ADMIN: on path" ||
		vt_fail "as nobody: not on path: $(cat "$VT_TMP/caps.err")"
	in_ns vtcam ping -n -q -c 3 -i 0.2 -W 1 198.51.100.10 >/dev/null 2>&1
	wait_exit $CAPS
	vt_eq "as nobody with CAP_NET_RAW+CAP_NET_ADMIN: exit status" "$?" 0
	vt_eq "as nobody: the camera's record" "$(vt_json_count "$VT_TMP/caps.out")" 1
	wait_true "as nobody, after --duration"
	wait_sysctls "as nobody" "$BEFORE"
	vt_run "$VT_TMP/nocap.out" "$VT_TMP/nocap.err" ip netns exec vtscan setpriv --reuid=nobody \
		--regid=nogroup --clear-groups --inh-caps=-all "$VANTAGE" inspect -i eth0 --device $CAM --consent
	vt_eq "as nobody without capabilities: exit status" "$VT_RC" 2
	grep -q 'needs CAP_NET_RAW' "$VT_TMP/nocap.err" && vt_ok "without capabilities: says which" ||
		vt_fail "without capabilities: $(cat "$VT_TMP/nocap.err")"
fi

# ---- run 1: on path, traffic, SIGINT ----
ip netns exec vtcam tcpdump -U -n -i eth0 -w "$VT_TMP/cam.pcap" 2>"$VT_TMP/camdump.err" &
CAMDUMP=$!
PIDS="$PIDS $CAMDUMP"
sleep 1
BEFORE=$(sysctls)
start_inspect run1 --json --db "$VT_TMP/inspect.db" --duration 60
RUN1=$IPID
if wait_spoofed; then
	vt_ok "on path: the camera and the gateway name vtscan's MAC"
else
	vt_fail "not on path: camera $(neigh vtcam $GW), gateway $(neigh vtgw $CAM); $(cat "$VT_TMP/run1.err")"
fi
vt_eq "during the run: sysctls (forward all eth0)" "$(sysctls)" "1 0 0 "
vt_eq "main process runs as nobody" "$(awk '/^Uid:/ {print $3}' /proc/$RUN1/status)" 65534
vt_eq "main process holds no capability" "$(awk '/^CapEff:/ {print $2}' /proc/$RUN1/status)" 0000000000000000
GUARD=$(ps -o pid= --ppid $RUN1 | tr -d ' ' | head -1)
if [ -n "$GUARD" ]; then
	vt_eq "guardian runs as nobody" "$(awk '/^Uid:/ {print $3}' /proc/$GUARD/status)" 65534
	vt_eq "guardian keeps CAP_NET_ADMIN alone" "$(awk '/^CapEff:/ {print $2}' /proc/$GUARD/status)" 0000000000001000
else
	vt_fail "no guardian process under $RUN1"
fi
in_ns vtcam ping -n -q -c 300 -i 0.01 -W 1 198.51.100.10 >"$VT_TMP/ping.out" 2>&1
RECV=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$VT_TMP/ping.out")
if [ -n "$RECV" ] && [ "$RECV" -ge 298 ]; then
	vt_ok "connectivity: $RECV of 300 pings answered (loss < 1 %)"
else
	vt_fail "connectivity: $(tail -2 "$VT_TMP/ping.out")"
fi
SIZE=$(in_ns vtcam curl -s -m 20 -o /dev/null -w '%{size_download}' "$WAN_URL")
vt_eq "the download completes" "$SIZE" 1048576
sleep 1
kill -INT $RUN1
wait_true "SIGINT"
wait_exit $RUN1
vt_eq "SIGINT: exit status" "$?" 130
wait_sysctls "SIGINT" "$BEFORE"
kill -INT $CAMDUMP
wait $CAMDUMP 2>/dev/null

# The camera's HTTP client bytes (the download): inspect vs read vs tshark.
http_bytes() {
	python3 - "$1" "$CAM_MAC" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("mac") == sys.argv[2]:
        print(sum(s["bytes"] for s in d.get("services_used", [])
                  if s["proto"] == "tcp" and s["port"] == 80 and s["role"] == "client"))
        break
else:
    print("absent")
EOF
}
"$VANTAGE" read --json "$VT_TMP/cam.pcap" >"$VT_TMP/read.json" 2>"$VT_TMP/read.err"
GOT=$(http_bytes "$VT_TMP/run1.out")
WANT=$(http_bytes "$VT_TMP/read.json")
SHARK=$(tshark -r "$VT_TMP/cam.pcap" -Y "ip.addr == 198.51.100.10 && tcp.port == 80" -T fields -e frame.len 2>/dev/null |
	awk '{s += $1} END {print s + 0}')
vt_eq "inspect record: the camera's HTTP bytes equal vantage read on its own interface" "$GOT" "$WANT"
vt_eq "inspect record: the camera's HTTP bytes equal tshark's sum" "$GOT" "$SHARK"
if [ "$GOT" != absent ] && [ "$GOT" -gt 1048576 ]; then
	vt_ok "the record holds the 1 MiB download ($GOT bytes with headers)"
else
	vt_fail "the record lacks the download: $GOT"
fi
vt_eq "--json: one record, the camera's only" "$(vt_json_count "$VT_TMP/run1.out")" 1
vt_eq "store: devices, run and flows of the camera only" "$(python3 - "$VT_TMP/inspect.db" "$CAM_MAC" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
macs = [r[0] for r in db.execute("select mac from device")]
run = db.execute("select command, vantage, technique, source, status from run").fetchall()
flows = db.execute("select count(*) from flow").fetchone()[0]
stray = db.execute("select count(*) from flow where coalesce(mac_a, '') != ? and coalesce(mac_b, '') != ?",
                   (sys.argv[2], sys.argv[2])).fetchone()[0]
print(macs, run, "flows>0" if flows else "no flows", "stray", stray)
EOF
)" "['$CAM_MAC'] [('inspect', 'internal', 'passive', 'onpath:eth0 $CAM', 'interrupted')] flows>0 stray 0"

# ---- run 2: SIGTERM, from non-default sysctls ----
set_sysctls 1 1 0
BEFORE=$(sysctls)
start_inspect run2 --duration 60
RUN2=$IPID
wait_spoofed && vt_ok "run 2 on path" || vt_fail "run 2 not on path: $(cat "$VT_TMP/run2.err")"
kill -TERM $RUN2
wait_true "SIGTERM"
wait_exit $RUN2
vt_eq "SIGTERM: exit status" "$?" 130
wait_sysctls "SIGTERM" "$BEFORE"

# ---- run 3: SIGKILL; the guardian restores ----
set_sysctls 0 0 1
BEFORE=$(sysctls)
start_inspect run3 --duration 60
RUN3=$IPID
wait_spoofed && vt_ok "run 3 on path" || vt_fail "run 3 not on path: $(cat "$VT_TMP/run3.err")"
kill -KILL $RUN3
wait_true "SIGKILL (the guardian)"
wait_exit $RUN3
wait_sysctls "SIGKILL (the guardian)" "$BEFORE"
set_sysctls 0 1 1

# ---- run 4: a second spoofer stops the run ----
BEFORE=$(sysctls)
start_inspect run4 --duration 60
RUN4=$IPID
wait_spoofed && vt_ok "run 4 on path" || vt_fail "run 4 not on path: $(cat "$VT_TMP/run4.err")"
ip netns exec vtlinux arpspoof -i eth0 $GW >"$VT_TMP/arpspoof.log" 2>&1 &
SPOOFER=$!
PIDS="$PIDS $SPOOFER"
wait_exit $RUN4
vt_eq "second spoofer: exit status" "$?" 1
kill -INT $SPOOFER 2>/dev/null
wait $SPOOFER 2>/dev/null
if grep -q 'stopping: .*another host is spoofing' "$VT_TMP/run4.err"; then
	vt_ok "second spoofer: $(grep stopping "$VT_TMP/run4.err" | head -1)"
else
	vt_fail "second spoofer not reported: $(cat "$VT_TMP/run4.err")"
fi
grep -q "the gateway still answers from $GW_MAC: another host is spoofing it" "$VT_TMP/run4.err" &&
	vt_ok "second spoofer: the gateway's true MAC confirmed by asking" ||
	vt_fail "second spoofer: no recheck: $(cat "$VT_TMP/run4.err")"
wait_not_ours "after the second spoofer"
wait_sysctls "after the second spoofer" "$BEFORE"

# ---- run 6: the gateway's MAC changes; the devices get the new one ----
NEW_GW_MAC=98:9b:cb:01:02:99
BEFORE=$(sysctls)
start_inspect run6 --duration 60
RUN6=$IPID
wait_spoofed && vt_ok "run 6 on path" || vt_fail "run 6 not on path: $(cat "$VT_TMP/run6.err")"
in_ns vtgw ip link set eth0 address $NEW_GW_MAC
in_ns vtgw ping -n -q -c 1 -W 1 192.168.77.99 >/dev/null 2>&1 # ARP from the new MAC
wait_exit $RUN6
vt_eq "gateway MAC change: exit status" "$?" 1
grep -q "the gateway answers from $NEW_GW_MAC now (was $GW_MAC)" "$VT_TMP/run6.err" &&
	vt_ok "gateway MAC change: reported, the devices told the new MAC" ||
	vt_fail "gateway MAC change: $(cat "$VT_TMP/run6.err")"
# The kernel flushed the gateway's neighbour table when its MAC changed:
# the camera must hold the new MAC, the gateway nothing pointing at us.
t=0
while [ $t -le 50 ] && ! { [ "$(neigh vtcam $GW)" = "$NEW_GW_MAC" ] && [ "$(neigh vtgw $CAM)" != "$SCAN_MAC" ]; }; do
	sleep 0.1
	t=$((t + 1))
done
vt_eq "after the gateway's MAC changed: the camera's entry for it (within 5 s)" "$(neigh vtcam $GW)" "$NEW_GW_MAC"
in_ns vtgw ping -n -q -c 1 -W 1 $CAM >/dev/null 2>&1
vt_eq "after the gateway's MAC changed: the gateway's entry for the camera" "$(neigh vtgw $CAM)" "$CAM_MAC"
wait_sysctls "after the gateway's MAC changed" "$BEFORE"
in_ns vtgw ip link set eth0 address $GW_MAC
in_ns vtcam ping -n -q -c 2 -i 0.2 -W 1 $GW >/dev/null 2>&1
in_ns vtgw ping -n -q -c 2 -i 0.2 -W 1 $CAM >/dev/null 2>&1

# ---- run 7: the guardian is killed; the run stops and says what to undo ----
BEFORE=$(sysctls)
start_inspect run7 --duration 60
RUN7=$IPID
wait_spoofed && vt_ok "run 7 on path" || vt_fail "run 7 not on path: $(cat "$VT_TMP/run7.err")"
GUARD=$(ps -o pid= --ppid $RUN7 | tr -d ' ' | head -1)
[ -n "$GUARD" ] && kill -KILL "$GUARD"
wait_exit $RUN7
vt_eq "guardian killed: exit status" "$?" 1
grep -q 'stopping: the guardian process is gone' "$VT_TMP/run7.err" &&
	grep -q 'could not be restored: set /proc/sys/net/ipv4/ip_forward=0' "$VT_TMP/run7.err" &&
	vt_ok "guardian killed: stops, and names the sysctl values to put back" ||
	vt_fail "guardian killed: $(cat "$VT_TMP/run7.err")"
wait_true "after the guardian was killed"
set_sysctls $BEFORE

# ---- run 5: this host's interface goes down ----
BEFORE=$(sysctls)
start_inspect run5 --duration 60
RUN5=$IPID
wait_spoofed && vt_ok "run 5 on path" || vt_fail "run 5 not on path: $(cat "$VT_TMP/run5.err")"
in_ns vtscan ip link set eth0 down
wait_exit $RUN5
vt_eq "interface down: exit status" "$?" 1
grep -q 'stopping: eth0 is down' "$VT_TMP/run5.err" && vt_ok "interface down: reported" ||
	vt_fail "interface down not reported: $(cat "$VT_TMP/run5.err")"
wait_sysctls "interface down" "$BEFORE"
in_ns vtscan ip link set eth0 up
in_ns vtscan ip route replace default via $GW dev eth0

# ---- the bridge: spoofed ARP went to the camera and the gateway only ----
sleep 0.5
kill -INT $BRIDGE_PID
wait $BRIDGE_PID 2>/dev/null
tshark -r "$VT_TMP/bridge.pcap" -Y "eth.src == $SCAN_MAC && arp.src.hw_mac == $SCAN_MAC && arp.src.proto_ipv4 != $SCAN" \
	-T fields -e eth.dst -e arp.dst.hw_mac -e arp.src.proto_ipv4 2>/dev/null |
	sort | uniq -c >"$VT_TMP/spoofs.txt"
cat "$VT_TMP/spoofs.txt"
N_SPOOF=$(awk '{s += $1} END {print s + 0}' "$VT_TMP/spoofs.txt")
STRAY=$(awk -v c="$CAM_MAC" -v g="$GW_MAC" -v cip=$CAM -v gip=$GW \
	'!(($2 == c && $3 == c && $4 == gip) || ($2 == g && $3 == g && $4 == cip))' "$VT_TMP/spoofs.txt")
if [ "$N_SPOOF" -gt 0 ] && [ -z "$STRAY" ]; then
	vt_ok "bridge: $N_SPOOF spoofed replies, all to the camera (gateway's IP) or the gateway (camera's IP)"
else
	vt_fail "bridge: $N_SPOOF spoofed replies; stray: $STRAY"
fi

for f in "$VT_TMP"/run*.err; do
	if vt_sanitizer_report "$f"; then
		vt_fail "sanitizer report in $f"
		cat "$f"
	fi
done
echo "test body: $(($(date +%s) - T0)) s (after lab/up)"
vt_finish
