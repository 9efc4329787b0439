#!/bin/sh
# The Mirai join (`vantage report --mirai`): a store built by `vantage
# telescope` (k = 2) on a synthetic capture with Mirai scanners at known
# addresses and `vantage import` of ZGrab2, legacy Censys and masscan
# records written for the test (tests/join/gen_join.py). check_join.py
# recomputes every number of the table (per protocol IPs, banners,
# identified, shares; the identified IPs' device types and vendors; the
# sighting-to-banner gaps and their quantiles) from the pcap and the
# record files, and compares the JSON, text and HTML. A source with one
# Mirai SYN (below k), an ordinary scanner and an address the telescope
# never saw all have banners that must not count. Then a store without a
# telescope run and one without banners: the section says what is
# missing. --run selects the runs the join reads.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3
die() { echo "FAIL $*"; exit 1; }

in=$VT_TMP/in
db=$VT_TMP/j.db
python3 "$VT_SRCDIR/tests/join/gen_join.py" "$in" || die "generator"
"$VANTAGE" telescope --prefix 198.51.100.0/24 --prefix 203.0.113.0/24 \
	--mirai-min-packets 2 --db "$db" "$in/synthetic-join.pcap" \
	>"$VT_TMP/tel.out" 2>&1 || die "vantage telescope"
# One invocation (the matcher loads once), one run per file.
"$VANTAGE" import --db "$db" "$in/synthetic-zgrab2.jsonl" \
	"$in/synthetic-censys.jsonl" "$in/synthetic-masscan.ndjson" \
	>"$VT_TMP/imp.out" 2>&1 || die "vantage import"

python3 "$VT_SRCDIR/tests/join/check_join.py" "$VANTAGE" "$in" "$db" 2 \
	"$VT_TMP/r.html" && vt_ok "every number of the join equals check_join.py's" ||
	vt_fail "the join against check_join.py (FAIL lines above)"

# Without --mirai the report has no Mirai part (its other output unchanged).
"$VANTAGE" report --db "$db" --json >"$VT_TMP/plain.json" || die "report"
if grep -q mirai_join "$VT_TMP/plain.json"; then
	vt_fail "a mirai_join object without --mirai"
else
	vt_ok "no mirai_join object without --mirai"
fi

# Only the telescope run: the banners are missing.
"$VANTAGE" report --db "$db" --run 1 --mirai >"$VT_TMP/t1" || die "report --run 1"
grep -q '^missing: no banners in the selected runs' "$VT_TMP/t1" &&
	vt_ok "--run 1: the text says the banners are missing" ||
	vt_fail "--run 1: the text does not say the banners are missing"
"$VANTAGE" report --db "$db" --run 1 --mirai --json >"$VT_TMP/j1" || die "report --run 1 --json"
python3 - "$VT_TMP/j1" <<'PYEOF' && vt_ok "--run 1: JSON says what is missing" || vt_fail "--run 1: JSON"
import json, sys
j = [json.loads(l) for l in open(sys.argv[1])]
j = [o for o in j if o["object"] == "mirai_join"][0]
assert j["missing"].startswith("no banners"), j
assert j["sources"] == 5 and j["banners"] == 0 and j["identified"] == 0, j
assert j["share"] is None and j["sources_with_banners"] == 0, j
PYEOF

# A hostile vendor and type (as a matcher rule capturing from a banner could
# give) are escaped in the HTML, made safe in the text and JSON-escaped.
cp "$db" "$VT_TMP/x.db"
python3 - "$VT_TMP/x.db" <<'PYEOF' || die "sqlite3 update"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("UPDATE banner SET vendor = '<img src=x onerror=alert(1)>',"
              " type = 'cam\"era\x1b[2J' WHERE ip = '45.67.89.2' AND port = 7547").rowcount
assert n == 1, n
c.commit()
PYEOF
"$VANTAGE" report --db "$VT_TMP/x.db" --mirai --html "$VT_TMP/x.html" >"$VT_TMP/x.txt" ||
	die "report on the hostile store"
if grep -q '<img src=x' "$VT_TMP/x.html" || ! grep -q '&lt;img src=x onerror=alert(1)&gt;' "$VT_TMP/x.html"; then
	vt_fail "hostile vendor not escaped in the HTML"
else
	vt_ok "hostile vendor escaped in the HTML"
fi
if grep -q "$(printf '\033')" "$VT_TMP/x.txt"; then
	vt_fail "an escape byte reached the terminal text"
else
	vt_ok "no escape byte in the text"
fi
"$VANTAGE" report --db "$VT_TMP/x.db" --mirai --json | python3 -c '
import json, sys
j = [json.loads(l) for l in sys.stdin]
j = [o for o in j if o["object"] == "mirai_join"][0]
assert {"vendor": "<img src=x onerror=alert(1)>", "devices": 1} in j["vendors"], j["vendors"]
' && vt_ok "hostile vendor round-trips through JSON" || vt_fail "hostile vendor in JSON"

# A store with banners and no telescope run.
db2=$VT_TMP/b.db
"$VANTAGE" import --db "$db2" "$in/synthetic-zgrab2.jsonl" >/dev/null 2>&1 ||
	die "import into the second store"
"$VANTAGE" report --db "$db2" --mirai --html "$VT_TMP/b.html" >"$VT_TMP/t2" ||
	die "report on a store without telescope runs"
grep -q '^missing: no telescope run in the selected runs' "$VT_TMP/t2" &&
	vt_ok "no telescope run: the text says so" ||
	vt_fail "no telescope run: the text does not say so"
grep -q '<p class="missing" id="mirai-missing">missing: no telescope run' \
	"$VT_TMP/b.html" && vt_ok "no telescope run: the HTML says so" || vt_fail "no telescope run: the HTML does not say so"
"$VANTAGE" report --db "$db2" --mirai --json | grep '"object":"mirai_join"' |
	grep -q '"telescope_runs":0,"mirai_k":null.*"missing":"no telescope run' &&
	vt_ok "no telescope run: JSON says so" ||
	vt_fail "no telescope run: JSON"

vt_finish
