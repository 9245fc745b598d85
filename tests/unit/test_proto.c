/*
 * test_proto.c: the wire protocol library (proto/proto.c, proto/util.c):
 * request envelope decoding, argument schemas, the error code table, reply
 * encoding, and the time, date and identifier helpers.
 */
#include "unit.h"

#include <ctype.h>

#include "cmd/cmd.h"
#include "proto.h"

/* Decode a NUL-terminated request; returns the code, req filled. */
static int
decode(const char *text, struct pw_request *req, struct pw_status *st)
{
	memset(st, 0, sizeof *st);
	return proto_request_decode(text, strlen(text), 65536, req, st);
}

static void
expect_fail(const char *text, int code, const char *msg_part, int id_readable)
{
	struct pw_request req;
	struct pw_status st;
	int rc = decode(text, &req, &st);

	if (rc != code)
		fail_msg("%s: got %d (%s), want %d", text, rc, st.msg, code);
	assert_int_equal(st.code, code);
	assert_true(strlen(st.msg) > 0);
	if (msg_part != NULL && strstr(st.msg, msg_part) == NULL)
		fail_msg("%s: message '%s' does not mention '%s'", text, st.msg, msg_part);
	if (id_readable)
		assert_non_null(req.id);
	else
		assert_null(req.id);
	proto_request_clear(&req);
	assert_null(req.root);
}

static void
test_decode_valid(void **state)
{
	struct pw_request req;
	struct pw_status st;

	(void)state;
	assert_int_equal(decode("{\"id\": \"c1-000042\", \"cmd\": \"application.signoff\", "
				"\"actor\": \"p-head-1\", \"args\": {\"app\": \"A000007\"}}",
				&req, &st),
			 0);
	assert_string_equal(json_string_value(req.id), "c1-000042");
	assert_string_equal(req.cmd, "application.signoff");
	assert_string_equal(req.actor, "p-head-1");
	assert_true(json_is_object(req.args));
	assert_string_equal(json_string_value(json_object_get(req.args, "app")), "A000007");
	proto_request_clear(&req);

	/* args is optional and becomes {} */
	assert_int_equal(
	    decode("{\"id\": 7, \"cmd\": \"system.ping\", \"actor\": \"operator\"}", &req, &st), 0);
	assert_true(json_is_integer(req.id));
	assert_int_equal(json_integer_value(req.id), 7);
	assert_true(json_is_object(req.args));
	assert_int_equal(json_object_size(req.args), 0);
	proto_request_clear(&req);

	/* a negative or zero integer id is still an integer id */
	assert_int_equal(
	    decode("{\"id\": 0, \"cmd\": \"system.ping\", \"actor\": \"operator\"}", &req, &st), 0);
	assert_int_equal(json_integer_value(req.id), 0);
	proto_request_clear(&req);
}

