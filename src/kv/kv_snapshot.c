/* kv_snapshot.c - the store's snapshot (kv.h: taken and restored with the
 * log). Little-endian:
 *
 *   magic "RKVS" (4)  version (u32)  applied_index (u64)
 *   keys (u64)  sessions (u64)
 *   per key:     klen (u32)  vlen (u32)  key  value
 *   per session: kv_session.c's layout, least recently used first
 *   checksum (u64): kv_hash_bytes of every byte before it
 *
 * Restore checks everything (the checksum first, then every length, no
 * key or session twice, the sessions in order of use) before it replaces
 * anything: bytes that are not such a snapshot leave the store as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "kv/kv_internal.h"

#define MAGIC "RKVS"
#define VERSION 1u
#define HEADER (4 + 4 + 8 + 8 + 8)
#define KEY_FIXED 8
#define CHECKSUM 8

uint8_t *kv_put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

uint8_t *kv_put_u32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static size_t snapshot_size(const struct kv *kv)
{
	const struct kv_table *t = kv->table;
	size_t n = HEADER + CHECKSUM, i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key != NULL)
			n += KEY_FIXED + t->slots[i].klen + t->slots[i].vlen;
	return n + kv_sessions_snapshot_size(kv->sessions);
}

static uint8_t *put_keys(const struct kv_table *t, uint8_t *p)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		const struct kv_item *it = &t->slots[i];

		if (it->key == NULL)
			continue;
		p = kv_put_u32(p, it->klen);
		p = kv_put_u32(p, it->vlen);
		if (it->klen > 0)
			memcpy(p, it->key, it->klen);
		p += it->klen;
		if (it->vlen > 0)
			memcpy(p, it->val, it->vlen);
		p += it->vlen;
	}
	return p;
}

int kv_snapshot_take(struct kv *kv, const uint8_t **data, size_t *len)
{
	size_t need = snapshot_size(kv);
	uint8_t *p;

	if (need > kv->snapshot_cap) {
		p = realloc(kv->snapshot_buf, need);
		if (p == NULL)
			return -1;
		kv->snapshot_buf = p;
		kv->snapshot_cap = need;
	}
	p = kv->snapshot_buf;
	memcpy(p, MAGIC, 4);
	p = kv_put_u32(p + 4, VERSION);
	p = kv_put_u64(p, kv->applied_index);
	p = kv_put_u64(p, kv->table->count);
	p = kv_put_u64(p, kv_sessions_count(kv->sessions));
	p = put_keys(kv->table, p);
	p = kv_sessions_snapshot(kv->sessions, p);
	p = kv_put_u64(p, kv_hash_bytes(KV_SEED_SNAPSHOT, kv->snapshot_buf,
					(size_t)(p - kv->snapshot_buf)));
	*data = kv->snapshot_buf;
	*len = (size_t)(p - kv->snapshot_buf);
	return 0;
}

/* Reads count keys into the empty table t. Returns the bytes read, or 0
 * when they are not valid keys (or memory ran out). */
static size_t read_keys(struct kv_table *t, const uint8_t *p, size_t len,
			uint64_t count)
{
	size_t off = 0;
	uint64_t i;

	/* Each key takes KEY_FIXED bytes at least: a count beyond that is
	 * garbage, and must not make reserve ask for a huge table. */
	if (count > len / KEY_FIXED || kv_table_reserve(t, count) != 0)
		return 0;
	for (i = 0; i < count; i++) {
		struct kv_bytes key, value;

		if (len - off < KEY_FIXED)
			return 0;
		key.len = (uint32_t)kv_load_le(p + off, 4);
		value.len = (uint32_t)kv_load_le(p + off + 4, 4);
		off += KEY_FIXED;
		if (key.len > len - off || value.len > len - off - key.len)
			return 0;
		key.data = p + off;
		value.data = p + off + key.len;
		off += (size_t)key.len + value.len;
		if (kv_table_find(t, key) != NULL ||
		    kv_table_put(t, key, value) != 0)
			return 0;
	}
	return off;
}

int kv_snapshot_restore(struct kv *kv, const uint8_t *data, size_t len)
{
	struct kv_table table = {0};
	struct kv_session_table *sessions = NULL;
	uint64_t applied, nkeys, nsessions;
	size_t body, off, used;

	if (data == NULL || len < HEADER + CHECKSUM ||
	    memcmp(data, MAGIC, 4) != 0 || kv_load_le(data + 4, 4) != VERSION)
		return -1;
	body = len - CHECKSUM;
	if (kv_load_le(data + body, 8) !=
	    kv_hash_bytes(KV_SEED_SNAPSHOT, data, body))
		return -1;
	applied = kv_load_le(data + 8, 8);
	nkeys = kv_load_le(data + 16, 8);
	nsessions = kv_load_le(data + 24, 8);
	if (kv_table_init(&table) != 0)
		goto err;
	sessions = kv_sessions_new();
	if (sessions == NULL)
		goto err;
	off = HEADER;
	used = read_keys(&table, data + off, body - off, nkeys);
	if (used == 0 && nkeys > 0)
		goto err;
	off += used;
	used = kv_sessions_restore(sessions, data + off, body - off, nsessions,
				   applied);
	if (used == 0 && nsessions > 0)
		goto err;
	off += used;
	if (off != body) /* bytes left over */
		goto err;
	kv_table_free(kv->table);
	*kv->table = table;
	kv_sessions_free(kv->sessions);
	kv->sessions = sessions;
	kv->applied_index = applied;
	return 0;
err:
	kv_table_free(&table);
	kv_sessions_free(sessions);
	return -1;
}
