/*
 * page_dashboard.c: the LA dashboard, for LA advisers and viewers.
 *
 *   GET  /dashboard?cohort=ID          the page (the first cohort by default)
 *   GET  /dashboard/part?cohort=ID     its element id="live" alone, which
 *                                      /static/live.js fetches again and puts
 *                                      in place whenever /events?cohort=ID
 *                                      brings an event
 *   GET  /dashboard/<list>.csv?cohort=ID  one list as CSV (page_csv.c)
 *   POST /dashboard/retry              job, cohort, csrf: outbox.retry
 *
 * Every request builds a struct dash from pathwayd's replies in rounds of
 * requests sent together, with the person's session token: (1) the clock
 * and event head, the cohorts, the schools, the people of each role whose
 * names the page shows besides candidates (person.list, one request per
 * role, never one per application), the outbox (pages of 1000 per state)
 * and, when the address names the cohort, its stages and sessions, its
 * report and its applications (application.list's summary, pages of 1000:
 * what the lists read, with each candidate's name; a next page only while
 * fewer than the report's total came); the last 30 events go as soon as
 * the ping's reply gives the head; (2) the cohort's own requests, if
 * round 1 had to find it in the list (the first by default); (3)
 * person.get for the few people still unnamed (raters, and people the
 * events mention). Nothing
 * is kept once the reply is sent. page_csv.c makes the lists of it and
 * page_dashboard_draw.c the HTML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dashboard.h"

#define DASH_PAGE 1000	  /* application.list and outbox.list page size */
#define DASH_EVENTS 30	  /* the activity feed */
#define DASH_JOB_PAGES 15 /* outbox pages read, at most */
#define DASH_LOOKUPS 200  /* person.get requests, at most */

enum dash_what {
	W_PING,
	W_COHORTS,
	W_SCHOOLS,
	W_PEOPLE,
	W_COHORT,
	W_REPORT,
	W_APPS,
	W_EVENTS,
	W_JOBS,
	W_PERSON
};

struct dash_call {
	struct dash *d;
	enum dash_what what;
	char arg[PW_ID_MAX + 1]; /* the outbox state being paged */
};

/* Candidates are named by their applications (candidate_name). */
static const char *const dash_roles[] = {"headteacher", "coach", "host", "la_adviser"};
static const char *const job_states[] = {"pending", "inflight", "dead"};

static void dash_next(struct dash *d);
static void dash_reply_cb(json_t *reply, void *ud);
static int dash_apps_more(struct dash *d);

static int
has_role(const json_t *person, const char *role)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(person, "roles"), i, r)
	{
		if (json_is_string(r) && strcmp(json_string_value(r), role) == 0)
			return 1;
	}
	return 0;
}

static void
dash_free(struct dash *d)
{
	json_decref(d->cohorts);
	json_decref(d->cohort);
	json_decref(d->report);
	json_decref(d->apps);
	json_decref(d->events);
	json_decref(d->jobs);
	json_decref(d->people);
	json_decref(d->schools);
	json_decref(d->by_app);
	json_decref(d->heads);
	json_decref(d->hosts);
	free(d->cohort_id);
	free(d);
}

static void
dash_send(struct dash *d, enum dash_what what, const char *arg, const char *cmd, json_t *args)
{
	struct dash_call *c = xcalloc(1, sizeof *c);

	c->d = d;
	c->what = what;
	snprintf(c->arg, sizeof c->arg, "%s", arg != NULL ? arg : "");
	d->pending++;
	api_send(cmd, d->token, args, dash_reply_cb, c);
}

static void
dash_fail(struct dash *d, int status, const char *error)
{
	if (d->status == 0) {
		d->status = status;
		d->error = error;
	}
}

/* Append a listing page's items to *into. */
static void
dash_page(json_t **into, json_t *items)
{
	if (*into == NULL)
		*into = json_array();
	json_array_extend(*into, items);
}

