#!/usr/bin/env python3
"""Expected `vantage report --json` figures for the lab, computed without
the store (tests/report/report_lab.test.sh).

usage: check_lab.py REPORT.jsonl CAPTURE.pcap TRUTH.tsv DEVICES.tsv STORE
                    [DEVICE:PROTO/PORT...]
The DEVICE:PROTO/PORT arguments name the services the test's traffic used
(the capture must show each used as server, or the test proves little).

Sources of the expected values:
  - lab/devices.tsv: the LAN's devices (MAC, IP); the scanner is skipped
    (it is not scanned, and discover skips itself);
  - lab/truth.tsv: the ports each LAN device offers (vantage "lan"), less
    udp/67 (DHCP answers go to port 68, never to a prober's port);
  - tshark's dissection of the capture: flows grouped here in Python by
    (IP version, protocol, the two address:port ends); the initiator is the
    SYN's sender (the SYN-ACK's receiver), for DHCP the client, else the
    first sender unless a port < 1024 answers a port >= 1024; the server
    port is the responder's; a flow's scope is external when an end is
    outside the lab's LAN (192.168.77.0/24, fd00:77::/64, fe80::/10,
    multicast, broadcast, unspecified); bytes are frame lengths; the
    passive view's devices are the unicast MACs of the capture (the
    scanner's too, should its IPv6 start-up chatter be captured right
    after lab/up); an end is a device when its MAC is one of those and its
    address is on the LAN and not multicast;
  - the risky table (README "Risky services", src/report/risky.c): policy.
The store is read for one thing only: its device table, to check that each
LAN MAC is one device (not one per address or per run) and that no LAN
address keys a device of its own.
Prints "ok ..."/"FAIL ..." lines and a summary; exits 1 on a failure.
"""
import ipaddress
import json
import sqlite3
import subprocess
import sys

RISKY = {("tcp", p) for p in (21, 22, 23, 69, 111, 135, 139, 445, 1900, 2323,
                               3389, 5555, 5900, 7547, 49152)} | \
    {("udp", p) for p in (69, 111, 161, 1900)}
LAN4 = ipaddress.ip_network("192.168.77.0/24")
LAN6 = [ipaddress.ip_network(n) for n in ("fd00:77::/64", "fe80::/10")]
fails = 0
checks = 0


def check(desc, got, want, tol=1e-6):
    global fails, checks
    checks += 1
    if isinstance(want, float) or isinstance(got, float):
        ok = got is not None and want is not None and \
            abs(got - want) <= tol * max(1.0, abs(want))
    else:
        ok = got == want
    print("%s %s: %r%s" % ("ok  " if ok else "FAIL", desc, got,
                           "" if ok else " (want %r)" % (want,)))
    if not ok:
        fails += 1


def tsv(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8")
            if not l.startswith("#") and l.strip()]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def on_lan(ip):
    a = ipaddress.ip_address(ip)
    if a.is_multicast or a.is_unspecified or ip == "255.255.255.255":
        return True
    if a.version == 4:
        return a in LAN4
    return any(a in n for n in LAN6)


