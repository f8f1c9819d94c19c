/* options_usage.c - the help text, and a command line that replays a run. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

static const char usage_text[] =
"Usage: raftsim [run] [FLAGS]          run a Raft cluster (threads, real time)\n"
"       raftsim [run] --sim [FLAGS]    the same cluster in virtual time\n"
"       raftsim check FILE             verify a JSONL trace; exit 0, 1 or 2\n"
"       raftsim explore [FLAGS]        many simulated runs with random faults\n"
"       raftsim failover [FLAGS]       measure leader failover (Raft Fig. 16)\n"
"\n"
"Cluster:\n"
"  --nodes N               nodes, 1 to 256 (default 3)\n"
"  --ticks T               ticks to run, >= 1 (default 100)\n"
"  --tick-ms MS            length of a tick in ms (default 10)\n"
"  --heartbeat-ticks H     ticks between heartbeats (default 3)\n"
"  --election-ticks MIN-MAX  election timeout range in ticks (default 10-20);\n"
"                          H must be shorter than MIN\n"
"  --seed S                random seed (default: from the clock; printed)\n"
"  --trace FILE            write a JSONL trace (schema 1, see README)\n"
"  --mailbox N             messages a node's mailbox holds (default 1024)\n"
"  --prevote               Pre-Vote (Raft thesis 9.6)\n"
"  --check-quorum          leaders step down without a live majority\n"
"  --ranked-timeouts       election timeouts in per-node slots (no ties)\n"
"  --mistake NAME          inject a lesson mistake: long-heartbeat, no-reset,\n"
"                          fixed-timeout, no-stepdown, double-vote\n"
"  -q, --quiet             print only the summary\n"
"  -h, --help              this text\n"
"  -V, --version           the version\n"
"\n"
"Faults (repeatable where a WHO appears):\n"
"  --pause WHO@TICK:LEN    freeze node WHO (an id, or 'leader') at TICK for LEN\n"
"  --pause-prob P          each tick, each running node freezes with prob. P\n"
"  --pause-ticks MIN-MAX   length of random pauses (default 10-40)\n"
"  --crash WHO@TICK:LEN    crash WHO at TICK; it restarts LEN ticks later\n"
"  --crash-prob P          per node per tick (lengths: --crash-ticks, 10-40)\n"
"  --partition TICK:LEN:GROUPS  split the network, e.g. 10:30:0,1|2,3,4;\n"
"                          unlisted nodes form one more group\n"
"  --partition-prob P      per tick (lengths: --partition-ticks, 10-50)\n"
"  --drop P                lose each message with probability P\n"
"  --dup P                 deliver a message twice with probability P\n"
"  --reorder P             delay a message by up to one heartbeat interval\n"
"  --latency-ms MIN-MAX    simulator message latency (default 1-5)\n"
"\n"
"explore:   --runs N (default 100), --jobs J (default 2), the cluster\n"
"           flags; it draws each run's faults itself\n"
"failover:  --trials N (default 100), --election-ms MIN-MAX[,MIN-MAX...]\n"
"           (default 150-300), --heartbeat-ms H (default MIN/2),\n"
"           --latency-ms, --disk-ms D, --disk-parallel (only vote replies\n"
"           wait for the disk), --csv FILE, --svg FILE, --threads,\n"
"           --stale K (K survivors hold stale logs and cannot win),\n"
"           --first-ranked up|down|cut (the next-ranked follower crashes\n"
"           with the leader, or is partitioned away), --jobs J\n"
"\n"
"Exit status: 0 pass, 1 a Raft invariant was violated (or a spurious\n"
"election in a run without faults), 2 bad usage.\n";

void options_usage(const struct raftsim_options *o, FILE *out)
{
	(void)o;
	fputs(usage_text, out);
}

/* Appends to buf, remembering overflow in *ok. */
static void add(char *buf, size_t size, size_t *len, int *ok,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(char *buf, size_t size, size_t *len, int *ok,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!*ok)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len) {
		*ok = 0;
		return;
	}
	*len += (size_t)n;
}

/* A probability as the parser reads it back: plain decimals, no exponent. */
static const char *prob_text(double p, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%.12f", p);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	return buf;
}

