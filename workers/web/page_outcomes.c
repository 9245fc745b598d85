/*
 * page_outcomes.c: the outcome figures of a cohort, for LA advisers and
 * viewers, reached from the dashboard.
 *
 *   GET /dashboard/outcomes?cohort=ID      the page (the first cohort by default)
 *   GET /dashboard/outcomes.csv?cohort=ID  the same figures as CSV
 *
 * Drawn from cohort.list (the cohorts' names, the picker) and then
 * cohort.outcomes of the chosen cohort, both with the person's session
 * token: pathwayd decides who may read them (anyone else gets its
 * forbidden, drawn as a 403 page). The figures are read generically from
 * the reply (every section, its totals, by status, phase or track) into
 * rows of plain text, which the page draws as one table per section and
 * the CSV writes through page_csv.c's writer. Nothing is kept between
 * requests.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "page.h"

/* The reply's sections, in the order shown, and their headings. */
static const char *const sections[][2] = {
    {"applications", "Applications"},
    {"participants", "Participants"},
    {"completions", "Completions"},
    {"schools", "Participants' schools"},
    {"host_schools", "Host schools of internships"},
    {"internships", "Internships"},
    {"coaches", "Coaches"},
    {"progression", "Progression after graduation"},
};

static const char *const cols_outcomes[] = {"Figure", "Measure", "Track", "Number", NULL};

struct outcomes {
	struct req *r;
	int csv;
	char *cohort_id; /* NULL: the first cohort */
	json_t *cohorts; /* cohort.list's cohorts */
};

static void
outcomes_free(struct outcomes *o)
{
	free(o->cohort_id);
	json_decref(o->cohorts);
	free(o);
}

/* An id as words ("by_status" -> "By status", "not_met" -> "Not met"), as a new string. */
static json_t *
words(const char *id)
{
	char *s = xstrdup(id != NULL ? id : "");
	json_t *w;

	for (char *p = s; *p != '\0'; p++)
		if (*p == '_' || *p == '-')
			*p = ' ';
	s[0] = (char)toupper((unsigned char)s[0]);
	w = json_string(s);
	free(s);
	return w;
}

static void
row(json_t *rows, const char *figure, const char *measure, const char *track, json_int_t n)
{
	char num[32];

	snprintf(num, sizeof num, "%lld", (long long)n);
	json_array_append_new(rows, json_pack("[s, o, s, s]", figure, words(measure),
					      track != NULL ? track : "All", num));
}

/* The rows of one section: its numbers, then each breakdown (by status, phase, track). */
static void
section_rows(json_t *rows, const char *title, const json_t *sec)
{
	const char *k, *k2, *k3;
	json_t *v, *v2, *v3;

	json_object_foreach((json_t *)sec, k, v)
	{
		if (json_is_integer(v))
			row(rows, title, k, NULL, json_integer_value(v));
	}
	json_object_foreach((json_t *)sec, k, v)
	{
		if (!json_is_object(v))
			continue;
		json_object_foreach(v, k2, v2)
		{
			if (json_is_integer(v2) && strcmp(k, "by_track") == 0)
				row(rows, title, "total", k2, json_integer_value(v2));
			else if (json_is_integer(v2))
				row(rows, title, k2, NULL, json_integer_value(v2));
			else if (json_is_object(v2)) /* by_track: {track: {status: n}} */
				json_object_foreach(v2, k3, v3)
				{
					if (json_is_integer(v3))
						row(rows, title, k3, k2, json_integer_value(v3));
				}
		}
	}
}

static const char *
cohort_name(const struct outcomes *o, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(o->cohorts, i, c)
	{
		if (page_str(c, "id") != NULL && strcmp(page_str(c, "id"), id) == 0)
			return page_str(c, "name") != NULL ? page_str(c, "name") : id;
	}
	return id;
}

static void
draw_csv(struct outcomes *o, const json_t *data)
{
	struct dash_list l = {"outcomes", "Outcome figures", cols_outcomes, NULL};
	struct pw_buf b = {0};
	json_t *rows = json_array();
	char disp[128];

	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		section_rows(rows, sections[i][1], json_object_get(data, sections[i][0]));
	dash_csv(&b, &l, rows);
	json_decref(rows);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-outcomes.csv\"", o->cohort_id);
	req_add_header(o->r, "Content-Disposition", disp);
	req_reply(o->r, 200, &b, "text/csv; charset=utf-8");
}

static void
draw_picker(struct pw_buf *b, const struct outcomes *o)
{
	size_t i;
	json_t *c;

	pw_buf_adds(b, "<form method=\"get\" action=\"/dashboard/outcomes\" class=\"picker\">\n"
		       "<label for=\"cohort\">Cohort</label>\n<select id=\"cohort\" "
		       "name=\"cohort\">\n");
	json_array_foreach(o->cohorts, i, c)
	{
		pw_buf_adds(b, "<option value=\"");
		html_attr(b, page_str(c, "id"));
		pw_buf_adds(b, strcmp(page_str(c, "id") ?: "", o->cohort_id) == 0 ? "\" selected>"
										  : "\">");
		html_txt(b, page_str(c, "name") ?: page_str(c, "id"));
		pw_buf_adds(b, "</option>\n");
	}
	pw_buf_adds(b, "</select>\n<button type=\"submit\" class=\"button\">Show</button>\n"
		       "</form>\n");
}

