/*
 * cmds.h: the table of pathwayctl's subcommands, in the order help lists
 * them.
 */
#ifndef PW_CTL_CMDS_H
#define PW_CTL_CMDS_H

#include <stddef.h>

#include "ctl.h"

/* Every subcommand, cmds_count of them. */
extern const struct ctl_cmd cmds_table[];
extern const size_t cmds_count;

/* The subcommand named name ("ping", "clock set"), or NULL. */
const struct ctl_cmd *cmds_find(const char *name);

#endif
