/*
 * web.h: pathway-web, the web front of Pathway. A stateless translator
 * between browsers and pathwayd: every page is drawn from replies of
 * pathwayd, every write is a request to pathwayd carrying the person's
 * token. It keeps nothing on disk and has no authority of its own.
 *
 * One thread, one loop (loop.c): libmicrohttpd runs without threads of its
 * own (MHD_USE_EPOLL) and its epoll descriptor sits in the same zmq_poll as
 * the api DEALER and the events SUB. A page that needs pathwayd suspends
 * its connection (MHD_suspend_connection), sends its requests (api.c) and
 * is resumed when the replies are in; nothing ever blocks.
 *
 * The parts:
 *   web.c      main: command line, configuration (the `web` group of
 *              pathway.conf), signals, the run
 *   loop.c     the poll loop: MHD's epoll fd, the api and events sockets
 *   api.c      pathwayd's api: asynchronous requests with callbacks
 *   http.c     one HTTP exchange: routing, forms posted, cookies, the CSRF
 *              token, security headers, responses, suspend and resume
 *   html.c     the one writer of markup: text, attributes and URLs escaped,
 *              the page around every body, static assets
 *   sse.c      Server-Sent Events: the event stream to live dashboards, a
 *              ring of recent events for Last-Event-ID
 *   page_*.c   the pages: login and home, action links, the dashboard
 */
#ifndef PW_WEB_H
#define PW_WEB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The configuration pathway-web reads (pathway.conf: daemon endpoints, `web` group). */
struct web_conf {
	char *listen_addr; /* web.listen "HOST:PORT", default "127.0.0.1:8080" */
	int listen_port;
	char *base_url;	  /* web.base_url: the address people use, no trailing slash */
	char *api;	  /* daemon.api */
	char *events;	  /* daemon.events */
	int curve;	  /* daemon.security == "curve" */
	char *key;	  /* web.key: pathway-web's CURVE key file (a `web` service key) */
	char *viewer_key; /* web.viewer_key: the key it subscribes to events with (curve) */
	char *server_key; /* web.server_key: pathwayd's public key file (curve) */
	char *tls_cert;	  /* web.tls_cert, web.tls_key: serve HTTPS directly (PEM files) */
	char *tls_key;
	int https;	      /* cookies get Secure: TLS here, or base_url is https:// */
	int login_per_minute; /* web.login_per_minute: POST /login per client address */
	int timeout_ms;	      /* web.timeout_ms: pathwayd's answer, default 5000 */
	int trust_proxy;      /* web.trust_proxy: the client is X-Forwarded-For's last address */
};

/* ---- api.c: pathwayd's api, asynchronously ---------------------------------- */

/*
 * Called once with pathwayd's reply to one request (the whole reply object,
 * borrowed), or with NULL when pathwayd did not answer within timeout_ms.
 */
typedef void (*api_done_fn)(json_t *reply, void *ud);

/*
 * Send {"id", "cmd", "token"?, "args"} to pathwayd (token may be NULL: only
 * auth.link and auth.session go without one). Steals args. done runs later,
 * from the loop, never from inside this call.
 */
void api_send(const char *cmd, const char *token, json_t *args, api_done_fn done, void *ud);

/* ---- http.c: one exchange ----------------------------------------------------- */

struct req; /* one HTTP request in flight (opaque) */

const char *req_method(const struct req *r); /* "GET", "POST", ... */
const char *req_path(const struct req *r);   /* the URL path, decoded */
/* A query argument (GET) or a form field (POST, urlencoded), or NULL. */
const char *req_arg(const struct req *r, const char *name);
/* Every value of a repeated form field (checkboxes), as a new array of strings. */
json_t *req_args(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);
const char *req_header(const struct req *r, const char *name);
const char *req_client(const struct req *r); /* the peer's address, for rate limits */

/*
 * The session token of the signed-in person (cookie "pw_session"), or NULL.
 * http.c also keeps the person's record from auth.whoami of that token:
 * req_person returns it (borrowed; NULL when not signed in).
 */
const char *req_session(const struct req *r);
const json_t *req_person(const struct req *r);

/*
 * The CSRF token of this request's page: a keyed BLAKE2b (per-process key)
 * of the token in use (the session, or the action link's token). Every POST
 * form carries it as the hidden field "csrf" (html_csrf); http.c refuses a
 * POST whose field does not match, with 403, before any page sees it.
 * token NULL: the session's, or for nobody signed in (the login form) a
 * random value kept in the cookie "pw_anon" that this reply then sets. A
 * POST is accepted when its field matches the token of its URL (/a/TOKEN,
 * /login/TOKEN), the session cookie or the pw_anon cookie. The string lives
 * as long as r.
 */
const char *req_csrf(const struct req *r, const char *token);

