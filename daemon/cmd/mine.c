/*
 * mine.c: application.mine, what a person's own page shows: every
 * application they stand in a relation to, as they may see it. Found through
 * the indexes, never a scan of every application: a candidate's own (the
 * live application per cohort, DB_META "COHORT/CANDIDATE"), a headteacher's
 * school's (DB_BY_SCHOOL), a coach's, a rater's and a panel member's
 * (DB_BY_PERSON under their id) and a host school's internships
 * (DB_BY_PERSON under "school:ID").
 */
#include "cmd/mine.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "util.h"

#define MINE_MAX 1000 /* applications in one reply */

static int
add_visit(const char *id, void *ud)
{
	json_t *ids = ud;

	json_object_set_new(ids, id, json_true());
	return json_object_size(ids) > MINE_MAX ? 1 : 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The candidate's applications: the one each cohort last had for them. */
static void
add_own(struct wctx *c, json_t *ids)
{
	for (size_t i = 0; i < c->cfg->ncohorts; i++) {
		char *k = xasprintf("%s/%s", c->cfg->cohorts[i].id, c->actor_id);
		json_t *m = NULL;

		if (store_rec_get(c->store, c->txn, DB_META, k, &m) == 0 && str(m, "active"))
			json_object_set_new(ids, str(m, "active"), json_true());
		json_decref(m);
		free(k);
	}
}

/* The applications the actor may see and act on: ended ones only their candidate's. */
static int
view_add(struct wctx *c, const char *id, json_t *out)
{
	json_t *app = NULL, *cand = NULL;
	struct pw_status ignore;
	struct engine_ctx e;
	int live;

	if (store_rec_get(c->store, c->txn, DB_APPS, id, &app) != 0)
		return 0; /* an index entry left behind */
	live = streq(str(app, "status"), "active") || streq(str(app, "status"), "waitlisted");
	if ((live || streq(str(app, "candidate"), c->actor_id)) &&
	    store_rec_get(c->store, c->txn, DB_PEOPLE, str(app, "candidate"), &cand) == 0) {
		cmd_engine_ctx(c, cand, &e);
		if (engine_may_view(&e, app, &ignore) == 0)
			json_array_append_new(out, cmd_app_view(c, app, cand));
	}
	json_decref(app);
	json_decref(cand);
	return 0;
}

int
run_app_mine(struct wctx *c, const json_t *args, json_t **data)
{
	int roles = engine_roles(c->actor), rc = 0;
	const char *school = str(c->actor, "school"), *id;
	json_t *ids = json_object(), *out = json_array(), *v;
	const char **sorted;
	size_t n = 0;

	(void)args;
	if (roles & ROLE_CANDIDATE)
		add_own(c, ids);
	if ((roles & ROLE_HEADTEACHER) && school != NULL)
		rc = store_index_scan(c->store, c->txn, DB_BY_SCHOOL, school, NULL, NULL, NULL,
				      add_visit, ids);
	/* coaches, raters, and members of a cohort's panel (any role) */
	if (rc == 0)
		rc = store_index_scan(c->store, c->txn, DB_BY_PERSON, c->actor_id, NULL, NULL, NULL,
				      add_visit, ids);
	if (rc == 0 && (roles & ROLE_HOST) && school != NULL) {
		char *k = xasprintf("school:%s", school);

		rc = store_index_scan(c->store, c->txn, DB_BY_PERSON, k, NULL, NULL, NULL,
				      add_visit, ids);
		free(k);
	}
	if (rc != 0) {
		json_decref(ids);
		json_decref(out);
		return pw_fail(c->st, PW_ESTORE, "store: finding the applications of %s",
			       c->actor_id);
	}
	sorted = xcalloc(json_object_size(ids) + 1, sizeof *sorted);
	json_object_foreach(ids, id, v)
	{
		sorted[n++] = id;
	}
	qsort(sorted, n, sizeof *sorted, cmp_str);
	for (size_t i = 0; i < n && i < MINE_MAX; i++)
		view_add(c, sorted[i], out);
	*data = json_pack("{s:o, s:b}", "applications", out, "truncated", n > MINE_MAX);
	free(sorted);
	json_decref(ids);
	return 0;
}
