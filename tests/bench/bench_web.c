/*
 * bench_web.c: pw-bench-web, the set-up and sign-in of the pathway-web
 * benchmark (tests/bench/web.sh). pw-bench-webpage times the
 * dashboard and action pages, pw-bench-websse the live stream.
 *
 *   pw-bench-web worker ENDPOINT LINKS_FILE
 *	A notification worker on pathwayd's workers socket that reports every
 *	job done at once (a mailer that never fails) and appends, for each job
 *	that carries a login or action link, "TEMPLATE EMAIL APP URL" to
 *	LINKS_FILE (APP "-" when none). Runs until killed.
 *   pw-bench-web setup ENDPOINT COHORT N RESERVE APPS_FILE ROTATION_FILE
 *	Through the API, as the operator, pipelined (128 in flight): N/10
 *	schools with a headteacher each, an LA adviser (la@bench.example.org),
 *	N candidates, an application each in COHORT with its self-evaluation
 *	submitted (so it waits at the headteacher's sign-off, and the head is
 *	emailed an action link to the evidence form); then, leaving the last
 *	RESERVE applications at the sign-off, 4 in 10 of the others have the
 *	evidence form submitted and signed off (LA selection) and half of those
 *	are accepted (the 360): a cohort at several stages. APPS_FILE: the
 *	application ids in order; ROTATION_FILE: those left at the sign-off
 *	and not reserved (pw-bench-websse submits their evidence forms).
 *   pw-bench-web login ENDPOINT LINKS_FILE EMAIL
 *	auth.link for EMAIL, the token read from the link the worker wrote,
 *	auth.session: prints the session token.
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

#define BENCH_PROG "pw-bench-web"
#include "bench_zmq.h"
#include "bench_util.h"

#define TIMEOUT_MS 60000
#define ID_LEN 32
#define WINDOW 128
#define LA_EMAIL "la@bench.example.org"

/* One request, its reply's "data" (new reference); dies on a refusal. */
static json_t *
call(void *s, json_t *q)
{
	static long seq;
	char rid[32], *rep = NULL;
	json_t *r, *data;

	snprintf(rid, sizeof rid, "c-%ld-%ld", (long)getpid(), seq++);
	json_object_set_new(q, "id", json_string(rid));
	send_json(s, q);
	if (recv_msg(s, &rep, TIMEOUT_MS) < 0)
		die("no reply to %s", json_string_value(json_object_get(q, "cmd")));
	r = json_loads(rep, 0, NULL);
	if (r == NULL || !json_is_true(json_object_get(r, "ok")))
		die("refused: %.600s", rep);
	data = json_incref(json_object_get(r, "data"));
	json_decref(r);
	json_decref(q);
	free(rep);
	return data;
}

/* ---- worker ---- */

static int
worker(const char *endpoint, const char *file)
{
	void *s = dealer(endpoint);
	FILE *f = fopen(file, "a");
	double last = 0;

	if (f == NULL)
		die("cannot write %s", file);
	send_json(s, json_pack("{s:s, s:i, s:s, s:i}", "type", "ready", "credit", 1000, "name",
			       "bench-web", "protocol", 3));
	for (;;) {
		char *m = NULL;
		json_t *r, *job, *vars;
		const char *url;

		if (recv_msg(s, &m, 300) >= 0 && (r = json_loads(m, 0, NULL)) != NULL) {
			job = json_object_get(r, "job");
			if (json_is_object(job) &&
			    strcmp(json_string_value(json_object_get(r, "type")) ?: "", "job") ==
				0) {
				vars = json_object_get(job, "vars");
				url = json_string_value(json_object_get(vars, "login_url"));
				if (url == NULL || strstr(url, "/login/") == NULL)
					url =
					    json_string_value(json_object_get(vars, "action_url"));
				if (url != NULL && (strstr(url, "/login/") != NULL ||
						    strstr(url, "/a/") != NULL)) {
					fprintf(f, "%s %s %s %s\n",
						json_string_value(json_object_get(
						    json_object_get(job, "template"), "name"))
						    ?: "-",
						json_string_value(json_object_get(
						    json_object_get(job, "to"), "email"))
						    ?: "-",
						json_string_value(json_object_get(vars, "app_id"))
						    ?: "-",
						url);
					fflush(f);
				}
				send_json(s, json_pack("{s:s, s:O}", "type", "done", "job",
						       json_object_get(job, "id")));
			}
			json_decref(r);
		}
		free(m);
		if (now_s() - last > 1) {
			send_json(s, json_pack("{s:s}", "type", "heartbeat"));
			last = now_s();
		}
	}
}

/* ---- set-up ---- */

static const char *cohort;
static long ncand, nschools, nmove;
static char (*apps)[ID_LEN];

