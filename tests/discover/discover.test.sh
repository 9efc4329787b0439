#!/bin/sh
# `vantage discover` on real networks (root only; exit 77 otherwise).
#
# 1. Hostile UPnP, in a namespace pair of our own (vtdsNNN, vtddNNN): a
#    device (tests/discover/fake_upnp.py) answers the SSDP search with an
#    honest description and with LOCATIONs that must be refused or bounded:
#    off the subnet, file://, a host name, an endless body, a 10 MiB body,
#    a 1-byte-per-second drip, an entity bomb, a closed port, a 404, and
#    more LOCATIONs than the per-device fetch cap. tcpdump on the scanner's
#    interface is the oracle for what was sent: nothing to the off-subnet
#    address, only subnet and link-local multicast destinations, one ARP
#    request per address, paced at --rate. wsdd (a real WS-Discovery
#    responder) on the same device answers the WS-Discovery probe. Then:
#    a device flooding DNS-SD names (capped) or dripping them (listening
#    ends by a hard limit), usage
#    errors, no CAP_NET_RAW, SIGINT mid-sweep.
# 2. The lab (lab/up, lab/devices.tsv): every LAN host of lab/devices.tsv
#    is found with its MAC, IP and vendor; every MAC/IP pair arp-scan finds
#    (before and after) is found; what the hosts advertise shows up: the
#    media device's and the speaker's UPnP friendly names, the speaker's
#    model (from the description its TXT location= names) and mDNS host
#    name, the router's IGD device type; the store holds the run as
#    internal/active and `devices --json` prints what discover printed.
#
# The whole test holds the lab lock (lab/session.sh): lab/down, from any
# other test, removes every vt* namespace, this test's own pair included.
# Namespaces are removed on every exit path (trap); everything is bounded
# by timeouts.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init

[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces, CAP_NET_RAW)"
vt_need ip python3 tcpdump timeout

S=vtds$$
D=vtdd$$
SCAN_MAC=02:00:5e:10:00:01
DEV_MAC=58:cb:52:00:00:02
LAB=${VT_LAB_DIR:-$VT_SRCDIR/lab}
LAB_HELD=0
PIDS=""

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	ip netns pids "$D" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns pids "$S" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$S" 2>/dev/null
	ip netns del "$D" 2>/dev/null
	if [ "$LAB_HELD" -eq 1 ]; then
		vt_lab_end >/dev/null 2>&1
	fi
	rm -rf "$VT_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HAVE_LAB=0
if [ -x "$LAB/up" ] && [ -f "$LAB/session.sh" ] && [ -f "$LAB/devices.tsv" ]; then
	HAVE_LAB=1
	. "$LAB/session.sh"
	VT_LAB_SESSION_DIR=$LAB
	export VT_LAB_QUIET=1
	LAB_HELD=1
	if ! vt_lab_begin; then
		LAB_HELD=0
		echo "FAIL: lab/up (or the lab lock) failed"
		exit 1
	fi
fi

# --- 1. hostile UPnP in a namespace pair of our own --------------------
ip netns add "$S" && ip netns add "$D" &&
	ip link add vtd0 netns "$S" address $SCAN_MAC type veth \
		peer name vtd1 netns "$D" address $DEV_MAC &&
	ip -n "$S" addr add 192.168.231.1/24 dev vtd0 &&
	ip -n "$D" addr add 192.168.231.2/24 dev vtd1 &&
	ip -n "$S" link set lo up && ip -n "$S" link set vtd0 up &&
	ip -n "$D" link set lo up && ip -n "$D" link set vtd1 up ||
	{ echo "FAIL: cannot build the namespace pair"; exit 1; }
# a /8 on a second (unconnected) veth: refused without --force
ip -n "$S" link add vtdum0 type veth peer name vtdum1 &&
	ip -n "$S" link set vtdum0 up && ip -n "$S" addr add 10.9.0.1/8 dev vtdum0

