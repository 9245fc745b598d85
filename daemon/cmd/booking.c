/*
 * booking.c: the commands of bookable sessions: session.book and
 * session.cancel_booking (a person for themself, an LA adviser for anyone
 * with a person record) and session.bookings (LA advisers and viewers see
 * who; everyone else the counts and their own booking). A full session
 * puts a booking on its waiting list; a cancelled seat goes to the first
 * waiting. Records, emails and the reminder are bookings.c.
 */
#include "cmd/booking.h"

#include <stdio.h>
#include <string.h>

#include "bookings.h"
#include "cmd/base.h"
#include "ical.h"
#include "util.h"

struct ctx {
	const struct cohort *co;
	const struct session *s;
	const char *person;
	char key[2 * PW_ID_MAX + 2];
	json_t *rec;
};

/*
 * The session, whom the booking is for, and the session's bookings record.
 * writes: 0 reading, 1 cancelling (a booking of a person since erased can
 * still be cancelled, freeing its seat), 2 booking.
 */
static int
open_session(struct wctx *c, const json_t *args, struct ctx *k, int writes)
{
	json_t *p = NULL;
	int rc;

	k->rec = NULL;
	if ((rc = cmd_cohort(c, cmd_arg(args, "cohort"), &k->co)) != 0)
		return rc;
	k->s = config_session(k->co, cmd_arg(args, "session"));
	if (k->s == NULL)
		return pw_fail(c->st, PW_ENOTFOUND, "no session '%s' in cohort %s",
			       cmd_arg(args, "session"), k->co->id);
	if (k->s->seats == 0)
		return pw_fail(c->st, PW_EINVALID, "session %s is not bookable", k->s->id);
	k->person = cmd_arg(args, "person") ?: c->actor_id;
	if (writes && !streq(k->person, c->actor_id) && !(engine_roles(c->actor) & ROLE_LA_ADVISER))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may book only for themself", c->actor_id);
	if (writes == 2) {
		if ((rc = cmd_load(c, DB_PEOPLE, "person", k->person, &p)) != 0)
			return rc;
		if (json_object_get(p, "erased") != NULL)
			rc = pw_fail(c->st, PW_ENOTFOUND, "person '%s' was erased", k->person);
		json_decref(p);
		if (rc != 0)
			return rc;
	}
	if (writes && ical_session_start(k->co, k->s) <= c->now)
		return pw_fail(c->st, PW_ETRANSITION, "session %s has started", k->s->id);
	bookings_key(k->co, k->s, k->key, sizeof k->key);
	if (store_rec_get(c->store, c->txn, DB_BOOKINGS, k->key, &k->rec) != 0)
		k->rec = json_pack("{s:i, s:s, s:s, s:[], s:[]}", "v", 1, "cohort", k->co->id,
				   "session", k->s->id, "booked", "waiting");
	return 0;
}

/* The index of person in list, or -1. */
static int
find(const json_t *list, const char *person)
{
	json_t *b;
	size_t i;

	json_array_foreach(list, i, b) if (streq(str(b, "person"), person)) return (int)i;
	return -1;
}

static json_t *
summary(const struct ctx *k, const char *status, int position)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I}", "cohort", k->co->id, "session",
		      k->s->id, "person", k->person, "status", status, "seats", k->s->seats,
		      "booked", (json_int_t)json_array_size(json_object_get(k->rec, "booked")),
		      "waiting", (json_int_t)json_array_size(json_object_get(k->rec, "waiting")));

	if (position > 0)
		json_object_set_new(o, "position", json_integer(position));
	return o;
}

static json_t *
booked_event(const struct ctx *k, const char *person, const char *status, int position)
{
	json_t *ev =
	    json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "type", "session.booked", "cohort",
		      k->co->id, "data", "session", k->s->id, "person", person, "status", status);

	if (position > 0)
		json_object_set_new(json_object_get(ev, "data"), "position",
				    json_integer(position));
	return ev;
}

