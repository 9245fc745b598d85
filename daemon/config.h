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
	REQ_SUBMISSION,	   /* a document submitted by a role */
	REQ_SIGNOFF,	   /* a sign-off by a role */
	REQ_DECISION,	   /* accept / waitlist / reject by a role, optionally against capacity */
	REQ_RESPONSES,	   /* at least min responses from invited raters */
	REQ_ATTENDANCE,	   /* attendance at sessions: all listed, or at least min */
	REQ_INTERNSHIP,	   /* a placement with days completed and host confirmation */
	REQ_ELIGIBILITY,   /* a rule on the candidate's facts or on their school */
	REQ_COACH_TRAINED, /* the application's coach attended coach training sessions */
	REQ_PANEL,	   /* the cohort's panel recommends, its chair decides */
	REQ_REVIEW,	   /* a review each term of the cohort by a role */
	REQ_KIND_COUNT
};
extern const char *const req_kind_names[REQ_KIND_COUNT];

enum rule_op { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ, OP_NE };

enum field_type {
	FIELD_TEXT,
	FIELD_LONG_TEXT,
	FIELD_CHOICE,
	FIELD_MULTIPLE_CHOICE,
	FIELD_RATING,
	FIELD_DATE,
	FIELD_LINK,
	FIELD_YES_NO,
	FIELD_TYPE_COUNT
};
extern const char *const field_type_names[FIELD_TYPE_COUNT];

/* One field of a form (config_forms.c). */
struct form_field {
	char *id;
	char *label;
	char *help; /* NULL: none */
	enum field_type type;
	int required;
	int max; /* text: characters; multiple choice: selections; rating: the top of 1..max */
	char **options; /* choice, multiple choice */
	size_t noptions;
};

/* A form a programme declares: who fills it in, who reads it, its fields. */
struct form {
	char *id;
	char *title;
	char *help;
	int filled_by; /* role bit index */
	int readers;   /* role bits (besides the filler and LA advisers) */
	struct form_field *fields;
	size_t nfields;
};

/* A 360 rater category and the responses it needs before its figures are shown. */
struct feedback_category {
	char *id;
	char *name;
	int threshold;
};

struct feedback_question {
	char *id;
	char *text;
};

/*
 * The programme's 360 (feedback = { ... }): a rating scale 1..scale_max,
 * the rater categories, the questions, whether the candidate rates
 * themself, when the candidate and coach see the report, and from how many
 * responses the candidate sees the count.
 */
struct feedback_conf {
	int declared; /* 0: the programme has no questionnaire (the defaults apply) */
	int scale_max;
	char **labels; /* nlabels (= scale_max) labels, or NULL */
	size_t nlabels;
	int self_assessment;
	int report_at_deadline; /* 0: when the stage is met; 1: also when its deadline passes */
	int count_from;
	int minutes;
	struct feedback_category *categories;
	size_t ncategories;
	struct feedback_question *questions;
	size_t nquestions;
};

struct requirement {
	enum req_kind kind;
	int role;		 /* role bit index (proto_roles), -1 when not applicable */
	char *doc;		 /* submission: document name (the form's id when it names one) */
	const struct form *form; /* submission: the form, or NULL for a plain document */
	int *category_min; /* responses: per feedback category, at least this many (or NULL) */
	int capacity;	   /* decision: takes one of the cohort's places */
	int min;	   /* responses, attendance (0 = all sessions), internship days */
	char **sessions;   /* attendance: session ids */
	size_t nsessions;
	int host_lss;	     /* internship: the host must be a Lead Succession School */
	int host_same_phase; /* internship: the host must be of the candidate's school's phase */
	char *fact;	     /* eligibility: the candidate's fact, or NULL */
	char *school; /* eligibility: or an attribute of the candidate's school (phase, lss, ...) */
	enum rule_op op;
	enum { VAL_NUM, VAL_STR, VAL_BOOL } vtype;
	double value_num; /* VAL_NUM, VAL_BOOL (0 or 1) */
	char *value_str;  /* VAL_STR */
	char **one_of;	  /* eligibility: instead of op and value, the value is one of these */
	size_t n_one_of;
	unsigned tracks; /* bit i: applies to the programme's track i; 0: to every application */
};

