/* options_rows_explore.h - the rows of options_table (options_table.c)
 * for an exploration spread over machines (issue 13): --shard, --summary
 * and --merge. Not a header of its own: included inside options_table[]'s
 * initializer, as options_rows_workload.h is (which says why), and left as
 * it is by clang-format. */
/* clang-format off */
	{.name = "shard",
	 .kind = OPT_CUSTOM,
	 .modes = IN_EXPLORE,
	 .section = SEC_EXPLORE,
	 .metavar = "K/N",
	 .what = "a shard K/N with 0 <= K < N <= 4096, such as 0/8",
	 .defaults = "none",
	 .help = "run only the runs whose number is K modulo N, and write "
		 "their JSONL summary (needs --seed; --runs counts them all)",
	 .doc = "run only the runs whose number r (0 to --runs - 1) has "
		"r mod N = K, each exactly as the whole exploration runs it "
		"(same seed, same faults), and write a JSONL summary of them "
		"for `--merge`: to `--summary FILE`, or without it to stdout, "
		"the human report then going to stderr. `--runs` counts the "
		"whole exploration's runs; `--seed` is required, so that "
		"every shard draws the same runs. N is at most 4096",
	 .parse = options_parse_shard},
	{.name = "summary",
	 .kind = OPT_PATH,
	 FIELD(summary_path),
	 .modes = IN_EXPLORE,
	 .section = SEC_EXPLORE,
	 .metavar = "FILE",
	 .help = "write the JSONL summary that --merge reads to FILE (without "
		 "--shard: the whole exploration as shard 0/1)"},
	{.name = "merge",
	 .kind = OPT_BOOL,
	 FIELD(merge),
	 .modes = IN_EXPLORE,
	 .section = SEC_EXPLORE,
	 .help = "explore --merge FILE...: the report of the summaries of "
		 "shards 0/N to N-1/N, as one exploration prints it",
	 .doc = "`raftsim explore --merge FILE...` reads the summaries of "
		"shards 0/N to N-1/N, each once, and prints the report a "
		"single `raftsim explore` with their settings prints, with "
		"its exit code. Summaries whose settings differ, a shard "
		"missing or given twice, or a summary cut short are refused "
		"(exit 2, naming the file); a shard that was interrupted "
		"makes the report partial (exit 3 when nothing failed). It "
		"takes no other flag: the settings are the summaries'"},
	/* clang-format on */