static void add_window(char *buf, size_t size, size_t *len, int *ok,
		       const char *flag, const struct fault_window *w)
{
	if (w->who == WHO_LEADER)
		add(buf, size, len, ok, " %s leader@%" PRIu64 ":%" PRIu64,
		    flag, w->tick, w->len);
	else
		add(buf, size, len, ok, " %s %d@%" PRIu64 ":%" PRIu64, flag,
		    w->who, w->tick, w->len);
}

int options_format_command(const struct raftsim_options *o, char *buf,
			   size_t size)
{
	size_t len = 0;
	int ok = 1;
	int i, n, g;
	unsigned bit;
	char num[32];

	add(buf, size, &len, &ok,
	    "raftsim%s --nodes %d --ticks %" PRIu64 " --tick-ms %" PRIu64
	    " --heartbeat-ticks %u --election-ticks %" PRIu64 "-%" PRIu64,
	    o->sim ? " --sim" : "", o->nodes, o->ticks, o->tick_us / 1000,
	    o->heartbeat_ticks, o->election.min, o->election.max);
	if (o->sim)
		add(buf, size, &len, &ok,
		    " --latency-ms %" PRIu64 ".%03" PRIu64 "-%" PRIu64
		    ".%03" PRIu64,
		    o->latency_us.min / 1000, o->latency_us.min % 1000,
		    o->latency_us.max / 1000, o->latency_us.max % 1000);
	for (i = 0; i < o->pause_count; i++)
		add_window(buf, size, &len, &ok, "--pause", &o->pauses[i]);
	for (i = 0; i < o->crash_count; i++)
		add_window(buf, size, &len, &ok, "--crash", &o->crashes[i]);
	for (i = 0; i < o->partition_count; i++) {
		const struct partition_window *p = &o->partitions[i];

		/* Quoted: '|' means a pipe to the shell. */
		add(buf, size, &len, &ok, " --partition '%" PRIu64 ":%" PRIu64 ":",
		    p->tick, p->len);
		for (g = 0, n = 0; n < o->nodes; g++) {
			int j, first = 1;

			for (j = 0; j < o->nodes; j++) {
				if (p->group_of[j] != g)
					continue;
				add(buf, size, &len, &ok, "%s%d",
				    first ? (g > 0 && n > 0 ? "|" : "") : ",",
				    j);
				first = 0;
				n++;
			}
		}
		add(buf, size, &len, &ok, "'");
	}
	if (o->pause_prob > 0)
		add(buf, size, &len, &ok,
		    " --pause-prob %s --pause-ticks %" PRIu64 "-%" PRIu64,
		    prob_text(o->pause_prob, num, sizeof(num)), o->pause_ticks.min, o->pause_ticks.max);
	if (o->crash_prob > 0)
		add(buf, size, &len, &ok,
		    " --crash-prob %s --crash-ticks %" PRIu64 "-%" PRIu64,
		    prob_text(o->crash_prob, num, sizeof(num)), o->crash_ticks.min, o->crash_ticks.max);
	if (o->partition_prob > 0)
		add(buf, size, &len, &ok,
		    " --partition-prob %s --partition-ticks %" PRIu64
		    "-%" PRIu64,
		    prob_text(o->partition_prob, num, sizeof(num)),
		    o->partition_ticks.min,
		    o->partition_ticks.max);
	if (o->drop > 0)
		add(buf, size, &len, &ok, " --drop %s", prob_text(o->drop, num, sizeof(num)));
	if (o->dup > 0)
		add(buf, size, &len, &ok, " --dup %s", prob_text(o->dup, num, sizeof(num)));
	if (o->reorder > 0)
		add(buf, size, &len, &ok, " --reorder %s", prob_text(o->reorder, num, sizeof(num)));
	if (o->mailbox != OPT_DEFAULT_MAILBOX) /* a paused node's can fill */
		add(buf, size, &len, &ok, " --mailbox %u", o->mailbox);
	if (o->prevote)
		add(buf, size, &len, &ok, " --prevote");
	if (o->check_quorum)
		add(buf, size, &len, &ok, " --check-quorum");
	if (o->ranked_timeouts)
		add(buf, size, &len, &ok, " --ranked-timeouts");
	for (bit = 1; bit != 0 && bit <= o->mistakes; bit <<= 1)
		if (o->mistakes & bit)
			add(buf, size, &len, &ok, " --mistake %s",
			    options_mistake_name(bit));
	add(buf, size, &len, &ok, " --seed %" PRIu64, o->seed);
	return ok ? 0 : -1;
}
