# Hold the lab for a whole test (POSIX sh; source it from a test).
#
#     . "$VT_SRCDIR/lab/session.sh"
#     vt_lab_begin || exit 1      # waits for the lab lock, then lab/up
#     trap 'vt_lab_end' EXIT      # lab/down, then releases the lock
#
# The lab's namespace names and addresses are global to the machine: two
# tests (from any worktree) that bring it up at the same time would tear
# down each other's lab. vt_lab_begin takes the lock lab/up and lab/down use
# (fd 9 on /run/lock/vantage-lab.lock) and keeps it until vt_lab_end, so
# other lab users wait (up to VT_LAB_WAIT seconds, default 300).

VT_LAB_SESSION_DIR=${VT_SRCDIR:-$(pwd)}/lab

vt_lab_begin() {
	mkdir -p /run/lock && exec 9>/run/lock/vantage-lab.lock || return 1
	if ! flock -w "${VT_LAB_WAIT:-300}" 9; then
		echo "lab: another test holds the lab for more than ${VT_LAB_WAIT:-300} s" >&2
		return 1
	fi
	VT_LAB_LOCKED=1
	export VT_LAB_LOCKED
	bash "$VT_LAB_SESSION_DIR/up"
}

vt_lab_end() {
	bash "$VT_LAB_SESSION_DIR/down"
	_vt_lab_rc=$?
	exec 9>&-
	unset VT_LAB_LOCKED
	return $_vt_lab_rc
}
