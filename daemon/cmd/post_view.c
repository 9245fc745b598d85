/*
 * post_view.c: reading secondment posts (post.get, post.list) and what each
 * reader sees of one (PROTOCOL.md, "secondment posts"). LA advisers and
 * viewers see everything; the panel everything but who else was in the
 * internal audience, and other members' scores only once every member has
 * scored; an applicant the advert, the state and their own applications
 * without scores; the audience (anyone, once the post is released) the
 * advert and its state; nobody else anything: to them a post they may
 * not see is not_found, as one that does not exist (post_load_seen, which
 * every post command loads its post with). The panel's scores are
 * summed up here: a mean per criterion, and whether an application meets
 * every essential criterion.
 */
#include "cmd/post_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/base.h"
#include "posts.h"

int
post_on_panel(const json_t *post, const char *person)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(post, "panel"), i, m)
	{
		if (streq(json_string_value(m), person))
			return 1;
	}
	return 0;
}

enum post_reader
post_reader_of(const struct wctx *c, const json_t *post, const json_t *apps)
{
	if (engine_roles(c->actor) & READERS)
		return POST_FULL;
	if (post_on_panel(post, c->actor_id))
		return POST_PANEL;
	if (json_object_get(apps, c->actor_id) != NULL)
		return POST_APPLICANT;
	if (streq(str(post, "round"), "external") ||
	    json_object_get(json_object_get(post, "internal"), c->actor_id) != NULL)
		return POST_PUBLIC;
	return POST_HIDDEN;
}

int
post_scoring_complete(const json_t *post, const json_t *apps)
{
	json_t *who, *m, *crit;
	size_t i, j, k;

	json_array_foreach(json_object_get(post, "shortlist"), i, who)
	{
		const json_t *scores =
		    json_object_get(json_object_get(apps, json_string_value(who)), "scores");

		json_array_foreach(json_object_get(post, "panel"), j, m)
		{
			const json_t *mine = json_object_get(scores, json_string_value(m));

			json_array_foreach(json_object_get(post, "criteria"), k, crit)
			{
				if (json_object_get(mine, str(crit, "id")) == NULL)
					return 0;
			}
		}
	}
	return 1;
}

/* The mean score of app on criterion id, or -1 when nobody scored it. */
static double
mean_of(const json_t *app, const char *id)
{
	const char *member;
	json_t *mine;
	double sum = 0;
	int n = 0;

	json_object_foreach(json_object_get(app, "scores"), member, mine)
	{
		json_t *s = json_object_get(json_object_get(mine, id), "score");

		if (s != NULL) {
			sum += (double)json_integer_value(s);
			n++;
		}
	}
	return n > 0 ? sum / n : -1;
}

int
post_meets(const json_t *post, const json_t *app)
{
	json_t *crit;
	size_t i;

	json_array_foreach(json_object_get(post, "criteria"), i, crit)
	{
		if (mean_of(app, str(crit, "id")) < POSTS_PASS_MARK)
			return 0;
	}
	return 1;
}

/* "means": {criterion: mean, to two places} and "meets" on view v of app. */
static void
add_means(const json_t *post, const json_t *app, json_t *v)
{
	json_t *means = json_object(), *crit;
	size_t i;

	json_array_foreach(json_object_get(post, "criteria"), i, crit)
	{
		double m = mean_of(app, str(crit, "id"));

		if (m >= 0)
			json_object_set_new(means, str(crit, "id"),
					    json_real(round(m * 100) / 100));
	}
	json_object_set_new(v, "means", means);
	json_object_set_new(v, "meets", json_boolean(post_meets(post, app)));
}

json_t *
post_view(const json_t *post, enum post_reader r)
{
	static const char *const advert[] = {"id",
					     "title",
					     "host",
					     "description",
					     "person_spec",
					     "criteria",
					     "published",
					     "closes",
					     "closes_local",
					     "internal_until",
					     "internal_until_local",
					     "round",
					     "state",
					     NULL};
	json_t *v;

	if (r == POST_FULL || r == POST_PANEL) {
		v = json_deep_copy(post);
		json_object_del(v, "v");
		json_object_del(v, "timers"); /* the daemon's own bookkeeping */
		if (r == POST_PANEL)
			json_object_set_new(v, "internal",
					    json_integer((json_int_t)json_object_size(
						json_object_get(v, "internal"))));
		return v;
	}
	v = json_object();
	for (int i = 0; advert[i] != NULL; i++)
		if (json_object_get(post, advert[i]) != NULL)
			json_object_set(v, advert[i], json_object_get(post, advert[i]));
	return v;
}

json_t *
post_app_view(const json_t *post, const json_t *app, enum post_reader r, const char *me,
	      int complete)
{
	json_t *v;

	if (r == POST_APPLICANT && streq(str(app, "person"), me)) {
		v = json_deep_copy(app);
		json_object_del(v, "v");
		json_object_del(v, "scores");
		return v;
	}
	if (r != POST_FULL && r != POST_PANEL)
		return NULL;
	v = json_deep_copy(app);
	json_object_del(v, "v");
	if (r == POST_PANEL && !complete) {
		json_t *mine = json_object_get(json_object_get(app, "scores"), me), *own;

		own = json_object();
		if (mine != NULL)
			json_object_set(own, me, mine);
		json_object_set_new(v, "scores", own);
		return v;
	}
	if (json_object_size(json_object_get(app, "scores")) > 0)
		add_means(post, app, v);
	return v;
}

