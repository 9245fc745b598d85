/*
 * config_forms.c: a programme's forms (forms = ( { id; title; filled_by;
 * readers; fields = (...) } )) and its 360 (feedback = { scale; categories;
 * questions; ... }). Each form owns its fields and their options; the 360
 * gets the default categories (line manager 1, peers 3, direct reports 3,
 * others 3) when it declares none. Requirements point at the forms they
 * name, so a programme's forms array never moves once loaded.
 */
#include "config_forms.h"

#include <stdlib.h>
#include <string.h>

#include "config_read.h"
#include "util.h"

const char *const field_type_names[FIELD_TYPE_COUNT] = {
    "text", "long_text", "choice", "multiple_choice", "rating", "date", "link", "yes_no",
};

/* The longest a text may be, by type, when the field gives no max. */
static const int default_max[FIELD_TYPE_COUNT] = {
    [FIELD_TEXT] = 200,
    [FIELD_LONG_TEXT] = 5000,
    [FIELD_RATING] = 5,
    [FIELD_LINK] = 2000,
};

static int
strings_load(struct pw_status *st, const char *file, const config_setting_t *a, char ***out,
	     size_t *n)
{
	int len;

	if (a == NULL)
		return 0;
	len = config_setting_length(a);
	if ((config_setting_type(a) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(a) != CONFIG_TYPE_LIST) ||
	    len == 0)
		return conf_bad(st, file, a, "must be a non-empty array of strings");
	*out = xcalloc((size_t)len, sizeof **out);
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (v == NULL || *v == '\0')
			return conf_bad(st, file, a, "element %d is not a non-empty string", i);
		for (size_t j = 0; j < *n; j++)
			if (strcmp((*out)[j], v) == 0)
				return conf_bad(st, file, a, "'%s' is listed twice", v);
		(*out)[(*n)++] = xstrdup(v);
	}
	return 0;
}

static int
field_load(struct pw_status *st, const char *file, const config_setting_t *g, struct form_field *f)
{
	static const char *const keys[] = {"id",  "label",   "type", "required",
					   "max", "options", "help", NULL};
	const config_setting_t *opts = config_setting_get_member(g, "options");
	char *type = NULL;
	int t;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "a field must be a group { id = ...; type = ...; }");
	if (conf_known(st, file, g, keys) != 0 || conf_id(st, file, g, "id", 1, &f->id) != 0 ||
	    conf_string(st, file, g, "label", 1, &f->label) != 0 ||
	    conf_string(st, file, g, "help", 0, &f->help) != 0 ||
	    conf_string(st, file, g, "type", 1, &type) != 0 ||
	    conf_bool(st, file, g, "required", &f->required) != 0) {
		free(type);
		return PW_ECONFIG;
	}
	for (t = 0; t < FIELD_TYPE_COUNT; t++)
		if (strcmp(type, field_type_names[t]) == 0)
			break;
	free(type);
	if (t == FIELD_TYPE_COUNT)
		return conf_bad(st, file, config_setting_get_member(g, "type"),
				"unknown field type (text, long_text, choice, multiple_choice, "
				"rating, date, link, yes_no)");
	f->type = (enum field_type)t;
	f->max = default_max[t];
	if (f->type == FIELD_MULTIPLE_CHOICE)
		f->max = 1000;
	if (conf_int(st, file, g, "max", 1, 1000000, &f->max) != 0)
		return PW_ECONFIG;
	if (f->type == FIELD_RATING && f->max > 100)
		return conf_bad(st, file, g, "a rating's max is at most 100");
	if ((f->type == FIELD_CHOICE || f->type == FIELD_MULTIPLE_CHOICE) != (opts != NULL))
		return conf_bad(st, file, g,
				opts ? "only a choice or multiple_choice field takes 'options'"
				     : "a choice field needs 'options'");
	if (config_setting_get_member(g, "max") != NULL &&
	    (f->type == FIELD_CHOICE || f->type == FIELD_DATE || f->type == FIELD_YES_NO))
		return conf_bad(st, file, g, "a %s field takes no 'max'", field_type_names[t]);
	return strings_load(st, file, opts, &f->options, &f->noptions);
}

