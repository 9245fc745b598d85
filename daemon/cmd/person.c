/*
 * person.c: people and schools. A person record holds the name, email,
 * roles, school, facts and digest choice; the index DB_PEOPLE_ROLE (role,
 * school -> person) is kept in step with it. A candidate who moves school
 * takes their open applications along.
 */
#include "cmd/person.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "digest.h"
#include "util.h"

/* A person or a school as every reply shows it: the record without its version ("v"). */
static json_t *
rec_view(const json_t *rec)
{
	json_t *v = json_deep_copy(rec);

	json_object_del(v, "v");
	return v;
}

/* Keep DB_PEOPLE_ROLE (role, school -> person) in step with p; del removes p's entries. */
static int
person_index(struct wctx *c, const json_t *p, int del)
{
	const char *school = str(p, "school") ? str(p, "school") : "";
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(p, "roles"), i, r)
	{
		/* LA advisers and viewers serve the whole authority, not one school. */
		const char *role = json_string_value(r);
		const char *where =
		    streq(role, "la_adviser") || streq(role, "viewer") ? "" : school;

		if (del)
			store_index_del(c->store, c->txn, DB_PEOPLE_ROLE, role, where,
					str(p, "id"));
		else if (store_index_put(c->store, c->txn, DB_PEOPLE_ROLE, role, where,
					 str(p, "id"), c->st) != 0)
			return PW_ESTORE;
	}
	return 0;
}

/* The daily digest is for headteachers and LA advisers (see digest.h). */
static int
person_digest_check(struct wctx *c, const json_t *p)
{
	if (json_is_true(json_object_get(p, "digest")) &&
	    !(engine_roles(p) & (ROLE_HEADTEACHER | ROLE_LA_ADVISER)))
		return pw_fail(c->st, PW_EINVALID,
			       "'digest': the daily digest is for headteachers and LA advisers");
	return 0;
}

static int
person_fill(struct wctx *c, json_t *p, const json_t *args)
{
	static const char *const keys[] = {"name",  "email",  "roles", "school",
					   "facts", "digest", NULL};
	const char *school = cmd_arg(args, "school");

	if (school != NULL && !store_rec_exists(c->store, c->txn, DB_SCHOOLS, school))
		return pw_fail(c->st, PW_ENOTFOUND, "no school '%s'", school);
	for (int i = 0; keys[i] != NULL; i++) {
		json_t *v = json_object_get(args, keys[i]);

		if (v != NULL)
			json_object_set_new(p, keys[i], json_deep_copy(v));
	}
	return person_digest_check(c, p);
}

/*
 * Ids a person may not take: the daemon's own (its events' actor), the
 * operator's, and the principals the authentication layer names.
 */
static int
person_id_reserved(const struct wctx *c, const char *id)
{
	static const char *const reserved[] = {"pathwayd", "operator", "viewer",
					       "web",	   "mailer",   NULL};

	for (int i = 0; reserved[i] != NULL; i++)
		if (streq(id, reserved[i]))
			return 1;
	return streq(id, c->cfg->daemon.operator_id);
}

int
run_person_create(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = cmd_arg(args, "id");
	json_t *p;
	int rc;

	if (person_id_reserved(c, id))
		return pw_fail(c->st, PW_EINVALID,
			       "'%s' is reserved (the daemon, the operator or a service) and "
			       "cannot be a person's id",
			       id);
	if (store_rec_exists(c->store, c->txn, DB_PEOPLE, id))
		return pw_fail(c->st, PW_EEXISTS, "person '%s' already exists", id);
	p = json_pack("{s:i, s:s}", "v", 1, "id", id);
	rc = person_fill(c, p, args);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, p, c->st);
	if (rc == 0)
		rc = person_index(c, p, 0);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.created", "person", id);
	if (rc == 0)
		*data = json_pack("{s:o}", "person", rec_view(p));
	json_decref(p);
	return rc;
}

int
person_add(struct wctx *c, json_t *p)
{
	const char *id = str(p, "id");
	int rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, p, c->st);

	if (rc == 0)
		rc = person_index(c, p, 0);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.created", "person", id);
	return rc;
}

/*
 * A candidate who moves school takes their open (active or waiting)
 * applications along: the new school's headteacher signs off and is told;
 * the old one no longer sees them. Ended applications keep the school they
 * ended at.
 */
