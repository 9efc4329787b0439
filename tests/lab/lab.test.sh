#!/bin/sh
# The lab (lab/up, lab/down): a failed lab/up leaves nothing; lab/up twice
# (idempotent); every TCP port of the truth file reachable from where the
# truth says, on IPv4 and (where marked) IPv6, and nothing else; DHCP leases,
# host names and vendor classes as devices.tsv says, OUIs of the right
# vendors; DNS, mDNS and SSDP answering; the WAN download through the
# gateway's NAT; the root namespace untouched; nothing left after lab/down.
# Needs root and network namespaces (skips otherwise). ~20 s, plus any wait
# for the lab lock while another test or bench uses the lab.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# This test runs no vantage binary: do not require a build when run by hand.
[ -n "${VANTAGE:-}" ] || VANTAGE=/bin/true
vt_init

[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces); run: sudo ctest -R lab/lab"
vt_need ip nft bash socat curl timeout sha256sum busybox flock
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

. "$VT_SRCDIR/lab/session.sh"
ENDED=0
cleanup() {
	[ "$ENDED" -eq 1 ] || vt_lab_end >/dev/null 2>&1
	rm -rf "$VT_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The lab's namespaces, from lab/lib.sh.
LAB_NS=$(bash -c '. "$1/lib.sh"; vt_lab_netns_all' _ "$LAB")

# --- a failed up removes everything it built
# (as vt_lab_end does, but while holding the lock: nobody else may use the lab now)
exec 9>/run/lock/vantage-lab.lock
if ! flock -w "${VT_LAB_WAIT:-300}" 9; then
	vt_fail "the lab lock stayed busy"
	vt_finish
fi
if VT_LAB_LOCKED=1 VT_LAB_FAIL_AT=ready bash "$LAB/up" 2>"$VT_TMP/upfail.err"; then
	vt_fail "lab/up with VT_LAB_FAIL_AT=ready succeeded"
else
	left=""
	for ns in $LAB_NS; do [ -e "/run/netns/$ns" ] && left="$left $ns"; done
	n=$(grep -l "/run/vantage-la[b]/" /proc/[0-9]*/cmdline 2>/dev/null | wc -l)
	if grep -q "failing on purpose" "$VT_TMP/upfail.err" && [ -z "$left" ] &&
	   [ "$n" -eq 0 ] && [ ! -e "$STATE" ]; then
		vt_ok "a failed lab/up (after starting every daemon) leaves no namespace, process or state"
	else
		vt_fail "after a failed lab/up: namespaces '$left', $n processes, state $(ls -d "$STATE" 2>/dev/null)"
	fi
fi
exec 9>&-

# --- up, twice
t0=$(date +%s)
if vt_lab_begin 2>"$VT_TMP/up1.err"; then
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
# No lab daemon inherited the lab lock (or any descriptor of this test's).
held=""
for p in $pids2; do
	ls -l "/proc/$p/fd" 2>/dev/null | grep -q "vantage-lab.lock\|$VT_TMP" && held="$held $p"
done
vt_eq "no lab daemon holds the lab lock or the test's files" "$held" ""
nns=0
for ns in $LAB_NS; do [ -e "/run/netns/$ns" ] && nns=$((nns + 1)); done
vt_eq "every lab namespace exists" "$nns" "$(echo "$LAB_NS" | wc -l)"
ndev=$(bash -c '. "$1/lib.sh"; vt_lab_device_names' _ "$LAB" | wc -l)
if [ "$ndev" -ge 8 ]; then vt_ok "at least eight devices ($ndev)"; else vt_fail "only $ndev devices"; fi

# --- every truth TCP port, from where the truth says it is seen
grep -v '^#' "$TRUTH" | awk -F'\t' 'NR > 1 && NF' >"$VT_TMP/truth"
HOSTS=$LAB/devices.tsv
grep -v '^#' "$HOSTS" | awk -F'\t' 'NR > 1' >"$VT_TMP/devices_all"
fields=$(awk -F'\t' '{ print NF }' "$VT_TMP/truth" | sort -u | tr '\n' ' ')
vt_eq "truth lines all have 14 fields" "$fields" "14 "
ntcp=0; bad=""
while IFS="	" read -r dev _mac ip proto port _service _tls _product _vendor _type vantage _nmap _note _ipv6; do
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
# IPv6: every LAN TCP port the truth marks ipv6=yes answers on the device's
# SLAAC address (devices.tsv), every one marked no is closed there.
awk -F'\t' 'NR == FNR { v6[$1] = $5; next }
	$4 == "tcp" && $3 ~ /^192\.168\.77\./ { print $1 "\t" v6[$1] "\t" $5 "\t" $14 }' \
	"$VT_TMP/devices_all" "$VT_TMP/truth" >"$VT_TMP/v6ports"
n6=0; bad=""
while IFS="	" read -r dev ip6 port want; do
	if ip netns exec vtscan socat -u OPEN:/dev/null "TCP6:[$ip6]:$port,connect-timeout=2" 2>/dev/null; then
		got=yes
	else
		got=no
	fi
	[ "$got" = yes ] && n6=$((n6 + 1))
	[ "$got" = "$want" ] || bad="$bad $dev:$port(ipv6 $got)"
done <"$VT_TMP/v6ports"
if [ -z "$bad" ] && [ "$n6" -ge 10 ]; then
	vt_ok "IPv6: the $n6 truth ports marked ipv6=yes answer on the SLAAC addresses, the rest do not"
else
	vt_fail "IPv6 truth wrong:$bad ($n6 open)"
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

# --- DHCP: every device holds the lease promised to its MAC, asked with its
# host name and vendor class (devices.tsv)
leases=$STATE/vtgw/dnsmasq.leases
dlog=$STATE/vtgw/dnsmasq.log
awk -F'\t' '$2 == "device"' "$VT_TMP/devices_all" >"$VT_TMP/devices"
nlease=0; bad=""
while IFS="	" read -r dev _role mac ip _ip6 host vci _vendor _type _model _mdns _upnp; do
	have_mac=$(ip -n "$dev" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	if awk -v m="$mac" -v i="$ip" -v h="$host" \
		'$2 == m && $3 == i && tolower($4) == tolower(h) { f = 1 } END { exit !f }' "$leases" &&
	   ip -n "$dev" -4 -o addr show dev eth0 | grep -q " $ip/24 " &&
	   [ "$have_mac" = "$mac" ] && grep -q "ip=$ip " "$STATE/$dev/lease" &&
	   grep -qF "vendor class: $vci" "$dlog"; then
		nlease=$((nlease + 1))
	else
		bad="$bad $dev"
	fi
done <"$VT_TMP/devices"
if [ -z "$bad" ] && [ "$nlease" -ge 8 ]; then
	vt_ok "DHCP: $nlease devices leased their address for their MAC, with their host name and vendor class"
else
	vt_fail "DHCP lease missing or wrong:$bad"
fi
# Every MAC's OUI is registered to the vendor devices.tsv names, and truth.tsv
# agrees with devices.tsv on each device's MAC and LAN address.
OUI=/usr/share/ieee-data/oui.csv
if [ -r "$OUI" ]; then
	bad=""
	grep -v '^#' "$HOSTS" | awk -F'\t' 'NR > 1 && $8 != "-" { print $3 "\t" $8 }' >"$VT_TMP/macs"
	while IFS="	" read -r mac vendor; do
		o=$(echo "$mac" | tr -d ':' | cut -c1-6 | tr a-f A-F)
		grep "^MA-L,$o," "$OUI" | grep -qiF "$vendor" || bad="$bad $mac($vendor)"
	done <"$VT_TMP/macs"
	if [ -z "$bad" ]; then
		vt_ok "every MAC's OUI belongs to its vendor ($(wc -l <"$VT_TMP/macs") hosts)"
	else
		vt_fail "OUI/vendor mismatch:$bad"
	fi
fi
bad=$(awk -F'\t' 'NR == FNR { if ($2 != "scanner") { mac[$1] = $3; ip[$1] = $4 } next }
	$3 ~ /^192\.168\.77\./ && (mac[$1] != $2 || ip[$1] != $3) { print $1 ":" $5 }' \
	"$VT_TMP/devices_all" "$VT_TMP/truth" 2>/dev/null | tr '\n' ' ')
vt_eq "truth.tsv and devices.tsv agree on every LAN port's MAC and address" "$bad" ""

# --- DNS: the gateway resolves DHCP names and forwards to the WAN resolver
a=$(ip netns exec vtscan timeout 3 busybox nslookup -type=a raspberrypi.lan 192.168.77.1 2>/dev/null | awk '/^Address: / { print $2 }' | tail -n 1)
vt_eq "gateway DNS answers a DHCP host name (raspberrypi.lan)" "$a" "192.168.77.80"
a=$(ip netns exec vtscan timeout 3 busybox nslookup -type=a downloads.example.net 192.168.77.1 2>/dev/null | awk '/^Address: / { print $2 }' | tail -n 1)
vt_eq "gateway DNS forwards to the WAN resolver (downloads.example.net)" "$a" "198.51.100.10"
a=$(ip netns exec vtscan timeout 3 busybox nslookup -type=a downloads.example.net 192.168.77.2 2>/dev/null | awk '/^Address: / { print $2 }' | tail -n 1)
vt_eq "router's dnsmasq answers on 53" "$a" "198.51.100.10"

# --- UDP: mDNS (DNS-SD) from the speaker and the printer, SSDP from the media player
# A DNS-SD service enumeration (PTR _services._dns-sd._udp.local), unicast
# to 5353: avahi answers it as a legacy unicast query.
mdns_q='\022\064\000\000\000\001\000\000\000\000\000\000\011_services\007_dns-sd\004_udp\005local\000\000\014\000\001'
for pair in 192.168.77.70:_sonos 192.168.77.30:_ipp; do
	ip=${pair%%:*}; want=${pair#*:}
	# shellcheck disable=SC2059 # the format is the packet, in octal escapes
	got=$(printf "$mdns_q" | ip netns exec vtscan timeout 4 socat -T2 - "UDP:$ip:5353" 2>/dev/null | tr -c '[:print:]' '\n' | grep -x -- "$want" | head -n 1)
	vt_eq "mDNS: $ip enumerates its DNS-SD services" "$got" "$want"
done
msearch='M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n'
# shellcheck disable=SC2059 # the format is the request
got=$(printf "$msearch" | ip netns exec vtscan timeout 4 socat -T2 - UDP-DATAGRAM:239.255.255.250:1900 2>/dev/null |
	tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }' | sort -u | tr '\n' ' ')
vt_eq "SSDP: a multicast M-SEARCH is answered by the router, the media player and the speaker" "$got" \
	"http://192.168.77.2:1900/gatedesc.xml http://192.168.77.50:8200/rootDesc.xml http://192.168.77.70:1400/xml/device_description.xml "
# shellcheck disable=SC2059 # the format is the request
got=$(printf "$msearch" | ip netns exec vtscan timeout 4 socat -T2 - UDP:192.168.77.70:1900 2>/dev/null |
	tr -d '\r' | awk 'tolower($1) == "usn:" { print $2 }')
vt_eq "SSDP: a unicast M-SEARCH to the speaker is answered" "$got" "uuid:RINCON_542A1B8E9F4601400::upnp:rootdevice"
got=$(ip netns exec vtscan curl -s -m 3 http://192.168.77.2:1900/gatedesc.xml | sed -n 's:.*<modelName>\(.*\)</modelName>.*:\1:p' | head -n 1)
vt_eq "UPnP: the router's IGD description names its model" "$got" "Archer C7"

# --- the WAN download through NAT
out=$(ip netns exec vtcam curl -s -m 10 -o "$VT_TMP/dl" -w '%{http_code} %{size_download}' http://198.51.100.10/files/1MiB.bin)
vt_eq "download from the camera through NAT (status, bytes)" "$out" "200 1048576"
vt_eq "download content" "$(sha256sum "$VT_TMP/dl" | cut -d' ' -f1)" "$(cat "$STATE/vtwan/download.sha256")"
seen=$(ip netns exec vtcam curl -s -m 5 http://198.51.100.10/cgi-bin/ip)
vt_eq "the WAN sees the gateway's address (masquerade)" "$seen" "203.0.113.2"

# --- down
pids_all=$(for ns in $LAB_NS; do ip netns pids "$ns"; done | tr '\n' ' ')
# lab/down twice while this test still holds the lab lock (VT_LAB_LOCKED),
# so that no other lab user can slip in between.
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
if [ -e "$STATE" ]; then vt_fail "state dir $STATE remains"; else vt_ok "state dir removed"; fi
if bash "$LAB/down"; then vt_ok "lab/down again (nothing up) succeeds"; else vt_fail "second lab/down failed"; fi
ENDED=1
vt_lab_end >/dev/null 2>&1

root_snapshot "$VT_TMP/root.after"
if diff "$VT_TMP/root.before" "$VT_TMP/root.after" >"$VT_TMP/root.diff"; then
	vt_ok "root namespace unchanged (links, addresses, routes, rules, nft, iptables, sysctls)"
else
	cat "$VT_TMP/root.diff"
	vt_fail "root namespace changed"
fi
vt_finish
