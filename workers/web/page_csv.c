/*
 * page_csv.c: the LA dashboard's lists. Each list (dash_lists, a table) makes
 * rows of plain-text cells from the replies of one page build (struct dash):
 * people and schools by name, times in the cohort's zone. The page draws the
 * rows as tables (escaped by html.c); GET /dashboard/<list>.csv sends them as
 * CSV. Nothing here writes markup or talks to pathwayd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dashboard.h"
#include "proto.h"

/* A calendar date as "Tue 03 Nov 2026" (no zone: it is a local date already). */
static const char *
date_format(const char *date, char *buf)
{
	int64_t days;
	time_t tt;
	struct tm tm;

	if (date == NULL || pw_date_parse(date, &days) != 0)
		return date != NULL ? date : "";
	tt = (time_t)(days * 86400);
	gmtime_r(&tt, &tm);
	strftime(buf, 64, "%a %d %b %Y", &tm);
	return buf;
}

/* ---- rows -------------------------------------------------------------------- */

static void
cell(json_t *row, const char *s)
{
	json_t *v = json_string(s != NULL ? s : "");

	json_array_append_new(row, v != NULL ? v : json_string(""));
}

static void
cell_int(json_t *row, long long n)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", n);
	cell(row, buf);
}

static json_t *
row_new(json_t *rows)
{
	json_t *row = json_array();

	json_array_append_new(rows, row);
	return row;
}

/* The first unmet requirement of kind (or any, kind NULL), or NULL. */
static json_t *
app_unmet(json_t *app, const char *kind)
{
	size_t i;
	json_t *q;

	json_array_foreach(json_object_get(app, "requirements"), i, q)
	{
		if (json_is_true(json_object_get(q, "met")))
			continue;
		if (kind == NULL ||
		    strcmp(kind, dash_str(q, "kind") ? dash_str(q, "kind") : "") == 0)
			return q;
	}
	return NULL;
}

static int
is_active(json_t *app)
{
	const char *s = dash_str(app, "status");

	return s != NULL && strcmp(s, "active") == 0;
}

/* Who fulfils a requirement: its role, else the kind's usual one. */
static const char *
req_role(json_t *q)
{
	static const struct {
		const char *kind, *role;
	} usual[] = {{"signoff", "headteacher"},
		     {"decision", "la_adviser"},
		     {"responses", "rater"},
		     {"internship", "host"}};
	const char *kind = dash_str(q, "kind"), *role = dash_str(q, "role");
	size_t i;

	if (role != NULL)
		return role;
	for (i = 0; kind != NULL && i < sizeof usual / sizeof usual[0]; i++)
		if (strcmp(kind, usual[i].kind) == 0)
			return usual[i].role;
	return "candidate";
}

static const char *
role_word(const char *role)
{
	static const char *const words[][2] = {
	    {"candidate", "the candidate"}, {"headteacher", "the headteacher"},
	    {"coach", "the coach"},	    {"rater", "raters"},
	    {"host", "the host school"},    {"la_adviser", "an LA adviser"}};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(role, words[i][0]) == 0)
			return words[i][1];
	return role;
}

static void
names_of(struct dash *d, json_t *ids, struct pw_buf *out)
{
	size_t i;
	json_t *id;

	json_array_foreach(ids, i, id)
	{
		if (out->len > 0)
			pw_buf_adds(out, "; ");
		pw_buf_adds(out, dash_person(d, json_string_value(id)));
	}
}

