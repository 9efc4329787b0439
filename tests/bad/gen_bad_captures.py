#!/usr/bin/env python3
"""Writes the SYNTHETIC bad-input captures of tests/bad/captures/.

Every file here is crafted by this script (no real traffic): the cases of
docs RELIABILITY.md "Bad inputs" for containers (pcap, pcapng), the link
layer and the network/transport layers, plus valid captures of the Linux
cooked (SLL, SLL2) and raw-IP link types. Output is deterministic (fixed
timestamps and addresses), so regenerating must give byte-identical files;
bad_input.test.sh checks that.

Usage: gen_bad_captures.py [OUTDIR]   (default: captures/ beside this file)

Hosts (locally administered MACs, RFC 1918 addresses):
  A 02:00:00:00:00:0a 192.168.50.10   sends the good frames
  B 02:00:00:00:00:0b 192.168.50.11   receives them
  C 02:00:00:00:00:0c 192.168.50.12   sends the crafted frame(s)
  D 02:00:00:00:00:0d 192.168.50.13   sends frames that must not bind an IP
  S 02:00:00:00:00:53 192.168.50.1    DHCP server
The good frame is A -> B, IPv4/UDP 40000 -> 5000 with 18 bytes of payload:
60 bytes on the wire. Container cases hold 5 good frames before the fault.
The expected results are asserted in bad_input.test.sh.
"""
import os
import struct
import sys

A, B, C, D, S = (bytes([2, 0, 0, 0, 0, x]) for x in (0x0A, 0x0B, 0x0C, 0x0D, 0x53))
BCAST = b"\xff" * 6
IP_A, IP_B, IP_C, IP_D, IP_S = (bytes([192, 168, 50, x]) for x in (10, 11, 12, 13, 1))
IP6_C = bytes.fromhex("fe80000000000000000000fffe00000c")
IP6_B = bytes.fromhex("fe80000000000000000000fffe00000b")
T0 = 1700000000  # 2023-11-14T22:13:20Z


# ---------------------------------------------------------------- packets

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ihl=5, options=b"", total=None, frag=0,
         ident=1, version=4):
    hdr_len = 20 + len(options)
    if total is None:
        total = hdr_len + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, total, ident,
                    frag, 64, proto, 0, src, dst) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def udp(sport, dport, payload, length=None):
    if length is None:
        length = 8 + len(payload)
    return struct.pack("!HHHH", sport, dport, length, 0) + payload


def tcp(sport, dport, flags=0x02, options=b"", payload=b"", doff=None,
        seq=1000, ack=0):
    if doff is None:
        doff = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                       65535, 0, 0) + options + payload


def ipv6(src, dst, nh, payload, plen=None):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB", 6 << 28, plen, nh, 64) + src + dst + payload


def arp(op, sha, spa, tha, tpa, htype=1, ptype=0x0800, hlen=None, plen=None):
    hlen = len(sha) if hlen is None else hlen
    plen = len(spa) if plen is None else plen
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


def dhcp(op, chaddr, options, yiaddr=b"\0" * 4, xid=0x1234):
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s", op, 1, 6, 0, xid, 0, 0,
                        b"\0" * 4, yiaddr, b"\0" * 4, b"\0" * 4,
                        chaddr + b"\0" * 10)
    return fixed + b"\0" * 192 + b"\x63\x82\x53\x63" + options


def good(n=1):
    """n good frames A -> B (60 bytes each)."""
    return [eth(B, A, 0x0800, ipv4(IP_A, IP_B, 17, udp(40000, 5000, b"G" * 18)))
            for _ in range(n)]


def from_c(ip_payload_frame):
    """An Ethernet frame C -> B around an IPv4 packet."""
    return eth(B, C, 0x0800, ip_payload_frame)


# ---------------------------------------------------------------- containers

def rec(data, ts, caplen=None, wirelen=None, endian="<", nsec=False):
    caplen = len(data) if caplen is None else caplen
    wirelen = len(data) if wirelen is None else wirelen
    frac = ts[1] * (1000 if nsec else 1)
    return struct.pack(endian + "IIII", ts[0], frac, caplen, wirelen) + data


