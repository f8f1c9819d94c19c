/* kv_session.c - client sessions (thesis §6.3): for each, the last seq it
 * executed and the reply it got, so that a retry is answered from here
 * and not executed twice.
 *
 * Sessions sit in a list from least to most recently used; "used" is the
 * index of the last entry that named the session (its registration, or a
 * request), so the list is also sorted by that index, and both expiry
 * (the oldest first) and LRU eviction take from its head. Everything is
 * decided by entry indexes, inside apply: every node ends the same
 * sessions at the same entry. A table of pointers, open addressing keyed
 * by id with back-shift deletion like kv_table.c, finds a session.
 *
 * One reply is cached per session: a client has at most one request
 * outstanding, so by the time it sends seq s it has the replies below s,
 * and pruning by its lowest unacknowledged seq leaves only the last.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "kv/kv_internal.h"

#define MIN_CAP ((size_t)16)

#define FLAG_REPLY 1u /* a reply is cached */
#define FLAG_FOUND 2u
#define FLAG_SWAPPED 4u
#define FLAGS_ALL 7u

struct kv_session {
	uint64_t id;        /* the index of its registration */
	uint64_t last_seq;  /* the highest seq executed */
	uint64_t last_used; /* the index of the last entry naming it */
	uint64_t part;      /* its share of the digest */
	struct kv_session *prev, *next; /* LRU: head least recently used */
	uint8_t flags;
	uint8_t status; /* of the cached reply */
	uint32_t vlen;
	uint8_t *value; /* the cached reply's value (a get's) */
};

struct kv_session_table {
	struct kv_session **slots;
	size_t cap; /* a power of two */
	size_t count;
	struct kv_session *head, *tail;
	uint64_t sum;
};

static uint64_t session_part(const struct kv_session *s)
{
	uint64_t h = KV_SEED_SESSION;

	h = kv_hash_step(h, s->id);
	h = kv_hash_step(h, s->last_seq);
	h = kv_hash_step(h, s->last_used);
	h = kv_hash_step(h, (uint64_t)s->flags << 8 | s->status);
	return kv_hash_step(h, kv_hash_bytes(KV_SEED_VALUE, s->value, s->vlen));
}

static void reprice(struct kv_session_table *st, struct kv_session *s)
{
	st->sum -= s->part;
	s->part = session_part(s);
	st->sum += s->part;
}

struct kv_session_table *kv_sessions_new(void)
{
	struct kv_session_table *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->slots = calloc(MIN_CAP, sizeof(*st->slots));
	if (st->slots == NULL) {
		free(st);
		return NULL;
	}
	st->cap = MIN_CAP;
	return st;
}

void kv_sessions_free(struct kv_session_table *st)
{
	struct kv_session *s, *next;

	if (st == NULL)
		return;
	for (s = st->head; s != NULL; s = next) {
		next = s->next;
		free(s->value);
		free(s);
	}
	free(st->slots);
	free(st);
}

uint64_t kv_sessions_sum(const struct kv_session_table *st)
{
	return st->sum;
}

uint64_t kv_sessions_count(const struct kv_session_table *st)
{
	return st->count;
}

/* ---- the id table ---- */

static size_t home_of(const struct kv_session_table *st, uint64_t id)
{
	return (size_t)kv_hash_step(KV_SEED_SESSION, id) & (st->cap - 1);
}

static size_t probe(const struct kv_session_table *st, uint64_t id)
{
	size_t i = home_of(st, id);

	while (st->slots[i] != NULL && st->slots[i]->id != id)
		i = (i + 1) & (st->cap - 1);
	return i;
}

static struct kv_session *find(const struct kv_session_table *st, uint64_t id)
{
	return st->slots[probe(st, id)];
}

static int resize(struct kv_session_table *st, size_t new_cap)
{
	struct kv_session **slots = calloc(new_cap, sizeof(*slots));
	struct kv_session *s;

	if (slots == NULL)
		return -1;
	free(st->slots);
	st->slots = slots;
	st->cap = new_cap;
	for (s = st->head; s != NULL; s = s->next)
		st->slots[probe(st, s->id)] = s;
	return 0;
}

