/*
 * engine_places.c: a cohort's places. The cohort state is a JSON object
 * {"taken": n, "waiting": [app ids]}: how many places accepted applications
 * hold, and the waiting list in the order applications joined it. An
 * application that holds a place has "place": true in its record. Taking a
 * place, giving one up and moving on the waiting list happen here and only
 * here; the caller stores the cohort state with the application.
 */
#include "engine_places.h"

#include "engine_reqs.h"
#include "util.h"

int
engine_waiting_remove(json_t *cstate, const char *id)
{
	json_t *w = json_object_get(cstate, "waiting");
	size_t i;
	json_t *e;

	json_array_foreach(w, i, e)
	{
		if (streq(json_string_value(e), id)) {
			json_array_remove(w, i);
			return (int)i + 1;
		}
	}
	return 0;
}

int
engine_waiting_add(json_t *cstate, const char *id)
{
	json_t *w = json_object_get(cstate, "waiting");

	json_array_append_new(w, json_string(id));
	return (int)json_array_size(w);
}

static void
taken_add(json_t *cstate, int delta)
{
	json_int_t t = json_integer_value(json_object_get(cstate, "taken")) + delta;

	json_object_set_new(cstate, "taken", json_integer(t));
}

void
engine_place_release(json_t *app, json_t *cstate, struct engine_out *out)
{
	json_t *w = json_object_get(cstate, "waiting");

	engine_waiting_remove(cstate, str(app, "id"));
	if (!json_is_true(json_object_get(app, "place")))
		return;
	json_object_set_new(app, "place", json_false());
	taken_add(cstate, -1);
	if (json_array_size(w) > 0) {
		json_array_append(out->offers, json_array_get(w, 0));
		json_array_remove(w, 0);
	}
}

int
engine_place_take(const struct engine_ctx *ctx, json_t *app, json_t *cstate,
		  const struct requirement *q, struct pw_status *st)
{
	const struct cohort *c = engine_app_cohort(ctx, app);

	if (!q->capacity)
		return 0;
	if (json_integer_value(json_object_get(cstate, "taken")) >= c->places)
		return pw_fail(st, PW_EFULL, "cohort %s has no place left (%d places)", c->id,
			       c->places);
	engine_waiting_remove(cstate, str(app, "id"));
	taken_add(cstate, 1);
	json_object_set_new(app, "place", json_true());
	return 0;
}