def pcap(frames, linktype=1, snaplen=65535, endian="<", magic=0xA1B2C3D4,
         tail=b"", nsec=False, times=None):
    """frames: list of bytes or (bytes, caplen, wirelen)."""
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        data, caplen, wirelen = (f, None, None) if isinstance(f, bytes) else f
        ts = times[i] if times else (T0 + i, 0)
        out += rec(data, ts, caplen, wirelen, endian, nsec)
    return out + tail


def pcapng_block(btype, body, total=None):
    pad = (-len(body)) % 4
    length = 12 + len(body) + pad if total is None else total
    return struct.pack("<II", btype, length) + body + b"\0" * pad + struct.pack("<I", length)


def pcapng_shb():
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def pcapng_idb(linktype=1, snaplen=65535):
    return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def pcapng_epb(data, i, iface=0):
    ts = (T0 + i) * 1000000  # default resolution: microseconds
    body = struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data
    return pcapng_block(6, body)


def pcapng(frames, linktype=1):
    out = pcapng_shb() + pcapng_idb(linktype)
    for i, f in enumerate(frames):
        out += pcapng_epb(f, i)
    return out


def epb_raw_header(btype, total):
    """The start of a block whose length field is `total` (no valid end)."""
    return struct.pack("<II", btype, total)


# ---------------------------------------------------------------- cases

def container_cases():
    g5 = good(5)
    c = {}
    # Wrong magic: not a capture file libpcap knows.
    c["magic_wrong.pcap"] = pcap(g5, magic=0xDEADBEEF)
    # Swapped magic: a valid big-endian pcap file (libpcap swaps) ...
    c["magic_swapped_bigendian.pcap"] = pcap(g5, endian=">")
    # ... versus a swapped magic in an otherwise little-endian header:
    # the version then reads as 512.4, which no reader accepts.
    c["magic_swapped_only.pcap"] = struct.pack(">I", 0xA1B2C3D4) + pcap(g5)[4:]
    # Nanosecond-resolution magic: valid.
    c["magic_nsec.pcap"] = pcap(g5, magic=0xA1B23C4D, nsec=True,
                                times=[(T0 + i, 123456) for i in range(5)])
    # Truncated global header (10 of 24 bytes) and an empty file.
    c["global_header_truncated.pcap"] = pcap([])[:10]
    c["empty.pcap"] = b""
    # Header only, no record: a valid, empty capture.
    c["header_only.pcap"] = pcap([])
    # 5 good frames, then a record header cut after 8 of 16 bytes.
    c["record_header_truncated.pcap"] = pcap(g5) + struct.pack("<II", T0 + 5, 0)
    # 5 good frames, then a record claiming 60 bytes holding 20.
    c["record_data_truncated.pcap"] = pcap(g5 + [(good()[0][:20], 60, 60)])
    # A record with caplen 0 (len 60) between good frames: a valid
    # container, an empty frame (Ethernet truncated).
    c["caplen_zero.pcap"] = pcap(g5[:2] + [(b"", 0, 60)] + g5[2:])
    # caplen 100 > snaplen 64 in the file header (but <= 262144).
    big = eth(B, A, 0x0800, ipv4(IP_A, IP_B, 17, udp(40000, 5000, b"H" * 58)))
    c["caplen_gt_snaplen.pcap"] = pcap(good(5)[:5] + [big], snaplen=64)
    # 5 good frames, then a record claiming caplen 300000 (> 262144) followed
    # by 64 bytes: readers must refuse the length before reading the data.
    c["caplen_huge.pcap"] = pcap(g5) + rec(b"\0" * 64, (T0 + 5, 0), caplen=300000)
    # len < caplen: 60 bytes captured of a frame "40 bytes long".
    c["len_lt_caplen.pcap"] = pcap(g5[:4] + [(g5[4], 60, 40)])
    # Timestamps going backwards: 5, 4, 3, 2, 1 seconds after T0.
    c["timestamps_backwards.pcap"] = pcap(
        g5, times=[(T0 + 5 - i, 0) for i in range(5)])
    # Unknown link type 147 (LINKTYPE_USER0).
    c["linktype_147.pcap"] = pcap(g5, linktype=147)
    # pcapng: valid, then blocks of length 0 / not a multiple of 4 / huge.
    ok = pcapng(g5)
    c["pcapng_valid.pcapng"] = ok
    c["pcapng_block_len0.pcapng"] = ok + epb_raw_header(6, 0) + b"\0" * 64
    c["pcapng_block_len_not4.pcapng"] = ok + epb_raw_header(6, 61) + b"\0" * 64
    c["pcapng_block_huge.pcapng"] = ok + epb_raw_header(6, 0x7FFFFFF0) + b"\0" * 64
    # A section header whose length is 0: unreadable from the start.
    c["pcapng_shb_len0.pcapng"] = struct.pack("<II", 0x0A0D0D0A, 0) + ok[8:]
    # pcapng whose only interface has link type 147.
    c["pcapng_linktype_147.pcapng"] = pcapng(g5, linktype=147)
    # pcapng with a second interface of another link type (101, raw IP)
    # after the good frames, and a frame on it.
    raw = ipv4(IP_C, IP_B, 17, udp(1, 2, b"x"))
    c["pcapng_two_linktypes.pcapng"] = ok + pcapng_idb(101) + pcapng_epb(raw, 5, iface=1)
    return c


