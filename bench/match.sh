#!/bin/bash
# bench/match.sh - `vantage match` throughput: the prefilter (Hyperscan
# HS_FLAG_PREFILTER + PCRE2 JIT, confirmed by the interpreter) against
# --sequential (every regex in turn with the PCRE2 interpreter, as Nmap
# does), on the same corpus in the same run, each pinned to one core.
#
# Corpus (bench/match-corpus.py, cached in bench/work/): every Recog
# example framed as its protocol sends it, banners captured from real
# daemons on 127.0.0.1 (bench/capture-daemons.py: lighttpd, vsftpd,
# dropbear, python http.server and smtpd, those installed), random
# negatives; replicated to VT_BENCH_MATCH_N lines (default 200000).
#
# Prints banners/s of each mode, the ratio, and checks that both modes
# gave identical results for every banner (cmp of the JSON outputs).
# Targets (issue 4): ratio >= 20 and >= 100,000 banners/s on one core.
# The prefilter's compiled databases are cached (VT_CACHE_DIR); a warm-up
# run builds them first so compile time is not measured.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
N=${VT_BENCH_MATCH_N:-200000}
WORK=$ROOT/bench/work
VANTAGE=${VANTAGE:-$ROOT/build/vantage}
DATASETS=${VT_DATASETS:-$ROOT/../shared/datasets}
CORE=${VT_BENCH_CORE:-0}
mkdir -p "$WORK"
[ -x "$VANTAGE" ] || { echo "match.sh: build first ($VANTAGE missing)" >&2; exit 1; }
[ -r "$DATASETS/recog/recog-examples.jsonl" ] || { echo "match.sh: no $DATASETS/recog" >&2; exit 1; }

CORPUS=$WORK/match-corpus-$N.jsonl
if [ ! -s "$CORPUS" ]; then
	python3 "$HERE/capture-daemons.py" >"$WORK/match-captured.jsonl"
	python3 "$HERE/match-corpus.py" "$N" "$DATASETS/recog/recog-examples.jsonl" \
		"$WORK/match-captured.jsonl" >"$CORPUS"
fi
LINES=$(wc -l <"$CORPUS")
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c "$CORE")

# warm-up: builds (or loads) the prefilter cache
head -100 "$CORPUS" | "$VANTAGE" match --json >/dev/null

run() { # NAME OUT ARGS...
	local name=$1 out=$2 t0 t1
	shift 2
	t0=$(date +%s.%N)
	"${PIN[@]}" "$VANTAGE" match --json --stats "$@" "$CORPUS" >"$out" 2>"$WORK/match-$name.err" || true
	t1=$(date +%s.%N)
	python3 -c "print('%.3f' % ($t1 - $t0))"
}
echo "corpus: $CORPUS ($LINES banners)"
T_FAST=$(run prefilter "$WORK/match-prefilter.json")
T_SEQ=$(run sequential "$WORK/match-sequential.json" --sequential)
python3 - "$LINES" "$T_FAST" "$T_SEQ" "$WORK" <<'PYEOF'
import sys, re
n, tf, ts, work = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def inner(name):
    for l in open("%s/match-%s.err" % (work, name)):
        m = re.search(r"([\d.]+) s, (\d+) banners/s, cpu ([\d.]+) s, (\d+) banners/cpu-s", l)
        if m:
            return float(m.group(1)), int(m.group(2)), float(m.group(3)), int(m.group(4))
    sys.exit("no --stats line in %s/match-%s.err" % (work, name))
fw, fr, fc, fcr = inner("prefilter")
sw, sr, sc, scr = inner("sequential")
print("(rates exclude loading the rules: the --stats line of each run)")
print("%-11s %9s %12s %9s %14s %12s" % ("mode", "match s", "banners/s", "cpu s", "banners/cpu-s", "process s"))
print("%-11s %9.2f %12d %9.2f %14d %12.2f" % ("prefilter", fw, fr, fc, fcr, tf))
print("%-11s %9.2f %12d %9.2f %14d %12.2f" % ("sequential", sw, sr, sc, scr, ts))
print("ratio prefilter/sequential: %.1fx wall, %.1fx cpu" % (fr / sr, fcr / scr))
print("target >= 20x: %s; target >= 100,000 banners/s on one core (cpu): %s" %
      ("MET" if fcr / scr >= 20 else "NOT MET", "MET" if fcr >= 100000 else "NOT MET"))
PYEOF
if cmp -s "$WORK/match-prefilter.json" "$WORK/match-sequential.json" &&
	[ "$(wc -l <"$WORK/match-prefilter.json")" -eq "$LINES" ]; then
	echo "identical results for all $LINES banners: yes"
else
	echo "identical results for all $LINES banners: NO"
	diff "$WORK/match-prefilter.json" "$WORK/match-sequential.json" | head -6
	exit 1
fi
labelled=$(grep -vc '"rule":null' "$WORK/match-prefilter.json" || true)
echo "labelled: $labelled of $LINES"
