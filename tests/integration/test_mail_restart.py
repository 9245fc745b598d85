#!/usr/bin/python3
"""A mailer that keeps running through a kill -9 of pathwayd: the emails of
jobs created after the restart are delivered exactly once.

While pathwayd is down the running mailer's heartbeats (every 100 ms) queue
up on its socket; the restarted daemon does not know the mailer and answers
each of them "say ready first". The mailer joins again once, and drops every
job that reaches it between its ready and the welcome (the daemon offers those
again after it). Joining once per heartbeat instead made the daemon give back
and offer again every job it had just offered, each time: the mailer sent them
all as often.

MailerThroughRestartTest: a real pathwayd on a manual clock reading one worker
message per turn (daemon.max_batch = 1), so the mailer's messages and the
daemon's offers interleave the same way on every run; a real pathway-mailer;
aiosmtpd. The mailer is stopped (SIGSTOP) from just before the restart until
the new jobs exist, so they are waiting when it joins.

MailerJoinTest: pathway-mailer against the daemon's end of the worker protocol
played by the test, which sends exactly what a daemon would have sent before
and after reading a ready, and a welcome that never comes (the mailer joins
again on a new socket rather than wait for ever).
"""
import collections
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import zmq
from aiosmtpd.controller import Controller

from test_mail import FROM, Sink, free_port, message_id
from test_mail_faults import FaultsBase, wait_until
from test_timers import BIN

# How long pathwayd stays down: the mailer's heartbeats queue up meanwhile (ten
# or so at 100 ms; two are all the case needs).
DOWN = 1.0


class MailerThroughRestartTest(FaultsBase):
    def start(self, outbox="retry_min = 1;"):
        r = self.rig(outbox=outbox)
        with open(self.d.conf) as f:
            conf = f.read()
        self.assertIn('log_level = "warn";', conf)
        conf = conf.replace('log_level = "warn";', 'log_level = "warn";\n\tmax_batch = 1;', 1)
        with open(self.d.conf, "w") as f:
            f.write(conf)
        self.d.kill()
        self.d.start()
        m1 = r.mailer("m1")
        self.addCleanup(lambda: m1.poll() is None and m1.send_signal(signal.SIGCONT))
        # The steady state before the crash: one job, one email, nothing in flight.
        first = self.signoff_job()
        self.wait_event(first, "notification.sent")
        self.assertEqual(r.jobs(), [])
        return r, m1, first

    def restart_with_new_jobs(self, r, m1, down):
        """kill -9 pathwayd, keep it down for `down` seconds while the mailer runs,
        restart it, and make three jobs while the mailer is held. Returns them."""
        self.d.kill()
        time.sleep(down)
        m1.send_signal(signal.SIGSTOP)
        self.d.start()
        after = [self.signoff_job() for _ in range(3)]
        # Created after the restart, offered to no one yet.
        self.assertEqual([(j["id"], j["state"]) for j in r.jobs()],
                         [(j, "pending") for j in after])
        m1.send_signal(signal.SIGCONT)
        return after

    def assert_once_each(self, r, jobs):
        for job in jobs:
            self.wait_event(job, "notification.sent")
        # A last job as a fence: the mailer works through what it was given in order,
        # so once this one is delivered any second copy would have been sent too.
        fence = self.signoff_job()
        wait_until(lambda: self.delivered(fence), what="the fence job delivered")
        self.wait_event(fence, "notification.sent")
        jobs = jobs + [fence]
        count = collections.Counter(message_id(m)[0] for m in self.sink.snapshot())
        self.assertEqual({j: count[j] for j in jobs}, {j: 1 for j in jobs},
                         "each job created after the restart delivered exactly once")
        sent = [e["data"]["job"] for e in r.events(types={"notification.sent"})]
        self.assertEqual(sorted(j for j in sent if j in jobs), sorted(jobs))
        self.assertEqual(r.jobs(), [])
        with open(os.path.join(self.d.dir, "pathwayd.log")) as f:
            self.assertNotIn("lease expired", f.read())

    def test_jobs_after_a_restart_are_sent_once(self):
        r, m1, first = self.start()
        after = self.restart_with_new_jobs(r, m1, DOWN)
        self.assert_once_each(r, after)
        # The job delivered before the crash is not sent again.
        self.assertEqual(len(self.delivered(first)), 1)
        with open(os.path.join(self.d.dir, "m1.log")) as f:
            mlog = f.read()
        # The mailer joined the new daemon once: one "say ready first" acted on.
        self.assertEqual(mlog.count("say ready first"), 1, mlog[-2000:])

    def test_after_the_mailer_gave_up_on_the_daemon(self):
        """Down longer than the mailer waits (3 heartbeats + the worker timeout): it
        has closed its socket (its heartbeats still queued there, for the linger)
        and joined on a new one. Only the new one is a worker of the new daemon."""
        r, m1, first = self.start(outbox="retry_min = 1; worker_timeout = 1;")
        after = self.restart_with_new_jobs(r, m1, 2.0)
        self.assert_once_each(r, after)
        self.assertEqual(len(self.delivered(first)), 1)
        with open(os.path.join(self.d.dir, "m1.log")) as f:
            self.assertIn("the daemon is silent; connecting again", f.read())


