/*
 * opportunities.c: publish an opportunity to the talent pool first. An
 * opportunity record holds its text, its audience (programme, cohort,
 * stage, school phase, status), its early window and the people already
 * told, so the release reaches only everyone else.
 */
#include "opportunities.h"

#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "notify.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

static json_t *
vars_of(const json_t *opp)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "title", str(opp, "title"), "description",
			 str(opp, "description"), "link", str(opp, "link") ? str(opp, "link") : "",
			 "closes", str(opp, "closes_local"));
}

struct scan {
	struct wctx *c;
	json_t *ids;
};

static int
collect(const char *id, void *ud)
{
	json_array_append_new(((struct scan *)ud)->ids, json_string(id));
	return 0;
}

/* Tell the candidates of every matching application (audience.c); record who was told. */
static int
tell_pool(struct wctx *c, json_t *opp, const json_t *ev, json_t *vars)
{
	json_t *told = json_object_get(opp, "told"), *members = json_object(), *v;
	const char *who;
	int rc = audience_members(c, json_object_get(opp, "audience"), members);

	json_object_foreach(members, who, v)
	{
		if (rc != 0)
			break;
		if (json_object_get(told, who) == NULL) {
			json_object_set_new(told, who, json_true());
			rc = notify_person(c, ev, who, "candidate", c->cfg->opportunities.early,
					   vars);
		}
	}
	json_decref(members);
	return rc;
}

int
opportunity_publish(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *aud = json_object_get(args, "audience");
	int days = (int)json_integer_value(json_object_get(args, "early_days"));
	const char *id = str(args, "id");
	char closes[PW_TIME_LEN], published[PW_TIME_LEN], local[64];
	json_t *opp, *ev, *vars;
	int64_t until, today;
	int rc, minutes;

	const char *tz = c->cfg->ncohorts > 0 ? c->cfg->cohorts[0].timezone : "Europe/London";

	if (str(aud, "cohort") && config_cohort(c->cfg, str(aud, "cohort")) != NULL)
		tz = config_cohort(c->cfg, str(aud, "cohort"))->timezone;
	/* The same local time, that many days on: a clock change in between moves nothing. */
	today = schedule_local_date(tz, c->now, NULL, &minutes);
	until = schedule_local(tz, today + days, minutes);
	if (store_rec_exists(c->store, c->txn, DB_OPPORTUNITIES, id))
		return pw_fail(c->st, PW_EEXISTS, "opportunity '%s' already exists", id);
	rc = audience_check(c, aud);
	if (rc != 0)
		return rc;
	opp = json_pack("{s:i, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:s, s:{}, s:b}", "v", 1, "id",
			id, "title", str(args, "title"), "description", str(args, "description"),
			"audience", aud ? json_incref((json_t *)aud) : json_object(), "early_days",
			days, "published", pw_time_format(c->now, published), "closes",
			pw_time_format(until, closes), "closes_local",
			schedule_format(tz, until, local), "told", "released", 0);
	if (str(args, "link") != NULL)
		json_object_set_new(opp, "link", json_string(str(args, "link")));
	ev = json_pack("{s:s, s:{s:s, s:s}}", "type", "opportunity.published", "data",
		       "opportunity", id, "closes", closes);
	vars = vars_of(opp);
	rc = wctx_emit(c, ev);
	if (rc == 0)
		rc = tell_pool(c, opp, ev, vars);
	if (rc == 0)
		rc = timers_arm_opportunity(c, id, until);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_OPPORTUNITIES, id, opp, c->st);
	if (rc == 0) {
		/* The publisher is an LA adviser: the reply names who was told. */
		json_t *view = json_deep_copy(opp);

		json_object_del(view, "v");
		*data = json_pack("{s:o, s:I}", "opportunity", view, "told",
				  (json_int_t)json_object_size(json_object_get(opp, "told")));
	}
	json_decref(vars);
	json_decref(ev);
	json_decref(opp);
	return rc;
}

int
opportunity_release(struct wctx *c, const char *id)
{
	int to = c->cfg->opportunities.release_to, rc;
	json_t *opp = NULL, *ev, *vars, *told;

	if (store_rec_get(c->store, c->txn, DB_OPPORTUNITIES, id, &opp) != 0 ||
	    json_is_true(json_object_get(opp, "released"))) {
		json_decref(opp);
		return 0;
	}
	told = json_object_get(opp, "told");
	ev = json_pack("{s:s, s:{s:s}}", "type", "opportunity.released", "data", "opportunity", id);
	vars = vars_of(opp);
	rc = wctx_emit(c, ev);
	for (int r = 0; proto_roles[r] != NULL && rc == 0; r++) {
		struct scan s = {c, NULL};
		json_t *pid;
		size_t k;

		if (!(to & (1 << r)))
			continue;
		s.ids = json_array();
		rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, proto_roles[r], NULL, NULL,
				      NULL, collect, &s);
		json_array_foreach(s.ids, k, pid)
		{
			const char *who = json_string_value(pid);

			if (rc != 0 || json_object_get(told, who) != NULL)
				continue;
			json_object_set_new(told, who, json_true());
			rc = notify_person(c, ev, who, proto_roles[r],
					   c->cfg->opportunities.released, vars);
		}
		json_decref(s.ids);
	}
	json_object_set_new(opp, "released", json_true());
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_OPPORTUNITIES, id, opp, c->st);
	json_decref(vars);
	json_decref(ev);
	json_decref(opp);
	return rc;
}
