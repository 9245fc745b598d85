/*
 * timers_fire.c: what a timer does when it falls due. A stage's deadline
 * marks the application overdue; a reminder or escalation tells its roles
 * (or waits for the sending window); a session's reminder tells the
 * cohort's members; the digest and an opportunity's release run; an offer
 * of a place expires (offers.c); an ended application is purged
 * (retention.c); a secondment post closes or leaves its internal window
 * (posts.c), or, ended, has its applications purged (post_retention.c).
 * Firing a
 * timer whose application has moved on does nothing (cancelling normally
 * removes such timers first). Each timer is deleted in the transaction of
 * its effects, so a restart never repeats one.
 */
#include "timers_fire.h"

#include <stdlib.h>
#include <string.h>

#include "bookings.h"
#include "digest.h"
#include "engine_reqs.h"
#include "ical.h"
#include "notify.h"
#include "offers.h"
#include "opportunities.h"
#include "outbox.h"
#include "partners.h"
#include "posts.h"
#include "post_retention.h"
#include "groups_check.h"
#include "retention.h"
#include "reviews_due.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

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
fire_deadline(struct wctx *c, json_t *app, const struct cohort *co, const struct stage *s,
	      int64_t dl)
{
	char since[PW_TIME_LEN];
	json_t *ev;
	int rc;

	/* report = "deadline": the 360's report is the candidate's and coach's now. */
	int ready = co->programme->feedback.report_at_deadline &&
		    engine_stage_has(s, REQ_RESPONSES) &&
		    json_object_get(app, "feedback_ready") == NULL;

	json_object_set_new(app, "overdue",
			    json_pack("{s:s, s:s}", "stage", str(app, "stage"), "since",
				      pw_time_format(dl, since)));
	if (ready)
		json_object_set_new(app, "feedback_ready",
				    json_string(pw_time_format(c->now, since)));
	rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_OVERDUE, str(app, "cohort"),
				     str(app, "id"), NULL, c->st);
	ev = nudge_event(c, app, co, "application.overdue", dl, -1);
	if (rc == 0)
		rc = wctx_emit(c, ev);
	json_decref(ev);
	if (rc == 0 && ready) {
		ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}}", "type",
			       "application.feedback_ready", "app", str(app, "id"), "cohort",
			       str(app, "cohort"), "school", str(app, "school"), "stage",
			       str(app, "stage"), "data");
		rc = wctx_emit(c, ev);
		json_decref(ev);
	}
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

/*
 * Send notice n about session s to every application of the cohort that
 * holds a place and is active; each person hears once.
 */
int
timers_session_tell(struct wctx *c, const struct cohort *co, const struct session *s,
		    const struct nudge *n, const char *type, int with_ics, json_t *seen)
{
	json_t *members = json_array();
	json_t *id, *ev;
	size_t i;
	int rc;

	seen = seen ? json_incref(seen) : json_object();
	ev = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "type", type, "cohort", co->id, "stage",
		       "-", "data", "session", s->id, "date", s->date);
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, NULL, NULL, NULL,
				      store_collect_id, members);
	json_array_foreach(members, i, id)
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
	json_decref(members);
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
	int rc = timers_arm_session(c, co, s, at, id, sizeof id);

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
	return timers_session_tell(c, co, s, n, "cohort.session_reminder", 0, NULL);
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
	*rc = timers_arm(c, app, kind, index, w, dl);
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
	if (strcmp(kind, "post") == 0)
		return posts_fire(c, t);
	if (strcmp(kind, "offer") == 0)
		return offers_expire(c, t);
	if (strcmp(kind, "retention") == 0)
		return retention_purge(c, t);
	if (strcmp(kind, "post_retention") == 0)
		return post_retention_purge(c, t);
	if (strcmp(kind, "review") == 0)
		return reviews_due(c, t);
	if (strcmp(kind, "group_check") == 0)
		return groups_check_fire(c, t);
	if (strcmp(kind, "dead_job") == 0)
		return outbox_dead_purge(c, t);
	if (strcmp(kind, "support_review") == 0)
		return support_review_fire(c, t);
	if (strcmp(kind, "booking_reminder") == 0)
		return bookings_reminder_fire(c, t);
	if (strcmp(kind, "digest") == 0) {
		rc = digest_send_all(c);
		return rc == 0 ? timers_arm_digest(c, digest_next(c->cfg, c->now)) : rc;
	}
	if (store_rec_get(c->store, c->txn, DB_APPS, str(t, "app"), &app) != 0)
		return 0;
	if (strcmp(kind, "alumni") == 0 && strcmp(str(app, "status"), "graduated") == 0 &&
	    timers_app_where(c, app, &co, &s) == 0 && co->programme->alumni.to != 0) {
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

			rc = at > 0 ? timers_arm(c, app, "alumni", 0, at, 0) : 0;
		}
		json_decref(ev);
		goto done;
	}
	if (strcmp(str(app, "status"), "active") != 0 ||
	    strcmp(str(app, "stage"), str(t, "stage")) != 0 ||
	    timers_app_where(c, app, &co, &s) != 0)
		goto done; /* it has moved on: nothing is due any more */
	if (strcmp(kind, "deadline") == 0) {
		rc = fire_deadline(c, app, co, s, dl);
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
			rc = timers_arm(
			    c, app, "reminder", index,
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
		rc = timers_delete(c, t);
		if (rc == 0)
			rc = fire_one(c, t);
		(*fired)++;
		json_decref(t);
	}
	json_decref(d.ids);
	return rc;
}
