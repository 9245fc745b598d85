#!/usr/bin/python3
"""PROTOCOL.md says what the daemon does: replies checked field by field.

Real pathwayd processes on ipc sockets, driven with nothing but pyzmq, as a
client written from PROTOCOL.md alone would drive them: application.list
items are application.get's view (requirements and every redaction
included), people and schools carry exactly their documented fields, the
cohort objects, an opportunity's "told" by reader, cohort.report's counts and
what a deferral keeps and drops.
"""
import unittest

from test_timers import Daemon
from answers import ANSWERS

START = "2026-09-07T08:00:00Z"
NTP, NEXT, LLE = "ntp-2026-27", "ntp-2027-28", "lle-2026-27"


class ProtocolCase(unittest.TestCase):
    def daemon(self):
        d = Daemon(START)
        self.addCleanup(d.stop)
        return d

    @staticmethod
    def person(d, pid, roles, school=None, **extra):
        args = {"id": pid, "name": pid.title(), "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        args.update(extra)
        return d.ok("person.create", args)["person"]

    def world(self, d):
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary",
                               "name": "Elm Tree Primary", "lss": True})
        for pid, roles, school in [("p-head", ["headteacher"], "s-oak"),
                                   ("p-elm-head", ["headteacher"], "s-elm"),
                                   ("p-view", ["viewer"], None),
                                   ("p-coach", ["coach"], None),
                                   ("p-r1", ["rater"], "s-oak"),
                                   ("p-r2", ["rater"], "s-oak")]:
            self.person(d, pid, roles, school)

    def to_selection(self, d, cand, head="p-head"):
        """A new application of cand, submitted and signed off: at selection."""
        app = d.ok("application.create", {"cohort": NTP, "candidate": cand},
                   cand)["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, cand)
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, head)
        got = d.ok("application.signoff", {"app": app}, head)["application"]
        self.assertEqual(got["stage"], "selection")
        return app


class MineTest(ProtocolCase):
    """application.mine: every application a person stands in a relation to, as
    application.get shows it to them; the stage's deadline on active applications."""

    def test_each_relation_finds_its_applications(self):
        d = self.daemon()
        self.world(d)
        self.person(d, "p-host", ["host"], "s-elm")
        for pid in ("p-cand", "p-cand2", "p-far"):
            self.person(d, pid, ["candidate"], "s-elm" if pid == "p-far" else "s-oak")
        a = self.to_selection(d, "p-cand")
        b = d.ok("application.create", {"cohort": NTP, "candidate": "p-cand2"},
                 "p-cand2")["application"]["id"]
        far = d.ok("application.create", {"cohort": NTP, "candidate": "p-far"},
                   "p-far")["application"]["id"]
        d.ok("application.decide", {"app": a, "outcome": "accept"})
        d.ok("application.assign_coach", {"app": a, "coach": "p-coach"})
        d.ok("application.invite_rater", {"app": a, "rater": "p-r1", "category": "peers"},
             "p-cand")
        d.ok("application.assign_coach", {"app": far, "coach": "p-coach"})

        def mine(who):
            got = d.ok("application.mine", {}, who)
            self.assertFalse(got["truncated"])
            return got["applications"]

        self.assertEqual([x["id"] for x in mine("p-cand")], [a])
        self.assertEqual(mine("p-cand"), [d.ok("application.get", {"app": a},
                                               "p-cand")["application"]])
        self.assertEqual(sorted(x["id"] for x in mine("p-head")), sorted([a, b]))
        # Each with its candidate's name, which the headteacher cannot read otherwise.
        self.assertEqual({x["candidate_name"] for x in mine("p-head")}, {"P-Cand", "P-Cand2"})
        self.assertEqual(sorted(x["id"] for x in mine("p-coach")), sorted([a, far]))
        self.assertEqual([x["id"] for x in mine("p-r1")], [a])
        self.assertEqual(mine("p-r2"), [])
        # A rater sees their own entry only, and who responded nowhere.
        self.assertEqual(list(mine("p-r1")[0]["raters"]), ["p-r1"])
        # The host school's internships.
        self.assertEqual(mine("p-host"), [])
        d.ok("application.invite_rater", {"app": a, "rater": "p-r2"}, "p-cand")
        # The deadline of the current stage, in UTC and in the cohort's words: the 360's
        # is TP2's start (Thu 5 Nov 2026, 16:00 GMT).
        got = mine("p-cand")[0]
        self.assertEqual(got["deadline"], {"at": "2026-11-05T16:00:00Z",
                                           "local": "Thu 05 Nov 2026, 16:00"})
        # An ended application stays on its candidate's page, leaves the others'.
        d.ok("application.withdraw", {"app": b, "reason": "moving"}, "p-cand2")
        self.assertEqual([x["id"] for x in mine("p-head")], [a])
        self.assertEqual([(x["id"], x["status"]) for x in mine("p-cand2")], [(b, "withdrawn")])
        self.assertNotIn("deadline", mine("p-cand2")[0])
        # A viewer has no page of their own.
        self.assertEqual(d.call("application.mine", {}, "p-view")["error"]["code"], "forbidden")


