#!/usr/bin/python3
"""Rehearsing the year: pathwayd --rehearse DIR on a copy of the live store.

A live pathwayd on a manual clock (the forms of the year: an application
waiting for its headteacher's sign-off, its first email still in the
outbox) with a real SMTP relay (aiosmtpd on 127.0.0.1) configured for the
mailer. Its backup is copied into a rehearsal directory; pathwayd
--rehearse serves the copy there (sockets in DIR/run, the copy's clock),
pathway-mailer --rehearse writes the mail into DIR/mail, and `pathwayctl
--rehearse DIR clock advance 1w` plays a week forward: the first email and
the reminder due in that week are files under DIR/mail, and the relay
receives nothing. A mailer that is not rehearsing is refused by the
rehearsal (exit 3), a rehearsing worker is refused by the live daemon, a
rehearsal of the live store (or of a backup in place) and a live daemon on
a rehearsal's store are refused (exit 3), and a restarted rehearsal resumes its own clock.
"""
import email
import email.policy
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import zmq

from answers import ANSWERS
from test_mail import Rig
from test_timers import BIN

CTL = os.path.join(BIN, "pathwayctl")
START = "2026-09-07T08:00:00Z"


class RehearseTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig(self, START)
        self.d = self.rig.d
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        for pid, name, roles in [("p-cand", "Amara Okafor", ["candidate"]),
                                 ("p-head", "Margaret Lowe", ["headteacher"]),
                                 ("p-la", "Helen Marsh", ["la_adviser"])]:
            d.ok("person.create", {"id": pid, "name": name, "email": pid + "@example.org",
                                   "roles": roles, "school": "s-oak"})
        self.app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                        "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": self.app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        # The rehearsal's directory: a short path, its sockets must fit a sockaddr_un.
        self.dir = tempfile.mkdtemp(prefix="pwr", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.procs = []
        self.addCleanup(self.stop_all)

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)

    def backup_into(self, name):
        """The documented backup (pathwayctl backup), its data.mdb copied into the
        rehearsal's directory."""
        r = self.ctl("-c", self.d.conf, "backup", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        shutil.copy(os.path.join(self.d.dir, "backup", name, "data.mdb"),
                    os.path.join(self.dir, "data.mdb"))

    def ctl(self, *args):
        return subprocess.run([CTL] + list(args), capture_output=True, text=True, timeout=60)

    def rctl(self, *args):
        """pathwayctl speaking to the rehearsal."""
        r = self.ctl("-c", self.d.conf, "--rehearse", self.dir, "--json", *args)
        self.assertEqual(r.returncode, 0, (args, r.stderr))
        return json.loads(r.stdout)

    def start(self, prog, *args, log):
        f = open(os.path.join(self.dir, log), "ab")
        self.addCleanup(f.close)
        p = subprocess.Popen([os.path.join(BIN, prog)] + list(args), stderr=f)
        self.procs.append(p)
        return p

    def rehearse(self, *extra):
        p = self.start("pathwayd", "-c", self.d.conf, "--rehearse", self.dir, *extra,
                       log="pathwayd.log")
        end = time.monotonic() + 30
        while True:
            r = self.ctl("-c", self.d.conf, "--rehearse", self.dir, "-t", "500", "ping")
            if r.returncode == 0:
                return p
            self.assertIsNone(p.poll(), self.log("pathwayd.log"))
            self.assertLess(time.monotonic(), end, r.stderr)
            time.sleep(0.05)

    def log(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, p):
        p.terminate()
        self.assertEqual(p.wait(timeout=30), 0)

    def mail(self):
        """The rehearsal's mail: {job id: parsed message}."""
        out = {}
        for path in sorted(glob.glob(os.path.join(self.dir, "mail", "*.eml"))):
            with open(path, "rb") as f:
                out[os.path.basename(path)[:-4]] = email.message_from_bytes(
                    f.read(), policy=email.policy.default)
        return out

    def settle(self, n, timeout=60):
        """Wait until the rehearsal's outbox is empty and DIR/mail holds n messages."""
        end = time.monotonic() + timeout
        while True:
            busy = self.rctl("outbox")["jobs"]
            if not busy and len(self.mail()) == n:
                return self.mail()
            if time.monotonic() > end:
                raise AssertionError("rehearsal did not settle: %s, %d files" %
                                     (busy[:3], len(self.mail())))
            time.sleep(0.05)

    def test_a_week_rehearsed_mail_stays_in_the_directory(self):
        d, sink = self.d, self.rig.sink
        live = d.ok("system.ping")
        live_jobs = self.rig.jobs()
        self.assertEqual([(j["template"], j["state"]) for j in live_jobs],
                         [("signoff-needed", "pending")])
        self.backup_into("before-rehearsal")
        p = self.rehearse()
        # The copy, on the copy's clock, under its own sockets.
        ping = self.rctl("ping")
        self.assertEqual((ping["head"], ping["head_hash"], ping["now"]),
                         (live["head"], live["head_hash"], START))
        self.assertTrue(os.path.exists(os.path.join(self.dir, "run", "api.sock")))

        # A mailer that is not rehearsing, pointed at the rehearsal's workers socket
        # (its own configuration says so), is refused: exit 3, and nothing sent.
        with open(d.conf) as f:
            conf = f.read().replace('workers = "ipc://%s/workers.sock"' % d.dir,
                                    'workers = "ipc://%s/run/workers.sock"' % self.dir)
        stray = os.path.join(self.dir, "stray.conf")
        with open(stray, "w") as f:
            f.write(conf)
        m = self.start("pathway-mailer", "-c", stray, log="stray.log")
        self.assertEqual(m.wait(timeout=30), 3, self.log("stray.log"))
        self.assertIn("only a worker that keeps the mail in the rehearsal's directory",
                      self.log("stray.log"))

        # The rehearsing mailer: the first email goes into DIR/mail.
        m = self.start("pathway-mailer", "-c", d.conf, "--rehearse", self.dir, "-n", "rm",
                       log="mailer.log")
        first = self.settle(1)
        self.assertEqual(list(first), [live_jobs[0]["id"]])
        msg = first[live_jobs[0]["id"]]
        self.assertEqual(msg["X-Pathway-Rehearsal-To"], "p-head@example.org")
        self.assertIn("p-head@example.org", msg["To"])

        # A week forward: the reminder due on Friday 11 September goes there too.
        self.assertEqual(self.rctl("clock", "advance", "1w")["now"], "2026-09-14T08:00:00Z")
        week = self.settle(2)
        reminders = [k for k, v in week.items() if k != live_jobs[0]["id"]]
        self.assertEqual(len(reminders), 1)
        self.assertEqual(week[reminders[0]]["X-Pathway-Rehearsal-To"], "p-head@example.org")
        # Dated by the rehearsal's clock as the job was offered, not the real one.
        self.assertEqual(week[reminders[0]]["Date"], "Mon, 14 Sep 2026 08:00:00 +0000")
        sent = [e for e in self.rctl("events", "--limit", "1000")["events"]
                if e["type"] == "notification.sent"]
        self.assertEqual(len(sent), 2)
        # The relay on 127.0.0.1 heard nothing; the live store is as it was.
        self.assertEqual(sink.count(), 0)
        self.assertEqual(d.ok("system.ping")["head"], live["head"])
        self.assertEqual(d.ok("system.ping")["now"], START)
        self.assertEqual([j["id"] for j in self.rig.jobs()], [live_jobs[0]["id"]])

        # A rehearsing worker gets no live jobs: the live daemon refuses its ready.
        ctx = zmq.Context()
        try:
            s = ctx.socket(zmq.DEALER)
            s.connect("ipc://%s/workers.sock" % d.dir)
            s.send(json.dumps({"type": "ready", "credit": 4, "rehearsal": True}).encode())
            self.assertTrue(s.poll(10000))
            r = json.loads(s.recv())
            self.assertEqual((r["type"], r["code"]), ("error", "invalid_request"))
            self.assertIn("not rehearsing", r["message"])
            s.close(0)
        finally:
            ctx.term()

        # Stopped and started again, the rehearsal resumes its own clock.
        self.stop(m)
        self.stop(p)
        p = self.rehearse()
        self.assertEqual(self.rctl("ping")["now"], "2026-09-14T08:00:00Z")
        r = self.ctl("-c", d.conf, "--rehearse", self.dir, "clock", "advance", "3x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("'3x' is not a duration", r.stderr)
        self.assertEqual(self.rctl("clock", "advance", "1d12h")["now"], "2026-09-15T20:00:00Z")
        self.stop(p)
        # A bad duration is bad usage before any connection: no daemon needed to say so.
        r = self.ctl("-c", d.conf, "--rehearse", self.dir, "clock", "advance", "3x")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("'3x' is not a duration", r.stderr)
        self.assertEqual(sink.count(), 0)

    def test_refusals(self):
        d = self.d
        # A directory with no store in it.
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--rehearse",
                            self.dir], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("it holds no store", r.stderr)
        # The live store, by its own directory or a link to it: refused, exit 3.
        link = os.path.join(self.dir, "live")
        os.symlink(os.path.join(d.dir, "db"), link)
        for target in (os.path.join(d.dir, "db"), link):
            r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--rehearse",
                                target], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 3, r.stderr)
            self.assertIn("this is the live store", r.stderr)
        # A hard link to the live data.mdb in a directory of its own is the live store too.
        hard = os.path.join(self.dir, "hard")
        os.mkdir(hard)
        os.link(os.path.join(d.dir, "db", "data.mdb"), os.path.join(hard, "data.mdb"))
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--rehearse", hard],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("this is the live store", r.stderr)
        shutil.rmtree(hard)
        os.unlink(link)
        # A backup itself is not rehearsed: a rehearsal would change it.
        r = self.ctl("-c", d.conf, "backup", "kept")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--rehearse",
                            os.path.join(d.dir, "backup", "kept")],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("this is under the live backups", r.stderr)
        # Nor is a backup through a second name for its data.mdb (a hard link or a symlink
        # in a directory of its own): the rehearsal would write to the backup.
        kept = os.path.join(d.dir, "backup", "kept", "data.mdb")
        for make in (os.link, os.symlink):
            named = os.path.join(self.dir, "named")
            os.mkdir(named)
            make(kept, os.path.join(named, "data.mdb"))
            r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--rehearse",
                                named], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 3, r.stderr)
            self.assertIn("its data.mdb is not a file of its own", r.stderr)
            shutil.rmtree(named)
        self.assertEqual(os.stat(kept).st_nlink, 1)

        # A rehearsal's store (marked at its first open) is refused by a live daemon.
        self.backup_into("copy")
        p = self.rehearse("--from", "2026-10-01T08:00:00Z")
        self.assertEqual(self.rctl("ping")["now"], "2026-10-01T08:00:00Z")
        self.stop(p)
        with open(d.conf) as f:
            conf = f.read().replace('db = "%s/db"' % d.dir, 'db = "%s"' % self.dir)
        conf = conf.replace("ipc://%s/" % d.dir, "ipc://%s/live-" % self.dir)
        other = os.path.join(self.dir, "as-live.conf")
        with open(other, "w") as f:
            f.write(conf)
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", other], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("is a rehearsal's store", r.stderr)
        # The rehearsal's clock only moves forward, --from included.
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--rehearse",
                            self.dir, "--from", "2026-09-20T08:00:00Z"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("only moves forward", r.stderr)
        # --from without --rehearse is bad usage.
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf, "--from", START],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        # The live daemon served on throughout.
        self.assertEqual(d.ok("system.ping")["now"], START)

        # With the live daemon stopped (no lock held) and another configuration naming
        # another store, the live store's directory is still refused: the live daemon
        # noted where it serves its store, in the store.
        elsewhere = os.path.join(self.dir, "elsewhere")
        os.mkdir(elsewhere)
        with open(d.conf) as f:
            conf = f.read().replace('db = "%s/db"' % d.dir, 'db = "%s"' % elsewhere)
        other = os.path.join(self.dir, "other.conf")
        with open(other, "w") as f:
            f.write(conf)
        d.proc.terminate()
        self.assertEqual(d.proc.wait(timeout=30), 0)
        d.log.close()
        r = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", other, "--rehearse",
                            os.path.join(d.dir, "db")], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("a live pathwayd serves it from here, whatever -c says", r.stderr)
        d.start()
        self.assertEqual(d.ok("system.ping")["now"], START)


if __name__ == "__main__":
    unittest.main()
