#!/usr/bin/python3
"""The rules of who may do what and who is told, tried from outside.

Real pathwayd processes on ipc sockets in temporary directories, driven with
pyzmq: a candidate who holds other roles acting on their own application;
reserved person ids; backups kept under daemon.backup_dir with private
modes (the daemon run under umask 0); a worker name that tries to forge a
log line; a worker reporting on another worker's job; and what the event
stream carries (ids, never addresses or free text; nobody named as a 360's
respondent) while the records keep it for LA advisers and the emails are
unchanged.
"""
import json
import os
import stat
import time
import unittest

import zmq

from test_timers import Daemon
from answers import ANSWERS

START = "2026-09-07T08:00:00Z"


class RulesDaemon(Daemon):
    """A Daemon with extra daemon settings, started under a chosen umask."""

    def __init__(self, start, settings="", umask=None):
        self.settings = settings
        self.umask = umask
        super().__init__(start)

    def start(self):
        with open(self.conf) as f:
            lines = f.read().splitlines()
        if self.settings and "\t# rules" not in lines:
            # Each setting replaces the test configuration's own, if it has one.
            keys = [s.split("=")[0].strip() for s in self.settings.split(";") if s.strip()]
            lines = [l for l in lines if l.split("=")[0].strip() not in keys]
            at = lines.index("daemon = {") + 1
            lines[at:at] = ["\t# rules", "\t" + self.settings]
            with open(self.conf, "w") as f:
                f.write("\n".join(lines) + "\n")
        old = os.umask(self.umask) if self.umask is not None else None
        try:
            super().start()
        finally:
            if old is not None:
                os.umask(old)


