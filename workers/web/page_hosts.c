/*
 * page_hosts.c: a candidate ranks internship host schools from the link
 * in an email asking for a document of theirs (/a/TOKEN?page=hosts; the
 * ranking is a companion of application.submit and does not use the link
 * up). Drawn from application.host_choices (the schools of the cohort
 * offering places that the programme lets the candidate rank, never their
 * own, how many its rules left out, and the ranking so far):
 * up to its max select boxes, "1st choice", "2nd choice" ..., without
 * JavaScript. A POST reads the boxes in order, refuses nothing chosen and
 * a school chosen twice next to the box, and sends application.rank_hosts;
 * pathwayd's refusal (the candidate's own school, one the programme's rules
 * exclude) is shown next to the box that named it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_links.h"

struct hosts {
	struct req *r;
	char *token, *app;
	json_t *who;	 /* auth.whoami of the link */
	json_t *choices; /* application.host_choices */
	json_t *chosen;	 /* the schools posted, in order */
	json_t *errors;	 /* [{"field", "message"}] */
};

static void
hosts_free(struct hosts *h)
{
	free(h->token);
	free(h->app);
	json_decref(h->who);
	json_decref(h->choices);
	json_decref(h->chosen);
	json_decref(h->errors);
	free(h);
}

static const char *
ordinal(int n, char *buf, size_t len)
{
	const char *sfx = (n % 100 >= 11 && n % 100 <= 13) ? "th"
			  : n % 10 == 1			   ? "st"
			  : n % 10 == 2			   ? "nd"
			  : n % 10 == 3			   ? "rd"
							   : "th";

	snprintf(buf, len, "%d%s", n, sfx);
	return buf;
}

/* The number of boxes: the most a ranking takes, no more than the schools offered. */
static int
boxes(const struct hosts *h)
{
	int max = (int)json_integer_value(json_object_get(h->choices, "max"));
	int n = (int)json_array_size(json_object_get(h->choices, "hosts"));

	return n < max ? n : max;
}

static const char *
school_name(const struct hosts *h, const char *id)
{
	size_t i;
	const json_t *s;

	json_array_foreach(json_object_get(h->choices, "hosts"), i, s)
	{
		if (page_str(s, "school") != NULL && strcmp(page_str(s, "school"), id) == 0)
			return page_str(s, "name");
	}
	return id;
}

static const char *
err_of(const struct hosts *h, const char *field)
{
	size_t i;
	const json_t *e;

	json_array_foreach(h->errors, i, e)
	{
		if (page_str(e, "field") != NULL && strcmp(page_str(e, "field"), field) == 0)
			return page_str(e, "message");
	}
	return NULL;
}

static void
add_error(struct hosts *h, const char *field, const char *message)
{
	json_t *e = json_pack("{s:s}", "message", message);

	if (field != NULL)
		json_object_set_new(e, "field", json_string(field));
	json_array_append_new(h->errors, e);
}

static void
draw_select(struct pw_buf *b, const struct hosts *h, int k, const char *value)
{
	char id[32], ord[16];
	const char *err;
	size_t i;
	const json_t *s;

	snprintf(id, sizeof id, "choice-%d", k);
	err = err_of(h, id);
	html_printf(b, "<div class=\"form-group%s\"><label class=\"field\" for=\"%s\">%s choice",
		    err ? " form-group-error" : "", id, ordinal(k, ord, sizeof ord));
	pw_buf_adds(b, k == 1 ? "</label>\n" : " (optional)</label>\n");
	if (err != NULL)
		html_printf(b, "<span class=\"error-message\">Error: %s</span>\n", err);
	html_printf(b, "<select id=\"%s\" name=\"%s\">\n<option value=\"\">No choice</option>\n",
		    id, id);
	json_array_foreach(json_object_get(h->choices, "hosts"), i, s)
	{
		const char *sid = page_str(s, "school") ?: "";

		pw_buf_adds(b, "<option value=\"");
		html_attr(b, sid);
		pw_buf_adds(b, value != NULL && strcmp(value, sid) == 0 ? "\" selected>" : "\">");
		html_txt(b, page_str(s, "name"));
		if (page_str(s, "phase") != NULL)
			html_printf(b, " (%s)", page_str(s, "phase"));
		pw_buf_adds(b, "</option>\n");
	}
	pw_buf_adds(b, "</select></div>\n");
}

