#!/bin/sh
# `vantage scan --dry-run` prints every probe the scan would send (proto,
# address, port), in sending order, and sends nothing. Checked against the
# set computed independently here (python3's ipaddress module):
#   - no address outside the targets (nor inside the exclude list), no
#     duplicate, full coverage (also with IPv6, ranges and T:/U: ports);
#   - 5 shards with one seed partition the space (disjoint, union = all);
#     another seed gives the same set in another order;
#   - scope lists fail closed: a malformed exclude or allow list, a
#     missing one, or one that leaves nothing: exit 2, one error line,
#     nothing on stdout; -p and target syntax errors likewise.
# Needs no privileges (no socket is opened).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3

out=$VT_TMP/out
err=$VT_TMP/err
T="10.9.0.0/27 10.9.1.5-10.9.1.9 192.168.50.7 2001:db8::10-2001:db8::13"
P="22,80,443,8000-8010,U:53,161"
printf '10.9.0.8/29\n# a comment\n10.9.1.7\n' >"$VT_TMP/excl"

# expected: the set python computes from the same description.
python3 - "$VT_TMP/expect" <<'PY'
import ipaddress, sys
addrs = [str(a) for a in ipaddress.ip_network("10.9.0.0/27")]
addrs += ["10.9.1.%d" % i for i in range(5, 10)] + ["192.168.50.7"]
addrs += [str(ipaddress.ip_address("2001:db8::10") + i) for i in range(4)]
ex = set(str(a) for a in ipaddress.ip_network("10.9.0.8/29")) | {"10.9.1.7"}
ports = [("tcp", p) for p in [22, 80, 443] + list(range(8000, 8011))]
ports += [("udp", 53), ("udp", 161)]
with open(sys.argv[1], "w") as f:
    for a in addrs:
        if a in ex:
            continue
        for pr, p in ports:
            f.write("%s %s %d\n" % (pr, a, p))
PY
sort "$VT_TMP/expect" >"$VT_TMP/expect.s"
want=$(wc -l <"$VT_TMP/expect.s")

# shellcheck disable=SC2086
vt_run "$out" "$err" "$VANTAGE" scan --dry-run --seed 9 -p "$P" --exclude "$VT_TMP/excl" $T
vt_eq "dry run: exit status" "$VT_RC" 0
vt_eq "dry run: one line per probe" "$(wc -l <"$out")" "$want"
vt_eq "dry run: no duplicate" "$(sort "$out" | uniq -d | wc -l)" 0
sort "$out" >"$VT_TMP/got.s"
if cmp -s "$VT_TMP/got.s" "$VT_TMP/expect.s"; then
	vt_ok "dry run: exactly the targets x ports minus the exclude list"
else
	vt_fail "dry run: set differs: $(diff "$VT_TMP/got.s" "$VT_TMP/expect.s" | head -5)"
fi
if grep -Eq ' 10\.9\.0\.(8|9|1[0-5]) | 10\.9\.1\.7 ' "$out"; then
	vt_fail "dry run: an excluded address is probed"
else
	vt_ok "dry run: no excluded address"
fi
# Random order: not sorted by address.
if cmp -s "$out" "$VT_TMP/got.s"; then
	vt_fail "dry run: the order is sorted, not permuted"
else
	vt_ok "dry run: permuted order"
fi

# Shards partition the space.
: >"$VT_TMP/all"
for i in 0 1 2 3 4; do
	# shellcheck disable=SC2086
	"$VANTAGE" scan --dry-run --seed 9 --shards 5 --shard $i -p "$P" \
		--exclude "$VT_TMP/excl" $T >"$VT_TMP/shard$i" 2>/dev/null
	cat "$VT_TMP/shard$i" >>"$VT_TMP/all"
done
vt_eq "shards: no pair in two shards" "$(sort "$VT_TMP/all" | uniq -d | wc -l)" 0
sort "$VT_TMP/all" >"$VT_TMP/all.s"
if cmp -s "$VT_TMP/all.s" "$VT_TMP/expect.s"; then
	vt_ok "shards: union is the whole space"
