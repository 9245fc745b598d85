/*
 * page_home.c: a signed-in person's own page, GET /, and the page of one
 * of their applications, /app/<id> (drawn and acted on by page_app.c with
 * the session). The home page is drawn from application.mine (every
 * application the person is related to, each as they may see it, with its
 * requirements), person.get of themself (their school) and cohort.get of
 * each cohort (names, stages, the time zone deadlines are shown in): what
 * is waiting on them with its deadline, then their own applications, the
 * candidates at their school, their coachees, the internships they host,
 * and the sessions they may book (page_booking.c, asked first).
 * Nobody signed in is sent to /login. Nothing is kept between requests.
 */
#include <stdlib.h>
#include <string.h>

#include "page_app.h"
#include "page_booking.h"

#define APP_PREFIX "/app/"

struct home {
	struct req *r;
	json_t *apps;	 /* application.mine's applications */
	json_t *self;	 /* person.get's person */
	json_t *cohorts; /* cohort id -> cohort */
	json_t *book;	 /* booking_load's sessions to book, or NULL */
	int pending;
	int missing; /* application.mine failed: say so, draw the rest */
};

static void
home_free(struct home **ph)
{
	struct home *h = *ph;

	if (h == NULL)
		return;
	json_decref(h->apps);
	json_decref(h->self);
	json_decref(h->cohorts);
	json_decref(h->book);
	free(h);
	*ph = NULL;
}

/* A view of one application for app_todo: who the person is to it. */
static void
home_pg(struct home *h, const json_t *app, struct app_pg *pg)
{
	memset(pg, 0, sizeof *pg);
	pg->r = h->r;
	pg->person = (json_t *)req_person(h->r);
	pg->me = page_str(pg->person, "person") ? page_str(pg->person, "person") : "";
	pg->app = (json_t *)app;
	pg->cohort = json_object_get(h->cohorts, page_str(app, "cohort") ?: "");
}

static void
home_row(struct pw_buf *b, struct home *h, const json_t *app, int who)
{
	struct app_pg pg;
	size_t i;
	const json_t *q;
	const char *id = page_str(app, "id");
	int any = 0;

	home_pg(h, app, &pg);
	pw_buf_adds(b, "<tr>");
	if (who)
		html_printf(b, "<td>%s</td>", app_candidate_name(&pg));
	html_printf(b, "<td>%s</td><td>%s</td><td>",
		    page_str(pg.cohort, "name") ? page_str(pg.cohort, "name")
						: page_str(app, "cohort"),
		    app_stage_name(pg.cohort, page_str(app, "stage")));
	json_array_foreach(json_object_get(app, "requirements"), i, q)
	{
		if (json_is_true(json_object_get(q, "met")))
			continue;
		pw_buf_adds(b, any++ ? "<br>" : "");
		app_requirement(b, q, NULL);
	}
	if (json_object_get(app, "overdue") != NULL) {
		pw_buf_adds(b, any ? "<br>" : "");
		app_deadline(b, app, page_str(pg.cohort, "timezone"));
	}
	pw_buf_adds(b, "</td><td><a href=\"/app/");
	html_url(b, id);
	html_printf(b, "\">View<span class=\"skip-link\"> %s</span></a></td></tr>\n", id);
}

/* The applications for which keep(h, app) holds, as a table. */
static void
home_table(struct pw_buf *b, struct home *h, const char *title, int who,
	   int (*keep)(struct home *, const json_t *))
{
	size_t i, n = 0;
	const json_t *app;

	json_array_foreach(h->apps, i, app)
	{
		if (!keep(h, app))
			continue;
		if (n++ == 0) {
			html_printf(b,
				    "<h2>%s</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr>",
				    title);
			if (who)
				pw_buf_adds(b, "<th scope=\"col\">Candidate</th>");
			pw_buf_adds(b,
				    "<th scope=\"col\">Programme</th><th scope=\"col\">Stage</th>"
				    "<th scope=\"col\">Still needed</th><th "
				    "scope=\"col\"></th></tr></thead>\n<tbody>\n");
		}
		home_row(b, h, app, who);
	}
	if (n > 0)
		pw_buf_adds(b, "</tbody></table></div>\n");
}

static const char *
home_me(struct home *h)
{
	return page_str(req_person(h->r), "person") ? page_str(req_person(h->r), "person") : "";
}

static int
home_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
keep_own(struct home *h, const json_t *app)
{
	return home_eq(page_str(app, "candidate"), home_me(h));
}

static int
keep_school(struct home *h, const json_t *app)
{
	return !keep_own(h, app) && home_eq(page_str(app, "school"), page_str(h->self, "school"));
}

static int
keep_coachee(struct home *h, const json_t *app)
{
	return !keep_own(h, app) && home_eq(page_str(app, "coach"), home_me(h));
}

static int
keep_hosted(struct home *h, const json_t *app)
{
	return !keep_own(h, app) &&
	       home_eq(page_str(json_object_get(app, "internship"), "host_school"),
		       page_str(h->self, "school"));
}

static int
home_holds(struct home *h, const char *role)
{
	size_t i;
	const json_t *v;

	json_array_foreach(json_object_get(req_person(h->r), "roles"), i, v)
	{
		if (home_eq(json_string_value(v), role))
			return 1;
	}
	return 0;
}

