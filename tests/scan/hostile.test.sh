#!/bin/sh
# The banner grabber against hostile servers (RELIABILITY.md), in a
# namespace pair the test makes: an endless banner, a drip feed, a tarpit,
# an immediate RST, a 1 MiB line without a newline, a TLS server that
# announces a record and drips, one that never answers the ClientHello.
#   - every port is found open and the scan ends in bounded time (the
#     per-port cap (6 s) over a quiet scan's time, where the servers
#     would hold a client forever);
#   - no response kept is over the 4096-byte cap;
#   - peak memory stays within 40 MB of a scan of one quiet port;
#   - the TLS servers end as TLS failures or timeouts, not hangs.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
. "$VT_SRCDIR/tests/scan/ns.sh"
vt_ns_root
vt_need python3
vt_ns_up
out=$VT_TMP/out
err=$VT_TMP/err
B=2001

vt_ns_bg hostile python3 "$VT_SRCDIR/tests/scan/hostile_server.py" "$T_IP" $B
for p in $B 8443; do
	vt_ns_wait_tcp $p || vt_fail "hostile server on $p did not start"
done

# measure OUT ERR ARGS...: runs a scan from the scanner namespace; prints
# "wall_s maxrss_kb rc".
measure() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
out, err = open(sys.argv[1], "w"), open(sys.argv[2], "w")
t = time.time()
rc = subprocess.call(sys.argv[3:], stdout=out, stderr=err)
print("%.1f %d %d" % (time.time() - t,
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
PY
}

set -- $(measure "$VT_TMP/base.out" "$VT_TMP/base.err" ip netns exec "$NS_S" "$VANTAGE" scan \
	-p 9 --rate 1000 --wait 500 "$T_IP")
base_wall=$1
base_rss=$2

PORTS=$B,$((B + 1)),$((B + 2)),$((B + 3)),$((B + 4)),443,8443
set -- $(measure "$out" "$err" ip netns exec "$NS_S" "$VANTAGE" scan -p "$PORTS" \
	--rate 1000 --wait 500 --grab-timeout 6000 --json "$T_IP")
wall=$1
rss=$2
vt_eq "hostile: exit status" "$3" 0
cat "$err"
echo "wall ${wall}s, peak RSS ${rss} kB (quiet scan ${base_rss} kB)"
python3 - "$out" <<'PY' >"$VT_TMP/check"
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("open", " ".join(str(p) for p in sorted(r["port"] for r in rows if r["state"] == "open")))
def blen(b):
    return len(re.sub(r"\\x[0-9a-f]{2}", "x", b)) if b else 0
print("maxbanner", max(blen(r["banner"]) for r in rows))
for r in rows:
    print("end", r["port"], r["grab"], blen(r["banner"]))
PY
cat "$VT_TMP/check"
vt_eq "hostile: every port open" "$(sed -n 's/^open //p' "$VT_TMP/check")" \
	"443 $B $((B + 1)) $((B + 2)) $((B + 3)) $((B + 4)) 8443"
mb=$(sed -n 's/^maxbanner //p' "$VT_TMP/check")
[ "$mb" -le 4096 ] && vt_ok "hostile: responses capped ($mb bytes)" || vt_fail "hostile: a response of $mb bytes"
[ "$mb" -ge 4000 ] && vt_ok "hostile: the endless banner was read up to the cap" ||
	vt_fail "hostile: endless banner not read ($mb)"
# Bound: a quiet scan's time (start-up, rules) + the 6 s port cap + 6 s.
if python3 -c "import sys; sys.exit(0 if float('$wall') < float('$base_wall') + 12 else 1)"; then
	vt_ok "hostile: bounded time (${wall}s, quiet scan ${base_wall}s)"
else
	vt_fail "hostile: took ${wall}s (quiet scan ${base_wall}s)"
fi
[ "$rss" -le $((base_rss + 40000)) ] && vt_ok "hostile: bounded memory (${rss} kB)" ||
	vt_fail "hostile: memory ${rss} kB vs ${base_rss} kB quiet"
vt_eq "hostile: silent TLS ends on the handshake cap" \
	"$(awk '$1 == "end" && $2 == 8443 { print $3 }' "$VT_TMP/check")" "tls-time"
t443=$(awk '$1 == "end" && $2 == 443 { print $3 }' "$VT_TMP/check")
case "$t443" in
tls-time | ladder | port-time) vt_ok "hostile: partial TLS ends ($t443)" ;;
*) vt_fail "hostile: partial TLS: $t443" ;;
esac
vt_ns_finish
