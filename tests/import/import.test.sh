#!/bin/sh
# `vantage import` end to end:
#   - records written for the tests (records/, synthetic), every format:
#     the summary counts (records, hosts, open ports, banners, malformed)
#     and each malformed record named FILE:LINE on stderr, exit 1, the
#     rest loaded; sniffed formats; labels from the matcher (CWMP Huawei,
#     Netgear realm, Dropbear), bytes decoded from each scanner's escaping
#     (masscan's \u00XX and \xNN, Censys base64/hex, Nmap's servicefp and
#     banner script, telnet options as IAC bytes) equal across forms;
#   - gzip/xz/zstd copies give the same output as the plain file; a
#     truncated .gz loads what precedes the cut and exits 1;
#   - a killed Nmap run (cut inside a <host>) yields its closed hosts, exit
#     1; entity declarations are refused; a tag longer than 8 MiB stops;
#   - the store: one run per file (external, active), IP-keyed devices,
#     active server services, the source's labels as signals, banners
#     with their labels, the device identified from its best banner;
#   - the real outputs in fixtures/ (nmap -oX, masscan -oJ/-oD/-oX/-oL,
#     zmap -O csv/json against real daemons, see fixtures/README.md):
#     open ports and banner bytes equal what oracle.py reads from the same
#     files with Python's json/csv/xml;
#   - usage errors: exit 2.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3 gzip xz zstd
[ -r /usr/share/nmap/nmap-service-probes ] || vt_skip "nmap-common is not installed"

R=$VT_SRCDIR/tests/import/records
FX=$VT_SRCDIR/tests/import/fixtures
out=$VT_TMP/out
err=$VT_TMP/err

# summary OUT FILE: "format records hosts ports banners bad" of FILE's
# summary line (stdout, or stderr as "vantage import: summary ..." with
# --json).
summary() {
	sed 's/^vantage import: summary //' "$1" | awk -v f="$2" 'NF == 9 &&
		($1 == f || substr($1, length($1) - length(f)) == "/" f) {
		print $2, $4, $5, $6, $7, $9 }'
}

# bad_lines ERR FILE: the line numbers of FILE's malformed records.
bad_lines() {
	sed -n "s|^vantage import: .*/$2:\([0-9][0-9]*\): .*|\1|p" "$1" | tr '\n' ' ' | sed 's/ $//'
}

# of_file JSONL FILE: the banners that came from FILE.
of_file() {
	python3 -c 'import json, sys
for l in open(sys.argv[1]):
    if json.loads(l)["file"].endswith("/" + sys.argv[2]): sys.stdout.write(l)' "$1" "$2"
}

# --- every format, records written for the tests: one run of them all
# (loading the matcher once) ---
EXPECT='
zgrab2.jsonl         zgrab2          7 5 8 8 2  3,5
censys-v2.jsonl      censys          5 3 7 5 3  3,4,5
censys-legacy.jsonl  censys-legacy   4 2 8 6 2  2,4
nmap.xml             nmap-xml        3 2 4 3 2  23,26
masscan.json         masscan-json    6 3 4 2 1  10
masscan.ndjson       masscan-ndjson  6 3 4 2 1  5
masscan.xml          masscan-xml     6 3 4 2 1  9
masscan.list         masscan-list    6 3 4 2 1  6
masscan.grep         masscan-list    6 3 4 2 1  7
masscan-1.0.json     masscan-json    1 1 1 0 0  -
zmap.csv             zmap-csv        7 4 3 0 2  6,7
zmap.json            zmap-json       5 4 3 0 1  4
zmap.txt             zmap-csv        4 3 0 0 1  3
'
# The compressed copies (no extension: sniffed by magic) go in the same
# run, so the matcher loads once.
zfiles=""
for f in zgrab2.jsonl nmap.xml masscan.json zmap.csv censys-v2.jsonl; do
	for z in gzip xz zstd; do
		"$z" -c <"$R/$f" >"$VT_TMP/$z-$f"
		zfiles="$zfiles $VT_TMP/$z-$f"
	done
