/* options_rows_node.h - the rows of options_table (options_table.c) for
 * raftsim node (issue 13): --id, --listen, and --peers, which the client
 * and bench commands take too. Not a header of its own: included inside
 * options_table[]'s initializer, as options_rows_storage.h is, and left
 * as it is by clang-format. node_main.c checks the values (a HOST:PORT,
 * the peer list, --id among the peers). */
/* clang-format off */
	{.name = "id",
	 .kind = OPT_COUNT,
	 FIELD(node_id),
	 .min = 0,
	 .max = OPT_MAX_NODES - 1,
	 .modes = IN_NODE,
	 .section = SEC_NET,
	 .metavar = "I",
	 .what = "a node id",
	 .defaults = "required",
	 .help = "the node this process runs: one of --peers' ids"},
	{.name = "listen",
	 .kind = OPT_PATH,
	 FIELD(listen),
	 .modes = IN_NODE,
	 .section = SEC_NET,
	 .metavar = "HOST:PORT",
	 .defaults = "its --peers entry",
	 .help = "where the node listens (0.0.0.0:PORT: every interface)",
	 .doc = "where the node listens; by default its own `--peers` "
		"entry. Give `0.0.0.0:PORT` (or `[::]:PORT`) to listen on "
		"every interface while the peers dial the entry's name"},
	{.name = "peers",
	 .kind = OPT_PATH,
	 FIELD(peers),
	 .modes = IN_NODE | IN_CLIENT | IN_BENCH,
	 .section = SEC_NET,
	 .metavar = "LIST",
	 .defaults = "required",
	 .help = "every node of the cluster, itself included: "
		 "0=HOST:PORT,1=HOST:PORT,... (ids 0 to N-1)",
	 .doc = "every node of the cluster, the node itself included: "
		"`0=HOST:PORT,1=HOST:PORT,...`, ids 0 to N-1 each once, in "
		"any order; N is the cluster size. Every process of a "
		"cluster must be given the same list and the same cluster "
		"flags (`--tick-ms`, `--election-ticks`, "
		"`--heartbeat-ticks`, `--prevote`, `--check-quorum`, "
		"`--ranked-timeouts`, `--snapshot-entries`...): a node "
		"does not compare them with its peers'"},
	/* clang-format on */
