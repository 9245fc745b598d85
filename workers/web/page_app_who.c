/*
 * page_app_who.c: who a person is to an application, from the replies the
 * application page was drawn from: its candidate or not, whether a
 * requirement of the current stage waits on them (their role, in their
 * relation; for an action link, only the link's command), whether a place
 * offered from the waiting list waits on their answer; and the two things
 * every form of the page starts from (its opening with the CSRF field, the
 * error of a field). It holds nothing and calls no other page file, so
 * page_app.c, page_app_draw.c, page_app_360.c and page_home.c all ask it.
 */
#include <string.h>

#include "page_app.h"

int
app_is_candidate(const struct app_pg *pg)
{
	const char *c = page_str(pg->app, "candidate");

	return c != NULL && strcmp(c, pg->me) == 0;
}

static int
app_holds(const struct app_pg *pg, const char *role)
{
	size_t i;
	const json_t *v;

	json_array_foreach(json_object_get(pg->person, "roles"), i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), role) == 0)
			return 1;
	}
	return 0;
}

/* The role that fulfils requirement q, and the action link's command for it. */
static const struct {
	const char *kind, *role, *cmd;
} app_fulfils[] = {
    {"submission", NULL, "application.submit"},
    {"signoff", NULL, "application.signoff"},
    {"decision", NULL, "application.decide"},
    {"responses", "rater", "feedback.respond"},
    {"attendance", "coach", "application.record_attendance"},
    {"internship", "host", "application.confirm_internship"},
};

const char *
app_req_role(const json_t *q)
{
	for (size_t i = 0; i < sizeof app_fulfils / sizeof app_fulfils[0]; i++)
		if (page_str(q, "kind") != NULL &&
		    strcmp(app_fulfils[i].kind, page_str(q, "kind")) == 0)
			return app_fulfils[i].role != NULL ? app_fulfils[i].role
							   : page_str(q, "role");
	return page_str(q, "role");
}

static const char *
app_req_cmd(const json_t *q)
{
	for (size_t i = 0; i < sizeof app_fulfils / sizeof app_fulfils[0]; i++)
		if (page_str(q, "kind") != NULL &&
		    strcmp(app_fulfils[i].kind, page_str(q, "kind")) == 0)
			return app_fulfils[i].cmd;
	return "";
}

int
app_mine(const struct app_pg *pg, const json_t *q)
{
	const char *role = app_req_role(q);
	const json_t *rater;

	/* A requirement not yet due (a term's review before its date) waits on nobody. */
	if (json_is_true(json_object_get(q, "met")) || json_is_false(json_object_get(q, "due")) ||
	    role == NULL)
		return 0;
	if (pg->link != NULL && strcmp(pg->link, app_req_cmd(q)) != 0)
		return 0;
	if (page_str(q, "kind") != NULL && strcmp(page_str(q, "kind"), "responses") == 0) {
		rater = json_object_get(json_object_get(pg->app, "raters"), pg->me);
		if (rater != NULL)
			return json_object_get(rater, "responded") == NULL;
		/* the candidate's self-assessment, when the programme asks for one */
		return app_is_candidate(pg) && pg->q != NULL &&
		       json_is_true(json_object_get(pg->q, "self_assessment")) &&
		       !json_is_true(json_object_get(pg->q, "responded"));
	}
	if (!app_holds(pg, role))
		return 0;
	return strcmp(role, "candidate") == 0 ? app_is_candidate(pg) : !app_is_candidate(pg);
}

int
app_offer_open(const struct app_pg *pg)
{
	const json_t *offer = json_object_get(pg->app, "offer");

	if (pg->link != NULL && strcmp(pg->link, "application.accept_offer") != 0)
		return 0;
	return offer != NULL && json_object_get(offer, "result") == NULL && app_is_candidate(pg);
}

/* A form's definition the page was given, or NULL. */
const json_t *
app_form_def(const struct app_pg *pg, const char *form)
{
	return json_object_get(json_object_get(pg->forms, form != NULL ? form : ""), "definition");
}

/* The start of a form posting to the page, with its CSRF field. */
void
app_form_begin(struct pw_buf *b, const struct app_pg *pg)
{
	pw_buf_adds(b, "<form method=\"post\" action=\"");
	html_attr(b, pg->path);
	pw_buf_adds(b, "\" novalidate>\n");
	html_csrf(b, pg->r, pg->token);
}

/* The error message of a field of the last attempt, or NULL. */
const char *
app_err(const struct app_pg *pg, const char *field)
{
	size_t i;
	const json_t *e;

	json_array_foreach(pg->errors, i, e)
	{
		if (page_str(e, "field") != NULL && strcmp(page_str(e, "field"), field) == 0)
			return page_str(e, "message");
	}
	return NULL;
}
