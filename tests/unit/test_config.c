/*
 * test_config.c: the configuration loader (daemon/config*.c). The shipped
 * configuration loads with everything in it; each kind of mistake in a
 * small temporary programme, cohort, template or main file is refused with
 * a message naming the file, the line and the setting.
 */
#include "unit.h"

#include <dirent.h>
#include <sys/stat.h>

#include "config.h"
#include "config_read.h"

static char *tmp;

static int
setup(void **state)
{
	(void)state;
	tmp = unit_tmpdir();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(tmp);
	return 0;
}

/* 1-based line of the first occurrence of marker in text. */
static int
line_of(const char *text, const char *marker)
{
	const char *at = strstr(text, marker);
	int line = 1;

	if (at == NULL)
		fail_msg("test bug: '%s' not in the file", marker);
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

static void
test_shipped(void **state)
{
	char *conf = unit_shipped_conf(tmp);
	struct pw_config *cfg = NULL;
	const struct programme *p;
	const struct cohort *c;
	const struct stage *s;
	struct pw_status st;
	int64_t t;

	(void)state;
	if (config_load(conf, &cfg, &st) != 0)
		fail_msg("%s", st.msg);
	free(conf);
	assert_int_equal(cfg->nprogrammes, 3);
	assert_int_equal(cfg->ncohorts, 4);
	assert_true(cfg->daemon.clock_manual);
	assert_int_equal(pw_time_parse("2026-09-01T07:00:00Z", &t), 0);
	assert_int_equal(cfg->daemon.clock_start, t);
	assert_int_equal(cfg->daemon.max_message, 65536);
	assert_int_equal(cfg->daemon.max_batch, 256);
	assert_string_equal(cfg->daemon.operator_id, "operator");
	assert_int_equal(cfg->daemon.log_level, LOG_ERROR);
	assert_int_equal(cfg->outbox.retry_min, 300);
	assert_int_equal(cfg->outbox.retry_max, 4000);
	assert_int_equal(cfg->outbox.lifetime, 120 * 3600);
	assert_non_null(cfg->outbox.failed);
	assert_non_null(cfg->opportunities.early);
	assert_non_null(cfg->opportunities.released);

	/* the talent pool, stage by stage */
	p = config_programme(cfg, "norfolk-talent-pool");
	assert_non_null(p);
	{
		static const char *const ids[] = {
		    "interest",	    "signoff",	  "selection",		"feedback_360",
		    "foundation",   "internship", "interview_practice", "group_learning",
		    "final_review", "graduated"};

		assert_int_equal(p->nstages, 10);
		for (size_t i = 0; i < 10; i++) {
			assert_string_equal(p->stages[i].id, ids[i]);
			assert_int_equal(config_stage_index(p, ids[i]), (int)i);
			assert_int_equal(p->stages[i].terminal, i == 9);
		}
	}
	assert_int_equal(config_stage_index(p, "nope"), -1);
	s = &p->stages[1];
	assert_int_equal(s->nreqs, 2);
	assert_int_equal(s->reqs[0].kind, REQ_SUBMISSION);
	assert_string_equal(s->reqs[0].doc, "evidence_form");
	assert_int_equal(1 << s->reqs[0].role, ROLE_HEADTEACHER);
	assert_int_equal(s->reqs[1].kind, REQ_SIGNOFF);
	assert_int_equal(s->deadline_days, 14);
	assert_int_equal(s->nreminders, 1);
	assert_int_equal(s->reminders[0].every, 4);
	assert_int_equal(s->reminders[0].at, 9 * 60);
	assert_int_equal(s->reminders[0].to, ROLE_HEADTEACHER);
	assert_string_equal(s->reminders[0].tmpl->name, "signoff-reminder");
	assert_int_equal(s->nescalations, 1);
	assert_int_equal(s->escalations[0].to, ROLE_LA_ADVISER);
	s = &p->stages[2];
	assert_int_equal(s->reqs[0].kind, REQ_DECISION);
	assert_true(s->reqs[0].capacity);
	assert_int_equal(1 << s->reqs[0].role, ROLE_LA_ADVISER);
	s = &p->stages[3];
	assert_int_equal(s->reqs[0].kind, REQ_RESPONSES);
	assert_int_equal(s->reqs[0].min, 8);
	assert_string_equal(s->deadline_session, "TP2");
	assert_int_equal(s->nreminders, 3);
	assert_int_equal(s->reminders[0].days, -14);
	assert_int_equal(s->escalations[0].at, 18 * 60);
	s = &p->stages[4];
	assert_int_equal(s->reqs[0].kind, REQ_ATTENDANCE);
	assert_int_equal(s->reqs[0].nsessions, 5);
	assert_int_equal(s->reqs[0].min, 4);
	assert_string_equal(s->reqs[0].sessions[4], "TP5");
	s = &p->stages[5];
	assert_int_equal(s->reqs[0].kind, REQ_INTERNSHIP);
	assert_int_equal(s->reqs[0].min, 3);
	assert_true(s->reqs[0].host_lss);
	assert_int_equal(p->nrules, 16);
	assert_string_equal(p->rules[13].on, "application.feedback_ready");
	assert_string_equal(p->rules[14].on, "application.returned");
	assert_string_equal(p->forms[0].id, "self_evaluation");
	/* the pool is for primary and special schools: a rule on the school's phase */
	assert_int_equal(p->stages[0].reqs[0].kind, REQ_ELIGIBILITY);
	assert_string_equal(p->stages[0].reqs[0].school, "phase");
	assert_null(p->stages[0].reqs[0].fact);
	assert_int_equal(p->stages[0].reqs[0].n_one_of, 2);
	assert_string_equal(p->stages[0].reqs[0].one_of[1], "special");
	assert_true(p->uses_school);
	assert_ptr_equal(p->stages[0].reqs[1].form, &p->forms[0]);
	assert_int_equal(p->stages[0].reqs[1].role, proto_role_bit("candidate"));
	assert_int_equal(p->feedback.ncategories, 4);
	assert_true(p->feedback.nquestions > 0);
	assert_string_equal(p->rules[0].on, "application.created");
	assert_string_equal(p->rules[0].route, "nomination");
	assert_null(p->rules[1].route);
	assert_string_equal(p->rules[1].on, "application.stage_changed");
	assert_string_equal(p->rules[1].stage, "signoff");
	assert_string_equal(p->rules[2].on, "application.school_changed");
	assert_string_equal(p->rules[2].stage, "signoff");
	assert_ptr_equal(p->rules[2].tmpl, p->rules[1].tmpl); /* one signoff-needed */
	assert_string_equal(p->rules[3].outcome, "accept");
	assert_int_equal(p->rules[3].to, ROLE_CANDIDATE | ROLE_HEADTEACHER);
	assert_non_null(p->rules[3].tmpl->html); /* decision-accepted.html */
	assert_null(p->rules[4].tmpl->html);
	assert_true(strlen(p->rules[3].tmpl->subject) > 0);
	assert_int_equal(p->session_reminder.days, -1);
	assert_int_equal(p->session_reminder.to, ROLE_CANDIDATE | ROLE_COACH);
	assert_int_equal(p->alumni.to, ROLE_CANDIDATE);
	/* every session an attendance requirement names is indexed */
	for (int i = 1; i <= 12; i++) {
		char id[8];
		size_t k;

		snprintf(id, sizeof id, "TP%d", i);
		for (k = 0; k < p->nsessions_used; k++)
			if (strcmp(p->sessions_used[k], id) == 0)
				break;
		assert_true(k < p->nsessions_used);
	}

	/* Kent: no LSS, five days; LLE: eligibility rules */
	p = config_programme(cfg, "kent-pathways");
	assert_non_null(p);
	assert_int_equal(p->nstages, 8);
	/* two tracks; the middle leaders' audit is confirmed by the LA */
	assert_int_equal(p->ntracks, 2);
	assert_string_equal(p->tracks[1].id, "senior");
	assert_int_equal(p->stages[2].reqs[0].tracks, 0);
	assert_int_equal(p->stages[2].reqs[1].tracks, 1u << 0);
	/* a trained coach before the internship */
	assert_int_equal(p->stages[4].reqs[0].kind, REQ_COACH_TRAINED);
	assert_int_equal(p->stages[4].reqs[0].nsessions, 3);
	assert_int_equal(p->stages[4].reqs[0].min, 2);
	assert_true(p->uses_coach);
	assert_int_equal(p->stages[5].reqs[0].min, 5);
	assert_false(p->stages[5].reqs[0].host_lss);
	assert_string_equal(p->stages[7].id, "completed");
	p = config_programme(cfg, "norfolk-lle");
	assert_non_null(p);
	s = &p->stages[0];
	assert_int_equal(s->nreqs, 3);
	assert_int_equal(s->reqs[0].kind, REQ_ELIGIBILITY);
	assert_string_equal(s->reqs[0].fact, "years_as_head");
	assert_int_equal(s->reqs[0].op, OP_GE);
	assert_int_equal(s->reqs[0].vtype, VAL_NUM);
	assert_true(s->reqs[0].value_num == 3);
	assert_string_equal(s->reqs[1].fact, "leadership_good_or_better");
	assert_int_equal(s->reqs[1].op, OP_EQ);
	assert_int_equal(s->reqs[1].vtype, VAL_BOOL);
	assert_true(s->reqs[1].value_num == 1);
	assert_null(config_programme(cfg, "nope"));

	/* cohorts */
	c = config_cohort(cfg, "ntp-2026-27");
	assert_non_null(c);
	assert_ptr_equal(c->programme, config_programme(cfg, "norfolk-talent-pool"));
	assert_int_equal(c->places, 30);
	assert_string_equal(c->timezone, "Europe/London");
	assert_string_equal(c->starts, "2026-09-01");
	assert_int_equal(c->nsessions, 12);
	assert_string_equal(config_session(c, "TP2")->date, "2026-11-05");
	assert_string_equal(config_session(c, "TP2")->start, "16:00");
	assert_string_equal(config_session(c, "TP1")->audience, "participants");
	assert_null(config_session(c, "TP13"));
	assert_int_equal(c->ndeadlines, 2);
	assert_string_equal(c->deadlines[0].stage->id, "interest");
	assert_string_equal(c->deadlines[0].date, "2026-09-25");
	assert_int_equal(c->deadline_time, 17 * 60);
	assert_int_equal(c->window_days, 0x3e); /* mon-fri */
	assert_int_equal(c->window_from, 7 * 60 + 30);
	assert_int_equal(c->window_to, 18 * 60 + 30);
	c = config_cohort(cfg, "kent-2026-27");
	assert_string_equal(config_session(c, "COACH1")->audience, "coaches");
	c = config_cohort(cfg, "lle-2026-27");
	assert_int_equal(c->places, 8);
	assert_int_equal(c->window_days, 0x7f); /* no window: every day */
	assert_int_equal(c->window_from, 0);
	assert_int_equal(c->window_to, 24 * 60);
	assert_null(config_cohort(cfg, "ntp-2099"));
	config_free(&cfg);
	assert_null(cfg);
	config_free(&cfg); /* safe on NULL */
}

/* conf/pathway.conf itself, from the top of the checkout as the daemon runs. */
static void
test_shipped_main_file(void **state)
{
	char cwd[4096];
	struct pw_config *cfg = NULL;
	struct pw_status st;
	int rc;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(unit_src()), 0);
	rc = config_load("conf/pathway.conf", &cfg, &st);
	assert_int_equal(chdir(cwd), 0);
	if (rc != 0)
		fail_msg("conf/pathway.conf: %s", st.msg);
	assert_false(cfg->daemon.clock_manual);
	assert_string_equal(cfg->daemon.db, "var/db");
	assert_int_equal(cfg->nprogrammes, 4);
	assert_int_equal(cfg->ncohorts, 6);
	config_free(&cfg);
}

