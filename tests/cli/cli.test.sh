#!/bin/sh
# Command-line behaviour of `vantage read` and `vantage devices`:
#   - bad invocations and unreadable inputs: exit 2, exactly one error line
#     naming the culprit, nothing on stdout (missing file, text file,
#     directory, unknown option/command, bad option values, missing or
#     non-database store, which must not be created or modified);
#   - --help: exit 0, on stdout, mentioning every option (the documented list
#     and every name in the command's getopt_long table in src/cli/);
#   - '-' reads a capture from stdin (pcap and pcapng), same output as the file;
#   - several files are merged in time order: reversed argument order gives
#     the same JSON, as does one file merged with mergecap, and a capture
#     split into two interleaved halves gives the JSON of the whole;
#   - SIGINT (and SIGTERM) during a read from a stalled stdin pipe: exit
#     130, the devices read so far printed and stored.
. "${VT_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
vt_init
vt_need python3

DEMO=$VT_SRCDIR/data/demo
out=$VT_TMP/out
err=$VT_TMP/err

# usage_error DESC WORD CMD...: exit 2, nothing on stdout, one error line
# containing WORD (the file, option or value at fault).
usage_error() {
	_desc=$1
	_word=$2
	shift 2
	vt_run "$out" "$err" "$@"
	vt_eq "$_desc: exit status" "$VT_RC" 2
	vt_eq "$_desc: bytes on stdout" "$(wc -c <"$out")" 0
	_n=$(vt_err_lines "$err" | wc -l)
	vt_eq "$_desc: error lines" "$_n" 1
	[ "$_n" -eq 1 ] || sed 's/^/    /' "$err"
	if vt_err_lines "$err" | grep -qF -- "$_word"; then
		vt_ok "$_desc: the error names '$_word'"
	else
		vt_fail "$_desc: the error does not name '$_word': $(vt_err_lines "$err")"
	fi
}

# same_output DESC FILE1 FILE2: byte-identical JSON outputs, not empty.
same_output() {
	if [ ! -s "$2" ]; then
		vt_fail "$1: no output"
	elif cmp -s "$2" "$3"; then
		vt_ok "$1 ($(wc -l <"$2") devices)"
	else
		vt_fail "$1: outputs differ:"
		diff -u "$2" "$3" | cut -c1-200 | head -20
	fi
}

echo "== bad invocations and unreadable inputs"
usage_error "read of a missing file" "$VT_TMP/missing.pcap" \
	"$VANTAGE" read --json "$VT_TMP/missing.pcap"
printf 'this is not a capture\nat all\n' >"$VT_TMP/notes.txt"
usage_error "read of a text file" "$VT_TMP/notes.txt" \
	"$VANTAGE" read --json "$VT_TMP/notes.txt"
mkdir "$VT_TMP/adir"
usage_error "read of a directory" "$VT_TMP/adir" \
	"$VANTAGE" read --json "$VT_TMP/adir"
usage_error "read of a good and a missing file" "$VT_TMP/missing.pcap" \
	"$VANTAGE" read --json "$DEMO/xiaodu_plug_update.pcap" "$VT_TMP/missing.pcap"
usage_error "read without a capture" "capture" "$VANTAGE" read --json
usage_error "read --local-net with a bad prefix" "300.1.2.3/8" \
	"$VANTAGE" read --local-net 300.1.2.3/8 "$DEMO/xiaodu_plug_update.pcap"
usage_error "read --tcp-timeout 0" "tcp-timeout" \
	"$VANTAGE" read --tcp-timeout 0 "$DEMO/xiaodu_plug_update.pcap"
usage_error "read --max-flows abc" "max-flows" \
	"$VANTAGE" read --max-flows abc "$DEMO/xiaodu_plug_update.pcap"

# getopt's own message plus the usage text: exit 2, stdout empty, the
# option named on stderr.
for cmd in read devices; do
	vt_run "$out" "$err" "$VANTAGE" $cmd --bogus-option "$DEMO/xiaodu_plug_update.pcap"
	vt_eq "$cmd --bogus-option: exit status" "$VT_RC" 2
	vt_eq "$cmd --bogus-option: bytes on stdout" "$(wc -c <"$out")" 0
	if grep -q -- "bogus-option" "$err"; then
		vt_ok "$cmd --bogus-option: named on stderr"
	else
		vt_fail "$cmd --bogus-option: not named on stderr"
	fi
done
vt_run "$out" "$err" "$VANTAGE" frobnicate
vt_eq "unknown command: exit status" "$VT_RC" 2
if grep -q "frobnicate" "$err"; then
	vt_ok "unknown command named on stderr"
else
	vt_fail "unknown command not named on stderr"
fi
vt_run "$out" "$err" "$VANTAGE"
vt_eq "no command: exit status" "$VT_RC" 2

usage_error "devices on a missing store" "$VT_TMP/none.db" \
	"$VANTAGE" devices --db "$VT_TMP/none.db" --json
if [ -e "$VT_TMP/none.db" ]; then
	vt_fail "devices on a missing store created $VT_TMP/none.db"
