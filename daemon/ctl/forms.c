/*
 * forms.c: a programme's forms from pathwayctl. `submit` and `draft` read a
 * form's answers from a JSON file (--file: an object of field id to value;
 * "-" is standard input) into the request's "fields"; `form show` prints a
 * form's definition (each field's label, type, options and limits) with the
 * answers the caller may see, as blocks of lines, one per field. The 360's
 * commands are feedback.c.
 */
#include "forms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "output.h"
#include "util.h"
#include "value.h"

#define FORMS_COLUMNS 78

int
forms_json_load(const char *path, json_t **out)
{
	json_error_t err;
	json_t *v;

	*out = NULL;
	v = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &err)
				   : json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (v == NULL) {
		if (err.line > 0)
			fprintf(stderr, "pathwayctl: %s:%d:%d: %s\n", path, err.line, err.column,
				err.text);
		else
			fprintf(stderr, "pathwayctl: %s: %s\n", path, err.text);
		return CTL_EXIT_REFUSED;
	}
	if (!json_is_object(v)) {
		fprintf(stderr, "pathwayctl: %s: not a JSON object\n", path);
		json_decref(v);
		return CTL_EXIT_REFUSED;
	}
	*out = v;
	return 0;
}

int
forms_fields_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	const char *file = json_string_value(json_object_get(args, "file"));
	json_t *fields;
	int rc;

	if (file != NULL) {
		rc = forms_json_load(file, &fields);
		if (rc != 0) {
			json_decref(args);
			return rc;
		}
		json_object_set_new(args, "fields", fields);
		json_object_del(args, "file");
	}
	return conn_run(c, e, args);
}

/* A list of words as "a | b | c" (the caller frees it). */
static char *
forms_joined(const json_t *arr, const char *sep)
{
	char *s = xstrdup(""), *next;
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		char *t = value_text(v);

		next = xasprintf("%s%s%s", s, i ? sep : "", t);
		free(t);
		free(s);
		s = next;
	}
	return s;
}

/* A field's type as a person reads it: "rating 1..4", "choice of: a | b". */
static char *
forms_type_text(const json_t *f)
{
	const char *type = value_str(f, "type");
	long long max = json_integer_value(json_object_get(f, "max"));
	char *opts = forms_joined(json_object_get(f, "options"), " | "), *out;

	if (strcmp(type, "rating") == 0)
		out = xasprintf("rating 1..%lld", max);
	else if (strcmp(type, "choice") == 0)
		out = xasprintf("one of: %s", opts);
	else if (strcmp(type, "multiple_choice") == 0)
		out = xasprintf("any of: %s", opts);
	else if (strcmp(type, "yes_no") == 0)
		out = xstrdup("yes or no");
	else if (strcmp(type, "date") == 0)
		out = xstrdup("date YYYY-MM-DD");
	else if (max > 0)
		out = xasprintf("%s, at most %lld characters", type, max);
	else
		out = xstrdup(type);
	free(opts);
	return out;
}

/* Columns on screen of the len bytes at s: UTF-8 continuation bytes take none. */
static size_t
forms_width(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

void
forms_wrap(const char *first, const char *rest, const char *text)
{
	const char *p = text, *prefix = first;

	while (*p != '\0') {
		const char *end = strchr(p, '\n'), *w = p, *cut = NULL;
		size_t col = 0, room = FORMS_COLUMNS - forms_width(prefix, strlen(prefix));

		if (end == NULL)
			end = p + strlen(p);
		/* Words up to the room left; a longer word goes on a line of its own. */
		while (w < end) {
			const char *we = w;

			while (we < end && *we != ' ')
				we++;
			if (cut != NULL && col + 1 + forms_width(w, (size_t)(we - w)) > room)
				break;
			col += (cut != NULL) + forms_width(w, (size_t)(we - w));
			cut = we;
			w = we;
			while (w < end && *w == ' ')
				w++;
		}
		if (cut == NULL)
			cut = end;
		printf("%s%.*s\n", prefix, (int)(cut - p), p);
		prefix = rest;
		p = cut;
		while (p < end && *p == ' ')
			p++;
		if (p == end && *p == '\n')
			p++;
	}
}

/* Print an answer under its field, wrapped, each line marked. */
static void
forms_answer_print(const json_t *v)
{
	char *text = json_is_array(v) ? forms_joined(v, "; ") : value_text(v);

	forms_wrap("   > ", "   > ", *text ? text : " ");
	free(text);
}

void
forms_form_show(const json_t *d)
{
	const json_t *fm = json_object_get(d, "form"), *def = json_object_get(fm, "definition");
	const json_t *fields = json_object_get(fm, "fields"), *f, *r;
	char *readers = forms_joined(json_object_get(def, "readers"), ", ");
	size_t i;

	output_kv("form", "%s: %s", value_str(def, "id"), value_str(def, "title"));
	output_kv_str(fm, "app", "application");
	output_kv("filled in by", "%s", value_str(def, "filled_by"));
	/* LA advisers read every form, whether the programme lists them or not. */
	if (strstr(readers, "la_adviser") == NULL)
		output_kv("read by", "%s%sla_adviser", readers, *readers ? ", " : "");
	else
		output_kv("read by", "%s", readers);
	free(readers);
	if (strcmp(value_str(fm, "state"), "submitted") == 0)
		output_kv("state", "submitted %s by %s", value_str(fm, "submitted"),
			  value_str(fm, "by"));
	else if (strcmp(value_str(fm, "state"), "draft") == 0 && *value_str(fm, "saved"))
		output_kv("state", "draft, saved %s by %s", value_str(fm, "saved"),
			  value_str(fm, "by"));
	else
		output_kv("state", "%s",
			  *value_str(fm, "state") ? value_str(fm, "state") : "empty");
	json_array_foreach(json_object_get(fm, "returns"), i, r)
	{
		output_kv(i ? "" : "returned", "%s by %s: %s", value_str(r, "at"),
			  value_str(r, "by"), value_str(r, "note"));
	}
	if (*value_str(def, "help")) {
		putchar('\n');
		forms_wrap("", "", value_str(def, "help"));
	}
	json_array_foreach(json_object_get(def, "fields"), i, f)
	{
		const json_t *v = json_object_get(fields, value_str(f, "id"));
		char *type = forms_type_text(f), *head, *line;

		head = xasprintf("%zu. %s%s", i + 1, value_str(f, "label"),
				 json_is_true(json_object_get(f, "required")) ? " (required)" : "");
		putchar('\n');
		forms_wrap("", "   ", head);
		line = xasprintf("%s: %s", value_str(f, "id"), type);
		forms_wrap("   ", "   ", line);
		if (*value_str(f, "help"))
			forms_wrap("   ", "   ", value_str(f, "help"));
		if (v != NULL)
			forms_answer_print(v);
		else if (fields != NULL)
			printf("   (not answered)\n");
		free(head);
		free(line);
		free(type);
	}
	if (fields == NULL)
		printf("\n(no answers you may see)\n");
}