def quantile(s, q):
    h = (len(s) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def packets(pcap):
    fields = ["frame.len", "eth.src", "eth.dst", "ip.src", "ip.dst",
              "ipv6.src", "ipv6.dst", "ip.proto", "ipv6.nxt", "tcp.srcport",
              "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags.syn",
              "tcp.flags.ack", "icmpv6.type"]
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        v = dict(zip(fields, line.split("\t")))
        src = v["ip.src"] or v["ipv6.src"]
        if not src:
            continue  # ARP and other non-IP frames make no flow
        dst = v["ip.dst"] or v["ipv6.dst"]
        if v["tcp.srcport"]:
            proto, sp, dp = 6, int(v["tcp.srcport"]), int(v["tcp.dstport"])
        elif v["udp.srcport"]:
            proto, sp, dp = 17, int(v["udp.srcport"]), int(v["udp.dstport"])
        else:
            proto = 58 if v["icmpv6.type"] else int(v["ip.proto"] or
                                                    v["ipv6.nxt"])
            sp = dp = 0
        flags = (v["tcp.flags.syn"] in ("1", "True"),
                 v["tcp.flags.ack"] in ("1", "True"))
        yield (int(v["frame.len"]), v["eth.src"], v["eth.dst"], src, dst,
               proto, sp, dp, flags)


def flows(pcap):
    fl = {}
    for ln, msrc, mdst, src, dst, proto, sp, dp, (syn, ack) in packets(pcap):
        key = (proto, frozenset([(src, sp), (dst, dp)]))
        f = fl.get(key)
        if f is None:
            swap = False
            if proto == 6 and syn:
                swap = ack
            elif (sp, dp) in ((67, 68), (547, 546)):
                swap = True
            elif sp < 1024 <= dp:
                swap = True
            a, b = ((dst, dp, mdst), (src, sp, msrc)) if swap else \
                ((src, sp, msrc), (dst, dp, mdst))
            f = fl[key] = {"proto": proto, "a": a, "b": b, "bytes": 0,
                           "mac": {a[0]: a[2], b[0]: b[2]}}
        f["bytes"] += ln
        f["mac"][src] = msrc  # a sender's own MAC wins over a guess
    return list(fl.values())


def main():
    rep, pcap, truth, devices, store = sys.argv[1:6]
    plan = sys.argv[6:]
    objs = [json.loads(l) for l in open(rep, encoding="utf-8") if l.strip()]
    by = {}
    for o in objs:
        by.setdefault(o["object"], []).append(o)
    head = by["report"][0]
    rdev = {d["key"]: d for d in by.get("device", [])}

    lan = {d["mac"]: d for d in tsv(devices) if d["role"] != "scanner"}
    scanner = [d["mac"] for d in tsv(devices) if d["role"] == "scanner"]
    offered = {m: set() for m in lan}
    ip_mac = {d["ip"]: m for m, d in lan.items()}
    for t in tsv(truth):
        if t["vantage"] == "lan" and t["ip"] in ip_mac and \
                (t["proto"], t["port"]) != ("udp", "67"):
            offered[ip_mac[t["ip"]]].add((t["proto"], int(t["port"])))

    # The capture, read by tshark.
    fl = flows(pcap)
    seen = set()
    for ln, msrc, mdst, *_ in packets(pcap):
        seen |= {msrc, mdst}
    passive = {m for m in seen if m and not int(m[:2], 16) & 1}
    print("info capture: %d frames' unicast MACs: %d LAN devices, scanner %s,"
          " other %s" % (sum(1 for _ in packets(pcap)), len(passive & set(lan)),
                        "yes" if set(scanner) & passive else "no",
                        sorted(passive - set(lan) - set(scanner)) or "none"))
    alldev = set(lan) | passive
    used = {m: set() for m in alldev}  # (proto, port, role, scope)
    cnt = {m: {"local_flows": 0, "external_flows": 0, "local_bytes": 0,
               "external_bytes": 0} for m in alldev}
    peers = {m: set() for m in alldev}
    dist = {"local": [], "external": []}
    for f in fl:
        ext = not (on_lan(f["a"][0]) and on_lan(f["b"][0]))
        scope = "external" if ext else "local"
        dist[scope].append(float(f["bytes"]))
        pname = {6: "tcp", 17: "udp"}.get(f["proto"])
        for side, other, role in ((f["a"], f["b"], "client"),
                                  (f["b"], f["a"], "server")):
            mac = f["mac"][side[0]]
            if mac not in alldev or not on_lan(side[0]) or \
                    ipaddress.ip_address(side[0]).is_multicast:
                continue
            cnt[mac][scope + "_flows"] += 1
            cnt[mac][scope + "_bytes"] += f["bytes"]
            if ext:
                peers[mac].add(other[0])
            if pname:
                used[mac].add((pname, f["b"][1], role, scope))
    userv = {m: {(p, n) for p, n, r, _ in used[m] if r == "server"}
             for m in alldev}
    name_mac = {d["device"]: m for m, d in lan.items()}
    for w in plan:
        n, svc = w.split(":")
        p, num = svc.split("/")
        check("capture: %s used as server on %s" % (n, svc),
              (p, int(num)) in userv[name_mac[n]], True)
    big = max(dist["external"], default=0)
    check("capture: an external flow carries the 1 MiB download",
          big > 1048576, True)

    # Views and devices.
    views = {v["view"]: v for v in head["views"]}
    check("internal_active: runs (discover, scan)",
          views["internal_active"]["runs"], 2)
    check("internal_active: devices", views["internal_active"]["devices"],
          len(lan))
    check("internal_passive: runs (read)", views["internal_passive"]["runs"], 1)
    check("internal_passive: devices (unicast MACs in the capture)",
          views["internal_passive"]["devices"], len(passive))
    check("missing views", head["missing"],
          ["external_active", "external_passive"])
    check("devices", head["devices"], len(alldev))
    check("device keys are the MACs", sorted(rdev), sorted(alldev))
    con = sqlite3.connect(store)
    rows = con.execute("SELECT mac, key_ip FROM device").fetchall()
    check("store: device rows", len(rows), len(alldev))
    check("store: one row per MAC",
          sorted(r[0] for r in rows if r[0]), sorted(alldev))
    check("store: no device keyed by an address",
          [r[1] for r in rows if r[1]], [])
    runs = con.execute(
        "SELECT d.mac, r.command FROM device_run x JOIN device d ON "
        "d.id = x.device_id JOIN run r ON r.id = x.run_id").fetchall()
    for cmd, want in (("discover", set(lan)), ("scan", set(lan)),
                      ("read", passive)):
        check("store: devices of the %s run" % cmd,
              sorted(m for m, c in runs if c == cmd), sorted(want))

    # Per device.
    shares = []
    for m in sorted(alldev):
        o = rdev.get(m)
        if o is None:
            continue
        d = lan.get(m, {"device": m})
        n = d["device"]
        want_views = (["internal_active"] if m in lan else []) + \
            (["internal_passive"] if m in passive else [])
        check("%s views" % n, o["views"], want_views)
        if m in lan:
            check("%s ip" % n, o["ip"], d["ip"])
        off, us = offered.get(m, set()), userv[m]
        ports = {(p["proto"], p["port"]): p for p in o["ports"]}
        check("%s offered (truth)" % n, o["offered"], len(off))
        check("%s offered ports" % n,
              sorted(k for k, p in ports.items() if p["offered_internal"]),
              sorted(off))
        check("%s ports used as server (capture)" % n,
              sorted(k for k, p in ports.items() if p["used"]), sorted(us))
        check("%s used_server" % n, o["used_server"], len(us))
        check("%s offered_used" % n, o["offered_used"], len(off & us))
        share = len(off & us) / len(off) if off else None
        if share is not None:
            shares.append(share)
            check("%s used_share" % n, o["used_share"], share)
        unused = off - us
        check("%s offered but unused" % n,
              sorted(k for k, p in ports.items() if p["offered_unused"]),
              sorted(unused))
        check("%s risky unused" % n,
              sorted(k for k, p in ports.items()
                     if p["offered_unused"] and p["risky"]),
              sorted(unused & RISKY))
        check("%s unused_risky" % n, o["unused_risky"], len(unused & RISKY))
        check("%s services_used" % n, o["services_used"], len(used[m]))
        for p, num in sorted(us):
            scopes = sorted({s for pp, nn, r, s in used[m]
                             if (pp, nn, r) == (p, num, "server")})
            check("%s %s/%d used_scopes" % (n, p, num),
                  ports[(p, num)]["used_scopes"], scopes)
        for k, v in cnt[m].items():
            check("%s %s" % (n, k), o[k], v)
        check("%s external_peers" % n, o["external_peers"], len(peers[m]))
    if shares:
        check("median used share", head["median_used_share"],
              quantile(sorted(shares), 0.5))

    # Services per view: devices, share, competition rank.
    per = {"internal_active": {}, "internal_passive": {}}
    for m in alldev:
        for k in offered.get(m, ()):
            per["internal_active"].setdefault(k, set()).add(m)
        for p, num, _, _ in used[m]:
            per["internal_passive"].setdefault((p, num), set()).add(m)
    ndev = {"internal_active": len(lan), "internal_passive": len(passive)}
    rsvc = {(o["proto"], o["port"]): o for o in by.get("service", [])}
    check("service objects",
          sorted(rsvc), sorted(set(per["internal_active"]) |
                               set(per["internal_passive"])))
    for v, svcs in per.items():
        counts = {k: len(x) for k, x in svcs.items()}
        for k in sorted(counts):
            o = rsvc.get(k, {}).get("views", {}).get(v, {})
            c = counts[k]
            check("service %s/%d %s devices" % (k + (v,)), o.get("devices"), c)
            check("service %s/%d %s share" % (k + (v,)), o.get("share"),
                  c / ndev[v])
            check("service %s/%d %s rank" % (k + (v,)), o.get("rank"),
                  1 + sum(1 for x in counts.values() if x > c))

    # Bytes per flow, local vs external.
    rd = {o["scope"]: o for o in by.get("bytes_per_flow", [])}
    names = ["min", "p10", "p25", "median", "p75", "p90", "max"]
    qs = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]
    for scope in ("local", "external"):
        b = sorted(dist[scope])
        check("%s flows" % scope, rd[scope]["flows"], len(b))
        if b:
            check("%s bytes per flow: mean" % scope, rd[scope]["mean"],
                  sum(b) / len(b))
            for nm, q in zip(names, qs):
                check("%s bytes per flow: %s" % (scope, nm),
                      rd[scope]["quantiles"][nm], quantile(b, q))
    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
