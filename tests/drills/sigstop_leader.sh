#!/usr/bin/env bash
# sigstop_leader.sh - the lesson's W20 drill: freeze the leader's process
# (SIGSTOP) past the election timeout under client load. The others elect
# a new leader within the bound; thawed (SIGCONT), the old leader steps down
# at its first contact with a higher term, and whatever it accepted while it
# still believed it led is never acknowledged as committed: its followers
# refuse its AppendEntries by term (Raft's fencing), `raftsim lincheck`
# finds the history linearizable and `raftsim check` finds no violation.
# Usage: tests/drills/sigstop_leader.sh [BOUND_MS]   (default 2000)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/drills/lib.sh
BOUND_MS=${1:-2000}
drill_init sigstop-leader

cluster_under_load "${DRILL_SECONDS:-8}"

old=$(leader)
old_term=$(leader_term "$old")
kill -STOP "${NODE_PID[$old]}"
frozen_at=$(now_ms)
say "SIGSTOP node $old, leader of term $old_term"
wait_until 10 new_leader "$old" "$old_term" ||
	fail "no new leader within 10 s of freezing node $old"
took=$(($(now_ms) - frozen_at))
new=$(leader "$old")
say "node $new leads term $(leader_term "$new") ${took} ms after the freeze (bound ${BOUND_MS} ms; timeouts 100-200 ms)"
[ "$took" -le "$BOUND_MS" ] || fail "election took ${took} ms, over ${BOUND_MS} ms"

# Let the new leader serve for a while, then thaw the old one.
ok_before=$(grep -c '"ev":"ok"' "$DRILL_DIR/history.jsonl")
more_ok() { [ "$(grep -c '"ev":"ok"' "$DRILL_DIR/history.jsonl")" -gt $((ok_before + 20)) ]; }
wait_until 10 more_ok || fail "the new leader served no client within 10 s"
kill -CONT "${NODE_PID[$old]}"
say "SIGCONT node $old"
stepped_down() {
	read -r role term <<<"$(node_role "$old")"
	[ "$role" = follower ] && [ "$term" -gt "$old_term" ]
}
wait_until 10 stepped_down || fail "node $old did not step down within 10 s"
say "node $old is a follower of term $(leader_term "$old") again"
grep -q "\"ev\":\"saw_term\",[^}]*\"node\":$old,\"term\":$old_term,\"role\":\"leader\"" \
	"$DRILL_DIR/node-$old.jsonl" &&
	say "node $old saw the higher term as leader of term $old_term (its first contact)"
stale=$(grep -c "\"ev\":\"truncate\",[^}]*\"node\":$old," "$DRILL_DIR/node-$old.jsonl")
say "stale entries truncated on node $old: $stale time(s)"

wait_bench
drill_verdict
