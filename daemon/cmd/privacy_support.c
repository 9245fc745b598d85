/*
 * privacy_support.c: the partner-school support requests and the bookings
 * of sessions in a person's erasure (cmd/privacy.c; PROTOCOL.md, "Subject
 * access and erasure"). A support request keeps its ids (who raised it,
 * the school, the pairing) and loses the free text the person wrote: the
 * need they raised, the notes of the reviews they recorded and of its end.
 * A booking of a session not yet started is cancelled as
 * session.cancel_booking cancels one (its seat goes to the first waiting,
 * who is told), without telling the person erased; a place on a waiting
 * list is removed; a booking of a session that has started stays (who was
 * booked, when and by whom: ids and times).
 */
#include "cmd/privacy_support.h"

#include <stdlib.h>
#include <string.h>

#include "bookings.h"
#include "cmd/base.h"
#include "ical.h"
#include "util.h"

static void
count(json_t *counts, const char *what)
{
	json_object_set_new(counts, what,
			    json_integer(json_integer_value(json_object_get(counts, what)) + 1));
}

/* Remove o's key when o is by id; 1 if removed. */
static int
drop_by(json_t *o, const char *key, const char *id)
{
	if (!streq(str(o, "by"), id) || json_object_get(o, key) == NULL)
		return 0;
	json_object_del(o, key);
	return 1;
}

int
privacy_erase_support(struct wctx *c, const char *id, json_t *reqs, json_t *counts)
{
	const char *k;
	json_t *r, *rv;
	size_t i;
	int rc = 0;

	json_object_foreach(reqs, k, r)
	{
		int n = 0;

		if (streq(str(r, "raised_by"), id) && json_object_get(r, "need") != NULL) {
			json_object_del(r, "need");
			n++;
		}
		json_array_foreach(json_object_get(r, "reviews"), i, rv)
		{
			n += drop_by(json_object_get(rv, "done"), "note", id);
		}
		n += drop_by(json_object_get(r, "ended"), "note", id);
		if (n > 0 && rc == 0) {
			rc = store_rec_put(c->store, c->txn, DB_SUPPORT, k, r, c->st);
			count(counts, "support_requests");
		}
	}
	return rc;
}

/* The index of person in list, or -1. */
static int
find(const json_t *list, const char *person)
{
	json_t *b;
	size_t i;

	json_array_foreach(list, i, b)
	{
		if (streq(str(b, "person"), person))
			return (int)i;
	}
	return -1;
}

/* One session's record: id's booking cancelled (not started yet) or waiting place removed. */
static int
erase_one(struct wctx *c, const char *id, const char *key, json_t *b)
{
	const struct cohort *co = config_cohort(c->cfg, str(b, "cohort"));
	const struct session *s = co != NULL ? config_session(co, str(b, "session")) : NULL;
	json_t *booked = json_object_get(b, "booked"), *waiting = json_object_get(b, "waiting");
	json_t *ev;
	int started = s == NULL || ical_session_start(co, s) <= c->now;
	int w = find(waiting, id), bk = started ? -1 : find(booked, id), was_booked = bk >= 0;
	int rc;

	if (w < 0 && bk < 0)
		return 0;
	json_array_remove(was_booked ? booked : waiting, (size_t)(was_booked ? bk : w));
	ev = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:b}}", "type", "session.booking_cancelled",
		       "cohort", str(b, "cohort"), "data", "session", str(b, "session"), "person",
		       id, "was", was_booked ? "booked" : "waiting", "erased", 1);
	rc = wctx_emit(c, ev);
	json_decref(ev);
	/* The seat freed goes to the first on the waiting list, as a cancellation's does. */
	if (rc == 0 && was_booked)
		rc = bookings_promote(c, b, co, s);
	if (rc == 0 && was_booked)
		rc = bookings_arm_reminder(c, b, co, s);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_BOOKINGS, key, b, c->st);
	return rc == 0 ? 1 : -rc;
}

int
privacy_erase_bookings(struct wctx *c, const char *id, json_t *books, json_t *counts)
{
	const char *k;
	json_t *b;
	int n;

	json_object_foreach(books, k, b)
	{
		if ((n = erase_one(c, id, k, b)) < 0)
			return -n;
		if (n > 0)
			count(counts, "bookings");
	}
	return 0;
}
