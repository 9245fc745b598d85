/*
 * people.c: how the replies about people and schools are shown: one as
 * "label value" lines, many as a table. Roles are shown comma-separated.
 */
#include "people.h"

#include <stdlib.h>

#include "output.h"
#include "util.h"
#include "value.h"

static char *
people_roles_text(const json_t *p)
{
	const json_t *roles = json_object_get(p, "roles");
	char *out = xstrdup(""), *next;
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r)
	{
		next = xasprintf("%s%s%s", out, i ? "," : "", json_string_value(r));
		free(out);
		out = next;
	}
	return out;
}

/* A coach's training: "training  kent-2026-27 COACH1 present, COACH2 absent". */
static void
people_training_show(const json_t *training)
{
	const char *cohort, *session;
	json_t *sessions, *mark;

	json_object_foreach((json_t *)training, cohort, sessions)
	{
		char *line = xstrdup(cohort), *next;
		int n = 0;

		json_object_foreach(sessions, session, mark)
		{
			next = xasprintf("%s%s%s %s", line, n++ ? ", " : " ", session,
					 json_is_true(json_object_get(mark, "present")) ? "present"
											: "absent");
			free(line);
			line = next;
		}
		output_kv("training", "%s", line);
		free(line);
	}
}

void
people_person_show(const json_t *d)
{
	const json_t *p = json_object_get(d, "person");
	char *t = people_roles_text(p);

	output_kv_str(p, "id", "person");
	output_kv_str(p, "name", NULL);
	output_kv_str(p, "email", NULL);
	output_kv("roles", "%s", t);
	output_kv_str(p, "school", NULL);
	output_kv_str(p, "digest", NULL);
	free(t);
	if (json_object_size(json_object_get(p, "facts")) > 0) {
		t = value_pairs(json_object_get(p, "facts"));
		output_kv("facts", "%s", t);
		free(t);
	}
	people_training_show(json_object_get(p, "training"));
}

void
people_list_show(const json_t *d)
{
	static const char *const head[] = {"ID", "NAME", "EMAIL", "ROLES", "SCHOOL"};
	struct output_table t;
	size_t i;
	json_t *p;

	output_table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "people"), i, p)
	{
		char *row[] = {xstrdup(value_str(p, "id")), xstrdup(value_str(p, "name")),
			       xstrdup(value_str(p, "email")), people_roles_text(p),
			       xstrdup(value_str(p, "school"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
people_school_show(const json_t *d)
{
	const json_t *s = json_object_get(d, "school");

	output_kv_str(s, "id", "school");
	output_kv_str(s, "name", NULL);
	output_kv_str(s, "phase", NULL);
	output_kv("lss", "%s", json_is_true(json_object_get(s, "lss")) ? "yes" : "no");
	output_kv_str(s, "email", NULL);
}

void
people_schools_show(const json_t *d)
{
	static const char *const head[] = {"ID", "NAME", "PHASE", "LSS", "EMAIL"};
	struct output_table t;
	size_t i;
	json_t *s;

	output_table_init(&t, 5, head);
	json_array_foreach(json_object_get(d, "schools"), i, s)
	{
		char *row[] = {xstrdup(value_str(s, "id")), xstrdup(value_str(s, "name")),
			       xstrdup(value_str(s, "phase")),
			       xstrdup(json_is_true(json_object_get(s, "lss")) ? "yes" : "no"),
			       xstrdup(value_str(s, "email"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}

void
people_export_show(const json_t *d)
{
	output_json(json_object_get(d, "export"));
}

void
people_erase_show(const json_t *d)
{
	const char *k;
	json_t *n;

	people_person_show(d);
	output_kv_str(json_object_get(d, "person"), "erased", NULL);
	json_object_foreach((json_t *)json_object_get(d, "erased"), k, n)
	{
		output_kv(k, "%lld erased", (long long)json_integer_value(n));
	}
}

void
people_retention_show(const json_t *d)
{
	static const char *const head[] = {"PURGE AT",	"APP",	  "COHORT",
					   "CANDIDATE", "STATUS", "ENDED"};
	struct output_table t;
	size_t i;
	json_t *p;

	output_table_init(&t, 6, head);
	json_array_foreach(json_object_get(d, "purges"), i, p)
	{
		/* An application to a secondment post: "post ID/ROUND" and its applicant. */
		int post = json_object_get(p, "post") != NULL;
		char *row[] = {
		    xstrdup(value_str(p, "purge_at")),
		    post ? xasprintf("post %s/%s", value_str(p, "post"), value_str(p, "round"))
			 : xstrdup(value_str(p, "app")),
		    xstrdup(post ? "-" : value_str(p, "cohort")),
		    xstrdup(value_str(p, post ? "person" : "candidate")),
		    xstrdup(value_str(p, "status")),
		    xstrdup(value_str(p, "ended"))};

		output_table_add(&t, row);
	}
	output_table_print(&t);
	output_table_free(&t);
}
