#!/usr/bin/env python3
"""Writes hand-made malformed seeds for the signal-parser fuzz targets.

Each seed is fuzz/corpus/<surface>/crafted-<what>: the hostile inputs of
docs RELIABILITY.md (DNS pointer loops, DHCP overload, 10,000 SSDP
headers, TLS length disagreements, deep DER nesting...), so the fuzzers
start from them and the replay tests run them under the sanitizers.
Real payloads come from fuzz/extract-payloads.py. Usage:
make-sig-seeds.py [CORPUS_ROOT] (default: the corpus beside this script).
"""
import os
import struct
import sys


def be16(v):
    return struct.pack('>H', v)


def be24(v):
    return struct.pack('>I', v)[1:]


# --- DNS (the fuzz input is one mode byte, 1 = mDNS, then the message) ---

def dns_name(dotted):
    out = b''
    for label in dotted.split('.') if dotted else []:
        out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def dns_hdr(flags, qd=0, an=0, ns=0, ar=0):
    return struct.pack('>HHHHHH', 0, flags, qd, an, ns, ar)


def rr(owner, rtype, rdata, owner_raw=None):
    name = owner_raw if owner_raw is not None else dns_name(owner)
    return name + struct.pack('>HHIH', rtype, 0x8001, 120, len(rdata)) + rdata


def dns_seeds():
    s = {}
    q = struct.pack('>HH', 1, 1)
    s['ptr-self'] = b'\0' + dns_hdr(0, 1) + b'\xc0\x0c' + q
    s['ptr-loop'] = b'\0' + dns_hdr(0, 2) + b'\xc0\x12' + q + b'\xc0\x0c' + q
    s['ptr-label-loop'] = b'\1' + dns_hdr(0, 1) + b'\x01a\xc0\x0c' + q
    s['ptr-forward'] = (b'\0' + dns_hdr(0, 2) + b'\xc0\x12' + q +
                        dns_name('ok.example') + q)
    s['ptr-out'] = b'\0' + dns_hdr(0, 1) + b'\xff\xff' + q
    s['ptr-half'] = b'\1' + dns_hdr(0, 1) + b'\xc0'
    chain = dns_hdr(0, 41) + dns_name('x.example') + q
    prev = 12
    for _ in range(40):
        at = len(chain)
        chain += bytes([0xc0 | prev >> 8, prev & 0xff]) + q
        prev = at
    s['ptr-chain-40'] = b'\0' + chain
    for lab in (0x40, 0x7f, 0x80, 0xbf):
        s['label-%02x' % lab] = (b'\1' + dns_hdr(0, 1) + bytes([lab]) +
                                 b'abcdefgh' + q)
    big = '.'.join(['a' * 63] * 4)
    s['name-256'] = b'\0' + dns_hdr(0, 1) + dns_name(big) + q
    s['name-255'] = b'\0' + dns_hdr(0, 1) + dns_name(big[:253]) + q
    s['counts-65535-response'] = b'\1' + dns_hdr(0x8400, 0xffff, 0xffff,
                                                 0xffff, 0xffff)
    s['counts-65535-query'] = b'\0' + dns_hdr(0, 0xffff, 0xffff, 0xffff,
                                              0xffff)
    # More questions and records than the per-message cap (1024).
    s['questions-1100'] = b'\1' + dns_hdr(0, 1100) + (b'\0' + q) * 1100
    s['records-1100'] = b'\1' + dns_hdr(0x8400, 0, 1100) + \
        (b'\0' + struct.pack('>HHIH', 1, 1, 1, 0)) * 1100
    # A Chromecast-style announcement with compression.
    m = dns_hdr(0x8400, 0, 4, 0, 2)
    svc = 12 + len(dns_name('_services._dns-sd._udp.local')) + 10
    m += rr('_services._dns-sd._udp.local', 12,
            dns_name('_googlecast._tcp.local'))
    inst_rdata = b'\x11Chromecast-1a2b3c' + bytes([0xc0, svc])
    m += rr('_googlecast._tcp.local', 12, inst_rdata)
    inst = len(m) - len(inst_rdata)
    ptr_inst = bytes([0xc0, inst])
    m += rr(None, 16, b'\x0dmd=Chromecast\x0efn=Living Room\x00',
            owner_raw=ptr_inst)
    m += rr(None, 33, struct.pack('>HHH', 0, 0, 8009) +
            dns_name('1a2b3c.local'), owner_raw=ptr_inst)
    m += rr('1a2b3c.local', 1, b'\xc0\xa8\x01\x05')
    m += rr('1a2b3c.local', 28, b'\xfe\x80' + b'\0' * 13 + b'\1')
    s['mdns-chromecast'] = b'\1' + m
    # A query with a known answer and a probe in the authority section.
    m = dns_hdr(0, 1, 1, 1)
    m += dns_name('_airplay._tcp.local') + struct.pack('>HH', 12, 0x8001)
    m += rr('_airplay._tcp.local', 12, dns_name('TV._airplay._tcp.local'))
    m += rr('Mine._airplay._tcp.local', 33, struct.pack('>HHH', 0, 0, 7000) +
            dns_name('myhost.local'))
    s['mdns-known-answer-probe'] = b'\1' + m
    m = dns_hdr(0x8400, 0, 1)
    m += rr('X._hap._tcp.local', 16, b'\x09k=v')
    s['mdns-txt-overflow'] = b'\1' + m
    m = dns_hdr(0x8400, 0, 2)
    m += rr('a.local', 1, b'\1\2\3\4')
    m += dns_name('b.local') + struct.pack('>HHIH', 1, 1, 1, 40) + b'\1\2'
    s['mdns-rdlength-past-end'] = b'\1' + m
    return s


