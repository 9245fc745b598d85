/*
 * engine_calendar.h: inside the engine (and for attendance.record, which
 * checks a whole register at once), the calendar rules of a cohort:
 * when it takes applications, when attendance and an internship's
 * confirmation may be recorded, until when freed places are offered and
 * how long an offer is held. Pure functions of the configuration and the
 * engine's now; dates are local to the cohort's zone.
 */
#ifndef PW_ENGINE_CALENDAR_H
#define PW_ENGINE_CALENDAR_H

#include "engine.h"

/*
 * Applications to co are taken from applications.opens (00:00 local) to the
 * end of applications.closes (inclusive, until local midnight). Outside that
 * window: PW_EOUTSIDE_WINDOW, unless ctx->override (the caller has checked
 * it is an LA adviser's), when 0 is returned with *overridden set.
 */
int engine_window_check(const struct engine_ctx *ctx, const struct cohort *co, int *overridden,
			struct pw_status *st);

/* Attendance at session s is recorded from its local start: else PW_ETOO_EARLY. */
int engine_session_started(const struct engine_ctx *ctx, const struct cohort *c,
			   const struct session *s, struct pw_status *st);

/*
 * An internship (in, the application's "internship") is confirmed from its
 * start date, the cohort's local date: else PW_ETOO_EARLY.
 */
int engine_internship_started(const struct engine_ctx *ctx, const json_t *app, const json_t *in,
			      struct pw_status *st);

/* Whether co still offers freed places: no offers_until, or today is not after it. */
int engine_offers_open(const struct engine_ctx *ctx, const struct cohort *co);

/* When an offer made now expires: offer_days local days on, at the cohort's deadline time. */
int64_t engine_offer_expiry(const struct engine_ctx *ctx, const struct cohort *co);

#endif
