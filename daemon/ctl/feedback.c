/*
 * feedback.c: the 360 from pathwayctl. `feedback respond` reads a rater's
 * answers from a JSON file ({"ratings": {QUESTION: n or null}, "comments":
 * {QUESTION: text}}) into the request; the show functions print an
 * invitation's raters, the questionnaire, and the report: one table of
 * questions by group (n and average; the candidate's own rating beside
 * them), then each question's text with its comments.
 */
#include "feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "forms.h"
#include "output.h"
#include "util.h"
#include "value.h"

#define FEEDBACK_MAX_GROUPS 13 /* table columns: QUESTION, the groups, ALL, SELF */

int
feedback_respond_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	const char *file = value_str(args, "file"), *k;
	json_t *answers, *v;
	int rc = forms_json_load(file, &answers);

	if (rc != 0) {
		json_decref(args);
		return rc;
	}
	json_object_foreach(answers, k, v)
	{
		if (strcmp(k, "ratings") != 0 && strcmp(k, "comments") != 0) {
			fprintf(stderr,
				"pathwayctl: %s: '%s': the file holds only \"ratings\" and "
				"\"comments\"\n",
				file, k);
			json_decref(answers);
			json_decref(args);
			return CTL_EXIT_REFUSED;
		}
		json_object_set(args, k, v);
	}
	json_decref(answers);
	json_object_del(args, "file");
	return conn_run(c, e, args);
}

