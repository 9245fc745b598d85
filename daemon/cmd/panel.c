/*
 * panel.c: application.recommend and application.close_panel (a panel's
 * decision, which its chair then takes with application.decide), and
 * application.review and application.continue (the reviews each term and
 * the LA's decision after too many "not met"). Each is a command on one
 * application (cmd_app_command) whose rules are the engine's
 * (engine_panel.c).
 */
#include "cmd/panel.h"

#include "cmd/base.h"
#include "engine_panel.h"

static int
op_recommend(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	     struct engine_out *out)
{
	return engine_recommend(e, app, cmd_arg(op->args, "outcome"), cmd_arg(op->args, "reason"),
				out, c->st);
}

static int
op_close_panel(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	       struct engine_out *out)
{
	(void)op;
	return engine_close_panel(e, app, out, c->st);
}

static int
op_review(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	  struct engine_out *out)
{
	return engine_review(e, app, cmd_arg(op->args, "term"), cmd_arg(op->args, "outcome"),
			     cmd_arg(op->args, "note"), out, c->st);
}

static int
op_continue(struct wctx *c, const struct engine_ctx *e, json_t *app, const struct app_op *op,
	    struct engine_out *out)
{
	return engine_continue(e, app, cmd_cstate(c, str(app, "cohort")),
			       cmd_arg(op->args, "decision"), cmd_arg(op->args, "reason"), out,
			       c->st);
}

int
run_app_recommend(struct wctx *c, const json_t *args, json_t **data)
{
	return cmd_app_run(c, args, data, op_recommend);
}

int
run_app_close_panel(struct wctx *c, const json_t *args, json_t **data)
{
	return cmd_app_run(c, args, data, op_close_panel);
}

int
run_app_review(struct wctx *c, const json_t *args, json_t **data)
{
	return cmd_app_run(c, args, data, op_review);
}

int
run_app_continue(struct wctx *c, const json_t *args, json_t **data)
{
	return cmd_app_run(c, args, data, op_continue);
}
