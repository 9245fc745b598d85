/*
 * timers.c: arming, cancelling and firing the timers of applications. A
 * timer record says which application and stage it belongs to and what it
 * is: the stage's deadline, reminder i, or escalation i. Firing a timer
 * whose application has moved on does nothing (cancelling normally removes
 * such timers first).
 */
#include "timers.h"

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "ical.h"
#include "notify.h"
#include "opportunities.h"
#include "schedule.h"
#include "util.h"

/*
 * Store timer t (its fields but "v", "id" and "at") due at 'at' under a new
 * id, copied to id when not NULL; index it under its application if it has
 * one. Takes t.
 */
static int
timer_put(struct wctx *c, json_t *t, int64_t at, char *id, size_t idlen)
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
static int
arm(struct wctx *c, const json_t *app, const char *kind, int index, int64_t at, int64_t deadline)
{
	return timer_put(c,
			 json_pack("{s:s, s:s, s:s, s:i, s:I}", "app", str(app, "id"), "stage",
				   str(app, "stage"), "kind", kind, "index", index, "deadline",
				   (json_int_t)deadline),
			 at, NULL, 0);
}

static int
app_where(const struct wctx *c, const json_t *app, const struct cohort **co,
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
static int
stage_arm(struct wctx *c, const json_t *app, int64_t since, int with_deadline)
{
	const struct cohort *co;
	const struct stage *s;
	int64_t entered, dl, at;
	int rc = 0;

	if (app_where(c, app, &co, &s) != 0)
		return 0;
	if (strcmp(str(app, "status"), "graduated") == 0 && co->programme->alumni.to != 0) {
		/* Alumni are asked for a career update on each anniversary of graduation. */
		int64_t at = schedule_anniversary(
		    co, &co->programme->alumni, str(app, "graduated") ? str(app, "graduated") : "",
		    c->now);

		return at > 0 ? arm(c, app, "alumni", 0, at, 0) : 0;
	}
	if (strcmp(str(app, "status"), "active") != 0)
		return 0;
	if (pw_time_parse(str(app, "stage_entered"), &entered) != 0)
		entered = c->now;
	dl = schedule_deadline(co, s, entered);
	if (dl > 0 && with_deadline)
		rc = arm(c, app, "deadline", 0, dl, dl);
	for (size_t i = 0; i < s->nreminders && rc == 0; i++) {
		const struct nudge *n = &s->reminders[i];

		if (n->every > 0) {
			at = schedule_every(co, n, entered, since > entered ? since : entered);
			rc = arm(c, app, "reminder", (int)i, at, dl);
		} else if (dl > 0 && (dl > c->now || n->late || n->days >= 0)) {
			at = schedule_nudge(co, n, dl);
			if (at > since)
				rc = arm(c, app, "reminder", (int)i, at, dl);
		}
	}
	for (size_t i = 0; i < s->nescalations && dl > 0 && rc == 0; i++) {
		at = schedule_nudge(co, &s->escalations[i], dl);
		if (at > since)
			rc = arm(c, app, "escalation", (int)i, at, dl);
	}
	return rc;
}

int
timers_stage_entered(struct wctx *c, const json_t *app)
{
	return stage_arm(c, app, INT64_MIN, 1);
}

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

	if (app_where(c, app, &where, &s) == 0) {
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
		rc = stage_arm(c, app, c->now, !keep);
	return rc;
}

static int
collect(const char *id, void *ud)
{
	json_array_append_new(ud, json_string(id));
	return 0;
}

static int
timer_delete(struct wctx *c, const json_t *t)
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
	int rc =
	    store_index_scan(c->store, c->txn, DB_APP_TIMERS, app, NULL, NULL, NULL, collect, ids);

	json_array_foreach(ids, i, id)
	{
		json_t *t = NULL;

		if (rc == 0 &&
		    store_rec_get(c->store, c->txn, DB_TIMER_RECS, json_string_value(id), &t) == 0)
			rc = timer_delete(c, t);
		json_decref(t);
	}
	json_decref(ids);
	return rc;
}

/* The event a firing timer emits: stage, deadline in UTC and local words, day counts. */
static json_t *
nudge_event(struct wctx *c, const json_t *app, const struct cohort *co, const char *type,
	    int64_t dl, int index)
{
	char utc[PW_TIME_LEN], local[64];
	int64_t today = schedule_local_date(co->timezone, c->now, NULL, NULL);
	int64_t due = schedule_local_date(co->timezone, dl, NULL, NULL);
	json_t *ev =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:I, s:I}}", "type", type, "app",
		      str(app, "id"), "cohort", str(app, "cohort"), "school", str(app, "school"),
		      "stage", str(app, "stage"), "data", "deadline", pw_time_format(dl, utc),
		      "deadline_local", schedule_format(co->timezone, dl, local), "days_left",
		      (json_int_t)(due > today ? due - today : 0), "days_overdue",
		      (json_int_t)(today > due ? today - due : 0));

	if (dl <= 0) /* a repeating reminder of a stage without a deadline */
		json_object_clear(json_object_get(ev, "data"));
	if (index >= 0)
		json_object_set_new(json_object_get(ev, "data"), "index", json_integer(index));
	return ev;
}

