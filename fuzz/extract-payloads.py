#!/usr/bin/env python3
"""Pulls UDP/TCP payloads out of captures as seeds for the signal parsers.

Reads pcap and pcapng files (Ethernet, Linux SLL, BSD loopback, raw IP;
IPv4 and IPv6; first fragments only) and sorts each UDP or TCP payload
into the fuzz surfaces of src/dissect/sig_*.c by port or by content:

  sig_dhcp   UDP 67/68, BOOTP header with the DHCP magic cookie
  sig_dhcp6  UDP 546/547
  sig_dns    UDP 53 and 5353; the seed is one flag byte (1 = mDNS) and
             the DNS message, as fuzz/fuzz_sig_dns.c expects
  sig_ssdp   UDP 1900
  sig_http   TCP payload opening with a request line or "HTTP/1."
  sig_tls    TCP payload opening with a TLS handshake record header
  sig_tcp    the whole IP packet of a TCP SYN (no ACK)
  sig_x509   the first certificate (DER) of a TLS Certificate message
             that is whole inside one segment

Seeds are named <capture>-<sha1 prefix>, deduplicated by content and
capped per surface and capture. Only datasets whose licence allows
redistribution may be written into the repository: captures under a path
containing one of NONCOMMITTABLE are refused unless --allow-noncommittable
is given (use that only for scratch directories outside the tree).

With --tshark-certs, sig_x509 also gets every certificate tshark finds in
reassembled Certificate messages (tshark must be installed).

Usage:
  extract-payloads.py [--surface S]... [--max N] [--tshark-certs] --out DIR PCAP...
  extract-payloads.py --show [--surface S]... PCAP...   (hex dump, no files)
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys

NONCOMMITTABLE = ('iot-sentinel',)
SURFACES = ('sig_dhcp', 'sig_dhcp6', 'sig_dns', 'sig_ssdp', 'sig_http',
            'sig_tls', 'sig_tcp', 'sig_x509')
HTTP_METHODS = (b'GET ', b'POST ', b'HEAD ', b'PUT ', b'DELETE ', b'OPTIONS ',
                b'PATCH ', b'CONNECT ', b'TRACE ', b'SUBSCRIBE ', b'NOTIFY /')


def pcap_frames(data):
    """Yields (linktype, frame) from a classic pcap file."""
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        end = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        end = '>'
    else:
        return
    linktype = struct.unpack(end + 'I', data[20:24])[0] & 0x0fffffff
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + 'I', data[off + 8:off + 12])[0]
        off += 16
        yield linktype, data[off:off + incl]
        off += incl


def pcapng_frames(data):
    """Yields (linktype, frame) from a pcapng file (EPB and SPB blocks)."""
    end = '<'
    links = []
    off = 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(end + 'II', data[off:off + 8])
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            end = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            btype, blen = struct.unpack(end + 'II', data[off:off + 8])
            links = []
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(end + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, cap, _ = struct.unpack(end + 'IIIII', body[:20])
            if ifid < len(links):
                yield links[ifid], body[20:20 + cap]
        elif btype == 3 and len(body) >= 4 and links:
            yield links[0], body[4:]
        off += blen


def frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] == b'\x0a\x0d\x0d\x0a':
        yield from pcapng_frames(data)
    else:
        yield from pcap_frames(data)


def ip_packet(linktype, frame):
    """Returns the IP packet inside a frame, or None."""
    if linktype == 1:  # Ethernet, with any VLAN tags
        if len(frame) < 14:
            return None
        et, off = struct.unpack('>H', frame[12:14])[0], 14
        while et in (0x8100, 0x88a8) and len(frame) >= off + 4:
            et = struct.unpack('>H', frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if et in (0x0800, 0x86dd) else None
    if linktype == 113:  # Linux cooked
        return frame[16:] if len(frame) >= 16 else None
    if linktype == 276:  # Linux cooked v2
        return frame[20:] if len(frame) >= 20 else None
    if linktype == 0:  # BSD loopback: 4-byte address family
        return frame[4:]
    if linktype in (12, 14, 101, 228, 229):
        return frame
    return None


def transport(ip):
    """Returns (proto, sport, dport, tcp_flags, payload) or None."""
    if len(ip) < 20:
        return None
    ver = ip[0] >> 4
    if ver == 4:
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack('>H', ip[2:4])[0]
        if ihl < 20 or struct.unpack('>H', ip[6:8])[0] & 0x1fff:
            return None
        proto, l4 = ip[9], ip[ihl:max(tot, ihl)]
    elif ver == 6 and len(ip) >= 40:
        plen = struct.unpack('>H', ip[4:6])[0]
        proto, l4 = ip[6], ip[40:40 + plen]
    else:
        return None
    if proto == 17 and len(l4) >= 8:
        sport, dport, ulen = struct.unpack('>HHH', l4[:6])
        return 17, sport, dport, 0, l4[8:max(ulen, 8)]
    if proto == 6 and len(l4) >= 20:
        sport, dport = struct.unpack('>HH', l4[:4])
        doff = (l4[12] >> 4) * 4
        return 6, sport, dport, l4[13], l4[doff:]
    return None


def first_cert(pay):
    """The first certificate of a Certificate message in the handshake
    records of a TCP payload, when it is whole there; else None."""
    hs = b''
    off = 0
    while off + 5 <= len(pay) and pay[off] == 0x16:
        rlen = struct.unpack('>H', pay[off + 3:off + 5])[0]
        hs += pay[off + 5:off + 5 + rlen]
        off += 5 + rlen
    off = 0
    while off + 4 <= len(hs):
        mlen = int.from_bytes(hs[off + 1:off + 4], 'big')
        if hs[off] == 11 and off + 10 <= len(hs):
            clen = int.from_bytes(hs[off + 7:off + 10], 'big')
            der = hs[off + 10:off + 10 + clen]
            return der if len(der) == clen and clen else None
        off += 4 + mlen
    return None


def classify(ip):
    """Yields (surface, seed) for one IP packet."""
    t = transport(ip)
    if not t:
        return
    proto, sport, dport, flags, pay = t
    ports = (sport, dport)
    if proto == 6 and flags & 0x12 == 0x02:
        yield 'sig_tcp', ip
    if not pay:
        return
    if proto == 17:
        if (67 in ports or 68 in ports) and len(pay) >= 240 and \
                pay[236:240] == b'\x63\x82\x53\x63':
            yield 'sig_dhcp', pay
        if 546 in ports or 547 in ports:
            yield 'sig_dhcp6', pay
        if 5353 in ports:
            yield 'sig_dns', b'\x01' + pay
        elif 53 in ports:
            yield 'sig_dns', b'\x00' + pay
        if 1900 in ports:
            yield 'sig_ssdp', pay
    elif proto == 6:
        if pay.startswith(HTTP_METHODS) or pay.startswith(b'HTTP/1.'):
            yield 'sig_http', pay
        if len(pay) >= 5 and pay[0] == 0x16 and pay[1] == 3:
            yield 'sig_tls', pay
            der = first_cert(pay)
            if der:
                yield 'sig_x509', der


def tshark_certs(path):
    """Every certificate (DER) in the capture's Certificate messages."""
    out = subprocess.run(
        ['tshark', '-r', path, '-Y', 'tls.handshake.type==11', '-T',
         'fields', '-e', 'tls.handshake.certificate'],
        capture_output=True, text=True, check=False).stdout
    for line in out.split():
        for hx in line.split(','):
            if hx:
                yield bytes.fromhex(hx)


