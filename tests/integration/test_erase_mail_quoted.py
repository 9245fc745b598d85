#!/usr/bin/python3
"""Erasure and the emails that quote others, delivered for real.

A real pathwayd on a manual clock, a real pathway-mailer and an SMTP server
(aiosmtpd). Besides the variables that hold someone's text whole
(test_erase_mail.py), an erasure takes text out of three kinds of email
still to go:
- a daily digest, whose notices are the subjects of the emails it holds
  back: those held for the next digest (DB_DIGESTS) and those already in a
  digest in the outbox;
- an LA adviser's alert about an email that could not be delivered, which
  quotes that email's subject;
- the yearly alumni follow-up, whose career lines name the school of each
  step, as whoever recorded the step wrote it.

No shipped template puts free text in a subject (they hold names, ids,
dates, counts and the programme's and posts' own words; names are replaced
by the erasure's name scrub), so the first two are reached here as an
operator reaches them: the shipped templates, with the withdrawal reason
added to the subject of withdrawn.txt. The third uses the shipped
alumni-update. In each, what the erased person wrote is in the queue first,
then the person is erased, the mailer delivers, and the email holds
"(removed: personal data erased)" where the text was, while others' text in
the same emails (another candidate's reason, the same school given by an
LA adviser for a later step) arrives as written.
"""
import json
import os
import shutil
import time
import unittest

import store_peek
from answers import ANSWERS
from test_mail import Rig, Sink, flat, message_id, text_of
from test_timers import SRC

START = "2026-09-07T08:00:00Z"  # Mon 7 Sep 2026, 09:00 BST
REMOVED = "(removed: personal data erased)"
NTP, KENT = "ntp-2026-27", "kent-2026-27"
REASONS = {"p-ann": "ANNREASON: my partner is seriously ill",
           "p-cy": "CYREASON: I have taken a post in Suffolk",
           "p-dee": "DEEREASON: caring for my father in Lowestoft",
           "p-eve": "EVEREASON: a promotion at my own school"}
SCHOOL = "Ashgrove Junior School"  # a career step's school, as its recorder wrote it
PROGRAMME = "Norfolk Leadership Talent Pool"
WITHDRAWN = ("Subject: Withdrawn: {{candidate_your}} {{application_word}} to "
             "{{programme_name}}\n")


class DeferringSink(Sink):
    """A sink that answers 451 at RCPT for the addresses in `defer`: the mailer
    reports a retry and the job waits for its next attempt on the daemon's clock."""

    def __init__(self):
        super().__init__()
        self.defer = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.defer:
            return "451 4.2.1 <%s>: mailbox busy, try later" % address
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def withdrawn(whose, reason):
    """The customised subject of a withdrawal's email."""
    return "Withdrawn: %s application to %s (%s)" % (whose, PROGRAMME, reason)


def wait_until(test, fn, what, timeout=60):
    end = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        test.assertLess(time.monotonic(), end, what)
        time.sleep(0.05)


