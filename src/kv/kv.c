/* kv.c - the key-value state machine (kv.h): applies committed entries to
 * the keys (kv_table.c) through the client sessions (kv_session.c), and
 * keeps the digest the checker compares across nodes.
 */
#include "kv/kv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "kv/kv_internal.h"

#define DEFAULT_SESSION_MAX 4096u
#define DEFAULT_SESSION_EXPIRY 1000000u

void kv_config_default(struct kv_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->session_max = DEFAULT_SESSION_MAX;
	cfg->session_expiry = DEFAULT_SESSION_EXPIRY;
}

/* The digest of keys and sessions: each side is a sum kept up to date
 * item by item (kv_internal.h); one step joins them, so a key's hash and a
 * session's never cancel. */
static uint64_t digest_of(const struct kv *kv)
{
	return kv_hash_step(kv->table->sum, kv_sessions_sum(kv->sessions));
}

int kv_init(struct kv *kv, const struct kv_config *cfg,
	    const struct kv_hooks *hooks)
{
	memset(kv, 0, sizeof(*kv));
	if (cfg != NULL)
		kv->config = *cfg;
	else
		kv_config_default(&kv->config);
	if (kv->config.session_max == 0)
		kv->config.session_max = DEFAULT_SESSION_MAX;
	if (hooks != NULL)
		kv->hooks = *hooks;
	kv->table = malloc(sizeof(*kv->table));
	if (kv->table == NULL || kv_table_init(kv->table) != 0)
		goto err;
	kv->sessions = kv_sessions_new();
	if (kv->sessions == NULL)
		goto err;
	kv->digest = digest_of(kv);
	return 0;
err:
	kv_free(kv);
	return -1;
}

void kv_free(struct kv *kv)
{
	if (kv->table != NULL) {
		kv_table_free(kv->table);
		free(kv->table);
	}
	kv_sessions_free(kv->sessions);
	free(kv->snapshot_buf);
	kv->table = NULL;
	kv->sessions = NULL;
	kv->snapshot_buf = NULL;
	kv->snapshot_cap = 0;
}

static void set_value(struct kv_reply *reply, const struct kv_item *it)
{
	reply->found = it != NULL;
	reply->value = it == NULL ? (struct kv_bytes){NULL, 0}
				  : (struct kv_bytes){it->val, it->vlen};
}

static bool cas_matches(const struct kv_item *it, const struct kv_cmd *cmd)
{
	if (cmd->expect_null)
		return it == NULL;
	return it != NULL && it->vlen == cmd->expect.len &&
	       (it->vlen == 0 ||
		memcmp(it->val, cmd->expect.data, it->vlen) == 0);
}

/* Runs one operation on the keys. Returns 0, or -1 out of memory (the
 * keys are then as they were). */
static int execute(struct kv *kv, const struct kv_cmd *cmd,
		   struct kv_reply *reply)
{
	struct kv_table *t = kv->table;
	struct kv_item *it;

	switch (cmd->op) {
	case KV_GET:
		set_value(reply, kv_table_find(t, cmd->key));
		return 0;
	case KV_PUT:
		return kv_table_put(t, cmd->key, cmd->value);
	case KV_APPEND:
		return kv_table_append(t, cmd->key, cmd->value);
	case KV_CAS:
		it = kv_table_find(t, cmd->key);
		reply->found = it != NULL;
		if (!cas_matches(it, cmd))
			return 0;
		reply->swapped = true;
		return kv_table_put(t, cmd->key, cmd->value);
	case KV_DELETE:
		reply->found = kv_table_delete(t, cmd->key);
		return 0;
	default:
		assert(0 && "kv_cmd_decode passed an unknown op");
		return 0;
	}
}

