/* lincheck_intern.c - every string of a history (keys, values, and the
 * states the search builds by appending) is kept once and named by an id,
 * so that comparing two values is comparing two numbers. */
#include <stdlib.h>
#include <string.h>

#include "lincheck_internal.h"

/* Eight bytes at a time, then the rest: strings here are short. */
static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	for (w = 0; i < len; i++)
		w = w << 8 | (unsigned char)s[i];
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 32);
}

static bool same(const char *a, const char *b, size_t len)
{
	size_t i;

	if (len > 16)
		return memcmp(a, b, len) == 0;
	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

int lc_strings_init(struct lc_strings *t)
{
	memset(t, 0, sizeof(*t));
	t->mask = 1023;
	t->slots = calloc((size_t)t->mask + 1, sizeof(*t->slots));
	t->idcap = 1024;
	t->off = malloc(t->idcap * sizeof(*t->off));
	t->len = malloc(t->idcap * sizeof(*t->len));
	if (t->slots == NULL || t->off == NULL || t->len == NULL) {
		lc_strings_free(t);
		return -1;
	}
	t->off[0] = 0; /* id 0: null, no bytes */
	t->len[0] = 0;
	t->count = 1;
	return 0;
}

void lc_strings_free(struct lc_strings *t)
{
	free(t->bytes);
	free(t->off);
	free(t->len);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

const char *lc_string(const struct lc_strings *t, uint32_t id, size_t *len)
{
	*len = t->len[id];
	return t->bytes == NULL ? "" : t->bytes + t->off[id];
}

size_t lc_strings_bytes(const struct lc_strings *t)
{
	return t->cap + (size_t)t->idcap * (sizeof(*t->off) + sizeof(*t->len)) +
	       ((size_t)t->mask + 1) * sizeof(*t->slots);
}

static int grow_slots(struct lc_strings *t)
{
	uint32_t mask = t->mask * 2 + 1;
	uint32_t *slots = calloc((size_t)mask + 1, sizeof(*slots));
	uint32_t id;

	if (slots == NULL)
		return -1;
	for (id = 1; id < t->count; id++) {
		uint64_t h = hash_bytes(t->bytes + t->off[id], t->len[id]);
		uint32_t i = (uint32_t)h & mask;

		while (slots[i] != 0)
			i = (i + 1) & mask;
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
	return 0;
}

static int room(struct lc_strings *t, size_t len)
{
	if (t->count == t->idcap) {
		size_t *off = realloc(t->off, 2 * t->idcap * sizeof(*off));
		uint32_t *lens;

		if (off == NULL)
			return -1;
		t->off = off;
		lens = realloc(t->len, 2 * t->idcap * sizeof(*lens));
		if (lens == NULL)
			return -1;
		t->len = lens;
		t->idcap *= 2;
	}
	if (t->used + len > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *b;

		while (cap < t->used + len)
			cap *= 2;
		b = realloc(t->bytes, cap);
		if (b == NULL)
			return -1;
		t->bytes = b;
		t->cap = cap;
	}
	if ((uint64_t)t->count * 2 > t->mask)
		return grow_slots(t);
	return 0;
}

int64_t lc_intern(struct lc_strings *t, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len);
	uint32_t i = (uint32_t)h & t->mask;
	uint32_t id;

	if (len > UINT32_MAX || t->count == UINT32_MAX)
		return -1;
	while ((id = t->slots[i]) != 0) {
		id--;
		if (t->len[id] == len && same(t->bytes + t->off[id], s, len))
			return id;
		i = (i + 1) & t->mask;
	}
	if (room(t, len) != 0)
		return -1;
	id = t->count++;
	if (len > 0)
		memcpy(t->bytes + t->used, s, len);
	t->off[id] = t->used;
	t->len[id] = (uint32_t)len;
	t->used += len;
	i = (uint32_t)h & t->mask;
	while (t->slots[i] != 0)
		i = (i + 1) & t->mask;
	t->slots[i] = id + 1;
	return id;
}
