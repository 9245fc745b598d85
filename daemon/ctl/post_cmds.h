/*
 * post_cmds.h: the subcommands on secondment posts (post publish, apply,
 * shortlist, score, decide, withdraw, get, list), as entries of
 * pathwayctl's table: CTL_POST_CMDS expands to them inside cmds.c's
 * cmds_table, where POS and OPT are defined.
 */
#ifndef PW_CTL_POST_CMDS_H
#define PW_CTL_POST_CMDS_H

#include "post.h"

/* clang-format off */
#define CTL_POST_CMDS \
    {"post publish", \
     "post.publish", \
     "la_adviser", \
     "publish a secondment post: its internal audience first, everyone once released", \
     {POS("id", A_STR, "ID", "post id"), \
      POS("title", A_STR, "TITLE", "title"), \
      {"host", "host", A_STR, "SCHOOL", 1, NULL, "the host school"}, \
      {"description", "description", A_STR, "TEXT", 1, NULL, "the job description"}, \
      OPT("person-spec", "person_spec", A_STR, "TEXT", "the person specification"), \
      {"criterion", "criteria", A_FACT, "ID=TEXT", 1, NULL, \
       "an essential criterion; repeatable"}, \
      OPT("audience", "audience", A_FACT, "KEY=VALUE", \
	  "the internal audience: programme, cohort, stage, phase or status; repeatable"), \
      {"panel", "panel", A_LIST, "ID", 1, NULL, "a panel member; repeatable"}, \
      {"chair", "chair", A_STR, "ID", 1, NULL, "the panel's chair (a member)"}, \
      {"closes", "closes", A_STR, "DATE", 1, NULL, "applications close at the end of DATE"}, \
      {"internal-until", "internal_until", A_STR, "DATE", 1, NULL, \
       "the internal window ends at the end of DATE, after --closes"}, \
      OPT("external-days", "external_days", A_INT, "N", \
	  "days applications stay open once released (default 14)")}, \
     NULL, \
     post_show}, \
    {"post apply", \
     "post.apply", \
     "anyone in the audience; anyone once released", \
     "apply for a secondment post", \
     {POS("post", A_STR, "POST", "post id"), \
      {"statement", "statement", A_STR, "TEXT", 1, NULL, "how you meet the criteria"}, \
      OPT("person", "person", A_STR, "ID", "apply for this person (LA advisers)")}, \
     NULL, \
     post_app_show}, \
    {"post shortlist", \
     "post.shortlist", \
     "la_adviser, the panel", \
     "shortlist applicants for interview (the others are told they are not)", \
     {POS("post", A_STR, "POST", "post id"), \
      {"applicant", "applicants", A_LIST, "ID", 1, NULL, "a shortlisted applicant; repeatable"}}, \
     NULL, \
     post_show}, \
    {"post score", \
     "post.score", \
     "the panel", \
     "score a shortlisted applicant against the essential criteria (0-3)", \
     {POS("post", A_STR, "POST", "post id"), \
      POS("applicant", A_STR, "APPLICANT", "the applicant"), \
      {"score", "scores", A_FACT, "CRITERION=N", 1, NULL, "a score from 0 to 3; repeatable"}, \
      OPT("note", "notes", A_FACT, "CRITERION=TEXT", "a note on a score; repeatable")}, \
     NULL, \
     post_app_show}, \
    {"post decide", \
     "post.decide", \
     "the panel's chair", \
     "appoint an applicant, or none appointable (released to external advertising)", \
     {POS("post", A_STR, "POST", "post id"), \
      POS("outcome", A_ENUM, "appoint|none", "the panel's outcome"), \
      OPT("applicant", "applicant", A_STR, "ID", "the appointee"), \
      OPT("start", "start", A_STR, "DATE", "the start date agreed with their head"), \
      OPT("objective", "objective", A_STR, "TEXT", "the secondee's objective")}, \
     NULL, \
     post_show}, \
    {"post withdraw", \
     "post.withdraw", \
     "la_adviser", \
     "withdraw a secondment post", \
     {POS("post", A_STR, "POST", "post id")}, \
     NULL, \
     post_show}, \
    {"post get", \
     "post.get", \
     "any (as the post lets them see it)", \
     "show a secondment post and the applications you may see", \
     {POS("post", A_STR, "POST", "post id")}, \
     NULL, \
     post_show}, \
    {"post list", "post.list", "any", "list the secondment posts you may see", {{0}}, NULL, \
     post_list_show},

/* clang-format on */

#endif
