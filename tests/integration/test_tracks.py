#!/usr/bin/python3
"""Rules on the school, Kent's tracks and coach training, tried from outside.

Real pathwayd processes on ipc sockets in temporary directories, on a manual
clock, running the shipped programmes:
- the Norfolk talent pool is for primary and special schools: an eligibility
  rule on the school's phase refuses a candidate at a secondary school (or a
  school with no phase recorded) at application.create, naming the rule, and
  the rule is evaluated again wherever requirements are shown (get, list);
- Kent's applications are on a track (middle or senior leaders) chosen when
  they are made: required, checked, filtered on, counted in the report; the
  middle leaders' audit needs the LA's sign-off (done with P Hannaway), the
  senior leaders' does not;
- coach training is recorded for the coach (coach.record_training, LA
  advisers only), shown on the coach's person record to the right readers,
  and a coach_trained requirement holds an application before its internship
  until its coach has been to two of the three sessions.
A small test programme of its own checks a stage limited to one track and a
rule on a school attribute with op and value.
"""
import os
import subprocess
import unittest

from answers import ANSWERS
from test_timers import BIN, Daemon, add_programme

KENT_START = "2027-04-19T07:00:00Z"

PROGRAMME = """
programme = {
	id = "tracks-test";
	tracks = ( { id = "a"; name = "Track A"; }, { id = "b"; } );
	stages = (
		{ id = "apply"; requires = ( { kind = "eligibility"; school = "lss"; op = "=="; value = false; } ); },
		{ id = "only_b"; tracks = [ "b" ];
		  requires = ( { kind = "submission"; doc = "essay"; }, { kind = "signoff"; role = "la_adviser"; } ); },
		{ id = "both"; requires = ( { kind = "submission"; doc = "report"; } ); },
		{ id = "done"; terminal = true; }
	);
};
"""

COHORT = """
cohort = {
	id = "tt-2026";
	programme = "tracks-test";
	places = 5;
	timezone = "Europe/London";
	starts = "2026-09-01";
};
"""


class TracksDaemon(Daemon):
    """A Daemon running the test programme beside the shipped ones."""

    def start(self):
        add_programme(self.dir, self.conf, "tracks-test", PROGRAMME, "tt-2026", COHORT)
        super().start()


