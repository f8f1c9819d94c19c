/* wire.h - raftsim's wire format: frames on a TCP stream, and the
 * fixed-endian encoding of struct raft_message inside them. Pure: no I/O,
 * no allocation except the one block a decoded message's entries, chunk or
 * client bytes live in (as harness_copy_message's, so the message can go
 * straight into a mailbox).
 *
 * A frame (all integers little-endian):
 *   offset size  field
 *   0      4     magic      WIRE_MAGIC ("RSIM" read as bytes R S I M)
 *   4      1     version    WIRE_VERSION
 *   5      1     type       enum wire_type
 *   6      2     reserved   0 (a non-zero value is refused)
 *   8      4     length     payload bytes, at most WIRE_MAX_PAYLOAD
 *   12     4     crc        CRC32C of bytes 0..11 and the payload
 *   16     len   payload
 * A receiver that finds a bad magic (WIRE_EMAGIC), version (EVERSION),
 * type (ETYPE), reserved field (EVALUE), length (ELENGTH) or CRC (ECRC)
 * closes the connection: the stream cannot be trusted to
 * frame anything after it.
 *
 * Payloads:
 *   WIRE_HELLO     the dialer's half of the handshake (struct wire_hello)
 *   WIRE_CHALLENGE the acceptor's answer (struct wire_challenge)
 *   WIRE_AUTH      the dialer's proof (struct wire_auth)
 *   WIRE_RAFT      one struct raft_message (wire_encode_message)
 * The handshake (tcp.c): HELLO carries the cluster id, the dialer's kind
 * (node or client) and id, the id it believes it reached, and a nonce;
 * CHALLENGE the acceptor's id and nonce, and with --secret an HMAC-SHA256
 * over both nonces and ids that proves the acceptor holds the secret; AUTH
 * the dialer's HMAC over the same with its own label. Without --secret
 * both MACs are zero and both sides' flags say so; a side whose secret
 * setting differs from its peer's refuses the connection.
 */
#ifndef NET_WIRE_H
#define NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft_msg.h"

#define WIRE_MAGIC 0x4d495352u /* bytes "RSIM" */
#define WIRE_VERSION 1
#define WIRE_HEADER_BYTES 16
/* A frame's payload at most: 66 MiB. The largest AppendEntries is
 * --max-batch-bytes (at most 64 MiB, counting RAFT_ENTRY_OVERHEAD = 24,
 * an entry's encoded fields, per entry) plus at most one entry of up to
 * --payload's 1 MiB that a batch may go over by, plus its ~90 bytes of
 * headers; the largest snapshot chunk is --snapshot-chunk (64 MiB) plus
 * ~70. A larger length is refused before anything is allocated. */
#define WIRE_MAX_PAYLOAD (66u << 20)
#define WIRE_NONCE_BYTES 16
#define WIRE_MAC_BYTES 32

enum wire_type {
	WIRE_HELLO = 1,
	WIRE_CHALLENGE = 2,
	WIRE_AUTH = 3,
	WIRE_RAFT = 4,
	WIRE_TYPE_END
};

/* Who dials: a node of the cluster, or a client (raftsim client, bench). */
enum wire_kind { WIRE_KIND_NODE = 1, WIRE_KIND_CLIENT = 2 };

/* wire_hello.flags, wire_challenge.flags */
#define WIRE_FLAG_SECRET 1u /* this side authenticates with --secret */

struct wire_hello {
	uint64_t cluster_id;
	uint8_t kind; /* enum wire_kind */
	uint32_t flags;
	int32_t from; /* a node id, or a client id */
	int32_t to;   /* the node id the dialer means to reach */
	uint8_t nonce[WIRE_NONCE_BYTES];
};

struct wire_challenge {
	uint64_t cluster_id;
	uint32_t flags;
	int32_t id; /* the acceptor's node id */
	uint8_t nonce[WIRE_NONCE_BYTES];
	uint8_t mac[WIRE_MAC_BYTES]; /* zero without --secret */
};

