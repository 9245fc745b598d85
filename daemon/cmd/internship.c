/*
 * internship.c: internship brokering's preferences. A candidate ranks host
 * schools (application.rank_hosts, through the engine: engine_broker.c);
 * a host school offers places for the cohort's internships and may rank
 * the candidates who ranked it, and no others (cohort.set_host; an LA
 * adviser may rank any application of the cohort for it); cohort.hosts shows the
 * hosts, to a host only its own school with the candidates who ranked it.
 * A host's offer lives in the cohort's state (DB_COHORTS):
 * "hosts": {school: {"places", "ranking"?: [app ids], "at", "by"}}; a
 * cohort's internships run in one term, so its places are the host's
 * places for that term.
 */
#include "cmd/internship.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "engine_base.h"
#include "engine_broker.h"
#include "util.h"

/* At most this many places per host and cohort. */
#define HOST_PLACES_MAX 100

static int
op_rank(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	struct engine_out *out)
{
	const json_t *own = cmd_loaded(c, DB_SCHOOLS, str(app, "school"));

	return engine_rank_hosts(e, app, op->ref, own, out, c->st);
}

int
run_app_rank_hosts(struct wctx *c, const json_t *args, json_t **data)
{
	struct app_op op = {args, json_array(), op_rank};
	const json_t *id;
	size_t i;
	int rc = 0;

	if (!store_rec_exists(c->store, c->txn, DB_APPS, cmd_arg(args, "app")))
		rc = pw_fail(c->st, PW_ENOTFOUND, "no application '%s'", cmd_arg(args, "app"));
	json_array_foreach(json_object_get(args, "hosts"), i, id)
	{
		json_t *school = NULL;

		if (rc == 0)
			rc = cmd_load(c, DB_SCHOOLS, "school", json_string_value(id), &school);
		if (rc == 0)
			json_array_append_new(op.ref, school);
	}
	if (rc == 0)
		rc = cmd_app_command(c, cmd_arg(args, "app"), &op, data);
	json_decref(op.ref);
	return rc;
}

/* Whether the actor may speak for school: an LA adviser, or a host at it. */
static int
speaks_for(const struct wctx *c, const char *school)
{
	int roles = engine_roles(c->actor);

	return (roles & ROLE_LA_ADVISER) ||
	       ((roles & ROLE_HOST) && streq(str(c->actor, "school"), school));
}

/* Whether app is active and ranked school (application.rank_hosts). */
static int
ranked_school(const json_t *app, const char *school)
{
	const json_t *h;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(app, "host_ranking"), "hosts"), i, h)
	{
		if (streq(json_string_value(h), school))
			return streq(str(app, "status"), "active");
	}
	return 0;
}

