/*
 * engine_calendar.c: the calendar rules of a cohort, for the engine: its
 * window for applications (applications = { opens; closes; }), attendance
 * only from a session's start, an internship confirmed only from its start
 * date, offers of freed places until offers_until, held offer_days. Every
 * date is local to the cohort's zone (schedule.c); the engine's now is the
 * only clock.
 */
#include "engine_calendar.h"

#include "engine_reqs.h"
#include "ical.h"
#include "schedule.h"
#include "util.h"

/*
 * The cohort's window for applications: from its opening date to the end of
 * its closing date, local dates in its zone. Outside it an LA adviser's
 * override (ctx->override) lets the application in: *overridden is set.
 */
int
engine_window_check(const struct engine_ctx *ctx, const struct cohort *co, int *overridden,
		    struct pw_status *st)
{
	int64_t today = schedule_local_date(co->timezone, ctx->now, NULL, NULL), d;
	int before =
	    co->apply_opens != NULL && pw_date_parse(co->apply_opens, &d) == 0 && today < d;
	int after =
	    co->apply_closes != NULL && pw_date_parse(co->apply_closes, &d) == 0 && today > d;
	char local[64];

	*overridden = 0;
	if (!before && !after)
		return 0;
	if (ctx->override) {
		*overridden = 1;
		return 0;
	}
	schedule_format(co->timezone, ctx->now, local);
	if (before)
		return pw_fail(st, PW_EOUTSIDE_WINDOW,
			       "cohort %s takes applications from %s; it is %s (an LA adviser may "
			       "override)",
			       co->id, co->apply_opens, local);
	return pw_fail(st, PW_EOUTSIDE_WINDOW,
		       "applications to cohort %s closed on %s; it is %s (an LA adviser may "
		       "override)",
		       co->id, co->apply_closes, local);
}

int
engine_session_started(const struct engine_ctx *ctx, const struct cohort *c,
		       const struct session *s, struct pw_status *st)
{
	char local[64];

	if (ctx->now >= ical_session_start(c, s))
		return 0;
	return pw_fail(st, PW_ETOO_EARLY,
		       "session %s of %s starts %s (%s): attendance is recorded from its start",
		       s->id, c->id, schedule_format(c->timezone, ical_session_start(c, s), local),
		       c->timezone);
}

int
engine_internship_started(const struct engine_ctx *ctx, const json_t *app, const json_t *in,
			  struct pw_status *st)
{
	const struct cohort *c = engine_app_cohort(ctx, app);
	int64_t start;

	if (str(in, "start") == NULL || pw_date_parse(str(in, "start"), &start) != 0 ||
	    schedule_local_date(c->timezone, ctx->now, NULL, NULL) >= start)
		return 0;
	return pw_fail(st, PW_ETOO_EARLY,
		       "the internship of application %s starts on %s: it is confirmed from then",
		       str(app, "id"), str(in, "start"));
}

int
engine_offers_open(const struct engine_ctx *ctx, const struct cohort *co)
{
	int64_t until;

	if (co->offers_until == NULL || pw_date_parse(co->offers_until, &until) != 0)
		return 1;
	return schedule_local_date(co->timezone, ctx->now, NULL, NULL) <= until;
}

int64_t
engine_offer_expiry(const struct engine_ctx *ctx, const struct cohort *co)
{
	return schedule_local(
	    co->timezone, schedule_local_date(co->timezone, ctx->now, NULL, NULL) + co->offer_days,
	    co->deadline_time);
}
