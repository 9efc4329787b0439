#!/bin/sh
# Oracle test: vantage's per-device frame counters against tshark.
#
# 1. For every labelled device in $VT_DATASETS/LABELS.csv (over all files of
#    its capture_glob, read together) and for every device vantage reports in
#    the bundled capture data/demo/*.pcap: packets_sent/bytes_sent and
#    packets_recv/bytes_recv must equal what tshark counts for
#    `eth.src == MAC` / `eth.dst == MAC` (sum of frame.len) over the same
#    files, each file read by tshark separately and summed. Exact equality.
#    The logic is in counters.py (one line per device: OK or MISMATCH).
#    Without the datasets folder only the bundled capture is checked, and
#    the dataset part is reported as skipped.
# 2. The store round trip: `vantage read --db X --json` then
#    `vantage devices --db X --json` must print the same JSON lines as
#    `vantage read --json` on the bundled capture (and on the synthetic
#    raw-IP and Linux cooked captures of tests/bad, devices without a MAC).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need tshark python3

echo "== counters against tshark"
if python3 "$VT_SRCDIR/tests/oracle/counters.py" "$VANTAGE" "$VT_SRCDIR" \
	"$VT_DATASETS" "$VT_TMP"; then
	vt_ok "every device's frame counters equal tshark's"
else
	vt_fail "frame counters differ from tshark (MISMATCH lines above)"
fi

# round_trip NAME FILE...: read --json, read --db --json, devices --db --json
# on FILE...: all exit 0 and print the same lines.
round_trip() {
	_name=$1
	shift
	_db=$VT_TMP/$_name.db
	_r=$VT_TMP/$_name.read
	_rd=$VT_TMP/$_name.readdb
	_d=$VT_TMP/$_name.devices
	vt_run "$_r" "$VT_TMP/err" "$VANTAGE" read --json "$@"
	vt_eq "$_name: read --json exit status" "$VT_RC" 0
	vt_run "$_rd" "$VT_TMP/err" "$VANTAGE" read --db "$_db" --json "$@"
	vt_eq "$_name: read --db --json exit status" "$VT_RC" 0
	vt_run "$_d" "$VT_TMP/err" "$VANTAGE" devices --db "$_db" --json
	vt_eq "$_name: devices --db --json exit status" "$VT_RC" 0
	_n=$(vt_json_count "$_r")
	if [ "$_n" != invalid ] && [ "$_n" -ge 1 ]; then
		vt_ok "$_name: read --json printed $_n devices"
	else
		vt_fail "$_name: read --json printed no device (or bad JSON)"
	fi
	if cmp -s "$_r" "$_rd"; then
		vt_ok "$_name: read --db --json prints the same as read --json"
	else
		vt_fail "$_name: read --db --json differs from read --json:"
		vt_json_diff "$_r" "$_rd"
		diff -u "$_r" "$_rd" | head -40
	fi
	if cmp -s "$_r" "$_d"; then
		vt_ok "$_name: devices --db --json prints the same lines as read --json"
	else
		vt_fail "$_name: devices --db --json differs from read --json:"
		vt_json_diff "$_r" "$_d"
		diff -u "$_r" "$_d" | head -40
	fi
}

echo "== store round trip"
round_trip demo "$VT_SRCDIR"/data/demo/*.pcap
# Devices without a MAC (raw IP) and from Linux cooked captures.
round_trip rawip "$VT_SRCDIR/tests/bad/captures/linktype_rawip.pcap"
round_trip sll "$VT_SRCDIR/tests/bad/captures/linktype_sll.pcap"
vt_finish
