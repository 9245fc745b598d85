#!/usr/bin/python3
"""Retention, tried from outside.

A real pathwayd on a manual clock, running the forms test programme
(test_forms.py) with retention_years = 1. An application with a form, a
360 self-assessment and a rater's answers is withdrawn with a reason; the
dry run (retention.list, `pathwayctl retention --dry-run`) shows it due a
year after the withdrawal; one second before that nothing is purged; at it,
the application is purged (application.purged by pathwayd, the free text,
form content and 360 answers gone) and its candidate, with nothing else
held, erased; another candidate's live application is untouched throughout.
"""
import json
import os
import signal
import subprocess
import time
import unittest

import test_forms
from test_forms import GOOD, FormsCase, FormsDaemon
from test_timers import BIN

YEAR = 365 * 86400  # 2026-09-07 to 2027-09-07
SECRETS = ["hello", "SELFSECRET", "RATERSECRET", "WITHDRAWREASON", "line one",
           "Lena Manager", "lena@colleagues.example.org"]


class RetentionDaemon(FormsDaemon):
    """The forms test programme, its data kept for one year after an application ends."""

    def start(self):
        if not os.path.exists(os.path.join(self.dir, "forms-test.conf")):
            saved = test_forms.PROGRAMME
            test_forms.PROGRAMME = saved.replace(
                'name = "Forms Test Programme";',
                'name = "Forms Test Programme";\n\tretention_years = 1;', 1)
            try:
                super().start()
            finally:
                test_forms.PROGRAMME = saved
        else:
            super().start()