# --- DHCPv4 / DHCPv6 ---

def bootp(op=1, sname=b'', file=b''):
    b = bytes([op, 1, 6, 0]) + b'\x12\x34\x56\x78' + b'\0' * 20
    b += b'\x00\x17\x88\x01\x02\x03' + b'\0' * 10
    b += sname.ljust(64, b'\0')[:64] + file.ljust(128, b'\0')[:128]
    return b + b'\x63\x82\x53\x63'


def opt(code, val):
    return bytes([code, len(val)]) + val


def dhcp_seeds():
    s = {}
    s['option-past-end'] = bootp() + opt(53, b'\3') + b'\x0c\x14abcde'
    s['code-without-length'] = bootp() + opt(53, b'\1') + b'\x0c'
    s['no-end'] = bootp() + b'\0\0' + opt(53, b'\1') + opt(12, b'cam')
    s['overload-both'] = bootp(
        sname=opt(12, b'name') + opt(60, b'in-sname') + b'\xff',
        file=opt(12, b'host-') + opt(52, b'\0') + b'\xff') + \
        opt(53, b'\1') + opt(52, b'\3') + opt(55, b'\1\3') + b'\xff'
    s['overload-past-field'] = bootp(file=b'\0' * 120 + b'\x0c\x28') + \
        opt(52, b'\1')
    s['hostname-nul'] = bootp() + opt(12, b'ab\0cd\0\0') + b'\xff'
    s['hostname-escape-html-utf8'] = bootp() + \
        opt(12, b'\x1b[31mred\x1b]0;x\x07') + \
        opt(60, b'<script>alert(1)</script>') + \
        opt(81, b'\0\0\0\xff\xfe\xc3') + b'\xff'
    s['hostname-255-twice'] = bootp() + opt(12, b'h' * 255) * 2 + b'\xff'
    s['prl-clientid-255'] = bootp() + opt(57, b'\x05\xdc') + \
        opt(55, bytes(200 + i % 50 for i in range(255))) + \
        opt(61, bytes(range(255))) + b'\xff'
    s['fqdn-forms'] = bootp() + \
        opt(81, b'\x05\0\0\x03cam\x04home\x03lan\0') + \
        opt(81, b'\x04\0\0\xc0\x0c') + b'\xff'
    s['bootreply-with-hostname'] = bootp(op=2) + opt(53, b'\5') + \
        opt(12, b'client') + b'\xff'
    s6 = {}
    hdr6 = b'\x01\x12\x34\x56'

    def opt6(code, val):
        return be16(code) + be16(len(val)) + val
    s6['solicit-vendor-fqdn'] = hdr6 + \
        opt6(39, b'\0\x09DESKTOP-1\x04home\0') + \
        opt6(16, b'\0\0\x01\x37\0\x08MSFT 5.0')
    s6['vendor-items'] = hdr6 + opt6(16, b'\0\0\x0d\xe9\0\x01a\0\x02bc') + \
        opt6(16, b'\0\0\0\x09')
    s6['vendor-item-overflow'] = hdr6 + opt6(16, b'\0\0\0\x09\0\x09abc')
    s6['fqdn-pointer'] = hdr6 + opt6(39, b'\x01\xc0\x0c')
    s6['option-overflow'] = hdr6 + opt6(39, b'\0\x01x\0') + \
        b'\0\x10\x01\x00\0\0\x01\x37'
    s6['relay-forw'] = b'\x0c\x00' + b'\0' * 32 + opt6(9, hdr6)
    return s, s6


