/*
 * page_dashboard_draw.c: the dashboard as HTML, from one page build (struct
 * dash) and the lists of page_csv.c. Every byte of text goes through
 * html.c's writers. The sections (places, pipeline, overdue, sign-offs by
 * school, 360 progress, sessions, notifications, activity) sit inside the
 * element id="live", which /dashboard/part sends alone and /static/live.js
 * puts in place of the old one on each event. Bars are SVG rects whose
 * width is an attribute: the CSP allows no style attribute, and no chart
 * library is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"

/* A bar: an SVG whose rect width is n of max (no style attribute: the CSP). */
static void
draw_bar(struct pw_buf *b, long long n, long long max)
{
	pw_buf_addf(b,
		    "<svg class=\"meter\" width=\"200\" height=\"16\" viewBox=\"0 0 200 16\" "
		    "aria-hidden=\"true\"><rect width=\"200\" height=\"16\" fill=\"#f3f2f1\"/>"
		    "<rect width=\"%lld\" height=\"16\" fill=\"#1d70b8\"/></svg>",
		    max > 0 ? (n * 200 + max - 1) / max : 0);
}

static void
draw_csv_link(struct dash *d, struct pw_buf *b, const char *list)
{
	pw_buf_addf(b, "<p class=\"csv\"><a href=\"/dashboard/%s.csv?cohort=", list);
	html_url(b, d->cohort_id);
	pw_buf_adds(b, "\" download>Download as CSV</a></p>\n");
}

/* A list as a table; skip (a column to leave out, or -1). */
static void
draw_table(struct pw_buf *b, const struct dash_list *l, json_t *rows, int skip, const char *empty)
{
	size_t i, j;
	json_t *row, *c;

	if (json_array_size(rows) == 0) {
		html_printf(b, "<p class=\"empty\">%s</p>\n", empty);
		return;
	}
	pw_buf_adds(b, "<div class=\"table-wrap\">\n<table>\n<thead><tr>");
	for (i = 0; l->cols[i] != NULL; i++)
		if ((int)i != skip)
			html_printf(b, "<th scope=\"col\">%s</th>", l->cols[i]);
	pw_buf_adds(b, "</tr></thead>\n<tbody>\n");
	json_array_foreach(rows, i, row)
	{
		pw_buf_adds(b, "<tr>");
		json_array_foreach(row, j, c)
		{
			if ((int)j != skip)
				html_printf(b, "<td>%s</td>", json_string_value(c));
		}
		pw_buf_adds(b, "</tr>\n");
	}
	pw_buf_adds(b, "</tbody>\n</table>\n</div>\n");
}

static long long
report_int(struct dash *d, const char *obj, const char *key)
{
	json_t *o = obj != NULL ? json_object_get(d->report, obj) : d->report;

	return (long long)json_integer_value(json_object_get(o, key));
}

static void
draw_places(struct dash *d, struct pw_buf *b)
{
	static const char *const stats[][2] = {{"places", "Places"},
					       {"taken", "Taken"},
					       {"offered", "Offered"},
					       {"left", "Left"},
					       {"overdue", "Overdue"}};
	json_t *rows;
	size_t i;

	pw_buf_adds(b, "<section id=\"places\">\n<h2>Places</h2>\n<dl class=\"summary stats\">\n");
	for (i = 0; i < sizeof stats / sizeof stats[0]; i++)
		pw_buf_addf(b, "<div id=\"stat-%s\"><dt>%s</dt><dd>%lld</dd></div>\n", stats[i][0],
			    stats[i][1], report_int(d, NULL, stats[i][0]));
	pw_buf_addf(b, "<div id=\"stat-waiting\"><dt>Waiting list</dt><dd>%zu</dd></div>\n</dl>\n",
		    json_array_size(json_object_get(d->report, "waiting")));
	rows = dash_rows(d, dash_list_find("waiting"));
	pw_buf_adds(b, "<h3>Waiting list</h3>\n");
	draw_table(b, dash_list_find("waiting"), rows, -1, "Nobody is waiting for a place.");
	draw_csv_link(d, b, "waiting");
	pw_buf_adds(b, "</section>\n");
	json_decref(rows);
}

