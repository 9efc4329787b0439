#!/bin/sh
# The lab (lab/up, lab/down): built twice (idempotent), every TCP port of the
# truth file reachable from where the truth says, DHCP leases handed out as
# configured, DNS answering, the WAN download through the gateway's NAT, the
# root namespace untouched, and nothing left after lab/down.
# Needs root and network namespaces (skips otherwise); bounded: ~10 s.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# This test runs no vantage binary: do not require a build when run by hand.
[ -n "${VANTAGE:-}" ] || VANTAGE=/bin/true
vt_init

[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces); run: sudo ctest -R lab/lab"
vt_need ip nft bash socat curl timeout sha256sum busybox
if ! ip netns add "vtprobe$$" 2>/dev/null; then
	vt_skip "cannot create network namespaces here"
fi
ip netns del "vtprobe$$"

LAB=$VT_SRCDIR/lab
TRUTH=$LAB/truth.tsv
STATE=/run/vantage-lab
export VT_LAB_QUIET=1

# Everything in the root namespace the lab must not change.
root_snapshot() {
	{
		echo "## links"; ip -o link show | sed 's/ qlen [0-9]*//'
		echo "## addrs"; ip -o addr show
		echo "## routes"; ip route show table all
		echo "## rules"; ip rule show
		echo "## nft"; nft list ruleset 2>&1
		if command -v iptables-save >/dev/null 2>&1; then
			echo "## iptables"; iptables-save 2>&1 | grep -v '^#'
		fi
		echo "## sysctl"
		for k in net.ipv4.ip_forward net.ipv6.conf.all.forwarding \
			net.ipv4.conf.all.route_localnet net.ipv4.conf.all.rp_filter \
			net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6; do
			echo "$k=$(sysctl -n "$k" 2>/dev/null)"
		done
	} >"$1"
}
root_snapshot "$VT_TMP/root.before"

cleanup() {
	bash "$LAB/down" >/dev/null 2>&1
	rm -rf "$VT_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The lab's namespaces, from lab/lib.sh.
LAB_NS=$(bash -c '. "$1/lib.sh"; vt_lab_netns_all' _ "$LAB")

# --- up, twice
t0=$(date +%s)
if bash "$LAB/up" 2>"$VT_TMP/up1.err"; then
	vt_ok "lab/up builds the lab ($(($(date +%s) - t0)) s)"
else
	cat "$VT_TMP/up1.err"
	vt_fail "lab/up failed"
	vt_finish
fi
pids1=$(for ns in $LAB_NS; do ip netns pids "$ns"; done | sort -n | tr '\n' ' ')
t0=$(date +%s)
if bash "$LAB/up" 2>"$VT_TMP/up2.err"; then
	vt_ok "lab/up again succeeds ($(($(date +%s) - t0)) s)"
else
	cat "$VT_TMP/up2.err"
	vt_fail "second lab/up failed"
fi
pids2=$(for ns in $LAB_NS; do ip netns pids "$ns"; done | sort -n | tr '\n' ' ')
vt_eq "second lab/up leaves the running lab alone (same processes)" "$pids2" "$pids1"
nns=0
for ns in $LAB_NS; do [ -e "/run/netns/$ns" ] && nns=$((nns + 1)); done
vt_eq "every lab namespace exists" "$nns" "$(echo $LAB_NS | wc -w)"
ndev=$(bash -c '. "$1/lib.sh"; vt_lab_device_names' _ "$LAB" | wc -l)
[ "$ndev" -ge 8 ] && vt_ok "at least eight devices ($ndev)" || vt_fail "only $ndev devices"

# --- every truth TCP port, from where the truth says it is seen
grep -v '^#' "$TRUTH" | awk -F'\t' 'NR > 1 && NF' >"$VT_TMP/truth"
fields=$(awk -F'\t' '{ print NF }' "$VT_TMP/truth" | sort -u | tr '\n' ' ')
vt_eq "truth lines all have 12 fields" "$fields" "12 "
ntcp=0; bad=""
while IFS="	" read -r dev mac ip proto port service tls product vendor type vantage note; do
	[ "$proto" = tcp ] || continue
	ntcp=$((ntcp + 1))
	case $vantage in wan) from=vtwan ;; *) from=vtscan ;; esac
	if ! ip netns exec "$from" socat -u OPEN:/dev/null "TCP:$ip:$port,connect-timeout=2" 2>/dev/null; then
		bad="$bad $dev:$ip:$port"
	fi
done <"$VT_TMP/truth"
if [ -z "$bad" ] && [ "$ntcp" -ge 30 ]; then
	vt_ok "all $ntcp truth TCP ports accept a connection"
else
	vt_fail "truth TCP ports closed:$bad (of $ntcp)"
fi
# A port the truth does not list is closed (the scanner's negative control).
if ip netns exec vtscan socat -u OPEN:/dev/null TCP:192.168.77.20:8081,connect-timeout=2 2>/dev/null; then
	vt_fail "camera port 8081 is open but not in the truth"
else
	vt_ok "a port not in the truth is closed (camera 8081)"
fi
# The WAN cannot reach the LAN except through the forwarded ports.
if ip netns exec vtwan socat -u OPEN:/dev/null TCP:203.0.113.2:23,connect-timeout=1 2>/dev/null; then
	vt_fail "gateway WAN port 23 is open"
