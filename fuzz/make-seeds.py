#!/usr/bin/env python3
"""Builds the seed corpora in fuzz/corpus/<surface>/ from real captures.

Each Ethernet frame of the given pcap files is sliced at every layer the
dissectors know (Ethernet, VLAN, ARP, IPv4, IPv6, ICMP, ICMPv6, TCP, UDP,
DHCP) and the slice becomes a seed for that layer's target; whole small
captures seed the `capture` target, and SLL/SLL2/raw-IP seeds are made by
re-wrapping IP packets in those link headers. Seeds are deduplicated by
content and capped per surface. Usage: make-seeds.py OUTDIR PCAP...
"""
import hashlib
import os
import struct
import sys

CAP = 24  # seeds per surface


def records(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        end = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        end = '>'
    else:
        return
    if struct.unpack(end + 'I', data[20:24])[0] != 1:
        return
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        yield data[off:off + incl]
        off += incl


def slices(frame):
    out = {'eth': frame}
    et, off = struct.unpack('>H', frame[12:14])[0] if len(frame) >= 14 else 0, 14
    while et in (0x8100, 0x88a8) and len(frame) >= off + 4:
        out.setdefault('vlan', frame[off - 2 - 0:])
        et = struct.unpack('>H', frame[off + 2:off + 4])[0]
        off += 4
    body = frame[off:]
    if et == 0x0806:
        out['arp'] = body
    elif et == 0x0800 and len(body) >= 20:
        out['ipv4'] = body
        out['rawip'] = body
        ihl = (body[0] & 15) * 4
        ip_slices(out, body[9], body[ihl:])
    elif et == 0x86dd and len(body) >= 40:
        out['ipv6'] = body
        out['rawip'] = body
        ip_slices(out, body[6], body[40:])
    if 'rawip' in out and len(frame) >= 14:
        ip = out['rawip']
        out['sll'] = struct.pack('>HHH8sH', 0, 1, 6, frame[6:12] + b'\0\0', et) + ip
        out['sll2'] = struct.pack('>HHIHBB8s', et, 0, 1, 1, 0, 6, frame[6:12] + b'\0\0') + ip
    return out


def ip_slices(out, proto, l4):
    if proto == 6:
        out['tcp'] = l4
    elif proto == 17:
        out['udp'] = l4
        if len(l4) >= 8 and struct.unpack('>H', l4[2:4])[0] in (67, 68):
            out['dhcp'] = l4[8:]
    elif proto == 1:
        out['icmp'] = l4
    elif proto == 58:
        out['icmp6'] = l4


def main():
    outdir, pcaps = sys.argv[1], sys.argv[2:]
    seen = {}
    for p in pcaps:
        for fr in records(p):
            for surface, blob in slices(fr).items():
                bucket = seen.setdefault(surface, {})
                if len(bucket) < CAP:
                    bucket[hashlib.sha1(blob).hexdigest()[:16]] = blob
        if os.path.getsize(p) <= 64 * 1024:
            with open(p, 'rb') as f:
                blob = f.read()
            seen.setdefault('capture', {})[hashlib.sha1(blob).hexdigest()[:16]] = blob
    for surface, bucket in seen.items():
        d = os.path.join(outdir, surface)
        os.makedirs(d, exist_ok=True)
        for name, blob in bucket.items():
            with open(os.path.join(d, 'seed-' + name), 'wb') as f:
                f.write(blob)
    for surface in sorted(seen):
        print(surface, len(seen[surface]))


if __name__ == '__main__':
    main()
