#!/usr/bin/python3
"""Whole programmes, driven by a client that knows nothing but PROTOCOL.md.

A plain pyzmq client runs the Norfolk talent pool (ntp-2026-27) and the Kent
and Medway pathway (kent-2026-27) from expression of interest or nomination
to graduation for several candidates, with a full cohort, a waiting list
whose first member gets the place a withdrawal frees, a deferral to
ntp-2027-28 (which frees another), and a rejection. After every step the
application's stage is asserted; at the end the cohort report and each
application's history.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import zmq

from answers import ANSWERS

SRC = os.environ.get("PATHWAY_SRC",
                     os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.environ.get("PATHWAY_BIN", os.path.join(SRC, "build"))

CONF = """
daemon = {{
	api = "ipc://{d}/api.sock";
	events = "ipc://{d}/events.sock";
	workers = "ipc://{d}/workers.sock";
	db = "{d}/db";
	templates = "{src}/conf/templates";
	clock = "manual";
	clock_start = "{start}";
	log_level = "warn";
}};
programmes = [ "{src}/conf/programmes/norfolk-talent-pool.conf",
	       "{src}/conf/programmes/kent-pathways.conf",
	       "{src}/conf/programmes/norfolk-lle.conf" ];
cohorts = [ "{src}/conf/cohorts/ntp-2026-27.conf", "{src}/conf/cohorts/ntp-2027-28.conf",
	    "{src}/conf/cohorts/kent-2026-27.conf", "{src}/conf/cohorts/lle-2026-27.conf" ];
