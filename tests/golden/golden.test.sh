#!/bin/sh
# Golden tests: for each entry of tests/golden/TESTLIST (name input expected
# arguments), run `vantage read --json ARGUMENTS INPUT...`, require exit
# status 0, and compare stdout byte for byte with tests/golden/expected/
# <expected>; a difference prints a unified diff (expected -> actual).
# Entries whose input is in the datasets folder are skipped, with a message,
# when that folder is absent; "repo:" entries always run.
# Regenerate expected files with tests/golden/update-test.sh NAME...
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
. "$VT_SRCDIR/tests/golden/golden-lib.sh"

skipped=0
if ! vt_have_datasets; then
	echo "NOTE: datasets folder $VT_DATASETS absent: only repo: entries run"
fi
entries=$VT_TMP/entries
golden_entries >"$entries"
while read -r name input expected args; do
	if ! golden_is_repo "$input" && ! vt_have_datasets; then
		echo "skip $name (needs the datasets folder)"
		skipped=$((skipped + 1))
		continue
	fi
	exp=$GOLDEN_EXPECTED/$expected
	if [ ! -f "$exp" ]; then
		vt_fail "$name: no expected file $exp (run tests/golden/update-test.sh $name)"
		continue
	fi
	# shellcheck disable=SC2086
	golden_run "$input" "$VT_TMP/$name.out" "$VT_TMP/$name.err" $args
	if [ "$VT_RC" -ne 0 ]; then
		vt_fail "$name: vantage exited $VT_RC; stderr:"
		sed 's/^/    /' "$VT_TMP/$name.err"
		continue
	fi
	if cmp -s "$exp" "$VT_TMP/$name.out"; then
		vt_ok "$name"
	else
		vt_fail "$name: output differs from expected/$expected:"
		vt_json_diff "$exp" "$VT_TMP/$name.out"
		diff -u "$exp" "$VT_TMP/$name.out" | head -200
	fi
done <"$entries"
[ "$skipped" -eq 0 ] || echo "$skipped entries skipped: datasets folder absent"
vt_finish