class ListTest(ProtocolCase):
    def test_list_items_are_the_view_get_gives_with_requirements(self):
        d = self.daemon()
        self.world(d)
        for pid, school in [("p-cand", "s-oak"), ("p-cand2", "s-oak"), ("p-far", "s-elm")]:
            self.person(d, pid, ["candidate"], school)
        a = self.to_selection(d, "p-cand")
        d.ok("application.decide", {"app": a, "outcome": "accept", "note": "a strong field"})
        for r in ("p-r1", "p-r2"):
            d.ok("application.invite_rater", {"app": a, "rater": r}, "p-cand")
        d.ok("application.record_response", {"app": a, "rater": "p-r1"}, "p-r1")
        b = d.ok("application.create", {"cohort": NTP, "candidate": "p-cand2"},
                 "p-cand2")["application"]["id"]
        d.ok("application.withdraw", {"app": b, "reason": "a private matter"}, "p-cand2")
        far = d.ok("application.create", {"cohort": NTP, "candidate": "p-far"},
                   "p-far")["application"]["id"]

        # A headteacher lists their school's applications, each as application.get shows it.
        items = d.ok("application.list", {}, "p-head")["applications"]
        self.assertEqual(sorted(x["id"] for x in items), sorted([a, b]))
        for item in items:
            self.assertEqual(item, d.ok("application.get", {"app": item["id"]},
                                        "p-head")["application"])
            self.assertNotIn("v", item)
        ia, ib = [next(x for x in items if x["id"] == i) for i in (a, b)]
        # One response of 8, below the 360's count_from (3): no count, no categories.
        self.assertEqual(ia["requirements"], [{"kind": "responses", "role": "rater",
                                               "met": False, "fewer_than": 3, "need": 8}])
        # Who was invited, not who responded; no decision note; no withdrawal reason.
        self.assertEqual(sorted(ia["raters"]), ["p-r1", "p-r2"])
        self.assertTrue(all("responded" not in r for r in ia["raters"].values()))
        self.assertNotIn("note", ia["decisions"]["selection"])
        self.assertEqual(ib["status"], "withdrawn")
        self.assertNotIn("reason", ib["withdrawal"])
        self.assertNotIn("requirements", ib)

        # The LA adviser sees everything, and its list is its get too.
        items = d.ok("application.list", {"cohort": NTP})["applications"]
        self.assertEqual(sorted(x["id"] for x in items), sorted([a, b, far]))
        for item in items:
            self.assertEqual(item, d.ok("application.get", {"app": item["id"]})["application"])
        ia = next(x for x in items if x["id"] == a)
        self.assertIn("responded", ia["raters"]["p-r1"])
        self.assertEqual(ia["requirements"][0]["have"], 1)
        self.assertEqual(ia["requirements"][0]["categories"]["others"], {"have": 1, "need": 0})
        self.assertEqual(ia["decisions"]["selection"]["note"], "a strong field")
        self.assertEqual(next(x for x in items if x["id"] == far)["requirements"],
                         [{"kind": "eligibility", "school": "phase", "met": True, "have": 1,
                           "need": 1},
                          {"kind": "submission", "role": "candidate", "doc": "self_evaluation",
                           "form": "self_evaluation", "met": False, "have": 0, "need": 1}])
        # A viewer sees who responded but not the note (free text: LA advisers and its author).
        ia = next(x for x in d.ok("application.list", {}, "p-view")["applications"]
                  if x["id"] == a)
        self.assertIn("responded", ia["raters"]["p-r1"])
        self.assertNotIn("note", ia["decisions"]["selection"])
        # A rater is no reader of lists.
        r = d.call("application.list", {}, "p-r1")
        self.assertEqual(r["error"]["code"], "forbidden")
        r = d.call("application.list", {"school": "s-elm"}, "p-head")
        self.assertEqual(r["error"]["code"], "forbidden")

    def test_eligibility_in_a_list_reads_the_candidate_now(self):
        d = self.daemon()
        self.world(d)
        facts = {"years_as_head": 5, "leadership_good_or_better": True}
        for pid in ("p-lle1", "p-lle2"):
            self.person(d, pid, ["candidate", "headteacher"], "s-oak", facts=facts)
        apps = [d.ok("application.create", {"cohort": LLE, "candidate": pid})["application"]["id"]
                for pid in ("p-lle1", "p-lle2")]
        d.ok("person.update", {"id": "p-lle2", "facts": {"years_as_head": 1,
                                                         "leadership_good_or_better": True}})
        items = {x["id"]: x for x in d.ok("application.list", {"cohort": LLE})["applications"]}
        want = lambda met: [
            {"kind": "eligibility", "fact": "years_as_head", "met": met, "have": int(met),
             "need": 1},
            {"kind": "eligibility", "fact": "leadership_good_or_better", "met": True, "have": 1,
             "need": 1},
            {"kind": "submission", "role": "candidate", "doc": "application_form",
             "form": "application_form", "met": False, "have": 0, "need": 1}]
        self.assertEqual(items[apps[0]]["requirements"], want(True))
        self.assertEqual(items[apps[1]]["requirements"], want(False))
        for app in apps:
            self.assertEqual(items[app], d.ok("application.get", {"app": app})["application"])

    def test_stage_filter_means_active_at_that_stage_on_every_path(self):
        d = self.daemon()
        self.world(d)
        for pid in ("p-c1", "p-c2", "p-c3"):
            self.person(d, pid, ["candidate"], "s-oak")
        w = self.to_selection(d, "p-c1")
        d.ok("application.decide", {"app": w, "outcome": "waitlist"})
        x = self.to_selection(d, "p-c2")
        d.ok("application.decide", {"app": x, "outcome": "reject"})
        s = self.to_selection(d, "p-c3")
        for args, actor in [({"stage": "selection"}, "operator"),
                            ({"stage": "selection", "cohort": NTP}, "operator"),
                            ({"stage": "selection", "school": "s-oak"}, "operator"),
                            ({"stage": "selection"}, "p-head")]:
            got = d.ok("application.list", args, actor)["applications"]
            self.assertEqual([a["id"] for a in got], [s], (args, actor))
        got = d.ok("application.list", {"status": "waitlisted"}, "p-head")["applications"]
        self.assertEqual([a["id"] for a in got], [w])


