#!/bin/bash
# How long diff takes against loading its two caches: stats of each store
# (a load and nothing else), then diff of the two, text and JSON, and of
# one store against itself. A benchmark, not a test: it prints medians and
# ratios and fails only when it cannot measure.
#
#   bench/diff.sh [A B]
#
# A and B default to $BENCH_DATA/scale-100000 and $BENCH_DATA/b/scale-100000
# (BENCH_DATA defaults to ./bench-data, as for scripts/bench); make them
# with shared/tools/fixturegen:
#   fixturegen -out DIR -scenario scale -n 100000 [-seed 2]
#
# Environment: CACHESCOPE (default build/cachescope), RUNS (default 5),
# CALLGRIND=1 to count instructions too (exact where a shared machine
# makes times noisy; slow: minutes per run at 100 000 keys).
#
# diff loads A and B on two threads, so its wall time is set against the
# slower load, and its CPU time against both loads' together.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
CS=${CACHESCOPE:-$top/build/cachescope}
DATA=${BENCH_DATA:-$top/bench-data}
A=${1:-$DATA/scale-100000}
B=${2:-$DATA/b/scale-100000}
RUNS=${RUNS:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachescope-bench-diff.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

[ -x "$CS" ] || { echo "bench/diff.sh: no $CS (build first, or set CACHESCOPE)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/diff.sh: needs /usr/bin/time (GNU time)" >&2; exit 1; }
for s in "$A" "$B"; do
	[ -e "$s" ] || { echo "bench/diff.sh: no $s (see the header for fixturegen)" >&2; exit 1; }
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure NAME ARGS...: RUNS runs (after one to warm the page cache);
# sets WALL_<NAME> and CPU_<NAME> (user + system) to medians in seconds
measure() {
	local name=$1; shift
	"$CS" "$@" >/dev/null 2>&1
	local status=$?
	[ "$status" -le 1 ] || { echo "bench/diff.sh: cachescope $* failed (exit $status)" >&2; exit 1; }
	: >"$WORK/$name"
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %U %S' -o "$WORK/$name.one" "$CS" "$@" >/dev/null 2>&1
		tail -n 1 "$WORK/$name.one" >>"$WORK/$name"
	done
	printf -v "WALL_$name" '%s' "$(awk '{ print $1 }' "$WORK/$name" | median)"
	printf -v "CPU_$name" '%s' "$(awk '{ print $2 + $3 }' "$WORK/$name" | median)"
}

# instructions NAME ARGS...: sets IR_<NAME> to callgrind's total (all threads)
instructions() {
	local name=$1; shift
	valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" "$CS" "$@" >/dev/null 2>"$WORK/$name.vg"
	printf -v "IR_$name" '%s' "$(awk '/^summary:|^totals:/ { print $2; exit }' "$WORK/$name.cg")"
}

ms() { awk -v s="$1" 'BEGIN { printf "%6.0f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
larger() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }

measure stats_a stats "$A"
measure stats_b stats "$B"
measure diff_text diff "$A" "$B"
measure diff_json diff --format json "$A" "$B"
measure diff_self diff "$A" "$A"

load_wall=$(larger "$WALL_stats_a" "$WALL_stats_b")
load_cpu=$(sum "$CPU_stats_a" "$CPU_stats_b")

echo "cachescope diff bench, $(date -u +%Y-%m-%d), $RUNS runs a row (medians), on $(nproc) CPUs"
echo "  A: $A ($("$CS" stats "$A" 2>/dev/null | awk '/^nodes/ { print $2 " nodes"; exit }'))"
echo "  B: $B"
echo "  the two differ in $("$CS" diff --format json "$A" "$B" 2>/dev/null | jq -r '"\(.summary.rootCauses) root causes; matched \(.summary.matched), only in B \(.summary.onlyInB)"' 2>/dev/null || echo '?')"
echo
printf '%-34s %10s %10s %14s %14s %14s\n' "" wall cpu "wall/slower" "wall/loads" "cpu/loads"
printf '%-34s %s %s\n' "stats A (load A)" "$(ms "$WALL_stats_a")" "$(ms "$CPU_stats_a")"
printf '%-34s %s %s\n' "stats B (load B)" "$(ms "$WALL_stats_b")" "$(ms "$CPU_stats_b")"
for row in "diff A B (text):diff_text" "diff --format json A B:diff_json" "diff A A (itself):diff_self"; do
	label=${row%%:*} name=${row##*:}
	wall_var=WALL_$name cpu_var=CPU_$name
	if [ "$name" = diff_self ]; then
		lw=$WALL_stats_a lws=$(sum "$WALL_stats_a" "$WALL_stats_a") lc=$(sum "$CPU_stats_a" "$CPU_stats_a")
	else
		lw=$load_wall lws=$(sum "$WALL_stats_a" "$WALL_stats_b") lc=$load_cpu
	fi
	printf '%-34s %s %s %14s %14s %14s\n' "$label" "$(ms "${!wall_var}")" "$(ms "${!cpu_var}")" \
		"$(ratio "${!wall_var}" "$lw")" "$(ratio "${!wall_var}" "$lws")" "$(ratio "${!cpu_var}" "$lc")"
done
echo
echo "wall/slower: against the slower load alone (diff loads both at once, on two threads);"
echo "wall/loads, cpu/loads: against loading both, one after the other."

if [ "${CALLGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "bench/diff.sh: CALLGRIND=1 needs valgrind" >&2; exit 1; }
	instructions stats_a stats "$A"
	instructions stats_b stats "$B"
	instructions diff_text diff "$A" "$B"
	echo
	echo "instructions (callgrind): stats A $IR_stats_a, stats B $IR_stats_b, diff A B $IR_diff_text"
	echo "  diff / (stats A + stats B) = $(ratio "$IR_diff_text" "$(sum "$IR_stats_a" "$IR_stats_b")")"
fi
