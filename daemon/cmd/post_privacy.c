/*
 * post_privacy.c: secondment posts under UK GDPR. person.export adds the
 * person's applications to posts (each as they themself see it: their
 * statement and status, never a score) and what they gave as a panel
 * member; person.erase removes the statements they wrote on their
 * applications and the notes they wrote on others' (the scores, which hold
 * no free text, stay for the post's record), and so does a retention purge
 * that erases its candidate (post_privacy_erase). Applications to posts are
 * scanned in DB_POST_APPS (posts are few); everything else is
 * cmd/privacy.c, run first.
 */
#include "cmd/post_privacy.h"

#include "cmd/base.h"
#include "cmd/privacy.h"
#include "posts.h"

struct scan {
	const char *id;
	json_t *mine;	/* their applications */
	json_t *panels; /* post -> [{"round", "applicant", "scores"}] they gave */
	json_t *apps;	/* key -> application to store again (erasure) */
};

static int
visit(const char *key, json_t *app, void *ud)
{
	struct scan *s = ud;
	json_t *given = json_object_get(json_object_get(app, "scores"), s->id);

	if (streq(str(app, "person"), s->id))
		json_array_append(s->mine, app);
	if (given != NULL) {
		json_t *list = json_object_get(s->panels, str(app, "post"));

		if (list == NULL) {
			list = json_array();
			json_object_set_new(s->panels, str(app, "post"), list);
		}
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:O}", "round", str(app, "round"),
						"applicant", str(app, "person"), "scores", given));
	}
	if (s->apps != NULL && (streq(str(app, "person"), s->id) || given != NULL))
		json_object_set(s->apps, key, app);
	return 0;
}

static int
scan(struct wctx *c, struct scan *s)
{
	if (store_rec_scan(c->store, c->txn, DB_POST_APPS, NULL, visit, s) != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading applications to posts");
	return 0;
}

int
run_person_export_posts(struct wctx *c, const json_t *args, json_t **data)
{
	struct scan s = {cmd_arg(args, "id"), json_array(), json_object(), NULL};
	json_t *app, *out = json_array();
	size_t i;
	int rc = run_person_export(c, args, data);

	if (rc == 0)
		rc = scan(c, &s);
	json_array_foreach(s.mine, i, app)
	{
		json_t *v = json_deep_copy(app);

		json_object_del(v, "v");
		json_object_del(v, "scores");
		json_array_append_new(out, v);
	}
	if (rc == 0) {
		json_t *doc = json_object_get(*data, "export");

		json_object_set(doc, "post_applications", out);
		json_object_set(doc, "post_panels", s.panels);
	}
	json_decref(out);
	json_decref(s.mine);
	json_decref(s.panels);
	return rc;
}

int
run_person_erase_posts(struct wctx *c, const json_t *args, json_t **data)
{
	int rc = run_person_erase(c, args, data);

	return rc == 0
		   ? post_privacy_erase(c, cmd_arg(args, "id"), json_object_get(*data, "erased"))
		   : rc;
}

int
post_privacy_erase(struct wctx *c, const char *id, json_t *erased)
{
	struct scan s = {id, json_array(), json_object(), json_object()};
	json_int_t statements = 0, notes = 0;
	char at[PW_TIME_LEN];
	const char *key, *crit;
	json_t *app, *sc;
	int rc = scan(c, &s);

	pw_time_format(c->now, at);
	json_object_foreach(s.apps, key, app)
	{
		if (rc != 0)
			break;
		if (streq(str(app, "person"), s.id) && json_object_get(app, "statement") != NULL) {
			json_object_del(app, "statement");
			json_object_set_new(app, "erased", json_string(at));
			statements++;
		}
		json_object_foreach(json_object_get(json_object_get(app, "scores"), s.id), crit, sc)
		{
			if (json_object_get(sc, "note") != NULL) {
				json_object_del(sc, "note");
				notes++;
			}
		}
		rc = store_rec_put(c->store, c->txn, DB_POST_APPS, key, app, c->st);
	}
	if (rc == 0 && statements > 0)
		json_object_set_new(erased, "post_applications", json_integer(statements));
	if (rc == 0 && notes > 0)
		json_object_set_new(erased, "post_notes", json_integer(notes));
	json_decref(s.mine);
	json_decref(s.panels);
	json_decref(s.apps);
	return rc;
}