static void
home_draw(struct home *h)
{
	struct pw_buf b = {0};
	const json_t *person = req_person(h->r), *app;
	size_t i, n = 0;

	html_page_begin(&b, "Your page", person, 0);
	html_printf(&b, "<span class=\"caption\">Pathway</span>\n<h1>%s</h1>\n",
		    page_str(person, "name"));
	if (home_holds(h, "la_adviser") || home_holds(h, "viewer"))
		pw_buf_adds(&b, "<p><a href=\"/dashboard\">Open the dashboard</a></p>\n");
	if (h->missing)
		pw_buf_adds(&b, "<p class=\"warning\">Your applications cannot be listed just now. "
				"Try again in a few minutes.</p>\n");
	pw_buf_adds(&b, "<h2>Waiting on you</h2>\n");
	json_array_foreach(h->apps, i, app)
	{
		struct app_pg pg;
		struct pw_buf todo = {0};

		home_pg(h, app, &pg);
		if (!app_todo(&todo, &pg))
			continue;
		if (n++ == 0)
			pw_buf_adds(&b, "<ul class=\"tasks\">\n");
		pw_buf_adds(&b, "<li><span><a href=\"/app/");
		html_url(&b, page_str(app, "id"));
		html_printf(&b, "\">%s</a>", todo.p);
		if (!keep_own(h, app))
			html_printf(&b, " for %s", app_candidate_name(&pg));
		html_printf(&b, "<br><span class=\"hint\">%s</span></span><span>",
			    page_str(pg.cohort, "name") ? page_str(pg.cohort, "name") : "");
		app_deadline(&b, app, page_str(pg.cohort, "timezone"));
		pw_buf_adds(&b, "</span></li>\n");
		free(todo.p);
	}
	pw_buf_adds(&b, n > 0 ? "</ul>\n"
			      : "<p>Nothing is waiting on you now. We will email you "
				"when something is.</p>\n");
	home_table(&b, h, "Your applications", 0, keep_own);
	home_table(&b, h, "Candidates at your school", 1, keep_school);
	home_table(&b, h, "Your coachees", 1, keep_coachee);
	home_table(&b, h, "Internships at your school", 1, keep_hosted);
	booking_draw(&b, h->r, h->book);
	html_page_end(&b);
	req_reply(h->r, 200, &b, "text/html; charset=utf-8");
}

static void
home_one_done(struct home *h)
{
	if (--h->pending > 0)
		return;
	home_draw(h);
	home_free(&h);
}

static void
home_got_cohort(json_t *reply, void *ud)
{
	struct home *h = ud;
	const json_t *c = json_object_get(page_data(reply), "cohort");

	if (c != NULL && page_str(c, "id") != NULL)
		json_object_set(h->cohorts, page_str(c, "id"), (json_t *)c);
	home_one_done(h);
}

/* Both lists are in: ask for each cohort the applications are in. */
static void
home_cohorts(struct home *h)
{
	size_t i;
	const json_t *app;

	h->pending = 1;
	json_array_foreach(h->apps, i, app)
	{
		const char *c = page_str(app, "cohort");

		if (c == NULL || json_object_get(h->cohorts, c) != NULL)
			continue;
		json_object_set_new(h->cohorts, c, json_null()); /* asked once */
		h->pending++;
		api_send("cohort.get", req_session(h->r), json_pack("{s:s}", "cohort", c),
			 home_got_cohort, h);
	}
	home_one_done(h);
}

static void
home_got_self(json_t *reply, void *ud)
{
	struct home *h = ud;

	h->self = json_incref(json_object_get(page_data(reply), "person"));
	if (--h->pending == 0)
		home_cohorts(h);
}

static void
home_got_mine(json_t *reply, void *ud)
{
	struct home *h = ud;
	const json_t *apps = json_object_get(page_data(reply), "applications");

	if (apps != NULL) {
		json_decref(h->apps);
		h->apps = json_incref((json_t *)apps);
	} else {
		h->missing = 1;
	}
	if (--h->pending == 0)
		home_cohorts(h);
}

/* The sessions to book are in (page_booking.c): now the applications. */
static void
home_booked(json_t *rows, void *ud)
{
	struct req *r = ud;
	struct home *h = xcalloc(1, sizeof *h);

	h->r = r;
	h->book = json_incref(rows);
	h->apps = json_array();
	h->cohorts = json_object();
	h->pending = 2;
	api_send("application.mine", req_session(r), NULL, home_got_mine, h);
	api_send("person.get", req_session(r), json_pack("{s:s}", "id", home_me(h)), home_got_self,
		 h);
}

static void
home_page(struct req *r)
{
	if (req_person(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	booking_load(r, home_booked, r);
}

static void
home_app(struct req *r)
{
	const char *id = req_path(r) + strlen(APP_PREFIX);

	if (req_person(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	if (!pw_id_valid(id)) {
		page_message(r, 404, "Page not found", "There is no application at this address.",
			     req_person(r));
		return;
	}
	app_page(r, req_session(r), id, req_person(r), NULL, req_path(r));
}

void
page_home_routes(void)
{
	http_route("GET", "/", home_page);
	http_route("GET", APP_PREFIX, home_app);
	http_route("POST", APP_PREFIX, home_app);
}