/* A small valid programme and cohort; the error cases vary one thing. */
#define PROG_HEAD                                                                                  \
	"programme = {\n"                                                                          \
	"\tid = \"mini\";\n"                                                                       \
	"\tname = \"Mini programme\";\n"                                                           \
	"\tstages = (\n"
#define PROG_STAGES                                                                                \
	"\t\t{ id = \"apply\";\n"                                                                  \
	"\t\t  requires = ( { kind = \"submission\"; doc = \"form\"; } ); },\n"                    \
	"\t\t{ id = \"meet\";\n"                                                                   \
	"\t\t  requires = ( { kind = \"attendance\"; sessions = [ \"S1\" ]; } ); },\n"             \
	"\t\t{ id = \"done\"; terminal = true; }\n"
#define PROG_TAIL                                                                                  \
	"\t);\n"                                                                                   \
	"};\n"
#define PROG PROG_HEAD PROG_STAGES PROG_TAIL
#define PROG_STAGES_DUP                                                                            \
	"\t\t{ id = \"apply\";\n"                                                                  \
	"\t\t  requires = ( { kind = \"submission\"; doc = \"form\"; } ); },\n"                    \
	"\t\t{ id = \"apply\"; name = \"again\";\n"                                                \
	"\t\t  requires = ( { kind = \"submission\"; doc = \"form2\"; } ); },\n"                   \
	"\t\t{ id = \"done\"; terminal = true; }\n"
