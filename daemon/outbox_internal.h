/*
 * outbox_internal.h: inside the outbox, shared by its files (other callers
 * use outbox.h). The files are layered, each calling only those below it:
 * outbox.c (the turn: recovery, expiry, dispatch of due jobs) over
 * outbox_workers.c (the worker protocol: frames, workers, leases, messages)
 * over outbox_jobs.c (a job's states in the store).
 */
#ifndef PW_OUTBOX_INTERNAL_H
#define PW_OUTBOX_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "util.h"

#define IDENT_MAX 256

struct worker {
	unsigned char ident[IDENT_MAX];
	size_t ident_len;
	char name[64];
	int capacity; /* jobs it said it can hold */
	double last_seen;
};

struct lease {
	char job[PW_ID_MAX + 1];
	size_t worker;
	double expires;
	int fresh; /* made this turn: undone if the turn does not commit */
};

/* One message as it came from or goes to a worker's socket. */
struct wire {
	unsigned char ident[IDENT_MAX];
	size_t ident_len;
	int delimited; /* the peer put an empty frame before the body */
	char *body;
	size_t len;
	char key[PW_ID_MAX + 1]; /* curve mode: the sender's key (ZAP's User-Id); else "" */
};

struct outbox {
	struct worker *workers;
	size_t nworkers;
	struct lease *leases;
	size_t nleases;
	struct wire *in, *out;
	size_t nin, nout;
	int64_t next_due;
	int lease_secs, worker_timeout;
	int resync;
};

/* outbox_jobs.c: each returns 0 or PW_ESTORE (c->st filled), and changes job to match. */

/* Make job pending again, due at 'at', and no longer in flight. */
int outbox_job_requeue(struct wctx *c, json_t *job, int64_t at);

/* Lease job (stored under id) to the worker named worker for lease_secs: in flight. */
int outbox_job_lease(struct wctx *c, const char *id, json_t *job, const char *worker,
		     int lease_secs);

/* job is dead (why says what killed it): kept for `outbox retry`; the LA is alerted. */
int outbox_job_kill(struct wctx *c, json_t *job, const char *why);

/* job was delivered: it goes, with a notification.sent event. */
int outbox_job_done(struct wctx *c, json_t *job);

/*
 * Delivering job failed for now (why): pending again after a back-off that
 * doubles with each attempt, or dead once that would outlive
 * outbox.lifetime_hours.
 */
int outbox_job_retry(struct wctx *c, json_t *job, const char *why);

/*
 * Once per store: dead jobs from before their window existed (no "died")
 * are given one from now (meta "dead_jobs_armed" notes it is done).
 */
int outbox_dead_arm(struct wctx *c);

/* Delivering job failed for good (why): it is dead. */
int outbox_job_fail(struct wctx *c, json_t *job, const char *why);

/* outbox_workers.c */

/* Free the n messages of *w and empty the list. */
void outbox_wires_clear(struct wire **w, size_t *n);

/*
 * Act on one message read from a worker at monotonic time mono, queueing
 * the reply. Returns 0 (also when the message is refused with an error
 * reply) or PW_ESTORE.
 */
int outbox_message_apply(struct outbox *ob, struct wctx *c, const struct wire *w, double mono);

/* Give back every job worker wi holds (pending again, due now), then forget it. */
int outbox_worker_drop(struct outbox *ob, struct wctx *c, size_t wi, const char *why);

/* The free credit of every worker together: how many more jobs they can take. */
int outbox_worker_credit(const struct outbox *ob);

/* The worker with the most free credit, or -1 if none has any. */
long outbox_worker_pick(const struct outbox *ob);

/* The lease on job id, or -1. */
long outbox_lease_find(const struct outbox *ob, const char *job);

/* Forget lease i (the last lease takes its place). */
void outbox_lease_drop(struct outbox *ob, size_t i);

/*
 * Record that worker w holds job id until mono + ob->lease_secs, and queue
 * the job message (with template t) for it.
 */
void outbox_lease_grant(struct outbox *ob, size_t w, const char *id, const struct template *t,
			const json_t *job, double mono);

#endif
