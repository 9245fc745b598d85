#!/usr/bin/python3
"""Retention of applications to secondment posts, tried from outside.

A real pathwayd on a manual clock with pathway.conf's posts.retention_years
= 1 (no mailer: the outbox holds the emails). A post is advertised to the
talent pool, applied for with statements, scored with notes and appointed;
retention.list shows each of its applications due a year after the
appointment, to LA advisers and viewers only; one second before, nothing is
purged; at it, every statement and note is gone, the statuses, scores,
counts and the appointment stay, post.get and person.export show the
applications purged, and post.purged (actor pathwayd, ids and counts only)
comes on the events stream. A released then withdrawn post has both
rounds' applications purged from its withdrawal (the release is no end),
a changed retention_years moves the purge at start-up, 0 keeps them (and
turning it on purges a post ended long ago at once), and a post still
advertised is never listed nor touched. A programme purge that erases its
candidate takes their statement on a live post too; a bad setting stops
`pathwayd -t` at the setting.
"""
import json
import os
import signal
import subprocess
import unittest

import zmq

import store_peek
from test_timers import BIN, Daemon

START = "2026-09-07T08:00:00Z"
CRITERIA = {"qts": "Qualified teacher status",
            "lead": "Has led a whole-school improvement priority"}
NAMES = {"p-la": "Helen Marsh", "p-view": "Vera Viewer", "p-chair": "Clara Quint",
         "p-mem": "Miles Orrin", "p-ann": "Annabel Fyfe", "p-ben": "Benedict Loam",
         "p-cy": "Cyrus Vane", "p-dee": "Deirdre Pask", "p-out": "Ottoline Ward"}
ROLES = {"p-la": ["la_adviser"], "p-view": ["viewer"], "p-chair": ["headteacher"],
         "p-mem": ["headteacher"]}
POOL = ["p-ann", "p-ben", "p-cy", "p-dee"]


def statement(who):
    return "STATEMENT-%s: I led our maths priority for two years." % who


class PostRetentionTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.d = d = Daemon(START)
        self.addCleanup(d.stop)
        self.configure(1)
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak Primary"})
        d.ok("school.create", {"id": "s-hill", "phase": "secondary", "name": "Hilltop Academy"})
        for pid, name in NAMES.items():
            args = {"id": pid, "name": name, "email": pid + "@example.org",
                    "roles": ROLES.get(pid, ["candidate"])}
            if pid in POOL or pid == "p-mem":
                args["school"] = "s-oak"
            d.ok("person.create", args)
        self.apps = {pid: d.ok("application.create", {"cohort": "ntp-2026-27",
                                                      "candidate": pid}, pid)["application"]["id"]
                     for pid in POOL}

    def configure(self, years):
        """Restart the daemon with posts.retention_years = years (start-up re-arms)."""
        d = self.d
        with open(d.conf) as f:
            conf = f.read().split("\nposts = ")[0]
        with open(d.conf, "w") as f:
            f.write(conf + "\nposts = { retention_years = %d; };\n" % years)
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=20), 0)
        d.log.close()
        d.start()

    def publish(self, pid, closes="2026-09-18", internal_until="2026-10-30"):
        return self.d.ok("post.publish", {
            "id": pid, "title": "Acting deputy head (secondment)", "host": "s-hill",
            "description": "Two terms as acting deputy head at Hilltop Academy.",
            "criteria": CRITERIA, "audience": {"cohort": "ntp-2026-27"},
            "panel": ["p-chair", "p-mem"], "chair": "p-chair", "closes": closes,
            "internal_until": internal_until, "external_days": 14})

    def apply(self, who, post):
        return self.d.ok("post.apply", {"post": post, "statement": statement(who)}, who)

    def score(self, member, applicant, marks, post):
        return self.d.ok("post.score", {
            "post": post, "applicant": applicant, "scores": dict(zip(["qts", "lead"], marks)),
            "notes": {"lead": "NOTE-%s-%s" % (member, applicant)}}, member)

    def purges(self, actor="p-la"):
        return self.d.ok("retention.list", {}, actor)["purges"]

    def refused(self, code, cmd, args, actor):
        r = self.d.call(cmd, args, actor)
        self.assertFalse(r["ok"], "%s as %s was accepted" % (cmd, actor))
        self.assertEqual(r["error"]["code"], code, r["error"])

    def timers(self):
        return [t for t in store_peek.records(os.path.join(self.d.dir, "db"), "timer_recs")
                if t.get("kind") == "post_retention"]

    def subscribe(self):
        """A subscriber to the post.purged events, live before it is returned."""
        sub = self.d.ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        for topic in (b"-/post.purged", b"-/school.created"):
            sub.setsockopt(zmq.SUBSCRIBE, topic)
        sub.connect("ipc://%s/events.sock" % self.d.dir)
        self.addCleanup(sub.close, 0)
        for i in range(100):  # live once an event of ours comes through it
            self.d.ok("school.create", {"id": "s-sync%d" % i, "name": "Sync"})
            if sub.poll(100):
                break
        while sub.poll(200):
            sub.recv_multipart()
        return sub

    def appoint(self, post):
        """ann and ben apply, cy too (not shortlisted); ann is appointed."""
        d = self.d
        self.publish(post)
        for who in ("p-ann", "p-ben", "p-cy"):
            self.apply(who, post)
        d.ok("clock.set", {"now": "2026-09-19T08:00:00Z"})  # applications close
        d.ok("post.shortlist", {"post": post, "applicants": ["p-ann", "p-ben"]}, "p-mem")
        for member, marks in (("p-mem", {"p-ann": [2, 3], "p-ben": [2, 1]}),
                              ("p-chair", {"p-ann": [3, 3], "p-ben": [1, 1]})):
            for who, m in marks.items():
                self.score(member, who, m, post)
        d.ok("clock.set", {"now": "2026-09-21T09:30:00Z"})
        r = d.ok("post.decide", {"post": post, "outcome": "appoint", "applicant": "p-ann",
                                 "start": "2026-11-02", "objective": "Lead Year 6 writing"},
                 "p-chair")
        self.assertEqual(r["post"]["state"], "appointed")

    def test_appointed_post_purged_a_year_after_the_appointment(self):
        d, post = self.d, "sec-dh"
        self.publish("sec-live", closes="2028-09-18", internal_until="2028-10-30")
        self.apply("p-dee", "sec-live")  # never ends: never listed, never purged
        self.appoint(post)

        # Due a year after the appointment, each application listed; the live post's not.
        due = [{"post": post, "round": "internal", "person": who, "status": status,
                "ended": "2026-09-21T09:30:00Z", "purge_at": "2027-09-21T09:30:00Z"}
               for who, status in (("p-ann", "appointed"), ("p-ben", "not_appointed"),
                                   ("p-cy", "not_shortlisted"))]
        self.assertEqual(self.purges(), due)
        self.assertEqual(self.purges("p-view"), due)
        self.assertEqual(d.ok("retention.list", {"limit": 2}, "p-la")["purges"], due[:2])
        for who in ("p-ann", "p-chair", "p-mem"):  # applicants and panel: not theirs to see
            self.refused("forbidden", "retention.list", {}, who)
        out = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", d.conf, "-a", "p-la",
                              "retention", "--dry-run"], capture_output=True, text=True,
                             timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("post sec-dh/internal", out.stdout)
        self.assertIn("2027-09-21T09:30:00Z", out.stdout)

        # A restart (start-up re-arms) keeps the one timer where it is.
        self.configure(1)
        self.assertEqual([(t["id"], t["at"]) for t in self.timers()],
                         [("T-post-retention-sec-dh", 1821519000)])  # 2027-09-21T09:30:00Z
        sub = self.subscribe()
        head = d.ok("system.ping")["head"]

        # One second before: every statement and note still there.
        d.ok("clock.set", {"now": "2027-09-21T09:29:59Z"})
        full = d.ok("post.get", {"post": post}, "p-la")
        self.assertNotIn("purged", full["post"])
        apps = {a["person"]: a for a in full["applications"]}
        self.assertEqual(apps["p-ben"]["statement"], statement("p-ben"))
        self.assertEqual(apps["p-ben"]["scores"]["p-mem"]["lead"]["note"], "NOTE-p-mem-p-ben")
        self.assertFalse(sub.poll(0))

        # At the moment: purged.
        d.ok("clock.advance", {"seconds": 1})
        at = "2027-09-21T09:30:00Z"
        full = d.ok("post.get", {"post": post}, "p-la")
        self.assertEqual(full["post"]["purged"], at)
        apps = {a["person"]: a for a in full["applications"]}
        self.assertEqual(set(apps), {"p-ann", "p-ben", "p-cy"})
        for who, a in apps.items():
            self.assertEqual(a["purged"], at)
            self.assertNotIn("statement", a)
            self.assertEqual(a["at"], "2026-09-07T08:00:00Z")  # when they applied stays
        # Kept for the LA's figures: who was appointed, statuses, scores, counts.
        self.assertEqual({w: a["status"] for w, a in apps.items()},
                         {"p-ann": "appointed", "p-ben": "not_appointed",
                          "p-cy": "not_shortlisted"})
        self.assertEqual(apps["p-ann"]["scores"]["p-chair"]["lead"]["score"], 3)
        self.assertEqual(apps["p-ann"]["means"], {"qts": 2.5, "lead": 3})
        self.assertTrue(apps["p-ann"]["meets"])
        for a in apps.values():
            for mine in a.get("scores", {}).values():
                for s in mine.values():
                    self.assertEqual(set(s), {"score", "at"})
        self.assertEqual(full["post"]["appointment"]["person"], "p-ann")
        self.assertEqual(full["post"]["applications"], {"internal": 3, "external": 0})
        self.assertEqual(full["post"]["state"], "appointed")

        # The applicant sees their own application purged, in post.get and their export.
        mine = d.ok("post.get", {"post": post}, "p-ben")["applications"]
        self.assertEqual([(a["person"], a["purged"]) for a in mine], [("p-ben", at)])
        export = d.ok("person.export", {"id": "p-ben"}, "p-ben")["export"]
        (pa,) = [a for a in export["post_applications"] if a["post"] == post]
        self.assertEqual((pa["status"], pa["purged"]), ("not_appointed", at))
        self.assertNotIn("statement", pa)
        self.assertNotIn("NOTE-", json.dumps(d.ok("person.export", {"id": "p-mem"}, "p-la")))
        panel = d.ok("post.get", {"post": post}, "p-mem")
        text = json.dumps([full, panel, export, d.ok("post.list", {}, "p-la")])
        for who in ("p-ann", "p-ben", "p-cy"):
            self.assertNotIn(statement(who), text)
        self.assertNotIn("NOTE-", text)

        # The event: by pathwayd, on the stream as in the log, ids and counts only.
        (ev,) = [e for e in d.ok("events.since", {"after": head, "limit": 1000})["events"]
                 if e["type"] == "post.purged"]
        self.assertEqual((ev["actor"], ev["at"]), ("pathwayd", at))
        self.assertEqual(ev["data"], {"post": post, "applications": 3,
                                      "erased": {"statements": 3, "notes": 4}})
        self.assertTrue(sub.poll(5000))
        topic, body = sub.recv_multipart()
        self.assertEqual((topic, json.loads(body)), (b"-/post.purged", ev))
        for pid, name in NAMES.items():
            self.assertNotIn(pid, body.decode())
            self.assertNotIn(name, body.decode())

        # Nothing left to purge: the list is empty, the timer gone; the live post untouched.
        self.assertEqual(self.purges(), [])
        self.assertEqual(self.timers(), [])
        live = d.ok("post.get", {"post": "sec-live"}, "p-la")
        self.assertEqual(live["applications"][0]["statement"], statement("p-dee"))
        self.assertNotIn("purged", live["post"])

    def test_released_then_withdrawn_post_and_a_changed_period(self):
        d, post = self.d, "sec-b"
        self.publish(post)
        self.apply("p-cy", post)
        d.ok("clock.set", {"now": "2026-09-19T08:00:00Z"})
        # An empty shortlist releases the post: no end, nothing due yet.
        d.ok("post.shortlist", {"post": post, "applicants": []}, "p-la")
        self.assertEqual(d.ok("post.get", {"post": post})["post"]["state"],
                         "advertised_external")
        self.assertEqual(self.purges(), [])
        self.apply("p-out", post)
        d.ok("clock.set", {"now": "2026-09-25T10:00:00Z"})
        d.ok("post.withdraw", {"post": post}, "p-la")
        self.assertEqual(
            [(p["round"], p["person"], p["status"], p["purge_at"]) for p in self.purges()],
            [("internal", "p-cy", "not_shortlisted", "2027-09-25T10:00:00Z"),
             ("external", "p-out", "withdrawn", "2027-09-25T10:00:00Z")])

        # Two years now: the restart moves the purge; a year on, nothing is purged.
        self.configure(2)
        self.assertEqual({p["purge_at"] for p in self.purges()}, {"2028-09-25T10:00:00Z"})
        d.ok("clock.set", {"now": "2027-09-25T10:00:00Z"})
        apps = d.ok("post.get", {"post": post})["applications"]
        self.assertEqual([a.get("statement") for a in apps],
                         [statement("p-cy"), statement("p-out")])
        d.ok("clock.set", {"now": "2028-09-25T10:00:00Z"})
        apps = d.ok("post.get", {"post": post})["applications"]
        self.assertEqual([(a["round"], a["person"], a["purged"], "statement" in a)
                          for a in apps],
                         [("internal", "p-cy", "2028-09-25T10:00:00Z", False),
                          ("external", "p-out", "2028-09-25T10:00:00Z", False)])
        # The outside applicant reads theirs as purged.
        (mine,) = d.ok("post.get", {"post": post}, "p-out")["applications"]
        self.assertEqual((mine["status"], mine["purged"]), ("withdrawn", "2028-09-25T10:00:00Z"))
        self.assertEqual(self.purges(), [])

    def test_kept_when_retention_years_is_0(self):
        d, post = self.d, "sec-k"
        self.configure(0)
        self.publish(post)
        self.apply("p-ann", post)
        d.ok("post.withdraw", {"post": post}, "p-la")
        self.assertEqual(self.purges(), [])
        self.assertEqual(self.timers(), [])
        d.ok("clock.set", {"now": "2036-09-07T08:00:00Z"})
        (a,) = d.ok("post.get", {"post": post})["applications"]
        self.assertEqual(a["statement"], statement("p-ann"))
        self.assertNotIn("purged", a)
        # Turning retention on arms the purge of the post already ended: due at once.
        self.configure(1)
        (a,) = d.ok("post.get", {"post": post})["applications"]
        self.assertEqual(a["purged"], "2036-09-07T08:00:00Z")
        self.assertNotIn("statement", a)

    def test_programme_purge_that_erases_the_candidate_takes_their_statements(self):
        d = self.d
        self.publish("sec-far", closes="2033-09-18", internal_until="2033-10-30")
        self.apply("p-dee", "sec-far")
        self.apply("p-cy", "sec-far")
        d.ok("application.withdraw", {"app": self.apps["p-dee"]}, "p-dee")
        # The programme keeps six years (its default); the post has not ended.
        self.assertEqual([p.get("app") for p in self.purges()], [self.apps["p-dee"]])
        d.ok("clock.set", {"now": "2032-09-07T08:00:00Z"})
        self.assertEqual(d.ok("person.get", {"id": "p-dee"})["person"]["name"], "erased person")
        apps = {a["person"]: a for a in d.ok("post.get", {"post": "sec-far"})["applications"]}
        self.assertEqual(apps["p-dee"]["erased"], "2032-09-07T08:00:00Z")
        self.assertNotIn("statement", apps["p-dee"])
        self.assertNotIn("purged", apps["p-dee"])
        self.assertEqual(apps["p-cy"]["statement"], statement("p-cy"))

    def test_a_bad_setting_is_refused_at_the_setting(self):
        with open(self.d.conf) as f:
            conf = f.read().split("\nposts = ")[0]
        for bad in ("101", "-1", '"six"'):
            path = os.path.join(self.d.dir, "bad.conf")
            with open(path, "w") as f:
                f.write(conf + "\nposts = { retention_years = %s; };\n" % bad)
            out = subprocess.run([os.path.join(BIN, "pathwayd"), "-t", "-c", path],
                                 capture_output=True, text=True, timeout=20)
            self.assertNotEqual(out.returncode, 0, bad)
            self.assertIn("retention_years", out.stderr, bad)


if __name__ == "__main__":
    unittest.main()
