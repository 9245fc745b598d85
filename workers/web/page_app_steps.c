/*
 * page_app_steps.c: a long form one question at a time (the GOV.UK
 * pattern), on the application page of whoever fills it in, for a session
 * and an action link alike. A form of more than STEPS_SHORT_MAX fields is
 * not drawn whole: the application page says how many questions it has and
 * how many are answered, and links to its pages, PATH?form=F&step=N (1..n)
 * and PATH?form=F&step=check. Each question page posts (do=step) the one
 * field to application.save_draft and goes on to the next question (to
 * "check your answers" after the last, or back to it when it came from
 * there, &from=check); "Save and come back later" (then=later) saves
 * without the required check and goes back to the application page.
 * "Check your answers" lists every answer of the saved draft with a Change
 * link to its page, and submits the draft (do=check: application.submit
 * with no fields, which submits the draft). An error is shown on the page
 * of its field, with the error summary; an error from the submission is
 * shown on the check page, linking to the page of its field. Short forms
 * stay one page, and a whole form posted at once (do=submit) is still
 * taken. No JavaScript. It writes only through html.c's writers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_app.h"

/* A form with more fields than this is shown one question per page. */
#define STEPS_SHORT_MAX 6

int
app_steps_paged(const json_t *def)
{
	return json_array_size(json_object_get(def, "fields")) > STEPS_SHORT_MAX;
}

/* The form named by the request ("form"), when this person fills it in now and it is long. */
static const json_t *
steps_form(const struct app_pg *pg, const char **form)
{
	const json_t *q, *def;
	size_t i;

	*form = req_arg(pg->r, "form");
	def = app_form_def(pg, *form);
	if (def == NULL || !app_steps_paged(def))
		return NULL;
	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		if (page_str(q, "form") != NULL && strcmp(page_str(q, "form"), *form) == 0 &&
		    page_str(q, "kind") != NULL && strcmp(page_str(q, "kind"), "submission") == 0 &&
		    app_mine(pg, q))
			return def;
	}
	return NULL;
}

/* The step asked for: 1..n, 0 for the check page, -1 for none. */
static int
steps_step(const struct app_pg *pg, const json_t *def)
{
	const char *s = req_arg(pg->r, "step");
	char *end;
	long n;

	if (s == NULL)
		return -1;
	if (strcmp(s, "check") == 0)
		return 0;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < 1 || (size_t)n > json_array_size(json_object_get(def, "fields")))
		return -1;
	return (int)n;
}

/* A link to a step of form: PATH?form=F&step=S (&from=check). */
static void
steps_href(struct pw_buf *b, const struct app_pg *pg, const char *form, const char *step,
	   int from_check)
{
	html_attr(b, pg->path);
	pw_buf_adds(b, "?form=");
	html_url(b, form);
	pw_buf_adds(b, "&amp;step=");
	html_url(b, step);
	if (from_check)
		pw_buf_adds(b, "&amp;from=check");
}

/* The saved draft's answers (form.get's fields). */
static const json_t *
steps_saved(const struct app_pg *pg, const char *form)
{
	return json_object_get(json_object_get(pg->forms, form), "fields");
}

static int
steps_answered(const json_t *v)
{
	return v != NULL && !json_is_null(v) &&
	       !(json_is_string(v) && json_string_length(v) == 0) &&
	       !(json_is_array(v) && json_array_size(v) == 0);
}

/* ---- on the application page ---------------------------------------------------- */

void
app_steps_start(struct pw_buf *b, const struct app_pg *pg, const char *form, const json_t *def)
{
	const json_t *fields = json_object_get(def, "fields"), *saved = steps_saved(pg, form), *f;
	size_t i, n = json_array_size(fields), done = 0, first = 0;
	char step[24];

	json_array_foreach(fields, i, f)
	{
		if (steps_answered(json_object_get(saved, page_str(f, "id"))))
			done++;
		else if (first == 0)
			first = i + 1;
	}
	html_printf(b,
		    "<p>This form has %d questions, one to a page. Your answers are saved as you "
		    "go, so you can stop and come back to it.</p>\n",
		    (int)n);
	if (done > 0)
		html_printf(b, "<p id=\"progress\">You have answered %d of %d questions.</p>\n",
			    (int)done, (int)n);
	snprintf(step, sizeof step, "%d", first > 0 ? (int)first : 1);
	pw_buf_adds(b, "<p><a class=\"button\" id=\"start\" href=\"");
	steps_href(b, pg, form, done > 0 && first == 0 ? "check" : step, 0);
	pw_buf_adds(b, done > 0 ? "\">Continue</a></p>\n" : "\">Start now</a></p>\n");
	if (done > 0) {
		pw_buf_adds(b, "<p><a id=\"check\" href=\"");
		steps_href(b, pg, form, "check", 0);
		pw_buf_adds(b, "\">Check your answers and submit</a></p>\n");
	}
}

