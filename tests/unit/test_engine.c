/*
 * test_engine.c: the programme engine (daemon/engine.c) as the pure function
 * it is. The shipped configuration is loaded once; people, schools and
 * cohort states are jansson records shaped as commands.c builds them. Each
 * shipped programme is walked from creation to graduation, asserting the
 * stage and the events after every step; capacity, the waiting list and
 * every refusal are checked with the records left untouched.
 */
#include "unit.h"

#include "config.h"
#include "engine.h"
#include "ical.h"
#include "schedule.h"

static struct pw_config *cfg;
static char *tmp;
static json_t *people, *schools, *cstates;
static struct engine_out out;
static struct pw_status st;
static int64_t now;

static void
person_add(const char *id, const char *roles, const char *school, json_t *facts)
{
	json_t *p = json_pack("{s:i, s:s, s:s, s:s, s:[]}", "v", 1, "id", id, "name", id, "email",
			      "x@example.net", "roles");
	char *copy = xstrdup(roles), *save = NULL;

	for (char *r = strtok_r(copy, ",", &save); r != NULL; r = strtok_r(NULL, ",", &save))
		json_array_append_new(json_object_get(p, "roles"), json_string(r));
	free(copy);
	if (school != NULL)
		json_object_set_new(p, "school", json_string(school));
	if (facts != NULL)
		json_object_set_new(p, "facts", facts);
	json_object_set_new(people, id, p);
}

static void
school_add(const char *id, int lss)
{
	json_object_set_new(schools, id,
			    json_pack("{s:i, s:s, s:s, s:s, s:b}", "v", 1, "id", id, "name", id,
				      "phase", "primary", "lss", lss));
}

static json_t *
person(const char *id)
{
	json_t *p = json_object_get(people, id);

	if (p == NULL)
		fail_msg("test bug: no person %s", id);
	return p;
}

/* The cohort state as commands.c keeps it. */
static json_t *
cstate(const char *cohort)
{
	json_t *s = json_object_get(cstates, cohort);

	if (s == NULL) {
		s = json_pack("{s:i, s:i, s:[], s:{}, s:i}", "v", 1, "taken", 0, "waiting",
			      "counts", "total", 0);
		json_object_set_new(cstates, cohort, s);
	}
	return s;
}

static int
setup(void **state)
{
	char *conf;
	int rc;

	(void)state;
	tmp = unit_tmpdir();
	conf = unit_shipped_conf(tmp);
	rc = config_load(conf, &cfg, &st);
	free(conf);
	if (rc != 0) {
		fprintf(stderr, "config: %s\n", st.msg);
		return -1;
	}
	people = json_object();
	schools = json_object();
	cstates = json_object();
	/* operator is the built-in LA adviser, as cmd_actor_load makes it */
	json_object_set_new(people, "operator",
			    json_pack("{s:s, s:s, s:[s]}", "id", "operator", "name", "Operator",
				      "roles", "la_adviser"));
	school_add("s-oak", 0);
	school_add("s-ash", 0);
	school_add("s-elm", 1);
	person_add("p-cand-1", "candidate", "s-oak", NULL);
	person_add("p-cand-2", "candidate", "s-oak", NULL);
	person_add("p-cand-3", "candidate", "s-ash", NULL);
	person_add("p-nosch", "candidate", NULL, NULL);
	person_add("p-head-1", "headteacher", "s-oak", NULL);
	person_add("p-head-2", "headteacher", "s-ash", NULL);
	person_add("p-coach-1", "coach", "s-ash", NULL);
	person_add("p-coach-2", "coach", "s-ash", NULL);
	person_add("p-host-1", "host", "s-elm", NULL);
	person_add("p-host-2", "host", "s-ash", NULL);
	person_add("p-host-3", "host", "s-oak", NULL);
	person_add("p-viewer", "viewer", NULL, NULL);
	person_add("p-multi", "coach,bogus", NULL, NULL);
	for (int i = 1; i <= 9; i++) {
		char id[32];

		snprintf(id, sizeof id, "p-r%d", i);
		person_add(id, "rater", "s-ash", NULL);
	}
	person_add("p-lle-ok", "candidate,headteacher", "s-ash",
		   json_pack("{s:i, s:b}", "years_as_head", 3, "leadership_good_or_better", 1));
	person_add("p-lle-new", "candidate,headteacher", "s-ash",
		   json_pack("{s:i, s:b}", "years_as_head", 2, "leadership_good_or_better", 1));
	person_add("p-lle-ri", "candidate,headteacher", "s-ash",
		   json_pack("{s:i, s:b}", "years_as_head", 9, "leadership_good_or_better", 0));
	person_add("p-lle-none", "candidate,headteacher", "s-ash", json_object());
	person_add("p-lle-str", "candidate,headteacher", "s-ash",
		   json_pack("{s:s, s:b}", "years_as_head", "5", "leadership_good_or_better", 1));
	for (int i = 0; i < 10; i++) {
		char id[32];

		snprintf(id, sizeof id, "p-lle-%d", i);
		person_add(
		    id, "candidate", "s-ash",
		    json_pack("{s:f, s:b}", "years_as_head", 3.5, "leadership_good_or_better", 1));
	}
	engine_out_init(&out);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	engine_out_clear(&out);
	json_decref(people);
	json_decref(schools);
	json_decref(cstates);
	config_free(&cfg);
	unit_rmtree(tmp);
	return 0;
}

/*
 * Each test starts with empty cohorts and nothing pending, on the day the
 * shipped cohorts start taking applications (not where the last test left the
 * clock).
 */
static int
fresh(void **state)
{
	(void)state;
	now = 1788249600; /* 2026-09-01T08:00:00Z */
	json_object_clear(cstates);
	for (size_t i = 0; i < cfg->ncohorts; i++)
		cstate(cfg->cohorts[i].id);
	json_array_clear(out.events);
	json_array_clear(out.offers);
	memset(&st, 0, sizeof st);
	return 0;
}

static void
ctx_set(struct engine_ctx *e, const char *actor, const json_t *app, const char *cand)
{
	e->cfg = cfg;
	e->now = now;
	e->actor_id = actor;
	e->actor = person(actor);
	e->candidate = person(cand ? cand : str(app, "candidate"));
	e->override = 0;
	/* the records commands.c loads for the engine: the school, the coach */
	e->school =
	    json_object_get(schools, app ? str(app, "school") : str(e->candidate, "school"));
	e->coach = app && str(app, "coach") ? json_object_get(people, str(app, "coach")) : NULL;
	now += 600;
}

/* The engine calls, as commands.c makes them. */

static int
op_create(const char *actor, const char *cohort, const char *cand, const char *id,
	  const char *route, json_t **app)
{
	struct engine_ctx e;

	ctx_set(&e, actor, NULL, cand);
	/* Kent's applications are on a track */
	return engine_app_create(&e, config_cohort(cfg, cohort), id, route,
				 config_cohort(cfg, cohort)->programme->ntracks ? "senior" : NULL,
				 app, &out, &st);
}

/* Coach training recorded for coach (on their record), then the application reconsidered. */
static int
op_train(const char *coach, const char *session, json_t *app)
{
	const struct cohort *c = config_cohort(cfg, str(app, "cohort"));
	const struct session *s = config_session(c, session);
	struct engine_ctx e;
	int rc;

	if (s != NULL && now < ical_session_start(c, s)) /* recorded from its start */
		now = ical_session_start(c, s);
	ctx_set(&e, "operator", app, NULL);
	rc = engine_record_training(&e, config_cohort(cfg, str(app, "cohort")), person(coach),
				    session, 1, &out, &st);
	if (rc == 0) {
		ctx_set(&e, "operator", app, NULL);
		engine_reconsider(&e, app, &out);
	}
	return rc;
}

