/* options_explore.c - explore's flags for an exploration spread over
 * machines: --shard K/N's value, and what --shard, --summary and --merge
 * require of the rest of the command line. */
#include <stdlib.h>
#include <string.h>

#include "options_internal.h"
#include "parse.h"

int options_parse_shard(struct raftsim_options *o, const struct opt_flag *f,
			const char *arg, FILE *err)
{
	const char *slash = strchr(arg, '/');
	char k_text[32];
	uint64_t k, n;
	size_t len = slash != NULL ? (size_t)(slash - arg) : 0;

	if (slash == NULL || len == 0 || len >= sizeof(k_text))
		goto bad;
	memcpy(k_text, arg, len);
	k_text[len] = '\0';
	if (parse_u64(k_text, &k) != 0 || parse_u64(slash + 1, &n) != 0 ||
	    n == 0 || n > OPT_MAX_MERGE || k >= n)
		goto bad;
	o->shard_index = k;
	o->shard_count = n;
	return 0;
bad:
	return options_usage_error(err, "--%s: '%s' is not %s", f->name, arg,
				   f->what);
}

/* explore --merge takes its settings from the summaries: a flag beside it
 * would be ignored, so it is refused. */
static int refuse_beside_merge(const bool *given, FILE *err)
{
	size_t i;

	for (i = 0; i < options_table_len; i++)
		if (given[i] && strcmp(options_table[i].name, "merge") != 0)
			return options_usage_error(
				err,
				"--%s: not taken with --merge (the settings "
				"are the summaries')",
				options_table[i].name);
	return 0;
}

int options_check_explore(const struct raftsim_options *o, const bool *given,
			  FILE *err)
{
	if (o->command != CMD_EXPLORE)
		return 0;
	if (o->merge_count > 0 && !o->merge)
		return options_usage_error(err, "'%s': unexpected argument",
					   o->merge_paths[0]);
	if (o->merge) {
		if (o->merge_count == 0)
			return options_usage_error(
				err, "--merge: which summaries? (raftsim "
				     "explore --merge FILE...)");
		return refuse_beside_merge(given, err);
	}
	if (o->shard_count > 0 && !given[options_find("seed") - options_table])
		return options_usage_error(
			err, "--shard: needs --seed S, the same for every "
			     "shard, so that they all draw the same runs");
	return 0;
}
