/*
 * host_choices.c: application.host_choices, the host schools a candidate
 * may rank for internship brokering (application.rank_hosts), for the
 * candidate's own page or action link. cohort.hosts is for LA advisers,
 * viewers and hosts (it shows hosts' rankings of candidates); this read
 * shows a candidate only the schools of the application's cohort offering
 * places (places > 0), their names and phases, never the candidate's own
 * school nor, when the application is heading for an internship, a school
 * its requirement's host_lss or host_same_phase rule excludes (the same rule
 * application.rank_hosts and the match apply; how many each rule left out
 * is in "left_out"), with the candidate's ranking so far and whether a
 * ranking is taken now ("open"). Nothing is written.
 */
#include "cmd/host_choices.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "engine_broker.h"
#include "util.h"

static int
by_name(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int d = strcmp(str(x, "name"), str(y, "name"));

	return d != 0 ? d : strcmp(str(x, "school"), str(y, "school"));
}

/*
 * The offers of cohort (its state's "hosts") with places, but school own and
 * those requirement q (or NULL: none) excludes, sorted by name; how many q
 * excluded for each reason into left_out.
 */
static json_t *
offers(struct wctx *c, const char *cohort, const char *own, const struct requirement *q,
       json_t *left_out)
{
	const json_t *hosts = json_object_get(cmd_cstate(c, cohort), "hosts"), *entry;
	json_t *list = json_array();
	const char *school;

	json_object_foreach((json_t *)hosts, school, entry)
	{
		const json_t *rec = cmd_loaded(c, DB_SCHOOLS, school);
		const char *why;
		json_t *h;

		if (json_integer_value(json_object_get(entry, "places")) <= 0 || streq(school, own))
			continue;
		why = q != NULL ? engine_host_unfit(q, rec, cmd_loaded(c, DB_SCHOOLS, own)) : NULL;
		if (why != NULL) {
			json_object_set_new(
			    left_out, why,
			    json_integer(json_integer_value(json_object_get(left_out, why)) + 1));
			continue;
		}
		h = json_pack("{s:s, s:s, s:O}", "school", school, "name",
			      str(rec, "name") != NULL ? str(rec, "name") : school, "places",
			      json_object_get(entry, "places"));
		if (str(rec, "phase") != NULL)
			json_object_set_new(h, "phase", json_string(str(rec, "phase")));
		json_array_append_new(list, h);
	}
	pw_json_sort(list, by_name);
	return list;
}

int
run_app_host_choices(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *app = NULL, *cand = NULL, *ranking, *left_out, *hosts;
	const struct requirement *q;
	const struct cohort *co;
	struct engine_ctx e;
	int open, rc = cmd_app_load(c, cmd_arg(args, "app"), &app, &cand, &e);

	if (rc == 0 && !(engine_roles(c->actor) & READERS) &&
	    !streq(c->actor_id, str(app, "candidate")))
		rc = pw_fail(c->st, PW_EFORBIDDEN,
			     "only the candidate and LA advisers see the host schools to rank");
	if (rc == 0)
		rc = cmd_cohort(c, str(app, "cohort"), &co);
	if (rc != 0) {
		json_decref(app);
		json_decref(cand);
		return rc;
	}
	/* Whether application.rank_hosts would take a ranking now. */
	q = engine_internship_req(&e, app);
	open = streq(str(app, "status"), "active") && q != NULL &&
	       json_object_get(app, "internship") == NULL;
	ranking = json_object_get(json_object_get(app, "host_ranking"), "hosts");
	ranking = ranking != NULL ? json_deep_copy(ranking) : json_array();
	left_out = json_object();
	hosts = offers(c, co->id, str(app, "school"), q, left_out);
	*data = json_pack("{s:s, s:s, s:o, s:o, s:o, s:i, s:b}", "app", cmd_arg(args, "app"),
			  "cohort", co->id, "hosts", hosts, "left_out", left_out, "ranking",
			  ranking, "max", BROKER_RANK_MAX, "open", open);
	json_decref(app);
	json_decref(cand);
	return 0;
}