static int
op_submit(const char *actor, json_t *app, const char *doc)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_submit(&e, app, doc, "https://docs.example.net/1", &out, &st);
}

static int
op_signoff(const char *actor, json_t *app)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_signoff(&e, app, &out, &st);
}

static int
op_decide(const char *actor, json_t *app, const char *outcome)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_decide(&e, app, cstate(str(app, "cohort")), outcome, NULL, &out, &st);
}

static int
op_invite(const char *actor, json_t *app, const char *rater)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_invite_rater(&e, app, person(rater), NULL, &out, &st);
}

static int
op_respond(const char *actor, json_t *app, const char *rater)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_record_response(&e, app, rater, &out, &st);
}

static int
op_attend_now(const char *actor, json_t *app, const char *session, int present)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_attend(&e, app, session, present, &out, &st);
}

/* Attendance is recorded once the session has begun: the clock moves on to its start. */
static int
op_attend(const char *actor, json_t *app, const char *session, int present)
{
	const struct cohort *c = config_cohort(cfg, str(app, "cohort"));
	const struct session *s = c ? config_session(c, session) : NULL;

	if (s != NULL && now < ical_session_start(c, s))
		now = ical_session_start(c, s);
	return op_attend_now(actor, app, session, present);
}

static int
op_place(const char *actor, json_t *app, const char *school, const char *start, const char *end)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_place_internship(&e, app, json_object_get(schools, school), start, end, &out,
				       &st);
}

static int
op_confirm_now(const char *actor, json_t *app, int days)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_confirm_internship(&e, app, days, &out, &st);
}

/* An internship is confirmed from its start date: the clock moves on to that day. */
static int
op_confirm(const char *actor, json_t *app, int days)
{
	const struct cohort *c = config_cohort(cfg, str(app, "cohort"));
	int64_t d;
	const char *start = str(json_object_get(app, "internship"), "start");

	if (start != NULL && pw_date_parse(start, &d) == 0 &&
	    now < schedule_local(c->timezone, d, 0))
		now = schedule_local(c->timezone, d, 0);
	return op_confirm_now(actor, app, days);
}

static int
op_coach(const char *actor, json_t *app, const char *coach)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	e.coach = person(coach); /* as application.assign_coach loads the new coach */
	return engine_assign_coach(&e, app, person(coach), &out, &st);
}

static int
op_withdraw(const char *actor, json_t *app)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_withdraw(&e, app, cstate(str(app, "cohort")), "moving away", &out, &st);
}

static int
op_defer(const char *actor, json_t *app, const char *to)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_defer(&e, app, cstate(str(app, "cohort")), config_cohort(cfg, to), &out, &st);
}

static int
op_offer(json_t *app)
{
	struct engine_ctx e;

	ctx_set(&e, "operator", app, NULL);
	return engine_offer_place(&e, app, cstate(str(app, "cohort")), &out, &st);
}

/* Answer (or expire, at 'at') the offer of a place. */
static int
op_answer(const char *actor, json_t *app, const char *how)
{
	struct engine_ctx e;
	json_t *cs = cstate(str(app, "cohort"));

	ctx_set(&e, actor, app, NULL);
	if (strcmp(how, "accept") == 0)
		return engine_offer_accept(&e, app, cs, &out, &st);
	if (strcmp(how, "decline") == 0)
		return engine_offer_decline(&e, app, cs, &out, &st);
	return engine_offer_expire(&e, app, cs, &out, &st);
}

static int
offered_count(const char *cohort)
{
	return (int)json_array_size(json_object_get(cstate(cohort), "offered"));
}

static int
op_progress(const char *actor, json_t *app)
{
	struct engine_ctx e;

	ctx_set(&e, actor, app, NULL);
	return engine_record_progression(&e, app, "deputy headteacher", "Ash Primary", "2027-09-01",
					 NULL, &out, &st);
}

/*
 * The events of the last command, in order, then forget them. Each
 * expectation is a type without the "application." prefix; a stage change
 * is "stage_changed:FROM>TO".
 */
static void
events_are(const json_t *app, ...)
{
	va_list ap;
	size_t i = 0;
	const char *want;

	va_start(ap, app);
	while ((want = va_arg(ap, const char *)) != NULL) {
		json_t *ev = json_array_get(out.events, i);
		char type[96], from_to[96] = "";
		const char *colon = strchr(want, ':');

		if (ev == NULL)
			fail_msg("event %zu: missing, want %s", i, want);
		snprintf(type, sizeof type, "application.%.*s",
			 (int)(colon ? (size_t)(colon - want) : strlen(want)), want);
		if (colon != NULL)
			snprintf(from_to, sizeof from_to, "%s", colon + 1);
		if (strcmp(str(ev, "type"), type) != 0)
			fail_msg("event %zu: got %s, want %s", i, str(ev, "type"), type);
		assert_string_equal(str(ev, "app"), str(app, "id"));
		assert_string_equal(str(ev, "cohort"), str(app, "cohort"));
		assert_string_equal(str(ev, "school"), str(app, "school"));
		assert_non_null(str(ev, "stage"));
		assert_true(json_is_object(json_object_get(ev, "data")));
		if (from_to[0] != '\0') {
			const json_t *d = json_object_get(ev, "data");
			char got[96];

			snprintf(got, sizeof got, "%s>%s", str(d, "from"), str(d, "to"));
			if (strcmp(got, from_to) != 0)
				fail_msg("event %zu: stage change %s, want %s", i, got, from_to);
		}
		i++;
	}
	va_end(ap);
	if (json_array_size(out.events) != i)
		fail_msg("%zu events, want %zu (next: %s)", json_array_size(out.events), i,
			 str(json_array_get(out.events, i), "type"));
	json_array_clear(out.events);
}

/* A command that must succeed; then its events. */
#define OK(call, app, ...)                                                                         \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ != 0)                                                                      \
			fail_msg("%s: %s (%s)", #call, pw_errcode(rc_), st.msg);                   \
		events_are(app, __VA_ARGS__);                                                      \
	} while (0)

