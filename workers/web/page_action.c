/*
 * page_action.c: the links in emails, /a/<token>. The token is the
 * reader's identity for one action on one application (no session
 * needed): auth.whoami describes it (whose it is, which command, which
 * application), then page_app.c draws the application with that one
 * action, and a POST runs it with the token. A link that no longer works
 * (used, expired, stale, not valid) says so plainly and offers a fresh
 * sign-in link by email. The links of a judgement (a recommendation, a
 * review, a continuation) and a candidate's choice of host schools
 * (?page=hosts on their document link) have pages of their own
 * (page_links.h). Nothing is kept here between requests.
 */
#include <string.h>

#include "page.h"
#include "page_links.h"

#define ACTION_PREFIX "/a/"

static void
action_whoami(json_t *reply, void *ud)
{
	struct req *r = ud;
	const json_t *who = page_data(reply), *action = json_object_get(who, "action");
	const char *token = req_path(r) + strlen(ACTION_PREFIX);

	if (who == NULL) {
		page_fail(r, reply, NULL);
		return;
	}
	if (page_str(who, "purpose") == NULL || strcmp(page_str(who, "purpose"), "action") != 0 ||
	    page_str(action, "cmd") == NULL || page_str(action, "app") == NULL) {
		page_link_dead(r, "token_wrong_purpose");
		return;
	}
	if (judge_cmd(page_str(action, "cmd"))) {
		judge_page(r, token, page_str(action, "app"), who, page_str(action, "cmd"));
		return;
	}
	if (strcmp(page_str(action, "cmd"), "application.submit") == 0 &&
	    req_arg(r, "page") != NULL && strcmp(req_arg(r, "page"), "hosts") == 0) {
		hosts_page(r, token, page_str(action, "app"), who);
		return;
	}
	app_page(r, token, page_str(action, "app"), who, page_str(action, "cmd"), req_path(r));
}

static void
action_page(struct req *r)
{
	const char *token = req_path(r) + strlen(ACTION_PREFIX);

	if (token[0] == '\0' || strchr(token, '/') != NULL || strlen(token) > 512) {
		page_link_dead(r, "token_invalid");
		return;
	}
	api_send("auth.whoami", token, json_pack("{s:s}", "token", token), action_whoami, r);
}

void
page_action_routes(void)
{
	http_route("GET", ACTION_PREFIX, action_page);
	http_route("POST", ACTION_PREFIX, action_page);
}
