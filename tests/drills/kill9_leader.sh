#!/usr/bin/env bash
# kill9_leader.sh - SIGKILL the leader's process under client load. The
# others elect a new leader; the killed node restarts from its data
# directory (its WAL) and catches up; no acknowledged write is lost
# (`raftsim lincheck` on the clients' history) and `raftsim check` on the
# merged traces finds no violation (durable term, vote and log included).
# Usage: tests/drills/kill9_leader.sh [ROUNDS]   (default 1)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/drills/lib.sh
ROUNDS=${1:-1}
drill_init kill9-leader

cluster_under_load "${DRILL_SECONDS:-$((6 + 4 * ROUNDS))}"

for ((round = 1; round <= ROUNDS; round++)); do
	old=$(leader)
	old_term=$(leader_term "$old")
	kill9_node "$old"
	say "kill -9 node $old, leader of term $old_term"
	wait_until 10 new_leader "$old" "$old_term" ||
		fail "no new leader within 10 s of the kill"
	new=$(leader "$old")
	start_node "$old"
	wait_until 10 grep -q '"ev":"restart"' "$DRILL_DIR/node-$old.jsonl" ||
		fail "node $old did not restart from its files"
	target=$(node_commit "$new")
	wait_until 20 caught_up "$old" "${target:-0}" ||
		fail "node $old did not catch up to index ${target:-0} within 20 s"
	say "node $old restarted and caught up to index $(node_commit "$old") (leader $new had $target)"
done

wait_bench
drill_verdict
