# lib.sh - what the chaos drills share (sourced, not run). Each drill runs a
# cluster of `raftsim node` processes on loopback (or in network
# namespaces), clients with `raftsim bench`, breaks something real (SIGSTOP,
# kill -9, a cut link), and ends with `raftsim check` on the nodes' traces
# and `raftsim lincheck` on the clients' history. Waits poll the traces for
# a condition with a deadline; nothing sleeps to synchronize.
#
# Settings (environment): RAFTSIM (the binary, ./raftsim), DRILL_NODES (3),
# DRILL_DIR (a fresh temporary directory; kept on failure), DRILL_PORT (the
# first port; drawn from the pid when unset), DRILL_NODE_FLAGS (more flags
# for every node).

RAFTSIM=${RAFTSIM:-./raftsim}
DRILL_NODES=${DRILL_NODES:-3}
DRILL_TICK_MS=${DRILL_TICK_MS:-10}
DRILL_SEED=${DRILL_SEED:-$$}
DRILL_NAME=${DRILL_NAME:-drill}
DRILL_PORT=${DRILL_PORT:-$((20000 + ($$ * 37) % 20000))}
DRILL_HOST=${DRILL_HOST:-127.0.0.1}
declare -a NODE_PID NODE_HOST
BENCH_PID=

say() { printf '%s: %s\n' "$DRILL_NAME" "$*"; }
fail() {
	say "FAIL: $*"
	drill_stop_all
	say "kept $DRILL_DIR"
	exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The node's address: its own host (a namespace's) or DRILL_HOST.
node_host() { echo "${NODE_HOST[$1]:-$DRILL_HOST}"; }

drill_init() {
	DRILL_NAME=$1
	DRILL_DIR=${DRILL_DIR:-$(mktemp -d "/tmp/raftsim-$DRILL_NAME-XXXXXX")}
	[ -x "$RAFTSIM" ] || { echo "$DRILL_NAME: $RAFTSIM: not built" >&2; exit 2; }
	trap 'drill_stop_all' EXIT
}

drill_peers() {
	local i peers=
	for ((i = 0; i < DRILL_NODES; i++)); do
		peers+="${peers:+,}$i=$(node_host "$i"):$((DRILL_PORT + i))"
	done
	echo "$peers"
}

# start_node I [PREFIX...]: starts node I in the background (PREFIX: e.g.
# `ip netns exec ns0`), appending to its trace and keeping its files.
start_node() {
	local i=$1
	shift
	"$@" "$RAFTSIM" node --id "$i" --peers "$(drill_peers)" \
		--data-dir "$DRILL_DIR/node-$i" --trace "$DRILL_DIR/node-$i.jsonl" \
		--tick-ms "$DRILL_TICK_MS" --seed "$DRILL_SEED" -q \
		${DRILL_NODE_FLAGS:-} >>"$DRILL_DIR/node-$i.out" 2>&1 &
	NODE_PID[$i]=$!
}

start_cluster() {
	local i
	for ((i = 0; i < DRILL_NODES; i++)); do
		start_node "$i" "$@"
	done
}

# The last role line of node I's trace: "ROLE TERM", or "none 0".
node_role() {
	local line
	line=$(grep '"ev":"role"' "$DRILL_DIR/node-$1.jsonl" 2>/dev/null | tail -n 1)
	[ -n "$line" ] || { echo "none 0"; return; }
	echo "$(sed 's/.*"role":"\([a-z_]*\)".*/\1/' <<<"$line") $(sed 's/.*"term":\([0-9]*\).*/\1/' <<<"$line")"
}

# The node whose trace says it leads the highest term ("" if none),
# skipping node $1 if given (a frozen leader still says it leads).
leader() {
	local i best= best_term=-1 role term
	for ((i = 0; i < DRILL_NODES; i++)); do
		[ "$i" = "${1:-}" ] && continue
		read -r role term <<<"$(node_role "$i")"
		if [ "$role" = leader ] && [ "$term" -gt "$best_term" ]; then
			best=$i
			best_term=$term
		fi
	done
	echo "$best"
}

