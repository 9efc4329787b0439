#!/bin/sh
# `vantage scan` in the lab (lab/up: real daemons in vt* namespaces), run
# from the measuring namespace vtscan over the lab's three /24s and every
# port the truth file names plus ports open nowhere:
#   - every (ip, proto, port) of lab/truth.tsv visible from the LAN (vantage
#     lan or any) is found open, and nothing else is reported open; the
#     exceptions are listed below with their reason;
#   - the service of each found port is the truth's (Nmap's vocabulary;
#     our cwmp rule for 7547 where Nmap only guesses; "ssl" for a silent
#     TLS port the truth calls unknown), TLS where the truth says so, and
#     the product contains the truth's product where it names one
#     (exceptions below, each with its reason);
#   - the store: run internal/active/ok, LAN devices keyed by their MACs
#     (from the neighbour table), WAN servers by IP, one active server
#     service per open port, TLS banners with their chains.
# Holds the lab (lab/session.sh) for the whole run; lab/down at the end.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
[ "$(id -u)" -eq 0 ] || vt_skip "needs root (the lab's namespaces, raw sockets)"
vt_need python3 sqlite3 bash flock
LAB=$VT_SRCDIR/lab
if ! ip netns add "vtprobe$$" 2>/dev/null; then
	vt_skip "cannot create network namespaces here"
fi
ip netns del "vtprobe$$"
# Hold the lab for the whole test (lab/session.sh: its lock, then lab/up;
# lab/down at the end), so no test elsewhere takes it down under the scan.
. "$LAB/session.sh"
export VT_LAB_QUIET=1
vt_lab_begin >"$VT_TMP/up.log" 2>&1 || {
	tail -20 "$VT_TMP/up.log"
	vt_skip "lab/up failed or the lab stayed busy"
}
trap 'vt_lab_end >/dev/null 2>&1; rm -rf "$VT_TMP"' EXIT
trap 'vt_lab_end >/dev/null 2>&1; rm -rf "$VT_TMP"; exit 130' INT TERM

# Should anything take the lab down anyway, the results mean nothing.
lab_id() { stat -L -c %i /run/netns/vtscan 2>/dev/null; }
id0=$(lab_id)
out=$VT_TMP/out
err=$VT_TMP/err
db=$VT_TMP/lab.db
chmod 755 "$VT_TMP"
PORTS=$(grep -v '^#' "$LAB/truth.tsv" | awk -F'\t' 'NR > 1 && ($11 == "lan" || $11 == "any") { print ($4 == "udp" ? "U:" : "T:") $5 }' |
	sort -u | paste -sd, -)
PORTS="$PORTS,T:81,T:2323,T:8081,T:9000,U:123,U:161,U:5683"
vt_run "$out" "$err" ip netns exec vtscan "$VANTAGE" scan -p "$PORTS" --rate 5000 \
	--json --db "$db" 192.168.77.0/24 198.51.100.0/24 203.0.113.0/24
[ "$(lab_id)" = "$id0" ] || vt_skip "the lab was taken down during the scan (lab/down elsewhere)"
[ "$VT_RC" -eq 130 ] && vt_skip "the scan was signalled from outside (lab/down elsewhere?)"
vt_eq "scan: exit status" "$VT_RC" 0
cat "$err"

