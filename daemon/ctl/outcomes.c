/*
 * outcomes.c: pathwayctl's internship brokering and outcome figures:
 * showing the hosts of a cohort and a match (its placements, the unplaced
 * and why, each host's places), and `outcomes`, a cohort's outcome figures
 * as "label value" lines or, with --csv, as CSV rows section,item,count.
 */
#include "outcomes.h"

#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "output.h"
#include "util.h"
#include "value.h"

static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
outcomes_hosts_show(const json_t *d)
{
	static const char *const head[] = {"SCHOOL", "PLACES", "RANKS", "SET"};
	struct output_table t;
	size_t i;
	const json_t *h;

	output_table_init(&t, 4, head);
	json_array_foreach(json_object_get(d, "hosts"), i, h)
	{
		char *row[4];

		row[0] = xstrdup(value_str(h, "school"));
		row[1] = xasprintf("%lld", num(h, "places"));
		row[2] = xasprintf("%zu", json_array_size(json_object_get(h, "ranking")));
		if (json_object_get(h, "ranking") == NULL) {
			free(row[2]);
			row[2] = xstrdup("all");
		}
		row[3] = xstrdup(value_str(h, "at"));
		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
	json_array_foreach(json_object_get(d, "ranked_by"), i, h)
	    printf("ranked by %s (%s)\n", value_str(h, "app"), value_str(h, "candidate_name"));
}

void
outcomes_match_show(const json_t *d)
{
	static const char *const ph[] = {"APP", "CANDIDATE", "HOST", "CHOICE"};
	static const char *const hh[] = {"HOST", "PLACES", "BEFORE", "MATCHED", "LEFT"};
	struct output_table t;
	size_t i, k;
	const json_t *v, *w;

	printf("%s %s\n", json_is_true(json_object_get(d, "dry_run")) ? "dry run for" : "matched",
	       value_str(d, "cohort"));
	output_table_init(&t, 4, ph);
	json_array_foreach(json_object_get(d, "placements"), i, v)
	{
		char *row[4] = {
		    xstrdup(value_str(v, "app")), xstrdup(value_str(v, "candidate_name")),
		    xstrdup(value_str(v, "host_school")), xasprintf("%lld", num(v, "choice"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
	json_array_foreach(json_object_get(d, "unplaced"), i, v)
	{
		printf("unplaced %s (%s): %s", value_str(v, "app"), value_str(v, "candidate_name"),
		       value_str(v, "reason"));
		json_array_foreach(json_object_get(v, "hosts"), k, w)
		    printf("%s %s %s", k ? "," : ":", value_str(w, "school"), value_str(w, "why"));
		putchar('\n');
	}
	output_table_init(&t, 5, hh);
	json_array_foreach(json_object_get(d, "hosts"), i, v)
	{
		char *row[5] = {
		    xstrdup(value_str(v, "school")), xasprintf("%lld", num(v, "places")),
		    xasprintf("%lld", num(v, "placed_before")),
		    xasprintf("%lld", num(v, "matched")), xasprintf("%lld", num(v, "left"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

/* Each figure as (section, item, count), in the reply's order. */
static void
figures(const json_t *d, void (*fn)(const char *, const char *, long long))
{
	static const char *const groups[][2] = {
	    {"applications", "by_status"}, {"applications", "by_track"},
	    {"participants", "by_track"},  {"completions", "by_track"},
	    {"schools", "by_phase"},	   {"host_schools", "by_phase"},
	};
	static const char *const flat[] = {"internships", "coaches", "progression"};
	const char *key, *k2;
	const json_t *v, *w;

	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		const json_t *sec = json_object_get(d, groups[g][0]);

		if (g == 0 || g == 2 || g == 3 || g == 4 || g == 5)
			fn(groups[g][0], "total", num(sec, "total"));
		json_object_foreach((json_t *)json_object_get(sec, groups[g][1]), key, v)
		{
			if (json_is_integer(v)) {
				fn(groups[g][0], key, json_integer_value(v));
				continue;
			}
			json_object_foreach((json_t *)v, k2, w)
			{
				char *item = xasprintf("%s %s", key, k2);

				fn(groups[g][0], item, json_integer_value(w));
				free(item);
			}
		}
	}
	for (size_t f = 0; f < sizeof flat / sizeof flat[0]; f++)
		json_object_foreach((json_t *)json_object_get(d, flat[f]), key, v)
		    fn(flat[f], key, json_integer_value(v));
}

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
csv_row(const char *section, const char *item, long long n)
{
	csv_field(section);
	putchar(',');
	csv_field(item);
	printf(",%lld\r\n", n);
}

static void
kv_row(const char *section, const char *item, long long n)
{
	char *label = xasprintf("%s %s", section, item);

	output_kv(label, "%lld", n);
	free(label);
}

void
outcomes_show(const json_t *d)
{
	output_kv("cohort", "%s (%s)", value_str(d, "cohort"), value_str(d, "programme"));
	figures(d, kv_row);
}

int
outcomes_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	int csv = json_is_true(json_object_get(args, "csv")), rc;
	json_t *data = NULL;

	json_object_del(args, "csv");
	rc = conn_call(c, e->cmd, args, &data);
	if (rc != 0)
		return rc;
	if (csv) {
		printf("section,item,count\r\n");
		figures(data, csv_row);
	} else {
		output_reply(c, e, data);
	}
	json_decref(data);
	return 0;
}