class EraseQuotedTest(unittest.TestCase):
    maxDiff = None

    def setup_rig(self, quote_reason=False):
        self.rig = Rig(self, START, handler=DeferringSink())
        self.d = d = self.rig.d
        if quote_reason:
            # The shipped templates, the withdrawal's reason added to its subject.
            tdir = os.path.join(d.dir, "templates")
            shutil.copytree(os.path.join(SRC, "conf/templates"), tdir)
            path = os.path.join(tdir, "withdrawn.txt")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertTrue(text.startswith(WITHDRAWN))
            with open(path, "w", encoding="utf-8") as f:
                f.write(WITHDRAWN[:-1] + " ({{reason}})\n" + text[len(WITHDRAWN):])
            with open(d.conf) as f:
                conf = f.read()
            shipped = 'templates = "%s/conf/templates";' % SRC
            self.assertIn(shipped, conf)
            with open(d.conf, "w") as f:
                f.write(conf.replace(shipped, 'templates = "%s";' % tdir))
            d.kill()
            d.start()
        d.ok("school.create", {"id": "s-oak", "name": "Oak Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-elm", "name": "Elm Tree Primary", "phase": "primary",
                               "lss": True})
        for pid, name, roles, school in (
                ("p-la", "Helen Marsh", ["la_adviser"], None),
                ("p-head", "Margaret Lowe", ["headteacher"], "s-oak"),
                ("p-ann", "Annabel Archer", ["candidate"], "s-oak"),
                ("p-cy", "Cyril Young", ["candidate"], "s-oak"),
                ("p-dee", "Deirdre Dunn", ["candidate"], "s-oak"),
                ("p-eve", "Evelyn Eastwood", ["candidate"], "s-oak")):
            self.rig.person(pid, name, roles, school)
        return self.rig

    def jobs(self, **match):
        return [j for j in self.d.ok("outbox.list", {"vars": True, "limit": 1000})["jobs"]
                if all(j.get(k) == v or j["to"].get(k) == v for k, v in match.items())]

    def withdraw(self, cand):
        app = self.d.ok("application.create", {"cohort": NTP, "candidate": cand},
                        cand)["application"]["id"]
        self.d.ok("application.withdraw", {"app": app, "reason": REASONS[cand]}, cand)
        return app

    def mail(self, since=0):
        """The messages the SMTP server got after the first `since`, as
        {job: (recipient, subject, plain body flattened)}."""
        out = {}
        for m in self.rig.sink.snapshot()[since:]:
            (rcpt,) = m["rcpt"]
            out[message_id(m)[0]] = (rcpt, str(m["msg"]["Subject"]), flat(text_of(m)))
        return out

    def test_digest_notices_held_and_queued(self):
        self.setup_rig(quote_reason=True)
        d = self.d
        d.ok("person.digest", {"id": "p-head", "digest": True}, "p-head")
        apps = {c: self.withdraw(c) for c in ("p-ann", "p-cy")}
        # The headteacher's notices wait for the digest, Tue 8 Sep, 07:00 BST.
        self.assertEqual(self.jobs(person="p-head"), [])
        d.ok("clock.set", {"now": "2026-09-08T06:00:00Z"})
        (first,) = self.jobs(person="p-head", template="digest")
        for c in ("p-ann", "p-cy"):
            self.assertIn(REASONS[c], first["vars"]["notices"])
        self.assertIn("Annabel Archer", first["vars"]["notices"])
        # Two more, held for the next digest.
        apps.update({c: self.withdraw(c) for c in ("p-dee", "p-eve")})
        db = os.path.join(d.dir, "db")

        def held():
            (h,) = store_peek.records(db, "digests")
            return {n["app"]: n["subject"] for n in h["notices"]}

        h = held()
        self.assertEqual(sorted(h), [apps["p-dee"], apps["p-eve"]])
        self.assertIn(REASONS["p-dee"], h[apps["p-dee"]])

        # Annabel's reason leaves the digest in the outbox (and the LA's email);
        # Deirdre's leaves her held notice.
        r = d.ok("person.erase", {"id": "p-ann"}, "p-la")["erased"]
        self.assertEqual(r["jobs_redacted"], 2)
        (j,) = self.jobs(id=first["id"])
        self.assertNotIn("ANNREASON", j["vars"]["notices"])
        self.assertNotIn("Annabel", j["vars"]["notices"])
        self.assertIn("(%s)" % REMOVED, j["vars"]["notices"])
        self.assertIn(REASONS["p-cy"], j["vars"]["notices"])
        r = d.ok("person.erase", {"id": "p-dee"}, "p-la")["erased"]
        self.assertEqual(r["jobs_redacted"], 1)  # the LA's withdrawn email
        h = held()
        self.assertEqual(h[apps["p-dee"]].count(REMOVED), 1)
        self.assertNotIn("DEEREASON", h[apps["p-dee"]])
        self.assertNotIn("Deirdre", h[apps["p-dee"]])
        self.assertIn(REASONS["p-eve"], h[apps["p-eve"]])
        # The next digest, Wed 9 Sep, 07:00 BST.
        d.ok("clock.set", {"now": "2026-09-09T06:00:00Z"})
        self.assertEqual(store_peek.records(db, "digests"), [])
        second = [j for j in self.jobs(person="p-head", template="digest")
                  if j["id"] != first["id"]]
        self.assertEqual(len(second), 1)

        self.rig.mailer("m1")
        self.rig.settle()
        mail = self.mail()
        everything = json.dumps(list(mail.values()))
        for x in ("ANNREASON", "partner is seriously ill", "DEEREASON", "father in Lowestoft",
                  "Annabel", "Deirdre"):
            self.assertNotIn(x, everything)
        one, two = mail[first["id"]], mail[second[0]["id"]]
        self.assertEqual((one[0], two[0]), ("p-head@example.org", "p-head@example.org"))
        # Where the text was, the placeholder; the other candidates' reasons as written.
        self.assertIn(withdrawn("erased person's", REMOVED), one[2])
        self.assertIn(withdrawn("Cyril Young's", REASONS["p-cy"]), one[2])
        self.assertIn(withdrawn("erased person's", REMOVED), two[2])
        self.assertIn(withdrawn("Evelyn Eastwood's", REASONS["p-eve"]), two[2])
        self.assertEqual(one[2].count(REMOVED) + two[2].count(REMOVED), 2)

    def test_alert_about_a_failed_email(self):
        rig = self.setup_rig(quote_reason=True)
        d, sink = self.d, rig.sink
        # The headteacher's mailbox refuses mail; the LA's is busy for now.
        sink.reject.add("p-head@example.org")
        sink.defer.add("p-la@example.org")
        apps = {c: self.withdraw(c) for c in ("p-ann", "p-cy")}
        rig.mailer("m1")

        def alerts():
            a = self.jobs(person="p-la", template="notification-failed")
            return a if len(a) == 2 and all(j["attempts"] >= 1 for j in a) else None

        wait_until(self, alerts, "two alerts, deferred")
        wait_until(self, lambda: len(self.jobs(person="p-la", template="withdrawn")) == 2 and
                   all(j["attempts"] >= 1 for j in self.jobs(person="p-la")), "LA deferred")
        # The candidates' own emails went, and the mailer said so.
        wait_until(self, lambda: sink.count() == 2 and not self.jobs(person="p-ann") and
                   not self.jobs(person="p-cy"), "the candidates' own emails")
        alert = {j["app"]: j for j in alerts()}
        for c in ("p-ann", "p-cy"):
            self.assertIn(REASONS[c], alert[apps[c]]["vars"]["failed_subject"])
            self.assertEqual(alert[apps[c]]["state"], "pending")
        dead = {j["app"]: j for j in self.jobs(state="dead")}
        self.assertEqual(sorted(dead), sorted(apps.values()))
        la = {j["app"]: j for j in self.jobs(person="p-la", template="withdrawn")}
        before = sink.count()

        r = d.ok("person.erase", {"id": "p-ann"}, "p-la")["erased"]
        # The dead email to the headteacher, the LA's email and the alert about the first.
        self.assertNotIn("jobs", r)  # theirs went before
        self.assertEqual(r["jobs_redacted"], 3)
        a = self.jobs(id=alert[apps["p-ann"]]["id"])[0]["vars"]
        self.assertEqual(a["failed_subject"], withdrawn("erased person's", REMOVED))
        self.assertEqual(self.jobs(id=dead[apps["p-ann"]]["id"])[0]["vars"]["reason"], REMOVED)
        # The LA's mailbox takes mail again; the retries come due.
        sink.defer.clear()
        d.ok("clock.advance", {"seconds": 4000})
        rig.settle()
        mail = self.mail(before)
        self.assertEqual(sorted(mail), sorted([alert[a]["id"] for a in apps.values()] +
                                              [la[a]["id"] for a in apps.values()]))
        self.assertEqual({m[0] for m in mail.values()}, {"p-la@example.org"})
        everything = json.dumps(list(mail.values()))
        for x in ("ANNREASON", "partner is seriously ill", "Annabel"):
            self.assertNotIn(x, everything)
        # The alerts quote the subject: the placeholder where the erased reason was.
        for c, whose, reason in (("p-ann", "erased person's", REMOVED),
                                 ("p-cy", "Cyril Young's", REASONS["p-cy"])):
            _, subject, text = mail[alert[apps[c]]["id"]]
            self.assertEqual(subject, "Undelivered email to Margaret Lowe "
                             "<p-head@example.org> (%s)" % apps[c])
            self.assertIn('Email: "%s"' % withdrawn(whose, reason), text)
            _, subject, text = mail[la[apps[c]]["id"]]
            self.assertEqual(subject, withdrawn(whose, reason))
            self.assertIn("Reason: %s." % reason, text)

    def test_career_school_in_alumni_follow_up(self):
        rig = self.setup_rig()
        d = self.d
        d.ok("clock.set", {"now": "2027-06-01T08:00:00Z"})
        for pid, name, roles, school in (("p-cal", "Calliope Stone", ["candidate"], "s-oak"),
                                         ("p-kit", "Kit Marlowe", ["coach"], "s-oak"),
                                         ("p-host", "Hilary Host", ["host"], "s-elm")):
            d.ok("person.create", {"id": pid, "name": name, "email": pid + "@example.org",
                                   "roles": roles, "school": school})
        app = d.ok("application.create", {"cohort": KENT, "track": "senior",
                                          "candidate": "p-cal"}, "p-cal")["application"]["id"]
        d.ok("application.decide", {"app": app, "outcome": "accept"})
        d.ok("application.record_attendance", {"app": app, "session": "INTRO", "present": True})
        for doc in ("predisposition_audit", "placement_choice"):
            d.ok("application.submit", {"app": app, "doc": doc, "fields": ANSWERS[doc]}, "p-cal")
        d.ok("application.assign_coach", {"app": app, "coach": "p-kit"})
        for when, session in (("2027-06-01T08:00:00Z", "COACH1"),
                              ("2027-06-04T12:00:00Z", "COACH2")):
            d.ok("clock.set", {"now": when})
            d.ok("coach.record_training", {"cohort": KENT, "session": session,
                                           "coach": "p-kit", "present": True})
        d.ok("application.place_internship", {"app": app, "host_school": "s-elm",
                                              "start": "2027-06-14", "end": "2027-06-18"})
        d.ok("clock.set", {"now": "2027-06-14T08:00:00Z"})
        d.ok("application.confirm_internship", {"app": app, "days": 5}, "p-host")
        d.ok("clock.set", {"now": "2027-07-08T14:30:00Z"})
        d.ok("application.record_attendance", {"app": app, "session": "CELEBRATION",
                                               "present": True})
        # The coach records a step with its school; the LA adviser a later one at the
        # same school, and the graduate one of their own.
        for actor, role, date, school in (
                ("p-kit", "deputy headteacher", "2027-09-01", SCHOOL),
                ("p-la", "headteacher", "2028-04-01", SCHOOL),
                ("p-cal", "NPQH participant", "2028-05-01", "Beacon Teaching School Hub")):
            d.ok("application.record_progression", {"app": app, "role": role, "date": date,
                                                    "school": school}, actor)
        # The first anniversary's follow-up (Mon 10 Jul 2028, 07:30 BST).
        d.ok("clock.set", {"now": "2028-07-10T06:30:00Z"})
        (job,) = self.jobs(template="alumni-update")
        self.assertEqual(job["to"]["person"], "p-cal")
        self.assertEqual(job["vars"]["career"].count(SCHOOL), 2)

        r = d.ok("person.erase", {"id": "p-kit"}, "p-la")["erased"]
        self.assertGreaterEqual(r["jobs_redacted"], 1)
        a = d.ok("application.get", {"app": app}, "p-la")["application"]
        self.assertEqual([s.get("school") for s in a["career"]],
                         [None, SCHOOL, "Beacon Teaching School Hub"])
        career = ("  2027-09-01: deputy headteacher, %s\n"
                  "  2028-04-01: headteacher, %s\n"
                  "  2028-05-01: NPQH participant, Beacon Teaching School Hub\n"
                  % (REMOVED, SCHOOL))
        self.assertEqual(self.jobs(id=job["id"])[0]["vars"]["career"], career)

        rig.mailer("m1")
        rig.settle()
        mail = self.mail()
        rcpt, subject, text = mail[job["id"]]
        self.assertEqual((rcpt, subject),
                         ("p-cal@example.org", "How is your leadership career going?"))
        self.assertIn(flat("What we have recorded so far:\n" + career), text)
        self.assertEqual(text.count(SCHOOL), 1)
        self.assertNotIn("Kit Marlowe", json.dumps(list(mail.values())))


if __name__ == "__main__":
    unittest.main()
