/*
 * form.h: the commands on an application's forms (cmd/form.c).
 */
#ifndef PW_CMD_FORM_H
#define PW_CMD_FORM_H

#include <jansson.h>

#include "cmd/base.h"

/* application.submit: a document, or a form's fields (or its draft), through the engine. */
int form_op_submit(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
		   struct engine_out *out);
/* application.return: send a submitted form back to its filler with a note. */
int form_op_return(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
		   struct engine_out *out);
int run_form_save_draft(struct wctx *c, const json_t *args, json_t **data);
int run_form_get(struct wctx *c, const json_t *args, json_t **data);

#endif
