/*
 * engine_places.h: inside the engine (engine.c), a cohort's places and
 * waiting list; other callers use engine.h. cstate is the cohort state of
 * engine.h, {"taken": n, "waiting": [ids]}.
 */
#ifndef PW_ENGINE_PLACES_H
#define PW_ENGINE_PLACES_H

#include "engine.h"

/* Put id at the end of the waiting list; returns its 1-based position. */
int engine_waiting_add(json_t *cstate, const char *id);

/* Remove id from the waiting list; returns the 1-based position it had, or 0. */
int engine_waiting_remove(json_t *cstate, const char *id);

/*
 * Give the application a place when requirement q (a decision) takes one: 0,
 * with the place taken and the application off the waiting list, or
 * PW_EFULL with st filled and nothing changed. A q without capacity takes
 * no place and returns 0.
 */
int engine_place_take(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		      const struct requirement *q, struct pw_status *st);

/*
 * Give up the application's place or its waiting-list entry. A freed place
 * goes to the first application waiting: its id is appended to out->offers.
 */
void engine_place_release(json_t *app, json_t *cstate, struct engine_out *out);

#endif
