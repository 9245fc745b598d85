/*
 * opportunities.c: publish an opportunity to the talent pool first. An
 * opportunity record holds its text, its audience (programme, cohort,
 * stage, school phase, status), its early window and the people already
 * told (those an email was written for: someone without an email address
 * is not told), so the release reaches only everyone else.
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

/*
 * Emit ev with "told": how many of people ({person: role}) are not in the
 * opportunity's told yet and have an email address; write each of them
 * template t and add them to told.
 */
static int
tell(struct wctx *c, json_t *opp, json_t *ev, const json_t *people, const struct template *t)
{
	json_t *told = json_object_get(opp, "told"), *to = json_object(), *role, *vars;
	const char *who;
	int rc;

	json_object_foreach((json_t *)people, who, role)
	{
		if (json_object_get(told, who) == NULL && audience_has_email(c, who))
			json_object_set(to, who, role);
	}
	json_object_set_new(json_object_get(ev, "data"), "told",
			    json_integer((json_int_t)json_object_size(to)));
	rc = wctx_emit(c, ev);
	vars = vars_of(opp);
	json_object_foreach(to, who, role)
	{
		if (rc != 0)
			break;
		json_object_set_new(told, who, json_true());
		rc = notify_person(c, ev, who, json_string_value(role), t, vars);
	}
	json_decref(vars);
	json_decref(to);
	return rc;
}

int
opportunity_publish(struct wctx *c, const json_t *args, json_t **data)
{
	const json_t *aud = json_object_get(args, "audience");
	int days = (int)json_integer_value(json_object_get(args, "early_days"));
	const char *id = str(args, "id");
	char closes[PW_TIME_LEN], published[PW_TIME_LEN], local[64];
	json_t *opp, *ev, *members, *pool, *v;
	const char *who;
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
	/* The candidates of every matching application (audience.c). */
	members = json_object();
	pool = json_object();
	rc = audience_members(c, aud, members);
	json_object_foreach(members, who, v)
	{
		json_object_set_new(pool, who, json_string("candidate"));
	}
	if (rc == 0)
		rc = tell(c, opp, ev, pool, c->cfg->opportunities.early);
	json_decref(members);
	json_decref(pool);
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
	json_decref(ev);
	json_decref(opp);
	return rc;
}

int
opportunity_release(struct wctx *c, const char *id)
{
	int to = c->cfg->opportunities.release_to, rc = 0;
	json_t *opp = NULL, *ev, *people;

	if (store_rec_get(c->store, c->txn, DB_OPPORTUNITIES, id, &opp) != 0 ||
	    json_is_true(json_object_get(opp, "released"))) {
		json_decref(opp);
		return 0;
	}
	/* Everyone in the release roles, written to as the first of them they hold. */
	people = json_object();
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
			if (json_object_get(people, json_string_value(pid)) == NULL)
				json_object_set_new(people, json_string_value(pid),
						    json_string(proto_roles[r]));
		}
		json_decref(s.ids);
	}
	ev = json_pack("{s:s, s:{s:s}}", "type", "opportunity.released", "data", "opportunity", id);
	if (rc == 0)
		rc = tell(c, opp, ev, people, c->cfg->opportunities.released);
	json_object_set_new(opp, "released", json_true());
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_OPPORTUNITIES, id, opp, c->st);
	json_decref(people);
	json_decref(ev);
	json_decref(opp);
	return rc;
}
