/*
 * page_form.c: forms drawn from their definitions and read back. A form's
 * definition (form.get's "definition": fields with a type, label, help,
 * options and max) becomes inputs field by field: a text input, a
 * textarea, radios for a choice, checkboxes for a multiple choice, radios
 * 1..max for a rating, a date input, a URL input, yes/no radios. Field f of
 * form F is the element "f-F-f" (where the error summary links) and the
 * POST field "f.f". The 360 questionnaire is drawn the same way, question q
 * as the radios "r.q" (element "q-q") and the comment "c.q" (element "c-q").
 * pathwayd's invalid_request messages, which name the field or question,
 * become errors next to it. Nothing here talks to pathwayd.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"

/* The element id of field f of form def into b: "f-FORM-FIELD". */
static char *
page_form_elem(const json_t *def, const char *field)
{
	return xasprintf("f-%s-%s", page_str(def, "id"), field);
}

/* The message of the error for element id, or NULL. */
static const char *
page_form_error_of(const json_t *errors, const char *id)
{
	size_t i;
	const json_t *e;

	json_array_foreach(errors, i, e)
	{
		if (page_str(e, "field") != NULL && strcmp(page_str(e, "field"), id) == 0)
			return page_str(e, "message");
	}
	return NULL;
}

static void
page_form_group_begin(struct pw_buf *b, const char *err)
{
	pw_buf_adds(b, err != NULL ? "<div class=\"form-group form-group-error\">\n"
				   : "<div class=\"form-group\">\n");
}

/* The hint and the error of a field, after its label or legend. */
static void
page_form_hint_error(struct pw_buf *b, const char *id, const char *hint, const char *err)
{
	if (hint != NULL) {
		html_printf(b, "<span class=\"hint\" id=\"%s-hint\">", id);
		html_txt(b, hint);
		pw_buf_adds(b, "</span>\n");
	}
	if (err != NULL)
		html_printf(b, "<span class=\"error-message\" id=\"%s-error\">Error: %s</span>\n",
			    id, err);
}

static void
page_form_describedby(struct pw_buf *b, const char *id, const char *hint, const char *err)
{
	if (hint == NULL && err == NULL)
		return;
	pw_buf_adds(b, " aria-describedby=\"");
	if (hint != NULL)
		html_printf(b, "%s-hint", id);
	if (err != NULL)
		html_printf(b, "%s%s-error", hint != NULL ? " " : "", id);
	pw_buf_adds(b, "\"");
}

/* One radio or checkbox: element id, POST name, value, label, checked. */
static void
page_form_choice(struct pw_buf *b, const char *type, const char *id, const char *name,
		 const char *value, const char *label, int checked)
{
	html_printf(b, "<div class=\"choice\"><input type=\"%s\" id=\"%s\" name=\"%s\" value=\"",
		    type, id, name);
	html_attr(b, value);
	html_printf(b, "\"%s><label for=\"%s\">%s</label></div>\n", checked ? " checked" : "", id,
		    label);
}

/* Whether value v (a field's answer) holds the option s. */
static int
page_form_has(const json_t *v, const char *s)
{
	size_t i;
	const json_t *e;

	if (json_is_string(v))
		return strcmp(json_string_value(v), s) == 0;
	json_array_foreach(v, i, e)
	{
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return 1;
	}
	return 0;
}

/* A group of radios or checkboxes: options are strings ("1".."max", "yes"/"no", ...). */
static void
page_form_choices(struct pw_buf *b, const char *type, const char *id, const char *name,
		  const json_t *options, const json_t *labels, const json_t *v, int inline_)
{
	size_t i;
	const json_t *o;

	pw_buf_adds(b, inline_ ? "<div class=\"choices-inline\">\n" : "<div>\n");
	json_array_foreach(options, i, o)
	{
		char *eid = i == 0 ? xstrdup(id) : xasprintf("%s-%zu", id, i + 1);
		const char *label = json_string_value(json_array_get(labels, i));

		page_form_choice(b, type, eid, name, json_string_value(o),
				 label != NULL ? label : json_string_value(o),
				 page_form_has(v, json_string_value(o)));
		free(eid);
	}
	pw_buf_adds(b, "</div>\n");
}

