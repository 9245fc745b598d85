/*
 * schedule.c: date arithmetic in a cohort's time zone. A conversion sets TZ
 * to the cohort's zone for its mktime() or localtime_r() call; the zone is
 * left in place, since nothing else in the daemon reads local time (every
 * other time is UTC, by arithmetic and gmtime_r()), so the usual case of one
 * zone for every cohort loads the zone's rules once, not per call. The
 * daemon has one thread, so this is safe, and it keeps the rules of every
 * zone in the system's tz database.
 */
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static void
tz_use(const char *tz)
{
	static char current[128];

	if (strcmp(current, tz) == 0)
		return;
	setenv("TZ", tz, 1);
	tzset();
	snprintf(current, sizeof current, "%s", tz);
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The instant wall time 'want' names with the given tm_isdst, if it names one. */
static int
local_try(const struct tm *want, int isdst, time_t *out)
{
	struct tm tm = *want, back;

	tm.tm_isdst = isdst;
	*out = mktime(&tm);
	return localtime_r(out, &back) != NULL && back.tm_year == want->tm_year &&
	       back.tm_mon == want->tm_mon && back.tm_mday == want->tm_mday &&
	       back.tm_hour == want->tm_hour && back.tm_min == want->tm_min;
}

/*
 * Always the same instant for the same wall time, whatever was converted
 * before (mktime guesses from its previous call when left to choose): a time
 * that happens twice (the hour the clocks go back) is its first occurrence;
 * one that never happens (the hour they go forward) moves on by the gap.
 */
int64_t
schedule_local(const char *tz, int64_t days, int minutes)
{
	struct tm want;
	time_t std, dst;
	int y, m, d, std_ok, dst_ok;

	civil_from_days(days, &y, &m, &d);
	memset(&want, 0, sizeof want);
	want.tm_year = y - 1900;
	want.tm_mon = m - 1;
	want.tm_mday = d;
	want.tm_hour = minutes / 60;
	want.tm_min = minutes % 60;
	tz_use(tz);
	std_ok = local_try(&want, 0, &std);
	dst_ok = local_try(&want, 1, &dst);
	if (std_ok && dst_ok)
		return (int64_t)(std < dst ? std : dst);
	if (dst_ok)
		return (int64_t)dst;
	return (int64_t)std; /* valid, or in the gap: read as standard time, after it */
}

int64_t
schedule_local_date(const char *tz, int64_t t, int *weekday, int *minutes)
{
	time_t tt = (time_t)t;
	struct tm tm;

	tz_use(tz);
	localtime_r(&tt, &tm);
	if (weekday != NULL)
		*weekday = tm.tm_wday;
	if (minutes != NULL)
		*minutes = tm.tm_hour * 60 + tm.tm_min;
	return pw_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* t as local time in tz, formatted by fmt into buf (64 bytes). */
static char *
local_format(const char *tz, int64_t t, const char *fmt, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	tz_use(tz);
	localtime_r(&tt, &tm);
	strftime(buf, 64, fmt, &tm);
	return buf;
}

char *
schedule_format(const char *tz, int64_t t, char *buf)
{
	return local_format(tz, t, "%a %d %b %Y, %H:%M", buf);
}

char *
schedule_format_date(const char *tz, int64_t t, char *buf)
{
	return local_format(tz, t, "%a %d %b %Y", buf);
}

/*
 * An absolute deadline (a date, a session) for someone who entered the stage
 * at 'entered': never earlier than the programme's grace period after it, at
 * the cohort's deadline time, so a late joiner is not overdue on arrival.
 */
static int64_t
grace(const struct cohort *c, int64_t dl, int64_t entered)
{
	int g = c->programme->deadline_grace_days;
	int64_t least;

	if (g <= 0 || dl <= 0)
		return dl;
	least =
	    schedule_local(c->timezone, schedule_local_date(c->timezone, entered, NULL, NULL) + g,
			   c->deadline_time);
	return least > dl ? least : dl;
}

int64_t
schedule_deadline(const struct cohort *c, const struct stage *s, int64_t entered)
{
	int64_t days;
	int start;

	for (size_t i = 0; i < c->ndeadlines; i++)
		if (c->deadlines[i].stage == s && pw_date_parse(c->deadlines[i].date, &days) == 0)
			return grace(c, schedule_local(c->timezone, days, c->deadline_time),
				     entered);
	if (s->deadline_session != NULL) {
		const struct session *ss = config_session(c, s->deadline_session);

		if (ss == NULL || pw_date_parse(ss->date, &days) != 0 ||
		    pw_hhmm_parse(ss->start, &start) != 0)
			return 0;
		return grace(c, schedule_local(c->timezone, days, start), entered);
	}
	if (s->deadline_days > 0)
		return schedule_local(c->timezone,
				      schedule_local_date(c->timezone, entered, NULL, NULL) +
					  s->deadline_days,
				      c->deadline_time);
	return 0;
}

int64_t
schedule_window(const struct cohort *c, int64_t t)
{
	for (int i = 0; i < 8; i++) {
		int wday, min;
		int64_t day = schedule_local_date(c->timezone, t, &wday, &min);

		if ((c->window_days & (1 << wday)) && min >= c->window_from && min < c->window_to)
			return t;
		if ((c->window_days & (1 << wday)) && min < c->window_from)
			return schedule_local(c->timezone, day, c->window_from);
		t = schedule_local(c->timezone, day + 1, 0);
	}
	return t; /* an empty window cannot be configured; be safe anyway */
}

int64_t
schedule_send(const struct cohort *c, const struct nudge *n, int64_t t)
{
	return n->urgent ? t : schedule_window(c, t);
}

int64_t
schedule_nudge(const struct cohort *c, const struct nudge *n, int64_t deadline)
{
	int64_t day = schedule_local_date(c->timezone, deadline, NULL, NULL) + n->days;
	int64_t t = schedule_local(c->timezone, day, n->at);

	return schedule_send(c, n, t);
}

int64_t
schedule_every(const struct cohort *c, const struct nudge *n, int64_t entered, int64_t after)
{
	int64_t day0 = schedule_local_date(c->timezone, entered, NULL, NULL);
	int64_t k = 1, t;

	if (after > entered)
		k = (after - entered) / ((int64_t)n->every * 86400);
	if (k < 1)
		k = 1;
	for (;; k++) {
		t = schedule_send(c, n, schedule_local(c->timezone, day0 + k * n->every, n->at));
		if (t > after)
			return t;
	}
}

int64_t
schedule_anniversary(const struct cohort *c, const struct nudge *n, const char *date, int64_t after)
{
	int y, m, d;

	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
		return 0;
	for (int k = 1; k < 200; k++) {
		int yk = y + k, leap = (yk % 4 == 0 && yk % 100 != 0) || yk % 400 == 0;
		int day =
		    (m == 2 && d == 29 && !leap) ? 28 : d; /* 29 Feb: the 28th in common years */
		int64_t t = schedule_send(
		    c, n, schedule_local(c->timezone, pw_days_from_civil(yk, m, day), n->at));

		if (t > after)
			return t;
	}
	return 0;
}
