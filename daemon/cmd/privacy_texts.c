/*
 * privacy_texts.c: the free text an erased person wrote, taken out of the
 * emails still to go to others (person.erase, cmd/privacy.c; PROTOCOL.md,
 * "Subject access and erasure"). When an email is queued, notify.c and
 * partners.c copy free text from the records into the job's template
 * variables; the erasure removes it from the records, and here from the
 * copies. The variables that carry someone's free text into an email to
 * another person are:
 *
 *   reason   an application's withdrawal reason (every job on the
 *            application has it; withdrawn.txt shows it)
 *   note     a form's return note (application.returned, form-returned.txt),
 *            and the note ending a support pairing (support.ended)
 *   need     a support request's need (every support.* email)
 *   career   the career steps, one a line "  DATE: ROLE, SCHOOL" (every
 *            job on the application; alumni-update.txt shows it)
 *   failed_subject, notices
 *            the rendered subject of another email, in the LA's alert
 *            about a failed one and in a digest (as held notices' subjects)
 *
 * Nothing else the erasure removes reaches an email: decision, panel,
 * review and continuation notes, documents' links, form answers, 360
 * comments, statements and notes on secondment posts stay in their
 * records. The texts of posts and opportunities (adverts, an appointment's
 * objective) are the LA's, not personal data, and stay in both.
 *
 * What the erasure removed is read off each record as it was and as it is
 * after (privacy_texts_app, privacy_texts_support; the forms' return notes
 * are added one by one), so the texts are exactly those erased: the reason
 * an LA adviser gave for a withdrawal stays when the candidate's
 * headteacher is erased. A job or held notice is scrubbed only with the
 * texts of its own application or request, so the same words written
 * elsewhere are left there; one about neither (a digest) with all of them,
 * in the subjects it quotes (a school's name, shared with other text, is
 * taken from the career list alone).
 */
#include "cmd/privacy_texts.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "cmd/privacy_find.h"
#include "util.h"

void
privacy_texts_add(json_t *texts, const char *kind, const char *id, const char *var,
		  const char *text)
{
	char *key;
	json_t *list;

	if (texts == NULL || id == NULL || text == NULL || *text == '\0')
		return;
	key = xasprintf("%s/%s", kind, id);
	list = json_object_get(texts, key);
	if (list == NULL) {
		list = json_array();
		json_object_set_new(texts, key, list);
	}
	json_array_append_new(list, json_pack("[s, s]", var, text));
	free(key);
}

/* o[key] (a string) when it is in before's o and no longer in after's. */
static const char *
gone(const json_t *before, const json_t *after, const char *key)
{
	const char *s = str(before, key);

	return s != NULL && json_object_get(after, key) == NULL ? s : NULL;
}

void
privacy_texts_app(json_t *texts, const char *app, const json_t *before, const json_t *after)
{
	const json_t *ret = json_object_get(after, "returned"),
		     *car = json_object_get(after, "career");
	const char *form;
	json_t *x;
	size_t i;

	privacy_texts_add(texts, "app", app, "reason",
			  gone(json_object_get(before, "withdrawal"),
			       json_object_get(after, "withdrawal"), "reason"));
	json_object_foreach(json_object_get(before, "returned"), form, x)
	{
		privacy_texts_add(texts, "app", app, "note",
				  gone(x, json_object_get(ret, form), "note"));
	}
	json_array_foreach(json_object_get(before, "career"), i, x)
	{
		const char *school = gone(x, json_array_get(car, i), "school");
		json_t *list;

		privacy_texts_add(texts, "app", app, "career", school);
		/* The start of its line (notify.c, career_text): the same school given for
		 * another step stays. */
		if (texts != NULL && app != NULL && school != NULL && *school != '\0' &&
		    str(x, "date") != NULL && str(x, "role") != NULL) {
			char *key = xasprintf("app/%s", app), *line;

			list = json_object_get(texts, key);
			line = xasprintf("  %s: %s, ", str(x, "date"), str(x, "role"));
			json_array_append_new(json_array_get(list, json_array_size(list) - 1),
					      json_string(line));
			free(line);
			free(key);
		}
	}
}

