#!/usr/bin/env python3
"""Asserts `vantage telescope` on every synthetic case of EXTERNAL.md
section 4 (captures from gen_telescope.py) as the spec says.

Usage: check_telescope.py VANTAGE CASEDIR WORKDIR
Prints one line per case; exits 1 on the first failed assertion.
"""
import json
import os
import sqlite3
import subprocess
import sys

VANTAGE, CASES, WORK = sys.argv[1:4]
TEL = ["--prefix", "198.51.100.0/24", "--prefix", "203.0.113.0/24"]
RATE_PFX = ["--prefix", "198.48.0.0/14", "--prefix", "203.0.0.0/15",
            "--prefix", "198.52.0.0/16", "--prefix", "198.56.0.0/18"]
RATE_SIZE = 475136
BOT = "45.67.89.10"


def run(case, args=(), json_out=True, rc=0, db=None):
    cmd = [VANTAGE, "telescope"] + list(args)
    if json_out:
        cmd.append("--json")
    if db:
        cmd += ["--db", db]
    cmd.append(os.path.join(CASES, "synthetic-%s.pcap" % case))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != rc:
        fail(case, "exit %d, wanted %d; stderr:\n%s" % (p.returncode, rc,
                                                        p.stderr))
    if not json_out:
        return p.stdout, p.stderr
    srcs = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        srcs[o["ip"]] = o
    return srcs, p.stderr


def fail(case, msg):
    print("FAIL %s: %s" % (case, msg))
    sys.exit(1)


def expect(case, obj, **kw):
    for k, v in kw.items():
        if obj.get(k) != v:
            fail(case, "%s = %r, wanted %r in %s" % (k, obj.get(k), v,
                                                     json.dumps(obj)))


def one(case, args=TEL, **kw):
    s, err = run(case, args)
    if len(s) != 1:
        fail(case, "%d sources, wanted 1: %s" % (len(s), list(s)))
    o = next(iter(s.values()))
    expect(case, o, **kw)
    print("ok %s" % case)
    return o


def sig(port, orig, **kw):
    return dict(mirai_packets=1, mirai_orig_packets=orig, tool="mirai",
                **{"class": "scanner"}, purity="pure", consistent=True,
                ports=[{"port": port, "class": "tcp_syn", "packets": 1}],
                **kw)


def no_sig(**kw):
    return dict(mirai_packets=0, mirai_orig_packets=0, purity=None,
                consistent=None, mirai=False, **kw)


def positives():
    one("canonical", ip=BOT, bytes=40, **sig(23, 1))
    one("port2323", ip=BOT, **sig(2323, 1))
    one("port7547", ip=BOT, **sig(7547, 0))
    one("mss", ip=BOT, bytes=44, **sig(23, 0))
    one("ttl120", ip=BOT, **sig(23, 0))
    one("padded", ip=BOT, bytes=40, **sig(23, 1))  # IP length, not 60


