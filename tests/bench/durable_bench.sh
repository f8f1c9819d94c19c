#!/usr/bin/env bash
# durable_bench.sh - `make bench`, last part: durable storage (issue 12).
# Not a test: prints each command and its figures; exits 0 unless a run
# cannot be carried out.
#   1. Durable throughput: 3 nodes on threads, a WAL each under one
#      --data-dir on this machine's disk, 16-byte entries, closed loop,
#      every entry fsynced before it is acknowledged (best of 3, spread).
#   2. Commit latency with one proposal outstanding (p50/p99).
#   3. durable_bench: write + fdatasync of 64 bytes, the WAL alone, and
#      recovery of 1 GiB of WAL with and without a snapshot.
#   4. The simulator with and without --disk: committed entries per wall
#      second, best of 3 each, and the ratio.
# Usage: durable_bench.sh [RAFTSIM] [DURABLE_BENCH]
set -euo pipefail
bin=${1:-./raftsim}
prog=${2:-build/release/durable_bench}
dir=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-durable.XXXXXX")
trap 'rm -rf "$dir"' EXIT

now() { date +%s.%N; }

# field TEXT REGEX: the first number after REGEX in TEXT
field() { sed -n "s/.*$2 *\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }

echo "== durable storage: files under $dir ($(df -T "$dir" | awk 'NR==2{print $2 " on " $1}'))"

ticks=300 tick_ms=10
thr=("$bin" --nodes 3 --load max --payload 16 --ticks $ticks -q)
echo "== durable throughput: 3 nodes on threads, every entry fsynced before it is acknowledged"
echo "  command: ${thr[*]} --data-dir DIR   (a fresh DIR each run)"
rates=()
for i in 1 2 3; do
	rm -rf "$dir/run"
	out=$("${thr[@]}" --data-dir "$dir/run" 2>&1)
	rate=$(field "$out" "applied (every node),")
	syncs=$(field "$out" "disk:")
	per=$(field "$out" "syncs (")
	rates+=("$rate")
	awk -v r="$rate" -v s="$syncs" -v p="$per" -v t=$((ticks * tick_ms)) \
		'BEGIN{printf "  run: %d entries/s committed, %.0f syncs/s (all nodes), %.1f entries per sync\n", r, s * 1000 / t, p}'
done
printf '%s\n' "${rates[@]}" | sort -n | awk '{v[NR]=$1} END{printf "  best of 3: %d entries/s (spread %d..%d)\n", v[NR], v[1], v[NR]}'

lat=("$bin" --nodes 3 --load max --outstanding 1 --payload 16 --ticks $ticks -q)
echo "== commit latency, one proposal outstanding (--data-dir: expect about two fsyncs)"
echo "  command: ${lat[*]} --data-dir DIR"
for i in 1 2 3; do
	rm -rf "$dir/run"
	out=$("${lat[@]}" --data-dir "$dir/run" 2>&1)
	echo "  run: p50 $(field "$out" "latency p50") us, p99 $(field "$out" ", p99") us, $(field "$out" "applied (every node),") entries/s"
done
out=$("${lat[@]}" 2>&1)
echo "  without --data-dir: p50 $(field "$out" "latency p50") us, p99 $(field "$out" ", p99") us"
rm -rf "$dir/run"

"$prog" "$dir/prog"

sim=("$bin" --sim --nodes 5 --ticks 3000 --load max --seed 1 -q)
echo "== the simulator with the simulated disk: committed entries per wall second, best of 3"
# speed [--disk]: prints "RATE SECONDS COMMITTED" of the best of 3 runs
speed() {
	local i t0 t1 out committed
	for i in 1 2 3; do
		t0=$(now)
		out=$("${sim[@]}" "$@" 2>&1)
		t1=$(now)
		committed=$(sed -n 's/^log: \([0-9]*\) committed.*/\1/p' <<<"$out")
		awk -v c="$committed" -v a="$t0" -v b="$t1" \
			'BEGIN{printf "%.0f %.2f %d\n", c / (b - a), b - a, c}'
	done | sort -n | tail -1
}
read -r mem_rate mem_s mem_c < <(speed)
read -r disk_rate disk_s disk_c < <(speed --disk)
echo "  ${sim[*]}: $mem_c committed, best $mem_s s wall: $mem_rate entries/s"
echo "  ${sim[*]} --disk: $disk_c committed, best $disk_s s wall: $disk_rate entries/s"
awk -v a="$disk_rate" -v b="$mem_rate" 'BEGIN{printf "  with --disk: %.0f%% of the in-memory figure (target >= 80%%)\n", 100 * a / b}'
