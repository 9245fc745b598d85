/*
 * engine_places.c: a cohort's places. The cohort state is a JSON object
 * {"taken": n, "waiting": [app ids], "offered": [app ids]}: how many places
 * accepted applications hold, the waiting list in the order applications
 * joined it, and the applications a freed place is held for while their
 * offer is open. An application that holds a place has "place": true in its
 * record; one with an open offer has "offer": {"made", "expires"} (closed:
 * with "result" and "at"). Taking a place, giving one up, holding one for
 * an offer and moving on the waiting list happen here and only here; the
 * caller stores the cohort state with the application.
 */
#include "engine_places.h"

#include "config_panel.h"
#include "engine_calendar.h"
#include "engine_panel.h"
#include "engine_reqs.h"
#include "util.h"

static int
list_remove(json_t *list, const char *id)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		if (streq(json_string_value(e), id)) {
			json_array_remove(list, i);
			return (int)i + 1;
		}
	}
	return 0;
}

int
engine_waiting_remove(json_t *cstate, const char *id)
{
	return list_remove(json_object_get(cstate, "waiting"), id);
}

int
engine_waiting_add(json_t *cstate, const char *id)
{
	json_t *w = json_object_get(cstate, "waiting");

	json_array_append_new(w, json_string(id));
	return (int)json_array_size(w);
}

json_t *
engine_offered(json_t *cstate)
{
	json_t *o = json_object_get(cstate, "offered");

	if (!json_is_array(o)) {
		o = json_array();
		json_object_set_new(cstate, "offered", o);
	}
	return o;
}

int
engine_places_held(json_t *cstate)
{
	return (int)json_integer_value(json_object_get(cstate, "taken")) +
	       (int)json_array_size(json_object_get(cstate, "offered"));
}

int
engine_offer_is_open(const json_t *app)
{
	const json_t *o = json_object_get(app, "offer");

	return o != NULL && json_object_get(o, "result") == NULL;
}

void
engine_offer_close(const struct engine_ctx *ctx, json_t *app, json_t *cstate, const char *result)
{
	json_t *o = json_object_get(app, "offer");
	char t[PW_TIME_LEN];

	list_remove(engine_offered(cstate), str(app, "id"));
	json_object_del(json_object_get(cstate, "offer_tracks"), str(app, "id"));
	json_object_set_new(o, "result", json_string(result));
	json_object_set_new(o, "at", json_string(pw_time_format(ctx->now, t)));
}

void
engine_offer_track(json_t *cstate, const json_t *app)
{
	json_t *m = json_object_get(cstate, "offer_tracks");

	if (str(app, "track") == NULL)
		return;
	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(cstate, "offer_tracks", m);
	}
	json_object_set_new(m, str(app, "id"), json_string(str(app, "track")));
}

int
engine_group_room(const struct cohort *co, const json_t *cstate, const json_t *app, int with_offers)
{
	int track = config_track_index(co->programme, str(app, "track") ?: "");
	const struct cohort_group *g = track >= 0 ? config_group(co, track) : NULL;
	const char *id, *t;
	json_t *v;
	int n;

	if (g == NULL || g->max <= 0)
		return 1;
	n = engine_group_size(co, cstate, track);
	json_object_foreach(json_object_get(cstate, "offer_tracks"), id, v)
	{
		t = json_string_value(v);
		if (with_offers && streq(t, co->programme->tracks[track].id) &&
		    !streq(id, str(app, "id")))
			n++;
	}
	return n < g->max;
}

static void
taken_add(json_t *cstate, int delta)
{
	json_int_t t = json_integer_value(json_object_get(cstate, "taken")) + delta;

	json_object_set_new(cstate, "taken", json_integer(t));
}

void
engine_place_pass(const struct engine_ctx *ctx, const struct cohort *co, json_t *cstate,
		  struct engine_out *out)
{
	json_t *w = json_object_get(cstate, "waiting");

	if (json_array_size(w) == 0 || !engine_offers_open(ctx, co))
		return;
	json_array_append(out->offers, json_array_get(w, 0));
	json_array_remove(w, 0);
}

void
engine_place_release(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		     struct engine_out *out)
{
	engine_waiting_remove(cstate, str(app, "id"));
	if (engine_offer_is_open(app)) {
		engine_offer_close(ctx, app, cstate, "cancelled");
		engine_place_pass(ctx, engine_app_cohort(ctx, app), cstate, out);
		return;
	}
	if (!json_is_true(json_object_get(app, "place")))
		return;
	json_object_set_new(app, "place", json_false());
	taken_add(cstate, -1);
	engine_place_pass(ctx, engine_app_cohort(ctx, app), cstate, out);
}

int
engine_place_take(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		  const struct requirement *q, struct pw_status *st)
{
	const struct cohort *c = engine_app_cohort(ctx, app);

	if (!q->capacity)
		return 0;
	if (engine_offer_is_open(app)) {
		engine_offer_close(ctx, app, cstate, "accepted"); /* the place held for it */
	} else if (engine_places_held(cstate) >= c->places) {
		int offered = (int)json_array_size(json_object_get(cstate, "offered"));

		return pw_fail(st, PW_EFULL, "cohort %s has no place left (%d places%s)", c->id,
			       c->places, offered ? ", some held for offers" : "");
	}
	engine_waiting_remove(cstate, str(app, "id"));
	taken_add(cstate, 1);
	json_object_set_new(app, "place", json_true());
	return 0;
}