/* The people a role means on app: names into out ("" when nobody is known). */
static void
role_people(struct dash *d, json_t *app, json_t *q, const char *role, struct pw_buf *out)
{
	const char *id;
	json_t *r;

	if (strcmp(role, "candidate") == 0) {
		pw_buf_adds(out, dash_person(d, dash_str(app, "candidate")));
	} else if (strcmp(role, "headteacher") == 0) {
		names_of(d, json_object_get(d->heads, dash_str(app, "school") ?: ""), out);
	} else if (strcmp(role, "coach") == 0) {
		pw_buf_adds(out, dash_str(app, "coach") ? dash_person(d, dash_str(app, "coach"))
							: "no coach assigned");
	} else if (strcmp(role, "host") == 0) {
		const char *h = dash_str(json_object_get(app, "internship"), "host_school");

		if (h == NULL)
			pw_buf_adds(out, "no placement yet");
		else
			names_of(d, json_object_get(d->hosts, h), out);
	} else if (strcmp(role, "rater") == 0) {
		pw_buf_addf(out, "%lld of %lld responses",
			    (long long)json_integer_value(json_object_get(q, "have")),
			    (long long)json_integer_value(json_object_get(q, "need")));
		json_object_foreach(json_object_get(app, "raters"), id, r)
		{
			if (json_object_get(r, "responded") == NULL) {
				pw_buf_adds(out, "; ");
				pw_buf_adds(out, dash_person(d, id));
			}
		}
	}
}

static void
rows_waiting(struct dash *d, json_t *rows)
{
	size_t i;
	json_t *id, *row, *app;
	char buf[64];

	json_array_foreach(json_object_get(d->report, "offers"), i, id)
	{
		app = json_object_get(d->by_app, json_string_value(id));
		row = row_new(rows);
		cell(row, "offered");
		cell(row, dash_candidate(d, json_string_value(id)));
		cell(row, dash_school(d, dash_str(app, "school")));
		cell(row, "offered a place");
		cell(row, dash_local(d, dash_str(json_object_get(app, "offer"), "expires"), buf));
	}
	json_array_foreach(json_object_get(d->report, "waiting"), i, id)
	{
		app = json_object_get(d->by_app, json_string_value(id));
		row = row_new(rows);
		cell_int(row, (long long)i + 1);
		cell(row, dash_candidate(d, json_string_value(id)));
		cell(row, dash_school(d, dash_str(app, "school")));
		cell(row, "waiting");
		cell(row, "");
	}
}

static void
rows_pipeline(struct dash *d, json_t *rows)
{
	size_t i;
	json_t *s, *row;
	const char *id;

	json_array_foreach(json_object_get(d->cohort, "stages"), i, s)
	{
		id = dash_str(s, "id");
		row = row_new(rows);
		cell(row, id);
		cell(row, dash_stage(d, id));
		cell_int(row, (long long)json_integer_value(
				  json_object_get(json_object_get(d->report, "stages"), id ?: "")));
	}
}

static void
rows_overdue(struct dash *d, json_t *rows)
{
	size_t i, j;
	json_t *app, *q, *row, *roles = json_array();
	char buf[64];
	struct pw_buf who = {0}, people = {0};
	int64_t since;

	json_array_foreach(d->apps, i, app)
	{
		if (!is_active(app) || json_object_get(app, "overdue") == NULL)
			continue;
		json_array_clear(roles);
		who.len = people.len = 0;
		json_array_foreach(json_object_get(app, "requirements"), j, q)
		{
			const char *role = req_role(q);
			size_t k;
			json_t *seen;
			int dup = 0;

			if (json_is_true(json_object_get(q, "met")))
				continue;
			json_array_foreach(roles, k, seen) dup |=
			    strcmp(json_string_value(seen), role) == 0;
			if (dup)
				continue;
			json_array_append_new(roles, json_string(role));
			pw_buf_adds(&who, who.len ? ", " : "");
			pw_buf_adds(&who, role_word(role));
			if (people.len > 0)
				pw_buf_adds(&people, "; ");
			role_people(d, app, q, role, &people);
		}
		row = row_new(rows);
		cell(row, dash_person(d, dash_str(app, "candidate")));
		cell(row, dash_school(d, dash_str(app, "school")));
		cell(row, dash_stage(d, dash_str(app, "stage")));
		cell(row, who.len ? who.p : "");
		cell(row, people.len ? people.p : "");
		since = 0;
		cell(row, dash_local(d, dash_str(json_object_get(app, "overdue"), "since"), buf));
		pw_time_parse(dash_str(json_object_get(app, "overdue"), "since") ?: "", &since);
		cell_int(row,
			 since > 0 && d->now > since ? (long long)((d->now - since) / 86400) : 0);
		cell(row, dash_str(app, "id"));
	}
	json_decref(roles);
	free(who.p);
	free(people.p);
}

