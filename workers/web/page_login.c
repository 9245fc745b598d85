/*
 * page_login.c: signing in and out. GET /login asks for an email address;
 * POST /login asks pathwayd to email a sign-in link (auth.link) and always
 * answers the same page, so nobody learns whether an address is known.
 * GET /login/<token> only shows a "Sign in" button: mail systems that open
 * links to scan them would otherwise spend the one-use token; the button
 * POSTs the token (its CSRF field made over that token), which becomes a
 * session (auth.session) kept in the cookie pw_session for as long as the
 * session lasts. A used, expired or invalid link says so and offers a fresh
 * one. GET /logout asks, POST /logout ends the session (auth.logout) and
 * clears the cookie. Nothing is kept here between requests.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"

#define LOGIN_PREFIX "/login/"

static void
login_page(struct req *r, int status, const char *email, const json_t *errors)
{
	struct pw_buf b = {0};

	html_page_begin(&b, "Sign in", req_person(r), 0);
	html_error_summary(&b, errors);
	pw_buf_adds(&b, "<h1>Sign in to Pathway</h1>\n<p>Enter your email address and we will "
			"email you a link to sign in. There is no password.</p>\n");
	if (json_array_size(errors) > 0) {
		/* the one field, with its error next to it */
		pw_buf_adds(&b, "<div class=\"form-group-error\">\n");
		html_printf(&b, "<span class=\"error-message\">Error: %s</span>\n",
			    page_str(json_array_get(errors, 0), "message"));
		page_login_form(&b, r, email, "Email me a sign-in link");
		pw_buf_adds(&b, "</div>\n");
	} else {
		page_login_form(&b, r, email, "Email me a sign-in link");
	}
	html_page_end(&b);
	req_reply(r, status, &b, "text/html; charset=utf-8");
}

static void
login_get(struct req *r)
{
	if (req_person(r) != NULL) {
		req_redirect(r, "/");
		return;
	}
	login_page(r, 200, NULL, NULL);
}

static void
login_sent(json_t *reply, void *ud)
{
	struct req *r = ud;
	const char *code = page_err(reply);
	struct pw_buf b = {0};

	if (code != NULL && strcmp(code, "invalid_request") == 0) {
		json_t *errors = json_pack("[{s:s, s:s}]", "field", "email", "message",
					   "Enter an email address in the correct format, like "
					   "name@example.org");

		login_page(r, 400, req_arg(r, "email"), errors);
		json_decref(errors);
		return;
	}
	if (code != NULL) {
		page_fail(r, reply, NULL);
		return;
	}
	html_page_begin(&b, "Check your email", NULL, 0);
	pw_buf_adds(&b, "<h1>Check your email</h1>\n<p>If that address is known, we have "
			"emailed a link to sign in. The link works once, within an hour.</p>\n"
			"<p>No email? Check your spam folder, or <a href=\"/login\">ask for "
			"another link</a>.</p>\n");
	html_page_end(&b);
	req_reply(r, 200, &b, "text/html; charset=utf-8");
}

static void
login_post(struct req *r)
{
	const char *email = req_arg(r, "email");
	char *clean;

	if (email == NULL || email[strspn(email, " \t")] == '\0') {
		json_t *errors = json_pack("[{s:s, s:s}]", "field", "email", "message",
					   "Enter your email address");

		login_page(r, 400, NULL, errors);
		json_decref(errors);
		return;
	}
	clean = xstrdup(email + strspn(email, " \t"));
	clean[strcspn(clean, " \t")] = '\0';
	api_send("auth.link", NULL, json_pack("{s:s}", "email", clean), login_sent, r);
	free(clean);
}

/* The token of /login/<token>, or NULL when the path holds none. */
static const char *
login_token(struct req *r)
{
	const char *t = req_path(r) + strlen(LOGIN_PREFIX);

	return t[0] != '\0' && strchr(t, '/') == NULL ? t : NULL;
}

