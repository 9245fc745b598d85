/*
 * test_ical.c: session calendars (daemon/ical.c): CRLF lines folded at 75
 * octets without splitting a UTF-8 character, RFC 5545 text escaping,
 * stable UIDs with the caller's SEQUENCE, and UTC times from local ones.
 */
#include "unit.h"

#include "config.h"
#include "ical.h"

static struct programme prog = {.id = "norfolk-talent-pool",
				.name = "Norfolk Leadership Talent Pool"};
static struct session sessions[] = {
    {.id = "TP1",
     .title = "Induction",
     .date = "2026-10-08",
     .start = "09:00",
     .end = "12:30",
     .venue = "Norwich Professional Development Centre",
     .audience = "participants"},
    {.id = "TP2",
     .title = "Leading, learning; and \\ growth \xe2\x80\x93 a very long title that will "
	      "certainly need folding because it goes on and on \xc3\xa9\xc3\xa9\xc3\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
     .date = "2026-10-26",
     .start = "09:00",
     .end = "12:30",
     .venue = "King's Lynn\nTown\tHall\x7f", /* a tab becomes a space; DEL goes */
     .audience = "all"},
    {.id = "TP3",
     .title = "Not wanted",
     .date = "2027-03-29",
     .start = "16:00",
     .end = "18:00",
     .venue = "Hall",
     .audience = "participants"},
};
static struct cohort cohort = {.id = "ntp-2026-27",
			       .name = "Norfolk Primary Talent Pool 2026-27",
			       .programme = &prog,
			       .places = 30,
			       .timezone = "Europe/London",
			       .starts = "2026-09-01",
			       .sessions = sessions,
			       .nsessions = 3};

static int
want(const struct session *s, void *ud)
{
	(void)ud;
	return strcmp(s->id, "TP3") != 0;
}

static int
seq(const struct session *s, void *ud)
{
	(void)ud;
	return strcmp(s->id, "TP2") == 0 ? 3 : 0;
}

static int
all(const struct session *s, void *ud)
{
	(void)s;
	(void)ud;
	return 1;
}

/* Unfold the calendar into its logical lines, checking the physical ones. */
static json_t *
unfold(const char *cal)
{
	json_t *lines = json_array();
	char *cur = xstrdup("");
	const char *p = cal;

	assert_true(strlen(cal) >= 2);
	assert_memory_equal(cal + strlen(cal) - 2, "\r\n", 2);
	while (*p != '\0') {
		const char *crlf = strstr(p, "\r\n");
		size_t n;
		char *next;

		assert_non_null(crlf);
		n = (size_t)(crlf - p);
		if (n > 75)
			fail_msg("a line of %zu octets: %.*s", n, (int)n, p);
		if (memchr(p, '\n', n) != NULL || memchr(p, '\r', n) != NULL)
			fail_msg("a bare line break in: %.*s", (int)n, p);
		if (n > 0 && *p == ' ') {
			/* a continuation: never starts inside a UTF-8 character */
			assert_true(n > 1);
			if (((unsigned char)p[1] & 0xc0) == 0x80)
				fail_msg("folded inside a UTF-8 character: %.*s", (int)n, p);
			next = xasprintf("%s%.*s", cur, (int)n - 1, p + 1);
			free(cur);
			cur = next;
		} else {
			if (*cur != '\0')
				json_array_append_new(lines, json_string(cur));
			free(cur);
			cur = xasprintf("%.*s", (int)n, p);
		}
		p = crlf + 2;
	}
	json_array_append_new(lines, json_string(cur));
	free(cur);
	return lines;
}

static int
has(const json_t *lines, const char *want_line)
{
	size_t i;
	json_t *l;

	json_array_foreach(lines, i, l)
	{
		if (strcmp(json_string_value(l), want_line) == 0)
			return 1;
	}
	return 0;
}

static int
count_prefix(const json_t *lines, const char *prefix)
{
	size_t i;
	json_t *l;
	int n = 0;

	json_array_foreach(lines, i, l)
	{
		n += strncmp(json_string_value(l), prefix, strlen(prefix)) == 0;
	}
	return n;
}

