/*
 * page_judge.c: the action links of a judgement on an application, each
 * one page: a panel member's recommendation (application.recommend, from
 * the panel's invitation), a term's continuation review by the reviewer
 * (application.review, from the review's reminder) and the LA's decision
 * whether a participant continues after reviews not met
 * (application.continue, from the escalation). Drawn from application.get
 * and cohort.get (its name and time zone) with the link's token, and for
 * the panel form.get of each document of the application (the forms it
 * reads): what it is, for whom, the date in local time, the choices and
 * the reason. A POST
 * checks that a choice and (where needed) a reason were given, next to the
 * field, then runs the command with the token; pathwayd's refusal is shown
 * in the error summary, a link that no longer works says so (page_fail),
 * and success answers with a confirmation and what happens next.
 */
#include <stdlib.h>
#include <string.h>

#include "page_app.h"
#include "page_links.h"

/* What each command's page asks. */
struct judge_kind {
	const char *cmd, *title, *legend, *done;
	const char *values[3], *labels[3];
	int reason_required;
	const char *reason_label;
};

static const struct judge_kind kinds[] = {
    {"application.recommend",
     "Panel recommendation",
     "What do you recommend?",
     "Recommendation recorded",
     {"accept", "waitlist", "reject"},
     {"Offer a place", "Put on the waiting list", "Do not select"},
     1,
     "Your reason (read by the panel and the LA, never by the candidate)"},
    {"application.review",
     "Continuation review",
     "Were the Performance Management objectives met this term?",
     "Review recorded",
     {"met", "not_met", NULL},
     {"Met", "Not met", NULL},
     0,
     "Note (optional, read by LA advisers and you only)"},
    {"application.continue",
     "Continue or withdraw",
     "Does the participant continue on the programme?",
     "Decision recorded",
     {"continue", "withdraw", NULL},
     {"Continues on the programme", "Is withdrawn from the programme", NULL},
     1,
     "Your reason (read by LA advisers only)"},
};

struct judge {
	struct req *r;
	char *token, *app_id;
	const struct judge_kind *k;
	json_t *who, *app, *cohort, *errors;
	json_t *forms; /* form id -> form.get's form: what the panel reads */
	int pending;
};

int
judge_cmd(const char *cmd)
{
	for (size_t i = 0; cmd != NULL && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].cmd, cmd) == 0)
			return 1;
	return 0;
}

static void
judge_free(struct judge *j)
{
	free(j->token);
	free(j->app_id);
	json_decref(j->who);
	json_decref(j->app);
	json_decref(j->cohort);
	json_decref(j->errors);
	json_decref(j->forms);
	free(j);
}

static void
add_error(struct judge *j, const char *field, const char *message)
{
	json_t *e = json_pack("{s:s}", "message", message);

	if (field != NULL)
		json_object_set_new(e, "field", json_string(field));
	json_array_append_new(j->errors, e);
}

static const char *
err_of(const struct judge *j, const char *field)
{
	size_t i;
	const json_t *e;

	json_array_foreach(j->errors, i, e)
	{
		if (page_str(e, "field") != NULL && strcmp(page_str(e, "field"), field) == 0)
			return page_str(e, "message");
	}
	return NULL;
}

/* The application's requirement of kind, or NULL. */
static const json_t *
req_of(const struct judge *j, const char *kind)
{
	size_t i;
	const json_t *q;

	json_array_foreach(json_object_get(j->app, "requirements"), i, q)
	{
		if (page_str(q, "kind") != NULL && strcmp(page_str(q, "kind"), kind) == 0)
			return q;
	}
	return NULL;
}

static const char *
cand_name(const struct judge *j)
{
	return page_str(j->app, "candidate_name") ?: page_str(j->app, "candidate") ?: "";
}

/* What the page is about, for whom, and when. */
static void
draw_about(struct pw_buf *b, const struct judge *j)
{
	const char *cmd = j->k->cmd, *tz = page_str(j->cohort, "timezone");
	const json_t *q;

	html_printf(b, "<p>This link is for %s. It works once.</p>\n", page_str(j->who, "name"));
	html_printf(b,
		    "<dl class=\"summary\"><dt>Candidate</dt><dd>%s</dd><dt>Cohort</dt>"
		    "<dd>%s</dd><dt>Application</dt><dd>%s</dd></dl>\n",
		    cand_name(j), page_str(j->cohort, "name") ?: page_str(j->app, "cohort"),
		    j->app_id);
	if (strcmp(cmd, "application.recommend") == 0) {
		q = req_of(j, "panel");
		html_printf(b,
			    "<p>The application of %s is with the selection panel, of which you "
			    "are a member. Record your recommendation and your reason. The chair "
			    "decides once every member has recommended",
			    cand_name(j));
		if (q != NULL)
			html_printf(b, " (%d of %d so far)",
				    (int)json_integer_value(json_object_get(q, "have")),
				    (int)json_integer_value(json_object_get(q, "need")));
		pw_buf_adds(b, ".</p>\n");
	} else if (strcmp(cmd, "application.review") == 0) {
		q = req_of(j, "review");
		pw_buf_adds(b, "<p>The ");
		page_words(b, page_str(q, "term"));
		html_printf(b,
			    " term's continuation review of %s is due. Review their progress "
			    "against their Performance Management objectives and record whether "
			    "they were met.",
			    cand_name(j));
		if (page_str(q, "from") != NULL)
			html_printf(b, " It may be recorded from %s.", page_str(q, "from"));
		pw_buf_adds(b, "</p>\n");
	} else {
		const json_t *att = json_object_get(j->app, "review_attention");

		html_printf(b,
			    "<p>%d continuation reviews of %s have found their Performance "
			    "Management objectives not met (the latest: ",
			    (int)json_integer_value(json_object_get(att, "not_met")), cand_name(j));
		page_words(b, page_str(att, "term"));
		pw_buf_adds(b, " term). Decide whether they continue on the programme. Until "
			       "you do, the application waits for you.</p>\n");
	}
	app_deadline(b, j->app, tz);
}

