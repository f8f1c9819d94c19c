/* options_rows_client.h - the rows of options_table (options_table.c)
 * for the clients of a TCP cluster (issue 13): `raftsim client` and
 * `raftsim bench` (client_main.c). Not a header of its own: included
 * inside options_table[]'s initializer, as options_rows_workload.h is
 * (which says why), and left as it is by clang-format. The workload flags
 * bench shares with --clients (--keys, the ratios, --retries...) are
 * options_rows_workload.h's rows; --peers is options_rows_node.h's. */
/* clang-format off */
	{.name = "client-id",
	 .kind = OPT_COUNT,
	 FIELD(client_id),
	 .max = OPT_MAX_CLIENT_ID,
	 .modes = IN_CLIENT | IN_BENCH,
	 .section = SEC_NET,
	 .metavar = "N",
	 .what = "a client id",
	 .defaults = "from the pid and the clock",
	 .help = "the first client's id (bench: N .. N+clients-1); ids "
		 "must not repeat among the processes of one history",
	 .doc = "the first client's id (bench: `N` to `N + clients - 1`). "
		"Ids name sessions and histories: two processes whose "
		"histories are checked together must not share one. Not "
		"given, the block of ids is derived from the pid (distinct "
		"among processes running at once on one host) and the "
		"clock"},
	{.name = "history",
	 .kind = OPT_PATH,
	 FIELD(history_path),
	 .modes = IN_CLIENT | IN_BENCH,
	 .section = SEC_NET,
	 .metavar = "FILE",
	 .help = "append the client history (invoke, ok, fail, info lines) "
		 "to FILE, for raftsim lincheck",
	 .doc = "append the client history (README \"Client history\": "
		"invoke, ok, fail and info lines) to `FILE`, opened with "
		"`O_APPEND` and written in whole lines, so that several "
		"client processes may share one file. `ms` is "
		"`CLOCK_MONOTONIC`: histories written on one host can be "
		"checked together (`raftsim lincheck A B C`), those of "
		"different hosts cannot"},
	{.name = "duration",
	 .kind = OPT_CUSTOM,
	 .modes = IN_BENCH,
	 .section = SEC_NET,
	 .metavar = "S",
	 .what = "a number of seconds above 0",
	 .defaults = "10",
	 .help = "how long bench invokes operations, in seconds (decimals "
		 "allowed); then it waits for those outstanding",
	 .parse = options_parse_duration},
