/*
 * form.c: the commands on an application's forms. Submitting a form's
 * fields (application.submit, through the engine), keeping a draft
 * (application.save_draft), sending a submitted form back for changes
 * (application.return) and reading one (form.get).
 *
 * A form's content lives apart from the application record, in DB_FORMS
 * under "APP/FORM": {"app", "form", "state" (draft, submitted, returned),
 * "fields", "saved" (a draft's time), "submitted", "by", "returns": [{"at",
 * "by", "note"}]}. The application keeps only that it was submitted
 * ("docs": {FORM: {"at", "by"}}), as for any document. A draft is its
 * filler's alone; submitted content is for the filler, the form's readers
 * and LA advisers.
 */
#include "cmd/form.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "engine_reqs.h"
#include "forms.h"
#include "util.h"

/* The form named by args.form in app's programme, or PW_ENOTFOUND. */
static int
form_of(struct wctx *c, const json_t *app, const char *id, const struct form **fm)
{
	const struct cohort *co = config_cohort(c->cfg, str(app, "cohort"));

	*fm = co ? config_form(co->programme, id) : NULL;
	if (*fm == NULL)
		return pw_fail(c->st, PW_ENOTFOUND, "programme %s has no form '%s'",
			       co ? co->programme->id : "?", id);
	return 0;
}

static char *
rec_key(const json_t *app, const char *form)
{
	return xasprintf("%s/%s", str(app, "id"), form);
}

/* The stored record of app's form, or a new empty one (new reference). */
static json_t *
rec_load(struct wctx *c, const json_t *app, const char *form)
{
	char *k = rec_key(app, form);
	json_t *r = NULL;

	if (store_rec_get(c->store, c->txn, DB_FORMS, k, &r) != 0)
		r = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "app", str(app, "id"), "form", form,
			      "state", "empty");
	free(k);
	return r;
}

static int
rec_save(struct wctx *c, const json_t *app, const char *form, json_t *r)
{
	char *k = rec_key(app, form);
	int rc = store_rec_put(c->store, c->txn, DB_FORMS, k, r, c->st);

	if (rc == 0) /* who filled it in or returned it: for their export and erasure */
		rc = store_person_index_form(c->store, c->txn, k, r, c->st);
	free(k);
	return rc;
}

static void
set_now(struct wctx *c, json_t *o, const char *key)
{
	char t[PW_TIME_LEN];

	json_object_set_new(o, key, json_string(pw_time_format(c->now, t)));
}

int
form_op_submit(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	       struct engine_out *out)
{
	const char *doc = cmd_arg(op->args, "doc");
	const json_t *fields = json_object_get(op->args, "fields");
	const struct requirement *q = engine_stage_req(e, app, REQ_SUBMISSION, doc);
	json_t *r, *clean;
	int rc;

	if (q != NULL && q->form == NULL && fields != NULL)
		return pw_fail(c->st, PW_EINVALID,
			       "'%s' is a document, not a form: it takes 'ref', not 'fields'", doc);
	rc = engine_submit(e, app, doc, cmd_arg(op->args, "ref"), out, c->st);
	if (rc != 0 || q->form == NULL)
		return rc;
	/* The fields given, or else the draft kept. */
	r = rec_load(c, app, doc);
	if (fields == NULL)
		fields = json_object_get(r, "fields");
	if (fields == NULL) {
		json_decref(r);
		return pw_fail(c->st, PW_EINVALID,
			       "'fields' is required: form '%s' has no draft to submit", doc);
	}
	rc = form_validate(q->form, fields, 1, c->st);
	if (rc == 0) {
		clean = form_clean(fields);
		json_object_set_new(r, "fields", clean);
		json_object_set_new(r, "state", json_string("submitted"));
		set_now(c, r, "submitted");
		json_object_set_new(r, "by", json_string(c->actor_id));
		json_object_del(r, "saved");
		json_object_del(json_object_get(app, "returned"), doc);
		if (json_object_size(json_object_get(app, "returned")) == 0)
			json_object_del(app, "returned");
		rc = rec_save(c, app, doc, r);
	}
	json_decref(r);
	return rc;
}