/* A track of a programme (middle or senior leaders): chosen when an application is made. */
struct track {
	char *id;
	char *name;
};

/* At most this many tracks per programme (a requirement's tracks are a bit set). */
#define PW_TRACKS_MAX 16

/* A notification template: conf/templates/NAME.txt (and optionally NAME.html). */
struct template
{
	char *name;
	char *subject;
	char *text;
	char *html; /* NULL when there is no HTML alternative */
};

/* Which event notifies which roles with which template. */
struct notify_rule {
	char *on;      /* event type */
	char *stage;   /* only when the event's stage (for stage_changed: the new one) is this */
	char *outcome; /* application.decided: only for this outcome */
	char *route;   /* only for applications of this route (interest, nomination) */
	int to;	       /* role bits of the recipients */
	const struct template *tmpl;
};

/* A reminder or an escalation: who is told what, when, relative to a stage's deadline. */
struct nudge {
	int days; /* reminders: days from the deadline (negative: before); escalations: days overdue
		   */
	int every;  /* reminders: also repeat every N days from entering the stage (0: no) */
	int at;	    /* minutes after local midnight (default 09:00) */
	int to;	    /* role bits of the recipients */
	int urgent; /* send even outside the cohort's sending window */
	int late;   /* send even when it falls due after the deadline it reminds of */
	const struct template *tmpl;
};

struct stage {
	char *id;
	char *name;
	int terminal;
	struct requirement *reqs;
	size_t nreqs;
	int deadline_days;	/* deadline this many days after entering the stage (0: none) */
	char *deadline_session; /* or: the start of this session of the cohort */
	struct nudge *reminders;
	size_t nreminders;
	struct nudge *escalations;
	size_t nescalations;
};

/*
 * Partner-school support (config_support.c): requests for support from a
 * school, an application at 'stage' paired with them by an LA adviser up to
 * its capacity, and the relationship's review points. declared 0: none.
 */
enum support_phase { SUPPORT_PHASE_MATCH, SUPPORT_PHASE_WARN, SUPPORT_PHASE_ANY };
struct support_conf {
	int declared;
	char *stage;	     /* applications at this stage may be paired */
	char *name;	     /* the support relationship's name ("Supporting a partner school") */
	int capacity;	     /* partner schools at once per application */
	char *capacity_fact; /* the candidate's fact that overrides capacity, or NULL */
	enum support_phase phase;
	int review_every; /* days between review points (0: none) */
	int reviews;	  /* how many review points */
	int review_at;	  /* minutes after local midnight */
	const struct template *requested, *paired, *review, *ended;
};

/* Bookable sessions (config_support.c): the emails of session.book and its reminder. */
struct booking_conf {
	int declared;
	int reminder_days; /* days before the session (0: no reminder) */
	int reminder_at;   /* minutes after local midnight */
	const struct template *confirmed, *waitlisted, *cancelled, *reminder;
};

/*
 * A selection panel's emails (config_panel.c, programme group panel = { ... }):
 * the invitation to each member when an application reaches a panel stage,
 * and the note to the chair when every member has recommended.
 */
struct panel_conf {
	const struct template *invitation, *ready;
	const struct template *group_alert; /* group_alert: a group below its min at groups_check */
};

/* A cohort's term (config_panel.c): a review requirement asks for one review per term. */
struct term {
	char *id;
	char *name;
	char *ends; /* YYYY-MM-DD: the next term's review may be recorded from the day after */
	char *review_from; /* YYYY-MM-DD: this term's review not before (NULL: as above) */
};

/* A cohort's group of a track (config_panel.c): its size limits and the school phases it takes. */
struct cohort_group {
	int track; /* index of the programme's track */
	int min, max;
	char **phases; /* an application made without a track joins the group of its school phase */
	size_t nphases;
};

