#!/usr/bin/python3
"""What the emails say is true ("Emails that tell the truth").

A real pathwayd on a manual clock, a real pathway-mailer and a real SMTP server
(aiosmtpd), as in test_mail. Each test drives the norfolk-talent-pool programme to
the moment an email is sent and asserts, one assertion per point, what it says:
the reader is "you", never named in the third person; a withdrawal says who closed
the application; the waiting list speaks of over-subscription only when the cohort
is full; a nominated candidate hears who nominated them and what comes next; a
candidate with no raters is asked to invite some; a headteacher asked to support a
self-application hears of an application, not a nomination; a reminder after its
deadline says the task is overdue; the failed-delivery alert names the job, the
recipient and the reason; deferral and a move of school are told; the Date: header
follows the daemon's clock. Every email of every test is also checked for "day(s)",
for lines over 78 columns and for one signature, from the configuration, at its end.
"""
import email.utils
import re
import unittest
from datetime import datetime, timezone

from test_mail import Rig, flat, message_id, text_of

try:  # the forms' answers, where submissions carry them
    from answers import ANSWERS
except ImportError:
    ANSWERS = None

COHORT = "ntp-2026-27"
SIGNATURE = "With kind regards,\nThe Talent Pool Team"


class WordingTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.rig = Rig(self, "2026-09-07T08:00:00Z", places={COHORT: 2},
                       mailer=r'signature = "With kind regards,\nThe Talent Pool Team";')
        self.d = self.rig.d
        self.sink = self.rig.sink
        self.people = {}
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak Primary"})
        d.ok("school.create", {"id": "s-ash", "phase": "primary", "name": "Ash Primary"})
        self.person("p-head", "Margaret Lowe", ["headteacher"], "s-oak")
        self.person("p-head2", "Samir Ashe", ["headteacher"], "s-ash")
        self.person("p-la", "Helen Marsh", ["la_adviser"])
        self.person("p-coach", "Ruth Barker", ["coach"])
        for pid, name in [("p-zoe", "Zoe Quinn"), ("p-ben", "Ben Hughes"),
                          ("p-cara", "Cara Doyle"), ("p-dev", "Dev Patel"),
                          ("p-eve", "Eve Lambert"), ("p-fay", "Fay Moss")]:
            self.person(pid, name, ["candidate"], "s-oak")
        for i in range(1, 9):
            self.person("p-r%d" % i, "Rater %d" % i, ["rater"], "s-oak")
        self.rig.mailer("m1")

    def person(self, pid, name, roles, school=None, mail=None):
        args = {"id": pid, "name": name, "email": mail or pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        self.d.ok("person.create", args)
        self.people[pid] = name

    # -- driving ---------------------------------------------------------------------

    def submit(self, app, doc, actor):
        args = {"app": app, "doc": doc}
        if ANSWERS is not None and doc in ANSWERS:
            args["fields"] = ANSWERS[doc]
        self.d.ok("application.submit", args, actor)

    def create(self, cand, actor=None, route="interest"):
        return self.d.ok("application.create", {"cohort": COHORT, "candidate": cand,
                                                "route": route},
                         actor or cand)["application"]["id"]

    def to_signoff(self, cand, actor=None, route="interest"):
        app = self.create(cand, actor, route)
        self.submit(app, "self_evaluation", cand)
        return app

    def to_selection(self, cand, head="p-head"):
        app = self.to_signoff(cand)
        self.submit(app, "evidence_form", head)
        self.d.ok("application.signoff", {"app": app}, head)
        return app

    def mails(self):
        """Every email sent so far: [(template, person, message, flat text)]."""
        sent = self.rig.settle()
        by_job = {e["data"]["job"]: e["data"] for e in sent}
        out = []
        for m in self.sink.snapshot():
            ev = by_job[message_id(m)[0]]
            out.append((ev["template"], ev["person"], m, flat(text_of(m))))
        return out

    def one(self, template, pid, mails=None, about=None):
        got = [(m, t) for tp, p, m, t in (mails or self.mails()) if (tp, p) == (template, pid)
               and (about is None or about in m["msg"]["Subject"])]
        self.assertEqual(len(got), 1, "%s to %s: %d" % (template, pid, len(got)))
        return got[0]

    def tearDown(self):
        """What every email says, whatever the test: checked for all of them."""
        for template, pid, m, text in self.mails():
            raw = text_of(m).replace("\r\n", "\n")
            where = "%s to %s" % (template, pid)
            # "1 day", "2 days": never "day(s)" or "response(s)".
            self.assertNotRegex(raw + m["msg"]["Subject"], r"\w\(s\)", where)
            self.assertNotRegex(raw, r"\b1 days\b|\b1 responses\b", where)
            # Lines re-wrapped after substitution: none passes 78 columns but a lone word.
            for line in raw.split("\n"):
                self.assertTrue(len(line) <= 78 or " " not in line.strip(), (where, line))
            # One signature, from the configuration, at the end of every email.
            self.assertTrue(raw.rstrip("\n").endswith("\n\n" + SIGNATURE), (where, raw[-120:]))
            self.assertEqual(raw.count("Talent Pool Team"), 1, where)
            self.assertNotIn("Leadership Development Team", raw, where)
            # The reader is "you": their name is in "Dear ...," and nowhere else.
            name = self.people[pid]
            self.assertNotIn(name, m["msg"]["Subject"], where)
            self.assertEqual(text.count(name), 1, (where, text))
            self.assertIn("Dear %s," % name, text, where)

    # -- the tests -------------------------------------------------------------------

    def test_reader_is_you(self):
        zoe = self.to_selection("p-zoe")
        self.d.ok("application.decide", {"app": zoe, "outcome": "accept"}, "p-la")
        self.d.ok("application.assign_coach", {"app": zoe, "coach": "p-coach"})
        mails = self.mails()
        _, coach = self.one("coach-assigned", "p-coach", mails)
        self.assertIn("We have asked you to coach Zoe Quinn through", coach)
        _, cand = self.one("coach-assigned", "p-zoe", mails)
        self.assertIn("We have asked Ruth Barker to coach you through", cand)
        m, cand = self.one("decision-accepted", "p-zoe", mails)
        self.assertIn("we have offered you a place on Norfolk Leadership Talent Pool", cand)
        self.assertEqual(m["msg"]["Subject"], "A place on Norfolk Leadership Talent Pool for you")
        _, head = self.one("decision-accepted", "p-head", mails)
        self.assertIn("we have offered Zoe Quinn a place", head)

    def test_withdrawn_says_who_closed_it(self):
        ben = self.create("p-ben")
        self.d.ok("application.withdraw", {"app": ben, "reason": "family"}, "p-head")
        cara = self.create("p-cara")
        self.d.ok("application.withdraw", {"app": cara}, "p-la")
        mails = self.mails()
        _, cand = self.one("withdrawn", "p-ben", mails)
        self.assertIn("your application to Norfolk Leadership Talent Pool, Norfolk Primary "
                      "Talent Pool 2026-27, was withdrawn by Margaret Lowe, headteacher of "
                      "Oak Primary,", cand)
        self.assertNotRegex(cand, r"(?i)you have withdrawn|has withdrawn")
        _, head = self.one("withdrawn", "p-head", mails, about="Ben Hughes")
        self.assertIn("Ben Hughes's application", head)
        self.assertIn("was withdrawn by you,", head)
        _, la = self.one("withdrawn", "p-cara", mails)
        self.assertIn("was withdrawn by Helen Marsh, LA adviser,", la)
        self.assertIn("Reason: no reason given.", la)

    def test_waiting_list_oversubscribed_only_when_full(self):
        apps = {c: self.to_selection(c) for c in ("p-zoe", "p-ben", "p-cara", "p-dev", "p-eve")}
        # One of two places taken: a waiting list, but no over-subscription.
        self.d.ok("application.decide", {"app": apps["p-zoe"], "outcome": "accept"}, "p-la")
        self.d.ok("application.decide", {"app": apps["p-ben"], "outcome": "waitlist"}, "p-la")
        # Both places taken: now the cohort is over-subscribed.
        self.d.ok("application.decide", {"app": apps["p-cara"], "outcome": "accept"}, "p-la")
        self.d.ok("application.decide", {"app": apps["p-dev"], "outcome": "waitlist"}, "p-la")
        self.d.ok("application.decide", {"app": apps["p-eve"], "outcome": "reject"}, "p-la")
        mails = self.mails()
        full = "All 2 places on Norfolk Primary Talent Pool 2026-27 are taken"
        _, ben = self.one("decision-waitlist", "p-ben", mails)
        self.assertIn("on the waiting list, at number 1", ben)
        self.assertNotRegex(ben, r"places are taken|more (people|nominations|applications)")
        _, dev = self.one("decision-waitlist", "p-dev", mails)
        self.assertIn("on the waiting list, at number 2", dev)
        self.assertIn(full + ": more people applied than there are places.", dev)
        _, eve = self.one("decision-not-selected", "p-eve", mails)
        self.assertIn(full, eve)
        self.assertIn("Thank you for your application to", eve)
        self.assertNotIn("nomination", eve, "Eve applied herself")

    def test_nominated_candidate_hears_who_and_what_next(self):
        cara = self.create("p-cara", "p-head", "nomination")
        self.create("p-dev")  # interest: no such email
        mails = self.mails()
        m, text = self.one("nominated", "p-cara", mails)
        self.assertEqual(m["msg"]["Subject"], "You have been nominated for Norfolk Leadership "
                                              "Talent Pool")
        self.assertIn("You have been nominated for Norfolk Leadership Talent Pool, Norfolk "
                      "Primary Talent Pool 2026-27, by Margaret Lowe, headteacher of Oak "
                      "Primary.", text)
        self.assertIn("What happens next: Expression of interest and self-evaluation. What "
                      "is needed now: the self evaluation.", text)
        self.assertIn("It is due by Fri 25 Sep 2026, 17:00 (in 18 days).", text)
        self.assertEqual([p for t, p, _, _ in mails if t == "nominated"], ["p-cara"])
        # Her headteacher, asked to sign off, hears of the nomination it is.
        self.submit(cara, "self_evaluation", "p-cara")
        m, text = self.one("signoff-needed", "p-head")
        self.assertEqual(m["msg"]["Subject"],
                         "Please sign off Cara Doyle's nomination (Norfolk Leadership Talent Pool)")
        self.assertIn("their nomination now needs you", text)

    def test_self_application_is_not_a_nomination(self):
        zoe = self.to_signoff("p-zoe")
        # Reminded every 4 days and escalated the day after the deadline (Mon 21 Sep 17:00).
        for day in range(8, 25):
            self.d.ok("clock.set", {"now": "2026-09-%02dT12:00:00Z" % day})
        mails = self.mails()
        asks = [(t, m, text) for t, p, m, text in mails
                if t in ("signoff-needed", "signoff-reminder") and p == "p-head"]
        self.assertGreaterEqual(len(asks), 4)
        for t, m, text in asks:
            self.assertNotIn("nomination", m["msg"]["Subject"] + text, t)
            self.assertIn("Zoe Quinn's application", m["msg"]["Subject"] + text, t)
        self.assertTrue(zoe)

    def test_reminder_after_its_deadline_says_overdue(self):
        self.to_signoff("p-zoe")
        deadline = datetime(2026, 9, 21, 16, 0, tzinfo=timezone.utc)  # 17:00 BST
        for day in range(8, 29):
            self.d.ok("clock.set", {"now": "2026-09-%02dT12:00:00Z" % day})
        mails = self.mails()
        reminders = [(m, text) for t, p, m, text in mails if t == "signoff-reminder"]
        before = [text for m, text in reminders
                  if email.utils.parsedate_to_datetime(m["msg"]["Date"]) < deadline]
        after = [text for m, text in reminders
                 if email.utils.parsedate_to_datetime(m["msg"]["Date"]) >= deadline]
        self.assertTrue(before and after, [m["msg"]["Date"] for m, _ in reminders])
        for text in before:
            self.assertRegex(text, r"It is due by Mon 21 Sep 2026, 17:00 "
                                   r"\((in \d+ days|tomorrow|today)\)\.")
        for text in after:
            self.assertRegex(text, r"It was due by Mon 21 Sep 2026, 17:00 and is now "
                                   r"\d+ days? overdue\.")
            self.assertNotRegex(text, r"(?i)complete it by|is due by")
        self.assertIn("It was due by Mon 21 Sep 2026, 17:00 and is now 2 days overdue.", after[0])
        # The escalation to the LA, the day after: "1 day", never "1 day(s)".
        _, la = self.one("signoff-overdue", "p-la", mails)
        self.assertIn("It was due by Mon 21 Sep 2026, 17:00 and is now 1 day overdue.", la)

    def responses_missing(self, answered):
        """Zoe invites nobody; Ben invites 8, of whom `answered` respond; the reminder 7
        days before the 360's deadline (TP2, Thu 5 Nov 16:00): Thu 29 Oct, 09:00."""
        apps = {c: self.to_selection(c) for c in ("p-zoe", "p-ben")}
        for app in apps.values():
            self.d.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        for i in range(1, 9):
            self.d.ok("application.invite_rater", {"app": apps["p-ben"], "rater": "p-r%d" % i},
                      "p-ben")
        for i in range(1, answered + 1):
            self.d.ok("application.record_response", {"app": apps["p-ben"],
                                                      "rater": "p-r%d" % i}, "p-r%d" % i)
        self.mails()  # the invitations go before the clock moves on
        self.d.ok("clock.set", {"now": "2026-10-29T12:00:00Z"})
        return self.mails()

    def test_responses_missing_asks_to_invite(self):
        mails = self.responses_missing(3)
        m, zoe = self.one("responses-missing", "p-zoe", mails)
        self.assertEqual(m["msg"]["Subject"], "Your 360: please invite your colleagues")
        self.assertIn("You have not invited anyone to give you feedback yet. The evaluation "
                      "needs 8 responses: please invite at least 8 colleagues", zoe)
        self.assertNotRegex(zoe, r"still to come|reminded the colleagues")
        m, ben = self.one("responses-missing", "p-ben", mails)
        self.assertEqual(m["msg"]["Subject"], "Your 360: 5 responses still to come")
        self.assertIn("5 more responses are still to come. We have reminded the colleagues "
                      "concerned", ben)

    def test_responses_missing_below_count_from_gives_no_number(self):
        # One answer of 8: below the 360's count_from (3) the number is not told, since
        # raters invited one at a time would give away who answered.
        m, ben = self.one("responses-missing", "p-ben", self.responses_missing(1))
        self.assertEqual(m["msg"]["Subject"], "Your 360: fewer than 3 responses so far")
        self.assertIn("Fewer than 3 of the 8 responses the evaluation needs are in so far.",
                      ben)
        self.assertNotRegex(ben, r"\b7 (more )?responses|still to come")

    def test_failed_delivery_names_job_recipient_reason(self):
        self.person("p-gone", "Gus Gone", ["candidate"], "s-oak", mail="gone@example.org")
        self.sink.reject.add("gone@example.org")
        self.create("p-gone", "p-head", "nomination")
        mails = self.mails()
        (dead,) = self.rig.jobs("dead")
        m, text = self.one("notification-failed", "p-la", mails)
        self.assertEqual(m["msg"]["Subject"],
                         "Undelivered email to Gus Gone <gone@example.org> (%s)" % dead["app"])
        self.assertIn("An email could not be delivered to Gus Gone (candidate) and will not "
                      "be tried again, because the receiving mail server refused the "
                      "address: it may be mistyped, or the mailbox may be closed or full.", text)
        self.assertIn('Email: "You have been nominated for Norfolk Leadership Talent Pool" '
                      "Job: %s (template nominated)" % dead["id"], text)
        self.assertIn('"pathwayctl outbox retry %s"' % dead["id"], text)

    def test_deferral_and_school_move_are_told(self):
        zoe = self.to_selection("p-zoe")
        self.d.ok("application.defer", {"app": zoe, "cohort": "ntp-2027-28"}, "p-la")
        ben = self.to_signoff("p-ben")
        self.mails()
        self.d.ok("person.update", {"id": "p-ben", "school": "s-ash"})
        mails = self.mails()
        for pid in ("p-zoe", "p-head"):
            m, text = self.one("deferred", pid, mails)
            self.assertIn("has been deferred from Norfolk Primary Talent Pool 2026-27 to "
                          "Norfolk Primary Talent Pool 2027-28, which starts on 2027-09-01.",
                          text)
        # The new headteacher is asked at once; the old one is not asked again.
        m, text = self.one("signoff-needed", "p-head2", mails)
        self.assertEqual(m["msg"]["Subject"],
                         "Please sign off Ben Hughes's application (Norfolk Leadership Talent "
                         "Pool)")
        self.assertIn("It is due by Mon 21 Sep 2026, 17:00 (in 14 days).", text)
        self.assertEqual(len([p for t, p, _, _ in mails
                              if t == "signoff-needed" and p == "p-head"]), 2)  # zoe, ben
        self.assertTrue(ben)

    def test_date_follows_the_daemons_clock(self):
        # Weeks after the rig's start, still in the cohort's window for applications
        # (it closes on 25 Sep).
        self.d.ok("clock.set", {"now": "2026-09-24T10:15:00Z"})
        self.create("p-cara", "p-head", "nomination")
        m, _ = self.one("nominated", "p-cara")
        self.assertEqual(email.utils.parsedate_to_datetime(m["msg"]["Date"]),
                         datetime(2026, 9, 24, 10, 15, tzinfo=timezone.utc))


if __name__ == "__main__":
    unittest.main()
