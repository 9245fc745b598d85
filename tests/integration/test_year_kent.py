#!/usr/bin/python3
"""A whole Kent and Medway Pathways year on the manual clock, on both tracks.

test_year.py's Kent year follows senior leaders; this one puts two aspiring
middle leaders beside a senior one: Mia applies herself (an expression of
interest), Ned is nominated, Sue (senior) is nominated. Middle leaders have
their own audit session (AUDIT_ML, tracks = [ "middle" ]) and their audit is
signed off by the LA; Mia and Ned are reminded of their placement choice,
Ned misses its deadline and the LA is alerted; the coach is trained at two
of the three sessions (COACH1 and COACH3), which moves all three on at once;
the LA places the internships and the host confirms them; at the
celebration Ned is absent and later withdrawn; Mia and Sue graduate and are
asked for a career update a year on.

As in test_year.py, the clock is moved to every moment at which something
is expected (and a minute before it), and at every step exactly the jobs
(recipient, template) and events created at that moment are asserted.
"""
import unittest

from test_year import Year, people
from answers import ANSWERS

SCHOOLS = [("ks-1", "Aylesford Primary", "primary", False),
           ("ks-2", "Bearsted Primary", "primary", False),
           ("ks-3", "Chatham Grammar", "secondary", False),
           ("ks-malling", "Malling School", "secondary", True)]


