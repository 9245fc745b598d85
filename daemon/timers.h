/*
 * timers.h: durable time (DESIGN.md guarantee 7). A timer is a record
 * (DB_TIMER_RECS) indexed by due time (DB_TIMERS) and by application
 * (DB_APP_TIMERS). Entering a stage arms its deadline, reminders and
 * escalations in the transaction of the change; leaving it cancels them.
 * Firing is timers_fire.h, re-arming after a reload timers_sync.h.
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
/* The daily digest has one timer with a fixed id: it is armed at most once. */
#define TIMERS_DIGEST "T-digest"

/*
 * Store timer t (its fields but "v", "id" and "at") due at 'at' under a new
 * id, copied to id (idlen bytes) when not NULL; index it under its
 * application if it has one. Takes t. Returns 0 or PW_ESTORE.
 */
int timers_put(struct wctx *c, json_t *t, int64_t at, char *id, size_t idlen);

/* Arm a timer of app's current stage: kind (deadline, reminder, escalation, alumni) index. */
int timers_arm(struct wctx *c, const json_t *app, const char *kind, int index, int64_t at,
	       int64_t deadline);

/*
 * Arm the timers of app's stage. Reminders and escalations due at or before
 * 'since' are left out (a changed schedule re-armed from now); the deadline
 * is armed when with_deadline.
 */
int timers_stage_arm(struct wctx *c, const json_t *app, int64_t since, int with_deadline);

/* The configured cohort and stage app is at; -1 when the configuration has neither. */
int timers_app_where(const struct wctx *c, const json_t *app, const struct cohort **co,
		     const struct stage **s);

/* Delete timer record t from the store and both its indexes. */
int timers_delete(struct wctx *c, const json_t *t);

/* Arm a reminder of cohort co's session s at 'at'; its timer id goes to id. */
int timers_arm_session(struct wctx *c, const struct cohort *co, const struct session *s, int64_t at,
		       char *id, size_t idlen);

/* Arm the daily digest's timer (TIMERS_DIGEST) at 'at'. */
int timers_arm_digest(struct wctx *c, int64_t at);

/* Arm the release of opportunity opp at 'at'. */
int timers_arm_opportunity(struct wctx *c, const char *opp, int64_t at);

/*
 * When app's personal data is to be purged: the moment it ended (withdrawn,
 * rejected: that decision's time; graduated: its graduation date, 00:00
 * UTC) plus its programme's retention_years, same month and day. 0 when it
 * has not ended, is purged already, its cohort is no longer configured or
 * its programme keeps data (retention_years = 0). The ended moment goes to
 * *ended when not NULL.
 */
int64_t retention_due(const struct pw_config *cfg, const json_t *app, int64_t *ended);

/* Arm app's retention timer if it has ended (in the transaction of the change). */
int retention_arm(struct wctx *c, const json_t *app);

/* When app ended (withdrawn, rejected, graduated), or 0 when it has not. */
int64_t retention_ended(const json_t *app);

/* The earliest armed timer, or PW_ENOTFOUND. */
int timers_next(struct store *s, MDB_txn *txn, int64_t *at);

#endif