else
	vt_ok "devices on a missing store did not create it"
fi
cp "$VT_TMP/notes.txt" "$VT_TMP/notes.db"
usage_error "devices on a text file" "$VT_TMP/notes.db" \
	"$VANTAGE" devices --db "$VT_TMP/notes.db" --json
if cmp -s "$VT_TMP/notes.txt" "$VT_TMP/notes.db"; then
	vt_ok "devices left the text file unchanged"
else
	vt_fail "devices modified the text file given as --db"
fi

echo "== --help"
# help_mentions CMD SOURCE OPTION...: --help exits 0, prints on stdout only,
# and mentions every OPTION and every long option of SOURCE's table.
help_mentions() {
	_cmd=$1
	_src=$2
	shift 2
	vt_run "$out" "$err" "$VANTAGE" "$_cmd" --help
	vt_eq "$_cmd --help: exit status" "$VT_RC" 0
	vt_eq "$_cmd --help: bytes on stderr" "$(wc -c <"$err")" 0
	_table=$(sed -n 's/^[[:space:]]*{"\([a-z0-9-]*\)", *[a-z_]*argument.*/--\1/p' "$_src")
	[ -n "$_table" ] || vt_fail "$_cmd: no getopt_long table found in $_src"
	_missing=
	for _o in "$@" $_table; do
		grep -q -- "$_o\\b" "$out" || _missing="$_missing $_o"
	done
	if [ -z "$_missing" ]; then
		vt_ok "$_cmd --help mentions $* and the $(echo $_table | wc -w) long options of its table"
	else
		vt_fail "$_cmd --help does not mention:$_missing"
	fi
}
help_mentions read "$VT_SRCDIR/src/cli/cmd_read.c" \
	--db --json --local-net --tcp-timeout --udp-timeout --max-flows --max-devices -h --help
help_mentions devices "$VT_SRCDIR/src/cli/cmd_devices.c" --db --json --run -h --help
vt_run "$out" "$err" "$VANTAGE" --help
vt_eq "vantage --help: exit status" "$VT_RC" 0
if grep -q '^ *read ' "$out" && grep -q '^ *devices ' "$out"; then
	vt_ok "vantage --help lists read and devices"
else
	vt_fail "vantage --help does not list read and devices"
fi

echo "== '-' reads stdin"
for f in "$DEMO/xiaodu_plug_setup.pcap" "$VT_SRCDIR/tests/bad/captures/pcapng_valid.pcapng"; do
	name=$(basename "$f")
	vt_run "$VT_TMP/file.out" "$err" "$VANTAGE" read --json "$f"
	vt_run "$VT_TMP/stdin.out" "$err" sh -c '"$1" read --json - <"$2"' sh "$VANTAGE" "$f"
	vt_eq "read - <$name: exit status" "$VT_RC" 0
	same_output "read - <$name equals read $name" "$VT_TMP/file.out" "$VT_TMP/stdin.out"
done

echo "== several files are merged in time order"
a=$DEMO/xiaodu_plug_setup.pcap
b=$DEMO/xiaodu_plug_update.pcap
vt_run "$VT_TMP/ab.out" "$err" "$VANTAGE" read --json "$a" "$b"
vt_eq "read A B: exit status" "$VT_RC" 0
vt_run "$VT_TMP/ba.out" "$err" "$VANTAGE" read --json "$b" "$a"
vt_eq "read B A: exit status" "$VT_RC" 0
same_output "read A B equals read B A" "$VT_TMP/ab.out" "$VT_TMP/ba.out"
if command -v mergecap >/dev/null 2>&1; then
	mergecap -F pcap -w "$VT_TMP/merged.pcap" "$b" "$a" 2>/dev/null
	vt_run "$VT_TMP/merged.out" "$err" "$VANTAGE" read --json "$VT_TMP/merged.pcap"
	same_output "read B A equals read of mergecap B A" "$VT_TMP/merged.out" "$VT_TMP/ba.out"
else
	echo "note: mergecap not installed, merged-file comparison skipped"
fi
# A capture split into two halves that interleave frame by frame.
whole=$DEMO/xiaodu_plug_idle_on_local.pcap
python3 "$VT_SRCDIR/tests/cli/split_pcap.py" "$whole" "$VT_TMP/h1.pcap" "$VT_TMP/h2.pcap" \
	"$VT_TMP/h1h2-concatenated.pcap" >/dev/null
