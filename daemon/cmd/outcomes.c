/*
 * outcomes.c: cohort.outcomes, a cohort's outcome figures for its
 * evaluation (the figures a pilot's report gives): applications by status
 * and track, participants (active or graduated) and completions
 * (graduated) by track, the participants' schools and the internships'
 * host schools by phase, internships placed and confirmed, coaches and
 * trained coaches, and progression after graduation. One scan of the
 * cohort's applications (DB_BY_STAGE), each school and coach read once.
 */
#include "cmd/outcomes.h"

#include <string.h>

#include "cmd/base.h"
#include "util.h"

struct tally {
	struct wctx *c;
	const struct cohort *co;
	const struct requirement *trained_req; /* the programme's first coach_trained, or NULL */
	json_t *by_status, *by_track, *part_track, *done_track;
	json_t *schools, *hosts, *coaches; /* id -> true */
	int participants, completions, placed, confirmed, days, graduates, progressed, steps;
};

static void
bump(json_t *obj, const char *key, int by)
{
	json_object_set_new(obj, key,
			    json_integer(json_integer_value(json_object_get(obj, key)) + by));
}

static int
app_visit(const char *id, void *ud)
{
	struct tally *t = ud;
	json_t *app = NULL;
	const char *status, *track;
	const json_t *in;
	int part;

	if (store_rec_get(t->c->store, t->c->txn, DB_APPS, id, &app) != 0)
		return 0;
	status = str(app, "status");
	track = str(app, "track");
	bump(t->by_status, status, 1);
	if (track != NULL) {
		json_t *tr = json_object_get(t->by_track, track);

		if (tr != NULL)
			bump(tr, status, 1);
	}
	part = streq(status, "active") || streq(status, "graduated");
	if (part) {
		t->participants++;
		if (track != NULL)
			bump(t->part_track, track, 1);
		json_object_set_new(t->schools, str(app, "school"), json_true());
		if (str(app, "coach") != NULL)
			json_object_set_new(t->coaches, str(app, "coach"), json_true());
		in = json_object_get(app, "internship");
		if (in != NULL) {
			t->placed++;
			json_object_set_new(t->hosts, str(in, "host_school"), json_true());
			if (json_object_get(in, "confirmed") != NULL) {
				t->confirmed++;
				t->days +=
				    (int)json_integer_value(json_object_get(in, "days_completed"));
			}
		}
	}
	if (streq(status, "graduated")) {
		size_t n = json_array_size(json_object_get(app, "career"));

		t->completions++;
		t->graduates++;
		if (track != NULL)
			bump(t->done_track, track, 1);
		t->progressed += n > 0;
		t->steps += (int)n;
	}
	json_decref(app);
	return 0;
}

/* {"total", "by_phase": {phase: n}} of the schools in set ("unknown": no phase recorded). */
static json_t *
by_phase(struct tally *t, json_t *set)
{
	json_t *phases = json_object();
	const char *id;
	json_t *v;

	json_object_foreach(set, id, v)
	{
		const json_t *s = cmd_loaded(t->c, DB_SCHOOLS, id);

		bump(phases, str(s, "phase") ? str(s, "phase") : "unknown", 1);
	}
	return json_pack("{s:i, s:o}", "total", (int)json_object_size(set), "by_phase", phases);
}

/* Whether a coach is trained for the cohort: its coach_trained met, else any training present. */
static int
trained(struct tally *t, const char *coach)
{
	const json_t *p = cmd_loaded(t->c, DB_PEOPLE, coach);
	const json_t *tr = json_object_get(json_object_get(p, "training"), t->co->id), *mark;
	const struct requirement *q = t->trained_req;
	const char *sid;
	int have = 0;

	json_object_foreach((json_t *)tr, sid, mark)
	{
		int listed = q == NULL;

		for (size_t i = 0; q != NULL && i < q->nsessions; i++)
			listed |= streq(q->sessions[i], sid);
		have += listed && json_is_true(json_object_get(mark, "present"));
	}
	return q != NULL ? have >= (q->min ? q->min : (int)q->nsessions) : have > 0;
}