# --- SSDP / HTTP ---

def text_seeds():
    ssdp = {}
    ssdp['no-crlf'] = b'M-SEARCH * HTTP/1.1 ST: x USER-AGENT: y'
    ssdp['bare-lf-odd-case'] = (b'notify * http/1.1\nsErVeR :  x/1  \t\n'
                                b'NT:\ngarbage\n folded: y\nUsn:\tuuid:x')
    ssdp['long-line-64k'] = (b'NOTIFY * HTTP/1.1\r\nSERVER: ' +
                             b'S' * 65536 + b'\r\nNT: tail\r\n\r\n')
    ssdp['headers-10000'] = (b'NOTIFY * HTTP/1.1\r\n' + b'NT: abc\r\n' *
                             10000 + b'\r\n')
    ssdp['response-200'] = (b'HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n'
                            b'SERVER: Linux UPnP/1.0\r\nUSN: uuid:1\r\n'
                            b'LOCATION: file:///etc/passwd\r\n\r\n')
    ssdp['hue-notify'] = (
        b'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n'
        b'LOCATION: http://192.168.1.20:80/description.xml\r\n'
        b'SERVER: Linux/3.14.0 UPnP/1.0 IpBridge/1.16.0\r\n'
        b'NTS: ssdp:alive\r\nNT: upnp:rootdevice\r\n'
        b'USN: uuid:2f402f80-da50-11e1-9b23-0017882476ff::upnp:rootdevice'
        b'\r\n\r\n')
    http = {}
    http['no-crlf'] = b'GET / HTTP/1.1'
    http['cut-in-headers'] = b'GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Mo'
    http['nul-escape-value'] = b'GET / HTTP/1.1\nhost:\tx\0y\x1b[2J\n\n'
    http['long-line-64k'] = (b'GET / HTTP/1.1\r\nUser-Agent: ' +
                             b'U' * 65536 + b'\r\nHost: h\r\n\r\n')
    http['long-target-64k'] = (b'GET /' + b'a' * 65536 +
                               b' HTTP/1.1\r\nHost: h\r\n\r\n')
    http['headers-10000'] = b'HTTP/1.1 200 OK\r\n' + b'Server:s\n' * 10000
    http['subscribe'] = b'SUBSCRIBE /evt HTTP/1.0\r\nUSER-AGENT: upnp\r\n'
    return ssdp, http


# --- TLS / X.509 ---

def ext(t, data):
    return be16(t) + be16(len(data)) + data


def hello(ciphers, exts, version=0x0303):
    b = be16(version) + b'\0' * 32 + b'\x20' + b'\0' * 32
    b += be16(2 * len(ciphers)) + b''.join(be16(c) for c in ciphers)
    b += b'\x01\x00' + be16(len(exts)) + exts
    return b'\x01' + be24(len(b)) + b


def records(ctype, data, frag=16384):
    out = b''
    for i in range(0, max(len(data), 1), frag):
        chunk = data[i:i + frag]
        out += bytes([ctype, 3, 1]) + be16(len(chunk)) + chunk
    return out


