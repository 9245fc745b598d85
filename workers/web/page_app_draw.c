/*
 * page_app_draw.c: draws the application page page_app.c gathered: what it
 * is and for whom (candidate, programme, stage, status, deadline in the
 * cohort's local time), what the stage needs and how far it is (the 360 as
 * the requirement shows it: "fewer than N responses" until it gives a
 * count), the actions waiting on this person as forms posting back to the
 * page, the forms they may read, and after an action the confirmation
 * with what happens next. It writes only through html.c's writers.
 */
#include <stdlib.h>
#include <string.h>

#include "page_app.h"
#include "page_links.h"

const char *
app_stage_name(const json_t *cohort, const char *id)
{
	size_t i;
	const json_t *s;

	json_array_foreach(json_object_get(cohort, "stages"), i, s)
	{
		if (id != NULL && page_str(s, "id") != NULL && strcmp(page_str(s, "id"), id) == 0 &&
		    page_str(s, "name") != NULL)
			return page_str(s, "name");
	}
	return id != NULL ? id : "";
}

const char *
app_candidate_name(const struct app_pg *pg)
{
	if (page_str(pg->app, "candidate_name") != NULL)
		return page_str(pg->app, "candidate_name");
	if (app_is_candidate(pg) && page_str(pg->person, "name") != NULL)
		return page_str(pg->person, "name");
	if (page_str(pg->q, "candidate_name") != NULL)
		return page_str(pg->q, "candidate_name");
	return page_str(pg->app, "candidate") != NULL ? page_str(pg->app, "candidate") : "";
}

static const char *
app_tz(const struct app_pg *pg)
{
	return page_str(pg->cohort, "timezone");
}

void
app_deadline(struct pw_buf *b, const json_t *app, const char *tz)
{
	const json_t *overdue = json_object_get(app, "overdue");

	if (overdue != NULL) {
		pw_buf_adds(b, "<strong class=\"tag tag-late\">Overdue</strong> since ");
		html_time(b, page_str(overdue, "since"), tz);
	} else if (json_object_get(app, "deadline") != NULL) {
		const json_t *dl = json_object_get(app, "deadline");

		/* {"at" (UTC), "local"}: drawn from "at" in the cohort's zone, GOV.UK style */
		pw_buf_adds(b, "By ");
		html_time(b, json_is_string(dl) ? json_string_value(dl) : page_str(dl, "at"), tz);
	}
}

static long long
num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

void
app_requirement(struct pw_buf *b, const json_t *q, const char *title)
{
	const char *kind = page_str(q, "kind") ? page_str(q, "kind") : "";

	if (strcmp(kind, "submission") == 0) {
		if (title != NULL)
			html_txt(b, title);
		else
			page_words(b,
				   page_str(q, "form") ? page_str(q, "form") : page_str(q, "doc"));
	} else if (strcmp(kind, "signoff") == 0) {
		html_printf(b, "Signed off by %s", page_role(app_req_role(q)));
	} else if (strcmp(kind, "decision") == 0) {
		html_printf(b, "A decision by %s", page_role(app_req_role(q)));
	} else if (strcmp(kind, "responses") == 0) {
		if (json_object_get(q, "fewer_than") != NULL)
			html_printf(b, "360 feedback: fewer than %d responses so far",
				    (int)num(q, "fewer_than"));
		else
			html_printf(b, "360 feedback: %d of %d responses", (int)num(q, "have"),
				    (int)num(q, "need"));
	} else if (strcmp(kind, "attendance") == 0) {
		html_printf(b, "Attendance at the sessions: %d of %d", (int)num(q, "have"),
			    (int)num(q, "need"));
	} else if (strcmp(kind, "internship") == 0) {
		html_printf(b, "Internship: %d of %d days confirmed by the host school",
			    (int)num(q, "have"), (int)num(q, "need"));
	} else {
		pw_buf_adds(b, "Eligibility: ");
		page_words(b, page_str(q, "fact"));
	}
}

static const char *
app_form_title(const struct app_pg *pg, const char *form)
{
	return page_str(app_form_def(pg, form), "title");
}

