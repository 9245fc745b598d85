/*
 * http.c: one HTTP exchange, from MHD's access handler to the response. It
 * owns the route table (method, path or prefix, page), the requests in
 * flight (struct req: the decoded path, query and form fields, the person
 * signed in, the cookies and headers the reply will set) and what every
 * reply carries: the security headers and the cookies' attributes.
 *
 * A request goes: headers in (a body over 64 KiB refused with 413), body
 * in, then route (404, 405), the login rate limit (429), the CSRF check of
 * a POST (403), auth.whoami for a session cookie, the page. While anything
 * waits for pathwayd the connection is suspended; req_reply resumes it and
 * MHD calls the handler once more to queue the response made meanwhile.
 * Refusals are drawn by the error page a page file registers
 * (http_error_page), or as plain text when none did.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core.h"
#include "form.h"
#include "proto.h"

#define BODY_MAX (64 * 1024)
#define CSRF_LEN 16 /* bytes of keyed BLAKE2b */

enum req_state { REQ_RECEIVING, REQ_RUNNING, REQ_DONE };

struct req {
	struct MHD_Connection *conn;
	char *method, *path;
	enum req_state state;
	struct pw_buf body;
	int too_large, bad_form;
	json_t *query, *form; /* name -> [values] */
	const struct route *route;
	char *cookie_session; /* the pw_session cookie as sent */
	char *session;	      /* the same once auth.whoami said it is a session */
	json_t *person;	      /* auth.whoami's data for it */
	char *url_token;      /* /a/TOKEN, /login/TOKEN */
	char anon[32];	      /* the pw_anon cookie, or a new value */
	int anon_new, anon_used;
	char client[64];
	json_t *csrf;	     /* token -> its CSRF value */
	json_t *set_cookies; /* Set-Cookie values */
	json_t *headers;     /* [[name, value]...] */
	struct MHD_Response *resp;
	unsigned status;
	int suspended;
	int64_t started;
	struct req *prev, *next; /* every request in flight */
};

struct route {
	char *method, *path;
	int prefix; /* path ends with '/': every path under it */
	page_fn fn;
};

static const struct web_conf *conf;
static struct route *routes;
static size_t nroutes;
static struct req *live;
static http_error_fn error_page;
static unsigned char csrf_key[crypto_generichash_KEYBYTES];

