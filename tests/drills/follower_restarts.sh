#!/usr/bin/env bash
# follower_restarts.sh - kill -9 a follower and restart it from its data
# directory, 20 times, under client load. Each time it must come back and
# catch up; at the end the merged traces check clean and the history is
# linearizable.
# Usage: tests/drills/follower_restarts.sh [TIMES]   (default 20)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/drills/lib.sh
TIMES=${1:-20}
drill_init follower-restarts

restarts_of() { grep -c '"ev":"restart"' "$DRILL_DIR/node-$1.jsonl"; }

cluster_under_load "${DRILL_SECONDS:-$((5 + TIMES))}"

for ((k = 1; k <= TIMES; k++)); do
	wait_until 10 have_leader || fail "no leader within 10 s (kill $k)"
	l=$(leader)
	f=$(((l + 1 + RANDOM % (DRILL_NODES - 1)) % DRILL_NODES))
	before=$(restarts_of "$f")
	kill9_node "$f"
	start_node "$f"
	restarted() { [ "$(restarts_of "$f")" -gt "$before" ]; }
	wait_until 10 restarted || fail "node $f did not restart (kill $k)"
	target=$(node_commit "$l")
	wait_until 20 caught_up "$f" "${target:-0}" ||
		fail "node $f did not catch up to ${target:-0} (kill $k)"
done
say "$TIMES kills of a follower, each restarted from its files and caught up"

wait_bench
drill_verdict
