/*
 * feedback_report.h: the 360's answers checked, and the anonymous roll-up
 * (feedback_report.c). Pure: no store, no clock.
 */
#ifndef PW_FEEDBACK_REPORT_H
#define PW_FEEDBACK_REPORT_H

#include <jansson.h>

#include "config.h"
#include "proto.h"

/*
 * Check a response's ratings (question -> integer 1..scale max, or null:
 * not rated) and comments (question -> text of at most 2000 characters)
 * against the questionnaire of p. ratings is required when p has
 * questions. 0, or PW_EINVALID naming the question.
 */
int feedback_check(const struct programme *p, const json_t *ratings, const json_t *comments,
		   struct pw_status *st);

/*
 * The report of an application's responses (an array of {"category",
 * "ratings", "comments"}; the candidate's own has category "self"):
 * {"scale", "self_assessed", "responses" or "fewer_than", "questions":
 * [{"id", "text", "groups": [{"category", "name", "n", "average"}],
 * "hidden", "all"?, "self"?, "self_comment"?, "comments"?}]}. New reference.
 */
json_t *feedback_report(const struct programme *p, const json_t *responses);

#endif
