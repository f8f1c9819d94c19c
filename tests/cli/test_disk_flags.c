/* test_disk_flags.c - the durable storage's flags (issue 12): each bad
 * value or combination is refused with exit 2 and a message that names
 * the flag; good ones land in the options (a disk fault implies the
 * simulated disk, which brings its latency) and in the replay command.
 * Parsed in this process: nothing runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "testhelp.h"
#include "testparse.h"

static void every_bad_disk_value_or_combination_exits_2_naming_it(void)
{
	static const struct testparse_refusal cases[] = {
		{"--sim --data-dir d", "use --disk in the simulator"},
		{"--resume", "--resume: only with --data-dir"},
		{"--sim --resume", "--resume"},
		{"--disk", "--disk"},
		{"--disk-torn 0.1", "--disk-torn"},
		{"--disk-corrupt 0.1", "--disk-corrupt"},
		{"--disk-fsync-fail 0.1", "--disk-fsync-fail"},
		{"--disk-ms 1", "--disk-ms"},
		{"--sim --disk-torn 1.5", "--disk-torn"},
		{"--sim --disk-corrupt -1", "--disk-corrupt"},
		{"--sim --disk-fsync-fail x", "--disk-fsync-fail"},
		{"--sim --disk --disk-ms x", "--disk-ms"},
		{"--sim --disk --wal-segment-bytes 4095",
		 "--wal-segment-bytes"},
		{"--sim --mistake no-fsync", "--mistake no-fsync"},
		{"--sim --mistake vote-before-persist",
		 "--mistake vote-before-persist"},
		{"--mistake skip-bad-record", "--mistake skip-bad-record"},
		{"--sim --crash all@0:5", "--crash"},
		{"--sim --crash all@5", "--crash"},
		{"--sim --crash everyone@5:5", "--crash"},
		{"--sim --pause all@5:5", "--pause"},
		{"check --disk t.jsonl", "--disk"},
		{"failover --data-dir d", "--data-dir"},
	};
	testparse_expect_refused(cases, sizeof(cases) / sizeof(cases[0]));
}

static void good_disk_flags_land_in_the_options_and_the_replay(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	char replay[OPTIONS_COMMAND_MAX];
	char *text = NULL;

	REQUIRE(o != NULL);
	CHECK_EQ(testparse_words("--sim --disk-torn 0.5 --crash all@10:5 "
				 "--mistake no-fsync --seed 3",
				 o, &text),
		 0);
	free(text);
	CHECK(o->sim_disk);
	CHECK_EQ(o->disk_us, 200); /* the default latency with a disk */
	CHECK_EQ(o->crash_count, 1);
	CHECK_EQ(o->crashes[0].who, WHO_ALL);
	CHECK(o->mistakes & RAFT_MISTAKE_NO_FSYNC);
	CHECK_EQ(options_format_command(o, replay, sizeof(replay)), 0);
	CHECK(strstr(replay, " --disk ") != NULL);
	CHECK(strstr(replay, " --disk-torn 0.5") != NULL);
	CHECK(strstr(replay, " --disk-ms 0.2") != NULL);
	CHECK(strstr(replay, " --crash all@10:5") != NULL);
	CHECK(strstr(replay, " --mistake no-fsync") != NULL);
	CHECK_EQ(testparse_words("--data-dir /tmp/x --resume", o, &text), 0);
	free(text);
	CHECK(o->resume && o->data_dir != NULL && !o->sim_disk);
	free(o);
}

const struct test_case disk_flags_tests[] = {
	{"disk flags: each bad value or combination of the storage flags "
	 "exits 2 naming the flag",
	 every_bad_disk_value_or_combination_exits_2_naming_it},
	{"disk flags: a disk fault implies --disk with 0.2 ms syncs, and the "
	 "replay command repeats the disk, its faults and --crash all",
	 good_disk_flags_land_in_the_options_and_the_replay},
	{NULL, NULL},
};
