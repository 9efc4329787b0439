#!/usr/bin/env python3
"""Generates the synthetic telescope captures of docs/EXTERNAL.md section 4.

Usage: gen_telescope.py OUTDIR

Writes OUTDIR/synthetic-<case>.pcap for every packet case and scenario
(no real Mirai capture is available, so these are crafted; every file is
synthetic, as its name and OUTDIR/SYNTHETIC.txt say) and
OUTDIR/synthetic-all.pcap, every case but the truncated one merged in
time order, for the tshark oracle. Deterministic (fixed seed).

Telescope: 198.51.100.0/24 and 203.0.113.0/24. 198.51.100.7 is 0xC6336407,
203.0.113.77 is 0xCB00714D. The rate cases use 198.48.0.0/14, 203.0.0.0/15,
198.52.0.0/16 and 198.56.0.0/18: 475,136 addresses.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (T0, eth, icmp, ip4, ipv4, ipv6_tcp, syn, tcp, udp,  # noqa
                     write_pcap)

R = random.Random(20161125)
T1 = "198.51.100.7"   # 0xC6336407
T2 = "203.0.113.77"   # 0xCB00714D
BOT = "45.67.89.10"


def plain_id(dst, dport, seq):
    """An IP ID that is neither ZMap's nor masscan's fingerprint."""
    while True:
        i = R.randrange(1, 65536)
        if i != 54321 and i != ((ip4(dst) ^ dport ^ seq) & 0xFFFF):
            return i


def rand_seq(dst):
    while True:
        s = R.randrange(0, 1 << 32)
        if s != ip4(dst):
            return s


def mirai(src, dst, dport, ts, sport=40000, win=5840, **kw):
    seq = ip4(dst)
    kw.setdefault("ipid", plain_id(dst, dport, seq))
    return (ts, syn(src, dst, dport, seq, sport=sport, win=win, **kw))


def plain_syn(src, dst, dport, ts, sport=50000, win=29200, **kw):
    seq = rand_seq(dst)
    return (ts, syn(src, dst, dport, seq, sport=sport, win=win,
                    ipid=plain_id(dst, dport, seq), **kw))


def tel_addr(i):
    return "198.51.100.%d" % (i % 256) if i < 256 else \
        "203.0.113.%d" % (i % 256)


def c_canonical():
    return [mirai(BOT, T1, 23, T0)]


def c_port2323():
    return [mirai(BOT, T2, 2323, T0)]


def c_port7547():
    return [mirai(BOT, T1, 7547, T0)]


def c_mss():
    return [mirai(BOT, T1, 23, T0, opts=b"\x02\x04\x05\xb4")]


def c_ttl120():
    return [mirai(BOT, T1, 23, T0, ttl=120)]


def c_padded():
    return [mirai(BOT, T1, 23, T0, pad=True)]


def c_byteswap():
    d = ip4(T1)
    seq = int.from_bytes(d.to_bytes(4, "big"), "little")
    return [(T0, syn(BOT, T1, 23, seq, ipid=plain_id(T1, 23, seq)))]


def c_synack_seq():
    return [(T0, syn(BOT, T1, 23, ip4(T1), flags=0x12, ack=R.randrange(1 << 32)))]


def c_seq_src():
    seq = ip4(BOT)
    return [(T0, syn(BOT, T1, 23, seq, ipid=plain_id(T1, 23, seq)))]


def c_nmap():
    # nmap -sS: window 1024, MSS 1460, random IP ID and sequence.
    out = []
    for i, port in enumerate((22, 23, 80, 443)):
        seq = rand_seq(T1)
        out.append((T0 + i * 0.01, syn("192.0.2.50", T1, port, seq,
                                       sport=45678, win=1024,
                                       ipid=plain_id(T1, port, seq),
                                       opts=b"\x02\x04\x05\xb4", ttl=44)))
    return out


def c_masscan():
    out = []
    for i, port in enumerate((23, 80, 443, 8080)):
        dst = tel_addr(10 + i)
        seq = rand_seq(dst)
        ipid = (ip4(dst) ^ port ^ seq) & 0xFFFF
        out.append((T0 + i * 0.01, syn("192.0.2.60", dst, port, seq,
                                       sport=61000, win=1024, ipid=ipid,
                                       ttl=250)))
    return out


def c_zmap():
    out = []
    for i in range(4):
        dst = tel_addr(20 + i)
        out.append((T0 + i * 0.01, syn("192.0.2.70", dst, 443,
                                       rand_seq(dst), sport=33000,
                                       win=65535, ipid=54321, ttl=250)))
    return out


def c_synack_backscatter():
    # A victim answers a SYN spoofed from 198.51.100.7: ack = that + 1.
    return [(T0, syn("93.184.216.34", T1, 40001, R.randrange(1 << 32),
                     sport=80, flags=0x12, ack=ip4(T1) + 1, win=65535))]


def c_rst():
    return [(T0, syn("93.184.216.35", T1, 40002, 0, sport=443, flags=0x14,
                     ack=ip4(T1) + 1, win=0))]


def c_icmp_quote():
    # A router's port unreachable quoting a Mirai-like SYN that was spoofed
    # from the telescope to the victim 8.8.4.4:23 (seq == inner dst).
    victim, router = ip4("8.8.4.4"), ip4("192.0.2.1")
    inner_tcp = tcp(ip4(T1), victim, 40003, 23, victim)
    inner = ipv4(ip4(T1), victim, 6, inner_tcp)[:28]
    msg = icmp(3, 3, inner)
    return [(T0, eth(ipv4(router, ip4(T1), 1, msg)))]


def c_ipv6():
    return [(T0, eth(ipv6_tcp("2001:db8::1", "2001:db8:1::7", 40000, 23,
                              0x20010db8), ethertype=0x86DD))]


def c_truncated():
    # Two Mirai SYNs, then a record cut short (a capture killed mid-write).
    return [mirai(BOT, T1, 23, T0), mirai(BOT, T2, 23, T0 + 0.5),
            mirai(BOT, "198.51.100.9", 23, T0 + 1)]


def c_udp53():
    s, d = ip4("8.8.8.8"), ip4(T1)
    return [(T0, eth(ipv4(s, d, 17, udp(s, d, 53, 40000, b"\x12\x34\x81\x80"
                                         + b"\0" * 8))))]


def c_excluded():
    # Signature SYNs to addresses Mirai's code never draws (10/8, 6/8,
    # 100.64-100.126, 169.255/16) and to 169.254/16, which it does draw.
    dsts = ["10.1.2.3", "6.1.2.3", "100.100.1.1", "169.255.1.1",
            "169.254.1.1"]
    return [mirai("45.67.89.%d" % (20 + i), d, 23, T0 + i)
            for i, d in enumerate(dsts)]


def c_burst160():
    # Mirai's scanner: 160 SYNs a second; packets 0, 10, ..., 150 -> 2323.
    out = []
    dsts = R.sample(range(512), 160)
    for i in range(160):
        port = 2323 if i % 10 == 0 else 23
        out.append(mirai(BOT, tel_addr(dsts[i]), port, T0 + i / 160.0,
                         sport=51515, win=31337))
    return out


def c_restart():
    out = [mirai(BOT, tel_addr(i), 23, T0 + i, sport=40000, win=5840)
           for i in range(10)]
    out += [mirai(BOT, tel_addr(100 + i), 23, T0 + 100 + i, sport=41000,
                  win=14600) for i in range(10)]
    return out


def c_mixed():
    out = [mirai(BOT, tel_addr(i), 23, T0 + i) for i in range(3)]
    out += [plain_syn(BOT, tel_addr(50 + i), 23, T0 + 10 + i)
            for i in range(7)]
    return out


def c_chance():
    out = [plain_syn("192.0.2.80", tel_addr(i), 443, T0 + i * 0.1)
           for i in range(50)]
    out.insert(25, mirai("192.0.2.80", tel_addr(200), 443, T0 + 2.45,
                         sport=50000, win=29200))
    return out


def c_gaps():
    a, b = "192.0.2.90", "192.0.2.91"
    return sorted([plain_syn(a, T1, 23, T0), plain_syn(a, T2, 23, T0 + 600),
                   plain_syn(b, T1, 23, T0), plain_syn(b, T2, 23, T0 + 700)])


def c_dsts9_10():
    # Rate telescope (475,136 addresses). A: 9 destinations, B: 10, both
    # within 0.9 s; C: 10 destinations over 100 s.
    out = [plain_syn("192.0.2.100", "198.48.0.%d" % i, 80, T0 + i * 0.1)
           for i in range(9)]
    out += [plain_syn("192.0.2.101", "198.48.1.%d" % i, 80, T0 + i * 0.1)
            for i in range(10)]
    out += [plain_syn("192.0.2.102", "203.0.%d.1" % i, 80,
                      T0 + i * 100 / 9.0) for i in range(10)]
    out.append(plain_syn("192.0.2.103", "10.0.0.1", 80, T0))  # outside
    return sorted(out)


def c_days():
    # Day 1: bots .1 .2 .3; day 2: .3 .4; day 3: .5 (twice).
    plan = [(0, 1), (0, 2), (0, 3), (1, 3), (1, 4), (2, 5), (2, 5)]
    out = []
    for n, (day, bot) in enumerate(plan):
        out.append(mirai("45.67.90.%d" % bot, tel_addr(n), 23,
                         T0 + day * 86400 + n * 60))
    return sorted(out)


def c_mix():
    out = c_burst160()[:20] + c_masscan() + c_zmap() + \
        c_synack_backscatter() + c_rst() + c_icmp_quote()
    return sorted(out, key=lambda f: f[0])


CASES = {
    "canonical": c_canonical, "port2323": c_port2323,
    "port7547": c_port7547, "mss": c_mss, "ttl120": c_ttl120,
    "padded": c_padded, "byteswap": c_byteswap, "synack_seq": c_synack_seq,
    "seq_src": c_seq_src, "nmap": c_nmap, "masscan": c_masscan,
    "zmap": c_zmap, "synack_backscatter": c_synack_backscatter, "rst": c_rst,
    "icmp_quote": c_icmp_quote, "ipv6": c_ipv6, "truncated": c_truncated,
    "udp53": c_udp53, "excluded": c_excluded, "burst160": c_burst160,
    "restart": c_restart, "mixed": c_mixed, "chance": c_chance,
    "gaps": c_gaps, "dsts9_10": c_dsts9_10, "days": c_days, "mix": c_mix,
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    merged = []
    for i, (name, fn) in enumerate(CASES.items()):
        frames = fn()
        write_pcap(os.path.join(out, "synthetic-%s.pcap" % name), frames,
                   truncate_last=(name == "truncated"))
        if name != "truncated":
            # Each case in its own week so the merge keeps them apart.
            merged += [(ts + i * 7 * 86400, f) for ts, f in frames]
    merged.sort(key=lambda f: f[0])
    write_pcap(os.path.join(out, "synthetic-all.pcap"), merged)
    with open(os.path.join(out, "SYNTHETIC.txt"), "w") as f:
        f.write("Every synthetic-*.pcap here was crafted by "
                "tests/telescope/gen_telescope.py; none is real traffic.\n")


if __name__ == "__main__":
    main()
