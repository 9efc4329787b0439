# Shared by lab/up, lab/down and the lab tests (bash).
# The whole lab lives in network namespaces named vt*; every daemon's config,
# pid file, log and runtime directory lives under $VT_LAB_STATE/<namespace>/.

VT_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VT_LAB_STATE=${VT_LAB_STATE:-/run/vantage-lab}
VT_LAB_TRUTH=$VT_LAB_DIR/truth.tsv

VT_LAB_HOSTS=$VT_LAB_DIR/devices.tsv

# Infrastructure namespaces; the devices come from devices.tsv (role device).
VT_LAB_INFRA="vtlan vtgw vtwan vtscan"
VT_LAB_GW_MAC=98:9b:cb:01:02:01      # AVM (FRITZ!Box), the home gateway
VT_LAB_SCAN_MAC=02:76:74:00:00:fa    # locally administered: the measuring host
VT_LAB_SCAN_IP=192.168.77.250
VT_LAB_GW_WAN_IP=203.0.113.2
export VT_LAB_GW_MAC VT_LAB_SCAN_MAC VT_LAB_SCAN_IP VT_LAB_GW_WAN_IP

# The device namespaces, in file order.
vt_lab_device_names() {
	grep -v '^#' "$VT_LAB_HOSTS" | awk -F'\t' 'NR > 1 && $2 == "device" { print $1 }'
}

# vt_lab_device NAME: sets D_MAC D_IP D_IP6 (its SLAAC address) D_HOST D_VCI
# (DHCP host name and vendor class) for that device.
vt_lab_device() {
	local line
	line=$(grep -v '^#' "$VT_LAB_HOSTS" | awk -F'\t' -v n="$1" 'NR > 1 && $1 == n')
	[ -n "$line" ] || return 1
	IFS=$'\t' read -r _ _ D_MAC D_IP D_IP6 D_HOST D_VCI _ <<<"$line"
	export D_MAC D_IP D_IP6 D_HOST D_VCI
}

# The lab's own namespaces (other tests create vt* namespaces of their own:
# never touch those).
vt_lab_netns_all() {
	printf '%s\n' $VT_LAB_INFRA
	vt_lab_device_names
}

# The lab's namespaces that exist now.
vt_lab_netns_present() {
	local ns
	for ns in $(vt_lab_netns_all); do
		[ -e "/run/netns/$ns" ] && echo "$ns"
	done
	return 0
}

# vt_lab_tcp_open NS IP PORT [SECONDS]: a bounded TCP connect from NS.
vt_lab_tcp_open() {
	ip netns exec "$1" timeout "${4:-2}" bash -c \
		'exec 3<>"/dev/tcp/$0/$1"' "$2" "$3" 2>/dev/null
}

# The truth file without comments and the header.
vt_lab_truth() {
	grep -v '^#' "$VT_LAB_TRUTH" | awk -F'\t' 'NR > 1 && NF'
}

# vt_lab_lock: serialize lab/up and lab/down (ctest -j, two shells, two
# worktrees). lab/up holds the lock while it calls lab/down itself, and a
# test holds it for its whole run (lab/session.sh): VT_LAB_LOCKED says the
# caller holds it already.
vt_lab_lock() {
	[ -n "${VT_LAB_LOCKED:-}" ] && return 0
	mkdir -p /run/lock
	exec 9>/run/lock/vantage-lab.lock
	flock -w "${VT_LAB_WAIT:-300}" 9 || { echo "lab: another lab user holds the lock" >&2; exit 1; }
	export VT_LAB_LOCKED=1
}