struct programme {
	char *id;
	char *name;
	char *file;
	struct stage *stages;
	size_t nstages;
	char **sessions_used; /* every session id named by an attendance requirement */
	size_t nsessions_used;
	struct notify_rule *rules;
	size_t nrules;
	/* Session notices (to == 0: not sent): the calendar when a place is taken, a
	 * reminder before each session, a follow-up when absent, an update on change. */
	struct nudge session_calendar, session_reminder, session_absent, session_updated;
	/* After graduation: ask for a career update every alumni.every days (to == 0: never). */
	struct nudge alumni;
	/* Joining a stage late: its absolute deadline is at least this many days away. */
	int deadline_grace_days;
	/* Years an ended application's personal data is kept before it is purged
	 * (retention.c); 0: kept. */
	int retention_years;
	struct form *forms;
	size_t nforms;
	struct feedback_conf feedback;
	struct track *tracks; /* application.create names one when there are any */
	size_t ntracks;
	int uses_school; /* an eligibility rule reads the candidate's school */
	int uses_coach;	 /* a coach_trained requirement reads the coach's training */
	struct support_conf support;
	struct booking_conf bookings;
	struct panel_conf panel;
};

struct session {
	char *id;
	char *title;
	char *date;  /* YYYY-MM-DD */
	char *start; /* HH:MM local */
	char *end;
	char *venue;
	char *audience;	 /* "participants", "coaches" or "all" */
	int seats;	 /* bookable by anyone with session.book: this many places (0: not) */
	unsigned tracks; /* bit i: only for applications on the programme's track i; 0: for all */
};

/* A cohort's absolute deadline for one stage (local date, at the cohort's deadline_time). */
struct cohort_deadline {
	const struct stage *stage;
	char *date;
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
	struct cohort_deadline *deadlines;
	size_t ndeadlines;
	int deadline_time;	    /* minutes after local midnight (default 17:00) */
	int window_days;	    /* bit i: sending allowed on weekday i (0 = Sunday) */
	int window_from, window_to; /* minutes after local midnight */
	/* The calendar rules (config_cohort.c): local dates, NULL when not set. */
	char *apply_opens;  /* applications = { opens; closes; }: create only from this date */
	char *apply_closes; /* ... to the end of this date */
	char *offers_until; /* places freed after this date are not offered from the waiting list */
	int offer_days;	    /* an offered place is held this many days (default 7) */
	/* The panel, terms and groups (config_panel.c). */
	char *panel_chair; /* person id, one of panel_members; NULL: no panel */
	char **panel_members;
	size_t npanel;
	struct term *terms;
	size_t nterms;
	struct cohort_group *groups;
	size_t ngroups;
	char *groups_check; /* YYYY-MM-DD: LA advisers told of groups below min (NULL: never) */
};

struct outbox_conf {
	int retry_min;	    /* seconds before the first retry */
	int retry_max;	    /* the longest wait between retries */
	int lifetime;	    /* seconds after which an undelivered job is dead */
	int lease;	    /* seconds a worker may hold a job before it is offered again */
	int worker_timeout; /* seconds of worker silence after which its jobs are offered again */
	int dead_days;	    /* days a dead job keeps its content (address, name, variables) */
	const struct template *failed; /* alert to LA advisers for a dead notification */
};

struct opportunity_conf {
	const struct template *early;	 /* to matching pool members, at once */
	const struct template *released; /* to everyone else, when the early window ends */
	int release_to;			 /* role bits of "everyone else" */
};

/*
 * The daily digest: people who chose it (person "digest": true, a headteacher
 * or LA adviser) get one email a day at 'at' local time in timezone, on the
 * weekdays in 'days', listing what waits for them, instead of separate emails.
 */
struct digest_conf {
	int at;	  /* minutes after local midnight (default 07:00) */
	int days; /* bit i: sent on weekday i (0 = Sunday); default mon-fri */
	char *timezone;
	const struct template *tmpl;
};

struct daemon_conf {
	char *api;
	char *events;
	char *workers;
	char *templates; /* directory of notification templates */
	char *db;
	char *backup_dir; /* system.backup writes only under it */
	size_t map_size;  /* bytes */
	int log_level;
	size_t max_message;
	int max_batch;
	int commit_wait_us; /* the longest a turn waits for more requests; 0: never */
	int idempotency_hours;
	char *operator_id;
	int clock_manual;    /* daemon.clock = "manual" */
	int64_t clock_start; /* daemon.clock_start: where a new manual clock begins */
	int curve;	     /* daemon.security = "curve" (else "local") */
	char *curve_key;     /* the daemon's CURVE key file */
	char *operator_key;  /* the operator's key file, made at the first start in curve mode */
	int token_grace;     /* seconds a rotated token secret is still honoured */
	int session_hours;   /* lifetime of a session token (auth.session) */
	int login_links_per_hour; /* auth.link: emails per address per hour */
};