/* s as plain text (for app_todo), an id's underscores as spaces. */
static void
app_plain_words(struct pw_buf *b, const char *s)
{
	size_t start = b->len;

	pw_buf_adds(b, s != NULL ? s : "");
	if (strchr(b->p + start, ' ') != NULL)
		return;
	for (char *p = b->p + start; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
}

int
app_todo(struct pw_buf *b, const struct app_pg *pg)
{
	size_t i;
	const json_t *q;

	if (app_offer_open(pg)) {
		pw_buf_adds(b, "Accept or decline the place offered to you");
		return 1;
	}
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		const char *kind = page_str(q, "kind") ? page_str(q, "kind") : "";

		if (!app_mine(pg, q))
			continue;
		if (strcmp(kind, "submission") == 0) {
			const char *title = app_form_title(pg, page_str(q, "form"));

			pw_buf_adds(b, title != NULL ? "Fill in " : "Fill in the ");
			app_plain_words(b, title != NULL		 ? title
					   : page_str(q, "form") != NULL ? page_str(q, "form")
									 : page_str(q, "doc"));
		} else if (strcmp(kind, "signoff") == 0) {
			pw_buf_adds(b, "Sign off the application");
		} else if (strcmp(kind, "decision") == 0) {
			pw_buf_adds(b, "Decide on the application");
		} else if (strcmp(kind, "responses") == 0) {
			pw_buf_adds(b, app_is_candidate(pg) ? "Rate yourself for your 360 feedback"
							    : "Give your 360 feedback");
		} else if (strcmp(kind, "attendance") == 0) {
			pw_buf_adds(b, "Record attendance at the sessions");
		} else if (strcmp(kind, "internship") == 0) {
			pw_buf_adds(b, "Confirm the days of the internship");
		} else {
			continue;
		}
		return 1;
	}
	return 0;
}

/* A radio group for a simple action (outcome, session, present). */
static void
app_radios(struct pw_buf *b, const struct app_pg *pg, const char *name, const char *legend,
	   const char *const *values, const char *const *labels, size_t n)
{
	const char *err = app_err(pg, name);

	html_printf(b, "<div class=\"form-group%s\"><fieldset><legend>%s</legend>\n",
		    err ? " form-group-error" : "", legend);
	if (err != NULL)
		html_printf(b, "<span class=\"error-message\">Error: %s</span>\n", err);
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			html_printf(b, "<div class=\"choice\"><input type=\"radio\" id=\"%s\" ",
				    name);
		else
			html_printf(b, "<div class=\"choice\"><input type=\"radio\" id=\"%s-%d\" ",
				    name, (int)i + 1);
		html_printf(b, "name=\"%s\" value=\"%s\"%s>", name, values[i],
			    req_arg(pg->r, name) && strcmp(req_arg(pg->r, name), values[i]) == 0
				? " checked"
				: "");
		if (i == 0)
			html_printf(b, "<label for=\"%s\">%s</label></div>\n", name, labels[i]);
		else
			html_printf(b, "<label for=\"%s-%d\">%s</label></div>\n", name, (int)i + 1,
				    labels[i]);
	}
	pw_buf_adds(b, "</fieldset></div>\n");
}

