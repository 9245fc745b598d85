/*
 * coach.c: coach.record_training. A coach's attendance at a cohort's coach
 * training is recorded on the coach's person record ("training", see
 * engine_coach.c), not on any candidate's application; then every active
 * application of that cohort the coach is assigned to (found through
 * DB_BY_PERSON, the coach's index) is looked at again, since a
 * coach_trained requirement may now be met, and moves on in the same
 * transaction.
 */
#include "cmd/coach.h"

#include <stdio.h>

#include "cmd/base.h"
#include "util.h"

/* Let the application advance now that its coach's training changed; id joins moved if it did. */
static int
coachee_reconsider(struct wctx *c, const char *coach, const char *cohort, const char *id,
		   json_t *moved)
{
	json_t *app = NULL, *cand = NULL;
	struct engine_out out;
	struct engine_ctx e;
	struct app_pos was;
	int rc;

	if (store_rec_get(c->store, c->txn, DB_APPS, id, &app) != 0)
		return 0; /* an index entry left behind */
	if (!streq(str(app, "coach"), coach) || !streq(str(app, "cohort"), cohort) ||
	    !streq(str(app, "status"), "active") ||
	    config_cohort(c->cfg, cohort)->programme->uses_coach == 0 ||
	    config_stage_index(config_cohort(c->cfg, cohort)->programme, str(app, "stage")) < 0) {
		json_decref(app);
		return 0;
	}
	engine_out_init(&out);
	rc = cmd_load(c, DB_PEOPLE, "person", str(app, "candidate"), &cand);
	if (rc == 0) {
		cmd_engine_ctx(c, cand, &e);
		cmd_engine_app(c, app, &e);
		cmd_app_pos(app, &was);
		engine_reconsider(&e, app, &out);
		if (json_array_size(out.events) > 0) {
			json_array_append_new(moved, json_string(id));
			rc = cmd_app_save(c, app, &was);
			if (rc == 0)
				rc = cmd_emit_all(c, &out);
		}
	}
	engine_out_clear(&out);
	json_decref(cand);
	json_decref(app);
	return rc;
}

int
run_coach_record_training(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = cmd_arg(args, "coach");
	const struct cohort *co;
	json_t *coach = NULL, *ids = json_array(), *moved = json_array(), *v;
	struct engine_out out;
	struct engine_ctx e;
	char key[PW_ID_MAX + 16];
	size_t i;
	int rc;

	engine_out_init(&out);
	rc = cmd_cohort(c, cmd_arg(args, "cohort"), &co);
	if (rc == 0)
		rc = cmd_load(c, DB_PEOPLE, "person", id, &coach);
	if (rc != 0)
		goto done;
	cmd_engine_ctx(c, NULL, &e);
	rc = engine_record_training(&e, co, coach, cmd_arg(args, "session"),
				    json_is_true(json_object_get(args, "present")), &out, c->st);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, coach, c->st);
	if (rc == 0)
		rc = cmd_emit_all(c, &out);
	if (rc != 0)
		goto done;
	/* The engine reads the coach as now recorded (cmd_loaded's key). */
	snprintf(key, sizeof key, "%d/%s", (int)DB_PEOPLE, id);
	json_object_set(c->loaded, key, coach);
	if (store_index_scan(c->store, c->txn, DB_BY_PERSON, id, NULL, NULL, NULL, store_collect_id,
			     ids) != 0) {
		rc = pw_fail(c->st, PW_ESTORE, "store: finding the applications of %s", id);
		goto done;
	}
	json_array_foreach(ids, i, v)
	{
		rc = coachee_reconsider(c, id, co->id, json_string_value(v), moved);
		if (rc != 0)
			goto done;
	}
	rc = cmd_cstates_save(c);
	if (rc == 0) {
		json_t *p = json_deep_copy(coach);

		json_object_del(p, "v");
		*data = json_pack("{s:o, s:O}", "person", p, "advanced", moved);
	}
done:
	engine_out_clear(&out);
	json_decref(coach);
	json_decref(ids);
	json_decref(moved);
	return rc;
}
