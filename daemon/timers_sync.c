/*
 * timers_sync.c: keeping armed timers in step with the configuration, at
 * start-up and after each reload. The timing each session and stage was
 * armed with is kept, as a signature, in the cohort's state (DB_COHORTS):
 * a session whose date, times or venue changed gets a higher SEQUENCE, a
 * re-armed reminder and an updated invitation; a stage whose timing changed
 * has its applications' timers re-armed from now.
 */
#include "timers_sync.h"

#include <stdlib.h>
#include <string.h>

#include "bookings.h"
#include "digest.h"
#include "groups_check.h"
#include "ical.h"
#include "panel_sync.h"
#include "post_retention.h"
#include "schedule.h"
#include "timers.h"
#include "timers_fire.h"
#include "util.h"

/*
 * The application's stage is timed differently now (its deadline or session
 * moved, or its reminders changed): arm its timers again from now. Overdue by
 * a deadline that has not moved, it stays so, and is not told again; by one
 * that moved, it is overdue only if the new one has passed too.
 */
static int
stage_rearm(struct wctx *c, json_t *app, const struct cohort *co)
{
	const struct cohort *where;
	const struct stage *s;
	int64_t entered, dl = 0, since = 0;
	int rc, keep = 0;

	if (timers_app_where(c, app, &where, &s) == 0) {
		if (pw_time_parse(str(app, "stage_entered"), &entered) != 0)
			entered = c->now;
		dl = schedule_deadline(where, s, entered);
	}
	keep = json_object_get(app, "overdue") != NULL &&
	       pw_time_parse(str(json_object_get(app, "overdue"), "since"), &since) == 0 &&
	       since == dl && dl > 0;
	if (!keep) {
		json_object_del(app, "overdue");
		rc = store_index_del(c->store, c->txn, DB_OVERDUE, co->id, str(app, "id"), NULL);
		if (rc == 0)
			rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
		if (rc != 0)
			return rc;
	}
	rc = timers_cancel(c, str(app, "id"));
	if (rc == 0)
		rc = timers_stage_arm(c, app, c->now, !keep);
	return rc;
}

static char *
session_sig(const struct session *s)
{
	return xasprintf("%s|%s|%s|%s", s->date, s->start, s->end, s->venue);
}

/* The cohort's zone and sending window, as text: part of every timing signature. */
static char *
zone_sig(const struct cohort *co)
{
	return xasprintf("%s|%d|%d|%d", co->timezone, co->window_days, co->window_from,
			 co->window_to);
}

/* sig (taken) with nudge n's timing settings appended. */
static char *
nudge_sig(char *sig, const struct nudge *n)
{
	char *out = xasprintf("%s|%d/%d/%d/%d/%d/%d", sig, n->days, n->every, n->at, n->to,
			      n->urgent, n->late);

	free(sig);
	return out;
}

/* What decides when a session's reminder goes, besides the session itself. */
static char *
reminder_sig(const struct cohort *co)
{
	return nudge_sig(zone_sig(co), &co->programme->session_reminder);
}

/* Arm the reminder of one session (if any, and still ahead); record its timer id. */
static int
session_arm(struct wctx *c, const struct cohort *co, const struct session *s, json_t *entry)
{
	const struct nudge *n = &co->programme->session_reminder;
	char id[32];
	int64_t at;
	int rc;

	if (n->to == 0)
		return 0;
	at = schedule_nudge(co, n, ical_session_start(co, s));
	if (at <= c->now)
		return 0;
	rc = timers_arm_session(c, co, s, at, id, sizeof id);
	if (rc == 0)
		json_object_set_new(entry, "timer", json_string(id));
	return rc;
}

static int
session_disarm(struct wctx *c, json_t *entry)
{
	json_t *t = NULL;
	int rc = 0;

	if (str(entry, "timer") != NULL &&
	    store_rec_get(c->store, c->txn, DB_TIMER_RECS, str(entry, "timer"), &t) == 0)
		rc = timers_delete(c, t);
	json_decref(t);
	json_object_del(entry, "timer");
	return rc;
}

/* Applications whose stage deadline is session s: cancel and re-arm their timers. */
static int
session_rearm_deadlines(struct wctx *c, const struct cohort *co, const struct session *s)
{
	json_t *members = json_array();
	json_t *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, NULL, NULL, NULL,
				  store_collect_id, members);

	json_array_foreach(members, i, id)
	{
		const struct stage *st;
		const struct cohort *where;
		json_t *app = NULL;

		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) != 0)
			continue;
		if (streq(str(app, "status"), "active") &&
		    timers_app_where(c, app, &where, &st) == 0 && st->deadline_session != NULL &&
		    strcmp(st->deadline_session, s->id) == 0)
			rc = stage_rearm(c, app, co); /* the deadline moved with the session */
		json_decref(app);
	}
	json_decref(members);
	return rc;
}

