#!/bin/sh
# Bad input (docs RELIABILITY.md, "Bad inputs"): vantage read on the
# synthetic captures of tests/bad/captures/ (see README.md there and
# gen_bad_captures.py, which says what each file holds).
#
# Asserted:
#  0. the generator reproduces the committed captures byte for byte;
#  1. no capture crashes vantage: exit status 0, 1 or 2 only, no sanitizer
#     report (ASan/UBSan builds), stdout is JSON Lines, and nothing on
#     stdout when the input is refused (exit 2);
#  2. container faults: exactly one error line on stderr ("vantage read:
#     FILE: reason"; the summary headline is not an error line) naming the
#     file; exit 2 when the file cannot be opened, exit 1 when it breaks
#     after good records, and then the devices read before the fault are
#     printed with exact counters and, with --db, stored;
#  3. link/network faults: exit 0, no error line, and the per-layer summary
#     on stderr counts the case in the right layer and column (truncated vs
#     malformed vs unsupported), with the addresses learned (or not) as the
#     case requires;
#  4. the Linux cooked (SLL, SLL2) and raw-IP link types decode;
#  5. for every Ethernet capture vantage reads (exit 0 or 1), each device's
#     frame counters equal tshark's on the same file (tests/oracle/counters.py).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3 cmp

CAPS=$VT_SRCDIR/tests/bad/captures
A=02:00:00:00:00:0a
C=02:00:00:00:00:0c
D=02:00:00:00:00:0d
# Timestamps of the generator: T0 = 2023-11-14T22:13:20Z.
T=2023-11-14T22:13

# --- helpers: one case at a time; $case, $out, $err name the current run

# run NAME [OPTIONS...]: vantage read --json OPTIONS captures/NAME
run() {
	case=$1
	shift
	out=$VT_TMP/$case.out
	err=$VT_TMP/$case.err
	vt_run "$out" "$err" "$VANTAGE" read --json "$@" "$CAPS/$case"
	echo "--- $case (exit $VT_RC)"
}

rc_is() { vt_eq "$case: exit status" "$VT_RC" "$1"; }
frames_is() { vt_eq "$case: frames in summary" "$(vt_frames "$err")" "$1"; }
devices_is() { vt_eq "$case: devices printed" "$(vt_json_count "$out")" "$1"; }
field_is() { vt_eq "$case: $1 $2" "$(vt_json_field "$out" "$1" "$2")" "$3"; }
layer_is() { vt_eq "$case: layer $1 $2" "$(vt_layer "$err" "$1" "$2")" "$3"; }

# sent_is KEY PACKETS BYTES: packets_sent and bytes_sent of a device.
sent_is() {
	field_is "$1" packets_sent "$2"
	field_is "$1" bytes_sent "$3"
}

# no_errors: no error line on stderr.
no_errors() {
	n=$(vt_err_lines "$err" | wc -l)
	vt_eq "$case: error lines on stderr" "$n" 0
	[ "$n" -eq 0 ] || vt_err_lines "$err" | sed 's/^/    /'
}

# one_error [WORD]: exactly one error line, "vantage read: PATH: ...", that
# names the file (and contains WORD if given).
one_error() {
	n=$(vt_err_lines "$err" | wc -l)
	line=$(vt_err_lines "$err" | head -n 1)
	vt_eq "$case: error lines on stderr" "$n" 1
	[ "$n" -eq 1 ] || vt_err_lines "$err" | sed 's/^/    /'
	case $line in
	"vantage read: $CAPS/$case: "?*) vt_ok "$case: the error names the file: $line" ;;
	*) vt_fail "$case: error line does not start 'vantage read: $CAPS/$case: ': '$line'" ;;
	esac
	if [ -n "${1:-}" ]; then
		case $line in
		*"$1"*) vt_ok "$case: the error says '$1'" ;;
		*) vt_fail "$case: the error does not say '$1': '$line'" ;;
		esac
	fi
}