/* A command that must fail with code and change nothing at all. */
#define REFUSED(want_, call, app)                                                                  \
	do {                                                                                       \
		json_t *a0_ = json_deep_copy(app), *c0_ = json_deep_copy(cstates);                 \
		int rc_;                                                                           \
		memset(&st, 0, sizeof st);                                                         \
		rc_ = (call);                                                                      \
		if (rc_ != (want_))                                                                \
			fail_msg("%s: got %s (%s), want %s", #call, pw_errcode(rc_), st.msg,       \
				 pw_errcode(want_));                                               \
		assert_int_equal(st.code, want_);                                                  \
		assert_true(strlen(st.msg) > 0);                                                   \
		if (!(a0_ == NULL && (app) == NULL) && !json_equal(a0_, app))                      \
			fail_msg("%s changed the application", #call);                             \
		if (!json_equal(c0_, cstates))                                                     \
			fail_msg("%s changed the cohort state", #call);                            \
		assert_int_equal(json_array_size(out.events), 0);                                  \
		assert_int_equal(json_array_size(out.offers), 0);                                  \
		json_decref(a0_);                                                                  \
		json_decref(c0_);                                                                  \
	} while (0)

static void
stage_is(const json_t *app, const char *stage, const char *status)
{
	if (strcmp(str(app, "stage"), stage) != 0 || strcmp(str(app, "status"), status) != 0)
		fail_msg("%s at %s/%s, want %s/%s", str(app, "id"), str(app, "stage"),
			 str(app, "status"), stage, status);
}

static json_int_t
taken(const char *cohort)
{
	return json_integer_value(json_object_get(cstate(cohort), "taken"));
}

/* Norfolk talent pool: the whole year, interest route, every step checked. */
static void
test_ntp_interest_to_graduation(void **state)
{
	json_t *app = NULL, *reqs;
	struct engine_ctx e;
	char rater[32];

	(void)state;
	OK(op_create("p-cand-1", "ntp-2026-27", "p-cand-1", "A000001", "interest", &app), app,
	   "created", NULL);
	stage_is(app, "interest", "active");
	assert_string_equal(str(app, "programme"), "norfolk-talent-pool");
	assert_string_equal(str(app, "route"), "interest");
	assert_string_equal(str(app, "school"), "s-oak");
	assert_true(json_is_false(json_object_get(app, "place")));
	assert_string_equal(engine_position(app), "interest");

	OK(op_submit("p-cand-1", app, "self_evaluation"), app, "submitted",
	   "stage_changed:interest>signoff", NULL);
	stage_is(app, "signoff", "active");
	assert_string_equal(
	    str(json_object_get(json_object_get(app, "docs"), "self_evaluation"), "by"),
	    "p-cand-1");

	/* the sign-off needs the evidence form first */
	REFUSED(PW_ETRANSITION, op_signoff("p-head-1", app), app);
	OK(op_submit("p-head-1", app, "evidence_form"), app, "submitted", NULL);
	stage_is(app, "signoff", "active");
	OK(op_signoff("p-head-1", app), app, "signed_off", "stage_changed:signoff>selection", NULL);
	stage_is(app, "selection", "active");
	REFUSED(PW_ETRANSITION, op_signoff("p-head-1", app), app);

	OK(op_decide("operator", app, "accept"), app, "decided",
	   "stage_changed:selection>feedback_360", NULL);
	stage_is(app, "feedback_360", "active");
	assert_true(json_is_true(json_object_get(app, "place")));
	assert_int_equal(taken("ntp-2026-27"), 1);

	for (int i = 1; i <= 8; i++) {
		snprintf(rater, sizeof rater, "p-r%d", i);
		OK(op_invite("p-cand-1", app, rater), app, "rater_invited", NULL);
	}
	REFUSED(PW_EEXISTS, op_invite("p-cand-1", app, "p-r1"), app);
	REFUSED(PW_EINVALID, op_invite("p-cand-1", app, "p-cand-1"), app);
	for (int i = 1; i <= 7; i++) {
		snprintf(rater, sizeof rater, "p-r%d", i);
		OK(op_respond(rater, app, rater), app, "response_recorded", NULL);
	}
	REFUSED(PW_ETRANSITION, op_respond("p-r1", app, "p-r1"), app);
	ctx_set(&e, "operator", app, NULL);
	reqs = engine_requirements(&e, app);
	assert_int_equal(json_array_size(reqs), 1);
	assert_string_equal(str(json_array_get(reqs, 0), "kind"), "responses");
	assert_true(json_is_false(json_object_get(json_array_get(reqs, 0), "met")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(reqs, 0), "have")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(reqs, 0), "need")), 8);
	json_decref(reqs);
	OK(op_respond("p-r8", app, "p-r8"), app, "response_recorded",
	   "stage_changed:feedback_360>foundation", "feedback_ready", NULL);
	assert_non_null(json_object_get(app, "feedback_ready"));
	stage_is(app, "foundation", "active");

	/* sessions TP1-TP5 (4 of 5) and the leadership plan */
	REFUSED(PW_EFORBIDDEN, op_attend("p-coach-1", app, "TP1", 1), app);
	OK(op_coach("operator", app, "p-coach-1"), app, "coach_assigned", NULL);
	/* not before the session's start (09:00 BST on 8 October), nor before its day */
	now = 1791446400 - 86400; /* TP1 starts 2026-10-08T08:00:00Z: a day before */
	REFUSED(PW_ETOO_EARLY, op_attend_now("p-coach-1", app, "TP1", 1), app);
	now = 1791446400 - 1; /* a second before */
	REFUSED(PW_ETOO_EARLY, op_attend_now("operator", app, "TP1", 0), app);
	now = 1791446400; /* at its start */
	OK(op_attend_now("p-coach-1", app, "TP1", 1), app, "attendance_recorded", NULL);
	OK(op_attend("p-coach-1", app, "TP2", 0), app, "attendance_recorded", NULL);
	OK(op_attend("p-coach-1", app, "TP3", 1), app, "attendance_recorded", NULL);
	OK(op_attend("operator", app, "TP4", 1), app, "attendance_recorded", NULL);
	REFUSED(PW_ENOTFOUND, op_attend("p-coach-1", app, "TP99", 1), app);
	OK(op_submit("p-cand-1", app, "leadership_plan"), app, "submitted", NULL);
	stage_is(app, "foundation", "active");
	OK(op_attend("p-coach-1", app, "TP5", 1), app, "attendance_recorded",
	   "stage_changed:foundation>internship", NULL);
	stage_is(app, "internship", "active");

	/* three days at a Lead Succession School */
	REFUSED(PW_EINVALID, op_place("p-coach-1", app, "s-ash", "2027-03-01", "2027-03-03"), app);
	REFUSED(PW_EINVALID, op_place("p-coach-1", app, "s-oak", "2027-03-01", "2027-03-03"), app);
	REFUSED(PW_EINVALID, op_place("p-coach-1", app, "s-elm", "2027-03-04", "2027-03-03"), app);
	/* nothing placed yet: no host relation, and nothing to confirm */
	REFUSED(PW_EFORBIDDEN, op_confirm("p-host-1", app, 3), app);
	REFUSED(PW_ETRANSITION, op_confirm("operator", app, 3), app);
	OK(op_place("p-coach-1", app, "s-elm", "2027-03-01", "2027-03-03"), app,
	   "internship_placed", NULL);
	REFUSED(PW_EINVALID, op_confirm_now("p-host-1", app, 366), app);
	/* not before its start date, 1 March 2027 (local midnight is 00:00Z, GMT) */
	REFUSED(PW_ETOO_EARLY, op_confirm_now("p-host-1", app, 2), app);
	now = 1803859200 - 1; /* 2027-02-28T23:59:59Z */
	REFUSED(PW_ETOO_EARLY, op_confirm_now("operator", app, 2), app);
	OK(op_confirm("p-host-1", app, 2), app, "internship_confirmed", NULL);
	stage_is(app, "internship", "active");
	REFUSED(PW_ETRANSITION, op_place("p-coach-1", app, "s-elm", "2027-03-01", "2027-03-03"),
		app);
	OK(op_confirm("p-host-1", app, 3), app, "internship_confirmed",
	   "stage_changed:internship>interview_practice", NULL);
	stage_is(app, "interview_practice", "active");
	assert_string_equal(str(json_object_get(app, "internship"), "confirmed_by"), "p-host-1");

	OK(op_attend("p-coach-1", app, "TP6", 1), app, "attendance_recorded",
	   "stage_changed:interview_practice>group_learning", NULL);
	OK(op_attend("p-coach-1", app, "TP7", 1), app, "attendance_recorded", NULL);
	OK(op_attend("p-coach-1", app, "TP8", 0), app, "attendance_recorded", NULL);
	OK(op_attend("p-coach-1", app, "TP9", 1), app, "attendance_recorded", NULL);
	OK(op_attend("p-coach-1", app, "TP10", 1), app, "attendance_recorded", NULL);
	stage_is(app, "group_learning", "active");
	OK(op_attend("p-coach-1", app, "TP11", 1), app, "attendance_recorded",
	   "stage_changed:group_learning>final_review", NULL);
	stage_is(app, "final_review", "active");
	OK(op_attend("p-coach-1", app, "TP12", 1), app, "attendance_recorded",
	   "stage_changed:final_review>graduated", "graduated", NULL);
	stage_is(app, "graduated", "graduated");
	assert_string_equal(engine_position(app), "graduated");
	assert_non_null(str(app, "graduated"));
	assert_int_equal(strlen(str(app, "graduated")), 10);
	ctx_set(&e, "operator", app, NULL);
	reqs = engine_requirements(&e, app);
	assert_int_equal(json_array_size(reqs), 0);
	json_decref(reqs);

	/* after graduation: only the career record */
	REFUSED(PW_ETRANSITION, op_submit("p-cand-1", app, "leadership_plan"), app);
	REFUSED(PW_ETRANSITION, op_attend("p-coach-1", app, "TP12", 1), app);
	REFUSED(PW_ETRANSITION, op_withdraw("p-cand-1", app), app);
	REFUSED(PW_ETRANSITION, op_defer("operator", app, "ntp-2027-28"), app);
	REFUSED(PW_ETRANSITION, op_decide("operator", app, "accept"), app);
	REFUSED(PW_EFORBIDDEN, op_progress("p-head-2", app), app);
	REFUSED(PW_EFORBIDDEN, op_progress("p-viewer", app), app);
	REFUSED(PW_EFORBIDDEN, op_progress("p-r1", app), app);
	OK(op_progress("p-cand-1", app), app, "progression_recorded", NULL);
	OK(op_progress("p-head-1", app), app, "progression_recorded", NULL);
	OK(op_progress("p-coach-1", app), app, "progression_recorded", NULL);
	assert_int_equal(json_array_size(json_object_get(app, "career")), 3);
	json_decref(app);
}

