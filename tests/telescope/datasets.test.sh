#!/bin/sh
# The real negative captures EXTERNAL.md names: StopDDoS (SYN-ACK
# reflection = backscatter, spoofed SYN floods) and ESnet's masscan and
# nmap scans. None holds a Mirai SYN; the reflection's SYN-ACK/RST count
# equals tshark's; its sources are backscatter; masscan's SYNs all carry
# masscan's IP ID fingerprint; nmap's host gets no tool.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3 tshark
S=$VT_DATASETS/stopddos-packet-captures
E=$VT_DATASETS/esnet-curated-pcaps/attacks/scanners
if [ ! -d "$S" ] || [ ! -d "$E" ]; then
	vt_skip "datasets absent: $S or $E"
fi

# field JSONL IP FIELD: one field of one source (absent: "absent").
field() {
	python3 -c '
import json, sys
v = "absent"
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["ip"] == sys.argv[2]:
        v = o[sys.argv[3]]
print(json.dumps(v) if not isinstance(v, str) else v)' "$@"
}

for f in "$S"/*.pcap* "$E"/*/*.pcap; do
	n=$(basename "$f")
	vt_run "$VT_TMP/$n.json" "$VT_TMP/$n.err" "$VANTAGE" telescope --json "$f"
	vt_eq "$n: exit status" "$VT_RC" 0
	m=$(python3 -c '
import json, sys
print(sum(json.loads(l)["mirai_packets"] for l in open(sys.argv[1])))' "$VT_TMP/$n.json")
	vt_eq "$n: no Mirai signature SYN" "$m" 0
done

f=$S/amp.TCP.reflection.SYNACK.pcap
want=$(tshark -n -r "$f" -Y 'ip && !icmp && ((tcp.flags.syn == 1 && tcp.flags.ack == 1) || tcp.flags.reset == 1)' | wc -l)
vt_run "$VT_TMP/refl.txt" "$VT_TMP/refl.err" "$VANTAGE" telescope "$f"
got=$(sed -n 's/^classes:.* tcp_synack \([0-9]*\) tcp_ack [0-9]* tcp_rst \([0-9]*\) .*/\1 \2/p' "$VT_TMP/refl.txt" | awk '{print $1 + $2}')
vt_eq "reflection: SYN-ACK + RST packets = tshark's" "$got" "$want"
# Sources that sent only SYN-ACKs or RSTs (per tshark) must all be
# backscatter in vantage.
tshark -n -r "$f" -Y 'ip && !icmp' -T fields -E occurrence=f -e ip.src \
	-e tcp.flags.syn -e tcp.flags.ack -e tcp.flags.reset >"$VT_TMP/refl.tsv"
bs=$(python3 -c '
import collections, json, sys
kinds = collections.defaultdict(set)
for line in open(sys.argv[1]):
    src, syn, ack, rst = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
    t = lambda v: v in ("1", "True")
    kinds[src].add((t(syn) and t(ack)) or t(rst))
only = {s for s, k in kinds.items() if k == {True}}
cls = {json.loads(l)["ip"]: json.loads(l)["class"] for l in open(sys.argv[2])}
bad = [s for s in only if cls.get(s) != "backscatter"]
print("%d of %d" % (len(only) - len(bad), len(only)))' "$VT_TMP/refl.tsv" \
	"$VT_TMP/amp.TCP.reflection.SYNACK.pcap.json")
n=${bs#* of }
vt_eq "reflection: SYN-ACK/RST-only sources are backscatter" "$bs" "$n of $n"

j=$VT_TMP/tcp_0_1000_20190821.pcap.json
vt_eq "masscan: tool" "$(field "$j" 172.31.15.102 tool)" masscan
vt_eq "masscan: fingerprinted SYNs" "$(field "$j" 172.31.15.102 masscan_packets)" \
	"$(field "$j" 172.31.15.102 syn_packets)"
vt_eq "masscan: class" "$(field "$j" 172.31.15.102 class)" scanner
j=$VT_TMP/nmap_80_vanilla.pcap.json
vt_eq "nmap: no tool fingerprint" "$(field "$j" 10.87.1.10 tool)" null
vt_finish
