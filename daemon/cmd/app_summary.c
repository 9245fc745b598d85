/*
 * app_summary.c: an application in brief (application.list's summary), for
 * a page that draws a whole cohort at once, such as pathway-web's
 * dashboard. Most of a listing's cost is the view of each application: a
 * deep copy of the record, the deadline in the cohort's words, the raters'
 * names, and the JSON of documents, decisions and attendance that such a
 * page never draws. The summary keeps what a cohort's lists read.
 */
#include "cmd/app_summary.h"

#include <string.h>

#include "cmd/base.h"
#include "util.h"

static const char *const summary_keys[] = {
    "id",      "cohort", "programme",  "candidate",	"school",	  "route",
    "track",   "status", "stage",      "stage_entered", "place",	  "coach",
    "overdue", "offer",	 "internship", "raters",	"candidate_name", "requirements"};

static int
summary_key(const char *key)
{
	for (size_t i = 0; i < sizeof summary_keys / sizeof summary_keys[0]; i++)
		if (strcmp(summary_keys[i], key) == 0)
			return 1;
	return 0;
}

/* Anyone but an LA adviser or viewer: their own view (redacted as ever), cut down. */
static json_t *
summary_of_view(struct wctx *c, const json_t *app, const json_t *candidate)
{
	json_t *v = cmd_app_view(c, app, candidate), *val, *r;
	const char *key;
	void *tmp;

	json_object_foreach_safe(v, tmp, key, val)
	{
		if (!summary_key(key))
			json_object_del(v, key);
	}
	json_object_foreach(json_object_get(v, "raters"), key, r)
	{
		json_object_del(r, "name");
	}
	return v;
}

json_t *
cmd_app_summary(struct wctx *c, const json_t *app, const json_t *candidate)
{
	struct engine_ctx e;
	json_t *v, *val;
	const char *status = str(app, "status");

	if (!(engine_roles(c->actor) & READERS))
		return summary_of_view(c, app, candidate);
	/* An LA adviser or viewer sees the whole record: nothing to redact in these keys. */
	v = json_object();
	for (size_t i = 0; i < sizeof summary_keys / sizeof summary_keys[0]; i++) {
		val = json_object_get(app, summary_keys[i]);
		if (val != NULL)
			json_object_set(v, summary_keys[i], val);
	}
	if (str(candidate, "name") != NULL)
		json_object_set_new(v, "candidate_name", json_string(str(candidate, "name")));
	if (streq(status, "active") || streq(status, "waitlisted")) {
		cmd_engine_ctx(c, candidate, &e);
		cmd_engine_app(c, app, &e);
		json_object_set_new(v, "requirements", engine_requirements(&e, app));
	}
	return v;
}
