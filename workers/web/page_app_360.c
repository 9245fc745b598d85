/*
 * page_app_360.c: the 360 on the application page, as the person takes
 * part in it. A rater (or the candidate rating themself) gets the
 * questionnaire, saying how their answers are combined. The candidate,
 * their headteacher and coach see whom the candidate invited, by name and
 * group, and never who has answered: the application pathwayd gives them
 * has no "responded", and nothing here would draw it for anyone. The
 * candidate also gets a form to invite someone more (feedback.invite:
 * name, email, and one of the programme's groups, which
 * feedback.questionnaire lists for them). It writes only through html.c's
 * writers.
 */
#include <string.h>

#include "page_app.h"

static long long
num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

void
app_draw_360(struct pw_buf *b, struct app_pg *pg)
{
	const json_t *cat = json_object_get(pg->q, "category");
	int threshold = (int)num(cat, "threshold");

	if (pg->q == NULL)
		return;
	html_printf(b, "<h2>%s</h2>\n", app_is_candidate(pg) ? "Rate yourself" : "Your feedback");
	html_printf(b, "<p>It takes about %d minutes. ", (int)num(pg->q, "minutes"));
	if (app_is_candidate(pg))
		pw_buf_adds(b, "Your own ratings are shown beside your colleagues' in your "
			       "report.</p>\n");
	else if (threshold == 1)
		html_printf(b,
			    "You answer as: %s. Your ratings are shown as that group's, on "
			    "their own.</p>\n",
			    page_str(cat, "name") ? page_str(cat, "name") : "your group");
	else
		html_printf(b,
			    "Your ratings are averaged with those of at least %d others "
			    "before anyone sees them, and your name is never shown with "
			    "them.</p>\n",
			    threshold > 1 ? threshold - 1 : 2);
	app_form_begin(b, pg);
	page_form_360_draw(b, pg->q, pg->kept, pg->errors);
	pw_buf_adds(b, "<button class=\"button\" name=\"do\" value=\"respond\">Send your "
		       "answers</button>\n</form>\n");
}

/* Whether the stage takes 360 responses (its requirement is there). */
static int
app_takes_raters(const struct app_pg *pg)
{
	size_t i;
	const json_t *q;

	json_array_foreach(json_object_get(pg->app, "requirements"), i, q)
	{
		if (page_str(q, "kind") != NULL && strcmp(page_str(q, "kind"), "responses") == 0)
			return 1;
	}
	return 0;
}

/* The name of 360 group id, from the questionnaire's list (else the id, in words). */
static void
app_category(struct pw_buf *b, const struct app_pg *pg, const char *id)
{
	size_t i;
	const json_t *c;

	json_array_foreach(json_object_get(pg->q, "categories"), i, c)
	{
		if (id != NULL && page_str(c, "id") != NULL && strcmp(page_str(c, "id"), id) == 0 &&
		    page_str(c, "name") != NULL) {
			html_txt(b, page_str(c, "name"));
			return;
		}
	}
	page_words(b, id);
}

/* What the candidate posted last, when the page is drawn again after an invitation failed. */
static const char *
app_kept_invite(const struct app_pg *pg, const char *name)
{
	if (pg->act == NULL || strcmp(pg->act->name, "invite") != 0)
		return NULL;
	return req_arg(pg->r, name);
}

static void
app_invite_field(struct pw_buf *b, const struct app_pg *pg, const char *id, const char *label,
		 const char *type, const char *extra)
{
	const char *err = app_err(pg, id);

	html_printf(b, "<div class=\"form-group%s\"><label class=\"field\" for=\"%s\">%s</label>\n",
		    err ? " form-group-error" : "", id, label);
	if (err != NULL)
		html_printf(b, "<span class=\"error-message\">Error: %s</span>\n", err);
	html_printf(b, "<input type=\"%s\" id=\"%s\" name=\"%s\" ", type, id, strchr(id, '-') + 1);
	pw_buf_adds(b, extra); /* markup of our own */
	pw_buf_adds(b, " value=\"");
	html_attr(b, app_kept_invite(pg, strchr(id, '-') + 1));
	pw_buf_adds(b, "\"></div>\n");
}