class Case(unittest.TestCase):
    maxDiff = None

    def daemon(self, start, cls=Daemon):
        d = cls(start)
        self.addCleanup(d.stop)
        self.d = d
        return d

    def person(self, pid, roles, school=None):
        args = {"id": pid, "name": pid.title(), "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        self.d.ok("person.create", args)

    def refused(self, cmd, args, actor, code, words=""):
        r = self.d.call(cmd, args, actor)
        self.assertFalse(r["ok"], (cmd, args))
        self.assertEqual(r["error"]["code"], code, r)
        self.assertIn(words, r["error"]["message"])
        return r

    def app(self, app, actor="operator"):
        return self.d.ok("application.get", {"app": app}, actor)["application"]

    def req(self, app, kind, actor="operator"):
        return [q for q in self.app(app, actor)["requirements"] if q["kind"] == kind]


class SchoolRuleTest(Case):
    def test_norfolk_pool_is_for_primary_and_special_schools(self):
        d = self.daemon("2026-09-07T08:00:00Z")
        for sid, phase in (("s-pri", "primary"), ("s-spe", "special"), ("s-sec", "secondary"),
                           ("s-none", None)):
            args = {"id": sid, "name": sid}
            if phase:
                args["phase"] = phase
            d.ok("school.create", args)
            self.person("c" + sid, ["candidate"], sid)
        self.person("h-pri", ["headteacher"], "s-pri")
        self.person("h-sec", ["headteacher"], "s-sec")
        before = d.ok("events.since", {"after": 0})["head"]
        # Secondary, or no phase recorded: refused at create, naming the rule; nothing made.
        r = self.refused("application.create", {"cohort": "ntp-2026-27", "candidate": "cs-sec"},
                         "cs-sec", "not_eligible", "school phase one of primary, special")
        self.assertIn("s-sec", r["error"]["message"])
        self.refused("application.create", {"cohort": "ntp-2026-27", "candidate": "cs-sec",
                                            "route": "nomination"}, "h-sec", "not_eligible",
                     "school phase one of primary, special")
        self.refused("application.create", {"cohort": "ntp-2026-27", "candidate": "cs-none"},
                     "operator", "not_eligible", "no value recorded")
        self.assertEqual(d.ok("events.since", {"after": before})["events"], [])
        # Primary and special: in, and the rule is shown met at the first stage.
        apps = {}
        for cand in ("cs-pri", "cs-spe"):
            a = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": cand},
                     cand)["application"]
            self.assertEqual(a["stage"], "interest")
            self.assertEqual(a["requirements"][0], {"kind": "eligibility", "school": "phase",
                                                    "met": True, "have": 1, "need": 1})
            apps[cand] = a["id"]
        # Kent takes secondary schools: no rule there.
        d.ok("application.create", {"cohort": "kent-2026-27", "candidate": "cs-sec",
                                    "track": "senior"})
        # The school becomes secondary: every view evaluates the rule on the school now.
        d.ok("school.update", {"id": "s-pri", "phase": "secondary"})
        self.assertFalse(self.req(apps["cs-pri"], "eligibility")[0]["met"])
        self.assertFalse(self.req(apps["cs-pri"], "eligibility", "h-pri")[0]["met"])
        listed = {a["id"]: a for a in d.ok("application.list",
                                           {"cohort": "ntp-2026-27"})["applications"]}
        self.assertFalse(listed[apps["cs-pri"]]["requirements"][0]["met"])
        self.assertTrue(listed[apps["cs-spe"]]["requirements"][0]["met"])
        mine = d.ok("application.mine", {}, "h-pri")["applications"]
        self.assertFalse(mine[0]["requirements"][0]["met"])
        # Submitting the self-evaluation no longer moves it on; back to primary, it does.
        a = d.ok("application.submit", {"app": apps["cs-pri"], "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]},
                 "cs-pri")["application"]
        self.assertEqual(a["stage"], "interest")
        d.ok("school.update", {"id": "s-pri", "phase": "primary"})
        a = d.ok("application.submit", {"app": apps["cs-pri"], "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]},
                 "cs-pri")["application"]
        self.assertEqual(a["stage"], "signoff")

    def test_rule_on_a_school_attribute_and_a_stage_of_one_track(self):
        d = self.daemon("2026-09-07T08:00:00Z", TracksDaemon)
        d.ok("school.create", {"id": "s-a", "name": "A", "phase": "primary"})
        d.ok("school.create", {"id": "s-lss", "name": "L", "phase": "primary", "lss": True})
        for pid, school in (("ca", "s-a"), ("cb", "s-a"), ("cl", "s-lss")):
            self.person(pid, ["candidate"], school)
        self.refused("application.create", {"cohort": "tt-2026", "candidate": "cl",
                                            "track": "a"}, "cl", "not_eligible",
                     "school lss == false")
        a = d.ok("application.create", {"cohort": "tt-2026", "candidate": "ca", "track": "a"},
                 "ca")["application"]
        b = d.ok("application.create", {"cohort": "tt-2026", "candidate": "cb", "track": "b"},
                 "cb")["application"]
        # Track a passes the stage that is only for track b.
        self.assertEqual((a["stage"], b["stage"]), ("both", "only_b"))
        self.assertEqual([q["kind"] for q in b["requirements"]], ["submission", "signoff"])
        hist = [e["data"] for e in d.ok("application.history", {"app": a["id"]})["events"]
                if e["type"] == "application.stage_changed"]
        self.assertEqual(hist, [{"from": "apply", "to": "only_b"},
                                {"from": "only_b", "to": "both"}])
        self.refused("application.submit", {"app": a["id"], "doc": "essay"}, "ca",
                     "invalid_transition")
        d.ok("application.submit", {"app": b["id"], "doc": "essay"}, "cb")
        self.assertEqual(d.ok("application.signoff", {"app": b["id"]})["application"]["stage"],
                         "both")


class KentCase(Case):
    def kent_people(self):
        d = self.d
        d.ok("school.create", {"id": "s-mall", "name": "Malling School", "phase": "secondary"})
        d.ok("school.create", {"id": "s-host", "name": "Holmesdale", "phase": "secondary"})
        self.person("h-mall", ["headteacher"], "s-mall")
        for c in ("coach-1", "coach-2"):
            self.person(c, ["coach"], "s-mall")
        self.person("viewer-1", ["viewer"])
        self.person("la-1", ["la_adviser"])
        for c in ("mia", "sam", "sue", "sal"):
            self.person(c, ["candidate"], "s-mall")


class TracksTest(KentCase):
    def test_tracks_required_checked_per_track_and_counted(self):
        d = self.daemon(KENT_START)
        self.kent_people()
        for args, words in (({}, "needs a 'track'"),
                            ({"track": "junior"}, "'junior' is not a track"),
                            ({"track": ""}, "track")):
            self.refused("application.create", dict({"cohort": "kent-2026-27",
                                                     "candidate": "mia"}, **args),
                         "mia", "invalid_request", words)
        d.ok("school.create", {"id": "s-oak", "name": "Oak", "phase": "primary"})
        self.person("nor", ["candidate"], "s-oak")
        self.refused("application.create", {"cohort": "ntp-2026-27", "candidate": "nor",
                                            "track": "middle", "override": True},
                     "operator", "invalid_request", "has no tracks")
        apps = {}
        for c, t in (("mia", "middle"), ("sam", "senior"), ("sue", "senior"), ("sal", "senior")):
            a = d.ok("application.create", {"cohort": "kent-2026-27", "candidate": c,
                                            "track": t}, c)["application"]
            self.assertEqual(a["track"], t)
            apps[c] = a["id"]
        ev = d.ok("application.history", {"app": apps["mia"]})["events"][0]
        self.assertEqual(ev["data"]["track"], "middle")
        for c in ("mia", "sam", "sue"):
            d.ok("application.decide", {"app": apps[c], "outcome": "accept"})
        d.ok("application.decide", {"app": apps["sal"], "outcome": "reject"})
        d.ok("clock.set", {"now": "2027-05-13T18:00:00Z"})
        for c in ("mia", "sam", "sue"):
            d.ok("application.record_attendance", {"app": apps[c], "session": "INTRO",
                                                   "present": True})
        # The audit: senior leaders online (the form alone), middle leaders with P
        # Hannaway (the LA's sign-off too).
        self.assertEqual([q["kind"] for q in self.app(apps["mia"])["requirements"]],
                         ["submission", "signoff"])
        self.assertEqual([q["kind"] for q in self.app(apps["sam"])["requirements"]],
                         ["submission"])
        for c in ("mia", "sam"):
            d.ok("application.submit", {"app": apps[c], "doc": "predisposition_audit",
                                        "fields": ANSWERS["predisposition_audit"]}, c)
        self.assertEqual(self.app(apps["sam"])["stage"], "placement_choice")
        self.assertEqual(self.app(apps["mia"])["stage"], "audit")
        self.refused("application.signoff", {"app": apps["mia"]}, "h-mall", "forbidden")
        self.refused("application.signoff", {"app": apps["sam"]}, "la-1", "invalid_transition")
        d.ok("application.signoff", {"app": apps["mia"]}, "la-1")
        self.assertEqual(self.app(apps["mia"])["stage"], "placement_choice")
        # Listing by track; the report counts per track.
        ids = lambda args: sorted(a["id"] for a in d.ok("application.list", args)["applications"])
        self.assertEqual(ids({"cohort": "kent-2026-27", "track": "middle"}), [apps["mia"]])
        self.assertEqual(ids({"track": "senior"}), sorted([apps["sam"], apps["sue"],
                                                           apps["sal"]]))
        self.assertEqual(ids({"track": "senior", "status": "rejected"}), [apps["sal"]])
        d.ok("application.withdraw", {"app": apps["sue"]}, "sue")
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"}, "viewer-1")
        self.assertEqual(rep["tracks"], {"middle": 1, "senior": 3})
        self.assertEqual(rep["track_status"]["senior"],
                         {"active": 1, "waitlisted": 0, "rejected": 1, "withdrawn": 1,
                          "graduated": 0})
        self.assertEqual(rep["track_status"]["middle"]["active"], 1)
        self.assertNotIn("tracks", d.ok("cohort.report", {"cohort": "ntp-2026-27"}))


class CoachTrainingTest(KentCase):
    def to_coach_stage(self):
        d = self.d
        apps = {}
        for c, coach in (("sam", "coach-1"), ("sue", "coach-2")):
            apps[c] = d.ok("application.create", {"cohort": "kent-2026-27", "candidate": c,
                                                  "track": "senior"}, c)["application"]["id"]
            d.ok("application.decide", {"app": apps[c], "outcome": "accept"})
            d.ok("application.assign_coach", {"app": apps[c], "coach": coach})
        d.ok("clock.set", {"now": "2027-05-13T18:00:00Z"})
        for c in apps:
            d.ok("application.record_attendance", {"app": apps[c], "session": "INTRO",
                                                   "present": True})
            for doc in ("predisposition_audit", "placement_choice"):
                d.ok("application.submit", {"app": apps[c], "doc": doc,
                                            "fields": ANSWERS[doc]}, c)
            self.assertEqual(self.app(apps[c])["stage"], "coach_trained")
        return apps

    def train(self, coach, session, present=True, actor="operator"):
        return self.d.ok("coach.record_training", {"cohort": "kent-2026-27", "session": session,
                                                   "coach": coach, "present": present}, actor)

    def test_training_recorded_for_the_coach_and_required_before_the_internship(self):
        d = self.daemon(KENT_START)
        self.kent_people()
        apps = self.to_coach_stage()
        self.assertEqual(self.req(apps["sam"], "coach_trained"),
                         [{"kind": "coach_trained", "met": False, "have": 0, "need": 2,
                           "sessions": ["COACH1", "COACH2", "COACH3"]}])
        args = {"cohort": "kent-2026-27", "session": "COACH1", "coach": "coach-1",
                "present": True}
        # Only LA advisers record it, and only once the session has begun.
        for actor in ("coach-1", "h-mall", "viewer-1", "sam"):
            self.refused("coach.record_training", args, actor, "forbidden")
        self.refused("coach.record_training", args, "operator", "too_early")
        d.ok("clock.set", {"now": "2027-05-21T11:59:00Z"})  # 12:59 in Kent: a minute early
        self.refused("coach.record_training", dict(args, session="NOPE"), "operator",
                     "not_found")
        self.refused("coach.record_training", dict(args, cohort="nope"), "operator",
                     "not_found")
        self.refused("coach.record_training", dict(args, coach="sam"), "operator",
                     "invalid_request", "coach role")
        self.refused("coach.record_training", dict(args, present="yes"), "operator",
                     "invalid_request")
        self.refused("coach.record_training", args, "operator", "too_early")
        d.ok("clock.set", {"now": "2027-05-21T12:00:00Z"})
        head = d.ok("events.since", {"after": 0})["head"]
        r = self.train("coach-1", "COACH1", actor="la-1")
        self.assertEqual(r["advanced"], [])
        self.assertTrue(r["person"]["training"]["kent-2026-27"]["COACH1"]["present"])
        ev = d.ok("events.since", {"after": head})["events"]
        self.assertEqual([(e["type"], e["cohort"], e["data"]) for e in ev],
                         [("coach.training_recorded", "kent-2026-27",
                           {"coach": "coach-1", "session": "COACH1", "present": True})])
        self.assertEqual(self.req(apps["sam"], "coach_trained")[0]["have"], 1)
        # Nothing on any candidate's application.
        self.assertNotIn("training", self.app(apps["sam"]))
        # An internship cannot be placed before the coach is trained.
        self.refused("application.place_internship",
                     {"app": apps["sam"], "host_school": "s-host", "start": "2027-06-14",
                      "end": "2027-06-18"}, "coach-1", "invalid_transition")
        # Absent at the second: still not trained; present at the third: trained.
        d.ok("clock.set", {"now": "2027-06-11T13:00:00Z"})
        self.assertEqual(self.train("coach-1", "COACH2", False)["advanced"], [])
        self.assertEqual(self.app(apps["sam"])["stage"], "coach_trained")
        self.assertEqual(self.train("coach-1", "COACH3")["advanced"], [apps["sam"]])
        a = self.app(apps["sam"])
        self.assertEqual(a["stage"], "internship")
        ev = d.ok("application.history", {"app": apps["sam"]})["events"][-1]
        self.assertEqual((ev["type"], ev["data"]), ("application.stage_changed",
                                                    {"from": "coach_trained",
                                                     "to": "internship"}))
        d.ok("application.place_internship",
             {"app": apps["sam"], "host_school": "s-host", "start": "2027-06-14",
              "end": "2027-06-18"}, "coach-1")
        # Sue's coach is untrained; a trained coach assigned instead moves her on.
        self.assertEqual(self.app(apps["sue"])["stage"], "coach_trained")
        d.ok("application.assign_coach", {"app": apps["sue"], "coach": "coach-1"})
        self.assertEqual(self.app(apps["sue"])["stage"], "internship")
        # The coach's training on person.get: LA advisers, viewers and the coach.
        for actor in ("operator", "la-1", "viewer-1", "coach-1"):
            p = d.ok("person.get", {"id": "coach-1"}, actor)["person"]
            self.assertEqual({s: m["present"] for s, m in p["training"]["kent-2026-27"].items()},
                             {"COACH1": True, "COACH2": False, "COACH3": True})
        for actor in ("coach-2", "sam", "h-mall"):
            self.refused("person.get", {"id": "coach-1"}, actor, "forbidden")
        self.assertNotIn("training", d.ok("person.get", {"id": "coach-2"})["person"])
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual(rep["coaches"], {"recorded": 1, "trained": 1})
        # pathwayctl records it too.
        env = dict(os.environ, PATHWAY_API="ipc://%s/api.sock" % d.dir,
                   PATHWAY_ACTOR="operator")
        out = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", d.conf, "coach-training",
                              "kent-2026-27", "COACH1", "coach-2", "present"],
                             capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("kent-2026-27 COACH1 present", out.stdout)
        self.assertEqual(d.ok("cohort.report", {"cohort": "kent-2026-27"})["coaches"],
                         {"recorded": 2, "trained": 1})


if __name__ == "__main__":
    unittest.main()
