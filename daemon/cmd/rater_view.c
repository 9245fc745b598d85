/*
 * rater_view.c: an application as a rater who has no other relation to it
 * sees it (application.get, .list, .mine and every reply of a command that
 * changes it, such as feedback.respond). A rater is asked for their view of
 * a colleague; they need to know whose 360 it is, for which programme,
 * whether their answer is still wanted and by when. The candidate's
 * documents, decisions, attendance, internship, coach, stage and outcome
 * are not theirs to read.
 */
#include "cmd/rater_view.h"

#include <string.h>

#include "engine_base.h"
#include "util.h"

int
rater_only(const struct engine_ctx *e, const json_t *app)
{
	int roles = engine_roles(e->actor);

	if (!(roles & ROLE_RATER) || (roles & (ROLE_LA_ADVISER | ROLE_VIEWER)) ||
	    e->actor_id == NULL ||
	    json_object_get(json_object_get(app, "raters"), e->actor_id) == NULL)
		return 0;
	return !engine_related(e, app, ~ROLE_RATER);
}

/* The 360's requirement of the current stage, as a rater reads it, or NULL. */
static json_t *
responses_req(const json_t *v)
{
	const json_t *q;
	size_t i;

	if (!streq(str(v, "status"), "active"))
		return NULL;
	json_array_foreach(json_object_get(v, "requirements"), i, q)
	{
		if (streq(str(q, "kind"), "responses"))
			return json_pack(
			    "{s:s, s:s, s:O}", "kind", "responses", "role", "rater", "met",
			    json_object_get(q, "met") ? json_object_get(q, "met") : json_false());
	}
	return NULL;
}

void
rater_view_cut(const struct engine_ctx *e, json_t *v)
{
	static const char *const kept[] = {"id",     "cohort",	 "programme", "candidate_name",
					   "raters", "deadline", "overdue"};
	json_t *req = responses_req(v), *mine;
	const char *key;
	void *tmp;
	json_t *val;

	json_object_foreach_safe(v, tmp, key, val)
	{
		size_t i = 0;

		while (i < sizeof kept / sizeof kept[0] && strcmp(kept[i], key) != 0)
			i++;
		if (i == sizeof kept / sizeof kept[0] || (req == NULL && i >= 5))
			json_object_del(v, key); /* deadline and overdue: only while it is theirs */
	}
	mine = json_object_get(json_object_get(v, "raters"), e->actor_id);
	mine = mine != NULL ? json_incref(mine) : json_object();
	json_object_set_new(v, "raters", json_pack("{s:o}", e->actor_id, mine));
	if (req != NULL)
		json_object_set_new(v, "requirements", json_pack("[o]", req));
}
