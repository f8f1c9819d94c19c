/* service.h - a node's client service: what a node does with a client's
 * RAFT_MSG_CLIENT request, and the fenced store its leaders write to.
 * Pure like the core (no locks, clocks or I/O): the harness calls it in
 * the node's own step, under its node lock, and its replies leave through
 * the harness's send path, to RAFT_CLIENT.
 *
 * A request (kv_cmd bytes) that reaches node n:
 *  - n does not lead: KV_STATUS_NOT_LEADER with its leader_id as the hint;
 *  - a write, a registration, or a get with --reads log: proposed as one
 *    command entry (raft_propose; RAFT_EBUSY -> KV_STATUS_RETRY); n keeps
 *    (client, seq) pending and answers when its store applies the entry
 *    (kv_hooks.applied), whatever index it landed at;
 *  - a get with --reads readindex: raft_read_index, then answered from the
 *    store once raft_read_ready and last_applied >= the read index;
 *  - a get with --reads lease: answered at once from the store while
 *    raft_lease_valid, else as with readindex;
 *  - with the stale-read mistake: a get is answered at once from the store
 *    of a node that believes it leads.
 * Pending requests are dropped when n stops leading (the client times out
 * and retries: the session makes that safe).
 *
 * The fenced store (Kleppmann's storage service; lesson L05) stands outside
 * the cluster: one per run, shared by every node, with its own lock in a
 * threaded driver. A leader applying a write mirrors it there with its
 * term as the token; the write leaves at the node's next tick (a write
 * that is delayed, like a client's after a GC pause: a leader paused in
 * between sends it when it resumes). The store keeps the highest token it
 * has seen and refuses lower ones (with no-fencing it takes any).
 */
