/* runtime_node.c - a node's thread and its inbox: the runtime's half of the
 * send path. See runtime.c for the lock order.
 *
 * A message's path, from the sender's transport to the receiver's
 * raft_step:
 *   1. the sender's thread, under its node lock, is in raft_step or
 *      raft_tick; the core calls its transport, the harness's node_send
 *      (harness.c): partition? (read under the net lock) then the
 *      message's fate, drawn from the sender's own generator
 *      (faults_message: lost, doubled, delayed);
 *   2. each surviving copy comes to runtime_deliver below, which pushes it
 *      into the receiver's mailbox (mailbox.c, the mailbox lock only),
 *      stamped "not before" now plus the fate's delay; a full mailbox, or
 *      a crashed node's closed one, drops it. With --transport tcp a copy
 *      for another node is queued for TCP instead (runtime_tcp.c), and
 *      the transport's thread pushes it into the mailbox on arrival;
 *   3. the receiver's thread wakes in mailbox_wait, takes its node lock and
 *      in handle_mail takes what is ready and calls raft_step (through
 *      harness_node_step: a client's request goes to the node's service
 *      instead). A paused node's mailbox is frozen: mail queues until it
 *      resumes.
 * A client's request enters at step 2 from the client thread
 * (harness_client_send); a node's reply to RAFT_CLIENT leaves at step 2
 * for the clients' inbox instead of a mailbox (runtime_clients.c).
 *
 * Tickless: the thread sleeps on its mailbox until mail is ready, or the
 * deadline (start + k * tick) of the tick on which its core next acts by
 * itself (raft_ticks_until_action: a heartbeat round, an election timeout),
 * or the end. The ticks before that one are silent, so it need not wake
 * for them: when it wakes it takes its node lock and replays every silent
 * tick that has passed, one raft_tick each, before it handles its mail.
 * The core and the tick counts are then exactly those of a thread that
 * woke on every tick, with a fraction of the wake-ups (node_turn).
 */
#include "clock.h"
#include "runtime_internal.h"

/* Mail handled per turn; the rest waits for the next turn, a few
 * microseconds later, so one busy node cannot starve its own ticks. */
#define NODE_BATCH 32

int64_t runtime_elapsed_us(const struct cluster *c)
{
	return clock_now_us() - c->start_us;
}

/* The harness's send path hands each copy of a message here: the
 * sender's thread, its node lock held. Never the receiver's node lock. A
 * full mailbox loses the copy although the run asked for no loss: that is
 * said (a crashed receiver's closed one is not: the crash is the fault). */
static int runtime_deliver(void *ctx, const struct raft_message *msg,
			   uint64_t extra_us)
{
	struct cluster *c = ctx;
	int64_t now = clock_now_us();
	enum mailbox_push_result rv = MAILBOX_FULL;
	struct raft_message copy;
	size_t bytes;
	void *extra;

	if (msg->to == RAFT_CLIENT && c->o->command == CMD_NODE)
		return runtime_remote_reply(c, msg, extra_us);
	if (msg->to == RAFT_CLIENT) /* a reply: the clients' inbox */
		return runtime_clients_deliver(c, msg, now + (int64_t)extra_us);
	if (c->tcp != NULL && msg->from != RAFT_CLIENT) /* over TCP */
		return runtime_tcp_send(c, msg, extra_us);
	/* A block that cannot be allocated loses the copy, said as a full
	 * mailbox would say it. A client's request lost so is not said: the
	 * client times out and retries, as for --drop (no peer lost mail). */
	if (harness_copy_message(&copy, msg, &extra, &bytes) != 0)
		rv = MAILBOX_FULL;
	else if (msg->from == RAFT_CLIENT)
		rv = runtime_clients_request(c, &copy, extra, bytes, now,
					     now + (int64_t)extra_us);
	else
		rv = mailbox_push(&c->node[msg->to].mb, &copy, extra, bytes,
				  now, now + (int64_t)extra_us);
	if (rv == MAILBOX_FULL && msg->from != RAFT_CLIENT)
		harness_report_loss(&c->h, msg->from, msg->to,
				    c->h.node[msg->from].tick);
	return rv == MAILBOX_OK ? 0 : -1;
}

/* The index of the first tick deadline strictly after `now`. */
static uint64_t tick_after(const struct cluster *c, int64_t now)
{
	int64_t since = now - c->start_us;

	return since < 0 ? 1 : (uint64_t)(since / c->tick_us) + 1;
}

/* The last tick whose deadline has come by `now`, up to the end. */
static uint64_t tick_at(const struct cluster *c, int64_t now)
{
	uint64_t tick = tick_after(c, now) - 1;

	return tick < c->o->ticks ? tick : c->o->ticks;
}

static int64_t deadline_of(const struct cluster *c, uint64_t tick)
{
	return c->start_us + (int64_t)tick * c->tick_us;
}

/* The tick on which the node next acts by itself; the ones before it are
 * silent. Node lock held, next_tick >= 1. */
