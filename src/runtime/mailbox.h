/* mailbox.h - a node's bounded inbox: a preallocated ring guarded by a mutex,
 * with a condition variable the owner sleeps on until mail or a deadline.
 *
 * Any thread may push; only the owning node thread takes. A push never
 * blocks: when the ring is full the message is dropped and counted. Each
 * entry carries a "ready" time, so a delayed (reordered) message can stay
 * queued while later ones overtake it. Nothing is allocated after init.
 *
 * A message that points to entries or a snapshot chunk comes with its own
 * copy of them, one block (harness_copy_message): the mailbox owns it from
 * the push on, frees it when the push is refused or the ring is emptied
 * (closed, destroyed), and hands it to the owner with the message, who
 * frees it after raft_step.
 */
#ifndef MAILBOX_H
#define MAILBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "raft_msg.h"

struct mail {
	struct raft_message msg;
	void *extra;         /* what msg points to, or NULL; owned */
	size_t bytes;        /* extra's size */
	int64_t enqueued_us; /* monotonic time of the push */
	int64_t ready_us;    /* not handled before this time */
};

/* What the owner may do with its mail. */
enum mailbox_mode {
	MAILBOX_RUN,    /* handle mail and ticks */
	MAILBOX_FROZEN, /* paused: mail keeps queueing, the owner waits */
	MAILBOX_CLOSED, /* crashed: queue emptied, pushes dropped */
};

enum mailbox_push_result { MAILBOX_OK, MAILBOX_FULL, MAILBOX_DROPPED };

struct mailbox {
	pthread_mutex_t mu;
	pthread_cond_t cond; /* CLOCK_MONOTONIC; only the owner waits */
	struct mail *ring;
	unsigned cap;
	unsigned head;
	unsigned count;
	enum mailbox_mode mode;
	bool stop; /* the run is over: the owner returns */
	uint64_t dropped_full;
	uint64_t dropped_closed;
	unsigned peak;       /* the most messages ever queued at once */
	uint64_t bytes;      /* blocks queued now (taken: no longer) */
	uint64_t bytes_peak; /* the most ever queued at once */
};

/* Returns 0, or an errno value (the ring could not be allocated). */
int mailbox_init(struct mailbox *mb, unsigned cap);
void mailbox_destroy(struct mailbox *mb);

/* Queues a copy of msg with its block (extra, `bytes` long, or NULL), to
 * be handled from ready_us on. Never blocks. A refused push frees extra. */
enum mailbox_push_result mailbox_push(struct mailbox *mb,
				      const struct raft_message *msg,
				      void *extra, size_t bytes, int64_t now_us,
				      int64_t ready_us);

/* The same without waking the owner: a pusher that queues several
 * messages in a row wakes it once, after the last, with mailbox_kick (the
 * owner then takes them in one turn). A quiet push must be followed by a
 * kick, or the owner may sleep on it until its next deadline. */
enum mailbox_push_result mailbox_push_quiet(struct mailbox *mb,
					    const struct raft_message *msg,
					    void *extra, size_t bytes,
					    int64_t now_us, int64_t ready_us);
void mailbox_kick(struct mailbox *mb);

/* Owner: the end of a message it took (handled): frees its block. */
void mailbox_done(struct mail *m);

/* Owner: waits until the run stops, or (unless frozen) a message is ready
 * or the monotonic time deadline_us has come, or a frozen or closed
 * mailbox runs again (the owner's deadline is then out of date). Returns
 * true once stopped. */
bool mailbox_wait(struct mailbox *mb, int64_t deadline_us);

/* Owner: sleeps until the monotonic time deadline_us whatever the mail
 * (--slow: a node still busy with its last message). Returns true once
 * stopped. */
bool mailbox_sleep_until(struct mailbox *mb, int64_t deadline_us);

/* Owner: moves up to max messages that are ready at now_us into out, oldest
 * first, and returns how many. Messages not yet ready stay queued. */
int mailbox_take(struct mailbox *mb, struct mail *out, int max, int64_t now_us);

/* Changes the mode (CLOSED also empties the ring) and wakes the owner. */
void mailbox_set_mode(struct mailbox *mb, enum mailbox_mode mode);

/* Ends the owner's waits for good. */
void mailbox_stop(struct mailbox *mb);

#endif
