/* test_log_follower.c - §5.3: what a follower does with AppendEntries'
 * entries (Figure 2, AppendEntries receiver rules 2-5). */
#include <string.h>

#include "testhelp.h"
#include "testnet.h"

/* An AppendEntries from leader 0 in `term` to node 1 carrying entries of
 * the given terms after (prev, prev_term). */
static struct raft_message ae_with(struct raft_entry *e, uint64_t term,
				   uint64_t prev, uint64_t prev_term,
				   const uint64_t *terms, int n,
				   uint64_t commit)
{
	struct raft_message m = testnet_msg(RAFT_MSG_APPEND_ENTRIES, 0, 1,
					    term);
	int i;

	memset(e, 0, sizeof(*e) * (size_t)(n > 0 ? n : 1));
	for (i = 0; i < n; i++) {
		e[i].index = prev + 1 + (uint64_t)i;
		e[i].term = terms[i];
		e[i].type = RAFT_ENTRY_COMMAND;
	}
	m.u.ae.prev_log_index = prev;
	m.u.ae.prev_log_term = prev_term;
	m.u.ae.entries = n > 0 ? e : NULL;
	m.u.ae.entries_count = n;
	m.u.ae.leader_commit = commit;
	return m;
}

/* Steps m into node 1 and returns its AppendEntries reply. */
static struct append_entries_reply step_reply(struct testnet *net,
					      struct raft_message *m)
{
	struct append_entries_reply none = {0};
	int i;

	testnet_clear(net);
	raft_step(&net->nodes[1], m);
	for (i = 0; i < net->outbox_len; i++)
		if (net->outbox[i].type == RAFT_MSG_APPEND_ENTRIES_REPLY)
			return net->outbox[i].u.ae_reply;
	return none;
}

static void refuses_mismatched_prev_term_with_conflict_hint(void)
{
	static const uint64_t held[] = {1, 2, 2, 2, 3};
	struct testnet net;
	struct raft_entry e[1];
	struct raft_message m;
	struct append_entries_reply r;

	testnet_init(&net, 3, 1, NULL);
	testnet_preload(&net, 1, 3, held, 5);
	testnet_attach(&net);
	/* The leader thinks entry 4 is of term 4; the follower holds 2. */
	m = ae_with(e, 5, 4, 4, NULL, 0, 0);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 0);
	CHECK_EQ(r.rejected_index, 4);
	CHECK_EQ(r.conflict_term, 2);
	CHECK_EQ(r.conflict_index, 2); /* the first entry of term 2 */
	CHECK_EQ(net.nodes[1].last_log_index, 5); /* nothing deleted */
	CHECK_EQ(net.nodes[1].stats.append_refused, 1);
	testnet_free(&net);
}

static void refuses_prev_beyond_its_log_with_its_length(void)
{
	static const uint64_t held[] = {1, 1};
	struct testnet net;
	struct raft_entry e[1];
	struct raft_message m;
	struct append_entries_reply r;

	testnet_init(&net, 3, 2, NULL);
	testnet_preload(&net, 1, 1, held, 2);
	testnet_attach(&net);
	m = ae_with(e, 2, 7, 2, NULL, 0, 0);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 0);
	CHECK_EQ(r.rejected_index, 7);
	CHECK_EQ(r.conflict_term, 0);
	CHECK_EQ(r.conflict_index, 3); /* its last index + 1 */
	testnet_free(&net);
}

static void deletes_only_the_conflicting_suffix(void)
{
	static const uint64_t held[] = {1, 1, 2, 2, 2};
	static const uint64_t sent[] = {1, 3};
	struct testnet net;
	struct raft_entry e[2];
	struct raft_message m;
	struct append_entries_reply r;

	testnet_init(&net, 3, 3, NULL);
	testnet_preload(&net, 1, 2, held, 5);
	testnet_attach(&net);
	/* Entry 2 matches (term 1), entry 3 conflicts (3 vs 2). */
	m = ae_with(e, 3, 1, 1, sent, 2, 0);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 1);
	CHECK_EQ(r.match_index, 3);
	CHECK_EQ(net.nodes[1].last_log_index, 3);
	CHECK_EQ(net.nodes[1].last_log_term, 3);
	CHECK_EQ(testnet_term_at(&net, 1, 1), 1);
	CHECK_EQ(testnet_term_at(&net, 1, 2), 1);
	CHECK_EQ(testnet_term_at(&net, 1, 3), 3);
	CHECK_EQ(testnet_events(&net, RAFT_EV_TRUNCATE, 1), 1);
	/* A stale, shorter copy of what it holds deletes nothing (§5.3:
	 * only a conflict truncates). */
	m = ae_with(e, 3, 1, 1, sent, 1, 0);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 1);
	CHECK_EQ(r.match_index, 2);
	CHECK_EQ(net.nodes[1].last_log_index, 3);
	CHECK_EQ(testnet_events(&net, RAFT_EV_TRUNCATE, 1), 1);
	testnet_free(&net);
}