static void
dash_take(struct dash *d, struct dash_call *c, json_t *data)
{
	const char *next = dash_str(data, "next");
	size_t i;
	json_t *v;

	switch (c->what) {
	case W_PING:
		pw_time_parse(dash_str(data, "now") ?: "", &d->now);
		d->head = json_integer_value(json_object_get(data, "head"));
		/* The feed ends at the head: asked now, while the other replies are parsed. */
		dash_send(d, W_EVENTS, NULL, "events.since",
			  json_pack("{s:I, s:i}", "after",
				    (json_int_t)(d->head > DASH_EVENTS ? d->head - DASH_EVENTS : 0),
				    "limit", DASH_EVENTS));
		break;
	case W_COHORTS:
		d->cohorts = json_incref(json_object_get(data, "cohorts"));
		break;
	case W_SCHOOLS:
		json_array_foreach(json_object_get(data, "schools"), i, v)
		{
			if (dash_str(v, "id") != NULL)
				json_object_set(d->schools, dash_str(v, "id"), v);
		}
		break;
	case W_PEOPLE:
		json_array_foreach(json_object_get(data, "people"), i, v)
		{
			if (dash_str(v, "id") != NULL)
				json_object_set(d->people, dash_str(v, "id"), v);
		}
		break;
	case W_PERSON:
		v = json_object_get(data, "person");
		if (dash_str(v, "id") != NULL)
			json_object_set(d->people, dash_str(v, "id"), v);
		break;
	case W_COHORT:
		d->cohort = json_incref(json_object_get(data, "cohort"));
		break;
	case W_REPORT:
		d->report = json_incref(data);
		break;
	case W_EVENTS:
		d->events = json_incref(json_object_get(data, "events"));
		break;
	case W_APPS:
		dash_page(&d->apps, json_object_get(data, "applications"));
		/* A full page names a next, empty once the report's total has come. */
		if (next != NULL && dash_apps_more(d))
			dash_send(d, W_APPS, NULL, "application.list",
				  json_pack("{s:s, s:b, s:i, s:s}", "cohort", d->cohort_id,
					    "summary", 1, "limit", DASH_PAGE, "after", next));
		break;
	case W_JOBS:
		dash_page(&d->jobs, json_object_get(data, "jobs"));
		if (next != NULL && ++d->pages >= DASH_JOB_PAGES)
			d->jobs_more = 1;
		else if (next != NULL)
			dash_send(d, W_JOBS, c->arg, "outbox.list",
				  json_pack("{s:s, s:i, s:s}", "state", c->arg, "limit", DASH_PAGE,
					    "after", next));
		break;
	}
}

static void
dash_refused(struct dash *d, struct dash_call *c, json_t *reply)
{
	const char *code = dash_str(json_object_get(reply, "error"), "code") ?: "";

	if (c->what == W_PERSON)
		return; /* a name not found: the id stands in */
	if (strncmp(code, "token_", 6) == 0 || strcmp(code, "unauthenticated") == 0)
		dash_fail(d, 401, "Your session has ended.");
	else if (strcmp(code, "forbidden") == 0)
		dash_fail(d, 403, "You do not have access to the dashboard.");
	else if (strcmp(code, "not_found") == 0)
		dash_fail(d, 404, "There is no such cohort.");
	else
		dash_fail(d, 502, "Pathway could not answer. Try again in a minute.");
}

static void
dash_reply_cb(json_t *reply, void *ud)
{
	struct dash_call *c = ud;
	struct dash *d = c->d;

	if (reply == NULL)
		dash_fail(d, 504, "Pathway did not answer in time. Try again in a minute.");
	else if (!json_is_true(json_object_get(reply, "ok")))
		dash_refused(d, c, reply);
	else if (d->status == 0)
		dash_take(d, c, json_object_get(reply, "data"));
	free(c);
	if (--d->pending == 0)
		dash_next(d);
}

/* The cohort's own requests, for d->cohort_id. */
static void
dash_send_cohort(struct dash *d)
{
	dash_send(d, W_COHORT, NULL, "cohort.get", json_pack("{s:s}", "cohort", d->cohort_id));
	dash_send(d, W_REPORT, NULL, "cohort.report", json_pack("{s:s}", "cohort", d->cohort_id));
	dash_send(
	    d, W_APPS, NULL, "application.list",
	    json_pack("{s:s, s:b, s:i}", "cohort", d->cohort_id, "summary", 1, "limit", DASH_PAGE));
	d->cohort_sent = 1;
}