void
privacy_texts_support(json_t *texts, const json_t *before, const json_t *after)
{
	const char *id;
	json_t *r, *now;

	json_object_foreach((json_t *)before, id, r)
	{
		now = json_object_get(after, id);
		privacy_texts_add(texts, "support", id, "need", gone(r, now, "need"));
		privacy_texts_add(
		    texts, "support", id, "note",
		    gone(json_object_get(r, "ended"), json_object_get(now, "ended"), "note"));
	}
}

static int
word_char(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       ch == '_' || ch >= 0x80;
}

/*
 * s with every occurrence of t that stands as whole words (no letter or
 * digit joined to it on either side) replaced by PRIVACY_TEXT_REMOVED; NULL
 * when there is none or t is shorter than 3 bytes.
 */
static char *
words_replaced(const char *s, const char *t)
{
	size_t n = strlen(t);
	struct pw_buf b = {0};
	const char *from = s, *at = s;
	int hits = 0;

	if (n < 3)
		return NULL;
	while ((at = strstr(at, t)) != NULL) {
		int left =
		    at == s || !word_char((unsigned char)at[-1]) || !word_char((unsigned char)t[0]);
		int right = !word_char((unsigned char)at[n]) || !word_char((unsigned char)t[n - 1]);

		if (!left || !right) {
			at++;
			continue;
		}
		pw_buf_add(&b, from, (size_t)(at - from));
		pw_buf_adds(&b, PRIVACY_TEXT_REMOVED);
		from = at = at + n;
		hits++;
	}
	if (hits == 0)
		return NULL;
	pw_buf_adds(&b, from);
	return b.p;
}

char *
privacy_texts_line(const char *s, const json_t *list)
{
	char *out = NULL, *next;
	json_t *t;
	size_t i;

	json_array_foreach(list, i, t)
	{
		/* A school's name is shared with other text: it goes from the career list only. */
		if (streq(json_string_value(json_array_get(t, 0)), "career"))
			continue;
		next = words_replaced(out ? out : s, json_string_value(json_array_get(t, 1)));
		if (next != NULL) {
			free(out);
			out = next;
		}
	}
	return out;
}

/* vars[key] set to s (taken); 1. */
static int
set_taken(json_t *vars, const char *key, char *s)
{
	json_object_set_new(vars, key, json_string(s));
	free(s);
	return 1;
}

int
privacy_texts_redact(json_t *vars, const json_t *list, int whole)
{
	static const char *const quoting[] = {"failed_subject", "notices"};
	int changed = 0;
	json_t *t;
	size_t i;
	char *s;

	json_array_foreach(list, i, t)
	{
		const char *var = json_string_value(json_array_get(t, 0));
		const char *text = json_string_value(json_array_get(t, 1));
		const char *have = str(vars, var);

		if (!whole || have == NULL)
			continue;
		if (streq(var, "career")) {
			/* Its line's school: "  DATE: ROLE, SCHOOL" (notify.c, career_text), or
			 * ", SCHOOL" at a line's end when the step's start is not known. */
			const char *at = json_string_value(json_array_get(t, 2));
			char *was = xasprintf("%s%s\n", at ? at : ", ", text),
			     *now = xasprintf("%s" PRIVACY_TEXT_REMOVED "\n", at ? at : ", ");

			s = pw_str_replace(have, was, now, 0);
			free(was);
			free(now);
			if (s != NULL)
				changed += set_taken(vars, var, s);
		} else if (streq(have, text)) {
			json_object_set_new(vars, var, json_string(PRIVACY_TEXT_REMOVED));
			changed++;
		}
	}
	for (i = 0; i < sizeof quoting / sizeof quoting[0]; i++) {
		const char *have = str(vars, quoting[i]);

		if (have != NULL && (s = privacy_texts_line(have, list)) != NULL)
			changed += set_taken(vars, quoting[i], s);
	}
	return changed;
}

