#!/usr/bin/python3
"""How long the outbox and stored replies keep personal data.

A real pathwayd on a manual clock with outbox.dead_days = 2, a real
pathway-mailer and an SMTP server (aiosmtpd) that refuses one address for
good. The headteacher's email dies (550); it keeps its recipient, variables
and error until two days after it died, to the second: one second before,
outbox.list still shows them and `outbox retry` would work; at the moment,
the job keeps only its ids, template, state and times ("purged"), its error
(an address in it replaced by the person's id), notification.purged is published
and `outbox retry` is refused. Stored replies: a resend of a request is
answered from its stored reply, naming the person, until person.erase
forgets it; then the resend runs afresh and sees the erased person.
"""
import json
import time
import unittest

from answers import ANSWERS
from test_mail import Rig

START = "2026-09-07T08:00:00Z"
DIED = "2026-09-07T08:00:00Z"
WINDOW = 2 * 86400


class DeadJobTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig(self, START, outbox="dead_days = 2;")
        d = self.d = self.rig.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        for pid, name, roles in [("p-cand", "Amara Okafor", ["candidate"]),
                                 ("p-head", "Margaret Lowe", ["headteacher"]),
                                 ("p-la", "Helen Marsh", ["la_adviser"])]:
            d.ok("person.create", {"id": pid, "name": name, "email": pid + "@example.org",
                                   "roles": roles, "school": "s-oak"})

    def dead(self):
        return [j for j in self.rig.jobs("dead")]

    def wait_dead(self, n, timeout=60):
        end = time.monotonic() + timeout
        while len(self.dead()) < n:
            self.assertLess(time.monotonic(), end, "no job died")
            time.sleep(0.05)

    def test_dead_job_content_dropped_after_dead_days(self):
        d, rig = self.d, self.rig
        rig.sink.reject.add("p-head@example.org")
        rig.mailer("m1")
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        self.wait_dead(1)
        rig.settle()  # the LA's alert about it is sent
        rig.stop_mailer("m1")
        [job] = self.dead()
        self.assertEqual(job["died"], DIED)
        self.assertEqual(job["to"]["email"], "p-head@example.org")
        error = job["last_error"]

        # One second before the window ends: all of it is still there.
        d.ok("clock.advance", {"seconds": WINDOW - 1})
        d.ok("system.ping")
        [job] = d.ok("outbox.list", {"state": "dead", "vars": True})["jobs"]
        self.assertEqual((job["to"]["name"], job["to"]["email"]),
                         ("Margaret Lowe", "p-head@example.org"))
        self.assertIn("vars", job)
        self.assertNotIn("purged", job)
        self.assertEqual(rig.events(types={"notification.purged"}), [])

        # At the moment: the content goes, the record stays.
        d.ok("clock.advance", {"seconds": 1})
        d.ok("system.ping")
        [job] = d.ok("outbox.list", {"state": "dead", "vars": True})["jobs"]
        self.assertEqual(job["purged"], "2026-09-09T08:00:00Z")
        self.assertEqual(job["to"], {"person": "p-head", "role": job["to"]["role"]})
        self.assertNotIn("vars", job)
        self.assertNotIn("p-head@example.org", json.dumps(job))
        self.assertEqual(job["last_error"], error.replace("p-head@example.org", "p-head"))
        self.assertNotIn("Margaret", json.dumps(job))
        [ev] = rig.events(types={"notification.purged"})
        self.assertEqual((ev["data"]["job"], ev["data"]["person"], ev["data"]["template"]),
                         (job["id"], "p-head", job["template"]))
        r = d.call("outbox.retry", {"job": job["id"]})
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"]["code"], "invalid_transition")
        self.assertIn("outbox.dead_days", r["error"]["message"])
        # Later: nothing more happens to it.
        d.ok("clock.advance", {"seconds": WINDOW})
        self.assertEqual(len(rig.events(types={"notification.purged"})), 1)

    def test_dead_job_retried_in_time_is_not_purged(self):
        d, rig = self.d, self.rig
        rig.sink.reject.add("p-head@example.org")
        rig.mailer("m1")
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        self.wait_dead(1)
        rig.settle()
        rig.stop_mailer("m1")
        [job] = self.dead()
        d.ok("clock.advance", {"seconds": WINDOW - 10})
        again = d.ok("outbox.retry", {"job": job["id"]})["job"]
        self.assertEqual(again["state"], "pending")
        self.assertNotIn("died", again)
        d.ok("clock.advance", {"seconds": WINDOW})
        [job] = [j for j in rig.jobs() if j["id"] == job["id"]]
        self.assertEqual(job["to"]["email"], "p-head@example.org")
        self.assertNotIn("purged", job)
        self.assertEqual(rig.events(types={"notification.purged"}), [])


class StoredReplyTest(unittest.TestCase):
    def test_erasure_forgets_stored_replies(self):
        rig = Rig(self, START, smtp=False)
        d = rig.d
        d.ok("person.create", {"id": "p-x", "name": "Xenia Quartz", "email": "xq@example.org",
                               "roles": ["candidate"]})

        def send(rid, cmd, args):
            d.sock.send_multipart([b"", json.dumps(
                {"id": rid, "cmd": cmd, "actor": "operator", "args": args}).encode()])
            self.assertTrue(d.sock.poll(10000))
            return json.loads(d.sock.recv_multipart()[-1])

        first = send("get-x", "person.get", {"id": "p-x"})
        self.assertEqual(first["data"]["person"]["name"], "Xenia Quartz")
        # A resend is answered from the stored reply.
        self.assertEqual(send("get-x", "person.get", {"id": "p-x"}), first)
        erased = send("erase-x", "person.erase", {"id": "p-x"})
        self.assertTrue(erased["ok"], erased)
        self.assertGreaterEqual(erased["data"]["erased"]["replies"], 1)
        # The stored reply is gone: the resend runs afresh and sees the erased person.
        again = send("get-x", "person.get", {"id": "p-x"})
        self.assertTrue(again["ok"], again)
        self.assertNotIn("Xenia", json.dumps(again))
        self.assertNotIn("xq@example.org", json.dumps(again))
        self.assertIn("erased", again["data"]["person"])


if __name__ == "__main__":
    unittest.main()