def negatives():
    one("byteswap", tool=None, **{"class": "other"}, **no_sig())
    one("synack_seq", tool=None, **{"class": "backscatter"},
        backscatter_packets=1, **no_sig())
    one("seq_src", tool=None, **no_sig())
    one("nmap", ip="192.0.2.50", tool=None, syn_packets=4, **no_sig())
    one("masscan", ip="192.0.2.60", tool="masscan", masscan_packets=4,
        **{"class": "scanner"}, **no_sig())
    one("zmap", ip="192.0.2.70", tool="zmap", zmap_packets=4,
        **{"class": "scanner"}, **no_sig())
    one("synack_backscatter", ip="93.184.216.34", **{"class": "backscatter"},
        ports=[{"port": 80, "class": "tcp_synack", "packets": 1}], **no_sig())
    one("rst", ip="93.184.216.35", **{"class": "backscatter"},
        ports=[{"port": 443, "class": "tcp_rst", "packets": 1}], **no_sig())
    one("icmp_quote", ip="192.0.2.1", **{"class": "backscatter"},
        ports=[{"port": 3, "class": "icmp", "packets": 1}], **no_sig())
    out, err = run("icmp_quote", TEL, json_out=False)
    if "mirai_sig 0 packets" not in out or "8.8.4.4" not in out:
        fail("icmp_quote", "summary lacks no-Mirai / victim 8.8.4.4:\n" + out)
    victims("icmp_quote", {"8.8.4.4": (6, 23)})
    victims("synack_backscatter", {"93.184.216.34": (6, 80)})
    victims("rst", {"93.184.216.35": (6, 443)})
    s, err = run("ipv6", TEL)
    if s or "1 not IPv4" not in err:
        fail("ipv6", "sources %s; stderr %s" % (list(s), err))
    print("ok ipv6")
    s, err = run("truncated", TEL, rc=1)
    if "truncated" not in err.lower() and "short" not in err.lower():
        fail("truncated", "no truncation error line: " + err)
    expect("truncated", s.get(BOT, {}), mirai_packets=2, mirai_orig_packets=2)
    print("ok truncated (exit 1, the 2 whole packets kept)")
    one("udp53", ip="8.8.8.8", tool=None, backscatter_packets=0,
        ports=[{"port": 40000, "class": "udp", "packets": 1}],
        **{"class": "other"}, **no_sig())
    s, _ = run("excluded", [])
    want = {"45.67.89.20": 0, "45.67.89.21": 0, "45.67.89.22": 0,
            "45.67.89.23": 0, "45.67.89.24": 1}  # 169.254/16 is scanned
    for ip, orig in want.items():
        expect("excluded", s.get(ip, {}), mirai_packets=1,
               mirai_orig_packets=orig)
    print("ok excluded")


def victims(case, want):
    db = os.path.join(WORK, "victims-%s.db" % case)
    if os.path.exists(db):
        os.remove(db)
    run(case, TEL, json_out=False, db=db)
    con = sqlite3.connect(db)
    got = {ip: (pr, po) for ip, pr, po in con.execute(
        "SELECT ip, proto, port FROM telescope_victim")}
    con.close()
    if got != want:
        fail(case, "victims %s, wanted %s" % (got, want))
    print("ok %s victims" % case)


def scenarios():
    o = one("burst160", ip=BOT, mirai_packets=160, mirai_orig_packets=160,
            mirai_23=144, mirai_2323=16, purity="pure", consistent=True,
            tool="mirai", mirai_pair_count=1)
    out, _ = run("burst160", TEL, json_out=False)
    if "144:16 (90.0% to 23" not in out:
        fail("burst160", "summary lacks the 23:2323 ratio:\n" + out)
    one("restart", ip=BOT, mirai_packets=20, consistent=False,
        mirai_pair_count=2, mirai_pairs=[{"sport": 40000, "window": 5840},
                                         {"sport": 41000, "window": 14600}])
    one("mixed", ip=BOT, mirai_packets=3, syn_packets=10, purity="mixed",
        mirai=True, tool=None, **{"class": "scanner"})
    one("chance", mirai_packets=1, syn_packets=51, mirai=True,
        mirai_k2=False, purity="mixed", tool=None)
    out, _ = run("chance", TEL, json_out=False)
    if "Mirai sources: 1 (k>=1), 0 (k>=2)" not in out:
        fail("chance", "k=1 should count it, k=2 not:\n" + out)
    s, _ = run("chance", TEL + ["--mirai-min-packets", "2"])
    expect("chance k=2", next(iter(s.values())), mirai=False)
    print("ok chance k=2")
    s, _ = run("gaps", TEL)
    expect("gaps 600 s", s["192.0.2.90"], events=1)
    expect("gaps 700 s", s["192.0.2.91"], events=2)
    print("ok gaps")
    events_in_store()
    rates()
    days()
    mix()
    caps_and_window()


