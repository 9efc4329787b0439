#!/usr/bin/env python3
"""Writes a one-frame pcap (synthetic, made for the HTML escaping test): a
DHCP REQUEST from 00:11:22:33:44:55 whose host name (option 12) is the
markup given on the command line.

usage: xss_pcap.py OUT.pcap HOSTNAME
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def frame(host):
    mac = bytes.fromhex("001122334455")
    opts = bytes([53, 1, 3, 12, len(host)]) + host + bytes([255])
    bootp = struct.pack("!BBBBIHH", 1, 1, 6, 0, 0x1234, 0, 0x8000)
    bootp += b"\0" * 16 + mac + b"\0" * 10 + b"\0" * 192
    bootp += bytes.fromhex("63825363") + opts
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, bytes(4), b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + ip + udp


def main():
    out, host = sys.argv[1], sys.argv[2].encode()
    f = frame(host)
    with open(out, "wb") as w:
        w.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        w.write(struct.pack("<IIII", 1700000000, 0, len(f), len(f)) + f)


if __name__ == "__main__":
    main()