/* The stages closed, then one notification rule on application.withdrawn. */
#define PROG_TAIL_RULE(to, tmpl)                                                                   \
	"\t);\n"                                                                                   \
	"\tnotifications = (\n"                                                                    \
	"\t\t{ on = \"application.withdrawn\"; to = " to "; template = \"" tmpl "\"; }\n"          \
	"\t);\n"                                                                                   \
	"};\n"

#define COHORT_HEAD                                                                                \
	"cohort = {\n"                                                                             \
	"\tid = \"mini-1\";\n"                                                                     \
	"\tprogramme = \"mini\";\n"                                                                \
	"\tplaces = 2;\n"                                                                          \
	"\tstarts = \"2026-09-01\";\n"
#define COHORT_SESSIONS                                                                            \
	"\tsessions = (\n"                                                                         \
	"\t\t{ id = \"S1\"; title = \"One\"; date = \"2026-10-01\"; start = \"09:00\";\n"          \
	"\t\t  end = \"12:00\"; venue = \"Hall\"; }\n"                                             \
	"\t);\n"
#define COHORT_TAIL "};\n"
#define COHORT COHORT_HEAD COHORT_SESSIONS COHORT_TAIL

/* Load the main file with p.conf and c.conf (or the given lists). */
static int
load_with(const char *prog, const char *cohort, const char *templates, const char *extra,
	  struct pw_config **cfg, struct pw_status *st)
{
	char *pp = unit_write(tmp, "p.conf", prog), *cp = unit_write(tmp, "c.conf", cohort);
	char *pl = xasprintf("\"%s\"", pp), *cl = xasprintf("\"%s\"", cp);
	char *conf = unit_main_conf(tmp, extra, templates, pl, cl);
	int rc;

	memset(st, 0, sizeof *st);
	rc = config_load(conf, cfg, st);
	free(pp);
	free(cp);
	free(pl);
	free(cl);
	free(conf);
	return rc;
}

/*
 * The configuration must be refused with "FILE:LINE: SETTING: ..." where
 * LINE is the line of marker in that file's text, and the message must
 * mention what.
 */
static void
refused_at(const char *prog, const char *cohort, const char *templates, const char *extra,
	   const char *file, const char *file_text, const char *marker, const char *setting,
	   const char *what)
{
	struct pw_config *cfg = (struct pw_config *)1;
	struct pw_status st;
	char *want, *read = NULL;
	int rc = load_with(prog, cohort, templates, extra, &cfg, &st);

	if (file_text == NULL) {
		/* a file the helpers wrote: read it back */
		char *path = xasprintf("%s/%s", tmp, file);

		file_text = read = unit_read(path);
		free(path);
	}

	if (rc != PW_ECONFIG)
		fail_msg("loaded (%d), want a config error at %s '%s'", rc, file, marker);
	assert_null(cfg);
	assert_int_equal(st.code, PW_ECONFIG);
	want = xasprintf("%s/%s:%d: %s", tmp, file, line_of(file_text, marker), setting);
	if (strncmp(st.msg, want, strlen(want)) != 0)
		fail_msg("message '%s' does not start with '%s'", st.msg, want);
	if (what != NULL && strstr(st.msg, what) == NULL)
		fail_msg("message '%s' does not mention '%s'", st.msg, what);
	free(want);
	free(read);
}

