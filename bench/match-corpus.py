#!/usr/bin/env python3
"""Builds the banner corpus of bench/match.sh (JSON Lines, DESIGN.md
format) on stdout, at least N lines:
  - every Recog <example> (recog-examples.jsonl), framed as the protocol
    sends it when Recog's field is a banner or header (SSH, FTP, SMTP,
    POP3, IMAP, telnet, HTTP Server / WWW-Authenticate / title, RTSP, SIP),
    otherwise given as the field itself (probe = the database's key);
  - banners captured from real daemons (--captured FILE, JSON Lines);
  - random negatives (1 in 10): random bytes, HTTP 400 pages, empty;
then the whole list replicated until there are at least N lines.
Deterministic (fixed seed)."""
import base64, json, random, sys

def esc(b):
    return "".join(chr(c) if 0x20 <= c < 0x7F and c != 0x5C else "\\x%02x" % c for c in b)

FRAME = {
    "ssh.banner": (22, lambda e: b"SSH-2.0-" + e + b"\r\n"),
    "ftp.banner": (21, lambda e: b"220 " + e.replace(b"\r\n", b"\r\n220 ") + b"\r\n"),
    "smtp.banner": (25, lambda e: b"220 " + e + b"\r\n"),
    "pop3.banner": (110, lambda e: b"+OK " + e + b"\r\n"),
    "imap4.banner": (143, lambda e: b"* OK " + e + b"\r\n"),
    "http_header.server": (80, lambda e: b"HTTP/1.1 200 OK\r\nServer: " + e + b"\r\nContent-Length: 0\r\n\r\n"),
    "http_header.wwwauth": (80, lambda e: b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + e + b"\r\n\r\n"),
    "html_title": (80, lambda e: b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>" + e + b"</title></head></html>"),
    "rtsp_header.server": (554, lambda e: b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: " + e + b"\r\n\r\n"),
    "sip_header.server": (5060, lambda e: b"SIP/2.0 200 OK\r\nServer: " + e + b"\r\n\r\n"),
}

def main():
    n_min = int(sys.argv[1])
    recog = sys.argv[2]
    captured = sys.argv[3] if len(sys.argv) > 3 else None
    rnd = random.Random(20261125)
    base = []
    for line in open(recog, encoding="utf-8"):
        d = json.loads(line)
        if d["example"] is None:
            continue
        e = base64.b64decode(d["example"]) if d["encoding"] == "base64" else d["example"].encode()
        key = d["matches"] or d["file"][:-4]
        if key in FRAME:
            port, f = FRAME[key]
            base.append({"ip": "192.0.2.1", "proto": "tcp", "port": port, "banner": esc(f(e))})
        elif key == "telnet_banners":
            base.append({"ip": "192.0.2.1", "proto": "tcp", "port": 23, "banner": esc(e)})
        else:
            proto = "udp" if d["protocol"] in ("dhcp", "mdns", "snmp", "ntp", "sip") else "tcp"
            base.append({"ip": "192.0.2.1", "proto": proto, "port": 0, "probe": key, "banner": esc(e)})
    if captured:
        for line in open(captured, encoding="utf-8"):
            if line.strip():
                base.append(json.loads(line))
    negs = []
    for i in range(len(base) // 9):
        k = rnd.randrange(3)
        if k == 0:
            b = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 200)))
        elif k == 1:
            b = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request"
        else:
            b = b""
        negs.append({"ip": "198.51.100.1", "proto": "tcp", "port": rnd.choice([21, 22, 23, 80, 443, 7547, 8080]), "banner": esc(b)})
    base += negs
    rnd.shuffle(base)
    out = sys.stdout
    n = 0
    while n < n_min:
        for d in base:
            out.write(json.dumps(d, separators=(",", ":")) + "\n")
            n += 1
    sys.stderr.write("match-corpus: %d distinct banners (%d captured, %d negatives), %d lines\n"
                     % (len(base), sum(1 for _ in open(captured)) if captured else 0, len(negs), n))

main()