static void
app_draw_submission(struct pw_buf *b, struct app_pg *pg, const json_t *q)
{
	const char *form = page_str(q, "form");
	const json_t *f = json_object_get(pg->forms, form ? form : ""),
		     *def = app_form_def(pg, form);
	const json_t *ret = json_object_get(json_object_get(pg->app, "returned"), form ? form : "");
	const json_t *values = json_object_get(f, "fields");

	if (form == NULL) { /* a plain document */
		pw_buf_adds(b, "<h2>Submit: ");
		page_words(b, page_str(q, "doc"));
		pw_buf_adds(b, "</h2>\n");
		app_form_begin(b, pg);
		html_printf(b, "<input type=\"hidden\" name=\"doc\" value=\"%s\">\n",
			    page_str(q, "doc"));
		html_printf(
		    b, "<div class=\"form-group\"><label class=\"field\" for=\"ref\">A link to "
		       "the document, or a note about it</label>\n");
		if (app_err(pg, "ref") != NULL)
			html_printf(b, "<span class=\"error-message\">Error: %s</span>\n",
				    app_err(pg, "ref"));
		pw_buf_adds(
		    b, "<input type=\"text\" id=\"ref\" name=\"ref\"></div>\n<button "
		       "class=\"button\" name=\"do\" value=\"submit\">Submit</button>\n</form>\n");
		return;
	}
	if (def == NULL)
		return;
	html_printf(b, "<h2>%s</h2>\n", page_str(def, "title"));
	if (ret != NULL) {
		pw_buf_adds(b, "<div class=\"notice\"><p>This form was sent back for changes on ");
		html_time(b, page_str(ret, "at"), app_tz(pg));
		html_printf(b, ":</p><p>%s</p></div>\n", page_str(ret, "note"));
	}
	if (page_str(def, "help") != NULL)
		html_printf(b, "<p class=\"hint\">%s</p>\n", page_str(def, "help"));
	if (app_steps_paged(def)) { /* one question per page */
		app_steps_start(b, pg, form, def);
		if (page_str(f, "saved") != NULL) {
			pw_buf_adds(b, "<p class=\"hint\">Draft last saved ");
			html_time(b, page_str(f, "saved"), app_tz(pg));
			pw_buf_adds(b, ".</p>\n");
		}
		return;
	}
	if (page_str(pg->kept, "form") != NULL && strcmp(page_str(pg->kept, "form"), form) == 0 &&
	    json_object_get(pg->kept, "fields") != NULL)
		values = json_object_get(pg->kept, "fields");
	app_form_begin(b, pg);
	html_printf(b, "<input type=\"hidden\" name=\"form\" value=\"%s\">\n", form);
	page_form_draw(b, def, values, pg->errors);
	pw_buf_adds(b,
		    "<button class=\"button\" name=\"do\" value=\"submit\">Submit</button>\n"
		    "<button class=\"button button-secondary\" name=\"do\" value=\"save\">Save as "
		    "a draft</button>\n</form>\n");
	if (page_str(f, "saved") != NULL) {
		pw_buf_adds(b, "<p class=\"hint\">Draft last saved ");
		html_time(b, page_str(f, "saved"), app_tz(pg));
		pw_buf_adds(b, ".</p>\n");
	}
}

static void
app_draw_signoff(struct pw_buf *b, struct app_pg *pg)
{
	size_t i;
	const json_t *q;
	int ready = 1;

	pw_buf_adds(b, "<h2>Sign off</h2>\n");
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		if (page_str(q, "kind") != NULL && strcmp(page_str(q, "kind"), "submission") == 0 &&
		    !json_is_true(json_object_get(q, "met")))
			ready = 0;
	}
	if (!ready) {
		pw_buf_adds(b,
			    "<p>You can sign off once everything above has been submitted.</p>\n");
		return;
	}
	html_printf(b,
		    "<p>By signing off you confirm %s's application and it moves on to the next "
		    "stage.</p>\n",
		    app_candidate_name(pg));
	app_form_begin(b, pg);
	pw_buf_adds(b, "<button class=\"button\" name=\"do\" value=\"signoff\">Sign off</button>\n"
		       "</form>\n");
	/* Or send a submitted form back, with a note. */
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		const char *form = page_str(q, "form");
		char *id;

		if (form == NULL || app_form_def(pg, form) == NULL)
			continue;
		id = xasprintf("note-%s", form);
		html_printf(b, "<h3>Send the %s back for changes</h3>\n", app_form_title(pg, form));
		app_form_begin(b, pg);
		html_printf(b, "<input type=\"hidden\" name=\"form\" value=\"%s\">\n", form);
		html_printf(
		    b,
		    "<div class=\"form-group%s\"><label class=\"field\" for=\"%s\">What needs "
		    "to change</label>\n",
		    app_err(pg, id) ? " form-group-error" : "", id);
		if (app_err(pg, id) != NULL)
			html_printf(b, "<span class=\"error-message\">Error: %s</span>\n",
				    app_err(pg, id));
		html_printf(b, "<textarea id=\"%s\" name=\"note\" rows=\"4\">", id);
		if (page_str(pg->kept, "form") && strcmp(page_str(pg->kept, "form"), form) == 0)
			html_txt(b, page_str(pg->kept, "note"));
		pw_buf_adds(b, "</textarea></div>\n<button class=\"button button-secondary\" "
			       "name=\"do\" value=\"return\">Send it back</button>\n</form>\n");
		free(id);
	}
}

