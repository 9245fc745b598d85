/*
 * outbox_jobs.c: a notification job's states in the store. A job is a JSON
 * record under its id in DB_OUTBOX ("to", "template", "vars", "attempts",
 * "created", "next_attempt", "state", ...). It is pending (state "pending",
 * and in DB_OUTBOX_DUE under its next attempt), in flight (state
 * "inflight", "lease" says to whom and until when, and in
 * DB_OUTBOX_INFLIGHT so a restart finds it without reading the whole
 * outbox), or dead (kept for `outbox retry`, "died" saying when); a
 * delivered job is deleted. A dead job keeps its content (the recipient's
 * name and address, the variables, the attachments) for outbox.dead_days:
 * a "dead_job" timer ({"job", "died"}) then drops it, the job staying as a
 * record ("purged"). Each move writes the record and its index entries and
 * says so as an event. Which worker holds a job, in memory, is
 * outbox_workers.c's.
 */
#include "outbox_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "timers.h"
#include "util.h"

static int
job_emit(struct wctx *c, const char *type, const json_t *job, json_t *data)
{
	json_t *ev = json_pack("{s:s, s:o}", "type", type, "data", data);
	int rc;

	json_object_set_new(data, "job",
			    json_string(json_string_value(json_object_get(job, "id"))));
	if (json_object_get(job, "app") != NULL)
		json_object_set(ev, "app", json_object_get(job, "app"));
	if (json_object_get(job, "cohort") != NULL)
		json_object_set(ev, "cohort", json_object_get(job, "cohort"));
	rc = wctx_emit(c, ev);
	json_decref(ev);
	return rc;
}

/*
 * A worker's error as an event tells it: with the recipient's address and
 * name (an SMTP server's "550 <Jo Bloggs <jo@school.example>> unknown"
 * quotes them) replaced by their person id, as events carry ids, never
 * names or email addresses. A name under 3 characters is left: it would
 * match inside other words. The job keeps the error as it came
 * (outbox.list) until its content is purged.
 */
static json_t *
job_error(const json_t *job, const char *why)
{
	const json_t *to = json_object_get(job, "to");
	const char *email = str(to, "email"), *name = str(to, "name"), *person = str(to, "person");
	char *a, *b;
	json_t *out;

	if (person == NULL)
		return json_string(why);
	a = email != NULL && *email != '\0' ? pw_str_replace(why, email, person, 1) : NULL;
	b = pw_str_replace(a ? a : why, name, person, 1);
	out = json_string(b ? b : a ? a : why);
	free(a);
	free(b);
	return out;
}

int
outbox_job_requeue(struct wctx *c, json_t *job, int64_t at)
{
	const char *id = str(job, "id");

	json_object_set_new(job, "state", json_string("pending"));
	json_object_set_new(job, "next_attempt", json_integer(at));
	json_object_del(job, "lease");
	if (store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, id) != 0 ||
	    store_rec_put(c->store, c->txn, DB_OUTBOX, id, job, c->st) != 0)
		return PW_ESTORE;
	return store_due_put(c->store, c->txn, DB_OUTBOX_DUE, at, id, c->st);
}

int
outbox_job_lease(struct wctx *c, const char *id, json_t *job, const char *worker, int lease_secs)
{
	char until[PW_TIME_LEN];
	int rc;

	json_object_set_new(job, "state", json_string("inflight"));
	json_object_set_new(job, "lease",
			    json_pack("{s:s, s:s}", "worker", worker, "until",
				      pw_time_format(c->now + lease_secs, until)));
	rc = store_rec_put(c->store, c->txn, DB_OUTBOX, id, job, c->st);
	if (rc == 0)
		rc = store_due_put(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, id, c->st);
	return rc;
}

/* A dead job's window: "died" now, and its "dead_job" timer outbox.dead_days later. */
static int
dead_window(struct wctx *c, json_t *job)
{
	const char *id = str(job, "id");

	json_object_set_new(job, "died", json_integer((json_int_t)c->now));
	if (store_rec_put(c->store, c->txn, DB_OUTBOX, id, job, c->st) != 0)
		return PW_ESTORE;
	return timers_put(
	    c,
	    json_pack("{s:s, s:s, s:I}", "kind", "dead_job", "job", id, "died", (json_int_t)c->now),
	    c->now + (int64_t)c->cfg->outbox.dead_days * 86400, NULL, 0);
}

int
outbox_job_kill(struct wctx *c, json_t *job, const char *why)
{
	json_object_set_new(job, "state", json_string("dead"));
	json_object_set_new(job, "last_error", json_string(why));
	json_object_del(job, "lease");
	if (store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, str(job, "id")) != 0 ||
	    dead_window(c, job) != 0)
		return PW_ESTORE;
	log_warn("notification %s to %s is dead: %s", str(job, "id"),
		 str(json_object_get(job, "to"), "email"), why);
	if (job_emit(c, "notification.dead", job,
		     json_pack("{s:s, s:s, s:o}", "person",
			       str(json_object_get(job, "to"), "person"), "template",
			       str(job, "template"), "error", job_error(job, why))) != 0)
		return PW_ESTORE;
	return notify_dead(c, job);
}