done
files=$(echo "$EXPECT" | awk 'NF { printf "%s/%s ", R, $1 }' R="$R")
# shellcheck disable=SC2086
vt_run "$out" "$err" "$VANTAGE" import --json $files $zfiles
vt_eq "records: exit status (malformed records)" "$VT_RC" 1
cp "$out" "$VT_TMP/all.json"
cp "$err" "$VT_TMP/all.err"
echo "$EXPECT" | while read -r f fmt rec hosts ports banners bad lines; do
	[ -n "$f" ] || continue
	vt_eq "$f: format records hosts ports banners bad" "$(summary "$VT_TMP/all.err" "$f")" \
		"$fmt $rec $hosts $ports $banners $bad"
	vt_eq "$f: malformed records by line" "$(bad_lines "$VT_TMP/all.err" "$f")" "$(echo "$lines" | tr ',' ' ' | sed 's/^-$//')"
	of_file "$VT_TMP/all.json" "$f" >"$VT_TMP/$f.json"
	vt_eq "$f: one JSON object per banner" "$(vt_json_count "$VT_TMP/$f.json")" "$banners"
done >"$VT_TMP/checks"
cat "$VT_TMP/checks"
VT_CHECKS=$((VT_CHECKS + $(grep -c '^' "$VT_TMP/checks")))
VT_FAILS=$((VT_FAILS + $(grep -c '^FAIL' "$VT_TMP/checks")))

# field JSONL IP PORT KEY: one field of the banner of (ip, port).
field() {
	python3 - "$@" <<'PYEOF'
import json, sys
path, ip, port, key = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for l in open(path):
    d = json.loads(l)
    if d["ip"] == ip and d["port"] == port:
        v = d.get(key)
        print(v if isinstance(v, str) else json.dumps(v))
        break
else:
    print("absent")
PYEOF
}

J=$VT_TMP
vt_eq "zgrab2: CWMP realm labelled Huawei" "$(field "$J/zgrab2.jsonl.json" 192.0.2.11 7547 vendor)" Huawei
vt_eq "zgrab2: CWMP rule" "$(field "$J/zgrab2.jsonl.json" 192.0.2.11 7547 rule)" data/rules/cwmp_http.xml:40
vt_eq "zgrab2: ssh banner" "$(field "$J/zgrab2.jsonl.json" 192.0.2.10 22 banner)" 'SSH-2.0-dropbear_2014.63\x0d\x0a'
vt_eq "zgrab2: ssh product" "$(field "$J/zgrab2.jsonl.json" 192.0.2.10 22 product)" 'Dropbear sshd'
vt_eq "zgrab2: telnet options back as IAC bytes" "$(field "$J/zgrab2.jsonl.json" 192.0.2.10 23 banner)" \
	'\xff\xfb\x01\xff\xfb\x03\xff\xfd\x1f\x0d\x0aDVR login: '
vt_eq "zgrab2: https certificate" "$(field "$J/zgrab2.jsonl.json" 192.0.2.11 443 tls)" \
	'{"subject": "CN=router.example, O=Example Routers", "issuer": "CN=router.example, O=Example Routers", "sha256": "aa11bb22cc33dd44ee55ff6600112233445566778899aabbccddeeff00112233"}'
vt_eq "zgrab (v1, no result level): ftp banner" "$(field "$J/zgrab2.jsonl.json" 192.0.2.13 21 product)" ProFTPD
vt_eq "zgrab2: IPv6 target" "$(field "$J/zgrab2.jsonl.json" 2001:db8::5 2222 service)" ssh
vt_eq "censys: base64 banner decoded" "$(field "$J/censys-v2.jsonl.json" 198.51.100.8 21 banner)" \
	'220 FTP server (Multicast) ready\x0d\x0a'
vt_eq "censys: banner_hex decoded" "$(field "$J/censys-v2.jsonl.json" 198.51.100.7 23 banner)" \
	'\xff\xfb\x01\xff\xfb\x03\xff\xfd\x1f\x0d\x0aLOGIN: '
vt_eq "censys: HTTP rebuilt, labelled by our rules" "$(field "$J/censys-v2.jsonl.json" 198.51.100.7 80 rule)" \
	data/rules/iot_web_titles.xml:80
vt_eq "censys-legacy: CWMP Huawei" "$(field "$J/censys-legacy.jsonl.json" 203.0.113.5 7547 vendor)" Huawei
vt_eq "censys-legacy: telnet options" "$(field "$J/censys-legacy.jsonl.json" 203.0.113.5 23 banner)" \
	'\xff\xfb\x01\xff\xfd\x18\x0d\x0aF660\x0d\x0aLogin: '
