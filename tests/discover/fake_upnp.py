#!/usr/bin/env python3
"""A hostile (and one honest) UPnP device for tests/discover/discover.test.sh.

Answers every SSDP M-SEARCH with one response per LOCATION below and
serves the descriptions over HTTP on PORT:
  /good.xml   an honest description (MediaRenderer, Acme X1)
  /endless    200 OK and a body that never ends
  /big        Content-Length of 10 MiB, sent as fast as the peer reads
  /slow       one byte per second
  /bomb.xml   XML with an entity-expansion bomb (a DOCTYPE)
  otherwise   404
plus LOCATIONs that must never be fetched: an address outside the subnet,
file://, and a host name; one to a closed port, one to a 404; and six more copies of the honest one (the
per-device fetch cap is 8). Each HTTP request is logged to LOG (one line
per path) so the test can tell what was fetched.

usage: fake_upnp.py IP PORT LOG
       fake_upnp.py IP mdns-flood|mdns-drip LOG
The other forms only answer every mDNS query (legacy unicast) with DNS-SD
service types never named before, for ever: five at once (flood), or one
0.8 s later (drip).
"""
import socket
import struct
import sys
import threading
import time

IP, LOG = sys.argv[1], sys.argv[3]
FLOOD = sys.argv[2] in ("mdns-flood", "mdns-drip")
DRIP = sys.argv[2] == "mdns-drip"
PORT = 0 if FLOOD else int(sys.argv[2])

GOOD = b"""<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
 <specVersion><major>1</major><minor>0</minor></specVersion>
 <device>
  <deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>
  <friendlyName>Living Room Renderer</friendlyName>
  <manufacturer>Acme Audio</manufacturer>
  <modelName>AcmeStream X1</modelName>
  <modelNumber>X1-2020</modelNumber>
  <serialNumber>SN0042</serialNumber>
  <serviceList><service>
   <serviceType>urn:schemas-upnp-org:service:AVTransport:1</serviceType>
  </service></serviceList>
 </device>
</root>
"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE root [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device>
 <manufacturer>&f;</manufacturer><modelName>Bomb</modelName>
</device></root>
"""

LOCATIONS = [
    "http://%s:%d/good.xml" % (IP, PORT),
    "http://%s:%d/endless" % (IP, PORT),
    "http://%s:%d/big" % (IP, PORT),
    "http://%s:%d/slow" % (IP, PORT),
    "http://%s:%d/bomb.xml" % (IP, PORT),
    "http://10.255.0.1:%d/offnet.xml" % PORT,
    "file:///etc/passwd",
    "http://evil.example/desc.xml",
    "http://%s:9/closed.xml" % IP,
    "http://%s:%d/missing.xml" % (IP, PORT),
] + ["http://%s:%d/good.xml?copy=%d" % (IP, PORT, i) for i in range(6)]

log_lock = threading.Lock()


def log(line):
    with log_lock, open(LOG, "a") as f:
        f.write(line + "\n")


def serve_client(c):
    c.settimeout(30)
    try:
        req = b""
        while b"\r\n\r\n" not in req and len(req) < 8192:
            chunk = c.recv(1024)
            if not chunk:
                return
            req += chunk
        path = req.split(b" ")[1].decode("latin-1")
        log(path)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nServer: Linux/5.10 UPnP/1.0 AcmeStream/1.0\r\n"
        if path.split("?")[0] == "/good.xml":
            c.sendall(head + b"Content-Length: %d\r\n\r\n" % len(GOOD) + GOOD)
        elif path == "/bomb.xml":
            c.sendall(head + b"Content-Length: %d\r\n\r\n" % len(BOMB) + BOMB)
        elif path == "/endless":
            c.sendall(head + b"\r\n<root>")
            while True:
                c.sendall(b"<x>" + b"A" * 4096 + b"</x>")
        elif path == "/big":
            c.sendall(head + b"Content-Length: 10485760\r\n\r\n")
            for _ in range(10 * 256):
                c.sendall(b"B" * 4096)
        elif path == "/slow":
            for b in head + b"\r\n" + GOOD:
                c.sendall(bytes([b]))
                time.sleep(1)
        else:
            c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    finally:
        c.close()


def http():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((IP, PORT))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_client, args=(c,), daemon=True).start()


def ssdp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 1900))
    mreq = struct.pack("4s4s", socket.inet_aton("239.255.255.250"),
                       socket.inet_aton(IP))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    while True:
        data, peer = s.recvfrom(4096)
        if not data.startswith(b"M-SEARCH"):
            continue
        log("M-SEARCH from %s" % peer[0])
        for i, loc in enumerate(LOCATIONS):
            msg = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
                   "LOCATION: %s\r\nSERVER: Linux/5.10 UPnP/1.0 AcmeStream/1.0\r\n"
                   "ST: upnp:rootdevice\r\nUSN: uuid:acme-%d::upnp:rootdevice\r\n\r\n"
                   % (loc, i))
            s.sendto(msg.encode(), peer)


def dns_name(labels):
    return b"".join(bytes([len(l)]) + l.encode() for l in labels) + b"\0"


def mdns_flood():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 5353))
    mreq = struct.pack("4s4s", socket.inet_aton("224.0.0.251"),
                       socket.inet_aton(IP))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    n = 0
    while True:
        data, peer = s.recvfrom(4096)
        if len(data) < 12 or data[2] & 0x80 or peer[1] == 5353:
            continue
        log("mDNS query from %s" % peer[0])
        if DRIP:
            time.sleep(0.8)
        answers = b""
        count = 1 if DRIP else 5
        for _ in range(count):
            target = dns_name(["_flood%d" % n, "_tcp", "local"])
            n += 1
            answers += (dns_name(["_services", "_dns-sd", "_udp", "local"]) +
                        struct.pack(">HHIH", 12, 1, 120, len(target)) + target)
        s.sendto(data[:2] + b"\x84\x00\x00\x00" + struct.pack(">H", count) +
                 b"\x00\x00\x00\x00" + answers, peer)


if FLOOD:
    mdns_flood()
threading.Thread(target=http, daemon=True).start()
ssdp()
