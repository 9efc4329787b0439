#!/usr/bin/env python3
"""A large synthetic darknet capture for bench/telescope.sh.

Usage: gen_darknet.py OUT.pcap PACKETS SOURCES [SEED]

Everything here is synthetic (crafted, not observed traffic). The
telescope is 44.0.0.0/11 (2,097,152 addresses); packets span six hours
from 2016-11-25T00:00:00Z, in time order, Ethernet/IPv4, checksums left
zero (no tool in the benchmark verifies them). The mix, by packets:
  83%  background scanners: SYNs with random sequence numbers and IP IDs
       from SOURCES random addresses (a heavy-tailed choice: a few send a
       lot), to random telescope addresses and a spread of ports;
   4%  Mirai bots (SOURCES / 15): 40-byte SYNs, seq == dst, TTL 64, one
       source port and window per bot, 90% to 23 and 10% to 2323;
   2%  masscan (40 sources): IP ID = (dst ^ dport ^ seq) & 0xffff;
   2%  ZMap (40 sources): IP ID 54321;
   6%  backscatter from SOURCES / 10 victims: SYN-ACKs and RSTs from
       80/443, ICMP port unreachables quoting a SYN from the telescope;
   3%  UDP to random ports.
Prints a summary line (packets, Mirai packets) on stdout.
"""
import random
import struct
import sys

T0 = 1480032000  # 2016-11-25T00:00:00Z
SPAN = 6 * 3600
TEL_BASE, TEL_BITS = 44 << 24, 11
ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
IP = struct.Struct("!BBHHHBBHII")
TCP = struct.Struct("!HHIIBBHHH")
UDP = struct.Struct("!HHHH")
REC = struct.Struct("<IIII")


def rand_src(r):
    while True:
        a = r.getrandbits(32)
        if (a >> 24) not in (0, 10, 44, 127) and a >> 28 < 14:
            return a


def main():
    out, n, nsrc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    r = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    tel = lambda: TEL_BASE | r.getrandbits(32 - TEL_BITS)  # noqa: E731
    bg = [rand_src(r) for _ in range(nsrc)]
    bots = [(rand_src(r), r.randrange(1024, 65536), r.randrange(1, 65536))
            for _ in range(max(1, nsrc // 15))]
    massc = [rand_src(r) for _ in range(40)]
    zmaps = [rand_src(r) for _ in range(40)]
    victims = [rand_src(r) for _ in range(max(1, nsrc // 10))]
    ports = [23, 22, 80, 443, 445, 3389, 8080, 7547, 5555, 1433, 3306, 8443,
             37215, 52869, 81, 2323]
    mirai = 0
    buf = []
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            ts = T0 + SPAN * i / n
            x = r.random()
            dst = tel()
            if x < 0.83:
                # Pareto-ish: low indexes are much more active.
                src = bg[min(int(nsrc * r.random() ** 3), nsrc - 1)]
                port = ports[r.randrange(16)] if r.random() < 0.7 else \
                    r.randrange(1, 65536)
                seq = r.getrandbits(32)
                l4 = TCP.pack(r.randrange(1024, 65536), port, seq, 0, 0x50,
                              0x02, 1024, 0, 0)
                ip = IP.pack(0x45, 0, 40, r.getrandbits(16), 0, 50, 6, 0,
                             src, dst)
            elif x < 0.87:
                src, sport, win = bots[r.randrange(len(bots))]
                port = 2323 if r.random() < 0.1 else 23
                l4 = TCP.pack(sport, port, dst, 0, 0x50, 0x02, win, 0, 0)
                ip = IP.pack(0x45, 0, 40, r.getrandbits(16), 0, 64, 6, 0,
                             src, dst)
                mirai += 1
            elif x < 0.91:
                seq = r.getrandbits(32)
                port = ports[r.randrange(16)]
                if x < 0.89:
                    src, ipid = massc[r.randrange(40)], (dst ^ port ^ seq) & 0xFFFF
                else:
                    src, ipid = zmaps[r.randrange(40)], 54321
                l4 = TCP.pack(r.randrange(32768, 61000), port, seq, 0, 0x50,
                              0x02, 65535, 0, 0)
                ip = IP.pack(0x45, 0, 40, ipid, 0, 250, 6, 0, src, dst)
            elif x < 0.97:
                v = victims[min(int(len(victims) * r.random() ** 2),
                                len(victims) - 1)]
                if x < 0.95:
                    flags = 0x12 if x < 0.94 else 0x14
                    l4 = TCP.pack(80 if r.random() < 0.6 else 443,
                                  r.randrange(1024, 65536),
                                  r.getrandbits(32), r.getrandbits(32), 0x50,
                                  flags, 65535, 0, 0)
                    ip = IP.pack(0x45, 0, 40, r.getrandbits(16), 0, 55, 6, 0,
                                 v, dst)
                else:
                    inner = IP.pack(0x45, 0, 40, 1, 0, 64, 6, 0, dst, v) + \
                        TCP.pack(r.randrange(1024, 65536), 80, 0, 0, 0x50,
                                 0x02, 0, 0, 0)[:8]
                    l4 = struct.pack("!BBHI", 3, 3, 0, 0) + inner
                    ip = IP.pack(0x45, 0, 20 + len(l4), r.getrandbits(16), 0,
                                 60, 1, 0, v, dst)
            else:
                src = bg[r.randrange(nsrc)]
                l4 = UDP.pack(r.randrange(1024, 65536), r.randrange(1, 65536),
                              8 + 12, 0) + b"\0" * 12
                ip = IP.pack(0x45, 0, 20 + len(l4), r.getrandbits(16), 0, 50,
                             17, 0, src, dst)
            frame = ETH + ip + l4
            sec = int(ts)
            buf.append(REC.pack(sec, int((ts - sec) * 1e6), len(frame),
                                len(frame)))
            buf.append(frame)
            if len(buf) >= 65536:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    print("packets=%d mirai_packets=%d bots=%d background_sources=%d "
          "victims=%d" % (n, mirai, len(bots), nsrc, len(victims)))


if __name__ == "__main__":
    main()