def spec_hello():
    ciphers = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
               0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
               0x002f, 0x0035]
    e = ext(0x1a1a, b'') + ext(0, b'\0\x0e\0\0\x0bexample.com')
    e += ext(0x17, b'') + ext(0xff01, b'\0')
    e += ext(0x0a, b'\0\x08\x2a\x2a\0\x1d\0\x17\0\x18') + ext(0x0b, b'\1\0')
    e += ext(0x23, b'') + ext(0x10, b'\0\x0c\x02h2\x08http/1.1')
    e += ext(5, b'\1\0\0\0\0')
    e += ext(0x0d, b'\0\x10\4\3\x08\4\4\1\5\3\x08\5\5\1\x08\6\6\1')
    e += ext(0x12, b'') + ext(0x33, b'\0\0') + ext(0x2d, b'\1\1')
    e += ext(0x2b, b'\x06\x3a\x3a\3\4\3\3') + ext(0x1b, b'\2\0\2')
    e += ext(0x4469, b'\0\3\2h2') + ext(0x15, b'\0' * 4) + ext(0x3a3a, b'\0')
    return hello(ciphers, e)


def tlv(tag, val, lenbytes=None):
    n = len(val)
    if lenbytes is None:
        lenbytes = 0 if n < 0x80 else (n.bit_length() + 7) // 8
    if lenbytes == 0:
        return bytes([tag, n]) + val
    return bytes([tag, 0x80 | lenbytes]) + n.to_bytes(lenbytes, 'big') + val


def name(*attrs):
    rdns = b''
    for oid, tag, val in attrs:
        rdns += tlv(0x31, tlv(0x30, tlv(6, oid) + tlv(tag, val)))
    return tlv(0x30, rdns)


CN = b'\x55\x04\x03'


def cert(issuer, subject, outer_len_bytes=None):
    alg = tlv(0x30, b'\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00')
    tbs = tlv(0xa0, b'\x02\x01\x02') + tlv(2, b'\x01') + alg + issuer
    tbs += tlv(0x30, b'\x17\x0d240101000000Z\x17\x0d250101000000Z')
    tbs += subject + tlv(0x30, b'\x30\x00\x03\x01\x00')
    return tlv(0x30, tlv(0x30, tbs) + alg + tlv(3, b'\0\xaa'),
               outer_len_bytes)


def cert_msg(ders):
    lst = b''.join(be24(len(d)) + d for d in ders)
    body = be24(len(lst)) + lst
    return b'\x0b' + be24(len(body)) + body


def tls_seeds():
    s = {}
    h = spec_hello()
    s['ja4-spec-hello'] = records(22, h)
    s['ja4-spec-hello-100-byte-records'] = records(22, h, 100)
    cut = bytearray(records(22, h))
    cut[3:5] = be16(150)
    s['record-shorter-than-handshake'] = bytes(cut)
    lie = bytearray(records(22, h))
    lie[6:9] = be24(len(h) - 4 - 20)
    s['handshake-shorter-than-hello'] = bytes(lie)
    lie[6:9] = be24(len(h) + 1000)
    s['handshake-longer-than-data'] = bytes(lie)
    s['record-over-max'] = b'\x16\x03\x01\xff\xff' + h
    e = ext(0, b'\0\x06\0\0\x03abc') + be16(0x0a) + be16(200) + b'\0\x02\0\x1d'
    s['extension-overflow'] = records(22, hello([0x1301], e))
    for i, lst in enumerate([b'\0\x0c\x01\0\x03xyz\0\0\x03abc',
                             b'\0\x03\0\0\0', b'\0\0', b'',
                             b'\0\x40\0\0\x03abc', b'\0\x06\0\0\x09abc']):
        s['sni-odd-%d' % i] = records(22, hello([0x1301], ext(0, lst)))
    s['grease-everywhere'] = records(22, hello(
        [0x0a0a, 0x1a1a, 0x002f],
        ext(0x2a2a, b'') + ext(0x0a, b'\0\4\x3a\x3a\x4a\x4a') +
        ext(0x2b, b'\2\x5a\x5a') + ext(0x0d, b'\0\2\x6a\x6a') +
        ext(0x10, b'\0\3\2\xff\x01')))
    # Over the JA4 caps: 600 ciphers, 300 extensions (JA3 only).
    s['ciphers-600'] = records(22, hello(list(range(1, 601)), b''))
    s['extensions-300'] = records(22, hello(
        [0x2f], b''.join(ext(0x100 + i, b'') for i in range(300))))
    leaf = cert(name((CN, 12, b'Root')), name((CN, 12, b'leaf')))
    # A 20 KiB certificate message: over the 16 KiB gathering buffer.
    s['cert-20k'] = records(22, cert_msg([leaf, b'\x30\x82\x4e\x20' +
                                          b'\0' * 20000]))
    s['chain-1000'] = records(22, cert_msg([leaf] + [b'\x30\x02\x05\x00'] *
                                           999))
    s['cert-long-form-4'] = records(22, cert_msg([cert(
        name((CN, 12, b'ca')), name((CN, 12, b'ca')), outer_len_bytes=4)]))
    s['cert-nul-in-cn'] = records(22, cert_msg([cert(
        name((CN, 12, b'ca')),
        name((b'\x55\x04\x0a', 19, b'<b>x</b>'),
             (CN, 12, b'evil.com\0.good.com'),
             (CN, 30, b'\0h\0i\xd8\x3d\xde\x00')))]))
    after_ccs = records(22, b'\x02\0\0\0') + records(20, b'\1')
    s['after-ccs'] = after_ccs + records(22, cert_msg([leaf]))
    x509 = {}
    x509['leaf'] = leaf
    deep = b''
    for k in range(2000):
        deep = tlv(0x30, deep, 2)
    x509['deep-nesting-2000'] = cert(name((CN, 12, b'ca')), tlv(0x30, tlv(
        0x31, tlv(0x30, tlv(6, CN) + deep))))
    x509['long-form-5-bytes'] = b'\x30\x85\0\0\0\0\x10' + leaf[2:]
    x509['indefinite'] = b'\x30\x80' + leaf[2:]
    x509['oids-and-strings'] = cert(name((CN, 12, b'foo')), name(
        (b'\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01', 22, b'a@b.c'),
        (b'\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19', 22, b'lan'),
        (b'\x2a\x03\x04', 2, b'\1\0'), (b'\x88\x37\x01\x05', 20, b'x'),
        (CN, 28, b'\0\0\0A\0\x11\0\0'), (b'\x55\x04\xff', 12, b'v'),
        (b'\x2b' + b'\xff' * 12 + b'\x01', 12, b'big arc')))
    return s, x509