/* A value as the string an input shows ("" when none). */
static char *
page_form_value_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_true(v))
		return xstrdup("yes");
	if (json_is_false(v))
		return xstrdup("no");
	return xstrdup("");
}

static void
page_form_field_draw(struct pw_buf *b, const json_t *def, const json_t *f, const json_t *v,
		     const char *err, size_t n, size_t total)
{
	const char *fid = page_str(f, "id"), *type = page_str(f, "type");
	const char *label = page_str(f, "label"), *help = page_str(f, "help");
	int required = json_is_true(json_object_get(f, "required"));
	long long max = json_integer_value(json_object_get(f, "max"));
	char *id = page_form_elem(def, fid), *name = xasprintf("f.%s", fid), *text;
	int grouped = strcmp(type, "choice") == 0 || strcmp(type, "multiple_choice") == 0 ||
		      strcmp(type, "rating") == 0 || strcmp(type, "yes_no") == 0;

	page_form_group_begin(b, err);
	if (grouped) {
		pw_buf_adds(b, "<fieldset");
		page_form_describedby(b, id, help, err);
		pw_buf_adds(b, ">\n<legend>");
	} else {
		html_printf(b, "<label class=\"field\" for=\"%s\">", id);
	}
	if (total > 8) /* a long form: say where the reader is */
		html_printf(b, "<span class=\"caption\">Question %d of %d</span>", (int)n,
			    (int)total);
	html_txt(b, label);
	if (!required)
		pw_buf_adds(b, " (optional)");
	pw_buf_adds(b, grouped ? "</legend>\n" : "</label>\n");
	page_form_hint_error(b, id, help, err);
	text = page_form_value_text(v);
	if (strcmp(type, "choice") == 0) {
		page_form_choices(b, "radio", id, name, json_object_get(f, "options"), NULL, v, 0);
	} else if (strcmp(type, "multiple_choice") == 0) {
		if (max > 0 && help == NULL)
			html_printf(b, "<span class=\"hint\">Choose up to %d</span>\n", (int)max);
		page_form_choices(b, "checkbox", id, name, json_object_get(f, "options"), NULL, v,
				  0);
	} else if (strcmp(type, "rating") == 0 || strcmp(type, "yes_no") == 0) {
		json_t *opts = json_array(), *labels = json_array();
		json_t *tv = json_string(text);

		if (strcmp(type, "yes_no") == 0) {
			json_array_append_new(opts, json_string("yes"));
			json_array_append_new(opts, json_string("no"));
			json_array_append_new(labels, json_string("Yes"));
			json_array_append_new(labels, json_string("No"));
		} else {
			int top = max > 0 ? (int)max : 5;

			for (int k = 1; k <= top; k++) {
				char *s = xasprintf("%d", k);

				json_array_append_new(opts, json_string(s));
				free(s);
			}
			html_printf(b,
				    "<span class=\"hint\">1 is the lowest, %d the highest</span>\n",
				    top);
		}
		page_form_choices(b, "radio", id, name, opts, labels, tv, 1);
		json_decref(tv);
		json_decref(labels);
		json_decref(opts);
	} else {
		int area = strcmp(type, "long_text") == 0;
		const char *itype = strcmp(type, "date") == 0	? "date"
				    : strcmp(type, "link") == 0 ? "url"
								: "text";

		if (area)
			html_printf(b, "<textarea id=\"%s\" name=\"%s\" rows=\"8\"", id, name);
		else
			html_printf(b, "<input type=\"%s\" id=\"%s\" name=\"%s\"", itype, id, name);
		if (err != NULL)
			pw_buf_adds(b, " class=\"input-error\"");
		page_form_describedby(b, id, help, err);
		if (strcmp(itype, "url") == 0)
			pw_buf_adds(b, " spellcheck=\"false\" placeholder=\"https://\"");
		if (area) {
			pw_buf_adds(b, ">");
			html_txt(b, text);
			pw_buf_adds(b, "</textarea>\n");
		} else {
			pw_buf_adds(b, " value=\"");
			html_attr(b, text);
			pw_buf_adds(b, "\">\n");
		}
		if (max > 0 && strcmp(itype, "date") != 0)
			html_printf(b, "<span class=\"hint\">At most %d characters</span>\n",
				    (int)max);
	}
	if (grouped)
		pw_buf_adds(b, "</fieldset>\n");
	pw_buf_adds(b, "</div>\n");
	free(text);
	free(name);
	free(id);
}

