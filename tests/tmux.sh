# The browser driven for real in tmux, for tests that use it: keys in with
# send-keys, the screen read back with capture-pane, the raw bytes cachescope
# wrote logged with pipe-pane. Sourced after tests/lib.sh.

# The screens are UTF-8 unless a test says otherwise (LANG=C), in any locale
# the suite runs in (CI's may be none at all): the browser, and tmux reading
# its output, both follow the locale.
export LANG=C.UTF-8 LC_ALL=C.UTF-8

SESSIONS=0
SOCKET="cs-test-$$-0"
T() { tmux -u -L "$SOCKET" "$@"; }
stop_tmux() { T kill-server 2>/dev/null; }
on_exit stop_tmux

# start COLSxROWS ENV... -- ARGS...: runs cachescope in a fresh pane; the
# shell around it writes its exit status to $SCRATCH/status.
start() {
	local size=$1; shift
	local env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	stop_tmux
	# a fresh server each time: a dying one can still hold the old socket
	SESSIONS=$((SESSIONS + 1))
	SOCKET="cs-test-$$-$SESSIONS"
	rm -f "$SCRATCH/status" "$SCRATCH/raw"
	T -f /dev/null new-session -d -x "${size%x*}" -y "${size#*x}" \
		"trap : INT; env ${env[*]} '$CACHESCOPE' $*; echo \$? >'$SCRATCH/status'; sleep 600"
	T set-option -g set-clipboard on
	T pipe-pane -o "cat >>'$SCRATCH/raw'"
	# the title: " cachescope  9 records..." or " cachescope diff ..."
	wait_for " cachescope " || true
}

screen() { T capture-pane -p; }

# wait_for TEXT: until the screen shows TEXT (up to 10 s)
wait_for() {
	for _ in $(seq 100); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

keys() { T send-keys "$@"; sleep 0.25; }

# eventually COMMAND...: until COMMAND succeeds (up to 10 s): the screen is
# read after the program had time to draw, however loaded the machine
eventually() {
	for _ in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

quit_and_check() { # quit_and_check DESCRIPTION
	keys q
	for _ in $(seq 100); do [ -s "$SCRATCH/status" ] && break; sleep 0.1; done
	check "$1: quits with status 0" grep -qx 0 "$SCRATCH/status"
	check "$1: terminal restored (alternate screen off)" test "$(T display -p '#{alternate_on}')" = 0
}