LOG=$VT_TMP/fetches.log
: >"$LOG"
ip netns exec "$D" python3 "$VT_SRCDIR/tests/discover/fake_upnp.py" \
	192.168.231.2 8080 "$LOG" 2>"$VT_TMP/fake.err" &
PIDS="$PIDS $!"
# A real WS-Discovery responder on the same device, when installed.
WSDD=0
if command -v wsdd >/dev/null 2>&1; then
	WSDD=1
	(cd "$VT_TMP" && exec ip netns exec "$D" timeout 120 wsdd -i vtd1 -4 -n VTDHOST \
		>"$VT_TMP/wsdd.log" 2>&1) &
	PIDS="$PIDS $!"
fi
ip netns exec "$S" timeout 60 tcpdump -i vtd0 -U -n -w "$VT_TMP/scan.pcap" \
	2>"$VT_TMP/tcpdump.err" &
PIDS="$PIDS $!"
i=0
until ip netns exec "$S" timeout 1 python3 -c 'import socket; socket.create_connection(("192.168.231.2", 8080), 1)' 2>/dev/null &&
	grep -q listening "$VT_TMP/tcpdump.err"; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "FAIL: fake device or tcpdump did not start"; cat "$VT_TMP/fake.err"; exit 1; }
	sleep 0.2
done

start=$(date +%s)
vt_run "$VT_TMP/h.json" "$VT_TMP/h.err" ip netns exec "$S" timeout 60 \
	"$VANTAGE" discover -i vtd0 --json --rate 100 --timeout 1 --db "$VT_TMP/h.db"
took=$(($(date +%s) - start))
sleep 0.5
cat "$VT_TMP/h.err"
vt_eq "discover exit status" "$VT_RC" 0
if [ "$took" -le 15 ]; then vt_ok "bounded: done in ${took}s (caps: 3 s per fetch)"
else vt_fail "took ${took}s despite the time caps"; fi
vt_eq "UPnP outcomes" "$(grep '^  upnp:' "$VT_TMP/h.err")" \
	"  upnp: 2 ok, 1 off-subnet, 2 bad URL, 1 connect failed, 1 timed out, 2 too large, 1 bad HTTP, 1 bad XML, 5 over the fetch cap"
vt_eq "devices found" "$(vt_json_count "$VT_TMP/h.json")" 1
case "$(vt_json_field "$VT_TMP/h.json" $DEV_MAC ips)" in
*'"192.168.231.2"'*) vt_ok "device IP 192.168.231.2" ;;
*) vt_fail "device IPs lack 192.168.231.2" ;;
esac
vt_eq "vendor from the description" "$(vt_json_field "$VT_TMP/h.json" $DEV_MAC vendor)" "Acme Audio"
vt_eq "model from the description" "$(vt_json_field "$VT_TMP/h.json" $DEV_MAC model)" "AcmeStream X1"
vt_eq "type from the description" "$(vt_json_field "$VT_TMP/h.json" $DEV_MAC type)" "media"
ev=$(vt_json_field "$VT_TMP/h.json" $DEV_MAC evidence)
for want in '"signal":"upnp_manufacturer","value":"Acme Audio"' \
	'"signal":"upnp_model_name","value":"AcmeStream X1"' \
	'"signal":"upnp_device_type","value":"urn:schemas-upnp-org:device:MediaRenderer:1"' \
	'"signal":"oui","value":"Google, Inc."'; do
	case "$ev" in *"$want"*) vt_ok "evidence $want" ;; *) vt_fail "evidence lacks $want: $ev" ;; esac
done
case "$ev" in *Bomb*|*aaaa*) vt_fail "the entity bomb's fields were used" ;; *) vt_ok "nothing from the entity bomb" ;; esac
vt_eq "paths fetched (each once, 8 from one device)" "$(grep '^/' "$LOG" | sort | tr '\n' ' ')" \
	"/big /bomb.xml /endless /good.xml /good.xml?copy=0 /missing.xml /slow "

