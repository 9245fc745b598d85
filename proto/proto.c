/*
 * proto.c: the rules of the wire protocol. A table of error codes; the
 * envelope decoder that turns one frame into a pw_request or a precise
 * error; the argument checker that compares args with a command's schema;
 * and the reply builders. Nothing here knows what a command does.
 */
#include "proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_enc.h"
#include "util.h"

struct errcode {
	int err;
	const char *code;
	const char *text;
};

static const struct errcode errcodes[] = {
    {PW_OK, "ok", "success"},
    {PW_EMALFORMED, "malformed", "the message is not a JSON object in one frame"},
    {PW_EINVALID, "invalid_request", "a field is missing, unknown or of the wrong type"},
    {PW_EUNKNOWN_CMD, "unknown_command", "no such command"},
    {PW_ETOOLARGE, "message_too_large", "the message is larger than allowed"},
    {PW_EUNKNOWN_ACTOR, "unknown_actor", "the actor is not a known person"},
    {PW_ENOTFOUND, "not_found", "no such record"},
    {PW_EEXISTS, "already_exists", "the record already exists"},
    {PW_EFORBIDDEN, "forbidden", "the actor may not do this"},
    {PW_ETRANSITION, "invalid_transition", "not allowed in the application's current state"},
    {PW_EFULL, "cohort_full", "the cohort has no place left"},
    {PW_ENOTELIGIBLE, "not_eligible", "the candidate does not meet the eligibility rules"},
    {PW_EINTERNAL, "internal_error", "the daemon could not complete the request"},
    {PW_ECONFIG, "config_error", "the configuration is not valid"},
    {PW_ESTORE, "internal_error", "the store failed"},
    {PW_EUNAUTHENTICATED, "unauthenticated",
     "no principal this request may come from: no key, an unknown or revoked key, or no token"},
    {PW_ETOKEN_INVALID, "token_invalid",
     "the token is malformed, forged, or made with a secret no longer honoured"},
    {PW_ETOKEN_EXPIRED, "token_expired", "the token has expired"},
    {PW_ETOKEN_USED, "token_used", "the token was already used"},
    {PW_ETOKEN_STALE, "token_stale", "the token's application has left the stage it was for"},
    {PW_ETOKEN_WRONG_PURPOSE, "token_wrong_purpose",
     "the token is not for this command or this application"},
    {PW_EOUTSIDE_WINDOW, "outside_window",
     "the cohort does not take applications now (outside its window)"},
    {PW_ETOO_EARLY, "too_early", "too early: the session or internship has not started"},
};

static const struct errcode *
errcode_find(int err)
{
	for (size_t i = 0; i < sizeof errcodes / sizeof errcodes[0]; i++)
		if (errcodes[i].err == err)
			return &errcodes[i];
	return &errcodes[12]; /* internal_error */
}

const char *
pw_errcode(int err)
{
	return errcode_find(err)->code;
}

const char *
pw_strerror(int err)
{
	return errcode_find(err)->text;
}

int
pw_errcode_parse(const char *code)
{
	for (size_t i = 0; i < sizeof errcodes / sizeof errcodes[0]; i++)
		if (strcmp(errcodes[i].code, code) == 0)
			return errcodes[i].err;
	return PW_EINTERNAL;
}

int
pw_fail(struct pw_status *st, int code, const char *fmt, ...)
{
	va_list ap;

	if (st == NULL)
		return code;
	st->code = code;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof st->msg, fmt, ap);
	va_end(ap);
	return code;
}

const char *const proto_roles[] = {"candidate", "headteacher", "coach",	 "rater",
				   "host",	"la_adviser",  "viewer", NULL};

int
proto_role_bit(const char *name)
{
	for (int i = 0; proto_roles[i] != NULL; i++)
		if (strcmp(proto_roles[i], name) == 0)
			return i;
	return -1;
}

void
proto_request_clear(struct pw_request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof *req);
}

/*
 * A request id is an integer, or 1..128 bytes of text without control
 * characters: the idempotency key holds it JSON-encoded, and this keeps that
 * encoding within LMDB's key size (a control character would take 6 bytes).
 */
