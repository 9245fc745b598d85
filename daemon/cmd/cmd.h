/*
 * cmd.h: the API's command table (cmd/table.c). Each entry names a wire
 * command, the roles that may issue it at all, its argument schema and the
 * function that runs it inside a transaction: load the records it refers
 * to, let the engine decide, store the result, append its events. The
 * server owns the transactions, replies and publishing; a command only sees
 * its write context (wctx.h).
 */
#ifndef PW_CMD_H
#define PW_CMD_H

#include <jansson.h>
#include <lmdb.h>
#include <stdint.h>

#include "config.h"
#include "proto.h"
#include "store.h"
#include "wctx.h"

enum {
	CMD_WRITES = 1,	      /* changes state: idempotent by request id, reply after commit */
	CMD_OUTSIDE_TXN = 2,  /* runs after the batch commits, with no transaction */
	CMD_MANUAL_CLOCK = 4, /* exists only when the daemon runs on a manual clock */
	CMD_OPERATOR = 8,     /* only the operator principal (a local peer, an operator key) */
	CMD_ANONYMOUS = 16,   /* anyone, before they are anyone: pathway-web's login pages */
};

struct cmd_entry {
	const char *name;
	int roles; /* bitmask of roles that may issue it; la_adviser always may */
	unsigned flags;
	const struct proto_field *args;
	int (*run)(struct wctx *c, const json_t *args, json_t **data);
};

/* The entry for a wire command name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

/*
 * Load the actor's person record (the configured operator is a built-in LA
 * adviser, "viewer" the built-in viewer a viewer key reads as). Returns 0, PW_EUNKNOWN_ACTOR or
 * PW_ESTORE; *actor is a new reference.
 */
int cmd_actor_load(struct store *s, MDB_txn *txn, const struct pw_config *cfg, const char *id,
		   json_t **actor, struct pw_status *st);

/* Whether the actor (a person record) holds a role that may issue e. */
int cmd_allowed(const struct cmd_entry *e, const json_t *actor);

/*
 * Run e with args in c: check the arguments and the actor's role, then run
 * it. On success *data is the reply's data (new reference) and c->events
 * holds the events appended. On failure returns the error with c->st filled;
 * the caller must abort c->txn.
 */
int cmd_run(const struct cmd_entry *e, struct wctx *c, const json_t *args, json_t **data);

/* Apply the server-side effects of an OUTSIDE_TXN command (system.backup). */
int cmd_run_outside(const struct cmd_entry *e, struct store *s, const struct pw_config *cfg,
		    const json_t *args, json_t **data, struct pw_status *st);

#endif