class RulesCase(unittest.TestCase):
    maxDiff = None

    def daemon(self, settings="", umask=None):
        d = RulesDaemon(START, settings, umask)
        self.addCleanup(d.stop)
        return d

    def world(self, d):
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary",
                               "name": "Elm Tree Primary", "lss": True})
        for pid, roles, school in [("p-cand", ["candidate"], "s-oak"),
                                   ("p-head", ["headteacher"], "s-oak"),
                                   ("p-host", ["host"], "s-elm"),
                                   ("p-coach", ["coach"], "s-elm"),
                                   ("p-la", ["la_adviser"], None),
                                   ("p-r1", ["rater"], "s-elm"),
                                   ("p-r2", ["rater"], "s-elm")]:
            args = {"id": pid, "name": pid.title(), "email": pid + "@example.org",
                    "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)

    def app_at_360(self, d, note=None):
        """p-cand's application, selected (with note) and with p-r1 and p-r2 invited."""
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        decision = {"app": app, "outcome": "accept"}
        if note is not None:
            decision["note"] = note
        d.ok("application.decide", decision, "p-la")
        for r in ("p-r1", "p-r2"):
            d.ok("application.invite_rater", {"app": app, "rater": r}, "p-cand")
        return app

    def worker(self, d):
        s = d.ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect("ipc://%s/workers.sock" % d.dir)
        self.addCleanup(s.close, 0)
        return s

    def recv(self, s, timeout=5000):
        self.assertTrue(s.poll(timeout), "nothing from the daemon")
        return json.loads(s.recv_multipart()[-1])

    def jobs_of(self, s, n, timeout=5000):
        """The next n job messages on worker socket s (skipping welcome and acks)."""
        out = []
        end = time.monotonic() + timeout / 1000
        while len(out) < n and time.monotonic() < end:
            if s.poll(100):
                m = json.loads(s.recv_multipart()[-1])
                if m["type"] == "job":
                    out.append(m["job"])
        self.assertEqual(len(out), n, "jobs offered")
        return out

    def events(self, d, after=0):
        return d.ok("events.since", {"after": after, "limit": 1000})["events"]

    def refused(self, d, cmd, args, actor, code, words, reader="operator"):
        """cmd refused with code and a message holding words; nothing else changed."""
        head = d.ok("system.ping", {}, reader)["head"]
        app = args.get("app")
        before = d.ok("application.get", {"app": app}, reader)["application"] if app else None
        r = d.call(cmd, args, actor)
        self.assertFalse(r["ok"], (cmd, actor))
        self.assertEqual(r["error"]["code"], code, (cmd, actor, r))
        self.assertIn(words, r["error"]["message"])
        if app:
            self.assertEqual(d.ok("application.get", {"app": app}, reader)["application"],
                             before)
        # A refusal appends at most its audit event.
        evs = d.ok("events.since", {"after": head, "limit": 1000}, reader)["events"]
        self.assertEqual([e["type"] for e in evs],
                         ["audit.refused"] if code == "forbidden" else [])
        return r


class SelfActionTest(RulesCase):
    """Nobody signs off, decides, submits another role's document, answers a 360 or
    confirms an internship for their own application, whatever roles they hold."""

    def test_own_application(self):
        d = self.daemon()
        self.world(d)
        d.ok("person.create", {"id": "p-self", "name": "Sam Self", "email": "sam@example.org",
                               "roles": ["candidate", "headteacher", "la_adviser", "rater",
                                         "host", "coach"],
                               "school": "s-oak"})
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-self"},
                   "p-self")["application"]["id"]
        # The candidate still submits their own document.
        a = d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]},
                 "p-self")["application"]
        self.assertEqual(a["stage"], "signoff")
        r = self.refused(d, "application.submit", {"app": app, "doc": "evidence_form",
                                                   "fields": ANSWERS["evidence_form"]},
                         "p-self", "forbidden", "their own application")
        self.assertIn("p-self", r["error"]["message"])
        self.assertIn("evidence_form", r["error"]["message"])
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        self.refused(d, "application.signoff", {"app": app}, "p-self", "forbidden",
                     "may not sign off their own application " + app)
        d.ok("application.signoff", {"app": app}, "p-head")
        for outcome in ("accept", "waitlist", "reject"):
            self.refused(d, "application.decide", {"app": app, "outcome": outcome},
                         "p-self", "forbidden", "may not decide on their own application")
        a = d.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")["application"]
        self.assertEqual(a["stage"], "feedback_360")
        # Inviting raters is the candidate's; answering is not, even as an LA adviser.
        d.ok("application.invite_rater", {"app": app, "rater": "p-r1"}, "p-self")
        self.refused(d, "application.record_response", {"app": app, "rater": "p-r1"},
                     "p-self", "forbidden", "their own application")
        d.ok("application.record_response", {"app": app, "rater": "p-r1"}, "p-r1")
        # The refusals are audited under the self-approver's name.
        audits = [(e["actor"], e["data"]["cmd"]) for e in self.events(d)
                  if e["type"] == "audit.refused"]
        self.assertEqual(audits, [("p-self", "application.submit"),
                                  ("p-self", "application.signoff")] +
                         [("p-self", "application.decide")] * 3 +
                         [("p-self", "application.record_response")])

    def test_own_internship(self):
        d = self.daemon()
        self.world(d)
        d.ok("person.create", {"id": "p-self", "name": "Sam Self", "email": "sam@example.org",
                               "roles": ["candidate", "la_adviser", "host"], "school": "s-oak"})
        app = d.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                          "candidate": "p-self"}, "p-self")["application"]["id"]
        self.refused(d, "application.decide", {"app": app, "outcome": "accept"}, "p-self",
                     "forbidden", "their own application")
        d.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        d.ok("application.assign_coach", {"app": app, "coach": "p-coach"}, "p-la")
        d.ok("clock.set", {"now": "2027-05-13T15:00:00Z"})  # INTRO starts, 16:00 BST
        d.ok("application.record_attendance", {"app": app, "session": "INTRO",
                                               "present": True}, "p-coach")
        for doc in ("predisposition_audit", "placement_choice"):
            d.ok("application.submit", {"app": app, "doc": doc, "fields": ANSWERS[doc]}, "p-self")
        # The coach is trained (two of the three sessions) before the internship.
        for when, session in (("2027-05-21T12:00:00Z", "COACH1"),
                              ("2027-06-04T12:00:00Z", "COACH2")):
            d.ok("clock.set", {"now": when})
            d.ok("coach.record_training", {"cohort": "kent-2026-27", "session": session,
                                           "coach": "p-coach", "present": True}, "p-la")
        a = d.ok("application.place_internship", {"app": app, "host_school": "s-elm",
                                                  "start": "2027-06-07", "end": "2027-06-11"},
                 "p-coach")["application"]
        self.assertEqual(a["stage"], "internship")
        # From the internship's first day (it is confirmed from its start), so the
        # only reason left to refuse p-self is that it is their own application.
        d.ok("clock.set", {"now": "2027-06-07T08:00:00Z"})
        self.refused(d, "application.confirm_internship", {"app": app, "days": 5}, "p-self",
                     "forbidden", "may not confirm the internship of their own application")
        a = d.ok("application.confirm_internship", {"app": app, "days": 5},
                 "p-host")["application"]
        self.assertEqual(a["stage"], "celebration")