int
run_cohort_outcomes(struct wctx *c, const json_t *args, json_t **data)
{
	static const char *const statuses[] = {"active",    "waitlisted", "rejected",
					       "withdrawn", "graduated",  NULL};
	struct tally t = {.c = c,
			  .by_status = json_object(),
			  .by_track = json_object(),
			  .part_track = json_object(),
			  .done_track = json_object(),
			  .schools = json_object(),
			  .hosts = json_object(),
			  .coaches = json_object()};
	const struct programme *p;
	int rc = cmd_cohort(c, cmd_arg(args, "cohort"), &t.co), ntrained = 0;
	const char *id;
	json_t *v, *out;

	if (rc != 0)
		goto done;
	p = t.co->programme;
	for (int i = 0; statuses[i] != NULL; i++)
		json_object_set_new(t.by_status, statuses[i], json_integer(0));
	for (size_t k = 0; k < p->ntracks; k++) {
		json_t *st = json_object();

		for (int i = 0; statuses[i] != NULL; i++)
			json_object_set_new(st, statuses[i], json_integer(0));
		json_object_set_new(t.by_track, p->tracks[k].id, st);
		json_object_set_new(t.part_track, p->tracks[k].id, json_integer(0));
		json_object_set_new(t.done_track, p->tracks[k].id, json_integer(0));
	}
	for (size_t i = 0; i < p->nstages && t.trained_req == NULL; i++)
		for (size_t j = 0; j < p->stages[i].nreqs && t.trained_req == NULL; j++)
			if (p->stages[i].reqs[j].kind == REQ_COACH_TRAINED)
				t.trained_req = &p->stages[i].reqs[j];
	if (store_index_scan(c->store, c->txn, DB_BY_STAGE, t.co->id, NULL, NULL, NULL, app_visit,
			     &t) != 0) {
		rc = pw_fail(c->st, PW_ESTORE, "store: reading cohort %s", t.co->id);
		goto done;
	}
	json_object_foreach(t.coaches, id, v) ntrained += trained(&t, id);
	out = json_pack(
	    "{s:s, s:s, s:{s:i, s:O}, s:{s:i}, s:{s:i}, s:o, s:o, s:{s:i, s:i, s:i}, s:{s:i, "
	    "s:i}, s:{s:i, s:i, s:i}}",
	    "cohort", t.co->id, "programme", p->id, "applications", "total",
	    (int)json_integer_value(json_object_get(t.by_status, "active")) +
		(int)json_integer_value(json_object_get(t.by_status, "waitlisted")) +
		(int)json_integer_value(json_object_get(t.by_status, "rejected")) +
		(int)json_integer_value(json_object_get(t.by_status, "withdrawn")) +
		(int)json_integer_value(json_object_get(t.by_status, "graduated")),
	    "by_status", t.by_status, "participants", "total", t.participants, "completions",
	    "total", t.completions, "schools", by_phase(&t, t.schools), "host_schools",
	    by_phase(&t, t.hosts), "internships", "placed", t.placed, "confirmed", t.confirmed,
	    "days", t.days, "coaches", "assigned", (int)json_object_size(t.coaches), "trained",
	    ntrained, "progression", "graduates", t.graduates, "progressed", t.progressed, "steps",
	    t.steps);
	if (p->ntracks > 0) {
		json_object_set(json_object_get(out, "applications"), "by_track", t.by_track);
		json_object_set(json_object_get(out, "participants"), "by_track", t.part_track);
		json_object_set(json_object_get(out, "completions"), "by_track", t.done_track);
	}
	*data = out;
done:
	json_decref(t.by_status);
	json_decref(t.by_track);
	json_decref(t.part_track);
	json_decref(t.done_track);
	json_decref(t.schools);
	json_decref(t.hosts);
	json_decref(t.coaches);
	return rc;
}