void
page_form_draw(struct pw_buf *b, const json_t *def, const json_t *values, const json_t *errors)
{
	const json_t *fields = json_object_get(def, "fields"), *f;
	size_t i, total = json_array_size(fields);

	json_array_foreach(fields, i, f)
	{
		char *id = page_form_elem(def, page_str(f, "id"));

		page_form_field_draw(b, def, f, json_object_get(values, page_str(f, "id")),
				     page_form_error_of(errors, id), i + 1, total);
		free(id);
	}
}

void
page_form_show(struct pw_buf *b, const json_t *def, const json_t *fields)
{
	size_t i;
	const json_t *f;

	pw_buf_adds(b, "<dl class=\"summary\">\n");
	json_array_foreach(json_object_get(def, "fields"), i, f)
	{
		html_printf(b, "<div><dt>%s</dt><dd>", page_str(f, "label"));
		page_form_answer(b, f, json_object_get(fields, page_str(f, "id")));
		pw_buf_adds(b, "</dd></div>\n");
	}
	pw_buf_adds(b, "</dl>\n");
}

void
page_form_answer(struct pw_buf *b, const json_t *f, const json_t *v)
{
	size_t k;
	const json_t *e;

	if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	    (json_is_array(v) && json_array_size(v) == 0))
		pw_buf_adds(b, "Not answered");
	else if (json_is_boolean(v))
		pw_buf_adds(b, json_is_true(v) ? "Yes" : "No");
	else if (json_is_integer(v))
		html_printf(b, "%d out of %d", (int)json_integer_value(v),
			    json_integer_value(json_object_get(f, "max")) > 0
				? (int)json_integer_value(json_object_get(f, "max"))
				: 5);
	else if (json_is_array(v))
		json_array_foreach(v, k, e)
		{
			html_printf(b, "%s%s", k > 0 ? "\n" : "", json_string_value(e));
		}
	else
		html_txt(b, json_string_value(v));
}

