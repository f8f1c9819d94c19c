#!/usr/bin/env bash
# sim_bench.sh - `make bench`, second half: the simulator's figures.
# Not a test: prints what it measures and exits 0 unless it cannot run.
#   1. Simulated time over wall time, idle 5-node cluster (issue 4).
#   2. explore throughput: 10,000 runs of 5 nodes x 1,000 ticks, 2 jobs.
#   3. failover: the Raft paper's Figure 16 ranges, and the peers' settings.
set -euo pipefail
bin=${1:-./raftsim}

wall() { # runs "$@", prints its wall time in seconds
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l 2>/dev/null || awk "BEGIN{print $t1 - $t0}"
}

echo "== simulator speed: idle 5-node cluster, 1,000,000 ticks of 100 ms"
idle=("$bin" --sim --nodes 5 --ticks 1000000 --tick-ms 100 --heartbeat-ticks 1
      --election-ticks 10-20 --latency-ms 15-15 --seed 1 -q)
best=
for i in 1 2 3; do
	t=$(wall "${idle[@]}")
	best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN{print (a < b) ? a : b}')
done
awk -v t="$best" 'BEGIN{printf "%s\n  best of 3: %.3f s wall for 100000 s simulated: %.0fx real time\n", "", t, 100000 / t}'
echo "  command: ${idle[*]}"

echo "== explore: 10,000 runs of 5 nodes x 1,000 ticks, every fault kind"
"$bin" explore --runs 10000 --nodes 5 --ticks 1000 --jobs 2 --seed 2026 2>&1 | tail -2

paper=(--latency-ms 1-2.5 --disk-ms 1 --load 30000 --seed 2)
echo "== failover: the paper's Figure 16 (model: ${paper[*]})"
"$bin" failover --trials 100 --election-ms 150-150 "${paper[@]}" -q | tail -1
"$bin" failover --trials 1000 "${paper[@]}" -q \
	--election-ms 150-151,150-155,150-175,150-200,150-300,12-24,25-50,50-100,100-200 |
	tail -n +2

peers=(--trials 1000 --election-ms 1000-2000 --heartbeat-ms 100 --latency-ms 15 --seed 1 -q)
echo "== failover: the peers' settings (${peers[*]})"
for extra in "" --ranked-timeouts --prevote --check-quorum; do
	echo "  ${extra:-default}:"
	"$bin" failover "${peers[@]}" $extra | tail -1
done