static int
fire_deadline(struct wctx *c, json_t *app, const struct cohort *co, int64_t dl)
{
	char since[PW_TIME_LEN];
	json_t *ev;
	int rc;

	json_object_set_new(app, "overdue",
			    json_pack("{s:s, s:s}", "stage", str(app, "stage"), "since",
				      pw_time_format(dl, since)));
	rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_OVERDUE, str(app, "cohort"),
				     str(app, "id"), NULL, c->st);
	ev = nudge_event(c, app, co, "application.overdue", dl, -1);
	if (rc == 0)
		rc = wctx_emit(c, ev);
	json_decref(ev);
	return rc;
}

static int
fire_nudge(struct wctx *c, const json_t *app, const struct cohort *co, const struct nudge *n,
	   const char *type, int64_t dl, int index)
{
	json_t *ev = nudge_event(c, app, co, type, dl, index);
	int rc = wctx_emit(c, ev);

	if (rc == 0)
		rc = notify_nudge(c, ev, app, n->to, n->tmpl);
	json_decref(ev);
	return rc;
}

/* Session timers belong to a cohort and a session, not to an application. */
static int
arm_session(struct wctx *c, const struct cohort *co, const struct session *s, int64_t at,
	    char *id, size_t idlen)
{
	return timer_put(
	    c, json_pack("{s:s, s:s, s:s}", "kind", "session", "cohort", co->id, "session", s->id),
	    at, id, idlen);
}

struct members {
	struct wctx *c;
	json_t *ids;
};

static int
member_visit(const char *id, void *ud)
{
	json_array_append_new(((struct members *)ud)->ids, json_string(id));
	return 0;
}

/*
 * Send notice n about session s to every application of the cohort that
 * holds a place and is active; each person hears once.
 */
static int
session_tell(struct wctx *c, const struct cohort *co, const struct session *s,
	     const struct nudge *n, const char *type, int with_ics)
{
	struct members m = {c, json_array()};
	json_t *seen = json_object(), *id, *ev;
	size_t i;
	int rc;

	ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "type", type, "cohort", co->id, "stage",
		       "-", "data", "session", s->id, "date", s->date);
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, NULL, NULL, NULL,
				      member_visit, &m);
	json_array_foreach(m.ids, i, id)
	{
		json_t *app = NULL, *one;

		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) != 0)
			continue;
		if (strcmp(str(app, "status"), "active") == 0 &&
		    json_is_true(json_object_get(app, "place"))) {
			one = json_pack("{s:s, s:O, s:s, s:O}", "type", type, "seq",
					json_object_get(ev, "seq"), "cohort", co->id, "app",
					json_object_get(app, "id"));
			rc = notify_session(c, one, app, co, s, n, with_ics, seen);
			json_decref(one);
		}
		json_decref(app);
	}
	json_decref(m.ids);
	json_decref(seen);
	json_decref(ev);
	return rc;
}

/* Arm session s's reminder again at 'at', and record the new timer in the cohort's state. */
static int
session_hold(struct wctx *c, const struct cohort *co, const struct session *s, int64_t at)
{
	json_t *state = NULL, *entry;
	char id[32];
	int rc = arm_session(c, co, s, at, id, sizeof id);

	if (rc == 0 && store_rec_get(c->store, c->txn, DB_COHORTS, co->id, &state) == 0 &&
	    (entry = json_object_get(json_object_get(state, "sessions"), s->id)) != NULL) {
		json_object_set_new(entry, "timer", json_string(id));
		rc = store_rec_put(c->store, c->txn, DB_COHORTS, co->id, state, c->st);
	}
	json_decref(state);
	return rc;
}

static int
fire_session(struct wctx *c, const json_t *t)
{
	const struct cohort *co = config_cohort(c->cfg, str(t, "cohort"));
	const struct session *s = co ? config_session(co, str(t, "session")) : NULL;

	const struct nudge *n = co ? &co->programme->session_reminder : NULL;
	int64_t w;

	if (s == NULL || n->to == 0)
		return 0; /* the configuration no longer has it */
	/* Due while the daemon was down and the session has begun: too late to remind. */
	if (!n->late && c->now >= ical_session_start(co, s))
		return 0;
	/* Outside the sending window: wait for it, if it opens before the session. */
	w = schedule_send(co, n, c->now);
	if (w > c->now)
		return n->late || w < ical_session_start(co, s) ? session_hold(c, co, s, w) : 0;
	return session_tell(c, co, s, n, "cohort.session_reminder", 0);
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
	rc = arm_session(c, co, s, at, id, sizeof id);
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
		rc = timer_delete(c, t);
	json_decref(t);
	json_object_del(entry, "timer");
	return rc;
}

