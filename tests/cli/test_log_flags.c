/* test_log_flags.c - log replication's flags (issue 10): each bad value is
 * refused with exit 2 and a message that names the flag; good values land
 * in the options and in every node's raft_config. Parsed in this process:
 * nothing runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "testhelp.h"
#include "testparse.h"

static void every_bad_value_of_a_log_flag_exits_2_naming_it(void)
{
	static const struct {
		const char *args;
		const char *flag;
	} cases[] = {
		{"--load 0", "--load"},
		{"--load -5", "--load"},
		{"--load fast", "--load"},
		{"--load 100000001", "--load"},
		{"--load MAX", "--load"},
		{"--load 1 --payload 15", "--payload"},
		{"--load 1 --payload 0", "--payload"},
		{"--load 1 --payload 1048577", "--payload"},
		{"--load 1 --payload 16B", "--payload"},
		{"--load max --outstanding 0", "--outstanding"},
		{"--load max --outstanding 1048577", "--outstanding"},
		{"--load max --outstanding -1", "--outstanding"},
		{"--load 1000 --outstanding 1", "--outstanding"},
		{"--outstanding 8", "--outstanding"},
		{"explore --outstanding 8", "--outstanding"},
		{"--snapshot-entries -1", "--snapshot-entries"},
		{"--snapshot-entries 1099511627777", "--snapshot-entries"},
		{"--snapshot-entries many", "--snapshot-entries"},
		{"--snapshot-chunk 0", "--snapshot-chunk"},
		{"--snapshot-chunk 67108865", "--snapshot-chunk"},
		{"--max-inflight 0", "--max-inflight"},
		{"--max-inflight 1048577", "--max-inflight"},
		{"--max-inflight-bytes 0", "--max-inflight-bytes"},
		{"--max-inflight-bytes 1099511627777", "--max-inflight-bytes"},
		{"--max-batch-bytes 0", "--max-batch-bytes"},
		{"--max-batch-bytes 67108865", "--max-batch-bytes"},
		{"--slow 1", "--slow"},
		{"--slow 1:", "--slow"},
		{"--slow :10", "--slow"},
		{"--slow 1:0", "--slow"},
		{"--slow 1:1001", "--slow"},
		{"--slow 1:2.5", "--slow"},
		{"--slow x:10", "--slow"},
		{"--slow 3:10", "--slow"}, /* --nodes 3: ids 0 to 2 */
		{"--slow 1:10 --slow 1:5", "--slow"},
		{"--mistake commit-old-terms", "--mistake"},
		{"explore --slow 1:10", "--slow"},
		{"failover --load 0", "--load"},
		{"check --max-inflight 3 t.jsonl", "--max-inflight"},
		/* 10000 entries of 1 MiB between snapshots: 60 GiB a node */
		{"--load max --payload 1048576", "--snapshot-entries"},
		{"--load 10 --payload 65536 --snapshot-entries 3000",
		 "--snapshot-entries"},
	};
	struct raftsim_options *o = malloc(sizeof(*o));
	char args[256];
	char *text;
	size_t i;
	int rv;

	REQUIRE(o != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* A command word must come first. */
		if (strncmp(cases[i].args, "--", 2) == 0)
			snprintf(args, sizeof(args), "--sim %s", cases[i].args);
		else
			snprintf(args, sizeof(args), "%s", cases[i].args);
		rv = testparse_words(args, o, &text);
		if (rv != 2 || text == NULL ||
		    strstr(text, cases[i].flag) == NULL)
			TEST_FAIL_AT("raftsim %s: exit %d, stderr '%s'", args,
				     rv, text ? text : "");
		free(text);
	}
	free(o);
}

static void good_log_values_reach_every_nodes_config(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct raft_config cfg;
	char *text;

	REQUIRE(o != NULL);
	CHECK_EQ(testparse_words("--sim --load max --payload 64 "
				 "--snapshot-entries 100 --snapshot-chunk 512 "
				 "--max-inflight 8 --max-inflight-bytes 4096 "
				 "--max-batch-bytes 1024 --slow 2:10",
				 o, &text),
		 0);
	free(text);
	CHECK(o->load_max && o->payload == 64);
	CHECK_EQ(o->outstanding, (unsigned)OPT_DEFAULT_OUTSTANDING);
	CHECK_EQ(options_slow_factor(o, 2), 10u);
	CHECK_EQ(options_slow_factor(o, 1), 1u);
	options_node_config(o, 1, 0, &cfg);
	CHECK_EQ(cfg.snapshot_entries, 100u);
	CHECK_EQ(cfg.snapshot_chunk_bytes, 512u);
	CHECK_EQ(cfg.max_inflight_msgs, 8u);
	CHECK_EQ(cfg.max_inflight_bytes, 4096u);
	CHECK_EQ(cfg.max_batch_bytes, 1024u);
	CHECK_EQ(testparse_words("--sim --load 2500 --mistake commit-old-term "
				 "--mistake vote-any-log --mistake no-truncate "
				 "--mistake apply-uncommitted",
				 o, &text),
		 0);
	free(text);
	CHECK(!o->load_max && o->load_rate == 2500);
	CHECK_EQ(o->mistakes, (unsigned)(RAFT_MISTAKE_COMMIT_OLD_TERM |
					 RAFT_MISTAKE_VOTE_ANY_LOG |
					 RAFT_MISTAKE_NO_TRUNCATE |
					 RAFT_MISTAKE_APPLY_UNCOMMITTED));
	CHECK_EQ(testparse_words("--sim --load max --outstanding 1", o, &text),
		 0);
	free(text);
	CHECK(o->load_max && o->outstanding == 1);
	free(o);
}

static void the_replay_command_repeats_the_log_flags(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	char cmd[OPTIONS_COMMAND_MAX];
	char *text;

	REQUIRE(o != NULL);
	CHECK_EQ(testparse_words("--sim --load 300 --payload 32 --slow 0:4 "
				 "--snapshot-entries 0 --max-inflight 2",
				 o, &text),
		 0);
	free(text);
	CHECK_EQ(options_format_command(o, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, " --load 300 --payload 32 --snapshot-entries 0 "
			  "--max-inflight 2 ") != NULL);
	CHECK(strstr(cmd, " --slow 0:4") != NULL);
	CHECK(strstr(cmd, "--snapshot-chunk") == NULL); /* the default */
	CHECK(strstr(cmd, "--outstanding") == NULL);
	CHECK_EQ(testparse_words("--sim --load max --outstanding 7", o, &text),
		 0);
	free(text);
	CHECK_EQ(options_format_command(o, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, " --load max --outstanding 7 ") != NULL);
	free(o);
}

const struct test_case log_flags_tests[] = {
	{"log flags: every bad value of --load, --outstanding, --payload, "
	 "--snapshot-*, --max-*, --slow and the new --mistake names exits 2 "
	 "naming the flag (--outstanding only with --load max)",
	 every_bad_value_of_a_log_flag_exits_2_naming_it},
	{"log flags: good values reach every node's raft_config",
	 good_log_values_reach_every_nodes_config},
	{"log flags: the replay command repeats them",
	 the_replay_command_repeats_the_log_flags},
	{NULL, NULL},
};