static void
link_get(struct req *r)
{
	const char *token = login_token(r);
	struct pw_buf b = {0};

	if (token == NULL) {
		req_redirect(r, "/login");
		return;
	}
	html_page_begin(&b, "Sign in", NULL, 0);
	pw_buf_adds(&b, "<h1>Sign in to Pathway</h1>\n<p>Select the button to sign in. The link "
			"in your email works once.</p>\n<form method=\"post\" action=\"/login/");
	html_url(&b, token);
	pw_buf_adds(&b, "\">\n");
	html_csrf(&b, r, token);
	pw_buf_adds(&b, "<button type=\"submit\" class=\"button\">Sign in</button>\n</form>\n");
	html_page_end(&b);
	req_reply(r, 200, &b, "text/html; charset=utf-8");
}

/* A signing in under way: the new session until its cookie is set. */
struct login {
	struct req *r;
	char *token;
	char *expires;
};

static void
login_free(struct login **pl)
{
	if (*pl == NULL)
		return;
	free((*pl)->token);
	free((*pl)->expires);
	free(*pl);
	*pl = NULL;
}

/* pathwayd's clock is known: the cookie lasts as long as the session. */
static void
link_pinged(json_t *reply, void *ud)
{
	struct login *l = ud;
	int64_t now, expires;
	long long age = 12 * 3600; /* daemon.session_hours' default, if the clock is unknown */

	if (page_str(page_data(reply), "now") != NULL &&
	    pw_time_parse(page_str(page_data(reply), "now"), &now) == 0 &&
	    pw_time_parse(l->expires, &expires) == 0)
		age = expires - now;
	if (age < 60)
		age = 60;
	if (age > 7 * 86400)
		age = 7 * 86400;
	req_set_cookie(l->r, "pw_session", l->token, (int)age);
	req_redirect(l->r, "/");
	login_free(&l);
}

static void
link_session(json_t *reply, void *ud)
{
	struct req *r = ud;
	const json_t *data = page_data(reply);
	struct login *l;

	if (data == NULL || page_str(data, "token") == NULL) {
		page_fail(r, reply, NULL);
		return;
	}
	l = xcalloc(1, sizeof *l);
	l->r = r;
	l->token = xstrdup(page_str(data, "token"));
	l->expires = xstrdup(page_str(data, "expires") ? page_str(data, "expires") : "");
	api_send("system.ping", l->token, NULL, link_pinged, l);
}

static void
link_post(struct req *r)
{
	const char *token = login_token(r);

	if (token == NULL) {
		page_link_dead(r, "token_invalid");
		return;
	}
	api_send("auth.session", NULL, json_pack("{s:s}", "token", token), link_session, r);
}

static void
logout_get(struct req *r)
{
	struct pw_buf b = {0};

	if (req_person(r) == NULL) {
		req_redirect(r, "/login");
		return;
	}
	html_page_begin(&b, "Sign out", req_person(r), 0);
	pw_buf_adds(&b, "<h1>Sign out</h1>\n<form method=\"post\" action=\"/logout\">\n");
	html_csrf(&b, r, req_session(r));
	pw_buf_adds(&b, "<button type=\"submit\" class=\"button\">Sign out</button>\n</form>\n"
			"<p><a href=\"/\">Back to your page</a></p>\n");
	html_page_end(&b);
	req_reply(r, 200, &b, "text/html; charset=utf-8");
}

static void
logout_done(json_t *reply, void *ud)
{
	struct req *r = ud;

	(void)reply; /* ended, or already over: either way the cookie goes */
	req_set_cookie(r, "pw_session", "", 0);
	req_redirect(r, "/login");
}

static void
logout_post(struct req *r)
{
	if (req_session(r) == NULL) {
		req_set_cookie(r, "pw_session", "", 0);
		req_redirect(r, "/login");
		return;
	}
	api_send("auth.logout", req_session(r), NULL, logout_done, r);
}

void
page_login_routes(void)
{
	http_route("GET", "/login", login_get);
	http_route("POST", "/login", login_post);
	http_route("GET", LOGIN_PREFIX, link_get);
	http_route("POST", LOGIN_PREFIX, link_post);
	http_route("GET", "/logout", logout_get);
	http_route("POST", "/logout", logout_post);
}
