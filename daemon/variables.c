/*
 * variables.c: the catalogue of notifiable events. For each event type that
 * a notification rule may name, the template variables a message about it
 * can use. The configuration checks templates against it at load; notify.c
 * fills exactly these variables when it writes a job.
 */
#include "variables.h"

#include <string.h>

#define COMMON                                                                                     \
	"recipient_name", "recipient_role", "candidate_name", "school_name", "cohort_name",        \
	    "programme_name", "stage_name", "app_id", "todo", READER, DUE

/*
 * Words that change with the reader (notify_words.c): "you" and "your" to
 * the candidate, their name to everyone else; and with the application's
 * route: "nomination" or "application".
 */
#define READER "candidate_you", "candidate_your", "application_word"

/*
 * When the step is due, as its reader needs it (notify_words.c): the local
 * deadline, "It is due by ... (in 3 days)." or "It was due by ... and is
 * now 2 days overdue.", and "due by ..." / "overdue since ..." for subjects.
 */
#define DUE "deadline", "when_due", "due_short"

/* A 360's state for the candidate: raters to invite, or responses to come. */
#define RESPONSES "missing", "responses_headline", "responses_advice"

#define SESSION                                                                                    \
	"session_id", "session_title", "session_date", "session_start", "session_end",             \
	    "session_venue"

/* A request for partner-school support (support.c); the need is in the mail, never the event. */
#define SUPPORT                                                                                    \
	"recipient_name", "recipient_role", "programme_name", "cohort_name", "request_id",         \
	    "school_name", "need", "raised_by", "support_name"

/* A booking of a session (bookings.c): its status and place on the waiting list. */
#define BOOKING                                                                                    \
	"recipient_name", "recipient_role", "programme_name", "cohort_name", SESSION, "status",    \
	    "position", "seats"

/*
 * The link by which the reader acts on the application (token.c): filled
 * per recipient, with a one-use action token, only when a template uses it.
 */
#define ACTION "action_url"

struct notifiable {
	const char *type;
	const char *const vars[32];
};

static const struct notifiable notifiable[] = {
    {"application.created", {COMMON, "route", "nominated_by", ACTION, NULL}},
    {"application.submitted", {COMMON, "doc", NULL}},
    {"application.signed_off", {COMMON, NULL}},
    {"application.stage_changed", {COMMON, "from_stage_name", ACTION, NULL}},
    {"application.returned", {COMMON, "form_title", "note", ACTION, NULL}},
    {"application.feedback_ready", {COMMON, NULL}},
    {"application.school_changed", {COMMON, "from_school_name", ACTION, NULL}},
    {"application.decided", {COMMON, "outcome", "position", "oversubscribed_note", NULL}},
    {"application.rejected", {COMMON, NULL}},
    {"application.place_offered", {COMMON, "offer_expires", ACTION, NULL}},
    {"application.offer_accepted", {COMMON, NULL}},
    {"application.offer_declined", {COMMON, NULL}},
    {"application.offer_expired", {COMMON, NULL}},
    {"application.rater_invited",
     {COMMON, "rater_name", "minutes", "category_name", "threshold", "shown_as", ACTION, NULL}},
    {"application.internship_placed",
     {COMMON, "host_school_name", "internship_start", "internship_end", ACTION, NULL}},
    {"application.internship_confirmed", {COMMON, "days", NULL}},
    {"application.internship_unplaced", {COMMON, NULL}},
    {"application.coach_assigned", {COMMON, "coach_name", "coach_you", NULL}},
    {"application.withdrawn", {COMMON, "reason", "withdrawn_by", NULL}},
    {"application.deferred", {COMMON, "from_cohort_name", "cohort_starts", ACTION, NULL}},
    {"application.graduated", {COMMON, "graduation_date", NULL}},
    {"application.overdue", {COMMON, "days_overdue", RESPONSES, NULL}},
    {"application.reminded", {COMMON, "days_left", "days_overdue", RESPONSES, ACTION, NULL}},
    {"application.escalated", {COMMON, "days_left", "days_overdue", RESPONSES, ACTION, NULL}},
    {"application.alumni", {COMMON, "graduation_date", "career", NULL}},
    {"application.progression_recorded", {COMMON, "career", NULL}},
    {"application.panel_ready", {COMMON, "recommended", "members", NULL}},
    {"application.panel_closed", {COMMON, "recommended", "members", NULL}},
    {"application.reviewed", {COMMON, "term_name", "outcome", NULL}},
    {"application.review_due", {COMMON, "term_name", ACTION, NULL}},
    {"application.review_escalated", {COMMON, "term_name", "not_met", ACTION, NULL}},
    {"application.continued", {COMMON, NULL}},
    {"group.below_min",
     {"recipient_name", "recipient_role", "cohort_name", "programme_name", "group_name", "size",
      "min", "check_date", NULL}},
    {"session.calendar", {COMMON, "sessions", NULL}},
    {"opportunity.published",
     {"recipient_name", "recipient_role", "title", "description", "link", "closes", NULL}},
    {"post",
     {"recipient_name", "recipient_role", "post_id", "title", "host_name", "description",
      "person_spec", "criteria", "closes", "internal_until", "round", "applications", "shortlisted",
      "start", "objective", "outcome", "reason", NULL}},
    {"session.reminder", {COMMON, SESSION, ACTION, NULL}},
    {"session.absent", {COMMON, SESSION, NULL}},
    {"session.updated", {COMMON, SESSION, NULL}},
    {"support.requested", {SUPPORT, NULL}},
    {"support.paired", {SUPPORT, "lle_name", "lle_school_name", "phase_note", "reviews", NULL}},
    {"support.review_due",
     {SUPPORT, "lle_name", "lle_school_name", "review_number", "review_date", NULL}},
    {"support.ended", {SUPPORT, "lle_name", "lle_school_name", "note", NULL}},
    {"session.booked", {BOOKING, NULL}},
    {"session.booking_waitlisted", {BOOKING, NULL}},
    {"session.booking_cancelled", {BOOKING, NULL}},
    {"session.booking_reminder", {BOOKING, NULL}},
    {"digest",
     {"recipient_name", "recipient_role", "date", "pending", "pending_count", "notices",
      "notices_count", NULL}},
    {"auth.link", {"recipient_name", "recipient_role", "login_url", "link_expires", NULL}},
    {"notification.dead",
     {"recipient_name", "recipient_role", "app_id", "failed_job", "failed_name", "failed_role",
      "failed_to", "failed_subject", "failed_reason", "failed_template", "failed_error",
      "failed_attempts", NULL}},
};

const char *const *
variables_of(const char *type)
{
	for (size_t i = 0; i < sizeof notifiable / sizeof notifiable[0]; i++)
		if (strcmp(notifiable[i].type, type) == 0)
			return notifiable[i].vars;
	return NULL;
}