leader_term() { node_role "$1" | cut -d' ' -f2; }

# Node I's last commit index in its trace ("" before any).
node_commit() {
	grep '"ev":"commit"' "$DRILL_DIR/node-$1.jsonl" 2>/dev/null | tail -n 1 |
		sed -n 's/.*"index":\([0-9]*\).*/\1/p'
}

# Whether node I has committed up to index N.
caught_up() { [ "$(node_commit "$1")" -ge "$2" ] 2>/dev/null; }

# wait_until SECONDS COMMAND...: polls COMMAND every 20 ms until it
# succeeds; fails the drill after SECONDS.
wait_until() {
	local limit=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$limit" ] || return 1
		sleep 0.02
	done
}

have_leader() { [ -n "$(leader "${1:-}")" ]; }

# A leader other than $1, in a term above $2.
new_leader() {
	local l
	l=$(leader "$1")
	[ -n "$l" ] && [ "$(leader_term "$l")" -gt "$2" ]
}

start_bench() {
	"$RAFTSIM" bench --peers "$(drill_peers)" --clients "${2:-4}" \
		--duration "$1" --history "$DRILL_DIR/history.jsonl" \
		>"$DRILL_DIR/bench.out" 2>&1 &
	BENCH_PID=$!
}

# The bench started for SECONDS, and its first answer in.
bench_running() {
	start_bench "$1" 4
	wait_until 20 grep -qs '"ev":"ok"' "$DRILL_DIR/history.jsonl" ||
		fail "no client operation completed within 20 s"
}

# Every node started, a leader elected, the bench running for SECONDS.
cluster_under_load() {
	start_cluster
	wait_until 20 have_leader || fail "no leader within 20 s"
	bench_running "$1"
}

wait_bench() {
	local rc=0
	wait "$BENCH_PID" || rc=$?
	BENCH_PID=
	cat "$DRILL_DIR/bench.out"
	[ "$rc" = 0 ] || fail "bench exited $rc"
}

stop_node() {
	local pid=${NODE_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -CONT "$pid" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	NODE_PID[$1]=
}

kill9_node() {
	kill -KILL "${NODE_PID[$1]}" 2>/dev/null
	wait "${NODE_PID[$1]}" 2>/dev/null
	NODE_PID[$1]=
}

drill_stop_all() {
	local i
	[ -n "$BENCH_PID" ] && { kill -TERM "$BENCH_PID" 2>/dev/null; wait "$BENCH_PID" 2>/dev/null; BENCH_PID=; }
	for ((i = 0; i < DRILL_NODES; i++)); do
		stop_node "$i"
	done
}

# The verdicts: every node's trace merged and checked, the history checked.
drill_verdict() {
	local i traces=()
	drill_stop_all
	for ((i = 0; i < DRILL_NODES; i++)); do
		traces+=("$DRILL_DIR/node-$i.jsonl")
	done
	"$RAFTSIM" check "${traces[@]}" >"$DRILL_DIR/check.out" 2>&1 ||
		{ cat "$DRILL_DIR/check.out"; fail "raftsim check"; }
	tail -n 2 "$DRILL_DIR/check.out"
	if [ -f "$DRILL_DIR/history.jsonl" ]; then
		"$RAFTSIM" lincheck "$DRILL_DIR/history.jsonl" >"$DRILL_DIR/lincheck.out" 2>&1 ||
			{ cat "$DRILL_DIR/lincheck.out"; fail "raftsim lincheck"; }
		tail -n 1 "$DRILL_DIR/lincheck.out"
	fi
	say "PASS"
	trap - EXIT
	[ -n "${DRILL_KEEP:-}" ] || rm -rf "$DRILL_DIR"
}
