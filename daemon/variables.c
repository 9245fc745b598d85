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
	    "programme_name", "stage_name", "app_id", "todo"

#define SESSION                                                                                    \
	"session_id", "session_title", "session_date", "session_start", "session_end",             \
	    "session_venue"

/*
 * The link by which the reader acts on the application (token.c): filled
 * per recipient, with a one-use action token, only when a template uses it.
 */
#define ACTION "action_url"

struct notifiable {
	const char *type;
	const char *const vars[20];
};

static const struct notifiable notifiable[] = {
    {"application.created", {COMMON, "route", NULL}},
    {"application.submitted", {COMMON, "doc", NULL}},
    {"application.signed_off", {COMMON, NULL}},
    {"application.stage_changed", {COMMON, "from_stage_name", "deadline", ACTION, NULL}},
    {"application.decided", {COMMON, "outcome", "position", NULL}},
    {"application.rejected", {COMMON, NULL}},
    {"application.place_offered", {COMMON, ACTION, NULL}},
    {"application.rater_invited", {COMMON, "rater_name", ACTION, NULL}},
    {"application.internship_placed",
     {COMMON, "host_school_name", "internship_start", "internship_end", ACTION, NULL}},
    {"application.internship_confirmed", {COMMON, "days", NULL}},
    {"application.coach_assigned", {COMMON, "coach_name", NULL}},
    {"application.withdrawn", {COMMON, "reason", NULL}},
    {"application.deferred", {COMMON, "from_cohort_name", NULL}},
    {"application.graduated", {COMMON, "graduation_date", NULL}},
    {"application.overdue", {COMMON, "deadline", "days_overdue", "missing", NULL}},
    {"application.reminded",
     {COMMON, "deadline", "days_left", "days_overdue", "missing", ACTION, NULL}},
    {"application.escalated",
     {COMMON, "deadline", "days_left", "days_overdue", "missing", ACTION, NULL}},
    {"application.alumni", {COMMON, "graduation_date", "career", NULL}},
    {"application.progression_recorded", {COMMON, "career", NULL}},
    {"session.calendar", {COMMON, "sessions", NULL}},
    {"opportunity.published",
     {"recipient_name", "recipient_role", "title", "description", "link", "closes", NULL}},
    {"session.reminder", {COMMON, SESSION, ACTION, NULL}},
    {"session.absent", {COMMON, SESSION, NULL}},
    {"session.updated", {COMMON, SESSION, NULL}},
    {"digest",
     {"recipient_name", "recipient_role", "date", "pending", "pending_count", "notices",
      "notices_count", NULL}},
    {"auth.link", {"recipient_name", "recipient_role", "login_url", "link_expires", NULL}},
    {"notification.dead",
     {"recipient_name", "recipient_role", "app_id", "failed_to", "failed_template", "failed_error",
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
