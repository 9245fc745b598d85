/*
 * cohort.c: how the replies about cohorts are shown: the list, one cohort
 * with its stages and session calendar, and a cohort's report of places,
 * waiting list and counts per stage and status.
 */
#include "cohort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "util.h"
#include "value.h"

void
cohort_list_show(const json_t *d)
{
	static const char *const head[] = {"ID", "PROGRAMME", "PLACES", "STARTS", "NAME"};
	struct output_table t;
	size_t i;
	json_t *co;

	output_table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "cohorts"), i, co)
	{
		char *row[] = {xstrdup(value_str(co, "id")), xstrdup(value_str(co, "programme")),
			       value_text(json_object_get(co, "places")),
			       xstrdup(value_str(co, "starts")), xstrdup(value_str(co, "name"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
cohort_show(const json_t *d)
{
	static const char *const shead[] = {"SESSION", "DATE", "TIME", "TITLE", "VENUE"};
	const json_t *co = json_object_get(d, "cohort");
	struct output_table t;
	size_t i;
	json_t *s;

	output_kv_str(co, "id", "cohort");
	output_kv_str(co, "name", NULL);
	output_kv_str(co, "programme", NULL);
	output_kv_str(co, "places", NULL);
	output_kv_str(co, "starts", NULL);
	output_kv_str(co, "timezone", NULL);
	{
		char *st = xstrdup(""), *next;

		json_array_foreach(json_object_get(co, "stages"), i, s)
		{
			next = xasprintf("%s%s%s", st, i ? " > " : "", value_str(s, "id"));
			free(st);
			st = next;
		}
		output_kv("stages", "%s", st);
		free(st);
	}
	putchar('\n');
	output_table_init(&t, 5, shead);
	json_array_foreach(json_object_get(co, "sessions"), i, s)
	{
		const char *aud = value_str(s, "audience");
		char *row[] = {xstrdup(value_str(s, "id")), xstrdup(value_str(s, "date")),
			       xasprintf("%s-%s", value_str(s, "start"), value_str(s, "end")),
			       *aud && strcmp(aud, "participants") != 0
				   ? xasprintf("%s (%s)", value_str(s, "title"), aud)
				   : xstrdup(value_str(s, "title")),
			       xstrdup(value_str(s, "venue"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

static void
cohort_counts_show(const char *what, const json_t *counts)
{
	const char *const head[] = {what, "COUNT"};
	struct output_table t;
	const char *k;
	json_t *v;

	output_table_init(&t, 2, head);
	json_object_foreach((json_t *)counts, k, v)
	{
		char *row[] = {xstrdup(k), value_text(v)};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
cohort_report_show(const json_t *d)
{
	const json_t *waiting = json_object_get(d, "waiting");
	char *w = xstrdup(""), *offers = xstrdup(""), *next;
	size_t i;
	json_t *a;

	json_array_foreach(waiting, i, a)
	{
		next = xasprintf("%s%s%s", w, i ? " " : "", json_string_value(a));
		free(w);
		w = next;
	}
	json_array_foreach(json_object_get(d, "offers"), i, a)
	{
		next = xasprintf("%s%s%s", offers, i ? " " : "", json_string_value(a));
		free(offers);
		offers = next;
	}
	output_kv("cohort", "%s (%s)", value_str(d, "cohort"), value_str(d, "programme"));
	output_kv("places", "%lld", (long long)json_integer_value(json_object_get(d, "places")));
	output_kv("taken", "%lld", (long long)json_integer_value(json_object_get(d, "taken")));
	output_kv("left", "%lld", (long long)json_integer_value(json_object_get(d, "left")));
	output_kv("offered", "%zu%s%s", json_array_size(json_object_get(d, "offers")),
		  json_array_size(json_object_get(d, "offers")) ? ": " : "", offers);
	output_kv("waiting", "%zu%s%s", json_array_size(waiting), *w ? ": " : "", w);
	output_kv("total", "%lld", (long long)json_integer_value(json_object_get(d, "total")));
	output_kv("overdue", "%lld", (long long)json_integer_value(json_object_get(d, "overdue")));
	free(w);
	free(offers);
	putchar('\n');
	cohort_counts_show("STAGE", json_object_get(d, "stages"));
	putchar('\n');
	cohort_counts_show("STATUS", json_object_get(d, "status"));
	if (json_object_get(d, "tracks") != NULL) {
		putchar('\n');
		cohort_counts_show("TRACK", json_object_get(d, "tracks"));
	}
	if (json_object_get(d, "coaches") != NULL) {
		const json_t *co = json_object_get(d, "coaches");

		putchar('\n');
		output_kv("coaches", "%lld with training recorded, %lld trained",
			  (long long)json_integer_value(json_object_get(co, "recorded")),
			  (long long)json_integer_value(json_object_get(co, "trained")));
	}
}
