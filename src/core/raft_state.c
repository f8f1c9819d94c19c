/* raft_state.c - configuration, initialization and the I/O hooks. */
#include <assert.h>
#include <string.h>

#include "raft_internal.h"
#include "raft_mistake.h"

const char *raft_strerror(int rv)
{
	switch (rv) {
	case RAFT_OK:
		return "ok";
	case RAFT_ENODES:
		return "node count must be 1 to 1024 and the id within it";
	case RAFT_EZERO:
		return "heartbeat and election timeouts must be at least 1 tick";
	case RAFT_ERANGE:
		return "election timeout minimum exceeds its maximum";
	case RAFT_EHEARTBEAT:
		return "heartbeat interval must be shorter than the minimum "
		       "election timeout";
	case RAFT_EFLOW:
		return "batch, inflight and snapshot chunk limits must be at "
		       "least 1";
	case RAFT_ENOTLEADER:
		return "not the leader";
	case RAFT_ENOMEM:
		return "out of memory";
	case RAFT_ENOLOG:
		return "no log storage attached";
	case RAFT_ESTORAGE:
		return "the stored snapshot does not restore";
	case RAFT_EBUSY:
		return "too many uncommitted entries; try again later";
	case RAFT_EIO:
		return "the disk failed";
	}
	return "unknown error";
}

const char *raft_role_name(enum raft_role role)
{
	switch (role) {
	case RAFT_FOLLOWER:
		return "follower";
	case RAFT_CANDIDATE:
		return "candidate";
	case RAFT_LEADER:
		return "leader";
	}
	return "?";
}

const char *raft_msg_type_name(enum raft_msg_type type)
{
	static const char *const names[RAFT_MSG_TYPE_COUNT] = {
		[RAFT_MSG_NONE] = "none",
		[RAFT_MSG_APPEND_ENTRIES] = "append_entries",
		[RAFT_MSG_APPEND_ENTRIES_REPLY] = "append_entries_reply",
		[RAFT_MSG_REQUEST_VOTE] = "request_vote",
		[RAFT_MSG_REQUEST_VOTE_REPLY] = "request_vote_reply",
		[RAFT_MSG_PREVOTE] = "prevote",
		[RAFT_MSG_PREVOTE_REPLY] = "prevote_reply",
		[RAFT_MSG_INSTALL_SNAPSHOT] = "install_snapshot",
		[RAFT_MSG_INSTALL_SNAPSHOT_REPLY] = "install_snapshot_reply",
		[RAFT_MSG_PROPOSE] = "propose",
		[RAFT_MSG_CLIENT] = "client",
	};
	if ((unsigned)type >= RAFT_MSG_TYPE_COUNT)
		return "?";
	return names[type];
}

void raft_config_default(struct raft_config *cfg, int id, int node_count,
			 uint64_t seed)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->id = id;
	cfg->node_count = node_count;
	cfg->heartbeat_interval = 3;
	cfg->election_min = 10;
	cfg->election_max = 20;
	cfg->seed = seed;
	cfg->max_batch_bytes = 64 * 1024;
	cfg->max_inflight_msgs = 64;
	cfg->max_inflight_bytes = 4 * 1024 * 1024;
	cfg->snapshot_entries = 10000;
	cfg->snapshot_chunk_bytes = 64 * 1024;
}

int raft_config_validate(const struct raft_config *cfg)
{
	if (cfg->node_count < 1 || cfg->node_count > RAFT_MAX_NODES ||
	    cfg->id < 0 || cfg->id >= cfg->node_count)
		return RAFT_ENODES;
	if (cfg->heartbeat_interval == 0 || cfg->election_min == 0 ||
	    cfg->election_max == 0)
		return RAFT_EZERO;
	if (cfg->election_min > cfg->election_max)
		return RAFT_ERANGE;
	if (cfg->max_batch_bytes == 0 || cfg->max_inflight_msgs == 0 ||
	    cfg->max_inflight_bytes == 0 || cfg->snapshot_chunk_bytes == 0)
		return RAFT_EFLOW;
	if (cfg->heartbeat_interval >= cfg->election_min &&
	    raft_enforces_heartbeat_timing(cfg))
		return RAFT_EHEARTBEAT;
	return RAFT_OK;
}

int raft_init(struct raft_state *s, const struct raft_config *cfg,
	      const struct raft_durable *durable,
	      struct raft_transport transport, struct raft_event_sink events)
{
	int rv;

	rv = raft_config_validate(cfg);
	if (rv != RAFT_OK)
		goto err;
	/* Zeroed state is a follower at term 0 (§5.1): init assigns no role,
	 * so only the transitions in raft_role.c ever do. */
	_Static_assert(RAFT_FOLLOWER == 0, "a zeroed node is a follower");
	memset(s, 0, sizeof(*s));
	s->config = *cfg;
	s->voted_for = RAFT_NONE;
	s->leader_id = RAFT_NONE;
	if (durable != NULL)
		raft_restore(s, durable);
	s->heartbeat_interval = cfg->heartbeat_interval;
	s->transport = transport;
	s->events = events;
	raft_rng_seed(&s->rng, cfg->seed);
	raft_election_timer_restart(s);
	/* A node back from a crash may have heard a leader just before it:
	 * it forgot that, but the leader's lease counts on it (raft_step.c,
	 * in_leader_lease). */
	s->restart_quiet = durable != NULL;
	return RAFT_OK;
err:
	return rv;
}

struct raft_durable raft_durable_of(const struct raft_state *s)
{
	struct raft_durable d = {s->current_term, s->voted_for};
	return d;
}

int raft_majority(const struct raft_state *s)
{
	return s->config.node_count / 2 + 1;
}

static void emit(struct raft_state *s, struct raft_event *ev)
{
	ev->node = s->config.id;
	ev->term = s->current_term;
	ev->role = s->role;
	ev->now = s->now;
	s->events.emit(s->events.ctx, ev);
}

void raft_emit_seen(struct raft_state *s, enum raft_event_type type, int peer,
		    int count, uint64_t seen_term)
{
	struct raft_event ev = {0};

	if (s->events.emit == NULL)
		return;
	ev.type = type;
	ev.peer = peer;
	ev.count = count;
	ev.seen_term = seen_term;
	emit(s, &ev);
}

void raft_emit(struct raft_state *s, enum raft_event_type type, int peer,
	       int count)
{
	raft_emit_seen(s, type, peer, count, 0);
}

void raft_emit_log(struct raft_state *s, enum raft_event_type type,
		   uint64_t index, uint64_t last_index, uint64_t entry_term,
		   uint64_t digest, int peer, int count)
{
	struct raft_event ev = {0};

	if (s->events.emit == NULL)
		return;
	ev.type = type;
	ev.peer = peer;
	ev.count = count;
	ev.index = index;
	ev.last_index = last_index;
	ev.entry_term = entry_term;
	ev.digest = digest;
	emit(s, &ev);
}

int raft_send(struct raft_state *s, const struct raft_message *msg)
{
	assert(msg->from == s->config.id);
	assert(msg->to >= 0 && msg->to < s->config.node_count);
	assert(msg->to != s->config.id);
	if (s->transport.send == NULL)
		return -1;
	return s->transport.send(s->transport.ctx, msg);
}
