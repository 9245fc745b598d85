/*
 * page.h: what the people's pages share (page_login.c, page_home.c,
 * page_action.c), and nothing else includes. page.c draws the plain pages
 * (a message, a failed reply, a link that no longer works); page_form.c
 * draws a form from its definition and the 360 questionnaire and reads
 * them back from a POST; page_app.c is the page of one application as a
 * person may see it, with the actions open to them, for a session
 * (/app/<id>) and for an action link (/a/<token>) alike.
 */
#ifndef PW_PAGE_H
#define PW_PAGE_H

#include <jansson.h>

#include "web.h"

/* ---- page.c ---------------------------------------------------------------------- */

/* A reply's error code ("timeout" for no reply), or NULL when it is ok. */
const char *page_err(const json_t *reply);
/* A reply's error message for people, or "". */
const char *page_err_message(const json_t *reply);
/* A reply's data (borrowed), or NULL when it failed. */
json_t *page_data(const json_t *reply);
/* A string member of o, or NULL. */
const char *page_str(const json_t *o, const char *key);
/* A page with a heading and one paragraph, and a link home when person is signed in. */
void page_message(struct req *r, int status, const char *title, const char *text,
		  const json_t *person);
/*
 * The page for a failed reply: a link that no longer works (token_*), no
 * answer (503), forbidden (403), not found (404), anything else (502).
 */
void page_fail(struct req *r, const json_t *reply, const json_t *person);
/* The page for a link (login or action) that no longer works, offering a fresh one. */
void page_link_dead(struct req *r, const char *code);
/* The form that emails a fresh sign-in link (POST /login), with its CSRF field. */
void page_login_form(struct pw_buf *b, struct req *r, const char *email, const char *button);
/* A readable name for an id: "evidence_form" -> "Evidence form". */
void page_words(struct pw_buf *b, const char *id);
/* What a role is called in a sentence: "the headteacher". */
const char *page_role(const char *role);

/* ---- page_form.c ---------------------------------------------------------------- */

/*
 * The fields of form definition def as inputs, field by field by type,
 * with their values (an object of answers, or NULL) and the errors of the
 * last attempt ([{"field": element id, "message"}]) next to them. Field f
 * of form F is the element "f-F-f" and the POST field "f.f".
 */
void page_form_draw(struct pw_buf *b, const json_t *def, const json_t *values,
		    const json_t *errors);
/* A submitted form's answers, read-only, as a summary list. */
void page_form_show(struct pw_buf *b, const json_t *def, const json_t *fields);
/* One answer v to field f as text ("Not answered", "Yes", "3 out of 4", ...). */
void page_form_answer(struct pw_buf *b, const json_t *f, const json_t *v);
/*
 * The answers posted for def, typed as the form takes them. For a draft
 * (draft != 0) an empty field is given as null so the saved draft loses it;
 * otherwise it is left out. Returns a new object.
 */
json_t *page_form_read(struct req *r, const json_t *def, int draft);
/* pathwayd's invalid_request message about def as [{"field", "message"}] (new). */
json_t *page_form_errors(const json_t *def, const char *message);
/* The 360 questionnaire's questions as radios 1..max (and "not seen") with a comment each. */
void page_form_360_draw(struct pw_buf *b, const json_t *q, const json_t *values,
			const json_t *errors);
/*
 * The 360's answers posted: *out {"ratings", "comments"} (new). Returns the
 * errors (new array, empty when none): every question needs a rating or
 * "not seen".
 */
json_t *page_form_360_read(struct req *r, const json_t *q, json_t **out);
/* pathwayd's invalid_request message about the 360 as [{"field", "message"}] (new). */
json_t *page_form_360_errors(const json_t *q, const char *message);

/* ---- page_app.c ----------------------------------------------------------------- */

/*
 * The page of application app for person (borrowed: auth.whoami's record),
 * drawn with token. With link set (an action link's command, e.g.
 * "application.signoff"), only that action is offered and path is the
 * link's page; otherwise every action the person's roles fulfil. A POST
 * runs the action the form names and answers with a confirmation, or the
 * page again with its errors.
 */
void app_page(struct req *r, const char *token, const char *app, const json_t *person,
	      const char *link, const char *path);

#endif
