/*
 * bookings.h: bookable sessions (bookings.c): a session with seats that
 * anyone with a person record may book, applicant or not, with a waiting
 * list, confirmations carrying the session's calendar, and a reminder.
 */
#ifndef PW_BOOKINGS_H
#define PW_BOOKINGS_H

#include <jansson.h>

#include "wctx.h"

/* The key of a session's bookings in DB_BOOKINGS ("cohort/session") into buf. */
void bookings_key(const struct cohort *co, const struct session *s, char *buf, size_t len);

/*
 * Emit ev and mail person (booked, waiting or cancelled: template t) about
 * session s, with its calendar attached when ics; position is their place
 * on the waiting list (0: none).
 */
int bookings_tell(struct wctx *c, json_t *ev, const struct cohort *co, const struct session *s,
		  const char *person, const struct template *t, int ics, int position);

/*
 * Arm the reminder of s's bookings (once: its id kept in rec's "reminder"),
 * when someone is booked and the programme sends one.
 */
int bookings_arm_reminder(struct wctx *c, json_t *rec, const struct cohort *co,
			  const struct session *s);
/* Delete the reminder of rec, if one is armed, and forget its id. */
int bookings_drop_reminder(struct wctx *c, json_t *rec);

/*
 * A due reminder (timer t, kind "booking_reminder"): every booked person is
 * told; none when the programme sends reminders no more (a reload).
 */
int bookings_reminder_fire(struct wctx *c, const json_t *t);

/*
 * Session s moved (a reload changed its date, times or venue; timers_sync.c,
 * once its new SEQUENCE is stored): its reminder is armed again for the new
 * date, and everyone booked is sent the confirmation again with the updated
 * invitation (event session.booking_updated each).
 */
int bookings_session_moved(struct wctx *c, const struct cohort *co, const struct session *s);

/*
 * Add to people ({person: true}) everyone bookings_session_moved will send
 * the updated invitation to for session s: a session's other notice of the
 * move skips them, so that each person gets one email about it.
 */
int bookings_moved_tells(struct wctx *c, const struct cohort *co, const struct session *s,
			 json_t *people);

/*
 * After a reload or at start-up: the reminder of s's bookings is moved to
 * when the programme and cohort now put it (bookings.reminder_days,
 * reminder_at, the cohort's zone), sent at once when that moment has passed
 * but the session has not started, dropped when reminders are off, and armed
 * when they were off, the moment is ahead and it has not been sent. Nobody
 * is told of the move. A reminder already due is left to fire; one whose
 * timer is gone is forgotten and armed again.
 */
int bookings_reminder_sync(struct wctx *c, const struct cohort *co, const struct session *s);

/*
 * A seat freed in booking record rec of session s: the first on its waiting
 * list is booked, with the event session.booked ("promoted") and the
 * confirmation with the .ics. Nothing when nobody waits. 0 or an error.
 */
int bookings_promote(struct wctx *c, json_t *rec, const struct cohort *co, const struct session *s);

#endif
