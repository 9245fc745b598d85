/*
 * help.h: usage lines, help texts and usage errors, all from the table of
 * subcommands.
 */
#ifndef PW_CTL_HELP_H
#define PW_CTL_HELP_H

#include <stdio.h>

#include "ctl.h"

/* Print subcommand e's usage line, summary, arguments and roles to stdout. */
void help_one(const struct ctl_cmd *e);

/* Print the general usage, the options and every subcommand's summary to out. */
void help_all(FILE *out);

/*
 * Print "pathwayctl: MESSAGE" and e's usage line (the general one when e is
 * NULL) to stderr. Returns CTL_EXIT_USAGE, for the caller to return.
 */
int help_usage(const struct ctl_cmd *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * help [WORD [WORD]]: everything (n is 0), one subcommand, or a family
 * ("clock": clock, clock set...). Returns 0, or the usage status with the
 * message printed when no subcommand has that name.
 */
int help_run(int n, char **words);

#endif
