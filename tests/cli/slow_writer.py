#!/usr/bin/env python3
"""Feeds a capture through a pipe and then stalls, for the SIGINT test.

Usage: slow_writer.py FIFO READY_FILE COUNT

Writes a pcap header and COUNT good frames (the synthetic frame of
tests/bad/gen_bad_captures.py: 02:00:00:00:00:0a -> 02:00:00:00:00:0b, 60
bytes) into FIFO, waits until the reader has drained the pipe, creates
READY_FILE, then sleeps (up to 120 s) without closing the pipe, as a slow
live source would.
"""
import fcntl
import os
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bad"))
import gen_bad_captures as gen  # noqa: E402


def main():
    fifo, ready, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(fifo, "wb") as out:
        out.write(gen.pcap(gen.good(count)))
        out.flush()
        deadline = time.time() + 60
        while time.time() < deadline:
            left = struct.unpack("i", fcntl.ioctl(out.fileno(), termios.FIONREAD, b"\0" * 4))[0]
            if left == 0:
                break
            time.sleep(0.05)
        open(ready, "w").close()
        time.sleep(120)


if __name__ == "__main__":
    main()
