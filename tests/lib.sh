# Shared helpers for the script tests (tests/<kind>/*.test.sh).
#
# Source it from a test with:
#     . "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
#     vt_init
#
# Environment (set by CTest, see tests/tests.cmake; defaults let a test run
# by hand from the repository root after `cmake --build build`):
#   VANTAGE      the vantage binary          (default $VT_SRCDIR/build/vantage)
#   VT_SRCDIR    the repository root         (default: two levels above the test)
#   VT_BUILDDIR  the build directory         (default $VT_SRCDIR/build)
#   VT_DATASETS  the shared datasets folder  (default $VT_SRCDIR/../shared/datasets)
#
# Exit protocol: 0 pass, 77 skip (with a reason), anything else fail.
# POSIX sh only (the tests run under dash).

VT_SKIP=77

vt_init() {
	if [ -z "${VT_SRCDIR:-}" ]; then
		VT_SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
	fi
	: "${VT_BUILDDIR:=$VT_SRCDIR/build}"
	: "${VANTAGE:=$VT_BUILDDIR/vantage}"
	: "${VT_DATASETS:=$VT_SRCDIR/../shared/datasets}"
	export VT_SRCDIR VT_BUILDDIR VANTAGE VT_DATASETS
	PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
	# In a sanitizer build, a finding must not look like vantage's own exit
	# status 1 ("damaged input"): make it 86.
	ASAN_OPTIONS="exitcode=86${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	UBSAN_OPTIONS="exitcode=86:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	export PYTHONDONTWRITEBYTECODE ASAN_OPTIONS UBSAN_OPTIONS
	if [ ! -x "$VANTAGE" ]; then
		echo "FAIL: vantage binary not found or not executable: $VANTAGE" >&2
		exit 1
	fi
	VT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vt-test.XXXXXX") || exit 1
	export VT_TMP
	trap 'rm -rf "$VT_TMP"' EXIT
	trap 'rm -rf "$VT_TMP"; exit 130' INT TERM
	VT_FAILS=0
	VT_CHECKS=0
}

# vt_need CMD...: skip the whole test when a tool is missing.
vt_need() {
	for _t in "$@"; do
		if ! command -v "$_t" >/dev/null 2>&1; then
			vt_skip "required tool '$_t' is not installed"
		fi
	done
}

vt_skip() {
	echo "SKIP: $*"
	exit "$VT_SKIP"
}

# vt_have_datasets: true when the shared datasets folder is present.
vt_have_datasets() {
	[ -d "$VT_DATASETS" ] && [ -f "$VT_DATASETS/LABELS.csv" ]
}

# vt_ok MSG / vt_fail MSG: record one assertion.
vt_ok() {
	VT_CHECKS=$((VT_CHECKS + 1))
	echo "ok   $*"
}

vt_fail() {
	VT_CHECKS=$((VT_CHECKS + 1))
	VT_FAILS=$((VT_FAILS + 1))
	echo "FAIL $*"
}

# vt_eq DESC ACTUAL EXPECTED: string equality assertion.
vt_eq() {
	if [ "$2" = "$3" ]; then
		vt_ok "$1 ($2)"
	else
		vt_fail "$1: got '$2', want '$3'"
	fi
}

# vt_finish: print the tally and exit with the test's status.
vt_finish() {
	echo "$VT_CHECKS checks, $VT_FAILS failed"
	if [ "$VT_FAILS" -ne 0 ]; then
		exit 1
	fi
	if [ "$VT_CHECKS" -eq 0 ]; then
		echo "FAIL: no assertion was made"
		exit 1
	fi
	exit 0
}

# vt_run OUT ERR CMD...: run CMD with stdout to OUT and stderr to ERR; sets
# VT_RC to its exit status (128+N when killed by signal N).
vt_run() {
	_out=$1
	_err=$2
	shift 2
	VT_RC=0
	"$@" >"$_out" 2>"$_err" || VT_RC=$?
}