def link_network_cases():
    c = {}
    one = good(1)

    # Frames under 14 bytes (1, 6 and 13 bytes) from nowhere in particular.
    c["eth_short.pcap"] = pcap(one + [b"\x02", C, C + B[:6] + b"\x08"])

    # 100 stacked 802.1Q tags before IPv4/UDP; and a valid QinQ frame
    # (802.1ad outer + 802.1Q inner).
    inner = ipv4(IP_C, IP_B, 17, udp(1234, 5000, b"v" * 10))
    tags = b"".join(struct.pack("!HH", 100 + i, 0x8100) for i in range(99))
    vlan100 = (B + C + struct.pack("!H", 0x8100) + tags
                     + struct.pack("!HH", 199, 0x0800) + inner)
    qinq = B + C + struct.pack("!HHHH", 0x88A8, 10, 0x8100, 20) + struct.pack("!H", 0x0800) + inner
    c["vlan_100_tags.pcap"] = pcap(one + [vlan100, qinq])

    # ARP: hlen 8, plen 4 / hlen 6, plen 16 / hlen 0, plen 0 (all from D,
    # whose IP must not get bound), hlen 6 plen 4 cut short (from D), and a
    # good reply from C (binds 192.168.50.12 to C).
    arps = [
        eth(BCAST, D, 0x0806, arp(1, D + b"\0\0", IP_D, b"\0" * 8, IP_B)),
        eth(BCAST, D, 0x0806, arp(1, D, IP_D + b"\0" * 12, b"\0" * 6, IP_B + b"\0" * 12)),
        eth(BCAST, D, 0x0806, arp(1, b"", b"", b"", b"")),
        eth(BCAST, D, 0x0806, arp(1, D, IP_D, b"\0" * 6, IP_B)[:12]),
        eth(B, C, 0x0806, arp(2, C, IP_C, B, IP_B)),
    ]
    c["arp_odd_sizes.pcap"] = pcap(one + arps)

    # IPv4 header length < 5 words (IHL 4 and IHL 0).
    body = udp(1234, 5000, b"i" * 10)
    c["ipv4_ihl_lt5.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, body, ihl=4, total=38)),
        from_c(ipv4(IP_C, IP_B, 17, body, ihl=0, total=38))])
    # IHL 15 (60 bytes) but total length 40: past the total length.
    c["ipv4_ihl_past_total.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, b"\0" * 40, ihl=15, total=40))])
    # IHL 15 with total length 80, but the frame holds only 40 IP bytes
    # (captured 54 of 94): the header runs past the capture.
    full = from_c(ipv4(IP_C, IP_B, 17, b"\x01" * 40 + b"\0" * 20, ihl=15, total=80))
    c["ipv4_ihl_past_caplen.pcap"] = pcap(one + [(full[:54], 54, len(full))])
    # Options with length 0 and 1 (kind 7, record route), IHL 6.
    c["ipv4_opt_len0.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, body, ihl=6, options=b"\x07\x00\x00\x00"))])
    c["ipv4_opt_len1.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, body, ihl=6, options=b"\x07\x01\x00\x00"))])

    # Fragments of one UDP datagram (id 77): first (offset 0, MF, 16 bytes),
    # then an overlapping one (offset 8 bytes, MF) and one at offset 16.
    dgram = udp(1234, 5000, b"f" * 40)  # 48 bytes
    c["ipv4_frag_overlap.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, dgram[:16], frag=0x2000, ident=77)),
        from_c(ipv4(IP_C, IP_B, 17, dgram[8:32], frag=0x2000 | 1, ident=77)),
        from_c(ipv4(IP_C, IP_B, 17, dgram[16:], frag=2, ident=77))])
    # Tiny fragments: a TCP SYN whose first fragment carries only 8 bytes of
    # the TCP header (the rest at offset 8).
    seg = tcp(1234, 23, 0x02)
    c["ipv4_frag_tiny.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 6, seg[:8], frag=0x2000, ident=78)),
        from_c(ipv4(IP_C, IP_B, 6, seg[8:], frag=1, ident=78))])

    # IPv6: a chain of 60 destination-options headers before UDP; and a
    # chain of 3 (valid). Each header: next header, length 0, 6 pad bytes.
    def chain(n, last):
        hdrs = b""
        for i in range(n):
            nh = 60 if i + 1 < n else last
            hdrs += bytes([nh, 0, 1, 4, 0, 0, 0, 0])  # PadN of 4
        return hdrs
    u6 = udp(1234, 5000, b"6" * 10)
    c["ipv6_ext_chain60.pcap"] = pcap(one + [
        eth(B, C, 0x86DD, ipv6(IP6_C, IP6_B, 60, chain(60, 17) + u6)),
        eth(B, C, 0x86DD, ipv6(IP6_C, IP6_B, 60, chain(3, 17) + u6))])

    # TCP data offset 4 (< 5).
    c["tcp_doff_lt5.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 6, tcp(1234, 80, doff=4)))])
    # TCP data offset 15 (60 bytes) in a fully captured 20-byte segment.
    c["tcp_doff_past_segment.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 6, tcp(1234, 80, doff=15)))])
    # TCP data offset 15 in a 60-byte segment captured to 20 bytes of it.
    full = from_c(ipv4(IP_C, IP_B, 6, tcp(1234, 80, doff=15, options=b"\x01" * 40)))
    c["tcp_doff_past_caplen.pcap"] = pcap(one + [(full[:54], 54, len(full))])
    # TCP option length 0 and 1 (kind 2, MSS), data offset 6.
    c["tcp_opt_len0.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 6, tcp(1234, 80, options=b"\x02\x00\x00\x00")))])
    c["tcp_opt_len1.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 6, tcp(1234, 80, options=b"\x02\x01\x00\x00")))])

    # UDP length 4 (< 8).
    c["udp_len_lt8.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, udp(1234, 5000, b"u" * 10, length=4)))])
    # UDP length 200 in a fully captured 18-byte datagram (IP total 38).
    c["udp_len_past_packet.pcap"] = pcap(one + [
        from_c(ipv4(IP_C, IP_B, 17, udp(1234, 5000, b"u" * 10, length=200)))])

    # UDP length 108 within IP total length 128, captured to 20 bytes of
    # the datagram: the length runs past the capture only (not a fault).
    full = from_c(ipv4(IP_C, IP_B, 17, udp(1234, 5000, b"u" * 100)))
    c["udp_len_past_caplen.pcap"] = pcap(one + [(full[:54], 54, len(full))])

    # DHCP. C sends a good DISCOVER (binds nothing: source 0.0.0.0); S
    # broadcasts ACKs for C (chaddr C; Ethernet and IP broadcast, so only
    # the DHCP fields can bind an address) whose options break after the
    # message type: one has an option (12, length 200) running past the
    # end, yiaddr 192.168.50.12; one has no END option, yiaddr
    # 192.168.50.112.
    disc = dhcp(1, C, b"\x35\x01\x01\xff")
    past = dhcp(2, C, b"\x35\x01\x05" + b"\x0c\xc8" + b"hostname", yiaddr=IP_C)
    noend = dhcp(2, C, b"\x35\x01\x05\x33\x04\x00\x00\x0e\x10",
                 yiaddr=bytes([192, 168, 50, 112]))
    zero, ones = b"\0" * 4, b"\xff" * 4
    c["dhcp_opt_past_end.pcap"] = pcap(one + [
        eth(BCAST, C, 0x0800, ipv4(zero, ones, 17, udp(68, 67, disc))),
        eth(BCAST, S, 0x0800, ipv4(IP_S, ones, 17, udp(67, 68, past)))])
    c["dhcp_no_end.pcap"] = pcap(one + [
        eth(BCAST, C, 0x0800, ipv4(zero, ones, 17, udp(68, 67, disc))),
        eth(BCAST, S, 0x0800, ipv4(IP_S, ones, 17, udp(67, 68, noend)))])

    # ICMPv6 neighbor solicitation from D with an option of length 0 (an
    # option walk that would not advance); and a valid neighbor
    # advertisement from C for target fe80::1:c with its target link-layer
    # option (binds fe80::1:c, an address C never uses as a source, to C).
    ip6_d = bytes.fromhex("fe80000000000000000000fffe00000d")
    target = bytes.fromhex("fe80000000000000000000000001000c")
    ns = struct.pack("!BBHI", 135, 0, 0, 0) + IP6_B + bytes([1, 0]) + D
    na = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + target + bytes([2, 1]) + C
    c["icmp6_ndp_optlen0.pcap"] = pcap(one + [
        eth(B, D, 0x86DD, ipv6(ip6_d, IP6_B, 58, ns)),
        eth(B, C, 0x86DD, ipv6(IP6_C, IP6_B, 58, na))])
    return c


def linktype_cases():
    """Valid captures of the other link types vantage decodes."""
    c = {}
    pkts = [ipv4(IP_C, IP_B, 17, udp(1234, 5000, b"s" * (10 + i))) for i in range(3)]

    def sll(p, pkttype=0):
        return struct.pack("!HHH", pkttype, 1, 6) + C + b"\0\0" + struct.pack("!H", 0x0800) + p

    def sll2(p, pkttype=0):
        return (struct.pack("!HHIHBB", 0x0800, 0, 2, 1, pkttype, 6) + C + b"\0\0" + p)
    # Packet types 0 (to us), 4 (outgoing: our own address is the source).
    c["linktype_sll.pcap"] = pcap([sll(p, t) for p, t in zip(pkts, (0, 4, 0))], linktype=113)
    c["linktype_sll2.pcap"] = pcap([sll2(p, t) for p, t in zip(pkts, (0, 4, 0))], linktype=276)
    # Raw IP (LINKTYPE_RAW 101): two IPv4 and one IPv6 packet from C.
    v6 = ipv6(IP6_C, IP6_B, 17, udp(1234, 5000, b"r" * 8))
    c["linktype_rawip.pcap"] = pcap(pkts[:2] + [v6], linktype=101)
    # LINKTYPE_IPV4 (228).
    c["linktype_ipv4.pcap"] = pcap(pkts, linktype=228)
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "captures")
    os.makedirs(out, exist_ok=True)
    cases = {}
    for group in (container_cases(), link_network_cases(), linktype_cases()):
        for name, data in group.items():
            assert name not in cases, name
            cases[name] = data
    for name, data in sorted(cases.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("wrote %d captures to %s" % (len(cases), out))


if __name__ == "__main__":
    main()
