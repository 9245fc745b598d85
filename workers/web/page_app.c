/*
 * page_app.c: the page of one application as a person may see it, and the
 * actions open to them on it, for a signed-in person (/app/<id>, their
 * session token) and for an action link (/a/<token>, that token, one
 * action). A request gathers what the page is drawn from into a struct
 * app_pg: application.get, cohort.get (stage names, time zone, sessions),
 * form.get for each form the stage takes, and the 360 questionnaire when
 * the person answers it; replies pathwayd refuses (a form the person may
 * not read) are left out. A POST then runs the action the form names (the
 * table app_acts) with the same token and answers with a confirmation and
 * what happens next, or with the page again: the values kept, pathwayd's
 * invalid_request shown next to the field it names. The page shows only
 * what pathwayd's view gives the person: a candidate never learns who
 * answered their 360, because the application they are given does not say.
 * page_app_draw.c draws it; page_app_who.c says who the person is to it.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "page_app.h"

static void app_loaded(struct app_pg *pg);

void
app_pg_free(struct app_pg **ppg)
{
	struct app_pg *pg = *ppg;

	if (pg == NULL)
		return;
	free(pg->token);
	free(pg->app_id);
	free(pg->link);
	free(pg->path);
	json_decref(pg->person);
	json_decref(pg->app);
	json_decref(pg->cohort);
	json_decref(pg->forms);
	json_decref(pg->q);
	json_decref(pg->errors);
	json_decref(pg->kept);
	json_decref(pg->fail);
	free(pg);
	*ppg = NULL;
}

/* Finish with a failed reply: a session that ended signs in again. */
static void
app_fail(struct app_pg *pg, const json_t *reply)
{
	const char *code = page_err(reply);

	if (pg->link == NULL && strncmp(code, "token_", 6) == 0) {
		req_set_cookie(pg->r, "pw_session", "", 0);
		req_redirect(pg->r, "/login");
	} else {
		page_fail(pg->r, reply, pg->link == NULL ? pg->person : NULL);
	}
	app_pg_free(&pg);
}

static void
app_one_done(struct app_pg *pg)
{
	if (--pg->pending > 0)
		return;
	if (pg->fail != NULL) {
		json_t *f = json_incref(pg->fail);

		app_fail(pg, f);
		json_decref(f);
		return;
	}
	app_loaded(pg);
}

static void
app_got_cohort(json_t *reply, void *ud)
{
	struct app_pg *pg = ud;

	if (page_data(reply) != NULL)
		pg->cohort = json_incref(json_object_get(page_data(reply), "cohort"));
	app_one_done(pg);
}

static void
app_got_form(json_t *reply, void *ud)
{
	struct app_pg *pg = ud;
	const json_t *f = json_object_get(page_data(reply), "form");
	const char *code = page_err(reply);

	if (f != NULL)
		json_object_set(pg->forms, page_str(f, "form"), (json_t *)f);
	else if (strcmp(code, "timeout") == 0 && pg->fail == NULL)
		pg->fail = json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code", "timeout",
				     "message", "");
	/* forbidden, token_wrong_purpose: a form this person does not read */
	app_one_done(pg);
}

static void
app_got_q(json_t *reply, void *ud)
{
	struct app_pg *pg = ud;

	if (page_data(reply) != NULL)
		pg->q = json_incref(json_object_get(page_data(reply), "questionnaire"));
	app_one_done(pg);
}

/* Whether the person may answer the 360 of this application (as rater or self). */
static int
app_wants_q(const struct app_pg *pg)
{
	if (pg->link != NULL)
		return strcmp(pg->link, "feedback.respond") == 0;
	return json_object_get(json_object_get(pg->app, "raters"), pg->me) != NULL ||
	       app_is_candidate(pg);
}