/* Back-shift deletion (kv_table.c's close_hole). */
static void unindex(struct kv_session_table *st, size_t i)
{
	size_t mask = st->cap - 1, j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (st->slots[j] == NULL)
			break;
		k = home_of(st, st->slots[j]->id);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st->slots[i] = st->slots[j];
		i = j;
	}
	st->slots[i] = NULL;
}

/* ---- the LRU list ---- */

static void unlink_session(struct kv_session_table *st, struct kv_session *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		st->head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		st->tail = s->prev;
	s->prev = s->next = NULL;
}

static void push_tail(struct kv_session_table *st, struct kv_session *s)
{
	s->prev = st->tail;
	s->next = NULL;
	if (st->tail != NULL)
		st->tail->next = s;
	else
		st->head = s;
	st->tail = s;
}

static void drop(struct kv_session_table *st, struct kv_session *s)
{
	unindex(st, probe(st, s->id));
	unlink_session(st, s);
	st->sum -= s->part;
	st->count--;
	free(s->value);
	free(s);
	/* Shrinking may fail: the index is then only larger than needed. */
	if (st->cap > MIN_CAP && st->count < st->cap / 8)
		(void)resize(st, st->cap / 2);
}

uint64_t kv_sessions_expire(struct kv_session_table *st, uint64_t index,
			    uint64_t expiry)
{
	uint64_t n = 0;

	while (expiry > 0 && st->head != NULL && index > st->head->last_used &&
	       index - st->head->last_used > expiry) {
		drop(st, st->head);
		n++;
	}
	return n;
}

/* Adds s (id and last_used set) to the index and the list's tail. */
static int add(struct kv_session_table *st, struct kv_session *s)
{
	if (st->count + 1 > st->cap / 4 * 3 && resize(st, st->cap * 2) != 0)
		return -1;
	st->slots[probe(st, s->id)] = s;
	push_tail(st, s);
	st->count++;
	s->part = session_part(s);
	st->sum += s->part;
	return 0;
}

int kv_sessions_register(struct kv_session_table *st, uint64_t index,
			 unsigned max)
{
	struct kv_session *s;
	int evicted = 0;

	assert(index > 0 && max > 0);
	if (find(st, index) != NULL) /* applied twice: nothing new */
		return 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -1;
	s->id = index;
	s->last_used = index;
	while (st->count >= max) {
		drop(st, st->head);
		evicted++;
	}
	if (add(st, s) != 0) {
		free(s);
		return -1;
	}
	return evicted;
}

static void touch(struct kv_session_table *st, struct kv_session *s,
		  uint64_t index)
{
	if (index > s->last_used) {
		s->last_used = index;
		unlink_session(st, s);
		push_tail(st, s);
		reprice(st, s);
	}
}

enum kv_session_verdict kv_sessions_check(struct kv_session_table *st,
					  const struct kv_cmd *cmd,
					  uint64_t index, bool no_dedup,
					  struct kv_session **session,
					  struct kv_reply *cached,
					  bool *reexecution)
{
	struct kv_session *s = cmd->session == 0 ? NULL
						 : find(st, cmd->session);

	*session = s;
	*reexecution = false;
	if (s == NULL)
		return KV_SESSION_GONE;
	touch(st, s, index);
	*reexecution = cmd->seq <= s->last_seq;
	if (no_dedup)
		return KV_SESSION_EXECUTE;
	if (cmd->seq == s->last_seq && (s->flags & FLAG_REPLY)) {
		cached->status = s->status;
		cached->found = (s->flags & FLAG_FOUND) != 0;
		cached->swapped = (s->flags & FLAG_SWAPPED) != 0;
		cached->value = (struct kv_bytes){s->value, s->vlen};
		return KV_SESSION_CACHED;
	}
	if (cmd->seq <= s->last_seq)
		return KV_SESSION_STALE;
	return KV_SESSION_EXECUTE;
}