else
	vt_fail "shards: union differs from the space"
fi
n0=$(wc -l <"$VT_TMP/shard0")
n4=$(wc -l <"$VT_TMP/shard4")
if [ $((n0 - n4)) -le 1 ] && [ "$n4" -gt 0 ]; then
	vt_ok "shards: balanced ($n0, $n4)"
else
	vt_fail "shards: unbalanced ($n0, $n4)"
fi
# shellcheck disable=SC2086
"$VANTAGE" scan --dry-run --seed 10 -p "$P" --exclude "$VT_TMP/excl" $T >"$VT_TMP/s10" 2>/dev/null
if sort "$VT_TMP/s10" | cmp -s - "$VT_TMP/expect.s" && ! cmp -s "$VT_TMP/s10" "$out"; then
	vt_ok "another seed: same set, another order"
else
	vt_fail "another seed: set or order wrong"
fi

# Defaults: the IoT list, about 110 ports, TCP and UDP.
vt_run "$out" "$err" "$VANTAGE" scan --dry-run 10.9.9.9
n=$(wc -l <"$out")
if [ "$n" -ge 100 ] && [ "$n" -le 130 ] && grep -q '^tcp 10.9.9.9 7547$' "$out" &&
	grep -q '^udp 10.9.9.9 1900$' "$out"; then
	vt_ok "default ports: $n, with tcp/7547 and udp/1900"
else
	vt_fail "default ports: $n lines"
fi
vt_run "$out" "$err" "$VANTAGE" scan --dry-run -p- 10.9.9.9
vt_eq "-p-: every TCP port" "$(wc -l <"$out")" 65535

# Fail closed.
fails_closed() {
	_desc=$1
	shift
	vt_run "$out" "$err" "$VANTAGE" scan --dry-run "$@"
	if [ "$VT_RC" -eq 2 ] && [ ! -s "$out" ] && [ "$(wc -l <"$err")" -eq 1 ]; then
		vt_ok "$_desc: exit 2, one error line, nothing probed"
	else
		vt_fail "$_desc: rc $VT_RC, $(wc -l <"$out") probes, stderr: $(head -2 "$err")"
	fi
}
printf '10.9.0.1\n10.9.0.300\n' >"$VT_TMP/bad"
printf '10.9.0.1\n\0\n' >"$VT_TMP/nul"
printf '# nothing\n' >"$VT_TMP/empty"
printf '0.0.0.0/0\n' >"$VT_TMP/everything"
fails_closed "malformed exclude list" --exclude "$VT_TMP/bad" 10.9.0.0/24
grep -q "bad:2:" "$err" && vt_ok "error names file:line" || vt_fail "error: $(cat "$err")"
fails_closed "binary exclude list" --exclude "$VT_TMP/nul" 10.9.0.0/24
fails_closed "missing exclude list" --exclude "$VT_TMP/none" 10.9.0.0/24
fails_closed "malformed allow list" --allow "$VT_TMP/bad" 10.9.0.0/24
fails_closed "empty allow list" --allow "$VT_TMP/empty" 10.9.0.0/24
fails_closed "everything excluded" --exclude "$VT_TMP/everything" 10.9.0.0/24
fails_closed "a host name" 10.9.0.1 router.example
fails_closed "bad prefix" 10.9.0.0/33
fails_closed "bad port" -p 80,0 10.9.0.1
fails_closed "bad shard" --shards 2 --shard 2 10.9.0.1
fails_closed "no targets" -p 80
# The allow list only narrows.
printf '10.9.0.4/30\n' >"$VT_TMP/allow"
vt_run "$out" "$err" "$VANTAGE" scan --dry-run -p 80 --allow "$VT_TMP/allow" 10.9.0.0/24 10.1.1.1
vt_eq "allow list: only its addresses" "$(cut -d' ' -f2 "$out" | sort | tr '\n' ' ')" \
	"10.9.0.4 10.9.0.5 10.9.0.6 10.9.0.7 "
vt_finish