# refused [WORD]: the file cannot be opened: exit 2, one error, no output.
refused() {
	rc_is 2
	one_error "$@"
	vt_eq "$case: stdout is empty" "$(wc -c <"$out")" 0
}

# broken_after_5: 5 good frames from A, then a fault in the container:
# exit 1, one error, A's counters printed, and stored with --db.
broken_after_5() {
	rc_is 1
	one_error "$@"
	frames_is 5
	devices_is 1
	sent_is $A 5 300
	db=$VT_TMP/$case.db
	vt_run "$VT_TMP/db.out" "$VT_TMP/db.err" "$VANTAGE" read --db "$db" --json "$CAPS/$case"
	vt_eq "$case: read --db exit status" "$VT_RC" 1
	if cmp -s "$VT_TMP/db.out" "$out"; then
		vt_ok "$case: read --db prints the same devices"
	else
		vt_fail "$case: read --db prints other devices than read"
	fi
	vt_run "$VT_TMP/dev.out" "$VT_TMP/dev.err" "$VANTAGE" devices --db "$db" --json
	vt_eq "$case: devices --db exit status" "$VT_RC" 0
	vt_eq "$case: stored $A packets_sent" "$(vt_json_field "$VT_TMP/dev.out" $A packets_sent)" 5
	vt_eq "$case: stored $A bytes_sent" "$(vt_json_field "$VT_TMP/dev.out" $A bytes_sent)" 300
}

# clean: exit 0, no error line.
clean() {
	rc_is 0
	no_errors
}