/* Applications whose stage deadline is session s: cancel and re-arm their timers. */
static int
session_rearm_deadlines(struct wctx *c, const struct cohort *co, const struct session *s)
{
	struct members m = {c, json_array()};
	json_t *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, NULL, NULL, NULL,
				  member_visit, &m);

	json_array_foreach(m.ids, i, id)
	{
		const struct stage *st;
		const struct cohort *where;
		json_t *app = NULL;

		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) != 0)
			continue;
		if (streq(str(app, "status"), "active") && app_where(c, app, &where, &st) == 0 &&
		    st->deadline_session != NULL && strcmp(st->deadline_session, s->id) == 0)
			rc = stage_rearm(c, app, co); /* the deadline moved with the session */
		json_decref(app);
	}
	json_decref(m.ids);
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
	sig = xasprintf("%s|%d|%s|%d|%s|%zu+%zu", zone, co->deadline_time, date, s->deadline_days,
			s->deadline_session ? s->deadline_session : "", s->nreminders,
			s->nescalations);
	free(zone);
	for (size_t k = 0; k < s->nreminders; k++)
		sig = nudge_sig(sig, &s->reminders[k]);
	for (size_t k = 0; k < s->nescalations; k++)
		sig = nudge_sig(sig, &s->escalations[k]);
	return sig;
}

/* Re-arm the active applications at stage s of cohort co. */
static int
stage_rearm_all(struct wctx *c, const struct cohort *co, const struct stage *s)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, s->id, NULL, NULL, collect,
				  ids);

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
			if (rc == 0 && co->programme->session_updated.to != 0)
				rc = session_tell(c, co, s, &co->programme->session_updated,
						  "cohort.session_changed", 1);
			if (rc == 0)
				rc = session_rearm_deadlines(c, co, s);
			changed = 1;
		}
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

int
timers_sessions_sync(struct wctx *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++)
		rc = cohort_sessions_sync(c, &c->cfg->cohorts[i]);
	return rc;
}

/* The daily digest has one timer with a fixed id: it is armed at most once. */
#define DIGEST_TIMER "T-digest"

static int
digest_arm(struct wctx *c, int64_t at)
{
	json_t *t = json_pack("{s:i, s:s, s:s, s:I}", "v", 1, "id", DIGEST_TIMER, "kind", "digest",
			      "at", (json_int_t)at);
	int rc = store_rec_put(c->store, c->txn, DB_TIMER_RECS, DIGEST_TIMER, t, c->st);

	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_TIMERS, at, DIGEST_TIMER, c->st);
	json_decref(t);
	return rc;
}

int
timers_digest_sync(struct wctx *c)
{
	int64_t want = digest_next(c->cfg, c->now), at;
	json_t *t = NULL;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_TIMER_RECS, DIGEST_TIMER, &t) == 0) {
		at = json_integer_value(json_object_get(t, "at"));
		/* Due now, or already where the configuration wants it: leave it. */
		if (at > c->now && at != want)
			rc = timer_delete(c, t);
		json_decref(t);
		if (at <= c->now || at == want)
			return 0;
	}
	return rc == 0 ? digest_arm(c, want) : rc;
}

/*
 * A reminder or escalation that falls due outside the cohort's sending window
 * (the daemon was down when it was due, or its moment was computed under
 * another window) waits for the window, unless urgent: armed again there.
 */
static int
held(struct wctx *c, const json_t *app, const struct cohort *co, const struct nudge *n,
     const char *kind, int index, int64_t dl, int *rc)
{
	int64_t w = schedule_send(co, n, c->now);

	if (w <= c->now)
		return 0;
	*rc = arm(c, app, kind, index, w, dl);
	return 1;
}