static void
app_draw_attendance(struct pw_buf *b, struct app_pg *pg, const json_t *q)
{
	const json_t *ids = json_object_get(q, "sessions"), *id, *s;
	const json_t *marks = json_object_get(pg->app, "attendance");
	size_t i, k, n = json_array_size(ids);
	const char **values = xcalloc(n + 1, sizeof *values),
		   **labels = xcalloc(n + 1, sizeof *labels);
	char **own = xcalloc(n + 1, sizeof *own);
	static const char *const yn[] = {"yes", "no"}, *const yn_words[] = {"Present", "Absent"};

	pw_buf_adds(b, "<h2>Record attendance</h2>\n");
	json_array_foreach(ids, i, id)
	{
		struct pw_buf l = {0};
		const json_t *mark = json_object_get(marks, json_string_value(id));

		pw_buf_adds(&l, json_string_value(id));
		json_array_foreach(json_object_get(pg->cohort, "sessions"), k, s)
		{
			if (page_str(s, "id") != NULL &&
			    strcmp(page_str(s, "id"), json_string_value(id)) == 0)
				pw_buf_addf(&l, ": %s, %s", page_str(s, "title") ?: "",
					    page_str(s, "date") ?: "");
		}
		if (mark != NULL)
			pw_buf_adds(&l,
				    json_is_true(mark) ? " (marked present)" : " (marked absent)");
		values[i] = json_string_value(id);
		labels[i] = own[i] = l.p;
	}
	app_form_begin(b, pg);
	app_radios(b, pg, "session", "Which session?", values, labels, n);
	app_radios(b, pg, "present", "Was the candidate there?", yn, yn_words, 2);
	pw_buf_adds(b, "<button class=\"button\" name=\"do\" value=\"attend\">Record "
		       "attendance</button>\n</form>\n");
	for (i = 0; i < n; i++)
		free(own[i]);
	free(own);
	free(labels);
	free(values);
}

static void
app_draw_internship(struct pw_buf *b, struct app_pg *pg, const json_t *q)
{
	const json_t *in = json_object_get(pg->app, "internship");
	const char *err = app_err(pg, "days");

	pw_buf_adds(b, "<h2>Confirm the internship</h2>\n");
	if (in == NULL) {
		pw_buf_adds(b, "<p>No internship has been placed yet.</p>\n");
		return;
	}
	html_printf(b, "<p>The internship runs from %s to %s.</p>\n", page_str(in, "start"),
		    page_str(in, "end"));
	app_form_begin(b, pg);
	html_printf(b,
		    "<div class=\"form-group%s\"><label class=\"field\" for=\"days\">How many "
		    "days did the candidate complete?</label>\n",
		    err ? " form-group-error" : "");
	if (err != NULL)
		html_printf(b, "<span class=\"error-message\">Error: %s</span>\n", err);
	html_printf(b,
		    "<input type=\"number\" id=\"days\" name=\"days\" min=\"0\" max=\"365\" "
		    "inputmode=\"numeric\" value=\"%s\"></div>\n",
		    req_arg(pg->r, "days") ? req_arg(pg->r, "days") : "");
	html_printf(b, "<p class=\"hint\">The programme asks for %d days.</p>\n",
		    (int)num(q, "need"));
	pw_buf_adds(b, "<button class=\"button\" name=\"do\" value=\"confirm\">Confirm</button>\n"
		       "</form>\n");
}

static void
app_draw_decision(struct pw_buf *b, struct app_pg *pg)
{
	static const char *const v[] = {"accept", "waitlist", "reject"};
	static const char *const w[] = {"Offer a place", "Put on the waiting list",
					"Do not select"};

	pw_buf_adds(b, "<h2>Decision</h2>\n");
	app_form_begin(b, pg);
	app_radios(b, pg, "outcome", "What is your decision?", v, w, 3);
	pw_buf_adds(b, "<div class=\"form-group\"><label class=\"field\" for=\"note\">Note "
		       "(optional, seen only by LA advisers)</label><textarea id=\"note\" "
		       "name=\"note\" rows=\"3\"></textarea></div>\n<button class=\"button\" "
		       "name=\"do\" value=\"decide\">Record the decision</button>\n</form>\n");
}