class RecordsTest(ProtocolCase):
    def test_people_and_schools_carry_exactly_their_documented_fields(self):
        d = self.daemon()
        s = d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary",
                                   "phase": "primary"})["school"]
        self.assertEqual(s, {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary",
                             "lss": False})
        s = d.ok("school.update", {"id": "s-oak", "email": "office@oak.example.org"})["school"]
        self.assertEqual(s, {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary",
                             "lss": False, "email": "office@oak.example.org"})
        self.assertEqual(d.ok("school.get", {"id": "s-oak"}, "viewer")["school"], s)
        self.assertEqual(d.ok("school.list")["schools"], [s])

        p = self.person(d, "p-head", ["headteacher"], "s-oak")
        base = {"id": "p-head", "name": "P-Head", "email": "p-head@example.org",
                "roles": ["headteacher"], "school": "s-oak"}
        self.assertEqual(p, base)
        p = d.ok("person.update", {"id": "p-head", "facts": {"years_as_head": 4}})["person"]
        self.assertEqual(p, dict(base, facts={"years_as_head": 4}))
        p = d.ok("person.digest", {"id": "p-head", "digest": True}, "p-head")["person"]
        full = dict(base, facts={"years_as_head": 4}, digest=True)
        self.assertEqual(p, full)
        self.assertEqual(d.ok("person.get", {"id": "p-head"})["person"], full)
        self.assertEqual(d.ok("person.get", {"id": "p-head"}, "p-head")["person"], full)
        self.assertEqual(d.ok("person.list", {"school": "s-oak"})["people"], [full])
        self.assertEqual(d.ok("person.list", {"role": "headteacher"}, "viewer")["people"],
                         [full])
        # Listing by role goes through the role index: every holder, in id order, with
        # or without a school; LA advisers whatever their school; a role changed moves.
        d.ok("school.create", {"id": "s-elm", "name": "Elm Tree Primary"})
        self.person(d, "a-head", ["headteacher"], "s-elm")
        self.person(d, "z-la", ["la_adviser"], "s-oak")
        self.person(d, "b-la", ["la_adviser"])
        ids = lambda args: [x["id"] for x in d.ok("person.list", args)["people"]]
        self.assertEqual(ids({"role": "headteacher"}), ["a-head", "p-head"])
        self.assertEqual(ids({"role": "headteacher", "school": "s-elm"}), ["a-head"])
        self.assertEqual(ids({"role": "la_adviser"}), ["b-la", "z-la"])
        self.assertEqual(ids({"role": "la_adviser", "school": "s-oak"}), ["z-la"])
        d.ok("person.update", {"id": "a-head", "roles": ["coach"]})
        self.assertEqual(ids({"role": "headteacher"}), ["p-head"])
        self.assertEqual(ids({"role": "coach"}), ["a-head"])
        # Choosing the digest is for headteachers and LA advisers; anyone may stop it.
        self.person(d, "p-cand", ["candidate"], "s-oak")
        r = d.call("person.digest", {"id": "p-cand", "digest": True}, "p-cand")
        self.assertEqual(r["error"]["code"], "invalid_request")
        d.ok("person.digest", {"id": "p-cand", "digest": False}, "p-cand")

    def test_cohorts_are_what_the_document_lists(self):
        d = self.daemon()
        cohorts = d.ok("cohort.list", {}, "viewer")["cohorts"]
        for c in cohorts:
            self.assertEqual(set(c), {"id", "programme", "name", "places", "starts"})
        self.assertEqual(next(c for c in cohorts if c["id"] == NTP)["starts"], "2026-09-01")
        c = d.ok("cohort.get", {"cohort": NTP}, "viewer")["cohort"]
        self.assertEqual(set(c), {"id", "programme", "name", "places", "starts", "timezone",
                                  "sessions", "stages"})
        self.assertEqual((c["programme"], c["places"], c["starts"], c["timezone"]),
                         ("norfolk-talent-pool", 30, "2026-09-01", "Europe/London"))
        self.assertEqual(c["sessions"][0], {
            "id": "TP1", "title": "Induction", "date": "2026-10-08", "start": "09:00",
            "end": "12:30", "venue": "Norwich Professional Development Centre",
            "audience": "participants"})
        for s in c["sessions"]:
            self.assertEqual(set(s), {"id", "title", "date", "start", "end", "venue",
                                      "audience"})
        for s in c["stages"]:
            self.assertEqual(set(s), {"id", "name", "terminal"})
        self.assertEqual(c["stages"][0]["id"], "interest")
        self.assertEqual([s["terminal"] for s in c["stages"]],
                         [False] * (len(c["stages"]) - 1) + [True])
        kent = d.ok("cohort.get", {"cohort": "kent-2026-27"})["cohort"]
        self.assertEqual({s["id"]: s["audience"] for s in kent["sessions"]}["COACH1"], "coaches")
        self.assertEqual({s["id"]: s["audience"] for s in kent["sessions"]}["INTRO"], "all")