static void
draw_page(struct outcomes *o, const json_t *data)
{
	struct pw_buf b = {0};

	html_page_begin(&b, "Outcome figures", req_person(o->r), 0);
	html_printf(&b, "<h1>Outcome figures: %s</h1>\n", cohort_name(o, o->cohort_id));
	pw_buf_adds(&b, "<p><a href=\"/dashboard?cohort=");
	html_url(&b, o->cohort_id);
	pw_buf_adds(&b, "\">Back to the dashboard</a></p>\n");
	draw_picker(&b, o);
	pw_buf_adds(&b, "<p>Participants are the applications accepted (active) or graduated; "
			"completions are the graduated. Schools are counted once each, by their "
			"phase now.</p>\n");
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		json_t *rows = json_array(), *rw;
		size_t j;

		section_rows(rows, sections[i][1], json_object_get(data, sections[i][0]));
		if (json_array_size(rows) > 0) {
			html_printf(
			    &b,
			    "<h2>%s</h2>\n<table>\n<thead><tr><th scope=\"col\">Measure</th>"
			    "<th scope=\"col\">Track</th><th scope=\"col\" "
			    "class=\"num\">Number</th></tr></thead>\n<tbody>\n",
			    sections[i][1]);
			json_array_foreach(rows, j, rw)
			{
				html_printf(&b,
					    "<tr><td>%s</td><td>%s</td><td class=\"num\">%s</td>"
					    "</tr>\n",
					    json_string_value(json_array_get(rw, 1)),
					    json_string_value(json_array_get(rw, 2)),
					    json_string_value(json_array_get(rw, 3)));
			}
			pw_buf_adds(&b, "</tbody>\n</table>\n");
		}
		json_decref(rows);
	}
	pw_buf_adds(&b, "<p class=\"csv\"><a href=\"/dashboard/outcomes.csv?cohort=");
	html_url(&b, o->cohort_id);
	pw_buf_adds(&b, "\" download>Download as CSV</a></p>\n");
	html_page_end(&b);
	req_reply(o->r, 200, &b, "text/html; charset=utf-8");
}

static void
got_outcomes(json_t *reply, void *ud)
{
	struct outcomes *o = ud;
	const json_t *data = page_data(reply);

	if (data == NULL && page_err(reply) != NULL &&
	    strcmp(page_err(reply), "unauthenticated") == 0) {
		req_redirect(o->r, "/login");
	} else if (data == NULL) {
		page_fail(o->r, reply, req_person(o->r));
	} else if (o->csv) {
		draw_csv(o, data);
	} else {
		draw_page(o, data);
	}
	outcomes_free(o);
}

static void
got_cohorts(json_t *reply, void *ud)
{
	struct outcomes *o = ud;
	const json_t *data = page_data(reply);

	if (data == NULL) {
		page_fail(o->r, reply, req_person(o->r));
		outcomes_free(o);
		return;
	}
	o->cohorts = json_incref(json_object_get(data, "cohorts"));
	if (o->cohort_id == NULL) {
		const char *first = page_str(json_array_get(o->cohorts, 0), "id");

		if (first == NULL) {
			page_message(o->r, 404, "No cohorts", "Pathway has no cohorts configured.",
				     req_person(o->r));
			outcomes_free(o);
			return;
		}
		o->cohort_id = xstrdup(first);
	}
	api_send("cohort.outcomes", req_session(o->r), json_pack("{s:s}", "cohort", o->cohort_id),
		 got_outcomes, o);
}

static void
outcomes_start(struct req *r, int csv)
{
	const char *cohort = req_arg(r, "cohort");
	struct outcomes *o;

	if (req_person(r) == NULL || req_session(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	if (cohort != NULL && *cohort != '\0' && !pw_id_valid(cohort)) {
		req_error(r, 404, "There is no such cohort.");
		return;
	}
	o = xcalloc(1, sizeof *o);
	o->r = r;
	o->csv = csv;
	o->cohort_id = cohort != NULL && *cohort != '\0' ? xstrdup(cohort) : NULL;
	api_send("cohort.list", req_session(r), json_object(), got_cohorts, o);
}

static void
outcomes_page(struct req *r)
{
	outcomes_start(r, 0);
}

static void
outcomes_csv(struct req *r)
{
	outcomes_start(r, 1);
}

void
page_outcomes_routes(void)
{
	http_route("GET", "/dashboard/outcomes", outcomes_page);
	http_route("GET", "/dashboard/outcomes.csv", outcomes_csv);
}