static void
app_draw_offer(struct pw_buf *b, struct app_pg *pg)
{
	const json_t *offer = json_object_get(pg->app, "offer");

	pw_buf_adds(b, "<h2>A place is offered to you</h2>\n<p>A place has become free and is "
		       "offered to you from the waiting list. Answer by ");
	html_time(b, page_str(offer, "expires"), app_tz(pg));
	pw_buf_adds(b, ".</p>\n");
	app_form_begin(b, pg);
	pw_buf_adds(b, "<button class=\"button\" name=\"do\" value=\"accept\">Accept the "
		       "place</button>\n<button class=\"button button-warning\" name=\"do\" "
		       "value=\"decline\">Decline the place</button>\n</form>\n");
}

static const char *
app_status_words(const char *status)
{
	static const char *const w[][2] = {{"active", "In progress"},
					   {"waitlisted", "On the waiting list"},
					   {"rejected", "Not selected"},
					   {"withdrawn", "Withdrawn"},
					   {"graduated", "Graduated"}};

	for (size_t i = 0; status != NULL && i < sizeof w / sizeof w[0]; i++)
		if (strcmp(w[i][0], status) == 0)
			return w[i][1];
	return status != NULL ? status : "";
}

/* Only a rater: they see the candidate's name and the questionnaire, nothing more. */
static int
app_rater_only(const struct app_pg *pg)
{
	if (pg->link != NULL)
		return strcmp(pg->link, "feedback.respond") == 0;
	return !app_is_candidate(pg) &&
	       json_object_get(json_object_get(pg->app, "raters"), pg->me) != NULL;
}

static void
app_summary(struct pw_buf *b, const struct app_pg *pg)
{
	pw_buf_adds(b, "<dl class=\"summary\">\n");
	html_printf(b, "<div><dt>Candidate</dt><dd>%s</dd></div>\n", app_candidate_name(pg));
	html_printf(b, "<div><dt>Programme</dt><dd>%s</dd></div>\n",
		    page_str(pg->cohort, "name") ? page_str(pg->cohort, "name")
						 : page_str(pg->app, "programme"));
	if (!app_rater_only(pg)) {
		html_printf(b, "<div><dt>Stage</dt><dd>%s</dd></div>\n",
			    app_stage_name(pg->cohort, page_str(pg->app, "stage")));
		html_printf(b, "<div><dt>Status</dt><dd>%s</dd></div>\n",
			    app_status_words(page_str(pg->app, "status")));
	}
	if (json_object_get(pg->app, "overdue") || json_object_get(pg->app, "deadline")) {
		pw_buf_adds(b, "<div><dt>Deadline</dt><dd>");
		app_deadline(b, pg->app, app_tz(pg));
		pw_buf_adds(b, "</dd></div>\n");
	}
	pw_buf_adds(b, "</dl>\n");
}

static void
app_draw_reqs(struct pw_buf *b, const struct app_pg *pg)
{
	size_t i;
	const json_t *q;

	if (json_array_size(json_object_get(pg->app, "requirements")) == 0)
		return;
	pw_buf_adds(b, "<h2>What this stage needs</h2>\n<ul class=\"tasks\">\n");
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		pw_buf_adds(b, "<li><span>");
		app_requirement(b, q, app_form_title(pg, page_str(q, "form")));
		if (json_is_true(json_object_get(q, "met")))
			pw_buf_adds(b,
				    "</span><strong class=\"tag tag-done\">Done</strong></li>\n");
		else if (app_mine(pg, q))
			pw_buf_adds(b,
				    "</span><strong class=\"tag\">Waiting for you</strong></li>\n");
		else if (json_is_true(json_object_get(q, "attention"))) /* reviews not met */
			pw_buf_adds(b, "</span><strong class=\"tag tag-grey\">Waiting for the "
				       "LA</strong></li>\n");
		else if (json_is_false(json_object_get(q, "due")) && page_str(q, "from") != NULL)
			html_printf(
			    b, "</span><strong class=\"tag tag-grey\">Due from %s</strong></li>\n",
			    page_str(q, "from"));
		else if (json_is_false(json_object_get(q, "due"))) /* a term's review, later */
			pw_buf_adds(b, "</span><strong class=\"tag tag-grey\">Not due "
				       "yet</strong></li>\n");
		else
			html_printf(
			    b,
			    "</span><strong class=\"tag tag-grey\">Waiting for %s</strong></li>\n",
			    page_role(app_req_role(q)));
	}
	pw_buf_adds(b, "</ul>\n");
}

