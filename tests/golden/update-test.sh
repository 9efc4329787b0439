#!/bin/sh
# Regenerates golden expected files: tests/golden/update-test.sh [NAME...]
# (no NAME: every entry of TESTLIST). Each entry's expected file becomes the
# stdout of `vantage read --json ARGUMENTS INPUT...`; vantage must exit 0.
# Review the resulting `git diff tests/golden/expected` like code.
# Uses $VANTAGE (default build/vantage) and $VT_DATASETS like the tests.
. "${VT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
vt_init
. "$VT_SRCDIR/tests/golden/golden-lib.sh"

entries=$VT_TMP/entries
golden_entries >"$entries"
for want in "$@"; do
	if ! cut -d' ' -f1 "$entries" | grep -qxF "$want"; then
		echo "update-test: no test named '$want' in $GOLDEN_LIST" >&2
		exit 2
	fi
done
status=0
while read -r name input expected args; do
	if [ $# -gt 0 ]; then
		found=0
		for want in "$@"; do [ "$want" = "$name" ] && found=1; done
		[ "$found" -eq 1 ] || continue
	fi
	if ! golden_is_repo "$input" && ! vt_have_datasets; then
		echo "skip $name: datasets folder $VT_DATASETS absent" >&2
		[ $# -gt 0 ] && status=1
		continue
	fi
	# shellcheck disable=SC2086
	golden_run "$input" "$VT_TMP/out" "$VT_TMP/err" $args
	if [ "$VT_RC" -ne 0 ]; then
		echo "update-test: $name: vantage exited $VT_RC, expected file kept:" >&2
		cat "$VT_TMP/err" >&2
		status=1
		continue
	fi
	mkdir -p "$GOLDEN_EXPECTED"
	if cmp -s "$VT_TMP/out" "$GOLDEN_EXPECTED/$expected"; then
		echo "unchanged $name"
	else
		cp "$VT_TMP/out" "$GOLDEN_EXPECTED/$expected"
		echo "UPDATED   $name ($(wc -l <"$GOLDEN_EXPECTED/$expected") devices)"
	fi
done <"$entries"
exit $status