static int
form_load(struct pw_status *st, const char *file, const config_setting_t *g, struct form *fm)
{
	static const char *const keys[] = {"id",      "title",	"help", "filled_by",
					   "readers", "fields", NULL};
	const config_setting_t *fields = config_setting_get_member(g, "fields");
	char *by = NULL;
	int n;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g,
				"a form must be a group { id = ...; fields = (...); }");
	if (conf_known(st, file, g, keys) != 0 || conf_id(st, file, g, "id", 1, &fm->id) != 0 ||
	    conf_string(st, file, g, "title", 1, &fm->title) != 0 ||
	    conf_string(st, file, g, "help", 0, &fm->help) != 0 ||
	    conf_string(st, file, g, "filled_by", 1, &by) != 0)
		return PW_ECONFIG;
	fm->filled_by = proto_role_bit(by);
	free(by);
	if (fm->filled_by < 0)
		return conf_bad(st, file, config_setting_get_member(g, "filled_by"),
				"not a role (candidate, headteacher, coach, host, la_adviser)");
	if (config_setting_get_member(g, "readers") != NULL &&
	    conf_roles(st, file, g, "readers", &fm->readers) != 0)
		return PW_ECONFIG;
	if (fields == NULL || config_setting_type(fields) != CONFIG_TYPE_LIST ||
	    config_setting_length(fields) == 0)
		return conf_bad(st, file, fields ? fields : g, "'fields' must be a non-empty list");
	n = config_setting_length(fields);
	fm->fields = xcalloc((size_t)n, sizeof *fm->fields);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(fields, (unsigned)i);

		fm->nfields++;
		if (field_load(st, file, e, &fm->fields[i]) != 0)
			return PW_ECONFIG;
		for (int j = 0; j < i; j++)
			if (strcmp(fm->fields[j].id, fm->fields[i].id) == 0)
				return conf_bad(st, file, e, "duplicate field id '%s'",
						fm->fields[i].id);
	}
	return 0;
}

int
config_forms_load(struct pw_status *st, const char *file, const config_setting_t *list,
		  struct programme *p)
{
	int n;

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return conf_bad(st, file, list, "must be a list ( {...}, {...} )");
	n = config_setting_length(list);
	p->forms = xcalloc((size_t)n + 1, sizeof *p->forms);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);

		p->nforms++;
		if (form_load(st, file, e, &p->forms[i]) != 0)
			return PW_ECONFIG;
		for (int j = 0; j < i; j++)
			if (strcmp(p->forms[j].id, p->forms[i].id) == 0)
				return conf_bad(st, file, e, "duplicate form id '%s'",
						p->forms[i].id);
	}
	return 0;
}

static void
categories_default(struct feedback_conf *f)
{
	static const struct {
		const char *id, *name;
		int threshold;
	} def[] = {{"line_manager", "Line manager", 1},
		   {"peers", "Peers", 3},
		   {"direct_reports", "Direct reports", 3},
		   {"others", "Others", 3}};

	f->categories = xcalloc(4, sizeof *f->categories);
	for (size_t i = 0; i < 4; i++) {
		f->categories[i].id = xstrdup(def[i].id);
		f->categories[i].name = xstrdup(def[i].name);
		f->categories[i].threshold = def[i].threshold;
	}
	f->ncategories = 4;
}

static int
categories_load(struct pw_status *st, const char *file, const config_setting_t *list,
		struct feedback_conf *f)
{
	static const char *const keys[] = {"id", "name", "threshold", NULL};
	int n, others = 0;

	if (list == NULL) {
		categories_default(f);
		return 0;
	}
	n = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0)
		return conf_bad(st, file, list, "must be a non-empty list ( {...}, {...} )");
	f->categories = xcalloc((size_t)n, sizeof *f->categories);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct feedback_category *c = &f->categories[f->ncategories++];

		c->threshold = 3;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return conf_bad(st, file, g, "a category must be a group { id = ...; }");
		if (conf_known(st, file, g, keys) != 0 ||
		    conf_id(st, file, g, "id", 1, &c->id) != 0 ||
		    conf_string(st, file, g, "name", 0, &c->name) != 0 ||
		    conf_int(st, file, g, "threshold", 1, 100, &c->threshold) != 0)
			return PW_ECONFIG;
		if (c->name == NULL)
			c->name = xstrdup(c->id);
		if (strcmp(c->id, "self") == 0)
			return conf_bad(st, file, g, "'self' is the candidate's own assessment");
		for (int j = 0; j < i; j++)
			if (strcmp(f->categories[j].id, c->id) == 0)
				return conf_bad(st, file, g, "duplicate category '%s'", c->id);
		others |= strcmp(c->id, "others") == 0;
	}
	if (!others)
		return conf_bad(st, file, list,
				"the categories must include 'others': a category short of its "
				"threshold is folded into it");
	return 0;
}

static int
questions_load(struct pw_status *st, const char *file, const config_setting_t *list,
	       struct feedback_conf *f)
{
	static const char *const keys[] = {"id", "text", NULL};
	int n;

