/*
 * offers.c: offers of freed places, as the store keeps them. An open offer
 * has a timer record {"kind": "offer", "app", "made"} due at its expiry,
 * indexed under its application (timers.c), so an answered offer, which
 * moves the application out of waitlisted, cancels it with the
 * application's other timers. When it falls due the engine expires the
 * offer and this file writes the result: the application, the cohort's
 * state (DB_COHORTS), the events, and the offer to the next in line with
 * its own timer. An expiry changes no application's position (waitlisted
 * before and after), so no index or counter moves.
 */
#include "offers.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_places.h"
#include "engine_reqs.h"
#include "timers.h"
#include "util.h"

int
offers_arm(struct wctx *c, const json_t *app)
{
	const json_t *o = json_object_get(app, "offer");
	int64_t at;

	if (o == NULL || json_object_get(o, "result") != NULL ||
	    pw_time_parse(str(o, "expires"), &at) != 0)
		return 0;
	return timers_put(c,
			  json_pack("{s:s, s:s, s:s}", "kind", "offer", "app", str(app, "id"),
				    "made", str(o, "made")),
			  at, NULL, 0);
}

static int
emit_all(struct wctx *c, struct engine_out *out)
{
	size_t i;
	json_t *ev;
	int rc = 0;

	json_array_foreach(out->events, i, ev)
	{
		if (rc == 0)
			rc = wctx_emit(c, ev);
	}
	json_array_clear(out->events);
	return rc;
}

json_t *
offers_pick(struct wctx *c, const struct engine_ctx *e, json_t *cstate, const char *id,
	    struct engine_out *out)
{
	json_t *waiting = json_object_get(cstate, "waiting"), *app = NULL;
	char *cur = xstrdup(id);
	struct pw_status ost;
	size_t next = 0, skipped = 0;
	int group_full;

	for (;;) {
		group_full = 0;
		if (store_rec_get(c->store, c->txn, DB_APPS, cur, &app) == 0) {
			const struct cohort *co = engine_app_cohort(e, app);

			if (engine_offer_place(e, app, cstate, out, &ost) == 0)
				break;
			/*
			 * Its group full: the next may be in another group. Anything
			 * else (the cohort's places all held, places lowered on
			 * reload, offers closed) holds for every one after it too.
			 */
			group_full = ost.code == PW_EFULL && co != NULL &&
				     engine_places_held(cstate) < co->places;
			if (group_full)
				skipped++;
			else
				log_warn("offering a place to %s: %s", cur, ost.msg);
			/* No place for it after all: it keeps its turn. */
			if (next == 0 && streq(str(app, "status"), "waitlisted"))
				json_array_insert_new(waiting, 0, json_string(cur));
		}
		json_decref(app);
		app = NULL;
		next++; /* the first keeps its turn: try those after it */
		if (!group_full || next >= json_array_size(waiting))
			break;
		free(cur);
		cur = xstrdup(json_string_value(json_array_get(waiting, next)));
	}
	if (app == NULL && group_full) /* the waiting list tried to its end */
		log_info("offering a freed place: the %zu waiting application(s) tried are each "
			 "in a group with no room; the place stays free",
			 skipped);
	free(cur);
	return app;
}

/* Offer the place to each application the engine named; store each and arm its timer. */
static int
offer_next(struct wctx *c, const struct engine_ctx *e, json_t *cstate, struct engine_out *out)
{
	json_t *ids = json_copy(out->offers), *id;
	size_t i;
	int rc = 0;

	json_array_clear(out->offers);
	json_array_foreach(ids, i, id)
	{
		json_t *app =
		    rc == 0 ? offers_pick(c, e, cstate, json_string_value(id), out) : NULL;

		if (app != NULL) {
			rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
			if (rc == 0)
				rc = offers_arm(c, app);
			if (rc == 0)
				rc = emit_all(c, out);
		}
		json_decref(app);
	}
	json_decref(ids);
	return rc;
}

int
offers_expire(struct wctx *c, const json_t *t)
{
	json_t *app = NULL, *cstate = NULL;
	struct engine_out out;
	struct engine_ctx e = {c->cfg, c->now, c->actor_id, c->actor, NULL, 0, NULL, NULL};
	struct pw_status ost;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_APPS, str(t, "app"), &app) != 0)
		return 0;
	/* Answered, or an older offer's timer: nothing is due. */
	if (!streq(str(json_object_get(app, "offer"), "made"), str(t, "made")) ||
	    config_cohort(c->cfg, str(app, "cohort")) == NULL ||
	    store_rec_get(c->store, c->txn, DB_COHORTS, str(app, "cohort"), &cstate) != 0) {
		json_decref(app);
		return 0;
	}
	engine_out_init(&out);
	if (engine_offer_expire(&e, app, cstate, &out, &ost) == 0) {
		rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
		if (rc == 0)
			rc = emit_all(c, &out);
		if (rc == 0)
			rc = offer_next(c, &e, cstate, &out);
		if (rc == 0)
			rc = store_rec_put(c->store, c->txn, DB_COHORTS, str(app, "cohort"), cstate,
					   c->st);
	}
	engine_out_clear(&out);
	json_decref(cstate);
	json_decref(app);
	return rc;
}