void
feedback_invite_show(const json_t *d)
{
	static const char *const head[] = {"RATER", "CATEGORY", "INVITED", "RESPONDED"};
	const json_t *a = json_object_get(d, "application"), *r;
	struct output_table t;
	const char *id;

	output_kv_str(a, "id", "application");
	output_kv("stage", "%s", value_str(a, "stage"));
	output_kv("raters", "%zu invited", json_object_size(json_object_get(a, "raters")));
	putchar('\n');
	output_table_init(&t, 4, head);
	json_object_foreach(json_object_get(a, "raters"), id, r)
	{
		char *row[] = {xstrdup(id), xstrdup(value_str(r, "category")),
			       xstrdup(value_str(r, "invited")),
			       xstrdup(value_str(r, "responded"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
feedback_recorded_show(const json_t *d)
{
	printf("recorded: the 360 answers for %s (kept apart from who gave them)\n",
	       value_str(d, "app"));
}

/* "1 Rarely, 2 Sometimes, ..." or "1..5" (the caller frees it). */
static char *
feedback_scale_text(const json_t *scale)
{
	const json_t *labels = json_object_get(scale, "labels"), *l;
	char *s, *next;
	size_t i;

	if (json_array_size(labels) == 0)
		return xasprintf("1..%lld",
				 (long long)json_integer_value(json_object_get(scale, "max")));
	s = xstrdup("");
	json_array_foreach(labels, i, l)
	{
		next = xasprintf("%s%s%zu %s", s, i ? ", " : "", i + 1, json_string_value(l));
		free(s);
		s = next;
	}
	return s;
}

void
feedback_questionnaire_show(const json_t *d)
{
	const json_t *q = json_object_get(d, "questionnaire"), *cat, *v;
	const json_t *responded = json_object_get(q, "responded");
	char *scale = feedback_scale_text(json_object_get(q, "scale"));
	size_t i;

	output_kv("360 for", "%s, %s (%s)", value_str(q, "app"), value_str(q, "candidate_name"),
		  value_str(q, "programme"));
	cat = json_object_get(q, "category");
	if (cat != NULL)
		output_kv("you rate as", "%s", value_str(cat, "name"));
	else if (json_is_true(json_object_get(q, "self_assessment")))
		output_kv("you rate as", "yourself (the self-assessment)");
	if (responded != NULL)
		output_kv("responded", "%s", json_is_true(responded) ? "yes" : "no");
	output_kv("time", "about %lld minutes",
		  (long long)json_integer_value(json_object_get(q, "minutes")));
	output_kv("scale", "%s", scale);
	free(scale);
	json_array_foreach(json_object_get(q, "questions"), i, v)
	{
		printf("\n%s\n", value_str(v, "id"));
		forms_wrap("  ", "  ", value_str(v, "text"));
	}
	printf("\nAnswer with: pathwayctl feedback respond %s --file answers.json\n"
	       "answers.json: {\"ratings\": {\"QUESTION\": 1..%lld or null}, "
	       "\"comments\": {\"QUESTION\": \"text\"}}\n",
	       value_str(q, "app"),
	       (long long)json_integer_value(json_object_get(json_object_get(q, "scale"), "max")));
}

/* Index of name in names[0..*n), added at the end when missing (-1 when full). */
static int
feedback_group_col(const char **names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	if (*n == FEEDBACK_MAX_GROUPS)
		return -1;
	names[*n] = name;
	return (int)(*n)++;
}

static char *
feedback_figure(const json_t *g)
{
	return xasprintf("%.2f (n=%lld)", json_number_value(json_object_get(g, "average")),
			 (long long)json_integer_value(json_object_get(g, "n")));
}

/* The table: one row per question, a column per group, then all colleagues and self. */
static void
feedback_report_table(const json_t *qs, int *hidden)
{
	const char *names[FEEDBACK_MAX_GROUPS], *head[FEEDBACK_MAX_GROUPS + 3];
	size_t ngroups = 0, ncols, i, k;
	struct output_table t;
	const json_t *q, *g;
	char *upper[FEEDBACK_MAX_GROUPS];

	json_array_foreach(qs, i, q)
	{
		json_array_foreach(json_object_get(q, "groups"), k, g)
		{
			feedback_group_col(names, &ngroups, value_str(g, "name"));
		}
	}
	head[0] = "QUESTION";
	for (i = 0; i < ngroups; i++) {
		upper[i] = xstrdup(names[i]);
		for (char *p = upper[i]; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		head[i + 1] = upper[i];
	}
	head[ngroups + 1] = "ALL COLLEAGUES";
	head[ngroups + 2] = "SELF";
	ncols = ngroups + 3;
	output_table_init(&t, ncols, head);
	json_array_foreach(qs, i, q)
	{
		char *row[FEEDBACK_MAX_GROUPS + 3];
		const json_t *self = json_object_get(q, "self");
		int hid = json_is_true(json_object_get(q, "hidden"));

		*hidden |= hid;
		row[0] = xasprintf("%s%s", value_str(q, "id"), hid ? " *" : "");
		for (k = 1; k < ncols; k++)
			row[k] = NULL;
		json_array_foreach(json_object_get(q, "groups"), k, g)
		{
			int col = feedback_group_col(names, &ngroups, value_str(g, "name"));

			if (col >= 0 && row[col + 1] == NULL)
				row[col + 1] = feedback_figure(g);
		}
		if (json_object_get(q, "all") != NULL)
			row[ngroups + 1] = feedback_figure(json_object_get(q, "all"));
		if (self != NULL)
			row[ngroups + 2] = xasprintf("%lld", (long long)json_integer_value(self));
		for (k = 1; k < ncols; k++)
			if (row[k] == NULL)
				row[k] = xstrdup(k == ngroups + 2 ? "" : "-");
		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
	for (i = 0; i < ngroups; i++)
		free(upper[i]);
}

void
feedback_report_show(const json_t *d)
{
	const json_t *r = json_object_get(d, "report"), *q, *c;
	char *scale = feedback_scale_text(json_object_get(r, "scale"));
	int hidden = 0;
	size_t i, k;

	output_kv_str(r, "app", "360 report");
	if (json_object_get(r, "responses") != NULL)
		output_kv("responses", "%lld from colleagues",
			  (long long)json_integer_value(json_object_get(r, "responses")));
	else
		output_kv("responses", "fewer than %lld from colleagues",
			  (long long)json_integer_value(json_object_get(r, "fewer_than")));
	output_kv("self", "%s",
		  json_is_true(json_object_get(r, "self_assessed")) ? "assessed" : "not assessed");
	output_kv("scale", "%s", scale);
	free(scale);
	putchar('\n');
	feedback_report_table(json_object_get(r, "questions"), &hidden);
	printf("\naverage (n=answers) per group; a group with fewer answers than its\n"
	       "threshold is counted under Others\n");
	if (hidden)
		printf("* some answers left out: too few, even under Others, to keep them "
		       "anonymous\n");
	json_array_foreach(json_object_get(r, "questions"), i, q)
	{
		char *head = xasprintf("%s: %s", value_str(q, "id"), value_str(q, "text"));

		putchar('\n');
		forms_wrap("", "  ", head);
		free(head);
		if (*value_str(q, "self_comment"))
			forms_wrap("  self: ", "        ", value_str(q, "self_comment"));
		json_array_foreach(json_object_get(q, "comments"), k, c)
		{
			forms_wrap("  - ", "    ", json_string_value(c));
		}
	}
}