/* Act on one due timer t; the timer itself is already deleted. */
static int
fire_one(struct wctx *c, const json_t *t)
{
	const char *kind = str(t, "kind");
	int index = (int)json_integer_value(json_object_get(t, "index"));
	int64_t dl = json_integer_value(json_object_get(t, "deadline"));
	const struct cohort *co;
	const struct stage *s;
	json_t *app = NULL;
	int rc = 0;

	if (strcmp(kind, "session") == 0)
		return fire_session(c, t);
	if (strcmp(kind, "opportunity") == 0)
		return opportunity_release(c, str(t, "opportunity"));
	if (strcmp(kind, "digest") == 0) {
		rc = digest_send_all(c);
		return rc == 0 ? digest_arm(c, digest_next(c->cfg, c->now)) : rc;
	}
	if (store_rec_get(c->store, c->txn, DB_APPS, str(t, "app"), &app) != 0)
		return 0;
	if (strcmp(kind, "alumni") == 0 && strcmp(str(app, "status"), "graduated") == 0 &&
	    app_where(c, app, &co, &s) == 0 && co->programme->alumni.to != 0) {
		json_t *ev =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}}", "type", "application.alumni",
			      "app", str(app, "id"), "cohort", str(app, "cohort"), "school",
			      str(app, "school"), "stage", str(app, "stage"), "data");

		rc = wctx_emit(c, ev);
		if (rc == 0)
			rc = notify_nudge(c, ev, app, co->programme->alumni.to,
					  co->programme->alumni.tmpl);
		if (rc == 0) {
			int64_t at = schedule_anniversary(co, &co->programme->alumni,
							  str(app, "graduated"), c->now);

			rc = at > 0 ? arm(c, app, "alumni", 0, at, 0) : 0;
		}
		json_decref(ev);
		goto done;
	}
	if (strcmp(str(app, "status"), "active") != 0 ||
	    strcmp(str(app, "stage"), str(t, "stage")) != 0 || app_where(c, app, &co, &s) != 0)
		goto done; /* it has moved on: nothing is due any more */
	if (strcmp(kind, "deadline") == 0) {
		rc = fire_deadline(c, app, co, dl);
	} else if (strcmp(kind, "reminder") == 0 && (size_t)index < s->nreminders) {
		const struct nudge *n = &s->reminders[index];

		/* A reminder before a deadline that has passed no longer helps anyone. */
		if (n->every == 0 && n->days < 0 && !n->late && c->now >= dl)
			goto done;
		if (held(c, app, co, n, kind, index, dl, &rc))
			goto done;
		rc = fire_nudge(c, app, co, n, "application.reminded", dl, index);
		if (rc == 0 && n->every > 0) {
			int64_t entered,
			    today = schedule_local_date(co->timezone, c->now, NULL, NULL);

			if (pw_time_parse(str(app, "stage_entered"), &entered) != 0)
				entered = c->now;
			/* The next one on a later day: one held to this morning's window
			 * and this day's own are the same reminder. */
			rc = arm(c, app, "reminder", index,
				 schedule_every(co, n, entered,
						schedule_local(co->timezone, today + 1, 0) - 1),
				 dl);
		}
	} else if (strcmp(kind, "escalation") == 0 && (size_t)index < s->nescalations) {
		if (!held(c, app, co, &s->escalations[index], kind, index, dl, &rc))
			rc = fire_nudge(c, app, co, &s->escalations[index], "application.escalated",
					dl, index);
	}
done:
	json_decref(app);
	return rc;
}

struct due {
	json_t *ids;
	int max;
};

static int
due_visit(int64_t at, const char *id, void *ud)
{
	struct due *d = ud;

	json_array_append_new(d->ids, json_pack("[I, s]", (json_int_t)at, id));
	return (int)json_array_size(d->ids) >= d->max;
}

int
timers_fire(struct wctx *c, int max, int *fired)
{
	struct due d = {json_array(), max};
	size_t i;
	json_t *id;
	int rc = store_due_scan(c->store, c->txn, DB_TIMERS, c->now, due_visit, &d);

	*fired = 0;
	json_array_foreach(d.ids, i, id)
	{
		const char *tid = json_string_value(json_array_get(id, 1));
		int64_t at = json_integer_value(json_array_get(id, 0));
		json_t *t = NULL;
		int got;

		if (rc != 0)
			break;
		got = store_rec_get(c->store, c->txn, DB_TIMER_RECS, tid, &t);
		if (got != 0) {
			/* An index entry without its timer would stay due forever: drop it. */
			if (got == PW_ENOTFOUND)
				log_warn("timer %s: in the due index but not stored; dropped", tid);
			rc = got == PW_ENOTFOUND
				 ? store_due_del(c->store, c->txn, DB_TIMERS, at, tid)
				 : got;
			continue;
		}
		rc = timer_delete(c, t);
		if (rc == 0)
			rc = fire_one(c, t);
		(*fired)++;
		json_decref(t);
	}
	json_decref(d.ids);
	return rc;
}

int
timers_arm_opportunity(struct wctx *c, const char *opp, int64_t at)
{
	return timer_put(c, json_pack("{s:s, s:s}", "kind", "opportunity", "opportunity", opp), at,
			 NULL, 0);
}

int
timers_next(struct store *s, MDB_txn *txn, int64_t *at)
{
	return store_due_first(s, txn, DB_TIMERS, at);
}