class OpportunityTest(ProtocolCase):
    def test_told_is_who_for_readers_and_how_many_for_everyone_else(self):
        d = self.daemon()
        self.world(d)
        self.person(d, "p-cand", ["candidate"], "s-oak")
        d.ok("application.create", {"cohort": NTP, "candidate": "p-cand"}, "p-cand")
        got = d.ok("opportunity.publish", {"id": "acting-dh", "title": "Acting deputy head",
                                           "description": "A summer term secondment.",
                                           "audience": {"cohort": NTP}, "early_days": 7})
        self.assertEqual(got["told"], 1)
        o = got["opportunity"]
        self.assertEqual(set(o), {"id", "title", "description", "audience", "early_days",
                                  "published", "closes", "closes_local", "told", "released"})
        self.assertEqual(o["told"], {"p-cand": True})
        for actor, told in [("operator", {"p-cand": True}), ("p-view", {"p-cand": True}),
                            ("viewer", {"p-cand": True}), ("p-cand", 1), ("p-head", 1),
                            ("p-r1", 1)]:
            o = d.ok("opportunity.get", {"id": "acting-dh"}, actor)["opportunity"]
            self.assertEqual(o["told"], told, actor)
            self.assertNotIn("v", o)
            [o] = d.ok("opportunity.list", {}, actor)["opportunities"]
            self.assertEqual(o["told"], told, actor)
            self.assertNotIn("v", o)