class RetentionTest(FormsCase):
    def setUp(self):
        saved = test_forms.FormsDaemon
        test_forms.FormsDaemon = RetentionDaemon  # FormsCase.setUp makes the daemon
        try:
            super().setUp()
        finally:
            test_forms.FormsDaemon = saved

    def purges(self):
        return self.d.ok("retention.list", {}, "p-la")["purges"]

    def test_withdrawn_application_purged_after_a_year(self):
        d, app = self.d, self.app
        other = d.ok("application.create", {"cohort": "ft-2026", "candidate": "p-other"},
                     "p-other")["application"]["id"]
        d.ok("application.submit", {"app": other, "doc": "every",
                                    "fields": dict(GOOD, t="OTHERTEXT")}, "p-other")
        self.to_360()
        d.ok("feedback.respond", {"app": app, "ratings": {"q1": 2, "q2": 3},
                                  "comments": {"q1": "SELFSECRET"}}, "p-cand")
        d.ok("feedback.invite", {"app": app, "name": "Lena Manager",
                                 "email": "lena@colleagues.example.org",
                                 "category": "line_manager"}, "p-cand")
        d.ok("feedback.respond", {"app": app, "ratings": {"q1": 5, "q2": 5},
                                  "comments": {"q1": "RATERSECRET"}}, "R000001")
        self.assertEqual(self.purges(), [])  # nothing has ended yet
        d.ok("application.withdraw", {"app": app, "reason": "WITHDRAWREASON"}, "p-cand")

        # The dry run: due a year after the withdrawal; the live one is not listed.
        self.assertEqual(self.purges(), [{
            "app": app, "cohort": "ft-2026", "candidate": "p-cand", "status": "withdrawn",
            "ended": "2026-09-07T08:00:00Z", "purge_at": "2027-09-07T08:00:00Z"}])
        out = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", d.conf, "-a", "p-la",
                              "retention", "--dry-run"], capture_output=True, text=True,
                             timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("2027-09-07T08:00:00Z", out.stdout)
        self.assertIn(app, out.stdout)

        # A restart (start-up re-arms retention timers) keeps the one timer where it is.
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=20), 0)
        d.log.close()
        d.start()
        self.assertEqual(len(self.purges()), 1)

        # One second before: nothing purged.
        d.ok("clock.advance", {"seconds": YEAR - 1})
        a = d.ok("application.get", {"app": app})["application"]
        self.assertNotIn("purged", a)
        self.assertEqual(a["withdrawal"]["reason"], "WITHDRAWREASON")

        # At the boundary: purged, with its event, and the candidate erased.
        d.ok("clock.advance", {"seconds": 1})
        deadline = time.monotonic() + 10
        while "purged" not in a and time.monotonic() < deadline:
            time.sleep(0.05)
            a = d.ok("application.get", {"app": app})["application"]
        self.assertEqual(a["purged"], "2027-09-07T08:00:00Z")
        self.assertNotIn("reason", a.get("withdrawal", {}))
        form = d.ok("form.get", {"app": app, "form": "every"})["form"]
        self.assertEqual(form["state"], "erased")
        self.assertNotIn("fields", form)
        events = d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        (ev,) = [e for e in events if e["type"] == "application.purged"]
        self.assertEqual((ev["app"], ev["actor"]), (app, "pathwayd"))
        self.assertIn("person.erased", [e["type"] for e in events])
        person = d.ok("person.get", {"id": "p-cand"})["person"]
        self.assertEqual(person["name"], "erased person")
        report = d.call("feedback.report", {"app": app}, "p-la")
        text = json.dumps([a, form, person, report, d.ok("application.history", {"app": app})])
        for s in SECRETS:
            self.assertNotIn(s, text)
        self.assertEqual(self.purges(), [])

        # The live application of another candidate is untouched.
        o = d.ok("application.get", {"app": other})["application"]
        self.assertEqual(o["status"], "active")
        self.assertNotIn("purged", o)
        ofm = d.ok("form.get", {"app": other, "form": "every"}, "p-other")["form"]
        self.assertEqual(ofm["fields"]["t"], "OTHERTEXT")
        self.assertEqual(d.ok("person.get", {"id": "p-other"})["person"]["name"], "Other Person")

    def test_keep_when_the_candidate_has_another_application(self):
        d, app = self.d, self.app
        # A form sent back with a note: its email to the candidate waits (no mailer runs).
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        d.ok("application.return", {"app": app, "form": "every", "note": "RETURNNOTE"},
             "p-head")

        def notes():
            jobs = d.ok("outbox.list", {"vars": True, "limit": 1000})["jobs"]
            return [j["vars"].get("note") for j in jobs if j["template"] == "form-returned"]

        self.assertEqual(notes(), ["RETURNNOTE"])
        d.ok("application.withdraw", {"app": app}, "p-cand")
        d.ok("application.create", {"cohort": "ft-2026", "candidate": "p-cand"}, "p-cand")
        d.ok("clock.advance", {"seconds": YEAR})
        deadline = time.monotonic() + 10
        a = {}
        while "purged" not in a and time.monotonic() < deadline:
            time.sleep(0.05)
            a = d.ok("application.get", {"app": app})["application"]
        self.assertIn("purged", a)
        self.assertEqual(d.ok("person.get", {"id": "p-cand"})["person"]["name"], "Cand Person")
        # The purge took the note out of the email still queued, though its reader stays.
        self.assertEqual(notes(), ["(removed: personal data erased)"])
        events = d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        (ev,) = [e for e in events if e["type"] == "application.purged"]
        self.assertEqual(ev["data"]["erased"]["jobs_redacted"], 1)

    def test_rater_still_rating_another_application_is_kept(self):
        d, app = self.d, self.app
        d.ok("person.create", {"id": "p-shared", "name": "Shared Rater",
                               "email": "shared@example.org", "roles": ["rater"],
                               "school": "s-oak"})
        self.to_360()
        other = d.ok("application.create", {"cohort": "ft-2026", "candidate": "p-other"},
                     "p-other")["application"]["id"]
        d.ok("application.submit", {"app": other, "doc": "every", "fields": GOOD}, "p-other")
        d.ok("application.submit", {"app": other, "doc": "evidence",
                                    "fields": {"why": "Ready."}}, "p-head")
        d.ok("application.signoff", {"app": other}, "p-head")
        d.ok("application.decide", {"app": other, "outcome": "accept"}, "p-la")
        for a, cand in ((app, "p-cand"), (other, "p-other")):
            d.ok("application.invite_rater", {"app": a, "rater": "p-shared"}, cand)
        d.ok("application.withdraw", {"app": app}, "p-cand")
        d.ok("clock.advance", {"seconds": YEAR})
        deadline = time.monotonic() + 10
        a = {}
        while "purged" not in a and time.monotonic() < deadline:
            time.sleep(0.05)
            a = d.ok("application.get", {"app": app})["application"]
        self.assertIn("purged", a)
        # Still invited to the other candidate's 360: not erased with the first.
        p = d.ok("person.get", {"id": "p-shared"})["person"]
        self.assertEqual((p["name"], p["email"]), ("Shared Rater", "shared@example.org"))
        self.assertNotIn("erased", p)

    def test_rejected_listed_from_the_decision(self):
        d, app = self.d, self.app
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        d.ok("application.submit", {"app": app, "doc": "evidence",
                                    "fields": {"why": "Ready."}}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("clock.advance", {"seconds": 3600})
        d.ok("application.decide", {"app": app, "outcome": "reject"}, "p-la")
        self.assertEqual(self.purges(), [{
            "app": app, "cohort": "ft-2026", "candidate": "p-cand", "status": "rejected",
            "ended": "2026-09-07T09:00:00Z", "purge_at": "2027-09-07T09:00:00Z"}])


if __name__ == "__main__":
    unittest.main()
