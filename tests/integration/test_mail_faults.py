#!/usr/bin/python3
"""Notifications when things go wrong: the SMTP server down, answering 451 or
550, hanging; a mailer killed mid-send; the daemon killed with jobs in flight;
three mailers sharing 200 jobs; and bad input on the workers socket.

A real pathwayd on a manual clock (backoff is measured on it, so the test
moves time with clock.advance instead of sleeping), real pathway-mailer
processes, and aiosmtpd (or a raw socket server for the hang). Leases and
worker timeouts are real (monotonic) seconds in the daemon: those cases poll
with a timeout.
"""
import asyncio
import json
import os
import re
import socket
import threading
import time
import unittest

import zmq

from test_mail import DOMAIN, Rig, Sink, message_id
from answers import ANSWERS

START = "2026-09-07T08:00:00Z"  # a Monday, 09:00 BST


def wait_until(pred, timeout=30, what="condition"):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class GatedSink(Sink):
    """A sink whose DATA replies wait while the gate is closed. A message whose
    client has gone away by the time the gate opens is not kept (its 250 could
    never have reached the sender)."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.stalled = 0

    async def handle_DATA(self, server, session, envelope):
        if not self.gate.is_set():
            with self.lock:
                self.stalled += 1
            while not self.gate.is_set():
                await asyncio.sleep(0.02)
            transport = getattr(server, "transport", None)
            if transport is None or transport.is_closing():
                return "451 4.4.2 sender went away"
        return await super().handle_DATA(server, session, envelope)


class HangServer:
    """Accepts TCP connections and never says a word."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.conns = []
        self.accepted = 0
        self.done = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(0.1)
        while not self.done:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(c)
            self.accepted += 1

    def close(self):
        self.done = True
        self.thread.join()
        for c in self.conns:
            c.close()
        self.sock.close()


