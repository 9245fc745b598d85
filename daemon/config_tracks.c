/*
 * config_tracks.c: a programme's tracks and the lists that refer to them.
 * A programme may declare tracks (tracks = ( { id = "middle"; name =
 * "Middle leaders"; }, ... );): an application chooses one when it is made,
 * and a stage or a requirement with tracks = [ "senior" ] applies only to
 * applications on those tracks, kept as a bit set over the programme's
 * tracks (struct requirement's tracks). Also the value lists of eligibility
 * rules (one_of = [ ... ]). The programme owns every string here.
 */
#include "config_tracks.h"

#include <stdlib.h>
#include <string.h>

#include "config_read.h"
#include "util.h"

int
config_tracks_load(struct pw_status *st, const char *file, const config_setting_t *list,
		   struct programme *p)
{
	static const char *const keys[] = {"id", "name", NULL};
	int n;

	if (list == NULL)
		return 0;
	n = config_setting_length(list);
	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0)
		return conf_bad(
		    st, file, list,
		    "must be a non-empty list ( { id = \"...\"; name = \"...\"; }, ... )");
	if (n > PW_TRACKS_MAX)
		return conf_bad(st, file, list, "at most %d tracks", PW_TRACKS_MAX);
	p->tracks = xcalloc((size_t)n, sizeof *p->tracks);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct track *t = &p->tracks[p->ntracks++];

		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return conf_bad(st, file, g, "a track must be a group { id = ...; }");
		if (conf_known(st, file, g, keys) != 0 ||
		    conf_id(st, file, g, "id", 1, &t->id) != 0 ||
		    conf_string(st, file, g, "name", 0, &t->name) != 0)
			return PW_ECONFIG;
		if (t->name == NULL)
			t->name = xstrdup(t->id);
		for (int j = 0; j < i; j++)
			if (strcmp(p->tracks[j].id, t->id) == 0)
				return conf_bad(st, file, config_setting_get_member(g, "id"),
						"duplicate track id '%s'", t->id);
	}
	return 0;
}

void
config_tracks_clear(struct programme *p)
{
	for (size_t i = 0; i < p->ntracks; i++) {
		free(p->tracks[i].id);
		free(p->tracks[i].name);
	}
	free(p->tracks);
	p->tracks = NULL;
	p->ntracks = 0;
}

int
config_track_index(const struct programme *p, const char *id)
{
	for (size_t i = 0; id != NULL && i < p->ntracks; i++)
		if (strcmp(p->tracks[i].id, id) == 0)
			return (int)i;
	return -1;
}

int
config_tracks_of(struct pw_status *st, const char *file, const config_setting_t *g,
		 const struct programme *p, unsigned *bits)
{
	const config_setting_t *s = config_setting_get_member(g, "tracks");
	int n;

	*bits = 0;
	if (s == NULL)
		return 0;
	if (p->ntracks == 0)
		return conf_bad(st, file, s, "programme %s declares no tracks", p->id);
	n = config_setting_length(s);
	if ((config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(s) != CONFIG_TYPE_LIST) ||
	    n == 0)
		return conf_bad(st, file, s, "must be a non-empty array of track ids");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		int k = config_setting_type(e) == CONFIG_TYPE_STRING
			    ? config_track_index(p, config_setting_get_string(e))
			    : -1;

		if (k < 0)
			return conf_bad(st, file, s, "element %d is not a track of %s", i, p->id);
		*bits |= 1u << k;
	}
	return 0;
}

int
config_one_of(struct pw_status *st, const char *file, const config_setting_t *r,
	      struct requirement *q)
{
	const config_setting_t *s = config_setting_get_member(r, "one_of");
	int n;

	if (s == NULL)
		return 0;
	n = config_setting_length(s);
	if ((config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(s) != CONFIG_TYPE_LIST) ||
	    n == 0)
		return conf_bad(st, file, s, "must be a non-empty array of strings");
	q->one_of = xcalloc((size_t)n, sizeof *q->one_of);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return conf_bad(st, file, s, "element %d is not a string", i);
		q->one_of[q->n_one_of++] = xstrdup(config_setting_get_string(e));
	}
	return 0;
}
