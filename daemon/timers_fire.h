/*
 * timers_fire.h: firing due timers (DESIGN.md guarantee 7). The loop fires
 * what is due, in due order, each timer once: firing deletes it in the same
 * transaction as its effects, so a restart never repeats one.
 */
#ifndef PW_TIMERS_FIRE_H
#define PW_TIMERS_FIRE_H

#include <jansson.h>

#include "wctx.h"

/*
 * Fire up to max timers due at or before c->now, in due order. *fired gets
 * how many. Returns 0 or PW_ESTORE.
 */
int timers_fire(struct wctx *c, int max, int *fired);
/*
 * Emit an event of type about cohort co's session s and send notice n to
 * every member of the cohort who holds a place and is active (each person
 * once), with the session's calendar invitation when with_ics. People in
 * seen ({person: true}, when not NULL) are not sent it; it gains everyone
 * who is.
 */
int timers_session_tell(struct wctx *c, const struct cohort *co, const struct session *s,
			const struct nudge *n, const char *type, int with_ics, json_t *seen);

#endif
