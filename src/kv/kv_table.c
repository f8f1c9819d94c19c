/* kv_table.c - the store's keys and values: an open-addressing hash table
 * with linear probing. A delete shifts the items after it back into the
 * hole (Knuth's algorithm R), so no tombstone is ever left and a probe
 * never walks past dead slots: put/delete cycles keep the table as it
 * was. The table grows past 3/4 full and shrinks below 1/8, so its size
 * follows the keys present.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "kv/kv_internal.h"

#define MIN_CAP ((size_t)16)

/* ---- hashing ---- */

/* A bijection of h for a given word (odd multiplies and xor-shifts), so
 * chaining words stays injective in each of them. */
uint64_t kv_hash_step(uint64_t h, uint64_t word)
{
	h ^= word;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

/* Little-endian whatever the host, so digests compare across machines. */
uint64_t kv_load_le(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

uint64_t kv_hash_words(uint64_t h, const uint8_t *p, size_t nwords)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		h = kv_hash_step(h, kv_load_le(p + 8 * i, 8));
	return h;
}

uint64_t kv_hash_finish(uint64_t chain, const uint8_t *tail, size_t len)
{
	/* The length makes the zero-padded tail unambiguous. */
	return kv_hash_step(kv_hash_step(chain, kv_load_le(tail, len % 8)),
			    len);
}

/* p + the whole words of len, without offsetting a NULL p (an empty
 * value has no buffer). */
static const uint8_t *tail_of(const uint8_t *p, size_t len)
{
	return len < 8 ? p : p + len / 8 * 8;
}

uint64_t kv_hash_bytes(uint64_t seed, const uint8_t *p, size_t len)
{
	uint64_t chain = kv_hash_words(seed, p, len / 8);

	return kv_hash_finish(chain, tail_of(p, len), len);
}

static uint64_t value_hash(const struct kv_item *it)
{
	return kv_hash_finish(it->vchain, tail_of(it->val, it->vlen), it->vlen);
}

static uint64_t item_part(const struct kv_item *it)
{
	return kv_hash_step(kv_hash_step(KV_SEED_KEY, it->khash),
			    value_hash(it));
}

/* ---- the table ---- */

int kv_table_init(struct kv_table *t)
{
	t->slots = calloc(MIN_CAP, sizeof(*t->slots));
	t->cap = MIN_CAP;
	t->count = 0;
	t->sum = 0;
	return t->slots == NULL ? -1 : 0;
}

static void item_free(struct kv_item *it)
{
	free(it->key);
	free(it->val);
	memset(it, 0, sizeof(*it));
}

void kv_table_free(struct kv_table *t)
{
	size_t i;

	if (t->slots == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key != NULL)
			item_free(&t->slots[i]);
	free(t->slots);
	t->slots = NULL;
	t->count = 0;
	t->sum = 0;
}

static size_t home_of(const struct kv_table *t, uint64_t khash)
{
	return (size_t)khash & (t->cap - 1);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const struct kv_table *t, struct kv_bytes key,
		    uint64_t khash)
{
	size_t i = home_of(t, khash);

	for (;; i = (i + 1) & (t->cap - 1)) {
		const struct kv_item *it = &t->slots[i];

		if (it->key == NULL)
			return i;
		if (it->khash == khash && it->klen == key.len &&
		    memcmp(it->key, key.data, key.len) == 0)
			return i;
	}
}

/* Moves every item into a table of new_cap slots (no allocation but the
 * slot array, so items keep their keys and values). */
static int resize(struct kv_table *t, size_t new_cap)
{
	struct kv_item *old = t->slots;
	size_t old_cap = t->cap, i;

	t->slots = calloc(new_cap, sizeof(*t->slots));
	if (t->slots == NULL) {
		t->slots = old;
		return -1;
	}
	t->cap = new_cap;
	for (i = 0; i < old_cap; i++) {
		size_t j;

		if (old[i].key == NULL)
			continue;
		j = home_of(t, old[i].khash);
		while (t->slots[j].key != NULL)
			j = (j + 1) & (t->cap - 1);
		t->slots[j] = old[i];
	}
	free(old);
	return 0;
}

int kv_table_reserve(struct kv_table *t, size_t n)
{
	size_t cap = t->cap;

	while (n + 1 > cap / 4 * 3)
		cap *= 2;
	return cap == t->cap ? 0 : resize(t, cap);
}

struct kv_item *kv_table_find(const struct kv_table *t, struct kv_bytes key)
{
	size_t i = probe(t, key, kv_hash_bytes(KV_SEED_KEY, key.data, key.len));

	return t->slots[i].key == NULL ? NULL : &t->slots[i];
}

/* Makes room for vlen bytes of value; the contents are kept. */
static int reserve_value(struct kv_item *it, uint32_t vlen)
{
	uint8_t *val;
	uint32_t cap;

	if (vlen <= it->vcap)
		return 0;
	cap = it->vcap < 16 ? 16 : it->vcap;
	while (cap < vlen)
		cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
	val = realloc(it->val, cap);
	if (val == NULL)
		return -1;
	it->val = val;
	it->vcap = cap;
	return 0;
}

/* The slot for key, inserted empty if absent (*created). */
static struct kv_item *find_or_add(struct kv_table *t, struct kv_bytes key,
				   bool *created)
{
	uint64_t khash = kv_hash_bytes(KV_SEED_KEY, key.data, key.len);
	struct kv_item *it;
	size_t i;

	if ((t->count + 1) > t->cap / 4 * 3 && resize(t, t->cap * 2) != 0)
		return NULL;
	i = probe(t, key, khash);
	it = &t->slots[i];
	*created = it->key == NULL;
	if (!*created)
		return it;
	it->key = malloc((size_t)key.len + 1);
	if (it->key == NULL)
		return NULL;
	if (key.len > 0)
		memcpy(it->key, key.data, key.len);
	it->klen = key.len;
	it->khash = khash;
	it->vchain = KV_SEED_VALUE;
	it->part = item_part(it);
	t->count++;
	t->sum += it->part;
	return it;
}

/* Rehashes the value from whole word `from` on, and the item's part. */
static void rehash_from(struct kv_table *t, struct kv_item *it, size_t from)
{
	if (it->vlen / 8 > from)
		it->vchain = kv_hash_words(it->vchain, it->val + 8 * from,
					   it->vlen / 8 - from);
	t->sum -= it->part;
	it->part = item_part(it);
	t->sum += it->part;
}

int kv_table_put(struct kv_table *t, struct kv_bytes key, struct kv_bytes value)
{
	bool created;
	struct kv_item *it = find_or_add(t, key, &created);

	if (it == NULL || reserve_value(it, value.len) != 0) {
		if (it != NULL && created)
			kv_table_delete(t, key);
		return -1;
	}
	/* A value far smaller than its buffer gives the memory back. */
	if (it->vcap > 64 && value.len < it->vcap / 4) {
		uint8_t *val = malloc(value.len < 16 ? 16 : value.len);

		if (val != NULL) {
			free(it->val);
			it->val = val;
			it->vcap = value.len < 16 ? 16 : value.len;
		}
	}
	if (value.len > 0)
		memcpy(it->val, value.data, value.len);
	it->vlen = value.len;
	it->vchain = KV_SEED_VALUE;
	rehash_from(t, it, 0);
	return 0;
}

int kv_table_append(struct kv_table *t, struct kv_bytes key,
		    struct kv_bytes value)
{
	bool created;
	struct kv_item *it = find_or_add(t, key, &created);
	uint32_t old;

	if (it == NULL || value.len > UINT32_MAX - it->vlen ||
	    reserve_value(it, it->vlen + value.len) != 0) {
		if (it != NULL && created)
			kv_table_delete(t, key);
		return -1;
	}
	old = it->vlen;
	if (value.len > 0)
		memcpy(it->val + old, value.data, value.len);
	it->vlen = old + value.len;
	rehash_from(t, it, old / 8);
	return 0;
}

/* Closes the hole at i: each item after it that may live there (its home
 * is not cyclically within (i, j]) moves back into it. */
static void close_hole(struct kv_table *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (t->slots[j].key == NULL)
			break;
		k = home_of(t, t->slots[j].khash);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
}

bool kv_table_delete(struct kv_table *t, struct kv_bytes key)
{
	size_t i = probe(t, key, kv_hash_bytes(KV_SEED_KEY, key.data, key.len));

	if (t->slots[i].key == NULL)
		return false;
	t->sum -= t->slots[i].part;
	item_free(&t->slots[i]);
	close_hole(t, i);
	t->count--;
	/* Shrinking may fail: the table is then only larger than needed. */
	if (t->cap > MIN_CAP && t->count < t->cap / 8)
		(void)resize(t, t->cap / 2);
	return true;
}