static void
draw_pipeline(struct dash *d, struct pw_buf *b)
{
	static const char *const statuses[] = {"active", "waitlisted", "rejected", "withdrawn",
					       "graduated"};
	json_t *rows = dash_rows(d, dash_list_find("pipeline")), *row;
	long long n, max = 1;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		n = atoll(json_string_value(json_array_get(row, 2)));
		max = n > max ? n : max;
	}
	pw_buf_adds(b, "<section id=\"pipeline\">\n<h2>Pipeline</h2>\n<div "
		       "class=\"table-wrap\">\n<table class=\"pipeline\">\n"
		       "<thead><tr><th scope=\"col\">Stage</th><th scope=\"col\">Applications</th>"
		       "<th scope=\"col\">Count</th></tr></thead>\n<tbody>\n");
	json_array_foreach(rows, i, row)
	{
		n = atoll(json_string_value(json_array_get(row, 2)));
		pw_buf_adds(b, "<tr id=\"stage-");
		html_attr(b, json_string_value(json_array_get(row, 0)));
		html_printf(b, "\"><th scope=\"row\">%s</th><td>",
			    json_string_value(json_array_get(row, 1)));
		draw_bar(b, n, max);
		pw_buf_addf(b, "</td><td class=\"count num\">%lld</td></tr>\n", n);
	}
	pw_buf_adds(b, "</tbody>\n</table>\n</div>\n<p class=\"statuses\">");
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		pw_buf_addf(b, "%s<span id=\"status-%s\">%s: %lld</span>", i ? " · " : "",
			    statuses[i], statuses[i], report_int(d, "status", statuses[i]));
	pw_buf_addf(b, " · total: %lld</p>\n", report_int(d, NULL, "total"));
	draw_csv_link(d, b, "pipeline");
	pw_buf_adds(b, "</section>\n");
	json_decref(rows);
}

/* Sign-offs pending: one table per school (rows come sorted by school). */
static void
draw_signoffs(struct dash *d, struct pw_buf *b)
{
	const struct dash_list *l = dash_list_find("signoffs");
	json_t *rows = dash_rows(d, l), *group = json_array(), *row;
	const char *school = NULL;
	size_t i;

	pw_buf_adds(b, "<section id=\"signoffs\">\n<h2>Sign-offs pending by school</h2>\n");
	if (json_array_size(rows) == 0)
		pw_buf_adds(b, "<p class=\"empty\">No sign-off is pending.</p>\n");
	for (i = 0; i <= json_array_size(rows); i++) {
		row = json_array_get(rows, i);
		if (school != NULL &&
		    (row == NULL ||
		     strcmp(school, json_string_value(json_array_get(row, 0))) != 0)) {
			html_printf(b, "<h3>%s (%d)</h3>\n", school, (int)json_array_size(group));
			draw_table(b, l, group, 0, "");
			json_array_clear(group);
		}
		if (row == NULL)
			break;
		school = json_string_value(json_array_get(row, 0));
		json_array_append(group, row);
	}
	draw_csv_link(d, b, "signoffs");
	pw_buf_adds(b, "</section>\n");
	json_decref(group);
	json_decref(rows);
}

static void
draw_feedback(struct dash *d, struct pw_buf *b)
{
	json_t *rows = dash_rows(d, dash_list_find("feedback")), *row;
	size_t i;
	long long have, need;

	pw_buf_adds(b, "<section id=\"feedback\">\n<h2>360 progress</h2>\n");
	if (json_array_size(rows) == 0)
		pw_buf_adds(b, "<p class=\"empty\">No application is at the 360 now.</p>\n");
	else
		pw_buf_adds(b, "<div class=\"table-wrap\">\n<table>\n<thead><tr><th "
			       "scope=\"col\">Candidate</th><th "
			       "scope=\"col\">School</th><th scope=\"col\">Invited</th><th "
			       "scope=\"col\">Responses</th><th scope=\"col\">Progress</th><th "
			       "scope=\"col\">By category</th></tr></thead>\n<tbody>\n");
	json_array_foreach(rows, i, row)
	{
		have = atoll(json_string_value(json_array_get(row, 3)));
		need = atoll(json_string_value(json_array_get(row, 4)));
		html_printf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s of %s</td><td>",
			    json_string_value(json_array_get(row, 0)),
			    json_string_value(json_array_get(row, 1)),
			    json_string_value(json_array_get(row, 2)),
			    json_string_value(json_array_get(row, 3)),
			    json_string_value(json_array_get(row, 4)));
		draw_bar(b, have < need ? have : need, need);
		html_printf(b, "</td><td>%s</td></tr>\n",
			    json_string_value(json_array_get(row, 5)));
	}
	if (json_array_size(rows) > 0)
		pw_buf_adds(b, "</tbody>\n</table>\n</div>\n");
	draw_csv_link(d, b, "feedback");
	pw_buf_adds(b, "</section>\n");
	json_decref(rows);
}