static json_t *
req(const char *cmd, json_t *args)
{
	return json_pack("{s:s, s:s, s:o}", "cmd", cmd, "actor", "operator", "args", args);
}

static json_t *
req_as(const char *cmd, const char *actor, json_t *args)
{
	return json_pack("{s:s, s:s, s:o}", "cmd", cmd, "actor", actor, "args", args);
}

static json_t *
make_school(long s)
{
	char id[ID_LEN], name[64];

	snprintf(id, sizeof id, "wbs%04ld", s);
	snprintf(name, sizeof name, "Web Bench Primary School %ld", s);
	return req("school.create",
		   json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "phase", "primary"));
}

static json_t *
make_head(long s)
{
	char id[ID_LEN], sc[ID_LEN], name[64], email[64];

	snprintf(id, sizeof id, "wbh%04ld", s);
	snprintf(sc, sizeof sc, "wbs%04ld", s);
	snprintf(name, sizeof name, "Head Teacher %ld", s);
	snprintf(email, sizeof email, "whead%ld@bench.example.org", s);
	return req("person.create",
		   json_pack("{s:s, s:s, s:s, s:[s], s:s}", "id", id, "name", name, "email", email,
			     "roles", "headteacher", "school", sc));
}

static json_t *
make_la(long i)
{
	(void)i;
	return req("person.create",
		   json_pack("{s:s, s:s, s:s, s:[s]}", "id", "wla0001", "name", "Lara Adviser",
			     "email", LA_EMAIL, "roles", "la_adviser"));
}

static json_t *
make_candidate(long i)
{
	char id[ID_LEN], sc[ID_LEN], name[64], email[64];

	snprintf(id, sizeof id, "wbc%05ld", i);
	snprintf(sc, sizeof sc, "wbs%04ld", i % nschools);
	snprintf(name, sizeof name, "Candidate Number %ld", i);
	snprintf(email, sizeof email, "wcand%ld@bench.example.org", i);
	return req("person.create", json_pack("{s:s, s:s, s:s, s:[s], s:s}", "id", id, "name", name,
					      "email", email, "roles", "candidate", "school", sc));
}

static json_t *
make_app(long i)
{
	char c[ID_LEN];

	snprintf(c, sizeof c, "wbc%05ld", i);
	return req("application.create", json_pack("{s:s, s:s}", "cohort", cohort, "candidate", c));
}

