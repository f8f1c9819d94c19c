/* options_rows_storage.h - the rows of options_table (options_table.c)
 * for the simulated disk (issue 12): --disk, its faults, its latency and
 * the WAL's segment size. Not a header of its own: included inside
 * options_table[]'s initializer, as options_rows_workload.h is (which
 * says why), and left as it is by clang-format. */
/* clang-format off */
	{.name = "disk",
	 .kind = OPT_BOOL,
	 FIELD(sim_disk),
	 .modes = IN_SIM | IN_EXPLORE,
	 .props = OPTF_REPLAY,
	 .section = SEC_STORAGE,
	 .help = "a simulated disk under every node's WAL, kept across its "
		 "crashes; a crash always loses what was not synced",
	 .doc = "a simulated disk under every node's WAL, kept across its "
		"crashes. Writes reach it only at a sync, which takes "
		"`--disk-ms`; a crash always loses what was not synced "
		"(`--disk-crash-loss` says so explicitly). Implied by "
		"any `--disk-*` fault. explore: every run has one, with "
		"the faults given or, with none given, random ones"},
	{.name = "disk-crash-loss",
	 .kind = OPT_BOOL,
	 FIELD(sim_disk),
	 .modes = IN_SIM | IN_EXPLORE,
	 .section = SEC_STORAGE,
	 .help = "a crash loses what was not synced: always so on the "
		 "simulated disk (the same as --disk)"},
	{.name = "disk-torn",
	 .kind = OPT_PROB,
	 FIELD(disk_torn),
	 .modes = IN_SIM | IN_EXPLORE,
	 .props = OPTF_REPLAY,
	 .section = SEC_STORAGE,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "at a crash, with probability P, a file's unsynced writes "
		 "partly survive: the last one torn at a sector boundary, "
		 "or (half the time) a random subset of their sectors "
		 "(implies --disk)"},
	{.name = "disk-corrupt",
	 .kind = OPT_PROB,
	 FIELD(disk_corrupt),
	 .modes = IN_SIM | IN_EXPLORE,
	 .props = OPTF_REPLAY,
	 .section = SEC_STORAGE,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "each read flips a bit or hits a latent sector error (one "
		 "node's disk at a time) with probability P (implies --disk)"},
	{.name = "disk-fsync-fail",
	 .kind = OPT_PROB,
	 FIELD(disk_fsync_fail),
	 .modes = IN_SIM | IN_EXPLORE,
	 .props = OPTF_REPLAY,
	 .section = SEC_STORAGE,
	 .metavar = "P",
	 .what = PROB_WHAT,
	 .help = "each sync fails (EIO) with probability P: the node "
		 "crashes, and restarts crash-ticks MAX ticks later "
		 "(implies --disk)"},
	{.name = "disk-ms",
	 .kind = OPT_MS_DECIMAL,
	 FIELD(disk_us),
	 .max = OPT_MAX_DISK_MS,
	 .modes = IN_SIM | IN_EXPLORE | IN_FAILOVER,
	 .props = OPTF_REPLAY,
	 .section = SEC_STORAGE,
	 .metavar = "D",
	 .what = "a duration in ms such as 0.5",
	 .defaults = "0.2 with --disk, else 0",
	 .help = "the simulated disk's sync latency (--disk); failover: time "
		 "to persist the term and vote before a RequestVote or a "
		 "vote reply leaves",
	 .doc = "the simulated disk's sync latency (`--disk`): a node's sync "
		"begins when its drain ends and completes D ms later. "
		"failover: time to persist the term and vote before a "
		"RequestVote or a vote reply leaves. On threads a real disk "
		"takes its own time, so a run on threads refuses it"},
	{.name = "wal-segment-bytes",
	 .kind = OPT_COUNT,
	 FIELD(wal_segment_bytes),
	 .min = 4096,
	 .max = 1ULL << 40,
	 .modes = IN_RUN | IN_EXPLORE | IN_NODE,
	 .props = OPTF_REPLAY,
	 .section = SEC_STORAGE,
	 .metavar = "N",
	 .what = "a size in bytes, at least 4096",
	 .help = "a WAL segment rolls over past N bytes"},
	/* clang-format on */
