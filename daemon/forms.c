/*
 * forms.c: a form's content checked against its definition, and the
 * definition as the wire shows it. Pure functions of the configuration and
 * the JSON given: no store, no clock. A value's wire type follows its
 * field's type: text and long_text a string, choice a string among the
 * options, multiple_choice an array of distinct options, rating an integer
 * 1..max, date "YYYY-MM-DD", link an http(s) URL, yes_no a boolean.
 */
#include "forms.h"

#include <string.h>

#include "util.h"

/* Characters (code points) in the valid UTF-8 string s. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A control character other than the line breaks and tabs long text may hold. */
static int
has_control(const char *s, int multiline)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == 0x7F ||
		    (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))))
			return 1;
	}
	return 0;
}

static int
option_index(const struct form_field *f, const char *v)
{
	for (size_t i = 0; i < f->noptions; i++)
		if (strcmp(f->options[i], v) == 0)
			return (int)i;
	return -1;
}

static int
link_valid(const char *s)
{
	const char *host;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return 0;
	if (*host == '\0' || *host == '/')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7F || *s == '"' || *s == '<' || *s == '>')
			return 0;
	return 1;
}

/* Whether v says nothing: a required field given this way is missing. */
static int
empty(const json_t *v)
{
	return v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static int
bad(struct pw_status *st, const char *form, const struct form_field *f, const char *what)
{
	return pw_fail(st, PW_EINVALID, "field '%s' of form '%s' %s", f->id, form, what);
}

int
form_field_check(const char *form, const struct form_field *f, const json_t *v,
		 struct pw_status *st)
{
	const char *s = json_string_value(v);
	int64_t days;
	size_t i;
	json_t *e;

	switch (f->type) {
	case FIELD_TEXT:
	case FIELD_LONG_TEXT:
		if (s == NULL)
			return bad(st, form, f, "must be a string");
		if (has_control(s, f->type == FIELD_LONG_TEXT))
			return bad(st, form, f,
				   f->type == FIELD_TEXT ? "must be one line of text"
							 : "holds a control character");
		if (chars(s) > (size_t)f->max)
			return pw_fail(st, PW_EINVALID,
				       "field '%s' of form '%s' is longer than %d characters",
				       f->id, form, f->max);
		return 0;
	case FIELD_CHOICE:
		if (s == NULL || option_index(f, s) < 0)
			return bad(st, form, f, "must be one of its options");
		return 0;
	case FIELD_MULTIPLE_CHOICE:
		if (!json_is_array(v))
			return bad(st, form, f, "must be an array of its options");
		if (json_array_size(v) > (size_t)f->max)
			return pw_fail(st, PW_EINVALID,
				       "field '%s' of form '%s' takes at most %d choices", f->id,
				       form, f->max);
		json_array_foreach(v, i, e)
		{
			const char *o = json_string_value(e);

			if (o == NULL || option_index(f, o) < 0)
				return bad(st, form, f,
					   "holds a value that is not one of its options");
			for (size_t j = 0; j < i; j++)
				if (strcmp(o, json_string_value(json_array_get(v, j))) == 0)
					return bad(st, form, f, "holds an option twice");
		}
		return 0;
	case FIELD_RATING:
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > f->max)
			return pw_fail(st, PW_EINVALID,
				       "field '%s' of form '%s' must be an integer from 1 to %d",
				       f->id, form, f->max);
		return 0;
	case FIELD_DATE:
		if (s == NULL || strlen(s) != 10 || pw_date_parse(s, &days) != 0)
			return bad(st, form, f, "must be a date YYYY-MM-DD");
		return 0;
	case FIELD_LINK:
		if (s == NULL || !link_valid(s))
			return bad(st, form, f, "must be a link starting http:// or https://");
		if (chars(s) > (size_t)f->max)
			return pw_fail(st, PW_EINVALID,
				       "field '%s' of form '%s' is longer than %d characters",
				       f->id, form, f->max);
		return 0;
	case FIELD_YES_NO:
		if (!json_is_boolean(v))
			return bad(st, form, f, "must be true or false");
		return 0;
	case FIELD_TYPE_COUNT:
		break;
	}
	return bad(st, form, f, "has an unknown type");
}

static const struct form_field *
field_find(const struct form *fm, const char *id)
{
	for (size_t i = 0; i < fm->nfields; i++)
		if (strcmp(fm->fields[i].id, id) == 0)
			return &fm->fields[i];
	return NULL;
}

int
form_validate(const struct form *fm, const json_t *fields, int complete, struct pw_status *st)
{
	const char *key;
	json_t *v;

	if (!json_is_object(fields))
		return pw_fail(st, PW_EINVALID, "'fields' must be an object");
	json_object_foreach((json_t *)fields, key, v)
	{
		const struct form_field *f = field_find(fm, key);

		if (f == NULL)
			return pw_fail(st, PW_EINVALID, "form '%s' has no field '%s'", fm->id, key);
		/* A draft may hold a field cleared (null) or not yet filled in. */
		if (empty(v) && complete && f->required)
			return pw_fail(st, PW_EINVALID, "field '%s' of form '%s' is required",
				       f->id, fm->id);
		if (empty(v))
			continue;
		if (form_field_check(fm->id, f, v, st) != 0)
			return PW_EINVALID;
	}
	for (size_t i = 0; complete && i < fm->nfields; i++) {
		const struct form_field *f = &fm->fields[i];

		if (f->required && empty(json_object_get(fields, f->id)))
			return pw_fail(st, PW_EINVALID, "field '%s' of form '%s' is required",
				       f->id, fm->id);
	}
	return 0;
}

json_t *
form_clean(const json_t *fields)
{
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach((json_t *)fields, key, v)
	{
		if (!empty(v))
			json_object_set(out, key, v);
	}
	return out;
}

static json_t *
roles_json(int bits)
{
	json_t *a = json_array();

	for (int i = 0; proto_roles[i] != NULL; i++)
		if (bits & (1 << i))
			json_array_append_new(a, json_string(proto_roles[i]));
	return a;
}

json_t *
form_json(const struct form *fm)
{
	json_t *fields = json_array();

	for (size_t i = 0; i < fm->nfields; i++) {
		const struct form_field *f = &fm->fields[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "id", f->id, "label", f->label,
				      "type", field_type_names[f->type], "required", f->required);

		if (f->help != NULL)
			json_object_set_new(o, "help", json_string(f->help));
		if (f->type == FIELD_TEXT || f->type == FIELD_LONG_TEXT || f->type == FIELD_LINK ||
		    f->type == FIELD_RATING || f->type == FIELD_MULTIPLE_CHOICE)
			json_object_set_new(o, "max", json_integer(f->max));
		if (f->noptions > 0) {
			json_t *opts = json_array();

			for (size_t k = 0; k < f->noptions; k++)
				json_array_append_new(opts, json_string(f->options[k]));
			json_object_set_new(o, "options", opts);
		}
		json_array_append_new(fields, o);
	}
	return json_pack("{s:s, s:s, s:s*, s:s, s:o, s:o}", "id", fm->id, "title", fm->title,
			 "help", fm->help, "filled_by", proto_roles[fm->filled_by], "readers",
			 roles_json(fm->readers), "fields", fields);
}