struct wire_auth {
	uint8_t mac[WIRE_MAC_BYTES]; /* zero without --secret */
};

/* A decoded frame header. */
struct wire_header {
	uint8_t type;
	uint32_t length;
	uint32_t crc;
};

/* Result codes of the decoders: 0, or one of these (wire_error_name says
 * it in words for the log line). */
enum wire_error {
	WIRE_OK = 0,
	WIRE_ESHORT = -1,   /* fewer bytes than the structure needs */
	WIRE_EMAGIC = -2,   /* not a raftsim frame */
	WIRE_EVERSION = -3, /* another protocol version */
	WIRE_ETYPE = -4,    /* an unknown frame or message type */
	WIRE_ELENGTH = -5,  /* a length over the limit or inconsistent */
	WIRE_ECRC = -6,     /* the CRC does not match */
	WIRE_EVALUE = -7,   /* a field out of range (ids, counts, flags) */
	WIRE_ENOMEM = -8,   /* the message's block could not be allocated */
};
const char *wire_error_name(int err);

/* Writes a frame header for `type` and `payload` (len bytes) into
 * out[WIRE_HEADER_BYTES], CRC included. */
void wire_put_header(uint8_t *out, enum wire_type type, const uint8_t *payload,
		     uint32_t len);

/* Reads the 16 header bytes: magic, version, type, reserved and length
 * are checked here; the CRC, once the payload is in, by wire_check_crc. */
int wire_get_header(const uint8_t *in, struct wire_header *hdr);
int wire_check_crc(const uint8_t *header, const uint8_t *payload, uint32_t len);

/* Handshake payloads: encode returns the bytes written (at most cap;
 * 0 if cap is too small), decode a wire_error. */
size_t wire_encode_hello(const struct wire_hello *h, uint8_t *buf, size_t cap);
int wire_decode_hello(const uint8_t *buf, size_t len, struct wire_hello *h);
size_t wire_encode_challenge(const struct wire_challenge *c, uint8_t *buf,
			     size_t cap);
int wire_decode_challenge(const uint8_t *buf, size_t len,
			  struct wire_challenge *c);
size_t wire_encode_auth(const struct wire_auth *a, uint8_t *buf, size_t cap);
int wire_decode_auth(const uint8_t *buf, size_t len, struct wire_auth *a);

/* A raft message, with `delay_us`: the sender's fault model's extra delay
 * (--reorder), which the receiver honours as the mailbox's "not before".
 * wire_message_size: the payload bytes wire_encode_message writes, which
 * returns 0 (nothing written) when cap is too small, the size is over
 * WIRE_MAX_PAYLOAD, or the type never crosses the wire (PROPOSE). */
size_t wire_message_size(const struct raft_message *m);
size_t wire_encode_message(const struct raft_message *m, uint32_t delay_us,
			   uint8_t *buf, size_t cap);

/* Decodes a WIRE_RAFT payload into *m and one malloc'd block *extra
 * (*extra_bytes long; NULL and 0 when the message carries nothing) that
 * m's entries, chunk or client bytes point into; the caller frees it.
 * Every count, length and id is checked against `len` and `nodes` before
 * anything is allocated: a node id must be in [0, nodes), or RAFT_CLIENT
 * at exactly one end of a CLIENT message. Also refused (WIRE_EVALUE): a
 * body term other than the envelope's, entries whose indexes do not run
 * prev_log_index + 1, + 2, ..., an entry type outside enum
 * raft_entry_type, a boolean other than 0/1, a snapshot chunk past its
 * total. The layout: wire_msg.c. Returns a wire_error; on error nothing
 * is allocated. */
int wire_decode_message(const uint8_t *buf, size_t len, int nodes,
			struct raft_message *m, uint32_t *delay_us,
			void **extra, size_t *extra_bytes);

#endif
