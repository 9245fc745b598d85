/*
 * page_links.h: the pages of action links besides the application page
 * (page_action.c dispatches to them): a candidate's ranking of internship
 * host schools from their document link (page_hosts.c), and a panel
 * member's recommendation, a term's continuation review and the LA's
 * decision after reviews not met (page_judge.c). Each is drawn with the
 * link's token and its whoami record (who, borrowed) and keeps nothing
 * between requests.
 */
#ifndef PW_PAGE_LINKS_H
#define PW_PAGE_LINKS_H

#include <jansson.h>

#include "page.h"

/* GET/POST /a/TOKEN?page=hosts, for a link to application.submit. */
void hosts_page(struct req *r, const char *token, const char *app, const json_t *who);
/* The way to hosts_page from the application page of such a link, for its candidate me
 * (nothing otherwise). */
void hosts_link(struct pw_buf *b, const char *path, const char *link, const json_t *app,
		const char *me);
/* Whether cmd is one page_judge.c draws. */
int judge_cmd(const char *cmd);
/* GET/POST /a/TOKEN for application.recommend, application.review, application.continue. */
void judge_page(struct req *r, const char *token, const char *app, const json_t *who,
		const char *cmd);

#endif