/* Why schools offering places are not in the boxes: the programme's rules for hosts. */
static void
draw_left_out(struct pw_buf *b, const struct hosts *h)
{
	static const char *const why[][2] = {
	    {"not_lss", "your programme's internships are at Lead Succession Schools only"},
	    {"phase", "your programme's internships are at schools of your own school's phase "
		      "(or all-through schools) only"},
	};
	const json_t *lo = json_object_get(h->choices, "left_out");

	for (size_t k = 0; k < sizeof why / sizeof why[0]; k++) {
		json_int_t n = json_integer_value(json_object_get(lo, why[k][0]));

		if (n <= 0)
			continue;
		html_printf(b,
			    "<p class=\"hint\">%d other school%s offering places %s not listed: ",
			    (int)n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
		pw_buf_adds(b, why[k][1]);
		pw_buf_adds(b, ".</p>\n");
	}
}

static void
draw(struct hosts *h, int status)
{
	struct pw_buf b = {0};
	const json_t *ranking = json_object_get(h->choices, "ranking");
	int n = boxes(h);

	html_page_begin(&b, "Choose host schools for your internship", NULL, 0);
	html_error_summary(&b, h->errors);
	pw_buf_adds(&b, "<h1>Choose host schools for your internship</h1>\n");
	html_printf(&b, "<p>This page is for %s.</p>\n", page_str(h->who, "name"));
	if (!json_is_true(json_object_get(h->choices, "open"))) {
		pw_buf_adds(&b, "<p class=\"notice\">Host schools are not being chosen for this "
				"application now: it is not heading for an internship, or one has "
				"been placed already.</p>\n");
	} else if (n == 0) {
		pw_buf_adds(&b, "<p class=\"notice\">No host school you may choose offers places "
				"in your cohort yet. Try again later: this link keeps working "
				"for it.</p>\n");
		draw_left_out(&b, h);
	} else {
		html_printf(&b,
			    "<p>Choose up to %d schools, the one you most want first. Your LA "
			    "matches candidates to host schools' places; you will not be placed "
			    "at your own school.</p>\n",
			    n);
		draw_left_out(&b, h);
		pw_buf_adds(&b, "<form method=\"post\" action=\"");
		html_attr(&b, req_path(h->r));
		pw_buf_adds(&b, "?page=hosts\" novalidate>\n");
		html_csrf(&b, h->r, h->token);
		for (int k = 1; k <= n; k++) {
			const char *v = json_is_array(h->chosen)
					    ? NULL
					    : json_string_value(json_array_get(ranking, k - 1));
			char f[32];

			if (json_is_array(h->chosen)) {
				snprintf(f, sizeof f, "choice-%d", k);
				v = req_arg(h->r, f);
			}
			draw_select(&b, h, k, v);
		}
		pw_buf_adds(&b,
			    "<button class=\"button\" type=\"submit\">Save my choices</button>\n"
			    "</form>\n");
	}
	pw_buf_adds(&b, "<p><a href=\"");
	html_attr(&b, req_path(h->r));
	pw_buf_adds(&b, "\">Back to the application</a></p>\n");
	html_page_end(&b);
	req_reply(h->r, status, &b, "text/html; charset=utf-8");
}

static void
draw_done(struct hosts *h)
{
	struct pw_buf b = {0};
	size_t i;
	const json_t *s;

	html_page_begin(&b, "Your choices are saved", NULL, 0);
	pw_buf_adds(&b, "<div class=\"panel\" role=\"status\"><h1>Your choices are saved</h1>"
			"</div>\n<ol>\n");
	json_array_foreach(h->chosen, i, s)
	{
		html_printf(&b, "<li>%s</li>\n", school_name(h, json_string_value(s)));
	}
	pw_buf_adds(&b, "</ol>\n<h2>What happens next</h2>\n<p>Your LA matches candidates to the "
			"host schools' places, taking your choices in this order, and emails you "
			"where your internship is. Until then you can change your choices with "
			"the same link.</p>\n<p><a href=\"");
	html_attr(&b, req_path(h->r));
	pw_buf_adds(&b, "?page=hosts\">Change your choices</a></p>\n");
	html_page_end(&b);
	req_reply(h->r, 200, &b, "text/html; charset=utf-8");
}

static void
ranked(json_t *reply, void *ud)
{
	struct hosts *h = ud;
	const char *code = page_err(reply);

	if (code == NULL) {
		draw_done(h);
	} else if (strcmp(code, "invalid_request") == 0 || strcmp(code, "not_found") == 0) {
		const char *msg = page_err_message(reply), *field = NULL;
		size_t i;
		const json_t *s;
		char f[32];

		/* next to the box of the school the message names */
		json_array_foreach(h->chosen, i, s)
		{
			if (field == NULL && strstr(msg, json_string_value(s)) != NULL) {
				snprintf(f, sizeof f, "choice-%d", (int)i + 1);
				field = f;
			}
		}
		add_error(h, field,
			  strcmp(code, "not_found") == 0 ? "Choose a school from the list" : msg);
		draw(h, 400);
	} else {
		page_fail(h->r, reply, NULL);
	}
	hosts_free(h);
}

/* Read the boxes posted into h->chosen; 0, or -1 with h->errors. */
static int
read_post(struct hosts *h)
{
	int n = boxes(h), bad = 0;
	char f[32], g[32];

	h->chosen = json_array();
	for (int k = 1; k <= n; k++) {
		const char *v;

		snprintf(f, sizeof f, "choice-%d", k);
		v = req_arg(h->r, f);
		if (v == NULL || v[0] == '\0')
			continue;
		for (int j = 1; j < k; j++) {
			snprintf(g, sizeof g, "choice-%d", j);
			if (req_arg(h->r, g) != NULL && strcmp(req_arg(h->r, g), v) == 0) {
				char *m = xasprintf("You have chosen %s more than once: choose "
						    "each school once",
						    school_name(h, v));

				add_error(h, f, m);
				free(m);
				bad = -1;
				break;
			}
		}
		json_array_append_new(h->chosen, json_string(v));
	}
	if (!bad && json_array_size(h->chosen) == 0) {
		add_error(h, "choice-1", "Choose at least one school");
		bad = -1;
	}
	return bad;
}

static void
got_choices(json_t *reply, void *ud)
{
	struct hosts *h = ud;

	if (page_data(reply) == NULL) {
		page_fail(h->r, reply, NULL);
		hosts_free(h);
		return;
	}
	h->choices = json_incref(page_data(reply));
	if (strcmp(req_method(h->r), "POST") != 0) {
		draw(h, 200);
		hosts_free(h);
		return;
	}
	if (!json_is_true(json_object_get(h->choices, "open")) || boxes(h) == 0 ||
	    read_post(h) != 0) {
		if (json_array_size(h->errors) == 0)
			add_error(h, NULL, "Host schools cannot be chosen now.");
		draw(h, 400);
		hosts_free(h);
		return;
	}
	api_send("application.rank_hosts", h->token,
		 json_pack("{s:s, s:O}", "app", h->app, "hosts", h->chosen), ranked, h);
}

void
hosts_page(struct req *r, const char *token, const char *app, const json_t *who)
{
	struct hosts *h = xcalloc(1, sizeof *h);

	h->r = r;
	h->token = xstrdup(token);
	h->app = xstrdup(app);
	h->who = json_deep_copy(who);
	h->errors = json_array();
	api_send("application.host_choices", token, json_pack("{s:s}", "app", app), got_choices, h);
}

void
hosts_link(struct pw_buf *b, const char *path, const char *link, const json_t *app, const char *me)
{
	if (link == NULL || strcmp(link, "application.submit") != 0 || me == NULL ||
	    page_str(app, "candidate") == NULL || strcmp(page_str(app, "candidate"), me) != 0 ||
	    page_str(app, "status") == NULL || strcmp(page_str(app, "status"), "active") != 0 ||
	    json_object_get(app, "internship") != NULL)
		return;
	pw_buf_adds(b, "<h2>Your internship</h2>\n<p>If your programme includes an internship, "
		       "<a href=\"");
	html_attr(b, path);
	pw_buf_adds(b, "?page=hosts\">choose the host schools you would like</a> (this does not "
		       "use up the link).</p>\n");
}