/* The records of db that hold one of the texts of all, as id -> record. 0 or PW_ESTORE. */
static int
grep(struct wctx *c, enum store_db db, const json_t *all, json_t **out)
{
	size_t n = json_array_size(all), i;
	const char **texts = xcalloc(n ? n : 1, sizeof *texts);
	json_t *t;
	int rc;

	json_array_foreach(all, i, t)
	{
		texts[i] = json_string_value(json_array_get(t, 1));
	}
	rc = privacy_grep_texts(c, db, texts, n, out);
	free(texts);
	return rc;
}

/* The texts of KIND/ID appended to list (a new array when *list is NULL). */
static void
scope_add(json_t **list, const json_t *texts, const char *kind, const char *id)
{
	char *key;

	if (id == NULL)
		return;
	key = xasprintf("%s/%s", kind, id);
	if (json_object_get(texts, key) != NULL) {
		if (*list == NULL)
			*list = json_array();
		json_array_extend(*list, json_object_get(texts, key));
	}
	free(key);
}

static void
bump(json_t *counts, const char *what)
{
	json_object_set_new(counts, what,
			    json_integer(json_integer_value(json_object_get(counts, what)) + 1));
}

static int
scrub_jobs(struct wctx *c, const json_t *texts, const json_t *all, const char *person,
	   json_t *counts)
{
	json_t *found = NULL, *job;
	const char *k;
	int rc = grep(c, DB_OUTBOX, all, &found);

	json_object_foreach(found, k, job)
	{
		json_t *vars = json_object_get(job, "vars"), *list = NULL;
		int whole;

		if (rc != 0)
			break;
		if (streq(str(json_object_get(job, "to"), "person"), person))
			continue; /* deleted with the person's other jobs (cmd/privacy.c) */
		scope_add(&list, texts, "app", str(job, "app"));
		scope_add(&list, texts, "support", str(vars, "request_id"));
		whole = list != NULL;
		if (!whole && str(job, "app") == NULL && str(vars, "request_id") == NULL)
			list = json_incref((json_t *)all);
		if (list != NULL && privacy_texts_redact(vars, list, whole) > 0) {
			rc = store_rec_put(c->store, c->txn, DB_OUTBOX, k, job, c->st);
			bump(counts, "jobs_redacted");
			if (streq(str(job, "state"), "inflight"))
				bump(counts, "jobs_redacted_in_flight");
		}
		json_decref(list);
	}
	json_decref(found);
	return rc;
}

static int
scrub_digests(struct wctx *c, const json_t *texts, const json_t *all, const char *person)
{
	json_t *found = NULL, *held, *n;
	const char *k;
	size_t i;
	int rc = grep(c, DB_DIGESTS, all, &found);

	json_object_foreach(found, k, held)
	{
		int changed = 0;

		if (rc != 0 || streq(k, person))
			continue; /* theirs is deleted (cmd/privacy.c) */
		json_array_foreach(json_object_get(held, "notices"), i, n)
		{
			json_t *list = NULL;
			char *s;

			scope_add(&list, texts, "app", str(n, "app"));
			if (list == NULL && str(n, "app") == NULL)
				list = json_incref((json_t *)all);
			s = str(n, "subject") ? privacy_texts_line(str(n, "subject"), list) : NULL;
			if (s != NULL)
				changed += set_taken(n, "subject", s);
			json_decref(list);
		}
		if (changed > 0)
			rc = store_rec_put(c->store, c->txn, DB_DIGESTS, k, held, c->st);
	}
	json_decref(found);
	return rc;
}

int
privacy_texts_scrub(struct wctx *c, const json_t *texts, const char *person, json_t *counts)
{
	json_t *all = json_array(), *list;
	const char *k;
	int rc = 0;

	json_object_foreach((json_t *)texts, k, list)
	{
		json_array_extend(all, list);
	}
	if (json_array_size(all) > 0) {
		rc = scrub_jobs(c, texts, all, person, counts);
		if (rc == 0)
			rc = scrub_digests(c, texts, all, person);
	}
	json_decref(all);
	return rc == 0 ? 0
		       : pw_fail(c->st, PW_ESTORE, "store: removing erased text from the outbox");
}
