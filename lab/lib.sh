# Shared by lab/up, lab/down and the lab tests (bash).
# The whole lab lives in network namespaces named vt*; every daemon's config,
# pid file, log and runtime directory lives under $VT_LAB_STATE/<namespace>/.

VT_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VT_LAB_STATE=${VT_LAB_STATE:-/run/vantage-lab}
VT_LAB_TRUTH=$VT_LAB_DIR/truth.tsv

# Infrastructure namespaces, then devices. vtlan holds the bridge.
VT_LAB_INFRA="vtlan vtgw vtwan vtscan"
# name  mac  ip  dhcp-hostname  dhcp-vendor-class (option 60)
VT_LAB_DEVICES="
vtrouter  d0:37:45:1a:2b:02 192.168.77.2  Archer-C7      dslforum.org
vtcam     44:47:cc:3c:4d:14 192.168.77.20 HIKVISION-CAM  udhcp 1.19.4
vtprinter 9c:7b:ef:4a:1b:2c 192.168.77.30 HP4A1B2C       Hewlett-Packard JetDirect
vtnas     00:11:32:5e:6f:28 192.168.77.40 DiskStation    udhcp 1.23.2
vtmedia   58:cb:52:7a:8b:32 192.168.77.50 Chromecast     dhcpcd-6.8.2
vthub     24:fd:5b:6c:7d:3c 192.168.77.60 SmartThings-Hub udhcp 1.24.2
vtspeaker 54:2a:1b:8e:9f:46 192.168.77.70 SonosZP        udhcp 1.22.1
vtlinux   dc:a6:32:11:22:50 192.168.77.80 raspberrypi    dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835
"
VT_LAB_GW_MAC=98:9b:cb:01:02:01      # AVM (FRITZ!Box), the home gateway
VT_LAB_SCAN_MAC=02:76:74:00:00:fa    # locally administered: the measuring host
VT_LAB_SCAN_IP=192.168.77.250
VT_LAB_GW_WAN_IP=203.0.113.2

vt_lab_device_names() {
	printf '%s\n' "$VT_LAB_DEVICES" | awk 'NF { print $1 }'
}

# vt_lab_device NAME: sets D_MAC D_IP D_HOST D_VCI for that device.
vt_lab_device() {
	local line
	line=$(printf '%s\n' "$VT_LAB_DEVICES" | awk -v n="$1" '$1 == n')
	[ -n "$line" ] || return 1
	read -r _ D_MAC D_IP D_HOST D_VCI <<<"$line"
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

# vt_lab_lock: serialize lab/up and lab/down (ctest -j, two shells). lab/up
# holds the lock while it calls lab/down itself (VT_LAB_LOCKED).
vt_lab_lock() {
	[ -n "${VT_LAB_LOCKED:-}" ] && return 0
	exec 9>/run/lock/vantage-lab.lock 2>/dev/null || exec 9>/run/vantage-lab.lock
	flock -w 120 9 || { echo "lab: another lab/up or lab/down holds the lock" >&2; exit 1; }
	export VT_LAB_LOCKED=1
}