int
outbox_job_done(struct wctx *c, json_t *job)
{
	int rc =
	    store_due_del(c->store, c->txn, DB_OUTBOX_DUE,
			  json_integer_value(json_object_get(job, "next_attempt")), str(job, "id"));

	if (rc == 0)
		rc = store_due_del(c->store, c->txn, DB_OUTBOX_INFLIGHT, 0, str(job, "id"));
	if (rc == 0)
		rc = store_rec_del(c->store, c->txn, DB_OUTBOX, str(job, "id"));
	if (rc == 0)
		rc = job_emit(c, "notification.sent", job,
			      json_pack("{s:s, s:s, s:I}", "person",
					str(json_object_get(job, "to"), "person"), "template",
					str(job, "template"), "attempts",
					json_integer_value(json_object_get(job, "attempts")) + 1));
	return rc;
}

/* A dead job without "died" (from before the window existed): its id, to arm after the scan. */
static int
dead_unarmed(const char *id, json_t *job, void *ud)
{
	if (streq(str(job, "state"), "dead") && json_object_get(job, "died") == NULL)
		json_array_append_new(ud, json_string(id));
	return 0;
}

int
outbox_dead_arm(struct wctx *c)
{
	json_t *done = NULL, *ids = json_array(), *id, *job, *mark;
	size_t i;
	int rc;

	if (store_rec_get(c->store, c->txn, DB_META, "dead_jobs_armed", &done) == 0) {
		json_decref(done);
		json_decref(ids);
		return 0;
	}
	/* Collected first: the records are written after the cursor is closed. */
	rc = store_rec_scan(c->store, c->txn, DB_OUTBOX, NULL, dead_unarmed, ids);
	json_array_foreach(ids, i, id)
	{
		if (rc != 0)
			break;
		job = NULL;
		rc = store_rec_get(c->store, c->txn, DB_OUTBOX, json_string_value(id), &job);
		if (rc == 0)
			rc = dead_window(c, job);
		json_decref(job);
	}
	if (rc == 0 && json_array_size(ids) > 0)
		log_info("outbox: %zu dead job(s) from before outbox.dead_days kept their "
			 "content; each is kept %d days from now",
			 json_array_size(ids), c->cfg->outbox.dead_days);
	json_decref(ids);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: arming the dead jobs' windows");
	mark = json_pack("{s:I}", "at", (json_int_t)c->now);
	rc = store_rec_put(c->store, c->txn, DB_META, "dead_jobs_armed", mark, c->st);
	json_decref(mark);
	return rc;
}

int
outbox_dead_purge(struct wctx *c, const json_t *t)
{
	json_t *job = NULL, *to, *err;
	char at[PW_TIME_LEN];
	int rc;

	/* Delivered, erased, retried, or dead again since (a later timer): nothing to do. */
	if (store_rec_get(c->store, c->txn, DB_OUTBOX, str(t, "job"), &job) != 0)
		return 0;
	if (!streq(str(job, "state"), "dead") || str(job, "purged") != NULL ||
	    json_integer_value(json_object_get(job, "died")) !=
		json_integer_value(json_object_get(t, "died"))) {
		json_decref(job);
		return 0;
	}
	/* The error keeps its sense, with the address as the person's id (as events do). */
	err = job_error(job, str(job, "last_error") ? str(job, "last_error") : "");
	json_object_set_new(job, "last_error", err);
	to = json_object_get(job, "to");
	json_object_del(to, "name");
	json_object_del(to, "email");
	json_object_del(job, "vars");
	json_object_del(job, "attachments");
	json_object_set_new(job, "purged", json_string(pw_time_format(c->now, at)));
	rc = store_rec_put(c->store, c->txn, DB_OUTBOX, str(job, "id"), job, c->st);
	if (rc == 0)
		rc = job_emit(c, "notification.purged", job,
			      json_pack("{s:s, s:s}", "person", str(to, "person"), "template",
					str(job, "template")));
	json_decref(job);
	return rc;
}

static int64_t
backoff(const struct outbox_conf *o, int attempts)
{
	double d = o->retry_min * pow(2.0, attempts > 30 ? 30 : attempts - 1);

	return d > o->retry_max ? o->retry_max : (int64_t)d;
}

int
outbox_job_retry(struct wctx *c, json_t *job, const char *why)
{
	int64_t next, attempts;
	int rc;

	attempts = json_integer_value(json_object_get(job, "attempts")) + 1;
	json_object_set_new(job, "attempts", json_integer(attempts));
	json_object_set_new(job, "last_error", json_string(why));
	next = c->now + backoff(&c->cfg->outbox, (int)attempts);
	if (next - json_integer_value(json_object_get(job, "created")) > c->cfg->outbox.lifetime) {
		char *msg = xasprintf("expired after %lld attempts; last error: %s",
				      (long long)attempts, why);

		rc = outbox_job_kill(c, job, msg);
		free(msg);
	} else {
		char at[PW_TIME_LEN]; /* UTC ISO 8601, like every time in the protocol */

		rc = outbox_job_requeue(c, job, next);
		if (rc == 0)
			rc = job_emit(c, "notification.retrying", job,
				      json_pack("{s:I, s:s, s:o}", "attempts", attempts,
						"next_attempt", pw_time_format(next, at), "error",
						job_error(job, why)));
	}
	return rc;
}

int
outbox_job_fail(struct wctx *c, json_t *job, const char *why)
{
	json_object_set_new(job, "attempts",
			    json_integer(json_integer_value(json_object_get(job, "attempts")) + 1));
	return outbox_job_kill(c, job, why);
}
