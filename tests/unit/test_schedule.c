/*
 * test_schedule.c: wall-clock scheduling (daemon/schedule.c) in the
 * cohorts' Europe/London zone: local times on both sides of the clock
 * changes, deadlines, the sending window, repeating reminders and
 * anniversaries (29 February included). Expected instants are written out
 * as UTC and were worked out independently of the code.
 */
#include "unit.h"

#include "config.h"
#include "schedule.h"

static struct pw_config *cfg;
static char *tmp;
static const struct cohort *ntp, *lle;

static int
setup(void **state)
{
	struct pw_status st;
	char *conf;
	int rc;

	(void)state;
	tmp = unit_tmpdir();
	conf = unit_shipped_conf(tmp);
	rc = config_load(conf, &cfg, &st);
	free(conf);
	if (rc != 0) {
		fprintf(stderr, "config: %s\n", st.msg);
		return -1;
	}
	ntp = config_cohort(cfg, "ntp-2026-27");
	lle = config_cohort(cfg, "lle-2026-27");
	return ntp && lle ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	unit_rmtree(tmp);
	return 0;
}

static int64_t
T(const char *utc)
{
	int64_t t;

	if (pw_time_parse(utc, &t) != 0)
		fail_msg("test bug: bad time %s", utc);
	return t;
}

static int64_t
D(const char *date)
{
	int64_t d;

	if (pw_date_parse(date, &d) != 0)
		fail_msg("test bug: bad date %s", date);
	return d;
}