/* pathway-web, as the daemon needs to know it: where the links in emails point. */
struct web_conf {
	char *base_url; /* "https://pathway.example.org", no trailing slash; NULL: no web */
	const struct template *login; /* the login link email (auth.link) */
};

/*
 * Secondment posts' emails (config_posts.c, pathway.conf group posts = { ... }):
 * one template per step of a post (posts.c), each checked against "post".
 */
enum post_tmpl {
	POST_T_ADVERT,		/* to the internal audience, at publishing */
	POST_T_RECEIVED,	/* to an applicant: application received */
	POST_T_CLOSED,		/* to LA advisers and the panel: applications closed */
	POST_T_SHORTLISTED,	/* to an applicant: invited to interview */
	POST_T_NOT_SHORTLISTED, /* to an applicant: not shortlisted */
	POST_T_PANEL,		/* to the panel: the shortlist is ready to score */
	POST_T_SCORED,		/* to the chair: every member has scored */
	POST_T_APPOINTED,	/* to the appointee: the start date and objective */
	POST_T_NOT_APPOINTED,	/* to an applicant: not appointed */
	POST_T_DECIDED,		/* to LA advisers: the panel's outcome, or the post unfilled */
	POST_T_RELEASED,	/* to LA advisers: released to external advertising */
	POST_T_WITHDRAWN,	/* to the current round's applicants: the post was withdrawn */
	POST_T_COUNT
};
struct post_conf {
	const struct template *t[POST_T_COUNT];
	/* Years an ended post's applications keep their statements and the panel's
	 * notes (post_retention.c); 0: kept. */
	int retention_years;
};

struct pw_config {
	char *file;
	struct daemon_conf daemon;
	struct programme *programmes;
	size_t nprogrammes;
	struct cohort *cohorts;
	size_t ncohorts;
	struct template **templates; /* each allocated on its own: rules point at them */
	size_t ntemplates;
	struct outbox_conf outbox;
	struct opportunity_conf opportunities;
	struct digest_conf digest;
	struct web_conf web;
	struct post_conf posts;
};

/*
 * Load path and every programme and cohort file it names. On success *out
 * owns the new configuration (free with config_free). On any error returns
 * PW_ECONFIG with st naming the file, the line and the setting.
 */
int config_load(const char *path, struct pw_config **out, struct pw_status *st);
void config_free(struct pw_config **cfg);

/*
 * Load one programme file on its own. Templates its notification rules name
 * are loaded into cfg (which must have daemon.templates set) and checked.
 */
int config_programme_load(struct pw_config *cfg, const char *path, struct programme *out,
			  struct pw_status *st);
void config_programme_clear(struct programme *p);

/*
 * Check the mailer group of the main file path as pathway-mailer checks it
 * at its start (pathwayd -t): settings and types, STARTTLS, AUTH only over
 * TLS, one password source, the password and CA files. Returns 0, or
 * PW_ECONFIG with the file, the line and the setting in st.
 */
int config_mailer_check(const char *path, struct pw_status *st);

const struct programme *config_programme(const struct pw_config *cfg, const char *id);
const struct cohort *config_cohort(const struct pw_config *cfg, const char *id);
const struct session *config_session(const struct cohort *c, const char *id);
/* Whether session s of cohort c is for an application on track (NULL: none): 1 or 0. */
int config_session_for(const struct cohort *c, const struct session *s, const char *track);
const struct form *config_form(const struct programme *p, const char *id);
/* Index of a feedback category in p, or -1. */
int config_feedback_category(const struct programme *p, const char *id);
/* Index of a track in p, or -1. */
int config_track_index(const struct programme *p, const char *id);
/* Index of a stage in p, or -1. */
int config_stage_index(const struct programme *p, const char *id);

#endif