/* ---- the question pages and "check your answers" -------------------------------- */

/* A definition with field i of def alone (the same form id, so the same element ids). */
static json_t *
steps_one(const json_t *def, size_t i)
{
	return json_pack("{s:s, s:[O]}", "id", page_str(def, "id"), "fields",
			 json_array_get(json_object_get(def, "fields"), i));
}

static void
steps_back(struct pw_buf *b, const struct app_pg *pg, const char *form, int step)
{
	char s[24];

	pw_buf_adds(b, "<a class=\"back-link\" href=\"");
	if (step <= 1) {
		html_attr(b, pg->path);
	} else {
		snprintf(s, sizeof s, "%d", step - 1);
		steps_href(b, pg, form, s, 0);
	}
	pw_buf_adds(b, "\">Back</a>\n");
}

static void
steps_draw_question(struct app_pg *pg, const char *form, const json_t *def, int step, int status)
{
	struct pw_buf b = {0}, t = {0};
	size_t n = json_array_size(json_object_get(def, "fields"));
	json_t *one = steps_one(def, (size_t)step - 1);
	const json_t *values = steps_saved(pg, form);
	const char *from = req_arg(pg->r, "from");

	if (page_str(pg->kept, "form") != NULL && strcmp(page_str(pg->kept, "form"), form) == 0)
		values = json_object_get(pg->kept, "fields");
	pw_buf_addf(&t, "Question %d of %d", step, (int)n);
	html_page_begin(&b, t.p, pg->link == NULL ? pg->person : NULL, 0);
	steps_back(&b, pg, form, step);
	html_error_summary(&b, pg->errors);
	html_printf(&b, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", page_str(def, "title"),
		    t.p);
	app_form_begin(&b, pg);
	html_printf(&b,
		    "<input type=\"hidden\" name=\"do\" value=\"step\">\n<input type=\"hidden\" "
		    "name=\"form\" value=\"%s\">\n<input type=\"hidden\" name=\"step\" "
		    "value=\"%d\">\n",
		    form, step);
	if (from != NULL && strcmp(from, "check") == 0)
		pw_buf_adds(&b, "<input type=\"hidden\" name=\"from\" value=\"check\">\n");
	page_form_draw(&b, one, values, pg->errors);
	pw_buf_adds(&b, "<button class=\"button\" id=\"continue\">Continue</button>\n<button "
			"class=\"button button-secondary\" name=\"then\" value=\"later\">Save and "
			"come back later</button>\n</form>\n");
	html_page_end(&b);
	req_reply(pg->r, status, &b, "text/html; charset=utf-8");
	json_decref(one);
	free(t.p);
}

/* The step of the field whose element is id ("f-FORM-FIELD"), or 0. */
static int
steps_of_elem(const json_t *def, const char *id)
{
	const json_t *f;
	size_t i;
	int found = 0;

	json_array_foreach(json_object_get(def, "fields"), i, f)
	{
		char *e = xasprintf("f-%s-%s", page_str(def, "id"), page_str(f, "id"));

		if (id != NULL && strcmp(e, id) == 0)
			found = (int)i + 1;
		free(e);
	}
	return found;
}

static void
steps_draw_check(struct app_pg *pg, const char *form, const json_t *def, int status)
{
	struct pw_buf b = {0};
	const json_t *fields = json_object_get(def, "fields"), *saved = steps_saved(pg, form), *f,
		     *e;
	size_t i, j, n = json_array_size(fields);
	char s[24];

	html_page_begin(&b, "Check your answers", pg->link == NULL ? pg->person : NULL, 0);
	steps_back(&b, pg, form, (int)n + 1);
	if (json_array_size(pg->errors) > 0) { /* each links to the page of its field */
		pw_buf_adds(&b,
			    "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
			    "aria-labelledby=\"error-summary-title\">\n<h2 "
			    "class=\"error-summary-title\" id=\"error-summary-title\">There is a "
			    "problem</h2>\n<ul>\n");
		json_array_foreach(pg->errors, j, e)
		{
			int step = steps_of_elem(def, page_str(e, "field"));

			if (step > 0) {
				snprintf(s, sizeof s, "%d", step);
				pw_buf_adds(&b, "<li><a href=\"");
				steps_href(&b, pg, form, s, 1);
				html_printf(&b, "\">%s</a></li>\n", page_str(e, "message"));
			} else {
				html_printf(&b, "<li>%s</li>\n", page_str(e, "message"));
			}
		}
		pw_buf_adds(&b, "</ul>\n</div>\n");
	}
	html_printf(&b,
		    "<span class=\"caption\">%s</span>\n<h1>Check your answers before "
		    "submitting</h1>\n<dl class=\"summary\" id=\"answers\">\n",
		    page_str(def, "title"));
	json_array_foreach(fields, i, f)
	{
		const json_t *v = json_object_get(saved, page_str(f, "id"));

		html_printf(&b, "<div><dt>%s</dt><dd>", page_str(f, "label"));
		page_form_answer(&b, f, v);
		snprintf(s, sizeof s, "%d", (int)i + 1);
		pw_buf_adds(&b, "</dd><dd class=\"change\"><a href=\"");
		steps_href(&b, pg, form, s, 1);
		html_printf(&b,
			    "\">Change<span class=\"visually-hidden\"> %s</span></a></dd></div>\n",
			    page_str(f, "label"));
	}
	pw_buf_adds(&b,
		    "</dl>\n<h2>Now submit the form</h2>\n<p>Once you submit it, it goes to "
		    "the people who read it at this stage. You can change it only if it is sent "
		    "back to you.</p>\n");
	app_form_begin(&b, pg);
	html_printf(&b,
		    "<input type=\"hidden\" name=\"do\" value=\"check\">\n<input type=\"hidden\" "
		    "name=\"form\" value=\"%s\">\n<button class=\"button\" id=\"submit\">Submit"
		    "</button>\n</form>\n",
		    form);
	html_page_end(&b);
	req_reply(pg->r, status, &b, "text/html; charset=utf-8");
}

