/*
 * request.h: one request of the api socket (request.c). The server reads a
 * batch of them, applies each in the batch's transaction, commits once,
 * then sends their replies and publishes their events.
 */
#ifndef PW_REQUEST_H
#define PW_REQUEST_H

#include <jansson.h>
#include <lmdb.h>
#include <zmq.h>

#include "access.h"
#include "clock.h"
#include "cmd/cmd.h"
#include "config.h"
#include "proto.h"
#include "store.h"

#define MAX_FRAMES 5 /* routing id + up to 3 empty frames + the request */

/* What a request needs of the server; cfg follows reloads. */
struct request_env {
	struct store *store;
	const struct pw_config *cfg;
	struct pw_clock *clock;
	struct access *access;
	void *api;
};

/* One request of a batch, from receipt to reply. */
struct pending {
	zmq_msg_t frames[MAX_FRAMES];
	int nframes;
	struct pw_request req;
	const struct cmd_entry *cmd;
	json_t *reply;
	char *reply_text; /* reply as encoded to be stored under its id, or NULL: sent as it is */
	json_t *events;	  /* to publish once the batch has committed */
	int needs_commit; /* the reply was read in the batch's transaction: void if it fails */
};

/* Receive one whole message without waiting: how many frames it had (0: none waiting). */
int request_recv(const struct request_env *e, struct pending *p);
/* Release what p holds. */
void request_clear(struct pending *p);
/* Make p's reply the error code with msg. */
void request_fail(struct pending *p, int code, const char *msg);
/* Check the frames and decode the request; on failure the error reply is set. */
int request_decode(const struct request_env *e, struct pending *p);
/*
 * Run a decoded request in txn (in a child transaction of its own): the
 * reply, and the events to publish once txn commits, are left in p.
 */
void request_apply(const struct request_env *e, MDB_txn *txn, struct pending *p);
/*
 * A command that runs outside the transaction (backup) is checked inside it
 * first (request_check_outside), then run after the commit (request_outside).
 */
void request_check_outside(const struct request_env *e, MDB_txn *txn, struct pending *p);
void request_outside(const struct request_env *e, struct pending *p);
/* Send p's reply to its peer (never waiting: a peer that does not read loses it). */
void request_send(const struct request_env *e, struct pending *p);

#endif
