#!/usr/bin/env bash
# partition.sh - cut the leader off the network and heal it, under client
# load. With network namespaces (root, `ip netns`, veth and bridge links:
# all inside this machine) every node runs in a namespace of its own,
# linked to a bridge, and the cut is the leader's link going down: a real
# partition that neither process knows about. Without them the drill falls
# back on the transport's own partition fault: every node is started with
# the same `--partition TICK:LEN:0|1,2` schedule, applied by each process
# at its sender and receiver. The drill says which one it used. Either way:
# the majority elects a leader, the healed node steps down at its first
# contact, `raftsim check` and `raftsim lincheck` pass.
# Usage: tests/drills/partition.sh [netns|fault]   (default: netns if possible)
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/drills/lib.sh
drill_init partition
MODE=${1:-}
TAG=r$(($$ % 100000))
NET=10.213.$(($$ % 200 + 20))

netns_possible() {
	[ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
		ip netns add "${TAG}probe" 2>/dev/null &&
		ip netns del "${TAG}probe" 2>/dev/null &&
		ip link add "${TAG}pa" type veth peer name "${TAG}pb" 2>/dev/null &&
		ip link del "${TAG}pa" 2>/dev/null &&
		ip link add "${TAG}br" type bridge 2>/dev/null &&
		ip link del "${TAG}br" 2>/dev/null
}

netns_down() {
	local i
	for ((i = 0; i < DRILL_NODES; i++)); do
		ip netns del "${TAG}n$i" 2>/dev/null
		ip link del "${TAG}v$i" 2>/dev/null
	done
	ip link del "${TAG}br" 2>/dev/null
}

netns_up() {
	local i
	ip link add "${TAG}br" type bridge || return 1
	ip addr add "$NET.254/24" dev "${TAG}br" || return 1
	ip link set "${TAG}br" up || return 1
	for ((i = 0; i < DRILL_NODES; i++)); do
		ip netns add "${TAG}n$i" || return 1
		ip link add "${TAG}v$i" type veth peer name eth0 netns "${TAG}n$i" || return 1
		ip link set "${TAG}v$i" master "${TAG}br" up || return 1
		ip netns exec "${TAG}n$i" ip addr add "$NET.$((i + 1))/24" dev eth0 || return 1
		ip netns exec "${TAG}n$i" ip link set eth0 up || return 1
		ip netns exec "${TAG}n$i" ip link set lo up || return 1
		NODE_HOST[$i]=$NET.$((i + 1))
	done
}

[ -n "$MODE" ] || { if netns_possible; then MODE=netns; else MODE=fault; fi; }
case $MODE in
netns)
	trap 'drill_stop_all; netns_down' EXIT
	netns_up || { netns_down; fail "could not set up the namespaces"; }
	say "partition by network namespaces: ${DRILL_NODES} namespaces on bridge ${TAG}br ($NET.0/24)"
	for ((i = 0; i < DRILL_NODES; i++)); do
		start_node "$i" ip netns exec "${TAG}n$i"
	done
	;;
fault)
	# Node 0 alone for 300 ticks from tick 300: every process applies it.
	say "partition by the transport's own fault: --partition 300:300:0|1,2 on every node (network namespaces not used: unavailable here, or 'fault' asked for)"
	DRILL_NODE_FLAGS="--partition 300:300:0|1,2"
	start_cluster
	;;
*) echo "usage: $0 [netns|fault]" >&2; exit 2 ;;
esac

wait_until 20 have_leader || fail "no leader within 20 s"
bench_running "${DRILL_SECONDS:-8}"

if [ "$MODE" = netns ]; then
	cut=$(leader)
	cut_term=$(leader_term "$cut")
	ip link set "${TAG}v$cut" down
	say "link of node $cut (leader of term $cut_term) down"
	wait_until 10 new_leader "$cut" "$cut_term" || fail "the majority elected no leader"
	say "node $(leader "$cut") leads term $(leader_term "$(leader "$cut")") on the majority side"
	ip link set "${TAG}v$cut" up
	say "link of node $cut up"
	healed() {
		read -r role term <<<"$(node_role "$cut")"
		[ "$role" != leader ] || [ "$term" -gt "$cut_term" ]
	}
	wait_until 10 healed || fail "node $cut still leads its old term after the heal"
	say "node $cut is $(node_role "$cut" | cut -d' ' -f1) in term $(leader_term "$cut")"
fi

if [ "$MODE" = fault ]; then
	wait_until 20 grep -qs '"ev":"heal"' "$DRILL_DIR/node-0.jsonl" ||
		fail "node 0's schedule never healed its partition"
	for ((i = 0; i < DRILL_NODES; i++)); do
		say "node $i: $(grep -c '"ev":"partition"' "$DRILL_DIR/node-$i.jsonl") partition and $(grep -c '"ev":"heal"' "$DRILL_DIR/node-$i.jsonl") heal events, now $(node_role "$i")"
	done
fi
wait_bench
drill_verdict
[ "$MODE" = netns ] && netns_down
exit 0