class KentBothTracksYear(unittest.TestCase):
    def test_year(self):
        y = Year(self, "2027-04-19T07:00:00Z")  # Mon 19 Apr 2027, 08:00 BST
        kent = y.cohorts["kent-2026-27"]
        cand = {"M": "kc-mia", "N": "kc-ned", "S": "kc-sue"}
        track = {"M": "middle", "N": "middle", "S": "senior"}
        school = {"M": "ks-1", "N": "ks-2", "S": "ks-3"}
        head = {k: "kh-" + school[k] for k in cand}
        persons = [("p-la", "Sam Okoro", ["la_adviser"], None, None),
                   ("k-coach", "Priya Shah", ["coach"], None, None),
                   ("kh-host", "Tom Reid", ["host"], "ks-malling", None)]
        persons += [(head[k], "Head of " + school[k], ["headteacher"], school[k], None)
                    for k in cand]
        persons += [(cand[k], "Candidate " + k, ["candidate"], school[k], None) for k in cand]
        people(y, SCHOOLS, persons)
        y.sync()
        app = {}
        y.until("2027-04-19T08:00:00Z")
        for k, actor, route in (("M", cand["M"], "interest"), ("N", head["N"], "nomination"),
                                ("S", head["S"], "nomination")):
            a = y.d.ok("application.create", {"cohort": kent.id, "candidate": cand[k],
                                              "route": route, "track": track[k]},
                       actor)["application"]
            app[k] = a["id"]
            self.assertEqual(a["track"], track[k])
            y.check([(cand[k], "nominated")] if route == "nomination" else [],
                    [("application.created", app[k])], "application.create")
        y.until("2027-04-20T09:00:00Z")
        for k in "MNS":
            y.act("application.assign_coach", {"app": app[k], "coach": "k-coach"},
                  jobs=[("k-coach", "coach-assigned"), (cand[k], "coach-assigned")],
                  events=[("application.coach_assigned", app[k])])
            y.act("application.decide", {"app": app[k], "outcome": "accept"},
                  jobs=[(cand[k], "decision-accepted"), (head[k], "decision-accepted"),
                        (cand[k], "session-calendar")],
                  events=[("application.decided", app[k]), ("application.stage_changed", app[k])])
        # The day before each session at 09:00 local: INTRO to all, AUDIT_ML to the middle
        # leaders and their coach, the coach training sessions to the coach alone.
        y.session(kent.id, "INTRO", [cand[k] for k in "MNS"] + ["k-coach"])
        y.session(kent.id, "AUDIT_ML", [cand["M"], cand["N"], "k-coach"])
        for s in ("COACH1", "COACH2", "COACH3"):
            y.session(kent.id, s, ["k-coach"])
        y.until("2027-05-13T17:30:00Z")
        y.act("attendance.record", {"cohort": kent.id, "session": "INTRO",
                                    "present": [app[k] for k in "MNS"], "absent": []},
              events=[e for k in "MNS" for e in (("application.attendance_recorded", app[k]),
                                                  ("application.stage_changed", app[k]))])
        # The audit: online for Sue; Mia's waits for the LA's sign-off after AUDIT_ML.
        y.until("2027-05-14T10:00:00Z")
        for k in "SM":
            y.act("application.submit", {"app": app[k], "doc": "predisposition_audit",
                                         "fields": ANSWERS["predisposition_audit"]}, cand[k],
                  events=[("application.submitted", app[k])] +
                  ([("application.stage_changed", app[k])] if k == "S" else []))
        self.assertEqual(y.app(app["M"])["stage"], "audit")
        y.refused("application.signoff", {"app": app["M"]}, cand["M"], "forbidden")
        y.until("2027-05-17T10:00:00Z")
        y.act("application.submit", {"app": app["S"], "doc": "placement_choice",
                                     "fields": ANSWERS["placement_choice"]}, cand["S"],
              events=[("application.submitted", app["S"]), ("application.stage_changed", app["S"])])
        y.until("2027-05-18T17:30:00Z")  # after AUDIT_ML
        y.act("application.submit", {"app": app["N"], "doc": "predisposition_audit",
                                     "fields": ANSWERS["predisposition_audit"]}, cand["N"],
              events=[("application.submitted", app["N"])])
        for k in "MN":
            y.act("application.signoff", {"app": app[k]},
                  events=[("application.signed_off", app[k]), ("application.stage_changed", app[k])])
        # placement_choice: deadline Fri 28 May 17:00 BST = 16:00Z; reminder days=-7 to the
        # candidate and coach (Fri 21 May 08:00Z); escalation days=1 (Sat 29 May -> the window
        # opens Mon 31 May 07:30 BST = 06:30Z).
        pdl = kent.deadline("placement_choice")
        self.assertEqual((pdl, kent.nudge(pdl, -7), kent.nudge(pdl, 1)),
                         ("2027-05-28T16:00:00Z", "2027-05-21T08:00:00Z", "2027-05-31T06:30:00Z"))
        y.expect(kent.nudge(pdl, -7),
                 jobs=[j for k in "MN" for j in ((cand[k], "stage-reminder"),
                                                 ("k-coach", "stage-reminder"))],
                 events=[("application.reminded", app[k], 0) for k in "MN"])
        y.expect(pdl, events=[("application.overdue", app["N"])])
        y.expect(kent.nudge(pdl, 1), jobs=[("p-la", "stage-overdue")],
                 events=[("application.escalated", app["N"], 0)])
        y.until("2027-05-21T17:30:00Z")
        y.act("coach.record_training", {"cohort": kent.id, "session": "COACH1",
                                        "coach": "k-coach", "present": True},
              events=[("coach.training_recorded", "k-coach/COACH1")])
        y.until("2027-05-24T10:00:00Z")
        y.act("application.submit", {"app": app["M"], "doc": "placement_choice",
                                     "fields": ANSWERS["placement_choice"]}, cand["M"],
              events=[("application.submitted", app["M"]), ("application.stage_changed", app["M"])])
        y.until("2027-06-01T10:00:00Z")
        self.assertEqual(y.app(app["N"])["overdue"]["since"], pdl)
        y.act("application.submit", {"app": app["N"], "doc": "placement_choice",
                                     "fields": ANSWERS["placement_choice"]}, cand["N"],
              events=[("application.submitted", app["N"]), ("application.stage_changed", app["N"])])
        self.assertNotIn("overdue", y.app(app["N"]))
        # COACH2 missed; COACH3 makes two of three: all three move on at once.
        y.until("2027-06-11T17:30:00Z")
        self.assertEqual({y.app(app[k])["stage"] for k in "MNS"}, {"coach_trained"})
        y.act("coach.record_training", {"cohort": kent.id, "session": "COACH3",
                                        "coach": "k-coach", "present": True},
              events=[("coach.training_recorded", "k-coach/COACH3")] +
              [("application.stage_changed", app[k]) for k in "MNS"])
        y.until("2027-06-14T09:00:00Z")
        for k, start, end in (("M", "2027-06-21", "2027-06-25"), ("N", "2027-06-21", "2027-06-25"),
                              ("S", "2027-06-28", "2027-07-02")):
            y.act("application.place_internship", {"app": app[k], "host_school": "ks-malling",
                                                   "start": start, "end": end},
                  jobs=[(cand[k], "internship-placed"), ("kh-host", "internship-placed"),
                        ("k-coach", "internship-placed")],
                  events=[("application.internship_placed", app[k])])
        y.until("2027-06-25T15:00:00Z")
        y.refused("application.confirm_internship", {"app": app["S"], "days": 5}, "kh-host",
                  "too_early")
        for k in "MN":
            y.act("application.confirm_internship", {"app": app[k], "days": 5}, "kh-host",
                  events=[("application.internship_confirmed", app[k]),
                          ("application.stage_changed", app[k])])
        y.until("2027-07-02T15:00:00Z")
        y.act("application.confirm_internship", {"app": app["S"], "days": 5}, "kh-host",
              events=[("application.internship_confirmed", app["S"]),
                      ("application.stage_changed", app["S"])])
        # Nobody is left at the internship stage: its reminder (Mon 5 Jul) and escalation
        # (Thu 8 Jul 18:00) send nothing.
        y.session(kent.id, "CELEBRATION", [cand[k] for k in "MNS"] + ["k-coach"])
        y.until("2027-07-08T17:30:00Z")
        y.act("attendance.record", {"cohort": kent.id, "session": "CELEBRATION",
                                    "present": [app["M"], app["S"]], "absent": [app["N"]]},
              jobs=[(cand["M"], "graduated"), (head["M"], "graduated"),
                    (cand["S"], "graduated"), (head["S"], "graduated"),
                    (cand["N"], "session-absent"), ("k-coach", "session-absent")],
              events=[("application.attendance_recorded", app[k]) for k in "MNS"] +
              [e for k in "MS" for e in (("application.stage_changed", app[k]),
                                          ("application.graduated", app[k]))])
        y.until("2027-07-12T10:00:00Z")
        y.act("application.withdraw", {"app": app["N"], "reason": "missed the celebration"},
              jobs=[(cand["N"], "withdrawn"), (head["N"], "withdrawn"), ("p-la", "withdrawn")],
              events=[("application.withdrawn", app["N"])])
        rep = y.d.ok("cohort.report", {"cohort": kent.id})
        self.assertEqual(rep["track_status"]["middle"]["graduated"], 1)
        self.assertEqual(rep["track_status"]["middle"]["withdrawn"], 1)
        self.assertEqual(rep["track_status"]["senior"]["graduated"], 1)
        # Anniversary: Sat 8 Jul 2028 waits for Mon 10 Jul, 07:30 BST.
        y.expect("2028-07-10T06:30:00Z", jobs=[(cand[k], "alumni-update") for k in "MS"],
                 events=[("application.alumni", app[k]) for k in "MS"])
        y.until("2028-07-20T12:00:00Z")
        y.finish()


if __name__ == "__main__":
    unittest.main()
