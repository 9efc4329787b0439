#!/bin/sh
# The tool fingerprints against the real tools: zmap, masscan and nmap
# each SYN-scan a few documentation addresses from their own source
# address inside a network namespace this test creates (vttel<pid>: a veth
# pair, the scanners on one end, tcpdump on the other, nothing answering,
# as a telescope; deleted on exit). Nothing leaves the namespace; at most
# 66 packets are sent. vantage telescope must give zmap's source the tool
# zmap with every SYN fingerprinted, masscan's the tool masscan likewise,
# nmap's no tool, and no source any Mirai signature.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3 ip tcpdump zmap masscan nmap timeout
[ "$(id -u)" = 0 ] || vt_skip "needs root for a network namespace"
NS=vttel$$
ip netns add "$NS" 2>/dev/null || vt_skip "cannot create a network namespace"
TD=
cleanup() {
	[ -n "$TD" ] && kill "$TD" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$VT_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

ip -n "$NS" link set lo up
ip -n "$NS" link add vt1 type veth peer name vt2 || vt_skip "no veth support"
for a in 192.0.2.1 192.0.2.2 192.0.2.3; do
	ip -n "$NS" addr add "$a/24" dev vt1
done
ip -n "$NS" link set vt1 up
ip -n "$NS" link set vt2 up
ip -n "$NS" neigh add 192.0.2.254 lladdr 02:00:00:00:00:fe dev vt1 nud permanent
ip -n "$NS" route add 198.51.100.0/24 via 192.0.2.254 dev vt1

CAP=$VT_TMP/real.pcap
# Started directly (ip netns exec execs tcpdump), so $! is tcpdump itself
# and killing it leaves nothing behind; no stdout held open.
ip netns exec "$NS" tcpdump -i vt2 -U -w "$CAP" 'ip and tcp' \
	>/dev/null 2>"$VT_TMP/tcpdump.err" &
TD=$!
sleep 1
: >"$VT_TMP/blacklist"
timeout 30 ip netns exec "$NS" zmap -p 23 -i vt1 -G 02:00:00:00:00:fe -S 192.0.2.1 -r 200 \
	-c 1 -b "$VT_TMP/blacklist" -o /dev/null 198.51.100.0/28 \
	>"$VT_TMP/zmap.log" 2>&1 || vt_fail "zmap failed: $(tail -1 "$VT_TMP/zmap.log")"
timeout 30 ip netns exec "$NS" masscan -p23,2323 198.51.100.16/28 --rate 200 -e vt1 \
	--router-mac 02:00:00:00:00:fe --adapter-ip 192.0.2.2 --wait 0 \
	>"$VT_TMP/masscan.log" 2>&1 || vt_fail "masscan failed"
timeout 60 ip netns exec "$NS" nmap -sS -p 23,80 -n -Pn --send-ip --max-retries 0 -e vt1 \
	-S 192.0.2.3 198.51.100.32-40 >"$VT_TMP/nmap.log" 2>&1 || vt_fail "nmap failed"
sleep 1
kill "$TD"
wait "$TD" 2>/dev/null
TD=

vt_run "$VT_TMP/out.json" "$VT_TMP/err" "$VANTAGE" telescope --json \
	--prefix 198.51.100.0/24 "$CAP"
vt_eq "exit status" "$VT_RC" 0
# get IP FIELD...: fields of one source, space separated ("absent").
get() {
	python3 -c '
import json, sys
out = "absent"
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["ip"] == sys.argv[2]:
        out = " ".join(json.dumps(o[f]) for f in sys.argv[3:])
print(out)' "$VT_TMP/out.json" "$@"
}
vt_eq "zmap: tool, SYNs, fingerprinted, Mirai" \
	"$(get 192.0.2.1 tool syn_packets zmap_packets mirai_packets)" '"zmap" 16 16 0'
vt_eq "masscan: tool, SYNs, fingerprinted, Mirai" \
	"$(get 192.0.2.2 tool syn_packets masscan_packets mirai_packets)" '"masscan" 32 32 0'
vt_eq "nmap: tool, SYNs, Mirai" "$(get 192.0.2.3 tool syn_packets mirai_packets)" 'null 18 0'
vt_finish