static void
draw(struct judge *j, int status)
{
	struct pw_buf b = {0};
	const char *err = err_of(j, "outcome"), *rerr = err_of(j, "reason");
	const char *chosen = req_arg(j->r, "outcome"), *reason = req_arg(j->r, "reason");
	const char *id;
	const json_t *f;

	html_page_begin(&b, j->k->title, NULL, 0);
	html_error_summary(&b, j->errors);
	html_printf(&b, "<span class=\"caption\">%s</span>\n<h1>%s: %s</h1>\n",
		    page_str(j->cohort, "name") ?: "Pathway", j->k->title, cand_name(j));
	draw_about(&b, j);
	pw_buf_adds(&b, "<form method=\"post\" action=\"");
	html_attr(&b, req_path(j->r));
	pw_buf_adds(&b, "\" novalidate>\n");
	html_csrf(&b, j->r, j->token);
	html_printf(&b, "<div class=\"form-group%s\"><fieldset><legend>%s</legend>\n",
		    err ? " form-group-error" : "", j->k->legend);
	if (err != NULL)
		html_printf(&b, "<span class=\"error-message\">Error: %s</span>\n", err);
	for (int i = 0; i < 3 && j->k->values[i] != NULL; i++) {
		const char *v = j->k->values[i];

		/* the first radio carries the id the error summary links to */
		html_printf(&b, "<div class=\"choice\"><input type=\"radio\" id=\"outcome%s%s\" ",
			    i ? "-" : "", i ? v : "");
		html_printf(&b,
			    "name=\"outcome\" value=\"%s\"%s><label for=\"outcome%s%s\">%s"
			    "</label></div>\n",
			    v, chosen != NULL && strcmp(chosen, v) == 0 ? " checked" : "",
			    i ? "-" : "", i ? v : "", j->k->labels[i]);
	}
	pw_buf_adds(&b, "</fieldset></div>\n");
	html_printf(
	    &b, "<div class=\"form-group%s\"><label class=\"field\" for=\"reason\">%s</label>\n",
	    rerr ? " form-group-error" : "", j->k->reason_label);
	if (rerr != NULL)
		html_printf(&b, "<span class=\"error-message\">Error: %s</span>\n", rerr);
	html_printf(&b,
		    "<textarea id=\"reason\" name=\"reason\" rows=\"4\">%s</textarea></div>\n"
		    "<button class=\"button\" type=\"submit\">%s</button>\n</form>\n",
		    reason ?: "", "Send");
	json_object_foreach(j->forms, id, f)
	{
		const json_t *def = json_object_get(f, "definition");

		if (page_str(f, "state") == NULL || strcmp(page_str(f, "state"), "submitted") != 0)
			continue;
		html_printf(&b, "<h2>%s</h2>\n", page_str(def, "title") ?: id);
		page_form_show(&b, def, json_object_get(f, "fields"));
	}
	html_page_end(&b);
	req_reply(j->r, status, &b, "text/html; charset=utf-8");
}

/* What happens after the judgement, in plain words. */
static void
draw_done(struct judge *j, const json_t *app)
{
	struct pw_buf b = {0};
	const char *cmd = j->k->cmd, *outcome = req_arg(j->r, "outcome");

	html_page_begin(&b, j->k->done, NULL, 0);
	html_printf(&b, "<div class=\"panel\" role=\"status\"><h1>%s</h1><p>%s</p></div>\n",
		    j->k->done, cand_name(j));
	pw_buf_adds(&b, "<h2>What happens next</h2>\n<p>");
	if (strcmp(cmd, "application.recommend") == 0)
		pw_buf_adds(&b, "The chair of the panel decides once every member has recommended, "
				"and the candidate is told the decision. Your recommendation and "
				"reason are never shown to the candidate.");
	else if (strcmp(cmd, "application.review") == 0 &&
		 json_object_get(app, "review_attention") != NULL)
		pw_buf_adds(&b, "Too many reviews have now found the objectives not met: the LA is "
				"asked to decide whether the participant continues.");
	else if (strcmp(cmd, "application.review") == 0)
		pw_buf_adds(&b, "You will be emailed when the next term's review is due.");
	else if (outcome != NULL && strcmp(outcome, "withdraw") == 0)
		pw_buf_adds(&b, "The application is withdrawn, and the participant and their "
				"headteacher are told.");
	else
		pw_buf_adds(&b, "The participant continues on the programme; the count of reviews "
				"not met starts again, and reviews go on each term.");
	pw_buf_adds(&b, "</p>\n");
	html_page_end(&b);
	req_reply(j->r, 200, &b, "text/html; charset=utf-8");
}

