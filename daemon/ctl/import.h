/*
 * import.h: the import subcommands: people and schools from CSV files.
 */
#ifndef PW_CTL_IMPORT_H
#define PW_CTL_IMPORT_H

#include <jansson.h>

#include "ctl.h"

/*
 * import people|schools FILE [--update]: check every row first (nothing is
 * sent if a row is bad), then create one by one (or update, with --update,
 * those that exist); stop at the first refusal. e->cmd says which
 * (person.create or school.create). args is stolen. Returns 0, 1 with
 * every problem printed, or 3 when the daemon does not answer.
 */
int import_run(struct ctl *c, const struct ctl_cmd *e, json_t *args);

#endif
