/* raft_mistake.h - the decisions the lesson's "Common mistakes" change.
 *
 * Each function answers one question the protocol asks, and answers it the
 * way Figure 2 does unless the node was configured with the mistake that
 * breaks that rule (enum raft_mistake, injected so the checker can be seen
 * to catch it). The protocol code asks; raft_mistake.c alone knows which
 * mistake changes which answer.
 */
#ifndef RAFT_MISTAKE_H
#define RAFT_MISTAKE_H

#include <stdbool.h>

#include "raft.h"

/* §5.6: is heartbeat_interval < election_min enforced? Not with the
 * long-heartbeat mistake. */
bool raft_enforces_heartbeat_timing(const struct raft_config *cfg);

/* §5.2: does accepting a heartbeat restart the election timer? Not with
 * the no-reset mistake. */
bool raft_heartbeat_resets_timer(const struct raft_state *s);

/* §5.2: is the election timeout drawn at random? Not with the
 * fixed-timeout mistake: every node then waits election_min. */
bool raft_randomizes_timeout(const struct raft_state *s);

/* §5.1: does `m`, whose term is higher than ours, make this node adopt that
 * term and become a follower? Always, except that with the no-stepdown
 * mistake a leader or candidate ignores AppendEntries and their replies. */
bool raft_adopts_higher_term(const struct raft_state *s,
			     const struct raft_message *m);

/* §5.2: does a node give at most one vote per term? Not with the
 * double-vote mistake: it grants every request its log check allows. */
bool raft_votes_once_per_term(const struct raft_state *s);

/* §5.4.2: does a leader commit by counting replicas only entries of its
 * own term? Not with the commit-old-term mistake (the paper's Figure 8). */
bool raft_commits_own_term_only(const struct raft_state *s);

/* §5.4.1: does a voter refuse a candidate whose log is less up to date?
 * Not with the vote-any-log mistake. */
bool raft_checks_candidate_log(const struct raft_state *s);

/* §5.3: does a follower delete a conflicting entry and all that follow?
 * Not with the no-truncate mistake: it keeps the entries it holds, stale
 * ones included, and appends only past its end. */
bool raft_truncates_conflicts(const struct raft_state *s);

/* Figure 2: are only committed entries applied? Not with the
 * apply-uncommitted mistake: everything appended is applied. */
bool raft_applies_only_committed(const struct raft_state *s);

#endif