vt_run "$VT_TMP/whole.out" "$err" "$VANTAGE" read --json "$whole"
vt_run "$VT_TMP/h12.out" "$err" "$VANTAGE" read --json "$VT_TMP/h1.pcap" "$VT_TMP/h2.pcap"
vt_run "$VT_TMP/h21.out" "$err" "$VANTAGE" read --json "$VT_TMP/h2.pcap" "$VT_TMP/h1.pcap"
vt_run "$VT_TMP/h1.out" "$err" "$VANTAGE" read --json "$VT_TMP/h1.pcap"
same_output "interleaved halves H1 H2 equal the whole capture" "$VT_TMP/whole.out" "$VT_TMP/h12.out"
same_output "interleaved halves H2 H1 equal the whole capture" "$VT_TMP/whole.out" "$VT_TMP/h21.out"
# The split test can fail: one half alone, or the halves read one after
# the other without merging, must give another result.
vt_run "$VT_TMP/cat.out" "$err" "$VANTAGE" read --json "$VT_TMP/h1h2-concatenated.pcap"
if cmp -s "$VT_TMP/h1.out" "$VT_TMP/whole.out" || cmp -s "$VT_TMP/cat.out" "$VT_TMP/whole.out"; then
	vt_fail "one half alone, or the halves unmerged, give the whole's output: the split test proves nothing"
else
	vt_ok "one half alone and the halves unmerged differ from the whole (the test discriminates)"
fi

echo "== SIGINT / SIGTERM while reading a stalled stdin pipe"
# interrupt SIG: 7 frames through a FIFO whose writer then stalls; once
# vantage has drained the pipe and installed its handler, send SIG.
interrupt() {
	sig=$1
	fifo=$VT_TMP/fifo.$sig
	ready=$VT_TMP/ready.$sig
	db=$VT_TMP/int.$sig.db
	mkfifo "$fifo"
	python3 "$VT_SRCDIR/tests/cli/slow_writer.py" "$fifo" "$ready" 7 >/dev/null 2>&1 &
	wpid=$!
	"$VANTAGE" read --json --db "$db" - <"$fifo" >"$out" 2>"$err" &
	vpid=$!
	i=0
	while [ ! -e "$ready" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# Wait for the signal handler (SigCgt bit of SIGINT, 0x2) so a signal
	# sent too early cannot be ignored or kill the process.
	i=0
	while [ $i -lt 100 ] && [ -r /proc/$vpid/status ]; do
		mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' /proc/$vpid/status)
		low=${mask#"${mask%????}"}
		[ -n "$low" ] && [ $((0x$low & 2)) -ne 0 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
	kill -s "$sig" "$vpid"
	# Watchdog (its output detached so a leftover sleep cannot hold the
	# test's stdout open).
	(sleep 20 && kill -s KILL "$vpid") >/dev/null 2>&1 &
	dog=$!
	rc=0
	wait "$vpid" || rc=$?
	kill "$dog" 2>/dev/null
	kill "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	vt_eq "$sig during read: exit status" "$rc" 130
	vt_eq "$sig during read: packets_sent of the sender printed" \
		"$(vt_json_field "$out" 02:00:00:00:00:0a packets_sent)" 7
	vt_run "$VT_TMP/int.out" "$VT_TMP/int.err" "$VANTAGE" devices --db "$db" --json
	vt_eq "$sig during read: packets_sent of the sender stored" \
		"$(vt_json_field "$VT_TMP/int.out" 02:00:00:00:00:0a packets_sent)" 7
	# An interruption asked for by the user is not a damaged capture.
	if vt_err_lines "$err" | grep -qi 'error'; then
		vt_fail "$sig during read: reported as a read error: $(vt_err_lines "$err")"
	else
		vt_ok "$sig during read: no read error reported"
	fi
}
interrupt INT
interrupt TERM

echo "== kill -9 during a read: the store stays sound (RELIABILITY.md promise 4)"
# The run row is committed when the run begins; a SIGKILL while the reader
# waits on a stalled pipe must leave a database that passes integrity_check,
# keeps that row (status still "running"), and takes the next run.
fifo=$VT_TMP/fifo.kill
ready=$VT_TMP/ready.kill
db=$VT_TMP/kill.db
mkfifo "$fifo"
python3 "$VT_SRCDIR/tests/cli/slow_writer.py" "$fifo" "$ready" 7 >/dev/null 2>&1 &
wpid=$!
"$VANTAGE" read --db "$db" - <"$fifo" >/dev/null 2>&1 &
vpid=$!
i=0
while [ ! -e "$ready" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
# The run has begun once its row is committed (loading rules can take a
# while under the sanitizers): only then is there something to keep.
i=0
while [ $i -lt 300 ]; do
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM run' 2>/dev/null)" = 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
sleep 0.3
kill -s KILL "$vpid"
wait "$vpid" 2>/dev/null
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
vt_eq "kill -9: integrity_check" "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok
vt_eq "kill -9: the committed run row survives" \
	"$(sqlite3 "$db" 'SELECT command || ":" || status FROM run')" "read:running"
vt_run "$VT_TMP/kill.out" "$VT_TMP/kill.err" "$VANTAGE" read --db "$db" --json \
	"$VT_SRCDIR/data/demo/xiaodu_plug_update.pcap"
vt_eq "kill -9: the next run exits 0" "$VT_RC" 0
vt_run "$VT_TMP/kill2.out" "$VT_TMP/kill2.err" "$VANTAGE" devices --db "$db" --json
vt_eq "kill -9: devices after the next run equal its output" \
	"$(cmp -s "$VT_TMP/kill.out" "$VT_TMP/kill2.out" && echo same)" same

vt_finish