if [ "$WSDD" -eq 1 ]; then
	wl=$(grep '^  wsd:' "$VT_TMP/h.err")
	case "$wl" in
	"  wsd: 4 probes sent, "[1-9]*" replies") vt_ok "WS-Discovery: wsdd answered ($wl)" ;;
	*) vt_fail "WS-Discovery: no answer from wsdd: $wl" ;;
	esac
	vt_eq "WS-Discovery types of wsdd stored as signals" "$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(" ".join(sorted(v.decode() for (v,) in c.execute("select value from signal where signal = ?", ("wsd_type",)))))
' "$VT_TMP/h.db")" "pub:Computer wsdp:Device"
else
	echo "note: wsdd is not installed (scripts/setup); WS-Discovery not checked"
fi

# The store: the run's quadrant, and the description fields as signals.
vt_eq "run quadrant in the store" "$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print("|".join(c.execute("select command, vantage, technique, source from run").fetchone()))
print(c.execute("select count(*) from signal where signal like ? ", ("upnp_%",)).fetchone()[0])
' "$VT_TMP/h.db" | tr '\n' ' ')" "discover|internal|active|vtd0 7 "

# `devices --json` prints from the store exactly what discover printed.
"$VANTAGE" devices --db "$VT_TMP/h.db" --json >"$VT_TMP/h.dev.json" 2>&1
if cmp -s "$VT_TMP/h.json" "$VT_TMP/h.dev.json"; then vt_ok "devices --json equals discover --json"
else vt_fail "devices --json differs from discover --json"; vt_json_diff "$VT_TMP/h.json" "$VT_TMP/h.dev.json"; fi

# What went on the wire, by tcpdump.
R() { tcpdump -r "$VT_TMP/scan.pcap" -n "$@" 2>/dev/null; }
vt_eq "packets to the off-subnet LOCATION" "$(R 'host 10.255.0.1' | wc -l)" 0
vt_eq "IPv4 sent outside the subnet and the mDNS/SSDP groups" \
	"$(R "ether src $SCAN_MAC and ip and not dst net 192.168.231.0/24 and not dst host 224.0.0.251 and not dst host 239.255.255.250" | wc -l)" 0
# (ours are padded to 60 bytes; the kernel's own 42-byte requests are not)
R "ether src $SCAN_MAC and arp[6:2] = 1 and len >= 60" |
	awk '{ for (i = 1; i < NF; i++) if ($i == "who-has") print $(i + 1) }' >"$VT_TMP/asked"
vt_eq "ARP requests sent" "$(wc -l <"$VT_TMP/asked")" 253
vt_eq "addresses asked (each once, all but ours)" \
	"$(sort -u "$VT_TMP/asked" | grep -c '^192\.168\.231\.\([1-9]\|[1-9][0-9]\|1[0-9][0-9]\|2[0-4][0-9]\|25[0-4]\)$')" 253
vt_eq "our own address asked" "$(grep -c '^192\.168\.231\.1$' "$VT_TMP/asked")" 0
span=$(R -tt "ether src $SCAN_MAC and arp[6:2] = 1 and len >= 60" | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.1f", b - a }')
case "$span" in
2.[3-9]|3.*) vt_ok "ARP sweep paced at 100/s (${span}s for 253)" ;;
*) vt_fail "ARP sweep took ${span}s for 253 requests at --rate 100" ;;
esac

# A device that names five new DNS-SD services in every answer: the names
# are capped (counted) and listening ends by the hard limit (1 s repeat +
# 1 s --timeout + 10 s of follow-ups).
ip netns exec "$D" python3 "$VT_SRCDIR/tests/discover/fake_upnp.py" \
	192.168.231.2 mdns-flood "$VT_TMP/flood.log" 2>>"$VT_TMP/fake.err" &
PIDS="$PIDS $!"
sleep 1
start=$(date +%s)
vt_run "$VT_TMP/f.json" "$VT_TMP/f.err" ip netns exec "$S" timeout 60 \
	"$VANTAGE" discover -i vtd0 --json --no-arp --no-ssdp --no-wsd --timeout 1