class ReservedIdTest(RulesCase):
    def test_reserved_ids_cannot_be_people(self):
        d = self.daemon('operator = "la-ops";')
        for pid in ("pathwayd", "la-ops", "operator", "viewer", "web", "mailer"):
            r = self.refused(d, "person.create", {"id": pid, "name": "X", "email": "x@example.org",
                                                  "roles": ["candidate"]}, "la-ops", "invalid_request", "'%s'" % pid, reader="la-ops")
            self.assertIn("reserved", r["error"]["message"])
            self.assertEqual(d.call("person.get", {"id": pid}, "la-ops")["error"]["code"],
                             "not_found")
        # Ids that only look alike are people like any other.
        for pid in ("pathwayd2", "web-team", "Operator"):
            d.ok("person.create", {"id": pid, "name": "X", "email": "x@example.org",
                                   "roles": ["candidate"]}, "la-ops")


class BackupTest(RulesCase):
    def mode(self, path):
        return stat.S_IMODE(os.stat(path).st_mode)

    def test_backup_stays_under_backup_dir_and_private(self):
        d = self.daemon(umask=0)  # a careless umask: the modes must not depend on it
        self.world(d)
        bdir = os.path.join(d.dir, "backup")  # the test configuration's daemon.backup_dir
        self.assertFalse(os.path.exists(bdir))
        b = d.ok("system.backup", {"path": "nightly/2026-09-07"})
        dest = os.path.join(bdir, "nightly", "2026-09-07")
        self.assertEqual(b["path"], dest)
        self.assertGreater(b["bytes"], 0)
        for path in (bdir, os.path.join(bdir, "nightly"), dest):
            self.assertEqual(self.mode(path), 0o700, path)
        self.assertEqual(self.mode(os.path.join(dest, "data.mdb")), 0o600)
        self.assertEqual(os.listdir(dest), ["data.mdb"])
        # Uncompacted too, into a directory that exists already.
        os.mkdir(os.path.join(bdir, "made"), 0o700)
        d.ok("system.backup", {"path": "made", "compact": False})
        self.assertEqual(self.mode(os.path.join(bdir, "made", "data.mdb")), 0o600)
        self.refused(d, "system.backup", {"path": "made"}, "operator", "already_exists",
                     "already holds a store")
        # The path is a name under the backup directory, never a path of the client's.
        outside = os.path.join(d.dir, "outside")
        for bad in (outside, "/tmp", "../outside", "nightly/../../outside", "..", ".", "",
                    "a//b", "a/", "./a", "a b", "a\nb", "x" * 200):
            self.refused(d, "system.backup", {"path": bad}, "operator", "invalid_request",
                         "backup_dir")
        self.assertFalse(os.path.exists(outside))
        self.assertEqual(sorted(os.listdir(bdir)), ["made", "nightly"])
        self.refused(d, "system.backup", {"path": "p"}, "p-cand", "forbidden", "p-cand")
        self.assertFalse(os.path.exists(os.path.join(bdir, "p")))