static int
apps_follow_candidate(struct wctx *c, const char *cand, const char *from, const char *to)
{
	json_t *seen = json_object();
	int rc = 0;

	for (size_t i = 0; i < c->cfg->ncohorts && rc == 0; i++) {
		char *k = xasprintf("%s/%s", c->cfg->cohorts[i].id, cand);
		json_t *key = NULL, *app = NULL, *ev;
		const char *id;

		if (store_rec_get(c->store, c->txn, DB_META, k, &key) == 0 &&
		    (id = str(key, "active")) != NULL && json_object_get(seen, id) == NULL &&
		    store_rec_get(c->store, c->txn, DB_APPS, id, &app) == 0 &&
		    streq(str(app, "candidate"), cand) && streq(str(app, "school"), from) &&
		    (streq(str(app, "status"), "active") ||
		     streq(str(app, "status"), "waitlisted"))) {
			json_object_set_new(seen, id, json_true());
			json_object_set_new(app, "school", json_string(to));
			rc = store_index_del(c->store, c->txn, DB_BY_SCHOOL, from, id, NULL);
			if (rc == 0)
				rc = store_index_put(c->store, c->txn, DB_BY_SCHOOL, to, id, NULL,
						     c->st);
			if (rc == 0)
				rc = store_rec_put(c->store, c->txn, DB_APPS, id, app, c->st);
			ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "type",
				       "application.school_changed", "app", id, "cohort",
				       str(app, "cohort"), "school", to, "stage", str(app, "stage"),
				       "data", "from", from, "to", to);
			if (rc == 0)
				rc = wctx_emit(c, ev);
			json_decref(ev);
		}
		json_decref(app);
		json_decref(key);
		free(k);
	}
	json_decref(seen);
	return rc;
}

int
run_person_update(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *p;
	char *was_school;
	int rc = cmd_load(c, DB_PEOPLE, "person", cmd_arg(args, "id"), &p);

	if (rc == 0 && json_object_get(p, "erased") != NULL) {
		json_decref(p);
		rc = pw_fail(c->st, PW_ETRANSITION, "person %s was erased", cmd_arg(args, "id"));
	}
	if (rc != 0)
		return rc;
	was_school = xstrdup(str(p, "school") ? str(p, "school") : "");
	person_index(c, p, 1);
	rc = person_fill(c, p, args);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, cmd_arg(args, "id"), p, c->st);
	if (rc == 0)
		rc = person_index(c, p, 0);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.updated", "person", cmd_arg(args, "id"));
	if (rc == 0 && str(p, "school") != NULL && *was_school != '\0' &&
	    !streq(was_school, str(p, "school")))
		rc = apps_follow_candidate(c, cmd_arg(args, "id"), was_school, str(p, "school"));
	free(was_school);
	if (rc == 0)
		rc = digest_flush(c, p);
	if (rc == 0)
		*data = json_pack("{s:o}", "person", rec_view(p));
	json_decref(p);
	return rc;
}

/* person.digest: a person chooses (or stops) the daily digest; an LA adviser may do it for them. */
int
run_person_digest(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = cmd_arg(args, "id");
	json_t *p;
	int rc;

	if (!(engine_roles(c->actor) & ROLE_LA_ADVISER) && !streq(c->actor_id, id))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not change the digest of %s",
			       c->actor_id, id);
	rc = cmd_load(c, DB_PEOPLE, "person", id, &p);
	if (rc == 0 && json_object_get(p, "erased") != NULL) {
		json_decref(p);
		rc = pw_fail(c->st, PW_ETRANSITION, "person %s was erased", id);
	}
	if (rc != 0)
		return rc;
	json_object_set(p, "digest", json_object_get(args, "digest"));
	rc = person_digest_check(c, p);
	if (rc == 0)
		rc = store_rec_put(c->store, c->txn, DB_PEOPLE, id, p, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "person.updated", "person", id);
	if (rc == 0)
		rc = digest_flush(c, p);
	if (rc == 0)
		*data = json_pack("{s:o}", "person", rec_view(p));
	json_decref(p);
	return rc;
}

int
run_person_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *p;
	int rc;

	if (!(engine_roles(c->actor) & READERS) && !streq(c->actor_id, cmd_arg(args, "id")))
		return pw_fail(c->st, PW_EFORBIDDEN, "%s may not see person %s", c->actor_id,
			       cmd_arg(args, "id"));
	rc = cmd_load(c, DB_PEOPLE, "person", cmd_arg(args, "id"), &p);
	if (rc == 0)
		*data = json_pack("{s:o}", "person", rec_view(p));
	json_decref(p);
	return rc;
}

struct rec_filter {
	const json_t *args;
	json_t *out;
};