static uint64_t action_tick(const struct rnode *rn)
{
	const struct raft_state *raft = &rn->c->h.node[rn->id].raft;

	return rn->next_tick - 1 + raft_ticks_until_action(raft);
}

/* When the thread should wake next at the latest: its next action, or the
 * end, when it replays the silent ticks left. Node lock held. */
static int64_t next_deadline(const struct rnode *rn)
{
	uint64_t tick;

	if (rn->resync)
		return 0; /* at once: its turn finds the present tick */
	if (rn->next_tick > rn->c->o->ticks)
		return INT64_MAX; /* ticks are over: mail only, until stop */
	tick = action_tick(rn);
	return deadline_of(rn->c,
			   tick < rn->c->o->ticks ? tick : rn->c->o->ticks);
}

/* Runs the node's ticks up to `last`, one raft_tick each, as it would
 * have run them on time: the caller knows they are silent. */
static void replay_ticks(struct rnode *rn, uint64_t last)
{
	struct harness_node *hn = &rn->c->h.node[rn->id];

	while (rn->next_tick <= last) {
		hn->tick = rn->next_tick;
		harness_node_tick(hn);
		rn->next_tick++;
	}
}

/* Replays the silent ticks whose deadlines have passed: all of them, or up
 * to the action's if that has passed too. Returns the action's tick. */
static uint64_t replay_passed(struct rnode *rn, uint64_t now_tick)
{
	uint64_t act;

	if (rn->next_tick > now_tick)
		return UINT64_MAX; /* nothing has passed */
	act = action_tick(rn);
	replay_ticks(rn, now_tick < act ? now_tick : act - 1);
	return act;
}

/* Whether the node's thread is a tick or more late for its acting tick at
 * `now` (node_turn says why that is the measure); reports it if so. Its
 * core's clock then fell behind real time (the ticks it skips are never
 * counted), so what it sent until now may not extend a lease: a lease read
 * waits for acknowledgements of later sends (raft_lease_clear, §6.4.1's
 * current clock). The simulator's nodes are never late. */
static void report_if_late(struct rnode *rn, uint64_t act, int64_t now)
{
	struct cluster *c = rn->c;
	int64_t late = now - deadline_of(c, act);

	if (act <= rn->c->o->ticks && late >= c->tick_us) {
		harness_report_late(&c->h, rn->id, act, late);
		raft_lease_clear(&c->h.node[rn->id].raft);
		rn->lease_clears++;
	}
}

/* A node going down replays the silent ticks it slept through; a thread
 * already late for its action says so now, since once down it never will
 * (a resumed node starts from the present). */
static void going_down(struct rnode *rn)
{
	int64_t now = clock_now_us();
	uint64_t act = replay_passed(rn, tick_at(rn->c, now));

	if (act != UINT64_MAX)
		report_if_late(rn, act, now);
}

/* How a node is frozen: its mailbox. Node lock held (the observer). A
 * node that goes down first replays the silent ticks it slept through, so
 * it stops having run the ticks it would have run awake; its thread, if
 * late for an action, is not overtaken: that tick is lost, as it would be
 * to any late thread. */
static void runtime_status_changed(void *ctx, int node, enum node_status status)
{
	struct cluster *c = ctx;
	struct rnode *rn = &c->node[node];

	if (status != NODE_UP && !rn->resync)
		going_down(rn);
	switch (status) {
	case NODE_PAUSED:
		mailbox_set_mode(&rn->mb, MAILBOX_FROZEN);
		break;
	case NODE_UP: /* resumed or restarted: ticks go on from now */
		rn->resync = true;
		mailbox_set_mode(&rn->mb, MAILBOX_RUN);
		break;
	case NODE_CRASHED:
		mailbox_set_mode(&rn->mb, MAILBOX_CLOSED);
		break;
	}
}

static int64_t runtime_now_us(void *ctx)
{
	return runtime_elapsed_us(ctx);
}

static pthread_mutex_t *lock_of(struct cluster *c, enum harness_lock which,
				int node)
{
	switch (which) {
	case HARNESS_LOCK_NODE:
		return &c->node[node].mu;
	case HARNESS_LOCK_NET:
		return &c->net_mu;
	case HARNESS_LOCK_FENCED:
		return &c->fenced_mu;
	case HARNESS_LOCK_EVENTS:
		break;
	}
	return &c->mon_mu;
}

static void runtime_lock(void *ctx, enum harness_lock which, int node)
{
	pthread_mutex_lock(lock_of(ctx, which, node));
}

static void runtime_unlock(void *ctx, enum harness_lock which, int node)
{
	pthread_mutex_unlock(lock_of(ctx, which, node));
}

static void runtime_load_applied(void *ctx, int node, uint64_t count)
{
	(void)node;
	(void)count;
	runtime_load_kick(ctx);
}

struct harness_ops runtime_node_ops(struct cluster *c)
{
	struct harness_ops ops = {
		.ctx = c,
		.deliver = runtime_deliver,
		.status_changed = runtime_status_changed,
		.now_us = runtime_now_us,
		.lock = runtime_lock,
		.unlock = runtime_unlock,
		.load_applied = runtime_load_applied,
	};

