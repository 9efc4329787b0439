#!/bin/sh
# Every packet case and scenario of docs/EXTERNAL.md section 4, built as
# small synthetic captures by gen_telescope.py and asserted one by one by
# check_telescope.py (the Mirai signature and 2016 profile, backscatter and
# its victims, ZMap/masscan fingerprints, IPv6 and a truncated capture,
# the 160-SYN burst and its 23:2323 ratio, restarts, purity, k=1 vs k=2,
# the 624 s event timeout, 9 vs 10 destinations and the extrapolated
# rates, per-day counts in the store, a mix of everything).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3

python3 "$VT_SRCDIR/tests/telescope/gen_telescope.py" "$VT_TMP/cases" ||
	vt_fail "the generator failed"
if python3 "$VT_SRCDIR/tests/telescope/check_telescope.py" "$VANTAGE" \
	"$VT_TMP/cases" "$VT_TMP"; then
	vt_ok "every EXTERNAL.md section 4 case"
else
	vt_fail "a telescope case (FAIL line above)"
fi
vt_finish