class FakeDaemon:
    """The daemon's end of the worker protocol, played by the test: a ROUTER on
    its own socket, so what reaches the mailer, and in what order, is exact."""

    def __init__(self, test, path):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.bind("ipc://" + path)
        test.addCleanup(self.ctx.term)
        test.addCleanup(self.sock.close, 0)

    def recv(self, *types, timeout=10):
        """The next (identity, message) of one of these types; heartbeats are passed
        over unless asked for, anything else fails the test."""
        end = time.monotonic() + timeout
        while True:
            left = int((end - time.monotonic()) * 1000)
            if left <= 0 or not self.sock.poll(left):
                raise AssertionError("no %s from the mailer" % "/".join(types))
            ident, body = self.sock.recv_multipart()
            msg = json.loads(body)
            if msg["type"] in types:
                return ident, msg
            if msg["type"] != "heartbeat":
                raise AssertionError("%s from the mailer, waiting for %s" % (msg, types))

    def send(self, ident, msg):
        self.sock.send_multipart([ident, json.dumps(msg).encode()])

    def job(self, ident, jid):
        self.send(ident, {"type": "job", "job": {
            "id": jid, "attempt": 1, "lease": 60,
            "to": {"person": "p-head", "name": "Margaret Lowe", "email": "p-head@example.org",
                   "role": "headteacher"},
            "template": {"name": "t", "subject": "Job {{n}}", "text": "Job {{n}}."},
            "vars": {"n": jid}, "date": "2026-09-07T08:00:00Z"}})

    def welcome(self, ident):
        self.send(ident, {"type": "welcome", "protocol": 4, "heartbeat": 1})

    def unknown(self, ident):
        self.send(ident, {"type": "error", "code": "invalid_transition",
                          "message": "say ready first"})


class MailerJoinTest(unittest.TestCase):
    """pathway-mailer against a daemon played by the test: what arrives between its
    ready and the welcome, and a welcome that never comes."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pwj", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.sink = Sink()
        port = free_port()
        smtp = Controller(self.sink, hostname="127.0.0.1", port=port)
        smtp.start()
        self.addCleanup(smtp.stop)
        self.fake = FakeDaemon(self, os.path.join(self.dir, "workers.sock"))
        self.conf = os.path.join(self.dir, "mailer.conf")
        with open(self.conf, "w") as f:
            f.write('daemon = { workers = "ipc://%s/workers.sock"; };\n'
                    'mailer = { smtp_url = "smtp://127.0.0.1:%d"; starttls = "none"; '
                    'from = "%s"; heartbeat_ms = 100; timeout_ms = 5000; credit = 4; };\n'
                    % (self.dir, port, FROM))
        self.log = os.path.join(self.dir, "m1.log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([os.path.join(BIN, "pathway-mailer"), "-c", self.conf,
                                          "-n", "m1"], stderr=log)
        self.addCleanup(self.stop)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.assertEqual(self.proc.wait(timeout=30), 0, "the mailer's exit status")

    def sent(self):
        return [message_id(m)[0] for m in self.sink.snapshot()]

    def test_what_comes_before_the_welcome_is_dropped(self):
        fake = self.fake
        a, ready = fake.recv("ready")
        self.assertEqual((ready["name"], ready["credit"]), ("m1", 4))
        # Sent before the daemon read the ready: answers to earlier heartbeats and a
        # job offered before; then the welcome and the job offered again after it.
        fake.unknown(a)
        fake.unknown(a)
        fake.job(a, "J000000001")
        fake.welcome(a)
        fake.job(a, "J000000001")
        fake.job(a, "J000000002")
        for jid in ("J000000001", "J000000002"):
            ident, done = fake.recv("done")
            self.assertEqual((ident, done["job"]), (a, jid))
            fake.send(a, {"type": "ack", "job": jid})
        # No second ready for the errors, and each job sent once.
        fake.unknown(a)  # the daemon forgot us: join again, once
        self.assertEqual(fake.recv("ready")[0], a)
        fake.welcome(a)
        fake.job(a, "J000000003")
        self.assertEqual(fake.recv("done")[1]["job"], "J000000003")
        self.assertEqual(self.sent(), ["J000000001", "J000000002", "J000000003"])

    def test_a_welcome_that_never_comes(self):
        """Heard only as heartbeats and a job, a ready still unanswered: after three
        heartbeats and the daemon's timeout the mailer joins again on a new socket."""
        fake = self.fake
        a, _ = fake.recv("ready")
        fake.welcome(a)
        fake.unknown(a)
        self.assertEqual(fake.recv("ready")[0], a)
        # A daemon that keeps answering heartbeats and offering, but never welcomes.
        end = time.monotonic() + 20
        fake.job(a, "J000000009")
        while True:
            self.assertLess(time.monotonic(), end, "the mailer never joined again")
            ident, msg = fake.recv("heartbeat", "ready")
            if msg["type"] == "ready":
                break
            fake.send(ident, {"type": "heartbeat"})
        self.assertNotEqual(ident, a, "joined again on a new socket")
        fake.welcome(ident)
        fake.job(ident, "J000000010")
        self.assertEqual(fake.recv("done")[1]["job"], "J000000010")
        self.assertEqual(self.sent(), ["J000000010"])
        with open(self.log) as f:
            self.assertIn("the daemon is silent; connecting again", f.read())


if __name__ == "__main__":
    unittest.main()
