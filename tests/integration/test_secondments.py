#!/usr/bin/python3
"""Secondment posts (PROTOCOL.md, "posts"), end to end.

A real pathwayd on a manual clock, a real pathway-mailer and a real SMTP
server (aiosmtpd), as in test_mail.py. A post is published to the talent
pool (the candidates of ntp-2026-27) first; its closing date and the end of
its internal window are timers that follow the manual clock. The tests drive
the whole path from the internal advert to an appointment with its start date
and objective; the path where the panel finds nobody appointable, the post is
released to external advertising and an outside applicant is appointed; the
internal window ending with nobody appointed and an external round with no
applications; and the refusals (outside the audience, a non-member scoring,
deciding before every score is in, applying after the close). Every step's
events are read from the log and checked to name no applicant, no person's
name and no score; every step's emails are read from the SMTP server.
"""
import json
import os
import subprocess
import unittest

import store_peek
from test_mail import SIGNATURE, Rig
from test_timers import BIN

START = "2026-09-07T08:00:00Z"
CRITERIA = {"qts": "Qualified teacher status",
            "lead": "Has led a whole-school improvement priority",
            "data": "Uses assessment data to raise attainment"}
NAMES = {"p-la": "Helen Marsh", "p-chair": "Clara Quint", "p-mem": "Miles Orrin",
         "p-ann": "Annabel Fyfe", "p-ben": "Benedict Loam", "p-cy": "Cyrus Vane",
         "p-dee": "Deirdre Pask", "p-out": "Ottoline Ward"}
POOL = ["p-ann", "p-ben", "p-cy", "p-dee"]
# Event data keys a post event may carry: ids, counts, dates; never a person or a score.
EVENT_KEYS = {"post", "round", "closes", "internal_until", "applications", "shortlisted",
              "complete", "outcome", "start", "reason"}


class SecondmentTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.rig = Rig(self, START, mailer=SIGNATURE)
        self.rig.mailer("m1")
        self.d = self.rig.d
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak Primary"})
        d.ok("school.create", {"id": "s-hill", "phase": "secondary", "name": "Hilltop Academy"})
        roles = {"p-la": ["la_adviser"], "p-chair": ["headteacher"], "p-mem": ["headteacher"],
                 "p-out": ["candidate"]}
        for pid, name in NAMES.items():
            args = {"id": pid, "name": name, "email": pid + "@example.org",
                    "roles": roles.get(pid, ["candidate"])}
            if pid in POOL or pid == "p-mem":
                args["school"] = "s-oak"
            if pid == "p-chair":
                args["school"] = "s-hill"
            d.ok("person.create", args)
        for pid in POOL:
            d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": pid}, pid)
        self.rig.settle()
        self.first = d.ok("system.ping")["head"]  # the events of the post come after
        self.mail0 = self.rig.sink.count()

    # Helpers

    def publish(self, pid="sec-dh", closes="2026-09-18", internal_until="2026-10-30",
                **extra):
        args = {"id": pid, "title": "Acting deputy head (secondment)", "host": "s-hill",
                "description": "Two terms as acting deputy head at Hilltop Academy.",
                "person_spec": "An experienced middle leader ready for senior leadership.",
                "criteria": CRITERIA, "audience": {"cohort": "ntp-2026-27"},
                "panel": ["p-chair", "p-mem"], "chair": "p-chair", "closes": closes,
                "internal_until": internal_until, "external_days": 14}
        args.update(extra)
        return self.d.ok("post.publish", args)

    def set_clock(self, when):
        """Move the manual clock to WHEN once every email so far is delivered (a jump of
        days would otherwise outlive a pending job's lifetime)."""
        self.rig.settle()
        self.assertEqual(self.d.ok("clock.set", {"now": when})["now"], when)

    def refused(self, code, cmd, args, actor="operator"):
        r = self.d.call(cmd, args, actor)
        self.assertFalse(r["ok"], "%s %s as %s was accepted" % (cmd, args, actor))
        self.assertEqual(r["error"]["code"], code, r["error"])
        return r["error"]["message"]

    def apply(self, who, post="sec-dh"):
        return self.d.ok("post.apply", {"post": post, "statement": "I led our maths priority "
                                        "for two years; results rose by 12 points."}, who)

    def score(self, member, applicant, marks, post="sec-dh"):
        return self.d.ok("post.score", {"post": post, "applicant": applicant,
                                        "scores": dict(zip(["qts", "lead", "data"], marks)),
                                        "notes": {"lead": "Clear account of impact."}},
                         member)

    def timers(self, post="sec-dh"):
        """The post's armed timers, (what, round), as the store holds them."""
        return sorted((t["what"], t["round"])
                      for t in store_peek.records(os.path.join(self.d.dir, "db"), "timer_recs")
                      if t.get("kind") == "post" and t.get("post") == post)

    def get(self, who, post="sec-dh"):
        return self.d.ok("post.get", {"post": post}, who)

    def state(self):
        return self.get("operator")["post"]["state"]

    def post_events(self):
        evs = [e for e in self.rig.events(after=self.first) if e["type"].startswith("post.")]
        for e in evs:  # ids only: no applicant, no name, no score on the stream
            self.assertLessEqual(set(e["data"]), EVENT_KEYS, e)
            text = json.dumps(e)
            for pid in POOL + ["p-out"]:
                self.assertNotIn(pid, text, e)
            for name in NAMES.values():
                self.assertNotIn(name, text, e)
            self.assertNotIn("score\"", text, e)
        return evs

    def mails(self):
        """(recipient id, subject) of every email since setUp, once delivered."""
        self.rig.settle()
        out = []
        for m in self.rig.sink.snapshot()[self.mail0:]:
            out.append((m["rcpt"][0].split("@")[0], str(m["msg"]["subject"])))
        return out

    def bodies(self, who, subject_start):
        return [m["msg"].get_body(("plain",)).get_content()
                for m in self.rig.sink.snapshot()[self.mail0:]
                if m["rcpt"][0].startswith(who + "@") and
                str(m["msg"]["subject"]).startswith(subject_start)]

    # The whole path, internal to appointed

    def test_internal_advert_to_appointment(self):
        d = self.d
        r = self.publish()
        self.assertEqual(r["told"], 4)
        self.assertEqual(r["post"]["state"], "advertised_internal")
        self.assertEqual(r["post"]["closes"], "2026-09-18T23:00:00Z")  # end of the day, BST
        self.assertEqual(sorted(r["post"]["internal"]), POOL)
        self.assertEqual([c["id"] for c in r["post"]["criteria"]], ["qts", "lead", "data"])

        # The internal window: the audience sees and applies; nobody else does. To
        # anyone else the post answers as one that does not exist: the same code and
        # message, so which post ids exist cannot be probed.
        for cmd, args in (("post.get", {}), ("post.apply", {"statement": "x"}),
                          ("post.score", {"applicant": "p-ann", "scores": {}})):
            hidden = self.refused("not_found", cmd, dict(args, post="sec-dh"), "p-out")
            missing = self.refused("not_found", cmd, dict(args, post="sec-nope"), "p-out")
            self.assertEqual(hidden.replace("sec-dh", "ID"), missing.replace("sec-nope", "ID"))
        self.assertEqual(d.ok("post.list", {}, "p-out")["posts"], [])
        self.refused("forbidden", "post.apply", {"post": "sec-dh", "statement": "x"}, "p-mem")
        self.refused("invalid_request", "post.apply", {"post": "sec-dh", "statement": ""},
                     "p-ann")
        self.refused("not_found", "post.apply", {"post": "nope", "statement": "x"}, "p-ann")
        seen = self.get("p-dee")
        self.assertEqual(seen["applications"], [])
        self.assertNotIn("panel", seen["post"])
        self.assertNotIn("internal", seen["post"])
        for who in ("p-ann", "p-ben", "p-cy"):
            a = self.apply(who)["application"]
            self.assertEqual((a["person"], a["status"], a["round"]), (who, "applied", "internal"))
        self.refused("already_exists", "post.apply",
                     {"post": "sec-dh", "statement": "again"}, "p-ann")
        self.refused("invalid_transition", "post.shortlist",
                     {"post": "sec-dh", "applicants": ["p-ann"]}, "p-mem")

        # The closing date passes: applications close, the LA and the panel are told.
        self.set_clock("2026-09-19T08:00:00Z")
        self.assertEqual(self.state(), "shortlisting")
        self.refused("invalid_transition", "post.apply",
                     {"post": "sec-dh", "statement": "late"}, "p-dee")

        # Shortlisting: the LA or the panel, never an applicant.
        self.refused("forbidden", "post.shortlist",
                     {"post": "sec-dh", "applicants": ["p-ann"]}, "p-ann")
        self.refused("not_found", "post.shortlist",
                     {"post": "sec-dh", "applicants": ["p-dee"]}, "p-mem")
        r = d.ok("post.shortlist", {"post": "sec-dh", "applicants": ["p-ann", "p-ben"]}, "p-mem")
        self.assertEqual(r["post"]["state"], "interviewing")
        self.assertEqual(r["post"]["shortlist"], ["p-ann", "p-ben"])

        # Scoring: panel members only, each criterion 0-3.
        self.refused("forbidden", "post.score", {"post": "sec-dh", "applicant": "p-ben",
                                                 "scores": {"qts": 3}}, "p-ann")
        self.refused("forbidden", "post.score", {"post": "sec-dh", "applicant": "p-ben",
                                                 "scores": {"qts": 3}}, "p-la")
        self.refused("invalid_request", "post.score", {"post": "sec-dh", "applicant": "p-ben",
                                                       "scores": {"qts": 4}}, "p-mem")
        self.refused("invalid_request", "post.score", {"post": "sec-dh", "applicant": "p-ben",
                                                       "scores": {"maths": 2}}, "p-mem")
        self.refused("invalid_transition", "post.score",
                     {"post": "sec-dh", "applicant": "p-cy", "scores": {"qts": 2}}, "p-mem")
        self.score("p-mem", "p-ann", [2, 3, 2])
        self.score("p-mem", "p-ben", [2, 1, 1])
        self.score("p-chair", "p-ann", [3, 3, 3])
        # Deciding before every score is in.
        self.assertIn("scored", self.refused(
            "invalid_transition", "post.decide", {"post": "sec-dh", "outcome": "appoint",
                                                  "applicant": "p-ann", "start": "2026-11-02",
                                                  "objective": "x"}, "p-chair"))
        # A member sees their own scores only while scoring goes on.
        apps = {a["person"]: a for a in self.get("p-mem")["applications"]}
        self.assertEqual(set(apps), {"p-ann", "p-ben", "p-cy"})
        self.assertEqual(set(apps["p-ann"]["scores"]), {"p-mem"})
        self.assertNotIn("means", apps["p-ann"])
        self.assertEqual(apps["p-ann"]["scores"]["p-mem"]["lead"]["note"],
                         "Clear account of impact.")
        self.score("p-chair", "p-ben", [1, 1, 1])
        apps = {a["person"]: a for a in self.get("p-mem")["applications"]}
        self.assertEqual(set(apps["p-ann"]["scores"]), {"p-mem", "p-chair"})
        self.assertEqual(apps["p-ann"]["means"], {"qts": 2.5, "lead": 3, "data": 2.5})
        self.assertTrue(apps["p-ann"]["meets"])
        self.assertFalse(apps["p-ben"]["meets"])

        # Applicants never see scores, nor anyone else's application.
        mine = self.get("p-ann")
        self.assertEqual([a["person"] for a in mine["applications"]], ["p-ann"])
        self.assertNotIn("scores", mine["applications"][0])
        self.assertNotIn("means", mine["applications"][0])
        self.assertNotIn("shortlist", mine["post"])
        self.assertNotIn("p-chair", json.dumps(mine))

        # The decision: the chair's; appointable only on every essential criterion.
        args = {"post": "sec-dh", "outcome": "appoint", "applicant": "p-ann",
                "start": "2026-11-02", "objective": "Lead the school's Year 6 writing priority"}
        self.refused("forbidden", "post.decide", args, "p-mem")
        self.refused("forbidden", "post.decide", args, "operator")
        self.refused("not_eligible", "post.decide", dict(args, applicant="p-ben"), "p-chair")
        self.refused("invalid_request", "post.decide", {"post": "sec-dh", "outcome": "appoint",
                                                        "applicant": "p-ann"}, "p-chair")
        self.refused("invalid_request", "post.decide", {"post": "sec-dh", "outcome": "none",
                                                        "applicant": "p-ann"}, "p-chair")
        r = d.ok("post.decide", args, "p-chair")
        self.assertEqual(r["post"]["state"], "appointed")
        self.assertEqual(r["post"]["appointment"]["start"], "2026-11-02")
        self.refused("invalid_transition", "post.decide", args, "p-chair")

        # What each reader sees of the outcome.
        ann = self.get("p-ann")
        self.assertEqual(ann["post"]["state"], "appointed")
        self.assertEqual(ann["post"]["appointment"]["objective"],
                         "Lead the school's Year 6 writing priority")
        self.assertEqual(ann["applications"][0]["status"], "appointed")
        ben = self.get("p-ben")
        self.assertEqual(ben["applications"][0]["status"], "not_appointed")
        self.assertNotIn("appointment", ben["post"])
        self.assertEqual(self.get("p-cy")["applications"][0]["status"], "not_shortlisted")
        full = self.get("p-la")
        self.assertEqual(full["post"]["appointment"]["person"], "p-ann")
        self.assertEqual(full["post"]["appointment"]["by"], "p-chair")

        # The window's end changes nothing once appointed.
        self.set_clock("2026-11-01T08:00:00Z")
        self.assertEqual(self.state(), "appointed")

        evs = self.post_events()
        self.assertEqual([e["type"] for e in evs if e["type"] != "post.scored"],
                         ["post.published", "post.applied", "post.applied", "post.applied",
                          "post.closed", "post.shortlisted", "post.decided"])
        self.assertNotIn("actor", [e for e in evs if e["type"] == "post.applied"][0])
        self.assertEqual([e["data"]["complete"] for e in evs if e["type"] == "post.scored"],
                         [False, False, False, True])
        closed = [e for e in evs if e["type"] == "post.closed"][0]
        self.assertEqual((closed["actor"], closed["data"]["applications"]), ("pathwayd", 3))
        decided = evs[-1]
        self.assertEqual(decided["data"], {"post": "sec-dh", "round": "internal",
                                           "outcome": "appoint", "start": "2026-11-02"})

        mails = self.mails()
        want = [(p, "Secondment post, advertised internally first: Acting deputy head "
                 "(secondment)") for p in POOL]
        want += [(p, "Application received: Acting deputy head (secondment)")
                 for p in ("p-ann", "p-ben", "p-cy")]
        want += [(p, "Applications closed: Acting deputy head (secondment) (3 to shortlist)")
                 for p in ("p-la", "p-chair", "p-mem")]
        want += [("p-ann", "Invitation to interview: Acting deputy head (secondment)"),
                 ("p-ben", "Invitation to interview: Acting deputy head (secondment)"),
                 ("p-cy", "Your application: Acting deputy head (secondment)"),
                 ("p-chair", "Shortlist ready to score: Acting deputy head (secondment) "
                  "(2 to interview)"),
                 ("p-mem", "Shortlist ready to score: Acting deputy head (secondment) "
                  "(2 to interview)"),
                 ("p-chair", "Every score is in: Acting deputy head (secondment)"),
                 ("p-ann", "Appointed: Acting deputy head (secondment), starting 2026-11-02"),
                 ("p-ben", "Your application: Acting deputy head (secondment)"),
                 ("p-la", "Secondment post sec-dh: an applicant was appointed, to start on "
                  "2026-11-02")]
        self.assertEqual(sorted(mails), sorted(want))
        body = self.bodies("p-ann", "Appointed")[0]
        self.assertIn("Hilltop Academy", body)
        self.assertIn("Lead the school's Year 6 writing priority", body)
        advert = self.bodies("p-dee", "Secondment post")[0]
        self.assertIn("Has led a whole-school improvement priority", advert)
        self.assertIn("Fri 18 Sep 2026", advert)

    # Nobody appointable: released to external advertising, an outsider appointed

    def test_none_appointable_released_then_outside_applicant_appointed(self):
        d = self.d
        self.publish()
        self.apply("p-ann")
        self.apply("p-ben")
        self.set_clock("2026-09-19T08:00:00Z")
        d.ok("post.shortlist", {"post": "sec-dh", "applicants": ["p-ann", "p-ben"]}, "p-la")
        for m in ("p-chair", "p-mem"):
            self.score(m, "p-ann", [1, 2, 1])
            self.score(m, "p-ben", [0, 1, 1])
        self.refused("not_eligible", "post.decide",
                     {"post": "sec-dh", "outcome": "appoint", "applicant": "p-ann",
                      "start": "2026-11-02", "objective": "x"}, "p-chair")
        r = d.ok("post.decide", {"post": "sec-dh", "outcome": "none"}, "p-chair")
        # The release follows the panel's outcome at once, not the window's end.
        self.assertEqual((r["post"]["state"], r["post"]["round"]),
                         ("advertised_external", "external"))
        self.assertEqual(r["post"]["released"]["reason"], "none_appointable")
        self.assertEqual(r["post"]["closes"], "2026-10-03T23:00:00Z")  # 14 days on, BST
        # The internal round's timers went with it; the external round's close is armed.
        self.assertEqual(self.timers(), [("close", "external")])
        self.assertEqual(self.get("p-ann")["applications"][0]["status"], "not_appointed")

        # Anyone with a person record may now see it and apply, once.
        self.assertEqual([p["id"] for p in d.ok("post.list", {}, "p-out")["posts"]], ["sec-dh"])
        a = self.apply("p-out")["application"]
        self.assertEqual((a["round"], a["status"]), ("external", "applied"))
        self.refused("already_exists", "post.apply", {"post": "sec-dh", "statement": "x"},
                     "p-out")
        d.ok("person.create", {"id": "p-new", "name": "Nadia Frost",
                               "email": "p-new@example.org", "roles": ["candidate"]})
        d.ok("post.apply", {"post": "sec-dh", "statement": "On paper.", "person": "p-new"})
        self.refused("forbidden", "post.apply", {"post": "sec-dh", "statement": "x",
                                                 "person": "p-new"}, "p-out")

        self.set_clock("2026-10-04T08:00:00Z")
        self.assertEqual(self.state(), "shortlisting")
        d.ok("post.shortlist", {"post": "sec-dh", "applicants": ["p-out"]}, "p-chair")
        self.refused("not_found", "post.score", {"post": "sec-dh", "applicant": "p-ann",
                                                 "scores": {"qts": 3}}, "p-mem")
        for m in ("p-chair", "p-mem"):
            self.score(m, "p-out", [3, 2, 2])
        d.ok("post.decide", {"post": "sec-dh", "outcome": "appoint", "applicant": "p-out",
                             "start": "2027-01-04", "objective": "Raise attendance"}, "p-chair")
        full = self.get("p-la")
        self.assertEqual(full["post"]["state"], "appointed")
        self.assertEqual(full["post"]["appointment"]["person"], "p-out")
        self.assertEqual(self.timers(), [])  # appointed: no timer left to fire
        # The internal round's applications first, then the external's, each by person.
        self.assertEqual([(a["round"], a["person"], a["status"]) for a in full["applications"]],
                         [("internal", "p-ann", "not_appointed"),
                          ("internal", "p-ben", "not_appointed"),
                          ("external", "p-new", "not_shortlisted"),
                          ("external", "p-out", "appointed")])
        # The internal window's timer finds the round it was armed for over.
        self.set_clock("2026-11-01T08:00:00Z")
        self.assertEqual(self.state(), "appointed")

        evs = self.post_events()
        self.assertEqual([e["type"] for e in evs if e["type"] not in
                          ("post.scored", "post.applied")],
                         ["post.published", "post.closed", "post.shortlisted", "post.decided",
                          "post.released", "post.closed", "post.shortlisted", "post.decided"])
        rel = [e for e in evs if e["type"] == "post.released"][0]
        self.assertEqual(rel["data"], {"post": "sec-dh", "reason": "none_appointable",
                                       "closes": "2026-10-03T23:00:00Z"})
        mails = self.mails()
        self.assertIn(("p-la", "To advertise externally: Acting deputy head (secondment)"),
                      mails)
        self.assertEqual(mails.count(("p-ann", "Your application: Acting deputy head "
                                      "(secondment)")), 1)
        self.assertIn(("p-out", "Application received: Acting deputy head (secondment)"), mails)
        self.assertIn(("p-out", "Appointed: Acting deputy head (secondment), starting "
                       "2027-01-04"), mails)
        self.assertIn(("p-new", "Your application: Acting deputy head (secondment)"), mails)
        self.assertIn("the panel found no applicant appointable",
                      self.bodies("p-la", "To advertise externally")[0].replace("\n", " "))

    # The internal window ends with nobody appointed; an external round with no applicants

    def test_window_end_releases_and_an_empty_external_round_is_unfilled(self):
        d = self.d
        self.publish(closes="2026-09-18", internal_until="2026-09-25")
        self.apply("p-ann")
        self.rig.settle()
        self.rig.stop_mailer("m1")
        d.kill()  # the post's timers are durable: a crash loses neither
        d.start()
        self.rig.mailer("m1")
        self.set_clock("2026-09-19T08:00:00Z")
        self.assertEqual(self.state(), "shortlisting")
        self.set_clock("2026-09-26T08:00:00Z")  # nobody appointed by the 25th
        post = self.get("p-la")["post"]
        self.assertEqual((post["state"], post["released"]["reason"]),
                         ("advertised_external", "window_ended"))
        self.assertEqual(self.get("p-ann")["applications"][0]["status"], "not_appointed")
        self.assertEqual(self.timers(), [("close", "external")])
        self.set_clock("2026-10-11T08:00:00Z")  # the external round closes empty
        self.assertEqual(self.state(), "unfilled")
        self.assertEqual(self.timers(), [])
        self.refused("invalid_transition", "post.withdraw", {"post": "sec-dh"})
        types = [e["type"] for e in self.post_events()]
        self.assertEqual(types, ["post.published", "post.applied", "post.closed",
                                 "post.released", "post.unfilled"])
        mails = self.mails()
        self.assertIn(("p-la", "Secondment post sec-dh: unfilled, after internal and external "
                       "advertising"), mails)
        self.assertIn(("p-ann", "Your application: Acting deputy head (secondment)"), mails)

    def test_an_empty_shortlist_releases_the_post(self):
        d = self.d
        self.publish()
        self.apply("p-ann")
        self.apply("p-ben")
        self.set_clock("2026-09-19T08:00:00Z")
        r = d.ok("post.shortlist", {"post": "sec-dh", "applicants": []}, "p-chair")
        self.assertEqual((r["post"]["state"], r["post"]["released"]["reason"]),
                         ("advertised_external", "none_shortlisted"))
        self.assertEqual(sorted((a["person"], a["status"]) for a in r["applications"]),
                         [("p-ann", "not_shortlisted"), ("p-ben", "not_shortlisted")])
        self.refused("invalid_transition", "post.score", {"post": "sec-dh", "applicant": "p-ann",
                                                          "scores": {"qts": 3}}, "p-mem")
        self.assertEqual([e["type"] for e in self.post_events()][-2:],
                         ["post.shortlisted", "post.released"])
        mails = self.mails()
        for who in ("p-ann", "p-ben"):  # told once, that they were not shortlisted
            self.assertEqual([m for m in mails if m[0] == who][-1],
                             (who, "Your application: Acting deputy head (secondment)"))
            self.assertEqual(len(self.bodies(who, "Your application")), 1)
            self.assertIn("not been shortlisted",
                          self.bodies(who, "Your application")[0].replace("\n", " "))

    # Subject access and erasure

    def test_export_and_erasure(self):
        d = self.d
        self.publish()
        self.apply("p-ann")
        self.set_clock("2026-09-19T08:00:00Z")
        d.ok("post.shortlist", {"post": "sec-dh", "applicants": ["p-ann"]}, "p-la")
        self.score("p-mem", "p-ann", [2, 2, 2])
        x = d.ok("person.export", {"id": "p-ann"}, "p-ann")["export"]
        self.assertEqual([(a["post"], a["status"]) for a in x["post_applications"]],
                         [("sec-dh", "shortlisted")])
        self.assertIn("maths priority", x["post_applications"][0]["statement"])
        self.assertNotIn("scores", x["post_applications"][0])
        self.assertEqual(x["post_panels"], {})
        x = d.ok("person.export", {"id": "p-mem"})["export"]
        self.assertEqual(x["post_applications"], [])
        given = x["post_panels"]["sec-dh"][0]
        self.assertEqual((given["applicant"], given["scores"]["lead"]["note"]),
                         ("p-ann", "Clear account of impact."))
        r = d.ok("person.erase", {"id": "p-ann"})
        self.assertEqual(r["erased"]["post_applications"], 1)
        r = d.ok("person.erase", {"id": "p-mem"})
        self.assertEqual(r["erased"]["post_notes"], 1)
        app = self.get("p-la")["applications"][0]
        self.assertNotIn("statement", app)
        self.assertIn("erased", app)
        self.assertEqual(app["scores"]["p-mem"]["lead"]["score"], 2)
        self.assertNotIn("note", app["scores"]["p-mem"]["lead"])

    # Bad input at publishing, and withdrawing

    def test_publish_refusals_and_withdrawal(self):
        d = self.d
        base = {"id": "p2", "title": "T", "host": "s-hill", "description": "D",
                "criteria": CRITERIA, "panel": ["p-chair"], "chair": "p-chair",
                "closes": "2026-09-18", "internal_until": "2026-09-30"}
        for change, code in ((dict(host="s-none"), "not_found"),
                             (dict(criteria={}), "invalid_request"),
                             (dict(criteria={"a b": "x"}), "invalid_request"),
                             (dict(criteria={"a": 3}), "invalid_request"),
                             (dict(panel=["p-ghost"]), "not_found"),
                             (dict(panel=["p-mem"]), "invalid_request"),
                             (dict(panel=["p-chair", "p-chair"]), "invalid_request"),
                             (dict(closes="2026-09-01"), "invalid_request"),
                             (dict(internal_until="2026-09-17"), "invalid_request"),
                             (dict(internal_until="2026-09-18"), "invalid_request"),
                             (dict(audience={"cohort": "nope"}), "not_found"),
                             (dict(audience={"colour": "red"}), "invalid_request"),
                             (dict(external_days=0), "invalid_request")):
            self.refused(code, "post.publish", dict(base, **change))
        # The window must outlast the close: a round closing at the window's end could
        # never be shortlisted.
        self.assertEqual(self.refused("invalid_request", "post.publish",
                                      dict(base, internal_until=base["closes"])),
                         "internal_until must be after closes")
        self.refused("forbidden", "post.publish", base, "p-chair")
        self.assertEqual(d.ok("post.list", {}, "p-la")["posts"], [])
        # No audience: the whole talent pool (as for opportunities), and only it. An erased
        # member has no email address: "told" counts the emails written.
        d.ok("person.create", {"id": "p-eve", "name": "Eve Gone", "email": "p-eve@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-eve"}, "p-eve")
        d.ok("person.erase", {"id": "p-eve"})
        r = d.ok("post.publish", base)
        self.assertEqual(r["told"], 4)
        self.assertEqual(sorted(r["post"]["internal"]), sorted(POOL + ["p-eve"]))
        self.assertNotIn("timers", r["post"])
        self.assertEqual(self.timers("p2"), [("close", "internal"), ("window", "internal")])
        self.refused("already_exists", "post.publish", base)
        self.refused("not_found", "post.apply", {"post": "p2", "statement": "x"}, "p-out")
        # A statement: 1 to 4096 bytes.
        self.refused("invalid_request", "post.apply", {"post": "p2", "statement": "x" * 4097},
                     "p-ann")
        self.assertEqual(d.ok("post.get", {"post": "p2"})["post"]["applications"]["internal"], 0)
        self.assertEqual(d.ok("post.apply", {"post": "p2", "statement": "x" * 4096},
                              "p-ann")["application"]["status"], "applied")
        r = d.ok("post.withdraw", {"post": "p2"})
        self.assertEqual(r["post"]["state"], "withdrawn")
        self.assertEqual(self.timers("p2"), [])  # withdrawn: its timers go with it
        self.refused("invalid_transition", "post.apply", {"post": "p2", "statement": "x"},
                     "p-ann")
        self.set_clock("2026-10-30T08:00:00Z")  # its timers do nothing now
        self.assertEqual(d.ok("post.get", {"post": "p2"})["post"]["state"], "withdrawn")
        self.assertEqual([e["type"] for e in self.post_events()],
                         ["post.published", "post.applied", "post.withdrawn"])

    # pathwayctl post ...

    def ctl(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
        return subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", self.d.conf] + list(args),
                              capture_output=True, text=True, env=env, timeout=60)

    def ctl_ok(self, *args):
        r = self.ctl(*args)
        self.assertEqual(r.returncode, 0, "%s: %s%s" % (args, r.stdout, r.stderr))
        return r.stdout

    def test_pathwayctl(self):
        out = self.ctl_ok("post", "publish", "sec-ctl", "Acting head of maths", "--host",
                          "s-hill", "--description", "A term leading maths.",
                          "--criterion", "qts=Qualified teacher status", "--criterion",
                          "lead=Has led a team", "--audience", "cohort=ntp-2026-27",
                          "--panel", "p-chair", "--panel", "p-mem", "--chair", "p-chair",
                          "--closes", "2026-09-18", "--internal-until", "2026-10-30")
        self.assertRegex(out, r"(?m)^state\s+advertised_internal$")
        self.assertRegex(out, r"(?m)^criteria\s+qts: Qualified teacher status$")
        self.assertRegex(out, r"(?m)^told\s+4$")
        out = self.ctl_ok("-a", "p-ann", "post", "apply", "sec-ctl", "--statement", "Me.")
        self.assertRegex(out, r"(?m)^status\s+applied$")
        self.assertEqual(self.ctl("-a", "p-out", "post", "apply", "sec-ctl", "--statement",
                                  "Me.").returncode, 1)
        self.set_clock("2026-09-19T08:00:00Z")
        self.ctl_ok("-a", "p-chair", "post", "shortlist", "sec-ctl", "--applicant", "p-ann")
        for m in ("p-chair", "p-mem"):
            out = self.ctl_ok("-a", m, "post", "score", "sec-ctl", "p-ann", "--score", "qts=3",
                              "--score", "lead=2", "--note", "lead=Good examples")
            self.assertRegex(out, r"(?m)^%s lead\s+2 - Good examples$" % m)
        out = self.ctl_ok("-a", "p-chair", "post", "decide", "sec-ctl", "appoint",
                          "--applicant", "p-ann", "--start", "2026-11-02", "--objective",
                          "Lead maths")
        self.assertRegex(out, r"(?m)^appointed\s+p-ann from 2026-11-02: Lead maths$")
        self.assertRegex(out, r"(?m)^internal\s+p-ann\s+appointed\s+\S+\s+qts 3, lead 2\s+yes$")
        self.assertRegex(self.ctl_ok("post", "list"), r"(?m)^sec-ctl\s+appointed\s+internal ")
        self.assertIn("post publish", self.ctl_ok("help"))


if __name__ == "__main__":
    unittest.main()