/* Sign-offs pending, by school name then candidate. */
static int
cmp_rows(const void *a, const void *b)
{
	json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
	int c;
	size_t i;

	for (i = 0; i < 2; i++) {
		c = strcmp(json_string_value(json_array_get(ra, i)),
			   json_string_value(json_array_get(rb, i)));
		if (c != 0)
			return c;
	}
	return 0;
}

static void
rows_signoffs(struct dash *d, json_t *rows)
{
	size_t i, j;
	json_t *app, *q, *row;
	struct pw_buf forms = {0}, heads = {0};
	char buf[64];

	json_array_foreach(d->apps, i, app)
	{
		if (!is_active(app) || app_unmet(app, "signoff") == NULL)
			continue;
		forms.len = heads.len = 0;
		json_array_foreach(json_object_get(app, "requirements"), j, q)
		{
			const char *doc = dash_str(q, "form") ?: dash_str(q, "doc");

			if (strcmp(dash_str(q, "kind") ?: "", "submission") != 0 || doc == NULL)
				continue;
			pw_buf_addf(&forms, "%s%s %s", forms.len ? ", " : "", doc,
				    json_is_true(json_object_get(q, "met")) ? "in" : "missing");
		}
		role_people(d, app, NULL, "headteacher", &heads);
		row = json_array();
		cell(row, dash_school(d, dash_str(app, "school")));
		cell(row, dash_person(d, dash_str(app, "candidate")));
		cell(row, dash_stage(d, dash_str(app, "stage")));
		cell(row, forms.len ? forms.p : "");
		cell(row, heads.len ? heads.p : "no headteacher on record");
		cell(row, dash_local(d, dash_str(app, "stage_entered"), buf));
		json_array_append_new(rows, row);
	}
	free(forms.p);
	free(heads.p);
	pw_json_sort(rows, cmp_rows);
}

static void
rows_feedback(struct dash *d, json_t *rows)
{
	size_t i;
	json_t *app, *q, *row, *c;
	const char *cat;
	struct pw_buf cats = {0};

	json_array_foreach(d->apps, i, app)
	{
		q = NULL;
		if (is_active(app)) {
			size_t j;
			json_t *r;

			json_array_foreach(json_object_get(app, "requirements"), j, r)
			{
				if (strcmp(dash_str(r, "kind") ?: "", "responses") == 0)
					q = r;
			}
		}
		if (q == NULL)
			continue;
		cats.len = 0;
		json_object_foreach(json_object_get(q, "categories"), cat, c)
		{
			pw_buf_addf(&cats, "%s%s %lld/%lld", cats.len ? ", " : "", cat,
				    (long long)json_integer_value(json_object_get(c, "have")),
				    (long long)json_integer_value(json_object_get(c, "need")));
		}
		row = row_new(rows);
		cell(row, dash_person(d, dash_str(app, "candidate")));
		cell(row, dash_school(d, dash_str(app, "school")));
		cell_int(row, (long long)json_object_size(json_object_get(app, "raters")));
		cell_int(row, (long long)json_integer_value(json_object_get(q, "have")));
		cell_int(row, (long long)json_integer_value(json_object_get(q, "need")));
		cell(row, cats.len ? cats.p : "");
	}
	free(cats.p);
}