static void
app_title(struct pw_buf *t, const struct app_pg *pg)
{
	struct pw_buf dummy = {0};

	if (pg->link != NULL && app_todo(&dummy, pg))
		pw_buf_add(t, dummy.p, dummy.len);
	else if (pg->link != NULL && strcmp(pg->link, "feedback.respond") == 0)
		pw_buf_adds(t, "Give your 360 feedback");
	else
		pw_buf_addf(t, "Application: %s", app_candidate_name(pg));
	free(dummy.p);
}

void
app_draw(struct app_pg *pg, int status)
{
	struct pw_buf b = {0}, t = {0};
	size_t i;
	const json_t *q, *f;
	const char *id;
	int acted = 0;

	app_title(&t, pg);
	html_page_begin(&b, t.p, pg->link == NULL ? pg->person : NULL, 0);
	html_error_summary(&b, pg->errors);
	html_printf(&b, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n",
		    page_str(pg->cohort, "name") ? page_str(pg->cohort, "name") : "Pathway", t.p);
	if (pg->link != NULL)
		html_printf(&b, "<p>This link is for %s. It works once.</p>\n",
			    page_str(pg->person, "name"));
	app_summary(&b, pg);
	if (!app_rater_only(pg))
		app_draw_reqs(&b, pg);
	if (app_offer_open(pg)) {
		app_draw_offer(&b, pg);
		acted = 1;
	}
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		const char *kind = page_str(q, "kind") ? page_str(q, "kind") : "";

		if (!app_mine(pg, q))
			continue;
		acted = 1;
		if (strcmp(kind, "submission") == 0)
			app_draw_submission(&b, pg, q);
		else if (strcmp(kind, "signoff") == 0)
			app_draw_signoff(&b, pg);
		else if (strcmp(kind, "decision") == 0)
			app_draw_decision(&b, pg);
		else if (strcmp(kind, "responses") == 0)
			app_draw_360(&b, pg);
		else if (strcmp(kind, "attendance") == 0)
			app_draw_attendance(&b, pg, q);
		else if (strcmp(kind, "internship") == 0)
			app_draw_internship(&b, pg, q);
	}
	if (!app_rater_only(pg) && app_draw_raters(&b, pg))
		acted = 1;
	if (!acted)
		pw_buf_adds(&b, "<p class=\"notice\">Nothing here is waiting on you now.</p>\n");
	hosts_link(&b, pg->path, pg->link, pg->app, pg->me); /* a candidate's internship choices */
	/* The forms this person reads, as submitted (a draft is its filler's alone). */
	json_object_foreach((json_t *)pg->forms, id, f)
	{
		const json_t *def = json_object_get(f, "definition");

		if (page_str(f, "state") == NULL || strcmp(page_str(f, "state"), "submitted") != 0)
			continue;
		html_printf(&b, "<h2>%s</h2>\n<p class=\"hint\">Submitted ",
			    page_str(def, "title"));
		html_time(&b, page_str(f, "submitted"), app_tz(pg));
		pw_buf_adds(&b, "</p>\n");
		page_form_show(&b, def, json_object_get(f, "fields"));
	}
	if (pg->link == NULL)
		pw_buf_adds(&b, "<p><a href=\"/\">Back to your page</a></p>\n");
	html_page_end(&b);
	free(t.p);
	req_reply(pg->r, status, &b, "text/html; charset=utf-8");
}

/*
 * After an action, when what the stage needs next is this person's too (a
 * headteacher's sign-off after their evidence form): say so, and where to
 * do it. A link works once, so from a link that is their page, by signing in.
 */
