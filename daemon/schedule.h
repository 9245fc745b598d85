/*
 * schedule.h: when things are due, as pure functions of the configuration
 * and instants (seconds since the epoch, UTC). Wall-clock times ("09:00 the
 * day before") are local to the cohort's time zone and converted through the
 * system's tz database, so they stay at 09:00 local across clock changes.
 */
#ifndef PW_SCHEDULE_H
#define PW_SCHEDULE_H

#include <stdint.h>

#include "config.h"

/* The instant of local date 'days' (since 1970-01-01) at 'minutes' after midnight in tz. */
int64_t schedule_local(const char *tz, int64_t days, int minutes);
/* The local date (days since 1970-01-01) of instant t in tz; weekday (0 = Sunday) and minutes too.
 */
int64_t schedule_local_date(const char *tz, int64_t t, int *weekday, int *minutes);
/* Format instant t in tz for people: "Fri 16 Oct 2026, 17:00" (buf of 64 bytes). */
char *schedule_format(const char *tz, int64_t t, char *buf);
/* The local date of t in zone tz, "Thu 08 Oct 2026", into buf (64 bytes); returns buf. */
char *schedule_format_date(const char *tz, int64_t t, char *buf);

/*
 * The deadline of stage s for an application entering it at 'entered' in
 * cohort c; 0 if none. An absolute deadline (a cohort's date, a session) is
 * never earlier than the programme's deadline_grace_days after the local
 * date of 'entered', at the cohort's deadline_time; a deadline of days
 * after entering is as configured.
 */
int64_t schedule_deadline(const struct cohort *c, const struct stage *s, int64_t entered);
/* When a reminder or escalation is due: 'days' from the deadline's local date, at n->at. */
int64_t schedule_nudge(const struct cohort *c, const struct nudge *n, int64_t deadline);
/* The first occurrence of a repeating reminder strictly after 'after' (entering counts as 0). */
int64_t schedule_every(const struct cohort *c, const struct nudge *n, int64_t entered,
		       int64_t after);
/* The first anniversary of date (YYYY-MM-DD) at n->at after 'after' (0 if none). */
int64_t schedule_anniversary(const struct cohort *c, const struct nudge *n, const char *date,
			     int64_t after);
/* t if it lies in the cohort's sending window, else the window's next opening. */
int64_t schedule_window(const struct cohort *c, int64_t t);
/* When nudge n, due at t, may go: t if it is urgent, else by the sending window. */
int64_t schedule_send(const struct cohort *c, const struct nudge *n, int64_t t);

#endif
