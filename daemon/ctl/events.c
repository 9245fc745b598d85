/*
 * events.c: how events are shown: one event as a line (for watch), and the
 * event log and an application's history as tables with the cursor for
 * the next page.
 */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "util.h"
#include "value.h"

/* One event as a line, for events, history and watch. */
char *
events_line(const json_t *e)
{
	char *pairs = value_pairs(json_object_get(e, "data"));
	char *line = xasprintf(
	    "%6lld  %s  %-34s %-12s %-8s %-10s %s",
	    (long long)json_integer_value(json_object_get(e, "seq")), value_str(e, "at"),
	    value_str(e, "type"), *value_str(e, "cohort") ? value_str(e, "cohort") : "-",
	    *value_str(e, "app") ? value_str(e, "app") : "-", value_str(e, "actor"), pairs);

	free(pairs);
	return line;
}

static void
events_table_show(const json_t *events)
{
	static const char *const head[] = {"SEQ", "AT", "TYPE", "COHORT", "APP", "ACTOR", "DETAIL"};
	struct output_table t;
	size_t i;
	json_t *e;

	output_table_init(&t, 7, head);
	json_array_foreach(events, i, e)
	{
		char *row[] = {value_text(json_object_get(e, "seq")),
			       xstrdup(value_str(e, "at")),
			       xstrdup(value_str(e, "type")),
			       xstrdup(*value_str(e, "cohort") ? value_str(e, "cohort") : "-"),
			       xstrdup(*value_str(e, "app") ? value_str(e, "app") : "-"),
			       xstrdup(value_str(e, "actor")),
			       value_pairs(json_object_get(e, "data"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
events_history_show(const json_t *d)
{
	events_table_show(json_object_get(d, "events"));
	if (json_is_integer(json_object_get(d, "next")))
		printf("(more: --after %lld)\n",
		       (long long)json_integer_value(json_object_get(d, "next")));
}

void
events_log_show(const json_t *d)
{
	const json_t *evs = json_object_get(d, "events");
	json_int_t head = json_integer_value(json_object_get(d, "head"));

	events_table_show(evs);
	if (json_array_size(evs) > 0 &&
	    json_integer_value(
		json_object_get(json_array_get(evs, json_array_size(evs) - 1), "seq")) < head)
		printf("(head %lld; more: --after %lld)\n", (long long)head,
		       (long long)json_integer_value(
			   json_object_get(json_array_get(evs, json_array_size(evs) - 1), "seq")));
}
