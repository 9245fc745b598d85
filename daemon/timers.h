/*
 * timers.h: durable time (DESIGN.md guarantee 7). A timer is a record
 * (DB_TIMER_RECS) indexed by due time (DB_TIMERS) and by application
 * (DB_APP_TIMERS). Entering a stage arms its deadline, reminders and
 * escalations in the transaction of the change; leaving it cancels them.
 * The loop fires what is due, in due order, each timer once: firing deletes
 * it in the same transaction as its effects, so a restart never repeats one.
 */
#ifndef PW_TIMERS_H
#define PW_TIMERS_H

#include <jansson.h>
#include <stdint.h>

#include "wctx.h"

/* The application has just entered its current stage: arm that stage's timers. */
int timers_stage_entered(struct wctx *c, const json_t *app);
/* Cancel every timer of the application. */
int timers_cancel(struct wctx *c, const char *app);
/*
 * Fire up to max timers due at or before c->now, in due order. *fired gets
 * how many. Returns 0 or PW_ESTORE.
 */
int timers_fire(struct wctx *c, int max, int *fired);
/*
 * Bring every cohort's timers in line with its configuration: arm the
 * reminder of each new session; for a session whose date, times or venue
 * changed, raise its SEQUENCE, re-arm its reminder and send members the
 * updated invitation; for a stage whose timing changed (deadline, reminders,
 * escalations, sending window, time zone), re-arm its applications' timers
 * from now, leaving out the moments already passed. Run at start-up and
 * after each reload.
 */
int timers_sessions_sync(struct wctx *c);

/*
 * Arm the daily digest's timer at its next moment, or move it when the
 * configuration changed its time. Run at start-up and after each reload.
 */
int timers_digest_sync(struct wctx *c);

/* Arm the release of opportunity opp at 'at'. */
int timers_arm_opportunity(struct wctx *c, const char *opp, int64_t at);

/* The earliest armed timer, or PW_ENOTFOUND. */
int timers_next(struct store *s, MDB_txn *txn, int64_t *at);

#endif
