/*
 * bench_webpage.c: pw-bench-webpage, pathway-web's dashboard and action
 * pages timed against pathwayd's own replies (tests/bench/web.sh:
 * "the dashboard for a cohort of 1,000 applications rendered in under 50
 * ms; an action page's round trip including pathwayd's durable commit").
 * pw-bench-web builds the cohort and signs the LA adviser in.
 *
 *   pw-bench-webpage dash PORT ENDPOINT SESSION COHORT ROUNDS
 *	ROUNDS times (after one warm-up), one request at a time, alternating:
 *	GET /dashboard?cohort=COHORT and GET /dashboard/part?cohort=COHORT
 *	with the session cookie (a new connection each, read to the end), and
 *	the baseline, application.list of the cohort with the session token
 *	straight to pathwayd (pages of 1000 until "next" is null; from each
 *	send to its reply, parsed after the clock stops).
 *   pw-bench-webpage action PORT ENDPOINT LINKS_FILE APPS_FILE N
 *	For the last 2N applications of APPS_FILE, the action link emailed to
 *	their headteacher (signoff-needed), alternately: through pathway-web,
 *	GET /a/TOKEN (the form and its CSRF field; timed apart), then POST
 *	/a/TOKEN submitting the evidence form, timed from the request to the
 *	end of the response (checked: 200, "Form submitted"); and the
 *	baseline, the same application.submit with the same kind of token
 *	straight to pathwayd's api (N of each).
 *
 * Results are "BENCH name=web.* key=value" lines on stdout; notes on stderr.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define BENCH_PROG "pw-bench-webpage"
#include "bench_zmq.h"
#include "bench_util.h"

#define TIMEOUT_MS 60000
#define ID_LEN 32
#define WINDOW 128
#define LA_EMAIL "la@bench.example.org"

/* ---- statistics ---- */

/* ---- HTTP: one request on a new connection, read to the end ---- */

struct http_reply {
	int status;
	char *raw; /* the whole response, NUL-terminated */
	size_t len;
	const char *body;
};

static void
http(int port, const char *method, const char *path, const char *cookie, const char *form,
     struct http_reply *out)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	size_t cap = 65536;
	char head[1024];
	int hn;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("cannot connect to pathway-web on port %s", "(PORT)");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	hn = snprintf(head, sizeof head,
		      "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s%s%s", method,
		      path, port, cookie ? "Cookie: " : "", cookie ? cookie : "",
		      cookie ? "\r\n" : "");
	if (form != NULL)
		hn += snprintf(head + hn, sizeof head - (size_t)hn,
			       "Content-Type: application/x-www-form-urlencoded\r\n"
			       "Content-Length: %zu\r\n",
			       strlen(form));
	hn += snprintf(head + hn, sizeof head - (size_t)hn, "\r\n");
	if (write(fd, head, (size_t)hn) != hn ||
	    (form != NULL && write(fd, form, strlen(form)) != (ssize_t)strlen(form)))
		die("%s", "cannot send an HTTP request");
	out->raw = malloc(cap);
	out->len = 0;
	for (;;) {
		ssize_t n;

		if (out->len + 1 >= cap)
			out->raw = realloc(out->raw, cap *= 2);
		if (out->raw == NULL)
			die("%s", "out of memory");
		n = read(fd, out->raw + out->len, cap - out->len - 1);
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
	close(fd);
	out->raw[out->len] = '\0';
	out->status = out->len > 12 ? atoi(out->raw + 9) : 0;
	out->body = strstr(out->raw, "\r\n\r\n");
	out->body = out->body ? out->body + 4 : out->raw + out->len;
}

static json_t *
evidence_fields(void)
{
	return json_pack("{s:b, s:s, s:s, s:[s]}", "met_candidate", 1, "evidence",
			 "Has led the reading programme across the school with clear impact on "
			 "outcomes; coaches two middle leaders; presented to governors twice.",
			 "ready_for", "Headship", "succession_priorities",
			 "Support for aspiring headteachers");
}

/* ---- the dashboard ---- */

