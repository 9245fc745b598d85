/*
 * config.h: the daemon's configuration, loaded from libconfig files: the
 * daemon settings (conf/pathway.conf), the programmes (conf/programmes/) and
 * the cohorts (conf/cohorts/). A loaded pw_config is immutable; a reload
 * builds a new one and swaps it in only if it loaded without error.
 */
#ifndef PW_CONFIG_H
#define PW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum req_kind {
	REQ_SUBMISSION,	 /* a document submitted by a role */
	REQ_SIGNOFF,	 /* a sign-off by a role */
	REQ_DECISION,	 /* accept / waitlist / reject by a role, optionally against capacity */
	REQ_RESPONSES,	 /* at least min responses from invited raters */
	REQ_ATTENDANCE,	 /* attendance at sessions: all listed, or at least min */
	REQ_INTERNSHIP,	 /* a placement with days completed and host confirmation */
	REQ_ELIGIBILITY, /* a rule on the candidate's facts */
	REQ_KIND_COUNT
};
extern const char *const req_kind_names[REQ_KIND_COUNT];

enum rule_op { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ, OP_NE };

struct requirement {
	enum req_kind kind;
	int role;	    /* role bit index (proto_roles), -1 when not applicable */
	char *doc;	    /* submission: document name */
	int capacity;	    /* decision: takes one of the cohort's places */
	int min;	    /* responses, attendance (0 = all sessions), internship days */
	char **sessions;    /* attendance: session ids */
	size_t nsessions;
	int host_lss;	    /* internship: the host must be a Lead Succession School */
	char *fact;	    /* eligibility */
	enum rule_op op;
	enum { VAL_NUM, VAL_STR, VAL_BOOL } vtype;
	double value_num; /* VAL_NUM, VAL_BOOL (0 or 1) */
	char *value_str;  /* VAL_STR */
};

struct stage {
	char *id;
	char *name;
	int terminal;
	struct requirement *reqs;
	size_t nreqs;
};

struct programme {
	char *id;
	char *name;
	char *file;
	struct stage *stages;
	size_t nstages;
	char **sessions_used; /* every session id named by an attendance requirement */
	size_t nsessions_used;
};

struct session {
	char *id;
	char *title;
	char *date;  /* YYYY-MM-DD */
	char *start; /* HH:MM local */
	char *end;
	char *venue;
	char *audience; /* "participants", "coaches" or "all" */
};

struct cohort {
	char *id;
	char *name;
	char *file;
	const struct programme *programme;
	int places;
	char *timezone;
	char *starts; /* YYYY-MM-DD: orders cohorts for deferral */
	struct session *sessions;
	size_t nsessions;
};

struct daemon_conf {
	char *api;
	char *events;
	char *db;
	size_t map_size;	/* bytes */
	int log_level;
	size_t max_message;
	int max_batch;
	int idempotency_hours;
	char *operator_id;
};

struct pw_config {
	char *file;
	struct daemon_conf daemon;
	struct programme *programmes;
	size_t nprogrammes;
	struct cohort *cohorts;
	size_t ncohorts;
};

/*
 * Load path and every programme and cohort file it names. On success *out
 * owns the new configuration (free with config_free). On any error returns
 * PW_ECONFIG with st naming the file, the line and the setting.
 */
int config_load(const char *path, struct pw_config **out, struct pw_status *st);
void config_free(struct pw_config **cfg);

/* Load one programme file on its own (used by tests and by config_load). */
int config_programme_load(const char *path, struct programme *out, struct pw_status *st);
void config_programme_clear(struct programme *p);

const struct programme *config_programme(const struct pw_config *cfg, const char *id);
const struct cohort *config_cohort(const struct pw_config *cfg, const char *id);
const struct session *config_session(const struct cohort *c, const char *id);
/* Index of a stage in p, or -1. */
int config_stage_index(const struct programme *p, const char *id);

#endif