static int
person_match(const char *id, json_t *rec, void *ud)
{
	struct rec_filter *f = ud;
	const char *role = cmd_arg(f->args, "role"), *school = cmd_arg(f->args, "school");

	(void)id;
	if (role != NULL && !(engine_roles(rec) & (1 << proto_role_bit(role))))
		return 0;
	if (school != NULL && !streq(str(rec, "school"), school))
		return 0;
	json_array_append_new(f->out, rec_view(rec));
	return 0;
}

/*
 * With a role, the people holding it through DB_PEOPLE_ROLE (role, school):
 * never a scan of everyone. Listed in id order, as without one.
 */
static int
people_of_role(struct wctx *c, struct rec_filter *f)
{
	const char *role = cmd_arg(f->args, "role"), *school = cmd_arg(f->args, "school");
	json_t *ids = json_array(), *v, *rec;
	size_t i;
	int rc;

	/* LA advisers and viewers are indexed without their school (person_index). */
	if (streq(role, "la_adviser") || streq(role, "viewer"))
		school = NULL;
	rc = store_index_scan(c->store, c->txn, DB_PEOPLE_ROLE, role, school, NULL, NULL,
			      store_collect_id, ids);

	pw_strings_sort(ids);
	json_array_foreach(ids, i, v)
	{
		if (rc != 0)
			break;
		if (store_rec_get(c->store, c->txn, DB_PEOPLE, json_string_value(v), &rec) != 0)
			continue; /* an entry its record no longer backs */
		person_match(json_string_value(v), rec, f);
		json_decref(rec);
	}
	json_decref(ids);
	return rc;
}

int
run_person_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct rec_filter f = {args, json_array()};
	int rc = cmd_arg(args, "role") != NULL
		     ? people_of_role(c, &f)
		     : store_rec_scan(c->store, c->txn, DB_PEOPLE, NULL, person_match, &f);

	if (rc != 0) {
		json_decref(f.out);
		return pw_fail(c->st, PW_ESTORE, "store: listing people");
	}
	*data = json_pack("{s:o}", "people", f.out);
	return 0;
}

static void
school_fill(json_t *s, const json_t *args)
{
	static const char *const keys[] = {"name", "phase", "lss", "email", NULL};

	for (int i = 0; keys[i] != NULL; i++) {
		json_t *v = json_object_get(args, keys[i]);

		if (v != NULL)
			json_object_set_new(s, keys[i], json_deep_copy(v));
	}
}

int
run_school_create(struct wctx *c, const json_t *args, json_t **data)
{
	const char *id = cmd_arg(args, "id");
	json_t *s;
	int rc;

	if (store_rec_exists(c->store, c->txn, DB_SCHOOLS, id))
		return pw_fail(c->st, PW_EEXISTS, "school '%s' already exists", id);
	s = json_pack("{s:i, s:s, s:b}", "v", 1, "id", id, "lss", 0);
	school_fill(s, args);
	rc = store_rec_put(c->store, c->txn, DB_SCHOOLS, id, s, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "school.created", "school", id);
	if (rc == 0)
		*data = json_pack("{s:o}", "school", rec_view(s));
	json_decref(s);
	return rc;
}

int
run_school_update(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *s;
	int rc = cmd_load(c, DB_SCHOOLS, "school", cmd_arg(args, "id"), &s);

	if (rc != 0)
		return rc;
	school_fill(s, args);
	rc = store_rec_put(c->store, c->txn, DB_SCHOOLS, cmd_arg(args, "id"), s, c->st);
	if (rc == 0)
		rc = wctx_emit_simple(c, "school.updated", "school", cmd_arg(args, "id"));
	if (rc == 0)
		*data = json_pack("{s:o}", "school", rec_view(s));
	json_decref(s);
	return rc;
}

int
run_school_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *s;
	int rc = cmd_load(c, DB_SCHOOLS, "school", cmd_arg(args, "id"), &s);

	if (rc == 0)
		*data = json_pack("{s:o}", "school", rec_view(s));
	json_decref(s);
	return rc;
}

static int
school_all(const char *id, json_t *rec, void *ud)
{
	(void)id;
	json_array_append_new(ud, rec_view(rec));
	return 0;
}

int
run_school_list(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *arr = json_array();

	(void)args;
	if (store_rec_scan(c->store, c->txn, DB_SCHOOLS, NULL, school_all, arr) != 0) {
		json_decref(arr);
		return pw_fail(c->st, PW_ESTORE, "store: listing schools");
	}
	*data = json_pack("{s:o}", "schools", arr);
	return 0;
}
