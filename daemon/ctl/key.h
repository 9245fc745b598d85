/*
 * key.h: the key subcommands of pathwayctl (key.c).
 */
#ifndef PW_CTL_KEY_H
#define PW_CTL_KEY_H

#include <jansson.h>

#include "ctl.h"

/* key add: make a key pair, save it 0600, register its public half. */
int key_add_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);
void key_show(const json_t *d);
void key_list_show(const json_t *d);

#endif