took=$(($(date +%s) - start))
vt_eq "mDNS flood: exit status" "$VT_RC" 0
if [ "$took" -le 14 ]; then vt_ok "mDNS flood: listening ended in ${took}s"
else vt_fail "mDNS flood: took ${took}s"; fi
fl=$(grep '^  mdns:' "$VT_TMP/f.err")
case "$fl" in
"  mdns: "[0-9]*" queries sent, "[0-9]*" replies, "[1-9]*" names over the caps") vt_ok "mDNS flood: names capped ($fl)" ;;
*) vt_fail "mDNS flood: nothing counted over the caps: $fl" ;;
esac
q=$(echo "$fl" | sed 's/^  mdns: \([0-9]*\) queries.*/\1/')
if [ "$q" -le 400 ]; then vt_ok "mDNS flood: $q queries sent (bounded by the caps)"
else vt_fail "mDNS flood: $q queries sent"; fi

# One new name 0.8 s after each query: every answer asks for another
# follow-up, so only the hard limit ends listening (at 12 s).
ip netns pids "$D" | while read -r p; do
	grep -q mdns-flood "/proc/$p/cmdline" 2>/dev/null && kill "$p"
done
ip netns exec "$D" python3 "$VT_SRCDIR/tests/discover/fake_upnp.py" \
	192.168.231.2 mdns-drip "$VT_TMP/drip.log" 2>>"$VT_TMP/fake.err" &
PIDS="$PIDS $!"
sleep 1
start=$(date +%s)
vt_run "$VT_TMP/d.json" "$VT_TMP/d.err" ip netns exec "$S" timeout 60 \
	"$VANTAGE" discover -i vtd0 --json --no-arp --no-ssdp --no-wsd --timeout 1
took=$(($(date +%s) - start))
vt_eq "mDNS drip: exit status" "$VT_RC" 0
if [ "$took" -ge 11 ] && [ "$took" -le 14 ]; then
	vt_ok "mDNS drip: listening ended by the hard limit (${took}s)"
else vt_fail "mDNS drip: took ${took}s, not the 12 s hard limit"; fi
vt_eq "mDNS drip: the device found" "$(vt_json_field "$VT_TMP/d.json" $DEV_MAC mac)" $DEV_MAC

# Usage errors: one line, exit 2, nothing sent.
vt_run "$VT_TMP/o" "$VT_TMP/e" ip netns exec "$S" "$VANTAGE" discover -i vtdum0
vt_eq "a /8 without --force: exit" "$VT_RC" 2
vt_eq "a /8 without --force: message" "$(grep -c 'larger than /16' "$VT_TMP/e")" 1
vt_run "$VT_TMP/o" "$VT_TMP/e" ip netns exec "$S" "$VANTAGE" discover -i vtnosuch0
vt_eq "no such interface: exit" "$VT_RC" 2
vt_eq "no such interface: one error line" "$(vt_err_lines "$VT_TMP/e" | wc -l)" 1
if command -v setpriv >/dev/null 2>&1; then
	vt_run "$VT_TMP/o" "$VT_TMP/e" ip netns exec "$S" setpriv --reuid=65534 \
		--regid=65534 --clear-groups --inh-caps=-all "$VANTAGE" discover -i vtd0
	vt_eq "without CAP_NET_RAW: exit" "$VT_RC" 2
	vt_eq "without CAP_NET_RAW: says so" "$(grep -c 'CAP_NET_RAW' "$VT_TMP/e")" 1
fi

# SIGINT mid-sweep: stops sending, prints and stores what it found, 130.
start=$(date +%s)
ip netns exec "$S" "$VANTAGE" discover -i vtd0 --json --rate 20 --no-ssdp \
	--db "$VT_TMP/int.db" >"$VT_TMP/int.json" 2>"$VT_TMP/int.err" &
