/*
 * host_choices.h: application.host_choices (cmd/host_choices.c), what a
 * candidate may rank for internship brokering.
 */
#ifndef PW_CMD_HOST_CHOICES_H
#define PW_CMD_HOST_CHOICES_H

#include <jansson.h>

#include "wctx.h"

int run_app_host_choices(struct wctx *c, const json_t *args, json_t **data);

#endif
