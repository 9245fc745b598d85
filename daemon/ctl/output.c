/*
 * output.c: what pathwayctl prints for people. An aligned table is a grid of
 * owned strings, row 0 the header, printed with each column as wide as its
 * widest cell; "label value" lines have the label padded to 12 columns. A
 * reply goes out as indented JSON with --json, else through its
 * subcommand's show function.
 */
#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "value.h"

void
output_table_add(struct output_table *t, char **row)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = row[i];
	t->nrows++;
}

void
output_table_init(struct output_table *t, size_t ncols, const char *const *head)
{
	char *row[16];

	if (ncols > 16)
		fatal("a table of %zu columns", ncols);
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	for (size_t i = 0; i < ncols; i++)
		row[i] = xstrdup(head[i]);
	output_table_add(t, row);
}

/* Columns on screen: UTF-8 continuation bytes take none. */
static size_t
output_text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
output_table_print(struct output_table *t)
{
	size_t width[16] = {0};

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t w = output_text_width(t->cells[r * t->ncols + i]);

			if (w > width[i])
				width[i] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		size_t last = t->ncols;

		/* Empty cells at the end of a row leave no trailing blanks. */
		while (last > 1 && *t->cells[r * t->ncols + last - 1] == '\0')
			last--;
		for (size_t i = 0; i < last; i++) {
			const char *s = t->cells[r * t->ncols + i];

			if (i + 1 == last)
				printf("%s", s);
			else
				printf("%s%*s  ", s, (int)(width[i] - output_text_width(s)), "");
		}
		putchar('\n');
	}
}

void
output_table_free(struct output_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

void
output_kv(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("%-12s ", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void
output_kv_str(const json_t *o, const char *key, const char *label)
{
	const json_t *v = json_object_get(o, key);
	char *t;

	if (v == NULL || json_is_null(v))
		return;
	t = value_text(v);
	output_kv(label != NULL ? label : key, "%s", t);
	free(t);
}

void
output_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2));

	if (s == NULL)
		fatal("cannot encode the reply");
	printf("%s\n", s);
	free(s);
}

void
output_reply(const struct ctl *c, const struct ctl_cmd *e, const json_t *data)
{
	if (c->json || e->show == NULL) {
		output_json(data);
		return;
	}
	e->show(data);
}