/* A request on a session (every op but register). Returns executed. */
static bool apply_request(struct kv *kv, const struct kv_cmd *cmd,
			  uint64_t index, struct kv_reply *reply)
{
	struct kv_session *s;
	bool again;

	switch (kv_sessions_check(kv->sessions, cmd, index, kv->config.no_dedup,
				  &s, reply, &again)) {
	case KV_SESSION_GONE:
		kv->stats.expired++;
		reply->status = KV_STATUS_SESSION_EXPIRED;
		return false;
	case KV_SESSION_STALE:
		reply->status = KV_STATUS_STALE;
		return false;
	case KV_SESSION_CACHED:
		kv->stats.deduplicated++;
		return false;
	case KV_SESSION_EXECUTE:
		break;
	}
	if (execute(kv, cmd, reply) != 0) {
		/* Not executed, so not recorded: a retry runs it. */
		kv->stats.out_of_memory++;
		reply->status = KV_STATUS_RETRY;
		reply->found = reply->swapped = false;
		return false;
	}
	kv->stats.executed++;
	if (again)
		kv->stats.reexecuted++;
	if (kv_sessions_record(kv->sessions, s, cmd->seq, reply) != 0)
		kv->stats.out_of_memory++;
	return true;
}

/* One command entry. An entry that is not a valid command is skipped
 * alike on every node, and reported with client -1 and op KV_OP_COUNT. */
static void apply_command(struct kv *kv, const struct raft_entry *e)
{
	struct kv_cmd cmd;
	struct kv_reply reply;
	bool executed = false;
	int evicted;

	memset(&reply, 0, sizeof(reply));
	reply.leader_hint = -1;
	if (kv_cmd_decode(e->data, e->len, &cmd) != 0 ||
	    cmd.op >= KV_OP_COUNT) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.op = KV_OP_COUNT;
		cmd.client = -1;
	} else if (cmd.op == KV_REGISTER) {
		evicted = kv_sessions_register(kv->sessions, e->index,
					       kv->config.session_max);
		if (evicted < 0) {
			kv->stats.out_of_memory++;
			reply.status = KV_STATUS_RETRY;
		} else {
			kv->stats.sessions_evicted += (uint64_t)evicted;
			reply.session = e->index;
			executed = true;
		}
	} else {
		executed = apply_request(kv, &cmd, e->index, &reply);
		reply.session = cmd.session;
	}
	reply.client = cmd.client;
	reply.seq = cmd.seq;
	if (kv->hooks.applied != NULL)
		kv->hooks.applied(kv->hooks.ctx, e->index, e->term, &cmd,
				  &reply, executed);
}

static uint64_t fsm_apply(void *ctx, const struct raft_entry *entries,
			  unsigned n)
{
	struct kv *kv = ctx;
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct raft_entry *e = &entries[i];

		kv->applied_index = e->index;
		kv->stats.sessions_expired += kv_sessions_expire(
			kv->sessions, e->index, kv->config.session_expiry);
		if (e->type == RAFT_ENTRY_COMMAND)
			apply_command(kv, e);
	}
	kv->stats.sessions = kv_sessions_count(kv->sessions);
	kv->stats.keys = kv->table->count;
	kv->digest = digest_of(kv);
	return kv->digest;
}

static uint64_t fsm_digest(void *ctx)
{
	return ((const struct kv *)ctx)->digest;
}

static int fsm_snapshot(void *ctx, const uint8_t **data, size_t *len)
{
	return kv_snapshot_take(ctx, data, len);
}

static int fsm_restore(void *ctx, const uint8_t *data, size_t len)
{
	struct kv *kv = ctx;

	if (kv_snapshot_restore(kv, data, len) != 0)
		return -1;
	kv->stats.sessions = kv_sessions_count(kv->sessions);
	kv->stats.keys = kv->table->count;
	kv->digest = digest_of(kv);
	return 0;
}

struct raft_fsm kv_fsm(struct kv *kv)
{
	struct raft_fsm ops = {
		.ctx = kv,
		.apply = fsm_apply,
		.snapshot = fsm_snapshot,
		.restore = fsm_restore,
		.digest = fsm_digest,
	};

	return ops;
}

void kv_read(const struct kv *kv, struct kv_bytes key, struct kv_reply *reply)
{
	reply->status = KV_STATUS_OK;
	reply->swapped = false;
	set_value(reply, kv_table_find(kv->table, key));
}
