/*
 * post_privacy.h: secondment posts in a person's subject access export and
 * erasure (cmd/post_privacy.c): person.export and person.erase as
 * cmd/privacy.c runs them, with the person's applications to posts added.
 */
#ifndef PW_CMD_POST_PRIVACY_H
#define PW_CMD_POST_PRIVACY_H

#include <jansson.h>

#include "wctx.h"

/*
 * person.export (run_person_export) with "post_applications": the person's
 * applications to posts as they see them (no scores), and "post_panels":
 * the posts whose panel they sit on, with the scores and notes they gave.
 */
int run_person_export_posts(struct wctx *c, const json_t *args, json_t **data);

/*
 * person.erase (run_person_erase), then the person's statements on their
 * applications to posts removed (the application keeps "erased": time) and
 * the notes they wrote as a panel member; "erased" counts
 * "post_applications" and "post_notes".
 */
int run_person_erase_posts(struct wctx *c, const json_t *args, json_t **data);

/*
 * The part of that on posts, for person id erased already (person.erase, or
 * a retention purge that erases its candidate): counted into erased.
 * 0 or PW_ESTORE.
 */
int post_privacy_erase(struct wctx *c, const char *id, json_t *erased);

#endif
