/* storage_bench.c - figures for the in-memory storage and the digest state
 * machine (issue 10, "Performance"). Not a test: it prints a table.
 *
 * One node's share of the work, without the core: 10 million entries of
 * 16 bytes, appended in batches, each batch read back with entries_from
 * (as a leader sends it) and bytes_between (flow control), applied to the
 * digest state machine, and a snapshot plus compaction every 10000
 * entries. Prints ns per entry and the most memory the storage held. The
 * runtime's budget is 1,000,000 entries a second on 3 nodes sharing 2
 * cores: well under 1000 ns per entry for everything a node does.
 *
 * Usage: storage_bench [ENTRIES]   (default 10000000)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/clock.h"
#include "storage/digest_fsm.h"
#include "storage/mem_storage.h"

#define PAYLOAD 16
#define SNAPSHOT_EVERY 10000

struct result {
	double ns_per_entry;
	size_t peak_bytes;
	uint64_t digest;
};

/* Appends, reads back and applies `total` entries in batches of `batch`.
 * Returns 0, or -1 when the storage ran out of memory. */
static int run(uint64_t total, unsigned batch, struct result *out)
{
	struct mem_storage *ms = mem_storage_new();
	struct raft_storage st;
	struct digest_fsm fsm;
	struct raft_fsm sm = digest_fsm_ops(&fsm);
	struct raft_entry *entries = calloc(batch, sizeof(*entries));
	uint8_t payload[PAYLOAD];
	uint64_t index = 1, applied = 0, flow = 0;
	int64_t start;
	int rv = -1;

	if (ms == NULL || entries == NULL)
		goto err;
	st = mem_storage_ops(ms);
	digest_fsm_init(&fsm);
	out->peak_bytes = 0;
	start = clock_now_us();
	while (index <= total) {
		const struct raft_entry *sent;
		unsigned i, n;

		for (i = 0; i < batch; i++) {
			memcpy(payload, &index, sizeof(index));
			memset(payload + 8, (int)i, PAYLOAD - 8);
			entries[i] = (struct raft_entry){
				.term = 1,
				.index = index + i,
				.type = RAFT_ENTRY_COMMAND,
				.len = PAYLOAD,
				.data = payload,
			};
		}
		if (st.append(ms, entries, batch) != 0)
			goto err;
		flow += st.bytes_between(ms, index - 1, index + batch - 1);
		n = st.entries_from(ms, index, batch, 64 * 1024, &sent);
		if (n != batch)
			goto err;
		sm.apply(sm.ctx, sent, n);
		index += batch;
		applied += batch;
		if (applied >= SNAPSHOT_EVERY) {
			const uint8_t *snap;
			size_t len;
			size_t bytes = mem_storage_bytes(ms);

			if (bytes > out->peak_bytes)
				out->peak_bytes = bytes;
			if (sm.snapshot(sm.ctx, &snap, &len) != 0 ||
			    st.snapshot_put(ms, index - 1, 1, snap, len) != 0)
				goto err;
			st.compact_prefix(ms, index - 1, 1);
			applied = 0;
		}
	}
	out->ns_per_entry = (double)(clock_now_us() - start) * 1000.0 /
			    (double)(index - 1);
	out->digest = sm.digest(sm.ctx) ^ flow; /* keeps the work observable */
	rv = 0;
err:
	free(entries);
	mem_storage_free(ms);
	return rv;
}

int main(int argc, char **argv)
{
	static const unsigned batches[] = {1, 16, 64, 256};
	uint64_t total = 10000000;
	size_t i;

	if (argc > 1) {
		char *end;

		total = strtoull(argv[1], &end, 10);
		if (*end != '\0' || total == 0) {
			fprintf(stderr,
				"storage_bench: ENTRIES: a positive "
				"number, not '%s'\n",
				argv[1]);
			return 2;
		}
	}
	printf("storage: %" PRIu64 " entries of %d bytes, a snapshot every "
	       "%d\n",
	       total, PAYLOAD, SNAPSHOT_EVERY);
	printf("%8s %14s %12s %18s\n", "batch", "ns/entry", "peak KiB",
	       "digest");
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		struct result r;

		if (run(total, batches[i], &r) != 0) {
			fprintf(stderr, "storage_bench: out of memory\n");
			return 3;
		}
		printf("%8u %14.1f %12zu %016" PRIx64 "\n", batches[i],
		       r.ns_per_entry, r.peak_bytes / 1024, r.digest);
	}
	return 0;
}
