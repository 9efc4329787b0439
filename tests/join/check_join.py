#!/usr/bin/env python3
"""Recomputes the Mirai join from the test's input files and compares it
with `vantage report --mirai` (JSON, text and HTML).

Usage: check_join.py VANTAGE INDIR DB K HTML

Independent of the store: the Mirai sources and their first sightings
come from parsing the pcap here (mirai_sig: an IPv4 TCP SYN whose
sequence number equals the destination, at least K per source), the
banners (address, port, time, certificate) from reading the record files
here. Only the matcher's label of each banner is taken from vantage, from
`vantage import --json` (the matcher's answer per banner, not the store).
Prints FAIL lines and exits 1 on a mismatch.
"""
import datetime
import glob
import json
import os
import re
import struct
import subprocess
import sys

VANTAGE, INDIR, DB, K, HTML = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4]), sys.argv[5]
PREFIXES = ("198.51.100.", "203.0.113.")
PROTOS = ["https", "ftp", "telnet", "cwmp", "ssh", "other"]
LABELS = ["HTTPS", "FTP", "Telnet", "CWMP", "SSH", "others"]
fails = []


def fail(msg):
    fails.append(msg)
    print("FAIL:", msg)


def ipstr(b):
    return ".".join(str(x) for x in b)


def read_pcap(path):
    """{src: (mirai_sig packets, first timestamp in us)} of packets to
    the telescope."""
    src = {}
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic == 0xA1B2C3D4, "a little-endian microsecond pcap"
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14 + 20 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        s, d = ipstr(ip[12:16]), ipstr(ip[16:20])
        if not d.startswith(PREFIXES):
            continue
        ts = sec * 1000000 + usec
        n, first = src.get(s, (0, ts))
        first = min(first, ts)
        if ip[9] == 6:
            tcp = ip[ihl:]
            flags = tcp[13]
            seq = tcp[4:8]
            if flags & 0x17 == 0x02 and seq == ip[16:20]:
                n += 1
        src[s] = (n, first)
    return src


def us_of(text):
    if text is None:
        return None
    if re.fullmatch(r"\d+", text):
        return int(text) * 1000000
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1000000


def read_records():
    """Banners: dicts ip, port, seen_us, tls, file."""
    out = []
    for path in sorted(glob.glob(os.path.join(INDIR, "synthetic-*"))):
        if path.endswith(".pcap"):
            continue
        name = os.path.basename(path)
        for line in open(path):
            r = json.loads(line)
            if "zgrab2" in name:
                for m in r["data"].values():
                    if m["status"] != "success":
                        continue
                    out.append(dict(ip=r["ip"], port=m["port"],
                                    seen_us=us_of(m.get("timestamp")),
                                    tls=False, file=name))
            elif "censys" in name:
                for k, v in r.items():
                    if not re.fullmatch(r"p\d+", k):
                        continue
                    port = int(k[1:])
                    tls = any("tls" in x for x in v.values())
                    out.append(dict(ip=r["ip"], port=port,
                                    seen_us=us_of(r["updated_at"]),
                                    tls=tls, file=name))
            elif "masscan" in name:
                if r.get("rec_type") == "banner":
                    out.append(dict(ip=r["ip"], port=r["port"],
                                    seen_us=us_of(r["timestamp"]),
                                    tls=False, file=name))
    return out


def label_banners(banners):
    """Adds type, vendor, model, confidence from `vantage import --json`
    of the files, matched on (file, ip, port, seen)."""
    labels = {}
    paths = [p for p in sorted(glob.glob(os.path.join(INDIR, "synthetic-*")))
             if not p.endswith((".pcap", ".txt"))]
    p = subprocess.run([VANTAGE, "import", "--json"] + paths,
                       capture_output=True, text=True, check=True)
    for line in p.stdout.splitlines():
        d = json.loads(line)
        key = (os.path.basename(d["file"]), d["ip"], d["port"],
               us_of(d["seen"]))
        if key in labels:
            fail("two banners for %r" % (key,))
        labels[key] = d
    mine = set()
    for b in banners:
        key = (b["file"], b["ip"], b["port"], b["seen_us"])
        mine.add(key)
        d = labels.get(key)
        if d is None:
            fail("vantage import has no banner for %r" % (key,))
            continue
        b.update(type=d["type"], vendor=d["vendor"], model=d["model"],
                 confidence=d["confidence"])
    for key in labels:
        if key not in mine:
            fail("vantage import has a banner the test did not write: %r"
                 % (key,))


def pclass(b):
    if b["tls"] or b["port"] == 443:
        return 0
    return {21: 1, 23: 2, 2323: 2, 7547: 3, 22: 4}.get(b["port"], 5)