static int
dash(int port, const char *endpoint, const char *session, const char *coh, int rounds)
{
	void *s = dealer(endpoint);
	struct lat page = {0}, part = {0}, list = {0};
	char cookie[600], path[256], ppath[256];
	long napps = 0;

	snprintf(cookie, sizeof cookie, "pw_session=%s", session);
	snprintf(path, sizeof path, "/dashboard?cohort=%s", coh);
	snprintf(ppath, sizeof ppath, "/dashboard/part?cohort=%s", coh);
	for (int r = -1; r < rounds; r++) { /* round -1: a warm-up, not counted */
		struct http_reply h;
		double t;
		const char *after = NULL;
		char *afterbuf = NULL;
		long got = 0, bytes = 0;

		t = now_s();
		http(port, "GET", path, cookie, NULL, &h);
		t = (now_s() - t) * 1e3;
		if (h.status != 200 || strstr(h.body, "</html>") == NULL) {
			if (page.errors++ == 0)
				fprintf(stderr, "pw-bench-webpage: dashboard: %.300s\n", h.raw);
		}
		if (r >= 0) {
			lat_add(&page, t);
			page.bytes += (double)h.len;
		}
		free(h.raw);

		t = now_s();
		http(port, "GET", ppath, cookie, NULL, &h);
		t = (now_s() - t) * 1e3;
		if (h.status != 200 && part.errors++ == 0)
			fprintf(stderr, "pw-bench-webpage: dashboard part: %.300s\n", h.raw);
		if (r >= 0) {
			lat_add(&part, t);
			part.bytes += (double)h.len;
		}
		free(h.raw);

		/*
		 * The baseline: every application of the cohort, straight from pathwayd,
		 * timed from each send to its reply (the reply parsed off the clock).
		 */
		t = 0;
		do {
			json_t *args = json_pack("{s:s, s:i}", "cohort", coh, "limit", 1000);
			char rid[32], *rep = NULL;
			json_t *q, *rj, *next;
			long n;

			if (after != NULL)
				json_object_set_new(args, "after", json_string(after));
			snprintf(rid, sizeof rid, "l-%d-%ld", r, got);
			q = json_pack("{s:s, s:s, s:s, s:o}", "id", rid, "cmd", "application.list",
				      "token", session, "args", args);
			t -= now_s();
			send_json(s, q);
			n = recv_msg(s, &rep, TIMEOUT_MS);
			t += now_s();
			json_decref(q);
			if (n < 0)
				die("%s", "no reply to application.list");
			bytes += n;
			rj = json_loads(rep, 0, NULL);
			if (rj == NULL || !json_is_true(json_object_get(rj, "ok")))
				die("application.list refused: %.300s", rep);
			got += (long)json_array_size(
			    json_object_get(json_object_get(rj, "data"), "applications"));
			next = json_object_get(json_object_get(rj, "data"), "next");
			free(afterbuf);
			afterbuf = json_is_string(next) ? strdup(json_string_value(next)) : NULL;
			after = afterbuf;
			json_decref(rj);
			free(rep);
		} while (after != NULL);
		t *= 1e3;
		napps = got;
		if (r >= 0) {
			lat_add(&list, t);
			list.bytes += (double)bytes;
		}
	}
	lat_print("web.dashboard", &page);
	lat_print("web.dashboard_part", &part);
	lat_print("web.app_list", &list);
	printf("BENCH name=web.dashboard_cohort cohort=%s applications=%ld rounds=%d\n", coh, napps,
	       rounds);
	zmq_close(s);
	return page.errors || part.errors ? 1 : 0;
}

/* ---- action pages ---- */

static void
form_add(char **form, size_t *len, const char *name, const char *value)
{
	size_t cap = *len + 3 * strlen(name) + 3 * strlen(value) + 4;
	char *p;

	*form = realloc(*form, cap);
	if (*form == NULL)
		die("%s", "out of memory");
	p = *form + *len;
	if (*len > 0)
		*p++ = '&';
	for (int k = 0; k < 2; k++) {
		for (const unsigned char *c = (const unsigned char *)(k ? value : name); *c; c++) {
			if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.')
				*p++ = (char)*c;
			else
				p += sprintf(p, "%%%02X", *c);
		}
		if (k == 0)
			*p++ = '=';
	}
	*p = '\0';
	*len = (size_t)(p - *form);
}

