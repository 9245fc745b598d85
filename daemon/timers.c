/*
 * timers.c: the timers and arming them. A timer is a record (DB_TIMER_RECS)
 * indexed by due time (DB_TIMERS) and, when it belongs to an application,
 * by application (DB_APP_TIMERS). An application's timer says which stage
 * it belongs to and what it is: the stage's deadline, reminder i,
 * escalation i, a term's review, or the alumni follow-up; or the expiry of an offer of a
 * place (offers.c arms it); or an ended application's purge (retention:
 * armed here, done by retention.c). Session, opportunity and digest timers
 * belong to a cohort's session, an opportunity and the daemon.
 * What a timer does when it falls due is timers_fire.c; keeping armed
 * timers in step with the configuration is timers_sync.c.
 */
#include "timers.h"

#include <stdlib.h>
#include <string.h>

#include "engine_panel.h"
#include "schedule.h"
#include "util.h"

/*
 * Store timer t (its fields but "v", "id" and "at") due at 'at' under a new
 * id, copied to id when not NULL; index it under its application if it has
 * one. Takes t.
 */
int
timers_put(struct wctx *c, json_t *t, int64_t at, char *id, size_t idlen)
{
	char tid[32];
	uint64_t n;
	int rc = PW_ESTORE;

	if (t == NULL)
		fatal("timer_put: no timer (a record without the fields it needs)");
	if (store_counter_next(c->store, c->txn, "next_timer", &n, c->st) != 0)
		goto done;
	snprintf(tid, sizeof tid, "T%09llu", (unsigned long long)n);
	json_object_set_new(t, "v", json_integer(1));
	json_object_set_new(t, "id", json_string(tid));
	json_object_set_new(t, "at", json_integer(at));
	rc = store_rec_put(c->store, c->txn, DB_TIMER_RECS, tid, t, c->st);
	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_TIMERS, at, tid, c->st);
	if (rc == 0 && str(t, "app") != NULL)
		rc = store_index_put(c->store, c->txn, DB_APP_TIMERS, str(t, "app"), tid, NULL,
				     c->st);
	if (id != NULL)
		snprintf(id, idlen, "%s", tid);
done:
	json_decref(t);
	return rc;
}

/* Arm a timer of the application's current stage: its deadline, reminder or escalation. */
int
timers_arm(struct wctx *c, const json_t *app, const char *kind, int index, int64_t at,
	   int64_t deadline)
{
	return timers_put(c,
			  json_pack("{s:s, s:s, s:s, s:i, s:I}", "app", str(app, "id"), "stage",
				    str(app, "stage"), "kind", kind, "index", index, "deadline",
				    (json_int_t)deadline),
			  at, NULL, 0);
}

/*
 * Whether stage s has a review requirement on the application's track (its terms' reviews
 * are due on the clock).
 */
static int
stage_reviews(const struct cohort *co, const json_t *app, const struct stage *s)
{
	return engine_req_at(co, app, s->id, REQ_REVIEW) != NULL;
}

int
timers_app_where(const struct wctx *c, const json_t *app, const struct cohort **co,
		 const struct stage **s)
{
	int i;

	*co = config_cohort(c->cfg, str(app, "cohort"));
	if (*co == NULL)
		return -1;
	i = config_stage_index((*co)->programme, str(app, "stage"));
	if (i < 0)
		return -1;
	*s = &(*co)->programme->stages[i];
	return 0;
}

/*
 * Arm the timers of the application's stage. Reminders and escalations due
 * at or before 'since' are left out: when a changed schedule is re-armed
 * (since = now), the moments already passed belong to the schedule it
 * replaced. The deadline itself is always armed, so a deadline now past
 * makes the application overdue.
 */
int
timers_stage_arm(struct wctx *c, const json_t *app, int64_t since, int with_deadline)
{
	const struct cohort *co;
	const struct stage *s;
	int64_t entered, dl, at;
	int rc = retention_arm(c, app); /* an ended application's purge (retention.c) */

	if (rc != 0 || timers_app_where(c, app, &co, &s) != 0)
		return rc;
	if (strcmp(str(app, "status"), "graduated") == 0 && co->programme->alumni.to != 0) {
		/* Alumni are asked for a career update on each anniversary of graduation. */
		int64_t at = schedule_anniversary(
		    co, &co->programme->alumni, str(app, "graduated") ? str(app, "graduated") : "",
		    c->now);

		return at > 0 ? timers_arm(c, app, "alumni", 0, at, 0) : 0;
	}
	if (strcmp(str(app, "status"), "active") != 0)
		return 0;
	if (pw_time_parse(str(app, "stage_entered"), &entered) != 0)
		entered = c->now;
	dl = schedule_deadline(co, s, entered);
	if (dl > 0 && with_deadline)
		rc = timers_arm(c, app, "deadline", 0, dl, dl);
	for (size_t i = 0; i < s->nreminders && rc == 0; i++) {
		const struct nudge *n = &s->reminders[i];

		if (n->every > 0) {
			at = schedule_every(co, n, entered, since > entered ? since : entered);
			rc = timers_arm(c, app, "reminder", (int)i, at, dl);
		} else if (dl > 0 && (dl > c->now || n->late || n->days >= 0)) {
			at = schedule_nudge(co, n, dl);
			if (at > since)
				rc = timers_arm(c, app, "reminder", (int)i, at, dl);
		}
	}
	for (size_t i = 0; i < s->nescalations && dl > 0 && rc == 0; i++) {
		at = schedule_nudge(co, &s->escalations[i], dl);
		if (at > since)
			rc = timers_arm(c, app, "escalation", (int)i, at, dl);
	}
	/* A review each term: due at 09:00 local on the term's review_from, or the sending
	 * window's next opening after it (reviews_due.c). */
	for (size_t i = 0; i < co->nterms && rc == 0; i++) {
		int64_t day;

		if (!stage_reviews(co, app, s) || co->terms[i].review_from == NULL ||
		    pw_date_parse(co->terms[i].review_from, &day) != 0)
			continue;
		at = schedule_window(co, schedule_local(co->timezone, day, 9 * 60));
		if (at > since)
			rc = timers_arm(c, app, "review", (int)i, at, 0);
	}
	return rc;
}