/*
 * Round 1: what every cohort's page needs, and the cohort's own requests
 * when the address names it (the events follow the ping's reply).
 */
static void
dash_round_common(struct dash *d)
{
	size_t i;

	dash_send(d, W_PING, NULL, "system.ping", json_object());
	dash_send(d, W_COHORTS, NULL, "cohort.list", json_object());
	dash_send(d, W_SCHOOLS, NULL, "school.list", json_object());
	for (i = 0; i < sizeof dash_roles / sizeof dash_roles[0]; i++)
		dash_send(d, W_PEOPLE, NULL, "person.list",
			  json_pack("{s:s}", "role", dash_roles[i]));
	for (i = 0; i < sizeof job_states / sizeof job_states[0]; i++)
		dash_send(d, W_JOBS, job_states[i], "outbox.list",
			  json_pack("{s:s, s:i}", "state", job_states[i], "limit", DASH_PAGE));
	if (d->cohort_id != NULL)
		dash_send_cohort(d);
}

/* Round 2: the cohort is one of the list (the one asked for, or the first). */
static void
dash_round_cohort(struct dash *d)
{
	const char *want = d->cohort_id;
	json_t *co, *found = NULL;
	size_t i;

	json_array_foreach(d->cohorts, i, co)
	{
		if (found == NULL && (want == NULL || strcmp(want, dash_str(co, "id") ?: "") == 0))
			found = co;
	}
	if (found == NULL || dash_str(found, "id") == NULL) {
		dash_fail(d, 404, want ? "There is no such cohort." : "No cohort is set up yet.");
		return;
	}
	free(d->cohort_id);
	d->cohort_id = xstrdup(dash_str(found, "id"));
	if (!d->cohort_sent)
		dash_send_cohort(d);
}

/* Whether a full page of applications may have a next: fewer than the report counts. */
static int
dash_apps_more(struct dash *d)
{
	json_t *total = json_object_get(d->report, "total");

	return !json_is_integer(total) ||
	       (json_int_t)json_array_size(d->apps) < json_integer_value(total);
}

static void
index_add(json_t *idx, const char *key, const char *id)
{
	json_t *a = json_object_get(idx, key);

	if (a == NULL) {
		a = json_array();
		json_object_set_new(idx, key, a);
	}
	json_array_append_new(a, json_string(id));
}

