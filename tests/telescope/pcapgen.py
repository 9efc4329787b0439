"""Minimal packet and pcap writer for synthetic telescope captures.

Builds Ethernet/IPv4/IPv6 + TCP/UDP/ICMP frames byte by byte (with correct
checksums) so every header field a test needs can be set exactly. Output
is synthetic by construction; callers name files synthetic-*.pcap.
"""
import ipaddress
import struct

LINKTYPE_ETHERNET = 1
T0 = 1480068000  # 2016-11-25T10:00:00Z, the Mirai paper's era


def ip4(s):
    return int(ipaddress.IPv4Address(s))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp(src, dst, sport, dport, seq, ack=0, flags=0x02, win=5840,
        opts=b"", payload=b""):
    off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0) + opts
    seg = hdr + payload
    pseudo = struct.pack("!IIBBH", src, dst, 0, 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload=b""):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    pseudo = struct.pack("!IIBBH", src, dst, 0, 17, len(seg))
    c = csum(pseudo + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def icmp(typ, code, body):
    msg = struct.pack("!BBHI", typ, code, 0, 0) + body
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def ipv4(src, dst, proto, payload, ttl=64, ipid=0x1234, df=False, tos=0,
         total=None):
    flags = 0x4000 if df else 0
    length = total if total is not None else 20 + len(payload)
    hdr = struct.pack("!BBHHHBBHII", 0x45, tos, length, ipid & 0xFFFF,
                      flags, ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6_tcp(src, dst, sport, dport, seq):
    s = ipaddress.IPv6Address(src).packed
    d = ipaddress.IPv6Address(dst).packed
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 2, 5840,
                      0, 0)
    pseudo = s + d + struct.pack("!IxxxB", len(seg), 6)
    c = csum(pseudo + seg)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return struct.pack("!IHBB", 6 << 28, len(seg), 6, 64) + s + d + seg


def eth(l3, ethertype=0x0800, pad=False):
    f = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + \
        struct.pack("!H", ethertype) + l3
    if pad and len(f) < 60:
        f += b"\0" * (60 - len(f))
    return f


def syn(src, dst, dport, seq, sport=40000, win=5840, ttl=64, ipid=0x1234,
        df=False, opts=b"", flags=0x02, ack=0, pad=False):
    s, d = ip4(src), ip4(dst)
    seg = tcp(s, d, sport, dport, seq, ack=ack, flags=flags, win=win,
              opts=opts)
    return eth(ipv4(s, d, 6, seg, ttl=ttl, ipid=ipid, df=df), pad=pad)


def write_pcap(path, frames, truncate_last=False):
    """frames: list of (ts_float, bytes). truncate_last cuts the last
    record's data short, as a capture killed mid-write is."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535,
                            LINKTYPE_ETHERNET))
        for i, (ts, data) in enumerate(frames):
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
            if truncate_last and i == len(frames) - 1:
                f.write(data[:10])
            else:
                f.write(data)