static void
acted(json_t *reply, void *ud)
{
	struct judge *j = ud;
	const char *code = page_err(reply);

	if (code == NULL) {
		draw_done(j, json_object_get(page_data(reply), "application"));
	} else if (strcmp(code, "invalid_request") == 0 || strcmp(code, "too_early") == 0 ||
		   strcmp(code, "already_exists") == 0 || strcmp(code, "invalid_transition") == 0) {
		add_error(j, NULL,
			  strcmp(code, "already_exists") == 0
			      ? "This has already been recorded: there is nothing more to do."
			      : page_err_message(reply));
		draw(j, strcmp(code, "invalid_request") == 0 ? 400 : 409);
	} else {
		page_fail(j->r, reply, NULL);
	}
	judge_free(j);
}

static int
filled(const char *s)
{
	return s != NULL && s[strspn(s, " \t\r\n")] != '\0';
}

static void
post(struct judge *j)
{
	const char *outcome = req_arg(j->r, "outcome"), *reason = req_arg(j->r, "reason");
	const char *key = strcmp(j->k->cmd, "application.continue") == 0 ? "decision" : "outcome";
	json_t *args;
	int ok = 0;

	for (int i = 0; i < 3 && j->k->values[i] != NULL && outcome != NULL; i++)
		ok |= strcmp(outcome, j->k->values[i]) == 0;
	if (!ok)
		add_error(j, "outcome", "Choose one of the answers");
	if (j->k->reason_required && !filled(reason))
		add_error(j, "reason", "Enter your reason");
	if (json_array_size(j->errors) > 0) {
		draw(j, 400);
		judge_free(j);
		return;
	}
	args = json_pack("{s:s, s:s}", "app", j->app_id, key, outcome);
	if (strcmp(j->k->cmd, "application.review") == 0) {
		const char *term = page_str(req_of(j, "review"), "term");

		json_object_set_new(args, "term", json_string(term != NULL ? term : ""));
		if (filled(reason))
			json_object_set_new(args, "note", json_string(reason));
	} else {
		json_object_set_new(args, "reason", json_string(reason));
	}
	api_send(j->k->cmd, j->token, args, acted, j);
}

/* One reply in: when the last is, the page (or the POST). */
static void
one_done(struct judge *j)
{
	if (--j->pending > 0)
		return;
	if (strcmp(req_method(j->r), "POST") == 0) {
		post(j);
		return;
	}
	draw(j, 200);
	judge_free(j);
}

static void
got_cohort(json_t *reply, void *ud)
{
	struct judge *j = ud;

	if (page_data(reply) != NULL)
		j->cohort = json_incref(json_object_get(page_data(reply), "cohort"));
	one_done(j);
}

/* A form of the application; one this person may not read (or a plain document) is left out. */
static void
got_form(json_t *reply, void *ud)
{
	struct judge *j = ud;
	const json_t *f = json_object_get(page_data(reply), "form");

	if (f != NULL && page_str(f, "form") != NULL)
		json_object_set(j->forms, page_str(f, "form"), (json_t *)f);
	one_done(j);
}

static void
got_app(json_t *reply, void *ud)
{
	struct judge *j = ud;
	const char *doc;
	json_t *d;

	if (page_data(reply) == NULL) {
		page_fail(j->r, reply, NULL);
		judge_free(j);
		return;
	}
	j->app = json_incref(json_object_get(page_data(reply), "application"));
	j->pending = 1;
	api_send("cohort.get", j->token,
		 json_pack("{s:s}", "cohort", page_str(j->app, "cohort") ?: ""), got_cohort, j);
	/* The panel reads the application's forms. */
	if (strcmp(j->k->cmd, "application.recommend") == 0)
		json_object_foreach(json_object_get(j->app, "docs"), doc, d)
		{
			j->pending++;
			api_send("form.get", j->token,
				 json_pack("{s:s, s:s}", "app", j->app_id, "form", doc), got_form,
				 j);
		}
}

void
judge_page(struct req *r, const char *token, const char *app, const json_t *who, const char *cmd)
{
	struct judge *j = xcalloc(1, sizeof *j);

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].cmd, cmd) == 0)
			j->k = &kinds[i];
	j->r = r;
	j->token = xstrdup(token);
	j->app_id = xstrdup(app);
	j->who = json_deep_copy(who);
	j->errors = json_array();
	j->forms = json_object();
	api_send("application.get", token, json_pack("{s:s}", "app", app), got_app, j);
}