"""


class Client:
    """A spec-only client: one DEALER, JSON requests, the REQ-compatible framing."""

    def __init__(self, start):
        self.dir = tempfile.mkdtemp(prefix="pwp", dir="/tmp")
        conf = os.path.join(self.dir, "pathway.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(d=self.dir, src=SRC, start=start))
        self.log = open(os.path.join(self.dir, "pathwayd.log"), "wb")
        self.proc = subprocess.Popen([os.path.join(BIN, "pathwayd"), "-c", conf],
                                     stderr=self.log)
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect("ipc://%s/api.sock" % self.dir)
        self.n = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                self.call("system.ping", timeout=200)
                return
            except TimeoutError:
                pass
        raise RuntimeError("pathwayd did not start")

    def call(self, cmd, args=None, actor="operator", timeout=10000):
        self.n += 1
        rid = "prog-%d" % self.n
        self.sock.send_multipart([b"", json.dumps({"id": rid, "cmd": cmd, "actor": actor,
                                                   "args": args or {}}).encode()])
        while True:
            if not self.sock.poll(timeout):
                raise TimeoutError(cmd)
            reply = json.loads(self.sock.recv_multipart()[-1])
            if reply["id"] == rid:
                return reply

    def ok(self, cmd, args=None, actor="operator"):
        r = self.call(cmd, args, actor)
        if not r["ok"]:
            raise AssertionError("%s %s as %s: %s" % (cmd, args, actor, r["error"]))
        return r["data"]

    def close(self):
        self.sock.close(0)
        self.ctx.term()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=20)
        self.log.close()
        with open(os.path.join(self.dir, "pathwayd.log"), "rb") as f:
            log = f.read().decode(errors="replace")
        shutil.rmtree(self.dir, ignore_errors=True)
        assert code == 0, "pathwayd exited %d:\n%s" % (code, log[-4000:])


class ProgrammeCase(unittest.TestCase):
    def setUp(self):
        self.c = None

    def start(self, when):
        self.c = Client(when)
        self.addCleanup(self.c.close)
        return self.c

    def person(self, pid, roles, school=None):
        args = {"id": pid, "name": pid.replace("-", " ").title(), "email": pid + "@example.org",
                "roles": roles}
        if school:
            args["school"] = school
        return self.c.ok("person.create", args)["person"]

    def step(self, cmd, args, actor, stage, status="active"):
        """One command; the application it returns is at stage (and status)."""
        a = self.c.ok(cmd, args, actor)["application"]
        self.assertEqual((a["stage"], a["status"]), (stage, status), "%s %s" % (cmd, args))
        return a

    def app(self, app):
        return self.c.ok("application.get", {"app": app})["application"]

    def path(self, app):
        """The stages the application entered, from its history."""
        h = self.c.ok("application.history", {"app": app})["events"]
        self.assertEqual([e["seq"] for e in h], sorted(e["seq"] for e in h))
        self.assertTrue(all(e["app"] == app for e in h))
        self.assertEqual(h[0]["type"], "application.created")
        return [e["data"]["to"] for e in h if e["type"] == "application.stage_changed"], h

    def types(self, app):
        return [e["type"] for e in self.path(app)[1]]


NTP = ["interest", "signoff", "selection", "feedback_360", "foundation", "internship",
       "interview_practice", "group_learning", "final_review", "graduated"]


class NorfolkTest(ProgrammeCase):
    def setUp(self):
        super().setUp()
        c = self.start("2026-09-07T08:00:00Z")
        c.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        c.ok("school.create", {"id": "s-fen", "name": "Fenland Primary", "phase": "primary"})
        c.ok("school.create", {"id": "s-lss", "name": "Cathedral Primary (LSS)", "lss": True,
                               "phase": "primary"})
        c.ok("school.create", {"id": "s-plain", "phase": "primary",
                               "name": "Plain Primary", "lss": False})
        self.person("h-oak", ["headteacher"], "s-oak")
        self.person("h-fen", ["headteacher"], "s-fen")
        self.person("coach", ["coach"], "s-lss")
        self.person("host", ["host"], "s-lss")
        for i in range(8):
            self.person("rater-%d" % i, ["rater"], "s-oak")

    def to_selection(self, cand, school, head, route="interest"):
        """Interest (or nomination) to the LA's selection, asserting each stage."""
        actor = cand if route == "interest" else head
        a = self.c.ok("application.create", {"cohort": "ntp-2026-27", "candidate": cand,
                                             "route": route}, actor)["application"]
        self.assertEqual((a["stage"], a["status"], a["route"], a["school"], a["cohort"]),
                         ("interest", "active", route, school, "ntp-2026-27"))
        app = a["id"]
        self.step("application.submit", {"app": app, "doc": "self_evaluation",
                                         "fields": ANSWERS["self_evaluation"],
                                         "ref": "https://docs.example.org/" + cand}, cand,
                  "signoff")
        self.step("application.submit", {"app": app, "doc": "evidence_form",
                                         "fields": ANSWERS["evidence_form"]}, head, "signoff")
        self.step("application.signoff", {"app": app}, head, "selection")
        return app

    def feedback(self, app, cand):
        for i in range(8):
            a = self.step("application.invite_rater", {"app": app, "rater": "rater-%d" % i},
                          cand, "feedback_360")
        self.assertEqual(sorted(a["raters"]), ["rater-%d" % i for i in range(8)])
        # A rater's reply is the rater's view (no stage): the operator's shows where it is.
        for i in range(7):
            self.c.ok("application.record_response", {"app": app, "rater": "rater-%d" % i},
                      "rater-%d" % i)
        a = self.step("application.get", {"app": app}, "operator", "feedback_360")
        req = [q for q in a["requirements"] if q["kind"] == "responses"][0]
        self.assertEqual((req["met"], req["have"], req["need"]), (False, 7, 8))
        self.c.ok("application.record_response", {"app": app, "rater": "rater-7"}, "rater-7")
        self.step("application.get", {"app": app}, "operator", "foundation")

    def test_full_cohort_waiting_list_withdrawal_deferral_rejection_graduation(self):
        c = self.c
        cands = {"amara": ("s-oak", "h-oak", "interest"), "ben": ("s-fen", "h-fen", "nomination"),
                 "chloe": ("s-oak", "h-oak", "interest"), "dev": ("s-fen", "h-fen", "interest"),
                 "erin": ("s-oak", "h-oak", "nomination"), "wes": ("s-fen", "h-fen", "interest"),
                 "will": ("s-oak", "h-oak", "interest"), "rory": ("s-fen", "h-fen", "interest")}
        apps = {}
        for name, (school, head, route) in cands.items():
            self.person(name, ["candidate"], school)
            apps[name] = self.to_selection(name, school, head, route)
        # The LA selects: 30 places. Amara, Ben, Chloe, Dev and Erin get five of them ...
        for name in ("amara", "ben", "chloe", "dev", "erin"):
            a = self.step("application.decide", {"app": apps[name], "outcome": "accept",
                                                 "note": "meets the criteria"},
                          "operator", "feedback_360")
            self.assertIs(a["place"], True)
        # ... 25 others the rest (all through nomination and sign-off, like them).
        fillers = []
        for i in range(25):
            f = "fill-%02d" % i
            self.person(f, ["candidate"], "s-oak")
            fillers.append(self.to_selection(f, "s-oak", "h-oak"))
            self.step("application.decide", {"app": fillers[-1], "outcome": "accept"},
                      "operator", "feedback_360")
        rep = c.ok("cohort.report", {"cohort": "ntp-2026-27"})
        self.assertEqual((rep["places"], rep["taken"], rep["left"]), (30, 30, 0))
        # Full: Wes and Will go on the waiting list, in that order; Rory is not selected.
        r = c.call("application.decide", {"app": apps["wes"], "outcome": "accept"})
        self.assertEqual(r["error"]["code"], "cohort_full")
        self.step("application.decide", {"app": apps["wes"], "outcome": "waitlist"}, "operator",
                  "selection", "waitlisted")
        self.step("application.decide", {"app": apps["will"], "outcome": "waitlist"},
                  "operator", "selection", "waitlisted")
        a = self.step("application.decide", {"app": apps["rory"], "outcome": "reject",
                                             "note": "not this year"}, "operator",
                      "selection", "rejected")
        self.assertNotIn("requirements", a)
        self.assertEqual(c.call("application.submit", {"app": apps["rory"],
                                                       "doc": "leadership_plan",
                                                       "fields": ANSWERS["leadership_plan"]},
                                "rory")
                         ["error"]["code"], "invalid_transition")
        self.assertEqual(c.ok("cohort.report", {"cohort": "ntp-2026-27"})["waiting"],
                         [apps["wes"], apps["will"]])

        # Erin withdraws: the first on the waiting list, Wes, is offered her place at once;
        # it is held for him until he accepts it.
        a = self.step("application.withdraw", {"app": apps["erin"], "reason": "new post"},
                      "erin", "feedback_360", "withdrawn")
        self.assertIs(a.get("place", False), False)
        a = self.app(apps["wes"])
        self.assertEqual((a["status"], a["stage"], a["place"]), ("waitlisted", "selection", False))
        self.assertIn("expires", a["offer"])
        self.assertEqual(c.ok("cohort.report", {"cohort": "ntp-2026-27"})["offered"], 1)
        a = c.ok("application.accept_offer", {"app": apps["wes"]}, "wes")["application"]
        self.assertEqual((a["status"], a["stage"], a["place"]), ("active", "feedback_360", True))
        self.assertEqual(c.ok("cohort.report", {"cohort": "ntp-2026-27"})["waiting"],
                         [apps["will"]])
        # Dev defers to next year's cohort: Will gets that place.
        r = c.call("application.defer", {"app": apps["dev"], "cohort": "ntp-2026-27"})
        self.assertFalse(r["ok"])  # a deferral goes to a later cohort only
        self.assertIn(r["error"]["code"], ("invalid_request", "invalid_transition"))
        r = c.call("application.defer", {"app": apps["dev"], "cohort": "kent-2026-27"})
        self.assertFalse(r["ok"])
        a = c.ok("application.defer", {"app": apps["dev"], "cohort": "ntp-2027-28"})["application"]
        self.assertEqual((a["cohort"], a["status"], a["programme"]),
                         ("ntp-2027-28", "active", "norfolk-talent-pool"))
        dev_stage = a["stage"]
        self.assertIn(dev_stage, NTP[:-1])
        self.assertEqual(self.app(apps["will"])["status"], "waitlisted")
        c.ok("application.accept_offer", {"app": apps["will"]}, "will")
        a = self.app(apps["will"])
        self.assertEqual((a["status"], a["stage"], a["place"]), ("active", "feedback_360", True))
        self.assertEqual(c.ok("cohort.report", {"cohort": "ntp-2026-27"})["waiting"], [])
        self.assertEqual(c.call("application.decide", {"app": apps["erin"],
                                                       "outcome": "accept"})["error"]["code"],
                         "invalid_transition")

        # 360 for Amara, Ben, Chloe, Wes and Will.
        runners = ["amara", "ben", "chloe", "wes", "will"]
        for name in runners:
            self.feedback(apps[name], name)
            self.step("application.assign_coach", {"app": apps[name], "coach": "coach"},
                      "operator", "foundation")
        # TP1..TP5 with the cohort register; Chloe misses TP1 and TP2 (needs 4 of 5).
        for tp, date in [("TP1", "2026-10-08"), ("TP2", "2026-11-05"), ("TP3", "2026-12-03"),
                         ("TP4", "2027-01-14"), ("TP5", "2027-02-04")]:
            c.ok("clock.set", {"now": date + "T19:00:00Z"})
            absent = [apps["chloe"]] if tp in ("TP1", "TP2") else []
            present = [apps[n] for n in runners if apps[n] not in absent]
            got = c.ok("attendance.record", {"cohort": "ntp-2026-27", "session": tp,
                                             "present": present, "absent": absent})
            self.assertEqual(got["recorded"], len(present) + len(absent))
        for name in runners:
            a = self.app(apps[name])
            self.assertEqual(a["stage"], "foundation")
            att = [q for q in a["requirements"] if q["kind"] == "attendance"][0]
            self.assertEqual(att["met"], name != "chloe")
        # A missed session can be recorded late by the coach: Chloe was at TP2 after all.
        self.step("application.record_attendance", {"app": apps["chloe"], "session": "TP2",
                                                    "present": True}, "coach", "foundation")
        for name in runners:
            self.step("application.submit", {"app": apps[name], "doc": "leadership_plan",
                                             "fields": ANSWERS["leadership_plan"]},
                      name, "internship")
        # Internship: three days at a Lead Succession School; a plain school does not count.
        for name in runners:
            self.step("application.place_internship",
                      {"app": apps[name], "host_school": "s-lss", "start": "2027-03-01",
                       "end": "2027-03-03"}, "coach", "internship")
        c.ok("clock.set", {"now": "2027-03-04T09:00:00Z"})
        self.step("application.confirm_internship", {"app": apps["amara"], "days": 2}, "host",
                  "internship")
        for name in runners:
            a = self.step("application.confirm_internship", {"app": apps[name], "days": 3},
                          "host", "interview_practice")
            self.assertEqual(a["internship"]["days_completed"], 3)
        # TP6, then TP7..TP11 (4 of 5 needed; Ben misses one), then TP12.
        c.ok("clock.set", {"now": "2027-04-21T13:00:00Z"})
        c.ok("attendance.record", {"cohort": "ntp-2026-27", "session": "TP6",
                                   "present": [apps[n] for n in runners], "absent": []})
        for name in runners:
            self.assertEqual(self.app(apps[name])["stage"], "group_learning")
        for tp, date in [("TP7", "2027-05-05"), ("TP8", "2027-05-19"), ("TP9", "2027-06-09"),
                         ("TP10", "2027-06-23"), ("TP11", "2027-07-07")]:
            c.ok("clock.set", {"now": date + "T19:00:00Z"})
            absent = [apps["ben"]] if tp == "TP9" else []
            c.ok("attendance.record", {"cohort": "ntp-2026-27", "session": tp,
                                       "present": [apps[n] for n in runners
                                                   if apps[n] not in absent],
                                       "absent": absent})
        for name in runners:
            self.assertEqual(self.app(apps[name])["stage"], "final_review")
        c.ok("clock.set", {"now": "2027-07-14T12:00:00Z"})
        for name in runners:
            a = self.step("application.record_attendance",
                          {"app": apps[name], "session": "TP12", "present": True}, "coach",
                          "graduated", "graduated")
            self.assertEqual(a["graduated"], "2027-07-14")
            self.assertNotIn("requirements", a)

        # The report: 5 graduated, 25 fillers at feedback_360, a withdrawal, a rejection.
        rep = c.ok("cohort.report", {"cohort": "ntp-2026-27"})
        self.assertEqual((rep["places"], rep["taken"], rep["left"], rep["waiting"]),
                         (30, 30, 0, []))
        self.assertEqual(rep["total"], 32)
        self.assertEqual({k: v for k, v in rep["status"].items() if v},
                         {"active": 25, "graduated": 5, "withdrawn": 1, "rejected": 1})
        self.assertEqual({k: v for k, v in rep["stages"].items() if v},
                         {"feedback_360": 25, "graduated": 5})
        nxt = c.ok("cohort.report", {"cohort": "ntp-2027-28"})
        self.assertEqual(nxt["total"], 1)
        self.assertEqual({k: v for k, v in nxt["stages"].items() if v}, {dev_stage: 1})

        # Histories.
        for name in ("amara", "ben", "chloe"):
            stages, h = self.path(apps[name])
            self.assertEqual(stages, NTP[1:], name)
            types = [e["type"] for e in h]
            self.assertEqual(types.count("application.submitted"), 3)
            self.assertEqual(types.count("application.response_recorded"), 8)
            self.assertEqual(types[-1], "application.graduated")
            self.assertEqual([e["data"]["outcome"] for e in h
                              if e["type"] == "application.decided"], ["accept"])
        self.assertEqual(self.path(apps["ben"])[1][0]["data"],
                         {"candidate": "ben", "route": "nomination"})
        self.assertEqual(self.path(apps["ben"])[1][0]["actor"], "h-fen")
        for name in ("wes", "will"):
            stages, h = self.path(apps[name])
            self.assertEqual(stages, NTP[1:], name)
            types = [e["type"] for e in h]
            self.assertIn("application.place_offered", types)
            dec = [e["data"] for e in h if e["type"] == "application.decided"]
            self.assertEqual(dec[0]["outcome"], "waitlist")
            self.assertEqual(dec[0]["position"], 1 if name == "wes" else 2)
            self.assertLess(types.index("application.decided"),
                            types.index("application.place_offered"))
        stages, h = self.path(apps["erin"])
        self.assertEqual(stages, NTP[1:4])
        self.assertEqual(h[-1]["type"], "application.withdrawn")
        # The reason is in the record, not on the event stream.
        self.assertEqual(h[-1]["data"], {})
        self.assertEqual(self.app(apps["erin"])["withdrawal"]["reason"], "new post")
        stages, h = self.path(apps["rory"])
        self.assertEqual(stages, NTP[1:3])
        self.assertIn("application.rejected", [e["type"] for e in h])
        stages, h = self.path(apps["dev"])
        dfr = [e for e in h if e["type"] == "application.deferred"]
        self.assertEqual(len(dfr), 1)
        self.assertEqual(dfr[0]["data"], {"from_cohort": "ntp-2026-27",
                                          "to_cohort": "ntp-2027-28"})
        self.assertEqual(dfr[0]["cohort"], "ntp-2027-28")
        # The graduate's career goes on.
        a = c.ok("application.record_progression",
                 {"app": apps["amara"], "role": "deputy headteacher", "date": "2027-09-01"},
                 "amara")["application"]
        self.assertEqual(a["career"][0]["role"], "deputy headteacher")


