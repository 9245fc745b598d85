/*
 * outbox.h: dispatching notification jobs to workers (PROTOCOL.md, "Worker
 * protocol"). Jobs live in the store (DB_OUTBOX, with pending ones indexed
 * by due time in DB_OUTBOX_DUE and in-flight ones in DB_OUTBOX_INFLIGHT);
 * which worker holds which job, and the
 * workers' credit and liveness, live here in memory. A daemon restart forgets
 * every lease, so outbox_recover makes every in-flight job pending again.
 *
 * In a loop turn the server calls outbox_recv to read worker messages, then
 * (inside the turn's write transaction) outbox_apply to act on them, expire
 * silent workers and stale leases, and lease due jobs to workers with
 * credit; after the commit, outbox_send sends what outbox_apply prepared.
 */
#ifndef PW_OUTBOX_H
#define PW_OUTBOX_H

#include <stdint.h>

#include "wctx.h"

struct outbox;

struct outbox *outbox_new(void);
void outbox_free(struct outbox **ob);

/* Read up to max waiting messages from the workers ROUTER socket; returns how many. */
int outbox_recv(struct outbox *ob, void *sock, int max);

/*
 * Whether outbox_apply has anything to do at business time now and
 * monotonic time mono (seconds): messages to act on, a silent worker or
 * stale lease to expire, or a due job (at or before *next_due) for a worker
 * with credit. *next_due is the earliest due time known (INT64_MAX if none).
 */
int outbox_has_work(const struct outbox *ob, int64_t now, double mono);

/*
 * Act on the messages read, expire workers and leases, and lease due jobs,
 * in c's transaction (c->now is business time). Events go to c->events.
 * Returns 0 or PW_ESTORE (the caller aborts and calls outbox_rollback).
 */
int outbox_apply(struct outbox *ob, struct wctx *c, double mono);

/* The turn's transaction did not commit: forget what outbox_apply prepared and resync. */
void outbox_rollback(struct outbox *ob);

/* After the commit: send the replies and jobs outbox_apply prepared. */
void outbox_send(struct outbox *ob, void *sock);

/* At start-up, in a write transaction: make every in-flight job pending again now. */
int outbox_recover(struct outbox *ob, struct wctx *c);

/* Worker count and jobs in flight (for system.ping and logs). */
void outbox_stats(const struct outbox *ob, int *workers, int *inflight);

/*
 * A dead job's "dead_job" timer t fell due (outbox.dead_days after it
 * died): its content is dropped (outbox_jobs.c). Returns 0 or PW_ESTORE.
 */
int outbox_dead_purge(struct wctx *c, const json_t *t);

#endif