static void
app_got_app(json_t *reply, void *ud)
{
	struct app_pg *pg = ud;
	const json_t *q;
	size_t i;
	int responses = 0;

	if (page_data(reply) == NULL) {
		app_fail(pg, reply);
		return;
	}
	pg->app = json_incref(json_object_get(page_data(reply), "application"));
	pg->pending = 1; /* held until every request below is sent */
	pg->pending++;
	api_send("cohort.get", pg->token,
		 json_pack("{s:s}", "cohort",
			   page_str(pg->app, "cohort") ? page_str(pg->app, "cohort") : ""),
		 app_got_cohort, pg);
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		if (page_str(q, "form") != NULL) {
			pg->pending++;
			api_send(
			    "form.get", pg->token,
			    json_pack("{s:s, s:s}", "app", pg->app_id, "form", page_str(q, "form")),
			    app_got_form, pg);
		}
		if (page_str(q, "kind") != NULL && strcmp(page_str(q, "kind"), "responses") == 0)
			responses = 1;
	}
	if (responses && app_wants_q(pg)) {
		pg->pending++;
		api_send("feedback.questionnaire", pg->token, json_pack("{s:s}", "app", pg->app_id),
			 app_got_q, pg);
	}
	app_one_done(pg);
}

void
app_page(struct req *r, const char *token, const char *app, const json_t *person, const char *link,
	 const char *path)
{
	struct app_pg *pg = xcalloc(1, sizeof *pg);

	pg->r = r;
	pg->token = xstrdup(token);
	pg->app_id = xstrdup(app);
	pg->link = link != NULL ? xstrdup(link) : NULL;
	pg->path = xstrdup(path);
	pg->person = json_deep_copy(person);
	pg->me = page_str(pg->person, "person") != NULL ? page_str(pg->person, "person") : "";
	pg->forms = json_object();
	pg->errors = json_array();
	pg->post = strcmp(req_method(r), "POST") == 0;
	api_send("application.get", token, json_pack("{s:s}", "app", app), app_got_app, pg);
}

/* ---- the actions ------------------------------------------------------------------- */

static void
app_error(struct app_pg *pg, const char *field, const char *message)
{
	json_t *e = json_pack("{s:s}", "message", message);

	if (field != NULL)
		json_object_set_new(e, "field", json_string(field));
	json_array_append_new(pg->errors, e);
}

static int
args_submit(struct app_pg *pg, json_t *args)
{
	const char *form = req_arg(pg->r, "form");
	const json_t *def = app_form_def(pg, form);
	int draft = strcmp(req_arg(pg->r, "do"), "save") == 0;

	if (def == NULL) { /* a plain document: a link or a note */
		const char *ref = req_arg(pg->r, "ref");

		if (draft || req_arg(pg->r, "doc") == NULL) {
			app_error(pg, NULL, "This form is not taken at this stage.");
			return -1;
		}
		if (ref == NULL || ref[0] == '\0') {
			app_error(pg, "ref", "Enter a link to the document, or a note about it");
			return -1;
		}
		json_object_set_new(args, "doc", json_string(req_arg(pg->r, "doc")));
		json_object_set_new(args, "ref", json_string(ref));
		return 0;
	}
	pg->kept =
	    json_pack("{s:s, s:o}", "form", form, "fields", page_form_read(pg->r, def, draft));
	json_object_set_new(args, draft ? "form" : "doc", json_string(form));
	json_object_set(args, "fields", json_object_get(pg->kept, "fields"));
	return 0;
}

static int
args_none(struct app_pg *pg, json_t *args)
{
	(void)pg;
	(void)args;
	return 0;
}

static int
args_return(struct app_pg *pg, json_t *args)
{
	const char *form = req_arg(pg->r, "form"), *note = req_arg(pg->r, "note");

	if (form == NULL || app_form_def(pg, form) == NULL) {
		app_error(pg, NULL, "That form cannot be sent back.");
		return -1;
	}
	pg->kept = json_pack("{s:s, s:s}", "form", form, "note", note != NULL ? note : "");
	if (note == NULL || note[strspn(note, " \t\r\n")] == '\0') {
		char *id = xasprintf("note-%s", form);

		app_error(pg, id, "Enter a note saying what needs to change");
		free(id);
		return -1;
	}
	json_object_set_new(args, "form", json_string(form));
	json_object_set_new(args, "note", json_string(note));
	return 0;
}

