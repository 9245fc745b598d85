#!/usr/bin/python3
"""Subject access and erasure, tried from outside.

A real pathwayd on the forms test programme (test_forms.py): a candidate with
forms, a 360 self-assessment, a returned form and emails queued. person.export
gives them everything held about them and nothing of other raters' answers;
the candidate may export themself, not another candidate. person.erase then
leaves no name, address or free text of theirs in any view, history, queued
email or form; their session is refused; it cannot be done twice; and the
daemon starts again after a kill -9 with the erasure in place.

On the shipped programmes beside brokering's test programme: a headteacher
who is also a candidate ranks host schools, raises a support request and
books the Norfolk LLE briefing; the export shows all three; erasure removes
the need they wrote (the request keeps its ids), keeps the ranking (school
ids), cancels their seat, which goes to the first waiting, and takes another
person off the waiting list.
"""
import json
import os
import subprocess
import unittest

import zmq

from test_brokering import BrokerDaemon
from test_forms import GOOD, FormsCase, Worker
from test_timers import BIN

NAME, EMAIL = "Cand Person", "p-cand@example.org"
SECRETS = ["hello", "SELFSECRET", "WITHDRAWREASON", "RETURNNOTE", "line one"]


class GdprTest(FormsCase):
    def session(self):
        """A session token for p-cand, through a login link a test worker reads."""
        d = self.d
        d.ok("auth.link", {"email": EMAIL})
        w = Worker(d)
        (job,) = w.jobs(1)
        w.close()
        login = job["vars"]["login_url"].rsplit("/", 1)[1]
        return d.ok("auth.session", {"token": login})["token"]

    def fill(self):
        """Forms, a return, a self-assessment, a rater's answers, emails queued to p-cand."""
        d, app = self.d, self.app
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        d.ok("application.return", {"app": app, "form": "every", "note": "RETURNNOTE"},
             "p-head")
        self.to_360()
        d.ok("feedback.respond", {"app": app, "ratings": {"q1": 2, "q2": 3},
                                  "comments": {"q1": "SELFSECRET"}}, "p-cand")
        d.ok("feedback.invite", {"app": app, "name": "Lena Manager",
                                 "email": "lena@colleagues.example.org",
                                 "category": "line_manager"}, "p-cand")
        d.ok("feedback.respond", {"app": app, "ratings": {"q1": 5, "q2": 5},
                                  "comments": {"q1": "RATERSECRET"}}, "R000001")

    def test_export(self):
        d, app = self.d, self.app
        self.fill()
        doc = d.ok("person.export", {"id": "p-cand"}, "p-cand")["export"]
        text = json.dumps(doc)
        self.assertEqual(doc["person"]["name"], NAME)
        (a,) = doc["applications"]
        self.assertEqual(a["application"]["id"], app)
        forms = {f["form"]: f for f in a["forms"]}
        self.assertEqual(forms["every"]["fields"]["t"], "hello")
        self.assertNotIn("evidence", forms)  # the headteacher filled that one in
        self.assertEqual(a["self_assessment"]["comments"], {"q1": "SELFSECRET"})
        # Nothing of another rater: not their answers, not whether they responded.
        self.assertNotIn("RATERSECRET", text)
        self.assertNotIn("responded", json.dumps(a["application"].get("raters")))
        self.assertNotIn("application.response_recorded", text)
        # Emails queued to them (the return, and the 360 report once ready), links hidden.
        self.assertTrue(doc["outbox"])
        self.assertTrue(all(j["to"]["person"] == "p-cand" for j in doc["outbox"]))
        self.assertIn("form-returned", [j["template"] for j in doc["outbox"]])
        self.assertIn("without a link to you", doc["rater_answers"])
        self.assertTrue(any(e["type"] == "application.submitted" for e in doc["events"]))
        # The headteacher's export has the evidence form they filled in on p-cand's application.
        head = d.ok("person.export", {"id": "p-head"})["export"]
        self.assertEqual([f["form"] for f in head["forms_on_others_applications"]],
                         ["evidence"])
        self.assertIn({"app": app, "as": "headteacher"}, head["relations"])
        rater = d.ok("person.export", {"id": "R000001"})["export"]
        self.assertEqual(rater["rater_invitations"][0]["app"], app)
        self.assertNotIn("RATERSECRET", json.dumps(rater))
        # Another candidate may not; the export is an event.
        r = d.call("person.export", {"id": "p-cand"}, "p-other")
        self.assertEqual(r["error"]["code"], "forbidden")
        evs = d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        self.assertIn({"person": "p-cand"},
                      [e["data"] for e in evs if e["type"] == "person.exported"])
        # pathwayctl export PERSON > file.json
        out = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", d.conf, "export", "p-cand"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["person"]["id"], "p-cand")

    def test_erase(self):
        d, app = self.d, self.app
        token = self.session()
        self.assertTrue(d.call_token("auth.whoami", {}, token)["ok"])
        self.fill()
        d.ok("application.withdraw", {"app": app, "reason": "WITHDRAWREASON"}, "p-cand")
        self.assertIn(EMAIL, json.dumps(d.ok("outbox.list", {"vars": True})))
        sub = d.ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, b"-/")
        sub.connect("ipc://%s/events.sock" % d.dir)
        # The subscription is live once an event of ours comes through it.
        for i in range(100):
            d.ok("school.create", {"id": "s-sync%d" % i, "name": "Sync"})
            if sub.poll(100):
                break
        while sub.poll(200):
            sub.recv_multipart()
        r = d.ok("person.erase", {"id": "p-cand"}, "p-la")
        self.assertEqual(r["person"]["name"], "erased person")
        self.assertIn("erased", r["person"])
        self.assertGreaterEqual(r["erased"]["forms"], 1)
        self.assertEqual(r["erased"]["self_assessments"], 1)
        self.assertEqual(r["erased"]["sessions"], 1)
        self.assertTrue(sub.poll(5000))
        topic, body = sub.recv_multipart()
        self.assertEqual(topic, b"-/person.erased")
        self.assertEqual(json.loads(body)["data"], {"person": "p-cand"})
        sub.close(0)
        self.check_erased(token)
        # Not twice, nor changed afterwards; an erased person cannot act.
        r = d.call("person.erase", {"id": "p-cand"}, "p-la")
        self.assertEqual(r["error"]["code"], "invalid_transition")
        r = d.call("person.update", {"id": "p-cand", "name": "Back"})
        self.assertEqual(r["error"]["code"], "invalid_transition")
        r = d.call("application.get", {"app": app}, "p-cand")
        self.assertEqual(r["error"]["code"], "unknown_actor")
        # Only an LA adviser erases.
        r = d.call("person.erase", {"id": "p-other"}, "p-head")
        self.assertEqual(r["error"]["code"], "forbidden")
        # A kill -9 and a start: the erasure holds.
        d.kill()
        d.start()
        self.check_erased(token)

    def test_draft(self):
        """A draft writes no event: one an LA adviser keeps on an application they never
        acted on is still found as theirs, shown and erased."""
        d = self.d
        other = d.ok("application.create", {"cohort": "ft-2026", "candidate": "p-other"},
                     "p-other")["application"]["id"]
        d.ok("application.submit", {"app": other, "doc": "every", "fields": GOOD}, "p-other")
        d.ok("application.save_draft", {"app": other, "form": "evidence",
                                        "fields": {"why": "LADRAFT"}}, "p-la")
        doc = d.ok("person.export", {"id": "p-la"})["export"]
        self.assertEqual([(f["app"], f["form"], f["state"], f["fields"]["why"])
                          for f in doc["forms_on_others_applications"]],
                         [(other, "evidence", "draft", "LADRAFT")])
        self.assertEqual(d.ok("person.erase", {"id": "p-la"})["erased"]["forms"], 1)
        form = d.ok("form.get", {"app": other, "form": "evidence"})["form"]
        self.assertEqual(form["state"], "erased")
        self.assertNotIn("LADRAFT", json.dumps(form))

    def check_erased(self, token):
        d, app = self.d, self.app
        views = [d.ok("person.get", {"id": "p-cand"}), d.ok("person.list"),
                 d.ok("application.get", {"app": app}), d.ok("application.list"),
                 d.ok("application.history", {"app": app}),
                 d.ok("application.history", {"app": app}, "p-head"),
                 d.ok("outbox.list", {"vars": True}),
                 d.ok("outbox.list", {"state": "dead", "vars": True}),
                 d.ok("events.since", {"after": 0, "limit": 1000}),
                 d.ok("form.get", {"app": app, "form": "every"}),
                 d.ok("feedback.report", {"app": app}),
                 d.ok("person.export", {"id": "p-cand"})]
        text = json.dumps(views)
        for s in [NAME, EMAIL] + SECRETS:
            self.assertNotIn(s, text)
        self.assertEqual(views[0]["person"]["name"], "erased person")
        self.assertNotIn("email", views[0]["person"])
        self.assertEqual(views[9]["form"]["state"], "erased")
        self.assertNotIn("fields", views[9]["form"])
        # Histories stay readable and keep the ids.
        self.assertIn("p-cand", json.dumps(views[4]))
        self.assertNotIn("p-cand", [j["to"]["person"] for j in views[6]["jobs"]])
        r = d.call_token("auth.whoami", {}, token)
        self.assertIn(r["error"]["code"], ("token_expired", "unauthenticated"))


