/*
 * post.c: how the replies about secondment posts are shown: a post as
 * "label value" lines with its criteria and the applications the caller may
 * see as a table (with the panel's mean scores when the reply has them), an
 * application with the caller's scores, many posts as a table.
 */
#include "post.h"

#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "util.h"
#include "value.h"

/* The means of an application, "qts 2.5, lead 3" (or "-"); free it. */
static char *
means_text(const json_t *a)
{
	const json_t *means = json_object_get(a, "means");
	struct pw_buf b = {0};
	const char *k;
	json_t *v;

	if (json_object_size(means) == 0)
		return xstrdup("-");
	json_object_foreach((json_t *)means, k, v)
	{
		pw_buf_addf(&b, "%s%s %g", b.len ? ", " : "", k, json_number_value(v));
	}
	return b.p;
}

void
post_show(const json_t *d)
{
	static const char *const head[] = {"ROUND",   "PERSON", "STATUS",
					   "APPLIED", "MEANS",	"MEETS"};
	const json_t *p = json_object_get(d, "post"), *apps = json_object_get(d, "applications");
	const json_t *appt = json_object_get(p, "appointment");
	struct output_table t;
	json_t *v;
	size_t i;

	output_kv_str(p, "id", "post");
	output_kv_str(p, "title", NULL);
	output_kv_str(p, "host", NULL);
	output_kv_str(p, "state", NULL);
	output_kv_str(p, "round", NULL);
	output_kv("closes", "%s (end of %s)", value_str(p, "closes"), value_str(p, "closes_local"));
	output_kv("window ends", "%s (end of %s)", value_str(p, "internal_until"),
		  value_str(p, "internal_until_local"));
	output_kv_str(p, "description", NULL);
	output_kv_str(p, "person_spec", "person spec");
	json_array_foreach(json_object_get(p, "criteria"), i, v)
	{
		output_kv(i == 0 ? "criteria" : "", "%s: %s", value_str(v, "id"),
			  value_str(v, "text"));
	}
	if (json_object_get(p, "panel") != NULL) {
		struct pw_buf b = {0};

		json_array_foreach(json_object_get(p, "panel"), i, v)
		{
			pw_buf_addf(&b, "%s%s", i ? ", " : "", json_string_value(v));
		}
		output_kv("panel", "%s (chair %s)", b.p ? b.p : "", value_str(p, "chair"));
		free(b.p);
	}
	if (json_object_get(d, "told") != NULL)
		output_kv_str(d, "told", NULL);
	if (appt != NULL)
		output_kv("appointed", "%s from %s: %s", value_str(appt, "person"),
			  value_str(appt, "start"), value_str(appt, "objective"));
	if (json_array_size(apps) == 0)
		return;
	output_table_init(&t, 6, head);
	json_array_foreach(apps, i, v)
	{
		const json_t *meets = json_object_get(v, "meets");
		char *row[] = {xstrdup(value_str(v, "round")),
			       xstrdup(value_str(v, "person")),
			       xstrdup(value_str(v, "status")),
			       xstrdup(value_str(v, "at")),
			       means_text(v),
			       xstrdup(meets == NULL	     ? "-"
				       : json_is_true(meets) ? "yes"
							     : "no")};

		output_table_add(&t, row);
	}
	printf("\n");
	output_table_print(&t);
	output_table_free(&t);
}

void
post_list_show(const json_t *d)
{
	static const char *const head[] = {"ID", "STATE", "ROUND", "CLOSES", "HOST", "TITLE"};
	struct output_table t;
	size_t i;
	json_t *p;

	output_table_init(&t, 6, head);
	json_array_foreach(json_object_get(d, "posts"), i, p)
	{
		char *row[] = {xstrdup(value_str(p, "id")),    xstrdup(value_str(p, "state")),
			       xstrdup(value_str(p, "round")), xstrdup(value_str(p, "closes")),
			       xstrdup(value_str(p, "host")),  xstrdup(value_str(p, "title"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
post_app_show(const json_t *d)
{
	const json_t *a = json_object_get(d, "application");
	const char *member, *crit;
	json_t *mine, *s;

	output_kv_str(a, "post", NULL);
	output_kv_str(a, "round", NULL);
	output_kv_str(a, "person", "applicant");
	output_kv_str(a, "status", NULL);
	output_kv_str(a, "at", "applied");
	json_object_foreach(json_object_get(a, "scores"), member, mine)
	{
		json_object_foreach(mine, crit, s)
		{
			char *label = xasprintf("%s %s", member, crit);

			output_kv(label, "%lld%s%s",
				  (long long)json_integer_value(json_object_get(s, "score")),
				  json_object_get(s, "note") != NULL ? " - " : "",
				  value_str(s, "note"));
			free(label);
		}
	}
}