int
run_session_book(struct wctx *c, const json_t *args, json_t **data)
{
	const struct booking_conf *bc;
	struct ctx k;
	json_t *booked, *waiting, *entry, *ev;
	char at[PW_TIME_LEN];
	int rc = open_session(c, args, &k, 2), position = 0;

	if (rc != 0)
		goto done;
	bc = &k.co->programme->bookings;
	booked = json_object_get(k.rec, "booked");
	waiting = json_object_get(k.rec, "waiting");
	if (find(booked, k.person) >= 0 || find(waiting, k.person) >= 0) {
		rc = pw_fail(c->st, PW_EEXISTS, "%s has already booked session %s", k.person,
			     k.s->id);
		goto done;
	}
	entry = json_pack("{s:s, s:s, s:s}", "person", k.person, "at", pw_time_format(c->now, at),
			  "by", c->actor_id);
	if (json_array_size(booked) < (size_t)k.s->seats) {
		json_array_append_new(booked, entry);
		rc = bookings_arm_reminder(c, k.rec, k.co, k.s);
	} else {
		json_array_append_new(waiting, entry);
		position = (int)json_array_size(waiting);
	}
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, k.key, k.rec, c->st);
	if (rc == 0) {
		ev = booked_event(&k, k.person, position ? "waiting" : "booked", position);
		rc = bookings_tell(c, ev, k.co, k.s, k.person,
				   position ? bc->waitlisted : bc->confirmed, !position, position);
		json_decref(ev);
	}
	if (rc == 0)
		*data = json_pack("{s:o}", "booking",
				  summary(&k, position ? "waiting" : "booked", position));
done:
	json_decref(k.rec);
	return rc;
}

int
run_session_cancel_booking(struct wctx *c, const json_t *args, json_t **data)
{
	const struct booking_conf *bc;
	struct ctx k;
	json_t *booked, *waiting, *ev;
	int rc = open_session(c, args, &k, 1), i, was_booked;

	if (rc != 0)
		goto done;
	bc = &k.co->programme->bookings;
	booked = json_object_get(k.rec, "booked");
	waiting = json_object_get(k.rec, "waiting");
	was_booked = (i = find(booked, k.person)) >= 0;
	if (!was_booked && (i = find(waiting, k.person)) < 0) {
		rc = pw_fail(c->st, PW_ENOTFOUND, "%s has no booking for session %s", k.person,
			     k.s->id);
		goto done;
	}
	json_array_remove(was_booked ? booked : waiting, (size_t)i);
	ev = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "type", "session.booking_cancelled",
		       "cohort", k.co->id, "data", "session", k.s->id, "person", k.person, "was",
		       was_booked ? "booked" : "waiting");
	rc = bookings_tell(c, ev, k.co, k.s, k.person, bc->cancelled, 0, 0);
	json_decref(ev);
	/* The seat freed goes to the first on the waiting list. */
	if (rc == 0 && was_booked)
		rc = bookings_promote(c, k.rec, k.co, k.s);
	/* Nobody booked any more: nobody to remind. */
	if (rc == 0 && json_array_size(booked) == 0)
		rc = bookings_drop_reminder(c, k.rec);
	else if (rc == 0)
		rc = bookings_arm_reminder(c, k.rec, k.co, k.s);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, k.key, k.rec, c->st);
	if (rc == 0)
		*data = json_pack("{s:o}", "booking", summary(&k, "cancelled", 0));
done:
	json_decref(k.rec);
	return rc;
}

int
run_session_bookings(struct wctx *c, const json_t *args, json_t **data)
{
	struct ctx k;
	json_t *mine, *out;
	int rc = open_session(c, args, &k, 0), i, w;

	if (rc != 0)
		goto done;
	if (!streq(k.person, c->actor_id) && !(engine_roles(c->actor) & READERS)) {
		rc =
		    pw_fail(c->st, PW_EFORBIDDEN, "%s may see only their own booking", c->actor_id);
		goto done;
	}
	i = find(json_object_get(k.rec, "booked"), k.person);
	w = find(json_object_get(k.rec, "waiting"), k.person);
	mine = summary(&k, i >= 0 ? "booked" : w >= 0 ? "waiting" : "none", w >= 0 ? w + 1 : 0);
	out = json_pack("{s:o}", "booking", mine);
	if (engine_roles(c->actor) & READERS) {
		json_object_set(out, "booked", json_object_get(k.rec, "booked"));
		json_object_set(out, "waiting", json_object_get(k.rec, "waiting"));
	}
	*data = out;
done:
	json_decref(k.rec);
	return rc;
}
