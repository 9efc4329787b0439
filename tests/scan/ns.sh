# Helpers for the scan tests: a pair of network namespaces joined by a
# veth link, created by the test and removed on every exit path.
#   vt_ns_up        makes $NS_S (scanner, 10.77.$N.1/24) and $NS_T
#                   (target, 10.77.$N.2/24); sets T_IP, S_IP, T_MAC,
#                   and T_IP6, S_IP6 (fd00:77:N::/64) when IPv6 works
#   vt_ns_bg NAME CMD...   runs CMD in the target namespace in the
#                   background, its pid in $VT_TMP/NAME.pid
#   vt_ns_down      kills those processes and deletes the namespaces
# Nothing is sent outside these namespaces.

vt_ns_root() {
	[ "$(id -u)" -eq 0 ] || vt_skip "needs root (network namespaces, raw sockets)"
	command -v ip >/dev/null 2>&1 || vt_skip "no ip(8)"
}

vt_ns_up() {
	_n=$(( $$ % 200 + 20 ))
	NS_S=vtsc$$s
	NS_T=vtsc$$t
	S_IP=10.77.$_n.1
	T_IP=10.77.$_n.2
	T_MAC=02:76:74:5c:$(printf '%02x' $(( $$ % 256 ))):02
	trap 'vt_ns_down; rm -rf "$VT_TMP"' EXIT
	trap 'vt_ns_down; rm -rf "$VT_TMP"; exit 130' INT TERM
	ip netns add "$NS_S" && ip netns add "$NS_T" || vt_skip "cannot make namespaces"
	ip link add vtsc$$a netns "$NS_S" type veth peer name vtsc$$b netns "$NS_T" ||
		vt_skip "cannot make a veth pair"
	ip -n "$NS_S" link set lo up
	ip -n "$NS_T" link set lo up
	ip -n "$NS_T" link set vtsc$$b address "$T_MAC"
	ip -n "$NS_S" addr add "$S_IP/24" dev vtsc$$a
	ip -n "$NS_T" addr add "$T_IP/24" dev vtsc$$b
	ip -n "$NS_S" link set vtsc$$a up
	ip -n "$NS_T" link set vtsc$$b up
	S_IF=vtsc$$a
	# IPv6 too (ULA, no duplicate address detection: usable at once).
	S_IP6=fd00:77:$_n::1
	T_IP6=fd00:77:$_n::2
	ip -n "$NS_S" addr add "$S_IP6/64" dev vtsc$$a nodad 2>/dev/null || S_IP6=
	ip -n "$NS_T" addr add "$T_IP6/64" dev vtsc$$b nodad 2>/dev/null || T_IP6=
}

vt_ns_bg() {
	_name=$1
	shift
	ip netns exec "$NS_T" "$@" >"$VT_TMP/$_name.log" 2>&1 &
	echo $! >"$VT_TMP/$_name.pid"
}

# vt_ns_wait_tcp PORT: until something listens on PORT in the target (5 s).
vt_ns_wait_tcp() {
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
		if ip netns exec "$NS_T" ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

vt_ns_down() {
	for _p in "$VT_TMP"/*.pid; do
		[ -f "$_p" ] || continue
		_pid=$(cat "$_p")
		kill "$_pid" 2>/dev/null
	done
	sleep 0.2
	for _p in "$VT_TMP"/*.pid; do
		[ -f "$_p" ] || continue
		kill -9 "$(cat "$_p")" 2>/dev/null
		rm -f "$_p"
	done
	[ -n "${NS_T:-}" ] && ip netns pids "$NS_T" 2>/dev/null | while read -r _q; do
		kill -9 "$_q" 2>/dev/null
	done
	[ -n "${NS_S:-}" ] && ip netns pids "$NS_S" 2>/dev/null | while read -r _q; do
		kill -9 "$_q" 2>/dev/null
	done
	[ -n "${NS_S:-}" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "${NS_T:-}" ] && ip netns del "$NS_T" 2>/dev/null
	return 0
}

# vt_ns_finish: vt_finish, unless someone else deleted our namespaces
# mid-test (lab/down removes every vt* namespace): then the results mean
# nothing and the test is skipped with that reason.
vt_ns_finish() {
	if ! ip netns list | awk '{ print $1 }' | grep -qx "$NS_S" ||
		! ip netns list | awk '{ print $1 }' | grep -qx "$NS_T"; then
		vt_skip "our namespaces were deleted from outside during the test (lab/down?)"
	fi
	vt_finish
}