def events_in_store():
    db = os.path.join(WORK, "gaps.db")
    if os.path.exists(db):
        os.remove(db)
    run("gaps", TEL, json_out=False, db=db)
    con = sqlite3.connect(db)
    rows = sorted(con.execute(
        "SELECT ip, port, class, packets, (last_us - first_us) / 1000000,"
        " json_extract(sample, '$.dst') FROM telescope_event"))
    con.close()
    want = [("192.0.2.90", 23, "tcp_syn", 2, 600, "198.51.100.7"),
            ("192.0.2.91", 23, "tcp_syn", 1, 0, "198.51.100.7"),
            ("192.0.2.91", 23, "tcp_syn", 1, 0, "203.0.113.77")]
    if rows != want:
        fail("gaps", "event rows %s, wanted %s" % (rows, want))
    print("ok gaps events in the store (with their first packet)")


def caps_and_window():
    # --max-sources 2 on the mix: sources leave the table early, marked
    # evicted and counted; no packet is lost.
    s, err = run("mix", TEL + ["--max-sources", "2"])
    full, _ = run("mix", TEL)
    lines = subprocess.run(
        [VANTAGE, "telescope", "--json", "--max-sources", "2"] + TEL +
        [os.path.join(CASES, "synthetic-mix.pcap")], capture_output=True,
        text=True).stdout.splitlines()
    objs = [json.loads(l) for l in lines]
    ev = sum(1 for o in objs if o["evicted"])
    if sum(o["packets"] for o in objs) != sum(o["packets"] for o in full.values()):
        fail("max-sources", "packets lost with the cap")
    if ev == 0 or ("%d sources evicted" % ev) not in err:
        fail("max-sources", "%d evicted objects; stderr %s" % (ev, err))
    print("ok --max-sources 2 (%d evictions counted, no packet lost)" % ev)
    db = os.path.join(WORK, "window.db")
    if os.path.exists(db):
        os.remove(db)
    run("restart", TEL + ["--window", "30s"], json_out=False, db=db)
    con = sqlite3.connect(db)
    rows = list(con.execute(
        "SELECT start_us / 1000000 % 86400, mirai_sources, mirai_packets FROM"
        " telescope_window WHERE length_s = 30 AND mirai_packets > 0"
        " ORDER BY start_us"))
    con.close()
    # 10 SYNs at T0+0..9 s and 10 at T0+100..109 s (T0 = 10:00:00 UTC).
    want = [(36000, 1, 10), (36090, 1, 10)]  # windows [0,30) and [90,120)
    if rows != want:
        fail("--window 30s", "rows %s, wanted %s" % (rows, want))
    print("ok --window 30s")


def rates():
    s, err = run("dsts9_10", RATE_PFX)
    per = 2.0 ** 32 / RATE_SIZE
    expect("9 dsts", s["192.0.2.100"], unique_dsts=9, scan_events=0,
           **{"class": "other"})
    expect("10 dsts", s["192.0.2.101"], unique_dsts=10, scan_events=1,
           **{"class": "scanner"})
    # 0.9 s counts as 1 s; C spans 100 s.
    for ip, want in (("192.0.2.101", 10 * per / 1.0),
                     ("192.0.2.102", 10 * per / 100.0)):
        if abs(s[ip]["max_rate"] - want) > 0.001:
            fail("rate", "%s max_rate %s, wanted %.3f" %
                 (ip, s[ip]["max_rate"], want))
    if "192.0.2.103" in s or "1 outside" not in err:
        fail("rate", "the packet outside the prefixes was not skipped")
    print("ok dsts9_10 and rates")