vt_eq "nmap: servicefp response" "$(field "$J/nmap.xml.json" 192.0.2.21 2323 banner)" \
	'\xff\xfb\x01\xff\xfb\x03\x0d\x0aDVR login: '
pem_sha=$(python3 -c 'import base64,hashlib; print(hashlib.sha256(base64.b64decode("AAECAwQFBgcICQ==")).hexdigest())')
vt_eq "nmap: ssl-cert names and PEM SHA-256" "$(field "$J/nmap.xml.json" 192.0.2.21 443 tls)" \
	"{\"subject\": \"CN=nas.example, O=Synology Inc.\", \"issuer\": \"CN=Synology Inc. CA\", \"sha256\": \"$pem_sha\"}"
vt_eq "nmap: banner script" "$(field "$J/nmap.xml.json" 192.0.2.20 80 banner)" 'HTTP/1.1 200 OK\x0d\x0aServer: App-webs/\x0d\x0a'
for f in masscan.json masscan.ndjson masscan.xml masscan.list masscan.grep; do
	vt_eq "$f: telnet bytes" "$(field "$J/$f.json" 192.0.2.41 23 banner)" '\xff\xfb\x01\xff\xfb\x03\x0d\x0aroot@dvr:~# '
	vt_eq "$f: Netgear realm" "$(field "$J/$f.json" 192.0.2.40 80 vendor)" Netgear
done

# --- compressed copies read as the plain file ---
strip_file() { sed 's/"file":"[^"]*",//' "$1"; }
cp "$VT_TMP/all.json" "$out"
cp "$VT_TMP/all.err" "$err"
for f in zgrab2.jsonl nmap.xml masscan.json zmap.csv censys-v2.jsonl; do
	strip_file "$VT_TMP/$f.json" >"$VT_TMP/plain"
	for z in gzip xz zstd; do
		of_file "$out" "$z-$f" >"$VT_TMP/got.json"
		strip_file "$VT_TMP/got.json" >"$VT_TMP/got"
		if [ -s "$VT_TMP/plain" ] || [ "$f" = zmap.csv ]; then :; else vt_fail "$f: no banners"; fi
		if cmp -s "$VT_TMP/plain" "$VT_TMP/got"; then
			vt_ok "$f via $z: same banners"
		else
			vt_fail "$f via $z: output differs"
		fi
		vt_eq "$f via $z: codec column" "$(awk -v f="$VT_TMP/$z-$f" '$3 == "summary" && $4 == f { print $6 }' "$err")" "$z"
	done
done
# Several concatenated gzip members are one stream.
{ head -n 2 "$R/zgrab2.jsonl" | gzip -c; tail -n +3 "$R/zgrab2.jsonl" | gzip -c; } >"$VT_TMP/two.gz"
vt_run "$out" "$err" "$VANTAGE" import "$VT_TMP/two.gz"
vt_eq "two gzip members: all records" "$(summary "$out" two.gz | cut -d' ' -f2)" 7
# A .gz cut in the middle: what precedes the cut loads, exit 1.
python3 -c '
import gzip, random, sys
random.seed(7)
lines = open(sys.argv[1]).read().splitlines()
data = "\n".join(lines[:1] * 2000 + lines[1:]).encode() + b"".join(
    b"%08x\n" % random.getrandbits(32) for _ in range(20000))
