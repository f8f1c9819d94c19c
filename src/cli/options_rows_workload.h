/* options_rows_workload.h - the rows of options_table (options_table.c)
 * for what a run carries on its log: the --load generator, replication's
 * limits and the clients (issue 11). Not a header of its own: included
 * inside options_table[]'s initializer, so that the one table keeps its
 * order (replayed flags first, in the replay command's order) while no
 * file grows past a few hundred lines. clang-format cannot see that these
 * lines sit inside an initializer, so it is told to leave them as they are
 * (formatted as the table's other rows). */
/* clang-format off */
{.name = "load",
 .kind = OPT_CUSTOM,
 .modes = IN_RUN | IN_EXPLORE | IN_FAILOVERS | IN_NODE,
 .props = OPTF_REPLAY,
 .section = SEC_LOG,
 .metavar = "RATE|max",
 .what = "a rate in proposals per second, or 'max'",
 .defaults = "none",
 .help = "propose entries to whichever node leads: RATE a second, or "
	 "'max' (closed loop: as many as the cluster takes)",
 .doc = "propose entries to whichever node leads, in batches, through "
	"its mailbox. `RATE` a second is an open loop paced on the "
	"clock (virtual time in the simulator); `max` a closed loop "
	"that keeps a window of proposals outstanding and refills it "
	"as the leader applies them (saturation). A run's summary adds "
	"a `log:` line; failover replicates through every trial, so "
	"that the leader dies with entries on their way",
 .parse = options_parse_load,
 .replay = options_replay_load},
	{.name = "outstanding",
	 .kind = OPT_COUNT,
	 FIELD(outstanding),
	 .min = 1,
	 .max = OPT_MAX_OUTSTANDING,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "N",
	 .what = "a proposal count",
	 .help = "with --load max: at most N proposals in flight; the next "
		 "goes the moment one applies (1: one at a time, to measure "
		 "latency)"},
	{.name = "payload",
	 .kind = OPT_COUNT,
	 FIELD(payload),
	 .min = OPT_MIN_PAYLOAD,
	 .max = OPT_MAX_PAYLOAD,
	 .modes = IN_RUN | IN_EXPLORE | IN_FAILOVERS | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "BYTES",
	 .what = "a payload size in bytes",
	 .help = "bytes of each proposed entry; the first 16 hold its "
		 "sequence number and submit time"},
	{.name = "snapshot-entries",
	 .kind = OPT_COUNT,
	 FIELD(snapshot_entries),
	 .max = OPT_MAX_SNAPSHOT_ENTRIES,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "N",
	 .what = "an entry count",
	 .help = "a node snapshots its state machine and compacts its log "
		 "every N applied entries; 0: never"},
	{.name = "snapshot-chunk",
	 .kind = OPT_COUNT,
	 FIELD(snapshot_chunk),
	 .min = 1,
	 .max = OPT_MAX_CHUNK,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "BYTES",
	 .what = "a chunk size in bytes",
	 .help = "bytes per InstallSnapshot message (Raft paper 7)"},
	{.name = "max-inflight",
	 .kind = OPT_COUNT,
	 FIELD(max_inflight),
	 .min = 1,
	 .max = OPT_MAX_INFLIGHT,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "MSGS",
	 .what = "a message count",
	 .help = "unacknowledged AppendEntries a leader keeps in flight to "
		 "one follower"},
	{.name = "max-inflight-bytes",
	 .kind = OPT_COUNT,
	 FIELD(max_inflight_bytes),
	 .min = 1,
	 .max = OPT_MAX_INFLIGHT_BYTES,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "BYTES",
	 .what = "a size in bytes",
	 .help = "unacknowledged entry bytes a leader keeps in flight to one "
		 "follower (a slow follower costs at most this much)"},
	{.name = "max-batch-bytes",
	 .kind = OPT_COUNT,
	 FIELD(max_batch_bytes),
	 .min = 1,
	 .max = OPT_MAX_BATCH_BYTES,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_LOG,
	 .metavar = "BYTES",
	 .what = "a size in bytes",
	 .help = "entry bytes in one AppendEntries (at least one entry)"},
	{.name = "clients",
	 .kind = OPT_COUNT,
	 FIELD(clients),
	 .max = OPT_MAX_CLIENTS,
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "N",
	 .what = "a client count",
	 .help = "N sequential clients with sessions on a key-value store "
		 "replicated by the log (0: none; not with --load)",
	 .doc = "N sequential clients, each with one operation outstanding "
		"(a Jepsen process), on the key-value store the log "
		"replicates. Each registers a session and numbers its "
		"requests, so that a retry is applied at most once; its "
		"operations go into the trace as the client history "
		"(invoke, ok, fail, info), which the checker tests for "
		"linearizability. Clients stand outside the cluster: "
		"--drop, --dup and --reorder touch their messages, "
		"partitions do not. Not with --load"},
	{.name = "keys",
	 .kind = OPT_COUNT,
	 FIELD(keys),
	 .min = 1,
	 .max = OPT_MAX_KEYS,
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "K",
	 .what = "a key count",
	 .help = "the clients' keys: k0 to k<K-1>, drawn uniformly"},
	{.name = "read-ratio",
	 .kind = OPT_PROB,
	 FIELD(read_ratio),
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "R",
	 .what = PROB_WHAT,
	 .help = "the share of gets among the clients' operations"},
	{.name = "cas-ratio",
	 .kind = OPT_PROB,
	 FIELD(cas_ratio),
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "R",
	 .what = PROB_WHAT,
	 .help = "the share of compare-and-sets"},
	{.name = "append-ratio",
	 .kind = OPT_PROB,
	 FIELD(append_ratio),
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "R",
	 .what = PROB_WHAT,
	 .help = "the share of appends"},
	{.name = "delete-ratio",
	 .kind = OPT_PROB,
	 FIELD(delete_ratio),
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "R",
	 .what = PROB_WHAT,
	 .help = "the share of deletes; the rest are puts (the four ratios "
		 "given sum to at most 1; those not given shrink to make "
		 "room)"},
	{.name = "value-bytes",
	 .kind = OPT_COUNT,
	 FIELD(value_bytes),
	 .min = OPT_MIN_VALUE_BYTES,
	 .max = OPT_MAX_VALUE_BYTES,
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "B",
	 .what = "a value size in bytes",
	 .help = "bytes of each value written: c<client>i<id>, unique in "
		 "the run, padded with '.'"},
	{.name = "retries",
	 .kind = OPT_COUNT,
	 FIELD(retries),
	 .max = OPT_MAX_RETRIES,
	 .modes = IN_RUN | IN_EXPLORE | IN_CLIENT | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "N",
	 .what = "a retry count",
	 .help = "a client sends a timed-out request again up to N times "
		 "(same session, same number) before it gives up"},
	{.name = "client-timeout-ms",
	 .kind = OPT_MS,
	 FIELD(client_timeout_us),
	 .min = 1,
	 .max = OPT_MAX_TIMEOUT_MS,
	 .modes = IN_RUN | IN_EXPLORE | IN_CLIENT | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "MS",
	 .what = "a duration in whole ms",
	 .defaults = "2 x MAX x --tick-ms",
	 .help = "how long one attempt waits for its reply",
	 .doc = "how long one attempt waits for its reply. The default, "
		"twice the longest election timeout, outlasts the election "
		"that follows a lost leader, so a retry finds the new one"},
	{.name = "ops",
	 .kind = OPT_COUNT,
	 FIELD(ops),
	 .max = OPT_MAX_OPS,
	 .modes = IN_RUN | IN_EXPLORE | IN_BENCH,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "N",
	 .what = "an operation count",
	 .help = "the clients stop invoking after N operations in all "
		 "(0: until the run ends)"},
	{.name = "reads",
	 .kind = OPT_CUSTOM,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "log|readindex|lease",
	 .what = "log, readindex or lease",
	 .defaults = "log",
	 .help = "how a get is served: through the log, by ReadIndex, or "
		 "under the leader's lease (needs --check-quorum)",
	 .doc = "how a get is served: as an entry of the log; by ReadIndex "
		"(Raft thesis 6.4: the leader confirms it still leads with a "
		"heartbeat round and answers once it has applied up to its "
		"commit index, with no log write); or under the leader's "
		"lease (6.4.1), at once while a majority acknowledged it "
		"within the last election timeout. The lease assumes clocks "
		"whose rates differ by less than 12% and needs "
		"--check-quorum, whose followers refuse votes while they "
		"hear a leader",
	 .parse = options_parse_reads,
	 .replay = options_replay_reads},
	{.name = "fenced-store",
	 .kind = OPT_BOOL,
	 FIELD(fenced_store),
	 .modes = IN_RUN | IN_EXPLORE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .help = "leaders mirror the writes they apply to an external store "
		 "that refuses tokens (terms) below the highest it has seen",
	 .doc = "leaders mirror the writes they apply to an external store "
		"(Kleppmann's storage service), each with the leader's term "
		"as its fencing token; a write leaves at the leader's next "
		"tick. The store keeps the highest token it has seen and "
		"refuses lower ones: a leader frozen past the election "
		"timeout that resumes is fenced off. Refused and stale "
		"writes are trace events (fenced); the summary adds a "
		"fenced store line"},
	{.name = "session-max",
	 .kind = OPT_COUNT,
	 FIELD(session_max),
	 .min = 1,
	 .max = OPT_MAX_SESSIONS,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "N",
	 .what = "a session count",
	 .help = "sessions the store keeps; a registration beyond evicts the "
		 "least recently used (decided in the log: every node evicts "
		 "the same)"},
	{.name = "session-expiry",
	 .kind = OPT_COUNT,
	 FIELD(session_expiry),
	 .max = OPT_MAX_SESSION_EXPIRY,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_CLIENTS,
	 .metavar = "ENTRIES",
	 .what = "an entry count",
	 .help = "a session unused for ENTRIES applied entries expires (by "
		 "log index, never a clock; 0: never)"},
	/* clang-format on */
