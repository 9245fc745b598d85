/*
 * output.h: printing to stdout for people: aligned tables, "label value"
 * lines, and a reply's data either as indented JSON or through its
 * subcommand's show function.
 */
#ifndef PW_CTL_OUTPUT_H
#define PW_CTL_OUTPUT_H

#include <stddef.h>

#include <jansson.h>

#include "ctl.h"

/* An aligned table of text cells; row 0 is the header. */
struct output_table {
	size_t ncols;
	size_t nrows;
	char **cells; /* nrows * ncols, row 0 the header */
};

/*
 * Start t with ncols columns (at most 16) and the header row head (copied).
 * Release it with output_table_free.
 */
void output_table_init(struct output_table *t, size_t ncols, const char *const *head);

/* Append a row of t->ncols cells; t takes ownership of the strings (not of the array). */
void output_table_add(struct output_table *t, char **row);

/*
 * Print t with each column as wide as its widest cell (UTF-8 aware), two
 * blanks between columns, no trailing blanks.
 */
void output_table_print(struct output_table *t);

/* Free t's cells and empty it; t itself is the caller's. */
void output_table_free(struct output_table *t);

/* Print "label" padded to 12 columns, a blank, then the formatted text and a newline. */
void output_kv(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Print member key of o as output_kv does, labelled label (or key when
 * label is NULL); nothing when the member is missing or null.
 */
void output_kv_str(const json_t *o, const char *key, const char *label);

/* Print v as JSON indented by two, and a newline; a value jansson cannot encode is fatal. */
void output_json(const json_t *v);

/*
 * Print a reply's data for subcommand e: as JSON with --json or when e has
 * no show function, else through e->show. data stays the caller's.
 */
void output_reply(const struct ctl *c, const struct ctl_cmd *e, const json_t *data);

#endif
