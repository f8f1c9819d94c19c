#!/bin/sh
# live_tmux.sh - `raftsim --live` driven as a user would drive it: in a
# detached tmux session of fixed size, keys sent with send-keys, the screen
# read with capture-pane. Pause the leader (p, Enter), see another node's
# row become leader, resume the old one (p N), see its row turn follower,
# quit (q), and find a clean trace holding the pause and the resume.
#
# Usage: tests/live_tmux.sh [RAFTSIM]   (default ./raftsim)
# Every wait polls the screen every 0.1 s, up to 60 s: no sleep stands in
# for synchronization. Without tmux it says "skipped: tmux not available"
# and passes (.ci/run installs tmux).
set -u
BIN=${1:-./raftsim}
if ! command -v tmux >/dev/null 2>&1; then
	echo "skipped: tmux not available"
	exit 0
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/raftsim-live.XXXXXX") || exit 1
SOCK=raftsim-live-$$ # a private tmux server: no user session is touched
TRACE=$DIR/trace.jsonl
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	rm -rf "$DIR"
}
trap cleanup EXIT
unset TMUX

fail() {
	echo "FAIL: $*"
	echo "--- the screen:"
	screen
	exit 1
}

screen() {
	tmux -L "$SOCK" capture-pane -p -t live 2>/dev/null
}

# wait_for WHAT CMD...: until CMD succeeds, or 60 s have passed.
wait_for() {
	what=$1
	shift
	end=$(($(date +%s) + 60))
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || fail "60 s without $what"
		sleep 0.1
	done
}

# The id of the node whose row says: up, leader ("" if none).
leader() {
	screen | awk '$2 == "up" && $3 == "leader" { print $1; exit }'
}
has_leader() { [ -n "$(leader)" ]; }
new_leader() { l=$(leader) && [ -n "$l" ] && [ "$l" != "$OLD" ]; }
old_paused() {
	screen | awk -v n="$OLD" '$1 == n && $2 == "PAUSED" { f = 1 }
		END { exit !f }'
}
old_follows() {
	screen | awk -v n="$OLD" '$1 == n && $2 == "up" && $3 == "follower" \
		{ f = 1 } END { exit !f }'
}
ended() { [ -s "$DIR/rc" ]; }

# make tsan sets a longer tick: the cluster keeps its leader under load
TICK=${RAFTSIM_TEST_TICK_MS:+--tick-ms $RAFTSIM_TEST_TICK_MS}
tmux -L "$SOCK" new-session -d -s live -x 120 -y 32 \
	"$BIN --live --nodes 5 --ticks 100000 $TICK --trace $TRACE \
	 2>$DIR/err; echo \$? >$DIR/rc" || fail "tmux cannot start"

wait_for "a leader row" has_leader
OLD=$(leader)
tmux -L "$SOCK" send-keys -t live p Enter
wait_for "node $OLD's row saying PAUSED" old_paused
wait_for "another node's row saying leader" new_leader
tmux -L "$SOCK" send-keys -t live p "$OLD"
wait_for "node $OLD's row saying up, follower" old_follows
screen >"$DIR/screen.txt"
tmux -L "$SOCK" send-keys -t live q
wait_for "the run's end" ended

rc=$(cat "$DIR/rc")
[ "$rc" = 130 ] || fail "exit $rc after q, not 130 (as Ctrl-C): $(cat "$DIR/err")"
"$BIN" check "$TRACE" >/dev/null || fail "raftsim check: the trace is not clean"
grep -q "\"ev\":\"pause\",.*\"node\":$OLD}" "$TRACE" ||
	fail "no pause of node $OLD in the trace"
grep -q "\"ev\":\"resume\",.*\"node\":$OLD}" "$TRACE" ||
	fail "no resume of node $OLD in the trace"
grep -q '"interrupted":true' "$TRACE" || fail "the end event is missing"
if [ -n "${LIVE_SCREEN:-}" ]; then
	cp "$DIR/screen.txt" "$LIVE_SCREEN"
fi
echo "ok: paused leader $OLD, a new leader came, $OLD resumed as a follower"

# --sim --speed: the keys become scheduled faults of the replay command,
# whose trace is the live run's, byte for byte.
STRACE=$DIR/sim.jsonl
tmux -L "$SOCK" new-session -d -s sim -x 200 -y 30 \
	"$BIN --live --sim --speed 4 --nodes 5 --ticks 600 --tick-ms 10 \
	 --seed 7 \
	 --trace $STRACE 2>$DIR/simerr; echo \$? >$DIR/simrc; sleep 600" ||
	fail "tmux cannot start the --sim run"
sim_screen() {
	tmux -L "$SOCK" capture-pane -p -J -S -100 -t sim 2>/dev/null
}
sim_leader() {
	sim_screen | awk '$2 == "up" && $3 == "leader" { f = 1 }
		END { exit !f }'
}
sim_paused() { sim_screen | grep -q "PAUSED"; }
sim_ended() { [ -s "$DIR/simrc" ]; }
wait_for "a leader row (--sim)" sim_leader
tmux -L "$SOCK" send-keys -t sim p Enter
wait_for "a PAUSED row (--sim)" sim_paused
wait_for "the --sim run's end" sim_ended
[ "$(cat "$DIR/simrc")" = 0 ] || fail "--sim exit $(cat "$DIR/simrc")"
REPLAY=$(sim_screen | sed -n 's/^replay (keys as scheduled faults): //p')
case $REPLAY in
raftsim*--pause*) ;;
*) fail "no replay command with the pause: '$REPLAY'" ;;
esac
eval "$BIN ${REPLAY#raftsim} -q --trace $DIR/replay.jsonl" >/dev/null ||
	fail "the replay command failed: $REPLAY"
cmp -s "$STRACE" "$DIR/replay.jsonl" ||
	fail "the replay's trace differs from the live run's: $REPLAY"
echo "ok: --sim replays the keys byte for byte: $REPLAY"