z = gzip.compress(data)
open(sys.argv[2], "wb").write(z[: len(z) // 2])' "$R/zgrab2.jsonl" "$VT_TMP/cut.gz"
vt_run "$out" "$err" "$VANTAGE" import --format zgrab2 "$VT_TMP/cut.gz"
vt_eq "truncated gzip: exit status" "$VT_RC" 1
if grep -q "cut.gz: gzip: the compressed data ends early" "$err" &&
	[ "$(awk 'NR == 2 { print $4 }' "$out")" -ge 2000 ]; then
	vt_ok "truncated gzip: one error line, the records before the cut kept"
else
	vt_fail "truncated gzip: $(cat "$err" "$out")"
fi

# An .xz cut inside the sniff window: sniffed from what decodes, exit 1.
xz -c <"$R/masscan.ndjson" | head -c 200 >"$VT_TMP/cut.xz"
vt_run "$out" "$err" "$VANTAGE" import "$VT_TMP/cut.xz"
vt_eq "short truncated xz: exit status" "$VT_RC" 1
vt_eq "short truncated xz: sniffed, the first records kept" "$(summary "$out" cut.xz | cut -d' ' -f1,3)" "masscan-ndjson 1"
if grep -q "cut.xz: the compressed data ends early" "$err"; then
	vt_ok "short truncated xz: one error line"
else
	vt_fail "short truncated xz: $(cat "$err")"
fi

# --- a killed Nmap run, entities ---
vt_run "$out" "$err" "$VANTAGE" import "$R/nmap-killed.xml"
vt_eq "killed nmap: exit status" "$VT_RC" 1
vt_eq "killed nmap: closed hosts (records hosts ports)" "$(summary "$out" nmap-killed.xml | cut -d' ' -f2-4)" "1 2 3"
if grep -q "nmap-killed.xml: line 22: the file ends inside <nmaprun> and a <host>" "$err"; then
	vt_ok "killed nmap: says where the file ends"
else
	vt_fail "killed nmap: $(cat "$err")"
fi
vt_run "$out" "$err" "$VANTAGE" import "$R/nmap-entities.xml"
vt_eq "entities: exit status" "$VT_RC" 1
if grep -q "entity declarations are refused" "$err" && ! grep -q aaaa "$out"; then
	vt_ok "entities: refused, nothing expanded"
else
	vt_fail "entities: $(cat "$err")"
fi

python3 -c 'import sys; sys.stdout.write("<nmaprun scanner=\"nmap\"><host a=\"" + "A" * (9 << 20) + "\"/></nmaprun>")' >"$VT_TMP/huge.xml"
vt_run "$out" "$err" "$VANTAGE" import "$VT_TMP/huge.xml"
vt_eq "a 9 MiB attribute: exit status" "$VT_RC" 1
if grep -q "huge.xml: line 1: no element ends within 8 MiB" "$err"; then
	vt_ok "a 9 MiB attribute: stopped at the cap"
else
	vt_fail "a 9 MiB attribute: $(cat "$err")"
fi

# --- the store, and the real scanner outputs (fixtures/) ---
REAL='
nmap-sV.xml     nmap-xml
masscan.json    masscan-json
masscan.ndjson  masscan-ndjson
masscan.xml     masscan-xml
masscan.list    masscan-list
zmap-80.csv     zmap-csv
zmap-8080.csv   zmap-csv
zmap-22.json    zmap-json
'
# One run (the matcher loads once) of three record files, then the real
# outputs; runs 1-3 are the records' (the store checks), 4-11 the real
# outputs'.
db=$VT_TMP/store.db
files=$(echo "$REAL" | awk 'NF { printf "%s/%s ", D, $1 }' D="$FX")
# shellcheck disable=SC2086
vt_run "$out" "$err" "$VANTAGE" import --db "$db" --json "$R/zgrab2.jsonl" "$R/nmap.xml" \
	"$R/censys-v2.jsonl" $files
vt_eq "store and real outputs: exit status (bad records)" "$VT_RC" 1
vt_eq "real outputs: no malformed record" "$(grep -c 'fixtures/.*:[0-9]*: ' "$err")" 0
cp "$out" "$VT_TMP/real.json"
echo "$REAL" | while read -r f fmt; do
	[ -n "$f" ] || continue
	vt_eq "$f: sniffed format" "$(summary "$err" "$f" | cut -d' ' -f1)" "$fmt"
	of_file "$VT_TMP/real.json" "$f" >"$VT_TMP/one.json"
	if python3 "$VT_SRCDIR/tests/import/oracle.py" "$fmt" "$FX/$f" "$db" "$VT_TMP/one.json"; then
		vt_ok "$f: ports and banners equal the oracle's"
	else
		vt_fail "$f: differs from the oracle"
	fi
done >"$VT_TMP/checks"
cat "$VT_TMP/checks"
VT_CHECKS=$((VT_CHECKS + $(grep -c '^' "$VT_TMP/checks")))
VT_FAILS=$((VT_FAILS + $(grep -c '^FAIL' "$VT_TMP/checks")))

# The store: the record files' runs (1-3). From the table above:
# devices 5 + 2 + 3 = 10, open ports 8 + 4 + 7 = 19, banners 8 + 3 + 5 = 16.
q() { python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, r)))' "$db" "$1"; }
vt_eq "store: one run per file" "$(q "SELECT count(*), min(vantage), min(technique), min(command) FROM run WHERE id <= 3")" "3|external|active|import"
vt_eq "store: runs name their file" "$(q "SELECT group_concat(source, ',') FROM run WHERE id <= 3")" \
	"$R/zgrab2.jsonl,$R/nmap.xml,$R/censys-v2.jsonl"
