/*
 * page.c: the plain pages every person's page may end with: a message, a
 * reply of pathwayd that failed (no answer, forbidden, not found), a link
 * that no longer works (used, expired, stale, invalid) with the form that
 * emails a fresh sign-in link; and the words for ids and roles. It holds
 * nothing between requests.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

const char *
page_err(const json_t *reply)
{
	if (reply == NULL)
		return "timeout";
	if (json_is_true(json_object_get(reply, "ok")))
		return NULL;
	return page_str(json_object_get(reply, "error"), "code") != NULL
		   ? page_str(json_object_get(reply, "error"), "code")
		   : "internal_error";
}

const char *
page_err_message(const json_t *reply)
{
	const char *m = page_str(json_object_get(reply, "error"), "message");

	return m != NULL ? m : "";
}

json_t *
page_data(const json_t *reply)
{
	if (page_err(reply) != NULL)
		return NULL;
	return json_object_get(reply, "data");
}

const char *
page_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void
page_message(struct req *r, int status, const char *title, const char *text, const json_t *person)
{
	struct pw_buf b = {0};

	html_page_begin(&b, title, person, 0);
	html_printf(&b, "<h1>%s</h1>\n<p>%s</p>\n", title, text);
	if (person != NULL)
		pw_buf_adds(&b, "<p><a href=\"/\">Go to your page</a></p>\n");
	html_page_end(&b);
	req_reply(r, status, &b, "text/html; charset=utf-8");
}

static int
is_token_code(const char *code)
{
	return strncmp(code, "token_", 6) == 0;
}

void
page_fail(struct req *r, const json_t *reply, const json_t *person)
{
	const char *code = page_err(reply);

	if (code == NULL)
		fatal("page_fail on a reply that succeeded");
	if (is_token_code(code)) {
		page_link_dead(r, code);
	} else if (strcmp(code, "timeout") == 0) {
		page_message(r, 503, "Sorry, there is a problem with the service",
			     "Pathway did not answer in time. Try again in a few minutes.", person);
	} else if (strcmp(code, "forbidden") == 0 || strcmp(code, "unauthenticated") == 0) {
		page_message(r, 403, "You cannot see this page",
			     "This page is for someone else, or needs a role you do not have.",
			     person);
	} else if (strcmp(code, "not_found") == 0) {
		page_message(r, 404, "Page not found",
			     "Pathway has nothing at this address. Check that you copied the "
			     "whole link from the email.",
			     person);
	} else if (strcmp(code, "invalid_transition") == 0) {
		page_message(r, 409, "This cannot be done now", page_err_message(reply), person);
	} else {
		log_warn("web: pathwayd answered %s: %s", code, page_err_message(reply));
		page_message(r, 502, "Sorry, there is a problem with the service",
			     "Try again in a few minutes.", person);
	}
}

/* What each token code means to the person holding the link. */
static const struct {
	const char *code;
	int status;
	const char *title, *text;
} page_dead[] = {
    {"token_used", 410, "This link has already been used",
     "Each link in an email works once, and this one has been used."},
    {"token_expired", 410, "This link has expired", "The link is too old to use."},
    {"token_stale", 410, "This link is no longer needed",
     "The application has moved on since the email was sent, so there is nothing to do "
     "here."},
    {"token_wrong_purpose", 400, "This link is not valid", "The link is not for this page."},
    {"token_invalid", 400, "This link is not valid",
     "The link is not one Pathway made. Check that you copied the whole link from the "
     "email."},
};

void
page_link_dead(struct req *r, const char *code)
{
	struct pw_buf b = {0};
	size_t i, n = sizeof page_dead / sizeof page_dead[0];

	for (i = 0; i < n - 1; i++)
		if (strcmp(page_dead[i].code, code) == 0)
			break;
	html_page_begin(&b, page_dead[i].title, NULL, 0);
	html_printf(&b, "<h1>%s</h1>\n<p>%s</p>\n", page_dead[i].title, page_dead[i].text);
	pw_buf_adds(&b, "<h2>Get a new link</h2>\n<p>Sign in to see everything that is waiting "
			"for you. Enter your email address and we will email you a link to sign "
			"in.</p>\n");
	page_login_form(&b, r, NULL, "Email me a sign-in link");
	html_page_end(&b);
	req_reply(r, page_dead[i].status, &b, "text/html; charset=utf-8");
}

void
page_login_form(struct pw_buf *b, struct req *r, const char *email, const char *button)
{
	pw_buf_adds(b, "<form method=\"post\" action=\"/login\" novalidate>\n");
	html_csrf(b, r, req_session(r));
	pw_buf_adds(b, "<div class=\"form-group\">\n<label class=\"field\" for=\"email\">Email "
		       "address</label>\n<span class=\"hint\" id=\"email-hint\">The address "
		       "Pathway emails you at</span>\n<input type=\"email\" id=\"email\" "
		       "name=\"email\" autocomplete=\"email\" spellcheck=\"false\" "
		       "aria-describedby=\"email-hint\" value=\"");
	html_attr(b, email);
	html_printf(b,
		    "\">\n</div>\n<button type=\"submit\" class=\"button\">%s</button>\n</form>\n",
		    button);
}

void
page_words(struct pw_buf *b, const char *id)
{
	char *s;

	if (id == NULL || id[0] == '\0')
		return;
	s = xstrdup(id);
	for (char *p = s; *p != '\0'; p++)
		if (*p == '_' || *p == '-')
			*p = ' ';
	s[0] = (char)toupper((unsigned char)s[0]);
	html_txt(b, s);
	free(s);
}

static const struct {
	const char *role, *words;
} page_roles[] = {
    {"candidate", "the candidate"}, {"headteacher", "the headteacher"},
    {"coach", "the coach"},	    {"rater", "the colleagues giving feedback"},
    {"host", "the host school"},    {"la_adviser", "the local authority"},
    {"viewer", "a viewer"},
};

const char *
page_role(const char *role)
{
	for (size_t i = 0; role != NULL && i < sizeof page_roles / sizeof page_roles[0]; i++)
		if (strcmp(page_roles[i].role, role) == 0)
			return page_roles[i].words;
	return "someone";
}
