/*
 * import.c: the import subcommands, people and schools from CSV files. The
 * file is read whole and parsed (RFC 4180) into rows of owned fields, each
 * with its line number; every row becomes the args of one create request
 * and is checked before anything is sent.
 */
#include "import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "output.h"
#include "proto.h"
#include "util.h"
#include "value.h"

struct csv_row {
	int line;
	size_t n;
	char **f;
};

static void
import_rows_free(struct csv_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < rows[i].n; j++)
			free(rows[i].f[j]);
		free(rows[i].f);
	}
	free(rows);
}

/*
 * Parse RFC 4180 CSV (quoted fields with "" for a quote, CRLF or LF, a BOM
 * ignored, blank lines skipped). Returns 0 with the rows, or -1 with *why.
 */
static int
import_csv_parse(const char *text, size_t len, struct csv_row **out, size_t *nout, char **why)
{
	struct csv_row *rows = NULL, row = {0};
	size_t nrows = 0, i = 0, flen = 0, fcap = 64;
	char *field = xmalloc(fcap);
	int line = 1, quoted = 0, in_quotes = 0, blank = 1;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	row.line = 1;
	for (;; i++) {
		int end = i >= len;
		char ch = end ? '\n' : text[i];

		if (in_quotes) {
			if (end) {
				*why = xasprintf("line %d: a quoted field is not closed", row.line);
				goto fail;
			}
			if (ch == '"' && i + 1 < len && text[i + 1] == '"') {
				i++;
			} else if (ch == '"') {
				in_quotes = 0;
				continue;
			}
			if (ch == '\n')
				line++;
		} else if (ch == '"' && flen == 0 && !quoted) {
			in_quotes = quoted = 1;
			blank = 0;
			continue;
		} else if (ch == ',' || ch == '\n' ||
			   (ch == '\r' && i + 1 < len && text[i + 1] == '\n')) {
			if (ch == '\r')
				continue;
			field[flen] = '\0';
			if (!(ch == '\n' && blank)) {
				row.f = xrealloc(row.f, (row.n + 1) * sizeof *row.f);
				row.f[row.n++] = xstrdup(field);
			}
			flen = 0;
			quoted = 0;
			if (ch == ',') {
				blank = 0;
				continue;
			}
			if (row.n > 0) {
				rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
				rows[nrows++] = row;
			}
			row = (struct csv_row){0};
			line++;
			row.line = line;
			blank = 1;
			if (end)
				break;
			continue;
		} else if (quoted) {
			*why = xasprintf("line %d: text after a closing quote", row.line);
			goto fail;
		}
		blank = 0;
		if (flen + 2 > fcap) {
			fcap *= 2;
			field = xrealloc(field, fcap);
		}
		field[flen++] = ch;
	}
	free(field);
	*out = rows;
	*nout = nrows;
	return 0;
fail:
	for (size_t j = 0; j < row.n; j++)
		free(row.f[j]);
	free(row.f);
	import_rows_free(rows, nrows);
	free(field);
	return -1;
}

static int
import_file_read(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, got;
	char *buf;

	if (f == NULL)
		return -1;
	buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return 0;
}

static int
import_column_of(const struct csv_row *head, const char *name)
{
	for (size_t i = 0; i < head->n; i++)
		if (strcmp(head->f[i], name) == 0)
			return (int)i;
	return -1;
}

/* A CSV row as args for person.create: returns 0, or -1 with *why. */
static int
import_person(const struct csv_row *head, const struct csv_row *r, json_t **out, char **why)
{
	json_t *a = json_object(), *roles = json_array(), *facts = json_object();
	size_t i;
	json_t *role;

	for (i = 0; i < head->n; i++) {
		const char *col = head->f[i], *v = r->f[i];

		if (strcmp(col, "roles") == 0) {
			value_list_add(roles, v);
			continue;
		}
		if (*v == '\0')
			continue;
		if (strcmp(col, "id") == 0 || strcmp(col, "name") == 0 ||
		    strcmp(col, "email") == 0 || strcmp(col, "school") == 0) {
			json_object_set_new(a, col, json_string(v));
		} else if (strcmp(col, "digest") == 0) {
			if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
				*why = xasprintf("digest: '%s' is not yes or no", v);
				goto fail;
			}
			json_object_set_new(a, col, json_boolean(strcmp(v, "yes") == 0));
		} else {
			json_object_set_new(facts, col, value_fact(v));
		}
	}
	json_array_foreach(roles, i, role)
	{
		if (proto_role_bit(json_string_value(role)) < 0) {
			*why = xasprintf("roles: unknown role '%s' (%s)", json_string_value(role),
					 CTL_ROLES);
			goto fail;
		}
	}
	json_object_set_new(a, "roles", roles);
	roles = NULL;
	if (json_object_size(facts) > 0)
		json_object_set(a, "facts", facts);
	json_decref(facts);
	*out = a;
	return 0;