/* The nomination route: a headteacher opens it; the rest is the same programme. */
static void
test_ntp_nomination_route(void **state)
{
	json_t *app = NULL;

	(void)state;
	REFUSED(PW_EFORBIDDEN,
		op_create("p-head-2", "ntp-2026-27", "p-cand-2", "A000002", "nomination", &app),
		app);
	assert_null(app);
	REFUSED(PW_EFORBIDDEN,
		op_create("p-cand-2", "ntp-2026-27", "p-cand-2", "A000002", "nomination", &app),
		app);
	REFUSED(PW_EFORBIDDEN,
		op_create("p-head-1", "ntp-2026-27", "p-cand-2", "A000002", "interest", &app), app);
	REFUSED(PW_EFORBIDDEN,
		op_create("p-cand-1", "ntp-2026-27", "p-cand-2", "A000002", "interest", &app), app);
	REFUSED(PW_EFORBIDDEN,
		op_create("p-viewer", "ntp-2026-27", "p-cand-2", "A000002", "interest", &app), app);
	REFUSED(PW_EINVALID,
		op_create("operator", "ntp-2026-27", "p-head-1", "A000002", "nomination", &app),
		app);
	REFUSED(PW_EINVALID,
		op_create("operator", "ntp-2026-27", "p-nosch", "A000002", "interest", &app), app);
	assert_null(app);

	OK(op_create("p-head-1", "ntp-2026-27", "p-cand-2", "A000002", "nomination", &app), app,
	   "created", NULL);
	assert_string_equal(str(app, "route"), "nomination");
	assert_string_equal(str(app, "candidate"), "p-cand-2");
	stage_is(app, "interest", "active");
	OK(op_submit("p-cand-2", app, "self_evaluation"), app, "submitted",
	   "stage_changed:interest>signoff", NULL);
	OK(op_submit("p-head-1", app, "evidence_form"), app, "submitted", NULL);
	OK(op_signoff("p-head-1", app), app, "signed_off", "stage_changed:signoff>selection", NULL);
	stage_is(app, "selection", "active");
	json_decref(app);

	/* an LA adviser may open either route */
	OK(op_create("operator", "ntp-2026-27", "p-cand-3", "A000003", "nomination", &app), app,
	   "created", NULL);
	json_decref(app);
}

/* Kent and Medway: decision first, a non-LSS host, five days, the celebration. */
static void
test_kent_walk(void **state)
{
	json_t *app = NULL;

	(void)state;
	OK(op_create("p-cand-3", "kent-2026-27", "p-cand-3", "K1", "interest", &app), app,
	   "created", NULL);
	stage_is(app, "confirmation", "active");
	assert_string_equal(str(app, "programme"), "kent-pathways");
	/* attendance needs a place in a programme with capacity */
	REFUSED(PW_ETRANSITION, op_attend("operator", app, "INTRO", 1), app);
	REFUSED(PW_EFORBIDDEN, op_decide("p-head-2", app, "accept"), app);
	OK(op_decide("operator", app, "accept"), app, "decided",
	   "stage_changed:confirmation>introduction", NULL);
	assert_int_equal(taken("kent-2026-27"), 1);
	OK(op_coach("operator", app, "p-coach-2"), app, "coach_assigned", NULL);
	REFUSED(PW_EFORBIDDEN, op_attend("p-coach-1", app, "INTRO", 1), app);
	OK(op_attend("p-coach-2", app, "COACH1", 1), app, "attendance_recorded", NULL);
	stage_is(app, "introduction", "active");
	OK(op_attend("p-coach-2", app, "INTRO", 1), app, "attendance_recorded",
	   "stage_changed:introduction>audit", NULL);
	REFUSED(PW_ETRANSITION, op_submit("p-cand-3", app, "placement_choice"), app);
	REFUSED(PW_EFORBIDDEN, op_submit("p-cand-1", app, "predisposition_audit"), app);
	OK(op_submit("p-cand-3", app, "predisposition_audit"), app, "submitted",
	   "stage_changed:audit>placement_choice", NULL);
	OK(op_submit("p-cand-3", app, "placement_choice"), app, "submitted",
	   "stage_changed:placement_choice>coach_trained", NULL);
	/* coach training is recorded for the coach, not on the application */
	REFUSED(PW_ENOTFOUND, op_train("p-coach-2", "NO_SUCH_SESSION", app), app);
	REFUSED(PW_EINVALID, op_train("p-cand-1", "COACH1", app), app); /* not a coach */
	assert_int_equal(op_train("p-coach-2", "COACH1", app), 0);
	assert_string_equal(str(json_array_get(out.events, 0), "type"), "coach.training_recorded");
	json_array_clear(out.events);
	stage_is(app, "coach_trained", "active");
	assert_int_equal(op_train("p-coach-2", "COACH2", app), 0);
	stage_is(app, "internship", "active");
	json_array_clear(out.events);
	/* no host_lss here: any other school hosts */
	OK(op_place("p-coach-2", app, "s-oak", "2027-06-07", "2027-07-02"), app,
	   "internship_placed", NULL);
	REFUSED(PW_EFORBIDDEN, op_confirm("p-host-1", app, 5), app);
	REFUSED(PW_EFORBIDDEN, op_confirm("p-head-1", app, 5), app);
	OK(op_confirm("operator", app, 4), app, "internship_confirmed", NULL);
	stage_is(app, "internship", "active");
	REFUSED(PW_EFORBIDDEN, op_confirm("p-host-2", app, 5), app);
	OK(op_confirm("p-host-3", app, 5), app, "internship_confirmed",
	   "stage_changed:internship>celebration", NULL);
	OK(op_attend("p-coach-2", app, "CELEBRATION", 1), app, "attendance_recorded",
	   "stage_changed:celebration>completed", "graduated", NULL);
	stage_is(app, "completed", "graduated");
	json_decref(app);
}