KENT = ["confirmation", "introduction", "audit", "placement_choice", "coach_trained",
        "internship", "celebration", "completed"]


class KentTest(ProgrammeCase):
    def test_kent_pathway_to_completion(self):
        c = self.start("2027-04-19T07:00:00Z")
        c.ok("school.create", {"id": "s-mall", "name": "Malling School", "phase": "secondary"})
        c.ok("school.create", {"id": "s-host", "name": "Holmesdale School",
                               "phase": "secondary"})
        self.person("h-mall", ["headteacher"], "s-mall")
        self.person("k-coach", ["coach"], "s-mall")
        self.person("k-host", ["host"], "s-host")
        names = ["kai", "lena", "mo", "nia", "omar"]
        apps = {}
        for n in names:
            self.person(n, ["candidate"], "s-mall")
        # Kai applies himself; the headteacher puts Lena forward; the others likewise.
        for n in names:
            route, actor = ("interest", n) if n != "lena" else ("nomination", "h-mall")
            a = c.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                            "candidate": n,
                                            "route": route}, actor)["application"]
            self.assertEqual((a["stage"], a["status"], a["programme"]),
                             ("confirmation", "active", "kent-pathways"))
            apps[n] = a["id"]
        self.assertEqual(c.call("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                                       "candidate": "kai"}, "kai")
                         ["error"]["code"], "already_exists")
        for n in ("kai", "lena", "mo"):
            self.step("application.decide", {"app": apps[n], "outcome": "accept"}, "operator",
                      "introduction")
        for i in range(17):
            f = "kf-%02d" % i
            self.person(f, ["candidate"], "s-mall")
            fa = c.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                             "candidate": f},
                      f)["application"]["id"]
            self.step("application.decide", {"app": fa, "outcome": "accept"}, "operator",
                      "introduction")
        self.assertEqual(c.call("application.decide", {"app": apps["nia"], "outcome": "accept"})
                         ["error"]["code"], "cohort_full")
        self.step("application.decide", {"app": apps["nia"], "outcome": "waitlist"}, "operator",
                  "confirmation", "waitlisted")
        self.step("application.decide", {"app": apps["omar"], "outcome": "reject"}, "operator",
                  "confirmation", "rejected")
        # Mo withdraws before the introduction: Nia is offered the place and takes it.
        self.step("application.withdraw", {"app": apps["mo"]}, "h-mall", "introduction",
                  "withdrawn")
        self.assertEqual(self.app(apps["nia"])["status"], "waitlisted")
        c.ok("application.accept_offer", {"app": apps["nia"]}, "nia")
        a = self.app(apps["nia"])
        self.assertEqual((a["status"], a["stage"], a["place"]), ("active", "introduction", True))
        runners = ["kai", "lena", "nia"]
        for n in runners:
            self.step("application.assign_coach", {"app": apps[n], "coach": "k-coach"},
                      "operator", "introduction")
        c.ok("clock.set", {"now": "2027-05-13T18:00:00Z"})
        for n in runners:
            self.step("application.record_attendance", {"app": apps[n], "session": "INTRO",
                                                        "present": True}, "k-coach", "audit")
            self.step("application.submit", {"app": apps[n], "doc": "predisposition_audit",
                                             "fields": ANSWERS["predisposition_audit"]}, n,
                      "placement_choice")
        # The coach cannot submit the candidate's document for them.
        self.assertEqual(c.call("application.submit", {"app": apps["kai"],
                                                       "doc": "placement_choice",
                                                       "fields": ANSWERS["placement_choice"]},
                                "k-coach")
                         ["error"]["code"], "forbidden")
        for n in runners:
            self.step("application.submit", {"app": apps[n], "doc": "placement_choice",
                                             "fields": ANSWERS["placement_choice"],
                                             "ref": "Holmesdale School"}, n, "coach_trained")
        # The coach is trained (two of the three sessions): every coachee moves on.
        c.ok("clock.set", {"now": "2027-05-21T12:00:00Z"})
        c.ok("coach.record_training", {"cohort": "kent-2026-27", "session": "COACH1",
                                       "coach": "k-coach", "present": True})
        c.ok("clock.set", {"now": "2027-06-04T12:00:00Z"})
        r = c.ok("coach.record_training", {"cohort": "kent-2026-27", "session": "COACH2",
                                           "coach": "k-coach", "present": True})
        self.assertEqual(sorted(r["advanced"]), sorted(apps[n] for n in runners))
        for n in runners:
            self.step("application.place_internship",
                      {"app": apps[n], "host_school": "s-host", "start": "2027-06-14",
                       "end": "2027-06-18"}, "k-coach", "internship")
        c.ok("clock.set", {"now": "2027-06-18T16:00:00Z"})
        self.step("application.confirm_internship", {"app": apps["kai"], "days": 4}, "k-host",
                  "internship")
        for n in runners:
            self.step("application.confirm_internship", {"app": apps[n], "days": 5}, "k-host",
                      "celebration")
        c.ok("clock.set", {"now": "2027-07-08T17:00:00Z"})
        got = c.ok("attendance.record", {"cohort": "kent-2026-27", "session": "CELEBRATION",
                                         "present": [apps[n] for n in runners], "absent": []})
        self.assertEqual(got["recorded"], 3)
        for a in got["applications"]:
            self.assertEqual((a["stage"], a["status"]), ("completed", "graduated"))

        rep = c.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["places"], rep["taken"], rep["left"], rep["waiting"]),
                         (20, 20, 0, []))
        self.assertEqual(rep["total"], 22)
        self.assertEqual({k: v for k, v in rep["status"].items() if v},
                         {"active": 17, "graduated": 3, "withdrawn": 1, "rejected": 1})
        self.assertEqual({k: v for k, v in rep["stages"].items() if v},
                         {"introduction": 17, "completed": 3})
        for n in runners:
            stages, h = self.path(apps[n])
            self.assertEqual(stages, KENT[1:], n)
            types = [e["type"] for e in h]
            self.assertEqual(types[-1], "application.graduated")
            for t in ("application.coach_assigned", "application.internship_placed",
                      "application.attendance_recorded"):
                self.assertIn(t, types)
            self.assertEqual([e["data"]["days"] for e in h
                              if e["type"] == "application.internship_confirmed"],
                             [4, 5] if n == "kai" else [5])
        self.assertIn("application.place_offered", self.types(apps["nia"]))
        self.assertEqual(self.path(apps["mo"])[1][-1]["type"], "application.withdrawn")
        self.assertEqual(self.path(apps["mo"])[1][-1]["actor"], "h-mall")
        self.assertIn("application.rejected", self.types(apps["omar"]))


if __name__ == "__main__":
    unittest.main()