static int
action(int port, const char *endpoint, const char *links, const char *appsfile, long n)
{
	void *s = dealer(endpoint);
	FILE *f = fopen(appsfile, "r");
	char line[ID_LEN], (*ids)[ID_LEN] = NULL;
	long nids = 0;
	struct lat web = {0}, api = {0}, page = {0};

	if (f == NULL)
		die("cannot read %s", appsfile);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		ids = realloc(ids, (size_t)(nids + 1) * sizeof *ids);
		snprintf(ids[nids++], ID_LEN, "%s", line);
	}
	fclose(f);
	if (nids < 2 * n)
		die("%s", "fewer applications than 2N");
	for (long k = 0; k < 2 * n; k++) {
		const char *app = ids[nids - 2 * n + k];
		char *url = find_link(links, "signoff-needed", NULL, app), *tok, *csrf,
		     *form = NULL, path[600];
		size_t flen = 0;
		double t;

		if (url == NULL || (tok = strstr(url, "/a/")) == NULL)
			die("no action link for %s", app);
		tok += 3;
		snprintf(path, sizeof path, "/a/%s", tok);
		if (k % 2 == 0) { /* through pathway-web */
			struct http_reply h;

			t = now_s();
			http(port, "GET", path, NULL, NULL, &h);
			lat_add(&page, (now_s() - t) * 1e3);
			page.bytes += (double)h.len;
			csrf = strstr(h.body, "name=\"csrf\" value=\"");
			if (h.status != 200 || csrf == NULL)
				die("the action page has no form: %.400s", h.raw);
			csrf += strlen("name=\"csrf\" value=\"");
			csrf[strcspn(csrf, "\"")] = '\0';
			form_add(&form, &flen, "csrf", csrf);
			free(h.raw);
			form_add(&form, &flen, "do", "submit");
			form_add(&form, &flen, "form", "evidence_form");
			form_add(&form, &flen, "f.met_candidate", "yes");
			form_add(&form, &flen, "f.evidence",
				 "Has led the reading programme across the school with clear "
				 "impact on outcomes; coaches two middle leaders; presented to "
				 "governors twice.");
			form_add(&form, &flen, "f.ready_for", "Headship");
			form_add(&form, &flen, "f.succession_priorities",
				 "Support for aspiring headteachers");
			t = now_s();
			http(port, "POST", path, NULL, form, &h);
			t = (now_s() - t) * 1e3;
			if (h.status != 200 || strstr(h.body, "Form submitted") == NULL) {
				if (web.errors++ == 0)
					fprintf(stderr, "pw-bench-webpage: POST %s: %.600s\n", path,
						h.raw);
			}
			lat_add(&web, t);
			web.bytes += (double)h.len;
			free(h.raw);
			free(form);
		} else { /* the baseline: the same command and token, straight to pathwayd */
			char rid[32], *rep = NULL;
			json_t *q, *r;
			long got;

			snprintf(rid, sizeof rid, "a-%ld", k);
			q = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:o}}", "id", rid, "cmd",
				      "application.submit", "token", tok, "args", "app", app, "doc",
				      "evidence_form", "fields", evidence_fields());
			t = now_s();
			send_json(s, q);
			got = recv_msg(s, &rep, TIMEOUT_MS);
			t = (now_s() - t) * 1e3;
			json_decref(q);
			if (got < 0)
				die("%s", "no reply to application.submit");
			r = json_loads(rep, 0, NULL);
			if (r == NULL || !json_is_true(json_object_get(r, "ok"))) {
				if (api.errors++ == 0)
					fprintf(stderr,
						"pw-bench-webpage: submit refused: %.400s\n", rep);
			}
			json_decref(r);
			lat_add(&api, t);
			api.bytes += (double)got;
			free(rep);
		}
		free(url);
	}
	lat_print("web.action_get", &page);
	lat_print("web.action_post", &web);
	lat_print("web.action_api", &api);
	zmq_close(s);
	free(ids);
	return web.errors || api.errors ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	zctx = zmq_ctx_new();
	if (argc == 7 && strcmp(argv[1], "dash") == 0)
		rc = dash(atoi(argv[2]), argv[3], argv[4], argv[5], atoi(argv[6]));
	else if (argc == 7 && strcmp(argv[1], "action") == 0)
		rc = action(atoi(argv[2]), argv[3], argv[4], argv[5], atol(argv[6]));
	else
		fprintf(stderr,
			"usage: pw-bench-webpage dash PORT ENDPOINT SESSION COHORT ROUNDS\n"
			"       pw-bench-webpage action PORT ENDPOINT LINKS_FILE APPS_FILE N\n");
	fflush(stdout);
	return rc;
}