static void
test_minimal_loads(void **state)
{
	struct pw_config *cfg = NULL;
	struct pw_status st;

	(void)state;
	if (load_with(PROG, COHORT, NULL, NULL, &cfg, &st) != 0)
		fail_msg("%s", st.msg);
	assert_int_equal(cfg->nprogrammes, 1);
	assert_string_equal(cfg->programmes[0].name, "Mini programme");
	assert_int_equal(1 << cfg->programmes[0].stages[0].reqs[0].role, ROLE_CANDIDATE);
	assert_string_equal(cfg->cohorts[0].name, "mini-1"); /* defaults to the id */
	assert_string_equal(cfg->cohorts[0].timezone, "Europe/London");
	assert_int_equal(cfg->cohorts[0].deadline_time, 17 * 60);
	config_free(&cfg);
}

static void
test_undefined_session(void **state)
{
	const char *cohort =
	    COHORT_HEAD "\tsessions = (\n"
			"\t\t{ id = \"S2\"; title = \"Two\"; date = \"2026-10-01\"; "
			"start = \"09:00\";\n"
			"\t\t  end = \"12:00\"; venue = \"Hall\"; }\n"
			"\t);\n" COHORT_TAIL;

	(void)state;
	refused_at(PROG, cohort, NULL, NULL, "c.conf", cohort, "sessions", "sessions",
		   "session 'S1'");
	/* a cohort with no sessions at all names the cohort */
	refused_at(PROG, COHORT_HEAD COHORT_TAIL, NULL, NULL, "c.conf", COHORT_HEAD COHORT_TAIL,
		   "cohort =", "cohort", "session 'S1'");
}

static void
test_duplicate_stage(void **state)
{
	const char *prog = PROG_HEAD PROG_STAGES_DUP PROG_TAIL;

	(void)state;
	refused_at(prog, COHORT, NULL, NULL, "p.conf", prog, "id = \"apply\"; name = \"again\"",
		   "id", "duplicate stage id 'apply'");
}

static void
test_unknown_kind(void **state)
{
	const char *prog =
	    PROG_HEAD "\t\t{ id = \"apply\";\n"
		      "\t\t  requires = ( { kind = \"essay\"; doc = \"form\"; } ); },\n"
		      "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;

	(void)state;
	refused_at(prog, COHORT, NULL, NULL, "p.conf", prog, "kind = \"essay\"", "kind",
		   "unknown requirement kind");
}