/* Local Leaders of Education: eligibility on the candidate's facts. */
static void
test_lle_eligibility(void **state)
{
	json_t *app = NULL;

	(void)state;
	REFUSED(PW_ENOTELIGIBLE,
		op_create("operator", "lle-2026-27", "p-lle-new", "L1", "interest", &app), app);
	REFUSED(PW_ENOTELIGIBLE,
		op_create("operator", "lle-2026-27", "p-lle-ri", "L1", "interest", &app), app);
	REFUSED(PW_ENOTELIGIBLE,
		op_create("operator", "lle-2026-27", "p-lle-none", "L1", "interest", &app), app);
	/* "5" is text, not a number of years */
	REFUSED(PW_ENOTELIGIBLE,
		op_create("operator", "lle-2026-27", "p-lle-str", "L1", "interest", &app), app);
	REFUSED(PW_ENOTELIGIBLE,
		op_create("p-lle-new", "lle-2026-27", "p-lle-new", "L1", "interest", &app), app);
	assert_null(app);

	OK(op_create("p-lle-ok", "lle-2026-27", "p-lle-ok", "L1", "interest", &app), app, "created",
	   NULL);
	stage_is(app, "application", "active");
	/* eligibility is met on the way: the form alone moves it on */
	OK(op_submit("p-lle-ok", app, "application_form"), app, "submitted",
	   "stage_changed:application>selection", NULL);
	OK(op_decide("operator", app, "accept"), app, "decided", "stage_changed:selection>briefing",
	   NULL);
	OK(op_attend("operator", app, "BRIEFING", 1), app, "attendance_recorded", NULL);
	OK(op_attend("operator", app, "TRAINING", 1), app, "attendance_recorded",
	   "stage_changed:briefing>deployed", "graduated", NULL);
	stage_is(app, "deployed", "graduated");
	json_decref(app);
}

/* Open an LLE application for p-lle-N and bring it to selection. */
static json_t *
lle_at_selection(int n)
{
	char cand[32], id[32];
	json_t *app = NULL;

	snprintf(cand, sizeof cand, "p-lle-%d", n);
	snprintf(id, sizeof id, "L%03d", n);
	OK(op_create("operator", "lle-2026-27", cand, id, "interest", &app), app, "created", NULL);
	OK(op_submit(cand, app, "application_form"), app, "submitted",
	   "stage_changed:application>selection", NULL);
	return app;
}

static json_int_t
position_of(void)
{
	json_t *ev = json_array_get(out.events, 0);

	return json_integer_value(json_object_get(json_object_get(ev, "data"), "position"));
}

/* Eight places: never more, a waiting list in order, a freed place offered to the first. */
static void
test_capacity_and_waiting_list(void **state)
{
	json_t *apps[10];
	const json_t *w;

	(void)state;
	for (int i = 0; i < 10; i++)
		apps[i] = lle_at_selection(i);
	for (int i = 0; i < 8; i++) {
		OK(op_decide("operator", apps[i], "accept"), apps[i], "decided",
		   "stage_changed:selection>briefing", NULL);
		assert_int_equal(taken("lle-2026-27"), i + 1);
	}
	REFUSED(PW_EFULL, op_decide("operator", apps[8], "accept"), apps[8]);
	assert_int_equal(taken("lle-2026-27"), 8);
	stage_is(apps[8], "selection", "active");

	assert_int_equal(op_decide("operator", apps[8], "waitlist"), 0);
	assert_int_equal(position_of(), 1);
	events_are(apps[8], "decided", NULL);
	stage_is(apps[8], "selection", "waitlisted");
	assert_string_equal(engine_position(apps[8]), "waitlisted");
	assert_int_equal(op_decide("operator", apps[9], "waitlist"), 0);
	assert_int_equal(position_of(), 2);
	events_are(apps[9], "decided", NULL);
	REFUSED(PW_ETRANSITION, op_decide("operator", apps[9], "waitlist"), apps[9]);
	REFUSED(PW_EFULL, op_decide("operator", apps[9], "accept"), apps[9]);
	REFUSED(PW_EFULL, op_offer(apps[9]), apps[9]); /* nothing freed: still full */
	w = json_object_get(cstate("lle-2026-27"), "waiting");
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(json_string_value(json_array_get(w, 0)), "L008");

	/* an accepted candidate withdraws: the first on the list is offered the place */
	OK(op_withdraw("p-lle-3", apps[3]), apps[3], "withdrawn", NULL);
	stage_is(apps[3], "briefing", "withdrawn");
	assert_true(json_is_false(json_object_get(apps[3], "place")));
	assert_int_equal(taken("lle-2026-27"), 7);
	assert_int_equal(json_array_size(out.offers), 1);
	assert_string_equal(json_string_value(json_array_get(out.offers, 0)), "L008");
	assert_int_equal(json_array_size(w), 1);
	json_array_clear(out.offers);
	/* offered, not accepted: it waits, and the place is held for it */
	OK(op_offer(apps[8]), apps[8], "place_offered", NULL);
	stage_is(apps[8], "selection", "waitlisted");
	assert_true(json_is_false(json_object_get(apps[8], "place")));
	assert_non_null(json_object_get(json_object_get(apps[8], "offer"), "expires"));
	assert_int_equal(taken("lle-2026-27"), 7);
	assert_int_equal(offered_count("lle-2026-27"), 1);
	REFUSED(PW_ETRANSITION, op_offer(apps[8]), apps[8]);		      /* already offered */
	REFUSED(PW_EFULL, op_decide("operator", apps[9], "accept"), apps[9]); /* held */
	REFUSED(PW_EFORBIDDEN, op_answer("p-lle-9", apps[8], "accept"), apps[8]);
	REFUSED(PW_ETRANSITION, op_answer("operator", apps[8], "expire"), apps[8]); /* not yet */
	REFUSED(PW_ETRANSITION, op_answer("p-lle-9", apps[9], "accept"), apps[9]);  /* no offer */
	OK(op_answer("p-lle-8", apps[8], "accept"), apps[8], "offer_accepted",
	   "stage_changed:selection>briefing", NULL);
	stage_is(apps[8], "briefing", "active");
	assert_true(json_is_true(json_object_get(apps[8], "place")));
	assert_string_equal(str(json_object_get(apps[8], "offer"), "result"), "accepted");
	assert_int_equal(taken("lle-2026-27"), 8);
	assert_int_equal(offered_count("lle-2026-27"), 0);
	REFUSED(PW_ETRANSITION, op_offer(apps[8]), apps[8]);
	REFUSED(PW_ETRANSITION, op_answer("p-lle-8", apps[8], "decline"), apps[8]);
	REFUSED(PW_EFULL, op_decide("operator", apps[9], "accept"), apps[9]);
	REFUSED(PW_ETRANSITION, op_withdraw("p-lle-3", apps[3]), apps[3]);

	/* a waiting candidate withdraws: no place is freed */
	OK(op_withdraw("operator", apps[9]), apps[9], "withdrawn", NULL);
	assert_int_equal(json_array_size(out.offers), 0);
	assert_int_equal(json_array_size(w), 0);
	assert_int_equal(taken("lle-2026-27"), 8);

	/* an accepted candidate withdraws with nobody waiting: the place is simply free */
	OK(op_withdraw("operator", apps[0]), apps[0], "withdrawn", NULL);
	assert_int_equal(json_array_size(out.offers), 0);
	assert_int_equal(taken("lle-2026-27"), 7);
	for (int i = 0; i < 10; i++)
		json_decref(apps[i]);
}

