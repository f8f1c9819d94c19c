/* options_rows_net.h - the rows of options_table (options_table.c) for
 * TCP (issue 13): --transport, --secret and --cluster-id. Not a header of
 * its own: included inside options_table[]'s initializer, as
 * options_rows_workload.h is (which says why), and left as it is by
 * clang-format. */
/* clang-format off */
	{.name = "transport",
	 .kind = OPT_CUSTOM,
	 .modes = IN_THREADS | IN_FAILOVER_THREADS,
	 .props = OPTF_REPLAY,
	 .section = SEC_NET,
	 .metavar = "mailbox|tcp",
	 .what = "'mailbox' or 'tcp'",
	 .defaults = "mailbox",
	 .help = "how the nodes reach each other on threads: in-memory "
		 "mailboxes, or TCP on loopback (each node behind its own "
		 "listener)",
	 .doc = "how the nodes reach each other on threads: in-memory "
		"mailboxes, or `tcp`: each node behind its own listener on "
		"127.0.0.1 (an ephemeral port), one connection per pair, "
		"every message framed and checked as between processes. The "
		"run starts once every pair is connected. Faults (drop, "
		"delay, partitions) are applied at the sender as with "
		"mailboxes; clients stay in the process. Not with `--sim`: "
		"the simulator has no sockets",
	 .parse = options_parse_transport,
	 .replay = options_replay_transport},
	{.name = "secret",
	 .kind = OPT_PATH,
	 FIELD(secret_path),
	 .modes = IN_THREADS | IN_FAILOVER_THREADS | IN_NODE | IN_CLIENT |
		  IN_BENCH,
	 .section = SEC_NET,
	 .metavar = "FILE",
	 .help = "authenticate every TCP handshake with HMAC-SHA256 under "
		 "FILE's bytes (16 to 1024, mode 600)",
	 .doc = "authenticate every TCP handshake with HMAC-SHA256 under the "
		"bytes of FILE (16 to 1024 of them, a trailing newline "
		"dropped; refused if others may read it). Both sides prove "
		"they hold it, over fresh nonces, so that only its holders "
		"join. Nothing is encrypted. Without it anyone who can reach "
		"a node's port can speak Raft to it"},
	{.name = "cluster-id",
	 .kind = OPT_COUNT,
	 FIELD(cluster_id),
	 .max = UINT64_MAX,
	 .modes = IN_THREADS | IN_FAILOVER_THREADS | IN_NODE | IN_CLIENT |
		  IN_BENCH,
	 .section = SEC_NET,
	 .metavar = "N",
	 .what = "a cluster id",
	 .help = "the cluster's id in every TCP handshake: a peer with "
		 "another one is refused"},