int
run_cohort_set_host(struct wctx *c, const json_t *args, json_t **data)
{
	const char *school = cmd_arg(args, "school");
	const json_t *ranking = json_object_get(args, "ranking"), *v;
	json_int_t places = json_integer_value(json_object_get(args, "places"));
	const struct cohort *co;
	json_t *rec = NULL, *hosts, *entry;
	size_t i;
	int rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co);

	if (rc == 0)
		rc = cmd_load(c, DB_SCHOOLS, "school", school, &rec);
	json_decref(rec);
	if (rc != 0)
		return rc;
	if (!speaks_for(c, school))
		return pw_fail(c->st, PW_EFORBIDDEN,
			       "%s may not offer places at %s: only its hosts or an LA adviser may",
			       c->actor_id, school);
	if (places < 0 || places > HOST_PLACES_MAX)
		return pw_fail(c->st, PW_EINVALID, "'places' must be from 0 to %d",
			       HOST_PLACES_MAX);
	json_array_foreach(ranking, i, v)
	{
		json_t *app = NULL;
		int ok;

		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(ranking, j), v))
				return pw_fail(c->st, PW_EINVALID, "'ranking' names %s twice",
					       json_string_value(v));
		if (store_rec_get(c->store, c->txn, DB_APPS, json_string_value(v), &app) != 0)
			app = NULL;
		ok = app != NULL && streq(str(app, "cohort"), co->id);
		/* A host ranks only those it may see (cohort.hosts), alike whether or not the
		 * id exists, so a ranking cannot probe the cohort's applications. */
		if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) &&
		    !(ok && ranked_school(app, school))) {
			json_decref(app);
			return pw_fail(c->st, PW_EFORBIDDEN,
				       "'ranking': %s is not an application of %s that ranked %s; "
				       "a host ranks only those who ranked it",
				       json_string_value(v), co->id, school);
		}
		json_decref(app);
		if (ok == 0 && !store_rec_exists(c->store, c->txn, DB_APPS, json_string_value(v)))
			return pw_fail(c->st, PW_EINVALID, "'ranking': no application '%s'",
				       json_string_value(v));
		if (!ok)
			return pw_fail(c->st, PW_EINVALID,
				       "'ranking': application %s is not in cohort %s",
				       json_string_value(v), co->id);
	}
	hosts = engine_sub(cmd_cstate(c, co->id), "hosts");
	entry = engine_stamp(&(struct engine_ctx){.now = c->now, .actor_id = c->actor_id});
	json_object_set_new(entry, "places", json_integer(places));
	if (ranking != NULL)
		json_object_set_new(entry, "ranking", json_deep_copy(ranking));
	json_object_set_new(hosts, school, entry);
	rc = cmd_cstates_save(c);
	if (rc == 0) {
		json_t *ev = json_pack("{s:s, s:s, s:{s:s, s:I, s:b}}", "type", "cohort.host_set",
				       "cohort", co->id, "data", "school", school, "places", places,
				       "ranks", ranking != NULL);

		rc = wctx_emit(c, ev);
		json_decref(ev);
	}
	if (rc == 0)
		*data =
		    json_pack("{s:s, s:s, s:O}", "cohort", co->id, "school", school, "host", entry);
	return rc;
}

/*
 * The applications of the cohort that ranked school. Not where it stands in
 * their rankings: a candidate's ranking is for them, their headteacher and
 * coach and the LA (cmd_app_redact), and a host that knew it could rank
 * candidates by it.
 */
struct ranked_by {
	struct wctx *c;
	const char *cohort, *school;
	json_t *list;
};

static int
ranked_visit(const char *id, void *ud)
{
	struct ranked_by *r = ud;
	json_t *app = NULL;

	if (store_rec_get(r->c->store, r->c->txn, DB_APPS, id, &app) != 0)
		return 0;
	if (ranked_school(app, r->school)) {
		const json_t *cand = cmd_loaded(r->c, DB_PEOPLE, str(app, "candidate"));

		json_array_append_new(r->list, json_pack("{s:s, s:s, s:s}", "app", id, "candidate",
							 str(app, "candidate"), "candidate_name",
							 str(cand, "name") ?: ""));
	}
	json_decref(app);
	return 0;
}

int
run_cohort_hosts(struct wctx *c, const json_t *args, json_t **data)
{
	int roles = engine_roles(c->actor), all = roles & READERS;
	const struct cohort *co;
	const char *school;
	json_t *hosts, *entry, *list = json_array();
	int rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co);

	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	hosts = json_object_get(cmd_cstate(c, co->id), "hosts");
	json_object_foreach(hosts, school, entry)
	{
		json_t *h;

		if (!all && !streq(school, str(c->actor, "school")))
			continue;
		h = json_pack("{s:s, s:O}", "school", school, "places",
			      json_object_get(entry, "places"));
		if (json_object_get(entry, "ranking") != NULL)
			json_object_set(h, "ranking", json_object_get(entry, "ranking"));
		json_object_set(h, "at", json_object_get(entry, "at"));
		json_array_append_new(list, h);
	}
	if (!all) { /* a host: their school, with the candidates who ranked it */
		struct ranked_by r = {c, co->id, str(c->actor, "school"), json_array()};

		if (r.school != NULL && store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id,
							 NULL, NULL, NULL, ranked_visit, &r) != 0) {
			json_decref(r.list);
			json_decref(list);
			return pw_fail(c->st, PW_ESTORE, "store: reading cohort %s", co->id);
		}
		*data = json_pack("{s:s, s:o, s:o}", "cohort", co->id, "hosts", list, "ranked_by",
				  r.list);
		return 0;
	}
	*data = json_pack("{s:s, s:o}", "cohort", co->id, "hosts", list);
	return 0;
}
