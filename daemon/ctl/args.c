/*
 * args.c: a subcommand's own words into the args of its request. The
 * subcommand's table entry drives it: positionals fill their fields in
 * order, flags (--name VALUE or --name=VALUE) theirs, each converted by its
 * type; then defaults are applied and missing ones reported.
 */
#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "help.h"
#include "util.h"
#include "value.h"

static const char *
args_name(const struct ctl_arg *a, char *buf, size_t len)
{
	if (a->flag != NULL)
		snprintf(buf, len, "--%s", a->flag);
	else
		snprintf(buf, len, "%s", a->meta);
	return buf;
}

/* Set a's field in args from text s; on error fill why and return -1. */
static int
args_set(const struct ctl_arg *a, const char *s, json_t *args, char **why)
{
	json_t *cur = json_object_get(args, a->key), *v = NULL;
	char name[80];
	json_int_t n;
	const char *eq;

	args_name(a, name, sizeof name);
	switch (a->type) {
	case A_STR:
		v = json_string(s);
		if (v == NULL) {
			*why = xasprintf("%s: not valid UTF-8", name);
			return -1;
		}
		break;
	case A_INT:
		if (value_count(s, &n) != 0) {
			*why = xasprintf("%s: '%s' is not a whole number >= 0", name, s);
			return -1;
		}
		v = json_integer(n);
		break;
	case A_DURATION:
		if (duration_parse(s, &n) != 0) {
			*why =
			    xasprintf("%s: '%s' is not a duration: a number with a unit s, m, h, "
				      "d or w (3d, 1w2d, 90m; none: seconds), at most "
				      "2147483647 seconds",
				      name, s);
			return -1;
		}
		v = json_integer(n);
		break;
	case A_FLAG:
		v = json_true();
		break;
	case A_NOFLAG:
		v = json_false();
		break;
	case A_YESNO:
		if (value_word_in(s, "yes|true|y|1"))
			v = json_true();
		else if (value_word_in(s, "no|false|n|0"))
			v = json_false();
		else {
			*why = xasprintf("%s: '%s' is not yes or no", name, s);
			return -1;
		}
		break;
	case A_ENUM:
		if (!value_word_in(s, a->meta)) {
			*why = xasprintf("%s: '%s' is not one of %s", name, s, a->meta);
			return -1;
		}
		v = json_string(s);
		break;
	case A_WORDS:
		if (!value_word_in(s, a->meta)) {
			*why = xasprintf("%s: '%s' is not one of %s", name, s, a->meta);
			return -1;
		}
		v = json_boolean(strncmp(s, a->meta, strlen(s)) == 0 && a->meta[strlen(s)] == '|');
		break;
	case A_LIST:
		if (cur == NULL) {
			cur = json_array();
			json_object_set_new(args, a->key, cur);
		}
		value_list_add(cur, s);
		return 0;
	case A_FACT:
		eq = strchr(s, '=');
		if (eq == NULL || eq == s) {
			*why = xasprintf("%s: '%s' is not KEY=VALUE", name, s);
			return -1;
		}
		if (cur == NULL) {
			cur = json_object();
			json_object_set_new(args, a->key, cur);
		}
		{
			char *key = xstrdup(s);

			key[eq - s] = '\0';
			json_object_set_new(cur, key, value_fact(eq + 1));
			free(key);
		}
		return 0;
	}
	if (cur != NULL) {
		json_decref(v);
		*why = xasprintf("%s given twice", name);
		return -1;
	}
	json_object_set_new(args, a->key, v);
	return 0;
}

static const struct ctl_arg *
args_flag_find(const struct ctl_cmd *e, const char *name, size_t len)
{
	for (const struct ctl_arg *a = e->args; a->key != NULL; a++)
		if (a->flag != NULL && strlen(a->flag) == len && strncmp(a->flag, name, len) == 0)
			return a;
	return NULL;
}

int
args_parse(const struct ctl_cmd *e, int argc, char **argv, json_t **out)
{
	json_t *args = json_object();
	const struct ctl_arg *pos = e->args;
	char *why = NULL, name[80];
	int rc, only_positional = 0;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *val = NULL, *eq;
		const struct ctl_arg *a;

		if (!only_positional && strcmp(w, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (!only_positional && w[0] == '-' && w[1] != '\0' &&
		    !(w[1] >= '0' && w[1] <= '9')) {
			const char *fname = w + (w[1] == '-' ? 2 : 1);

			eq = strchr(fname, '=');
			a = args_flag_find(e, fname, eq ? (size_t)(eq - fname) : strlen(fname));
			if (a == NULL) {
				why = xasprintf("%s: unknown option for %s", w, e->name);
				goto fail;
			}
			if (a->type == A_FLAG || a->type == A_NOFLAG) {
				if (eq != NULL) {
					why = xasprintf("--%s takes no value", a->flag);
					goto fail;
				}
			} else if (eq != NULL) {
				val = eq + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				why = xasprintf("--%s needs a value (%s)", a->flag, a->meta);
				goto fail;
			}
			if (args_set(a, val, args, &why) != 0)
				goto fail;
			continue;
		}
		while (pos->key != NULL && pos->flag != NULL)
			pos++;
		if (pos->key == NULL) {
			why = xasprintf("unexpected argument '%s'", w);
			goto fail;
		}
		if (args_set(pos, w, args, &why) != 0)
			goto fail;
		pos++;
	}
	for (const struct ctl_arg *a = e->args; a->key != NULL; a++) {
		if (json_object_get(args, a->key) != NULL)
			continue;
		if (a->def != NULL) {
			if (args_set(a, a->def, args, &why) != 0)
				fatal("bad default for %s %s", e->name, a->key);
		} else if (a->flag == NULL || a->required) {
			why = xasprintf("missing %s", args_name(a, name, sizeof name));
			goto fail;
		}
	}
	*out = args;
	return 0;
fail:
	rc = help_usage(e, "%s", why);
	free(why);
	json_decref(args);
	return rc;
}