static void
draw_notifications(struct dash *d, struct pw_buf *b)
{
	static const char *const states[] = {"pending", "retrying", "inflight", "dead"};
	static const char *const words[] = {"Waiting to send", "Retrying", "Sending", "Failed"};
	json_t *rows = dash_rows(d, dash_list_find("notifications")), *row;
	long long count[4] = {0};
	size_t i, k, shown = 0;
	const char *state, *job;

	json_array_foreach(rows, i, row)
	{
		state = json_string_value(json_array_get(row, 1));
		for (k = 0; k < 4; k++)
			count[k] += strcmp(state, states[k]) == 0;
	}
	pw_buf_adds(b, "<section id=\"notifications\">\n<h2>Notifications</h2>\n<dl "
		       "class=\"summary stats\">\n");
	for (k = 0; k < 4; k++)
		pw_buf_addf(b, "<div id=\"jobs-%s\"><dt>%s</dt><dd>%lld%s</dd></div>\n", states[k],
			    words[k], count[k], d->jobs_more ? "+" : "");
	pw_buf_adds(b, "</dl>\n");
	json_array_foreach(rows, i, row)
	{
		state = json_string_value(json_array_get(row, 1));
		if (strcmp(state, "dead") != 0 && strcmp(state, "retrying") != 0)
			continue;
		if (shown++ == 0)
			pw_buf_adds(
			    b, "<div class=\"table-wrap\">\n<table>\n<thead><tr><th "
			       "scope=\"col\">Notification</th><th "
			       "scope=\"col\">To</th><th scope=\"col\">State</th><th "
			       "scope=\"col\">Attempts</th><th scope=\"col\">Last error</th><th "
			       "scope=\"col\"></th></tr></thead>\n<tbody>\n");
		job = json_string_value(json_array_get(row, 0));
		html_printf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>",
			    json_string_value(json_array_get(row, 2)),
			    json_string_value(json_array_get(row, 3)), state,
			    json_string_value(json_array_get(row, 4)),
			    json_string_value(json_array_get(row, 6)));
		if (strcmp(state, "dead") == 0 && d->is_adviser) {
			pw_buf_adds(b, "<form method=\"post\" action=\"/dashboard/retry\" "
				       "class=\"inline-form\">");
			html_csrf(b, d->r, d->token);
			pw_buf_adds(b, "<input type=\"hidden\" name=\"job\" value=\"");
			html_attr(b, job);
			pw_buf_adds(b, "\"><input type=\"hidden\" name=\"cohort\" value=\"");
			html_attr(b, d->cohort_id);
			html_printf(b,
				    "\"><button type=\"submit\" class=\"button\">Retry %s</button>"
				    "</form>",
				    job);
		}
		pw_buf_adds(b, "</td></tr>\n");
	}
	if (shown > 0)
		pw_buf_adds(b, "</tbody>\n</table>\n</div>\n");
	draw_csv_link(d, b, "notifications");
	pw_buf_adds(b, "</section>\n");
	json_decref(rows);
}

static void
draw_activity(struct dash *d, struct pw_buf *b)
{
	json_t *rows = dash_rows(d, dash_list_find("activity")), *row;
	size_t i;

	pw_buf_adds(b, "<section id=\"activity\">\n<h2>Recent activity</h2>\n");
	if (json_array_size(rows) == 0)
		pw_buf_adds(b, "<p class=\"empty\">Nothing has happened yet.</p>\n");
	else
		pw_buf_adds(b, "<ol class=\"feed\">\n");
	json_array_foreach(rows, i, row)
	{
		html_printf(b, "<li data-seq=\"%s\"><span class=\"when\">%s</span> %s</li>\n",
			    json_string_value(json_array_get(row, 0)),
			    json_string_value(json_array_get(row, 1)),
			    json_string_value(json_array_get(row, 2)));
	}
	if (json_array_size(rows) > 0)
		pw_buf_adds(b, "</ol>\n");
	draw_csv_link(d, b, "activity");
	pw_buf_adds(b, "</section>\n");
	json_decref(rows);
}

/* A section that is just a list drawn as a table. */
static void
draw_list(struct dash *d, struct pw_buf *b, const char *name, int skip, const char *empty)
{
	const struct dash_list *l = dash_list_find(name);
	json_t *rows = dash_rows(d, l);

	html_printf(b, "<section id=\"%s\">\n<h2>%s</h2>\n", name, l->title);
	draw_table(b, l, rows, skip, empty);
	draw_csv_link(d, b, name);
	pw_buf_adds(b, "</section>\n");
	json_decref(rows);
}

/*
 * The element id="live", whole: what changes as events come in. live.js
 * follows data-stream (from the event the page was drawn at, after=SEQ)
 * and puts the answer of data-part in its place.
 */
void
dash_draw_live(struct dash *d, struct pw_buf *b)
{
	char utc[PW_TIME_LEN], buf[64], seq[32];

	snprintf(seq, sizeof seq, "%lld", (long long)d->head);
	pw_buf_adds(b, "<div id=\"live\" data-stream=\"/events?cohort=");
	html_url(b, d->cohort_id);
	pw_buf_addf(b, "&amp;after=%s\" data-part=\"/dashboard/part?cohort=", seq);
	html_url(b, d->cohort_id);
	pw_buf_adds(b, "\">\n");
	pw_time_format(d->now, utc);
	html_printf(b, "<p class=\"updated\" id=\"updated\" data-seq=\"%s\">Up to date at ", seq);
	html_txt(b, dash_local(d, utc, buf));
	pw_buf_adds(b, "</p>\n");
	draw_places(d, b);
	draw_pipeline(d, b);
	draw_list(d, b, "overdue", 7, "No application is overdue.");
	draw_signoffs(d, b);
	draw_feedback(d, b);
	draw_list(d, b, "sessions", -1, "No session is coming up.");
	draw_notifications(d, b);
	draw_activity(d, b);
	pw_buf_adds(b, "</div>\n");
}