/* Everything that decides when a stage's timers fall due in cohort co, as text. */
static char *
stage_sig(const struct cohort *co, const struct stage *s)
{
	const char *date = "";
	char *zone = zone_sig(co), *sig;

	for (size_t i = 0; i < co->ndeadlines; i++)
		if (co->deadlines[i].stage == s)
			date = co->deadlines[i].date;
	sig = xasprintf("%s|%d|%s|%d|%s|%zu+%zu|g%d", zone, co->deadline_time, date,
			s->deadline_days, s->deadline_session ? s->deadline_session : "",
			s->nreminders, s->nescalations, co->programme->deadline_grace_days);
	free(zone);
	for (size_t k = 0; k < s->nreminders; k++)
		sig = nudge_sig(sig, &s->reminders[k]);
	for (size_t k = 0; k < s->nescalations; k++)
		sig = nudge_sig(sig, &s->escalations[k]);
	/* A stage with a review requirement: each term's review_from (reviews_due.c). */
	for (size_t j = 0; j < s->nreqs; j++)
		for (size_t k = 0; s->reqs[j].kind == REQ_REVIEW && k < co->nterms; k++) {
			char *more =
			    xasprintf("%s|r%s", sig,
				      co->terms[k].review_from ? co->terms[k].review_from : "");

			free(sig);
			sig = more;
		}
	return sig;
}

/* Re-arm the active applications at stage s of cohort co. */
static int
stage_rearm_all(struct wctx *c, const struct cohort *co, const struct stage *s)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, s->id, NULL, NULL,
				  store_collect_id, ids);

	json_array_foreach(ids, i, id)
	{
		json_t *app = NULL;

		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) == 0 &&
		    streq(str(app, "status"), "active") && streq(str(app, "stage"), s->id))
			rc = stage_rearm(c, app, co);
		json_decref(app);
	}
	json_decref(ids);
	return rc;
}

/*
 * A stage whose timing changed in the configuration (a deadline moved, a
 * reminder added, the sending window changed): re-arm its applications'
 * timers from now. The timing each stage was armed with is kept in the
 * cohort's state; a stage seen for the first time is only recorded.
 */
static int
cohort_stages_sync(struct wctx *c, const struct cohort *co, json_t *state, int *changed)
{
	const struct programme *pg = co->programme;
	json_t *sigs = json_object_get(state, "stage_timing");
	int rc = 0;

	if (sigs == NULL) {
		sigs = json_object();
		json_object_set_new(state, "stage_timing", sigs);
	}
	for (size_t i = 0; i < pg->nstages && rc == 0; i++) {
		const char *was = str(sigs, pg->stages[i].id);
		char *sig = stage_sig(co, &pg->stages[i]);

		if (was == NULL || strcmp(was, sig) != 0) {
			if (was != NULL) {
				log_info("cohort %s, stage %s: its timing changed; re-arming its "
					 "applications",
					 co->id, pg->stages[i].id);
				rc = stage_rearm_all(c, co, &pg->stages[i]);
			}
			json_object_set_new(sigs, pg->stages[i].id, json_string(sig));
			*changed = 1;
		}
		free(sig);
	}
	return rc;
}

/*
 * Tell session s's move to those its programme's session_updated names,
 * but those who booked it: the booking's updated invitation (bookings.c)
 * tells them, applicants or not, so each gets one email about the move.
 */
static int
session_moved_tell(struct wctx *c, const struct cohort *co, const struct session *s)
{
	json_t *booked = json_object();
	int rc = bookings_moved_tells(c, co, s, booked);

	if (rc == 0 && co->programme->session_updated.to != 0)
		rc = timers_session_tell(c, co, s, &co->programme->session_updated,
					 "cohort.session_changed", 1, booked);
	json_decref(booked);
	return rc;
}