static void
rows_sessions(struct dash *d, json_t *rows)
{
	size_t i;
	json_t *s, *row, *app, *coaches = json_object();
	long long places = 0;
	char now[64], when[64], buf[64];
	const char *aud;

	json_array_foreach(d->apps, i, app)
	{
		if (!is_active(app) || !json_is_true(json_object_get(app, "place")))
			continue;
		places++;
		if (dash_str(app, "coach") != NULL)
			json_object_set_new(coaches, dash_str(app, "coach"), json_true());
	}
	dash_local_now(d, now);
	json_array_foreach(json_object_get(d->cohort, "sessions"), i, s)
	{
		snprintf(when, sizeof when, "%s %s", dash_str(s, "date") ?: "",
			 dash_str(s, "start") ?: "00:00");
		if (strcmp(when, now) <= 0)
			continue;
		aud = dash_str(s, "audience") ?: "participants";
		row = row_new(rows);
		cell(row, dash_str(s, "id"));
		cell(row, dash_str(s, "title"));
		cell(row, date_format(dash_str(s, "date"), buf));
		snprintf(when, sizeof when, "%s to %s", dash_str(s, "start") ?: "",
			 dash_str(s, "end") ?: "");
		cell(row, when);
		cell(row, dash_str(s, "venue"));
		cell(row, aud);
		cell_int(row, (strcmp(aud, "coaches") != 0 ? places : 0) +
				  (strcmp(aud, "participants") != 0
				       ? (long long)json_object_size(coaches)
				       : 0));
	}
	json_decref(coaches);
}

static void
rows_notifications(struct dash *d, json_t *rows)
{
	size_t i;
	json_t *j, *row;
	const char *state;
	char buf[64];

	json_array_foreach(d->jobs, i, j)
	{
		state = dash_str(j, "state") ?: "";
		if (strcmp(state, "pending") == 0 &&
		    json_integer_value(json_object_get(j, "attempts")) > 0)
			state = "retrying";
		row = row_new(rows);
		cell(row, dash_str(j, "id"));
		cell(row, state);
		cell(row, dash_str(j, "template"));
		cell(row, dash_str(json_object_get(j, "to"), "name"));
		cell_int(row, (long long)json_integer_value(json_object_get(j, "attempts")));
		cell(row, dash_local(d, dash_str(j, "next_attempt"), buf));
		cell(row, dash_str(j, "last_error"));
		cell(row, dash_str(j, "app") ? dash_candidate(d, dash_str(j, "app")) : "");
	}
}

/* ---- the activity feed: events as sentences --------------------------------- */

/*
 * Each event type's sentence. In the patterns: %a the actor, %c the
 * application's candidate, %p/%r/%k data's person, rater or coach, %f/%t
 * data's from and to stages, %F/%T data's from and to schools, %h the host
 * school, %s the event's stage, %d data's doc or form, %o the outcome, %x the
 * session, %j the job, %m the template, %n have/need, %l deadline_local, %e
 * expires_local, %P present or absent, %D days, %C the command, %K the code.
 */
static const struct {
	const char *type, *pattern;
} sentences[] = {
    {"person.created", "%p was added"},
    {"person.updated", "%p's record was updated"},
    {"school.created", "A school was added"},
    {"school.updated", "A school's record was updated"},
    {"application.created", "%a started %c's application"},
    {"application.submitted", "%a submitted %d for %c"},
    {"application.signed_off", "%a signed off %c's application"},
    {"application.decided", "%a decided on %c's application: %o"},
    {"application.place_offered", "%c was offered a place, open until %e"},
    {"application.offer_accepted", "%c accepted the place offered"},
    {"application.offer_declined", "%c declined the place offered"},
    {"application.offer_expired", "The place offered to %c expired"},
    {"application.school_changed", "%c moved from %F to %T"},
    {"application.rater_invited", "%a invited %r to give 360 feedback to %c"},
    {"application.self_assessed", "%c rated themself in the 360"},
    {"application.feedback_ready", "%c's 360 report is ready"},
    {"application.returned", "%a sent %d back to %c's application for changes"},
    {"application.response_recorded", "A 360 response for %c came in (%n)"},
    {"application.attendance_recorded", "%c was marked %P at %x"},
    {"application.internship_placed", "%c's internship was placed at %h"},
    {"application.internship_confirmed", "%c's internship was confirmed: %D days"},
    {"application.coach_assigned", "%k became %c's coach"},
    {"application.stage_changed", "%c moved from %f to %t"},
    {"application.graduated", "%c graduated"},
    {"application.progression_recorded", "%c's career step was recorded"},
    {"application.alumni", "%c was asked for a career update"},
    {"application.rejected", "%c was not selected"},
    {"application.withdrawn", "%c's application was withdrawn"},
    {"application.deferred", "%c's application was deferred to this cohort"},
    {"application.overdue", "%c's application is overdue at %s (deadline %l)"},
    {"application.reminded", "A reminder about %c's application went out (%s)"},
    {"application.escalated", "%c's overdue application was escalated (%s)"},
    {"cohort.session_reminder", "The reminder for session %x went out"},
    {"cohort.session_changed", "Session %x changed"},
    {"person.digest", "%p was sent a daily digest"},
    {"notification.sent", "%p was emailed (%m)"},
    {"notification.retrying", "Notification %j failed for now and will be retried"},
    {"notification.dead", "Notification %j (%m) to %p failed for good"},
    {"notification.requeued", "Notification %j was put back in the queue"},
    {"audit.refused", "A request (%C) was refused: %K"},
};