/* The applicants of all (person -> [A]) in id order: a new array. */
static json_t *
people_of(const json_t *all)
{
	json_t *ids = json_array(), *x;
	const char *who;

	json_object_foreach((json_t *)all, who, x)
	{
		json_array_append_new(ids, json_string(who));
	}
	pw_strings_sort(ids);
	return ids;
}

int
post_all_apps(struct wctx *c, const json_t *post, json_t **out)
{
	char *prefix = xasprintf("%s/", str(post, "id"));
	json_t *recs = NULL, *rec, *list;
	const char *key;
	int rc = store_rec_prefix(c->store, c->txn, DB_POST_APPS, prefix, &recs);

	free(prefix);
	if (rc != 0)
		return pw_fail(c->st, PW_ESTORE, "store: reading the applications to %s",
			       str(post, "id"));
	*out = json_object();
	json_object_foreach(recs, key, rec)
	{
		list = json_object_get(*out, str(rec, "person"));
		if (list == NULL) {
			list = json_array();
			json_object_set_new(*out, str(rec, "person"), list);
		}
		/* "external" sorts before "internal": keep the internal round first. */
		if (streq(str(rec, "round"), "internal"))
			json_array_insert(list, 0, rec);
		else
			json_array_append(list, rec);
	}
	json_decref(recs);
	return 0;
}

json_t *
post_reply(struct wctx *c, const json_t *post, const json_t *all)
{
	enum post_reader r = post_reader_of(c, post, all);
	static const char *const rounds[] = {"internal", "external"};
	json_t *round = NULL, *out, *list = json_array(), *apps, *app, *people, *id;
	const char *who;
	int complete;
	size_t i, j;

	if (r == POST_HIDDEN) {
		json_decref(list);
		return NULL;
	}
	/* The round being scored: complete or not decides what the panel sees. */
	round = json_object();
	json_object_foreach((json_t *)all, who, apps)
	{
		json_array_foreach(apps, i, app)
		{
			if (streq(str(app, "round"), str(post, "round")))
				json_object_set(round, who, app);
		}
	}
	complete = post_scoring_complete(post, round) &&
		   !streq(str(post, "state"), "shortlisting") &&
		   strncmp(str(post, "state"), "advertised_", 11) != 0;
	/* The internal round's applications first, then the external's, each by person. */
	people = people_of(all);
	for (int k = 0; k < 2; k++)
		json_array_foreach(people, j, id)
		{
			json_array_foreach(json_object_get(all, json_string_value(id)), i, app)
			{
				int done =
				    !streq(str(app, "round"), str(post, "round")) || complete;
				json_t *v;

				if (!streq(str(app, "round"), rounds[k]))
					continue;
				v = post_app_view(post, app, r, c->actor_id, done);
				if (v != NULL)
					json_array_append_new(list, v);
			}
		}
	json_decref(people);
	out = json_pack("{s:o, s:o}", "post", post_view(post, r), "applications", list);
	/* The appointee reads their appointment: the start date and their objective. */
	if (r == POST_APPLICANT &&
	    streq(str(json_object_get(post, "appointment"), "person"), c->actor_id))
		json_object_set(json_object_get(out, "post"), "appointment",
				json_object_get(post, "appointment"));
	json_decref(round);
	return out;
}

int
post_load_seen(struct wctx *c, const char *id, json_t **post)
{
	json_t *all = NULL;
	int rc = posts_load(c, id, post);

	if (rc == 0)
		rc = post_all_apps(c, *post, &all);
	if (rc == 0 && post_reader_of(c, *post, all) == POST_HIDDEN)
		rc = pw_fail(c->st, PW_ENOTFOUND, "no post '%s'", id); /* as posts_load says */
	json_decref(all);
	if (rc != 0) {
		json_decref(*post);
		*post = NULL;
	}
	return rc;
}

int
run_post_get(struct wctx *c, const json_t *args, json_t **data)
{
	json_t *post = NULL, *all = NULL;
	int rc = post_load_seen(c, cmd_arg(args, "post"), &post);

	if (rc == 0)
		rc = post_all_apps(c, post, &all);
	if (rc == 0) {
		*data = post_reply(c, post, all);
		if (*data == NULL) /* unreachable: post_load_seen */
			rc = pw_fail(c->st, PW_ENOTFOUND, "no post '%s'", str(post, "id"));
	}
	json_decref(all);
	json_decref(post);
	return rc;
}

struct post_list {
	struct wctx *c;
	json_t *out;
	int rc;
};

static int
list_visit(const char *id, json_t *post, void *ud)
{
	struct post_list *l = ud;
	json_t *all = NULL, *v;

	(void)id;
	l->rc = post_all_apps(l->c, post, &all);
	if (l->rc != 0)
		return 1;
	v = post_reply(l->c, post, all);
	if (v != NULL)
		json_array_append(l->out, json_object_get(v, "post"));
	json_decref(v);
	json_decref(all);
	return 0;
}

int
run_post_list(struct wctx *c, const json_t *args, json_t **data)
{
	struct post_list l = {c, json_array(), 0};

	(void)args;
	if (store_rec_scan(c->store, c->txn, DB_POSTS, NULL, list_visit, &l) != 0 || l.rc != 0) {
		json_decref(l.out);
		return l.rc != 0 ? l.rc : pw_fail(c->st, PW_ESTORE, "store: listing posts");
	}
	*data = json_pack("{s:o}", "posts", l.out);
	return 0;
}