def days():
    db = os.path.join(WORK, "days.db")
    if os.path.exists(db):
        os.remove(db)
    run("days", TEL, json_out=False, db=db)
    con = sqlite3.connect(db)
    rows = list(con.execute(
        "SELECT mirai_sources, mirai_sources_k2, new_sources FROM"
        " telescope_window WHERE length_s = 86400 ORDER BY start_us"))
    want = [(3, 0, 3), (2, 0, 1), (1, 1, 1)]
    if rows != want:
        fail("days", "per-day rows %s, wanted %s" % (rows, want))
    run_row = con.execute("SELECT vantage, technique, status FROM run").fetchall()
    if run_row != [("external", "passive", "ok")]:
        fail("days", "run row %s" % run_row)
    devs = con.execute("SELECT count(*) FROM device d JOIN telescope_source s"
                       " ON s.device_id = d.id WHERE d.key_ip = s.ip"
                       " AND s.class = 'scanner'").fetchone()[0]
    if devs != 5:
        fail("days", "%d scanner devices keyed by IP, wanted 5" % devs)
    dr = con.execute("SELECT count(*), sum(packets_sent) FROM device_run"
                     ).fetchone()
    if dr != (5, 7):
        fail("days", "device_run rows/packets %s, wanted (5, 7)" % (dr,))
    out = subprocess.run([VANTAGE, "devices", "--json", "--db", db],
                         capture_output=True, text=True).stdout
    ips = sorted(json.loads(l)["ips"][0] for l in out.splitlines())
    if ips != ["45.67.90.%d" % i for i in range(1, 6)]:
        fail("days", "vantage devices lists %s" % ips)
    # A version-1 store (before the telescope tables) migrates in place
    # and keeps its rows.
    con.executescript("DROP TABLE telescope_run; DROP TABLE telescope_source;"
                      " DROP TABLE telescope_event; DROP TABLE telescope_window;"
                      " DROP TABLE telescope_victim; PRAGMA user_version = 1;")
    con.close()
    run("days", TEL, json_out=False, db=db)
    con = sqlite3.connect(db)
    v = con.execute("PRAGMA user_version").fetchone()[0]
    runs = con.execute("SELECT count(*) FROM run").fetchone()[0]
    n = con.execute("SELECT count(*) FROM telescope_window WHERE"
                    " length_s = 86400").fetchone()[0]
    if (v, runs, n) != (2, 2, 3):
        fail("days", "v1 -> v2 migration: version %d, %d runs, %d day rows"
             % (v, runs, n))
    con.close()
    print("ok days (per-day counts, run row, devices keyed by IP, "
          "v1 store migrated)")


def mix():
    out, _ = run("mix", TEL, json_out=False)
    for want in ("scanners by tool: mirai 1, masscan 1, zmap 1, other 0",
                 "sources: 3 scanners, 3 backscatter, 0 other",
                 "3 victims"):
        if want not in out:
            fail("mix", "summary lacks %r:\n%s" % (want, out))
    print("ok mix")


def bad_usage():
    """Bad options and unreadable input: one error line, exit 2."""
    cap = os.path.join(CASES, "synthetic-canonical.pcap")
    for args in (["--prefix", "300.1.1.0/24", cap], ["--prefix", "2001:db8::/32", cap],
                 ["--prefix", "10.0.0.0/8", "--prefix", "10.1.0.0/16", cap],
                 ["--window", "0", cap], ["--window", "5y", cap],
                 ["--mirai-min-packets", "0", cap], ["--max-sources", "x", cap],
                 [os.path.join(CASES, "missing.pcap")],
                 [os.path.join(CASES, "SYNTHETIC.txt")], []):
        p = subprocess.run([VANTAGE, "telescope"] + args, capture_output=True,
                           text=True, timeout=60)
        lines = [l for l in p.stderr.splitlines()
                 if l.startswith("vantage telescope: ")]
        if p.returncode != 2 or len(lines) != 1 or p.stdout:
            fail("usage %s" % args, "exit %d, stderr %r" % (p.returncode,
                                                             p.stderr))
    print("ok bad usage and unreadable input (one line, exit 2)")


bad_usage()
positives()
negatives()
scenarios()
print("all telescope cases passed")
