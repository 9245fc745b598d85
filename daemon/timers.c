/*
 * timers.c: arming, cancelling and firing the timers of applications. A
 * timer record says which application and stage it belongs to and what it
 * is: the stage's deadline, reminder i, or escalation i. Firing a timer
 * whose application has moved on does nothing (cancelling normally removes
 * such timers first).
 */
#include "timers.h"

#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "schedule.h"
#include "util.h"

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
arm(struct cmd_ctx *c, const json_t *app, const char *kind, int index, int64_t at,
    int64_t deadline)
{
	char id[32];
	json_t *t;
	uint64_t n;
	int rc;

	if (store_counter_next(c->store, c->txn, "next_timer", &n, c->st) != 0)
		return PW_ESTORE;
	snprintf(id, sizeof id, "T%09llu", (unsigned long long)n);
	t = json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:I, s:I}", "v", 1, "id", id, "app",
		      str(app, "id"), "stage", str(app, "stage"), "kind", kind, "index", index,
		      "at", (json_int_t)at, "deadline", (json_int_t)deadline);
	rc = store_rec_put(c->store, c->txn, DB_TIMER_RECS, id, t, c->st);
	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_TIMERS, at, id, c->st);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_APP_TIMERS, str(app, "id"), id, NULL,
				     c->st);
	json_decref(t);
	return rc;
}

static int
app_where(const struct cmd_ctx *c, const json_t *app, const struct cohort **co,
	  const struct stage **s)
{
	int i;

	*co = config_cohort(c->cfg, str(app, "cohort"));
	if (*co == NULL)
		return -1;
	i = config_stage_index((*co)->programme, str(app, "stage"));
	if (i < 0)
		return -1;
	*s = &(*co)->programme->stages[i];
	return 0;
}

int
timers_stage_entered(struct cmd_ctx *c, const json_t *app)
{
	const struct cohort *co;
	const struct stage *s;
	int64_t entered, dl;
	int rc = 0;

	if (strcmp(str(app, "status"), "active") != 0 || app_where(c, app, &co, &s) != 0)
		return 0;
	if (pw_time_parse(str(app, "stage_entered"), &entered) != 0)
		entered = c->now;
	dl = schedule_deadline(co, s, entered);
	if (dl > 0)
		rc = arm(c, app, "deadline", 0, dl, dl);
	for (size_t i = 0; i < s->nreminders && rc == 0; i++) {
		const struct nudge *n = &s->reminders[i];

		if (n->every > 0)
			rc = arm(c, app, "reminder", (int)i, schedule_every(co, n, entered, entered), dl);
		else if (dl > 0 && (dl > c->now || n->late || n->days >= 0))
			rc = arm(c, app, "reminder", (int)i, schedule_nudge(co, n, dl), dl);
	}
	for (size_t i = 0; i < s->nescalations && dl > 0 && rc == 0; i++)
		rc = arm(c, app, "escalation", (int)i, schedule_nudge(co, &s->escalations[i], dl), dl);
	return rc;
}

static int
collect(const char *id, void *ud)
{
	json_array_append_new(ud, json_string(id));
	return 0;
}

static int
timer_delete(struct cmd_ctx *c, const json_t *t)
{
	store_due_del(c->store, c->txn, DB_TIMERS, json_integer_value(json_object_get(t, "at")),
		      str(t, "id"));
	store_index_del(c->store, c->txn, DB_APP_TIMERS, str(t, "app"), str(t, "id"), NULL);
	return store_rec_del(c->store, c->txn, DB_TIMER_RECS, str(t, "id"));
}

int
timers_cancel(struct cmd_ctx *c, const char *app)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc = store_index_scan(c->store, c->txn, DB_APP_TIMERS, app, NULL, NULL, NULL, collect,
				  ids);

	json_array_foreach(ids, i, id)
	{
		json_t *t = NULL;

		if (rc == 0 &&
		    store_rec_get(c->store, c->txn, DB_TIMER_RECS, json_string_value(id), &t) == 0)
			rc = timer_delete(c, t);
		json_decref(t);
	}
	json_decref(ids);
	return rc;
}

/* The event a firing timer emits: stage, deadline in UTC and local words, day counts. */
static json_t *
nudge_event(struct cmd_ctx *c, const json_t *app, const struct cohort *co, const char *type,
	    int64_t dl, int index)
{
	char utc[PW_TIME_LEN], local[64];
	int64_t today = schedule_local_date(co->timezone, c->now, NULL, NULL);
	int64_t due = schedule_local_date(co->timezone, dl, NULL, NULL);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:I, s:I}}", "type", type,
			       "app", str(app, "id"), "cohort", str(app, "cohort"), "school",
			       str(app, "school"), "stage", str(app, "stage"), "data", "deadline",
			       pw_time_format(dl, utc), "deadline_local",
			       schedule_format(co->timezone, dl, local), "days_left",
			       (json_int_t)(due > today ? due - today : 0), "days_overdue",
			       (json_int_t)(today > due ? today - due : 0));

	if (index >= 0)
		json_object_set_new(json_object_get(ev, "data"), "index", json_integer(index));
	return ev;
}