LLE = "lle-2026-27"
BRIEFING = {"cohort": LLE, "session": "BRIEFING"}  # 40 seats


class PartnersTest(unittest.TestCase):
    def setUp(self):
        self.d = d = BrokerDaemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        for sid, phase, lss in (("s-own", "primary", False), ("s-lss", "primary", True),
                                ("s-thru", "all-through", True)):
            d.ok("school.create", {"id": sid, "name": sid, "phase": phase, "lss": lss})
        people = [("p-la", ["la_adviser"], None), ("ann", ["candidate", "headteacher"], "s-own"),
                  ("p-w", ["headteacher"], "s-lss"), ("p-y", ["coach"], None)]
        people += [("f%02d" % i, ["coach"], None) for i in range(39)]
        for pid, roles, school in people:
            args = {"id": pid, "name": "Name " + pid.title(), "email": pid + "@example.org",
                    "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)

    def test_export_and_erase(self):
        d = self.d
        app = d.ok("application.create", {"cohort": "bt-2026", "candidate": "ann"},
                   "ann")["application"]["id"]
        d.ok("application.rank_hosts", {"app": app, "hosts": ["s-lss", "s-thru"]}, "ann")
        req = d.ok("support.request", {"cohort": LLE, "need": "NEEDSECRET of a school"},
                   "ann")["request"]["id"]
        self.assertEqual(d.ok("session.book", BRIEFING, "ann")["booking"]["status"], "booked")
        for i in range(39):
            d.ok("session.book", BRIEFING, "f%02d" % i)
        self.assertEqual(d.ok("session.book", BRIEFING, "p-w")["booking"]["position"], 1)

        doc = d.ok("person.export", {"id": "ann"}, "ann")["export"]
        (a,) = doc["applications"]
        self.assertEqual(a["application"]["host_ranking"]["hosts"], ["s-lss", "s-thru"])
        (r,) = doc["support_requests"]
        self.assertEqual((r["id"], r["raised_by"], r["need"]),
                         (req, "ann", "NEEDSECRET of a school"))
        (b,) = doc["bookings"]
        self.assertEqual((b["cohort"], b["session"], b["status"], b["by"]),
                         (LLE, "BRIEFING", "booked", "ann"))
        self.assertIn("session.booked", [e["type"] for e in doc["events"]])
        (w,) = d.ok("person.export", {"id": "p-w"})["export"]["bookings"]
        self.assertEqual((w["status"], w["position"]), ("waiting", 1))
        self.assertEqual(d.ok("person.export", {"id": "p-y"})["export"]["bookings"], [])

        seq = d.ok("events.since", {"after": 0, "limit": 1000})["events"][-1]["seq"]
        jobs = {j["id"] for j in d.ok("outbox.list", {"limit": 1000})["jobs"]}
        r = d.ok("person.erase", {"id": "ann"}, "p-la")
        self.assertEqual(r["erased"]["bookings"], 1)
        self.assertEqual(r["erased"]["support_requests"], 1)
        got = d.ok("support.get", {"request": req}, "p-la")["request"]
        self.assertNotIn("need", got)
        self.assertEqual((got["raised_by"], got["school"]), ("ann", "s-own"))
        self.assertEqual(d.ok("application.get", {"app": app})["application"]
                         ["host_ranking"]["hosts"], ["s-lss", "s-thru"])
        bk = d.ok("session.bookings", BRIEFING, "p-la")
        self.assertNotIn("ann", [x["person"] for x in bk["booked"]])
        self.assertIn("p-w", [x["person"] for x in bk["booked"]])
        self.assertEqual(bk["waiting"], [])
        evs = d.ok("events.since", {"after": seq, "limit": 1000})["events"]
        self.assertIn(("session.booking_cancelled", {"session": "BRIEFING", "person": "ann",
                                                     "was": "booked", "erased": True}),
                      [(e["type"], e["data"]) for e in evs])
        self.assertIn(("session.booked", "p-w", True),
                      [(e["type"], e["data"].get("person"), e["data"].get("promoted"))
                       for e in evs])
        # p-w is told of the seat (with the invitation); the erased person is told nothing.
        self.assertEqual([(j["to"]["person"], j["template"])
                          for j in d.ok("outbox.list", {"limit": 1000})["jobs"]
                          if j["id"] not in jobs], [("p-w", "booking-confirmed")])
        after = d.ok("person.export", {"id": "ann"})["export"]
        self.assertNotIn("NEEDSECRET", json.dumps(after))
        self.assertEqual(after["bookings"], [])

        # Someone waiting: their place goes, nobody is promoted.
        self.assertEqual(d.ok("session.book", BRIEFING, "p-y")["booking"]["position"], 1)
        r = d.ok("person.erase", {"id": "p-y"}, "p-la")
        self.assertEqual(r["erased"]["bookings"], 1)
        bk = d.ok("session.bookings", BRIEFING, "p-la")
        self.assertEqual((len(bk["booked"]), bk["waiting"]), (40, []))


if __name__ == "__main__":
    unittest.main()