/* s without leading and trailing white space, and CR LF as LF (textareas send CR LF). */
static char *
page_form_clean(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	for (; *s != '\0'; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*o++ = *s;
	while (o > out && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\r' || o[-1] == '\n'))
		o--;
	*o = '\0';
	return out;
}

json_t *
page_form_read(struct req *r, const json_t *def, int draft)
{
	json_t *out = json_object();
	size_t i;
	const json_t *f;

	json_array_foreach(json_object_get(def, "fields"), i, f)
	{
		const char *fid = page_str(f, "id"), *type = page_str(f, "type");
		char *name = xasprintf("f.%s", fid), *s;
		json_t *v = NULL;
		char *end;

		if (strcmp(type, "multiple_choice") == 0) {
			v = req_args(r, name);
			if (json_array_size(v) == 0) {
				json_decref(v);
				v = NULL;
			}
		} else if (req_arg(r, name) != NULL) {
			s = page_form_clean(req_arg(r, name));
			if (s[0] == '\0')
				v = NULL;
			else if (strcmp(type, "yes_no") == 0 && strcmp(s, "yes") == 0)
				v = json_true();
			else if (strcmp(type, "yes_no") == 0 && strcmp(s, "no") == 0)
				v = json_false();
			else if (strcmp(type, "rating") == 0 && strtol(s, &end, 10) > 0 &&
				 *end == '\0')
				v = json_integer(strtol(s, NULL, 10));
			else /* as typed: pathwayd names what is wrong with it */
				v = json_string(s);
			free(s);
		}
		if (v != NULL)
			json_object_set_new(out, fid, v);
		else if (draft)
			json_object_set_new(out, fid, json_null());
		free(name);
	}
	return out;
}

/* The text between the first "<after>'" and the next "'" of message, or NULL. */
static char *
page_form_quoted(const char *message, const char *after)
{
	const char *p = strstr(message, after), *q;

	if (p == NULL)
		return NULL;
	p += strlen(after);
	q = strchr(p, '\'');
	if (q == NULL)
		return NULL;
	return strndup(p, (size_t)(q - p));
}

json_t *
page_form_errors(const json_t *def, const char *message)
{
	char *fid = page_form_quoted(message, "field '");
	const char *tail = NULL;
	json_t *errors = json_array();
	size_t i;
	const json_t *f, *field = NULL;

	json_array_foreach(json_object_get(def, "fields"), i, f)
	{
		if (fid != NULL && strcmp(page_str(f, "id"), fid) == 0)
			field = f;
	}
	if (field != NULL) {
		struct pw_buf m = {0};
		char *id = page_form_elem(def, fid);
		const char *type = page_str(field, "type");
		int pick = strcmp(type, "choice") == 0 || strcmp(type, "multiple_choice") == 0 ||
			   strcmp(type, "rating") == 0 || strcmp(type, "yes_no") == 0;

		/* "field 'x' of form 'y' is required": what follows the form's name */
		tail = strstr(message, " of form '");
		if (tail != NULL)
			tail = strchr(tail + 10, '\'');
		if (tail != NULL && strcmp(tail + 1, " is required") == 0)
			pw_buf_addf(&m, "%s an answer to \xe2\x80\x9c%s\xe2\x80\x9d",
				    pick ? "Choose" : "Enter", page_str(field, "label"));
		else
			pw_buf_addf(&m, "\xe2\x80\x9c%s\xe2\x80\x9d%s", page_str(field, "label"),
				    tail != NULL ? tail + 1 : ": check your answer");
		json_array_append_new(errors, json_pack("{s:s, s:s}", "field", id, "message", m.p));
		free(m.p);
		free(id);
	} else {
		json_array_append_new(errors, json_pack("{s:s}", "message", message));
	}
	free(fid);
	return errors;
}

/* ---- the 360 --------------------------------------------------------------------- */

void
page_form_360_draw(struct pw_buf *b, const json_t *q, const json_t *values, const json_t *errors)
{
	const json_t *scale = json_object_get(q, "scale"),
		     *labels = json_object_get(scale, "labels");
	int max = (int)json_integer_value(json_object_get(scale, "max"));
	json_t *opts = json_array(), *names = json_array();
	size_t i, total = json_array_size(json_object_get(q, "questions"));
	const json_t *qu;

	if (max <= 0)
		max = 5;
	for (int k = 1; k <= max; k++) {
		char *s = xasprintf("%d", k);
		const char *l = json_string_value(json_array_get(labels, (size_t)k - 1));
		char *label = l != NULL ? xasprintf("%d: %s", k, l) : xstrdup(s);

		json_array_append_new(opts, json_string(s));
		json_array_append_new(names, json_string(label));
		free(label);
		free(s);
	}
	json_array_append_new(opts, json_string("none"));
	json_array_append_new(names, json_string("I have not seen this"));
	json_array_foreach(json_object_get(q, "questions"), i, qu)
	{
		const char *qid = page_str(qu, "id");
		char *id = xasprintf("q-%s", qid), *cid = xasprintf("c-%s", qid);
		char *rname = xasprintf("r.%s", qid), *cname = xasprintf("c.%s", qid);
		const char *err = page_form_error_of(errors, id),
			   *cerr = page_form_error_of(errors, cid);
		const json_t *rv = json_object_get(json_object_get(values, "ratings"), qid);
		char *text = json_is_null(rv) ? xstrdup("none") : page_form_value_text(rv);
		json_t *tv = json_string(text);

		pw_buf_adds(b, "<div class=\"section\">\n");
		page_form_group_begin(b, err);
		pw_buf_adds(b, "<fieldset");
		page_form_describedby(b, id, NULL, err);
		html_printf(
		    b, ">\n<legend><span class=\"caption\">Question %d of %d</span>%s</legend>\n",
		    (int)i + 1, (int)total, page_str(qu, "text"));
		html_printf(b, "<span class=\"hint\">1 is the lowest, %d the highest</span>\n",
			    max);
		page_form_hint_error(b, id, NULL, err);
		page_form_choices(b, "radio", id, rname, opts, names, tv, 0);
		pw_buf_adds(b, "</fieldset>\n</div>\n");
		page_form_group_begin(b, cerr);
		html_printf(b, "<label class=\"field\" for=\"%s\">Comment (optional)</label>\n",
			    cid);
		page_form_hint_error(b, cid, NULL, cerr);
		html_printf(b, "<textarea id=\"%s\" name=\"%s\" rows=\"4\">", cid, cname);
		html_txt(b, page_str(json_object_get(values, "comments"), qid));
		pw_buf_adds(b, "</textarea>\n</div>\n</div>\n");
		json_decref(tv);
		free(text);
		free(cname);
		free(rname);
		free(cid);
		free(id);
	}
	json_decref(names);
	json_decref(opts);
}

json_t *
page_form_360_read(struct req *r, const json_t *q, json_t **out)
{
	json_t *ratings = json_object(), *comments = json_object(), *errors = json_array();
	size_t i;
	const json_t *qu;

	json_array_foreach(json_object_get(q, "questions"), i, qu)
	{
		const char *qid = page_str(qu, "id");
		char *rname = xasprintf("r.%s", qid), *cname = xasprintf("c.%s", qid);
		const char *rv = req_arg(r, rname), *cv = req_arg(r, cname);
		char *end;

		if (rv == NULL || rv[0] == '\0') {
			char *id = xasprintf("q-%s", qid);
			char *m =
			    xasprintf("Choose a rating for \xe2\x80\x9c%s\xe2\x80\x9d, or \"I "
				      "have not seen this\"",
				      page_str(qu, "text"));

			json_array_append_new(errors,
					      json_pack("{s:s, s:s}", "field", id, "message", m));
			free(m);
			free(id);
		} else if (strcmp(rv, "none") == 0) {
			json_object_set_new(ratings, qid, json_null());
		} else if (strtol(rv, &end, 10) > 0 && *end == '\0') {
			json_object_set_new(ratings, qid, json_integer(strtol(rv, NULL, 10)));
		} else {
			json_object_set_new(ratings, qid, json_string(rv));
		}
		if (cv != NULL) {
			char *c = page_form_clean(cv);

			if (c[0] != '\0')
				json_object_set_new(comments, qid, json_string(c));
			free(c);
		}
		free(cname);
		free(rname);
	}
	*out = json_pack("{s:o, s:o}", "ratings", ratings, "comments", comments);
	return errors;
}

json_t *
page_form_360_errors(const json_t *q, const char *message)
{
	char *qid = page_form_quoted(message, "question '");
	int comment = strstr(message, "comment") != NULL;
	json_t *errors = json_array();
	size_t i;
	const json_t *qu, *found = NULL;

	json_array_foreach(json_object_get(q, "questions"), i, qu)
	{
		if (qid != NULL && strcmp(page_str(qu, "id"), qid) == 0)
			found = qu;
	}
	if (found != NULL) {
		char *id = xasprintf("%s-%s", comment ? "c" : "q", qid);
		char *m = comment
			      ? xasprintf("The comment on \xe2\x80\x9c%s\xe2\x80\x9d is too long",
					  page_str(found, "text"))
			      : xasprintf("Choose a rating for \xe2\x80\x9c%s\xe2\x80\x9d",
					  page_str(found, "text"));

		json_array_append_new(errors, json_pack("{s:s, s:s}", "field", id, "message", m));
		free(m);
		free(id);
	} else {
		json_array_append_new(errors, json_pack("{s:s}", "message", message));
	}
	free(qid);
	return errors;
}
