/*
 * bookings.c: bookable sessions in the store, their emails and reminders.
 * A session of a cohort with seats = N is bookable; its bookings are one
 * record in DB_BOOKINGS under "cohort/session":
 *
 *   { v, cohort, session, booked: [ { person, at, by } ],
 *     waiting: [ { person, at, by } ], reminder: timer id,
 *     reminded: when the reminder was sent }
 *
 * The first booking arms one reminder (a timer of kind "booking_reminder",
 * the programme's bookings.reminder_days before the session's day at
 * reminder_at, local time), which tells everyone booked when it falls due
 * (nobody, when a reload has turned reminders off); the last cancellation
 * of a seat deletes it;
 * when the session moves (a reload) it is armed again for the new date and
 * everyone booked gets the updated invitation; when only the reminder's
 * moment changes (its lead time, or the cohort's zone) it is armed again at
 * the new moment and nobody is told; after the session's start it does
 * nothing. A confirmation carries the session's iCalendar event (ical.c),
 * with the SEQUENCE the cohort's state keeps for it.
 */
#include "bookings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical.h"
#include "notify.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

void
bookings_key(const struct cohort *co, const struct session *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", co->id, s->id);
}

static json_t *
vars_of(const struct cohort *co, const struct session *s, int position)
{
	char when[64], pos[16], seats[16];

	schedule_format_date(co->timezone, ical_session_start(co, s), when);
	snprintf(pos, sizeof pos, "%d", position);
	snprintf(seats, sizeof seats, "%d", s->seats);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "programme_name", co->programme->name, "cohort_name", co->name,
			 "session_id", s->id, "session_title", s->title, "session_date", when,
			 "session_start", s->start, "session_end", s->end, "session_venue",
			 s->venue, "status", position > 0 ? "on the waiting list" : "booked",
			 "position", position > 0 ? pos : "", "seats", seats);
}

/* The role a person is written to as: their first role, or "guest". */
static const char *
role_of(const json_t *p)
{
	const char *r = json_string_value(json_array_get(json_object_get(p, "roles"), 0));

	return r != NULL ? r : "guest";
}

int
bookings_tell(struct wctx *c, json_t *ev, const struct cohort *co, const struct session *s,
	      const char *person, const struct template *t, int ics, int position)
{
	json_t *p = NULL, *vars, *att;
	int rc = wctx_emit(c, ev);

	if (rc != 0 || t == NULL)
		return rc;
	store_rec_get(c->store, c->txn, DB_PEOPLE, person, &p);
	vars = vars_of(co, s, position);
	att = ics ? notify_calendar(c, co, s->id, NULL) : NULL;
	rc = notify_person_att(c, ev, person, role_of(p), t, vars, att);
	json_decref(att);
	json_decref(vars);
	json_decref(p);
	return rc;
}

/* When the reminder of s is due (0: none). */
static int64_t
reminder_at(const struct cohort *co, const struct session *s)
{
	const struct booking_conf *b = &co->programme->bookings;
	int64_t day;

	if (!b->declared || b->reminder_days == 0)
		return 0;
	day = schedule_local_date(co->timezone, ical_session_start(co, s), NULL, NULL);
	return schedule_local(co->timezone, day - b->reminder_days, b->reminder_at);
}

/*
 * Arm rec's reminder at moment at (0: none) unless one is armed or nobody is
 * booked; a moment already past arms it now when late (an armed reminder's
 * lead time grew past now, the session still ahead), else not at all.
 */
static int
arm_reminder_at(struct wctx *c, json_t *rec, const struct cohort *co, const struct session *s,
		int64_t at, int late)
{
	char tid[32];
	int rc;

	if (str(rec, "reminder") != NULL || at == 0 ||
	    json_array_size(json_object_get(rec, "booked")) == 0)
		return 0;
	if (at <= c->now && (!late || ical_session_start(co, s) <= c->now))
		return 0;
	if (at <= c->now)
		at = c->now;
	rc = timers_put(c,
			json_pack("{s:s, s:s, s:s}", "kind", "booking_reminder", "cohort", co->id,
				  "session", s->id),
			at, tid, sizeof tid);
	if (rc == 0)
		json_object_set_new(rec, "reminder", json_string(tid));
	return rc;
}

int
bookings_arm_reminder(struct wctx *c, json_t *rec, const struct cohort *co, const struct session *s)
{
	/* Booked too late for a reminder: the confirmation is enough. */
	return arm_reminder_at(c, rec, co, s, reminder_at(co, s), 0);
}

int
bookings_drop_reminder(struct wctx *c, json_t *rec)
{
	json_t *t = NULL;
	int rc = 0;

	if (str(rec, "reminder") != NULL &&
	    store_rec_get(c->store, c->txn, DB_TIMER_RECS, str(rec, "reminder"), &t) == 0)
		rc = timers_delete(c, t);
	json_decref(t);
	json_object_del(rec, "reminder");
	return rc;
}

int
bookings_promote(struct wctx *c, json_t *rec, const struct cohort *co, const struct session *s)
{
	json_t *waiting = json_object_get(rec, "waiting"), *next = json_array_get(waiting, 0), *ev;
	int rc;

	if (next == NULL)
		return 0;
	json_incref(next);
	json_array_remove(waiting, 0);
	json_array_append_new(json_object_get(rec, "booked"), next);
	ev = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:b}}", "type", "session.booked", "cohort",
		       co->id, "data", "session", s->id, "person", str(next, "person"), "status",
		       "booked", "promoted", 1);
	rc = bookings_tell(c, ev, co, s, str(next, "person"), co->programme->bookings.confirmed, 1,
			   0);
	json_decref(ev);
	return rc;
}

