/*
 * bench_feedback.c: pw-bench-feedback, the 360 report benchmark that
 * tests/bench/feedback.sh drives ("the 360 report for a cohort of
 * 1,000 candidates with 10 raters each: under 50 ms per report").
 *
 *   pw-bench-feedback setup ENDPOINT COHORT N APPS_FILE [WINDOW]
 *	Builds the cohort through a running pathwayd's API, every command
 *	as the protocol has it: N/10 schools (at least 1) with a headteacher
 *	each; N candidates; for each an application in COHORT (operator), its
 *	self_evaluation submitted by the candidate, its evidence_form
 *	submitted and signed off by the headteacher, accepted by the operator
 *	(application.decide); then 10 raters invited by the candidate with
 *	feedback.invite (line_manager 1, peers 3, direct_reports 3, others 3),
 *	the candidate's self-assessment, and the 10 raters' answers recorded
 *	by the operator with feedback.respond naming the rater: a rating of
 *	every question and a comment on every question (the largest report
 *	the questionnaire allows). Each phase is pipelined (WINDOW requests
 *	in flight on one DEALER, default 128), so the daemon's group commit
 *	takes them in batches; a phase starts when the one before it has been
 *	answered. Any refused command stops the set-up, naming it. Writes the
 *	application ids, one a line, to APPS_FILE; one BENCH line per phase.
 *   pw-bench-feedback measure ENDPOINT APPS_FILE [ROUNDS]
 *	For every application in APPS_FILE, one request in flight, as the
 *	operator: application.get (the baseline), then feedback.report, the
 *	whole list ROUNDS times (default 1) alternating the two passes.
 *	Latency from send to reply; mean, p50, p90, p99, max and reply size.
 *	Checks that each report counts 10 responses.
 *
 * Results are "BENCH name=... key=value" lines on stdout; notes on stderr.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define BENCH_PROG "pw-bench-feedback"
#include "bench_zmq.h"
#include "bench_util.h"

#define RATERS 10
#define TIMEOUT_MS 60000
#define ID_LEN 32

static char tag[32];

/* ---- set-up ---- */

static const char *cohort;
static long ncand, nschools;
static char (*apps)[ID_LEN];	       /* application of candidate i */
static char (*raters)[RATERS][ID_LEN]; /* rater ids of application i */
static int *nraters;
static const char *const categories[RATERS] = {
    "line_manager",   "peers",		"peers",  "peers",  "direct_reports",
    "direct_reports", "direct_reports", "others", "others", "others"};
static const char *const questions[] = {
    "shaping_the_future",	"leading_change",     "people_skills",		"data_analysis",
    "financial_management",	"critical_incidents", "working_with_governors", "growing_leaders",
    "collaborative_leadership", "through_inspection"};
#define NQ (sizeof questions / sizeof questions[0])
static const char *const phrases[] = {
    "Clear evidence of this in the way the phonics programme was led across key stage 1",
    "Handled the Ofsted preparation meetings calmly and kept the team focused on pupils",
    "Sometimes takes on too much alone; delegating more would help the team grow",
    "Uses the tracking data well and shares it with colleagues in a way that is easy to act on",
    "Has been a steady presence for newly qualified teachers, coaching them through the year",
    "Could be more visible to governors and parents; the work is good but not always explained",
    "Brought two schools together for moderation and made it work for both staff teams"};
#define NPHRASES (sizeof phrases / sizeof phrases[0])

static json_t *
req(const char *cmd, const char *actor, json_t *args)
{
	return json_pack("{s:s, s:s, s:o}", "cmd", cmd, "actor", actor, "args", args);
}

static void
school_id(char *b, long s)
{
	snprintf(b, ID_LEN, "fbs%04ld", s);
}
static void
head_id(char *b, long s)
{
	snprintf(b, ID_LEN, "fbh%04ld", s);
}
static void
cand_id(char *b, long i)
{
	snprintf(b, ID_LEN, "fbc%05ld", i);
}

/* Deterministic pseudo-random numbers, so every run builds the same answers. */
static unsigned
mix(unsigned long a, unsigned long b, unsigned long c)
{
	uint64_t x = a * 0x9E3779B97F4A7C15ULL ^
		     (b + 0x632BE59BD9B4E019ULL) * 0xBF58476D1CE4E5B9ULL ^
		     c * 0x94D049BB133111EBULL;

	x ^= x >> 31;
	x *= 0xD6E8FEDA31D2C3A5ULL;
	x ^= x >> 29;
	return (unsigned)x;
}