static int
reqid_valid(const json_t *id)
{
	const unsigned char *s;
	size_t n;

	if (json_is_integer(id))
		return 1;
	if (!json_is_string(id))
		return 0;
	s = (const unsigned char *)json_string_value(id);
	n = json_string_length(id);
	if (n < 1 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
proto_request_decode(const void *buf, size_t len, size_t max_len, struct pw_request *req,
		     struct pw_status *st)
{
	json_error_t jerr;
	const char *key;
	json_t *val, *cmd, *actor;

	memset(req, 0, sizeof *req);
	if (len > max_len)
		return pw_fail(st, PW_ETOOLARGE, "request of %zu bytes exceeds the limit of %zu",
			       len, max_len);
	req->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->root == NULL)
		return pw_fail(st, PW_EMALFORMED, "not valid JSON: %s (at byte %d)", jerr.text,
			       jerr.position);
	if (!json_is_object(req->root))
		return pw_fail(st, PW_EMALFORMED, "the request must be a JSON object");

	val = json_object_get(req->root, "id");
	if (val != NULL && reqid_valid(val))
		req->id = val;
	if (val == NULL)
		return pw_fail(st, PW_EINVALID, "missing field 'id'");
	if (req->id == NULL)
		return pw_fail(st, PW_EINVALID,
			       "'id' must be an integer or a string of 1 to 128 bytes "
			       "without control characters");
	json_object_foreach(req->root, key, val)
	{
		if (strcmp(key, "id") && strcmp(key, "cmd") && strcmp(key, "actor") &&
		    strcmp(key, "args") && strcmp(key, "token"))
			return pw_fail(st, PW_EINVALID, "unknown field '%s'", key);
	}
	cmd = json_object_get(req->root, "cmd");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0)
		return pw_fail(st, PW_EINVALID, "'cmd' must be a non-empty string");
	/* Who acts: required of the operator, implied by a person's key or token (request.c). */
	actor = json_object_get(req->root, "actor");
	if (actor != NULL && (!json_is_string(actor) || !pw_id_valid(json_string_value(actor))))
		return pw_fail(st, PW_EINVALID, "'actor' must be a person id");
	val = json_object_get(req->root, "token");
	if (val != NULL &&
	    (!json_is_string(val) || json_string_length(val) < 1 || json_string_length(val) > 512))
		return pw_fail(st, PW_EINVALID, "'token' must be a string of 1 to 512 bytes");
	req->cmd = json_string_value(cmd);
	req->actor = json_string_value(actor);
	req->token = json_string_value(val);
	req->args = json_object_get(req->root, "args");
	if (req->args == NULL) {
		req->args = json_object();
		json_object_set_new(req->root, "args", req->args);
	}
	if (!json_is_object(req->args))
		return pw_fail(st, PW_EINVALID, "'args' must be an object");
	return 0;
}

