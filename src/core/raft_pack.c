/* raft_pack.c - copies entry batches and snapshot chunks into one block, so
 * that a driver can queue a message after the core's pointers are gone
 * (include/raft_log.h, include/raft_msg.h).
 *
 * Layout of a packed batch: the n struct raft_entry first, then their
 * payloads back to back; the whole block is rounded up to the alignment of
 * struct raft_entry, so that blocks laid one after another stay aligned.
 */
#include <string.h>

#include "raft_log.h"
#include "raft_msg.h"

#define ENTRY_ALIGN _Alignof(struct raft_entry)

static size_t round_up(size_t n)
{
	return (n + ENTRY_ALIGN - 1) / ENTRY_ALIGN * ENTRY_ALIGN;
}

size_t raft_entries_packed_size(const struct raft_entry *entries, unsigned n)
{
	size_t bytes = (size_t)n * sizeof(*entries);
	unsigned i;

	for (i = 0; i < n; i++)
		bytes += entries[i].len;
	return round_up(bytes);
}

struct raft_entry *raft_entries_pack(void *buf,
				     const struct raft_entry *entries,
				     unsigned n)
{
	struct raft_entry *copies = buf;
	uint8_t *payload;
	unsigned i;

	if (n == 0)
		return NULL;
	memcpy(copies, entries, (size_t)n * sizeof(*entries));
	payload = (uint8_t *)(copies + n);
	for (i = 0; i < n; i++) {
		if (copies[i].len == 0) {
			copies[i].data = NULL; /* nothing to point at */
			continue;
		}
		memcpy(payload, entries[i].data, copies[i].len);
		copies[i].data = payload;
		payload += copies[i].len;
	}
	return copies;
}

/* The entries a message carries, or none. */
static unsigned message_entries(const struct raft_message *m,
				const struct raft_entry **entries)
{
	*entries = NULL;
	if (m->type == RAFT_MSG_APPEND_ENTRIES && m->u.ae.entries_count > 0) {
		*entries = m->u.ae.entries;
		return (unsigned)m->u.ae.entries_count;
	}
	if (m->type == RAFT_MSG_PROPOSE) {
		*entries = m->u.prop.entries;
		return m->u.prop.count;
	}
	return 0;
}

size_t raft_message_extra_size(const struct raft_message *src)
{
	const struct raft_entry *entries;
	unsigned n = message_entries(src, &entries);

	if (n > 0)
		return raft_entries_packed_size(entries, n);
	if (src->type == RAFT_MSG_INSTALL_SNAPSHOT)
		return round_up(src->u.snap.len);
	if (src->type == RAFT_MSG_CLIENT)
		return round_up(src->u.client.len);
	return 0;
}

void raft_message_copy_extra(struct raft_message *dst,
			     const struct raft_message *src, void *buf)
{
	const struct raft_entry *entries;
	unsigned n = message_entries(src, &entries);

	switch (src->type) {
	case RAFT_MSG_APPEND_ENTRIES:
		dst->u.ae.entries = raft_entries_pack(buf, entries, n);
		break;
	case RAFT_MSG_PROPOSE:
		dst->u.prop.entries = raft_entries_pack(buf, entries, n);
		break;
	case RAFT_MSG_INSTALL_SNAPSHOT:
		dst->u.snap.data = NULL;
		if (src->u.snap.len > 0) {
			memcpy(buf, src->u.snap.data, src->u.snap.len);
			dst->u.snap.data = buf;
		}
		break;
	case RAFT_MSG_CLIENT:
		dst->u.client.data = NULL;
		if (src->u.client.len > 0) {
			memcpy(buf, src->u.client.data, src->u.client.len);
			dst->u.client.data = buf;
		}
		break;
	default:
		break;
	}
}