# --- TCP SYN (raw IPv4 packets) ---

def syn(opts, ttl=64, df=True, ipid=7, flags=0x02, seq=1000, ack=0,
        win=29200, tos=0):
    opts = opts + b'\0' * (-len(opts) % 4)
    tcp = struct.pack('>HHIIBBHHH', 40000, 443, seq, ack,
                      (5 + len(opts) // 4) << 4, flags, win, 0, 0) + opts
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, tos, 20 + len(tcp), ipid,
                     0x4000 if df else 0, ttl, 6, 0, b'\xc0\xa8\1\2',
                     b'\xc0\xa8\1\1')
    return ip + tcp


def tcp_seeds():
    s = {}
    s['linux'] = syn(b'\2\4\5\xb4\4\2\x08\x0a\0\0\0\1\0\0\0\0\1\3\3\7')
    s['quirks'] = syn(b'\x08\x0a\0\0\0\0\0\0\0\x09', df=False, ipid=0,
                      flags=0x02 | 0x20 | 0x08 | 0x40, seq=0, ack=5, tos=2)
    s['eol-data-exws-sack'] = syn(b'\3\3\x0f\5\x0a\0\0\0\1\0\0\0\2\x1e\2'
                                  b'\0\0\7')
    s['option-len-0'] = syn(b'\1\2\0\5\xb4')
    s['option-len-1'] = syn(b'\4\1\1')
    s['option-past-end'] = syn(b'\2\4\5')
    s['all-nops'] = syn(b'\1' * 40)
    return s


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus')
    dhcp, dhcp6 = dhcp_seeds()
    ssdp, http = text_seeds()
    tls, x509 = tls_seeds()
    sets = {'sig_dns': dns_seeds(), 'sig_dhcp': dhcp, 'sig_dhcp6': dhcp6,
            'sig_ssdp': ssdp, 'sig_http': http, 'sig_tls': tls,
            'sig_x509': x509, 'sig_tcp': tcp_seeds()}
    for surface, seeds in sets.items():
        d = os.path.join(root, surface)
        os.makedirs(d, exist_ok=True)
        for what, data in seeds.items():
            with open(os.path.join(d, 'crafted-' + what), 'wb') as f:
                f.write(data)
        print('%s: %d crafted seeds' % (surface, len(seeds)))


if __name__ == '__main__':
    main()