static int
args_decide(struct app_pg *pg, json_t *args)
{
	const char *outcome = req_arg(pg->r, "outcome"), *note = req_arg(pg->r, "note");

	if (outcome == NULL || outcome[0] == '\0') {
		app_error(pg, "outcome", "Choose a decision");
		return -1;
	}
	json_object_set_new(args, "outcome", json_string(outcome));
	if (note != NULL && note[strspn(note, " \t\r\n")] != '\0')
		json_object_set_new(args, "note", json_string(note));
	return 0;
}

static int
args_respond(struct app_pg *pg, json_t *args)
{
	json_t *out, *errors;

	if (pg->q == NULL) {
		app_error(pg, NULL, "There is no questionnaire to answer here.");
		return -1;
	}
	errors = page_form_360_read(pg->r, pg->q, &out);
	pg->kept = out;
	if (json_array_size(errors) > 0) {
		json_array_extend(pg->errors, errors);
		json_decref(errors);
		return -1;
	}
	json_decref(errors);
	json_object_set(args, "ratings", json_object_get(out, "ratings"));
	if (json_object_size(json_object_get(out, "comments")) > 0)
		json_object_set(args, "comments", json_object_get(out, "comments"));
	return 0;
}

static int
args_attend(struct app_pg *pg, json_t *args)
{
	const char *session = req_arg(pg->r, "session"), *present = req_arg(pg->r, "present");
	int bad = 0;

	if (session == NULL || session[0] == '\0') {
		app_error(pg, "session", "Choose the session");
		bad = -1;
	}
	if (present == NULL || (strcmp(present, "yes") != 0 && strcmp(present, "no") != 0)) {
		app_error(pg, "present", "Say whether the candidate was there");
		bad = -1;
	}
	if (bad)
		return -1;
	json_object_set_new(args, "session", json_string(session));
	json_object_set_new(args, "present", json_boolean(strcmp(present, "yes") == 0));
	return 0;
}

static int
args_confirm(struct app_pg *pg, json_t *args)
{
	const char *days = req_arg(pg->r, "days");
	char *end;
	long n = days != NULL ? strtol(days, &end, 10) : -1;

	if (days == NULL || days[0] == '\0' || *end != '\0' || n < 0 || n > 365) {
		app_error(pg, "days",
			  "Enter the number of days completed, as a whole number "
			  "from 0 to 365");
		return -1;
	}
	json_object_set_new(args, "days", json_integer(n));
	return 0;
}

/* Whether s has something besides blanks. */
static int
filled(const char *s)
{
	return s != NULL && s[strspn(s, " \t\r\n")] != '\0';
}

static int
args_invite(struct app_pg *pg, json_t *args)
{
	const char *name = req_arg(pg->r, "name"), *email = req_arg(pg->r, "email"),
		   *category = req_arg(pg->r, "category");
	int bad = 0;

	if (!filled(name)) {
		app_error(pg, "rater-name", "Enter their name");
		bad = -1;
	}
	if (!filled(email) || strchr(email, '@') == NULL) {
		app_error(pg, "rater-email", "Enter their email address, like name@example.org");
		bad = -1;
	}
	if (!filled(category)) {
		app_error(pg, "rater-category", "Choose how they know your work");
		bad = -1;
	}
	if (bad)
		return -1;
	json_object_set_new(args, "name", json_string(name));
	json_object_set_new(args, "email", json_string(email));
	json_object_set_new(args, "category", json_string(category));
	return 0;
}