# vt_sanitizer_report FILE: true when a stderr holds a sanitizer finding.
vt_sanitizer_report() {
	grep -Eq 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$1"
}

# vt_err_lines FILE: the error lines of a vantage stderr: lines starting
# with "vantage " other than the summary headline "vantage CMD: N frames,
# M with IP" (the summary's other lines are indented) and warnings about
# the environment ("vantage CMD: warning: ...", e.g. no OUI registry).
vt_err_lines() {
	grep '^vantage ' "$1" |
		grep -Ev '^vantage [a-z]+: ([0-9]+ frames, [0-9]+ with IP$|warning: )' || true
}

# vt_frames FILE: the frame count of the summary headline ("none" if absent).
vt_frames() {
	sed -n 's/^vantage [a-z]*: \([0-9][0-9]*\) frames, [0-9]* with IP$/\1/p' "$1" |
		grep . || echo none
}

# vt_layer FILE LAYER COLUMN: one number of the per-layer summary table
# (COLUMN: seen, ok, truncated, malformed, unsupported); 0 when the layer's
# row is absent (rows are printed only for layers that were called).
vt_layer() {
	awk -v l="$2" -v c="$3" '
		BEGIN { split("seen ok truncated malformed unsupported", n, " ");
			for (i = 1; i <= 5; i++) col[n[i]] = i + 1 }
		$1 == l && NF == 6 && $2 ~ /^[0-9]+$/ { v = $(col[c]) }
		END { print (v == "" ? 0 : v) }' "$1"
}

# vt_fragments FILE: the "fragments (not decoded past IP)" summary number.
vt_fragments() {
	sed -n 's/^ *fragments (not decoded past IP): \([0-9]*\)$/\1/p' "$1" | grep . || echo none
}

# vt_json_field JSONL KEY FIELD: a field of one device in a `--json` output,
# printed as compact JSON except that strings and numbers are bare
# ("absent" when the device is not there). KEY is a MAC, or "ip:ADDR" for
# a device without a MAC (raw-IP captures) having ADDR among its ips.
vt_json_field() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
path, key, field = sys.argv[1:4]
val = "absent"
with open(path, encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        d = json.loads(line)
        if key.startswith("ip:"):
            hit = d.get("mac") is None and key[3:] in (d.get("ips") or [])
        else:
            hit = d.get("mac") == key
        if hit:
            v = d.get(field)
            if isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
                val = str(v)
            else:
                val = json.dumps(v, separators=(",", ":"))
print(val)
EOF
}

# vt_json_count JSONL: the number of device objects; "invalid" when a line
# is not a JSON object.
vt_json_count() {
	python3 -c '
import json, sys
n = 0
try:
    for line in open(sys.argv[1], encoding="utf-8"):
        if line.strip():
            if not isinstance(json.loads(line), dict):
                raise ValueError
            n += 1
    print(n)
except ValueError:
    print("invalid")' "$1"
}

# vt_json_diff EXPECTED ACTUAL: a short per-device, per-field summary of
# how two `--json` outputs differ (the unified diff of long JSON lines is
# hard to read). Informational only.
vt_json_diff() {
	python3 - "$1" "$2" <<'PYEOF' || true
import json, sys

def load(path):
    devs = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                d = json.loads(line)
            except ValueError:
                print("    %s line %d is not JSON" % (path, n))
                continue
            key = d.get("mac")
            if key is None:  # no link layer: the device is its addresses
                key = "ip:" + ",".join(d.get("ips") or [])
            devs[key] = d
    return devs

exp, act = load(sys.argv[1]), load(sys.argv[2])
for key in sorted(set(exp) | set(act)):
    if key not in act:
        print("    device %s: missing" % key)
    elif key not in exp:
        print("    device %s: new" % key)
    else:
        for field in sorted(set(exp[key]) | set(act[key])):
            e, a = exp[key].get(field), act[key].get(field)
            if e != a:
                print("    device %s: %s: %s -> %s" % (
                    key, field, json.dumps(e)[:100], json.dumps(a)[:100]))
PYEOF
}