/* Tracks, rules on the school and coach_trained: each mistake at its line. */
static void
test_track_mistakes(void **state)
{
#define TRACKS "\ttracks = ( { id = \"middle\"; }, { id = \"senior\"; } );\n"
#define STAGE(req)                                                                                 \
	"\t\t{ id = \"apply\";\n"                                                                  \
	"\t\t  requires = ( " req " ); },\n"                                                       \
	"\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL
	static const char *const cases[][4] = {
	    {PROG_HEAD STAGE("{ kind = \"submission\"; doc = \"f\"; tracks = [ \"middle\" ]; }"),
	     "tracks = [", "tracks", "declares no tracks"},
	    {"programme = {\n\tid = \"mini\";\n" TRACKS "\tstages = (\n" STAGE(
		 "{ kind = \"submission\"; doc = \"f\"; tracks = [ \"junior\" ]; }"),
	     "tracks = [ \"junior", "tracks", "element 0 is not a track of mini"},
	    {"programme = {\n\tid = \"mini\";\n\ttracks = ( { id = \"a\"; }, { id = \"a\"; } "
	     ");\n\tstages = (\n" STAGE("{ kind = \"submission\"; doc = \"f\"; }"),
	     "tracks = (", "id", "duplicate track id 'a'"},
	    {PROG_HEAD STAGE("{ kind = \"eligibility\"; school = \"phase\"; fact = \"x\"; op = "
			     "\"==\"; value = \"primary\"; }"),
	     "kind = \"eligibility\"", "(element)", "one of 'fact'"},
	    {PROG_HEAD STAGE("{ kind = \"eligibility\"; school = \"phase\"; one_of = [ \"primary\" "
			     "]; op = \"==\"; }"),
	     "kind = \"eligibility\"", "(element)", "not both"},
	    {PROG_HEAD STAGE("{ kind = \"eligibility\"; school = \"phase\"; one_of = [ 1 ]; }"),
	     "one_of", "one_of", "element 0 is not a string"},
	    {PROG_HEAD STAGE("{ kind = \"coach_trained\"; min = 2; }"), "kind = \"coach_trained\"",
	     "(element)", "coach_trained needs 'sessions'"},
	    {PROG_HEAD STAGE("{ kind = \"coach_trained\"; sessions = [ \"S1\" ]; min = 2; }"),
	     "kind = \"coach_trained\"", "(element)", "min 2 exceeds the 1 sessions"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		refused_at(cases[i][0], COHORT, NULL, NULL, "p.conf", cases[i][0], cases[i][1],
			   cases[i][2], cases[i][3]);
#undef STAGE
#undef TRACKS
}

static void
test_unknown_role(void **state)
{
	const char *prog =
	    PROG_HEAD "\t\t{ id = \"apply\";\n"
		      "\t\t  requires = ( { kind = \"signoff\"; role = \"headmaster\"; } ); },\n"
		      "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;
	const char *prog2 =
	    PROG_HEAD PROG_STAGES PROG_TAIL_RULE("[ \"candidate\", \"parent\" ]", "withdrawn");
	const char *prog3 = PROG_HEAD PROG_STAGES "\t);\n"
						  "\tsessions = {\n"
						  "\t\treminder = { days = -1; to = [ \"governor\" "
						  "]; template = \"session-reminder\"; };\n"
						  "\t};\n"
						  "};\n";

	(void)state;
	refused_at(prog, COHORT, NULL, NULL, "p.conf", prog, "role = \"headmaster\"", "role",
		   "not a role");
	refused_at(prog2, COHORT, NULL, NULL, "p.conf", prog2, "to = [", "to", "not a role");
	refused_at(prog3, COHORT, NULL, NULL, "p.conf", prog3, "to = [ \"governor\"", "to",
		   "not a role");
}

/* A templates directory with the shipped templates plus the given one. */
static char *
templates_with(const char *name, const char *txt, const char *html)
{
	char *dir = xasprintf("%s/templates", tmp), *f, *shipped;
	struct dirent *e;
	DIR *d;

	/* every shipped template (the main file needs some), then the one under test */
	mkdir(dir, 0755);
	shipped = xasprintf("%s/conf/templates", unit_src());
	d = opendir(shipped);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char *src, *text;

		if (e->d_name[0] == '.')
			continue;
		src = xasprintf("%s/%s", shipped, e->d_name);
		text = unit_read(src);
		free(unit_write(dir, e->d_name, text));
		free(src);
		free(text);
	}
	closedir(d);
	free(shipped);
	f = xasprintf("%s.txt", name);
	free(unit_write(dir, f, txt));
	free(f);
	f = xasprintf("%s.html", name);
	if (html != NULL) {
		free(unit_write(dir, f, html));
	} else {
		char *path = xasprintf("%s/%s", dir, f);

		remove(path);
		free(path);
	}
	free(f);
	return dir;
}

static void
test_template_unknown_variable(void **state)
{
	const char *prog = PROG_HEAD PROG_STAGES PROG_TAIL_RULE("[ \"candidate\" ]", "notice");
	const char *txt = "Subject: About {{candidate_name}}\n"
			  "\n"
			  "Dear {{recipient_name}},\n"
			  "\n"
			  "We have noted your {{shoe_size}}.\n";
	const char *html = "<p>Dear {{recipient_name}},</p>\n<p>{{reason}} {{shoe_size}}</p>\n";
	char *dir;
	struct pw_status st;
	struct pw_config *cfg = NULL;

	(void)state;
	dir = templates_with("notice", txt, NULL);
	refused_at(prog, COHORT, dir, NULL, "templates/notice.txt", txt, "{{shoe_size}}",
		   "{{shoe_size}}", "unknown variable");
	free(dir);
	/* the same in the HTML part */
	dir =
	    templates_with("notice", "Subject: Hi\n\nDear {{recipient_name}}, {{reason}}\n", html);
	refused_at(prog, COHORT, dir, NULL, "templates/notice.html", html, "{{shoe_size}}",
		   "{{shoe_size}}", "unknown variable");
	free(dir);
	/* and in the subject */
	dir = templates_with("notice", "Subject: Your {{shoe_size}}\n\nHello\n", NULL);
	refused_at(prog, COHORT, dir, NULL, "templates/notice.txt", "x", "x", "{{shoe_size}}",
		   "unknown variable");
	free(dir);
	/* a variable of another event: withdrawn has reason, not graduation_date */
	dir = templates_with("notice", "Subject: Hi\n\n{{graduation_date}}\n", NULL);
	refused_at(prog, COHORT, dir, NULL, "templates/notice.txt", "a\nb\nc", "c",
		   "{{graduation_date}}", NULL);
	free(dir);
	/* the variables it does provide are fine */
	dir =
	    templates_with("notice", "Subject: {{candidate_name}}\n\n{{reason}} {{todo}}\n", NULL);
	if (load_with(prog, COHORT, dir, NULL, &cfg, &st) != 0)
		fail_msg("%s", st.msg);
	config_free(&cfg);
	/* a malformed placeholder or template */
	free(dir);
	dir = templates_with("notice", "Subject: Hi\n\nDear {{recipient_name\n", NULL);
	refused_at(prog, COHORT, dir, NULL, "templates/notice.txt", "a\nb\nc", "c", "unclosed",
		   NULL);
	free(dir);
	dir = templates_with("notice", "Dear {{recipient_name}}\n", NULL);
	refused_at(prog, COHORT, dir, NULL, "templates/notice.txt", "x", "x", "a template starts",
		   NULL);
	free(dir);
}

static void
test_unknown_setting(void **state)
{
	const char *prog =
	    PROG_HEAD "\t\t{ id = \"apply\"; colour = \"red\";\n"
		      "\t\t  requires = ( { kind = \"submission\"; doc = \"form\"; } ); },\n"
		      "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;
	const char *prog_req = PROG_HEAD
	    "\t\t{ id = \"apply\";\n"
	    "\t\t  requires = ( { kind = \"submission\"; doc = \"form\"; min = 2; } ); },\n"
	    "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;
	const char *cohort = COHORT_HEAD "\tcapacity = 3;\n" COHORT_SESSIONS COHORT_TAIL;

	(void)state;
	refused_at(prog, COHORT, NULL, NULL, "p.conf", prog, "colour", "colour", "unknown setting");
	refused_at(prog_req, COHORT, NULL, NULL, "p.conf", prog_req, "min = 2", "min",
		   "unknown setting");
	refused_at(PROG, cohort, NULL, NULL, "c.conf", cohort, "capacity", "capacity",
		   "unknown setting");
	/* in the main file: the daemon group */
	refused_at(PROG, COHORT, NULL, "\tflavour = \"mint\";\n", "pathway.conf", NULL, "flavour",
		   "flavour", "unknown setting");
	refused_at(PROG, COHORT, NULL, "\tmax_batch = \"many\";\n", "pathway.conf", NULL,
		   "max_batch", "max_batch", "integer");
}

static void
test_missing_file(void **state)
{
	struct pw_config *cfg = NULL;
	struct pw_status st;
	char *conf, *missing, *pl;

	(void)state;
	missing = xasprintf("%s/no-such-programme.conf", tmp);
	pl = xasprintf("\"%s\"", missing);
	conf = unit_main_conf(tmp, NULL, NULL, pl, "");
	assert_int_equal(config_load(conf, &cfg, &st), PW_ECONFIG);
	assert_null(cfg);
	if (strstr(st.msg, missing) == NULL || strstr(st.msg, "cannot read") == NULL)
		fail_msg("'%s' does not name %s", st.msg, missing);
	free(conf);
	free(pl);
	/* the main file itself */
	assert_int_equal(config_load(missing, &cfg, &st), PW_ECONFIG);
	assert_null(cfg);
	assert_non_null(strstr(st.msg, missing));
	free(missing);
	/* a template the programme names */
	{
		const char *prog =
		    PROG_HEAD PROG_STAGES PROG_TAIL_RULE("[ \"candidate\" ]", "no-such-template");

		assert_int_equal(load_with(prog, COHORT, NULL, NULL, &cfg, &st), PW_ECONFIG);
		assert_non_null(strstr(st.msg, "no-such-template.txt"));
		assert_non_null(strstr(st.msg, "cannot read"));
	}
}

static void
test_unknown_programme(void **state)
{
	const char *cohort = "cohort = {\n"
			     "\tid = \"mini-1\";\n"
			     "\tprogramme = \"maxi\";\n"
			     "\tplaces = 2;\n"
			     "\tstarts = \"2026-09-01\";\n"
			     "};\n";

	(void)state;
	refused_at(PROG, cohort, NULL, NULL, "c.conf", cohort, "programme = \"maxi\"", "programme",
		   "unknown programme 'maxi'");
}

static void
test_other_mistakes(void **state)
{
	const char *syntax = PROG_HEAD "\t\t{ id = = \"apply\"; }\n" PROG_TAIL;
	const char *not_terminal = PROG_HEAD
	    "\t\t{ id = \"apply\";\n"
	    "\t\t  requires = ( { kind = \"submission\"; doc = \"form\"; } ); }\n" PROG_TAIL;
	const char *both =
	    PROG_HEAD "\t\t{ id = \"apply\"; deadline = { days = 3; session = \"S1\"; };\n"
		      "\t\t  requires = ( { kind = \"submission\"; doc = \"form\"; } ); },\n"
		      "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;
	const char *bad_op = PROG_HEAD "\t\t{ id = \"apply\";\n"
				       "\t\t  requires = ( { kind = \"eligibility\"; fact = "
				       "\"years\"; op = \"~\"; value = 3; } ); },\n"
				       "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;
	const char *bad_date = COHORT_HEAD
	    "\tsessions = (\n"
	    "\t\t{ id = \"S1\"; title = \"One\"; date = \"2026-02-30\"; start = \"09:00\";\n"
	    "\t\t  end = \"12:00\"; venue = \"Hall\"; }\n"
	    "\t);\n" COHORT_TAIL;
	const char *bad_window = COHORT_HEAD COHORT_SESSIONS
	    "\twindow = { days = \"mon-fri\"; from = \"18:30\"; to = \"07:30\"; };\n" COHORT_TAIL;
	const char *bad_places = "cohort = {\n"
				 "\tid = \"mini-1\";\n"
				 "\tprogramme = \"mini\";\n"
				 "\tplaces = \"ten\";\n"
				 "\tstarts = \"2026-09-01\";\n"
				 "};\n";

	(void)state;
	refused_at(syntax, COHORT, NULL, NULL, "p.conf", syntax, "id = =", "", "syntax");
	refused_at(not_terminal, COHORT, NULL, NULL, "p.conf", not_terminal, "stages", "stages",
		   "terminal");
	refused_at(both, COHORT, NULL, NULL, "p.conf", both, "deadline", "deadline",
		   "one of 'days' or 'session'");
	refused_at(bad_op, COHORT, NULL, NULL, "p.conf", bad_op, "op = ", "op", NULL);
	refused_at(PROG, bad_date, NULL, NULL, "c.conf", bad_date, "date = ", "date", "YYYY-MM-DD");
	refused_at(PROG, bad_window, NULL, NULL, "c.conf", bad_window, "window", "window", NULL);
	refused_at(PROG, bad_places, NULL, NULL, "c.conf", bad_places, "places", "places",
		   "integer");
}

/* A programme with a form (its fields given) and a 360 (its group given). */
#define FORM_PROG(fields, feedback)                                                                \
	"programme = {\n"                                                                          \
	"\tid = \"mini\";\n"                                                                       \
	"\tforms = ( { id = \"f\"; title = \"F\"; filled_by = \"candidate\";\n"                    \
	"\t\tfields = ( " fields " ); } );\n" feedback "\tstages = (\n" PROG_STAGES PROG_TAIL

static void
test_form_mistakes(void **state)
{
	const char *good = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"text\"; }", "");
	const char *type = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"essay\"; }", "");
	const char *no_opts = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"choice\"; }", "");
	const char *opts =
	    FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"text\"; options = [ \"x\" ]; }", "");
	const char *dup_opt = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"choice\"; "
					"options = [ \"x\", \"x\" ]; }",
					"");
	const char *dup_field = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"text\"; },"
					  "{ id = \"a\"; label = \"B\"; type = \"date\"; }",
					  "");
	const char *unknown_form = PROG_HEAD "\t\t{ id = \"apply\";\n"
					     "\t\t  requires = ( { kind = \"submission\"; form = "
					     "\"nope\"; } ); },\n"
					     "\t\t{ id = \"meet\"; requires = ( { kind = "
					     "\"attendance\"; sessions = [ \"S1\" ]; } ); },\n"
					     "\t\t{ id = \"done\"; terminal = true; }\n" PROG_TAIL;
	const char *no_others =
	    FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"text\"; }",
		      "\tfeedback = { questions = ( { id = \"q\"; text = \"Q\"; } );\n"
		      "\t\tcategories = ( { id = \"peers\"; threshold = 2; } ); };\n");
	const char *no_questions = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"text\"; }",
					     "\tfeedback = { report = \"met\"; };\n");
	const char *bad_report = FORM_PROG("{ id = \"a\"; label = \"A\"; type = \"text\"; }",
					   "\tfeedback = { report = \"never\"; questions = ( { id "
					   "= \"q\"; text = \"Q\"; } ); };\n");
	struct pw_config *cfg = NULL;
	struct pw_status st;

	(void)state;
	assert_int_equal(load_with(good, COHORT, NULL, NULL, &cfg, &st), 0);
	config_free(&cfg);
	refused_at(type, COHORT, NULL, NULL, "p.conf", type, "essay", "type", "unknown field type");
	refused_at(no_opts, COHORT, NULL, NULL, "p.conf", no_opts, "type = \"choice\"", "(element)",
		   "needs 'options'");
	refused_at(opts, COHORT, NULL, NULL, "p.conf", opts, "options", "(element)",
		   "only a choice or multiple_choice");
	refused_at(dup_opt, COHORT, NULL, NULL, "p.conf", dup_opt, "options", "options",
		   "listed twice");
	refused_at(dup_field, COHORT, NULL, NULL, "p.conf", dup_field, "\"B\"", "(element)",
		   "duplicate field id");
	refused_at(unknown_form, COHORT, NULL, NULL, "p.conf", unknown_form, "\"nope\"",
		   "(element)", "'nope' is not a form of mini");
	refused_at(no_others, COHORT, NULL, NULL, "p.conf", no_others, "categories", "categories",
		   "must include 'others'");
	refused_at(no_questions, COHORT, NULL, NULL, "p.conf", no_questions, "feedback", "feedback",
		   "needs 'questions'");
	refused_at(bad_report, COHORT, NULL, NULL, "p.conf", bad_report, "never", "report",
		   "\"met\" or \"deadline\"");
}

