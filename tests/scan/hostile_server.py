"""Hostile TCP servers for the banner grabber test (RELIABILITY.md):
  PORT+0 endless banner    64 KiB chunks, forever
  PORT+1 drip feed         one byte per second
  PORT+2 tarpit            accepts, never sends, never closes
  PORT+3 immediate RST     accepts and resets (SO_LINGER 0)
  PORT+4 one huge line     1 MiB without a newline, then holds
  443    TLS, partial      a TLS record header announcing 16 KB, then drips
  8443   TLS, silent       reads the ClientHello, never answers
Usage: hostile_server.py BIND_IP BASE_PORT. Runs until killed; every
connection is a daemon thread."""
import socket
import struct
import sys
import threading
import time

ip, base = sys.argv[1], int(sys.argv[2])


def endless(c):
    chunk = b"A" * 65536
    while True:
        c.sendall(chunk)


def drip(c):
    while True:
        c.sendall(b"x")
        time.sleep(1)


def hold(c):
    while True:
        if not c.recv(4096):
            time.sleep(30)


def rst(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def hugeline(c):
    c.sendall(b"B" * (1 << 20))
    hold(c)


def tls_partial(c):
    c.recv(4096)
    c.sendall(b"\x16\x03\x03\x40\x00\x02")
    drip(c)


def tls_silent(c):
    c.recv(4096)
    hold(c)


def serve(port, fn):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    s.listen(64)
    while True:
        c, _ = s.accept()

        def run(c=c):
            try:
                fn(c)
            except OSError:
                pass
            finally:
                try:
                    c.close()
                except OSError:
                    pass

        threading.Thread(target=run, daemon=True).start()


servers = [(base, endless), (base + 1, drip), (base + 2, hold), (base + 3, rst),
           (base + 4, hugeline), (443, tls_partial), (8443, tls_silent)]
for port, fn in servers:
    threading.Thread(target=serve, args=(port, fn), daemon=True).start()
print("ready", flush=True)
while True:
    time.sleep(3600)
