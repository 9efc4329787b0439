"""bench/scan-compare.py OUTDIR TRUTH: the comparison table of bench/scan.sh.

Reads OUTDIR/{vantage,vantage-syn}.out (vantage scan --json), nmap.xml,
masscan.list, zmap.out and the *.time files ("wall cpu rc"), and the lab's
truth file (TCP rows visible from the LAN: vantage column lan or any).
Services: Nmap's count only when it named them by probing (method
"probed"), not when it guessed from its port table; "ssl/x" counts as x.
Agreement: ports open for both Nmap and vantage where at least one named
the service; they agree when the names are equal."""
import json
import os
import sys
import xml.etree.ElementTree as ET

out, truth_path = sys.argv[1], sys.argv[2]


def norm(s):
    s = (s or "").strip()
    if s.startswith("ssl/"):
        s = s[4:]
    # Nmap's mqtt-subscribe script (version category, so part of -sV)
    # overwrites the service name with the broker's $SYS version string.
    if s.startswith("mosquitto version"):
        s = "mqtt"
    return {"https": "http", "https-alt": "http"}.get(s, s)


def timing(name):
    try:
        w, c, rc = open(os.path.join(out, name + ".time")).read().split()
        return float(w), float(c), int(rc)
    except (OSError, ValueError):
        return None


def vantage(name):
    ports, svc = set(), {}
    try:
        for line in open(os.path.join(out, name + ".out")):
            r = json.loads(line)
            if r["proto"] == "tcp" and r["state"] == "open":
                k = (r["ip"], r["port"])
                ports.add(k)
                if r.get("service"):
                    svc[k] = (norm(r["service"]), r.get("product") or "")
    except OSError:
        pass
    return ports, svc


def nmap():
    ports, svc = set(), {}
    try:
        root = ET.parse(os.path.join(out, "nmap.xml")).getroot()
    except (OSError, ET.ParseError):
        return ports, svc
    for h in root.iter("host"):
        ip = [a.get("addr") for a in h.iter("address") if a.get("addrtype") == "ipv4"][0]
        for p in h.iter("port"):
            st = p.find("state")
            if p.get("protocol") != "tcp" or st is None or st.get("state") != "open":
                continue
            k = (ip, int(p.get("portid")))
            ports.add(k)
            s = p.find("service")
            if s is not None and s.get("method") == "probed" and s.get("name") not in ("unknown", "tcpwrapped"):
                svc[k] = (norm(s.get("name")), s.get("product") or "")
    return ports, svc


def masscan():
    ports = set()
    try:
        for line in open(os.path.join(out, "masscan.list")):
            f = line.split()
            if len(f) >= 4 and f[0] == "open" and f[1] == "tcp":
                ports.add((f[3], int(f[2])))
    except OSError:
        pass
    return ports


def zmap():
    ports = set()
    try:
        for line in open(os.path.join(out, "zmap.out")):
            f = line.strip().split(",")
            if len(f) >= 2 and f[1].isdigit():
                ports.add((f[0], int(f[1])))
    except OSError:
        pass
    return ports


truth = set()
for line in open(truth_path):
    f = line.rstrip("\n").split("\t")
    if line.startswith("#") or len(f) < 11 or f[0] == "device":
        continue
    if f[3] == "tcp" and f[10] in ("lan", "any"):
        truth.add((f[2], int(f[4])))

v_ports, v_svc = vantage("vantage")
s_ports, _ = vantage("vantage-syn")
n_ports, n_svc = nmap()
rows = [("vantage scan", "vantage", v_ports, v_svc),
        ("vantage scan --no-grab", "vantage-syn", s_ports, None),
        ("nmap -sS -sV", "nmap", n_ports, n_svc),
        ("masscan", "masscan", masscan(), None),
        ("zmap (per port)", "zmap", zmap(), None)]

print()
print("%-24s %8s %8s %6s %10s %9s %8s" % ("tool", "wall s", "cpu s", "open",
                                          "truth", "services", "missed"))
for label, name, ports, svc in rows:
    t = timing(name)
    w, c = ("%.1f" % t[0], "%.2f" % t[1]) if t else ("-", "-")
    print("%-24s %8s %8s %6d %6d/%-3d %9s %8d" % (
        label, w, c, len(ports), len(ports & truth), len(truth),
        len(svc) if svc is not None else "-", len(truth - ports)))

both = v_ports & n_ports
agree, differ, only_v, only_n = 0, [], [], []
for k in sorted(both):
    a, b = v_svc.get(k, ("", ""))[0], n_svc.get(k, ("", ""))[0]
    if a and b:
        if a == b:
            agree += 1
        else:
            differ.append((k, a, b))
    elif a:
        only_v.append((k, a))
    elif b:
        only_n.append((k, b))
tv, tn = timing("vantage"), timing("nmap")
print()
print("ports open for both vantage and nmap: %d; Nmap's open ports vantage missed: %d"
      % (len(both), len(n_ports - v_ports)))
print("per-port service agreement with nmap: %d agree, %d differ (ports both named);"
      " named by vantage only: %d, by nmap only: %d"
      % (agree, len(differ), len(only_v), len(only_n)))
for (ip, port), a, b in differ:
    print("  differ %s:%d vantage=%s nmap=%s" % (ip, port, a, b))
for (ip, port), a in only_v:
    print("  vantage only %s:%d %s" % (ip, port, a))
for (ip, port), b in only_n:
    print("  nmap only %s:%d %s" % (ip, port, b))
for k in sorted(n_ports - v_ports):
    print("  missed by vantage: %s:%d" % k)
for k in sorted(truth - v_ports):
    print("  truth port not found by vantage: %s:%d" % k)
if tv and tn and tv[0] > 0:
    print("wall-time speed-up over nmap -sS -sV: %.1fx" % (tn[0] / tv[0]))