echo "== 0. generator reproduces the committed captures"
gen=$VT_TMP/gen
python3 "$VT_SRCDIR/tests/bad/gen_bad_captures.py" "$gen" >/dev/null
ngen=$(ls "$gen" | wc -l)
ncaps=$(ls "$CAPS" | wc -l)
vt_eq "generated and committed capture counts" "$ngen" "$ncaps"
for f in "$gen"/*; do
	name=$(basename "$f")
	if ! cmp -s "$f" "$CAPS/$name"; then
		vt_fail "captures/$name differs from what gen_bad_captures.py writes (regenerate and commit)"
	fi
done
vt_ok "every generated capture is committed unchanged"

echo "== 1. no crash on any capture"
: >"$VT_TMP/readable"
for f in "$CAPS"/*; do
	name=$(basename "$f")
	vt_run "$VT_TMP/any.out" "$VT_TMP/any.err" "$VANTAGE" read --json "$f"
	case $VT_RC in
	0 | 1 | 2) ;;
	*)
		vt_fail "$name: exit status $VT_RC (crash or signal)"
		sed 's/^/    /' "$VT_TMP/any.err" | tail -20
		continue
		;;
	esac
	if vt_sanitizer_report "$VT_TMP/any.err"; then
		vt_fail "$name: sanitizer report"
		sed 's/^/    /' "$VT_TMP/any.err" | head -30
		continue
	fi
	if [ "$(vt_json_count "$VT_TMP/any.out")" = invalid ]; then
		vt_fail "$name: stdout is not JSON Lines"
		continue
	fi
	if [ "$VT_RC" -eq 2 ] && [ -s "$VT_TMP/any.out" ]; then
		vt_fail "$name: exit 2 but devices printed"
		continue
	fi
	echo "$VT_RC $name" >>"$VT_TMP/readable"
done
vt_ok "$(wc -l <"$VT_TMP/readable") captures ran to an orderly exit"

echo "== 2. container faults"
run magic_wrong.pcap
refused
run magic_swapped_only.pcap
refused
run global_header_truncated.pcap
refused
run empty.pcap
refused
run linktype_147.pcap
refused 147
run pcapng_linktype_147.pcapng
refused 147
run pcapng_shb_len0.pcapng
refused

run magic_swapped_bigendian.pcap
clean
sent_is $A 5 300
run magic_nsec.pcap
clean
sent_is $A 5 300
field_is $A first_seen "$T:20.123456Z"
field_is $A last_seen "$T:24.123456Z"
run header_only.pcap
clean
frames_is 0
devices_is 0
run pcapng_valid.pcapng
clean
sent_is $A 5 300

run record_header_truncated.pcap
broken_after_5 truncated
run record_data_truncated.pcap
broken_after_5 truncated
run caplen_huge.pcap
broken_after_5 300000
run pcapng_block_len0.pcapng
broken_after_5
run pcapng_block_len_not4.pcapng
broken_after_5
run pcapng_block_huge.pcapng
broken_after_5
run pcapng_two_linktypes.pcapng
broken_after_5

# A record with caplen 0 is a valid, empty frame: Ethernet truncated.
run caplen_zero.pcap
clean
frames_is 6
sent_is $A 5 300
layer_is ethernet truncated 1
# libpcap reads records longer than the header's snaplen (as tcpdump does).
run caplen_gt_snaplen.pcap
clean
sent_is $A 6 400
# Bytes are the recorded original length, even when below caplen (tshark's
# frame.len): 4 x 60 + 40.
run len_lt_caplen.pcap
clean
sent_is $A 5 280
run timestamps_backwards.pcap
clean
sent_is $A 5 300
field_is $A first_seen "$T:21.000000Z"
field_is $A last_seen "$T:25.000000Z"

# Several files: the fault is reported against the damaged one only, and
# the good file is read in full.
case=two-files
out=$VT_TMP/two.out
err=$VT_TMP/two.err
vt_run "$out" "$err" "$VANTAGE" read --json "$CAPS/pcapng_valid.pcapng" "$CAPS/record_data_truncated.pcap"
echo "--- pcapng_valid.pcapng + record_data_truncated.pcap (exit $VT_RC)"
rc_is 1
vt_eq "$case: error lines" "$(vt_err_lines "$err" | wc -l)" 1
case $(vt_err_lines "$err") in
"vantage read: $CAPS/record_data_truncated.pcap: "*) vt_ok "$case: the error names the damaged file" ;;
*) vt_fail "$case: the error does not name record_data_truncated.pcap: $(vt_err_lines "$err")" ;;
esac
sent_is $A 10 600

echo "== 3. link and network faults (each file: 1 good frame A -> B, then the case)"
run eth_short.pcap
clean
frames_is 4
layer_is ethernet ok 1
layer_is ethernet truncated 3
devices_is 1

run vlan_100_tags.pcap
clean
layer_is vlan ok 10
layer_is vlan unsupported 1
layer_is ipv4 ok 2
sent_is $C 2 512

run arp_odd_sizes.pcap
clean
layer_is arp seen 5
layer_is arp ok 1
layer_is arp truncated 1
layer_is arp unsupported 3
layer_is arp malformed 0
sent_is $D 4 160
field_is $D ips '[]'
field_is $C ips '["192.168.50.12"]'

run ipv4_ihl_lt5.pcap
clean
layer_is ipv4 ok 1
layer_is ipv4 malformed 2
sent_is $C 2 104
field_is $C ips '[]'
run ipv4_ihl_past_total.pcap
clean
layer_is ipv4 ok 1
layer_is ipv4 malformed 1
run ipv4_ihl_past_caplen.pcap
clean
layer_is ipv4 ok 1
layer_is ipv4 truncated 1
sent_is $C 1 94
run ipv4_opt_len0.pcap
clean
layer_is ipv4 malformed 1
run ipv4_opt_len1.pcap
clean
layer_is ipv4 malformed 1

run ipv4_frag_overlap.pcap
clean
layer_is ipv4 ok 4
layer_is udp ok 2
vt_eq "$case: fragments" "$(vt_fragments "$err")" 2
sent_is $C 3 174
run ipv4_frag_tiny.pcap
clean
layer_is ipv4 ok 3
layer_is tcp truncated 1
vt_eq "$case: fragments" "$(vt_fragments "$err")" 1

run ipv6_ext_chain60.pcap
clean
layer_is ipv6 ok 1
layer_is ipv6 unsupported 1
layer_is udp ok 2

run tcp_doff_lt5.pcap
clean
layer_is tcp malformed 1
# The header claims 60 bytes, the IP total length leaves 20 and all of it
# was captured: the fields contradict each other (malformed), the capture
# did not stop early (that is tcp_doff_past_caplen).
run tcp_doff_past_segment.pcap
clean
layer_is tcp malformed 1
layer_is tcp truncated 0
run tcp_doff_past_caplen.pcap
clean
layer_is tcp truncated 1
layer_is tcp malformed 0
run tcp_opt_len0.pcap
clean
layer_is tcp malformed 1
run tcp_opt_len1.pcap
clean
layer_is tcp malformed 1

run udp_len_lt8.pcap
clean
layer_is udp ok 1
layer_is udp malformed 1
# UDP length 200 in a fully captured IP packet of total length 38: the
# length runs past the packet (malformed), unlike udp_len_past_caplen
# where only the capture is short (fine).
run udp_len_past_packet.pcap
clean
layer_is udp ok 1
layer_is udp malformed 1
run udp_len_past_caplen.pcap
clean
layer_is udp ok 2
layer_is udp malformed 0
sent_is $C 1 142

# DHCP ACKs are broadcast, so only their fields can bind C's address.
run dhcp_opt_past_end.pcap
clean
layer_is dhcp ok 1
layer_is dhcp malformed 1
field_is $C ips '["192.168.50.12"]'
run dhcp_no_end.pcap
clean
layer_is dhcp ok 2
field_is $C ips '["192.168.50.112"]'

run icmp6_ndp_optlen0.pcap
clean
layer_is icmp6 ok 1
layer_is icmp6 malformed 1
case $(vt_json_field "$out" $C ips) in
*'"fe80::1:c"'*) vt_ok "$case: the neighbor advertisement bound fe80::1:c to C" ;;
*) vt_fail "$case: fe80::1:c not among C's ips: $(vt_json_field "$out" $C ips)" ;;
esac
field_is $D ips '["fe80::ff:fe00:d"]'

echo "== 4. other link types"
run linktype_sll.pcap
clean
layer_is sll ok 3
sent_is $C 3 165
field_is $C ips '["192.168.50.12"]'
run linktype_sll2.pcap
clean
layer_is sll2 ok 3
sent_is $C 3 177
field_is $C ips '["192.168.50.12"]'
run linktype_rawip.pcap
clean
layer_is rawip ok 3
layer_is ipv4 ok 2
layer_is ipv6 ok 1
devices_is 2
sent_is ip:192.168.50.12 2 77
sent_is ip:fe80::ff:fe00:c 1 56
run linktype_ipv4.pcap
clean
layer_is rawip ok 3
sent_is ip:192.168.50.12 3 117

echo "== 5. counters against tshark, every Ethernet capture vantage reads"
if command -v tshark >/dev/null 2>&1; then
	set --
	while read -r rc name; do
		case $rc:$name in
		[01]:linktype_*) ;; # no eth.src in tshark for these
		[01]:*) set -- "$@" "$CAPS/$name" ;;
		esac
	done <"$VT_TMP/readable"
	if python3 "$VT_SRCDIR/tests/oracle/counters.py" --each "$VANTAGE" "$@" >"$VT_TMP/tshark.log"; then
		vt_ok "counters equal tshark's on $# captures ($(tail -n 1 "$VT_TMP/tshark.log"))"
	else
		vt_fail "counters differ from tshark's:"
		grep -v '^OK ' "$VT_TMP/tshark.log" | sed 's/^/    /'
	fi
else
	echo "note: tshark not installed, part 5 skipped"
fi

vt_finish