static void
app_invite_form(struct pw_buf *b, struct app_pg *pg)
{
	const json_t *cats = json_object_get(pg->q, "categories"), *c;
	const char *err = app_err(pg, "rater-category"), *kept = app_kept_invite(pg, "category");
	size_t i;

	pw_buf_adds(b, "<h3>Invite someone to give feedback</h3>\n<p class=\"hint\">We email them "
		       "a link to the questionnaire. You are never told who has answered.</p>\n");
	app_form_begin(b, pg);
	app_invite_field(b, pg, "rater-name", "Their name", "text",
			 "autocomplete=\"off\" spellcheck=\"false\"");
	app_invite_field(b, pg, "rater-email", "Their email address", "email",
			 "autocomplete=\"off\" spellcheck=\"false\"");
	html_printf(b,
		    "<div class=\"form-group%s\"><fieldset><legend>How do they know your "
		    "work?</legend>\n",
		    err ? " form-group-error" : "");
	if (err != NULL)
		html_printf(b, "<span class=\"error-message\">Error: %s</span>\n", err);
	json_array_foreach(cats, i, c)
	{
		const char *id = page_str(c, "id") ? page_str(c, "id") : "";

		if (i == 0)
			pw_buf_adds(b, "<div class=\"choice\"><input type=\"radio\" "
				       "id=\"rater-category\" ");
		else
			html_printf(b,
				    "<div class=\"choice\"><input type=\"radio\" "
				    "id=\"rater-category-%d\" ",
				    (int)i + 1);
		html_printf(b, "name=\"category\" value=\"%s\"%s>", id,
			    kept != NULL && strcmp(kept, id) == 0 ? " checked" : "");
		if (i == 0)
			pw_buf_adds(b, "<label for=\"rater-category\">");
		else
			html_printf(b, "<label for=\"rater-category-%d\">", (int)i + 1);
		app_category(b, pg, id);
		pw_buf_adds(b, "</label></div>\n");
	}
	pw_buf_adds(b, "</fieldset></div>\n<button class=\"button\" name=\"do\" "
		       "value=\"invite\">Send the invitation</button>\n</form>\n");
}

int
app_draw_raters(struct pw_buf *b, struct app_pg *pg)
{
	const json_t *raters = json_object_get(pg->app, "raters"), *r;
	const char *id;
	int candidate = app_is_candidate(pg) && pg->link == NULL;

	if (!app_takes_raters(pg) || (!candidate && json_object_size(raters) == 0))
		return 0;
	if (pg->link != NULL && strcmp(pg->link, "feedback.respond") == 0)
		return 0; /* a rater's link: the questionnaire only */
	if (!app_is_candidate(pg) && json_object_get(raters, pg->me) != NULL)
		return 0; /* a rater signed in: only their own entry is there */
	html_printf(b, "<h2>%s</h2>\n",
		    candidate ? "People you have invited to give feedback"
			      : "People invited to give feedback");
	if (json_object_size(raters) == 0) {
		pw_buf_adds(b, "<p>Nobody yet.</p>\n");
	} else {
		pw_buf_adds(b, "<ul class=\"tasks\" id=\"raters\">\n");
		json_object_foreach((json_t *)raters, id, r)
		{
			pw_buf_adds(b, "<li><span>");
			html_txt(b, page_str(r, "name") ? page_str(r, "name") : id);
			pw_buf_adds(b, "</span><span class=\"hint\">");
			app_category(b, pg, page_str(r, "category"));
			pw_buf_adds(b, "</span></li>\n");
		}
		pw_buf_adds(b, "</ul>\n");
	}
	if (!candidate || json_array_size(json_object_get(pg->q, "categories")) == 0 ||
	    page_str(pg->app, "status") == NULL || strcmp(page_str(pg->app, "status"), "active"))
		return 0;
	app_invite_form(b, pg);
	return 1;
}
