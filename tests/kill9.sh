#!/usr/bin/env bash
# tests/kill9.sh - the kill -9 test (issue 12): raftsim on real files is
# killed with SIGKILL at random moments and resumed from its --data-dir,
# and after every kill `raftsim check` judges the whole accumulated trace:
# no committed entry lost, no node voting twice in a term, restarts at or
# above what was promised, the client history linearizable.
#
# Usage: tests/kill9.sh [KILLS_PER_SERIES [SEED]]
#   Two series, each in its own data dir: --load 2000, then --clients 8
#   (25 kills each by default). Each run sleeps 0.2-2 s (drawn from $RANDOM,
#   seeded by SEED, printed so that a failure replays) and then is killed;
#   random crash faults are off or light. RAFTSIM names the binary
#   (default ./raftsim); KILL9_KEEP=1 keeps the work directory.
# Prints one line per kill and a summary line; exits 1 on any failure.
set -u

per=${1:-25}
seed=${2:-$(( $(date +%s) % 32768 ))}
raftsim=${RAFTSIM:-./raftsim}
RANDOM=$seed
work=$(mktemp -d /tmp/raftsim-kill9-XXXXXX)
SECONDS=0
kills=0
passed=0
failed=0

echo "kill9: seed $seed, $per kills per series, in $work"
# A copy: a rebuild while the test runs must not change the binary.
cp "$raftsim" "$work/raftsim" || exit 1
raftsim=$work/raftsim

# One kill: starts raftsim (a resume after the first), sleeps, kills it,
# checks the whole trace. $1 series name, $2 iteration, the rest the flags.
one_kill() {
	local name=$1 i=$2
	shift 2
	local dir=$work/$name trace=$work/$name.jsonl log=$work/$name.log
	local ms=$(( 200 + RANDOM % 1801 ))
	local faults=""
	local resume=""
	local pid code

	if (( RANDOM % 2 )); then
		faults="--crash-prob 0.002 --crash-ticks 10-40"
	fi
	if (( i > 1 )); then
		resume="--resume"
	fi
	# shellcheck disable=SC2086 # faults and resume are word lists
	"$raftsim" --data-dir "$dir" --trace "$trace" --ticks 10000000 -q \
		$resume $faults "$@" >>"$log" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $(( ms / 1000 )) $(( ms % 1000 )))"
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		code=$?
		echo "kill9: $name $i: raftsim exited $code before the kill" \
		     "(see $log)"
		failed=$(( failed + 1 ))
		return
	fi
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	kills=$(( kills + 1 ))
	if "$raftsim" check "$trace" >"$work/check.out" 2>&1; then
		passed=$(( passed + 1 ))
		echo "kill9: $name $i: killed after ${ms} ms${faults:+ (crashes)}:" \
		     "$(grep -m1 '^check: OK' "$work/check.out")"
	else
		failed=$(( failed + 1 ))
		echo "kill9: $name $i: killed after ${ms} ms${faults:+ (crashes)}:" \
		     "check FAILED:"
		head -20 "$work/check.out"
		cp "$work/check.out" "$work/$name-$i.check"
	fi
}

series() {
	local name=$1 i
	shift
	for (( i = 1; i <= per; i++ )); do
		one_kill "$name" "$i" "$@"
	done
}

series load --load 2000
series clients --clients 8

echo "kill9: $kills kills ($per under --load 2000, $per under --clients 8 resumed)," \
     "$passed checks passed, $failed failed; seed $seed; ${SECONDS} s"
if (( failed > 0 )); then
	echo "kill9: FAIL: kept $work (replay: tests/kill9.sh $per $seed)"
	exit 1
fi
if [ "${KILL9_KEEP:-0}" = 1 ]; then
	echo "kill9: kept $work"
else
	rm -rf "$work"
fi
exit 0
