/*
 * events.c: reading the event log (events.since) and, for operators, the
 * outbox: listing jobs by state and re-queueing a dead one.
 */
#include "cmd/events.h"

#include <string.h>

#include "cmd/base.h"
#include "util.h"

int
run_events_since(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *limit = json_object_get(args, "limit"), *evs;
	int n = limit ? (int)json_integer_value(limit) : 500;
	uint64_t head;

	if (n < 1 || n > 1000)
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	if (store_events_since(c->store, c->txn,
			       (uint64_t)json_integer_value(json_object_get(args, "after")), n,
			       &evs) != 0 ||
	    store_event_head(c->store, c->txn, &head) != 0) {
		json_decref(evs);
		return pw_fail(c->st, PW_ESTORE, "store: reading events");
	}
	*data = json_pack("{s:o, s:I}", "events", evs, "head", (json_int_t)head);
	return 0;
}

/* The outbox, for operators: list jobs by state, re-queue a dead one. */

static json_t *
job_view(const json_t *job, int with_vars)
{
	char t[PW_TIME_LEN];
	json_t *v = json_deep_copy(job);

	json_object_del(v, "v");
	if (!with_vars)
		json_object_del(v, "vars");
	/* A link with a person token is its recipient's alone (token.c). */
	if (json_object_get(json_object_get(v, "vars"), "action_url") != NULL)
		json_object_set_new(json_object_get(v, "vars"), "action_url",
				    json_string("(a personal link, not shown)"));
	if (json_object_get(json_object_get(v, "vars"), "login_url") != NULL)
		json_object_set_new(json_object_get(v, "vars"), "login_url",
				    json_string("(a personal link, not shown)"));
	if (json_object_get(job, "attachments") != NULL) {
		json_t *names = json_array(), *a;
		size_t i;

		json_array_foreach(json_object_get(job, "attachments"), i, a)
		{
			json_array_append(names, json_object_get(a, "filename"));
		}
		json_object_set_new(v, "attachments", names);
	}
	if (json_object_get(job, "died") != NULL)
		json_object_set_new(v, "died",
				    json_string(pw_time_format(
					json_integer_value(json_object_get(job, "died")), t)));
	json_object_set_new(
	    v, "created",
	    json_string(pw_time_format(json_integer_value(json_object_get(job, "created")), t)));
	json_object_set_new(v, "next_attempt",
			    json_string(pw_time_format(
				json_integer_value(json_object_get(job, "next_attempt")), t)));
	return v;
}

struct job_list {
	const char *state;
	int limit;
	int vars;
	json_t *out;
	char next[PW_ID_MAX + 1];
};

static int
job_visit(const char *id, json_t *job, void *ud)
{
	struct job_list *l = ud;

	if (l->state != NULL && !streq(str(job, "state"), l->state))
		return 0;
	if ((int)json_array_size(l->out) == l->limit)
		return 1;
	json_array_append_new(l->out, job_view(job, l->vars));
	snprintf(l->next, sizeof l->next, "%s", id);
	return 0;
}

int
run_outbox_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct job_list l = {cmd_arg(args, "state"), 100,
			     json_is_true(json_object_get(args, "vars")), json_array(), ""};

	if (json_object_get(args, "limit") != NULL)
		l.limit = (int)json_integer_value(json_object_get(args, "limit"));
	if (l.limit < 1 || l.limit > 1000) {
		json_decref(l.out);
		return pw_fail(c->st, PW_EINVALID, "'limit' must be between 1 and 1000");
	}
	if (store_rec_scan(c->store, c->txn, DB_OUTBOX, cmd_arg(args, "after"), job_visit, &l) !=
	    0) {
		json_decref(l.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing the outbox");
	}
	*data = json_pack("{s:o, s:s?}", "jobs", l.out, "next",
			  json_array_size(l.out) == (size_t)l.limit ? l.next : NULL);
	return 0;
}

int
run_outbox_retry(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *job, *ev;
	int rc = cmd_load(c, DB_OUTBOX, "job", cmd_arg(args, "job"), &job);

	if (rc != 0)
		return rc;
	if (!streq(str(job, "state"), "dead") || str(job, "purged") != NULL) {
		rc = streq(str(job, "state"), "dead")
			 ? pw_fail(c->st, PW_ETRANSITION,
				   "job %s died too long ago: its content was dropped at %s "
				   "(outbox.dead_days), nothing is left to send",
				   cmd_arg(args, "job"), str(job, "purged"))
			 : pw_fail(c->st, PW_ETRANSITION, "job %s is %s, not dead",
				   cmd_arg(args, "job"), str(job, "state"));
		json_decref(job);
		return rc;
	}
	/* A fresh start: a new lifetime from now, attempts kept for the record. */
	json_object_set_new(job, "state", json_string("pending"));
	json_object_del(job, "died");
	json_object_set_new(job, "created", json_integer(c->now));
	json_object_set_new(job, "next_attempt", json_integer(c->now));
	rc = store_rec_put(c->store, c->txn, DB_OUTBOX, cmd_arg(args, "job"), job, c->st);
	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_OUTBOX_DUE, c->now, cmd_arg(args, "job"),
				   c->st);
	ev = json_pack("{s:s, s:{s:s}}", "type", "notification.requeued", "data", "job",
		       cmd_arg(args, "job"));
	if (str(job, "app") != NULL)
		json_object_set(ev, "app", json_object_get(job, "app"));
	if (str(job, "cohort") != NULL)
		json_object_set(ev, "cohort", json_object_get(job, "cohort"));
	if (rc == 0)
		rc = wctx_emit(c, ev);
	if (rc == 0)
		*data = json_pack("{s:o}", "job", job_view(job, 0));
	json_decref(ev);
	json_decref(job);
	return rc;
}
