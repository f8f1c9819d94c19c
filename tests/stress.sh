#!/bin/sh
# stress.sh - threaded runs of raftsim with random seeds, random pauses and
# message faults on 7 nodes. Prints each seed; stops at the first run that
# fails (a nonzero exit, or any sanitizer report) and prints the command
# that reproduces it. Thread timing differs between runs, so the seed fixes
# the fault schedule and the timeouts, not the interleaving.
#
# Usage: tests/stress.sh [--bin PATH] [--runs N] [--ticks T] [--tick-ms MS]
#                        [-- MORE RAFTSIM FLAGS]
set -u

bin=./raftsim
runs=50
ticks=300
tick_ms=10
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--ticks) ticks=$2; shift 2 ;;
	--tick-ms) tick_ms=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "stress.sh: unknown flag '$1'" >&2; exit 2 ;;
	esac
done
if [ ! -x "$bin" ]; then
	echo "stress.sh: --bin: '$bin' is not an executable" >&2
	exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-stress.XXXXXX") || exit 2
i=1
while [ "$i" -le "$runs" ]; do
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')
	trace="$dir/trace-$seed.jsonl"
	cmd="$bin --nodes 7 --ticks $ticks --tick-ms $tick_ms \
--pause-prob 0.01 --pause-ticks 5-40 --drop 0.05 --dup 0.01 --reorder 0.02 \
--seed $seed --quiet${*:+ $*}"
	printf 'stress %d/%d: seed %s: ' "$i" "$runs" "$seed"
	# shellcheck disable=SC2086 # cmd is split on purpose
	$cmd --trace "$trace" >"$dir/out" 2>"$dir/err"
	rc=$?
	if [ "$rc" -ne 0 ] || grep -q 'Sanitizer' "$dir/err"; then
		echo "FAIL (exit $rc)"
		cat "$dir/out" "$dir/err"
		echo "trace kept: $trace"
		env_prefix=""
		[ -n "${TSAN_OPTIONS:-}" ] &&
			env_prefix="TSAN_OPTIONS='$TSAN_OPTIONS' "
		echo "reproduce: $env_prefix$cmd"
		exit 1
	fi
	tail -n 1 "$dir/out"
	rm -f "$trace"
	i=$((i + 1))
done
rm -rf "$dir"
echo "stress: $runs runs passed"