int
app_steps_get(struct app_pg *pg)
{
	const char *form;
	const json_t *def = steps_form(pg, &form);
	int step = def != NULL ? steps_step(pg, def) : -1;

	if (step < 0)
		return -1;
	if (step == 0)
		steps_draw_check(pg, form, def, 200);
	else
		steps_draw_question(pg, form, def, step, 200);
	return 0;
}

int
app_steps_redraw(struct app_pg *pg, int status)
{
	const char *form;
	const json_t *def = steps_form(pg, &form);
	int step = def != NULL ? steps_step(pg, def) : -1;

	if (def == NULL || (strcmp(pg->act->name, "step") == 0 && step < 1))
		return -1;
	if (strcmp(pg->act->name, "check") == 0)
		steps_draw_check(pg, form, def, status);
	else
		steps_draw_question(pg, form, def, step, status);
	return 0;
}

/* ---- the posts ------------------------------------------------------------------ */

int
app_steps_args_step(struct app_pg *pg, json_t *args)
{
	const char *form, *then = req_arg(pg->r, "then");
	const json_t *def = steps_form(pg, &form), *f;
	int step = def != NULL ? steps_step(pg, def) : -1;
	json_t *one, *got;
	const char *fid;

	if (step < 1) {
		json_array_append_new(pg->errors,
				      json_pack("{s:s}", "message", "That question is not here."));
		return -1;
	}
	one = steps_one(def, (size_t)step - 1);
	got = page_form_read(pg->r, one, 1);
	f = json_array_get(json_object_get(def, "fields"), (size_t)step - 1);
	fid = page_str(f, "id");
	pg->kept = json_pack("{s:s, s:o}", "form", form, "fields", got);
	if ((then == NULL || strcmp(then, "later") != 0) &&
	    json_is_true(json_object_get(f, "required")) &&
	    !steps_answered(json_object_get(got, fid))) {
		char *msg = xasprintf("field '%s' of form '%s' is required", fid, form);

		json_t *errors = page_form_errors(one, msg);

		json_array_extend(pg->errors, errors);
		json_decref(errors);
		free(msg);
		json_decref(one);
		return -1;
	}
	json_decref(one);
	json_object_set_new(args, "form", json_string(form));
	json_object_set(args, "fields", got);
	return 0;
}

int
app_steps_args_check(struct app_pg *pg, json_t *args)
{
	const char *form;

	if (steps_form(pg, &form) == NULL) {
		json_array_append_new(
		    pg->errors,
		    json_pack("{s:s}", "message", "This form is not taken at this stage."));
		return -1;
	}
	pg->kept = json_pack("{s:s}", "form", form);
	json_object_set_new(args, "doc", json_string(form)); /* no fields: the draft */
	return 0;
}

void
app_steps_saved(struct app_pg *pg)
{
	const char *form = req_arg(pg->r, "form"), *then = req_arg(pg->r, "then"),
		   *from = req_arg(pg->r, "from");
	const json_t *def = app_form_def(pg, form);
	int step = def != NULL ? steps_step(pg, def) : -1;
	size_t n = json_array_size(json_object_get(def, "fields"));
	struct pw_buf to = {0};

	pw_buf_adds(&to, pg->path);
	if (then == NULL || strcmp(then, "later") != 0) {
		pw_buf_adds(&to, "?form=");
		html_url(&to, form);
		if ((from != NULL && strcmp(from, "check") == 0) || step < 1 || (size_t)step >= n)
			pw_buf_adds(&to, "&step=check");
		else
			pw_buf_addf(&to, "&step=%d", step + 1);
	}
	req_redirect(pg->r, to.p);
	free(to.p);
}
