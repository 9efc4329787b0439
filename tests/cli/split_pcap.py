#!/usr/bin/env python3
"""Splits a classic pcap file into two files that interleave in time.

Usage: split_pcap.py IN OUT_A OUT_B [OUT_CAT]

Records go alternately to OUT_A and OUT_B, except that records with the same
timestamp stay together (in the same file, in their order), so merging the
two files by timestamp restores IN's order exactly, whichever file comes
first. IN's timestamps must not go backwards (checked). OUT_CAT, if given, gets
OUT_A's records followed by OUT_B's: what a reader that does not merge
would see.
"""
import struct
import sys


def main():
    src, out_a, out_b = sys.argv[1:4]
    data = open(src, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("split_pcap: %s is not a classic pcap file" % src)
    header, pos = data[:24], 24
    outs = [bytearray(header), bytearray(header)]
    which, last, n = 1, None, 0
    while pos < len(data):
        sec, frac, caplen, _ = struct.unpack(end + "IIII", data[pos:pos + 16])
        ts = (sec, frac)
        if last is not None and ts < last:
            sys.exit("split_pcap: timestamps go backwards at record %d" % (n + 1))
        if ts != last:
            which = 1 - which
        outs[which] += data[pos:pos + 16 + caplen]
        pos += 16 + caplen
        last = ts
        n += 1
    open(out_a, "wb").write(outs[0])
    open(out_b, "wb").write(outs[1])
    if len(sys.argv) > 4:
        open(sys.argv[4], "wb").write(outs[0] + outs[1][24:])
    print("split %d records" % n)


if __name__ == "__main__":
    main()