class ReportTest(ProtocolCase):
    def test_stages_count_active_applications_and_status_every_one(self):
        d = self.daemon()
        self.world(d)
        for i in range(1, 7):
            self.person(d, "p-c%d" % i, ["candidate"], "s-oak")
        create = lambda c: d.ok("application.create", {"cohort": NTP, "candidate": c},
                                c)["application"]["id"]
        create("p-c1")  # active at interest
        c2 = create("p-c2")
        d.ok("application.submit", {"app": c2, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-c2")  # signoff
        c3 = self.to_selection(d, "p-c3")
        d.ok("application.decide", {"app": c3, "outcome": "waitlist"})
        c4 = self.to_selection(d, "p-c4")
        d.ok("application.decide", {"app": c4, "outcome": "reject"})
        c5 = self.to_selection(d, "p-c5")
        d.ok("application.decide", {"app": c5, "outcome": "accept"})  # feedback_360
        c6 = create("p-c6")
        d.ok("application.withdraw", {"app": c6}, "p-c6")

        stages = [s["id"] for s in d.ok("cohort.get", {"cohort": NTP})["cohort"]["stages"]]
        rep = d.ok("cohort.report", {"cohort": NTP}, "viewer")
        self.assertEqual(set(rep), {"cohort", "programme", "places", "taken", "offered", "left",
                                    "waiting", "offers", "stages", "status", "total",
                                    "overdue"})
        want = dict.fromkeys(stages, 0)
        want.update({"interest": 1, "signoff": 1, "feedback_360": 1})
        # The waiting, rejected and withdrawn applications keep a stage but count in none.
        self.assertEqual(d.ok("application.get", {"app": c3})["application"]["stage"],
                         "selection")
        self.assertEqual(rep["stages"], want)
        self.assertEqual(rep["status"], {"active": 3, "waitlisted": 1, "rejected": 1,
                                         "withdrawn": 1, "graduated": 0})
        self.assertEqual(rep["status"]["active"], sum(rep["stages"][s] for s in stages[:-1]))
        self.assertEqual(rep["total"], sum(rep["status"].values()))
        self.assertEqual((rep["total"], rep["waiting"], rep["taken"], rep["left"],
                          rep["places"], rep["overdue"]), (6, [c3], 1, 29, 30, 0))
        self.assertEqual((rep["offered"], rep["offers"]), (0, []), "no place freed, none offered")
        self.assertEqual(d.call("cohort.report", {"cohort": NTP}, "p-head")["error"]["code"],
                         "forbidden")


class DeferTest(ProtocolCase):
    def test_a_deferred_application_reenters_selection_without_place_decision_attendance(self):
        d = self.daemon()
        self.world(d)
        for pid in ("p-cand", "p-early"):
            self.person(d, pid, ["candidate"], "s-oak")
        a = self.to_selection(d, "p-cand")
        # Another applies in the window too (it closes on 25 Sep) and is still at
        # sign-off, before the capacity decision, when the first is deferred.
        e = d.ok("application.create", {"cohort": NTP, "candidate": "p-early"},
                 "p-early")["application"]["id"]
        d.ok("application.submit", {"app": e, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-early")
        d.ok("application.decide", {"app": a, "outcome": "accept", "note": "n"})
        d.ok("application.invite_rater", {"app": a, "rater": "p-r1"}, "p-cand")
        d.ok("application.record_response", {"app": a, "rater": "p-r1"}, "p-r1")
        d.ok("application.assign_coach", {"app": a, "coach": "p-coach"})
        d.ok("clock.set", {"now": "2026-10-09T12:00:00Z"})
        d.ok("application.record_attendance", {"app": a, "session": "TP1", "present": True},
             "p-coach")
        before = d.ok("application.get", {"app": a})["application"]
        self.assertEqual((before["stage"], before["place"]), ("feedback_360", True))

        r = d.call("application.defer", {"app": a, "cohort": NTP})
        self.assertEqual(r["error"]["code"], "invalid_request")
        r = d.call("application.defer", {"app": a, "cohort": "kent-2026-27"})
        self.assertEqual(r["error"]["code"], "invalid_request")
        r = d.call("application.defer", {"app": a, "cohort": NEXT}, "p-head")
        self.assertEqual(r["error"]["code"], "forbidden")

        got = d.ok("application.defer", {"app": a, "cohort": NEXT})["application"]
        now = d.ok("system.ping")["now"]
        self.assertEqual((got["cohort"], got["stage"], got["status"], got["place"],
                          got["stage_entered"]), (NEXT, "selection", "active", False, now))
        self.assertNotIn("selection", got.get("decisions", {}))
        self.assertNotIn("attendance", got)
        # Everything else stays.
        for key in ("docs", "signoffs", "raters", "coach", "route", "school", "created"):
            self.assertEqual(got[key], before[key], key)
        self.assertEqual(got["requirements"], [{"kind": "decision", "role": "la_adviser",
                                                "met": False, "have": 0, "need": 1}])
        evs = d.ok("application.history", {"app": a})["events"][-2:]
        self.assertEqual([(e["type"], e["cohort"], e["data"]) for e in evs], [
            ("application.stage_changed", NEXT, {"from": "feedback_360", "to": "selection"}),
            ("application.deferred", NEXT, {"from_cohort": NTP, "to_cohort": NEXT})])
        old = d.ok("cohort.report", {"cohort": NTP})
        new = d.ok("cohort.report", {"cohort": NEXT})
        self.assertEqual((old["taken"], old["total"], old["stages"]["feedback_360"],
                          old["stages"]["signoff"]), (0, 1, 0, 1))
        self.assertEqual((new["taken"], new["total"], new["stages"]["selection"]), (0, 1, 1))

        # Before the capacity decision an application keeps its stage.
        got = d.ok("application.defer", {"app": e, "cohort": NEXT})["application"]
        self.assertEqual((got["cohort"], got["stage"], got["status"]), (NEXT, "signoff", "active"))
        self.assertEqual(d.ok("application.history", {"app": e})["events"][-1]["type"],
                         "application.deferred")
        old = d.ok("cohort.report", {"cohort": NTP})
        new = d.ok("cohort.report", {"cohort": NEXT})
        self.assertEqual((old["total"], old["stages"]["signoff"]), (0, 0))
        self.assertEqual((new["total"], new["stages"]["selection"], new["stages"]["signoff"]),
                         (2, 1, 1))


if __name__ == "__main__":
    unittest.main()