static void
test_calendar(void **state)
{
	int64_t now;
	char *cal;
	json_t *lines;

	(void)state;
	assert_int_equal(pw_time_parse("2026-09-20T10:11:12Z", &now), 0);
	cal = ical_calendar(&cohort, want, seq, NULL, now);
	lines = unfold(cal);
	assert_string_equal(json_string_value(json_array_get(lines, 0)), "BEGIN:VCALENDAR");
	assert_string_equal(json_string_value(json_array_get(lines, json_array_size(lines) - 1)),
			    "END:VCALENDAR");
	assert_true(has(lines, "VERSION:2.0"));
	assert_true(has(lines, "METHOD:PUBLISH"));
	assert_true(has(lines, "X-WR-CALNAME:Norfolk Primary Talent Pool 2026-27"));
	/* only the sessions asked for */
	assert_int_equal(count_prefix(lines, "BEGIN:VEVENT"), 2);
	assert_int_equal(count_prefix(lines, "END:VEVENT"), 2);
	assert_true(has(lines, "UID:ntp-2026-27-TP1@pathway"));
	assert_true(has(lines, "UID:ntp-2026-27-TP2@pathway"));
	assert_false(has(lines, "UID:ntp-2026-27-TP3@pathway"));
	assert_true(has(lines, "SEQUENCE:0"));
	assert_true(has(lines, "SEQUENCE:3"));
	assert_int_equal(count_prefix(lines, "DTSTAMP:20260920T101112Z"), 2);
	/* local times in UTC: BST on 8 October, GMT after the change on 26 October */
	assert_true(has(lines, "DTSTART:20261008T080000Z"));
	assert_true(has(lines, "DTEND:20261008T113000Z"));
	assert_true(has(lines, "DTSTART:20261026T090000Z"));
	assert_true(has(lines, "DTEND:20261026T123000Z"));
	/* text escaped: backslash, semicolon, comma, newline */
	assert_true(has(lines, "SUMMARY:TP2: Leading\\, learning\\; and \\\\ growth \xe2\x80\x93 a "
			       "very long title that will certainly need folding because it goes "
			       "on and on \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			       "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	assert_true(has(lines, "LOCATION:King's Lynn\\nTown Hall"));
	assert_true(has(lines, "DESCRIPTION:Induction\\, Norfolk Primary Talent Pool 2026-27.\\n"
			       "Session TP1 of Norfolk Leadership Talent Pool."));
	/* the long line really was folded */
	assert_non_null(strstr(cal, "\r\n "));
	json_decref(lines);
	free(cal);

	/* the same sessions give the same UIDs; everything when asked */
	cal = ical_calendar(&cohort, all, seq, NULL, now);
	lines = unfold(cal);
	assert_int_equal(count_prefix(lines, "BEGIN:VEVENT"), 3);
	assert_true(has(lines, "UID:ntp-2026-27-TP3@pathway"));
	assert_true(has(lines, "DTSTART:20270329T150000Z"));
	json_decref(lines);
	free(cal);

	/* sessions already begun are left out: TP1 started at 09:00 BST on 8 October */
	assert_int_equal(pw_time_parse("2026-10-08T08:00:00Z", &now), 0);
	cal = ical_calendar(&cohort, all, seq, NULL, now);
	lines = unfold(cal);
	assert_true(has(lines, "UID:ntp-2026-27-TP1@pathway")); /* at its start: still in */
	json_decref(lines);
	free(cal);
	cal = ical_calendar(&cohort, all, seq, NULL, now + 1);
	lines = unfold(cal);
	assert_int_equal(count_prefix(lines, "BEGIN:VEVENT"), 2);
	assert_false(has(lines, "UID:ntp-2026-27-TP1@pathway"));
	assert_true(has(lines, "UID:ntp-2026-27-TP2@pathway"));
	json_decref(lines);
	free(cal);
}

static void
test_fold_boundaries(void **state)
{
	/* titles of every length around the limit, ASCII and 2- and 3-octet characters */
	static const char *const units[] = {"a", "\xc3\xa9", "\xe2\x80\x93"};

	(void)state;
	for (size_t u = 0; u < 3; u++) {
		for (int n = 50; n < 90; n++) {
			char title[400] = "";
			struct session s = sessions[0];
			struct cohort c = cohort;
			char *cal, *want_line;
			json_t *lines;

			for (int i = 0; i < n; i++)
				strcat(title, units[u]);
			s.title = title;
			c.sessions = &s;
			c.nsessions = 1;
			cal = ical_calendar(&c, all, seq, NULL, 0);
			lines = unfold(cal);
			want_line = xasprintf("SUMMARY:TP1: %s", title);
			if (!has(lines, want_line))
				fail_msg("unit %zu, %d: the summary does not unfold back", u, n);
			free(want_line);
			json_decref(lines);
			free(cal);
		}
	}
}

static void
test_session_times(void **state)
{
	(void)state;
	assert_int_equal(ical_session_start(&cohort, &sessions[0]), 1791446400); /* 08:00Z */
	assert_int_equal(ical_session_end(&cohort, &sessions[0]), 1791459000);	 /* 11:30Z */
	assert_int_equal(ical_session_start(&cohort, &sessions[1]), 1793005200); /* 09:00Z */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calendar),
	    cmocka_unit_test(test_fold_boundaries),
	    cmocka_unit_test(test_session_times),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
