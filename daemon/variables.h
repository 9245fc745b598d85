/*
 * variables.h: which events can be notified, and with which template
 * variables.
 */
#ifndef PW_VARIABLES_H
#define PW_VARIABLES_H

/*
 * The template variables an event of type provides, as a NULL-terminated
 * list in static storage, or NULL when events of that type cannot be
 * notified.
 */
const char *const *variables_of(const char *type);

#endif
