/*
 * feedback_report.c: the 360's answers checked against the programme's
 * questionnaire, and the report rolled up from them. Pure functions of the
 * configuration and the responses given: no store, no clock. A response is
 * {"category", "ratings": {question: n}, "comments": {question: text}};
 * the candidate's own has category "self".
 *
 * The roll-up never shows what one rater said unless the programme's
 * threshold for that category allows it (a line manager's, by default):
 * per question, a category's ratings are averaged only when it has at least
 * its threshold of them; a short category is folded into "others", which is
 * hidden when it is still short of its own threshold. The average of every
 * colleague is shown only when nothing was hidden (else the hidden part
 * could be worked out from it). Comments come without names, sorted by
 * their text, and only when at least the "others" threshold of colleagues
 * responded.
 */
#include "feedback_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forms.h"
#include "util.h"

#define COMMENT_MAX 2000

static const struct feedback_question *
question_find(const struct feedback_conf *f, const char *id)
{
	for (size_t i = 0; i < f->nquestions; i++)
		if (strcmp(f->questions[i].id, id) == 0)
			return &f->questions[i];
	return NULL;
}

int
feedback_check(const struct programme *p, const json_t *ratings, const json_t *comments,
	       struct pw_status *st)
{
	const struct feedback_conf *f = &p->feedback;
	char name[] = "comment";
	struct form_field comment = {
	    .id = name, .label = name, .type = FIELD_LONG_TEXT, .max = COMMENT_MAX};
	const char *key;
	json_t *v;

	if (ratings != NULL && !json_is_object(ratings))
		return pw_fail(st, PW_EINVALID, "'ratings' must be an object: question -> rating");
	if (comments != NULL && !json_is_object(comments))
		return pw_fail(st, PW_EINVALID, "'comments' must be an object: question -> text");
	json_object_foreach((json_t *)ratings, key, v)
	{
		if (question_find(f, key) == NULL)
			return pw_fail(st, PW_EINVALID, "the 360 of %s has no question '%s'", p->id,
				       key);
		/* null: the rater has not seen this and does not rate it */
		if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) < 1 ||
					 json_integer_value(v) > f->scale_max))
			return pw_fail(
			    st, PW_EINVALID,
			    "the rating of question '%s' must be an integer from 1 to %d, "
			    "or null",
			    key, f->scale_max);
	}
	json_object_foreach((json_t *)comments, key, v)
	{
		if (question_find(f, key) == NULL)
			return pw_fail(st, PW_EINVALID, "the 360 of %s has no question '%s'", p->id,
				       key);
		if (!json_is_null(v) && form_field_check("360", &comment, v, st) != 0)
			return pw_fail(st, PW_EINVALID,
				       "the comment on question '%s' must be text of at most %d "
				       "characters",
				       key, COMMENT_MAX);
	}
	if (f->nquestions > 0 && ratings == NULL)
		return pw_fail(st, PW_EINVALID, "'ratings' is required: question -> rating");
	return 0;
}

/* The rating response r gave question q, or 0 when it gave none. */
static int
rating(const json_t *r, const char *q)
{
	return (int)json_integer_value(json_object_get(json_object_get(r, "ratings"), q));
}

struct group {
	int n;
	long sum;
};

static json_t *
figures(const char *category, const char *name, const struct group *g)
{
	double avg = round((double)g->sum / g->n * 100.0) / 100.0;

	return json_pack("{s:s, s:s, s:i, s:f}", "category", category, "name", name, "n", g->n,
			 "average", avg);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The comments on question q, in the order of their text (new reference). */
static json_t *
comments_sorted(const json_t *responses, const char *q)
{
	size_t i, n = 0;
	const char **v = xcalloc(json_array_size(responses) + 1, sizeof *v);
	json_t *r, *out = json_array();

	json_array_foreach(responses, i, r)
	{
		const char *c =
		    json_string_value(json_object_get(json_object_get(r, "comments"), q));

		if (c != NULL && *c != '\0' && !streq(str(r, "category"), "self"))
			v[n++] = c;
	}
	qsort(v, n, sizeof *v, cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(v[i]));
	free(v);
	return out;
}

static json_t *
question_report(const struct feedback_conf *f, const struct feedback_question *q,
		const json_t *responses, const json_t *self, int colleagues)
{
	struct group *g = xcalloc(f->ncategories, sizeof *g), others = {0, 0}, all = {0, 0};
	json_t *groups = json_array(), *o, *r;
	int others_at = -1, hidden = 0;
	size_t i;

	json_array_foreach(responses, i, r)
	{
		int k, v = rating(r, q->id);
		const char *cat = str(r, "category");

		if (v == 0 || streq(cat, "self"))
			continue;
		for (k = 0; k < (int)f->ncategories; k++)
			if (streq(f->categories[k].id, cat))
				break;
		if (k == (int)f->ncategories)
			continue;
		g[k].n++;
		g[k].sum += v;
		all.n++;
		all.sum += v;
	}
	for (size_t k = 0; k < f->ncategories; k++) {
		if (streq(f->categories[k].id, "others")) {
			others_at = (int)k;
			others.n += g[k].n;
			others.sum += g[k].sum;
		} else if (g[k].n >= f->categories[k].threshold) {
			json_array_append_new(
			    groups, figures(f->categories[k].id, f->categories[k].name, &g[k]));
		} else {
			others.n += g[k].n;
			others.sum += g[k].sum;
		}
	}
	if (others.n > 0 && others.n >= f->categories[others_at].threshold)
		json_array_append_new(groups,
				      figures("others", f->categories[others_at].name, &others));
	else
		hidden = others.n > 0;
	o = json_pack("{s:s, s:s, s:o, s:b}", "id", q->id, "text", q->text, "groups", groups,
		      "hidden", hidden);
	if (rating(self, q->id) > 0)
		json_object_set_new(o, "self", json_integer(rating(self, q->id)));
	if (str(json_object_get(self, "comments"), q->id) != NULL)
		json_object_set_new(o, "self_comment",
				    json_string(str(json_object_get(self, "comments"), q->id)));
	if (!hidden && all.n > 0)
		json_object_set_new(o, "all", figures("all", "All colleagues", &all));
	if (colleagues >= f->categories[others_at].threshold)
		json_object_set_new(o, "comments", comments_sorted(responses, q->id));
	free(g);
	return o;
}

json_t *
feedback_report(const struct programme *p, const json_t *responses)
{
	const struct feedback_conf *f = &p->feedback;
	json_t *self = NULL, *qs = json_array(), *r, *out, *scale;
	int colleagues = 0;
	size_t i;

	json_array_foreach(responses, i, r)
	{
		if (streq(str(r, "category"), "self"))
			self = r;
		else
			colleagues++;
	}
	for (i = 0; i < f->nquestions; i++)
		json_array_append_new(
		    qs, question_report(f, &f->questions[i], responses, self, colleagues));
	scale = json_pack("{s:i}", "max", f->scale_max);
	if (f->labels != NULL) {
		json_t *l = json_array();

		for (i = 0; i < f->nlabels; i++)
			json_array_append_new(l, json_string(f->labels[i]));
		json_object_set_new(scale, "labels", l);
	}
	out = json_pack("{s:o, s:b, s:o}", "scale", scale, "self_assessed", self != NULL,
			"questions", qs);
	if (colleagues >= f->count_from)
		json_object_set_new(out, "responses", json_integer(colleagues));
	else
		json_object_set_new(out, "fewer_than", json_integer(f->count_from));
	return out;
}