/* A declined or expired offer passes the place on; the decliner is withdrawn. */
static void
test_offer_declined_expired(void **state)
{
	json_t *apps[10];
	const json_t *w = json_object_get(cstate("lle-2026-27"), "waiting");

	(void)state;
	for (int i = 0; i < 10; i++)
		apps[i] = lle_at_selection(i);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(op_decide("operator", apps[i], i < 8 ? "accept" : "waitlist"), 0);
		json_array_clear(out.events);
	}
	OK(op_withdraw("operator", apps[0]), apps[0], "withdrawn", NULL);
	json_array_clear(out.offers);
	OK(op_offer(apps[8]), apps[8], "place_offered", NULL);
	/* declined: withdrawn, and the place goes to the next waiting */
	OK(op_answer("p-lle-8", apps[8], "decline"), apps[8], "offer_declined", NULL);
	stage_is(apps[8], "selection", "withdrawn");
	assert_string_equal(str(json_object_get(apps[8], "offer"), "result"), "declined");
	assert_int_equal(json_array_size(out.offers), 1);
	assert_string_equal(json_string_value(json_array_get(out.offers, 0)), "L009");
	assert_int_equal(json_array_size(w), 0);
	assert_int_equal(offered_count("lle-2026-27"), 0);
	json_array_clear(out.offers);
	OK(op_offer(apps[9]), apps[9], "place_offered", NULL);
	/* silence: expired after its time, still waitlisted, off the list; nobody else waits */
	now += 8 * 86400;
	OK(op_answer("operator", apps[9], "expire"), apps[9], "offer_expired", NULL);
	stage_is(apps[9], "selection", "waitlisted");
	assert_int_equal(json_array_size(out.offers), 0);
	assert_int_equal(offered_count("lle-2026-27"), 0);
	assert_int_equal(taken("lle-2026-27"), 7);
	REFUSED(PW_ETRANSITION, op_answer("p-lle-9", apps[9], "accept"), apps[9]);
	/* the LA may still accept it into the free place */
	OK(op_decide("operator", apps[9], "accept"), apps[9], "decided",
	   "stage_changed:selection>briefing", NULL);
	assert_int_equal(taken("lle-2026-27"), 8);
	for (int i = 0; i < 10; i++)
		json_decref(apps[i]);
}

static void
test_reject(void **state)
{
	json_t *a = lle_at_selection(0), *b = lle_at_selection(1);

	(void)state;
	OK(op_decide("operator", a, "reject"), a, "decided", "rejected", NULL);
	stage_is(a, "selection", "rejected");
	assert_int_equal(taken("lle-2026-27"), 0);
	REFUSED(PW_ETRANSITION, op_decide("operator", a, "accept"), a);
	REFUSED(PW_ETRANSITION, op_withdraw("operator", a), a);
	REFUSED(PW_ETRANSITION, op_submit("p-lle-0", a, "application_form"), a);
	/* rejecting from the waiting list takes it off the list */
	assert_int_equal(op_decide("operator", b, "waitlist"), 0);
	json_array_clear(out.events);
	OK(op_decide("operator", b, "reject"), b, "decided", "rejected", NULL);
	assert_int_equal(json_array_size(json_object_get(cstate("lle-2026-27"), "waiting")), 0);
	json_decref(a);
	json_decref(b);
}

/* The actions that complete stage k of norfolk-talent-pool for app (of p-cand-1). */
static void
ntp_complete(json_t *app, int k)
{
	char r[32];

	switch (k) {
	case 0:
		assert_int_equal(op_submit("p-cand-1", app, "self_evaluation"), 0);
		break;
	case 1:
		assert_int_equal(op_submit("p-head-1", app, "evidence_form"), 0);
		assert_int_equal(op_signoff("p-head-1", app), 0);
		break;
	case 2:
		assert_int_equal(op_decide("operator", app, "accept"), 0);
		assert_int_equal(op_coach("operator", app, "p-coach-1"), 0);
		break;
	case 3:
		for (int i = 1; i <= 8; i++) {
			snprintf(r, sizeof r, "p-r%d", i);
			assert_int_equal(op_invite("p-cand-1", app, r), 0);
			assert_int_equal(op_respond(r, app, r), 0);
		}
		break;
	case 4:
		for (int i = 1; i <= 5; i++) {
			snprintf(r, sizeof r, "TP%d", i);
			assert_int_equal(op_attend("p-coach-1", app, r, 1), 0);
		}
		assert_int_equal(op_submit("p-cand-1", app, "leadership_plan"), 0);
		break;
	case 5:
		assert_int_equal(op_place("p-coach-1", app, "s-elm", "2027-03-01", "2027-03-03"),
				 0);
		assert_int_equal(op_confirm("p-host-1", app, 3), 0);
		break;
	case 6:
		assert_int_equal(op_attend("p-coach-1", app, "TP6", 1), 0);
		break;
	case 7:
		for (int i = 7; i <= 11; i++) {
			snprintf(r, sizeof r, "TP%d", i);
			assert_int_equal(op_attend("p-coach-1", app, r, 1), 0);
		}
		break;
	case 8:
		assert_int_equal(op_attend("p-coach-1", app, "TP12", 1), 0);
		break;
	default:
		fail_msg("no stage %d", k);
	}
	json_array_clear(out.events);
	json_array_clear(out.offers);
}

/*
 * ntp-2026-27 offers a freed place until its offers_until, 2027-01-14 (local,
 * GMT then): to the end of that day.
 */
#define NTP_OFFERS_END 1799971200 /* 2027-01-15T00:00:00Z */

/*
 * Withdrawal and deferral from every active stage of the talent pool. A place
 * it held is offered to the one waiting while the cohort still offers places.
 */
static void
test_ntp_withdraw_defer_every_stage(void **state)
{
	const struct programme *p = config_cohort(cfg, "ntp-2026-27")->programme;
	int sel = config_stage_index(p, "selection"), held_before = 0, held_after = 0;
	json_t *app = NULL;

	(void)state;
	assert_int_equal(
	    op_create("p-cand-1", "ntp-2026-27", "p-cand-1", "A000010", "interest", &app), 0);
	json_array_clear(out.events);
	/* someone else waits for a place in 2026-27 */
	json_array_append_new(json_object_get(cstate("ntp-2026-27"), "waiting"),
			      json_string("A000099"));
	for (int k = 0; k + 1 < (int)p->nstages; k++) {
		const char *stage = p->stages[k].id;
		json_t *a, *saved = json_deep_copy(cstates);
		int held = k > sel, offering;

		stage_is(app, stage, "active");
		assert_int_equal(taken("ntp-2026-27"), held ? 1 : 0);

		/* refused: viewer, another school's headteacher, another candidate, a coach */
		REFUSED(PW_EFORBIDDEN, op_withdraw("p-viewer", app), app);
		REFUSED(PW_EFORBIDDEN, op_withdraw("p-head-2", app), app);
		REFUSED(PW_EFORBIDDEN, op_withdraw("p-cand-2", app), app);
		REFUSED(PW_EFORBIDDEN, op_withdraw("p-coach-1", app), app);
		REFUSED(PW_EFORBIDDEN, op_defer("p-head-1", app, "ntp-2027-28"), app);
		REFUSED(PW_EFORBIDDEN, op_defer("p-cand-1", app, "ntp-2027-28"), app);
		/* not a later cohort of the same programme */
		REFUSED(PW_EINVALID, op_defer("operator", app, "ntp-2026-27"), app);
		REFUSED(PW_EINVALID, op_defer("operator", app, "kent-2026-27"), app);
		REFUSED(PW_EINVALID, op_defer("operator", app, "lle-2026-27"), app);

		/* withdraw, by the candidate and by their headteacher */
		for (int who = 0; who < 2; who++) {
			offering = held && now < NTP_OFFERS_END; /* the withdrawal's clock */
			held_after += held && !offering;
			a = json_deep_copy(app);
			OK(op_withdraw(who ? "p-head-1" : "p-cand-1", a), a, "withdrawn", NULL);
			stage_is(a, stage, "withdrawn");
			assert_true(json_is_false(json_object_get(a, "place")));
			assert_int_equal(taken("ntp-2026-27"), 0);
			if (offering) {
				held_before++;
				assert_int_equal(json_array_size(out.offers), 1);
				assert_string_equal(
				    json_string_value(json_array_get(out.offers, 0)), "A000099");
			} else {
				assert_int_equal(json_array_size(out.offers), 0);
			}
			json_array_clear(out.offers);
			REFUSED(PW_ETRANSITION, op_withdraw("p-cand-1", a), a);
			REFUSED(PW_ETRANSITION, op_submit("p-cand-1", a, "self_evaluation"), a);
			REFUSED(PW_ETRANSITION, op_defer("operator", a, "ntp-2027-28"), a);
			json_decref(a);
			json_decref(cstates);
			cstates = json_deep_copy(saved);
		}

		/* defer to next year: before selection it stays; from selection on it is selected
		 * again */
		offering = held && now < NTP_OFFERS_END;
		a = json_deep_copy(app);
		if (k > sel) {
			char back[96];

			snprintf(back, sizeof back, "stage_changed:%s>selection", stage);
			OK(op_defer("operator", a, "ntp-2027-28"), a, back, "deferred", NULL);
		} else
			OK(op_defer("operator", a, "ntp-2027-28"), a, "deferred", NULL);
		assert_string_equal(str(a, "cohort"), "ntp-2027-28");
		stage_is(a, k > sel ? "selection" : stage, "active");
		assert_true(json_is_false(json_object_get(a, "place")));
		assert_null(json_object_get(a, "attendance"));
		assert_null(json_object_get(json_object_get(a, "decisions"), "selection"));
		assert_int_equal(taken("ntp-2026-27"), 0);
		assert_int_equal(taken("ntp-2027-28"), 0);
		assert_int_equal(json_array_size(out.offers), offering ? 1 : 0);
		json_array_clear(out.offers);
		if (k >= sel && k <= sel + 1) {
			/* selected again in the new cohort, and it goes on from there */
			OK(op_decide("operator", a, "accept"), a, "decided",
			   "stage_changed:selection>feedback_360", NULL);
			assert_int_equal(taken("ntp-2027-28"), 1);
		} else if (k > sel + 1) {
			/* the 360 responses it had still count */
			OK(op_decide("operator", a, "accept"), a, "decided",
			   "stage_changed:selection>feedback_360",
			   "stage_changed:feedback_360>foundation", NULL);
			assert_int_equal(taken("ntp-2027-28"), 1);
		}
		json_decref(a);
		json_decref(cstates);
		cstates = saved;

		ntp_complete(app, k);
	}
	stage_is(app, "graduated", "graduated");
	/* the year crosses offers_until: withdrawals on both sides of it */
	assert_true(held_before > 0);
	assert_true(held_after > 0);
	json_decref(app);
}

