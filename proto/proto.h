/*
 * proto.h: the Pathway wire protocol (see PROTOCOL.md): error codes, the
 * request envelope, argument schemas, and reply encoding. Shared by the
 * daemon, the workers and pathwayctl. Messages are jansson objects; this
 * library owns the rules for what a well-formed one is.
 */
#ifndef PW_PROTO_H
#define PW_PROTO_H

#include <jansson.h>
#include <stddef.h>
#include <string.h>

#define PW_PROTOCOL_VERSION 4
#define PW_VERSION "0.1.0"

/* obj[key] as a C string; NULL when it is absent or not a string. */
static inline const char *
str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Sort JSON array a in place; cmp compares two (json_t *const *), as for qsort. */
void pw_json_sort(json_t *a, int (*cmp)(const void *, const void *));
/* Sort a JSON array of strings in place, by strcmp. */
void pw_strings_sort(json_t *a);

/* Both strings present and equal. */
static inline int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Project error codes: 0 is success, every failure is negative. */
enum {
	PW_OK = 0,
	PW_EMALFORMED = -1,
	PW_EINVALID = -2,
	PW_EUNKNOWN_CMD = -3,
	PW_ETOOLARGE = -4,
	PW_EUNKNOWN_ACTOR = -5,
	PW_ENOTFOUND = -6,
	PW_EEXISTS = -7,
	PW_EFORBIDDEN = -8,
	PW_ETRANSITION = -9,
	PW_EFULL = -10,
	PW_ENOTELIGIBLE = -11,
	PW_EINTERNAL = -12,
	PW_ECONFIG = -13,
	PW_ESTORE = -14,
	PW_EUNAUTHENTICATED = -15,
	PW_ETOKEN_INVALID = -16,       /* malformed, bad MAC, unknown secret or past its grace */
	PW_ETOKEN_EXPIRED = -17,       /* past the token's expiry */
	PW_ETOKEN_USED = -18,	       /* a one-use token already used */
	PW_ETOKEN_STALE = -19,	       /* its application left the stage it was made for */
	PW_ETOKEN_WRONG_PURPOSE = -20, /* used for another purpose, command or application */
	PW_EOUTSIDE_WINDOW = -21,      /* an application outside the cohort's window */
	PW_ETOO_EARLY = -22,	       /* attendance or a confirmation before its date */
	PW_ERR_MIN = -22
};

/* The stable snake_case code of err as it crosses the wire ("forbidden"). */
const char *pw_errcode(int err);
/* A short description of err for people. */
const char *pw_strerror(int err);
/* The error for a wire code, or PW_EINTERNAL if unknown. */
int pw_errcode_parse(const char *code);

/*
 * A failure with a message a person can act on. Functions that can fail for
 * reasons from outside take a struct pw_status * and fill it with pw_fail().
 */
#define PW_MSG_LEN 256
struct pw_status {
	int code;
	char msg[PW_MSG_LEN];
};
/* Fill st (may be NULL) with code and message; returns code. */
int pw_fail(struct pw_status *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A decoded request. root owns everything; the other pointers borrow from it. */
struct pw_request {
	json_t *root;
	json_t *id; /* string or integer; NULL until decoded */
	const char *cmd;
	const char *actor;
	const char *token; /* a person token (token.c), or NULL when the request carries none */
	json_t *args;	   /* always an object after a successful decode */
};

/*
 * Decode and validate the envelope of one request frame of len bytes. On
 * success fills req (free with proto_request_clear) and returns 0. On failure
 * returns PW_ETOOLARGE, PW_EMALFORMED or PW_EINVALID with st filled; req->id
 * is set when the id could be read (so the error can echo it).
 */
int proto_request_decode(const void *buf, size_t len, size_t max_len, struct pw_request *req,
			 struct pw_status *st);
void proto_request_clear(struct pw_request *req);

/* Types an argument may have. */
enum proto_type {
	PT_STRING, /* any string, 0..4096 bytes */
	PT_ID,	   /* an identifier (pw_id_valid) */
	PT_INT,	   /* integer >= 0 */
	PT_BOOL,
	PT_DATE,   /* "YYYY-MM-DD" */
	PT_IDS,	   /* array of identifiers */
	PT_ROLES,  /* non-empty array of role names */
	PT_FACTS,  /* object of string / number / bool values */
	PT_ENUM,   /* a string from proto_field.values ("a|b|c") */
	PT_EMAIL,  /* one address, local@domain (pw_email_valid) */
	PT_OBJECT, /* any object (its command checks its content) */
};

struct proto_field {
	const char *name;
	enum proto_type type;
	int required;
	const char *values; /* PT_ENUM: allowed values separated by '|' */
};

/*
 * Check args against fields (terminated by a zero entry): every required
 * field present, every present field of its type, no field unlisted.
 * Returns 0, or PW_EINVALID with st naming the field.
 */
int proto_args_check(const json_t *args, const struct proto_field *fields, struct pw_status *st);

/* Role bits, in the order of proto_roles. */
enum {
	ROLE_CANDIDATE = 1 << 0,
	ROLE_HEADTEACHER = 1 << 1,
	ROLE_COACH = 1 << 2,
	ROLE_RATER = 1 << 3,
	ROLE_HOST = 1 << 4,
	ROLE_LA_ADVISER = 1 << 5,
	ROLE_VIEWER = 1 << 6,
	ROLE_ANY = 0x7f
};

/* The role names, in bit order: role_bit("coach") == 1 << 2. -1 if unknown. */
extern const char *const proto_roles[];
int proto_role_bit(const char *name);

/* Build replies. data is stolen (may be NULL for {}); id is borrowed (NULL -> null). */
json_t *proto_reply_ok(json_t *id, json_t *data);
json_t *proto_reply_err(json_t *id, int code, const char *message);
/* Build a request object; args stolen (may be NULL); no "actor" when actor is NULL. */
json_t *proto_request_new(json_t *id, const char *cmd, const char *actor, json_t *args);

/* Serialise compactly; the caller frees the string. Aborts on allocation failure. */
char *proto_encode(const json_t *msg);

#endif
