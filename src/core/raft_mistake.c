/* raft_mistake.c - what each of the lesson's mistakes changes; see
 * raft_mistake.h. */
#include "raft_mistake.h"

static bool has(const struct raft_config *cfg, enum raft_mistake m)
{
	return (cfg->mistakes & (unsigned)m) != 0;
}

bool raft_enforces_heartbeat_timing(const struct raft_config *cfg)
{
	return !has(cfg, RAFT_MISTAKE_LONG_HEARTBEAT);
}

bool raft_heartbeat_resets_timer(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_NO_RESET);
}

bool raft_randomizes_timeout(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_FIXED_TIMEOUT);
}

bool raft_adopts_higher_term(const struct raft_state *s,
			     const struct raft_message *m)
{
	if (!has(&s->config, RAFT_MISTAKE_NO_STEPDOWN))
		return true;
	return s->role == RAFT_FOLLOWER ||
	       (m->type != RAFT_MSG_APPEND_ENTRIES &&
		m->type != RAFT_MSG_APPEND_ENTRIES_REPLY);
}

bool raft_votes_once_per_term(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_DOUBLE_VOTE);
}

bool raft_commits_own_term_only(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_COMMIT_OLD_TERM);
}

bool raft_checks_candidate_log(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_VOTE_ANY_LOG);
}

bool raft_truncates_conflicts(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_NO_TRUNCATE);
}

bool raft_applies_only_committed(const struct raft_state *s)
{
	return !has(&s->config, RAFT_MISTAKE_APPLY_UNCOMMITTED);
}