/* A waiting-list application may be withdrawn or deferred too. */
static void
test_waitlisted_withdraw_defer(void **state)
{
	json_t *app = NULL, *b;

	(void)state;
	assert_int_equal(
	    op_create("p-cand-1", "ntp-2026-27", "p-cand-1", "A000020", "interest", &app), 0);
	ntp_complete(app, 0);
	ntp_complete(app, 1);
	assert_int_equal(op_decide("operator", app, "waitlist"), 0);
	json_array_clear(out.events);
	stage_is(app, "selection", "waitlisted");
	b = json_deep_copy(app);
	OK(op_defer("operator", b, "ntp-2027-28"), b, "deferred", NULL);
	stage_is(b, "selection", "active");
	assert_int_equal(json_array_size(json_object_get(cstate("ntp-2026-27"), "waiting")), 0);
	json_decref(b);
	json_array_append_new(json_object_get(cstate("ntp-2026-27"), "waiting"),
			      json_string("A000020"));
	OK(op_withdraw("p-cand-1", app), app, "withdrawn", NULL);
	assert_int_equal(json_array_size(json_object_get(cstate("ntp-2026-27"), "waiting")), 0);
	assert_int_equal(json_array_size(out.offers), 0);
	json_decref(app);
}

/* Kent and LLE have one cohort each: withdrawal from every stage, no deferral. */
static void
test_kent_lle_withdraw_every_stage(void **state)
{
	static const char *const kent_stages[] = {"confirmation",     "introduction",  "audit",
						  "placement_choice", "coach_trained", "internship",
						  "celebration"};
	json_t *app = NULL, *a;

	(void)state;
	assert_int_equal(op_create("operator", "kent-2026-27", "p-cand-3", "K2", "interest", &app),
			 0);
	json_array_clear(out.events);
	for (int k = 0; k < 7; k++) {
		stage_is(app, kent_stages[k], "active");
		REFUSED(PW_EINVALID, op_defer("operator", app, "kent-2026-27"), app);
		REFUSED(PW_EINVALID, op_defer("operator", app, "ntp-2027-28"), app);
		REFUSED(PW_EFORBIDDEN, op_withdraw("p-head-1", app), app);
		a = json_deep_copy(app);
		OK(op_withdraw("p-head-2", a), a, "withdrawn", NULL);
		stage_is(a, kent_stages[k], "withdrawn");
		json_decref(a);
		fresh(NULL); /* the place the copy gave up */
		switch (k) {
		case 0:
			assert_int_equal(op_decide("operator", app, "accept"), 0);
			break;
		case 1:
			assert_int_equal(op_attend("operator", app, "INTRO", 1), 0);
			break;
		case 2:
			assert_int_equal(op_submit("p-cand-3", app, "predisposition_audit"), 0);
			break;
		case 3:
			assert_int_equal(op_submit("p-cand-3", app, "placement_choice"), 0);
			break;
		case 4: /* a coach already trained: assigning them meets it */
			assert_int_equal(op_train("p-coach-1", "COACH1", app), 0);
			assert_int_equal(op_train("p-coach-1", "COACH3", app), 0);
			stage_is(app, "coach_trained", "active");
			assert_int_equal(op_coach("operator", app, "p-coach-1"), 0);
			break;
		case 5:
			assert_int_equal(
			    op_place("operator", app, "s-elm", "2027-06-07", "2027-07-02"), 0);
			assert_int_equal(op_confirm("p-host-1", app, 5), 0);
			break;
		case 6:
			assert_int_equal(op_attend("operator", app, "CELEBRATION", 1), 0);
			break;
		}
		json_array_clear(out.events);
		json_array_clear(out.offers);
	}
	stage_is(app, "completed", "graduated");
	json_decref(app);

	app = lle_at_selection(5);
	REFUSED(PW_EINVALID, op_defer("operator", app, "lle-2026-27"), app);
	a = json_deep_copy(app);
	OK(op_withdraw("p-lle-5", a), a, "withdrawn", NULL);
	json_decref(a);
	json_decref(app);
}

