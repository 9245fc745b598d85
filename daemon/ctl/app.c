/*
 * app.c: how the replies about applications are shown: one application's
 * fields, documents, forms returned for changes, sign-offs, decisions,
 * raters, attendance, internship and career as "label value" lines with its
 * requirements as a table; many applications as a table.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "panel.h"
#include "util.h"
#include "value.h"

/* What a requirement is about: its document, sessions, fact or role. */
static char *
app_requirement_what(const json_t *q)
{
	const json_t *ss = json_object_get(q, "sessions");
	char *out, *next;
	size_t i;
	json_t *s;

	if (*value_str(q, "doc"))
		return xstrdup(value_str(q, "doc"));
	if (json_array_size(ss) > 0) {
		out = xstrdup("");
		json_array_foreach(ss, i, s)
		{
			next = xasprintf("%s%s%s", out, i ? "," : "", json_string_value(s));
			free(out);
			out = next;
		}
		return out;
	}
	return xstrdup(*value_str(q, "fact") ? value_str(q, "fact") : value_str(q, "role"));
}

void
app_show(const json_t *d)
{
	static const char *const rhead[] = {"REQUIREMENT", "WHAT", "MET", "HAVE"};
	const json_t *a = json_object_get(d, "application");
	const json_t *o = json_object_get(a, "overdue"), *in = json_object_get(a, "internship");
	const json_t *raters = json_object_get(a, "raters");
	const char *k, *first;
	struct output_table t;
	size_t i, responded = 0;
	json_t *v;

	output_kv_str(a, "id", "application");
	output_kv_str(a, "candidate", NULL);
	output_kv("cohort", "%s (%s)", value_str(a, "cohort"), value_str(a, "programme"));
	output_kv_str(a, "school", NULL);
	output_kv_str(a, "route", NULL);
	output_kv_str(a, "status", NULL);
	output_kv("stage", "%s (since %s)", value_str(a, "stage"), value_str(a, "stage_entered"));
	output_kv("place", "%s", json_is_true(json_object_get(a, "place")) ? "yes" : "no");
	if (o != NULL)
		output_kv("overdue", "yes: %s since %s", value_str(o, "stage"),
			  value_str(o, "since"));
	else
		output_kv("overdue", "no");
	output_kv_str(a, "coach", NULL);
	output_kv_str(a, "created", NULL);
	first = "documents";
	json_object_foreach(json_object_get(a, "docs"), k, v)
	{
		output_kv(first, "%s %s by %s%s%s", k, value_str(v, "at"), value_str(v, "by"),
			  *value_str(v, "ref") ? "  " : "", value_str(v, "ref"));
		first = "";
	}
	first = "returned";
	json_object_foreach(json_object_get(a, "returned"), k, v)
	{
		output_kv(first, "%s %s by %s%s%s", k, value_str(v, "at"), value_str(v, "by"),
			  *value_str(v, "note") ? ": " : "", value_str(v, "note"));
		first = "";
	}
	first = "signoffs";
	json_object_foreach(json_object_get(a, "signoffs"), k, v)
	{
		output_kv(first, "%s %s by %s", k, value_str(v, "at"), value_str(v, "by"));
		first = "";
	}
	first = "decisions";
	json_object_foreach(json_object_get(a, "decisions"), k, v)
	{
		output_kv(first, "%s: %s %s by %s%s%s", k, value_str(v, "outcome"),
			  value_str(v, "at"), value_str(v, "by"), *value_str(v, "note") ? "  " : "",
			  value_str(v, "note"));
		first = "";
	}
	if (json_object_size(raters) > 0) {
		json_object_foreach((json_t *)raters, k, v)
		{
			if (json_object_get(v, "responded") != NULL)
				responded++;
		}
		if (responded > 0)
			output_kv("raters", "%zu invited, %zu responded", json_object_size(raters),
				  responded);
		else
			output_kv("raters", "%zu invited", json_object_size(raters));
	}
	if (json_object_size(json_object_get(a, "attendance")) > 0) {
		char *s = xstrdup(""), *next;

		json_object_foreach(json_object_get(a, "attendance"), k, v)
		{
			next = xasprintf("%s%s%s %s", s, *s ? ", " : "", k,
					 json_is_true(v) ? "present" : "absent");
			free(s);
			s = next;
		}
		output_kv("attendance", "%s", s);
		free(s);
	}
	if (in != NULL) {
		output_kv("internship", "%s %s to %s", value_str(in, "host_school"),
			  value_str(in, "start"), value_str(in, "end"));
		if (json_object_get(in, "confirmed") != NULL)
			output_kv(
			    "", "%lld days confirmed by %s at %s",
			    (long long)json_integer_value(json_object_get(in, "days_completed")),
			    value_str(in, "confirmed_by"), value_str(in, "confirmed"));
	}
	panel_show(a); /* a panel's recommendations, term reviews (ctl/panel.c) */
	output_kv_str(a, "graduated", NULL);
	first = "career";
	json_array_foreach(json_object_get(a, "career"), i, v)
	{
		output_kv(first, "%s %s%s%s", value_str(v, "date"), value_str(v, "role"),
			  *value_str(v, "school") ? ", " : "", value_str(v, "school"));
		first = "";
	}
	if (json_array_size(json_object_get(a, "requirements")) == 0)
		return;
	putchar('\n');
	output_table_init(&t, 4, rhead);
	json_array_foreach(json_object_get(a, "requirements"), i, v)
	{
		char *row[] = {
		    xstrdup(value_str(v, "kind")), app_requirement_what(v),
		    xstrdup(json_is_true(json_object_get(v, "met")) ? "yes" : "no"),
		    xasprintf("%lld/%lld",
			      (long long)json_integer_value(json_object_get(v, "have")),
			      (long long)json_integer_value(json_object_get(v, "need")))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

static void
app_table_show(const json_t *apps)
{
	static const char *const head[] = {"ID",    "CANDIDATE", "SCHOOL", "COHORT",
					   "STAGE", "STATUS",	 "PLACE",  "OVERDUE"};
	struct output_table t;
	size_t i;
	json_t *a;

	output_table_init(&t, 8, head);
	json_array_foreach(apps, i, a)
	{
		const json_t *o = json_object_get(a, "overdue");
		char *row[] = {xstrdup(value_str(a, "id")),
			       xstrdup(value_str(a, "candidate")),
			       xstrdup(value_str(a, "school")),
			       xstrdup(value_str(a, "cohort")),
			       xstrdup(value_str(a, "stage")),
			       xstrdup(value_str(a, "status")),
			       xstrdup(json_is_true(json_object_get(a, "place")) ? "yes" : "no"),
			       o != NULL ? xasprintf("since %s", value_str(o, "since"))
					 : xstrdup("no")};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
app_list_show(const json_t *d)
{
	app_table_show(json_object_get(d, "applications"));
	if (json_is_string(json_object_get(d, "next")))
		printf("(more: --after %s)\n", value_str(d, "next"));
}

void
app_register_show(const json_t *d)
{
	printf("recorded %lld\n", (long long)json_integer_value(json_object_get(d, "recorded")));
	app_table_show(json_object_get(d, "applications"));
}
