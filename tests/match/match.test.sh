#!/bin/sh
# `vantage match` end to end, on the real rules (installed
# nmap-service-probes, data/recog, data/rules):
#   - labelled banners (fixtures/banners.jsonl): each result has the
#     fields of fixtures/banners.expect (CWMP on 7547/30005 and in an
#     Inform body, a device certificate by subject and by SHA-256, IoT
#     titles and realms, Nmap and Recog rules);
#   - negatives (fixtures/negatives.jsonl: HTTP 400 pages, empty banners,
#     a TLS alert and handshake, MQTT, DNS, an SMTP refusal, 40 random
#     byte strings): no vendor, model or device type, none of our rules
#     (Nmap and Recog may still name a web server: nginx is nginx);
#   - exactly one result per input line, in order, malformed lines
#     included (error field, stderr names the line, exit 1);
#   - --sequential gives the same output as the prefilter;
#   - batches (banners are matched grouped by kind): the output is the
#     same as banner by banner (--db matches one at a time), from a
#     file and from a pipe, malformed lines in place;
#   - ZGrab2 input (ftp, ssh, http, tls modules);
#   - --db stores one banner row per result with its label;
#   - usage errors: exit 2 and one error line (unknown option, missing
#     input, bad --intensity, a probes file with an error: file:line).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3
[ -r /usr/share/nmap/nmap-service-probes ] || vt_skip "nmap-common is not installed"

FX=$VT_SRCDIR/tests/match/fixtures
out=$VT_TMP/out
err=$VT_TMP/err

# check_fields OUT EXPECT: every expected field of each line, by prefix
# for "rule".
check_fields() {
	python3 - "$1" "$2" <<'PYEOF'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
exp = [json.loads(l) for l in open(sys.argv[2])]
bad = 0
if len(got) != len(exp):
    print("FAIL %d results for %d lines" % (len(got), len(exp)))
    sys.exit(1)
for i, (g, e) in enumerate(zip(got, exp), 1):
    for k, v in e.items():
        ok = (g.get(k) or "").startswith(v) if k == "rule" else g.get(k) == v
        if not ok:
            print("FAIL line %d: %s = %r, want %r" % (i, k, g.get(k), v))
            bad += 1
        else:
            print("ok   line %d: %s = %r" % (i, k, g.get(k)))
sys.exit(1 if bad else 0)
PYEOF
}

vt_run "$out" "$err" "$VANTAGE" match --json "$FX/banners.jsonl"
vt_eq "labelled banners: exit status" "$VT_RC" 0
if check_fields "$out" "$FX/banners.expect"; then
	vt_ok "labelled banners: every expected field"
else
	vt_fail "labelled banners: fields differ"
fi
cp "$out" "$VT_TMP/labelled.json"

vt_run "$out" "$err" "$VANTAGE" match --json "$FX/negatives.jsonl"
vt_eq "negatives: exit status" "$VT_RC" 0
res=$(python3 - "$out" "$FX/negatives.jsonl" <<'PYEOF'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
n = sum(1 for _ in open(sys.argv[2]))
bad = []
for i, g in enumerate(got, 1):
    rules = g.get("rules") or []
    if g.get("vendor") or g.get("devicetype") or g.get("type") != "unknown" \
       or g.get("model") or any(r.startswith("data/rules/") for r in rules):
        bad.append("line %d: %s %s %s" % (i, g.get("type"), g.get("vendor"), rules))
print("%d/%d %s" % (len(got), n, "; ".join(bad) if bad else "clean"))
PYEOF
)
vt_eq "negatives: no device label" "$res" "$(wc -l <"$FX/negatives.jsonl")/$(wc -l <"$FX/negatives.jsonl") clean"

# One result per line, in order, with malformed lines in between.
{
	sed -n 1,3p "$FX/banners.jsonl"
	echo 'not json'
	echo '{"proto":"tcp","port":70000,"banner":"x"}'
	echo '{"proto":"tcp","port":1,"banner":"bad \\q escape"}'
	echo '{"proto":"sctp","port":1,"banner":"x"}'
	echo '{"proto":"tcp","port":1}'
	sed -n 4,5p "$FX/banners.jsonl"
} >"$VT_TMP/mixed.jsonl"
vt_run "$out" "$err" "$VANTAGE" match --json "$VT_TMP/mixed.jsonl"
vt_eq "malformed lines: exit status" "$VT_RC" 1
vt_eq "malformed lines: one result per line" "$(wc -l <"$out")" 10
vt_eq "malformed lines: error results" "$(grep -c '"error":' "$out")" 5
vt_eq "malformed lines: result lines in order" \
	"$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["line"]) for l in open(sys.argv[1])))' "$out")" \
	"1 2 3 4 5 6 7 8 9 10"
vt_eq "malformed lines: stderr names them" \
	"$(grep -o '^vantage match: line [0-9]*' "$err" | sed 's/.* //' | tr '\n' ' ')" "4 5 6 7 8 "
vt_eq "malformed lines: no sanitizer report" "$(vt_sanitizer_report "$err" && echo yes || echo no)" no

# Sequential (Nmap's way) gives the same answers.
cat "$VT_TMP/mixed.jsonl" "$FX/banners.jsonl" "$FX/negatives.jsonl" \
	"$VT_TMP/mixed.jsonl" >"$VT_TMP/all.jsonl"
"$VANTAGE" match --json "$VT_TMP/all.jsonl" >"$VT_TMP/fast.json" 2>/dev/null
"$VANTAGE" match --json --sequential "$VT_TMP/all.jsonl" >"$VT_TMP/seq.json" 2>/dev/null
if cmp -s "$VT_TMP/fast.json" "$VT_TMP/seq.json" && [ -s "$VT_TMP/seq.json" ]; then
	vt_ok "--sequential: identical output ($(wc -l <"$VT_TMP/seq.json") lines)"