int
timers_stage_entered(struct wctx *c, const json_t *app)
{
	return timers_stage_arm(c, app, INT64_MIN, 1);
}

int
timers_delete(struct wctx *c, const json_t *t)
{
	int rc = store_due_del(c->store, c->txn, DB_TIMERS,
			       json_integer_value(json_object_get(t, "at")), str(t, "id"));

	if (rc == 0 && str(t, "app") != NULL)
		rc = store_index_del(c->store, c->txn, DB_APP_TIMERS, str(t, "app"), str(t, "id"),
				     NULL);
	if (rc == 0)
		rc = store_rec_del(c->store, c->txn, DB_TIMER_RECS, str(t, "id"));
	return rc;
}

int
timers_cancel(struct wctx *c, const char *app)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_APP_TIMERS, app, NULL, NULL, NULL,
				  store_collect_id, ids);

	json_array_foreach(ids, i, id)
	{
		json_t *t = NULL;

		if (rc == 0 &&
		    store_rec_get(c->store, c->txn, DB_TIMER_RECS, json_string_value(id), &t) == 0)
			rc = timers_delete(c, t);
		json_decref(t);
	}
	json_decref(ids);
	return rc;
}

/* Session timers belong to a cohort and a session, not to an application. */
int
timers_arm_session(struct wctx *c, const struct cohort *co, const struct session *s, int64_t at,
		   char *id, size_t idlen)
{
	return timers_put(
	    c, json_pack("{s:s, s:s, s:s}", "kind", "session", "cohort", co->id, "session", s->id),
	    at, id, idlen);
}

int
timers_arm_digest(struct wctx *c, int64_t at)
{
	json_t *t = json_pack("{s:i, s:s, s:s, s:I}", "v", 1, "id", TIMERS_DIGEST, "kind", "digest",
			      "at", (json_int_t)at);
	int rc = store_rec_put(c->store, c->txn, DB_TIMER_RECS, TIMERS_DIGEST, t, c->st);

	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_TIMERS, at, TIMERS_DIGEST, c->st);
	json_decref(t);
	return rc;
}

int
timers_arm_opportunity(struct wctx *c, const char *opp, int64_t at)
{
	return timers_put(c, json_pack("{s:s, s:s}", "kind", "opportunity", "opportunity", opp), at,
			  NULL, 0);
}

int
timers_next(struct store *s, MDB_txn *txn, int64_t *at)
{
	return store_due_first(s, txn, DB_TIMERS, at);
}

/* ---- retention: the purge itself is retention.c ---- */

/* When app ended, or 0 when it has not (or the moment is not recorded). */
int64_t
retention_ended(const json_t *app)
{
	const char *status = str(app, "status");
	char buf[PW_TIME_LEN];
	const char *when = NULL;
	int64_t t;

	if (streq(status, "withdrawn"))
		when = str(json_object_get(app, "withdrawal"), "at");
	else if (streq(status, "rejected"))
		when = str(json_object_get(json_object_get(app, "decisions"), str(app, "stage")),
			   "at");
	else if (streq(status, "graduated") && str(app, "graduated") != NULL) {
		snprintf(buf, sizeof buf, "%.10sT00:00:00Z", str(app, "graduated"));
		when = buf;
	}
	if (when == NULL || pw_time_parse(when, &t) != 0)
		return 0;
	return t;
}

int64_t
retention_due(const struct pw_config *cfg, const json_t *app, int64_t *ended)
{
	const struct cohort *co = config_cohort(cfg, str(app, "cohort"));
	int64_t end = retention_ended(app);

	if (ended != NULL)
		*ended = end;
	if (co == NULL || co->programme->retention_years == 0 || end == 0 ||
	    json_object_get(app, "purged") != NULL)
		return 0;
	return pw_time_add_years(end, co->programme->retention_years);
}

int
retention_arm(struct wctx *c, const json_t *app)
{
	int64_t at = retention_due(c->cfg, app, NULL);

	return at > 0 ? timers_put(c,
				   json_pack("{s:s, s:s, s:s}", "app", str(app, "id"), "kind",
					     "retention", "stage", str(app, "stage")),
				   at, NULL, 0)
		      : 0;
}