class WorkerTest(RulesCase):
    def signoff_jobs(self, d, n):
        """n applications at the sign-off stage: n jobs, to the headteacher."""
        for i in range(n):
            c = "p-c%d" % i
            d.ok("person.create", {"id": c, "name": "C%d" % i, "email": c + "@example.org",
                                   "roles": ["candidate"], "school": "s-oak"})
            app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": c},
                       c)["application"]["id"]
            d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]}, c)
        jobs = d.ok("outbox.list", {})["jobs"]
        self.assertEqual(len(jobs), n)
        return [j["id"] for j in jobs]

    def test_log_lines_cannot_be_forged(self):
        d = self.daemon('log_level = "info";')
        self.world(d)
        self.signoff_jobs(d, 1)
        forged = "2026-09-07T08:00:00Z error forged by a worker"
        w = self.worker(d)
        w.send_json({"type": "ready", "name": "evil\n" + forged + "\r\x01\x7f",
                     "credit": 1, "protocol": 1})
        self.assertEqual(self.recv(w)["type"], "welcome")
        self.jobs_of(w, 1)
        w.send_json({"type": "bye"})  # logged as a warning, with the name: it held a job
        time.sleep(0.3)
        d.ok("system.ping")
        with open(os.path.join(d.dir, "pathwayd.log"), "rb") as f:
            log = f.read().decode()
        lines = log.splitlines()
        self.assertFalse([l for l in lines if l.startswith(forged)], log)
        named = [l for l in lines if "evil" in l]
        self.assertGreaterEqual(len(named), 2, log)  # ready, then the goodbye
        for l in named:
            self.assertIn("evil\\n" + forged + "\\r\\x01\\x7f", l)
        self.assertTrue(all("\r" not in l and "\x01" not in l and "\x7f" not in l
                            for l in lines), log)

    def test_only_the_lease_holder_reports(self):
        d = self.daemon()
        self.world(d)
        self.signoff_jobs(d, 2)
        a, b = self.worker(d), self.worker(d)
        a.send_json({"type": "ready", "name": "a", "credit": 1, "protocol": 1})
        (ja,) = self.jobs_of(a, 1)
        b.send_json({"type": "ready", "name": "b", "credit": 1, "protocol": 1})
        (jb,) = self.jobs_of(b, 1)
        head = d.ok("system.ping")["head"]
        before = d.ok("outbox.list", {})["jobs"]
        self.assertEqual({j["id"]: j["lease"]["worker"] for j in before},
                         {ja["id"]: "a", jb["id"]: "b"})
        # B reports on A's job: answered as for an unknown job, and nothing changes.
        for report in ({"type": "done"}, {"type": "retry", "error": "451"},
                       {"type": "fail", "error": "550"}, {"type": "release"}):
            b.send_json(dict(report, job=ja["id"]))
            m = self.recv(b)
            self.assertEqual((m["type"], m["code"], m["job"]), ("error", "not_found", ja["id"]),
                             report)
            unknown = dict(report, job="J999999999")
            b.send_json(unknown)
            self.assertEqual(self.recv(b)["code"], "not_found")
        self.assertEqual(d.ok("outbox.list", {})["jobs"], before)
        self.assertEqual(d.ok("system.ping")["head"], head)
        # A's own done is taken; then B's (and A's again) is not.
        a.send_json({"type": "done", "job": ja["id"]})
        self.assertEqual(self.recv(a), {"type": "ack", "job": ja["id"]})
        sent = [e for e in self.events(d, head) if e["type"] == "notification.sent"]
        self.assertEqual([e["data"]["job"] for e in sent], [ja["id"]])
        for s in (a, b):
            s.send_json({"type": "done", "job": ja["id"]})
            self.assertEqual(self.recv(s)["code"], "not_found")
        self.assertEqual([j["id"] for j in d.ok("outbox.list", {})["jobs"]], [jb["id"]])