# Exceptions (ip proto port reason):
#   missed: truth ports a unicast probe cannot see
#   extra:  open ports the truth file does not list
cat >"$VT_TMP/exceptions" <<'EX'
missed 192.168.77.1 udp 67 DHCP servers answer to port 68, never to the prober's port
product 192.168.77.20 tcp 23 Nmap's "BusyBox telnetd" comes from a softmatch, whose product the matcher does not take (match.h)
product 192.168.77.60 tcp 1883 Nmap names Mosquitto only through its mqtt-subscribe script (the broker's $SYS topic), not a probe match
product 192.168.77.60 tcp 8883 as above, over TLS
product 203.0.113.30 tcp 1883 as above
product 203.0.113.30 tcp 8883 as above, over TLS
EX
python3 - "$out" "$LAB/truth.tsv" "$VT_TMP/exceptions" >"$VT_TMP/report" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
found = {(r["ip"], r["proto"], r["port"]): r for r in rows if r["state"] == "open"}
truth = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if line.startswith("#") or len(f) < 11 or f[0] == "device":
        continue
    if f[10] in ("lan", "any"):
        truth[(f[2], f[3], int(f[4]))] = f
exc = {}
for line in open(sys.argv[3]):
    kind, ip, proto, port, why = line.split(" ", 4)
    exc[(kind, ip, proto, int(port))] = why.strip()
missed = [k for k in truth if k not in found and ("missed",) + k not in exc]
extra = [k for k in found if k not in truth and ("extra",) + k not in exc]
print("missed", " ".join("%s:%s/%d" % k for k in sorted(missed)) or "none")
print("extra", " ".join("%s:%s/%d" % k for k in sorted(extra)) or "none")
print("found", len([k for k in truth if k in found]), "of", len(truth))
bad = []
for k, f in sorted(truth.items()):
    r = found.get(k)
    if not r:
        continue
    want, got = f[5], (r["service"] or "")
    if got.startswith("ssl/"):
        got = got[4:]
    ok = want == "-" or got == want or (k[2] == 7547 and got == "cwmp") or \
        (want == "unknown" and f[6] == "yes" and got == "ssl")
    if f[6] == "yes" and k[1] == "tcp" and not r["tls"]:
        ok = False
    prod = f[7]
    if prod != "-" and ("product",) + k not in exc and \
            prod.split()[0].lower() not in (r["product"] or "").lower():
        ok = False
    print("port %s:%s/%d want %s|%s tls=%s got %s|%s tls=%s %s" % (
        k + (want, prod, f[6], got or "-", r["product"] or "-",
             "yes" if r["tls"] else "no", "ok" if ok else "WRONG")))
    if not ok:
        bad.append(k)
print("wrong", len(bad))
PY
cat "$VT_TMP/report"
vt_eq "every truth port found (but the listed exceptions)" "$(sed -n 's/^missed //p' "$VT_TMP/report")" none
vt_eq "no port open that the truth does not list" "$(sed -n 's/^extra //p' "$VT_TMP/report")" none
vt_eq "service and product per port as the truth (Nmap) says" "$(sed -n 's/^wrong //p' "$VT_TMP/report")" 0

q() { sqlite3 "$db" "$1"; }
vt_eq "store: run" "$(q "select vantage, technique, status from run")" "external|active|ok"
# LAN devices by MAC: every truth MAC of a LAN device with a port found.
macs=$(grep -v '^#' "$LAB/truth.tsv" | awk -F'\t' 'NR > 1 && $11 == "lan" && $3 ~ /^192\.168\.77\./ { print $2 }' | sort -u)
nmac=0
for m in $macs; do
	[ "$(q "select count(*) from device where mac = '$m'")" = 1 ] && nmac=$((nmac + 1))
done
vt_eq "store: LAN devices keyed by their MAC" "$nmac" "$(echo "$macs" | wc -l)"
vt_eq "store: WAN servers keyed by IP" \
	"$(q "select count(*) from device where mac is null and key_ip in ('198.51.100.10', '198.51.100.53', '203.0.113.10', '203.0.113.30')")" 4
vt_eq "store: one active server service per open port" \
	"$(q "select count(*) from service where technique = 'active' and role = 'server'")" \
	"$(python3 -c "import json,sys; print(sum(1 for l in open('$out') if json.loads(l)['state'] == 'open'))")"
n=$(q "select count(distinct ip || port) from banner where tls_sha256 is not null and length(tls_chain) > 0")
[ "$n" -ge 5 ] && vt_ok "store: TLS banners with chains ($n ports)" || vt_fail "store: TLS banners with chains: $n"
vt_finish
