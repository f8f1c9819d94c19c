/* service.c - a node's client service; see service.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

int service_init(struct service *sv, const struct service_config *cfg,
		 const struct service_io *io, struct raft_state *raft,
		 struct kv *kv)
{
	assert(cfg->max_pending > 0 && io->reply != NULL);
	memset(sv, 0, sizeof(*sv));
	sv->config = *cfg;
	sv->io = *io;
	sv->raft = raft;
	sv->kv = kv;
	sv->pending = calloc(cfg->max_pending, sizeof(*sv->pending));
	sv->staged = calloc(cfg->max_pending, sizeof(*sv->staged));
	sv->staged_req = calloc(cfg->max_pending, sizeof(*sv->staged_req));
	if (sv->pending == NULL || sv->staged == NULL || sv->staged_req == NULL)
		goto err;
	if (cfg->mirror) {
		sv->outbox = calloc(SERVICE_OUTBOX_MAX, sizeof(*sv->outbox));
		if (sv->outbox == NULL)
			goto err;
	}
	return 0;
err:
	service_free(sv);
	return -1;
}

static void forget(struct service_pending *p)
{
	free(p->key);
	p->key = NULL;
	p->key_len = 0;
}

void service_free(struct service *sv)
{
	unsigned i;

	for (i = 0; i < sv->pending_len; i++)
		forget(&sv->pending[i]);
	free(sv->pending);
	free(sv->staged);
	free(sv->staged_req);
	free(sv->outbox);
	free(sv->buf);
	sv->pending = NULL;
	sv->staged = NULL;
	sv->staged_req = NULL;
	sv->staged_len = 0;
	sv->outbox = NULL;
	sv->buf = NULL;
	sv->pending_len = sv->outbox_len = 0;
}

void service_reset(struct service *sv)
{
	unsigned i;

	for (i = 0; i < sv->pending_len; i++)
		forget(&sv->pending[i]);
	sv->pending_len = 0;
	sv->staged_len = 0;
	sv->outbox_len = 0;
	sv->seen_reexecuted = 0; /* the store starts over too */
}

struct kv_hooks service_kv_hooks(struct service *sv)
{
	struct kv_hooks hooks = {sv, service_applied};

	return hooks;
}

/* Sends *reply (client, seq and the answer filled in), stamped with this
 * node's term as the fencing token and its leader as the hint. A reply
 * that cannot be encoded (no memory for a long value) is not sent: the
 * client times out, as for a lost one. */
static void send_reply(struct service *sv, struct kv_reply *reply)
{
	size_t need;
	uint8_t *grown;

	reply->token = sv->raft->current_term;
	if (reply->status == KV_STATUS_NOT_LEADER)
		reply->leader_hint = sv->raft->leader_id;
	else
		reply->leader_hint = sv->config.node;
	need = kv_reply_encode(reply, sv->buf, sv->buf_cap);
	if (need > sv->buf_cap) {
		grown = realloc(sv->buf, need);
		if (grown == NULL)
			return;
		sv->buf = grown;
		sv->buf_cap = need;
		kv_reply_encode(reply, sv->buf, sv->buf_cap);
	}
	sv->io.reply(sv->io.ctx, sv->buf, need);
}

static void answer_status(struct service *sv, const struct kv_cmd *cmd,
			  enum kv_status status)
{
	struct kv_reply reply;

	memset(&reply, 0, sizeof(reply));
	reply.status = (uint8_t)status;
	reply.client = cmd->client;
	reply.seq = cmd->seq;
	reply.session = cmd->session;
	if (status == KV_STATUS_NOT_LEADER)
		sv->stats.not_leader++;
	if (status == KV_STATUS_RETRY)
		sv->stats.busy++;
	send_reply(sv, &reply);
}

/* A get answered from the store now. */
static void answer_read(struct service *sv, int client, uint64_t seq,
			struct kv_bytes key)
{
	struct kv_reply reply;

	memset(&reply, 0, sizeof(reply));
	kv_read(sv->kv, key, &reply);
	reply.status = KV_STATUS_OK;
	reply.client = client;
	reply.seq = seq;
	send_reply(sv, &reply);
}

/* The slot for client's request: its earlier one (a client has one
 * request outstanding, so a new one supersedes it), or a free one; NULL
 * when the table is full. */
