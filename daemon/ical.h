/*
 * ical.h: iCalendar (RFC 5545) for a cohort's sessions. Each session is a
 * VEVENT whose UID is stable (cohort and session id) and whose SEQUENCE
 * grows each time its date, time or venue changes, so calendar programs
 * update the event they already have instead of adding another.
 */
#ifndef PW_ICAL_H
#define PW_ICAL_H

#include <stdint.h>

#include "config.h"

/*
 * A VCALENDAR (METHOD:PUBLISH, CRLF lines, folded at 75 octets) holding the
 * sessions of c for which want(session, ud) is true and that start at or
 * after now, each with the SEQUENCE seq(session, ud). now stamps it
 * (DTSTAMP). Returns a new string.
 */
char *ical_calendar(const struct cohort *c, int (*want)(const struct session *, void *),
		    int (*seq)(const struct session *, void *), void *ud, int64_t now);

/* The instant a session starts (or ends), from the cohort's calendar and time zone. */
int64_t ical_session_start(const struct cohort *c, const struct session *s);
int64_t ical_session_end(const struct cohort *c, const struct session *s);

#endif