static int
fire_deadline(struct cmd_ctx *c, json_t *app, const struct cohort *co, int64_t dl)
{
	char since[PW_TIME_LEN];
	json_t *ev;
	int rc;

	json_object_set_new(app, "overdue",
			    json_pack("{s:s, s:s}", "stage", str(app, "stage"), "since",
				      pw_time_format(dl, since)));
	rc = store_rec_put(c->store, c->txn, DB_APPS, str(app, "id"), app, c->st);
	if (rc == 0)
		rc = store_index_put(c->store, c->txn, DB_OVERDUE, str(app, "cohort"),
				     str(app, "id"), NULL, c->st);
	ev = nudge_event(c, app, co, "application.overdue", dl, -1);
	if (rc == 0)
		rc = cmd_emit(c, ev);
	json_decref(ev);
	return rc;
}

static int
fire_nudge(struct cmd_ctx *c, const json_t *app, const struct cohort *co, const struct nudge *n,
	   const char *type, int64_t dl, int index)
{
	json_t *ev = nudge_event(c, app, co, type, dl, index);
	int rc = cmd_emit(c, ev);

	if (rc == 0)
		rc = notify_nudge(c, ev, app, n->to, n->tmpl);
	json_decref(ev);
	return rc;
}

/* Act on one due timer t; the timer itself is already deleted. */
static int
fire_one(struct cmd_ctx *c, const json_t *t)
{
	const char *kind = str(t, "kind");
	int index = (int)json_integer_value(json_object_get(t, "index"));
	int64_t dl = json_integer_value(json_object_get(t, "deadline"));
	const struct cohort *co;
	const struct stage *s;
	json_t *app = NULL;
	int rc = 0;

	if (store_rec_get(c->store, c->txn, DB_APPS, str(t, "app"), &app) != 0)
		return 0;
	if (strcmp(str(app, "status"), "active") != 0 ||
	    strcmp(str(app, "stage"), str(t, "stage")) != 0 || app_where(c, app, &co, &s) != 0)
		goto done; /* it has moved on: nothing is due any more */
	if (strcmp(kind, "deadline") == 0) {
		rc = fire_deadline(c, app, co, dl);
	} else if (strcmp(kind, "reminder") == 0 && (size_t)index < s->nreminders) {
		const struct nudge *n = &s->reminders[index];

		/* A reminder before a deadline that has passed no longer helps anyone. */
		if (n->every == 0 && n->days < 0 && !n->late && c->now >= dl)
			goto done;
		rc = fire_nudge(c, app, co, n, "application.reminded", dl, index);
		if (rc == 0 && n->every > 0) {
			int64_t entered;

			if (pw_time_parse(str(app, "stage_entered"), &entered) != 0)
				entered = c->now;
			rc = arm(c, app, "reminder", index, schedule_every(co, n, entered, c->now),
				 dl);
		}
	} else if (strcmp(kind, "escalation") == 0 && (size_t)index < s->nescalations) {
		rc = fire_nudge(c, app, co, &s->escalations[index], "application.escalated", dl,
				index);
	}
done:
	json_decref(app);
	return rc;
}

struct due {
	json_t *ids;
	int max;
};

static int
due_visit(int64_t at, const char *id, void *ud)
{
	struct due *d = ud;

	(void)at;
	json_array_append_new(d->ids, json_string(id));
	return (int)json_array_size(d->ids) >= d->max;
}

int
timers_fire(struct cmd_ctx *c, int max, int *fired)
{
	struct due d = {json_array(), max};
	size_t i;
	json_t *id;
	int rc = store_due_scan(c->store, c->txn, DB_TIMERS, c->now, due_visit, &d);

	*fired = 0;
	json_array_foreach(d.ids, i, id)
	{
		json_t *t = NULL;

		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_TIMER_RECS, json_string_value(id), &t) != 0)
			continue;
		rc = timer_delete(c, t);
		if (rc == 0)
			rc = fire_one(c, t);
		(*fired)++;
		json_decref(t);
	}
	json_decref(d.ids);
	return rc;
}

int
timers_next(struct store *s, MDB_txn *txn, int64_t *at)
{
	return store_due_first(s, txn, DB_TIMERS, at);
}
