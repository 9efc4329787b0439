#!/usr/bin/env python3
"""Per-source Mirai signature counts: vantage against tshark.

Usage: oracle_mirai.py VANTAGE PCAP...

For each capture, tshark lists every IPv4 TCP SYN (SYN set; ACK, RST and
FIN clear; ICMP packets excluded, so a SYN quoted inside an ICMP error is
not counted) with its source, destination and raw sequence number; the
signature test (seq == destination address as a 32-bit number) is
computed here, independently of vantage. vantage telescope --json (no
--prefix: every packet counts) must report, for every source, the same
mirai_packets and syn_packets. Prints one line per capture; exit 1 on any
difference.
"""
import collections
import ipaddress
import json
import subprocess
import sys

FILTER = ("ip && !icmp && tcp.flags.syn == 1 && tcp.flags.ack == 0 && "
          "tcp.flags.reset == 0 && tcp.flags.fin == 0")


def tshark(path):
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-Y", FILTER, "-T", "fields",
         "-E", "occurrence=f", "-e", "ip.src", "-e", "ip.dst",
         "-e", "tcp.seq_raw"],
        capture_output=True, text=True, check=True, timeout=600).stdout
    sig, syn = collections.Counter(), collections.Counter()
    for line in out.splitlines():
        src, dst, seq = line.split("\t")
        syn[src] += 1
        if int(seq) == int(ipaddress.IPv4Address(dst)):
            sig[src] += 1
    return sig, syn


def vantage(exe, path):
    p = subprocess.run([exe, "telescope", "--json", path],
                       capture_output=True, text=True, timeout=600)
    if p.returncode not in (0, 1):
        raise SystemExit("vantage failed on %s: %s" % (path, p.stderr))
    sig, syn = collections.Counter(), collections.Counter()
    for line in p.stdout.splitlines():
        o = json.loads(line)
        if o["mirai_packets"]:
            sig[o["ip"]] += o["mirai_packets"]
        if o["syn_packets"]:
            syn[o["ip"]] += o["syn_packets"]
    return sig, syn


bad = 0
for path in sys.argv[2:]:
    ts, tsyn = tshark(path)
    vs, vsyn = vantage(sys.argv[1], path)
    if ts != vs or tsyn != vsyn:
        bad += 1
        for ip in sorted(set(ts) | set(vs)):
            if ts[ip] != vs[ip]:
                print("  %s mirai_sig tshark %d vantage %d" % (ip, ts[ip], vs[ip]))
        for ip in sorted(set(tsyn) | set(vsyn)):
            if tsyn[ip] != vsyn[ip]:
                print("  %s SYNs tshark %d vantage %d" % (ip, tsyn[ip], vsyn[ip]))
        print("MISMATCH %s" % path)
    else:
        print("OK %s: %d sources with the signature (%d packets), %d SYN "
              "sources (%d SYNs)" % (path, len(ts), sum(ts.values()),
                                     len(tsyn), sum(tsyn.values())))
sys.exit(1 if bad else 0)
