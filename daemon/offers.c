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

#include <string.h>

#include "engine.h"
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
		json_t *app = NULL;
		struct pw_status ost;

		if (rc != 0 ||
		    store_rec_get(c->store, c->txn, DB_APPS, json_string_value(id), &app) != 0) {
			json_decref(app);
			continue;
		}
		if (engine_offer_place(e, app, cstate, out, &ost) != 0) {
			/* No place after all (places lowered on reload): it keeps its turn. */
			log_warn("offering a place to %s: %s", json_string_value(id), ost.msg);
			if (streq(str(app, "status"), "waitlisted"))
				json_array_insert(json_object_get(cstate, "waiting"), 0, id);
		} else {
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
