#!/bin/sh
# Oracle: per-source mirai_sig and SYN counts of `vantage telescope`
# against tshark (oracle_mirai.py computes seq == dst itself from tshark's
# fields) on the synthetic captures merged into one, and on the real
# captures of ../shared/datasets (skipped with a message when absent).
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3 tshark

python3 "$VT_SRCDIR/tests/telescope/gen_telescope.py" "$VT_TMP/cases" ||
	vt_fail "the generator failed"
set -- "$VT_TMP/cases/synthetic-all.pcap"
if [ -d "$VT_DATASETS/stopddos-packet-captures" ] &&
	[ -d "$VT_DATASETS/esnet-curated-pcaps" ]; then
	set -- "$@" "$VT_DATASETS"/stopddos-packet-captures/*.pcap* \
		"$VT_DATASETS"/esnet-curated-pcaps/attacks/scanners/*/*.pcap
else
	echo "note: datasets absent ($VT_DATASETS): only the synthetic capture"
fi
if python3 "$VT_SRCDIR/tests/telescope/oracle_mirai.py" "$VANTAGE" "$@"; then
	vt_ok "per-source mirai_sig and SYN counts equal tshark's"
else
	vt_fail "per-source counts differ from tshark (lines above)"
fi
vt_finish