int
form_op_return(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	       struct engine_out *out)
{
	const struct form *fm;
	json_t *r, *ret;
	int rc = form_of(c, app, cmd_arg(op->args, "form"), &fm);

	if (rc == 0)
		rc = engine_return_form(e, app, fm, cmd_arg(op->args, "note"), out, c->st);
	if (rc != 0)
		return rc;
	r = rec_load(c, app, fm->id);
	json_object_set_new(r, "state", json_string("returned"));
	if (json_object_get(r, "returns") == NULL)
		json_object_set_new(r, "returns", json_array());
	ret = json_pack("{s:s, s:s}", "by", c->actor_id, "note", cmd_arg(op->args, "note"));
	set_now(c, ret, "at");
	json_array_append_new(json_object_get(r, "returns"), ret);
	rc = rec_save(c, app, fm->id, r);
	json_decref(r);
	return rc;
}

/* What of form record r the actor sees: the filler all, readers and the LA no draft. */
static json_t *
form_view(const struct form *fm, const json_t *r, int filler)
{
	json_t *v = json_deep_copy(r);

	json_object_del(v, "v");
	if (!filler && streq(str(r, "state"), "draft")) {
		json_object_del(v, "fields");
		json_object_del(v, "saved");
	}
	if (!filler && streq(str(r, "state"), "returned"))
		json_object_del(v, "fields"); /* being changed: the filler's again until sent */
	json_object_set_new(v, "definition", form_json(fm));
	return v;
}

int
run_form_save_draft(struct wctx *c, const json_t *args, json_t **data)
{
	const char *form = cmd_arg(args, "form");
	const struct requirement *q;
	const struct form *fm;
	struct engine_ctx e;
	json_t *app, *cand, *r = NULL, *merged;
	int rc = cmd_app_load(c, cmd_arg(args, "app"), &app, &cand, &e);

	if (rc == 0)
		rc = form_of(c, app, form, &fm);
	if (rc == 0)
		rc = engine_may_fill(&e, app, fm, c->st);
	if (rc != 0)
		goto done;
	q = streq(str(app, "status"), "active") ? engine_stage_req(&e, app, REQ_SUBMISSION, form)
						: NULL;
	if (q == NULL || q->form != fm) {
		rc = pw_fail(c->st, PW_ETRANSITION, "application %s is not waiting for form '%s'",
			     str(app, "id"), form);
		goto done;
	}
	if (json_object_get(json_object_get(app, "docs"), form) != NULL) {
		rc = pw_fail(c->st, PW_ETRANSITION, "form '%s' is already submitted", form);
		goto done;
	}
	rc = form_validate(fm, json_object_get(args, "fields"), 0, c->st);
	if (rc != 0)
		goto done;
	r = rec_load(c, app, form);
	/* A draft saved again keeps the fields it does not name. */
	merged = json_object_get(r, "fields") ? json_deep_copy(json_object_get(r, "fields"))
					      : json_object();
	json_object_update(merged, json_object_get(args, "fields"));
	json_object_set_new(r, "fields", form_clean(merged));
	json_decref(merged);
	json_object_set_new(r, "state", json_string("draft"));
	set_now(c, r, "saved");
	json_object_set_new(r, "by", json_string(c->actor_id));
	rc = rec_save(c, app, form, r);
	if (rc == 0)
		*data = json_pack("{s:o}", "form", form_view(fm, r, 1));
done:
	json_decref(r);
	json_decref(app);
	json_decref(cand);
	return rc;
}

int
run_form_get(struct wctx *c, const json_t *args, json_t **data)
{
	const struct form *fm;
	struct engine_ctx e;
	json_t *app, *cand, *r;
	int rc = cmd_app_load(c, cmd_arg(args, "app"), &app, &cand, &e), filler;

	if (rc == 0)
		rc = form_of(c, app, cmd_arg(args, "form"), &fm);
	if (rc == 0)
		rc = engine_may_read_form(&e, app, fm, c->st);
	if (rc == 0) {
		struct pw_status ignore = {0};

		filler = engine_may_fill(&e, app, fm, &ignore) == 0 &&
			 !(engine_roles(c->actor) & ROLE_LA_ADVISER &&
			   !(engine_roles(c->actor) & (1 << fm->filled_by)));
		r = rec_load(c, app, fm->id);
		*data = json_pack("{s:o}", "form", form_view(fm, r, filler));
		json_decref(r);
	}
	json_decref(app);
	json_decref(cand);
	return rc;
}
