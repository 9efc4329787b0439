# shellcheck shell=bash disable=SC2034 # globals here are read by the sourcing script
#
# bench/lib.sh - shared helpers for the vantage benchmark scripts.
#
# Source it from a bench script (bash). It provides:
#   logging           vt_log, vt_warn, vt_die
#   tool checks       vt_require_tools
#   paths/config      vt_repo_root, vt_datasets_dir, vt_work_dir
#   the capture       vt_build_capture OUT SIZE_MB   (cached, see below)
#                     vt_info_get INFOFILE KEY
#   measuring         vt_measure NAME LOG CMD...     (wall s, peak RSS, rc)
#   number helpers    vt_calc, vt_fmt_rate
#
# The benchmark capture
# ---------------------
# vt_build_capture makes a large pcap from the real captures in the
# datasets folder. Steps:
#   1. every pcap/pcapng in the packet-capture sets whose link type is
#      Ethernet (capinfos -E) is converted to pcap with editcap -F pcap;
#      other link types are skipped and listed;
#   2. each file's timeline is compacted: inter-packet gaps longer than
#      VT_BENCH_GAP_S (default 300 s, also backward jumps) become 1 s,
#      and the file is rebased to start at 2023-11-14 22:13:20 UTC.
#      Some test pcaps are stitched from captures years apart; without
#      this, copies laid end to end would overflow 32-bit pcap seconds;
#   3. all files are merged by time into one "base" (about 24 MB);
#   4. the base is written N times (N = size / base size, rounded), copy
#      k (1..N) shifted by k * (base span + 60 s) so copies follow each
#      other, with every address rewritten so that devices and flows of
#      different copies are distinct:
#        MAC      unicast: OUI kept, low 3 bytes XOR a per-copy constant
#                 (multicast/broadcast/zero kept);
#        IPv4     RFC 1918 -> 10.k.c.d (low 16 bits kept: subnets stay
#                 subnets, local stays local); public a.b.c.d ->
#                 a.(b^k).c.d, stepped away from private/special ranges;
#                 0/8, 127/8, 169.254/16, 100.64/10, 224/3 kept;
#        IPv6     fe80::/10: word 3 ^= k; multicast/::/::1/::ffff:0:0/96
#                 kept; everything else: word 2 ^= k;
#      Ethernet, ARP sender/target and DHCP chaddr/ciaddr/yiaddr/siaddr/
#      giaddr are rewritten consistently; IPv4 header, TCP, UDP and
#      ICMPv6 checksums are updated incrementally (RFC 1624), so a wrong
#      checksum in the source stays wrong and a right one stays right.
#      Per copy the mapping is one-to-one, so each copy has exactly the
#      base's flows. Packet bytes, lengths and padding are untouched.
#
# Why not tcprewrite: tcprewrite 4.4.1-4.4.4 (Debian 12 ships 4.4.3)
# rewrites the IPv4 total length to include Ethernet padding (about 44%
# of these packets, mostly 40-byte TCP segments that gain 6 bytes of
# "payload"; tcpreplay issues #844/#845) and sets the source MAC of IPv6
# multicast packets to 33:33:00:00:00:00 (#793/#817), even with only
# --pnat or --fixcsum. So the rewrite is done by the small Python
# (standard library only) program below.
#
# The capture is cached in the work dir with an .info file (packets,
# bytes, copies, flows, devices...) and a .key file; it is rebuilt only
# when the sources, size or generator change.

VT_GEN_VERSION=1
VT_T0_S=1700000000 # rebase time of every source file (2023-11-14 22:13:20 UTC)

vt_log() { printf '%s\n' "$*" >&2; }
vt_warn() { printf 'warning: %s\n' "$*" >&2; }
vt_die() {
	printf 'error: %s\n' "$*" >&2
	exit 2
}

# Repo root: the parent of the directory holding this file.
vt_repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); }
vt_datasets_dir() { printf '%s\n' "${VT_DATASETS:-$(vt_repo_root)/../shared/datasets}"; }
vt_work_dir() { printf '%s\n' "${VT_BENCH_WORK:-$(vt_repo_root)/bench/work}"; }