static json_t *
make_self_eval(long i)
{
	char c[ID_LEN];
	json_t *f = self_eval_fields();

	snprintf(c, sizeof c, "wbc%05ld", i);
	return req_as(
	    "application.submit", c,
	    json_pack("{s:s, s:s, s:o}", "app", apps[i], "doc", "self_evaluation", "fields", f));
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

/* The applications moved on: 4 in 10 of the first nmove. */
static long
moved(long k)
{
	return k / 4 * 10 + k % 4;
}

static json_t *
make_evidence(long k)
{
	char h[ID_LEN];
	long i = moved(k);

	snprintf(h, sizeof h, "wbh%04ld", i % nschools);
	return req_as("application.submit", h,
		      json_pack("{s:s, s:s, s:o}", "app", apps[i], "doc", "evidence_form", "fields",
				evidence_fields()));
}

static json_t *
make_signoff(long k)
{
	char h[ID_LEN];
	long i = moved(k);

	snprintf(h, sizeof h, "wbh%04ld", i % nschools);
	return req_as("application.signoff", h, json_pack("{s:s}", "app", apps[i]));
}

static json_t *
make_decide(long k)
{
	return req("application.decide",
		   json_pack("{s:s, s:s}", "app", apps[moved(2 * k)], "outcome", "accept"));
}

static void
on_app_created(long i, json_t *data)
{
	const char *id =
	    json_string_value(json_object_get(json_object_get(data, "application"), "id"));

	if (id == NULL || strlen(id) >= ID_LEN)
		die("%s", "application.create replied without an application id");
	snprintf(apps[i], ID_LEN, "%s", id);
}

/* Send make(0..n-1), WINDOW in flight on one DEALER; dies on the first refusal. */
static void
phase(void *s, const char *name, long n, json_t *(*make)(long), void (*on_reply)(long, json_t *))
{
	long sent = 0, got = 0;
	double t0 = now_s(), t1;

	while (got < n) {
		char *rep = NULL;
		json_t *r, *id;
		long i;

		while (sent < n && sent - got < WINDOW) {
			json_t *q = make(sent);
			char rid[64];

			snprintf(rid, sizeof rid, "w-%s-%ld", name, sent);
			json_object_set_new(q, "id", json_string(rid));
			send_json(s, q);
			json_decref(q);
			sent++;
		}
		if (recv_msg(s, &rep, TIMEOUT_MS) < 0)
			die("no reply in time during %s", name);
		r = json_loads(rep, 0, NULL);
		if (r == NULL || !json_is_true(json_object_get(r, "ok"))) {
			fprintf(stderr, "pw-bench-web: %s refused: %.600s\n", name, rep);
			exit(1);
		}
		id = json_object_get(r, "id");
		i = json_is_string(id) ? strtol(strrchr(json_string_value(id), '-') + 1, NULL, 10)
				       : -1;
		if (i < 0 || i >= n)
			die("reply with an unexpected id: %.300s", rep);
		if (on_reply)
			on_reply(i, json_object_get(r, "data"));
		json_decref(r);
		free(rep);
		got++;
	}
	t1 = now_s();
	printf("BENCH name=web.setup phase=%s n=%ld secs=%.3f ops_per_s=%.1f window=%d\n", name, n,
	       t1 - t0, (double)n / (t1 - t0), WINDOW);
}

static int
setup(const char *endpoint, long n, long reserve, const char *out, const char *rotation)
{
	char *mv;
	void *s = dealer(endpoint);
	double t0 = now_s();
	FILE *f;

	ncand = n;
	nschools = n / 10 > 0 ? n / 10 : 1;
	nmove = (n - reserve) / 10 * 4;
	apps = calloc((size_t)n, sizeof *apps);
	if (apps == NULL || reserve > n)
		die("%s", "RESERVE is larger than N, or out of memory");
	phase(s, "school.create", nschools, make_school, NULL);
	phase(s, "person.create(headteacher)", nschools, make_head, NULL);
	phase(s, "person.create(la_adviser)", 1, make_la, NULL);
	phase(s, "person.create(candidate)", n, make_candidate, NULL);
	phase(s, "application.create", n, make_app, on_app_created);
	phase(s, "submit(self_evaluation)", n, make_self_eval, NULL);
	phase(s, "submit(evidence_form)", nmove, make_evidence, NULL);
	phase(s, "application.signoff", nmove, make_signoff, NULL);
	phase(s, "application.decide", nmove / 2, make_decide, NULL);
	printf("BENCH name=web.setup_total applications=%ld schools=%ld at_signoff=%ld "
	       "at_selection=%ld at_360=%ld secs=%.2f\n",
	       n, nschools, n - nmove, nmove - nmove / 2, nmove / 2, now_s() - t0);
	f = fopen(out, "w");
	if (f == NULL)
		die("cannot write %s", out);
	for (long i = 0; i < n; i++)
		fprintf(f, "%s\n", apps[i]);
	fclose(f);
	mv = calloc((size_t)n, 1);
	f = fopen(rotation, "w");
	if (f == NULL || mv == NULL)
		die("cannot write %s", rotation);
	for (long k = 0; k < nmove; k++)
		mv[moved(k)] = 1;
	for (long i = 0; i < n - reserve; i++)
		if (!mv[i])
			fprintf(f, "%s\n", apps[i]);
	fclose(f);
	free(mv);
	zmq_close(s);
	return 0;
}

/* ---- sign-in ---- */

static int
login(const char *endpoint, const char *links, const char *email)
{
	void *s = dealer(endpoint);
	char *url = NULL, *old = find_link(links, "login-link", email, NULL);
	double end;
	json_t *d;

	json_decref(call(s, json_pack("{s:s, s:s, s:{s:s}}", "cmd", "auth.link", "actor",
				      "operator", "args", "email", email)));
	for (end = now_s() + 20; now_s() < end; usleep(20000)) {
		url = find_link(links, "login-link", email, NULL);
		if (url != NULL && (old == NULL || strcmp(url, old) != 0))
			break;
		free(url);
		url = NULL;
	}
	if (url == NULL)
		die("no login link was emailed to %s", email);
	d = call(s, json_pack("{s:s, s:s, s:{s:s}}", "cmd", "auth.session", "actor", "operator",
			      "args", "token", strstr(url, "/login/") + 7));
	printf("%s\n", json_string_value(json_object_get(d, "token")));
	json_decref(d);
	free(url);
	free(old);
	zmq_close(s);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	zctx = zmq_ctx_new();
	if (argc == 4 && strcmp(argv[1], "worker") == 0)
		rc = worker(argv[2], argv[3]);
	else if (argc == 8 && strcmp(argv[1], "setup") == 0) {
		cohort = argv[3];
		rc = setup(argv[2], atol(argv[4]), atol(argv[5]), argv[6], argv[7]);
	} else if (argc == 5 && strcmp(argv[1], "login") == 0)
		rc = login(argv[2], argv[3], argv[4]);
	else
		fprintf(stderr, "usage: pw-bench-web worker ENDPOINT LINKS_FILE\n"
				"       pw-bench-web setup ENDPOINT COHORT N RESERVE APPS_FILE "
				"ROTATION_FILE\n"
				"       pw-bench-web login ENDPOINT LINKS_FILE EMAIL\n");
	fflush(stdout);
	return rc;
}