static void
test_utf8_valid(void **state)
{
	static const char *const good[] = {
	    "", "plain", "caf\xc3\xa9", "\xe2\x82\xac 5", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
	static const struct {
		const char *s;
		size_t bad;
	} bad[] = {
	    {"caf\xe9", 3},	     /* Latin-1 */
	    {"ab\xc3", 2},	     /* cut short */
	    {"\xc3(", 0},	     /* not a continuation */
	    {"\x80", 0},	     /* a continuation alone */
	    {"x\xc0\xaf", 1},	     /* overlong '/' */
	    {"\xe0\x80\xaf", 0},     /* overlong, three bytes */
	    {"ok \xed\xa0\x80", 3},  /* a surrogate */
	    {"\xf4\x90\x80\x80", 0}, /* above U+10FFFF */
	    {"\xf5\x80\x80\x80", 0}, /* no such lead byte */
	    {"\xe2\x82", 0},	     /* cut short, three bytes */
	};
	size_t off;

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!conf_utf8_valid(good[i], &off))
			fail_msg("good[%zu] refused at %zu", i, off);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		off = 99;
		if (conf_utf8_valid(bad[i].s, &off))
			fail_msg("bad[%zu] accepted", i);
		assert_int_equal(off, bad[i].bad);
	}
}

