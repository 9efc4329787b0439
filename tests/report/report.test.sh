#!/bin/sh
# `vantage report` on stores built by `vantage read` from real captures
# (the bundled demo and, when present, ../shared/datasets: IoT Sentinel
# and MonIoTr), each number checked by tests/report/check_report.py, which
# recomputes everything in Python from the store's rows (no shared SQL;
# p-values by numerical integration), for all runs and for --run 1. Also:
# the text tables name the missing views, --device narrows the device part
# only, and bad invocations exit 2 with one error line.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3

DEMO=$VT_SRCDIR/data/demo
CHECK=$VT_SRCDIR/tests/report/check_report.py
db=$VT_TMP/r.db
out=$VT_TMP/out
err=$VT_TMP/err

vt_run "$out" "$err" "$VANTAGE" read --db "$db" "$DEMO"/*.pcap
vt_eq "read demo" "$VT_RC" 0
runs=1
if vt_have_datasets; then
	vt_run "$out" "$err" "$VANTAGE" read --db "$db" \
		"$VT_DATASETS"/iot-sentinel/*/*.pcap
	vt_eq "read iot-sentinel" "$VT_RC" 0
	vt_run "$out" "$err" "$VANTAGE" read --db "$db" \
		"$VT_DATASETS"/moniotr-intl-iot/yi_camera_sample.pcap
	vt_eq "read moniotr" "$VT_RC" 0
	runs=3
else
	echo "note: $VT_DATASETS absent, the demo capture only"
fi

# check_report DESC ARGS...: JSON report checked against the store.
check_report() {
	_desc=$1
	shift
	vt_run "$out" "$err" "$VANTAGE" report --db "$db" --json "$@"
	vt_eq "$_desc: exit status" "$VT_RC" 0
	_runs=$(printf '%s\n' "$@" | sed -n 's/^\([0-9][0-9]*\)$/\1/p')
	if python3 "$CHECK" "$db" "$out" $_runs >"$VT_TMP/check" 2>&1; then
		vt_ok "$_desc: $(tail -1 "$VT_TMP/check")"
	else
		vt_fail "$_desc: the independent recomputation differs:"
		grep FAIL "$VT_TMP/check" | head -20
	fi
}

echo "== every run ($runs)"
check_report "all runs"
n=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["object"] == "device"))' "$out")
want=$(sqlite3 "$db" "SELECT count(DISTINCT device_id) FROM device_run" 2>/dev/null ||
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(DISTINCT device_id) FROM device_run").fetchone()[0])' "$db")
vt_eq "device objects = devices with a record" "$n" "$want"

echo "== --run 1 (the demo capture)"
check_report "--run 1" --run 1
vt_eq "--run 1: devices" \
	"$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["devices"])' "$out")" 3

echo "== text tables"
vt_run "$out" "$err" "$VANTAGE" report --db "$db"
vt_eq "text: exit status" "$VT_RC" 0
vt_eq "text: missing views named" \
	"$(grep -c '^views missing: internal active, external active, external passive$' "$out")" 1
vt_eq "text: camera row" "$(grep -c '^78:df:72:24:69:4d .*Xiaobai .*camera' "$out")" 1
for s in "== Services by share" "== Device types" "== Bytes per flow" \
	"== Port specificity" "== Correlations"; do
	vt_eq "text: section '$s'" "$(grep -c "^$s" "$out")" 1
done

echo "== --device"
vt_run "$out" "$err" "$VANTAGE" report --db "$db" --json --device 192.168.1.165
vt_eq "--device IP: exit status" "$VT_RC" 0
vt_eq "--device IP: one device object" \
	"$(grep -c '"object":"device"' "$out")" 1
vt_eq "--device IP: it is the camera" \
	"$(grep -c '"key":"78:df:72:24:69:4d"' "$out")" 1
vt_eq "--device: network part kept (services)" \
	"$(grep -c '"object":"service"' "$out" | awk '{print ($1 > 10)}')" 1

echo "== bad invocations"
usage() {
	_d=$1
	_w=$2
	shift 2
	vt_run "$out" "$err" "$@"
	vt_eq "$_d: exit status" "$VT_RC" 2
	vt_eq "$_d: one error line" "$(vt_err_lines "$err" | wc -l)" 1
	vt_eq "$_d: names '$_w'" "$(vt_err_lines "$err" | grep -cF -- "$_w")" 1
	vt_eq "$_d: nothing on stdout" "$(wc -c <"$out")" 0
}
usage "missing store" "$VT_TMP/none.db" "$VANTAGE" report --db "$VT_TMP/none.db"
usage "unknown run" "no run 999" "$VANTAGE" report --db "$db" --run 999
usage "bad run id" "--run" "$VANTAGE" report --db "$db" --run abc
usage "unknown device" "no device aa:bb:cc:dd:ee:ff" \
	"$VANTAGE" report --db "$db" --device aa:bb:cc:dd:ee:ff
printf 'not a database' >"$VT_TMP/text.db"
usage "not a store" "$VT_TMP/text.db" "$VANTAGE" report --db "$VT_TMP/text.db"
vt_eq "missing store not created" "$(test -e "$VT_TMP/none.db" && echo yes || echo no)" no

echo "== edge cases"
# A run that saw nothing (a capture with a header and no frame).
python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xA1B2C3D4,2,4,0,0,65535,1))' "$VT_TMP/empty.pcap"
vt_run "$out" "$err" "$VANTAGE" read --db "$VT_TMP/e.db" "$VT_TMP/empty.pcap"
vt_eq "read of an empty capture" "$VT_RC" 0
vt_run "$out" "$err" "$VANTAGE" report --db "$VT_TMP/e.db" --json --html "$VT_TMP/e.html"
vt_eq "empty run: exit status" "$VT_RC" 0
vt_eq "empty run: no device, correlations null" \
	"$(python3 -c 'import json,sys
o=[json.loads(l) for l in open(sys.argv[1])]
print(o[0]["devices"], sum(x["object"] == "device" for x in o),
      [x["pearson"]["r"] for x in o if x["object"] == "correlation"], o[0]["missing"])' "$out")" \
	"0 0 [None, None] ['internal_active', 'external_active', 'external_passive']"
vt_eq "empty run: page written" "$(grep -c '</html>' "$VT_TMP/e.html")" 1
# An HTML file that cannot be written: exit 1, one error line, the
# report itself still printed, no partial page left behind.
vt_run "$out" "$err" "$VANTAGE" report --db "$db" --html "$VT_TMP/nodir/r.html"
vt_eq "unwritable --html: exit status" "$VT_RC" 1
vt_eq "unwritable --html: one error line naming it" \
	"$(vt_err_lines "$err" | grep -c "nodir/r.html")" 1
vt_eq "unwritable --html: report printed" "$(grep -c '^== Correlations' "$out")" 1

vt_run "$out" "$err" "$VANTAGE" report --help
vt_eq "--help: exit status" "$VT_RC" 0
for o in --db --run --device --json --html --help; do
	vt_eq "--help mentions $o" "$(grep -c -- "$o" "$out" | awk '{print ($1 > 0)}')" 1
done
vt_finish
