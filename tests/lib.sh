# Shared helpers for the shell tests: each test prints TAP, one line per
# check, so the suite counts checks. Sourced by tests/*.test.
#
# Environment (set by `make check`): CACHESCOPE (the built binary),
# top_srcdir, top_builddir. Every test gets its own scratch directory,
# removed on exit.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${CACHESCOPE:=$top_builddir/cachescope}"
FIXTURES="$top_srcdir/fixtures"

tap_n=0
tap_failures=0
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/cachescope-test.XXXXXX")
tap_cleanup_hooks=""

tap_cleanup() {
	local hook
	for hook in $tap_cleanup_hooks; do "$hook" || true; done
	rm -rf "$SCRATCH"
}
trap tap_cleanup EXIT

# on_exit FUNCTION: run FUNCTION when the test ends (stop servers etc.)
on_exit() { tap_cleanup_hooks="$1 $tap_cleanup_hooks"; }

ok() { # ok STATUS DESCRIPTION: STATUS 0 passes
	local status=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failures=$((tap_failures + 1))
	fi
}

check() { # check DESCRIPTION COMMAND...: passes when COMMAND exits 0
	local desc=$1; shift
	local out
	if out=$("$@" 2>&1); then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
	fi
}

same_file() { # same_file DESCRIPTION GOT WANT: byte-for-byte
	if cmp -s "$2" "$3"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diff -u "$3" "$2" | head -n 30 | cat -v | sed 's/^/#   /'
	fi
}

# expect_status DESCRIPTION WANT COMMAND...: exit status must be WANT
expect_status() {
	local desc=$1 want=$2; shift 2
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc (exit $got, want $want)"
		head -n 5 "$SCRATCH/err" | cat -v | sed 's/^/#   /'
	fi
}

# expect_error DESCRIPTION PATTERN COMMAND...: exit 2, one line on stderr
# starting "cachescope: " and matching the extended regex PATTERN,
# nothing on stdout.
expect_error() {
	local desc=$1 pattern=$2; shift 2
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	local got=$? lines
	lines=$(wc -l <"$SCRATCH/err")
	if [ "$got" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$SCRATCH/out" ] &&
		grep -Eq "^cachescope: .*($pattern)" "$SCRATCH/err"; then
		ok 0 "$desc"
	else
		ok 1 "$desc (exit $got, $lines stderr lines)"
		head -n 5 "$SCRATCH/err" | cat -v | sed 's/^/#   /'
	fi
}

# sanitized: true when the binary was built with AddressSanitizer, which
# reserves terabytes of address space (no ulimit -v) and trips valgrind.
sanitized() {
	nm "$CACHESCOPE" 2>/dev/null | grep -q __asan_init ||
		ldd "$CACHESCOPE" 2>/dev/null | grep -q libasan
}

skip() { # skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# todo STATUS DESCRIPTION REASON: a check that fails today for a known
# reason (TAP "# TODO": the suite counts it as an expected failure). When
# it starts passing it is an unexpected pass, which fails the suite until
# the TODO is removed.
todo() {
	local status=$1 desc=$2 reason=$3
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $desc # TODO $reason"
	else
		echo "not ok $tap_n - $desc # TODO $reason"
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failures" -eq 0 ]
}
