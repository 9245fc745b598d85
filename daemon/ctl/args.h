/*
 * args.h: a subcommand's own words into the args of its request, as its
 * table entry describes them.
 */
#ifndef PW_CTL_ARGS_H
#define PW_CTL_ARGS_H

#include <jansson.h>

#include "ctl.h"

/*
 * Parse the subcommand's own words (global options already taken out) into
 * args. Returns 0 with *out (a new object, the caller's), or the usage exit
 * status with the message printed.
 */
int args_parse(const struct ctl_cmd *e, int argc, char **argv, json_t **out);

#endif