/* Latin-1 text anywhere (a setting of any file, an element, a template) is refused at load. */
static void
test_not_utf8(void **state)
{
	const char *prog = "programme = {\n"
			   "\tid = \"mini\";\n"
			   "\tname = \"Caf\xe9 programme\";\n"
			   "\tstages = (\n" PROG_STAGES PROG_TAIL;
	const char *prog_to =
	    PROG_HEAD PROG_STAGES PROG_TAIL_RULE("[ \"candidate\", \"\xe9l\xe8ve\" ]", "withdrawn");
	const char *cohort =
	    COHORT_HEAD "\tname = \"Norfolk \xe9t\xe9 2026\";\n" COHORT_SESSIONS COHORT_TAIL;
	const char *prog_rule = PROG_HEAD PROG_STAGES PROG_TAIL_RULE("[ \"candidate\" ]", "notice");
	const char *txt = "Subject: Withdrawn\n\nDear {{recipient_name}},\n\nMerci, l'\xe9quipe\n";
	const char *html = "<p>Dear {{recipient_name}},</p>\n<p>Merci, l'\xe9quipe</p>\n";
	char *dir;

	(void)state;
	refused_at(prog, COHORT, NULL, NULL, "p.conf", prog, "Caf", "name",
		   "not valid UTF-8 (byte 0xE9)");
	refused_at(prog_to, COHORT, NULL, NULL, "p.conf", prog_to, "to = ", "to",
		   "element 1 is not valid UTF-8");
	refused_at(PROG, cohort, NULL, NULL, "c.conf", cohort, "Norfolk", "name",
		   "not valid UTF-8 (byte 0xE9)");
	refused_at(PROG, COHORT, NULL, "\toperator = \"op\xe9rateur\";\n", "pathway.conf", NULL,
		   "operator", "operator", "not valid UTF-8");
	dir = templates_with("notice", txt, NULL);
	refused_at(prog_rule, COHORT, dir, NULL, "templates/notice.txt", txt, "Merci",
		   "not valid UTF-8 (byte 0xE9)", NULL);
	free(dir);
	dir = templates_with("notice", "Subject: Hi\n\nDear {{recipient_name}}\n", html);
	refused_at(prog_rule, COHORT, dir, NULL, "templates/notice.html", html, "Merci",
		   "not valid UTF-8", NULL);
	free(dir);
}