#define AT(got, want)                                                                              \
	do {                                                                                       \
		char g_[PW_TIME_LEN];                                                              \
		int64_t got_ = (got);                                                              \
		if (got_ != T(want))                                                               \
			fail_msg("%s: got %s, want %s", #got, pw_time_format(got_, g_), want);     \
	} while (0)

static void
test_local_across_dst(void **state)
{
	(void)state;
	/* summer time: 09:00 BST is 08:00 UTC */
	AT(schedule_local("Europe/London", D("2026-10-24"), 9 * 60), "2026-10-24T08:00:00Z");
	/* the clocks go back at 02:00 BST on Sunday 25 October 2026 */
	AT(schedule_local("Europe/London", D("2026-10-25"), 9 * 60), "2026-10-25T09:00:00Z");
	AT(schedule_local("Europe/London", D("2026-10-26"), 9 * 60), "2026-10-26T09:00:00Z");
	/* and forward at 01:00 GMT on Sunday 28 March 2027 */
	AT(schedule_local("Europe/London", D("2027-03-27"), 9 * 60), "2027-03-27T09:00:00Z");
	AT(schedule_local("Europe/London", D("2027-03-28"), 9 * 60), "2027-03-28T08:00:00Z");
	AT(schedule_local("Europe/London", D("2027-03-29"), 9 * 60), "2027-03-29T08:00:00Z");
	AT(schedule_local("Europe/London", D("2026-12-31"), 23 * 60 + 59), "2026-12-31T23:59:00Z");
	/* 01:30 happens twice on 25 Oct 2026: always the first (BST), whatever came before */
	AT(schedule_local("Europe/London", D("2026-12-01"), 9 * 60), "2026-12-01T09:00:00Z");
	AT(schedule_local("Europe/London", D("2026-10-25"), 90), "2026-10-25T00:30:00Z");
	AT(schedule_local("Europe/London", D("2026-07-01"), 9 * 60), "2026-07-01T08:00:00Z");
	AT(schedule_local("Europe/London", D("2026-10-25"), 90), "2026-10-25T00:30:00Z");
	/* 01:30 never happens on 28 Mar 2027: the gap's length later, 02:30 BST */
	AT(schedule_local("Europe/London", D("2026-07-01"), 9 * 60), "2026-07-01T08:00:00Z");
	AT(schedule_local("Europe/London", D("2027-03-28"), 90), "2027-03-28T01:30:00Z");
	AT(schedule_local("Europe/London", D("2026-12-01"), 9 * 60), "2026-12-01T09:00:00Z");
	AT(schedule_local("Europe/London", D("2027-03-28"), 90), "2027-03-28T01:30:00Z");
	AT(schedule_local("Australia/Sydney", D("2027-04-04"), 150), "2027-04-03T15:30:00Z");
	AT(schedule_local("UTC", D("2026-07-01"), 0), "2026-07-01T00:00:00Z");
	AT(schedule_local("America/New_York", D("2026-07-01"), 9 * 60), "2026-07-01T13:00:00Z");
	/* a cohort's zone never leaks into the protocol's UTC times */
	{
		char t[PW_TIME_LEN];

		assert_string_equal(pw_time_format(1783000000, t), "2026-07-02T13:46:40Z");
		assert_int_equal(pw_time_parse("2026-07-02T13:46:40Z", &(int64_t){0}), 0);
	}
	AT(schedule_local("Europe/London", D("2026-07-01"), 9 * 60), "2026-07-01T08:00:00Z");
	AT(schedule_local("America/New_York", D("2026-07-01"), 9 * 60), "2026-07-01T13:00:00Z");
}

static void
test_local_date(void **state)
{
	int wday = -1, min = -1;

	(void)state;
	/* 01:30 happens twice on 25 October 2026: once in BST, once in GMT */
	assert_int_equal(
	    schedule_local_date("Europe/London", T("2026-10-25T00:30:00Z"), &wday, &min),
	    D("2026-10-25"));
	assert_int_equal(wday, 0);
	assert_int_equal(min, 90);
	assert_int_equal(
	    schedule_local_date("Europe/London", T("2026-10-25T01:30:00Z"), &wday, &min),
	    D("2026-10-25"));
	assert_int_equal(min, 90);
	/* 01:30 UTC on 28 March 2027 is 02:30 BST */
	schedule_local_date("Europe/London", T("2027-03-28T01:30:00Z"), &wday, &min);
	assert_int_equal(min, 150);
	/* late evening UTC in summer is already tomorrow in London */
	assert_int_equal(
	    schedule_local_date("Europe/London", T("2026-06-30T23:30:00Z"), &wday, &min),
	    D("2026-07-01"));
	assert_int_equal(wday, 3);
	assert_int_equal(min, 30);
	assert_int_equal(
	    schedule_local_date("Europe/London", T("2026-12-31T23:30:00Z"), NULL, NULL),
	    D("2026-12-31"));
}

static void
test_format(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(schedule_format("Europe/London", T("2026-10-16T16:00:00Z"), buf),
			    "Fri 16 Oct 2026, 17:00");
	assert_string_equal(schedule_format("Europe/London", T("2026-11-05T16:00:00Z"), buf),
			    "Thu 05 Nov 2026, 16:00");
}

/* "09:00 the day before" a session, on either side of each clock change. */
static void
test_day_before_session(void **state)
{
	struct nudge n = {.days = -1, .at = 9 * 60, .urgent = 1};
	int64_t session;

	(void)state;
	session = schedule_local("Europe/London", D("2026-10-26"), 16 * 60);
	AT(session, "2026-10-26T16:00:00Z");
	AT(schedule_nudge(ntp, &n, session), "2026-10-25T09:00:00Z");
	session = schedule_local("Europe/London", D("2027-03-29"), 16 * 60);
	AT(session, "2027-03-29T15:00:00Z");
	AT(schedule_nudge(ntp, &n, session), "2027-03-28T08:00:00Z");
}

static void
test_deadlines(void **state)
{
	const struct programme *p = ntp->programme;
	const struct stage *interest = &p->stages[config_stage_index(p, "interest")];
	const struct stage *signoff = &p->stages[config_stage_index(p, "signoff")];
	const struct stage *f360 = &p->stages[config_stage_index(p, "feedback_360")];
	const struct stage *selection = &p->stages[config_stage_index(p, "selection")];

	(void)state;
	/* the cohort's date, at its deadline_time (17:00 BST) */
	AT(schedule_deadline(ntp, interest, T("2026-09-02T10:00:00Z")), "2026-09-25T16:00:00Z");
	/* 14 days after entering, across the change to GMT */
	AT(schedule_deadline(ntp, signoff, T("2026-10-20T10:00:00Z")), "2026-11-03T17:00:00Z");
	/* entering at 00:30 BST counts from the local date */
	AT(schedule_deadline(ntp, signoff, T("2026-10-20T23:30:00Z")), "2026-11-04T17:00:00Z");
	/* the start of session TP2 */
	AT(schedule_deadline(ntp, f360, T("2026-10-08T10:00:00Z")), "2026-11-05T16:00:00Z");
	assert_int_equal(schedule_deadline(ntp, selection, T("2026-10-08T10:00:00Z")), 0);
}

static void
test_window(void **state)
{
	(void)state;
	/* mon-fri 07:30-18:30 local */
	AT(schedule_window(ntp, T("2026-10-07T11:00:00Z")), "2026-10-07T11:00:00Z");
	AT(schedule_window(ntp, T("2026-10-07T06:29:00Z")), "2026-10-07T06:30:00Z");
	AT(schedule_window(ntp, T("2026-10-07T06:30:00Z")), "2026-10-07T06:30:00Z");
	AT(schedule_window(ntp, T("2026-10-07T17:29:00Z")), "2026-10-07T17:29:00Z");
	/* 18:30 closes it: the next morning */
	AT(schedule_window(ntp, T("2026-10-07T17:30:00Z")), "2026-10-08T06:30:00Z");
	/* Friday evening and the weekend wait for Monday, whatever the clocks did */
	AT(schedule_window(ntp, T("2026-10-23T18:00:00Z")), "2026-10-26T07:30:00Z");
	AT(schedule_window(ntp, T("2026-10-25T09:00:00Z")), "2026-10-26T07:30:00Z");
	AT(schedule_window(ntp, T("2027-03-26T20:00:00Z")), "2027-03-29T06:30:00Z");
	AT(schedule_window(ntp, T("2027-03-28T08:00:00Z")), "2027-03-29T06:30:00Z");
	/* no window configured: any time */
	AT(schedule_window(lle, T("2026-10-25T03:00:00Z")), "2026-10-25T03:00:00Z");
}

static void
test_nudges(void **state)
{
	struct nudge held = {.days = -1, .at = 9 * 60, .urgent = 0};
	struct nudge late = {.days = 1, .at = 18 * 60 + 45, .urgent = 0};
	struct nudge urgent = {.days = 1, .at = 18 * 60 + 45, .urgent = 1};
	int64_t deadline = T("2026-10-26T16:00:00Z"); /* Monday */

	(void)state;
	/* the day before is Sunday 25 October: held to Monday 07:30 GMT */
	AT(schedule_nudge(ntp, &held, deadline), "2026-10-26T07:30:00Z");
	AT(schedule_nudge(ntp, &held, T("2027-03-29T15:00:00Z")), "2027-03-29T06:30:00Z");
	/* a Thursday deadline: Wednesday 09:00 BST, inside the window */
	AT(schedule_nudge(ntp, &held, T("2026-10-08T15:00:00Z")), "2026-10-07T08:00:00Z");
	/* after the window closes: next morning, unless urgent */
	AT(schedule_nudge(ntp, &late, deadline), "2026-10-28T07:30:00Z");
	AT(schedule_nudge(ntp, &urgent, deadline), "2026-10-27T18:45:00Z");
}

static void
test_every(void **state)
{
	struct nudge n = {.every = 4, .at = 9 * 60, .urgent = 0};
	int64_t entered = T("2026-10-20T10:00:00Z"); /* Tuesday */
	int64_t t;

	(void)state;
	/* day 4 is Saturday 24th: held to Monday 07:30 GMT */
	t = schedule_every(ntp, &n, entered, entered);
	AT(t, "2026-10-26T07:30:00Z");
	/* day 8: Wednesday 28th, 09:00 GMT */
	t = schedule_every(ntp, &n, entered, t);
	AT(t, "2026-10-28T09:00:00Z");
	t = schedule_every(ntp, &n, entered, t);
	AT(t, "2026-11-02T07:30:00Z"); /* day 12 is Sunday 1 November */
	t = schedule_every(ntp, &n, entered, t);
	AT(t, "2026-11-05T09:00:00Z");
	/* strictly after: asking at the very instant gives the next one */
	AT(schedule_every(ntp, &n, entered, T("2026-10-28T09:00:00Z")), "2026-11-02T07:30:00Z");
	AT(schedule_every(ntp, &n, entered, T("2026-10-28T08:59:59Z")), "2026-10-28T09:00:00Z");
	/* far later: still on the 4-day grid */
	AT(schedule_every(lle, &n, entered, T("2027-01-01T00:00:00Z")), "2027-01-04T09:00:00Z");
}

static void
test_anniversary(void **state)
{
	struct nudge held = {.at = 9 * 60, .urgent = 0};
	struct nudge urgent = {.at = 9 * 60, .urgent = 1};
	int64_t t;

	(void)state;
	t = schedule_anniversary(ntp, &held, "2027-07-14", T("2027-07-14T12:00:00Z"));
	AT(t, "2028-07-14T08:00:00Z");
	/* 14 July 2029 is a Saturday */
	t = schedule_anniversary(ntp, &held, "2027-07-14", t);
	AT(t, "2029-07-16T06:30:00Z");
	/* graduated on 29 February: the 28th in common years, the 29th in leap years */
	t = schedule_anniversary(ntp, &urgent, "2028-02-29", T("2028-03-01T00:00:00Z"));
	AT(t, "2029-02-28T09:00:00Z");
	t = schedule_anniversary(ntp, &urgent, "2028-02-29", t);
	AT(t, "2030-02-28T09:00:00Z");
	t = schedule_anniversary(ntp, &urgent, "2028-02-29", T("2031-03-01T00:00:00Z"));
	AT(t, "2032-02-29T09:00:00Z");
	/* long before: the first anniversary */
	AT(schedule_anniversary(ntp, &urgent, "2027-07-14", T("2020-01-01T00:00:00Z")),
	   "2028-07-14T08:00:00Z");
	assert_int_equal(schedule_anniversary(ntp, &urgent, "not a date", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_local_across_dst), cmocka_unit_test(test_local_date),
	    cmocka_unit_test(test_format),	     cmocka_unit_test(test_day_before_session),
	    cmocka_unit_test(test_deadlines),	     cmocka_unit_test(test_window),
	    cmocka_unit_test(test_nudges),	     cmocka_unit_test(test_every),
	    cmocka_unit_test(test_anniversary),
	};

	/* the daemon runs in UTC; so do these tests, whatever the machine says */
	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