/* Finish with a page: status, the body (stolen), its content type. */
void req_reply(struct req *r, int status, struct pw_buf *body, const char *type);
/* Finish with a redirect (303 See Other) to a local path. */
void req_redirect(struct req *r, const char *location);
/* Set a cookie on the reply (HttpOnly, SameSite=Lax, Secure when https; max_age 0: delete). */
void req_set_cookie(struct req *r, const char *name, const char *value, int max_age);
/* Add a reply header (e.g. Content-Disposition for CSV). */
void req_add_header(struct req *r, const char *name, const char *value);

/*
 * A page handler. It either replies at once or sends api requests and
 * replies from their callbacks (the connection is suspended meanwhile and
 * resumed by req_reply/req_redirect). It must reply exactly once.
 */
typedef void (*page_fn)(struct req *r);

/* Register a handler for path (exact) or for a prefix ending in '/' ("/a/"). */
void http_route(const char *method, const char *path, page_fn fn);

/*
 * Refuse r with status (400, 403, 404, 405, 413, 429, 503, or a page's own
 * 4xx) and a sentence for people (NULL: the usual words for status). http.c
 * refuses this way before any page runs; a page may too. The page is drawn
 * by the error page registered with http_error_page (page_ping.c), else as
 * plain text.
 */
void req_error(struct req *r, int status, const char *message);
typedef void (*http_error_fn)(struct req *r, int status, const char *message);
void http_error_page(http_error_fn fn);

/* ---- html.c: the one writer of markup ------------------------------------------ */

/* Text between tags: & < > " ' escaped. NULL writes nothing. */
void html_txt(struct pw_buf *b, const char *s);
/* An attribute value (to go between double quotes): escaped as text, and newlines. */
void html_attr(struct pw_buf *b, const char *s);
/* A URL component: percent-encoded (everything but unreserved characters). */
void html_url(struct pw_buf *b, const char *s);
/* printf-style markup whose %s arguments are written with html_txt (only %s and %d). */
void html_printf(struct pw_buf *b, const char *fmt, ...);
/* The page around a body: <!doctype html>, <head> with title, CSS, JS (live pages). */
void html_page_begin(struct pw_buf *b, const char *title, const json_t *person, int live);
void html_page_end(struct pw_buf *b);
/* The hidden CSRF field of a form for token. */
void html_csrf(struct pw_buf *b, struct req *r, const char *token);
/* A GOV.UK-style error summary at the top of a form (errors: [{"field", "message"}]). */
void html_error_summary(struct pw_buf *b, const json_t *errors);
/* A UTC time ("2026-11-05T17:00:00Z") as local time in zone tz (IANA; NULL: Europe/London),
 * GOV.UK style: "5 November 2026 at 5pm". Anything unparseable is written as text. */
void html_time(struct pw_buf *b, const char *utc, const char *tz);
/*
 * now as local "YYYY-MM-DD HH:MM" in zone tz (NULL: Europe/London) into buf
 * of len bytes; TZ is put back after, so html_time's idea of it stays true.
 */
void html_wall_clock(int64_t now, const char *tz, char *buf, size_t len);
/*
 * A static asset compiled in: "/static/app.css", "/static/live.js". Returns
 * its bytes (static, NUL-terminated) and sets *type to its content type, or
 * returns NULL for any other path.
 */
const char *html_static(const char *path, const char **type);

/* ---- page_login.c, page_home.c, page_action.c: people's pages ------------------ */

/* Each registers its routes with http_route; web.c calls them once at start. */
void page_login_routes(void);  /* /login, /login/<token>, /logout */
void page_home_routes(void);   /* /, /app/<id> */
void page_action_routes(void); /* /a/<token> */
/* page_dashboard.c: /dashboard...; page_ping.c: /healthz, /static/..., the error page. */
void page_dashboard_routes(void);
/* page_outcomes.c: /dashboard/outcomes and /dashboard/outcomes.csv; page_booking.c: POST /book. */
void page_outcomes_routes(void);
void page_booking_routes(void);
void page_ping_routes(void);

/* ---- sse.c: live updates -------------------------------------------------------- */

/*
 * An event arrived on the events socket (the JSON body, borrowed).
 *
 * GET /events?cohort=ID (la_adviser or viewer signed in; else 403) is a
 * text/event-stream of the events of cohort ID (every event without
 * cohort), each as "id: SEQ", "event: TYPE" (the event's type: a page's
 * script listens with addEventListener(TYPE)) and "data: {the event}".
 * A reconnecting EventSource sends Last-Event-ID and gets exactly what it
 * missed; a page may start the stream where the data it was drawn from
 * ends with ?after=SEQ (used when no Last-Event-ID is sent).
 */
void sse_event(const json_t *ev);

#endif