static const char *const SECURITY_HEADERS[][2] = {
    {"Content-Security-Policy",
     "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
     "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
};

void
http_init(const struct web_conf *c)
{
	conf = c;
	randombytes_buf(csrf_key, sizeof csrf_key);
}

void
http_route(const char *method, const char *path, page_fn fn)
{
	size_t n = strlen(path);

	if (n == 0 || path[0] != '/')
		fatal("route %s %s: a path starts with /", method, path);
	routes = xrealloc(routes, (nroutes + 1) * sizeof *routes);
	routes[nroutes].method = xstrdup(method);
	routes[nroutes].path = xstrdup(path);
	routes[nroutes].prefix = n > 1 && path[n - 1] == '/';
	routes[nroutes].fn = fn;
	nroutes++;
}

void
http_error_page(http_error_fn fn)
{
	error_page = fn;
}

void
http_free(void)
{
	for (size_t i = 0; i < nroutes; i++) {
		free(routes[i].method);
		free(routes[i].path);
	}
	free(routes);
	routes = NULL;
	nroutes = 0;
	sodium_memzero(csrf_key, sizeof csrf_key);
}

/* The route for method and path: an exact path first, then the longest prefix. */
static const struct route *
route_find(const char *method, const char *path, int *other_method)
{
	const struct route *best = NULL;
	size_t best_len = 0;

	*other_method = 0;
	for (size_t i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		size_t n = strlen(rt->path);
		int match = rt->prefix ? strncmp(path, rt->path, n) == 0 && path[n] != '\0'
				       : strcmp(path, rt->path) == 0;

		if (!match)
			continue;
		if (strcmp(rt->method, method) != 0) {
			*other_method = 1;
			continue;
		}
		if (!rt->prefix)
			return rt;
		if (n > best_len)
			best = rt, best_len = n;
	}
	return best;
}

/* The methods path answers, for a 405's Allow header. */
static void
route_allow(const char *path, struct pw_buf *b)
{
	for (size_t i = 0; i < nroutes; i++) {
		size_t n = strlen(routes[i].path);

		if (routes[i].prefix ? strncmp(path, routes[i].path, n) == 0
				     : strcmp(path, routes[i].path) == 0) {
			if (b->len > 0 && strstr(b->p, routes[i].method) != NULL)
				continue;
			pw_buf_addf(b, "%s%s", b->len ? ", " : "", routes[i].method);
			if (strcmp(routes[i].method, "GET") == 0)
				pw_buf_adds(b, ", HEAD");
		}
	}
}

/* ---- accessors ------------------------------------------------------------------ */

const char *
req_method(const struct req *r)
{
	return r->method;
}

const char *
req_path(const struct req *r)
{
	return r->path;
}

const char *
req_arg(const struct req *r, const char *name)
{
	json_t *v = json_object_get(r->form, name);

	if (v == NULL)
		v = json_object_get(r->query, name);
	return json_string_value(json_array_get(v, 0));
}

json_t *
req_args(const struct req *r, const char *name)
{
	json_t *v = json_object_get(r->form, name);

	if (v == NULL)
		v = json_object_get(r->query, name);
	return v != NULL ? json_deep_copy(v) : json_array();
}

const char *
req_cookie(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *
req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
req_client(const struct req *r)
{
	return r->client;
}

const char *
req_session(const struct req *r)
{
	return r->session;
}

const json_t *
req_person(const struct req *r)
{
	return r->person;
}

struct MHD_Connection *
req_connection(const struct req *r)
{
	return r->conn;
}

/* The peer's address; with trust_proxy, the last address X-Forwarded-For names. */
static void
client_set(struct req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff = req_header(r, "X-Forwarded-For"), *last;
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	size_t n;

	snprintf(r->client, sizeof r->client, "unknown");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->client,
			  sizeof r->client);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->client,
			  sizeof r->client);
	if (!conf->trust_proxy || xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	last += strspn(last, " \t");
	n = strcspn(last, " \t");
	if (n > 0 && n < sizeof r->client) {
		memcpy(r->client, last, n);
		r->client[n] = '\0';
	}
}

/* ---- CSRF -------------------------------------------------------------------- */

/* The CSRF value of token: base64url of a keyed BLAKE2b, cached in r. */
static const char *
csrf_of(struct req *r, const char *token)
{
	unsigned char mac[CSRF_LEN];
	char out[sodium_base64_ENCODED_LEN(CSRF_LEN, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	const char *have = json_string_value(json_object_get(r->csrf, token));

	if (have != NULL)
		return have;
	crypto_generichash(mac, sizeof mac, (const unsigned char *)token, strlen(token), csrf_key,
			   sizeof csrf_key);
	sodium_bin2base64(out, sizeof out, mac, sizeof mac,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	json_object_set_new(r->csrf, token, json_string(out));
	return json_string_value(json_object_get(r->csrf, token));
}

const char *
req_csrf(const struct req *cr, const char *token)
{
	/* The request is ours and not const: the cache and the anonymous cookie change. */
	struct req *r = (struct req *)cr;

	if (token == NULL)
		token = r->session;
	if (token == NULL) {
		token = r->anon;
		r->anon_used = 1;
	}
	return csrf_of(r, token);
}

/*
 * A POST's csrf field must be the CSRF value of a token the request holds
 * and a forger cannot: the link's token in its URL, the session cookie or,
 * only when there is no session (the login form), the anonymous cookie set
 * with the form that carried it: a cookie another site planted must not
 * stand for a signed-in person's.
 */
static int
csrf_ok(struct req *r)
{
	const char *sent = json_string_value(json_array_get(json_object_get(r->form, "csrf"), 0));
	const char *held[3] = {r->url_token, r->cookie_session,
			       r->cookie_session == NULL && !r->anon_new ? r->anon : NULL};

	if (sent == NULL || origin_cross_site(req_header(r, "Sec-Fetch-Site"),
					      req_header(r, "Origin"), conf->base_url))
		return 0;
	for (int i = 0; i < 3; i++) {
		const char *want =
		    held[i] != NULL && held[i][0] != '\0' ? csrf_of(r, held[i]) : NULL;

		if (want != NULL && strlen(want) == strlen(sent) &&
		    sodium_memcmp(want, sent, strlen(sent)) == 0)
			return 1;
	}
	return 0;
}

/* ---- replies -------------------------------------------------------------------- */

void
req_set_cookie(struct req *r, const char *name, const char *value, int max_age)
{
	char age[32] = "";

	if (name[strcspn(name, "=;, \t\r\n")] != '\0')
		fatal("cookie name %s", name);
	if (value[strcspn(value, ";, \t\r\n\"\\")] != '\0') {
		log_error("cookie %s: a value with separators is not set", name);
		return;
	}
	if (max_age >= 0)
		snprintf(age, sizeof age, "; Max-Age=%d", max_age);
	json_array_append_new(r->set_cookies,
			      json_sprintf("%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, value,
					   age, conf->https ? "; Secure" : ""));
}

void
req_add_header(struct req *r, const char *name, const char *value)
{
	if (name[strcspn(name, ": \t\r\n")] != '\0' || value[strcspn(value, "\r\n")] != '\0') {
		log_error("header %s: not added (separators or a line break)", name);
		return;
	}
	json_array_append_new(r->headers, json_pack("[s, s]", name, value));
}

/* The headers every response carries, then r's own, cookies and content type. */
static void
headers_add(struct req *r, struct MHD_Response *resp, const char *type)
{
	size_t i;
	json_t *h;
	int cache = 0;

	for (i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
		MHD_add_response_header(resp, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
	if (conf->tls_cert != NULL)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (type != NULL)
		MHD_add_response_header(resp, "Content-Type", type);
	json_array_foreach(r->headers, i, h)
	{
		const char *name = json_string_value(json_array_get(h, 0));

		cache |= strcasecmp(name, "Cache-Control") == 0;
		MHD_add_response_header(resp, name, json_string_value(json_array_get(h, 1)));
	}
	if (!cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->anon_used && r->anon_new)
		req_set_cookie(r, "pw_anon", r->anon, -1);
	json_array_foreach(r->set_cookies, i, h)
	{
		MHD_add_response_header(resp, "Set-Cookie", json_string_value(h));
	}
}

static void
finish(struct req *r, unsigned status, struct MHD_Response *resp, const char *type)
{
	if (r->resp != NULL || r->state == REQ_DONE)
		fatal("%s %s: replied twice", r->method, r->path);
	headers_add(r, resp, type);
	r->resp = resp;
	r->status = status;
	if (r->suspended) {
		r->suspended = 0;
		MHD_resume_connection(r->conn);
	}
}

void
req_reply(struct req *r, int status, struct pw_buf *body, const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    body->len, body->p != NULL ? body->p : (void *)"",
	    body->p != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);

	body->p = NULL;
	body->len = body->cap = 0;
	finish(r, (unsigned)status, resp, type);
}

void
req_redirect(struct req *r, const char *location)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

	/* Only to a path of ours: never //elsewhere or a scheme. */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\' ||
	    location[strcspn(location, "\r\n")] != '\0') {
		log_error("%s %s: a redirect to %s refused", r->method, r->path, location);
		location = "/";
	}
	MHD_add_response_header(resp, "Location", location);
	finish(r, 303, resp, NULL);
}

void
req_reply_stream(struct req *r, const char *type, MHD_ContentReaderCallback reader, void *cls,
		 MHD_ContentReaderFreeCallback free_cb)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, reader, cls, free_cb);

	MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: pass it on at once */
	finish(r, 200, resp, type);
}

static const char *
status_words(int status)
{
	switch (status) {
	case 400:
		return "The request could not be understood.";
	case 403:
		return "This request was refused. If you were filling in a form, go back, reload "
		       "the page and try again.";
	case 404:
		return "There is no page at this address. If you typed it, check it; if it came in "
		       "an email, copy the whole link.";
	case 405:
		return "This page does not take that kind of request.";
	case 413:
		return "What was sent is too large.";
	case 429:
		return "Too many attempts from your address. Please wait a minute and try again.";
	default:
		return "Pathway is not answering just now. Please try again in a minute.";
	}
}

void
req_error(struct req *r, int status, const char *message)
{
	struct pw_buf b = {NULL, 0, 0};

	if (message == NULL)
		message = status_words(status);
	if (error_page != NULL) {
		error_page(r, status, message);
		return;
	}
	pw_buf_addf(&b, "%d %s\n", status, message);
	req_reply(r, status, &b, "text/plain; charset=utf-8");
}

/* ---- the login rate limit ------------------------------------------------------ */

#define LIMIT_SLOTS 4096 /* addresses remembered; a power of two */
#define LIMIT_PROBE 16

/* POST /login per client address and minute: a fixed window per address. */
static struct {
	char addr[64];
	int64_t start; /* seconds, monotonic */
	int count;
} limits[LIMIT_SLOTS];

static int
login_allowed(const char *addr, int64_t now)
{
	uint32_t h = 2166136261u;
	size_t slot = LIMIT_SLOTS, victim = LIMIT_SLOTS;

	for (const char *p = addr; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	/* Its own slot among the next few; else a free or stale one; else the oldest. */
	for (uint32_t i = 0; i < LIMIT_PROBE && slot == LIMIT_SLOTS; i++) {
		size_t s = (h + i) & (LIMIT_SLOTS - 1);

		if (strcmp(limits[s].addr, addr) == 0)
			slot = s;
		else if (victim == LIMIT_SLOTS || limits[s].addr[0] == '\0' ||
			 limits[s].start < limits[victim].start)
			victim = s;
	}
	if (slot == LIMIT_SLOTS) {
		slot = victim;
		snprintf(limits[slot].addr, sizeof limits[slot].addr, "%s", addr);
		limits[slot].count = 0;
		limits[slot].start = now;
	}
	if (now - limits[slot].start >= 60) {
		limits[slot].start = now;
		limits[slot].count = 0;
	}
	return ++limits[slot].count <= conf->login_per_minute;
}

/* ---- the exchange -------------------------------------------------------------- */

/* The token of an action link (/a/TOKEN...) or a login link (/login/TOKEN). */
static char *
url_token(const char *path)
{
	const char *p = NULL;

	if (strncmp(path, "/a/", 3) == 0)
		p = path + 3;
	else if (strncmp(path, "/login/", 7) == 0)
		p = path + 7;
	if (p == NULL || *p == '\0' || *p == '/')
		return NULL;
	return strndup(p, strcspn(p, "/"));
}

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct req *r = cls;

	(void)kind;
	if (form_add(r->query, key, strlen(key), value ? value : "", value ? strlen(value) : 0) !=
	    0)
		r->bad_form = 1;
	return MHD_YES;
}

static struct req *
req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct req *r = xcalloc(1, sizeof *r);
	const char *anon, *sess;

	r->conn = conn;
	r->method = xstrdup(strcmp(method, "HEAD") == 0 ? "GET" : method);
	r->path = xstrdup(url);
	r->query = json_object();
	r->form = json_object();
	r->csrf = json_object();
	r->set_cookies = json_array();
	r->headers = json_array();
	r->started = web_now_ms();
	client_set(r);
	sess = req_cookie(r, "pw_session");
	/* A token is base64url under 200 characters: anything else is no session at all. */
	if (sess != NULL && sess[0] != '\0' && strlen(sess) < 200 &&
	    sess[strspn(
		sess, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")] == '\0')
		r->cookie_session = xstrdup(sess);
	anon = req_cookie(r, "pw_anon");
	if (anon != NULL && strlen(anon) >= 16 && strlen(anon) < sizeof r->anon &&
	    anon[strspn(anon,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")] ==
		'\0') {
		snprintf(r->anon, sizeof r->anon, "%s", anon);
	} else {
		unsigned char rnd[16];

		randombytes_buf(rnd, sizeof rnd);
		sodium_bin2base64(r->anon, sizeof r->anon, rnd, sizeof rnd,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		r->anon_new = 1;
	}
	r->url_token = url_token(r->path);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, r);
	r->next = live;
	if (live != NULL)
		live->prev = r;
	live = r;
	return r;
}

static void
req_free(struct req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		live = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	if (r->resp != NULL)
		MHD_destroy_response(r->resp);
	free(r->method);
	free(r->path);
	free(r->body.p);
	json_decref(r->query);
	json_decref(r->form);
	json_decref(r->person);
	json_decref(r->csrf);
	json_decref(r->set_cookies);
	json_decref(r->headers);
	free(r->cookie_session);
	free(r->session);
	free(r->url_token);
	free(r);
}

static void
run_page(struct req *r)
{
	r->route->fn(r);
}

/* auth.whoami of the session cookie: the person, or the cookie cleared. */
static void
whoami_done(json_t *reply, void *ud)
{
	struct req *r = ud;
	const json_t *data = json_object_get(reply, "data");
	const char *code = str(json_object_get(reply, "error"), "code");

	if (reply == NULL) {
		req_error(r, 503, NULL);
		return;
	}
	if (json_is_true(json_object_get(reply, "ok")) && streq(str(data, "purpose"), "session")) {
		r->session = xstrdup(r->cookie_session);
		r->person = json_deep_copy(data);
	} else if (code == NULL || strncmp(code, "token_", 6) == 0) {
		/* Not a session (any more): signed out, and the cookie goes. */
		req_set_cookie(r, "pw_session", "", 0);
	} else {
		log_error("auth.whoami: %s: %s", code,
			  str(json_object_get(reply, "error"), "message"));
		req_error(r, 503, NULL);
		return;
	}
	run_page(r);
}

/* Everything after the body is in: route, limits, CSRF, the session, the page. */
static void
start(struct req *r)
{
	const char *ct = req_header(r, "Content-Type");
	int other = 0;
	struct pw_buf allow = {NULL, 0, 0};

	if (r->too_large) {
		req_error(r, 413, NULL);
		return;
	}
	if (strcmp(r->method, "POST") == 0 && ct != NULL &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
	    form_parse(r->form, r->body.p != NULL ? r->body.p : "", r->body.len) != 0)
		r->bad_form = 1;
	if (r->bad_form) {
		req_error(r, 400, NULL);
		return;
	}
	r->route = route_find(r->method, r->path, &other);
	if (r->route == NULL && other) {
		route_allow(r->path, &allow);
		req_add_header(r, "Allow", allow.p);
		free(allow.p);
		req_error(r, 405, NULL);
		return;
	}
	if (r->route == NULL) {
		req_error(r, 404, NULL);
		return;
	}
	if (strcmp(r->method, "POST") == 0 && strcmp(r->path, "/login") == 0 &&
	    !login_allowed(r->client, web_now_ms() / 1000)) {
		req_add_header(r, "Retry-After", "60");
		req_error(r, 429, NULL);
		return;
	}
	if (strcmp(r->method, "POST") == 0 && !csrf_ok(r)) {
		log_warn("%s: POST %s without its CSRF token: refused", r->client,
			 r->url_token ? "(a link)" : r->path);
		req_error(r, 403, NULL);
		return;
	}
	if (r->cookie_session != NULL)
		api_send("auth.whoami", r->cookie_session, NULL, whoami_done, r);
	else
		run_page(r);
}

static enum MHD_Result
queue(struct req *r)
{
	enum MHD_Result rc = MHD_queue_response(r->conn, r->status, r->resp);

	MHD_destroy_response(r->resp);
	r->resp = NULL;
	r->state = REQ_DONE;
	return rc;
}

enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct req *r = *con_cls;
	const char *cl;

	(void)cls;
	(void)version;
	if (r == NULL) {
		r = req_new(conn, url, method);
		*con_cls = r;
		cl = req_header(r, "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > BODY_MAX) {
			r->too_large = 1;
			r->state = REQ_RUNNING;
			start(r);
			return queue(r);
		}
		return MHD_YES;
	}
	if (r->state == REQ_RECEIVING && *upload_size > 0) {
		if (r->body.len + *upload_size > BODY_MAX)
			r->too_large = 1;
		else
			pw_buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->state == REQ_RECEIVING) {
		r->state = REQ_RUNNING;
		start(r);
	}
	if (r->state == REQ_DONE)
		return MHD_NO; /* called again after the response: never expected */
	if (r->resp == NULL) {
		/* The page waits for pathwayd: req_reply resumes the connection. */
		r->suspended = 1;
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	return queue(r);
}

/* The path for the log: a link's token is a secret, and stays out of it. */
static void
log_path(const struct req *r, char *out, size_t n)
{
	if (r->url_token != NULL)
		snprintf(out, n, "%s", strncmp(r->path, "/a/", 3) == 0 ? "/a/…" : "/login/…");
	else
		snprintf(out, n, "%s", r->path);
}

void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	       enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	char path[256];

	(void)cls;
	(void)conn;
	if (r == NULL)
		return;
	log_path(r, path, sizeof path);
	log_info("%s %s %s: %u%s (%lld ms)", r->client, r->method, path, r->status,
		 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ", cut short",
		 (long long)(web_now_ms() - r->started));
	req_free(r);
	*con_cls = NULL;
}

void
http_stop(void)
{
	for (struct req *r = live; r != NULL; r = r->next)
		if (r->suspended && r->resp == NULL) {
			log_warn("%s %s: still waiting at the stop", r->method, r->path);
			req_error(r, 503, NULL);
		}
}
