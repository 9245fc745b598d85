/*
 * support.c: how pathwayctl shows partner-school support requests (one as
 * "label value" lines, many as a table) and bookings of a session.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "util.h"
#include "value.h"

void
support_show(const json_t *d)
{
	const json_t *r = json_object_get(d, "request"), *rv;
	size_t i;

	output_kv_str(r, "id", "request");
	output_kv_str(r, "cohort", NULL);
	output_kv_str(r, "school", NULL);
	output_kv_str(r, "status", NULL);
	output_kv("raised by", "%s (%s) at %s", value_str(r, "raised_by"),
		  value_str(r, "raised_as"), value_str(r, "created"));
	if (json_object_get(r, "need") != NULL)
		output_kv_str(r, "need", NULL);
	if (json_object_get(r, "app") != NULL) {
		output_kv("paired with", "%s (%s) at %s%s", value_str(r, "lle"),
			  value_str(r, "app"), value_str(r, "paired_at"),
			  json_is_true(json_object_get(r, "phase_mismatch")) ? ", phases differ"
									     : "");
	}
	json_array_foreach(json_object_get(r, "reviews"), i, rv)
	{
		const json_t *done = json_object_get(rv, "done");
		char label[32];

		snprintf(label, sizeof label, "review %d",
			 (int)json_integer_value(json_object_get(rv, "n")));
		if (done != NULL)
			output_kv(label, "due %s, recorded %s by %s", value_str(rv, "due"),
				  value_str(done, "at"), value_str(done, "by"));
		else
			output_kv(label, "due %s", value_str(rv, "due"));
	}
	if (json_object_get(r, "ended") != NULL)
		output_kv("ended", "%s by %s", value_str(json_object_get(r, "ended"), "at"),
			  value_str(json_object_get(r, "ended"), "by"));
}

void
support_list_show(const json_t *d)
{
	static const char *const head[] = {"ID", "COHORT", "SCHOOL", "STATUS", "LLE", "APP"};
	struct output_table t;
	size_t i;
	json_t *r;

	output_table_init(&t, 6, head);
	json_array_foreach(json_object_get(d, "requests"), i, r)
	{
		char *row[] = {xstrdup(value_str(r, "id")),	xstrdup(value_str(r, "cohort")),
			       xstrdup(value_str(r, "school")), xstrdup(value_str(r, "status")),
			       xstrdup(value_str(r, "lle")),	xstrdup(value_str(r, "app"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

static void
people(const char *label, const json_t *list)
{
	const json_t *b;
	size_t i;

	if (list == NULL)
		return;
	if (json_array_size(list) == 0)
		output_kv(label, "(none)");
	json_array_foreach(list, i, b)
	    output_kv(i == 0 ? label : "", "%s (at %s, by %s)", value_str(b, "person"),
		      value_str(b, "at"), value_str(b, "by"));
}

static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
booking_show(const json_t *d)
{
	const json_t *b = json_object_get(d, "booking");

	output_kv("session", "%s/%s", value_str(b, "cohort"), value_str(b, "session"));
	output_kv_str(b, "person", NULL);
	if (json_object_get(b, "position") != NULL)
		output_kv("status", "%s (number %lld on the waiting list)", value_str(b, "status"),
			  num(b, "position"));
	else
		output_kv_str(b, "status", NULL);
	output_kv("seats", "%lld: %lld booked, %lld waiting", num(b, "seats"), num(b, "booked"),
		  num(b, "waiting"));
	people("booked", json_object_get(d, "booked"));
	people("waiting", json_object_get(d, "waiting"));
}
