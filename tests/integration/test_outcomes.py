#!/usr/bin/python3
"""A cohort's outcome figures (cohort.outcomes), tried from outside.

A real pathwayd on a manual clock runs Kent's shipped programme through to
the celebration: two senior leaders from a secondary and a primary school
graduate after internships at a secondary and a primary host, with a coach
trained at two of the three coach training sessions; a middle leader is
still active with an untrained coach; one application is rejected and one
withdrawn; a graduate records a step of their career. cohort.outcomes
gives the figures (applications by status and track, participants,
completions, schools and host schools by phase, internships, coaches,
progression) to LA advisers and viewers only, and pathwayctl prints them,
also as CSV.
"""
import csv
import io
import os
import subprocess
import unittest

from answers import ANSWERS
from test_timers import BIN
from test_tracks import KENT_START, Case

K = "kent-2026-27"


class OutcomesTest(Case):
    def test_outcome_figures(self):
        d = self.daemon(KENT_START)
        for sid, name, phase in (("s-mall", "Malling", "secondary"), ("s-oak", "Oak", "primary"),
                                 ("s-high", "Highsted", "secondary"),
                                 ("s-elm", "Elm", "primary"), ("s-x", "X", None)):
            args = {"id": sid, "name": name}
            if phase:
                args["phase"] = phase
            d.ok("school.create", args)
        self.person("coach-1", ["coach"], "s-mall")
        self.person("coach-2", ["coach"], "s-mall")
        self.person("host-high", ["host"], "s-high")
        self.person("host-elm", ["host"], "s-elm")
        self.person("viewer-1", ["viewer"])
        self.person("h-mall", ["headteacher"], "s-mall")
        apps = {}
        for c, school, track in (("sam", "s-mall", "senior"), ("pia", "s-oak", "senior"),
                                 ("mia", "s-mall", "middle"), ("rex", "s-x", "senior"),
                                 ("wes", "s-mall", "middle")):
            self.person(c, ["candidate"], school)
            apps[c] = d.ok("application.create", {"cohort": K, "candidate": c, "track": track},
                           c)["application"]["id"]
        for c, coach in (("sam", "coach-1"), ("pia", "coach-1"), ("mia", "coach-2"),
                         ("wes", "coach-2")):
            d.ok("application.decide", {"app": apps[c], "outcome": "accept"})
            d.ok("application.assign_coach", {"app": apps[c], "coach": coach})
        d.ok("application.decide", {"app": apps["rex"], "outcome": "reject"})
        d.ok("application.withdraw", {"app": apps["wes"]}, "wes")
        d.ok("clock.set", {"now": "2027-05-13T18:00:00Z"})
        for c in ("sam", "pia", "mia"):
            d.ok("application.record_attendance", {"app": apps[c], "session": "INTRO",
                                                   "present": True})
        for c in ("sam", "pia"):
            for doc in ("predisposition_audit", "placement_choice"):
                d.ok("application.submit", {"app": apps[c], "doc": doc,
                                            "fields": ANSWERS[doc]}, c)
        for when, session in (("2027-05-21T12:00:00Z", "COACH1"),
                              ("2027-06-11T12:00:00Z", "COACH3")):
            d.ok("clock.set", {"now": when})
            d.ok("coach.record_training", {"cohort": K, "session": session,
                                           "coach": "coach-1", "present": True})
        d.ok("coach.record_training", {"cohort": K, "session": "COACH3", "coach": "coach-2",
                                       "present": True})
        for c, host in (("sam", "s-high"), ("pia", "s-elm")):
            d.ok("application.place_internship", {"app": apps[c], "host_school": host,
                                                  "start": "2027-06-14", "end": "2027-06-18"})
        d.ok("clock.set", {"now": "2027-06-18T12:00:00Z"})
        d.ok("application.confirm_internship", {"app": apps["sam"], "days": 5}, "host-high")
        d.ok("application.confirm_internship", {"app": apps["pia"], "days": 4}, "host-elm")
        d.ok("application.confirm_internship", {"app": apps["pia"], "days": 5}, "host-elm")
        d.ok("clock.set", {"now": "2027-07-08T15:00:00Z"})
        for c in ("sam", "pia"):
            a = d.ok("application.record_attendance", {"app": apps[c], "session": "CELEBRATION",
                                                       "present": True})["application"]
            self.assertEqual(a["status"], "graduated")
        d.ok("application.record_progression", {"app": apps["sam"], "role": "NPQSL participant",
                                                "date": "2027-09-01"}, "sam")
        d.ok("application.record_progression", {"app": apps["sam"], "role": "assistant head",
                                                "date": "2028-01-01"}, "sam")
        for actor in ("sam", "h-mall", "coach-1", "host-high"):
            self.refused("cohort.outcomes", {"cohort": K}, actor, "forbidden")
        self.refused("cohort.outcomes", {"cohort": "nope"}, "operator", "not_found")
        o = d.ok("cohort.outcomes", {"cohort": K}, "viewer-1")
        zero = {"active": 0, "waitlisted": 0, "rejected": 0, "withdrawn": 0, "graduated": 0}
        self.assertEqual(o, {
            "cohort": K, "programme": "kent-pathways",
            "applications": {"total": 5,
                             "by_status": dict(zero, active=1, rejected=1, withdrawn=1,
                                               graduated=2),
                             "by_track": {"middle": dict(zero, active=1, withdrawn=1),
                                          "senior": dict(zero, rejected=1, graduated=2)}},
            "participants": {"total": 3, "by_track": {"middle": 1, "senior": 2}},
            "completions": {"total": 2, "by_track": {"middle": 0, "senior": 2}},
            "schools": {"total": 2, "by_phase": {"primary": 1, "secondary": 1}},
            "host_schools": {"total": 2, "by_phase": {"primary": 1, "secondary": 1}},
            "internships": {"placed": 2, "confirmed": 2, "days": 10},
            "coaches": {"assigned": 2, "trained": 1},
            "progression": {"graduates": 2, "progressed": 1, "steps": 2},
        })
        self.assertNotIn("by_track", d.ok("cohort.outcomes",
                                          {"cohort": "ntp-2026-27"})["participants"])
        # pathwayctl: lines, and CSV.
        env = dict(os.environ, PATHWAY_API="ipc://%s/api.sock" % d.dir,
                   PATHWAY_ACTOR="operator")
        run = lambda *a: subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", d.conf] +
                                        list(a), capture_output=True, text=True, env=env,
                                        timeout=30)
        out = run("outcomes", K)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"participants senior\s+2")
        self.assertRegex(out.stdout, r"coaches trained\s+1")
        out = run("outcomes", K, "--csv")
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = list(csv.reader(io.StringIO(out.stdout)))
        self.assertEqual(rows[0], ["section", "item", "count"])
        got = {(r[0], r[1]): int(r[2]) for r in rows[1:]}
        self.assertEqual(got[("participants", "total")], 3)
        self.assertEqual(got[("applications", "middle withdrawn")], 1)
        self.assertEqual(got[("host_schools", "primary")], 1)
        self.assertEqual(got[("progression", "progressed")], 1)
        self.assertEqual(got[("internships", "days")], 10)
        self.assertEqual(run("outcomes").returncode, 2)


if __name__ == "__main__":
    unittest.main()
