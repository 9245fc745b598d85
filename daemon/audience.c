/*
 * audience.c: who an audience (programme, cohort, stage, school phase,
 * status) reaches: the candidates of the matching applications, found
 * through each cohort's stage index (DB_BY_STAGE), never a scan of every
 * application. An opportunity's early window (opportunities.c) and a
 * secondment post's internal round (posts.c) are told this way.
 */
#include "audience.h"

#include <string.h>

#include "util.h"

int
audience_check(struct wctx *c, const json_t *aud)
{
	static const char *const keys[] = {"programme", "cohort", "stage", "phase", "status", NULL};
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)aud, k, v)
	{
		int known = 0;

		for (int i = 0; keys[i] != NULL; i++)
			known |= strcmp(keys[i], k) == 0;
		if (!known || !json_is_string(v))
			return pw_fail(c->st, PW_EINVALID,
				       "audience.%s: the audience may name programme, cohort, "
				       "stage, phase and status (strings)",
				       k);
	}
	if (str(aud, "cohort") && config_cohort(c->cfg, str(aud, "cohort")) == NULL)
		return pw_fail(c->st, PW_ENOTFOUND, "no cohort '%s'", str(aud, "cohort"));
	if (str(aud, "programme") && config_programme(c->cfg, str(aud, "programme")) == NULL)
		return pw_fail(c->st, PW_ENOTFOUND, "no programme '%s'", str(aud, "programme"));
	return 0;
}

/* Does application app (of cohort co) belong to the audience? */
static int
matches(struct wctx *c, const json_t *aud, const struct cohort *co, const json_t *app)
{
	const char *status = str(app, "status"), *want = str(aud, "status");
	json_t *school = NULL;
	int ok;

	if (want != NULL ? !streq(status, want)
			 : !(streq(status, "active") || streq(status, "graduated")))
		return 0;
	if (str(aud, "programme") && !streq(str(aud, "programme"), co->programme->id))
		return 0;
	if (str(aud, "stage") && !streq(str(aud, "stage"), str(app, "stage")))
		return 0;
	if (str(aud, "phase") == NULL)
		return 1;
	store_rec_get(c->store, c->txn, DB_SCHOOLS, str(app, "school"), &school);
	ok = streq(str(school, "phase"), str(aud, "phase"));
	json_decref(school);
	return ok;
}

int
audience_members(struct wctx *c, const json_t *aud, json_t *members)
{
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++) {
		const struct cohort *co = &c->cfg->cohorts[i];
		json_t *ids, *id;
		size_t n;

		if (str(aud, "cohort") && !streq(str(aud, "cohort"), co->id))
			continue;
		ids = json_array();
		if (store_index_scan(c->store, c->txn, DB_BY_STAGE, co->id, NULL, NULL, NULL,
				     store_collect_id, ids) != 0)
			rc = pw_fail(c->st, PW_ESTORE, "store: reading cohort %s", co->id);
		json_array_foreach(ids, n, id)
		{
			json_t *app = NULL;

			if (rc != 0 || store_rec_get(c->store, c->txn, DB_APPS,
						     json_string_value(id), &app) != 0)
				continue;
			if (str(app, "candidate") != NULL && matches(c, aud, co, app))
				json_object_set_new(members, str(app, "candidate"), json_true());
			json_decref(app);
		}
		json_decref(ids);
	}
	return rc;
}

int
audience_has_email(struct wctx *c, const char *person)
{
	json_t *p = NULL;
	int yes =
	    store_rec_get(c->store, c->txn, DB_PEOPLE, person, &p) == 0 && str(p, "email") != NULL;

	json_decref(p);
	return yes;
}