else
	vt_fail "--sequential: output differs"
	diff "$VT_TMP/fast.json" "$VT_TMP/seq.json" | head -5
fi

# Batches: matched grouped by kind, written in input order. --db
# matches one banner at a time (its rows go in input order); a pipe
# flushes whenever input would wait. Both must give fast.json, malformed
# lines (mixed.jsonl) in their places.
# (The --db run is the one checked below.)
vt_run "$VT_TMP/one.json" "$err" "$VANTAGE" match --json --db "$VT_TMP/m.db" "$VT_TMP/all.jsonl"
vt_eq "--db: exit status (malformed lines)" "$VT_RC" 1
cat "$VT_TMP/all.jsonl" | "$VANTAGE" match --json >"$VT_TMP/pipe.json" 2>/dev/null
vt_eq "batches: one result per line" "$(wc -l <"$VT_TMP/fast.json")" "$(wc -l <"$VT_TMP/all.jsonl")"
if cmp -s "$VT_TMP/fast.json" "$VT_TMP/one.json" && cmp -s "$VT_TMP/fast.json" "$VT_TMP/pipe.json"; then
	vt_ok "batches: same output as one banner at a time and from a pipe"
else
	vt_fail "batches: output differs"
	diff "$VT_TMP/fast.json" "$VT_TMP/one.json" | head -5
fi
vt_eq "batches: result lines in order" \
	"$(python3 -c 'import json,sys; print(all(json.loads(l)["line"] == i + 1 for i, l in enumerate(open(sys.argv[1]))))' "$VT_TMP/fast.json")" True

# ZGrab2 output: one result per module banner.
cat >"$VT_TMP/zgrab.json" <<'ZEOF'
{"ip":"203.0.113.9","data":{"ftp":{"status":"success","protocol":"ftp","result":{"banner":"220 (vsFTPd 3.0.3)\r\n"}},"ssh":{"status":"success","protocol":"ssh","result":{"server_id":{"raw":"SSH-2.0-dropbear_2022.83","version":"2.0","software":"dropbear_2022.83"}}},"http":{"status":"success","protocol":"http","result":{"response":{"status_line":"401 Unauthorized","protocol":{"name":"HTTP/1.1"},"headers":{"www_authenticate":["Digest realm=\"HuaweiHomeGateway\", nonce=\"1\""],"server":["RomPager/4.07 UPnP/1.0"]},"body":""}}},"tls":{"status":"success","protocol":"tls","result":{"handshake_log":{"server_certificates":{"certificate":{"parsed":{"subject_dn":"CN=router.asus.com, O=ASUSTeK Computer Inc., C=TW","issuer_dn":"CN=router.asus.com","fingerprint_sha256":"ab"}}}}}}}}
ZEOF
vt_run "$out" "$err" "$VANTAGE" match --json "$VT_TMP/zgrab.json"
vt_eq "zgrab2: exit status" "$VT_RC" 0
vt_eq "zgrab2: results" "$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l); print(d["module"], d["port"], d["service"], d["product"], d["vendor"], d["type"])' "$out" | tr '\n' ';')" \
	"ftp 21 ftp vsftpd None unknown;ssh 22 ssh Dropbear sshd None unknown;http 80 cwmp None Huawei router;tls 443 None None ASUS router;"

# --db (the run on all.jsonl above): one banner row per result that is
# not an error, with its label.
vt_eq "--db: banner rows" "$(sqlite3 "$VT_TMP/m.db" 'SELECT count(*) FROM banner')" "$(grep -vc '"error":' "$VT_TMP/fast.json")"
vt_eq "--db: a stored label" "$(sqlite3 "$VT_TMP/m.db" "SELECT DISTINCT service || ' ' || vendor || ' ' || type FROM banner WHERE port = 30005")" "cwmp ZTE router"
vt_eq "--db: raw bytes kept" "$(sqlite3 "$VT_TMP/m.db" "SELECT DISTINCT hex(data) FROM banner WHERE port = 22 AND ip = '192.0.2.1'")" \
	"$(printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"

# Usage errors: exit 2, one error line naming the culprit.
usage() {
	_d=$1; _w=$2; shift 2
	vt_run "$out" "$err" "$@"
	vt_eq "$_d: exit status" "$VT_RC" 2
	vt_eq "$_d: error lines" "$(grep -c '^vantage match: ' "$err")" 1
	if grep -qF -- "$_w" "$err"; then vt_ok "$_d: names '$_w'"; else vt_fail "$_d: $(cat "$err")"; fi
}
usage "unknown option" "--bogus" "$VANTAGE" match --bogus
usage "missing input" "nope.jsonl" "$VANTAGE" match "$VT_TMP/nope.jsonl"
usage "bad intensity" "--intensity" "$VANTAGE" match --intensity 12
printf 'Probe TCP NULL q||\nmatch x m|a|\nfallback Nowhere\n' >"$VT_TMP/bad.probes"
usage "bad probes file" "bad.probes:3:" "$VANTAGE" match --probes "$VT_TMP/bad.probes" "$FX/banners.jsonl"

"$VANTAGE" match --help >"$out" 2>"$err"
for o in $(sed -n 's/^\t{"\([a-z-]*\)", [a-z_]*argument.*/\1/p' "$VT_SRCDIR/src/cli/cmd_match.c"); do
	if grep -q -- "--$o" "$out"; then vt_ok "--help mentions --$o"; else vt_fail "--help lacks --$o"; fi
done
vt_finish
