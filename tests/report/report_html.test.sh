#!/bin/sh
# `vantage report --html` rendered by real headless Chromium. The store
# holds the demo capture plus a synthetic one-frame capture of a device
# whose DHCP host name is a <script> element (tests/report/xss_pcap.py),
# and another device's vendor and model are set to markup through sqlite3.
# Checked in the DOM Chromium builds after running the page's script:
# one device-table row per device, the hostile strings shown as text and
# never executed (no attribute set by them, no injected element), the
# charts present (SVG bar charts and two CDF lines), no external resource
# referenced, search (#q=) and sort (#sort=) working. A screenshot is kept
# as tests/artifacts/report.png.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3
CHROMIUM=${CHROMIUM:-chromium}
command -v "$CHROMIUM" >/dev/null 2>&1 || vt_skip "chromium is not installed"

db=$VT_TMP/h.db
out=$VT_TMP/out
err=$VT_TMP/err
page=$VT_TMP/report.html
hostile='<script>document.body.setAttribute("data-pwned","host")</script>'
python3 "$VT_SRCDIR/tests/report/xss_pcap.py" "$VT_TMP/x.pcap" "$hostile"
vt_run "$out" "$err" "$VANTAGE" read --db "$db" "$VT_SRCDIR"/data/demo/*.pcap "$VT_TMP/x.pcap"
vt_eq "read" "$VT_RC" 0
python3 - "$db" <<'PYEOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("""UPDATE device SET vendor = '<img src=x onerror="document.body.setAttribute(''data-pwned'',''vendor'')">',
               model = '"><b id="injected">x</b>' WHERE mac = 'f4:21:ae:9e:8f:cb'""")
con.commit()
PYEOF
devices=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(DISTINCT device_id) FROM device_run").fetchone()[0])' "$db")
vt_eq "devices in the store" "$devices" 4

vt_run "$out" "$err" "$VANTAGE" report --db "$db" --html "$page"
vt_eq "report --html: exit status" "$VT_RC" 0
vt_eq "no raw hostile markup in the file" "$(grep -c '<script>document\|<img src=x\|<b id="injected"' "$page")" 0
vt_eq "no external reference" "$(grep -Eic '(src|href)=["'"'"']?(https?:|//)|@import|url\(' "$page")" 0

# dom URL FILE: the DOM after the page's script ran.
dom() {
	timeout 60 "$CHROMIUM" --headless --disable-gpu --no-sandbox \
		--user-data-dir="$VT_TMP/chromium" --dump-dom "$1" >"$2" 2>"$VT_TMP/chromium.err"
}
dom "file://$page" "$VT_TMP/dom.html"
vt_eq "chromium dump-dom: exit status" "$?" 0

python3 - "$VT_TMP/dom.html" "$devices" >"$VT_TMP/domcheck" <<'PYEOF'
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []; self.rows = 0; self.hidden = 0; self.cells = []
        self.svgs = 0; self.polylines = 0; self.rects = 0; self.pwned = None
        self.injected = 0; self.scripts = 0; self.ready = None; self.text = []
        self.table = None; self.ext = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.pwned = a.get("data-pwned"); self.ready = a.get("data-ready")
        if tag == "table":
            self.table = a.get("id")
        if tag == "tr" and self.table == "devices" and "tbody" in self.stack:
            self.rows += 1
            if "hidden" in a: self.hidden += 1
        if tag == "svg": self.svgs += 1
        if tag == "polyline": self.polylines += 1
        if tag == "rect" and a.get("class") == "bar": self.rects += 1
        if tag == "b" and a.get("id") == "injected": self.injected += 1
        if tag == "img": self.injected += 1
        if tag == "script": self.scripts += 1
        for k, v in a.items():
            if k in ("src", "href") and v and ("//" in v or v.startswith("http")):
                self.ext += 1
        self.stack.append(tag)
    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() == tag: break
        if tag == "table": self.table = None
    def handle_data(self, d):
        if self.table == "devices": self.text.append(d)

p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
text = "".join(p.text)
print("rows", p.rows)
print("hidden", p.hidden)
print("svgs", p.svgs)
print("polylines", p.polylines)
print("bars", int(p.rects > 0))
print("pwned", p.pwned)
print("injected", p.injected)
print("scripts", p.scripts)
print("ready", p.ready)
print("external", p.ext)
print("hostname_text", int('<script>document.body.setAttribute("data-pwned","host")</script>' in text))
print("vendor_text", int('<img src=x onerror=' in text))
PYEOF
v() { sed -n "s/^$1 //p" "$VT_TMP/domcheck"; }
vt_eq "the page's script ran" "$(v ready)" 1
vt_eq "device table rows = devices" "$(v rows)" "$devices"
vt_eq "no row hidden without a search" "$(v hidden)" 0
vt_eq "hostile host name shown as text" "$(v hostname_text)" 1
vt_eq "hostile vendor shown as text" "$(v vendor_text)" 1
vt_eq "hostile strings not executed" "$(v pwned)" None
vt_eq "no injected element" "$(v injected)" 0
vt_eq "only the page's own script" "$(v scripts)" 1
vt_eq "no external resource in the DOM" "$(v external)" 0
vt_eq "SVG charts (service bars, type bars, CDF)" "$(v svgs | awk '{print ($1 >= 3)}')" 1
vt_eq "bars drawn" "$(v bars)" 1
vt_eq "two CDF lines (local, external)" "$(v polylines)" 2

# Search and sort through the address: #q=xiaobai leaves one row shown,
# #sort=0&dir=desc puts the last device key first.
dom "file://$page#q=xiaobai" "$VT_TMP/dom2.html"
vt_eq "search: rows shown" "$(grep -o '<span id="shown">[0-9]*' "$VT_TMP/dom2.html" | grep -o '[0-9]*$')" 1
dom "file://$page#sort=0&dir=desc" "$VT_TMP/dom3.html"
first=$(python3 -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
body = t[t.index("<table id=\"devices\""):]
print(re.search(r"<tbody>\s*<tr[^>]*><td>([^<]*)</td>", body).group(1))' "$VT_TMP/dom3.html")
vt_eq "sort by device, descending: first row" "$first" "f4:21:ae:9e:8f:cb"

mkdir -p "$VT_SRCDIR/tests/artifacts"
shot=$VT_SRCDIR/tests/artifacts/report.png
rm -f "$shot"
timeout 60 "$CHROMIUM" --headless --disable-gpu --no-sandbox --hide-scrollbars \
	--user-data-dir="$VT_TMP/chromium" --window-size=1400,3000 \
	--screenshot="$shot" "file://$page" >/dev/null 2>&1
vt_eq "screenshot kept (PNG)" "$(python3 -c 'import sys
try: print(open(sys.argv[1], "rb").read(8) == b"\x89PNG\r\n\x1a\n")
except OSError: print(False)' "$shot")" True
vt_finish
