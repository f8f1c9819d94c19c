/* options_flags.c - one flag's value, parsed by the kind of its row in the
 * table (options_table.c) and stored at the row's offset; and which mode a
 * command line is in, which decides the flags it takes.
 *
 * Each value is checked character by character before it is converted
 * (parse.c), then against the row's bounds, which keep later products and
 * sums in range.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "options_internal.h"
#include "parse.h"

void *options_field(struct raftsim_options *o, const struct opt_flag *f)
{
	return (char *)o + f->offset;
}

const void *options_field_c(const struct raftsim_options *o,
			    const struct opt_flag *f)
{
	return (const char *)o + f->offset;
}

/* Whole numbers live in int, unsigned or uint64_t fields; memcpy keeps the
 * store free of aliasing questions (an int holds the same bytes as the
 * unsigned of the same value, and every bound fits an int). */
static void store_u64(void *field, size_t size, uint64_t v)
{
	if (size == sizeof(uint64_t)) {
		memcpy(field, &v, sizeof(v));
	} else {
		unsigned u = (unsigned)v;

		assert(size == sizeof(unsigned) && v <= 0x7fffffffu);
		memcpy(field, &u, sizeof(u));
	}
}

uint64_t options_field_u64(const struct raftsim_options *o,
			   const struct opt_flag *f)
{
	const void *field = options_field_c(o, f);
	uint64_t v;
	unsigned u;

	if (f->size == sizeof(uint64_t)) {
		memcpy(&v, field, sizeof(v));
		return v;
	}
	assert(f->size == sizeof(unsigned));
	memcpy(&u, field, sizeof(u));
	return u;
}

static int bad_value(const struct opt_flag *f, const char *arg, FILE *err)
{
	switch (f->kind) {
	case OPT_TICK_RANGE:
		return options_usage_error(err,
					   "--%s: '%s' is not %s, with "
					   "%llu <= MIN <= MAX <= %llu",
					   f->name, arg, f->what,
					   (unsigned long long)f->min,
					   (unsigned long long)f->max);
	case OPT_COUNT:
	case OPT_MS:
		if (f->max != UINT64_MAX)
			return options_usage_error(
				err, "--%s: '%s' is not %s from %llu to %llu",
				f->name, arg, f->what,
				(unsigned long long)f->min,
				(unsigned long long)f->max);
		break;
	case OPT_MS_DECIMAL:
	case OPT_MS_RANGE:
		return options_usage_error(err,
					   "--%s: '%s' is not %s, at most "
					   "%llu ms",
					   f->name, arg, f->what,
					   (unsigned long long)f->max);
	default:
		break;
	}
	return options_usage_error(err, "--%s: '%s' is not %s", f->name, arg,
				   f->what);
}

static int apply_range(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err)
{
	struct tick_range r;

	if ((f->props & OPTF_NEEDS_DASH) && arg[0] != '\0' &&
	    strchr(arg, '-') == NULL)
		return options_usage_error(err,
					   "--%s: '%s' is one number, not "
					   "%s (MIN-MIN for a fixed one)",
					   f->name, arg, f->what);
	if (f->kind == OPT_TICK_RANGE) {
		if (parse_u64_range(arg, &r.min, &r.max) != 0 ||
		    r.min < f->min || r.max > f->max)
			return bad_value(f, arg, err);
	} else if (parse_ms_range(arg, &r.min, &r.max) != 0 ||
		   r.max > f->max * 1000) {
		return bad_value(f, arg, err);
	}
	assert(f->size == sizeof(r));
	memcpy(options_field(o, f), &r, sizeof(r));
	return 0;
}

int options_apply_flag(struct raftsim_options *o, const struct opt_flag *f,
		       const char *arg, FILE *err)
{
	void *field = options_field(o, f);
	const bool yes = true;
	uint64_t v;
	double d;

	switch (f->kind) {
	case OPT_BOOL:
		assert(f->size == sizeof(bool));
		memcpy(field, &yes, sizeof(yes));
		return 0;
	case OPT_PATH:
		assert(f->size == sizeof(arg));
		memcpy(field, &arg, sizeof(arg));
		return 0;
	case OPT_CUSTOM:
		return f->parse(o, f, arg, err);
	case OPT_COUNT:
	case OPT_MS:
		if (parse_u64(arg, &v) != 0 || v < f->min || v > f->max)
			return bad_value(f, arg, err);
		store_u64(field, f->size, f->kind == OPT_MS ? v * 1000 : v);
		return 0;
	case OPT_MS_DECIMAL:
		if (parse_decimal(arg, &d) != 0 || d > (double)f->max)
			return bad_value(f, arg, err);
		store_u64(field, f->size, (uint64_t)llround(d * 1000.0));
		return 0;
	case OPT_TICK_RANGE:
	case OPT_MS_RANGE:
		return apply_range(o, f, arg, err);
	case OPT_PROB:
		if (parse_prob(arg, &d) != 0)
			return bad_value(f, arg, err);
		assert(f->size == sizeof(d));
		memcpy(field, &d, sizeof(d));
		return 0;
	}
	return options_usage_error(err, "--%s: internal: unknown kind",
				   f->name);
}

unsigned options_command_modes(enum raftsim_command command)
{
	switch (command) {
	case CMD_RUN:
		return IN_RUN;
	case CMD_CHECK:
		return IN_CHECK;
	case CMD_EXPLORE:
		return IN_EXPLORE;
	case CMD_FAILOVER:
		return IN_FAILOVERS;
	case CMD_TIMELINE:
		return IN_TIMELINE;
	case CMD_FIGURE8:
		return IN_FIGURE8;
	case CMD_REPORT:
		return IN_REPORT;
	case CMD_NODE:
		return IN_NODE;
	case CMD_CLIENT:
		return IN_CLIENT;
	case CMD_BENCH:
		return IN_BENCH;
	}
	return 0;
}

unsigned options_mode(const struct raftsim_options *o)
{
	if (o->command == CMD_RUN)
		return o->sim ? IN_SIM : IN_THREADS;
	if (o->command == CMD_FAILOVER)
		return o->threads ? IN_FAILOVER_THREADS : IN_FAILOVER;
	return options_command_modes(o->command);
}
