#!/usr/bin/env python3
"""Independent reading of a scanner's output, to check `vantage import`.

    oracle.py FORMAT FILE DB JSONL

FORMAT is nmap-xml, masscan-json, masscan-ndjson, masscan-xml,
masscan-list or zmap-csv/zmap-json. The open (ip, proto, port) and the
banners (ip, port, bytes) are read from FILE with Python's own json, csv
and xml.etree, then compared with what vantage stored in DB (service rows
of technique active, banner rows; one run, the last) and printed in JSONL
(`--json`, the lines of this file). Prints one "ok"/"FAIL" line per check; exit 1 on a failure.
"""
import csv
import json
import re
import sqlite3
import sys
import xml.etree.ElementTree as ET

HOSTS = set()  # responders (ZMap): every one is a device, open port or not
SUMMARY = {"title", "ssl", "X509", "X509CA", "http.server"}


def unxnn(s):
    """masscan's and Nmap's \\xNN escapes (other characters as Latin-1)."""
    out = bytearray()
    i = 0
    while i < len(s):
        m = re.match(r"\\x([0-9a-fA-F]{2})", s[i:i + 4])
        if m:
            out.append(int(m.group(1), 16))
            i += 4
        else:
            out += s[i].encode("latin-1", "replace")
            i += 1
    return bytes(out)


def latin1(s):
    """masscan's JSON: every code point is one byte."""
    return s.encode("latin-1")


def servicefp_bytes(fp):
    m = re.search(r'%r\(([^,]+),[0-9A-Fa-f]+,"(.*?)(?<!\\)"\)', fp)
    if not m:
        return None
    s, out, i = m.group(2), bytearray(), 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            c = s[i + 1]
            if c == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(c, c.encode())
            i += 2
        else:
            out += s[i].encode("latin-1")
            i += 1
    return bytes(out)


def read_nmap(path):
    ports, banners = set(), []
    for host in ET.parse(path).getroot().iter("host"):
        ip = next((a.get("addr") for a in host.iter("address")
                   if a.get("addrtype") in ("ipv4", "ipv6")), None)
        for p in host.iter("port"):
            if p.find("state").get("state") != "open":
                continue
            ports.add((ip, p.get("protocol"), int(p.get("portid"))))
            svc = p.find("service")
            if svc is not None and svc.get("servicefp"):
                banners.append((ip, int(p.get("portid")), servicefp_bytes(svc.get("servicefp"))))
            if svc is not None and svc.get("banner") is not None and svc.get("name") not in SUMMARY:
                banners.append((ip, int(p.get("portid")), unxnn(svc.get("banner"))))
    return ports, banners


def read_masscan_json(path, ndjson):
    ports, banners = set(), []
    with open(path, encoding="utf-8") as f:
        recs = [json.loads(l) for l in f if l.strip()] if ndjson else json.load(f)
    for r in recs:
        items = [r] if ndjson else r["ports"]
        for p in items:
            key = (r["ip"], p["proto"], p["port"])
            if ndjson:
                svc = p["data"] if p["rec_type"] == "banner" else None
                name = svc and svc.get("service_name")
                if p["rec_type"] == "status" and p["data"]["status"] == "open":
                    ports.add(key)
            else:
                svc = p.get("service")
                name = svc and svc.get("name")
                if p.get("status") == "open":
                    ports.add(key)
            if svc:
                ports.add(key)
                if name not in SUMMARY:
                    banners.append((r["ip"], p["port"], latin1(svc["banner"])))
    return ports, banners


def read_masscan_list(path):
    ports, banners = set(), []
    for line in open(path, encoding="latin-1"):
        f = line.rstrip("\n").split(" ", 6)
        if line.startswith("#") or len(f) < 5:
            continue
        key = (f[3], f[1], int(f[2]))
        if f[0] in ("open", "banner"):
            ports.add(key)
        if f[0] == "banner" and f[5] not in SUMMARY:
            banners.append((f[3], int(f[2]), unxnn(f[6] if len(f) > 6 else "")))
    return ports, banners


def read_zmap(path, fmt):
    ports = set()
    HOSTS.clear()
    with open(path, encoding="utf-8") as f:
        rows = csv.DictReader(f) if fmt == "zmap-csv" else (json.loads(l) for l in f if l.strip())
        for r in rows:
            if str(r.get("repeat", "0")) in ("1", "True", "true"):
                continue
            HOSTS.add(r["saddr"])
            if str(r.get("success")) in ("1", "True", "true"):
                ports.add((r["saddr"], "tcp", int(r["sport"])))
    return ports, []



def main():
    fmt, path, db, jsonl = sys.argv[1:5]
    if fmt == "nmap-xml" or fmt == "masscan-xml":
        ports, banners = read_nmap(path)
    elif fmt in ("masscan-json", "masscan-ndjson"):
        ports, banners = read_masscan_json(path, fmt == "masscan-ndjson")
    elif fmt == "masscan-list":
        ports, banners = read_masscan_list(path)
    else:
        ports, banners = read_zmap(path, fmt)
    con = sqlite3.connect(db)
    run = con.execute("SELECT max(id) FROM run WHERE source = ?", (path,)).fetchone()[0]
    got_ports = set(con.execute(
        "SELECT d.key_ip, s.proto, s.port FROM service s JOIN device d ON d.id = s.device_id"
        " WHERE s.run_id = ? AND s.technique = 'active' AND s.role = 'server'"
        " AND s.scope = 'external'", (run,)))
    got_rows = sorted((ip, port, bytes(data)) for ip, port, data in con.execute(
        "SELECT ip, port, data FROM banner WHERE run_id = ?", (run,)))
    got_json = sorted((d["ip"], d["port"], unxnn(d["banner"]))
                      for d in map(json.loads, open(jsonl)) if d.get("banner") is not None)
    want = sorted(banners)
    fails = 0

    def check(what, got, exp):
        nonlocal fails
        if got == exp:
            print("ok   %s: %s (%d)" % (path.split("/")[-1], what, len(exp)))
        else:
            fails += 1
            print("FAIL %s: %s: got %r, want %r" % (path.split("/")[-1], what, got, exp))

    check("open ports (store, technique active)", got_ports, ports)
    check("banners (store, raw bytes)", got_rows, want)
    check("banners (--json)", got_json, want)
    if HOSTS:
        check("responding hosts (devices of the run)", set(r[0] for r in con.execute(
            "SELECT d.key_ip FROM device d JOIN device_run r ON r.device_id = d.id"
            " WHERE r.run_id = ?", (run,))), HOSTS)
    if not ports and not HOSTS:
        fails += 1
        print("FAIL %s: the fixture has no open port (not a useful fixture)" % path)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