/* Ask for a person's name once, if the page does not have it yet. */
static void
want_name(struct dash *d, json_t *asked, const char *id)
{
	static const char *const builtin[] = {"pathwayd", "operator", "viewer", "web", "mailer"};
	size_t i;

	if (id == NULL || !pw_id_valid(id) || json_object_get(d->people, id) != NULL ||
	    json_object_get(asked, id) != NULL || json_object_size(asked) >= DASH_LOOKUPS)
		return;
	for (i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (strcmp(id, builtin[i]) == 0)
			return;
	json_object_set_new(asked, id, json_true());
	dash_send(d, W_PERSON, NULL, "person.get", json_pack("{s:s}", "id", id));
}

/* Round 3: the indexes, and the names still missing. */
static void
dash_round_names(struct dash *d)
{
	json_t *asked = json_object(), *v, *data, *r;
	const char *id, *keys[] = {"person", "rater", "coach", "candidate"};
	size_t i, k;

	d->tz = dash_str(d->cohort, "timezone");
	if (d->apps == NULL)
		d->apps = json_array();
	if (d->jobs == NULL)
		d->jobs = json_array();
	json_object_foreach(d->people, id, v)
	{
		if (has_role(v, "headteacher") && dash_str(v, "school") != NULL)
			index_add(d->heads, dash_str(v, "school"), id);
		if (has_role(v, "host") && dash_str(v, "school") != NULL)
			index_add(d->hosts, dash_str(v, "school"), id);
	}
	json_array_foreach(d->apps, i, v)
	{
		const char *cand = dash_str(v, "candidate"), *name = dash_str(v, "candidate_name");

		if (dash_str(v, "id") != NULL)
			json_object_set(d->by_app, dash_str(v, "id"), v);
		if (cand != NULL && name != NULL && json_object_get(d->people, cand) == NULL)
			json_object_set_new(d->people, cand, json_pack("{s:s}", "name", name));
		if (json_object_get(v, "overdue") != NULL)
			json_object_foreach(json_object_get(v, "raters"), id, r)
			    want_name(d, asked, id);
	}
	json_array_foreach(d->events, i, v)
	{
		want_name(d, asked, dash_str(v, "actor"));
		data = json_object_get(v, "data");
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
			want_name(d, asked, dash_str(data, keys[k]));
	}
	json_decref(asked);
}

static void
dash_next(struct dash *d)
{
	while (d->pending == 0 && d->status == 0 && d->phase < 3) {
		switch (d->phase++) {
		case 0:
			dash_round_cohort(d);
			break;
		case 1:
			dash_round_names(d);
			break;
		case 2:
			break;
		}
	}
	if (d->pending == 0) {
		d->done(d);
		dash_free(d);
	}
}

/* Start a build for r; done draws the reply. Replies at once when r may not see it. */
static void
dash_start(struct req *r, void (*done)(struct dash *), const char *list)
{
	const json_t *me = req_person(r);
	const char *cohort = req_arg(r, "cohort");
	struct dash *d;

	if (me == NULL || req_session(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	if (!has_role(me, "la_adviser") && !has_role(me, "viewer")) {
		req_error(r, 403, "The dashboard is for LA advisers and viewers.");
		return;
	}
	if (cohort != NULL && *cohort != '\0' && !pw_id_valid(cohort)) {
		req_error(r, 404, "There is no such cohort.");
		return;
	}
	d = xcalloc(1, sizeof *d);
	d->r = r;
	d->token = req_session(r);
	d->is_adviser = has_role(me, "la_adviser");
	d->cohort_id = cohort != NULL && *cohort != '\0' ? xstrdup(cohort) : NULL;
	d->done = done;
	d->list = list;
	d->people = json_object();
	d->schools = json_object();
	d->by_app = json_object();
	d->heads = json_object();
	d->hosts = json_object();
	dash_round_common(d);
}

static void
dash_error(struct dash *d)
{
	if (d->status == 401)
		req_redirect(d->r, "/login");
	else
		req_error(d->r, d->status, d->error);
}

static void
dash_page_done(struct dash *d)
{
	struct pw_buf b = {0};
	const char *retried = req_arg(d->r, "retried"), *failed = req_arg(d->r, "retry_failed");
	size_t i;
	json_t *co;

	if (d->status != 0) {
		dash_error(d);
		return;
	}
	html_page_begin(&b, "Dashboard", req_person(d->r), 1);
	html_printf(&b, "<h1>%s</h1>\n", dash_str(d->cohort, "name") ?: d->cohort_id);
	if (retried != NULL)
		html_printf(&b,
			    "<p class=\"notice\" role=\"status\">Notification %s is back in "
			    "the queue.</p>\n",
			    retried);
	if (failed != NULL)
		html_printf(&b,
			    "<p class=\"notice\" role=\"alert\">Notification %s could not be "
			    "retried: it is no longer waiting for a retry.</p>\n",
			    failed);
	pw_buf_adds(&b, "<form method=\"get\" action=\"/dashboard\" class=\"picker\">\n<label "
			"for=\"cohort\">Cohort</label>\n<select id=\"cohort\" name=\"cohort\">\n");
	json_array_foreach(d->cohorts, i, co)
	{
		pw_buf_adds(&b, "<option value=\"");
		html_attr(&b, dash_str(co, "id"));
		pw_buf_adds(&b, strcmp(dash_str(co, "id") ?: "", d->cohort_id) == 0 ? "\" selected>"
										    : "\">");
		html_txt(&b, dash_str(co, "name") ?: dash_str(co, "id"));
		pw_buf_adds(&b, "</option>\n");
	}
	pw_buf_adds(&b,
		    "</select>\n<button type=\"submit\" class=\"button\">Show</button>\n</form>\n"
		    "<p><a id=\"refresh\" href=\"/dashboard?cohort=");
	html_url(&b, d->cohort_id);
	pw_buf_adds(&b, "\">Refresh</a> &middot; <a href=\"/dashboard/outcomes?cohort=");
	html_url(&b, d->cohort_id);
	pw_buf_adds(&b, "\">Outcome figures</a></p>\n");
	dash_draw_live(d, &b);
	html_page_end(&b);
	req_reply(d->r, 200, &b, "text/html; charset=utf-8");
}

static void
dash_part_done(struct dash *d)
{
	struct pw_buf b = {0};

	if (d->status != 0) {
		pw_buf_addf(&b, "%s\n", d->error);
		req_reply(d->r, d->status, &b, "text/plain; charset=utf-8");
		return;
	}
	dash_draw_live(d, &b);
	req_reply(d->r, 200, &b, "text/html; charset=utf-8");
}

static void
dash_csv_done(struct dash *d)
{
	const struct dash_list *l = dash_list_find(d->list);
	struct pw_buf b = {0};
	json_t *rows;
	char disp[160];

	if (d->status != 0) {
		dash_error(d);
		return;
	}
	rows = dash_rows(d, l);
	dash_csv(&b, l, rows);
	json_decref(rows);
	snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.csv\"", d->cohort_id, l->name);
	req_add_header(d->r, "Content-Disposition", disp);
	req_reply(d->r, 200, &b, "text/csv; charset=utf-8");
}

/* ---- the routes ---------------------------------------------------------------- */

static void
page_dashboard(struct req *r)
{
	dash_start(r, dash_page_done, NULL);
}

static void
page_dashboard_part(struct req *r)
{
	dash_start(r, dash_part_done, NULL);
}

/* /dashboard/NAME.csv (and /dashboard/part, should the prefix route be asked first). */
static void
page_dashboard_sub(struct req *r)
{
	const char *name = req_path(r) + strlen("/dashboard/");
	const struct dash_list *l;
	char list[32];
	size_t n = strlen(name);

	if (strcmp(name, "part") == 0) {
		page_dashboard_part(r);
		return;
	}
	if (n > 4 && n - 4 < sizeof list && strcmp(name + n - 4, ".csv") == 0) {
		snprintf(list, sizeof list, "%.*s", (int)(n - 4), name);
		if ((l = dash_list_find(list)) != NULL) {
			dash_start(r, dash_csv_done, l->name);
			return;
		}
	}
	req_error(r, 404, NULL);
}

struct retry {
	struct req *r;
	char job[PW_ID_MAX + 1], cohort[PW_ID_MAX + 1];
};

static void
retry_done(json_t *reply, void *ud)
{
	struct retry *t = ud;
	struct pw_buf to = {0};
	int ok = reply != NULL && json_is_true(json_object_get(reply, "ok"));

	pw_buf_adds(&to, "/dashboard?cohort=");
	html_url(&to, t->cohort);
	pw_buf_adds(&to, ok ? "&retried=" : "&retry_failed=");
	html_url(&to, t->job);
	pw_buf_adds(&to, "#notifications");
	req_redirect(t->r, to.p);
	free(to.p);
	free(t);
}

static void
page_dashboard_retry(struct req *r)
{
	const json_t *me = req_person(r);
	const char *job = req_arg(r, "job"), *cohort = req_arg(r, "cohort");
	struct retry *t;

	if (me == NULL || req_session(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	if (!has_role(me, "la_adviser") || job == NULL || !pw_id_valid(job) ||
	    (cohort != NULL && *cohort != '\0' && !pw_id_valid(cohort))) {
		if (has_role(me, "la_adviser"))
			req_error(r, 400, "There is no such notification.");
		else
			req_error(r, 403, "Only an LA adviser may retry a notification.");
		return;
	}
	t = xcalloc(1, sizeof *t);
	t->r = r;
	snprintf(t->job, sizeof t->job, "%s", job);
	snprintf(t->cohort, sizeof t->cohort, "%s", cohort != NULL ? cohort : "");
	api_send("outbox.retry", req_session(r), json_pack("{s:s}", "job", job), retry_done, t);
}

void
page_dashboard_routes(void)
{
	http_route("GET", "/dashboard", page_dashboard);
	http_route("GET", "/dashboard/part", page_dashboard_part);
	http_route("GET", "/dashboard/", page_dashboard_sub);
	http_route("POST", "/dashboard/retry", page_dashboard_retry);
}