class StreamTest(RulesCase):
    """What every subscriber gets: ids, never addresses or free text, and nobody
    named as having answered a 360. The records keep it for LA advisers."""

    def test_events_carry_ids_only(self):
        d = self.daemon()
        sub = d.ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect("ipc://%s/events.sock" % d.dir)
        self.addCleanup(sub.close, 0)
        time.sleep(0.3)  # the subscription reaches the daemon
        self.world(d)
        reason = "a private health matter"
        note = "strong evidence; interview notes on file"
        app = self.app_at_360(d, note)
        d.ok("application.record_response", {"app": app, "rater": "p-r2"}, "p-r2")
        d.ok("application.record_response", {"app": app, "rater": "p-r1"}, "p-la")
        d.ok("application.withdraw", {"app": app, "reason": reason}, "p-cand")

        # Every job delivered, through a worker that reads what the emails say.
        w = self.worker(d)
        w.send_json({"type": "ready", "name": "w", "credit": 1000, "protocol": 1})
        pending = d.ok("outbox.list", {})["jobs"]
        jobs = self.jobs_of(w, len(pending))
        withdrawn = [j for j in jobs if j["template"]["name"] == "withdrawn"]
        self.assertEqual(sorted(j["to"]["person"] for j in withdrawn),
                         ["p-cand", "p-head", "p-la"])
        # The email still gives the reason (read from the record).
        self.assertTrue(all(j["vars"]["reason"] == reason for j in withdrawn))
        for j in jobs:
            w.send_json({"type": "done", "job": j["id"]})
        for j in jobs:
            self.assertEqual(self.recv(w)["type"], "ack")
        head = d.ok("system.ping")["head"]

        published = []
        while len(published) < head and sub.poll(5000):
            topic, body = sub.recv_multipart()
            published.append(json.loads(body))
        logged = self.events(d)
        self.assertEqual([e["seq"] for e in published], list(range(1, head + 1)))
        self.assertEqual(published, logged)
        text = json.dumps(published)
        self.assertNotIn("@", text)  # no email address anywhere
        self.assertNotIn(reason, text)
        self.assertNotIn(note, text)
        sent = [e for e in published if e["type"] == "notification.sent"]
        self.assertEqual(len(sent), len(jobs))
        self.assertEqual(sorted(set(e["data"]) for e in sent).pop(),
                         {"job", "person", "template", "attempts"})
        self.assertEqual(sorted(e["data"]["person"] for e in sent),
                         sorted(j["to"]["person"] for j in jobs))
        by_type = {}
        for e in published:
            by_type.setdefault(e["type"], []).append(e)
        self.assertEqual([e["data"] for e in by_type["application.withdrawn"]], [{}])
        self.assertEqual([e["data"] for e in by_type["application.decided"]],
                         [{"outcome": "accept"}])
        # Nobody named as having responded: no rater, no actor.
        rec = by_type["application.response_recorded"]
        self.assertEqual([e["data"] for e in rec], [{"have": 1, "need": 8},
                                                    {"have": 2, "need": 8}])
        self.assertTrue(all("actor" not in e for e in rec), rec)

        # The record keeps it all for the LA adviser.
        la = d.ok("application.get", {"app": app}, "p-la")["application"]
        self.assertEqual(la["withdrawal"]["reason"], reason)
        self.assertEqual(la["withdrawal"]["by"], "p-cand")
        self.assertEqual(la["decisions"]["selection"]["note"], note)
        self.assertEqual(sorted(r for r, v in la["raters"].items() if "responded" in v),
                         ["p-r1", "p-r2"])
        # The author of the reason reads it; the headteacher does not, nor the note.
        cand = d.ok("application.get", {"app": app}, "p-cand")["application"]
        self.assertEqual(cand["withdrawal"]["reason"], reason)
        self.assertNotIn("note", cand["decisions"]["selection"])
        head_view = d.ok("application.get", {"app": app}, "p-head")["application"]
        self.assertNotIn("reason", head_view["withdrawal"])
        self.assertNotIn("note", head_view["decisions"]["selection"])
        self.assertEqual(sorted(head_view["raters"]), ["p-r1", "p-r2"])
        self.assertFalse(any("responded" in v for v in head_view["raters"].values()))

    def test_a_rater_sees_only_their_own_entry(self):
        d = self.daemon()
        self.world(d)
        app = self.app_at_360(d)
        d.ok("application.record_response", {"app": app, "rater": "p-r2"}, "p-r2")
        for me, other in (("p-r1", "p-r2"), ("p-r2", "p-r1")):
            raters = d.ok("application.get", {"app": app}, me)["application"]["raters"]
            self.assertEqual(list(raters), [me])
            self.assertEqual("responded" in raters[me], me == "p-r2")
            hist = d.ok("application.history", {"app": app}, me)["events"]
            self.assertNotIn(other, json.dumps(hist), me)
            self.assertIn(me, json.dumps(hist), me)  # their own invitation
        # A headteacher invited as a rater is a rater there: only their own entry.
        d.ok("person.update", {"id": "p-head", "roles": ["headteacher", "rater"]})
        d.ok("application.invite_rater", {"app": app, "rater": "p-head"}, "p-cand")
        listed = [a for a in d.ok("application.list", {}, "p-head")["applications"]
                  if a["id"] == app]
        self.assertEqual(list(listed[0]["raters"]), ["p-head"])
        self.assertEqual(list(d.ok("application.get", {"app": app}, "p-head")
                              ["application"]["raters"]), ["p-head"])
        # The candidate still sees who was invited, never who responded.
        raters = d.ok("application.get", {"app": app}, "p-cand")["application"]["raters"]
        self.assertEqual(sorted(raters), ["p-head", "p-r1", "p-r2"])
        self.assertFalse(any("responded" in v for v in raters.values()))


if __name__ == "__main__":
    unittest.main()
