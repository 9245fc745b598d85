/*
 * engine_places.h: inside the engine (engine.c, engine_offers.c), a cohort's
 * places and waiting list; other callers use engine.h. cstate is the cohort
 * state of engine.h, {"taken": n, "waiting": [ids], "offered": [ids]}.
 * Places held are taken (accepted applications) plus offered (a place held
 * for an open offer); they never exceed the cohort's places.
 */
#ifndef PW_ENGINE_PLACES_H
#define PW_ENGINE_PLACES_H

#include "engine.h"

/* Put id at the end of the waiting list; returns its 1-based position. */
int engine_waiting_add(json_t *cstate, const char *id);

/* Remove id from the waiting list; returns the 1-based position it had, or 0. */
int engine_waiting_remove(json_t *cstate, const char *id);

/* The cohort state's list of applications holding an open offer (made when absent). */
json_t *engine_offered(json_t *cstate);

/* Places held: taken plus offered. */
int engine_places_held(json_t *cstate);

/* Whether app holds an open offer: "offer" without its "result". */
int engine_offer_is_open(const json_t *app);

/*
 * Close app's open offer with result ("accepted", "declined", "expired",
 * "cancelled"): stamped, and app is off the offered list. The place it held
 * is the caller's to take or pass on.
 */
void engine_offer_close(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
			const char *result);

/*
 * Note the track of app's open offer in cstate ("offer_tracks": {app id:
 * track}, dropped when the offer closes), so a group counts the places held
 * for offers to it.
 */
void engine_offer_track(json_t *cstate, const json_t *app);

/*
 * Whether the group of app's track in co (its cohort's groups) has room for
 * app: fewer members (engine_group_size) than its max, counting the open
 * offers to the track other than app's own when with_offers is set. 1 when
 * app has no track, its track no group or the group no max.
 */
int engine_group_room(const struct cohort *co, const json_t *cstate, const json_t *app,
		      int with_offers);

/*
 * A held place is free again: offer it to the first application waiting (its
 * id is appended to out->offers and it leaves the list) while the cohort
 * still offers places (offers_until); else it stays free, for the LA.
 */
void engine_place_pass(const struct engine_ctx *ctx, const struct cohort *co, json_t *cstate,
		       struct engine_out *out);

/*
 * Give the application a place when requirement q (a decision) takes one: 0,
 * with the place taken and the application off the waiting list, or
 * PW_EFULL with st filled and nothing changed. An application holding an
 * open offer takes the place held for it (its offer is accepted). A q
 * without capacity takes no place and returns 0.
 */
int engine_place_take(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		      const struct requirement *q, struct pw_status *st);

/*
 * Give up the application's place, its open offer (cancelled) or its
 * waiting-list entry. A freed place is passed on (engine_place_pass).
 */
void engine_place_release(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
			  struct engine_out *out);

#endif