# vt_require_tools CMD... : exits with a clear message naming the Debian
# package of every missing command.
vt_require_tools() {
	local t missing=() pkg
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || [[ -x $t ]] || missing+=("$t")
	done
	((${#missing[@]} == 0)) && return 0
	for t in "${missing[@]}"; do
		case $t in
		editcap | mergecap | capinfos) pkg=wireshark-common ;;
		tshark) pkg=tshark ;;
		tcpdump) pkg=tcpdump ;;
		ndpiReader) pkg=libndpi-bin ;;
		sqlite3) pkg=sqlite3 ;;
		/usr/bin/time) pkg='time' ;;
		taskset) pkg=util-linux ;;
		python3) pkg=python3 ;;
		*) pkg='?' ;;
		esac
		vt_log "missing tool: $t (Debian package: $pkg)"
	done
	vt_die "install the missing tools above and run again"
}

# vt_info_get FILE KEY : value of "KEY=value" in FILE (empty if none).
vt_info_get() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1; }

# vt_calc EXPR : awk arithmetic, printed with %.6g unless EXPR formats.
vt_calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# vt_fmt_rate N : 1234567 -> "1.23 M"
vt_fmt_rate() {
	awk -v n="$1" 'BEGIN {
		if (n >= 1e6) printf "%.2f M", n / 1e6
		else if (n >= 1e3) printf "%.1f k", n / 1e3
		else printf "%.0f", n }'
}

# The packet-capture sets used (relative to the datasets dir).
VT_CAPTURE_SETS=(iot-sentinel lifecycle-cn-iot moniotr-intl-iot ndpi-tests
	stopddos-packet-captures esnet-curated-pcaps)