/* Ratings of every question and a comment on each, from rater j (-1: the candidate). */
static void
answers(long i, int j, json_t **ratings, json_t **comments)
{
	*ratings = json_object();
	*comments = json_object();
	for (size_t q = 0; q < NQ; q++) {
		unsigned r = mix((unsigned long)i, (unsigned long)(j + 1), q);
		char text[256];

		json_object_set_new(*ratings, questions[q], json_integer(1 + r % 5));
		snprintf(text, sizeof text, "%s (%ld/%d).", phrases[(r >> 8) % NPHRASES], i, j);
		json_object_set_new(*comments, questions[q], json_string(text));
	}
}

static json_t *
make_school(long s)
{
	char id[ID_LEN], name[64];

	school_id(id, s);
	snprintf(name, sizeof name, "Bench Primary School %ld", s);
	return req("school.create", "operator",
		   json_pack("{s:s, s:s, s:s, s:b}", "id", id, "name", name, "phase", "primary",
			     "lss", 0));
}

static json_t *
make_head(long s)
{
	char id[ID_LEN], sc[ID_LEN], name[64], email[64];

	head_id(id, s);
	school_id(sc, s);
	snprintf(name, sizeof name, "Head Teacher %ld", s);
	snprintf(email, sizeof email, "head%ld@bench.example.org", s);
	return req("person.create", "operator",
		   json_pack("{s:s, s:s, s:s, s:[s], s:s}", "id", id, "name", name, "email", email,
			     "roles", "headteacher", "school", sc));
}

static json_t *
make_candidate(long i)
{
	char id[ID_LEN], sc[ID_LEN], name[64], email[64];

	cand_id(id, i);
	school_id(sc, i % nschools);
	snprintf(name, sizeof name, "Candidate Number %ld", i);
	snprintf(email, sizeof email, "cand%ld@bench.example.org", i);
	return req("person.create", "operator",
		   json_pack("{s:s, s:s, s:s, s:[s], s:s}", "id", id, "name", name, "email", email,
			     "roles", "candidate", "school", sc));
}

static json_t *
make_app(long i)
{
	char c[ID_LEN];

	cand_id(c, i);
	return req("application.create", "operator",
		   json_pack("{s:s, s:s}", "cohort", cohort, "candidate", c));
}

static json_t *
make_self_eval(long i)
{
	char c[ID_LEN];
	json_t *f = self_eval_fields();

	cand_id(c, i);
	return req(
	    "application.submit", c,
	    json_pack("{s:s, s:s, s:o}", "app", apps[i], "doc", "self_evaluation", "fields", f));
}

static json_t *
make_evidence(long i)
{
	char h[ID_LEN];
	json_t *f = json_pack(
	    "{s:b, s:s, s:s, s:[s]}", "met_candidate", 1, "evidence",
	    "Has led the reading programme across the school with clear impact on outcomes; "
	    "coaches two middle leaders; presented to governors twice this year.",
	    "ready_for", "Headship", "succession_priorities", "Support for aspiring headteachers");

	head_id(h, i % nschools);
	return req(
	    "application.submit", h,
	    json_pack("{s:s, s:s, s:o}", "app", apps[i], "doc", "evidence_form", "fields", f));
}

static json_t *
make_signoff(long i)
{
	char h[ID_LEN];

	head_id(h, i % nschools);
	return req("application.signoff", h, json_pack("{s:s}", "app", apps[i]));
}

static json_t *
make_decide(long i)
{
	return req("application.decide", "operator",
		   json_pack("{s:s, s:s}", "app", apps[i], "outcome", "accept"));
}

/* Invitations k = j * N + i: rater j of application i. */
static json_t *
make_invite(long k)
{
	long i = k % ncand;
	int j = (int)(k / ncand);
	char c[ID_LEN], name[64], email[64];

	cand_id(c, i);
	snprintf(name, sizeof name, "Colleague %d of Candidate %ld", j, i);
	snprintf(email, sizeof email, "rater%ld-%d@bench.example.org", i, j);
	return req("feedback.invite", c,
		   json_pack("{s:s, s:s, s:s, s:s}", "app", apps[i], "name", name, "email", email,
			     "category", categories[j]));
}

static json_t *
make_self_assess(long i)
{
	char c[ID_LEN];
	json_t *r, *cm;

	cand_id(c, i);
	answers(i, -1, &r, &cm);
	return req("feedback.respond", c,
		   json_pack("{s:s, s:o, s:o}", "app", apps[i], "ratings", r, "comments", cm));
}

static json_t *
make_respond(long k)
{
	long i = k % ncand;
	int j = (int)(k / ncand);
	json_t *r, *cm;

	answers(i, j, &r, &cm);
	return req("feedback.respond", "operator",
		   json_pack("{s:s, s:s, s:o, s:o}", "app", apps[i], "rater", raters[i][j],
			     "ratings", r, "comments", cm));
}

