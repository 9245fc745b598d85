/*
 * page_ping.c: the pages that are not about anyone: GET /healthz ("ok", for
 * a load balancer or a test waiting for the start), the static assets
 * compiled into html.c (/static/app.css, /static/live.js), and the page
 * http.c refuses a request with (400, 403, 404, 405, 413, 429, 503). It
 * holds nothing.
 */
#include <string.h>

#include "web.h"

static void
healthz(struct req *r)
{
	struct pw_buf b = {NULL, 0, 0};

	pw_buf_adds(&b, "ok\n");
	req_reply(r, 200, &b, "text/plain; charset=utf-8");
}

static void
asset(struct req *r)
{
	const char *type = NULL, *body = html_static(req_path(r), &type);
	struct pw_buf b = {NULL, 0, 0};

	if (body == NULL) {
		req_error(r, 404, NULL);
		return;
	}
	pw_buf_adds(&b, body);
	req_add_header(r, "Cache-Control", "public, max-age=300");
	req_reply(r, 200, &b, type);
}

static const char *
title_of(int status)
{
	switch (status) {
	case 400:
		return "Sorry, something was wrong with that request";
	case 403:
		return "Sorry, you cannot do that";
	case 404:
		return "Page not found";
	case 405:
		return "Sorry, that did not work";
	case 413:
		return "Sorry, that was too much";
	case 429:
		return "Please wait a minute";
	default:
		return "Sorry, there is a problem with the service";
	}
}

static void
error_page(struct req *r, int status, const char *message)
{
	struct pw_buf b = {NULL, 0, 0};
	const json_t *person = req_person(r);

	html_page_begin(&b, title_of(status), person, 0);
	html_printf(&b, "<h1>%s</h1>\n<p>%s</p>\n", title_of(status), message);
	pw_buf_adds(&b, person != NULL ? "<p><a href=\"/\">Go to your page</a></p>\n"
				       : "<p><a href=\"/login\">Sign in</a></p>\n");
	html_page_end(&b);
	req_reply(r, status, &b, "text/html; charset=utf-8");
}

void
page_ping_routes(void)
{
	http_route("GET", "/healthz", healthz);
	http_route("GET", "/static/", asset);
	http_error_page(error_page);
}
