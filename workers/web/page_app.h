/*
 * page_app.h: what the application page's files share (page_app.c gathers
 * and acts, page_app_draw.c draws, page_app_360.c draws the 360's part,
 * page_app_who.c says who the person is to the application), and what page_home.c borrows to say
 * what is waiting on a person. Nothing else includes it.
 */
#ifndef PW_PAGE_APP_H
#define PW_PAGE_APP_H

#include <jansson.h>

#include "page.h"

struct app_pg;

/* An action a POST may run: the form's "do", its command, the link allowing it. */
struct app_act {
	const char *name, *cmd, *link;
	int (*args)(struct app_pg *pg, json_t *args); /* 0, or -1 with pg->errors */
	const char *done;			      /* the confirmation's heading */
};

/* One application page being made: what it is drawn from. */
struct app_pg {
	struct req *r;
	char *token; /* the session's or the link's */
	char *app_id;
	char *link;	/* an action link's command, or NULL for a session */
	char *path;	/* where the page's forms post */
	json_t *person; /* auth.whoami's record */
	const char *me; /* its person id */
	json_t *app;	/* application.get's application */
	json_t *cohort; /* cohort.get's cohort, or NULL */
	json_t *forms;	/* form id -> form.get's form, for the forms this person may see */
	json_t *q;	/* feedback.questionnaire, when the person answers the 360 */
	json_t *errors; /* [{"field", "message"}] of the last attempt */
	json_t *kept;	/* what was posted: {"form", "fields"}, {"form", "note"}, 360 answers */
	json_t *fail;	/* the first reply that failed the page */
	const struct app_act *act; /* the action posted */
	int pending;
	int post;
};

void app_pg_free(struct app_pg **ppg);

/* page_app_who.c */
int app_is_candidate(const struct app_pg *pg);
/* Whether requirement q waits on this person (and, for a link, is the link's). */
int app_mine(const struct app_pg *pg, const json_t *q);
/* Whether a place offered from the waiting list waits on this person's answer. */
int app_offer_open(const struct app_pg *pg);
/* The role that fulfils requirement q (a kind's default when it names none), or NULL. */
const char *app_req_role(const json_t *q);
const json_t *app_form_def(const struct app_pg *pg, const char *form);
/* The start of a form posting back to the page, with its CSRF field. */
void app_form_begin(struct pw_buf *b, const struct app_pg *pg);
/* The error message of field in the last attempt (pg->errors), or NULL. */
const char *app_err(const struct app_pg *pg, const char *field);

/* page_app_360.c: the 360 as the person takes part in it. */
/* The questionnaire to answer (a rater's, or the candidate's self-assessment). */
void app_draw_360(struct pw_buf *b, struct app_pg *pg);
/* Who was invited (names and groups, never who answered) and, for the candidate, a form
 * to invite someone more; 1 when it drew the form. */
int app_draw_raters(struct pw_buf *b, struct app_pg *pg);

/* page_app_steps.c: a long form one question per page, then "check your answers". */
/* Whether form definition def is shown a question at a time (more than 6 fields). */
int app_steps_paged(const json_t *def);
/* On the application page: how many questions, how many answered, the way in. */
void app_steps_start(struct pw_buf *b, const struct app_pg *pg, const char *form,
		     const json_t *def);
/* GET ?form=F&step=N|check of a long form this person fills in now: draw that page and
 * return 0; -1 when the request asks for no such page. */
int app_steps_get(struct app_pg *pg);
/* The page of the step or check posted (pg->act "step" or "check") again, with
 * pg->errors, and 0; -1 when there is none. */
int app_steps_redraw(struct app_pg *pg, int status);
/* The arguments of do=step (application.save_draft of one field) and do=check
 * (application.submit of the draft); 0, or -1 with pg->errors. */
int app_steps_args_step(struct app_pg *pg, json_t *args);
int app_steps_args_check(struct app_pg *pg, json_t *args);
/* A step saved: on to the next question, "check your answers", or the page (later). */
void app_steps_saved(struct app_pg *pg);

/* page_app_draw.c: the page (with pg->errors and pg->kept), and the confirmation. */
void app_draw(struct app_pg *pg, int status);
void app_draw_done(struct app_pg *pg, const json_t *data);
/* What requirement q asks, with its progress: "360 feedback: fewer than 3 responses". */
void app_requirement(struct pw_buf *b, const json_t *q, const char *title);
/* The application's deadline or overdue mark in local time, or nothing. */
void app_deadline(struct pw_buf *b, const json_t *app, const char *tz);
/* What the first requirement waiting on this person asks of them, as plain text (to be
 * escaped by the caller); 0 when none. */
int app_todo(struct pw_buf *b, const struct app_pg *pg);
/* The candidate's name as far as the page knows it (else the id). */
const char *app_candidate_name(const struct app_pg *pg);
/* The name of stage id in the cohort (else the id). */
const char *app_stage_name(const json_t *cohort, const char *id);

#endif