pid=$!
sleep 2
kill -INT $pid
rc=0
wait $pid || rc=$?
took=$(($(date +%s) - start))
vt_eq "SIGINT: exit status" "$rc" 130
if [ "$took" -le 5 ]; then vt_ok "SIGINT: stopped at once (${took}s; the sweep needs 13)"
else vt_fail "SIGINT: took ${took}s"; fi
vt_eq "SIGINT: the device found before it is printed" \
	"$(vt_json_field "$VT_TMP/int.json" $DEV_MAC mac)" $DEV_MAC
vt_eq "SIGINT: run and device stored" "$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("select status from run").fetchone()[0], c.execute("select count(*) from device").fetchone()[0])
' "$VT_TMP/int.db")" "interrupted 1"

# --- 2. the lab ---------------------------------------------------------
if [ "$HAVE_LAB" -eq 0 ]; then
	echo "note: no lab ($LAB/up, session.sh, devices.tsv); the lab checks are skipped"
	vt_finish
fi
LIF=$(ip -n vtscan -o -4 addr show | awk '$2 != "lo" { print $2; exit }')
# arp-scan before and after discover: the pairs present both times were
# on the LAN all along.
arpscan() {
	ip netns exec vtscan timeout 60 arp-scan -q -x -I "$LIF" --localnet 2>/dev/null |
		awk '{ print $2, $1 }' | sort -u
}
HAVE_ARPSCAN=0
if command -v arp-scan >/dev/null 2>&1; then
	HAVE_ARPSCAN=1
	arpscan >"$VT_TMP/arpscan1"
fi
vt_run "$VT_TMP/lab.json" "$VT_TMP/lab.err" ip netns exec vtscan timeout 120 \
	"$VANTAGE" discover -i "$LIF" --json --db "$VT_TMP/lab.db"
cat "$VT_TMP/lab.err"
vt_eq "lab discover exit status" "$VT_RC" 0

# Every LAN host of lab/devices.tsv but ourselves: MAC, IP, vendor.
# column: name->index from the header line
col() { awk -F'\t' -v c="$1" '!/^#/ { for (i = 1; i <= NF; i++) if ($i == c) print i; exit }' "$LAB/devices.tsv"; }
dev_field() { # NAME COLUMN
	awk -F'\t' -v n="$1" -v c="$(col "$2")" '!/^#/ && $1 == n { print $c }' "$LAB/devices.tsv"
}
awk -F'\t' -v r="$(col role)" -v m="$(col mac)" -v i="$(col ip)" -v v="$(col vendor)" \
	'!/^#/ && ($r == "device" || $r == "gateway") { print $m, $i, $v }' "$LAB/devices.tsv" |
	sort -u >"$VT_TMP/truth"
vt_eq "lab hosts in devices.tsv" "$(test -s "$VT_TMP/truth" && echo yes)" yes
# The truth's vendor is a substring of the OUI's registered name; vantage
# prints the brand data/ident/vendors.tsv gives that name ("Hewlett
# Packard" -> "HP"), or the name itself.
python3 - "$VT_TMP/lab.json" "$VT_TMP/truth" "$VT_SRCDIR/data/ident/vendors.tsv" >"$VT_TMP/cmp" <<'EOF'
import json, sys
devs = {}
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    devs[d["mac"]] = d
brands = []
for line in open(sys.argv[3], encoding="utf-8"):
    if line.strip() and not line.startswith("#"):
        f = line.rstrip("\n").split("\t")
        brands.append((f[0].lower(), f[1]))
def brand(name):
    for pat, b in brands:
        if pat in name.lower():
            return b
    return name
for line in open(sys.argv[2]):
    mac, ip, vendor = line.rstrip("\n").split(" ", 2)
    d = devs.get(mac)
    oui = [e["value"] for e in (d or {}).get("evidence", []) if e["signal"] == "oui"]
    got = (d or {}).get("vendor") or ""
    if not d:
        print("FAIL %s %s: not found" % (mac, ip))
    elif ip not in d["ips"]:
        print("FAIL %s: ips %s lack %s" % (mac, d["ips"], ip))
    elif not any(vendor.lower() in o.lower() for o in oui):
        print("FAIL %s %s: OUI evidence %r lacks %r" % (mac, ip, oui, vendor))
    elif got.lower() not in (vendor.lower(), brand(vendor).lower()):
        print("FAIL %s %s: vendor %r, truth %r (brand %r)" % (mac, ip, got, vendor, brand(vendor)))
    else:
        print("ok %s %s %s (truth %s)" % (mac, ip, got, vendor))
