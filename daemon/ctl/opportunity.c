/*
 * opportunity.c: how the replies about opportunities are shown: one as
 * "label value" lines, many as a table.
 */
#include "opportunity.h"

#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "util.h"
#include "value.h"

/* "told": who was told (an object) for LA advisers and viewers, how many for others. */
static size_t
opportunity_told_count(const json_t *v)
{
	return json_is_integer(v) ? (size_t)json_integer_value(v) : json_object_size(v);
}

void
opportunity_show(const json_t *d)
{
	const json_t *o = json_object_get(d, "opportunity");
	char *aud = value_pairs(json_object_get(o, "audience"));

	output_kv_str(o, "id", "opportunity");
	output_kv_str(o, "title", NULL);
	output_kv_str(o, "description", NULL);
	output_kv_str(o, "link", NULL);
	output_kv("audience", "%s", *aud ? aud : "(the whole pool)");
	output_kv_str(o, "early_days", "early days");
	output_kv_str(o, "published", NULL);
	output_kv("closes", "%s (%s)", value_str(o, "closes"), value_str(o, "closes_local"));
	output_kv("released", "%s", json_is_true(json_object_get(o, "released")) ? "yes" : "no");
	output_kv("told", "%zu",
		  opportunity_told_count(json_object_get(d, "told") ? json_object_get(d, "told")
								    : json_object_get(o, "told")));
	free(aud);
}

void
opportunity_list_show(const json_t *d)
{
	static const char *const head[] = {"ID", "CLOSES", "RELEASED", "TOLD", "TITLE"};
	struct output_table t;
	size_t i;
	json_t *o;

	output_table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "opportunities"), i, o)
	{
		char *row[] = {xstrdup(value_str(o, "id")), xstrdup(value_str(o, "closes")),
			       xstrdup(json_is_true(json_object_get(o, "released")) ? "yes" : "no"),
			       xasprintf("%zu", opportunity_told_count(json_object_get(o, "told"))),
			       xstrdup(value_str(o, "title"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}
