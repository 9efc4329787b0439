# Helpers shared by golden.test.sh and update-test.sh: reading TESTLIST and
# running one entry. Sourced after tests/lib.sh (vt_init done).

GOLDEN_DIR=$VT_SRCDIR/tests/golden
GOLDEN_LIST=$GOLDEN_DIR/TESTLIST
GOLDEN_EXPECTED=$GOLDEN_DIR/expected
LC_ALL=C # glob order and tools' behaviour must not depend on the locale
export LC_ALL

# golden_entries: the TESTLIST lines without comments and blank lines, as
# "name input expected arguments..." with single spaces.
golden_entries() {
	sed -e 's/#.*//' -e 's/[[:space:]][[:space:]]*/ /g' -e 's/^ //' -e 's/ $//' \
		"$GOLDEN_LIST" | grep -v '^$'
}

# golden_is_repo INPUT: true for "repo:" inputs (runnable without datasets).
golden_is_repo() {
	case $1 in repo:*) return 0 ;; esac
	return 1
}

# golden_run INPUT OUT ERR ARGS...: runs `vantage read --json ARGS FILES`
# where FILES is INPUT's glob expanded in its base folder; sets VT_RC. Exits
# with VT_RC=127 and a message in ERR when the input matches no file.
golden_run() {
	_in=$1
	_gout=$2
	_gerr=$3
	shift 3
	case $_in in
	repo:*) _base=$VT_SRCDIR _rel=${_in#repo:} ;;
	*) _base=$VT_DATASETS _rel=$_in ;;
	esac
	VT_RC=0
	(
		cd "$_base" || exit 127
		_args="$*"
		# shellcheck disable=SC2086 # the glob and the arguments are split on purpose
		set -- $_rel
		if [ ! -e "$1" ]; then
			echo "golden: input $_in matches no file under $_base" >&2
			exit 127
		fi
		# shellcheck disable=SC2086
		exec "$VANTAGE" read --json $_args "$@"
	) >"$_gout" 2>"$_gerr" || VT_RC=$?
}