fail:
	json_decref(roles);
	json_decref(facts);
	json_decref(a);
	return -1;
}

/* A CSV row as args for school.create: returns 0, or -1 with *why. */
static int
import_school(const struct csv_row *head, const struct csv_row *r, json_t **out, char **why)
{
	json_t *a = json_object();

	for (size_t i = 0; i < head->n; i++) {
		const char *col = head->f[i], *v = r->f[i];

		if (*v == '\0')
			continue;
		if (strcmp(col, "lss") == 0) {
			if (value_word_in(v, "yes|true|y|1"))
				json_object_set_new(a, col, json_true());
			else if (value_word_in(v, "no|false|n|0"))
				json_object_set_new(a, col, json_false());
			else {
				*why = xasprintf("lss: '%s' is not yes or no", v);
				json_decref(a);
				return -1;
			}
		} else if (strcmp(col, "phase") == 0 && !value_word_in(v, CTL_PHASES)) {
			*why = xasprintf("phase: '%s' is not one of %s", v, CTL_PHASES);
			json_decref(a);
			return -1;
		} else {
			json_object_set_new(a, col, json_string(v));
		}
	}
	*out = a;
	return 0;
}

/* Check a row's required fields and ids; returns 0 or -1 with *why. */
static int
import_check(const json_t *a, const char *const *required, char **why)
{
	const char *id = value_str(a, "id");

	for (int i = 0; required[i] != NULL; i++)
		if (json_object_get(a, required[i]) == NULL ||
		    (json_is_array(json_object_get(a, required[i])) &&
		     json_array_size(json_object_get(a, required[i])) == 0)) {
			*why = xasprintf("%s: missing", required[i]);
			return -1;
		}
	if (!pw_id_valid(id)) {
		*why = xasprintf("id: '%s' is not an id (1..64 of A-Z a-z 0-9 . _ -)", id);
		return -1;
	}
	if (json_object_get(a, "school") != NULL && !pw_id_valid(value_str(a, "school"))) {
		*why = xasprintf("school: '%s' is not an id", value_str(a, "school"));
		return -1;
	}
	return 0;
}

/*
 * import people|schools FILE: check every row first (nothing is sent if a
 * row is bad), then create one by one; stop at the first refusal.
 */