EOF
while read -r st rest; do
	if [ "$st" = ok ]; then vt_ok "found $rest"; else vt_fail "$rest"; fi
done <"$VT_TMP/cmp"

# Oracle: every MAC/IP pair arp-scan finds on the same interface (before
# and after).
if [ "$HAVE_ARPSCAN" -eq 1 ]; then
	arpscan >"$VT_TMP/arpscan2"
	comm -12 "$VT_TMP/arpscan1" "$VT_TMP/arpscan2" >"$VT_TMP/arpscan"
	n=$(wc -l <"$VT_TMP/arpscan")
	missing=$(python3 - "$VT_TMP/lab.json" "$VT_TMP/arpscan" <<'EOF'
import json, sys
devs = {json.loads(l)["mac"]: json.loads(l) for l in open(sys.argv[1])}
for line in open(sys.argv[2]):
    mac, ip = line.split()
    if mac not in devs or ip not in devs[mac]["ips"]:
        print(mac, ip)
EOF
)
	if [ "$n" -gt 0 ] && [ -z "$missing" ]; then vt_ok "all $n arp-scan pairs found"
	else vt_fail "arp-scan found $n pairs; missing: $missing"; fi
fi

# The media device (SSDP in the truth) and the speaker (mDNS).
# What the hosts advertise, against devices.tsv.
jf() { vt_json_field "$VT_TMP/lab.json" "$(dev_field "$1" mac)" "$2"; }
has_ev() { # NAME SIGNAL VALUE
	case "$(jf "$1" evidence)" in
	*"\"signal\":\"$2\",\"value\":\"$3\""*) vt_ok "$1 evidence: $2 = $3" ;;
	*) vt_fail "$1 evidence lacks $2 = $3: $(jf "$1" evidence)" ;;
	esac
}
has_ev vtmedia upnp_friendly_name "$(dev_field vtmedia upnp_name)"
has_ev vtmedia upnp_device_type "urn:schemas-upnp-org:device:MediaServer:1"
has_ev vtspeaker upnp_friendly_name "$(dev_field vtspeaker upnp_name)"
has_ev vtspeaker mdns_service "_sonos._tcp"
has_ev vtrouter upnp_device_type "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
vt_eq "vtspeaker model (from its UPnP description)" "$(jf vtspeaker model)" \
	"$(dev_field vtspeaker model)"
vt_eq "mDNS host names stored as signals" "$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
q = "select count(*) from signal s join device d on d.id = s.device_id where d.mac = ? and s.signal = ? and s.value = ?"
print(*(c.execute(q, (m, "mdns_hostname", h.encode())).fetchone()[0] for m, h in zip(sys.argv[2::2], sys.argv[3::2])))
' "$VT_TMP/lab.db" "$(dev_field vtspeaker mac)" "$(dev_field vtspeaker mdns_host)" \
	"$(dev_field vtprinter mac)" "$(dev_field vtprinter mdns_host)")" "1 1"
vt_eq "lab run in the store" "$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print("|".join(c.execute("select vantage, technique from run").fetchone()))
' "$VT_TMP/lab.db")" "internal|active"
"$VANTAGE" devices --db "$VT_TMP/lab.db" --json >"$VT_TMP/lab.dev.json" 2>&1
if cmp -s "$VT_TMP/lab.json" "$VT_TMP/lab.dev.json"; then vt_ok "lab: devices --json equals discover --json"
else vt_fail "lab: devices --json differs from discover --json"; vt_json_diff "$VT_TMP/lab.json" "$VT_TMP/lab.dev.json"; fi
vt_finish
