#!/bin/sh
# stress.sh - seeded threaded runs of raftsim on 7 nodes with random pauses,
# crashes and partitions, several at a time. Thread timing differs between
# runs, so a seed fixes the fault schedule and the timeouts, not the
# interleaving.
#
# Correct code (the default): every run must pass. The script counts the
# false positives (runs that FAIL, or any sanitizer report), prints the
# command that repeats each, and exits 1 if there was any.
#
# --mistake NAME --expect K: the lesson's mistake NAME must be caught (exit
# 1, a violation) in at least K of the runs; exits 1 otherwise.
#
# Usage: tests/stress.sh [--bin PATH] [--runs N] [--jobs J] [--ticks T]
#                        [--tick-ms MS] [--seed BASE] [--mistake NAME
#                        --expect K] [-- MORE RAFTSIM FLAGS]
# Run i uses seed BASE + i. Odd runs add duplication and reordering.
# Clients on threads: -- --clients 8 [--fenced-store] [--reads lease
# --check-quorum] runs them under the same random pauses, crashes and
# partitions; the checker then judges their history too (linearizable,
# exactly-once, no stale write taken by the fenced store).
set -u

bin=./raftsim
runs=50
jobs=4
ticks=300
tick_ms=10
base=$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')
mistake=
expect=0
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--ticks) ticks=$2; shift 2 ;;
	--tick-ms) tick_ms=$2; shift 2 ;;
	--seed) base=$2; shift 2 ;;
	--mistake) mistake=$2; shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "stress.sh: unknown flag '$1'" >&2; exit 2 ;;
	esac
done
if [ ! -x "$bin" ]; then
	echo "stress.sh: --bin: '$bin' is not an executable" >&2
	exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-stress.XXXXXX") || exit 2
faults="--pause-prob 0.005 --pause-ticks 20-60 --crash-prob 0.002 \
--crash-ticks 10-40 --partition-prob 0.003 --partition-ticks 10-50"

# The command of run i.
command_of() {
	n=$1
	shift
	extra=
	[ $((n % 2)) -eq 1 ] && extra=" --dup 0.02 --reorder 0.05"
	[ -n "$mistake" ] && extra="$extra --mistake $mistake \
--pause leader@$((ticks / 10)):$((ticks / 5))"
	echo "$bin --nodes 7 --ticks $ticks --tick-ms $tick_ms $faults$extra \
--seed $((base + n)) --quiet${*:+ $*}"
}

# Runs run i in the background; its exit code lands in $dir/rc-i.
start_run() {
	cmd=$(command_of "$@")
	# shellcheck disable=SC2086 # cmd is split on purpose
	( $cmd --trace "$dir/trace-$1.jsonl" >"$dir/out-$1" 2>"$dir/err-$1"
	  echo $? >"$dir/rc-$1" ) &
}

# Judges run i: prints one line; returns 0 when it went as expected.
judge() {
	rc=$(cat "$dir/rc-$1")
	sanitizer=0
	grep -q 'Sanitizer' "$dir/err-$1" && sanitizer=1
	if [ -n "$mistake" ]; then
		if [ "$rc" -eq 1 ] && [ "$sanitizer" -eq 0 ]; then
			echo "stress $1: seed $((base + $1)): caught: \
$(grep -o 'FAIL ([^:]*' "$dir/out-$1" | head -n 1)"
			return 0
		fi
		echo "stress $1: seed $((base + $1)): NOT caught (exit $rc)"
		return 1
	fi
	if [ "$rc" -eq 0 ] && [ "$sanitizer" -eq 0 ]; then
		echo "stress $1: seed $((base + $1)): $(tail -n 1 "$dir/out-$1")"
		rm -f "$dir/trace-$1.jsonl"
		return 0
	fi
	echo "stress $1: seed $((base + $1)): FALSE POSITIVE (exit $rc)"
	cat "$dir/out-$1" "$dir/err-$1"
	echo "trace kept: $dir/trace-$1.jsonl"
	env_prefix=""
	[ -n "${TSAN_OPTIONS:-}" ] && env_prefix="TSAN_OPTIONS='$TSAN_OPTIONS' "
	echo "reproduce: $env_prefix$(command_of "$@")"
	return 1
}

i=0
good=0
bad=0
while [ "$i" -lt "$runs" ]; do
	batch=$i
	while [ "$i" -lt "$runs" ] && [ $((i - batch)) -lt "$jobs" ]; do
		start_run "$i" "$@"
		i=$((i + 1))
	done
	wait
	j=$batch
	while [ "$j" -lt "$i" ]; do
		if judge "$j" "$@"; then good=$((good + 1)); else bad=$((bad + 1)); fi
		j=$((j + 1))
	done
done

if [ -n "$mistake" ]; then
	echo "stress: --mistake $mistake caught in $good of $runs runs \
(seeds $base+0..$((runs - 1)); at least $expect wanted)"
	rm -rf "$dir"
	[ "$good" -ge "$expect" ]
	exit $?
fi
echo "stress: $runs runs, $bad false positives (seeds $base+0..$((runs - 1)))"
[ "$bad" -eq 0 ] && rm -rf "$dir"
[ "$bad" -eq 0 ]