# vt_normalize_sources DATASETS SRCDIR : converts every Ethernet capture to
# pcap in SRCDIR (NNN-name.pcap) and prints the written paths, in a stable
# order. Skipped files are logged.
vt_normalize_sources() {
	local ds=$1 dir=$2 f enc name n=0 set
	mkdir -p "$dir"
	rm -f "$dir"/*.pcap
	for set in "${VT_CAPTURE_SETS[@]}"; do
		[[ -d $ds/$set ]] || vt_die "dataset folder not found: $ds/$set (set VT_DATASETS)"
	done
	while IFS= read -r f; do
		enc=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f2) || enc=
		if [[ $enc != ether ]]; then
			vt_log "  skip ${f#"$ds"/} (link type: ${enc:-unreadable})"
			continue
		fi
		n=$((n + 1))
		name=$(printf '%03d-%s' "$n" "$(basename "$f")")
		name=${name%.pcapng}
		name=${name%.pcap}
		name=${name%.cap}.pcap
		editcap -F pcap "$f" "$dir/$name" || vt_die "editcap failed on $f"
		printf '%s\n' "$dir/$name"
	done < <(for set in "${VT_CAPTURE_SETS[@]}"; do
		find "$ds/$set" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \)
	done | LC_ALL=C sort)
}

# vt_capture_key DATASETS SIZE_MB GAP : a hash of everything the capture
# depends on (source file contents, size, gap, generator version).
vt_capture_key() {
	local ds=$1 set
	{
		printf 'gen=%s size=%s gap=%s t0=%s\n' "$VT_GEN_VERSION" "$2" "$3" "$VT_T0_S"
		for set in "${VT_CAPTURE_SETS[@]}"; do
			find "$ds/$set" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \)
		done | LC_ALL=C sort | while IFS= read -r f; do
			printf '%s ' "${f#"$ds"/}"
			sha256sum <"$f" | cut -d' ' -f1
		done
		# the generator itself
		sed -n '/^vt_capture_gen()/,/^PYEOF$/p' "${BASH_SOURCE[0]}"
	} | sha256sum | cut -d' ' -f1
}

# vt_build_capture OUT SIZE_MB : builds OUT (and OUT.info) unless a cached
# one with the same key exists. Honors VT_DATASETS, VT_BENCH_GAP_S and
# VT_BENCH_REBUILD=1.
vt_build_capture() {
	local out=$1 size_mb=$2 ds gap key srcdir t0 t1 pk
	ds=$(vt_datasets_dir)
	gap=${VT_BENCH_GAP_S:-300}
	[[ -d $ds ]] || vt_die "datasets not found: $ds (set VT_DATASETS)"
	if [[ ! $size_mb =~ ^[0-9]+$ ]] || ((size_mb == 0)); then
		vt_die "bad size: $size_mb MB"
	fi
	vt_require_tools capinfos editcap python3 sha256sum
	key=$(vt_capture_key "$ds" "$size_mb" "$gap")
	if [[ ${VT_BENCH_REBUILD:-0} != 1 && -s $out && -s $out.info &&
		$(vt_info_get "$out.info" key) == "$key" ]]; then
		vt_log "using cached capture $out"
		return 0
	fi
	vt_log "building capture $out (about $size_mb MB) from $ds"
	rm -f "$out" "$out.info"
	srcdir=$(dirname "$out")/src
	t0=$(date +%s)
	local srcs=()
	vt_normalize_sources "$ds" "$srcdir" >"$out.sources" || exit $?
	mapfile -t srcs <"$out.sources"
	rm -f "$out.sources"
	((${#srcs[@]} > 0)) || vt_die "no Ethernet captures found in $ds"
	vt_log "  ${#srcs[@]} Ethernet captures converted to pcap in $srcdir"
	vt_capture_gen "$out.tmp" "$out.info.tmp" "$((size_mb * 1024 * 1024))" "$gap" \
		"$VT_T0_S" "${srcs[@]}" || vt_die "capture generator failed"
	# Independent check of the packet count (this is what rates are based on).
	pk=$(capinfos -M -c -T -r "$out.tmp" | cut -f2)
	[[ $pk == "$(vt_info_get "$out.info.tmp" packets)" ]] ||
		vt_die "capinfos counts $pk packets, generator wrote $(vt_info_get "$out.info.tmp" packets)"
	t1=$(date +%s)
	{
		cat "$out.info.tmp"
		printf 'capinfos_packets=%s\nbuild_seconds=%s\nkey=%s\n' "$pk" "$((t1 - t0))" "$key"
	} >"$out.info"
	rm -f "$out.info.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$srcdir"
	vt_log "  built in $((t1 - t0)) s: $(vt_info_get "$out.info" packets) packets," \
		"$(vt_info_get "$out.info" bytes) bytes, $(vt_info_get "$out.info" copies) copies"
}

# vt_capture_gen OUT INFO TARGET_BYTES GAP_S T0_S SRC.pcap... : the
# generator (see the header). Writes OUT and KEY=value lines to INFO.
vt_capture_gen() {
	python3 - "$@" <<'PYEOF'
import os, struct, sys
from multiprocessing import Pool

out_path, info_path = sys.argv[1], sys.argv[2]
target_bytes, gap_s, t0_s = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
sources = sys.argv[6:]
GAP_US = int(gap_s * 1e6)

def read_pcap(path):
    """Yields (ts_us, orig_len, data) from a classic pcap file."""
    with open(path, 'rb') as f:
        buf = f.read()
    magic = buf[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        end = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        end = '>'
    else:
        sys.exit('%s: not a pcap file' % path)
    nsec = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    if struct.unpack(end + 'I', buf[20:24])[0] & 0xffff != 1:
        sys.exit('%s: link type is not Ethernet' % path)
    rec = struct.Struct(end + 'IIII')
    off, n = 24, len(buf)
    while off + 16 <= n:
        sec, frac, incl, orig = rec.unpack_from(buf, off)
        off += 16
        if off + incl > n:
            break  # truncated last record
        yield sec * 1000000 + (frac // 1000 if nsec else frac), orig, buf[off:off + incl]
        off += incl

# 1-3. read, compact each file's timeline, rebase, merge by time.
pkts = []  # (ts_us, file index, seq, orig_len, data)
for fi, path in enumerate(sources):
    prev = None
    t = t0_s * 1000000
    for seq, (ts, orig, data) in enumerate(read_pcap(path)):
        if prev is not None:
            d = ts - prev
            t += d if -GAP_US <= d <= GAP_US else 1000000
        prev = ts
        pkts.append((t, fi, seq, orig, data))
if not pkts:
    sys.exit('no packets in the sources')
pkts.sort(key=lambda p: (p[0], p[1], p[2]))
t_first = pkts[0][0]
span_s = (max(p[0] for p in pkts) - t_first) // 1000000 + 1
copy_step_s = span_s + 60

# Parse every packet once: where are the addresses and the checksums that
# cover them. An address field is (absolute offset in the base image, kind,
# original bytes); a checksum is (offset, original value, udp?, fields).
MAC, IP4, IP6 = 0, 1, 2
fields = []        # (off, kind, orig bytes)
csums = []         # (off, orig value, is_udp, tuple of (kind, orig bytes))
hdr_offs = []      # record header offsets (for the time shift)
base = bytearray()
flows = set()
devices = set()

def u16(b, o):
    return (b[o] << 8) | b[o + 1]

def parse(p, at):
    """Registers the address/checksum fields of packet p written at at."""
    n = len(p)
    if n < 14:
        return
    fields.append((at, MAC, p[0:6]))
    fields.append((at + 6, MAC, p[6:12]))
    if not p[6] & 1:
        devices.add(p[6:12])
    et, o = u16(p, 12), 14
    while et in (0x8100, 0x88a8, 0x9100) and o + 4 <= n:
        et, o = u16(p, o + 2), o + 4
    if et == 0x0806 and o + 28 <= n and u16(p, o) == 1 and u16(p, o + 2) == 0x0800 \
            and p[o + 4] == 6 and p[o + 5] == 4:
        fields.append((at + o + 8, MAC, p[o + 8:o + 14]))
        fields.append((at + o + 14, IP4, p[o + 14:o + 18]))
        fields.append((at + o + 18, MAC, p[o + 18:o + 24]))
        fields.append((at + o + 24, IP4, p[o + 24:o + 28]))
        return
    if et == 0x0800 and o + 20 <= n and p[o] >> 4 == 4:
        ihl = (p[o] & 15) * 4
        src, dst = p[o + 12:o + 16], p[o + 16:o + 20]
        fields.append((at + o + 12, IP4, src))
        fields.append((at + o + 16, IP4, dst))
        addr = ((IP4, src), (IP4, dst))
        csums.append((at + o + 10, u16(p, o + 10), False, addr))
        proto = p[o + 9]
        if u16(p, o + 6) & 0x1fff:
            flows.add((proto, src, dst, 0, 0) if src <= dst else (proto, dst, src, 0, 0))
            return  # not the first fragment: no L4 header
        l4 = o + ihl
    elif et == 0x86dd and o + 40 <= n and p[o] >> 4 == 6:
        src, dst = p[o + 8:o + 24], p[o + 24:o + 40]
        fields.append((at + o + 8, IP6, src))
        fields.append((at + o + 24, IP6, dst))
        addr = ((IP6, src), (IP6, dst))
        proto, l4 = p[o + 6], o + 40
        while proto in (0, 43, 60, 44) and l4 + 8 <= n:
            if proto == 44:
                if u16(p, l4 + 2) >> 3:
                    return  # not the first fragment
                proto, l4 = p[l4], l4 + 8
            else:
                proto, l4 = p[l4], l4 + (p[l4 + 1] + 1) * 8
    else:
        return
    sp = dp = 0
    if proto in (6, 17) and l4 + 4 <= n:
        sp, dp = u16(p, l4), u16(p, l4 + 2)
    a, b = (src, sp), (dst, dp)
    flows.add((proto,) + (a + b if a <= b else b + a))
    if proto == 6 and l4 + 18 <= n:
        csums.append((at + l4 + 16, u16(p, l4 + 16), False, addr))
    elif proto == 58 and et == 0x86dd and l4 + 4 <= n:
        csums.append((at + l4 + 2, u16(p, l4 + 2), False, addr))
    elif proto == 17 and l4 + 8 <= n:
        extra = ()
        d = l4 + 8  # BOOTP/DHCP: chaddr and the four address fields
        if (sp in (67, 68) or dp in (67, 68)) and d + 236 <= n and p[d + 1] == 1 and p[d + 2] == 6:
            for k in (12, 16, 20, 24):
                fields.append((at + d + k, IP4, p[d + k:d + k + 4]))
            fields.append((at + d + 28, MAC, p[d + 28:d + 34]))
            extra = tuple((IP4, p[d + k:d + k + 4]) for k in (12, 16, 20, 24)) + \
                ((MAC, p[d + 28:d + 34]),)
        if u16(p, l4 + 6):  # 0: no UDP checksum (IPv4)
            csums.append((at + l4 + 6, u16(p, l4 + 6), True, addr + extra))

hdr = struct.Struct('<IIII')
for ts, fi, seq, orig, data in pkts:
    at = len(base)
    hdr_offs.append((at, ts // 1000000 - t_first // 1000000 + t0_s))
    base += hdr.pack(0, ts % 1000000, len(data), orig)
    base += data
    parse(data, at + 16)
base = bytes(base)
del pkts

copies = max(1, round((target_bytes - 24) / len(base)))
if copies > 255:
    sys.exit('size too large: %d copies of the %d-byte base (255 at most)' % (copies, len(base)))

# Per-copy address maps.
def is_special4(x):
    return (x >> 24 in (0, 127) or x >> 16 == 0xa9fe or x >> 22 == (100 << 2 | 1)
            or x >> 29 == 7)

def is_private4(x):
    return x >> 24 == 10 or x >> 20 == 0xac1 or x >> 16 == 0xc0a8

def distinct_values():
    seen = {MAC: [], IP4: [], IP6: []}
    have = set()
    for _, kind, v in fields:
        if (kind, v) not in have:
            have.add((kind, v))
            seen[kind].append(v)
    return seen

VALUES = distinct_values()

def maps_for(k):
    m = {}
    x24 = (k * 0x9E3779B1 >> 8) & 0xffffff or 1
    for v in VALUES[MAC]:
        if v[0] & 1 or v == b'\0' * 6:
            m[(MAC, v)] = v
        else:
            m[(MAC, v)] = v[:3] + ((int.from_bytes(v[3:], 'big') ^ x24).to_bytes(3, 'big'))
    taken = set()
    for v in VALUES[IP4]:
        x = int.from_bytes(v, 'big')
        if is_special4(x):
            m[(IP4, v)] = v
            continue
        a, b, c, d = v
        for j in range(65536):
            if is_private4(x):
                y = (10 << 24) | (k << 16) | (((c + j) & 255) << 8) | ((d + (j >> 8)) & 255)
            else:
                y = (a << 24) | ((((b ^ k) + (j & 255)) & 255) << 16) | \
                    (((c + (j >> 8)) & 255) << 8) | d
                if is_private4(y) or is_special4(y):
                    continue
            if y not in taken:
                break
        taken.add(y)
        m[(IP4, v)] = y.to_bytes(4, 'big')
    for v in VALUES[IP6]:
        if v[0] == 0xff or v in (b'\0' * 16, b'\0' * 15 + b'\1') or v[:12] == b'\0' * 10 + b'\xff\xff':
            m[(IP6, v)] = v
            continue
        w = 3 if v[0] == 0xfe and v[1] & 0xc0 == 0x80 else 2
        b = bytearray(v)
        b[2 * w] ^= k >> 8
        b[2 * w + 1] ^= k & 255
        m[(IP6, v)] = bytes(b)
    # ones' complement contribution of each change (RFC 1624: ~m + m')
    c = {}
    for key, new in m.items():
        old = key[1]
        s = 0
        for i in range(0, len(old), 2):
            s += (~((old[i] << 8) | old[i + 1]) & 0xffff) + ((new[i] << 8) | new[i + 1])
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        c[key] = s
    return m, c

def make_copy(k):
    m, c = maps_for(k)
    img = bytearray(base)
    shift = k * copy_step_s
    pack_into = struct.pack_into
    for off, sec in hdr_offs:
        pack_into('<I', img, off, sec + shift)
    for off, kind, v in fields:
        img[off:off + len(v)] = m[(kind, v)]
    for off, old, is_udp, addr in csums:
        s = (~old & 0xffff) + sum(c[a] for a in addr)
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        s = ~s & 0xffff
        if is_udp and s == 0:
            s = 0xffff
        img[off] = s >> 8
        img[off + 1] = s & 255
    return bytes(img)

with open(out_path, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    with Pool(min(os.cpu_count() or 1, 8)) as pool:
        for img in pool.imap(make_copy, range(1, copies + 1)):
            f.write(img)
    size = f.tell()

base_packets = len(hdr_offs)
with open(info_path, 'w') as f:
    for k, v in (('sources', len(sources)), ('base_packets', base_packets),
                 ('base_bytes', len(base)), ('base_span_s', span_s),
                 ('copy_step_s', copy_step_s), ('copies', copies),
                 ('packets', base_packets * copies), ('bytes', size),
                 ('flows_per_copy', len(flows)), ('flows', len(flows) * copies),
                 ('devices', len(devices) * copies),
                 ('first_ts', t0_s + copy_step_s),
                 ('last_ts', t0_s + copies * copy_step_s + span_s)):
        f.write('%s=%s\n' % (k, v))
PYEOF
}

# vt_measure NAME LOG CMD... : runs CMD VT_BENCH_RUNS times (default 1),
# pinned with taskset to VT_BENCH_CPU (default 0) when taskset exists,
# stdout+stderr to LOG (of the last run). Sets VT_SECS[NAME] (best wall
# time), VT_CPU[NAME] (user+sys seconds of that run), VT_RSS[NAME] (max
# of peak RSS, KiB) and VT_RC[NAME] (0, or the first failing exit status;
# 128+N for signal N). If VT_BEFORE_RUN names a command, it is run
# (unmeasured) before every run, e.g. to delete an output database.
declare -A VT_SECS=() VT_CPU=() VT_RSS=() VT_RC=()
vt_measure() {
	local name=$1 log=$2 runs=${VT_BENCH_RUNS:-1} i tf rc secs rss usr sys pin=()
	shift 2
	if command -v taskset >/dev/null 2>&1; then
		pin=(taskset -c "${VT_BENCH_CPU:-0}")
	fi
	tf=$(mktemp)
	VT_SECS[$name]='' VT_CPU[$name]='' VT_RSS[$name]=0 VT_RC[$name]=0
	for ((i = 1; i <= runs; i++)); do
		rc=0
		[[ -z ${VT_BEFORE_RUN:-} ]] || "$VT_BEFORE_RUN"
		/usr/bin/time -f '%e %M %U %S' -o "$tf" "${pin[@]}" "$@" >"$log" 2>&1 || rc=$?
		if grep -q '^Command terminated by signal' "$tf"; then
			rc=$((128 + $(sed -n 's/^Command terminated by signal \([0-9]*\).*/\1/p' "$tf")))
		fi
		read -r secs rss usr sys < <(tail -n 1 "$tf")
		if [[ -z ${VT_SECS[$name]} ]] || awk -v a="$secs" -v b="${VT_SECS[$name]}" 'BEGIN { exit !(a < b) }'; then
			VT_SECS[$name]=$secs
			VT_CPU[$name]=$(vt_calc "$usr + $sys")
		fi
		((rss > VT_RSS[$name])) && VT_RSS[$name]=$rss
		if ((rc != 0)); then
			VT_RC[$name]=$rc
			break
		fi
	done
	rm -f "$tf"
}
