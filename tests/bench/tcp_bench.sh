#!/usr/bin/env bash
# tcp_bench.sh - `make bench`, last part: raftsim over TCP (issue 13).
# Not a test: prints each command and its figures; exits 0 unless a run
# cannot be carried out.
#   1. Throughput, 3 `raftsim node` processes on loopback, 16-byte entries,
#      closed loop (--load max), in memory: the leader's committed entries
#      per second and commit latency p50/p99 (best of 3), beside the same
#      cluster on threads with mailboxes in one process.
#   2. Failover over TCP: `raftsim failover --threads --transport tcp`,
#      5 nodes, 100-200 ms, heartbeat 50 ms, beside --transport mailbox.
#   3. Durable over TCP: the same 3 processes with a --data-dir each.
# Usage: tcp_bench.sh [RAFTSIM] [TRIALS]
set -uo pipefail
bin=${1:-./raftsim}
trials=${2:-100}
dir=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-tcp.XXXXXX")
trap 'rm -rf "$dir"' EXIT
base=$((30000 + ($$ * 13) % 20000))
ticks=400

# field TEXT REGEX: the first number after REGEX in TEXT
field() { sed -n "s/.*$2 *\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }

# procs RUN [FLAGS...]: 3 node processes; prints the leader's log line.
procs() {
	local run=$1 i peers= pids=()
	shift
	for i in 0 1 2; do
		peers+="${peers:+,}$i=127.0.0.1:$((base + run * 3 + i))"
	done
	for i in 0 1 2; do
		"$bin" node --id $i --peers "$peers" --ticks $ticks --load max \
			--payload 16 --seed $((run + 1)) -q "$@" \
			>"$dir/out-$run-$i" 2>&1 &
		pids+=($!)
	done
	for i in 0 1 2; do
		wait "${pids[$i]}" || { cat "$dir/out-$run-$i" >&2; return 1; }
	done
	grep -h -A1 "^node-[0-9]: leader" "$dir"/out-$run-* | grep '^log:' | head -1
}

best() { # best LABEL FLAGS...: best of 3 runs of procs
	local label=$1 b=0 line rate spread=
	shift
	for r in 1 2 3; do
		line=$(procs $((r + ${run_base:-0})) "$@") || { echo "  $label: run failed"; return 1; }
		rate=$(field "$line" "applied (this node),")
		spread+="${spread:+ }$rate"
		echo "  run $r: $line"
		[ "${rate%.*}" -gt "$b" ] && b=${rate%.*}
	done
	echo "  $label: best of 3 $b entries/s (runs: $spread)"
}

echo "== throughput over TCP: 3 processes on loopback, 16-byte entries, closed loop, in memory"
echo "  command (each of 3): $bin node --id I --peers 0=127.0.0.1:P0,1=...,2=... --ticks $ticks --load max --payload 16 -q"
run_base=0 best "3 processes over TCP"
echo "  the same cluster on threads in one process, mailboxes: $bin --nodes 3 --ticks 300 --load max --payload 16 --seed 1 -q"
echo "  $("$bin" --nodes 3 --ticks 300 --load max --payload 16 --seed 1 -q | grep '^log:')"
echo "  and over loopback TCP in one process: $bin --transport tcp --nodes 3 --ticks 300 --load max --payload 16 --seed 1 -q"
echo "  $("$bin" --transport tcp --nodes 3 --ticks 300 --load max --payload 16 --seed 1 -q | grep '^log:')"

echo "== failover over TCP: 5 nodes, election timeouts 100-200 ms, heartbeat 50 ms, $trials trials"
for t in mailbox tcp; do
	cmd=("$bin" failover --threads --transport $t --nodes 5 --election-ms 100-200 --heartbeat-ms 50 --trials "$trials" --seed 1)
	echo "  command: ${cmd[*]}"
	"${cmd[@]}" | sed -n '2,3p' | sed 's/^/  /'
done

echo "== durable over TCP: 3 processes, a --data-dir each (this machine's disk), every entry fsynced before it is acknowledged"
for r in 1 2 3; do
	rm -rf "$dir"/dd-*
	peers=
	for i in 0 1 2; do peers+="${peers:+,}$i=127.0.0.1:$((base + 30 + r * 3 + i))"; done
	pids=()
	for i in 0 1 2; do
		"$bin" node --id $i --peers "$peers" --ticks $ticks --load max --payload 16 \
			--seed $r -q --data-dir "$dir/dd-$r-$i" >"$dir/dout-$r-$i" 2>&1 &
		pids+=($!)
	done
	for i in 0 1 2; do wait "${pids[$i]}"; done
	echo "  run $r: $(grep -h -A1 '^node-[0-9]: leader' "$dir"/dout-$r-* | grep '^log:' | head -1)"
done
exit 0
