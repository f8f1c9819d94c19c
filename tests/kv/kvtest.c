/* kvtest.c - see kvtest.h. */
#include "kvtest.h"

#include <string.h>

#include "testhelp.h"

struct kv_bytes kvt_str(const char *s)
{
	struct kv_bytes b = {(const uint8_t *)s, (uint32_t)strlen(s)};

	return b;
}

static void on_applied(void *ctx, uint64_t index, uint64_t term,
		       const struct kv_cmd *cmd, const struct kv_reply *reply,
		       bool executed)
{
	struct kvt *t = ctx;
	size_t n = reply->value.len;

	(void)term;
	t->hooks++;
	t->hook_index = index;
	t->cmd = *cmd;
	t->reply = *reply;
	t->executed = executed;
	if (n >= sizeof(t->value))
		n = sizeof(t->value) - 1;
	if (n > 0)
		memcpy(t->value, reply->value.data, n);
	t->value[n] = '\0';
}

int kvt_init(struct kvt *t, const struct kv_config *cfg)
{
	struct kv_hooks hooks = {.ctx = t, .applied = on_applied};

	memset(t, 0, sizeof(*t));
	if (kv_init(&t->kv, cfg, &hooks) != 0)
		return -1;
	t->fsm = kv_fsm(&t->kv);
	return 0;
}

void kvt_free(struct kvt *t)
{
	kv_free(&t->kv);
}

void kvt_raw(struct kvt *t, const uint8_t *data, uint32_t len)
{
	struct raft_entry e = {.term = 1,
			       .index = ++t->index,
			       .type = RAFT_ENTRY_COMMAND,
			       .len = len,
			       .data = data};

	t->fsm.apply(t->fsm.ctx, &e, 1);
}

void kvt_noop(struct kvt *t)
{
	struct raft_entry e = {
		.term = 1, .index = ++t->index, .type = RAFT_ENTRY_NOOP};

	t->fsm.apply(t->fsm.ctx, &e, 1);
}

int kvt_apply(struct kvt *t, const struct kv_cmd *cmd)
{
	uint8_t buf[2048];
	size_t n = kv_cmd_encode(cmd, buf, sizeof(buf));

	if (n > sizeof(buf)) {
		TEST_FAIL_AT("command of %zu bytes", n);
		return -1;
	}
	kvt_raw(t, buf, (uint32_t)n);
	return t->reply.status;
}

uint64_t kvt_register(struct kvt *t)
{
	struct kv_cmd cmd = {.op = KV_REGISTER, .client = 1};

	kvt_apply(t, &cmd);
	return t->reply.session;
}

static int request(struct kvt *t, enum kv_op op, uint64_t session, uint64_t seq,
		   const char *key, const char *value, const char *expect)
{
	struct kv_cmd cmd = {.op = (uint8_t)op,
			     .client = 1,
			     .session = session,
			     .seq = seq,
			     .lowest_unacked = seq,
			     .key = kvt_str(key),
			     .value = kvt_str(value == NULL ? "" : value),
			     .expect = kvt_str(expect == NULL ? "" : expect),
			     .expect_null = op == KV_CAS && expect == NULL};

	return kvt_apply(t, &cmd);
}

int kvt_get(struct kvt *t, uint64_t session, uint64_t seq, const char *key)
{
	return request(t, KV_GET, session, seq, key, NULL, NULL);
}

int kvt_put(struct kvt *t, uint64_t session, uint64_t seq, const char *key,
	    const char *value)
{
	return request(t, KV_PUT, session, seq, key, value, NULL);
}

int kvt_append(struct kvt *t, uint64_t session, uint64_t seq, const char *key,
	       const char *value)
{
	return request(t, KV_APPEND, session, seq, key, value, NULL);
}

int kvt_cas(struct kvt *t, uint64_t session, uint64_t seq, const char *key,
	    const char *expect, const char *value)
{
	return request(t, KV_CAS, session, seq, key, value, expect);
}

int kvt_delete(struct kvt *t, uint64_t session, uint64_t seq, const char *key)
{
	return request(t, KV_DELETE, session, seq, key, NULL, NULL);
}

const char *kvt_value(struct kvt *t, const char *key)
{
	static char out[512];
	struct kv_reply r;
	size_t n;

	memset(&r, 0, sizeof(r));
	kv_read(&t->kv, kvt_str(key), &r);
	if (!r.found)
		return NULL;
	n = r.value.len < sizeof(out) - 1 ? r.value.len : sizeof(out) - 1;
	if (n > 0)
		memcpy(out, r.value.data, n);
	out[n] = '\0';
	return out;
}

bool kvt_is(struct kvt *t, const char *key, const char *value)
{
	const char *v = kvt_value(t, key);

	return v != NULL && strcmp(v, value) == 0;
}

bool kvt_replied(const struct kvt *t, const char *s)
{
	return strcmp(t->value, s) == 0;
}