int kv_sessions_record(struct kv_session_table *st, struct kv_session *s,
		       uint64_t seq, const struct kv_reply *reply)
{
	uint8_t *value = NULL;
	int rv = 0;

	if (seq < s->last_seq) /* no_dedup ran a late copy: keep the last */
		return 0;
	if (reply->value.len > 0) {
		value = malloc(reply->value.len);
		if (value != NULL)
			memcpy(value, reply->value.data, reply->value.len);
		else
			rv = -1;
	}
	free(s->value);
	s->value = value;
	s->vlen = value == NULL ? 0 : reply->value.len;
	s->last_seq = seq;
	s->status = reply->status;
	s->flags = (uint8_t)((rv == 0 ? FLAG_REPLY : 0) |
			     (reply->found ? FLAG_FOUND : 0) |
			     (reply->swapped ? FLAG_SWAPPED : 0));
	reprice(st, s);
	return rv;
}

/* ---- snapshot: per session, least recently used first:
 * id, last_seq, last_used (u64), flags, status (u8), vlen (u32), value ---- */

#define SESSION_FIXED (3 * 8 + 2 + 4)

size_t kv_sessions_snapshot_size(const struct kv_session_table *st)
{
	const struct kv_session *s;
	size_t n = 0;

	for (s = st->head; s != NULL; s = s->next)
		n += SESSION_FIXED + s->vlen;
	return n;
}

uint8_t *kv_sessions_snapshot(const struct kv_session_table *st, uint8_t *p)
{
	const struct kv_session *s;

	for (s = st->head; s != NULL; s = s->next) {
		p = kv_put_u64(p, s->id);
		p = kv_put_u64(p, s->last_seq);
		p = kv_put_u64(p, s->last_used);
		*p++ = s->flags;
		*p++ = s->status;
		p = kv_put_u32(p, s->vlen);
		if (s->vlen > 0)
			memcpy(p, s->value, s->vlen);
		p += s->vlen;
	}
	return p;
}

/* One session from p, or NULL when its bytes are not valid. */
static struct kv_session *read_session(const uint8_t *p, size_t len,
				       size_t *used)
{
	struct kv_session *s;
	uint32_t vlen;
	uint8_t flags, status;

	if (len < SESSION_FIXED)
		return NULL;
	flags = p[24];
	status = p[25];
	vlen = (uint32_t)kv_load_le(p + 26, 4);
	if (flags > FLAGS_ALL || status > KV_STATUS_STALE ||
	    vlen > len - SESSION_FIXED || (vlen > 0 && !(flags & FLAG_REPLY)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->id = kv_load_le(p, 8);
	s->last_seq = kv_load_le(p + 8, 8);
	s->last_used = kv_load_le(p + 16, 8);
	s->flags = flags;
	s->status = status;
	if (vlen > 0) {
		s->value = malloc(vlen);
		if (s->value == NULL) {
			free(s);
			return NULL;
		}
		memcpy(s->value, p + SESSION_FIXED, vlen);
		s->vlen = vlen;
	}
	*used = SESSION_FIXED + vlen;
	return s;
}

size_t kv_sessions_restore(struct kv_session_table *st, const uint8_t *p,
			   size_t len, uint64_t count, uint64_t applied)
{
	size_t off = 0;
	uint64_t i;

	assert(st->count == 0);
	for (i = 0; i < count; i++) {
		size_t used;
		struct kv_session *s = read_session(p + off, len - off, &used);

		if (s == NULL)
			return 0;
		/* Ids are registration indexes (> 0, each once); the list
		 * is sorted by last use, no earlier than the registration. */
		if (s->id == 0 || s->last_used < s->id ||
		    s->last_used > applied ||
		    (st->tail != NULL && s->last_used <= st->tail->last_used) ||
		    find(st, s->id) != NULL || add(st, s) != 0) {
			free(s->value);
			free(s);
			return 0;
		}
		off += used;
	}
	return off;
}
