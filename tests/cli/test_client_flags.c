/* test_client_flags.c - the clients' flags (issue 11): each bad value or
 * combination is refused with exit 2 and a message that names the flag
 * and says why; good values land in the options, in the replay command,
 * and the clients' mistakes stay out of the core's raft_config. Parsed in
 * this process: nothing runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "testhelp.h"
#include "testparse.h"

static void every_bad_client_value_or_combination_exits_2_naming_it(void)
{
	static const struct testparse_refusal cases[] = {
		{"--sim --clients 1025", "--clients"},
		{"--sim --clients -1", "--clients"},
		{"--sim --clients four", "--clients"},
		{"--sim --clients 4 --keys 0", "--keys"},
		{"--sim --clients 4 --read-ratio 1.5", "--read-ratio"},
		{"--sim --clients 4 --cas-ratio -0.1", "--cas-ratio"},
		{"--sim --clients 4 --append-ratio x", "--append-ratio"},
		{"--sim --clients 4 --delete-ratio 2", "--delete-ratio"},
		{"--sim --clients 4 --read-ratio 0.9 --cas-ratio 0.2",
		 "more than 1"},
		{"--sim --clients 4 --value-bytes 15", "--value-bytes"},
		{"--sim --clients 4 --value-bytes 65537", "--value-bytes"},
		{"--sim --clients 4 --retries 1001", "--retries"},
		{"--sim --clients 4 --client-timeout-ms 0",
		 "--client-timeout-ms"},
		{"--sim --clients 4 --client-timeout-ms 1.5",
		 "--client-timeout-ms"},
		{"--sim --clients 4 --ops -3", "--ops"},
		{"--sim --clients 4 --reads fast", "--reads"},
		{"--sim --clients 4 --reads lease", "--check-quorum"},
		{"--sim --clients 4 --session-max 0", "--session-max"},
		{"--sim --clients 4 --session-expiry x", "--session-expiry"},
		{"--sim --clients 4 --load 100", "not with --load"},
		{"--sim --clients 4 --load max", "not with --load"},
		{"--sim --keys 10", "only with --clients"},
		{"--sim --fenced-store", "only with --clients"},
		{"--sim --reads readindex", "only with --clients"},
		{"--sim --mistake no-dedup", "only with --clients"},
		{"--sim --mistake stale-read", "only with --clients"},
		{"--sim --clients 2 --mistake no-fencing", "--fenced-store"},
		{"--sim --mistake no-fencing --fenced-store",
		 "only with --clients"},
		{"--mistake no-dedup", "only with --clients"},
		{"--clients 4 --load 100", "not with --load"},
		{"--clients 4 --reads lease", "--check-quorum"},
		{"failover --clients 4", "--clients"},
		{"check --clients 4 t.jsonl", "--clients"},
	};
	testparse_expect_refused(cases, sizeof(cases) / sizeof(cases[0]));
}

static void good_client_values_land_in_the_options(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	struct raft_config cfg;
	char *text;

	REQUIRE(o != NULL);
	CHECK_EQ(testparse_words("--sim --clients 8 --keys 7 --read-ratio 0.25 "
				 "--cas-ratio 0.25 --append-ratio 0.25 "
				 "--delete-ratio 0.25 --value-bytes 40 "
				 "--retries 2 --client-timeout-ms 150 --ops 99 "
				 "--reads readindex --fenced-store "
				 "--session-max 3 --session-expiry 500",
				 o, &text),
		 0);
	free(text);
	CHECK_EQ(o->clients, 8u);
	CHECK_EQ(o->keys, 7u);
	CHECK(o->read_ratio == 0.25 && o->delete_ratio == 0.25);
	CHECK_EQ(o->value_bytes, 40u);
	CHECK_EQ(o->retries, 2u);
	CHECK_EQ(options_client_timeout_us(o), 150000u);
	CHECK_EQ(o->ops, 99u);
	CHECK_EQ(o->reads, READS_READINDEX);
	CHECK(o->fenced_store);
	CHECK_EQ(o->session_max, 3u);
	CHECK_EQ(o->session_expiry, 500u);
	CHECK_EQ(testparse_words("--sim --clients 8 --fenced-store "
				 "--mistake no-dedup --mistake no-fencing "
				 "--mistake stale-read",
				 o, &text),
		 0);
	free(text);
	CHECK_EQ(o->mistakes,
		 (unsigned)(RAFT_MISTAKE_NO_DEDUP | RAFT_MISTAKE_NO_FENCING |
			    RAFT_MISTAKE_STALE_READ));
	/* the core never sees the clients' mistakes */
	options_node_config(o, 0, 0, &cfg);
	CHECK_EQ(cfg.mistakes, 0u);
	CHECK_EQ(testparse_words(
			 "--sim --clients 1 --reads lease --check-quorum", o,
			 &text),
		 0);
	free(text);
	CHECK_EQ(o->reads, READS_LEASE);
	/* the default timeout: twice the longest election timeout */
	CHECK_EQ(options_client_timeout_us(o), 2 * 20 * 10000u);
	CHECK_EQ(
		testparse_words("explore --clients 4 --fenced-store", o, &text),
		0);
	free(text);
	CHECK(o->clients == 4 && o->fenced_store);
	free(o);
}

static void the_replay_command_repeats_the_client_flags(void)
{
	struct raftsim_options *o = malloc(sizeof(*o));
	char cmd[OPTIONS_COMMAND_MAX];
	char *text;

	REQUIRE(o != NULL);
	CHECK_EQ(testparse_words("--sim --clients 4 --keys 10 --read-ratio 0.2 "
				 "--reads readindex --fenced-store "
				 "--mistake no-fencing --client-timeout-ms 90",
				 o, &text),
		 0);
	free(text);
	CHECK_EQ(options_format_command(o, cmd, sizeof(cmd)), 0);
	CHECK(strstr(cmd, " --mistake no-fencing") != NULL);
	CHECK(strstr(cmd, " --clients 4 --keys 10 --read-ratio 0.2 "
			  "--client-timeout-ms 90 --reads readindex "
			  "--fenced-store ") != NULL);
	CHECK(strstr(cmd, "--cas-ratio") == NULL); /* the default */
	CHECK(strstr(cmd, "--session-max") == NULL);
	/* and it parses back to the same options */
	CHECK_EQ(testparse_words(cmd + strlen("raftsim "), o, &text), 0);
	free(text);
	CHECK(o->clients == 4 && o->keys == 10 && o->read_ratio == 0.2 &&
	      o->reads == READS_READINDEX && o->fenced_store &&
	      o->client_timeout_us == 90000);
	free(o);
}

const struct test_case client_flags_tests[] = {
	{"client flags: every bad value of --clients and its flags, and "
	 "every bad combination (--load, ratios over 1, --reads lease "
	 "without --check-quorum, client flags or mistakes without "
	 "--clients), exits 2 naming the flag",
	 every_bad_client_value_or_combination_exits_2_naming_it},
	{"client flags: good values land in the options; the clients' "
	 "mistakes stay out of the core's config",
	 good_client_values_land_in_the_options},
	{"client flags: the replay command repeats them and parses back",
	 the_replay_command_repeats_the_client_flags},
	{NULL, NULL},
};
