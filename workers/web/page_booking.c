/*
 * page_booking.c: bookable sessions (a session with seats, such as a
 * briefing) on a signed-in person's own page, and booking or cancelling a
 * seat from it.
 *
 *   GET  /       page_home.c draws booking_draw's section, from booking_load
 *   POST /book   cohort, session, do=book|cancel, csrf: session.book or
 *                session.cancel_booking for the person themself, then a
 *                confirmation with what happens next; a refusal is the
 *                section again as its own page with the error summary
 *
 * booking_load asks, with the person's session: the clock (system.ping),
 * the cohorts (cohort.list), each cohort's sessions (cohort.get), and for
 * each session with seats that has not started (its local date and start
 * against the clock, in the cohort's zone) the person's booking
 * (session.bookings). pathwayd decides who may book (a viewer may not);
 * pathway-web only draws. Nothing is kept between requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"
#include "page_booking.h"

struct book {
	struct req *r;
	booking_fn done;
	void *ud;
	int64_t now;
	json_t *rows; /* [{"cohort", "session", "booking"?}] in cohort and session order */
	int pending;
	int failed;
};

struct book_call {
	struct book *k;
	size_t row; /* the row a session.bookings reply fills */
};

static void
book_finish(struct book *k)
{
	k->done(k->failed ? NULL : k->rows, k->ud);
	json_decref(k->rows);
	free(k);
}

static void
got_booking(json_t *reply, void *ud)
{
	struct book_call *c = ud;
	struct book *k = c->k;
	const json_t *b = json_object_get(page_data(reply), "booking");

	if (b != NULL)
		json_object_set(json_array_get(k->rows, c->row), "booking", (json_t *)b);
	free(c);
	if (--k->pending == 0)
		book_finish(k);
}

/* Every cohort is in: ask for the person's booking of each session still to come. */
static void
ask_bookings(struct book *k)
{
	size_t i;
	json_t *row;

	k->pending = 1;
	json_array_foreach(k->rows, i, row)
	{
		struct book_call *c = xcalloc(1, sizeof *c);

		c->k = k;
		c->row = i;
		k->pending++;
		api_send("session.bookings", req_session(k->r),
			 json_pack("{s:s, s:s}", "cohort", page_str(row, "cohort_id"), "session",
				   page_str(json_object_get(row, "session"), "id")),
			 got_booking, c);
	}
	if (--k->pending == 0)
		book_finish(k);
}

static void
got_cohort(json_t *reply, void *ud)
{
	struct book *k = ud;
	const json_t *co = json_object_get(page_data(reply), "cohort"), *s;
	char now[64];
	size_t i;

	if (co == NULL && page_err(reply) != NULL && strcmp(page_err(reply), "timeout") == 0)
		k->failed = 1;
	html_wall_clock(k->now, page_str(co, "timezone"), now, sizeof now);
	json_array_foreach(json_object_get(co, "sessions"), i, s)
	{
		char at[64];

		if (!json_is_integer(json_object_get(s, "seats")) || page_str(s, "date") == NULL)
			continue;
		snprintf(at, sizeof at, "%s %s", page_str(s, "date"),
			 page_str(s, "start") ? page_str(s, "start") : "00:00");
		if (strcmp(at, now) <= 0)
			continue; /* started: no longer booked or cancelled */
		json_array_append_new(
		    k->rows, json_pack("{s:s, s:s, s:s, s:O}", "cohort_id", page_str(co, "id"),
				       "cohort", page_str(co, "name") ?: page_str(co, "id"),
				       "timezone", page_str(co, "timezone") ?: "", "session", s));
	}
	if (--k->pending == 0)
		ask_bookings(k);
}

static void
got_cohorts(json_t *reply, void *ud)
{
	struct book *k = ud;
	const json_t *c;
	size_t i;

	if (page_data(reply) == NULL) {
		k->failed = 1;
		book_finish(k);
		return;
	}
	k->pending = 1;
	json_array_foreach(json_object_get(page_data(reply), "cohorts"), i, c)
	{
		k->pending++;
		api_send("cohort.get", req_session(k->r),
			 json_pack("{s:s}", "cohort", page_str(c, "id") ?: ""), got_cohort, k);
	}
	if (--k->pending == 0)
		ask_bookings(k);
}

static void
got_ping(json_t *reply, void *ud)
{
	struct book *k = ud;

	if (page_data(reply) == NULL ||
	    pw_time_parse(page_str(page_data(reply), "now") ?: "", &k->now) != 0) {
		k->failed = 1;
		book_finish(k);
		return;
	}
	api_send("cohort.list", req_session(k->r), json_object(), got_cohorts, k);
}