	if (list == NULL)
		return 0;
	n = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0)
		return conf_bad(st, file, list, "must be a non-empty list ( {...}, {...} )");
	f->questions = xcalloc((size_t)n, sizeof *f->questions);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct feedback_question *q = &f->questions[f->nquestions++];

		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return conf_bad(st, file, g, "a question must be a group { id; text; }");
		if (conf_known(st, file, g, keys) != 0 ||
		    conf_id(st, file, g, "id", 1, &q->id) != 0 ||
		    conf_string(st, file, g, "text", 1, &q->text) != 0)
			return PW_ECONFIG;
		for (int j = 0; j < i; j++)
			if (strcmp(f->questions[j].id, q->id) == 0)
				return conf_bad(st, file, g, "duplicate question '%s'", q->id);
	}
	return 0;
}

static int
scale_load(struct pw_status *st, const char *file, const config_setting_t *g,
	   struct feedback_conf *f)
{
	static const char *const keys[] = {"max", "labels", NULL};
	if (g == NULL)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "must be a group { max = N; labels = [...]; }");
	if (conf_known(st, file, g, keys) != 0 ||
	    conf_int(st, file, g, "max", 2, 10, &f->scale_max) != 0 ||
	    strings_load(st, file, config_setting_get_member(g, "labels"), &f->labels,
			 &f->nlabels) != 0)
		return PW_ECONFIG;
	if (f->labels != NULL && f->nlabels != (size_t)f->scale_max)
		return conf_bad(st, file, g, "give one label per point of the scale (%d)",
				f->scale_max);
	return 0;
}

int
config_feedback_load(struct pw_status *st, const char *file, const config_setting_t *g,
		     struct programme *p)
{
	static const char *const keys[] = {"scale",  "categories", "questions", "self_assessment",
					   "report", "count_from", "minutes",	NULL};
	struct feedback_conf *f = &p->feedback;
	char *report = NULL;

	f->scale_max = 5;
	f->count_from = 3;
	f->minutes = 20;
	if (g == NULL) {
		categories_default(f);
		return 0;
	}
	f->declared = 1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return conf_bad(st, file, g, "must be a group { questions = (...); ... }");
	if (conf_known(st, file, g, keys) != 0 ||
	    scale_load(st, file, config_setting_get_member(g, "scale"), f) != 0 ||
	    categories_load(st, file, config_setting_get_member(g, "categories"), f) != 0 ||
	    questions_load(st, file, config_setting_get_member(g, "questions"), f) != 0 ||
	    conf_bool(st, file, g, "self_assessment", &f->self_assessment) != 0 ||
	    conf_int(st, file, g, "count_from", 1, 100, &f->count_from) != 0 ||
	    conf_int(st, file, g, "minutes", 1, 600, &f->minutes) != 0 ||
	    conf_string(st, file, g, "report", 0, &report) != 0) {
		free(report);
		return PW_ECONFIG;
	}
	if (report != NULL && strcmp(report, "met") != 0 && strcmp(report, "deadline") != 0) {
		free(report);
		return conf_bad(st, file, config_setting_get_member(g, "report"),
				"must be \"met\" or \"deadline\"");
	}
	f->report_at_deadline = report != NULL && strcmp(report, "deadline") == 0;
	free(report);
	if (f->nquestions == 0)
		return conf_bad(st, file, g, "a 360 needs 'questions'");
	return 0;
}

static void
strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_forms_clear(struct programme *p)
{
	struct feedback_conf *f = &p->feedback;

	for (size_t i = 0; i < p->nforms; i++) {
		struct form *fm = &p->forms[i];

		for (size_t j = 0; j < fm->nfields; j++) {
			struct form_field *fl = &fm->fields[j];

			free(fl->id);
			free(fl->label);
			free(fl->help);
			strings_free(fl->options, fl->noptions);
		}
		free(fm->fields);
		free(fm->id);
		free(fm->title);
		free(fm->help);
	}
	free(p->forms);
	strings_free(f->labels, f->nlabels);
	for (size_t i = 0; i < f->ncategories; i++) {
		free(f->categories[i].id);
		free(f->categories[i].name);
	}
	free(f->categories);
	for (size_t i = 0; i < f->nquestions; i++) {
		free(f->questions[i].id);
		free(f->questions[i].text);
	}
	free(f->questions);
	memset(f, 0, sizeof *f);
}

const struct form *
config_form(const struct programme *p, const char *id)
{
	for (size_t i = 0; i < p->nforms; i++)
		if (strcmp(p->forms[i].id, id) == 0)
			return &p->forms[i];
	return NULL;
}

int
config_feedback_category(const struct programme *p, const char *id)
{
	for (size_t i = 0; i < p->feedback.ncategories; i++)
		if (strcmp(p->feedback.categories[i].id, id) == 0)
			return (int)i;
	return -1;
}
