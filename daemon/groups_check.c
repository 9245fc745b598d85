/*
 * groups_check.c: a cohort's groups checked against their minimum size on
 * a date (groups_check in the cohort file). One timer per cohort, under the
 * fixed id "G-" + the cohort's id in DB_TIMER_RECS and DB_TIMERS, kept in
 * step with the configuration at start-up and after a reload; when it
 * fires, each group below its min is an event (group.below_min, no
 * application) and an email to every LA adviser, and the cohort's state
 * (DB_COHORTS) records the date as done ("groups_checked"), so a restart
 * never checks it again. A group's size is engine_group_size's.
 */
#include "groups_check.h"

#include <stdio.h>
#include <string.h>

#include "config_panel.h"
#include "engine_panel.h"
#include "notify.h"
#include "schedule.h"
#include "timers.h"
#include "util.h"

static void
timer_id(const struct cohort *co, char *id, size_t size)
{
	snprintf(id, size, "G-%s", co->id);
}

/* When the check of co is due: 09:00 local on its date, held to the sending window; 0: never. */
static int64_t
due_at(const struct cohort *co)
{
	int64_t day;

	if (co->groups_check == NULL || pw_date_parse(co->groups_check, &day) != 0)
		return 0;
	return schedule_window(co, schedule_local(co->timezone, day, 9 * 60));
}

static int
done_for(struct wctx *c, const struct cohort *co)
{
	json_t *s = NULL;
	int done;

	if (store_rec_get(c->store, c->txn, DB_COHORTS, co->id, &s) != 0)
		return 0;
	done = streq(str(s, "groups_checked"), co->groups_check);
	json_decref(s);
	return done;
}

int
groups_check_sync(struct wctx *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++) {
		const struct cohort *co = &c->cfg->cohorts[i];
		int64_t want = due_at(co);
		json_t *t = NULL;
		char id[PW_ID_MAX + 8];

		timer_id(co, id, sizeof id);
		if (store_rec_get(c->store, c->txn, DB_TIMER_RECS, id, &t) == 0) {
			if (json_integer_value(json_object_get(t, "at")) == want) {
				json_decref(t);
				continue; /* armed as configured */
			}
			rc = timers_delete(c, t);
			json_decref(t);
		}
		if (rc != 0 || want <= c->now || done_for(c, co))
			continue;
		t = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I}", "v", 1, "id", id, "kind",
			      "group_check", "cohort", co->id, "date", co->groups_check, "at",
			      (json_int_t)want);
		rc = store_rec_put(c->store, c->txn, DB_TIMER_RECS, id, t, c->st);
		if (rc == 0)
			rc = store_due_put(c->store, c->txn, DB_TIMERS, want, id, c->st);
		json_decref(t);
	}
	return rc;
}

/* Event and emails for one group below its min. */
static int
tell(struct wctx *c, const struct cohort *co, const struct cohort_group *g, int size)
{
	const struct track *tr = &co->programme->tracks[g->track];
	json_t *ev = json_pack("{s:s, s:s, s:{s:s, s:i, s:i}}", "type", "group.below_min", "cohort",
			       co->id, "data", "track", tr->id, "size", size, "min", g->min);
	json_t *las = json_array(), *vars, *who;
	size_t i;
	int rc = wctx_emit(c, ev);

	if (rc == 0)
		rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, "la_adviser", "", NULL,
				      NULL, store_collect_id, las);
	vars =
	    json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "cohort_name", co->name, "programme_name",
		      co->programme->name, "group_name", tr->name ? tr->name : tr->id, "size", size,
		      "min", g->min, "check_date", co->groups_check);
	json_array_foreach(las, i, who)
	{
		if (rc == 0)
			rc = notify_person(c, ev, json_string_value(who), "la_adviser",
					   co->programme->panel.group_alert, vars);
	}
	json_decref(vars);
	json_decref(las);
	json_decref(ev);
	return rc;
}

int
groups_check_fire(struct wctx *c, const json_t *t)
{
	const struct cohort *co = config_cohort(c->cfg, str(t, "cohort") ?: "");
	json_t *s = NULL;
	int rc = 0;

	if (co == NULL || co->groups_check == NULL || !streq(str(t, "date"), co->groups_check))
		return 0; /* the configuration changed since it was armed */
	if (store_rec_get(c->store, c->txn, DB_COHORTS, co->id, &s) != 0)
		s = json_pack("{s:i, s:i, s:[], s:{}, s:i}", "v", 1, "taken", 0, "waiting",
			      "counts", "total", 0);
	for (size_t i = 0; i < co->ngroups && rc == 0; i++) {
		int n = engine_group_size(co, s, co->groups[i].track);

		if (n < co->groups[i].min)
			rc = tell(c, co, &co->groups[i], n);
	}
	json_object_set_new(s, "groups_checked", json_string(co->groups_check));
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_COHORTS, co->id, s, c->st);
	json_decref(s);
	return rc;
}
