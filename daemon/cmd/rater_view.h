/*
 * rater_view.h: what an application shows a person whose only relation to
 * it is rater (cmd/rater_view.c).
 */
#ifndef PW_CMD_RATER_VIEW_H
#define PW_CMD_RATER_VIEW_H

#include <jansson.h>

#include "engine.h"

/*
 * Whether e's actor sees app only as one of its invited raters: they hold
 * the rater role and an entry in its raters, no other role relates them to
 * it (candidate, headteacher of its school, its coach, its host), and they
 * are neither an LA adviser nor a viewer.
 */
int rater_only(const struct engine_ctx *e, const json_t *app);

/*
 * Cut v (an application view made for e's actor, changed in place) down to
 * what a rater needs: its id, cohort and programme, the candidate's name,
 * the rater's own entry in raters, and while the current stage takes 360
 * responses and the application is active, that requirement (kind, role,
 * met) and the stage's deadline and overdue mark.
 */
void rater_view_cut(const struct engine_ctx *e, json_t *v);

#endif