static void
sentence(struct dash *d, json_t *ev, struct pw_buf *out)
{
	const char *type = dash_str(ev, "type") ?: "", *pat = NULL, *p, *v;
	json_t *data = json_object_get(ev, "data");
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof sentences / sizeof sentences[0] && pat == NULL; i++)
		if (strcmp(type, sentences[i].type) == 0)
			pat = sentences[i].pattern;
	if (pat == NULL) {
		pw_buf_addf(out, "%s", type);
		return;
	}
	for (p = pat; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			pw_buf_add(out, p, 1);
			continue;
		}
		switch (*++p) {
		case 'a':
			v = dash_person(d, dash_str(ev, "actor") ?: "pathwayd");
			break;
		case 'c':
			v = dash_candidate(d, dash_str(ev, "app"));
			break;
		case 'p':
			v = dash_person(d, dash_str(data, "person"));
			break;
		case 'r':
			v = dash_person(d, dash_str(data, "rater"));
			break;
		case 'k':
			v = dash_person(d, dash_str(data, "coach"));
			break;
		case 'f':
			v = dash_stage(d, dash_str(data, "from"));
			break;
		case 't':
			v = dash_stage(d, dash_str(data, "to"));
			break;
		case 'F':
			v = dash_school(d, dash_str(data, "from"));
			break;
		case 'T':
			v = dash_school(d, dash_str(data, "to"));
			break;
		case 'h':
			v = dash_school(d, dash_str(data, "host_school"));
			break;
		case 's':
			v = dash_stage(d, dash_str(ev, "stage"));
			break;
		case 'd':
			v = dash_str(data, "doc") ?: dash_str(data, "form");
			break;
		case 'o':
			v = dash_str(data, "outcome");
			break;
		case 'x':
			v = dash_str(data, "session");
			break;
		case 'j':
			v = dash_str(data, "job");
			break;
		case 'm':
			v = dash_str(data, "template");
			break;
		case 'l':
			v = dash_str(data, "deadline_local");
			break;
		case 'e':
			v = dash_str(data, "expires_local");
			break;
		case 'C':
			v = dash_str(data, "cmd");
			break;
		case 'K':
			v = dash_str(data, "code");
			break;
		case 'P':
			v = json_is_true(json_object_get(data, "present")) ? "present" : "absent";
			break;
		case 'n':
		case 'D':
			snprintf(buf, sizeof buf, *p == 'n' ? "%lld of %lld" : "%lld",
				 (long long)json_integer_value(
				     json_object_get(data, *p == 'n' ? "have" : "days")),
				 (long long)json_integer_value(json_object_get(data, "need")));
			v = buf;
			break;
		default:
			v = "?";
			break;
		}
		pw_buf_adds(out, v != NULL ? v : "");
	}
}

