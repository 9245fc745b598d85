/*
 * system.c: the subcommands about the daemon itself: ping, stats, the clock,
 * backup (a name the daemon resolves under its backup directory), the
 * outbox of notification jobs and the audit of the event log's hash chain.
 * Only what is shown and how; the table entries are in cmds.c.
 */
#include "system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "output.h"
#include "util.h"
#include "value.h"

void
system_ping_show(const json_t *d)
{
	printf("pathwayd %s, protocol %lld, now %s, head %lld\n", value_str(d, "version"),
	       (long long)json_integer_value(json_object_get(d, "protocol")), value_str(d, "now"),
	       (long long)json_integer_value(json_object_get(d, "head")));
}

int
system_audit_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	json_t *data;
	int rc = conn_call(c, e->cmd, args, &data);

	if (rc != 0)
		return rc;
	output_reply(c, e, data);
	rc = json_is_true(json_object_get(data, "ok")) ? CTL_EXIT_OK : CTL_EXIT_REFUSED;
	json_decref(data);
	return rc;
}

void
system_audit_show(const json_t *d)
{
	if (json_is_true(json_object_get(d, "ok")))
		printf("chain verified: %lld events checked; head %lld, hash %s\n",
		       (long long)json_integer_value(json_object_get(d, "checked")),
		       (long long)json_integer_value(json_object_get(d, "head")),
		       value_str(d, "head_hash"));
	else
		printf("chain BROKEN at event %lld: %s\n",
		       (long long)json_integer_value(json_object_get(d, "broken_at")),
		       value_str(d, "reason"));
}

void
system_stats_show(const json_t *d)
{
	const json_t *c = json_object_get(d, "commit_ms"), *w = json_object_get(d, "wait");
	const json_t *l = json_object_get(d, "limits");
#define I(o, k) ((long long)json_integer_value(json_object_get(o, k)))
#define F(o, k) json_number_value(json_object_get(o, k))

	printf("since             %s\n", value_str(d, "since"));
	printf("commits           %lld (%lld requests, %.2f per commit, at most %lld)\n",
	       I(d, "commits"), I(d, "requests"), F(d, "requests_per_commit"),
	       I(d, "largest_batch"));
	printf("commit time       p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", F(c, "p50"),
	       F(c, "p99"), F(c, "max"));
	printf("waits             %lld turns waited (%lld until the limit), %lld requests "
	       "gathered, mean %.3f ms, max %.3f ms\n",
	       I(w, "turns"), I(w, "timeouts"), I(w, "gathered"), F(w, "ms_mean"), F(w, "ms_max"));
	printf("limits            max_batch %lld, commit_wait_us %lld\n", I(l, "max_batch"),
	       I(l, "commit_wait_us"));
#undef I
#undef F
}

void
system_clock_show(const json_t *d)
{
	printf("%s\n", value_str(d, "now"));
}

void
system_backup_show(const json_t *d)
{
	printf("backed up %lld bytes to %s/data.mdb\n",
	       (long long)json_integer_value(json_object_get(d, "bytes")), value_str(d, "path"));
}

void
system_jobs_show(const json_t *d)
{
	static const char *const head[] = {"JOB", "STATE",    "TEMPLATE", "TO",
					   "APP", "ATTEMPTS", "NEXT",	  "ERROR"};
	struct output_table t;
	size_t i;
	json_t *j;

	output_table_init(&t, 8, head);
	json_array_foreach(json_object_get(d, "jobs"), i, j)
	{
		const json_t *to = json_object_get(j, "to");
		char *row[] = {
		    xstrdup(value_str(j, "id")),
		    xstrdup(value_str(j, "state")),
		    xstrdup(value_str(j, "template")),
		    xasprintf("%s <%s>", value_str(to, "person"), value_str(to, "email")),
		    xstrdup(*value_str(j, "app") ? value_str(j, "app") : "-"),
		    value_text(json_object_get(j, "attempts")),
		    xstrdup(value_str(j, "next_attempt")),
		    xstrdup(value_str(j, "last_error"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
	if (json_is_string(json_object_get(d, "next")))
		printf("(more: --after %s)\n", value_str(d, "next"));
}

void
system_job_show(const json_t *d)
{
	const json_t *j = json_object_get(d, "job"), *to = json_object_get(j, "to");

	output_kv_str(j, "id", "job");
	output_kv_str(j, "state", NULL);
	output_kv_str(j, "template", NULL);
	output_kv("to", "%s <%s> (%s)", value_str(to, "person"), value_str(to, "email"),
		  value_str(to, "role"));
	output_kv_str(j, "app", NULL);
	output_kv_str(j, "attempts", NULL);
	output_kv_str(j, "next_attempt", NULL);
	output_kv_str(j, "last_error", NULL);
}