/* What a POST may do: the form's "do", its command, the link that allows it. */
static const struct app_act app_acts[] = {
    {"submit", "application.submit", "application.submit", args_submit, "Form submitted"},
    {"save", "application.save_draft", "application.submit", args_submit, "Draft saved"},
    {"step", "application.save_draft", "application.submit", app_steps_args_step, "Answer saved"},
    {"check", "application.submit", "application.submit", app_steps_args_check, "Form submitted"},
    {"signoff", "application.signoff", "application.signoff", args_none, "Application signed off"},
    {"return", "application.return", "application.signoff", args_return,
     "Form sent back for changes"},
    {"decide", "application.decide", "application.decide", args_decide, "Decision recorded"},
    {"respond", "feedback.respond", "feedback.respond", args_respond,
     "Thank you: your feedback is recorded"},
    {"attend", "application.record_attendance", "application.record_attendance", args_attend,
     "Attendance recorded"},
    {"confirm", "application.confirm_internship", "application.confirm_internship", args_confirm,
     "Internship confirmed"},
    {"invite", "feedback.invite", "feedback.invite", args_invite, "Invitation sent"},
    {"accept", "application.accept_offer", "application.accept_offer", args_none,
     "You have accepted the place"},
    {"decline", "application.decline_offer", "application.accept_offer", args_none,
     "You have declined the place"},
};

/* The page posted from again, with pg->errors: a question or check page, else the page. */
static void
app_redraw(struct app_pg *pg)
{
	if (pg->act == NULL ||
	    (strcmp(pg->act->name, "step") != 0 && strcmp(pg->act->name, "check") != 0) ||
	    app_steps_redraw(pg, 400) != 0)
		app_draw(pg, 400);
	app_pg_free(&pg);
}

static void
app_acted(json_t *reply, void *ud)
{
	struct app_pg *pg = ud;
	const char *code = page_err(reply);

	if (code == NULL && strcmp(pg->act->name, "step") == 0) {
		app_steps_saved(pg);
		app_pg_free(&pg);
		return;
	}
	if (code == NULL) {
		app_draw_done(pg, page_data(reply));
		app_pg_free(&pg);
		return;
	}
	if (strcmp(pg->act->name, "invite") == 0 && strcmp(code, "already_exists") == 0) {
		app_error(pg, "rater-email", "You have already invited someone with that address");
		app_draw(pg, 400);
		app_pg_free(&pg);
		return;
	}
	if (strcmp(code, "invalid_request") == 0 || strcmp(code, "too_early") == 0) {
		json_t *errors;
		const char *form = page_str(pg->kept, "form");

		if (strcmp(pg->act->name, "respond") == 0)
			errors = page_form_360_errors(pg->q, page_err_message(reply));
		else if (form != NULL && app_form_def(pg, form) != NULL &&
			 (json_object_get(pg->kept, "fields") != NULL ||
			  strcmp(pg->act->name, "check") == 0))
			errors = page_form_errors(app_form_def(pg, form), page_err_message(reply));
		else
			errors = json_pack("[{s:s}]", "message", page_err_message(reply));
		json_array_extend(pg->errors, errors);
		json_decref(errors);
		app_redraw(pg);
		return;
	}
	app_fail(pg, reply);
}

static void
app_post(struct app_pg *pg)
{
	const char *what = req_arg(pg->r, "do");
	json_t *args;

	for (size_t i = 0; what != NULL && i < sizeof app_acts / sizeof app_acts[0]; i++)
		if (strcmp(app_acts[i].name, what) == 0)
			pg->act = &app_acts[i];
	if (pg->act == NULL || (pg->link != NULL && strcmp(pg->link, pg->act->link) != 0)) {
		app_error(pg, NULL, "This page cannot do that. Choose one of the buttons below.");
		app_draw(pg, 400);
		app_pg_free(&pg);
		return;
	}
	args = json_pack("{s:s}", "app", pg->app_id);
	if (pg->act->args(pg, args) != 0) {
		json_decref(args);
		app_redraw(pg);
		return;
	}
	api_send(pg->act->cmd, pg->token, args, app_acted, pg);
}

static void
app_loaded(struct app_pg *pg)
{
	if (pg->post) {
		app_post(pg);
		return;
	}
	if (req_arg(pg->r, "step") != NULL && app_steps_get(pg) == 0) {
		app_pg_free(&pg);
		return;
	}
	app_draw(pg, 200);
	app_pg_free(&pg);
}
