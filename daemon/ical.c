/*
 * ical.c: writes iCalendar text. Times are UTC ("...Z"), converted from the
 * cohort's local times, so no VTIMEZONE is needed and every calendar program
 * shows them in its own zone. Text values are escaped and lines folded.
 */
#include "ical.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "util.h"

/* Add one content line, folded at 75 octets (never inside a UTF-8 character). */
static void
line(struct pw_buf *b, const char *s)
{
	size_t n = strlen(s), col = 0;

	for (size_t i = 0; i < n;) {
		size_t len = 1;

		while (i + len < n && ((unsigned char)s[i + len] & 0xc0) == 0x80)
			len++;
		if (col + len > 75) {
			pw_buf_add(b, "\r\n ", 3);
			col = 1;
		}
		pw_buf_add(b, s + i, len);
		col += len;
		i += len;
	}
	pw_buf_add(b, "\r\n", 2);
}

/* "NAME:" followed by text escaped per RFC 5545 3.3.11. */
static void
text_line(struct pw_buf *b, const char *name, const char *text)
{
	struct pw_buf v = {NULL, 0, 0};

	pw_buf_add(&v, name, strlen(name));
	pw_buf_add(&v, ":", 1);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\' || *p == ';' || *p == ',')
			pw_buf_add(&v, "\\", 1);
		if (*p == '\n')
			pw_buf_add(&v, "\\n", 2);
		else if (*p == '\t')
			pw_buf_add(&v, " ", 1);
		else if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			pw_buf_add(&v, p, 1);
	}
	line(b, v.p);
	free(v.p);
}

static void
time_line(struct pw_buf *b, const char *name, int64_t t)
{
	time_t tt = (time_t)t;
	char v[64], stamp[32];
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(v, sizeof v, "%s:%s", name, stamp);
	line(b, v);
}

static int64_t
session_at(const struct cohort *c, const struct session *s, const char *hhmm)
{
	int64_t days;
	int min;

	if (pw_date_parse(s->date, &days) != 0 || pw_hhmm_parse(hhmm, &min) != 0)
		return 0;
	return schedule_local(c->timezone, days, min);
}

int64_t
ical_session_start(const struct cohort *c, const struct session *s)
{
	return session_at(c, s, s->start);
}

int64_t
ical_session_end(const struct cohort *c, const struct session *s)
{
	return session_at(c, s, s->end);
}

char *
ical_calendar(const struct cohort *c, int (*want)(const struct session *, void *),
	      int (*seq)(const struct session *, void *), void *ud, int64_t now)
{
	struct pw_buf b = {NULL, 0, 0};
	char v[256];

	line(&b, "BEGIN:VCALENDAR");
	line(&b, "VERSION:2.0");
	line(&b, "PRODID:-//Pathway//Leadership development programmes//EN");
	line(&b, "METHOD:PUBLISH");
	text_line(&b, "X-WR-CALNAME", c->name);
	for (size_t i = 0; i < c->nsessions; i++) {
		const struct session *s = &c->sessions[i];
		char *desc;

		/* Only sessions still to come: a newcomer's calendar leaves out the past. */
		if (!want(s, ud) || ical_session_start(c, s) < now)
			continue;
		line(&b, "BEGIN:VEVENT");
		snprintf(v, sizeof v, "UID:%s-%s@pathway", c->id, s->id);
		line(&b, v);
		snprintf(v, sizeof v, "SEQUENCE:%d", seq(s, ud));
		line(&b, v);
		time_line(&b, "DTSTAMP", now);
		time_line(&b, "DTSTART", ical_session_start(c, s));
		time_line(&b, "DTEND", ical_session_end(c, s));
		desc = xasprintf("%s: %s", s->id, s->title);
		text_line(&b, "SUMMARY", desc);
		free(desc);
		text_line(&b, "LOCATION", s->venue);
		desc = xasprintf("%s, %s.\nSession %s of %s.", s->title, c->name, s->id,
				 c->programme->name);
		text_line(&b, "DESCRIPTION", desc);
		free(desc);
		line(&b, "STATUS:CONFIRMED");
		line(&b, "END:VEVENT");
	}
	line(&b, "END:VCALENDAR");
	return b.p;
}
