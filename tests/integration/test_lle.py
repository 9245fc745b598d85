#!/usr/bin/python3
"""Partner-school support on norfolk-lle: a real pathwayd on the manual clock.

LLEs are taken through selection, briefing and training to "deployed"; then
schools ask for support (their headteacher, or the LA for a school it
identifies), the LA pairs each request with an LLE within the LLE's capacity
(the programme's, or the LLE's partner_capacity fact) and with phase taken
into account, the review points fall due on the clock, the LLE records a
review and the LA ends the pairing. At each step the test asserts the jobs
(recipient, template) and events that appeared, and who may read the need.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from test_timers import BIN, SRC, Daemon
from answers import ANSWERS
from news import News

LLE = "lle-2026-27"
NEED = "Maths results have fallen two years running; a new head needs a thinking partner."
GOOD = {"years_as_head": 5, "leadership_good_or_better": True}


class Support(unittest.TestCase):
    def setUp(self):
        self.d = d = Daemon("2026-11-02T09:00:00Z")
        self.addCleanup(d.stop)
        schools = [("ls-1", "Acle Primary", "primary"), ("ls-2", "Breck High", "secondary"),
                   ("ls-3", "Cley Special", "special"), ("ls-4", "Diss Primary", "primary"),
                   ("ps-p", "Earsham Primary", "primary"), ("ps-s", "Fakenham High", "secondary"),
                   ("ps-x", "Gresham Special", "special"), ("ps-y", "Holt Special", "special"),
                   ("ps-z", "Ingham Special", "special"),
                   ("ps-at", "Jarrold All-Through", "all-through")]
        for sid, name, phase in schools:
            d.ok("school.create", {"id": sid, "name": name, "phase": phase})
        people = [("p-la", "Helen Marsh", ["la_adviser"], None, None),
                  ("p-view", "Vic Viewer", ["viewer"], None, None),
                  ("lh-1", "Head One", ["candidate", "headteacher"], "ls-1", GOOD),
                  ("lh-2", "Head Two", ["candidate", "headteacher"], "ls-2", GOOD),
                  ("lh-3", "Head Three", ["candidate", "headteacher"], "ls-3",
                   dict(GOOD, partner_capacity=2)),
                  ("lh-4", "Head Four", ["candidate", "headteacher"], "ls-4", GOOD)]
        people += [("h" + s, "Head of " + s, ["headteacher"], s, None)
                   for s, _, _ in schools if s.startswith("ps-")]
        for pid, name, roles, school, facts in people:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            if facts:
                args["facts"] = facts
            d.ok("person.create", args)
        self.app = {}
        for i in (1, 2, 3, 4):
            who = "lh-%d" % i
            a = d.ok("application.create", {"cohort": LLE, "candidate": who}, who)
            self.app[i] = a["application"]["id"]
            d.ok("application.submit", {"app": self.app[i], "doc": "application_form",
                                        "fields": ANSWERS["application_form"]}, who)
            d.ok("application.decide", {"app": self.app[i], "outcome": "accept"})
        d.ok("clock.set", {"now": "2027-01-15T16:30:00Z"})
        d.ok("attendance.record", {"cohort": LLE, "session": "BRIEFING",
                                   "present": [self.app[i] for i in (1, 2, 3)],
                                   "absent": [self.app[4]]})
        d.ok("clock.set", {"now": "2027-02-10T16:30:00Z"})
        d.ok("attendance.record", {"cohort": LLE, "session": "TRAINING",
                                   "present": [self.app[i] for i in (1, 2, 3, 4)]})
        d.ok("clock.set", {"now": "2027-02-11T09:00:00Z"})
        for i in (1, 2, 3):
            self.assertEqual(d.ok("application.get", {"app": self.app[i]})["application"]
                             ["stage"], "deployed")
        self.watch = News(d)

    # --- what happened since the last look ---------------------------------------------
    def news(self):
        evs, jobs = self.watch()
        return jobs, evs

    def expect(self, jobs, events):
        got_jobs, got_evs = self.news()
        self.assertEqual(sorted((j["to"]["person"], j["template"]) for j in got_jobs),
                         sorted(jobs))
        self.assertEqual(sorted(e["type"] for e in got_evs), sorted(events))
        for e in got_evs:  # the need is the school's: never in the event stream
            self.assertNotIn("need", e.get("data", {}))
            self.assertNotIn("Maths", str(e))
        return got_jobs, got_evs

    def refused(self, cmd, args, actor, code):
        r = self.d.call(cmd, args, actor)
        self.assertFalse(r["ok"], "%s %s by %s" % (cmd, args, actor))
        self.assertEqual(r["error"]["code"], code, r["error"]["message"])
        # Nothing changed: no job, no event but the audit of a forbidden request.
        self.expect([], ["audit.refused"] if code == "forbidden" else [])
        return r["error"]["message"]

    # --- the tests ----------------------------------------------------------------------
    def test_request_pair_review_end(self):
        d = self.d
        # A school's headteacher asks for support for their own school (no school named).
        r = d.ok("support.request", {"cohort": LLE, "need": NEED}, "hps-p")["request"]
        rid = r["id"]
        self.assertEqual((r["school"], r["status"], r["raised_by"], r["raised_as"], r["need"]),
                         ("ps-p", "open", "hps-p", "headteacher", NEED))
        jobs, evs = self.expect([("hps-p", "support-requested"), ("p-la", "support-requested")],
                                ["support.requested"])
        self.assertEqual(evs[0]["data"], {"request": rid, "school": "ps-p"})
        self.assertEqual(jobs[0]["vars"]["need"], NEED)
        self.assertEqual(jobs[0]["vars"]["school_name"], "Earsham Primary")
        # Not for another school; not empty; not on a programme without support.
        self.refused("support.request", {"cohort": LLE, "school": "ps-s", "need": NEED}, "hps-p",
                     "forbidden")
        self.refused("support.request", {"cohort": LLE, "need": ""}, "hps-p", "invalid_request")
        self.refused("support.request", {"cohort": "ntp-2026-27", "need": NEED}, "hps-p",
                     "invalid_request")
        self.refused("support.request", {"cohort": LLE, "need": NEED}, "p-view", "forbidden")
        # The LA identifies a school that would benefit.
        r2 = d.ok("support.request", {"cohort": LLE, "school": "ps-s", "need": "Attendance."},
                  "p-la")["request"]
        self.assertEqual(r2["raised_as"], "la_adviser")
        self.expect([("hps-s", "support-requested"), ("p-la", "support-requested")],
                    ["support.requested"])

        # Who reads the need: the LA and the school's headteacher; a viewer sees the
        # request without it; another school's head and unpaired LLEs see nothing.
        self.assertEqual(d.ok("support.get", {"request": rid}, "hps-p")["request"]["need"], NEED)
        self.assertNotIn("need", d.ok("support.get", {"request": rid}, "p-view")["request"])
        self.refused("support.get", {"request": rid}, "hps-s", "forbidden")
        self.refused("support.get", {"request": rid}, "lh-1", "forbidden")
        self.assertEqual([x["id"] for x in d.ok("support.list", {}, "hps-p")["requests"]], [rid])
        self.assertEqual(d.ok("support.list", {}, "lh-1")["requests"], [])
        self.assertEqual(len(d.ok("support.list", {"status": "open"})["requests"]), 2)
        self.news()

        # Only the LA pairs; only an application at "deployed"; phases must match.
        self.refused("support.pair", {"request": rid, "app": self.app[1]}, "hps-p", "forbidden")
        self.refused("support.pair", {"request": rid, "app": self.app[4]}, "p-la",
                     "invalid_transition")
        msg = self.refused("support.pair", {"request": rid, "app": self.app[2]}, "p-la",
                           "not_eligible")
        self.assertIn("phase", msg)
        self.expect([], [])
        p = d.ok("support.pair", {"request": rid, "app": self.app[1]})["request"]
        self.assertEqual((p["status"], p["app"], p["lle"], p["phase_mismatch"]),
                         ("paired", self.app[1], "lh-1", False))
        # Every 42 days at 09:00 local, three times (GMT until 28 Mar, BST after).
        self.assertEqual([x["due"] for x in p["reviews"]],
                         ["2027-03-25T09:00:00Z", "2027-05-06T08:00:00Z",
                          "2027-06-17T08:00:00Z"])
        jobs, evs = self.expect([("lh-1", "support-paired"), ("hps-p", "support-paired"),
                                 ("p-la", "support-paired")], ["support.paired"])
        self.assertEqual(evs[0]["app"], self.app[1])
        self.assertEqual(jobs[0]["vars"]["lle_name"], "Head One")
        self.assertEqual(jobs[0]["vars"]["lle_school_name"], "Acle Primary")
        # The pairing is on the LLE's application history; the LLE now reads the need.
        hist = d.ok("application.history", {"app": self.app[1]}, "lh-1")["events"]
        self.assertIn("support.paired", [e["type"] for e in hist])
        self.assertEqual(d.ok("support.get", {"request": rid}, "lh-1")["request"]["need"], NEED)
        self.assertEqual([x["id"] for x in d.ok("support.list", {}, "lh-1")["requests"]], [rid])
        # A paired request is not paired again; an LLE at capacity takes no more.
        self.refused("support.pair", {"request": rid, "app": self.app[2]}, "p-la",
                     "invalid_transition")
        r3 = d.ok("support.request", {"cohort": LLE, "school": "ps-at", "need": "Phonics."},
                  "p-la")["request"]["id"]
        self.news()
        msg = self.refused("support.pair", {"request": r3, "app": self.app[1]}, "p-la",
                           "cohort_full")
        self.assertIn("capacity 1", msg)

        # The first review point, a minute before and at it.
        d.ok("clock.set", {"now": "2027-03-25T08:59:00Z"})
        self.expect([], [])
        d.ok("clock.set", {"now": "2027-03-25T09:00:00Z"})
        jobs, evs = self.expect([("lh-1", "support-review"), ("hps-p", "support-review"),
                                 ("p-la", "support-review")], ["support.review_due"])
        self.assertEqual(evs[0]["data"]["review"], 1)
        self.assertEqual(jobs[0]["vars"]["review_number"], "1")
        # The LLE records it; the partner school's head may not; nor another LLE.
        self.refused("support.review", {"request": rid}, "lh-2", "forbidden")
        self.news()
        r = d.ok("support.review", {"request": rid, "note": "Good progress."}, "lh-1")["request"]
        self.assertEqual(r["reviews"][0]["done"]["by"], "lh-1")
        self.expect([], ["support.reviewed"])
        # The LA ends the pairing: everyone hears; the reviews still ahead never come.
        self.refused("support.end", {"request": rid}, "lh-1", "forbidden")
        self.news()
        d.ok("clock.set", {"now": "2027-04-01T10:00:00Z"})
        r = d.ok("support.end", {"request": rid, "note": "The school is out of its category."})
        self.assertEqual(r["request"]["status"], "ended")
        self.expect([("lh-1", "support-ended"), ("hps-p", "support-ended"),
                     ("p-la", "support-ended")], ["support.ended"])
        # What the review and the ending said of the school is read as the need is.
        seen = d.ok("support.get", {"request": rid}, "hps-p")["request"]
        self.assertEqual((seen["reviews"][0]["done"]["note"], seen["ended"]["note"]),
                         ("Good progress.", "The school is out of its category."))
        seen = d.ok("support.get", {"request": rid}, "p-view")["request"]
        self.assertEqual(seen["reviews"][0]["done"]["by"], "lh-1")
        self.assertNotIn("note", seen["reviews"][0]["done"])
        self.assertNotIn("note", seen["ended"])
        self.refused("support.end", {"request": rid}, "p-la", "invalid_transition")
        d.ok("clock.set", {"now": "2027-07-01T10:00:00Z"})
        self.expect([], [])
        # The LLE has room again: an all-through school takes a primary LLE.
        p = d.ok("support.pair", {"request": r3, "app": self.app[1]})["request"]
        self.assertFalse(p["phase_mismatch"])
        self.expect([("lh-1", "support-paired"), ("hps-at", "support-paired"),
                     ("p-la", "support-paired")], ["support.paired"])
        # An open request the LA closes: no pairing, no email.
        d.ok("support.end", {"request": r2["id"]})
        self.expect([], ["support.closed"])
        self.assertEqual(d.ok("support.get", {"request": r2["id"]})["request"]["status"],
                         "closed")

    def test_capacity_fact_and_override(self):
        d = self.d
        ids = {}
        for s in ("ps-x", "ps-y", "ps-z", "ps-s"):
            ids[s] = d.ok("support.request", {"cohort": LLE, "school": s, "need": "Help."},
                          "p-la")["request"]["id"]
        # Head Three's partner_capacity fact (2) replaces the programme's capacity (1).
        d.ok("support.pair", {"request": ids["ps-x"], "app": self.app[3]})
        d.ok("support.pair", {"request": ids["ps-y"], "app": self.app[3]})
        self.news()
        self.refused("support.pair", {"request": ids["ps-z"], "app": self.app[3]}, "p-la",
                     "cohort_full")
        # A phase mismatch may be paired by the LA on purpose; the pairing says so.
        self.refused("support.pair", {"request": ids["ps-z"], "app": self.app[2]}, "p-la",
                     "not_eligible")
        self.news()
        p = d.ok("support.pair", {"request": ids["ps-z"], "app": self.app[2],
                                  "override": True})["request"]
        self.assertTrue(p["phase_mismatch"])
        jobs, evs = self.expect([("lh-2", "support-paired"), ("hps-z", "support-paired"),
                                 ("p-la", "support-paired")], ["support.paired"])
        self.assertTrue(evs[0]["data"]["phase_mismatch"])
        self.assertIn("different phases", jobs[0]["vars"]["phase_note"])
        # Bad input changes nothing.
        self.refused("support.pair", {"request": "S999999", "app": self.app[2]}, "p-la",
                     "not_found")
        self.refused("support.pair", {"request": ids["ps-s"], "app": "A999999"}, "p-la",
                     "not_found")
        self.refused("support.pair", {"request": ids["ps-s"]}, "p-la", "invalid_request")
        self.refused("support.list", {"status": "lost"}, "p-la", "invalid_request")
        self.expect([], [])
        self.assertEqual(d.ok("support.get", {"request": ids["ps-s"]})["request"]["status"],
                         "open")

    def test_pathwayctl(self):
        """The subcommands a person uses: ask, pair, list, read (need shown to whom it may)."""
        def ctl(*args, ok=True):
            env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
            r = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", self.d.conf] + list(args),
                               capture_output=True, text=True, env=env, timeout=60)
            self.assertEqual(r.returncode == 0, ok, r.stdout + r.stderr)
            return r.stdout + r.stderr

        out = ctl("-a", "hps-p", "support", "request", LLE, "--need", NEED)
        self.assertIn("request      S000001", out)
        self.assertIn("need         " + NEED, out)
        out = ctl("-a", "p-la", "support", "pair", "S000001", self.app[2], ok=False)
        self.assertIn("not_eligible", out)
        out = ctl("-a", "p-la", "support", "pair", "S000001", self.app[1])
        self.assertIn("paired with  lh-1 (%s)" % self.app[1], out)
        self.assertIn("review 1     due 2027-03-25T09:00:00Z", out)
        out = ctl("-a", "p-view", "support", "get", "S000001")
        self.assertNotIn(NEED, out)
        out = ctl("-a", "p-la", "support", "list", "--status", "paired")
        self.assertRegex(out, r"S000001\s+lle-2026-27\s+ps-p\s+paired\s+lh-1")
        out = ctl("-a", "lh-2", "support", "get", "S000001", ok=False)
        self.assertIn("forbidden", out)


class NotificationRules(unittest.TestCase):
    def test_a_rule_on_a_support_or_booking_event_is_refused(self):
        """Their emails come from the support and bookings groups, with their own
        variables; a notification rule (which fills an application's) may not name them."""
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        shutil.copytree(os.path.join(SRC, "conf"), os.path.join(root, "conf"))
        prog = os.path.join(root, "conf/programmes/norfolk-lle.conf")
        with open(prog) as f:
            text = f.read()
        anchor = "\tnotifications = (\n"
        self.assertIn(anchor, text)
        for on, tmpl in (("support.requested", "support-requested"),
                         ("session.booked", "booking-confirmed")):
            with open(prog, "w") as f:
                f.write(text.replace(anchor, anchor + '\t\t{ on = "%s"; to = [ "la_adviser" ]; '
                                     'template = "%s"; },\n' % (on, tmpl), 1))
            r = subprocess.run([os.path.join(BIN, "pathwayd"), "-t", "-c", "conf/pathway.conf"],
                               cwd=root, capture_output=True, text=True, timeout=60)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("'%s' is not an event that can be notified" % on, r.stderr)


if __name__ == "__main__":
    unittest.main()