/*
 * The main file, with old replaced by new (old "": new appended), must be
 * refused by config_load (or, with mailer, by config_mailer_check) at the
 * line of new, naming setting and mentioning what.
 */
static void
main_refused(const char *old, const char *new, int mailer, const char *setting, const char *what)
{
	char *pp = unit_write(tmp, "p.conf", PROG), *cp = unit_write(tmp, "c.conf", COHORT);
	char *pl = xasprintf("\"%s\"", pp), *cl = xasprintf("\"%s\"", cp);
	char *conf = unit_main_conf(tmp, NULL, NULL, pl, cl), *text = unit_read(conf), *at, *edited;
	struct pw_config *cfg = NULL;
	struct pw_status st = {0, ""};
	char *want;
	int rc;

	at = *old != '\0' ? strstr(text, old) : text + strlen(text);
	if (at == NULL)
		fail_msg("test bug: '%s' not in the main file", old);
	edited = xasprintf("%.*s%s%s", (int)(at - text), text, new, at + strlen(old));
	free(unit_write(tmp, "pathway.conf", edited));
	rc = config_load(conf, &cfg, &st);
	if (rc == 0 && mailer)
		rc = config_mailer_check(conf, &st);
	config_free(&cfg);
	if (rc != PW_ECONFIG)
		fail_msg("'%s' accepted (%d)", new, rc);
	want = xasprintf("%s:%d: %s: ", conf, line_of(edited, new), setting);
	if (strncmp(st.msg, want, strlen(want)) != 0)
		fail_msg("message '%s' does not start with '%s'", st.msg, want);
	if (strstr(st.msg, what) == NULL)
		fail_msg("message '%s' does not mention '%s'", st.msg, what);
	free(want);
	free(edited);
	free(text);
	free(conf);
	free(pl);
	free(cl);
	free(pp);
	free(cp);
}

static void
test_template_settings_are_ids(void **state)
{
	(void)state;
	main_refused("", "outbox = { failed_template = \"../templates/digest\"; };\n", 0,
		     "failed_template", "not an id");
	main_refused("", "opportunities = { early_template = \"/etc/passwd\"; };\n", 0,
		     "early_template", "not an id");
	main_refused("", "opportunities = { released_template = \"a/b\"; };\n", 0,
		     "released_template", "not an id");
	main_refused("", "digest = { template = \"../templates/digest\"; };\n", 0, "template",
		     "not an id");
	main_refused("", "digest = { template = \"no-such\"; };\n", 0, "template",
		     "cannot read the template");
}

static void
test_endpoints(void **state)
{
	char *old, *new;

	(void)state;
	main_refused("\tapi = ", "\tapi = \"tcp://127.0.0.1:65536\";\n#", 0, "api",
		     "port must be a number from 1 to 65535");
	main_refused("\tevents = ", "\tevents = \"tcp://localhost:7401\";\n#", 0, "events",
		     "'localhost' is not *");
	main_refused("\tworkers = ", "\tworkers = \"pgm://eth0;239.192.1.1:5555\";\n#", 0,
		     "workers", "must be ipc://PATH, tcp://HOST:PORT or inproc://NAME");
	/* two sockets cannot bind one endpoint */
	old = xasprintf("\tevents = \"ipc://%s/events.sock\";", tmp);
	new = xasprintf("\tevents = \"ipc://%s/api.sock\";", tmp);
	main_refused(old, new, 0, "events", "the same endpoint as daemon.api");
	free(old);
	free(new);
}

static void
test_mailer(void **state)
{
	(void)state;
	main_refused("", "mailer = { starttls = \"always\"; };\n", 1, "starttls",
		     "none, optional or required");
	main_refused("", "mailer = { user = \"pathway\"; password_env = \"PW\"; };\n", 1, "user",
		     "in clear");
	main_refused("",
		     "mailer = { starttls = \"required\"; user = \"pathway\"; "
		     "password_file = \"/nonexistent/pw\"; };\n",
		     1, "password_file", "No such file or directory");
	main_refused("", "mailer = { credit = 0; };\n", 1, "credit", "at least 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped),
	    cmocka_unit_test(test_shipped_main_file),
	    cmocka_unit_test(test_minimal_loads),
	    cmocka_unit_test(test_undefined_session),
	    cmocka_unit_test(test_duplicate_stage),
	    cmocka_unit_test(test_unknown_kind),
	    cmocka_unit_test(test_unknown_role),
	    cmocka_unit_test(test_track_mistakes),
	    cmocka_unit_test(test_template_unknown_variable),
	    cmocka_unit_test(test_unknown_setting),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_unknown_programme),
	    cmocka_unit_test(test_other_mistakes),
	    cmocka_unit_test(test_form_mistakes),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_not_utf8),
	    cmocka_unit_test(test_template_settings_are_ids),
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_mailer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