def hexdump(b, width=16):
    for i in range(0, len(b), width):
        chunk = b[i:i + width]
        text = ''.join(chr(c) if 32 <= c < 127 else '.' for c in chunk)
        print('  %04x  %-48s %s' % (i, chunk.hex(' '), text))


def seeds(path, want, with_certs):
    """Yields (frame index or -1, surface, seed) for one capture."""
    for idx, (lt, frame) in enumerate(frames(path)):
        ip = ip_packet(lt, frame)
        if ip:
            for surface, seed in classify(ip):
                if surface in want:
                    yield idx, surface, seed
    if with_certs and 'sig_x509' in want:
        for der in tshark_certs(path):
            yield -1, 'sig_x509', der


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--surface', action='append', choices=SURFACES)
    ap.add_argument('--out', help='corpus root (fuzz/corpus)')
    ap.add_argument('--max', type=int, default=16,
                    help='seeds per surface and capture (default 16)')
    ap.add_argument('--show', action='store_true', help='hex dump instead')
    ap.add_argument('--allow-noncommittable', action='store_true')
    ap.add_argument('--tshark-certs', action='store_true',
                    help='add certificates from reassembled messages')
    ap.add_argument('pcaps', nargs='+')
    a = ap.parse_args()
    if not a.show and not a.out:
        ap.error('--out or --show is needed')
    want = set(a.surface or SURFACES)
    for path in a.pcaps:
        if not a.show and not a.allow_noncommittable and \
                any(n in path for n in NONCOMMITTABLE):
            print('refusing %s: its licence does not allow committing '
                  'payloads' % path, file=sys.stderr)
            continue
        tag = os.path.splitext(os.path.basename(path))[0]
        count = {}
        seen = set()
        for idx, surface, seed in seeds(path, want, a.tshark_certs):
            digest = hashlib.sha1(seed).hexdigest()
            if digest in seen or count.get(surface, 0) >= a.max:
                continue
            seen.add(digest)
            count[surface] = count.get(surface, 0) + 1
            if a.show:
                print('%s frame %d %s %d bytes' %
                      (tag, idx + 1, surface, len(seed)))
                hexdump(seed)
                continue
            d = os.path.join(a.out, surface)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, '%s-%s' % (tag, digest[:16])),
                      'wb') as f:
                f.write(seed)
        if count and not a.show:
            print('%s: %s' % (tag, ', '.join(
                '%s %d' % kv for kv in sorted(count.items()))))


if __name__ == '__main__':
    main()
