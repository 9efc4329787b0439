#!/bin/sh
# Regenerates the real scanner outputs in tests/import/fixtures/ (see the
# README there): two network namespaces joined by a veth pair,
#   vtimp-srv  198.51.100.20  real daemons: busybox httpd :80, vsftpd :21,
#                             dropbear :22, a socat banner on :2323
#   vtimp-scn  198.51.100.1   nmap, masscan and zmap, aimed at .20 only
# Every scanner is bounded (a low rate, a port list, a timeout) and sees
# nothing but this pair of namespaces. Needs root (ip netns). The
# namespaces, daemons and temporary files are removed on every exit path.
#
# Usage: tests/import/make_fixtures.sh [OUTDIR]   (default: the fixtures dir)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/fixtures}
SRV=vtimp-srv
SCN=vtimp-scn
SRV_IP=198.51.100.20
SCN_IP=198.51.100.1
MASSCAN_IP=198.51.100.2 # masscan's own stack (its SYN-ACKs bypass the kernel)
PORTS=21,22,23,80,2323,8080
TMP=$(mktemp -d /tmp/vtimp.XXXXXX)

cleanup() {
	set +e
	for p in "$TMP"/*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	ip netns pids "$SRV" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns pids "$SCN" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$SCN" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in ip nmap masscan zmap busybox vsftpd dropbear socat timeout; do
	command -v "$t" >/dev/null || { echo "make_fixtures: $t is missing" >&2; exit 2; }
done
mkdir -p "$OUT"

ip netns add "$SRV"
ip netns add "$SCN"
ip link add vtimp0 netns "$SCN" type veth peer name vtimp1 netns "$SRV"
ip -n "$SCN" addr add "$SCN_IP/24" dev vtimp0
ip -n "$SRV" addr add "$SRV_IP/24" dev vtimp1
for ns in "$SRV" "$SCN"; do
	ip -n "$ns" link set lo up
done
ip -n "$SCN" link set vtimp0 up
ip -n "$SRV" link set vtimp1 up
SRV_MAC=$(ip -n "$SRV" -o link show vtimp1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

# --- the daemons ---
mkdir -p "$TMP/www" "$TMP/empty"
cat >"$TMP/www/index.html" <<'HTML'
<html><head><title>vantage import fixture</title></head><body>ok</body></html>
HTML
ip netns exec "$SRV" busybox httpd -f -p 80 -h "$TMP/www" &
echo $! >"$TMP/httpd.pid"
cat >"$TMP/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$TMP/empty
local_enable=NO
ftpd_banner=vantage fixture FTP ready
secure_chroot_dir=$TMP/empty
run_as_launching_user=YES
background=NO
seccomp_sandbox=NO
CONF
ip netns exec "$SRV" vsftpd "$TMP/vsftpd.conf" &
echo $! >"$TMP/vsftpd.pid"
ip netns exec "$SRV" dropbear -F -E -R -p 22 -P "$TMP/dropbear.pidfile" 2>/dev/null &
echo $! >"$TMP/dropbear.pid"
# A telnet-style device banner on 2323, as an IoT box would print it.
printf '#!/bin/sh\nprintf "BusyBox v1.35.0 built-in shell\\r\\n\\r\\nvt-cam login: "\nsleep 2\n' >"$TMP/banner.sh"
chmod +x "$TMP/banner.sh"
ip netns exec "$SRV" socat TCP-LISTEN:2323,fork,reuseaddr EXEC:"$TMP/banner.sh" 2>/dev/null &
echo $! >"$TMP/socat.pid"
sleep 2

SCAN() { ip netns exec "$SCN" timeout 200 "$@"; }

# --- nmap: SYN scan + version detection, XML ---
SCAN nmap -n -Pn -sS -sV --version-intensity 2 --max-rate 200 -p "$PORTS" \
	--host-timeout 90s -oX "$OUT/nmap-sV.xml" "$SRV_IP" >/dev/null

# --- masscan: the same ports, banners on; JSON, ndjson, XML, list ---
for f in J:masscan.json D:masscan.ndjson X:masscan.xml L:masscan.list; do
	SCAN masscan --rate 200 -p "$PORTS" --banners --source-ip "$MASSCAN_IP" \
		--router-mac "$SRV_MAC" -e vtimp0 --wait 4 \
		-o"${f%%:*}" "$OUT/${f#*:}" "$SRV_IP" >/dev/null 2>&1
done

# --- zmap: one port per run; CSV with the documented fields, and JSON ---
# ZMap 2.1.1 sometimes aborts on a one-address target (an assertion in its
# constraint tree), and ends with SIGTERM when nothing succeeded (the closed
# port), so its status says nothing: a run is tried up to three times until
# its output holds a response.
: >"$TMP/empty.blocklist"
zmap_port() { # PORT FORMAT FILE
	for _try in 1 2 3; do
		SCAN zmap -q -M tcp_synscan -p "$1" -i vtimp0 -G "$SRV_MAC" \
			-S "$SCN_IP" -r 100 -c 2 -b "$TMP/empty.blocklist" -O "$2" \
			-f saddr,sport,classification,success,repeat,timestamp-str \
			--output-filter='success = 0 || success = 1' \
			-o "$3" "$SRV_IP/32" >>"$TMP/zmap.log" 2>&1 || true
		grep -q "$SRV_IP" "$3" 2>/dev/null && return 0
	done
	cat "$TMP/zmap.log" >&2
	echo "make_fixtures: no response in $3" >&2
	exit 1
}
zmap_port 80 csv "$OUT/zmap-80.csv"
zmap_port 8080 csv "$OUT/zmap-8080.csv"
zmap_port 22 json "$OUT/zmap-22.json"

ls -l "$OUT"