/* Bring one cohort's session timers and SEQUENCE numbers in line with its calendar. */
static int
cohort_sessions_sync(struct wctx *c, const struct cohort *co)
{
	json_t *state = NULL, *sessions;
	int rc = 0, changed = 0;

	if (store_rec_get(c->store, c->txn, DB_COHORTS, co->id, &state) != 0)
		state = json_pack("{s:i, s:i, s:[], s:{}, s:i}", "v", 1, "taken", 0, "waiting",
				  "counts", "total", 0);
	sessions = json_object_get(state, "sessions");
	if (sessions == NULL) {
		sessions = json_object();
		json_object_set_new(state, "sessions", sessions);
	}
	char *rsig = reminder_sig(co);

	for (size_t i = 0; i < co->nsessions && rc == 0; i++) {
		const struct session *s = &co->sessions[i];
		json_t *entry = json_object_get(sessions, s->id);
		char *sig = session_sig(s);

		if (entry == NULL) {
			entry = json_pack("{s:i, s:s, s:s}", "seq", 0, "sig", sig, "rsig", rsig);
			json_object_set_new(sessions, s->id, entry);
			rc = session_arm(c, co, s, entry);
			changed = 1;
		} else if (strcmp(str(entry, "sig"), sig) == 0 &&
			   !streq(str(entry, "rsig"), rsig)) {
			/* Only the reminder's timing changed: move it, tell nobody. */
			if (str(entry, "rsig") != NULL) {
				rc = session_disarm(c, entry);
				if (rc == 0)
					rc = session_arm(c, co, s, entry);
			}
			json_object_set_new(entry, "rsig", json_string(rsig));
			changed = 1;
		} else if (strcmp(str(entry, "sig"), sig) != 0) {
			json_object_set_new(entry, "rsig", json_string(rsig));
			json_object_set_new(
			    entry, "seq",
			    json_integer(json_integer_value(json_object_get(entry, "seq")) + 1));
			json_object_set_new(entry, "sig", json_string(sig));
			rc = session_disarm(c, entry);
			if (rc == 0)
				rc = session_arm(c, co, s, entry);
			/* The new SEQUENCE must be stored before the invitation is written. */
			if (rc == 0)
				rc = store_rec_put(c->store, c->txn, DB_COHORTS, co->id, state,
						   c->st);
			if (rc == 0)
				rc = session_moved_tell(c, co, s);
			if (rc == 0)
				rc = bookings_session_moved(c, co, s);
			if (rc == 0)
				rc = session_rearm_deadlines(c, co, s);
			changed = 1;
		}
		if (rc == 0) /* a booking reminder's lead time may have changed (bookings.c) */
			rc = bookings_reminder_sync(c, co, s);
		free(sig);
	}
	free(rsig);
	if (rc == 0)
		rc = cohort_stages_sync(c, co, state, &changed);
	if (rc == 0 && changed)
		rc = store_rec_put(c->store, c->txn, DB_COHORTS, co->id, state, c->st);
	json_decref(state);
	return rc;
}

/* The application's armed retention timers: deleted unless due at 'want'; 1 if one is. */
static int
app_sync(struct wctx *c, const json_t *app, int64_t want, int *have)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_APP_TIMERS, str(app, "id"), NULL, NULL, NULL,
				  store_collect_id, ids);

	json_array_foreach(ids, i, id)
	{
		json_t *t = NULL;

		if (rc == 0 &&
		    store_rec_get(c->store, c->txn, DB_TIMER_RECS, json_string_value(id), &t) ==
			0 &&
		    streq(str(t, "kind"), "retention")) {
			if (json_integer_value(json_object_get(t, "at")) == want && !*have)
				*have = 1;
			else
				rc = timers_delete(c, t);
		}
		json_decref(t);
	}
	json_decref(ids);
	return rc;
}

int
retention_sync(struct wctx *c)
{
	json_t *apps = json_array(), *app;
	size_t i;
	int rc = store_rec_scan(c->store, c->txn, DB_APPS, NULL, store_collect_rec, apps);

	json_array_foreach(apps, i, app)
	{
		int64_t want = retention_due(c->cfg, app, NULL);
		int have = 0;

		if (rc == 0 && (want > 0 || retention_ended(app) > 0))
			rc = app_sync(c, app, want, &have);
		if (rc == 0 && want > 0 && !have)
			rc = retention_arm(c, app);
	}
	json_decref(apps);
	return rc;
}

int
timers_sessions_sync(struct wctx *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++)
		rc = cohort_sessions_sync(c, &c->cfg->cohorts[i]);
	if (rc == 0) /* each cohort's groups checked on its date (groups_check.c) */
		rc = groups_check_sync(c);
	if (rc == 0) /* the panel members, as configured now, find their applications */
		rc = panel_index_sync(c);
	/* retention_years, and posts.retention_years, may have changed */
	if (rc == 0)
		rc = retention_sync(c);
	return rc == 0 ? post_retention_sync(c) : rc;
}

int
timers_digest_sync(struct wctx *c)
{
	int64_t want = digest_next(c->cfg, c->now), at;
	json_t *t = NULL;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_TIMER_RECS, TIMERS_DIGEST, &t) == 0) {
		at = json_integer_value(json_object_get(t, "at"));
		/* Due now, or already where the configuration wants it: leave it. */
		if (at > c->now && at != want)
			rc = timers_delete(c, t);
		json_decref(t);
		if (at <= c->now || at == want)
			return 0;
	}
	return rc == 0 ? timers_arm_digest(c, want) : rc;
}