/* Every role relation that must be refused, with nothing changed. */
static void
test_forbidden_relations(void **state)
{
	json_t *app = NULL;
	struct engine_ctx e;

	(void)state;
	assert_int_equal(
	    op_create("p-cand-1", "ntp-2026-27", "p-cand-1", "A000030", "interest", &app), 0);
	json_array_clear(out.events);

	/* a candidate submitting another's document; a viewer writing */
	REFUSED(PW_EFORBIDDEN, op_submit("p-cand-2", app, "self_evaluation"), app);
	REFUSED(PW_EFORBIDDEN, op_submit("p-viewer", app, "self_evaluation"), app);
	REFUSED(PW_EFORBIDDEN, op_submit("p-head-1", app, "self_evaluation"), app);
	REFUSED(PW_EFORBIDDEN, op_submit("p-coach-1", app, "self_evaluation"), app);
	ntp_complete(app, 0);

	/* the evidence form and the sign-off are the candidate's own headteacher's */
	REFUSED(PW_EFORBIDDEN, op_submit("p-cand-1", app, "evidence_form"), app);
	REFUSED(PW_EFORBIDDEN, op_submit("p-head-2", app, "evidence_form"), app);
	REFUSED(PW_EFORBIDDEN, op_submit("p-viewer", app, "evidence_form"), app);
	assert_int_equal(op_submit("operator", app, "evidence_form"), 0);
	json_array_clear(out.events);
	REFUSED(PW_EFORBIDDEN, op_signoff("p-head-2", app), app);
	REFUSED(PW_EFORBIDDEN, op_signoff("p-cand-1", app), app);
	REFUSED(PW_EFORBIDDEN, op_signoff("p-viewer", app), app);
	REFUSED(PW_EFORBIDDEN, op_signoff("p-coach-1", app), app);

	/* wrong stage: invalid_transition */
	REFUSED(PW_ETRANSITION, op_decide("operator", app, "accept"), app);
	REFUSED(PW_ETRANSITION, op_invite("p-cand-1", app, "p-r1"), app);
	REFUSED(PW_ETRANSITION, op_submit("p-cand-1", app, "leadership_plan"), app);
	REFUSED(PW_ETRANSITION, op_place("operator", app, "s-elm", "2027-03-01", "2027-03-03"),
		app);
	REFUSED(PW_ETRANSITION, op_confirm("operator", app, 3), app);
	REFUSED(PW_ETRANSITION, op_attend("operator", app, "TP1", 1), app);
	REFUSED(PW_ETRANSITION, op_respond("operator", app, "p-r1"), app);
	assert_int_equal(op_signoff("p-head-1", app), 0);
	json_array_clear(out.events);

	/* the decision is the LA's */
	REFUSED(PW_EFORBIDDEN, op_decide("p-head-1", app, "accept"), app);
	REFUSED(PW_EFORBIDDEN, op_decide("p-cand-1", app, "accept"), app);
	REFUSED(PW_EFORBIDDEN, op_decide("p-viewer", app, "accept"), app);
	REFUSED(PW_EFORBIDDEN, op_coach("p-head-1", app, "p-coach-1"), app);
	REFUSED(PW_EINVALID, op_coach("operator", app, "p-cand-2"), app);
	ntp_complete(app, 2);

	/* 360: the candidate invites; raters record only their own, invited, response */
	REFUSED(PW_EFORBIDDEN, op_invite("p-cand-2", app, "p-r1"), app);
	REFUSED(PW_EFORBIDDEN, op_invite("p-head-1", app, "p-r1"), app);
	REFUSED(PW_EFORBIDDEN, op_invite("p-viewer", app, "p-r1"), app);
	assert_int_equal(op_invite("p-cand-1", app, "p-r1"), 0);
	assert_int_equal(op_invite("p-cand-1", app, "p-r2"), 0);
	json_array_clear(out.events);
	REFUSED(PW_EFORBIDDEN, op_respond("p-r9", app, "p-r9"), app);
	REFUSED(PW_EFORBIDDEN, op_respond("p-r1", app, "p-r2"), app);
	REFUSED(PW_EFORBIDDEN, op_respond("p-r9", app, "p-r1"), app);
	REFUSED(PW_EFORBIDDEN, op_respond("p-cand-1", app, "p-r1"), app);
	REFUSED(PW_EFORBIDDEN, op_respond("p-viewer", app, "p-r1"), app);
	REFUSED(PW_ENOTFOUND, op_respond("operator", app, "p-r9"), app);
	OK(op_respond("p-r1", app, "p-r1"), app, "response_recorded", NULL);
	{
		json_t *d = json_object_get(json_object_get(app, "raters"), "p-r1");

		assert_non_null(json_object_get(d, "responded"));
		assert_non_null(json_object_get(d, "invited"));
	}
	REFUSED(PW_ETRANSITION, op_respond("p-r1", app, "p-r1"), app);

	/* viewing: related people and readers only */
	ctx_set(&e, "p-viewer", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), 0);
	ctx_set(&e, "p-r2", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), 0);
	ctx_set(&e, "p-head-1", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), 0);
	ctx_set(&e, "p-coach-1", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), 0);
	ctx_set(&e, "p-head-2", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), PW_EFORBIDDEN);
	ctx_set(&e, "p-r9", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), PW_EFORBIDDEN);
	ctx_set(&e, "p-coach-2", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), PW_EFORBIDDEN);
	ctx_set(&e, "p-cand-2", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), PW_EFORBIDDEN);

	for (int i = 2; i <= 8; i++) {
		char r[32];

		snprintf(r, sizeof r, "p-r%d", i);
		if (i > 2)
			assert_int_equal(op_invite("p-cand-1", app, r), 0);
		assert_int_equal(op_respond("operator", app, r), 0);
	}
	json_array_clear(out.events);
	stage_is(app, "foundation", "active");

	/* attendance: the assigned coach, not another */
	REFUSED(PW_EFORBIDDEN, op_attend("p-coach-2", app, "TP1", 1), app);
	REFUSED(PW_EFORBIDDEN, op_attend("p-cand-1", app, "TP1", 1), app);
	REFUSED(PW_EFORBIDDEN, op_attend("p-viewer", app, "TP1", 1), app);
	REFUSED(PW_EFORBIDDEN, op_attend("p-head-1", app, "TP1", 1), app);
	ntp_complete(app, 4);

	/* the internship: placed by the coach, confirmed by the host school's host */
	REFUSED(PW_EFORBIDDEN, op_place("p-coach-2", app, "s-elm", "2027-03-01", "2027-03-03"),
		app);
	REFUSED(PW_EFORBIDDEN, op_place("p-host-1", app, "s-elm", "2027-03-01", "2027-03-03"), app);
	assert_int_equal(op_place("p-coach-1", app, "s-elm", "2027-03-01", "2027-03-03"), 0);
	json_array_clear(out.events);
	REFUSED(PW_EFORBIDDEN, op_confirm("p-host-2", app, 3), app);
	REFUSED(PW_EFORBIDDEN, op_confirm("p-coach-1", app, 3), app);
	REFUSED(PW_EFORBIDDEN, op_confirm("p-cand-1", app, 3), app);
	REFUSED(PW_EFORBIDDEN, op_confirm("p-viewer", app, 3), app);
	ctx_set(&e, "p-host-1", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), 0);
	ctx_set(&e, "p-host-2", app, NULL);
	assert_int_equal(engine_may_view(&e, app, &st), PW_EFORBIDDEN);
	json_decref(app);
}

static void
test_roles_position(void **state)
{
	json_t *p = json_pack("{s:[s, s, s]}", "roles", "coach", "bogus", "viewer");
	json_t *none = json_object();

	(void)state;
	assert_int_equal(engine_roles(p), ROLE_COACH | ROLE_VIEWER);
	assert_int_equal(engine_roles(none), 0);
	assert_int_equal(engine_roles(person("p-multi")), ROLE_COACH);
	assert_int_equal(engine_roles(person("p-lle-ok")), ROLE_CANDIDATE | ROLE_HEADTEACHER);
	json_decref(p);
	json_decref(none);
	p = json_pack("{s:s, s:s}", "status", "active", "stage", "signoff");
	assert_string_equal(engine_position(p), "signoff");
	json_object_set_new(p, "status", json_string("withdrawn"));
	assert_string_equal(engine_position(p), "withdrawn");
	json_decref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ntp_interest_to_graduation, fresh),
	    cmocka_unit_test_setup(test_ntp_nomination_route, fresh),
	    cmocka_unit_test_setup(test_kent_walk, fresh),
	    cmocka_unit_test_setup(test_lle_eligibility, fresh),
	    cmocka_unit_test_setup(test_capacity_and_waiting_list, fresh),
	    cmocka_unit_test_setup(test_offer_declined_expired, fresh),
	    cmocka_unit_test_setup(test_reject, fresh),
	    cmocka_unit_test_setup(test_ntp_withdraw_defer_every_stage, fresh),
	    cmocka_unit_test_setup(test_waitlisted_withdraw_defer, fresh),
	    cmocka_unit_test_setup(test_kent_lle_withdraw_every_stage, fresh),
	    cmocka_unit_test_setup(test_forbidden_relations, fresh),
	    cmocka_unit_test_setup(test_roles_position, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