/* Event type and email t (with the .ics when ics) for everyone booked in rec. */
static int
tell_booked(struct wctx *c, const json_t *rec, const struct cohort *co, const struct session *s,
	    const char *type, const struct template *t, int ics)
{
	json_t *b, *ev;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(rec, "booked"), i, b)
	{
		ev = json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", type, "cohort", co->id, "data",
			       "session", s->id, "person", str(b, "person"));
		if (rc == 0)
			rc = bookings_tell(c, ev, co, s, str(b, "person"), t, ics, 0);
		json_decref(ev);
	}
	return rc;
}

int
bookings_reminder_fire(struct wctx *c, const json_t *t)
{
	const struct cohort *co = config_cohort(c->cfg, str(t, "cohort"));
	const struct session *s = co ? config_session(co, str(t, "session")) : NULL;
	json_t *rec = NULL;
	char key[2 * PW_ID_MAX + 2];
	int rc = 0;

	if (s == NULL || s->seats == 0)
		return 0; /* the session is no longer configured or bookable */
	bookings_key(co, s, key, sizeof key);
	if (store_rec_get(c->store, c->txn, DB_BOOKINGS, key, &rec) != 0)
		return 0;
	if (!streq(str(rec, "reminder"), str(t, "id")) || ical_session_start(co, s) <= c->now) {
		json_decref(rec);
		return 0; /* not this record's reminder any more, or too late to remind */
	}
	json_object_del(rec, "reminder");
	if (reminder_at(co, s) == 0) { /* a reload turned reminders off: this one goes too */
		rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, key, rec, c->st);
		json_decref(rec);
		return rc;
	}
	if (reminder_at(co, s) > c->now) { /* the session moved later: so does its reminder */
		rc = bookings_arm_reminder(c, rec, co, s);
		if (rc == 0)
			rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, key, rec, c->st);
		json_decref(rec);
		return rc;
	}
	json_object_set_new(rec, "reminded", json_integer(c->now));
	rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, key, rec, c->st);
	if (rc == 0)
		rc = tell_booked(c, rec, co, s, "session.booking_reminder",
				 co->programme->bookings.reminder, 0);
	json_decref(rec);
	return rc;
}

int
bookings_session_moved(struct wctx *c, const struct cohort *co, const struct session *s)
{
	json_t *rec = NULL;
	char key[2 * PW_ID_MAX + 2];
	int rc;

	if (s->seats == 0)
		return 0;
	bookings_key(co, s, key, sizeof key);
	if (store_rec_get(c->store, c->txn, DB_BOOKINGS, key, &rec) != 0)
		return 0; /* nobody has booked it */
	rc = bookings_drop_reminder(c, rec);
	json_object_del(rec, "reminded"); /* the new date is reminded of afresh */
	if (rc == 0)
		rc = bookings_arm_reminder(c, rec, co, s);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, key, rec, c->st);
	if (ical_session_start(co, s) <= c->now) {
		json_decref(rec);
		return rc; /* moved into the past: nothing to come to */
	}
	if (rc == 0)
		rc = tell_booked(c, rec, co, s, "session.booking_updated",
				 co->programme->bookings.confirmed, 1);
	json_decref(rec);
	return rc;
}

int
bookings_moved_tells(struct wctx *c, const struct cohort *co, const struct session *s,
		     json_t *people)
{
	json_t *rec = NULL, *b;
	char key[2 * PW_ID_MAX + 2];
	size_t i;

	/* As bookings_session_moved: nobody for a session moved into the past. */
	if (s->seats == 0 || co->programme->bookings.confirmed == NULL ||
	    ical_session_start(co, s) <= c->now)
		return 0;
	bookings_key(co, s, key, sizeof key);
	if (store_rec_get(c->store, c->txn, DB_BOOKINGS, key, &rec) != 0)
		return 0;
	json_array_foreach(json_object_get(rec, "booked"), i, b)
	{
		json_object_set_new(people, str(b, "person"), json_true());
	}
	json_decref(rec);
	return 0;
}

int
bookings_reminder_sync(struct wctx *c, const struct cohort *co, const struct session *s)
{
	json_t *rec = NULL, *t = NULL;
	char key[2 * PW_ID_MAX + 2];
	int64_t want = reminder_at(co, s), armed;
	int rc = 0, dropped = 0, moved = 0;

	if (s->seats == 0)
		return 0; /* no longer bookable: its reminder, if any, does nothing (above) */
	bookings_key(co, s, key, sizeof key);
	if (store_rec_get(c->store, c->txn, DB_BOOKINGS, key, &rec) != 0)
		return 0; /* nobody has booked it */
	if (str(rec, "reminder") != NULL &&
	    store_rec_get(c->store, c->txn, DB_TIMER_RECS, str(rec, "reminder"), &t) != 0) {
		/* Its timer is gone (it fired while the session took no bookings): forget it. */
		json_object_del(rec, "reminder");
		dropped = 1;
	}
	if (str(rec, "reminder") != NULL) {
		armed = json_integer_value(json_object_get(t, "at"));
		/* Where it should be, or due already (it fires as it finds things then). */
		if (armed == want || armed <= c->now)
			goto done;
		rc = bookings_drop_reminder(c, rec);
		dropped = moved = 1;
	}
	/*
	 * Sent already: once is enough. A reminder that was still ahead and whose
	 * lead time grew past now goes at once; one never armed (booked late, or
	 * reminders off) does not.
	 */
	if (rc == 0 && json_object_get(rec, "reminded") == NULL)
		rc = arm_reminder_at(c, rec, co, s, want, moved);
	if (rc == 0 && (dropped || str(rec, "reminder") != NULL))
		rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, key, rec, c->st);
done:
	json_decref(t);
	json_decref(rec);
	return rc;
}