void
booking_load(struct req *r, booking_fn done, void *ud)
{
	struct book *k = xcalloc(1, sizeof *k);

	k->r = r;
	k->done = done;
	k->ud = ud;
	k->rows = json_array();
	api_send("system.ping", req_session(r), json_object(), got_ping, k);
}

/* ---- drawing ------------------------------------------------------------------------ */

static int
num(const json_t *o, const char *key)
{
	return (int)json_integer_value(json_object_get(o, key));
}

/* A session's day and times: "15 January 2027, 14:00 to 16:00". */
static void
draw_when(struct pw_buf *b, const json_t *s)
{
	static const char *const months[] = {"January",	  "February", "March",	  "April",
					     "May",	  "June",     "July",	  "August",
					     "September", "October",  "November", "December"};
	const char *date = page_str(s, "date");
	int y, m, d;

	if (date != NULL && sscanf(date, "%d-%d-%d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		html_printf(b, "%d %s %d", d, months[m - 1], y);
	else
		html_txt(b, date);
	if (page_str(s, "start") != NULL)
		html_printf(b, ", %s", page_str(s, "start"));
	if (page_str(s, "end") != NULL)
		html_printf(b, " to %s", page_str(s, "end"));
}

static void
draw_button(struct pw_buf *b, struct req *r, const json_t *row, const char *what, const char *label)
{
	pw_buf_adds(b, "<form method=\"post\" action=\"/book\" class=\"inline\">\n");
	html_csrf(b, r, NULL);
	html_printf(b,
		    "<input type=\"hidden\" name=\"cohort\" value=\"%s\">\n<input type=\"hidden\" "
		    "name=\"session\" value=\"%s\">\n<button class=\"button%s\" name=\"do\" "
		    "value=\"%s\">%s</button>\n</form>\n",
		    page_str(row, "cohort_id"), page_str(json_object_get(row, "session"), "id"),
		    strcmp(what, "cancel") == 0 ? " secondary" : "", what, label);
}

void
booking_draw(struct pw_buf *b, struct req *r, const json_t *rows)
{
	size_t i;
	const json_t *row;

	pw_buf_adds(b, "<h2 id=\"sessions\">Sessions you can book</h2>\n");
	if (rows == NULL) {
		pw_buf_adds(b, "<p class=\"warning\">Sessions cannot be listed just now. Try again "
			       "in a few minutes.</p>\n");
		return;
	}
	if (json_array_size(rows) == 0) {
		pw_buf_adds(b, "<p>There are no sessions to book now.</p>\n");
		return;
	}
	pw_buf_adds(b, "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Session"
		       "</th><th scope=\"col\">When (local time)</th><th scope=\"col\">Seats "
		       "left</th><th scope=\"col\">Your booking</th><th scope=\"col\"></th>"
		       "</tr></thead>\n<tbody>\n");
	json_array_foreach(rows, i, row)
	{
		const json_t *s = json_object_get(row, "session"),
			     *bk = json_object_get(row, "booking");
		const char *st = page_str(bk, "status") ?: "none";
		int left = num(bk, "seats") - num(bk, "booked");

		html_printf(b, "<tr><td>%s<br><span class=\"hint\">%s, %s</span></td><td>",
			    page_str(s, "title") ?: page_str(s, "id"), page_str(row, "cohort"),
			    page_str(s, "venue") ?: "");
		draw_when(b, s);
		if (bk == NULL)
			html_printf(b, "</td><td class=\"num\">%d</td><td>", num(s, "seats"));
		else
			html_printf(b, "</td><td class=\"num\">%d</td><td>", left > 0 ? left : 0);
		if (strcmp(st, "booked") == 0) {
			pw_buf_adds(b, "Booked</td><td>");
			draw_button(b, r, row, "cancel", "Cancel my booking");
		} else if (strcmp(st, "waiting") == 0) {
			html_printf(b, "On the waiting list: number %d</td><td>",
				    num(bk, "position"));
			draw_button(b, r, row, "cancel", "Leave the waiting list");
		} else {
			pw_buf_adds(b, "Not booked</td><td>");
			draw_button(b, r, row, "book",
				    bk != NULL && left <= 0 ? "Join the waiting list"
							    : "Book a seat");
		}
		pw_buf_adds(b, "</td></tr>\n");
	}
	pw_buf_adds(b, "</tbody></table></div>\n");
}

/* ---- POST /book ---------------------------------------------------------------------- */

struct post {
	struct req *r;
	char *what;
	json_t *errors;
	int status;
};

static void
post_free(struct post *p)
{
	free(p->what);
	json_decref(p->errors);
	free(p);
}

/* The section again as a page of its own, with the errors of the attempt. */
static void
redraw(json_t *rows, void *ud)
{
	struct post *p = ud;
	struct pw_buf b = {0};

	html_page_begin(&b, "Sessions you can book", req_person(p->r), 0);
	html_error_summary(&b, p->errors);
	booking_draw(&b, p->r, rows);
	pw_buf_adds(&b, "<p><a href=\"/\">Back to your page</a></p>\n");
	html_page_end(&b);
	req_reply(p->r, p->status, &b, "text/html; charset=utf-8");
	post_free(p);
}

static void
done(struct post *p, const json_t *bk)
{
	struct pw_buf b = {0};
	const char *st = page_str(bk, "status") ?: "";
	const char *title = strcmp(st, "booked") == 0	 ? "You are booked"
			    : strcmp(st, "waiting") == 0 ? "You are on the waiting list"
							 : "Your booking is cancelled";

	html_page_begin(&b, title, req_person(p->r), 0);
	html_printf(&b, "<div class=\"panel\" role=\"status\"><h1>%s</h1>", title);
	if (strcmp(st, "waiting") == 0)
		html_printf(&b, "<p>You are number %d on the waiting list.</p>",
			    num(bk, "position"));
	pw_buf_adds(&b, "</div>\n<h2>What happens next</h2>\n<p>");
	if (strcmp(st, "booked") == 0)
		pw_buf_adds(&b,
			    "We will email you a confirmation with a calendar invitation, and a "
			    "reminder before the session. If you cannot come, cancel your "
			    "booking from your page so someone else can have the seat.");
	else if (strcmp(st, "waiting") == 0)
		pw_buf_adds(&b,
			    "Every seat is booked. If someone cancels, the first on the waiting "
			    "list gets their seat and we email you if that is you.");
	else
		pw_buf_adds(&b, "We will email you to confirm. You can book again from your page "
				"while seats are left.");
	pw_buf_adds(&b, "</p>\n<p><a href=\"/\">Back to your page</a></p>\n");
	html_page_end(&b);
	req_reply(p->r, 200, &b, "text/html; charset=utf-8");
	post_free(p);
}

static void
acted(json_t *reply, void *ud)
{
	struct post *p = ud;
	const char *code = page_err(reply);
	const char *msg = NULL;

	if (code == NULL) {
		done(p, json_object_get(page_data(reply), "booking"));
		return;
	}
	if (strncmp(code, "token_", 6) == 0 || strcmp(code, "unauthenticated") == 0) {
		req_redirect(p->r, "/login");
		post_free(p);
		return;
	}
	if (strcmp(code, "already_exists") == 0)
		msg = "You are already booked on this session, or on its waiting list";
	else if (strcmp(code, "invalid_transition") == 0)
		msg = "This session has started: it can no longer be booked or cancelled";
	else if (strcmp(code, "not_found") == 0)
		msg = strcmp(p->what, "cancel") == 0
			  ? "You have no booking on this session to cancel"
			  : "There is no such session to book";
	else if (strcmp(code, "invalid_request") == 0)
		msg = "This session is not one you book";
	else if (strcmp(code, "forbidden") == 0)
		msg = "You cannot book sessions with the role you have";
	if (msg == NULL) {
		page_fail(p->r, reply, req_person(p->r));
		post_free(p);
		return;
	}
	json_array_append_new(p->errors, json_pack("{s:s}", "message", msg));
	p->status = strcmp(code, "forbidden") == 0 ? 403 : 409;
	booking_load(p->r, redraw, p);
}

static void
book_post(struct req *r)
{
	const char *cohort = req_arg(r, "cohort"), *session = req_arg(r, "session");
	const char *what = req_arg(r, "do");
	struct post *p;

	if (req_person(r) == NULL || req_session(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->r = r;
	p->errors = json_array();
	p->what = xstrdup(what != NULL ? what : "");
	if (cohort == NULL || session == NULL || !pw_id_valid(cohort) || !pw_id_valid(session) ||
	    (strcmp(p->what, "book") != 0 && strcmp(p->what, "cancel") != 0)) {
		json_array_append_new(
		    p->errors,
		    json_pack("{s:s}", "message", "Choose a session from the list and a button"));
		p->status = 400;
		booking_load(r, redraw, p);
		return;
	}
	api_send(strcmp(p->what, "book") == 0 ? "session.book" : "session.cancel_booking",
		 req_session(r), json_pack("{s:s, s:s}", "cohort", cohort, "session", session),
		 acted, p);
}

void
page_booking_routes(void)
{
	http_route("POST", "/book", book_post);
}