int
import_run(struct ctl *c, const struct ctl_cmd *e, json_t *args)
{
	static const char *const person_req[] = {"id", "name", "email", "roles", NULL};
	static const char *const school_req[] = {"id", "name", NULL};
	static const char *const school_cols[] = {"id", "name", "phase", "lss", "email", NULL};
	int people = strcmp(e->cmd, "person.create") == 0,
	    update = json_is_true(json_object_get(args, "update"));
	const char *const *required = people ? person_req : school_req;
	const char *file = value_str(args, "file"), *what = people ? "people" : "schools";
	json_t **rowargs = NULL, *created = json_array(), *updated = json_array();
	struct csv_row *rows = NULL;
	size_t nrows = 0, len, i;
	char *text = NULL, *why = NULL, *where;
	int rc = CTL_EXIT_REFUSED, bad = 0;

	if (import_file_read(file, &text, &len) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", file, strerror(errno));
		goto done;
	}
	if (import_csv_parse(text, len, &rows, &nrows, &why) != 0) {
		fprintf(stderr, "pathwayctl: %s: %s\n", file, why);
		goto done;
	}
	if (nrows == 0) {
		fprintf(stderr, "pathwayctl: %s: empty (the first line is the header)\n", file);
		goto done;
	}
	for (i = 0; required[i] != NULL; i++)
		if (import_column_of(&rows[0], required[i]) < 0) {
			fprintf(stderr, "pathwayctl: %s:%d: the header has no column '%s'\n", file,
				rows[0].line, required[i]);
			goto done;
		}
	for (i = 0; i < rows[0].n; i++) {
		const char *col = rows[0].f[i];
		int known = 0;

		for (int k = 0; school_cols[k] != NULL; k++)
			known |= strcmp(col, school_cols[k]) == 0;
		if (*col == '\0' || (!people && !known) ||
		    import_column_of(&rows[0], col) != (int)i) {
			fprintf(stderr, "pathwayctl: %s:%d: column '%s': %s\n", file, rows[0].line,
				col,
				*col == '\0' ? "a column needs a name"
				: import_column_of(&rows[0], col) != (int)i
				    ? "named twice"
				    : "not a school column (id,name,phase,lss,email)");
			goto done;
		}
	}
	rowargs = xcalloc(nrows, sizeof *rowargs);
	for (i = 1; i < nrows; i++) {
		int ok;

		if (rows[i].n != rows[0].n) {
			fprintf(stderr, "pathwayctl: %s:%d: %zu fields, the header has %zu\n", file,
				rows[i].line, rows[i].n, rows[0].n);
			bad++;
			continue;
		}
		ok = people ? import_person(&rows[0], &rows[i], &rowargs[i], &why)
			    : import_school(&rows[0], &rows[i], &rowargs[i], &why);
		if (ok == 0 && import_check(rowargs[i], required, &why) != 0) {
			json_decref(rowargs[i]);
			rowargs[i] = NULL;
			ok = -1;
		}
		if (ok != 0) {
			fprintf(stderr, "pathwayctl: %s:%d: %s\n", file, rows[i].line, why);
			free(why);
			why = NULL;
			bad++;
		}
	}
	if (bad > 0) {
		fprintf(stderr, "pathwayctl: %s: %d bad row%s; nothing imported\n", file, bad,
			bad == 1 ? "" : "s");
		goto done;
	}
	for (i = 1; i < nrows; i++) {
		const char *id = value_str(rowargs[i], "id");
		json_t *reply;
		int rr = conn_request(c, e->cmd, json_incref(rowargs[i]), &reply);

		if (rr != 0) {
			rc = rr;
			goto done;
		}
		if (update && !json_is_true(json_object_get(reply, "ok")) &&
		    strcmp(value_str(json_object_get(reply, "error"), "code"), "already_exists") ==
			0) {
			json_decref(reply);
			rr = conn_request(c, people ? "person.update" : "school.update",
					  json_incref(rowargs[i]), &reply);
			if (rr != 0) {
				rc = rr;
				goto done;
			}
			if (json_is_true(json_object_get(reply, "ok")))
				json_array_append_new(updated, json_string(id));
		} else if (json_is_true(json_object_get(reply, "ok"))) {
			json_array_append_new(created, json_string(id));
		}
		if (!json_is_true(json_object_get(reply, "ok"))) {
			where = xasprintf("%s:%d", file, rows[i].line);
			conn_refused(reply, where);
			free(where);
			fprintf(stderr, "pathwayctl: %s: stopped after %zu of %zu %s\n", file,
				json_array_size(created) + json_array_size(updated), nrows - 1,
				what);
			json_decref(reply);
			goto done;
		}
		json_decref(reply);
	}
	if (c->json) {
		json_t *out = json_pack("{s:O, s:O}", "created", created, "updated", updated);

		output_json(out);
		json_decref(out);
	} else {
		printf("imported %zu %s from %s: %zu created, %zu updated\n", nrows - 1, what, file,
		       json_array_size(created), json_array_size(updated));
	}
	rc = 0;
done:
	for (i = 0; rowargs != NULL && i < nrows; i++)
		json_decref(rowargs[i]);
	free(rowargs);
	import_rows_free(rows, nrows);
	free(text);
	free(why);
	json_decref(created);
	json_decref(updated);
	json_decref(args);
	return rc;
}