else
	vt_ok "gateway WAN address: only the forwarded ports answer (23 does not)"
fi

# --- DHCP: every device holds the lease its truth MAC was promised
leases=$STATE/vtgw/dnsmasq.leases
nlease=0; bad=""
for dev in $(bash -c '. "$1/lib.sh"; vt_lab_device_names' _ "$LAB"); do
	mac=$(awk -F'\t' -v d="$dev" '$1 == d && $3 ~ /^192\.168\.77\./ { print $2; exit }' "$VT_TMP/truth")
	ip=$(awk -F'\t' -v d="$dev" '$1 == d && $3 ~ /^192\.168\.77\./ { print $3; exit }' "$VT_TMP/truth")
	have_mac=$(ip -n "$dev" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	if awk -v m="$mac" -v i="$ip" '$2 == m && $3 == i { f = 1 } END { exit !f }' "$leases" &&
	   ip -n "$dev" -4 -o addr show dev eth0 | grep -q " $ip/24 " &&
	   [ "$have_mac" = "$mac" ] && grep -q "ip=$ip " "$STATE/$dev/lease"; then
		nlease=$((nlease + 1))
	else
		bad="$bad $dev"
	fi
done
[ -z "$bad" ] && vt_ok "DHCP: $nlease devices leased their truth address on their truth MAC" ||
	vt_fail "DHCP lease missing or wrong:$bad"
# The OUI of every device MAC is registered to the vendor the truth names.
OUI=/usr/share/ieee-data/oui.csv
if [ -r "$OUI" ]; then
	bad=""
	awk -F'\t' '$3 ~ /^192\.168\.77\./ && $8 != "-" { print $2 "\t" $9 }' "$VT_TMP/truth" | sort -u >"$VT_TMP/macs"
	while IFS="	" read -r mac vendor; do
		o=$(echo "$mac" | tr -d ':' | cut -c1-6 | tr a-f A-F)
		grep "^MA-L,$o," "$OUI" | grep -qiF "$vendor" || bad="$bad $mac($vendor)"
	done <"$VT_TMP/macs"
	[ -z "$bad" ] && vt_ok "every device MAC's OUI belongs to its truth vendor" || vt_fail "OUI/vendor mismatch:$bad"
fi

# --- DNS: the gateway resolves DHCP names and forwards to the WAN resolver
a=$(ip netns exec vtscan timeout 3 busybox nslookup -type=a raspberrypi.lan 192.168.77.1 2>/dev/null | awk '/^Address: / { print $2 }' | tail -n 1)
vt_eq "gateway DNS answers a DHCP host name (raspberrypi.lan)" "$a" "192.168.77.80"
a=$(ip netns exec vtscan timeout 3 busybox nslookup -type=a downloads.example.net 192.168.77.1 2>/dev/null | awk '/^Address: / { print $2 }' | tail -n 1)
vt_eq "gateway DNS forwards to the WAN resolver (downloads.example.net)" "$a" "198.51.100.10"
a=$(ip netns exec vtscan timeout 3 busybox nslookup -type=a downloads.example.net 192.168.77.2 2>/dev/null | awk '/^Address: / { print $2 }' | tail -n 1)
vt_eq "router's dnsmasq answers on 53" "$a" "198.51.100.10"

# --- the WAN download through NAT
out=$(ip netns exec vtcam curl -s -m 10 -o "$VT_TMP/dl" -w '%{http_code} %{size_download}' http://198.51.100.10/files/1MiB.bin)
vt_eq "download from the camera through NAT (status, bytes)" "$out" "200 1048576"
vt_eq "download content" "$(sha256sum "$VT_TMP/dl" | cut -d' ' -f1)" "$(cat "$STATE/vtwan/download.sha256")"
seen=$(ip netns exec vtcam curl -s -m 5 http://198.51.100.10/cgi-bin/ip)
vt_eq "the WAN sees the gateway's address (masquerade)" "$seen" "203.0.113.2"

# --- down
pids_all=$(for ns in $LAB_NS; do ip netns pids "$ns"; done | tr '\n' ' ')
if bash "$LAB/down"; then vt_ok "lab/down"; else vt_fail "lab/down failed"; fi
left=""
for ns in $LAB_NS; do [ -e "/run/netns/$ns" ] && left="$left $ns"; done
vt_eq "no lab namespace remains" "$left" ""
alive=""
for p in $pids_all; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
vt_eq "no lab process remains" "$alive" ""
# (the bracket keeps grep's own command line from matching)
n=$(grep -l "${STATE%?}[${STATE#"${STATE%?}"}]/" /proc/[0-9]*/cmdline 2>/dev/null | wc -l)
vt_eq "no process refers to the state dir" "$n" "0"
[ -e "$STATE" ] && vt_fail "state dir $STATE remains" || vt_ok "state dir removed"
if bash "$LAB/down"; then vt_ok "lab/down again (nothing up) succeeds"; else vt_fail "second lab/down failed"; fi

root_snapshot "$VT_TMP/root.after"
if diff "$VT_TMP/root.before" "$VT_TMP/root.after" >"$VT_TMP/root.diff"; then
	vt_ok "root namespace unchanged (links, addresses, routes, rules, nft, iptables, sysctls)"
else
	cat "$VT_TMP/root.diff"
	vt_fail "root namespace changed"
fi
vt_finish
