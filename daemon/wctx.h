/*
 * wctx.h: the write context of a command or of one of the daemon's own
 * turns (timers, the outbox): the transaction everything it does is written
 * in, the configuration and time it runs against, who is acting, and the
 * events it has appended so far. Emitting an event here stores it in the log
 * and writes the notifications it causes in the same transaction, so a
 * state change, its events and its email commit together or not at all.
 *
 * This module sits below every file that changes state (cmd/, timers,
 * digest, opportunities, the outbox): they call it, it calls none of them.
 */
#ifndef PW_WCTX_H
#define PW_WCTX_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "proto.h"
#include "store.h"

struct principal;

struct wctx {
	struct store *store;
	MDB_txn *txn; /* the command's own (child) transaction */
	const struct pw_config *cfg;
	int64_t now;
	struct pw_clock *clock;
	const char *actor_id;
	json_t *actor;	 /* the actor's person record */
	const char *via; /* "operator" or "web" when that principal acts for actor_id, else NULL */
	const struct principal *principal; /* who sent the request (auth.h); NULL for pathwayd */
	const struct token_claims *token;  /* the request's verified person token, or NULL */
	json_t *events;	 /* [topic, canonical bytes] of each event appended, in order */
	json_t *cstates; /* cohort states loaded by this command */
	json_t *loaded;	 /* records the engine reads, loaded once by this command (cmd/base.c) */
	struct pw_status *st;
};

/*
 * Append ev to the event log with the actor, time and via (when set) filled
 * in (an ev with "actor": null keeps no actor: who acted is withheld), write the
 * notifications it causes (notify_event), and add [topic, its canonical bytes]
 * to c->events, what the stream sends once the batch commits. ev stays
 * the caller's. Returns 0 or the store's error with c->st filled; on error
 * the caller aborts c->txn.
 */
int wctx_emit(struct wctx *c, json_t *ev);

/* Emit an event of type whose data is { key: id }. */
int wctx_emit_simple(struct wctx *c, const char *type, const char *key, const char *id);

#endif
