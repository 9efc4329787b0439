#!/usr/bin/env python3
"""Seeds for fuzz_telescope from the synthetic telescope cases.

Usage: make-telescope-seeds.py CASEDIR OUTDIR
CASEDIR holds tests/telescope/gen_telescope.py's output; each
synthetic-<case>.pcap becomes one seed in fuzz_telescope's record format
(2-byte length, 2-byte time step in seconds, frame bytes), at most 64
frames per seed. The seeds are synthetic, like their captures.
"""
import os
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    off, prev = 24, None
    while off + 16 <= len(data):
        sec, _, incl, _ = struct.unpack_from("<IIII", data, off)
        off += 16
        yield (0 if prev is None else sec - prev), data[off:off + incl]
        prev = sec
        off += incl


def main():
    src, out = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".pcap") or name == "synthetic-all.pcap":
            continue
        seed = b""
        for i, (step, fr) in enumerate(frames(os.path.join(src, name))):
            if i == 64:
                break
            seed += struct.pack(">HH", len(fr), min(max(step, 0), 65535)) + fr
        with open(os.path.join(out, name[:-5]), "wb") as f:
            f.write(seed)


if __name__ == "__main__":
    main()