static void no_truncate_keeps_the_stale_suffix(void)
{
	static const uint64_t held[] = {1, 2, 2};
	static const uint64_t sent[] = {3, 3, 3};
	struct testnet net;
	struct raft_entry e[3];
	struct raft_message m;
	struct append_entries_reply r;
	int i;

	testnet_init(&net, 3, 4, NULL);
	for (i = 0; i < 3; i++)
		net.nodes[i].config.mistakes = RAFT_MISTAKE_NO_TRUNCATE;
	testnet_preload(&net, 1, 2, held, 3);
	testnet_attach(&net);
	m = ae_with(e, 3, 1, 1, sent, 3, 0);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 1); /* and it claims a match it does not have */
	CHECK_EQ(testnet_term_at(&net, 1, 2), 2); /* stale, kept */
	CHECK_EQ(testnet_term_at(&net, 1, 3), 2);
	CHECK_EQ(testnet_term_at(&net, 1, 4), 3);
	CHECK_EQ(testnet_events(&net, RAFT_EV_TRUNCATE, 1), 0);
	testnet_free(&net);
}

static void commit_is_min_of_leader_commit_and_last_new_entry(void)
{
	static const uint64_t sent[] = {1, 1, 1, 1};
	static const uint64_t more[] = {1, 1};
	struct testnet net;
	struct raft_entry e[4];
	struct raft_message m;
	struct append_entries_reply r;
	struct raft_state *f;

	testnet_init(&net, 3, 5, NULL);
	testnet_attach(&net);
	f = &net.nodes[1];
	/* leader_commit 2 < last new 4: commit 2, apply 1..2. */
	m = ae_with(e, 1, 0, 0, sent, 4, 2);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 1);
	CHECK_EQ(r.match_index, 4);
	CHECK_EQ(f->commit_index, 2);
	CHECK_EQ(f->last_applied, 2);
	/* A heartbeat at prev 1 with leader_commit 9: the message shows a
	 * match only up to 1, so the commit index stays 2 (never down). */
	m = ae_with(e, 1, 1, 1, NULL, 0, 9);
	r = step_reply(&net, &m);
	CHECK_EQ(r.success, 1);
	CHECK_EQ(r.match_index, 1);
	CHECK_EQ(f->commit_index, 2);
	/* Entries 5..6 with leader_commit 9: commit the last new, 6. */
	m = ae_with(e, 1, 4, 1, more, 2, 9);
	r = step_reply(&net, &m);
	CHECK_EQ(r.match_index, 6);
	CHECK_EQ(f->commit_index, 6);
	CHECK_EQ(f->last_applied, 6);
	CHECK_EQ(f->stats.entries_applied, 6);
	testnet_free(&net);
}

static void lesson_empty_heartbeat_still_succeeds_with_a_log(void)
{
	struct testnet net;
	struct append_entries_msg hb = {1, 0, 0, 0, 0, NULL, 0, 0, 0, 0};
	struct append_entries_reply r;

	testnet_init(&net, 3, 6, NULL);
	testnet_attach(&net);
	r = append_entries_handle(&net.nodes[1], &hb);
	CHECK_EQ(r.success, 1);
	CHECK_EQ(r.term, 1);
	CHECK_EQ(net.nodes[1].leader_id, 0);
	testnet_free(&net);
}

const struct test_case log_follower_tests[] = {
	{"§5.3: a follower refuses AppendEntries whose prev_log_term does not "
	 "match, with the conflict term and its first index",
	 refuses_mismatched_prev_term_with_conflict_hint},
	{"§5.3: a follower whose log ends before prev_log_index refuses with "
	 "conflict term 0 and its last index + 1",
	 refuses_prev_beyond_its_log_with_its_length},
	{"§5.3: a follower deletes the conflicting entry and all that follow, "
	 "and nothing on a stale shorter copy",
	 deletes_only_the_conflicting_suffix},
	{"mistake no-truncate: a follower keeps stale entries after a conflict",
	 no_truncate_keeps_the_stale_suffix},
	{"§5.3: a follower's commit index becomes min(leader_commit, index of "
	 "the last new entry) and never decreases",
	 commit_is_min_of_leader_commit_and_last_new_entry},
	{"lesson: an empty heartbeat at prev 0/0 succeeds on a node with a log",
	 lesson_empty_heartbeat_still_succeeds_with_a_log},
	{NULL, NULL},
};