static json_t *
make_get(long i)
{
	return req("application.get", "operator", json_pack("{s:s}", "app", apps[i]));
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

/* Every reply to an invitation shows the raters invited so far: collect their ids. */
static void
on_invited(long k, json_t *data)
{
	long i = k % ncand;
	json_t *rs = json_object_get(json_object_get(data, "application"), "raters");
	const char *id;
	json_t *v;

	json_object_foreach(rs, id, v)
	{
		int seen = 0;

		for (int j = 0; j < nraters[i]; j++)
			seen |= strcmp(raters[i][j], id) == 0;
		if (!seen) {
			if (nraters[i] == RATERS)
				die("application has more than %s raters", "10");
			snprintf(raters[i][nraters[i]++], ID_LEN, "%s", id);
		}
	}
}

static long at_stage;
static const char *want_stage;

static void
on_get(long i, json_t *data)
{
	(void)i;
	if (want_stage &&
	    strcmp(json_string_value(json_object_get(json_object_get(data, "application"), "stage"))
		       ?: "",
		   want_stage) == 0)
		at_stage++;
}

/*
 * Send make(0..n-1) with up to window requests in flight on one DEALER;
 * on_reply gets each success. Dies on the first refusal, naming it.
 */
static void
phase(void *s, const char *name, long n, int window, json_t *(*make)(long),
      void (*on_reply)(long, json_t *))
{
	long sent = 0, got = 0;
	double t0 = now_s(), t1;

	while (got < n) {
		char *rep = NULL;
		json_t *r, *id;
		json_error_t jerr;
		long i;

		while (sent < n && sent - got < window) {
			json_t *q = make(sent);
			char rid[64], *body;

			snprintf(rid, sizeof rid, "%s-%s-%ld", tag, name, sent);
			json_object_set_new(q, "id", json_string(rid));
			body = json_dumps(q, JSON_COMPACT);
			if (zmq_send(s, body, strlen(body), 0) < 0)
				die("send failed: %s", zmq_strerror(zmq_errno()));
			free(body);
			json_decref(q);
			sent++;
		}
		if (recv_msg(s, &rep, TIMEOUT_MS) < 0)
			die("no reply in time during %s", name);
		r = json_loads(rep, 0, &jerr);
		if (r == NULL)
			die("unparsable reply: %.300s", rep);
		id = json_object_get(r, "id");
		if (!json_is_true(json_object_get(r, "ok"))) {
			fprintf(stderr, "pw-bench-feedback: %s refused: %.600s\n", name, rep);
			exit(1);
		}
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
	printf("BENCH name=feedback.setup phase=%s n=%ld secs=%.3f ops_per_s=%.1f window=%d\n",
	       name, n, t1 - t0, (double)n / (t1 - t0), window);
}

static int
setup(const char *endpoint, long n, const char *out, int window)
{
	void *s = dealer(endpoint);
	double t0 = now_s();
	FILE *f;

	ncand = n;
	nschools = n / 10 > 0 ? n / 10 : 1;
	apps = calloc((size_t)n, sizeof *apps);
	raters = calloc((size_t)n, sizeof *raters);
	nraters = calloc((size_t)n, sizeof *nraters);
	if (apps == NULL || raters == NULL || nraters == NULL)
		die("%s", "out of memory");
	phase(s, "school.create", nschools, window, make_school, NULL);
	phase(s, "person.create(headteacher)", nschools, window, make_head, NULL);
	phase(s, "person.create(candidate)", n, window, make_candidate, NULL);
	phase(s, "application.create", n, window, make_app, on_app_created);
	phase(s, "submit(self_evaluation)", n, window, make_self_eval, NULL);
	phase(s, "submit(evidence_form)", n, window, make_evidence, NULL);
	phase(s, "application.signoff", n, window, make_signoff, NULL);
	phase(s, "application.decide", n, window, make_decide, NULL);
	at_stage = 0;
	want_stage = "feedback_360";
	phase(s, "check(at_360)", n, window, make_get, on_get);
	if (at_stage != n) {
		fprintf(stderr, "pw-bench-feedback: %ld of %ld applications at feedback_360\n",
			at_stage, n);
		return 1;
	}
	phase(s, "feedback.invite", n * RATERS, window, make_invite, on_invited);
	for (long i = 0; i < n; i++)
		if (nraters[i] != RATERS)
			die("application %s does not have 10 raters", apps[i]);
	phase(s, "feedback.respond(self)", n, window, make_self_assess, NULL);
	phase(s, "feedback.respond(rater)", n * RATERS, window, make_respond, NULL);
	at_stage = 0;
	want_stage = "foundation";
	phase(s, "check(after_360)", n, window, make_get, on_get);
	printf("BENCH name=feedback.setup_total candidates=%ld schools=%ld raters=%ld "
	       "responses=%ld moved_on=%ld secs=%.2f\n",
	       n, nschools, n * RATERS, n * (RATERS + 1), at_stage, now_s() - t0);
	f = fopen(out, "w");
	if (f == NULL)
		die("cannot write %s", out);
	for (long i = 0; i < n; i++)
		fprintf(f, "%s\n", apps[i]);
	fclose(f);
	zmq_close(s);
	return at_stage == n ? 0 : 1;
}

/* ---- measurement ---- */

/* One request, one in flight: its latency in ms; checks the reply. */
static double
timed(void *s, const char *cmd, const char *app, long seq, struct lat *l)
{
	char body[256], *rep = NULL;
	double t;
	long n;
	json_t *r;

	snprintf(
	    body, sizeof body,
	    "{\"id\":\"%s-m-%ld\",\"cmd\":\"%s\",\"actor\":\"operator\",\"args\":{\"app\":\"%s\"}}",
	    tag, seq, cmd, app);
	t = now_s();
	if (zmq_send(s, body, strlen(body), 0) < 0)
		die("send failed: %s", zmq_strerror(zmq_errno()));
	n = recv_msg(s, &rep, TIMEOUT_MS);
	t = (now_s() - t) * 1e3;
	if (n < 0)
		die("no reply to %s", cmd);
	/* Outside the timed part: check what came back. */
	r = json_loads(rep, 0, NULL);
	if (r == NULL || !json_is_true(json_object_get(r, "ok"))) {
		if (l->errors++ == 0)
			fprintf(stderr, "pw-bench-feedback: %s %s refused: %.400s\n", cmd, app,
				rep);
	} else if (strcmp(cmd, "feedback.report") == 0) {
		json_t *rp = json_object_get(json_object_get(r, "data"), "report");

		if (json_integer_value(json_object_get(rp, "responses")) != RATERS) {
			if (l->errors++ == 0)
				fprintf(stderr,
					"pw-bench-feedback: the report of %s does not count %d "
					"responses: %.300s\n",
					app, RATERS, rep);
		}
	}
	l->bytes += (double)n;
	json_decref(r);
	free(rep);
	return t;
}

static int
measure(const char *endpoint, const char *file, int rounds)
{
	void *s = dealer(endpoint);
	FILE *f = fopen(file, "r");
	char line[ID_LEN];
	char(*ids)[ID_LEN] = NULL;
	long n = 0, cap = 0, seq = 0;
	struct lat get = {0}, rep = {0}, warm = {0};

	if (f == NULL)
		die("cannot read %s", file);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = realloc(ids, (size_t)cap * sizeof *ids);
		}
		snprintf(ids[n++], ID_LEN, "%s", line);
	}
	fclose(f);
	if (n == 0)
		die("no applications in %s", file);
	/* Warm-up: the connection and one of each, not counted. */
	timed(s, "application.get", ids[0], seq++, &warm);
	timed(s, "feedback.report", ids[0], seq++, &warm);
	if (warm.errors)
		return 1;
	for (int r = 0; r < rounds; r++) {
		for (long i = 0; i < n; i++)
			lat_add(&get, timed(s, "application.get", ids[i], seq++, &get));
		for (long i = 0; i < n; i++)
			lat_add(&rep, timed(s, "feedback.report", ids[i], seq++, &rep));
	}
	lat_print("feedback.app_get", &get);
	lat_print("feedback.report", &rep);
	zmq_close(s);
	free(ids);
	return get.errors || rep.errors ? 1 : 0;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: pw-bench-feedback setup ENDPOINT COHORT N APPS_FILE [WINDOW]\n"
			"       pw-bench-feedback measure ENDPOINT APPS_FILE [ROUNDS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		usage();
	snprintf(tag, sizeof tag, "fb%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
	setvbuf(stdout, NULL, _IOLBF, 0);
	zctx = zmq_ctx_new();
	if (strcmp(argv[1], "setup") == 0 && (argc == 6 || argc == 7)) {
		cohort = argv[3];
		rc = setup(argv[2], atol(argv[4]), argv[5], argc == 7 ? atoi(argv[6]) : 128);
	} else if (strcmp(argv[1], "measure") == 0 && (argc == 4 || argc == 5)) {
		rc = measure(argv[2], argv[3], argc == 5 ? atoi(argv[4]) : 1);
	} else {
		usage();
	}
	zmq_ctx_term(zctx);
	return rc;
}
