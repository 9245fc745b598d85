#!/usr/bin/python3
"""What a rater sees of the application they are asked about, tried from outside
with the rater's own person tokens (the action link of their invitation, and a
session from a login link), as pathway-web and any other client of the api would.

A person whose only relation to the application is rater gets the rater's view
from application.get, .list and .mine and from feedback.respond's reply: the
candidate's name, the programme and cohort, their own entry in raters, and
while their answer is wanted the 360 requirement (kind, role, met) with the
deadline; never the stage, status, documents, decisions, school, coach, other
raters or counts; application.history gives them their own invitation only. The candidate and the LA adviser still get the whole view;
a headteacher invited as a rater on an application of their school still sees
it as its headteacher. The rater's page by link still works.
"""
import json
import unittest

from test_web_pages import answers
from web_harness import WebDaemon

RATER_KEYS = {"id", "cohort", "programme", "candidate_name", "raters"}


class RaterViewTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.w = WebDaemon()
        self.addCleanup(self.w.stop)
        self.w.people()

    def at_360(self):
        """An application of p-cand at the 360 stage."""
        w = self.w
        app = w.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand",
                                          "route": "nomination", "override": True},
                   "p-la")["application"]["id"]
        form = w.ok("form.get", {"app": app, "form": "self_evaluation"})["form"]
        w.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": answers(form["definition"])}, "p-cand")
        definition = w.ok("form.get", {"app": app, "form": "evidence_form"})["form"]["definition"]
        w.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": answers(definition)}, "p-head")
        w.ok("application.signoff", {"app": app}, "p-head")
        w.ok("application.decide", {"app": app, "outcome": "accept", "note": "Strong."}, "p-la")
        return app

    def with_token(self, cmd, args, token):
        """A request carrying a person token instead of an actor."""
        w = self.w
        w.n += 1
        rid = "r%d" % w.n
        w.sock.send_multipart([b"", json.dumps({"id": rid, "cmd": cmd, "token": token,
                                                "args": args}).encode()])
        self.assertTrue(w.sock.poll(10000), cmd)
        reply = json.loads(w.sock.recv_multipart()[-1])
        self.assertEqual(reply["id"], rid)
        self.assertTrue(reply["ok"], reply)
        return reply["data"]

    def assert_rater_view(self, a, rid, wanted):
        keys = RATER_KEYS | ({"requirements", "deadline"} if wanted is not None else set())
        self.assertEqual(set(a) - {"overdue"}, keys, a)
        self.assertEqual(a["candidate_name"], "Amara Okafor")
        self.assertEqual(a["cohort"], "ntp-2026-27")
        self.assertEqual(list(a["raters"]), [rid])
        self.assertEqual(a["raters"][rid]["category"], "peers")
        if wanted is not None:
            self.assertEqual(a["requirements"],
                             [{"kind": "responses", "role": "rater", "met": wanted}])
        for secret in ("Strong.", "p-head", "s-oak", "self_evaluation", "Pia Peer"):
            self.assertNotIn(secret, json.dumps(a))

    def test_rater_sees_what_a_rater_needs(self):
        w = self.w
        app = self.at_360()
        for name, email in (("Pat Peer", "pat@example.org"), ("Pia Peer", "pia@example.org")):
            w.ok("feedback.invite", {"app": app, "name": name, "email": email,
                                     "category": "peers"}, "p-cand")
        link = w.action_token("pat@example.org", "rater-invitation")
        full = w.ok("application.get", {"app": app}, "p-la")["application"]
        rid = [k for k, v in full["raters"].items() if v["name"] == "Pat Peer"][0]
        # By the invitation's link (read without using it up) and by a session.
        a = self.with_token("application.get", {"app": app}, link)["application"]
        self.assert_rater_view(a, rid, False)
        self.assertEqual(a["programme"], full["programme"])
        self.assertEqual(a["deadline"], full["deadline"])
        session = w.login("pat@example.org").cookies["pw_session"]
        self.assert_rater_view(
            self.with_token("application.get", {"app": app}, session)["application"], rid, False)
        (mine,) = self.with_token("application.mine", {}, session)["applications"]
        self.assert_rater_view(mine, rid, False)
        # Their history: their own invitation, nothing of the application's course.
        hist = self.with_token("application.history", {"app": app}, session)["events"]
        self.assertEqual([(e["type"], e["data"]["rater"]) for e in hist],
                         [("application.rater_invited", rid)])
        self.assertGreater(len(w.ok("application.history", {"app": app}, "p-cand")["events"]),
                           3)
        # The candidate and the LA adviser still see the whole application.
        cand = w.ok("application.get", {"app": app}, "p-cand")["application"]
        for key in ("stage", "status", "docs", "decisions", "school"):
            self.assertIn(key, cand)
            self.assertIn(key, full)
        self.assertEqual(sorted(v["name"] for v in cand["raters"].values()),
                         ["Pat Peer", "Pia Peer"])
        # The rater answers through their link's page; the reply is the rater's view too.
        c = w.client()
        q = w.ok("feedback.questionnaire", {"app": app})["questionnaire"]
        r = c.post("/a/" + link, dict({"r." + x["id"]: "3" for x in q["questions"]},
                                      do="respond"))
        self.assertEqual(r.status, 200)
        self.assertIn("Thank you", r.body)
        a = self.with_token("application.get", {"app": app}, session)["application"]
        self.assert_rater_view(a, rid, False)
        self.assertIn("responded", a["raters"][rid])
        # A headteacher invited as a rater on an application of their school is its
        # headteacher still: the whole view (but only their own entry in raters).
        w.ok("person.update", {"id": "p-head", "roles": ["headteacher", "rater"]})
        w.ok("application.invite_rater", {"app": app, "rater": "p-head"}, "p-cand")
        h = w.ok("application.get", {"app": app}, "p-head")["application"]
        self.assertIn("stage", h)
        self.assertEqual(list(h["raters"]), ["p-head"])

    def test_after_the_360(self):
        """Once the application has left the 360's stage, a rater sees no requirement
        and no deadline: nothing is wanted of them."""
        w = self.w
        app = self.at_360()
        w.ok("feedback.invite", {"app": app, "name": "Pat Peer", "email": "pat@example.org",
                                 "category": "peers"}, "p-cand")
        session = w.login("pat@example.org").cookies["pw_session"]
        w.ok("application.withdraw", {"app": app, "reason": "moving away"}, "p-cand")
        a = self.with_token("application.get", {"app": app}, session)["application"]
        rid = list(a["raters"])[0]
        self.assert_rater_view(a, rid, None)
        self.assertNotIn("moving away", json.dumps(a))


if __name__ == "__main__":
    unittest.main()