static struct service_pending *slot_for(struct service *sv, int client,
					uint64_t seq)
{
	struct service_pending *p;
	unsigned i;

	if (sv->pending_len == 0)
		sv->term = sv->raft->current_term;
	for (i = 0; i < sv->pending_len; i++) {
		if (sv->pending[i].client == client) {
			/* A late copy of an older request (--dup, --reorder)
			 * must not push out the one its client waits for:
			 * it gets RETRY, which that client ignores (its seq
			 * moved on). */
			if (sv->pending[i].seq > seq)
				return NULL;
			forget(&sv->pending[i]);
			return &sv->pending[i];
		}
	}
	if (sv->pending_len == sv->config.max_pending)
		return NULL;
	p = &sv->pending[sv->pending_len++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void remove_at(struct service *sv, unsigned i)
{
	forget(&sv->pending[i]);
	sv->pending[i] = sv->pending[--sv->pending_len];
}

/* A write, a registration, or a get through the log: one entry whose
 * payload is the request's own bytes, staged for service_drain. */
static void propose(struct service *sv, const struct kv_cmd *cmd,
		    const uint8_t *bytes, size_t len)
{
	struct service_staged *st;
	struct service_pending *p;
	struct raft_entry *entry;

	if (sv->staged_len == sv->config.max_pending)
		service_drain(sv); /* a duplicated copy in the same drain */
	p = slot_for(sv, cmd->client, cmd->seq);
	if (p == NULL) {
		answer_status(sv, cmd, KV_STATUS_RETRY);
		return;
	}
	p->wait = SERVICE_WAIT_APPLY;
	p->client = cmd->client;
	p->session = cmd->session;
	p->seq = cmd->seq;
	p->index = 0; /* known once proposed */
	entry = &sv->staged[sv->staged_len];
	memset(entry, 0, sizeof(*entry));
	entry->type = RAFT_ENTRY_COMMAND;
	entry->data = bytes;
	entry->len = (uint32_t)len;
	st = &sv->staged_req[sv->staged_len++];
	st->client = cmd->client;
	st->session = cmd->session;
	st->seq = cmd->seq;
}

/* The pending slot of a staged request, or NULL (applied meanwhile: a
 * retry of an entry already in the log; or dropped: leadership lost). */
static struct service_pending *staged_slot(struct service *sv,
					   const struct service_staged *st)
{
	unsigned i;

	for (i = 0; i < sv->pending_len; i++) {
		struct service_pending *p = &sv->pending[i];

		if (p->wait == SERVICE_WAIT_APPLY && p->client == st->client &&
		    p->session == st->session && p->seq == st->seq)
			return p;
	}
	return NULL;
}

void service_drain(struct service *sv)
{
	struct service_pending *p;
	struct kv_cmd cmd;
	uint64_t first = 0;
	unsigned n = sv->staged_len;
	unsigned i;
	int rv;

	if (n == 0)
		return;
	sv->staged_len = 0;
	rv = raft_propose(sv->raft, sv->staged, n, &first);
	if (rv == RAFT_OK) {
		sv->stats.proposed += n;
		sv->stats.batches++;
		for (i = 0; i < n; i++)
			if ((p = staged_slot(sv, &sv->staged_req[i])) != NULL)
				p->index = first + i;
		return;
	}
	memset(&cmd, 0, sizeof(cmd));
	for (i = 0; i < n; i++) {
		p = staged_slot(sv, &sv->staged_req[i]);
		if (p != NULL)
			remove_at(sv, (unsigned)(p - sv->pending));
		cmd.client = sv->staged_req[i].client;
		cmd.session = sv->staged_req[i].session;
		cmd.seq = sv->staged_req[i].seq;
		answer_status(sv, &cmd,
			      rv == RAFT_ENOTLEADER ? KV_STATUS_NOT_LEADER
						    : KV_STATUS_RETRY);
	}
}

/* Whether a lease read may be answered now: the lease holds, and the
 * store has applied everything committed, up to an entry of this term (a
 * new leader's commit index may lag its predecessor's until then). */
static bool lease_ready(const struct service *sv)
{
	const struct raft_state *s = sv->raft;

	return raft_lease_valid(s) && s->last_applied == s->commit_index &&
	       s->storage.term_at(s->storage.ctx, s->commit_index) ==
		       s->current_term;
}

/* A get outside the log (ReadIndex, or a lease that does not hold). */
static void read_index(struct service *sv, const struct kv_cmd *cmd)
{
	struct service_pending *p;
	uint64_t index, round;
	int rv;

	rv = raft_read_index(sv->raft, &index, &round);
	if (rv != RAFT_OK) {
		answer_status(sv, cmd,
			      rv == RAFT_ENOTLEADER ? KV_STATUS_NOT_LEADER
						    : KV_STATUS_RETRY);
		return;
	}
	p = slot_for(sv, cmd->client, cmd->seq);
	if (p == NULL) {
		answer_status(sv, cmd, KV_STATUS_RETRY);
		return;
	}
	p->wait = SERVICE_WAIT_READ;
	p->client = cmd->client;
	p->seq = cmd->seq;
	p->index = index;
	p->round = round;
	p->key_len = cmd->key.len;
	if (cmd->key.len > 0) {
		p->key = malloc(cmd->key.len);
		if (p->key == NULL) {
			remove_at(sv, (unsigned)(p - sv->pending));
			return; /* the client times out */
		}
		memcpy(p->key, cmd->key.data, cmd->key.len);
	}
}

void service_receive(struct service *sv, const uint8_t *bytes, size_t len)
{
	struct kv_cmd cmd;

	if (kv_cmd_decode(bytes, len, &cmd) != 0 || cmd.op >= KV_OP_COUNT)
		return;
	sv->stats.requests++;
	if (sv->raft->role != RAFT_LEADER) {
		answer_status(sv, &cmd, KV_STATUS_NOT_LEADER);
		return;
	}
	if (cmd.op != KV_GET || sv->config.reads == SERVICE_READS_LOG) {
		if (cmd.op == KV_GET &&
		    (sv->config.mistakes & RAFT_MISTAKE_STALE_READ))
			goto stale;
		propose(sv, &cmd, bytes, len);
		return;
	}
	if (sv->config.mistakes & RAFT_MISTAKE_STALE_READ)
		goto stale;
	if (sv->config.reads == SERVICE_READS_LEASE && lease_ready(sv)) {
		sv->stats.reads_lease++;
		answer_read(sv, cmd.client, cmd.seq, cmd.key);
		return;
	}
	read_index(sv, &cmd);
	service_poll(sv); /* a one-node cluster confirms at once */
	return;
stale:
	/* The mistake: it believes it leads, and never checks. */
	sv->stats.reads_stale++;
	answer_read(sv, cmd.client, cmd.seq, cmd.key);
}

void service_poll(struct service *sv)
{
	const struct raft_state *s = sv->raft;
	struct service_pending *p;
	struct kv_bytes key;
	unsigned i;

	if (sv->pending_len == 0)
		return;
	if (s->role != RAFT_LEADER || s->current_term != sv->term) {
		/* Leadership lost: the client times out and retries, and its
		 * session makes the retry safe. */
		sv->stats.dropped += sv->pending_len;
		for (i = 0; i < sv->pending_len; i++)
			forget(&sv->pending[i]);
		sv->pending_len = 0;
		return;
	}
	for (i = 0; i < sv->pending_len;) {
		p = &sv->pending[i];
		if (p->wait != SERVICE_WAIT_READ ||
		    !raft_read_ready(s, p->round) ||
		    s->last_applied < p->index) {
			i++;
			continue;
		}
		key.data = p->key;
		key.len = p->key_len;
		sv->stats.reads_index++;
		sv->stats.answered++;
		answer_read(sv, p->client, p->seq, key);
		remove_at(sv, i);
	}
}

static void flush_all(struct service *sv)
{
	unsigned i;

	for (i = 0; i < sv->outbox_len; i++)
		sv->io.fence(sv->io.ctx, &sv->outbox[i]);
	sv->outbox_len = 0;
}

void service_flush(struct service *sv, uint64_t tick)
{
	sv->tick = tick;
	if (sv->outbox_len > 0 && tick > sv->outbox_tick)
		flush_all(sv);
}

/* A write the store executed on a leader: it goes to the fenced store
 * with the leader's term, at its next tick (service_flush). */
static void mirror(struct service *sv, uint64_t index, const struct kv_cmd *cmd)
{
	struct service_write *w;

	if (sv->outbox_len == SERVICE_OUTBOX_MAX)
		flush_all(sv); /* full: what waits leaves now */
	if (sv->outbox_len == 0)
		sv->outbox_tick = sv->tick;
	w = &sv->outbox[sv->outbox_len++];
	w->node = sv->config.node;
	w->token = sv->raft->current_term;
	w->client = cmd->client;
	w->seq = cmd->seq;
	w->index = index;
	sv->stats.mirrored++;
}

static bool is_write(const struct kv_cmd *cmd, const struct kv_reply *reply)
{
	switch (cmd->op) {
	case KV_PUT:
	case KV_APPEND:
	case KV_DELETE:
		return true;
	case KV_CAS:
		return reply->swapped;
	default:
		return false;
	}
}

void service_applied(void *ctx, uint64_t index, uint64_t term,
		     const struct kv_cmd *cmd, const struct kv_reply *reply,
		     bool executed)
{
	struct service *sv = ctx;
	struct kv_reply answer;
	unsigned i;

	(void)term;
	if (sv->kv->stats.reexecuted > sv->seen_reexecuted) {
		sv->seen_reexecuted = sv->kv->stats.reexecuted;
		sv->stats.duplicates++;
		if (sv->io.duplicate != NULL)
			sv->io.duplicate(sv->io.ctx, cmd->client, cmd->seq,
					 index);
	}
	if (sv->raft->role != RAFT_LEADER)
		return;
	if (executed && sv->config.mirror && is_write(cmd, reply))
		mirror(sv, index, cmd);
	for (i = 0; i < sv->pending_len; i++) {
		const struct service_pending *p = &sv->pending[i];

		if (p->wait != SERVICE_WAIT_APPLY || p->client != cmd->client ||
		    p->session != cmd->session || p->seq != cmd->seq)
			continue;
		answer = *reply;
		sv->stats.answered++;
		if (!executed && reply->status == KV_STATUS_OK)
			sv->stats.cached++;
		send_reply(sv, &answer);
		remove_at(sv, i);
		return;
	}
}