class FaultsBase(unittest.TestCase):
    maxDiff = None

    def rig(self, outbox="retry_min = 1; retry_max = 4;", mailer="", handler=None, smtp=True):
        self.r = Rig(self, START, outbox=outbox, mailer=mailer, handler=handler, smtp=smtp)
        self.d = self.r.d
        self.sink = self.r.sink
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        d.ok("person.create", {"id": "p-head", "name": "Margaret Lowe",
                               "email": "p-head@example.org", "roles": ["headteacher"],
                               "school": "s-oak"})
        d.ok("person.create", {"id": "p-la", "name": "Helen Marsh", "email": "p-la@example.org",
                               "roles": ["la_adviser"]})
        self.n = 0
        return self.r

    def signoff_job(self):
        """One new application at the sign-off stage: one job, to the headteacher."""
        d = self.d
        self.n += 1
        c = "p-c%d" % self.n
        d.ok("person.create", {"id": c, "name": "Candidate %d" % self.n,
                               "email": c + "@example.org", "roles": ["candidate"],
                               "school": "s-oak"})
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": c},
                   c)["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, c)
        jobs = [(j["id"], j["template"], j["to"]["person"]) for j in self.r.jobs()
                if j["app"] == app]
        if not jobs:
            # A mailer running meanwhile may have sent it already: the job is gone from
            # the outbox, in the transaction of the notification.sent that names it.
            jobs = [(e["data"]["job"], e["data"]["template"], e["data"]["person"])
                    for e in self.r.events(types={"notification.sent"}) if e.get("app") == app]
        self.assertEqual([j[1:] for j in jobs], [("signoff-needed", "p-head")])
        return jobs[0][0]

    def job_events(self, job):
        return [(e["type"], e["data"]) for e in self.r.events()
                if e["type"].startswith("notification.") and e["data"].get("job") == job]

    def wait_event(self, job, type, n=1, timeout=30):
        return wait_until(lambda: [d for t, d in self.job_events(job) if t == type][n - 1:],
                          timeout, "%s for %s" % (type, job))[0]

    def delivered(self, job):
        return [m for m in self.sink.snapshot() if message_id(m)[0] == job]

    def advance_until_delivered(self, job, step=1, timeout=30):
        """Move the manual clock a step at a time until the job is delivered: the
        backoff is on the daemon's clock, so nothing happens until time moves."""
        end = time.monotonic() + timeout
        while not self.delivered(job):
            self.assertLess(time.monotonic(), end, "job %s not delivered" % job)
            self.d.ok("clock.advance", {"seconds": step})
            time.sleep(0.05)
        return self.delivered(job)


class SmtpFaultsTest(FaultsBase):
    def test_server_down_then_up(self):
        r = self.rig(smtp=False)
        r.mailer("m1")
        job = self.signoff_job()
        ev = self.wait_event(job, "notification.retrying")
        self.assertEqual(ev["attempts"], 1)
        self.assertRegex(ev["error"], "(?i)connect")
        (j,) = r.jobs()
        self.assertEqual((j["state"], j["attempts"]), ("pending", 1))
        # retry_min 1 s on the daemon's clock: due one second after the failure.
        self.assertEqual(j["next_attempt"], "2026-09-07T08:00:01Z")
        r.start_smtp()
        # The clock stands still: the job waits for its next attempt.
        self.d.ok("system.ping")
        self.assertEqual(self.sink.count(), 0)
        self.assertEqual(r.jobs()[0]["state"], "pending")
        (m,) = self.advance_until_delivered(job)
        self.assertEqual(m["rcpt"], ["p-head@example.org"])
        sent = self.wait_event(job, "notification.sent")
        self.assertEqual(sent["attempts"], 2)
        self.assertEqual(r.jobs(), [])

    def test_backoff_doubles_up_to_retry_max(self):
        r = self.rig(smtp=False, outbox="retry_min = 1; retry_max = 4;")
        r.mailer("m1")
        job = self.signoff_job()
        gaps = []
        for n in range(1, 5):
            ev = self.wait_event(job, "notification.retrying", n)
            self.assertEqual(ev["attempts"], n)
            now = self.d.ok("system.ping")["now"]
            gaps.append(_secs(ev["next_attempt"]) - _secs(now))
            self.d.ok("clock.advance", {"seconds": gaps[-1]})
        self.assertEqual(gaps, [1, 2, 4, 4])

    def test_451_then_250(self):
        r = self.rig()
        self.sink.data_replies.append("451 4.3.0 Temporary local problem, try again")
        r.mailer("m1")
        job = self.signoff_job()
        ev = self.wait_event(job, "notification.retrying")
        self.assertIn("451", ev["error"])
        self.assertEqual(self.sink.count(), 0)
        (m,) = self.advance_until_delivered(job)
        self.assertEqual(message_id(m), (job, DOMAIN))
        self.wait_event(job, "notification.sent")
        types = [t for t, _ in self.job_events(job)]
        self.assertEqual(types, ["notification.retrying", "notification.sent"])
        self.assertEqual(r.jobs(), [])

    def test_550_dead_alert_retry(self):
        r = self.rig()
        self.sink.data_replies.append("550 5.7.1 Message rejected")
        r.mailer("m1")
        job = self.signoff_job()
        dead = self.wait_event(job, "notification.dead")
        # Events carry the person's id, never the address.
        self.assertEqual((dead["person"], dead["template"]), ("p-head", "signoff-needed"))
        self.assertNotIn("to", dead)
        self.assertIn("550", dead["error"])
        self.assertNotIn("notification.retrying", [t for t, _ in self.job_events(job)])
        # The LA adviser hears of it, by email.
        (alert,) = self.sink.wait(1)
        self.assertEqual(alert["rcpt"], ["p-la@example.org"])
        self.assertEqual(alert["msg"]["Subject"],
                         "Undelivered email to Margaret Lowe <p-head@example.org> (A000001)")
        text = " ".join(alert["msg"].get_body(("plain",)).get_content().split())
        self.assertIn("Job: %s (template signoff-needed)" % job, text)
        self.assertIn("because the mail server refused the email and will not accept it if "
                      "tried again", text)
        listed = self.d.ok("outbox.list", {"state": "dead"})["jobs"]
        self.assertEqual([(j["id"], j["attempts"]) for j in listed], [(job, 1)])
        self.assertIn("550", listed[0]["last_error"])
        # Not retried by itself, however long we wait.
        self.d.ok("clock.advance", {"seconds": 86400})
        self.d.ok("system.ping")
        self.assertEqual(self.sink.count(), 1)
        self.assertEqual(self.d.ok("outbox.list", {"state": "dead"})["jobs"][0]["id"], job)
        # Re-queued by the LA; delivered now that the server accepts it.
        self.assertEqual(self.d.call("outbox.retry", {"job": "J999999999"})["error"]["code"],
                         "not_found")
        self.assertEqual(self.d.call("outbox.retry", {"job": job}, "p-head")["error"]["code"],
                         "forbidden")
        got = self.d.ok("outbox.retry", {"job": job})["job"]
        self.assertEqual(got["state"], "pending")
        self.wait_event(job, "notification.requeued")
        m = wait_until(lambda: self.delivered(job), what="re-queued job delivered")[0]
        self.assertEqual(m["rcpt"], ["p-head@example.org"])
        self.assertEqual(self.wait_event(job, "notification.sent")["attempts"], 2)
        self.assertEqual(r.jobs(), [])
        self.assertEqual(self.d.call("outbox.retry", {"job": job})["error"]["code"], "not_found")
        # One alert only: the alert itself is never alerted about.
        self.assertEqual([e for e in r.events(types={"notification.dead"})
                          if e["data"]["template"] == "notification-failed"], [])

    def test_server_never_answers(self):
        r = self.rig(smtp=False, mailer="timeout_ms = 400;")
        hang = HangServer(r.port)
        self.addCleanup(lambda: hang.done or hang.close())
        r.mailer("m1")
        job = self.signoff_job()
        ev = self.wait_event(job, "notification.retrying")
        self.assertRegex(ev["error"], "(?i)time")
        self.assertGreaterEqual(hang.accepted, 1)
        self.assertEqual(r.jobs()[0]["state"], "pending")
        hang.close()
        r.start_smtp()
        (m,) = self.advance_until_delivered(job)
        self.assertEqual(self.wait_event(job, "notification.sent")["attempts"], 2)

    def test_slow_server_never_outlasts_a_lease(self):
        """Sixteen jobs in hand and a server that never answers: the mailer gives back
        the jobs it could not finish within their lease, so no lease runs out and no
        job is ever held by two mailers."""
        r = self.rig(smtp=False, outbox="retry_min = 60; retry_max = 60; lease = 3;",
                     mailer="timeout_ms = 400; credit = 16;")
        hang = HangServer(r.port)
        self.addCleanup(lambda: hang.done or hang.close())
        jobs = [self.signoff_job() for _ in range(8)]
        r.mailer("m1")
        # Every job is tried once (about 0.4 s each), some only after being given back.
        for job in jobs:
            self.wait_event(job, "notification.retrying")
        with open(os.path.join(self.d.dir, "m1.log")) as f:
            mlog = f.read()
        self.assertIn("released, its lease would run out mid-send", mlog)
        with open(os.path.join(self.d.dir, "pathwayd.log")) as f:
            self.assertNotIn("lease expired", f.read())
        self.assertEqual(sorted(j["id"] for j in r.jobs("pending")), sorted(jobs))
        self.assertTrue(all(j["attempts"] == 1 for j in r.jobs()))


def _secs(iso):
    import calendar
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


class WorkerFaultsTest(FaultsBase):
    def test_mailer_killed_mid_send(self):
        sink = GatedSink()
        r = self.rig(outbox="retry_min = 1; lease = 60; worker_timeout = 2;", handler=sink)
        sink.gate.clear()
        r.mailer("m1")
        job = self.signoff_job()
        wait_until(lambda: sink.stalled == 1, what="m1 stalled in DATA")
        (j,) = r.jobs()
        self.assertEqual((j["state"], j["lease"]["worker"]), ("inflight", "m1"))
        r.kill_mailer("m1")
        r.mailer("m2")
        # m1 is silent past worker_timeout (real seconds): its job moves to m2.
        wait_until(lambda: [j for j in r.jobs() if j.get("lease", {}).get("worker") == "m2"],
                   what="job leased to m2")
        self.assertEqual(self.sink.count(), 0)
        sink.gate.set()
        (m,) = wait_until(lambda: self.delivered(job), what="delivery by m2")
        self.wait_event(job, "notification.sent")
        self.assertEqual(r.jobs(), [])
        self.assertEqual(len(self.delivered(job)), 1)
        with open(os.path.join(self.d.dir, "m2.log")) as f:
            self.assertIn("job %s to p-head@example.org: done" % job, f.read())

    def test_daemon_killed_with_jobs_in_flight(self):
        sink = GatedSink()
        r = self.rig(handler=sink)
        sink.gate.clear()
        r.mailer("m1")  # credit 4
        jobs = [self.signoff_job() for _ in range(12)]
        wait_until(lambda: len(r.jobs("inflight")) == 4 and sink.stalled >= 1,
                   what="jobs in flight")
        inflight = {j["id"] for j in r.jobs("inflight")}
        self.d.kill()
        self.d.start()
        sink.gate.set()
        wait_until(lambda: not r.jobs() and
                   {message_id(m)[0] for m in sink.snapshot()} == set(jobs),
                   timeout=60, what="every job delivered after the restart")
        ids = [message_id(m)[0] for m in sink.snapshot()]
        dups = {i for i in ids if ids.count(i) > 1}
        # At least once: only a job in flight at the crash may be sent twice.
        self.assertLessEqual(dups, inflight)
        sent = [e["data"]["job"] for e in r.events(types={"notification.sent"})]
        self.assertEqual(sorted(set(sent)), sorted(jobs))
        self.assertEqual(len(sent), len(jobs), "one notification.sent per job")

    def test_three_mailers_two_hundred_jobs(self):
        r = self.rig()
        for name in ("m1", "m2", "m3"):
            r.mailer(name)
        d = self.d
        # 200 headteachers hear of an opportunity when its early window ends: 200 jobs
        # written in one transaction, while all three mailers are connected.
        sock = d.ctx.socket(zmq.DEALER)
        sock.connect("ipc://%s/api.sock" % d.dir)
        for i in range(200):
            sock.send_multipart([b"", json.dumps({
                "id": "h%d" % i, "cmd": "person.create", "actor": "operator",
                "args": {"id": "h%03d" % i, "name": "Head %d" % i,
                         "email": "h%03d@example.org" % i, "roles": ["headteacher"]}}).encode()])
        for i in range(200):
            self.assertTrue(sock.poll(20000))
            self.assertTrue(json.loads(sock.recv_multipart()[-1])["ok"])
        sock.close(0)
        d.ok("opportunity.publish", {"id": "dh", "title": "Deputy head secondment",
                                     "description": "A secondment.", "early_days": 1})
        d.ok("clock.advance", {"seconds": 86400})
        released = wait_until(lambda: len(self.sink.snapshot()) >= 201 and not r.jobs() and
                              r.events(types={"notification.sent"}), timeout=90,
                              what="all jobs delivered")
        ids = [message_id(m)[0] for m in self.sink.snapshot()]
        self.assertEqual(len(ids), len(set(ids)), "no job delivered twice")
        self.assertEqual(len(ids), 201)  # 200 heads + p-head (p-la is no headteacher)
        self.assertEqual(sorted(e["data"]["job"] for e in released), sorted(ids))
        per = {}
        for name in ("m1", "m2", "m3"):
            with open(os.path.join(d.dir, name + ".log")) as f:
                per[name] = len(re.findall(r"job J\d+ to \S+: done", f.read()))
        self.assertEqual(sum(per.values()), 201)
        self.assertTrue(all(n > 0 for n in per.values()), per)


class SlowSendTest(FaultsBase):
    def test_a_slow_send_keeps_the_mailer_alive(self):
        """A relay that takes longer to accept a message than the daemon's worker
        timeout: the mailer keeps sending heartbeats, so the job is not taken from it
        and sent again by the other mailer."""
        sink = GatedSink()
        r = self.rig(outbox="retry_min = 1; worker_timeout = 2; lease = 60;",
                     mailer="timeout_ms = 8000;", handler=sink)
        sink.gate.clear()
        r.mailer("m1")
        job = self.signoff_job()
        wait_until(lambda: sink.stalled >= 1, what="the send in progress")
        r.mailer("m2")
        time.sleep(4)  # longer than worker_timeout: m1 must still hold the job
        self.assertEqual([j["lease"]["worker"] for j in r.jobs() if j["id"] == job], ["m1"])
        sink.gate.set()
        self.wait_event(job, "notification.sent")
        r.settle()
        self.assertEqual(len(self.delivered(job)), 1)
        with open(os.path.join(self.d.dir, "pathwayd.log")) as f:
            self.assertNotIn("silent past its timeout", f.read())


class WorkerSocketTest(FaultsBase):
    def worker(self, name):
        s = self.d.ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect("ipc://%s/workers.sock" % self.d.dir)
        self.addCleanup(s.close, 0)
        return s

    def ask(self, s, body, delimited=False, timeout=5000):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        s.send_multipart([b"", body] if delimited else [body])
        self.assertTrue(s.poll(timeout), "no answer to %r" % body)
        frames = s.recv_multipart()
        self.assertEqual(len(frames), 2 if delimited else 1, frames)
        if delimited:
            self.assertEqual(frames[0], b"")
        return json.loads(frames[-1])

    def quiet(self, s):
        self.assertFalse(s.poll(300), "unexpected message")

    def state(self):
        jobs = self.r.jobs()
        for j in jobs:
            j.get("lease", {}).pop("until", None)
        return jobs, self.d.ok("system.ping")["head"]

    def test_bad_input(self):
        r = self.rig()
        j1 = self.signoff_job()
        j2 = self.signoff_job()
        a = self.worker("a")
        before = self.state()

        def refused(s, body, code, job=None, delimited=False):
            m = self.ask(s, body, delimited)
            self.assertEqual((m["type"], m["code"]), ("error", code), (body, m))
            self.assertIsInstance(m["message"], str)
            self.assertEqual(m.get("job"), job, (body, m))
            self.assertEqual(self.state(), before, "refused %r changed something" % (body,))

        refused(a, b"{not json", "malformed")
        refused(a, b"\xff\xfe", "malformed", delimited=True)
        refused(a, b"[1, 2]", "malformed")
        refused(a, b'{"job": "J000000001"}', "malformed")
        refused(a, {"type": "frobnicate"}, "unknown_command")
        refused(a, {"type": "ready"}, "invalid_request")
        refused(a, {"type": "ready", "credit": "4"}, "invalid_request")
        refused(a, {"type": "heartbeat", "extra": 1}, "invalid_request")
        refused(a, {"type": "done"}, "invalid_request")
        refused(a, {"type": "done", "job": 7}, "invalid_request")
        refused(a, {"type": "retry", "job": j1, "error": 451}, "invalid_request")
        refused(a, {"type": "done", "job": "J999999999"}, "not_found", "J999999999")
        refused(a, {"type": "fail", "job": "J999999999", "error": "x"}, "not_found",
                "J999999999")
        # Reports about a pending job from a worker that does not hold it: answered as
        # for an unknown job (only the lease holder reports on a job).
        refused(a, {"type": "retry", "job": j1, "error": "x"}, "not_found", j1)
        refused(a, {"type": "release", "job": j1}, "not_found", j1, delimited=True)
        refused(a, {"type": "done", "job": j1}, "not_found", j1)

        # Two workers, one job each.
        w = self.ask(a, {"type": "ready", "name": "wa", "credit": 1, "protocol": 1})
        self.assertEqual((w["type"], w["protocol"]), ("welcome", 4))
        ja = json.loads(a.recv_multipart()[-1]) if a.poll(5000) else None
        b = self.worker("b")
        w = self.ask(b, {"type": "ready", "name": "wb", "credit": 1, "protocol": 1},
                     delimited=True)
        self.assertEqual(w["type"], "welcome")
        self.assertTrue(b.poll(5000))
        jb = json.loads(b.recv_multipart()[-1])
        self.assertEqual(ja["type"], "job")
        self.assertEqual(jb["type"], "job")
        held = {"wa": ja["job"]["id"], "wb": jb["job"]["id"]}
        self.assertEqual(sorted(held.values()), sorted([j1, j2]))
        self.assertEqual(ja["job"]["to"]["email"], "p-head@example.org")
        self.assertEqual(ja["job"]["template"]["name"], "signoff-needed")
        self.assertIn("{{candidate_your}}", ja["job"]["template"]["subject"])
        self.assertEqual(ja["job"]["date"], START, "the daemon's clock as it offered the job")
        self.assertEqual(ja["job"]["attempt"], 1)
        before = self.state()
        self.assertEqual({j["id"]: j["lease"]["worker"] for j in before[0]},
                         {v: k for k, v in held.items()})

        # b may not retry, fail or release what a holds.
        refused(b, {"type": "retry", "job": held["wa"], "error": "451"}, "not_found",
                held["wa"], delimited=True)
        refused(b, {"type": "fail", "job": held["wa"], "error": "550"}, "not_found",
                held["wa"], delimited=True)
        refused(b, {"type": "release", "job": held["wa"]}, "not_found", held["wa"],
                delimited=True)
        refused(a, {"type": "ready", "credit": 1, "bogus": True}, "invalid_request")

        # done from the holder: acknowledged, sent, gone; a second done is not_found.
        head = before[1]
        m = self.ask(a, {"type": "done", "job": held["wa"]})
        self.assertEqual(m, {"type": "ack", "job": held["wa"]})
        evs = [e for e in r.events(head) if e["type"].startswith("notification.")]
        self.assertEqual([(e["type"], e["data"]["job"], e["data"]["attempts"]) for e in evs],
                         [("notification.sent", held["wa"], 1)])
        before = self.state()
        refused(a, {"type": "done", "job": held["wa"]}, "not_found", held["wa"])
        refused(b, {"type": "done", "job": held["wa"]}, "not_found", held["wa"], delimited=True)
        refused(a, {"type": "retry", "job": held["wa"], "error": "x"}, "not_found", held["wa"])

        # done for a job another worker holds is refused like an unknown job:
        # nobody but the holder makes a job count as sent. The holder's done is taken.
        refused(a, {"type": "done", "job": held["wb"]}, "not_found", held["wb"])
        m = self.ask(b, {"type": "done", "job": held["wb"]}, delimited=True)
        self.assertEqual(m, {"type": "ack", "job": held["wb"]})
        self.assertEqual(r.jobs(), [])
        before = self.state()
        refused(b, {"type": "done", "job": held["wb"]}, "not_found", held["wb"], delimited=True)
        # bye is not answered.
        a.send(json.dumps({"type": "bye"}).encode())
        b.send_multipart([b"", json.dumps({"type": "bye"}).encode()])
        self.quiet(a)
        self.quiet(b)

    def job_of(self, s, timeout=5000):
        """The next job message on worker socket s (skipping welcome and acks)."""
        end = time.monotonic() + timeout / 1000
        while time.monotonic() < end:
            if not s.poll(100):
                continue
            m = json.loads(s.recv_multipart()[-1])
            if m["type"] == "job":
                return m["job"]
        self.fail("no job offered")

    def test_a_job_given_back_still_ages(self):
        r = self.rig(outbox="retry_min = 1; retry_max = 4; lifetime_hours = 1;")
        job = self.signoff_job()
        a = self.worker("a")
        a.send_json({"type": "ready", "name": "a", "credit": 1, "protocol": 1})
        self.assertEqual(self.job_of(a)["id"], job)
        self.d.ok("clock.advance", {"seconds": 3601})
        a.send_json({"type": "release", "job": job})
        dead = self.wait_event(job, "notification.dead")
        self.assertIn("lifetime", dead["error"])
        self.assertEqual([(j["id"], j["state"]) for j in r.jobs() if j["id"] == job],
                         [(job, "dead")])
        # The LA is alerted, as for any dead job.
        self.assertEqual([j["to"]["person"] for j in r.jobs()
                          if j["template"] == "notification-failed"], ["p-la"])

    def test_a_rejoining_worker_gives_back_what_it_held(self):
        self.rig()
        j1, j2 = self.signoff_job(), self.signoff_job()
        a = self.worker("a")
        a.setsockopt(zmq.LINGER, 0)
        a.send_json({"type": "ready", "name": "a", "credit": 2, "protocol": 1})
        got = {self.job_of(a)["id"], self.job_of(a)["id"]}
        self.assertEqual(got, {j1, j2})
        # It comes back with less credit (a restart that kept its identity): what it
        # held is offered again, and the other worker is not starved by a negative credit.
        b = self.worker("b")
        b.send_json({"type": "ready", "name": "b", "credit": 2, "protocol": 1})
        a.send_json({"type": "ready", "name": "a", "credit": 0, "protocol": 1})
        got = {self.job_of(b)["id"], self.job_of(b)["id"]}
        self.assertEqual(got, {j1, j2})
        leased = {j["id"]: j["lease"]["worker"] for j in self.r.jobs()}
        self.assertEqual(leased, {j1: "b", j2: "b"})


if __name__ == "__main__":
    unittest.main()