static int
enum_has(const char *values, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = values; p != NULL && *p != '\0';) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int
field_check(const json_t *v, const struct proto_field *f, struct pw_status *st)
{
	int64_t days;
	size_t i;
	json_t *e;
	const char *k;

	switch (f->type) {
	case PT_STRING:
		if (!json_is_string(v) || json_string_length(v) > 4096)
			return pw_fail(st, PW_EINVALID,
				       "'%s' must be a string of at most 4096 bytes", f->name);
		return 0;
	case PT_EMAIL:
		if (!json_is_string(v) || json_string_length(v) != strlen(json_string_value(v)) ||
		    !pw_email_valid(json_string_value(v)))
			return pw_fail(st, PW_EINVALID,
				       "'%s' must be one email address (name@example.org)",
				       f->name);
		return 0;
	case PT_ID:
		if (!json_is_string(v) || !pw_id_valid(json_string_value(v)))
			return pw_fail(st, PW_EINVALID,
				       "'%s' must be an id: 1 to 64 of A-Z a-z 0-9 . _ -", f->name);
		return 0;
	case PT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > INT32_MAX)
			return pw_fail(st, PW_EINVALID, "'%s' must be a non-negative integer",
				       f->name);
		return 0;
	case PT_BOOL:
		if (!json_is_boolean(v))
			return pw_fail(st, PW_EINVALID, "'%s' must be true or false", f->name);
		return 0;
	case PT_DATE:
		if (!json_is_string(v) || pw_date_parse(json_string_value(v), &days) != 0)
			return pw_fail(st, PW_EINVALID, "'%s' must be a date YYYY-MM-DD", f->name);
		return 0;
	case PT_IDS:
		if (!json_is_array(v) || json_array_size(v) > 1000)
			return pw_fail(st, PW_EINVALID, "'%s' must be an array of at most 1000 ids",
				       f->name);
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e) || !pw_id_valid(json_string_value(e)))
				return pw_fail(st, PW_EINVALID, "'%s'[%zu] is not a valid id",
					       f->name, i);
		}
		return 0;
	case PT_ROLES:
		if (!json_is_array(v) || json_array_size(v) == 0)
			return pw_fail(st, PW_EINVALID, "'%s' must be a non-empty array of roles",
				       f->name);
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e) || proto_role_bit(json_string_value(e)) < 0)
				return pw_fail(st, PW_EINVALID,
					       "'%s'[%zu] is not a role (candidate, headteacher, "
					       "coach, rater, host, la_adviser, viewer)",
					       f->name, i);
		}
		return 0;
	case PT_FACTS:
		if (!json_is_object(v) || json_object_size(v) > 64)
			return pw_fail(st, PW_EINVALID,
				       "'%s' must be an object of at most 64 facts", f->name);
		json_object_foreach((json_t *)v, k, e)
		{
			if (!pw_id_valid(k) ||
			    !(json_is_string(e) || json_is_number(e) || json_is_boolean(e)))
				return pw_fail(
				    st, PW_EINVALID,
				    "fact '%s' must have an id name and a string, number "
				    "or boolean value",
				    k);
		}
		return 0;
	case PT_OBJECT:
		if (!json_is_object(v))
			return pw_fail(st, PW_EINVALID, "'%s' must be an object", f->name);
		return 0;
	case PT_ENUM:
		if (!json_is_string(v) || !enum_has(f->values, json_string_value(v)))
			return pw_fail(st, PW_EINVALID, "'%s' must be one of %s", f->name,
				       f->values);
		return 0;
	}
	fatal("unknown field type %d", f->type);
}

int
proto_args_check(const json_t *args, const struct proto_field *fields, struct pw_status *st)
{
	const struct proto_field *f;
	const char *key;
	json_t *val;
	int rc;

	json_object_foreach((json_t *)args, key, val)
	{
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL)
			return pw_fail(st, PW_EINVALID, "unknown argument '%s'", key);
		rc = field_check(val, f, st);
		if (rc != 0)
			return rc;
	}
	for (f = fields; f->name != NULL; f++)
		if (f->required && json_object_get(args, f->name) == NULL)
			return pw_fail(st, PW_EINVALID, "missing argument '%s'", f->name);
	return 0;
}

json_t *
proto_reply_ok(json_t *id, json_t *data)
{
	return json_pack("{s:O, s:b, s:o}", "id", id ? id : json_null(), "ok", 1, "data",
			 data ? data : json_object());
}

json_t *
proto_reply_err(json_t *id, int code, const char *message)
{
	return json_pack("{s:O, s:b, s:{s:s, s:s}}", "id", id ? id : json_null(), "ok", 0, "error",
			 "code", pw_errcode(code), "message",
			 message ? message : pw_strerror(code));
}

json_t *
proto_request_new(json_t *id, const char *cmd, const char *actor, json_t *args)
{
	return json_pack("{s:O, s:s, s:s*, s:o}", "id", id ? id : json_null(), "cmd", cmd, "actor",
			 actor, "args", args ? args : json_object());
}

char *
proto_encode(const json_t *msg)
{
	char *s = pw_json_dumps(msg, JSON_COMPACT);

	if (s == NULL)
		fatal("cannot encode a JSON message");
	return s;
}

static int
string_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

void
pw_json_sort(json_t *a, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(a), i;
	json_t **v;

	if (n < 2)
		return;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof *v, cmp);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
}

void
pw_strings_sort(json_t *a)
{
	pw_json_sort(a, string_cmp);
}
