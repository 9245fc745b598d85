/*
 * feedback.h: the 360 from pathwayctl: a rater's answers read from a JSON
 * file, and the invitation, questionnaire and report shown; the data stays
 * the caller's.
 */
#ifndef PW_CTL_FEEDBACK_H
#define PW_CTL_FEEDBACK_H

#include <jansson.h>

#include "ctl.h"

/*
 * feedback respond: the "ratings" and "comments" of the JSON object in
 * args' "file" (nothing else) go into the request; then one request.
 */
int feedback_respond_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

/* feedback invite: the application's raters as the caller may see them, as a table. */
void feedback_invite_show(const json_t *d);

/* feedback respond: that the answers were kept. */
void feedback_recorded_show(const json_t *d);

/* feedback questionnaire: who is asked, the scale, the questions, how to answer. */
void feedback_questionnaire_show(const json_t *d);

/*
 * feedback report: the responses' count, then a table of questions by group
 * (average and n; all colleagues; self), then each question's comments.
 */
void feedback_report_show(const json_t *d);

#endif
