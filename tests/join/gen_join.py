#!/usr/bin/env python3
"""Writes the inputs of the Mirai join test (tests/join/join.test.sh).

Usage: gen_join.py OUTDIR

OUTDIR/synthetic-join.pcap: a crafted (synthetic) darknet capture for the
telescope 198.51.100.0/24 + 203.0.113.0/24, made with the telescope
generator's packet writer (tests/telescope/pcapgen.py): Mirai scanners at
known addresses (SYNs whose sequence number is the destination), one with
a single Mirai SYN (below k = 2), and an ordinary scanner.
OUTDIR/synthetic-zgrab2.jsonl, synthetic-censys.jsonl,
synthetic-masscan.ndjson: scan records written for the test (synthetic
too): IoT banners (MikroTik FTP/Telnet, a Huawei CWMP realm, a Hikvision
DVR certificate and web server, Dropbear SSH, a ZTE Telnet prompt, an
unlabelled DVR prompt) for some Mirai sources, and for addresses that
are not Mirai sources. Deterministic.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "telescope"))
from pcapgen import T0, ip4, syn, write_pcap  # noqa: E402

A, B, C, D, E = ("45.67.89.1", "45.67.89.2", "45.67.89.3", "45.67.89.4",
                 "45.67.89.5")
F = "45.67.89.6"     # one Mirai SYN only: not a source at k = 2
G = "45.67.89.7"     # an ordinary scanner
H = "192.0.2.99"     # never seen by the telescope


def dst(i):
    return "198.51.100.%d" % (1 + i % 250) if i % 2 else \
        "203.0.113.%d" % (1 + i % 250)


def mirai(src, d, ts, port=23):
    return (ts, syn(src, d, port, ip4(d), sport=41000, win=5840,
                    ipid=int(ts * 7) % 65521 + 1))


def plain(src, d, ts, port=23, k=0):
    seq = (ip4(d) ^ 0x5A5A5A5A) + k
    return (ts, syn(src, d, port, seq & 0xFFFFFFFF, sport=52000 + k,
                    win=29200, ipid=(k * 131) % 60000 + 3))


def capture():
    f = []
    for k in range(4):                       # A: 4 Mirai SYNs from T0+100.25
        f.append(mirai(A, dst(k), T0 + 100.25 + k))
    f.append(plain(B, dst(40), T0 + 50.5, k=1))   # B: seen first by a plain SYN
    for k in range(3):
        f.append(mirai(B, dst(10 + k), T0 + 200 + 0.5 * k, port=2323))
    for k in range(5):
        f.append(mirai(C, dst(20 + k), T0 + 3600 + 10 * k))
    for k in range(2):
        f.append(mirai(D, dst(30 + k), T0 + 7200 + k))
    for k in range(3):
        f.append(mirai(E, dst(50 + k), T0 + 300.75 + k))
    f.append(mirai(F, dst(60), T0 + 400))
    for k in range(3):
        f.append(plain(F, dst(61 + k), T0 + 401 + k, k=10 + k))
    for k in range(12):
        f.append(plain(G, dst(70 + k), T0 + 500 + 0.1 * k, port=7547,
                       k=20 + k))
    f.sort(key=lambda x: x[0])
    return f


def zmod(proto, port, ts, result):
    m = {"status": "success", "protocol": proto, "port": port,
         "result": result}
    if ts:
        m["timestamp"] = ts
    return m


def zgrab2():
    mikrotik_telnet = {"banner": "\r\nMikroTik v6.38.5 (stable)\r\nLogin: "}
    mikrotik_ftp = {"banner": "220 MikroTik FTP server (MikroTik 6.38.5) "
                              "ready\r\n"}
    dropbear = {"server_id": {"raw": "SSH-2.0-dropbear_2014.66",
                              "version": "2.0", "software":
                              "dropbear_2014.66"}}
    huawei = {"response": {"status_line": "401 Unauthorized",
                           "status_code": 401, "protocol": {"name":
                                                            "HTTP/1.1"},
                           "headers": {"www_authenticate": [
                               "Digest realm=\"HuaweiHomeGateway\", "
                               "nonce=\"1a2b\", qop=\"auth\""]},
                           "body": ""}}
    return [
        {"ip": A, "data": {
            "telnet": zmod("telnet", 23, "2016-11-25T12:00:00Z",
                           mikrotik_telnet),
            "ftp": zmod("ftp", 21, "2016-11-25T12:00:05Z", mikrotik_ftp),
            "ssh": zmod("ssh", 22, "2016-11-25T12:00:10Z", dropbear)}},
        {"ip": C, "data": {
            "telnet": zmod("telnet", 23, "2016-11-26T08:30:00Z",
                           {"banner": "\r\nDahua login: "}),
            "ftp": zmod("ftp", 21, "2016-11-26T08:30:02Z",
                        {"banner": "220 Welcome to Hikvision FTP\r\n"})}},
        {"ip": E, "data": {
            "ssh": zmod("ssh", 22, None, dropbear)}},
        {"ip": F, "data": {
            "telnet": zmod("telnet", 23, "2016-11-25T12:00:00Z",
                           mikrotik_telnet)}},
        {"ip": G, "data": {
            "cwmp": zmod("http", 7547, "2016-11-25T13:00:00Z", huawei)}},
        {"ip": H, "data": {
            "ftp": zmod("ftp", 21, "2016-11-25T13:00:00Z", mikrotik_ftp)}},
    ]


def censys():
    hik_cert = {"tls": {"certificate": {"parsed": {
        "subject_dn": "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,"
                      "L=HangZhou,ST=ZheJiang,C=CN",
        "issuer_dn": "CN=www.hikvision.com,OU=DVRNVR,O=HIKVISION,"
                     "L=HangZhou,ST=ZheJiang,C=CN",
        "fingerprint_sha256": "ab" * 32}}}}
    huawei = {"get": {"status_code": 401, "status_line": "401 Unauthorized",
                      "headers": {"www_authenticate":
                                  "Digest realm=\"HuaweiHomeGateway\""},
                      "body": ""}}
    return [
        # A, five weeks before the sighting: the zgrab2 Telnet banner is
        # closer in time, so this one is not the joined one.
        {"ip": A, "updated_at": "2016-10-20T08:00:00+00:00",
         "ports": [23], "protocols": ["23/telnet"],
         "p23": {"telnet": {"banner": {"banner": "\r\nDVR login: "}}}},
        {"ip": B, "updated_at": "2016-10-21T09:00:00+00:00",
         "ports": [7547, 443, 22],
         "protocols": ["7547/cwmp", "443/https", "22/ssh"],
         "p7547": {"cwmp": huawei}, "p443": {"https": hik_cert},
         "p22": {"ssh": {"v2": {"banner": {
             "raw": "SSH-2.0-dropbear_2012.55",
             "software": "dropbear_2012.55"}}}}},
        {"ip": G, "updated_at": "2016-11-20T00:00:00+00:00",
         "ports": [443], "protocols": ["443/https"],
         "p443": {"https": hik_cert}},
    ]


def masscan():
    recs = [
        {"ip": E, "timestamp": str(T0 + 5000), "port": 80, "proto": "tcp",
         "rec_type": "banner", "data": {
             "service_name": "http",
             "banner": "HTTP/1.1 200 OK\r\nServer: DNVRS-Webs\r\n\r\n"}},
        {"ip": E, "timestamp": str(T0 + 300), "port": 23, "proto": "tcp",
         "rec_type": "banner", "data": {
             "service_name": "telnet",
             "banner": "\r\nZXHN H108N\r\nLogin: "}},
        {"ip": H, "timestamp": str(T0 + 900), "port": 23, "proto": "tcp",
         "rec_type": "banner", "data": {
             "service_name": "telnet",
             "banner": "\r\nZXHN H108N\r\nLogin: "}},
    ]
    return recs


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_pcap(os.path.join(out, "synthetic-join.pcap"), capture())
    for name, recs in (("synthetic-zgrab2.jsonl", zgrab2()),
                       ("synthetic-censys.jsonl", censys()),
                       ("synthetic-masscan.ndjson", masscan())):
        with open(os.path.join(out, name), "w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
    with open(os.path.join(out, "SYNTHETIC.txt"), "w") as f:
        f.write("Every file here is synthetic, written by "
                "tests/join/gen_join.py for the Mirai join test.\n")


if __name__ == "__main__":
    main()