static void
app_draw_next(struct pw_buf *b, struct app_pg *pg, const json_t *app)
{
	struct pw_buf todo = {0};
	json_t *was = pg->app;
	char *link = pg->link;
	int mine;

	pg->app = (json_t *)app;
	pg->link = NULL;
	mine = app_todo(&todo, pg);
	pg->app = was;
	pg->link = link;
	if (!mine) {
		pw_buf_adds(b, "<p>Everyone who has something to do is emailed.</p>\n");
		free(todo.p);
		return;
	}
	html_printf(b, "<h2>Next for you</h2>\n<p>%s.</p>\n", todo.p);
	if (pg->link != NULL)
		pw_buf_adds(b, "<p><a href=\"/login\" id=\"next\">Sign in to do it</a>: we email "
			       "you a link, and it is waiting on your page.</p>\n");
	else {
		pw_buf_adds(b, "<p><a id=\"next\" href=\"");
		html_attr(b, pg->path);
		html_printf(b, "\">%s</a></p>\n", todo.p);
	}
	free(todo.p);
}

void
app_draw_done(struct app_pg *pg, const json_t *data)
{
	struct pw_buf b = {0};
	const json_t *app = json_object_get(data, "application"), *q;
	const char *name = pg->act->name;
	size_t i;

	html_page_begin(&b, pg->act->done, pg->link == NULL ? pg->person : NULL, 0);
	html_printf(&b, "<div class=\"panel\"><h1>%s</h1>\n", pg->act->done);
	html_printf(&b, "<p>%s: %s</p></div>\n<h2>What happens next</h2>\n", app_candidate_name(pg),
		    page_str(pg->cohort, "name") ? page_str(pg->cohort, "name") : "");
	if (strcmp(name, "save") == 0) {
		pw_buf_adds(&b, "<p>Your answers are saved but not sent. Come back to finish the "
				"form and submit it: ");
		pw_buf_adds(&b, pg->link != NULL ? "the link in your email still works until you "
						   "submit.</p>\n"
						 : "it is on your page.</p>\n");
		pw_buf_adds(&b, "<p><a href=\"");
		html_attr(&b, pg->path);
		pw_buf_adds(&b, "\">Go back to the form</a></p>\n");
	} else if (strcmp(name, "invite") == 0) {
		html_printf(
		    &b,
		    "<p>We have emailed %s a link to the questionnaire. Their answers are "
		    "combined with other colleagues' before you see them, and you are never "
		    "told who has answered.</p>\n<p><a href=\"",
		    req_arg(pg->r, "name") ? req_arg(pg->r, "name") : "them");
		html_attr(&b, pg->path);
		pw_buf_adds(&b, "\">Invite someone else</a></p>\n");
	} else if (strcmp(name, "respond") == 0) {
		pw_buf_adds(&b,
			    "<p>Your answers are combined with other colleagues' before anyone "
			    "reads them, and your name is never shown with them. There is nothing "
			    "more to do: you can close this page.</p>\n");
	} else if (strcmp(name, "decline") == 0) {
		pw_buf_adds(&b, "<p>Your application has been withdrawn and the place goes to the "
				"next person on the waiting list.</p>\n");
	} else if (strcmp(name, "return") == 0) {
		pw_buf_adds(&b,
			    "<p>We have emailed whoever fills in the form to ask for the changes "
			    "in your note. The application waits until it is submitted "
			    "again.</p>\n");
	} else if (app != NULL && page_str(app, "stage") != NULL &&
		   strcmp(page_str(app, "stage"), page_str(pg->app, "stage")) != 0) {
		html_printf(&b, "<p>The application has moved on to the next stage: %s.</p>\n",
			    app_stage_name(pg->cohort, page_str(app, "stage")));
	} else if (app != NULL) {
		pw_buf_adds(&b, "<p>The application stays at this stage until the rest of it is "
				"done:</p>\n<ul>\n");
		json_array_foreach(json_object_get(app, "requirements"), i, q)
		{
			if (json_is_true(json_object_get(q, "met")))
				continue;
			pw_buf_adds(&b, "<li>");
			app_requirement(&b, q, app_form_title(pg, page_str(q, "form")));
			html_printf(&b, " (%s)</li>\n", page_role(app_req_role(q)));
		}
		pw_buf_adds(&b, "</ul>\n");
		app_draw_next(&b, pg, app);
	}
	if (pg->link != NULL)
		pw_buf_adds(&b,
			    "<p>To see everything that is waiting for you, <a href=\"/login\">sign "
			    "in</a>.</p>\n");
	else
		pw_buf_adds(&b, "<p><a href=\"/\">Back to your page</a></p>\n");
	html_page_end(&b);
	req_reply(pg->r, 200, &b, "text/html; charset=utf-8");
}