static void
test_decode_malformed(void **state)
{
	(void)state;
	expect_fail("", PW_EMALFORMED, NULL, 0);
	expect_fail("{\"id\": ", PW_EMALFORMED, "JSON", 0);
	expect_fail("{\"id\": 1, \"cmd\": \"system.ping\", \"actor\": \"operator\"} trailing",
		    PW_EMALFORMED, NULL, 0);
	expect_fail("{'id': 1}", PW_EMALFORMED, NULL, 0);
	/* not UTF-8 */
	expect_fail("{\"id\": \"\xff\xfe\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EMALFORMED, NULL, 0);
	/* duplicate keys are refused, not resolved silently */
	expect_fail("{\"id\": 1, \"id\": 2, \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EMALFORMED, NULL, 0);
}

static void
test_decode_embedded_nul(void **state)
{
	static const char buf[] =
	    "{\"id\": 1, \"cmd\": \"system.ping\", \"actor\": \"operator\"}\0x";
	struct pw_request req;
	struct pw_status st;

	(void)state;
	assert_int_equal(proto_request_decode(buf, sizeof buf - 1, 65536, &req, &st),
			 PW_EMALFORMED);
	assert_null(req.id);
	proto_request_clear(&req);
}

static void
test_decode_not_object(void **state)
{
	(void)state;
	expect_fail("[1, 2]", PW_EMALFORMED, "object", 0);
	/* scalars are refused by the JSON parser itself (no JSON_DECODE_ANY) */
	expect_fail("\"system.ping\"", PW_EMALFORMED, NULL, 0);
	expect_fail("42", PW_EMALFORMED, NULL, 0);
	expect_fail("null", PW_EMALFORMED, NULL, 0);
	expect_fail("true", PW_EMALFORMED, NULL, 0);
}

static void
test_decode_missing_fields(void **state)
{
	struct pw_request req;
	struct pw_status st;

	(void)state;
	expect_fail("{\"cmd\": \"system.ping\", \"actor\": \"operator\"}", PW_EINVALID, "'id'", 0);
	expect_fail("{}", PW_EINVALID, "'id'", 0);
	/* the id could be read: the error can echo it */
	expect_fail("{\"id\": \"r1\", \"actor\": \"operator\"}", PW_EINVALID, "'cmd'", 1);
	/* no actor: the daemon asks one of the operator, a key or token implies it (request.c) */
	assert_int_equal(decode("{\"id\": \"r1\", \"cmd\": \"system.ping\"}", &req, &st), 0);
	assert_null(req.actor);
	proto_request_clear(&req);
}

static void
test_decode_extra_fields(void **state)
{
	(void)state;
	expect_fail("{\"id\": \"r1\", \"cmd\": \"system.ping\", \"actor\": \"operator\", "
		    "\"extra\": 1}",
		    PW_EINVALID, "extra", 1);
	expect_fail("{\"id\": \"r1\", \"cmd\": \"system.ping\", \"actor\": \"operator\", "
		    "\"Args\": {}}",
		    PW_EINVALID, "Args", 1);
}

static void
test_decode_wrong_types(void **state)
{
	(void)state;
	expect_fail("{\"id\": \"r1\", \"cmd\": 5, \"actor\": \"operator\"}", PW_EINVALID, "'cmd'",
		    1);
	expect_fail("{\"id\": \"r1\", \"cmd\": \"\", \"actor\": \"operator\"}", PW_EINVALID,
		    "'cmd'", 1);
	expect_fail("{\"id\": \"r1\", \"cmd\": \"system.ping\", \"actor\": 5}", PW_EINVALID,
		    "'actor'", 1);
	expect_fail("{\"id\": \"r1\", \"cmd\": \"system.ping\", \"actor\": \"no spaces\"}",
		    PW_EINVALID, "'actor'", 1);
	expect_fail("{\"id\": \"r1\", \"cmd\": \"system.ping\", \"actor\": \"operator\", "
		    "\"args\": []}",
		    PW_EINVALID, "'args'", 1);
	expect_fail("{\"id\": \"r1\", \"cmd\": \"system.ping\", \"actor\": \"operator\", "
		    "\"args\": null}",
		    PW_EINVALID, "'args'", 1);
	/* ids that are neither a string nor an integer */
	expect_fail("{\"id\": true, \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EINVALID, "'id'", 0);
	expect_fail("{\"id\": 1.5, \"cmd\": \"system.ping\", \"actor\": \"operator\"}", PW_EINVALID,
		    "'id'", 0);
	expect_fail("{\"id\": null, \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EINVALID, "'id'", 0);
	expect_fail("{\"id\": {}, \"cmd\": \"system.ping\", \"actor\": \"operator\"}", PW_EINVALID,
		    "'id'", 0);
	expect_fail("{\"id\": [1], \"cmd\": \"system.ping\", \"actor\": \"operator\"}", PW_EINVALID,
		    "'id'", 0);
}

static void
test_decode_id_length(void **state)
{
	char id[140], *text;
	struct pw_request req;
	struct pw_status st;

	(void)state;
	expect_fail("{\"id\": \"\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EINVALID, "'id'", 0);
	memset(id, 'x', 128);
	id[128] = '\0';
	text = xasprintf("{\"id\": \"%s\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}", id);
	assert_int_equal(decode(text, &req, &st), 0);
	assert_int_equal(json_string_length(req.id), 128);
	proto_request_clear(&req);
	free(text);
	id[128] = 'x';
	id[129] = '\0';
	text = xasprintf("{\"id\": \"%s\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}", id);
	expect_fail(text, PW_EINVALID, "128", 0);
	free(text);
	/* Control characters would take six bytes each in the idempotency key. */
	expect_fail("{\"id\": \"a\\nb\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EINVALID, "control characters", 0);
	expect_fail("{\"id\": \"\\u001f\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EINVALID, "control characters", 0);
	expect_fail("{\"id\": \"\\u007f\", \"cmd\": \"system.ping\", \"actor\": \"operator\"}",
		    PW_EINVALID, "control characters", 0);
}

static void
test_decode_too_large(void **state)
{
	const char *text = "{\"id\": 1, \"cmd\": \"system.ping\", \"actor\": \"operator\"}";
	struct pw_request req;
	struct pw_status st;

	(void)state;
	assert_int_equal(proto_request_decode(text, strlen(text), strlen(text) - 1, &req, &st),
			 PW_ETOOLARGE);
	assert_int_equal(st.code, PW_ETOOLARGE);
	assert_null(req.root);
	proto_request_clear(&req);
	assert_int_equal(proto_request_decode(text, strlen(text), strlen(text), &req, &st), 0);
	proto_request_clear(&req);
}

static void
test_unknown_command(void **state)
{
	struct pw_request req;
	struct pw_status st;

	(void)state;
	/* the envelope is fine; the command table does not know the name */
	assert_int_equal(decode("{\"id\": 1, \"cmd\": \"application.teleport\", "
				"\"actor\": \"operator\"}",
				&req, &st),
			 0);
	assert_null(cmd_find(req.cmd));
	proto_request_clear(&req);
	assert_null(cmd_find("system"));
	assert_null(cmd_find("system.ping "));
	assert_null(cmd_find("SYSTEM.PING"));
	assert_non_null(cmd_find("system.ping"));
	assert_non_null(cmd_find("application.create"));
	assert_non_null(cmd_find("application.record_progression"));
	assert_string_equal(pw_errcode(PW_EUNKNOWN_CMD), "unknown_command");
}

/* Argument schemas. */

static const struct proto_field schema[] = {
    {"s", PT_STRING, 0, NULL},
    {"id", PT_ID, 1, NULL},
    {"n", PT_INT, 0, NULL},
    {"b", PT_BOOL, 0, NULL},
    {"d", PT_DATE, 0, NULL},
    {"ids", PT_IDS, 0, NULL},
    {"roles", PT_ROLES, 0, NULL},
    {"facts", PT_FACTS, 0, NULL},
    {"e", PT_ENUM, 0, "accept|waitlist|reject"},
    {NULL, 0, 0, NULL},
};

/* Check {"id": "x", <extra>} against schema; returns the code. */
static int
check_args(const char *extra, struct pw_status *st)
{
	char *text = xasprintf("{\"id\": \"x\"%s%s}", extra[0] ? ", " : "", extra);
	json_error_t jerr;
	json_t *args = json_loads(text, 0, &jerr);
	int rc;

	if (args == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	memset(st, 0, sizeof *st);
	rc = proto_args_check(args, schema, st);
	json_decref(args);
	free(text);
	return rc;
}

static void
arg_ok(const char *extra)
{
	struct pw_status st;
	int rc = check_args(extra, &st);

	if (rc != 0)
		fail_msg("%s: refused: %s", extra, st.msg);
}

static void
arg_bad(const char *extra, const char *field)
{
	struct pw_status st;
	int rc = check_args(extra, &st);

	if (rc != PW_EINVALID)
		fail_msg("%s: got %d, want invalid_request", extra, rc);
	assert_int_equal(st.code, PW_EINVALID);
	if (strstr(st.msg, field) == NULL)
		fail_msg("%s: message '%s' does not name '%s'", extra, st.msg, field);
}

static void
test_args_types(void **state)
{
	char *big;

	(void)state;
	arg_ok("");
	arg_ok("\"s\": \"\", \"n\": 0, \"b\": false, \"d\": \"2028-02-29\", \"ids\": [], "
	       "\"roles\": [\"coach\", \"la_adviser\"], \"facts\": {\"years_as_head\": 3, "
	       "\"good\": true, \"phase\": \"primary\", \"score\": 2.5}, \"e\": \"waitlist\"");
	arg_ok("\"n\": 2147483647");

	arg_bad("\"s\": 5", "'s'");
	arg_bad("\"s\": null", "'s'");
	arg_bad("\"n\": -1", "'n'");
	arg_bad("\"n\": \"3\"", "'n'");
	arg_bad("\"n\": 1.0", "'n'");
	arg_bad("\"n\": 2147483648", "'n'");
	arg_bad("\"b\": 1", "'b'");
	arg_bad("\"b\": \"true\"", "'b'");
	arg_bad("\"d\": \"2026-02-30\"", "'d'");
	arg_bad("\"d\": \"2027-02-29\"", "'d'");
	arg_bad("\"d\": \"2026-2-3\"", "'d'");
	arg_bad("\"d\": \"2026-02-03T00:00:00Z\"", "'d'");
	arg_bad("\"d\": 20260203", "'d'");
	arg_bad("\"ids\": [\"a\", \"b c\"]", "'ids'");
	arg_bad("\"ids\": [\"a\", 1]", "'ids'");
	arg_bad("\"ids\": \"a\"", "'ids'");
	arg_bad("\"roles\": []", "'roles'");
	arg_bad("\"roles\": [\"coach\", \"headmaster\"]", "'roles'");
	arg_bad("\"roles\": \"coach\"", "'roles'");
	arg_bad("\"facts\": {\"x\": [1]}", "'x'");
	arg_bad("\"facts\": {\"x\": {\"y\": 1}}", "'x'");
	arg_bad("\"facts\": {\"x\": null}", "'x'");
	arg_bad("\"facts\": {\"a b\": 1}", "'a b'");
	arg_bad("\"facts\": []", "'facts'");
	arg_bad("\"e\": \"acc\"", "'e'");
	arg_bad("\"e\": \"accept|waitlist\"", "'e'");
	arg_bad("\"e\": \"\"", "'e'");
	arg_bad("\"e\": \"ACCEPT\"", "'e'");
	arg_bad("\"e\": 1", "'e'");

	/* strings up to 4096 bytes */
	big = xmalloc(4100 + 16);
	strcpy(big, "\"s\": \"");
	memset(big + 6, 'a', 4096);
	strcpy(big + 6 + 4096, "\"");
	arg_ok(big);
	strcpy(big + 6 + 4096, "a\"");
	arg_bad(big, "'s'");
	free(big);
}

static void
test_args_ids(void **state)
{
	char id65[66], *text;

	(void)state;
	memset(id65, 'a', 65);
	id65[65] = '\0';
	text = xasprintf("\"ids\": [\"%.*s\"]", 64, id65);
	arg_ok(text);
	free(text);
	text = xasprintf("\"ids\": [\"%s\"]", id65);
	arg_bad(text, "'ids'");
	free(text);
	{
		/* at most 1000 ids */
		json_t *args = json_pack("{s:s, s:[]}", "id", "x", "ids");
		struct pw_status st;

		for (int i = 0; i < 1000; i++)
			json_array_append_new(json_object_get(args, "ids"), json_string("a"));
		assert_int_equal(proto_args_check(args, schema, &st), 0);
		json_array_append_new(json_object_get(args, "ids"), json_string("a"));
		assert_int_equal(proto_args_check(args, schema, &st), PW_EINVALID);
		json_decref(args);
	}
}

static void
test_args_missing_unknown(void **state)
{
	struct pw_status st;
	json_t *args;

	(void)state;
	args = json_object();
	assert_int_equal(proto_args_check(args, schema, &st), PW_EINVALID);
	assert_non_null(strstr(st.msg, "missing"));
	assert_non_null(strstr(st.msg, "'id'"));
	json_decref(args);

	arg_bad("\"other\": 1", "'other'");
	arg_bad("\"ID\": \"x\"", "'ID'");
	arg_bad("\"id \": \"x\"", "'id '");
	/* a required field of the wrong type */
	args = json_pack("{s:i}", "id", 1);
	assert_int_equal(proto_args_check(args, schema, &st), PW_EINVALID);
	assert_non_null(strstr(st.msg, "'id'"));
	json_decref(args);
	/* st may be NULL */
	args = json_object();
	assert_int_equal(proto_args_check(args, schema, NULL), PW_EINVALID);
	json_decref(args);
}

/* The real command schemas refuse what PROTOCOL.md says they refuse. */
static void
test_args_command_schemas(void **state)
{
	static const struct {
		const char *cmd, *args;
		int ok;
	} cases[] = {
	    {"system.ping", "{}", 1},
	    {"system.ping", "{\"x\": 1}", 0},
	    {"application.decide", "{\"app\": \"A000001\", \"outcome\": \"accept\"}", 1},
	    {"application.decide",
	     "{\"app\": \"A000001\", \"outcome\": \"accept\", \"note\": \"strong\"}", 1},
	    {"application.decide", "{\"app\": \"A000001\", \"outcome\": \"maybe\"}", 0},
	    {"application.decide", "{\"app\": \"A000001\"}", 0},
	    {"application.create", "{\"cohort\": \"ntp-2026-27\", \"candidate\": \"p1\"}", 1},
	    {"application.create",
	     "{\"cohort\": \"ntp-2026-27\", \"candidate\": \"p1\", \"route\": \"nomination\"}", 1},
	    {"application.create",
	     "{\"cohort\": \"ntp-2026-27\", \"candidate\": \"p1\", \"route\": \"walk-in\"}", 0},
	    {"application.place_internship",
	     "{\"app\": \"A1\", \"host_school\": \"s1\", \"start\": \"2027-03-01\", "
	     "\"end\": \"2027-03-03\"}",
	     1},
	    {"application.place_internship",
	     "{\"app\": \"A1\", \"host_school\": \"s1\", \"start\": \"2027-02-30\", "
	     "\"end\": \"2027-03-03\"}",
	     0},
	    {"application.confirm_internship", "{\"app\": \"A1\", \"days\": -1}", 0},
	    {"application.record_attendance",
	     "{\"app\": \"A1\", \"session\": \"TP1\", \"present\": \"yes\"}", 0},
	    {"person.create",
	     "{\"id\": \"p1\", \"name\": \"N\", \"email\": \"e@x\", \"roles\": []}", 0},
	    {"person.create",
	     "{\"id\": \"p1\", \"name\": \"N\", \"email\": \"e@x\", \"roles\": [\"rater\"]}", 1},
	    {"events.since", "{\"after\": 0}", 1},
	    {"events.since", "{}", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cmd_entry *e = cmd_find(cases[i].cmd);
		json_t *args = json_loads(cases[i].args, 0, NULL);
		struct pw_status st;
		int rc;

		assert_non_null(e);
		assert_non_null(args);
		rc = proto_args_check(args, e->args, &st);
		if ((rc == 0) != cases[i].ok)
			fail_msg("%s %s: got %d, want %s", cases[i].cmd, cases[i].args, rc,
				 cases[i].ok ? "ok" : "invalid_request");
		if (!cases[i].ok)
			assert_int_equal(rc, PW_EINVALID);
		json_decref(args);
	}
}

/* Error codes. */

static int
snake_case(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '_')
		return 0;
	for (; *s != '\0'; s++)
		if (!(islower((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static void
test_error_table(void **state)
{
	/* the wire codes of PROTOCOL.md, "Error codes", in order */
	static const struct {
		int err;
		const char *code;
	} wire[] = {
	    {PW_EMALFORMED, "malformed"},	    {PW_EINVALID, "invalid_request"},
	    {PW_EUNKNOWN_CMD, "unknown_command"},   {PW_ETOOLARGE, "message_too_large"},
	    {PW_EUNKNOWN_ACTOR, "unknown_actor"},   {PW_ENOTFOUND, "not_found"},
	    {PW_EEXISTS, "already_exists"},	    {PW_EFORBIDDEN, "forbidden"},
	    {PW_ETRANSITION, "invalid_transition"}, {PW_EFULL, "cohort_full"},
	    {PW_ENOTELIGIBLE, "not_eligible"},	    {PW_EINTERNAL, "internal_error"},
	};

	(void)state;
	for (int err = 0; err >= PW_ERR_MIN; err--) {
		const char *code = pw_errcode(err), *text = pw_strerror(err);

		if (!snake_case(code))
			fail_msg("error %d has code '%s'", err, code ? code : "(null)");
		assert_non_null(text);
		assert_true(strlen(text) > 5);
		/* every failure has its own text */
		for (int other = err + 1; other >= PW_ERR_MIN && other < 0; other++)
			if (err < 0 && strcmp(text, pw_strerror(other)) == 0)
				fail_msg("errors %d and %d share the text '%s'", err, other, text);
	}
	for (size_t i = 0; i < sizeof wire / sizeof wire[0]; i++) {
		assert_string_equal(pw_errcode(wire[i].err), wire[i].code);
		assert_int_equal(pw_errcode_parse(wire[i].code), wire[i].err);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(wire[i].code, wire[j].code);
	}
	/* a store failure crosses the wire as internal_error */
	assert_string_equal(pw_errcode(PW_ESTORE), "internal_error");
	assert_string_equal(pw_errcode(PW_OK), "ok");
	/* anything unknown is internal_error, never NULL */
	assert_string_equal(pw_errcode(-1000), "internal_error");
	assert_string_equal(pw_errcode(5), "internal_error");
	assert_non_null(pw_strerror(-1000));
	assert_int_equal(pw_errcode_parse("no_such_code"), PW_EINTERNAL);
	assert_int_equal(pw_errcode_parse(""), PW_EINTERNAL);
}

static void
test_pw_fail(void **state)
{
	struct pw_status st;

	(void)state;
	assert_int_equal(pw_fail(&st, PW_ENOTFOUND, "no %s '%s'", "application", "A9"),
			 PW_ENOTFOUND);
	assert_int_equal(st.code, PW_ENOTFOUND);
	assert_string_equal(st.msg, "no application 'A9'");
	assert_int_equal(pw_fail(NULL, PW_EFULL, "x"), PW_EFULL);
	{
		/* long messages are truncated, not overflowed */
		char big[600];

		memset(big, 'm', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		pw_fail(&st, PW_EINVALID, "%s", big);
		assert_int_equal(strlen(st.msg), PW_MSG_LEN - 1);
	}
}

static void
test_roles(void **state)
{
	static const struct {
		const char *name;
		int bit;
	} roles[] = {
	    {"candidate", ROLE_CANDIDATE}, {"headteacher", ROLE_HEADTEACHER},
	    {"coach", ROLE_COACH},	   {"rater", ROLE_RATER},
	    {"host", ROLE_HOST},	   {"la_adviser", ROLE_LA_ADVISER},
	    {"viewer", ROLE_VIEWER},
	};
	int all = 0;

	(void)state;
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		int idx = proto_role_bit(roles[i].name);

		assert_true(idx >= 0);
		assert_int_equal(1 << idx, roles[i].bit);
		assert_string_equal(proto_roles[idx], roles[i].name);
		all |= 1 << idx;
	}
	assert_int_equal(all, ROLE_ANY);
	assert_null(proto_roles[7]);
	assert_int_equal(proto_role_bit("headmaster"), -1);
	assert_int_equal(proto_role_bit(""), -1);
	assert_int_equal(proto_role_bit("Coach"), -1);
}

/* Replies. */

static void
expect_encoding(json_t *msg, const char *want)
{
	char *s = proto_encode(msg);

	assert_string_equal(s, want);
	free(s);
	json_decref(msg);
}

static void
test_reply_encoding(void **state)
{
	json_t *id = json_string("c1-000042"), *num = json_integer(42);

	(void)state;
	expect_encoding(proto_reply_ok(id, json_pack("{s:i}", "head", 3)),
			"{\"id\":\"c1-000042\",\"ok\":true,\"data\":{\"head\":3}}");
	expect_encoding(proto_reply_ok(num, NULL), "{\"id\":42,\"ok\":true,\"data\":{}}");
	expect_encoding(proto_reply_ok(NULL, NULL), "{\"id\":null,\"ok\":true,\"data\":{}}");
	expect_encoding(proto_reply_err(id, PW_EFORBIDDEN, "p1 may not sign off A1"),
			"{\"id\":\"c1-000042\",\"ok\":false,\"error\":{\"code\":\"forbidden\","
			"\"message\":\"p1 may not sign off A1\"}}");
	/* no message: the code's text */
	{
		json_t *r = proto_reply_err(NULL, PW_EFULL, NULL);
		json_t *err = json_object_get(r, "error");

		assert_true(json_is_null(json_object_get(r, "id")));
		assert_true(json_is_false(json_object_get(r, "ok")));
		assert_string_equal(json_string_value(json_object_get(err, "code")), "cohort_full");
		assert_string_equal(json_string_value(json_object_get(err, "message")),
				    pw_strerror(PW_EFULL));
		json_decref(r);
	}
	/* ids are borrowed: still ours */
	assert_int_equal(id->refcount, 1);
	assert_int_equal(num->refcount, 1);
	json_decref(id);
	json_decref(num);
}

static void
test_request_roundtrip(void **state)
{
	json_t *id = json_string("r-1");
	json_t *msg =
	    proto_request_new(id, "application.decide", "operator",
			      json_pack("{s:s, s:s}", "app", "A000001", "outcome", "waitlist"));
	char *s = proto_encode(msg);
	struct pw_request req;
	struct pw_status st;

	(void)state;
	assert_int_equal(decode(s, &req, &st), 0);
	assert_string_equal(json_string_value(req.id), "r-1");
	assert_string_equal(req.cmd, "application.decide");
	assert_string_equal(req.actor, "operator");
	assert_string_equal(json_string_value(json_object_get(req.args, "outcome")), "waitlist");
	assert_int_equal(proto_args_check(req.args, cmd_find(req.cmd)->args, &st), 0);
	proto_request_clear(&req);
	free(s);
	json_decref(msg);
	json_decref(id);
}

/* util.c: times, dates, identifiers. */

static void
test_time_roundtrip(void **state)
{
	static const char *const times[] = {
	    "1970-01-01T00:00:00Z", "2026-11-22T15:37:50Z", "2028-02-29T23:59:59Z",
	    "2026-10-25T01:30:00Z", "2027-03-28T00:59:59Z", "2000-02-29T12:00:00Z",
	    "2099-12-31T23:59:59Z", "2026-09-01T07:00:00Z",
	};
	char buf[PW_TIME_LEN];
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		assert_int_equal(pw_time_parse(times[i], &t), 0);
		assert_string_equal(pw_time_format(t, buf), times[i]);
	}
	assert_int_equal(pw_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(pw_time_parse("2026-11-22T15:37:50Z", &t), 0);
	assert_int_equal(t, 1795361870);
	/* and the other way: every hour over a few years */
	for (int64_t x = 1767225600; x < 1767225600 + 3 * 366 * 86400; x += 3599) {
		int64_t y;

		pw_time_format(x, buf);
		assert_int_equal(pw_time_parse(buf, &y), 0);
		assert_int_equal(y, x);
	}
}

static void
test_time_invalid(void **state)
{
	static const char *const bad[] = {
	    "",
	    "2026-02-30T00:00:00Z",
	    "2026-13-01T00:00:00Z",
	    "2026-00-10T00:00:00Z",
	    "2026-01-00T00:00:00Z",
	    "2027-02-29T00:00:00Z",
	    "2026-01-01T24:00:00Z",
	    "2026-01-01T23:60:00Z",
	    "2026-01-01T23:59:61Z",
	    "2026-01-01 00:00:00Z",
	    "2026-01-01T00:00:00",
	    "2026-01-01T00:00:00+00:00",
	    "2026-01-01T00:00:00Zx",
	    "2026-1-01T00:00:00Z",
	    "26-01-01T00:00:00Z",
	    "2026-01-01t00:00:00z",
	    "2026-01-01T0a:00:00Z",
	    "-026-01-01T00:00:00Z",
	};
	int64_t t = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (pw_time_parse(bad[i], &t) != -1)
			fail_msg("'%s' parsed as a time", bad[i]);
	assert_int_equal(t, 12345);
}

static void
test_dates(void **state)
{
	static const char *const bad[] = {
	    "2026-02-30", "2026-02-29", "1900-02-29", "2100-02-29",  "2026-04-31",  "2026-06-31",
	    "2026-09-31", "2026-11-31", "2026-13-01", "2026-00-01",  "2026-01-32",  "2026-1-1",
	    "2026-01-1",  "20260101",	"2026/01/01", "2026-01-01 ", " 2026-01-01", "",
	};
	char buf[PW_TIME_LEN];
	int64_t d;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (pw_date_parse(bad[i], &d) != -1)
			fail_msg("'%s' parsed as a date", bad[i]);
	assert_int_equal(pw_date_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(pw_date_parse("2000-02-29", &d), 0);
	assert_int_equal(d, 11016);
	assert_int_equal(pw_date_parse("2028-02-29", &d), 0);
	assert_int_equal(pw_date_parse("1969-12-31", &d), 0);
	assert_int_equal(d, -1);
	/* days_from_civil agrees with the C library for every day of 1900..2100 */
	for (int64_t day = -25567; day < 47482; day++) {
		int64_t back;

		pw_time_format(day * 86400, buf);
		buf[10] = '\0';
		assert_int_equal(pw_date_parse(buf, &back), 0);
		assert_int_equal(back, day);
	}
	assert_int_equal(pw_days_from_civil(2026, 10, 25), 20751);
}

static void
test_hhmm(void **state)
{
	int m = -1;

	(void)state;
	assert_int_equal(pw_hhmm_parse("00:00", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(pw_hhmm_parse("09:00", &m), 0);
	assert_int_equal(m, 540);
	assert_int_equal(pw_hhmm_parse("23:59", &m), 0);
	assert_int_equal(m, 1439);
	assert_int_equal(pw_hhmm_parse("24:00", &m), -1);
	assert_int_equal(pw_hhmm_parse("12:60", &m), -1);
	assert_int_equal(pw_hhmm_parse("9:00", &m), -1);
	assert_int_equal(pw_hhmm_parse("09-00", &m), -1);
	assert_int_equal(pw_hhmm_parse("09:00:00", &m), -1);
	assert_int_equal(pw_hhmm_parse("", &m), -1);
}

static void
test_id_valid(void **state)
{
	char id[70];

	(void)state;
	assert_true(pw_id_valid("A000007"));
	assert_true(pw_id_valid("ntp-2026-27"));
	assert_true(pw_id_valid("p.cand_1-x"));
	assert_true(pw_id_valid("a"));
	assert_false(pw_id_valid(""));
	assert_false(pw_id_valid("a b"));
	assert_false(pw_id_valid("a/b"));
	assert_false(pw_id_valid("a\\b"));
	assert_false(pw_id_valid("a:b"));
	assert_false(pw_id_valid("caf\xc3\xa9"));
	assert_false(pw_id_valid("a\nb"));
	assert_false(pw_id_valid("a\"b"));
	memset(id, 'z', 64);
	id[64] = '\0';
	assert_true(pw_id_valid(id));
	id[64] = 'z';
	id[65] = '\0';
	assert_false(pw_id_valid(id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_valid),
	    cmocka_unit_test(test_decode_malformed),
	    cmocka_unit_test(test_decode_embedded_nul),
	    cmocka_unit_test(test_decode_not_object),
	    cmocka_unit_test(test_decode_missing_fields),
	    cmocka_unit_test(test_decode_extra_fields),
	    cmocka_unit_test(test_decode_wrong_types),
	    cmocka_unit_test(test_decode_id_length),
	    cmocka_unit_test(test_decode_too_large),
	    cmocka_unit_test(test_unknown_command),
	    cmocka_unit_test(test_args_types),
	    cmocka_unit_test(test_args_ids),
	    cmocka_unit_test(test_args_missing_unknown),
	    cmocka_unit_test(test_args_command_schemas),
	    cmocka_unit_test(test_error_table),
	    cmocka_unit_test(test_pw_fail),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_reply_encoding),
	    cmocka_unit_test(test_request_roundtrip),
	    cmocka_unit_test(test_time_roundtrip),
	    cmocka_unit_test(test_time_invalid),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_hhmm),
	    cmocka_unit_test(test_id_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