vt_eq "store: devices keyed by IP" "$(q "SELECT count(*), count(mac) FROM device WHERE id IN (SELECT device_id FROM device_run WHERE run_id <= 3)")" "10|0"
vt_eq "store: active server services, external scope" \
	"$(q "SELECT count(*) FROM service WHERE run_id <= 3 AND technique = 'active' AND role = 'server' AND scope = 'external'")" 19
vt_eq "store: banners, each linked to its device" "$(q "SELECT count(*), count(device_id) FROM banner WHERE run_id <= 3")" "16|16"
vt_eq "store: Huawei CWMP device identified" "$(q "SELECT vendor, type FROM device WHERE key_ip = '192.0.2.11'")" "Huawei|router"
vt_eq "store: Nmap's product as a signal" \
	"$(q "SELECT CAST(value AS TEXT) FROM signal WHERE signal = 'nmap_product' AND CAST(value AS TEXT) LIKE 'tcp/23 %'")" "tcp/23 BusyBox telnetd"
vt_eq "store: Nmap's port-table guess kept apart" \
	"$(q "SELECT count(*) FROM signal WHERE run_id <= 3 AND signal = 'nmap_service_guess'")" 1
vt_eq "store: Censys host label" "$(q "SELECT CAST(value AS TEXT) FROM signal WHERE signal = 'censys_label' AND CAST(value AS TEXT) NOT LIKE '%/%'")" "remote-access"
vt_eq "store: Censys reverse DNS name" "$(q "SELECT CAST(value AS TEXT) FROM signal WHERE signal = 'censys_dns'")" "host7.example.net"
vt_eq "store: ZGrab2 domain" "$(q "SELECT CAST(value AS TEXT) FROM signal WHERE signal = 'zgrab2_domain'")" "cpe.example"
vt_eq "store: Censys software" "$(q "SELECT count(*) FROM signal WHERE run_id <= 3 AND signal = 'censys_software'")" 1
vt_eq "store: run statuses" "$(q "SELECT group_concat(status, ',') FROM run")" "ok,ok,ok,ok,ok,ok,ok,ok,ok,ok,ok"
vt_eq "store: integrity" "$(q "PRAGMA integrity_check")" ok

# The real Dropbear and vsftpd answered: Nmap and our matcher agree.
of_file "$VT_TMP/real.json" masscan.ndjson >"$out"
vt_eq "real masscan: dropbear labelled" "$(field "$out" 198.51.100.20 22 service)" ssh

# --- stdin and usage ---
vt_run "$out" "$err" sh -c "\"\$VANTAGE\" import --json - <\"$R/zmap.json\""
vt_eq "stdin: read" "$(summary "$err" - | cut -d' ' -f1,2)" "zmap-json 5"
vt_run "$out" "$err" "$VANTAGE" import --format nope "$R/zmap.csv"
vt_eq "unknown --format: exit 2" "$VT_RC" 2
vt_run "$out" "$err" "$VANTAGE" import "$VT_TMP/does-not-exist"
vt_eq "missing file: exit 2" "$VT_RC" 2
printf 'hello\n' >"$VT_TMP/unknown.txt"
vt_run "$out" "$err" "$VANTAGE" import "$VT_TMP/unknown.txt"
vt_eq "unrecognised content: exit 2" "$VT_RC" 2
vt_eq "unrecognised content: one error line" "$(vt_err_lines "$err")" \
	"vantage import: $VT_TMP/unknown.txt: format not recognised (see --format)"
vt_run "$out" "$err" "$VANTAGE" import
vt_eq "no file: exit 2" "$VT_RC" 2
if vt_sanitizer_report "$err"; then vt_fail "sanitizer report"; fi

vt_finish
