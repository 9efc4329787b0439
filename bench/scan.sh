#!/bin/bash
# bench/scan.sh - `vantage scan` against Nmap, ZMap and masscan in the lab.
#
# Run as root (it brings the lab up if needed, and down again); everything
# runs inside the lab's measuring namespace (vtscan) and reaches only the lab's addresses:
#   targets  192.168.77.0/24 198.51.100.0/24 203.0.113.0/24 (or $VT_BENCH_TARGETS)
#   ports    the lab's TCP truth ports plus common IoT ports that are closed
#            everywhere ($VT_BENCH_PORTS to override)
# Runs, each timed (wall seconds, CPU seconds of the process tree):
#   vantage  vantage scan --rate $RATE --json (SYN stage + banner grabs)
#   vantage-syn  the same with --no-grab (the SYN stage alone)
#   nmap     nmap -n -sS -sV -p PORTS TARGETS (default timing, intensity 7)
#   zmap     zmap 2.1 (one port per run, so one run per port; an empty
#            blocklist; it never ARPs: --gateway-mac is the lab gateway)
#   masscan  masscan -p PORTS --rate $RATE --router-mac GW --wait 2
# and prints a table: open ports found, services named (Nmap: only those
# it named by probing, not guessed from its port table), per-port service
# agreement with Nmap, and recall against lab/truth.tsv.
# Results (raw outputs and the table) go to $VT_BENCH_OUT (default
# $TMPDIR/vantage-bench-scan).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
VANTAGE=${VANTAGE:-$root/build/vantage}
RATE=${VT_BENCH_RATE:-5000}
NS=vtscan
OUT=${VT_BENCH_OUT:-${TMPDIR:-/tmp}/vantage-bench-scan}
TRUTH=$root/lab/truth.tsv
[ "$(id -u)" -eq 0 ] || { echo "bench/scan.sh: run as root" >&2; exit 2; }
for t in nmap zmap masscan python3; do
	command -v $t >/dev/null || { echo "bench/scan.sh: $t missing" >&2; exit 2; }
done
[ -x "$VANTAGE" ] || { echo "bench/scan.sh: no $VANTAGE (build first)" >&2; exit 2; }
mkdir -p "$OUT"
# Hold the lab's lock while measuring: no lab/up or lab/down from another
# shell or test meanwhile (they wait for it, up to 120 s).
exec 9>/run/lock/vantage-lab.lock 2>/dev/null || exec 9>/run/vantage-lab.lock
flock -w 300 9 || { echo "bench/scan.sh: the lab's lock stayed busy" >&2; exit 2; }
export VT_LAB_LOCKED=1
if ! ip netns list | awk '{print $1}' | grep -qx "$NS"; then
	echo "bringing the lab up (and down at the end)"
	VT_LAB_QUIET=1 "$root/lab/up" >"$OUT/lab-up.log" 2>&1 ||
		{ tail "$OUT/lab-up.log" >&2; exit 2; }
	trap 'VT_LAB_QUIET=1 "$root/lab/down" >/dev/null 2>&1' EXIT
fi

TARGETS=${VT_BENCH_TARGETS:-"192.168.77.0/24 198.51.100.0/24 203.0.113.0/24"}
if [ -z "${VT_BENCH_PORTS:-}" ]; then
	tp=$(grep -v '^#' "$TRUTH" | awk -F'\t' 'NR > 1 && $4 == "tcp" { print $5 }')
	VT_BENCH_PORTS=$(printf '%s\n' $tp 21 23 25 81 110 139 445 1900 3389 5353 8000 8081 8443 8888 9000 49152 |
		sort -un | paste -sd, -)
fi
PORTS=$VT_BENCH_PORTS
# The measuring interface and the gateway's MAC, for ZMap and masscan.
IFACE=$(ip -n $NS -o -4 addr show | awk '$4 ~ /^192\.168\.77\./ { print $2; exit }')
GW=$(ip -n $NS route show default | awk '{ print $3; exit }')
# shellcheck source=lab/lib.sh
. "$root/lab/lib.sh"
GWMAC=$VT_LAB_GW_MAC
echo "targets: $TARGETS"
echo "ports ($(echo "$PORTS" | tr , '\n' | wc -l)): $PORTS"
echo "iface $IFACE, gateway $GW ($GWMAC), rate $RATE/s"

# timed NAME CMD...: runs CMD in the lab namespace; writes NAME.time
# ("wall cpu rc") and NAME.out / NAME.err.
timed() {
	local name=$1
	shift
	python3 - "$OUT/$name" ip netns exec $NS "$@" <<'PY'
import resource, subprocess, sys, time
base = sys.argv[1]
t = time.time()
with open(base + ".out", "w") as o, open(base + ".err", "w") as e:
    rc = subprocess.call(sys.argv[2:], stdout=o, stderr=e)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(base + ".time", "w") as f:
    f.write("%.2f %.2f %d\n" % (time.time() - t, ru.ru_utime + ru.ru_stime, rc))
PY
	echo "$name: $(cat "$OUT/$name.time") (wall s, cpu s, rc)"
}

# shellcheck disable=SC2086
timed vantage "$VANTAGE" scan -p "$PORTS" --rate "$RATE" --json $TARGETS
# shellcheck disable=SC2086
timed vantage-syn "$VANTAGE" scan -p "$PORTS" --rate "$RATE" --no-grab --json $TARGETS
# shellcheck disable=SC2086
timed nmap nmap -n -sS -sV -p "$PORTS" -oX "$OUT/nmap.xml" $TARGETS
# shellcheck disable=SC2086
timed masscan masscan -p "$PORTS" --rate "$RATE" -e "$IFACE" --router-mac "$GWMAC" \
	--wait 2 -oL "$OUT/masscan.list" $TARGETS
# ZMap 2.1 takes one port per run; its default blocklist excludes private
# and documentation ranges (the whole lab): an empty one instead.
: >"$OUT/zmap-blocklist"
cat >"$OUT/zmap-all.sh" <<SH
for p in \$(echo "$PORTS" | tr , ' '); do
	zmap -q -p \$p -i "$IFACE" -G "$GWMAC" -b "$OUT/zmap-blocklist" -r "$RATE" -c 1 \\
		-o - -f saddr,sport $TARGETS 2>>"$OUT/zmap.log" |
		sed "s/\$/,\$p/"
done
SH
timed zmap sh "$OUT/zmap-all.sh"

# Another lab/down meanwhile would kill the tools: say so, not a table of zeros.
ip netns list | awk '{print $1}' | grep -qx "$NS" ||
	{ echo "bench/scan.sh: the lab went down during the run" >&2; exit 1; }
python3 "$here/scan-compare.py" "$OUT" "$TRUTH" | tee "$OUT/table.txt"
