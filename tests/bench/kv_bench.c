/* kv_bench.c - figures for the key-value state machine (issue 11,
 * "Performance"). Not a test: it prints a table.
 *
 * Applies pre-encoded command entries in batches of 64, as the core hands
 * them over: 16 sessions, issue 11's workload (50/50 get/put on 1000 keys,
 * 16-byte values), then one of cas and appends; prints ns per entry
 * (decode, session check, the operation, the reply cached, the digest
 * kept), then the time to snapshot and restore the final store. The
 * threaded target is 300,000 ops/s for the whole node: applying must
 * take a small part of its 3.3 us per op.
 *
 * Usage: kv_bench [OPS]   (default 2000000)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv/kv.h"
#include "runtime/clock.h"

#define SESSIONS 16
#define KEYS 1000
#define BATCH 64
#define CMD_BYTES 96

enum workload { GET_PUT, CAS_APPEND };

/* The rng of the workload: a 64-bit LCG, enough to spread keys. */
static uint64_t next(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return *rng >> 33;
}

/* Encodes op i of the workload into buf; returns its length. */
static uint32_t encode(enum workload w, uint64_t i, uint64_t *rng,
		       uint64_t seq[SESSIONS], uint8_t *buf)
{
	char key[16], value[17];
	unsigned s = (unsigned)(i % SESSIONS);
	uint64_t r = next(rng);
	struct kv_cmd cmd = {.client = (int)s, .session = s + 1};

	snprintf(key, sizeof(key), "k%u", (unsigned)(r % KEYS));
	snprintf(value, sizeof(value), "c%ui%-13" PRIu64, s, i % 10000000000);
	cmd.seq = cmd.lowest_unacked = ++seq[s];
	cmd.key = (struct kv_bytes){(const uint8_t *)key,
				    (uint32_t)strlen(key)};
	cmd.value = (struct kv_bytes){(const uint8_t *)value, 16};
	if (w == GET_PUT) {
		cmd.op = (r >> 12) % 2 == 0 ? KV_GET : KV_PUT;
	} else {
		cmd.op = (r >> 12) % 2 == 0 ? KV_CAS : KV_APPEND;
		cmd.expect = cmd.value;
		cmd.value.len = cmd.op == KV_APPEND ? 1 : 16;
	}
	return (uint32_t)kv_cmd_encode(&cmd, buf, CMD_BYTES);
}

static int run(enum workload w, uint64_t ops)
{
	struct raft_entry *e = calloc(ops + SESSIONS, sizeof(*e));
	uint8_t *bytes = malloc((ops + SESSIONS) * CMD_BYTES);
	uint64_t seq[SESSIONS] = {0}, rng = 7, i;
	struct kv kv;
	struct raft_fsm fsm;
	const uint8_t *snap;
	size_t len;
	int64_t t0, t1, t2, t3;
	int rv = -1;

	if (e == NULL || bytes == NULL || kv_init(&kv, NULL, NULL) != 0)
		goto out;
	fsm = kv_fsm(&kv);
	for (i = 0; i < ops + SESSIONS; i++) {
		uint8_t *b = bytes + i * CMD_BYTES;
		struct kv_cmd reg = {.op = KV_REGISTER, .client = (int)i};

		e[i] = (struct raft_entry){.term = 1,
					   .index = i + 1,
					   .type = RAFT_ENTRY_COMMAND,
					   .data = b};
		e[i].len = i < SESSIONS
				   ? (uint32_t)kv_cmd_encode(&reg, b, CMD_BYTES)
				   : encode(w, i, &rng, seq, b);
	}
	t0 = clock_now_us();
	for (i = 0; i < ops + SESSIONS; i += BATCH) {
		uint64_t n = ops + SESSIONS - i;

		fsm.apply(fsm.ctx, e + i, n < BATCH ? (unsigned)n : BATCH);
	}
	t1 = clock_now_us();
	if (fsm.snapshot(fsm.ctx, &snap, &len) != 0)
		goto out_kv;
	t2 = clock_now_us();
	{
		struct kv copy;
		struct raft_fsm cf;

		if (kv_init(&copy, NULL, NULL) != 0)
			goto out_kv;
		cf = kv_fsm(&copy);
		rv = cf.restore(cf.ctx, snap, len);
		t3 = clock_now_us();
		if (rv == 0 && cf.digest(cf.ctx) != kv.digest)
			rv = -1;
		kv_free(&copy);
	}
	printf("%-12s %10.1f %10.2f %10" PRIu64 " %10zu %8.2f %8.2f\n",
	       w == GET_PUT ? "get/put" : "cas/append",
	       (double)(t1 - t0) * 1000.0 / (double)(ops + SESSIONS),
	       (double)(ops + SESSIONS) / (double)(t1 - t0), kv.stats.executed,
	       len, (double)(t2 - t1) / 1000.0, (double)(t3 - t2) / 1000.0);
out_kv:
	kv_free(&kv);
out:
	free(e);
	free(bytes);
	return rv;
}

int main(int argc, char **argv)
{
	uint64_t ops = 2000000;

	if (argc > 1) {
		char *end;

		ops = strtoull(argv[1], &end, 10);
		if (*end != '\0' || ops == 0) {
			fprintf(stderr,
				"kv_bench: OPS: a positive number, not '%s'\n",
				argv[1]);
			return 2;
		}
	}
	printf("kv: %" PRIu64 " ops, %d sessions, %d keys, 16-byte values, "
	       "batches of %d\n",
	       ops, SESSIONS, KEYS, BATCH);
	printf("%-12s %10s %10s %10s %10s %8s %8s\n", "workload", "ns/entry",
	       "Mops/s", "executed", "snap B", "snap ms", "rest ms");
	if (run(GET_PUT, ops) != 0 || run(CAS_APPEND, ops) != 0) {
		fprintf(stderr, "kv_bench: out of memory, or a restore "
				"that differs\n");
		return 3;
	}
	return 0;
}