	return ops;
}

/* A slow node (--slow) takes one message a turn, and after it lets
 * (factor - 1) times what it took pass before it handles anything more
 * (runtime_node_main sleeps until slow_until, its node lock released). */
static void handle_mail(struct rnode *rn, struct mail *batch)
{
	struct harness_node *hn = &rn->c->h.node[rn->id];
	int64_t now = clock_now_us();
	int64_t since;
	int64_t start;
	int n;
	int i;

	if (now < rn->slow_until)
		return;
	n = mailbox_take(&rn->mb, batch, rn->slow > 1 ? 1 : NODE_BATCH, now);
	for (i = 0; i < n; i++) {
		since = batch[i].ready_us > batch[i].enqueued_us
				? batch[i].ready_us
				: batch[i].enqueued_us;
		start = clock_now_us();
		lathist_add(&rn->mail_wait, start - since);
		harness_node_take(hn, &batch[i].msg);
		if (rn->slow > 1) {
			int64_t done = clock_now_us();

			rn->slow_until = done + (int64_t)(rn->slow - 1) *
							(done - start);
		}
	}
	/* The clients' writes of this drain go as one proposal; their bytes
	 * live in the mail until then. */
	harness_node_drained(hn);
	for (i = 0; i < n; i++)
		mailbox_done(&batch[i]);
}

/* One turn of the node thread, node lock held: the silent ticks that have
 * passed, then the mail (it arrived before the deadline the thread woke
 * for), then the action's tick if its deadline has come. A node later than
 * its action's deadline (descheduled, or just resumed) runs that tick once,
 * for the present, and does not replay the ticks after it: as before the
 * runtime was tickless, lateness costs ticks only where they matter. */
static void node_turn(struct rnode *rn, struct mail *batch)
{
	struct cluster *c = rn->c;
	struct harness_node *hn = &c->h.node[rn->id];
	int64_t now = clock_now_us();
	uint64_t now_tick;
	uint64_t act;

	if (hn->status != NODE_UP)
		return; /* paused or crashed after the wake-up */
	if (rn->resync) {
		rn->next_tick = tick_after(c, now);
		rn->resync = false;
	}
	now_tick = tick_at(c, now);
	act = replay_passed(rn, now_tick);
	/* Late by a tick or more, the thread runs its acting tick in a later
	 * tick's slot: the machine, not Raft, held it back, as a pause would
	 * have. Said before the mail it then handles. Within a tick, the
	 * tick is run in its own slot and nothing of the schedule is lost. */
	if (act <= now_tick)
		report_if_late(rn, act, now);
	handle_mail(rn, batch);
	if (act > now_tick)
		return;
	lathist_add(&rn->tick_late, now - deadline_of(c, act));
	hn->tick = now_tick;
	harness_node_tick(hn);
	rn->next_tick = now_tick + 1;
}

void runtime_report_stuck(struct cluster *c)
{
	int64_t now = clock_now_us();
	struct rnode *rn;
	int i;

	for (i = 0; i < c->n; i++) {
		rn = &c->node[i];
		if (!harness_node_local(&c->h, i))
			continue;
		pthread_mutex_lock(&rn->mu);
		if (c->h.node[i].status == NODE_UP && !rn->resync &&
		    rn->next_tick <= c->o->ticks)
			report_if_late(rn, action_tick(rn), now);
		pthread_mutex_unlock(&rn->mu);
	}
}

static void gate_wait(struct cluster *c)
{
	pthread_mutex_lock(&c->gate_mu);
	while (!c->gate_open)
		pthread_cond_wait(&c->gate_cond, &c->gate_mu);
	pthread_mutex_unlock(&c->gate_mu);
}

void *runtime_node_main(void *arg)
{
	struct rnode *rn = arg;
	struct mail batch[NODE_BATCH];
	int64_t slow_until;
	int64_t deadline;
	bool kick;

	gate_wait(rn->c);
	pthread_mutex_lock(&rn->mu);
	deadline = next_deadline(rn);
	pthread_mutex_unlock(&rn->mu);
	while (!mailbox_wait(&rn->mb, deadline)) {
		pthread_mutex_lock(&rn->mu);
		rn->in_turn = true;
		node_turn(rn, batch);
		/* Group commit: one fdatasync for the whole turn, under the
		 * node lock (runtime.c's lock order says why). */
		harness_node_persist(&rn->c->h.node[rn->id], true);
		rn->in_turn = false;
		kick = rn->kick_clients > 0;
		rn->kick_clients = 0;
		deadline = next_deadline(rn);
		slow_until = rn->slow_until;
		pthread_mutex_unlock(&rn->mu);
		if (kick) /* once for every reply of the turn */
			runtime_clients_kick(rn->c);
		if (slow_until > clock_now_us() &&
		    mailbox_sleep_until(&rn->mb, slow_until))
			break;
	}
	return NULL;
}