def identified(b):
    t = b.get("type")
    return bool((t and t != "unknown") or b.get("vendor"))


def quantile(xs, q):
    if not xs:
        return None
    h = (len(xs) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def expected(src, banners):
    mirai = {ip: first for ip, (n, first) in src.items() if n >= K}
    e = {"sources": len(mirai), "banners": len(banners)}
    per = [dict(ips=0, banners=0, identified=0) for _ in PROTOS]
    gaps, unknown = [], 0
    with_b = ident = 0
    types, vendors = {}, {}
    for ip in sorted(mirai):
        mine = [b for b in banners if b["ip"] == ip]
        if not mine:
            continue
        with_b += 1
        best_t = best_v = None
        any_id = False
        for pc in range(len(PROTOS)):
            bs = [b for b in mine if pclass(b) == pc]
            if not bs:
                continue
            per[pc]["ips"] += 1
            per[pc]["banners"] += len(bs)
            timed = [b for b in bs if b["seen_us"] is not None]
            # closest in time to the first sighting (no tie in the data)
            j = min(timed, key=lambda b: abs(b["seen_us"] - mirai[ip])) \
                if timed else bs[0]
            dists = sorted(abs(b["seen_us"] - mirai[ip]) for b in timed)
            if len(dists) > 1 and dists[0] == dists[1]:
                fail("the test data has a tie in time for %s" % ip)
            if j["seen_us"] is None:
                unknown += 1
            else:
                gaps.append((j["seen_us"] - mirai[ip]) / 1e6)
            if not identified(j):
                if j.get("model"):
                    fail("a model without a type or vendor: %r" % j)
                continue
            per[pc]["identified"] += 1
            any_id = True
            t, v, c = j["type"], j["vendor"], j["confidence"]
            if t and t != "unknown" and (best_t is None or c > best_t[1]):
                best_t = (t, c)
            if v and (best_v is None or c > best_v[1]):
                best_v = (v, c)
        if any_id:
            ident += 1
            t = best_t[0] if best_t else "unknown"
            v = best_v[0] if best_v else "unknown"
            types[t] = types.get(t, 0) + 1
            vendors[v] = vendors.get(v, 0) + 1
    gaps.sort()
    e.update(with_banners=with_b, identified=ident, per=per, gaps=gaps,
             unknown=unknown,
             types=sorted(types.items(), key=lambda x: (-x[1], x[0])),
             vendors=sorted(vendors.items(), key=lambda x: (-x[1], x[0])))
    return e, mirai


def near(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def check_json(e):
    p = subprocess.run([VANTAGE, "report", "--db", DB, "--mirai", "--json",
                        "--html", HTML], capture_output=True, text=True,
                       check=True)
    objs = [json.loads(x) for x in p.stdout.splitlines()]
    js = [o for o in objs if o["object"] == "mirai_join"]
    if len(js) != 1:
        fail("%d mirai_join objects" % len(js))
        return None
    j = js[0]
    for k in ("sources", "banners", "identified"):
        if j[k] != e[k]:
            fail("%s: report %r, expected %r" % (k, j[k], e[k]))
    if j["sources_with_banners"] != e["with_banners"]:
        fail("sources_with_banners %r, expected %r"
             % (j["sources_with_banners"], e["with_banners"]))
    if not near(j["share"], e["identified"] / e["with_banners"]):
        fail("share %r" % j["share"])
    if not near(j["share_of_sources"], e["identified"] / e["sources"]):
        fail("share_of_sources %r" % j["share_of_sources"])
    if j["mirai_k"] != {"min": K, "max": K} or j["telescope_runs"] != 1:
        fail("mirai_k/telescope_runs %r %r" % (j["mirai_k"],
                                               j["telescope_runs"]))
    if [x["protocol"] for x in j["protocols"]] != PROTOS:
        fail("protocols %r" % j["protocols"])
    for x, w in zip(j["protocols"], e["per"]):
        for k in ("ips", "banners", "identified"):
            if x[k] != w[k]:
                fail("%s %s: report %r, expected %r"
                     % (x["protocol"], k, x[k], w[k]))
        share = w["identified"] / w["ips"] if w["ips"] else None
        if not near(x["share"], share):
            fail("%s share %r, expected %r" % (x["protocol"], x["share"],
                                               share))
    got_t = [(x["type"], x["devices"]) for x in j["device_types"]]
    got_v = [(x["vendor"], x["devices"]) for x in j["vendors"]]
    if got_t != e["types"]:
        fail("device types %r, expected %r" % (got_t, e["types"]))
    if got_v != e["vendors"]:
        fail("vendors %r, expected %r" % (got_v, e["vendors"]))
    g, xs = j["gap_seconds"], e["gaps"]
    want = dict(n=len(xs), negative=sum(x < 0 for x in xs),
                zero=sum(x == 0 for x in xs), positive=sum(x > 0 for x in xs),
                unknown=e["unknown"])
    for k, v in want.items():
        if g[k] != v:
            fail("gap %s %r, expected %r" % (k, g[k], v))
    for k, q in (("min", 0), ("p10", .1), ("p25", .25), ("median", .5),
                 ("p75", .75), ("p90", .9), ("max", 1)):
        if not near(g[k], quantile(xs, q)):
            fail("gap %s %r, expected %r" % (k, g[k], quantile(xs, q)))
    if j["missing"] is not None:
        fail("missing %r" % j["missing"])
    return j


def check_text(e):
    p = subprocess.run([VANTAGE, "report", "--db", DB, "--mirai"],
                       capture_output=True, text=True, check=True)
    txt = p.stdout
    if "== Mirai sources joined with banners" not in txt:
        fail("no Mirai section in the text")
        return
    for label, w in zip(LABELS, e["per"]):
        m = re.search(r"^%s +(\d+) +(\d+) +(\d+) " % re.escape(label), txt,
                      re.M)
        got = tuple(int(x) for x in m.groups()) if m else None
        if got != (w["ips"], w["banners"], w["identified"]):
            fail("text %s row %r, expected %r" % (label, got, w))
    m = re.search(r"^any +(\d+) +- +(\d+) ", txt, re.M)
    if not m or (int(m.group(1)), int(m.group(2))) != (e["with_banners"],
                                                        e["identified"]):
        fail("text 'any' row")
    for name, n in e["types"] + e["vendors"]:
        if not re.search(r"^%s +%d$" % (re.escape(name), n), txt, re.M):
            fail("text: no row %s %d" % (name, n))
    if "%d before" % sum(x < 0 for x in e["gaps"]) not in txt:
        fail("text: negative gaps not counted")


def check_html(e):
    page = open(HTML).read()
    m = re.search(r'<table id="mirai-protocols">.*?</table>', page, re.S)
    if not m:
        fail("no Mirai table in the HTML")
        return
    rows = re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", m.group(0))
    for (label, cells), w in zip(rows, e["per"]):
        v = re.findall(r'data-v="([^"]*)"', cells)
        if [int(x) for x in v[:2]] != [w["ips"], w["banners"]] or \
                int(v[2]) != w["identified"]:
            fail("HTML row %s %r, expected %r" % (label, v, w))
    for name, n in e["types"] + e["vendors"]:
        if "<td>%s</td><td class=\"n\" data-v=\"%d\">" % (name, n) \
                not in page:
            fail("HTML: no row %s %d" % (name, n))


def main():
    src = read_pcap(os.path.join(INDIR, "synthetic-join.pcap"))
    banners = read_records()
    label_banners(banners)
    e, mirai = expected(src, banners)
    # What the test data was written to hold (ground truth, not vantage's
    # answers): the sources, non-sources, and banners known to be (not)
    # labelled by any sane matcher.
    if sorted(mirai) != ["45.67.89.%d" % i for i in range(1, 6)]:
        fail("Mirai sources in the capture: %r" % sorted(mirai))
    by = {(b["ip"], b["port"], b["file"]): b for b in banners}
    truth = [(("45.67.89.2", 7547, "synthetic-censys.jsonl"), "Huawei"),
             (("45.67.89.2", 443, "synthetic-censys.jsonl"), "Hikvision"),
             (("45.67.89.1", 21, "synthetic-zgrab2.jsonl"), None)]
    for key, vendor in truth:
        b = by[key]
        if not identified(b) or (vendor and b["vendor"] != vendor):
            fail("banner %r is not labelled %s" % (key, vendor))
    for key in (("45.67.89.1", 22, "synthetic-zgrab2.jsonl"),
                ("45.67.89.3", 23, "synthetic-zgrab2.jsonl")):
        if identified(by[key]):
            fail("banner %r should not be identified" % (key,))
    if e["identified"] < 3 or not any(x < 0 for x in e["gaps"]):
        fail("the data should give 3+ identified IPs and a negative gap")
    check_json(e)
    check_text(e)
    check_html(e)
    print("expected: %d sources, %d with banners, %d identified; per "
          "protocol %s; gaps %s" % (e["sources"], e["with_banners"],
                                    e["identified"],
                                    [(p, w["ips"], w["banners"],
                                      w["identified"])
                                     for p, w in zip(PROTOS, e["per"])],
                                    e["gaps"]))
    sys.exit(1 if fails else 0)


main()
