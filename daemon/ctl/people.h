/*
 * people.h: showing the replies about people and schools; the data stays
 * the caller's.
 */
#ifndef PW_CTL_PEOPLE_H
#define PW_CTL_PEOPLE_H

#include <jansson.h>

/* person-create, person-update, person-get, digest: one person as label-value lines. */
void people_person_show(const json_t *d);

/* person-list: people as a table. */
void people_list_show(const json_t *d);

/* export: the document itself, as indented JSON (for a file). */
void people_export_show(const json_t *d);

/* erase: the person as kept, and how many records were erased of each kind. */
void people_erase_show(const json_t *d);
/* retention --dry-run: the purges armed, earliest first. */
void people_retention_show(const json_t *d);

/* school-create, school-update, school-get: one school as label-value lines. */
void people_school_show(const json_t *d);

/* school-list: schools as a table. */
void people_schools_show(const json_t *d);

#endif