/* The feed, newest first: events of this cohort and those of no cohort. */
static void
rows_activity(struct dash *d, json_t *rows)
{
	size_t i;
	json_t *ev, *row;
	const char *co;
	char buf[64];
	struct pw_buf s = {0};

	for (i = json_array_size(d->events); i-- > 0;) {
		ev = json_array_get(d->events, i);
		co = dash_str(ev, "cohort");
		if (co != NULL && strcmp(co, d->cohort_id) != 0)
			continue;
		s.len = 0;
		sentence(d, ev, &s);
		row = row_new(rows);
		cell_int(row, (long long)json_integer_value(json_object_get(ev, "seq")));
		cell(row, dash_local(d, dash_str(ev, "at"), buf));
		cell(row, s.len ? s.p : "");
	}
	free(s.p);
}

/* ---- the table of lists, CSV ----------------------------------------------- */

static const char *const cols_waiting[] = {"Position", "Candidate",	   "School",
					   "Status",   "Offer open until", NULL};
static const char *const cols_pipeline[] = {"Stage", "Name", "Applications", NULL};
static const char *const cols_overdue[] = {"Candidate",	   "School",	  "Stage",
					   "Waiting on",   "People",	  "Deadline",
					   "Days overdue", "Application", NULL};
static const char *const cols_signoffs[] = {"School",	   "Candidate",	    "Stage", "Forms",
					    "Headteacher", "Stage entered", NULL};
static const char *const cols_feedback[] = {
    "Candidate", "School", "Raters invited", "Responses", "Needed", "By category", NULL};
static const char *const cols_sessions[] = {"Session", "Title",	   "Date",     "Time",
					    "Venue",   "Audience", "Expected", NULL};
static const char *const cols_notifications[] = {"Job",	       "State",	    "Notification",
						 "To",	       "Attempts",  "Next attempt",
						 "Last error", "Candidate", NULL};
static const char *const cols_activity[] = {"Event", "Time", "What happened", NULL};

const struct dash_list dash_lists[] = {
    {"waiting", "Waiting list", cols_waiting, rows_waiting},
    {"pipeline", "Pipeline", cols_pipeline, rows_pipeline},
    {"overdue", "Overdue applications", cols_overdue, rows_overdue},
    {"signoffs", "Sign-offs pending by school", cols_signoffs, rows_signoffs},
    {"feedback", "360 progress", cols_feedback, rows_feedback},
    {"sessions", "Coming sessions", cols_sessions, rows_sessions},
    {"notifications", "Notifications", cols_notifications, rows_notifications},
    {"activity", "Recent activity", cols_activity, rows_activity},
    {NULL, NULL, NULL, NULL},
};

const struct dash_list *
dash_list_find(const char *name)
{
	const struct dash_list *l;

	for (l = dash_lists; name != NULL && l->name != NULL; l++)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

json_t *
dash_rows(struct dash *d, const struct dash_list *l)
{
	json_t *rows = json_array();

	l->rows(d, rows);
	return rows;
}

/*
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line
 * break. A cell that a spreadsheet would read as a formula (= + - @, or a
 * tab or CR first) gets a leading apostrophe, so a name cannot run code.
 */
static void
csv_cell(struct pw_buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	const char *p;

	if (quote)
		pw_buf_adds(b, "\"");
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		pw_buf_adds(b, "'");
	while ((p = strchr(s, '"')) != NULL) { /* a quote is written twice */
		pw_buf_add(b, s, (size_t)(p - s) + 1);
		pw_buf_adds(b, "\"");
		s = p + 1;
	}
	pw_buf_adds(b, s);
	if (quote)
		pw_buf_adds(b, "\"");
}

void
dash_csv(struct pw_buf *b, const struct dash_list *l, json_t *rows)
{
	size_t i, j;
	json_t *row, *c;

	pw_buf_adds(b, "\xEF\xBB\xBF"); /* a BOM, so spreadsheets read the names as UTF-8 */
	for (i = 0; l->cols[i] != NULL; i++) {
		if (i > 0)
			pw_buf_adds(b, ",");
		csv_cell(b, l->cols[i]);
	}
	pw_buf_adds(b, "\r\n");
	json_array_foreach(rows, i, row)
	{
		json_array_foreach(row, j, c)
		{
			if (j > 0)
				pw_buf_adds(b, ",");
			csv_cell(b, json_string_value(c) ?: "");
		}
		pw_buf_adds(b, "\r\n");
	}
}
