#!/usr/bin/python3
"""The api socket, the event stream and the store, as PROTOCOL.md promises them.

Real pathwayd processes on ipc sockets in temporary directories, driven with
nothing but pyzmq: bad input of every kind (each with its documented code and
no effect), 10,000 random frames, REQ and DEALER clients, idempotent resends
across a restart, the PUB stream against events.since, listings and reports,
hot backup, the store's schema version and a flood of pipelined requests.
"""
import ctypes
import ctypes.util
import itertools
import json
import os
import random
import re
import subprocess
import threading
import time
import unittest

import zmq

from test_timers import BIN, CONF, SRC, Daemon
from answers import ANSWERS

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
START = "2026-09-07T08:00:00Z"


def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class DaemonAt(Daemon):
    """A Daemon on a directory chosen by the test (e.g. holding a backup as db/)."""

    def __init__(self, directory, start):  # pylint: disable=super-init-not-called
        self.dir = directory
        self.conf = os.path.join(self.dir, "pathway.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(d=self.dir, src=SRC, start=start))
        self.ctx = zmq.Context()
        self.sock = None
        self.proc = None
        self.n = 0
        self.start()


def all_events(d, actor="operator"):
    out, after = [], 0
    while True:
        page = d.ok("events.since", {"after": after, "limit": 1000}, actor)
        out += page["events"]
        if not page["events"]:
            return out, page["head"]
        after = page["events"][-1]["seq"]


class ApiCase(unittest.TestCase):
    def daemon(self, start=START):
        d = Daemon(start)
        self.addCleanup(d.stop)
        return d

    def socket(self, d, kind=zmq.DEALER, endpoint="api.sock"):
        s = d.ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        s.connect("ipc://%s/%s" % (d.dir, endpoint))
        self.addCleanup(s.close, 0)  # before d.stop (cleanups run last in, first out)
        return s

    def world(self, d):
        """Two schools, a few people and one application at stage signoff."""
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary",
                               "name": "Elm Tree Primary", "lss": True})
        for pid, roles, school in [("p-cand", ["candidate"], "s-oak"),
                                   ("p-other", ["candidate"], "s-elm"),
                                   ("p-head", ["headteacher"], "s-oak"),
                                   ("p-view", ["viewer"], None)]:
            args = {"id": pid, "name": pid.title(), "email": pid + "@example.org",
                    "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)
        app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, "p-cand")
        return app

    def state(self, d, app):
        """What any bad request must leave alone."""
        return (d.ok("system.ping")["head"],
                d.ok("application.get", {"app": app})["application"],
                d.ok("person.get", {"id": "p-cand"})["person"],
                d.ok("cohort.report", {"cohort": "ntp-2026-27"}),
                d.ok("outbox.list", {"limit": 1000})["jobs"])

    @staticmethod
    def exchange(sock, frames, timeout=5000):
        sock.send_multipart(frames)
        if not sock.poll(timeout):
            return None
        return sock.recv_multipart()


class BadInputTest(ApiCase):
    def test_each_bad_request_gets_its_code_and_changes_nothing(self):
        d = self.daemon()
        app = self.world(d)
        raw = self.socket(d)
        before = self.state(d, app)

        def req(**kw):
            return json.dumps(kw).encode()

        good = {"id": "r1", "cmd": "application.signoff", "actor": "p-head",
                "args": {"app": app}}
        cases = [
            ("malformed JSON", b'{"id": "r1", "cmd": ', "malformed", None),
            ("trailing garbage", req(**good) + b" x", "malformed", None),
            ("array", b'[1, 2]', "malformed", None),
            ("string", b'"application.signoff"', "malformed", None),
            ("number", b"42", "malformed", None),
            ("null", b"null", "malformed", None),
            ("empty frame", b"", "malformed", None),
            ("invalid UTF-8 in a string",
             b'{"id": "r1", "cmd": "application.signoff", "actor": "p-head", '
             b'"args": {"app": "' + app.encode() + b'\xc3\x28"}}', "malformed", None),
            ("overlong UTF-8", b'{"id": "\xc0\xaf", "cmd": "system.ping", "actor": "operator"}',
             "malformed", None),
            ("lone surrogate escape",
             b'{"id": "r1", "cmd": "system.ping", "actor": "operator", "args": {"x": "\\ud800"}}',
             "malformed", None),
            ("NUL escape", req(id="r1", cmd="person.update", actor="operator",
                               args={"id": "p-cand", "name": "a\u0000b"}), "malformed", None),
            ("duplicate key",
             b'{"id": "r1", "id": "r2", "cmd": "system.ping", "actor": "operator"}',
             "malformed", None),
            ("missing id", req(cmd="application.signoff", actor="p-head", args={"app": app}),
             "invalid_request", None),
            ("empty id", req(id="", cmd="system.ping", actor="operator"), "invalid_request", None),
            ("id too long", req(id="x" * 129, cmd="system.ping", actor="operator"),
             "invalid_request", None),
            ("id of wrong type", req(id=[1], cmd="system.ping", actor="operator"),
             "invalid_request", None),
            ("missing cmd", req(id="r1", actor="p-head", args={"app": app}),
             "invalid_request", "r1"),
            ("cmd not a string", req(id="r1", cmd=7, actor="p-head", args={"app": app}),
             "invalid_request", "r1"),
            ("missing actor", req(id="r1", cmd="application.signoff", args={"app": app}),
             "invalid_request", "r1"),
            ("actor not an id", req(id="r1", cmd="application.signoff", actor="p head",
                                    args={"app": app}), "invalid_request", "r1"),
            ("extra top-level field", req(extra=1, **good), "invalid_request", "r1"),
            ("args not an object", req(id="r1", cmd="application.signoff", actor="p-head",
                                       args=[app]), "invalid_request", "r1"),
            ("arg of wrong type", req(id="r1", cmd="application.signoff", actor="p-head",
                                      args={"app": 7}), "invalid_request", "r1"),
            ("bool for string", req(id="r1", cmd="application.decide", actor="operator",
                                    args={"app": app, "outcome": True}), "invalid_request", "r1"),
            ("bad enum", req(id="r1", cmd="application.decide", actor="operator",
                             args={"app": app, "outcome": "maybe"}), "invalid_request", "r1"),
            ("missing required arg", req(id="r1", cmd="application.submit", actor="p-cand",
                                         args={"app": app}), "invalid_request", "r1"),
            ("extra unknown arg", req(id="r1", cmd="application.signoff", actor="p-head",
                                      args={"app": app, "force": True}), "invalid_request", "r1"),
            ("negative integer", req(id="r1", cmd="events.since", actor="operator",
                                     args={"after": -1}), "invalid_request", "r1"),
            ("limit out of range", req(id="r1", cmd="application.list", actor="operator",
                                       args={"limit": 1001}), "invalid_request", "r1"),
            ("unknown command", req(id="r1", cmd="application.approve", actor="operator",
                                    args={"app": app}), "unknown_command", "r1"),
            ("unknown actor", req(id="r1", cmd="application.signoff", actor="p-nobody",
                                  args={"app": app}), "unknown_actor", "r1"),
            ("unknown app", req(id="r1", cmd="application.signoff", actor="operator",
                                args={"app": "A999999"}), "not_found", "r1"),
            ("unknown person", req(id="r1", cmd="application.create", actor="operator",
                                   args={"cohort": "ntp-2026-27", "candidate": "p-nobody"}),
             "not_found", "r1"),
            ("unknown school", req(id="r1", cmd="person.create", actor="operator",
                                   args={"id": "p-new", "name": "N", "email": "n@example.org",
                                         "roles": ["candidate"], "school": "s-nowhere"}),
             "not_found", "r1"),
            ("unknown cohort", req(id="r1", cmd="application.create", actor="operator",
                                   args={"cohort": "ntp-1999-00", "candidate": "p-cand"}),
             "not_found", "r1"),
            ("unknown cohort to defer to", req(id="r1", cmd="application.defer",
                                               actor="operator",
                                               args={"app": app, "cohort": "ntp-2099-00"}),
             "not_found", "r1"),
            ("invalid transition: decide before sign-off",
             req(id="r1", cmd="application.decide", actor="operator",
                 args={"app": app, "outcome": "accept"}), "invalid_transition", "r1"),
            ("invalid transition: doc of another stage",
             req(id="r1", cmd="application.submit", actor="p-cand",
                 args={"app": app, "doc": "leadership_plan",
                       "fields": ANSWERS["leadership_plan"]}), "invalid_transition", "r1"),
            ("already exists", req(id="r1", cmd="person.create", actor="operator",
                                   args={"id": "p-cand", "name": "Again",
                                         "email": "x@example.org", "roles": ["candidate"]}),
             "already_exists", "r1"),
            ("oversize", req(id="r1", cmd="person.update", actor="operator",
                             args={"id": "p-cand", "name": "x" * 70000}),
             "message_too_large", None),
            ("clock backwards", req(id="r1", cmd="clock.set", actor="operator",
                                    args={"now": "2020-01-01T00:00:00Z"}),
             "invalid_request", "r1"),
        ]
        for name, body, code, rid in cases:
            with self.subTest(name):
                reply = self.exchange(raw, [b"", body])
                self.assertIsNotNone(reply, "no reply")
                self.assertEqual(reply[0], b"", "the delimiter comes back")
                r = json.loads(reply[-1])
                self.assertIs(r["ok"], False)
                self.assertEqual(r["error"]["code"], code, r["error"])
                self.assertIsInstance(r["error"]["message"], str)
                self.assertEqual(r["id"], rid)
                self.assertEqual(set(r), {"id", "ok", "error"})
        self.assertEqual(self.state(d, app), before)

        # Integer ids are ids too, echoed as integers.
        r = json.loads(self.exchange(raw, [json.dumps(
            {"id": 12345, "cmd": "application.get", "actor": "p-nobody",
             "args": {"app": app}}).encode()])[-1])
        self.assertEqual((r["id"], r["error"]["code"]), (12345, "unknown_actor"))

        # Refused for permission: forbidden, and an audit.refused event is the only effect.
        for actor, cmd, args in [("p-other", "application.submit",
                                  {"app": app, "doc": "evidence_form",
                                   "fields": ANSWERS["evidence_form"]}),
                                 ("p-view", "application.signoff", {"app": app}),
                                 ("p-cand", "application.decide",
                                  {"app": app, "outcome": "accept"}),
                                 ("p-other", "application.create",
                                  {"cohort": "ntp-2026-27", "candidate": "p-cand"}),
                                 ("p-cand", "person.create",
                                  {"id": "p-x", "name": "X", "email": "x@example.org",
                                   "roles": ["la_adviser"]})]:
            with self.subTest(refused=(actor, cmd)):
                head, *rest = self.state(d, app)
                r = d.call(cmd, args, actor)
                self.assertEqual(r["error"]["code"], "forbidden")
                head2, *rest2 = self.state(d, app)
                self.assertEqual(head2, head + 1)
                self.assertEqual(rest2, rest)
                ev = d.ok("events.since", {"after": head})["events"]
                self.assertEqual(len(ev), 1)
                self.assertEqual((ev[0]["type"], ev[0]["actor"], ev[0]["data"]),
                                 ("audit.refused", actor, {"cmd": cmd, "code": "forbidden",
                                                          "principal": "operator"}))
                if "app" in args:  # under the application's cohort, like its other events
                    a = d.ok("application.get", {"app": app})["application"]
                    self.assertEqual((ev[0]["app"], ev[0]["cohort"], ev[0]["school"],
                                      ev[0]["stage"]), (app, a["cohort"], a["school"], a["stage"]))
                elif "cohort" in args:
                    self.assertEqual(ev[0]["cohort"], "ntp-2026-27")
                    self.assertNotIn("app", ev[0])
                else:
                    self.assertNotIn("cohort", ev[0])
        # A viewer may read but not write; the sign-off still works for the headteacher.
        d.ok("application.get", {"app": app}, "p-view")
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        a = d.ok("application.signoff", {"app": app}, "p-head")["application"]
        self.assertEqual(a["stage"], "selection")

    def test_frames(self):
        d = self.daemon()
        app = self.world(d)
        before = self.state(d, app)
        raw = self.socket(d)
        ping = json.dumps({"id": "f1", "cmd": "system.ping", "actor": "operator"}).encode()

        # Both DEALER forms, and up to 3 empty delimiters, echoed in front of the reply.
        for lead in ([], [b""], [b"", b""], [b"", b"", b""]):
            reply = self.exchange(raw, lead + [ping])
            self.assertEqual(reply[:-1], lead)
            self.assertIs(json.loads(reply[-1])["ok"], True)

        def refused(frames, expect_lead):
            reply = self.exchange(raw, frames)
            self.assertIsNotNone(reply, "%r: no reply" % (frames,))
            self.assertEqual(reply[:-1], expect_lead)
            r = json.loads(reply[-1])
            self.assertEqual((r["id"], r["ok"], r["error"]["code"]), (None, False, "malformed"))

        # Leading frames that are not empty delimiters.
        refused([b"x", ping], [b"x"])
        refused([b"", b"junk", ping], [b"", b"junk"])
        refused([ping, ping], [ping])
        # No request after the delimiter, empty frames only.
        refused([b""], [])
        refused([b"", b""], [b""])
        refused([b"", b"", b""], [b"", b""])
        # More than 4 frames: malformed, answered to the peer with the reply frame alone.
        refused([b"", b"", b"", b"", ping], [])
        refused([b"x"] * 9 + [ping], [])
        refused([b""] * 40, [])
        # The socket is still in step: a good request gets its own reply.
        reply = self.exchange(raw, [b"", ping])
        self.assertEqual(json.loads(reply[-1])["id"], "f1")

        # A frame beyond 16 x max_message is dropped by ZeroMQ, which disconnects
        # that peer; the daemon serves on.
        huge = self.socket(d)
        huge.send(b"{" + b" " * (16 * 65536 + 10) + b"}")
        self.assertFalse(huge.poll(1000))
        self.assertEqual(d.ok("system.ping")["head"], before[0])
        self.assertEqual(self.state(d, app), before)

    def test_ten_thousand_random_frames(self):
        d = self.daemon()
        app = self.world(d)
        before = self.state(d, app)
        rng = random.Random(20261122)
        raw = self.socket(d)
        raw.setsockopt(zmq.SNDHWM, 0)
        prefixes = [b"", b"{", b'{"id":', b'{"id": "z", "cmd": "', b'[', b'{"id": 1, "args": {']
        codes = {"malformed", "invalid_request", "unknown_command", "unknown_actor",
                 "message_too_large"}
        sent = received = 0
        total = 10000
        window = 200
        while sent < total or received < sent:
            while sent < total and sent - received < window:
                body = rng.choice(prefixes) + bytes(rng.getrandbits(8)
                                                    for _ in range(rng.randint(0, 2000)))
                raw.send(body[:2000])
                sent += 1
            if not raw.poll(10000):
                self.fail("no reply after %d of %d frames" % (received, sent))
            reply = raw.recv_multipart()
            received += 1
            self.assertEqual(len(reply), 1)
            r = json.loads(reply[0])
            self.assertIs(r["ok"], False)
            self.assertIn(r["error"]["code"], codes)
        self.assertEqual(received, total)
        # Random multipart messages too: each answered or dropped, never a crash.
        for _ in range(300):
            frames = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
                      for _ in range(rng.randint(1, 7))]
            raw.send_multipart(frames)
        drained = 0
        while raw.poll(1000):
            r = json.loads(raw.recv_multipart()[-1])
            self.assertIs(r["ok"], False)
            drained += 1
        self.assertGreater(drained, 0)
        self.assertEqual(d.proc.poll(), None, "pathwayd died")
        self.assertEqual(self.state(d, app), before)
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")


class ClientsTest(ApiCase):
    def test_req_and_dealer(self):
        d = self.daemon()
        req = self.socket(d, zmq.REQ)
        for i in range(5):
            req.send(json.dumps({"id": "q%d" % i, "cmd": "system.ping",
                                 "actor": "operator"}).encode())
            self.assertTrue(req.poll(5000))
            frames = req.recv_multipart()
            self.assertEqual(len(frames), 1)  # REQ strips the delimiter
            r = json.loads(frames[0])
            self.assertEqual((r["id"], r["ok"], r["data"]["protocol"]), ("q%d" % i, True, 4))
            self.assertTrue(ISO.match(r["data"]["now"]))
        # A state change over REQ, then seen over a DEALER in both forms.
        req.send(json.dumps({"id": "q-s", "cmd": "school.create", "actor": "operator",
                             "args": {"id": "s-req", "name": "Req School"}}).encode())
        self.assertTrue(req.poll(5000))
        self.assertEqual(json.loads(req.recv())["data"]["school"]["id"], "s-req")
        # An error over REQ keeps REQ in step.
        req.send(b"not json")
        self.assertTrue(req.poll(5000))
        self.assertEqual(json.loads(req.recv())["error"]["code"], "malformed")
        dealer = self.socket(d)
        get = json.dumps({"id": "g", "cmd": "school.get", "actor": "operator",
                          "args": {"id": "s-req"}}).encode()
        for lead in ([], [b""]):
            reply = self.exchange(dealer, lead + [get])
            self.assertEqual(reply[:-1], lead)
            self.assertEqual(json.loads(reply[-1])["data"]["school"]["name"], "Req School")
        # Pipelined on one DEALER: every reply, in order.
        for i in range(50):
            dealer.send(json.dumps({"id": i, "cmd": "system.ping",
                                    "actor": "operator"}).encode())
        ids = []
        for _ in range(50):
            self.assertTrue(dealer.poll(5000))
            ids.append(json.loads(dealer.recv())["id"])
        self.assertEqual(ids, list(range(50)))


class IdempotencyTest(ApiCase):
    def send(self, sock, rid, cmd, args, actor="operator"):
        reply = self.exchange(sock, [b"", json.dumps({"id": rid, "cmd": cmd, "actor": actor,
                                                      "args": args}).encode()])
        self.assertIsNotNone(reply)
        return reply[-1]

    def test_resend_applies_once_even_after_restart(self):
        d = self.daemon()
        app = ApiCase.world(self, d)
        sock = self.socket(d)
        head = d.ok("system.ping")["head"]
        create = {"id": "p-idem", "name": "Idem Potent", "email": "i@example.org",
                  "roles": ["rater"]}
        first = self.send(sock, "c-1", "person.create", create)
        self.assertIs(json.loads(first)["ok"], True)
        again = self.send(sock, "c-1", "person.create", create)
        self.assertEqual(again, first, "the identical reply")
        ev = d.ok("events.since", {"after": head})["events"]
        self.assertEqual([e["type"] for e in ev], ["person.created"])
        self.assertEqual(len([p for p in d.ok("person.list", {})["people"]
                              if p["id"] == "p-idem"]), 1)

        # The same id with other args is not a resend: refused, nothing applied.
        r = json.loads(self.send(sock, "c-1", "person.create", dict(create, name="Other")))
        self.assertEqual(r["error"]["code"], "invalid_request")
        self.assertIn("request id reused", r["error"]["message"])
        self.assertEqual(d.ok("person.get", {"id": "p-idem"})["person"]["name"], "Idem Potent")
        # A different id applies again: here the person exists.
        r = json.loads(self.send(sock, "c-2", "person.create", create))
        self.assertEqual(r["error"]["code"], "already_exists")
        # Ids are scoped by actor: the same id from another actor is another request.
        sub = self.send(sock, 77, "application.submit",
                        {"app": app, "doc": "evidence_form",
                         "fields": ANSWERS["evidence_form"]}, "p-head")
        self.assertEqual(json.loads(sub)["data"]["application"]["docs"]["evidence_form"]["by"],
                         "p-head")
        sign = self.send(sock, 77, "application.signoff", {"app": app}, "p-cand")
        self.assertEqual(json.loads(sign)["error"]["code"], "forbidden")
        sign = self.send(sock, "c-1", "application.signoff", {"app": app}, "p-head")
        self.assertEqual(json.loads(sign)["data"]["application"]["stage"], "selection")
        # A resend after the state moved on still gets the first reply.
        self.assertEqual(self.send(sock, 77, "application.submit",
                                   {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head"), sub)
        head2 = d.ok("system.ping")["head"]

        # After a crash and a restart, the resends are still answered from the store.
        d.kill()
        d.start()
        sock.close(0)
        sock = self.socket(d)
        self.assertEqual(self.send(sock, "c-1", "person.create", create), first)
        self.assertEqual(self.send(sock, 77, "application.submit",
                                   {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head"), sub)
        self.assertEqual(self.send(sock, "c-1", "application.signoff", {"app": app}, "p-head"),
                         sign)
        self.assertEqual(d.ok("system.ping")["head"], head2)
        # Decisions: one accept, one place, whatever the resends.
        dec = self.send(sock, "d-1", "application.decide", {"app": app, "outcome": "accept"})
        for _ in range(3):
            self.assertEqual(self.send(sock, "d-1", "application.decide",
                                       {"app": app, "outcome": "accept"}), dec)
        rep = d.ok("cohort.report", {"cohort": "ntp-2026-27"})
        self.assertEqual((rep["taken"], rep["left"]), (1, rep["places"] - 1))
        r = json.loads(self.send(sock, "d-2", "application.decide",
                                 {"app": app, "outcome": "accept"}))
        self.assertEqual(r["error"]["code"], "invalid_transition")
        decided = [e for e in all_events(d)[0] if e["type"] == "application.decided"]
        self.assertEqual(len(decided), 1)
        # Read-only commands are simply run again.
        p1 = json.loads(self.send(sock, "r-1", "system.ping", {}))["data"]["head"]
        d.ok("school.create", {"id": "s-new", "name": "New"})
        p2 = json.loads(self.send(sock, "r-1", "system.ping", {}))["data"]["head"]
        self.assertEqual(p2, p1 + 1)

    def test_longest_ids_are_kept_and_control_characters_refused(self):
        d = self.daemon()
        sock = self.socket(d)
        actor = "a" * 64  # the longest person id
        d.ok("person.create", {"id": actor, "name": "Long Id", "email": "l@example.org",
                               "roles": ["la_adviser"]})
        # 128 bytes that each take two in JSON, and 128 that take several in UTF-8.
        for rid in ['"' * 128, "\\" * 128, "\u00e9" * 64]:
            args = {"id": "s-" + str(len(d.ok("school.list", {})["schools"])), "name": "S"}
            first = self.send(sock, rid, "school.create", args, actor)
            self.assertIs(json.loads(first)["ok"], True, first)
            self.assertEqual(self.send(sock, rid, "school.create", args, actor), first)
        head = d.ok("system.ping")["head"]
        for rid in ["\n", "x" * 127 + "\u001f", "\u001b[31m" + "\u0001" * 100, "\u007f"]:
            r = json.loads(self.send(sock, rid, "school.create", {"id": "s-bad", "name": "B"},
                                     actor))
            self.assertIs(r["ok"], False)
            self.assertEqual(r["error"]["code"], "invalid_request", r)
            self.assertIn("control characters", r["error"]["message"])
        self.assertEqual(d.ok("system.ping")["head"], head, "nothing changed")
        # The daemon is still there, and the stored ids survive a restart.
        d.kill()
        d.start()
        sock.close(0)
        sock = self.socket(d)
        self.assertEqual(json.loads(self.send(sock, '"' * 128, "school.create",
                                              {"id": "s-0", "name": "S"}, actor))["ok"], True)
        self.assertEqual(d.ok("system.ping")["head"], head)


class OneLiveApplicationTest(ApiCase):
    def test_one_live_application_per_candidate_and_cohort_across_deferral(self):
        d = self.daemon()
        app = self.world(d)
        r = d.call("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                   "p-cand")
        self.assertEqual(r["error"]["code"], "already_exists")
        # Deferred to next year: a live application there now, none here.
        d.ok("application.defer", {"app": app, "cohort": "ntp-2027-28"})
        r = d.call("application.create", {"cohort": "ntp-2027-28", "candidate": "p-cand"},
                   "p-cand")
        self.assertEqual(r["error"]["code"], "already_exists")
        self.assertIn(app, r["error"]["message"])
        again = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": "p-cand"},
                     "p-cand")["application"]["id"]
        # Deferring that one too would make two live applications next year: refused,
        # and nothing changed.
        before = (d.ok("system.ping")["head"], d.ok("application.get", {"app": again}),
                  d.ok("cohort.report", {"cohort": "ntp-2026-27"}),
                  d.ok("cohort.report", {"cohort": "ntp-2027-28"}))
        r = d.call("application.defer", {"app": again, "cohort": "ntp-2027-28"})
        self.assertEqual(r["error"]["code"], "already_exists")
        self.assertEqual((d.ok("system.ping")["head"], d.ok("application.get", {"app": again}),
                          d.ok("cohort.report", {"cohort": "ntp-2026-27"}),
                          d.ok("cohort.report", {"cohort": "ntp-2027-28"})), before)
        # Once the deferred one is withdrawn, the second may follow.
        d.ok("application.withdraw", {"app": app})
        self.assertEqual(d.ok("application.defer", {"app": again, "cohort": "ntp-2027-28"})
                         ["application"]["cohort"], "ntp-2027-28")
        self.assertEqual(d.ok("cohort.report", {"cohort": "ntp-2027-28"})["total"], 2)


class ConfidentialityTest(ApiCase):
    def test_who_responded_and_who_acted_stay_with_the_la(self):
        d = self.daemon()
        app = self.world(d)
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("application.decide", {"app": app, "outcome": "accept"})
        # A place is given up by withdrawing, not by deciding again.
        for outcome in ("accept", "reject", "waitlist"):
            r = d.call("application.decide", {"app": app, "outcome": outcome})
            self.assertEqual(r["error"]["code"], "invalid_transition", outcome)
        self.assertEqual(d.ok("cohort.report", {"cohort": "ntp-2026-27"})["taken"], 1)
        # Only people with the rater role can be invited (they alone may respond).
        r = d.call("application.invite_rater", {"app": app, "rater": "p-other"}, "p-cand")
        self.assertEqual(r["error"]["code"], "invalid_request")
        self.assertIn("rater role", r["error"]["message"])
        for i in (1, 2):
            d.ok("person.create", {"id": "p-r%d" % i, "name": "R%d" % i, "roles": ["rater"],
                                   "email": "r%d@example.org" % i, "school": "s-elm"})
            d.ok("application.invite_rater", {"app": app, "rater": "p-r%d" % i}, "p-cand")
        d.ok("application.record_response", {"app": app, "rater": "p-r2"}, "p-r2")
        listed = [a for a in d.ok("application.list", {}, "p-head")["applications"]
                  if a["id"] == app]
        self.assertFalse(any("responded" in r for r in listed[0]["raters"].values()))
        for who in ("p-cand", "p-head", "p-r1"):
            raters = d.ok("application.get", {"app": app}, who)["application"]["raters"]
            # An invited rater sees only their own entry.
            self.assertEqual(sorted(raters), ["p-r1"] if who == "p-r1" else ["p-r1", "p-r2"],
                             who)
            self.assertFalse(any("responded" in r for r in raters.values()), who)
            hist = d.ok("application.history", {"app": app}, who)["events"]
            self.assertNotIn("p-r2", json.dumps(
                [e for e in hist if e["type"] != "application.rater_invited"]), who)
        # The rater sees their own response; the LA sees everything.
        self.assertIn("responded", d.ok("application.get", {"app": app}, "p-r2")
                      ["application"]["raters"]["p-r2"])
        la = d.ok("application.history", {"app": app})["events"]
        rec = [e for e in la if e["type"] == "application.response_recorded"]
        # No event names who responded: the record does, for the LA.
        self.assertEqual([(e.get("actor"), e["data"]) for e in rec],
                         [(None, {"have": 1, "need": 8})])
        self.assertIn("responded", d.ok("application.get", {"app": app})
                      ["application"]["raters"]["p-r2"])


class PeopleTest(ApiCase):
    def test_a_candidate_moving_school_takes_open_applications(self):
        d = self.daemon()
        app = self.world(d)  # p-cand at Oakfield, the application at sign-off
        d.ok("person.create", {"id": "p-head-elm", "name": "Elm Head", "roles": ["headteacher"],
                               "email": "elm@example.org", "school": "s-elm"})
        d.ok("person.update", {"id": "p-cand", "school": "s-elm"})
        a = d.ok("application.get", {"app": app})["application"]
        self.assertEqual(a["school"], "s-elm")
        self.assertEqual([x["id"] for x in d.ok("application.list", {"school": "s-elm"})
                          ["applications"]], [app])
        self.assertEqual(d.ok("application.list", {"school": "s-oak"})["applications"], [])
        # The new headteacher signs off; the old one may not any more.
        self.assertEqual(d.call("application.submit", {"app": app, "doc": "evidence_form",
                                                       "fields": ANSWERS["evidence_form"]},
                                "p-head")["error"]["code"], "forbidden")
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head-elm")
        d.ok("application.signoff", {"app": app}, "p-head-elm")
        ev = [e for e in d.ok("application.history", {"app": app})["events"]
              if e["type"] == "application.school_changed"]
        self.assertEqual([e["data"] for e in ev], [{"from": "s-oak", "to": "s-elm"}])

    def test_email_addresses_are_checked(self):
        d = self.daemon()
        self.world(d)
        for bad in ("", "head", "la adviser at county", "a@b@c.org", "@x.org", "x@",
                    "a@x.org,b@y.org", "Head <h@x.org>"):
            r = d.call("person.update", {"id": "p-head", "email": bad})
            self.assertEqual(r["error"]["code"], "invalid_request", bad)
            r = d.call("school.update", {"id": "s-oak", "email": bad})
            self.assertEqual(r["error"]["code"], "invalid_request", bad)
        d.ok("person.update", {"id": "p-head", "email": "m.lowe+pathway@oakfield.sch.uk"})


class EventsTest(ApiCase):
    def sub(self, d, *topics):
        s = self.socket(d, zmq.SUB, "events.sock")
        for t in topics + ("-/school.created",):  # the last one: a marker for set-up
            s.setsockopt(zmq.SUBSCRIBE, t.encode())
        return s

    @staticmethod
    def drain(sock, into, timeout=0):
        while sock.poll(timeout):
            topic, body = sock.recv_multipart()
            into.append((topic.decode(), json.loads(body)))
            timeout = 0

    def test_stream_filters_bodies_and_catch_up(self):
        d = self.daemon()
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        subs = {"all": self.sub(d, ""),
                "ntp": self.sub(d, "ntp-2026-27/"),
                "ntp-stage": self.sub(d, "ntp-2026-27/application.stage_changed"),
                "decided": self.sub(d, "ntp-2026-27/application.decided",
                                    "kent-2026-27/application.decided"),
                "kent": self.sub(d, "kent-2026-27/"),
                "people": self.sub(d, "-/person.")}
        got = {k: [] for k in subs}
        # Wait until every subscription has reached the publisher (slow joiner).
        n = 0

        def joined():
            nonlocal n
            n += 1
            d.ok("school.create", {"id": "s-sync%d" % n, "name": "sync"})
            for k, s in subs.items():
                self.drain(s, got[k], 100)
            return all(any(t == "-/school.created" for t, _ in v) for v in got.values())
        wait_for(joined, what="subscriptions")
        for k in got:
            got[k] = []
        self.drain(subs["all"], got["all"], 300)
        got["all"] = []
        start = d.ok("system.ping")["head"]

        # A little of everything, in two cohorts.
        for pid, roles, school in [("p-a", ["candidate"], "s-oak"), ("p-b", ["candidate"], "s-oak"),
                                   ("p-h", ["headteacher"], "s-oak"), ("p-k", ["candidate"], "s-oak"),
                                   ("p-view", ["viewer"], None)]:
            args = {"id": pid, "name": pid, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            d.ok("person.create", args)
        apps = {}
        for c in ("p-a", "p-b"):
            apps[c] = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": c},
                           c)["application"]["id"]
            d.ok("application.submit", {"app": apps[c], "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"]}, c)
            d.ok("application.submit", {"app": apps[c], "doc": "evidence_form",
                                        "fields": ANSWERS["evidence_form"]}, "p-h")
            d.ok("application.signoff", {"app": apps[c]}, "p-h")
        d.ok("application.decide", {"app": apps["p-a"], "outcome": "accept"})
        d.ok("application.decide", {"app": apps["p-b"], "outcome": "reject"})
        kapp = d.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                           "candidate": "p-k"},
                    "p-k")["application"]["id"]
        d.ok("application.decide", {"app": kapp, "outcome": "accept"})
        d.call("application.signoff", {"app": kapp}, "p-a")  # audit.refused, in kent
        d.ok("clock.advance", {"seconds": 3600})
        head = d.ok("system.ping")["head"]

        def complete():
            for k, s in subs.items():
                self.drain(s, got[k], 50)
            return got["all"] and got["all"][-1][1]["seq"] >= head
        wait_for(complete, what="the stream up to head")
        for k, s in subs.items():
            self.drain(s, got[k], 200)

        logged = d.ok("events.since", {"after": start, "limit": 1000})["events"]
        self.assertEqual([e["seq"] for e in logged], list(range(start + 1, head + 1)))
        # The stream carries exactly the log: same bodies, same order, no gaps.
        self.assertEqual([b for _, b in got["all"]], logged)
        for topic, e in got["all"]:
            self.assertEqual(topic, "%s/%s" % (e.get("cohort", "-"), e["type"]))
            self.assertTrue(ISO.match(e["at"]), e)
            self.assertIsInstance(e["actor"], str)
            self.assertIsInstance(e["seq"], int)
            if e["type"].startswith("application.") and e["type"] != "application.overdue":
                self.assertIn(e["app"], list(apps.values()) + [kapp])
                self.assertIn(e["cohort"], ("ntp-2026-27", "kent-2026-27"))
                self.assertIn("stage", e)
                if e["cohort"] == "ntp-2026-27":
                    self.assertEqual(e["school"], "s-oak")
        sc = [e for _, e in got["all"] if e["type"] == "application.stage_changed"]
        self.assertTrue(sc)
        self.assertTrue(all(set(e["data"]) == {"from", "to"} and e["stage"] == e["data"]["to"]
                            for e in sc), sc)
        signed = [e for _, e in got["all"] if e["type"] == "application.signed_off"][0]
        self.assertEqual((signed["actor"], signed["school"], signed["cohort"]),
                         ("p-h", "s-oak", "ntp-2026-27"))

        def expect(pred):
            return [e for e in logged if pred("%s/%s" % (e.get("cohort", "-"), e["type"]))]
        for k, pred in [
                ("ntp", lambda t: t.startswith("ntp-2026-27/")),
                ("ntp-stage", lambda t: t == "ntp-2026-27/application.stage_changed"),
                ("decided", lambda t: t.endswith("/application.decided")),
                ("kent", lambda t: t.startswith("kent-2026-27/")),
                ("people", lambda t: t.startswith("-/person."))]:
            with self.subTest(filter=k):
                mine = [(t, e) for t, e in got[k] if t != "-/school.created"]
                self.assertEqual([e for _, e in mine], expect(pred))
                self.assertTrue(mine)
        # (A set-up marker may still arrive late on any subscription: not counted.)
        self.assertEqual(len([t for t, _ in got["decided"] if t != "-/school.created"]), 3)
        self.assertEqual([e["type"] for _, e in got["kent"]][-1:], ["audit.refused"])

        # A subscriber that joins late catches up from the log, then the stream.
        late = self.sub(d, "")
        seen = []
        ctr = itertools.count()
        wait_for(lambda: (d.ok("school.create", {"id": "s-l%d" % next(ctr), "name": "l"})
                          and (self.drain(late, seen, 100) or seen)), what="late subscriber")
        first = seen[0][1]["seq"]
        caught, _ = all_events(d, "p-view")
        merged = {e["seq"]: e for e in caught if e["seq"] < first}
        merged.update({e["seq"]: e for _, e in seen})
        self.assertEqual(sorted(merged), list(range(1, max(merged) + 1)))
        self.assertEqual([merged[s] for s in sorted(merged)],
                         d.ok("events.since", {"after": 0, "limit": 1000})["events"][:len(merged)])

    def test_published_only_after_commit(self):
        d = self.daemon()
        sub = self.sub(d, "")
        got = []
        ctr = itertools.count()
        wait_for(lambda: (d.ok("school.create", {"id": "s-%d" % next(ctr), "name": "x"})
                          and (self.drain(sub, got, 100) or got)), what="subscription")
        # Events are published after the reply, which is sent after the commit: whenever
        # an event arrives, the log already holds it, and a crash right after cannot undo it.
        sock = self.socket(d)
        for i in range(40):
            sock.send(json.dumps({"id": "w%d" % i, "cmd": "school.create", "actor": "operator",
                                  "args": {"id": "s-w%d" % i, "name": "W"}}).encode())
        seen = []
        wait_for(lambda: (self.drain(sub, seen, 50) or True) and len(seen) >= 40,
                 what="40 events")
        d.kill()
        d.start()
        logged = {e["seq"]: e for e in all_events(d)[0]}
        for _, e in seen:
            self.assertEqual(logged.get(e["seq"]), e)
        replies = 0
        while sock.poll(100):
            sock.recv()
            replies += 1
        self.assertEqual(replies, 40)


class ListingTest(ApiCase):
    def test_list_filters_paging_and_report(self):
        d = self.daemon()
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak"})
        d.ok("school.create", {"id": "s-elm", "phase": "primary", "name": "Elm"})
        for s in ("s-oak", "s-elm"):
            d.ok("person.create", {"id": "h-" + s, "name": "H", "email": "h@example.org",
                                   "roles": ["headteacher"], "school": s})
        made = {}  # app -> (school, stage, status)
        # 12 NTP applications: at interest, signoff, selection, feedback_360 or rejected.
        for i in range(12):
            school = "s-oak" if i % 3 else "s-elm"
            c = "p-n%02d" % i
            d.ok("person.create", {"id": c, "name": c, "email": c + "@example.org",
                                   "roles": ["candidate"], "school": school})
            app = d.ok("application.create", {"cohort": "ntp-2026-27", "candidate": c},
                       c)["application"]["id"]
            stage, status = "interest", "active"
            if i % 4 >= 1:
                d.ok("application.submit", {"app": app, "doc": "self_evaluation",
                                            "fields": ANSWERS["self_evaluation"]}, c)
                stage = "signoff"
            if i % 4 >= 2:
                d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                            "fields": ANSWERS["evidence_form"]}, "h-" + school)
                d.ok("application.signoff", {"app": app}, "h-" + school)
                stage = "selection"
            if i % 4 == 3:
                outcome = "accept" if i != 11 else "reject"
                a = d.ok("application.decide", {"app": app, "outcome": outcome})["application"]
                stage, status = a["stage"], a["status"]
            made[app] = (school, stage, status)
        # Kent: 20 places; fill them, then a waiting list of three.
        kent = []
        for i in range(23):
            c = "p-k%02d" % i
            d.ok("person.create", {"id": c, "name": c, "email": c + "@example.org",
                                   "roles": ["candidate"], "school": "s-elm"})
            kent.append(d.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                                    "candidate": c},
                             c)["application"]["id"])
        for app in kent[:20]:
            d.ok("application.decide", {"app": app, "outcome": "accept"})
        r = d.call("application.decide", {"app": kent[20], "outcome": "accept"})
        self.assertEqual(r["error"]["code"], "cohort_full")
        for app in (kent[22], kent[20], kent[21]):
            a = d.ok("application.decide", {"app": app, "outcome": "waitlist"})["application"]
            self.assertEqual(a["status"], "waitlisted")

        def ids(args, actor="operator"):  # the order is the daemon's; paging keeps it
            return sorted(a["id"] for a in
                          d.ok("application.list", args, actor)["applications"])

        ntp = sorted(made)
        self.assertEqual(ids({"cohort": "ntp-2026-27", "limit": 1000}), ntp)
        self.assertEqual(ids({"cohort": "kent-2026-27", "limit": 1000}), sorted(kent))
        self.assertEqual(ids({"limit": 1000}), sorted(ntp + kent))
        for stage in ("interest", "signoff", "selection", "feedback_360"):
            self.assertEqual(ids({"cohort": "ntp-2026-27", "stage": stage}),
                             sorted(a for a, v in made.items() if v[1] == stage and
                                    v[2] == "active"), stage)
        self.assertEqual(ids({"cohort": "ntp-2026-27", "school": "s-elm"}),
                         sorted(a for a, v in made.items() if v[0] == "s-elm"))
        self.assertEqual(ids({"status": "rejected"}),
                         [a for a, v in sorted(made.items()) if v[2] == "rejected"])
        self.assertEqual(ids({"status": "waitlisted"}), sorted(kent[20:]))
        self.assertEqual(ids({"cohort": "kent-2026-27", "stage": "introduction"}),
                         sorted(kent[:20]))
        # A headteacher sees only their own school's applications.
        self.assertEqual(ids({"cohort": "ntp-2026-27"}, "h-s-oak"),
                         sorted(a for a, v in made.items() if v[0] == "s-oak"))
        self.assertEqual(d.call("application.list", {}, "p-n00")["error"]["code"], "forbidden")

        # Paging: limit + after walk the whole list once, in order; next is null at the end.
        for limit, filt in [(1, {}), (5, {}), (7, {}), (2, {"cohort": "ntp-2026-27"}),
                            (3, {"cohort": "kent-2026-27"}), (1, {"school": "s-oak"}),
                            (4, {"status": "active"}), (2, {"cohort": "ntp-2026-27",
                                                            "stage": "selection"})]:
            whole = [a["id"] for a in d.ok("application.list", dict(filt, limit=1000))
                     ["applications"]]
            pages, after = [], None
            while True:
                args = dict(filt, limit=limit)
                if after:
                    args["after"] = after
                page = d.ok("application.list", args)
                self.assertLessEqual(len(page["applications"]), limit)
                pages += [a["id"] for a in page["applications"]]
                after = page["next"]
                if after is None:
                    break
                self.assertEqual(after, pages[-1])
            self.assertEqual(pages, whole, (limit, filt))
            self.assertEqual(sorted(pages), ids(dict(filt, limit=1000)))
        self.assertEqual(len(ids({"limit": 1000})), len(ntp + kent))

        # Overdue: nothing yet; past the NTP interest closing date (25 Sep, 17:00 BST) and
        # the sign-off deadline (14 days), those two stages are overdue.
        self.assertEqual(ids({"overdue": True}), [])
        d.ok("clock.set", {"now": "2026-09-25T16:00:01Z"})
        over = ids({"overdue": True, "limit": 1000})
        self.assertEqual(over, sorted(a for a, v in made.items()
                                      if v[1] in ("interest", "signoff") and v[2] == "active"))
        self.assertEqual(ids({"overdue": True, "stage": "interest", "cohort": "ntp-2026-27"}),
                         sorted(a for a, v in made.items() if v[1] == "interest"))

        rep = d.ok("cohort.report", {"cohort": "ntp-2026-27"}, "operator")
        self.assertEqual(rep["cohort"], "ntp-2026-27")
        self.assertEqual(rep["programme"], "norfolk-talent-pool")
        self.assertEqual((rep["places"], rep["taken"], rep["left"]), (30, 2, 28))
        self.assertEqual(rep["waiting"], [])
        self.assertEqual(rep["total"], 12)
        self.assertEqual(rep["overdue"], len(over))
        stages = {}
        status = {}
        for school, stage, st in made.values():
            status[st] = status.get(st, 0) + 1
            if st == "active":
                stages[stage] = stages.get(stage, 0) + 1
        self.assertEqual({k: v for k, v in rep["stages"].items() if v}, stages)
        self.assertEqual({k: v for k, v in rep["status"].items() if v}, status)

        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"}, "operator")
        self.assertEqual((rep["places"], rep["taken"], rep["left"]), (20, 20, 0))
        self.assertEqual(rep["waiting"], [kent[22], kent[20], kent[21]])
        self.assertEqual({k: v for k, v in rep["stages"].items() if v}, {"introduction": 20})
        self.assertEqual({k: v for k, v in rep["status"].items() if v},
                         {"active": 20, "waitlisted": 3})
        # A withdrawal offers the place to the first on the waiting list: held for it
        # (offered, not taken) until it accepts.
        d.ok("application.withdraw", {"app": kent[3], "reason": "moved"}, "p-k03")
        a = d.ok("application.get", {"app": kent[22]})["application"]
        self.assertEqual((a["status"], a["place"]), ("waitlisted", False))
        self.assertEqual(sorted(a["offer"]), ["expires", "made"])
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"],
                          rep["offers"]), (19, 1, 0, kent[20:22], [kent[22]]))
        d.ok("application.accept_offer", {"app": kent[22]}, "p-k22")
        a = d.ok("application.get", {"app": kent[22]})["application"]
        self.assertEqual((a["status"], a["stage"], a["place"]), ("active", "introduction", True))
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"]),
                         (20, 0, 0, kent[20:22]))
        self.assertEqual(d.call("cohort.report", {"cohort": "kent-2026-27"}, "p-k00")
                         ["error"]["code"], "forbidden")

        # Overdue in two cohorts, paged one at a time without a cohort: each once, then
        # the end.
        late = []
        for i in range(2):
            c = "p-late%d" % i
            d.ok("person.create", {"id": c, "name": c, "email": c + "@example.org",
                                   "roles": ["candidate"], "school": "s-oak"})
            late.append(d.ok("application.create", {"cohort": "ntp-2027-28", "candidate": c},
                             c)["application"]["id"])
        d.ok("clock.set", {"now": "2027-10-01T12:00:00Z"})
        whole = [a["id"] for a in d.ok("application.list", {"overdue": True, "limit": 1000})
                 ["applications"]]
        self.assertTrue(set(late) <= set(whole) and set(over) <= set(whole), whole)
        pages, after = [], None
        while len(pages) <= len(whole):
            args = {"overdue": True, "limit": 1}
            if after:
                args["after"] = after
            page = d.ok("application.list", args)
            pages += [a["id"] for a in page["applications"]]
            after = page["next"]
            if after is None:
                break
        self.assertEqual(pages, whole)

        # An application's history, whole or by pages.
        full = d.ok("application.history", {"app": kent[22]})
        self.assertIsNone(full["next"])
        self.assertGreaterEqual(len(full["events"]), 4)
        pages, after = [], 0
        while True:
            page = d.ok("application.history", {"app": kent[22], "after": after, "limit": 2})
            self.assertLessEqual(len(page["events"]), 2)
            pages += page["events"]
            if page["next"] is None:
                break
            self.assertEqual(page["next"], pages[-1]["seq"])
            after = page["next"]
        self.assertEqual(pages, full["events"])
        self.assertEqual(d.call("application.history", {"app": kent[22], "limit": 0})
                         ["error"]["code"], "invalid_request")


class BackupTest(ApiCase):
    def test_hot_backup_opens_with_the_same_data(self):
        d = self.daemon()
        app = self.world(d)
        for i in range(30):
            d.ok("person.create", {"id": "p-b%d" % i, "name": "B", "email": "b@example.org",
                                   "roles": ["rater"]})
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        bdir = os.path.join(d.dir, "backup")  # daemon.backup_dir; "db" is a name under it
        # A writer keeps going on its own socket while the backup is taken.
        stop = threading.Event()
        errors = []
        wsock = d.ctx.socket(zmq.DEALER)
        wsock.connect("ipc://%s/api.sock" % d.dir)

        def writer():
            i = 0
            try:
                while not stop.is_set():
                    wsock.send(json.dumps({"id": "w%d" % i, "cmd": "school.create",
                                           "actor": "operator",
                                           "args": {"id": "s-w%d" % i, "name": "W"}}).encode())
                    if not wsock.poll(10000):
                        errors.append("no reply")
                        return
                    r = json.loads(wsock.recv())
                    if not r["ok"]:
                        errors.append(r)
                    i += 1
            finally:
                wsock.close(0)
        t = threading.Thread(target=writer)
        t.start()
        try:
            wait_for(lambda: d.ok("system.ping")["head"] > 60, what="writes")
            r = d.call("system.backup", {"path": "db"}, "p-cand")
            self.assertEqual(r["error"]["code"], "forbidden")
            b = d.ok("system.backup", {"path": "db"})
            h_after = d.ok("system.ping")["head"]
            wait_for(lambda: d.ok("system.ping")["head"] > h_after + 20, what="more writes")
        finally:
            stop.set()
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(b["path"], os.path.join(bdir, "db"))
        self.assertGreater(b["bytes"], 0)
        self.assertTrue(os.path.exists(os.path.join(bdir, "db", "data.mdb")))
        # A second backup into the same directory is refused (it holds data.mdb).
        r = d.call("system.backup", {"path": "db"})
        self.assertEqual(r["error"]["code"], "already_exists")
        # The candidate's attempt is in the audit log, like every refusal.
        refused = [e for e in d.ok("events.since", {"after": 0, "limit": 1000})["events"]
                   if e["type"] == "audit.refused"]
        self.assertEqual([(e["actor"], e["data"]) for e in refused],
                         [("p-cand", {"cmd": "system.backup", "code": "forbidden",
                                      "principal": "operator"})])

        copy = DaemonAt(bdir, START)
        self.addCleanup(copy.stop)
        ev_copy, head_copy = all_events(copy)
        ev_orig, head_orig = all_events(d)
        # The copy is a consistent cut: a gap-free prefix of the original's log.
        self.assertGreater(head_copy, 60)
        self.assertLessEqual(head_copy, h_after)
        self.assertEqual([e["seq"] for e in ev_copy], list(range(1, head_copy + 1)))
        self.assertEqual(ev_copy, ev_orig[:head_copy])
        self.assertEqual(copy.ok("application.get", {"app": app}),
                         d.ok("application.get", {"app": app}))
        self.assertEqual(copy.ok("cohort.report", {"cohort": "ntp-2026-27"}),
                         d.ok("cohort.report", {"cohort": "ntp-2026-27"}))
        created = {e["data"]["school"] for e in ev_copy if e["type"] == "school.created"}
        self.assertEqual({s["id"] for s in copy.ok("school.list")["schools"]}, created)
        self.assertEqual(copy.ok("person.list", {})["people"], d.ok("person.list", {})["people"])
        # And it serves on its own.
        copy.ok("application.signoff", {"app": app}, "p-head")
        self.assertEqual(d.ok("application.get", {"app": app})["application"]["stage"], "signoff")


class Lmdb:
    """Just enough of liblmdb through ctypes to rewrite one meta record."""

    class Val(ctypes.Structure):
        _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]

    def __init__(self):
        name = ctypes.util.find_library("lmdb") or "liblmdb.so.0"
        self.lib = ctypes.CDLL(name)
        self.lib.mdb_strerror.restype = ctypes.c_char_p

    def check(self, rc):
        if rc != 0:
            raise RuntimeError(self.lib.mdb_strerror(rc).decode())

    def put_meta(self, path, key, value):
        lib, env, txn, dbi = self.lib, ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_uint()
        self.check(lib.mdb_env_create(ctypes.byref(env)))
        try:
            self.check(lib.mdb_env_set_maxdbs(env, 64))
            self.check(lib.mdb_env_open(env, path.encode(), 0, 0o640))
            self.check(lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)))
            self.check(lib.mdb_dbi_open(txn, b"meta", 0, ctypes.byref(dbi)))
            kb, vb = ctypes.create_string_buffer(key), ctypes.create_string_buffer(value)
            k, v, old = self.Val(len(key), ctypes.cast(kb, ctypes.c_void_p)), \
                self.Val(len(value), ctypes.cast(vb, ctypes.c_void_p)), self.Val()
            self.check(lib.mdb_get(txn, dbi, ctypes.byref(k), ctypes.byref(old)))
            was = ctypes.string_at(old.mv_data, old.mv_size)
            self.check(lib.mdb_put(txn, dbi, ctypes.byref(k), ctypes.byref(v), 0))
            self.check(lib.mdb_txn_commit(txn))
            return was
        finally:
            lib.mdb_env_close(env)


class SchemaTest(ApiCase):
    def test_other_schema_version_refuses_to_start(self):
        d = self.daemon()
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak"})
        d.proc.terminate()
        self.assertEqual(d.proc.wait(20), 0)
        db = os.path.join(d.dir, "db")
        was = Lmdb().put_meta(db, b"schema", b"999")
        self.assertRegex(was.decode(), r"^\d+$")
        p = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", d.conf],
                           stderr=subprocess.PIPE, timeout=60)
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("schema version '999'", err)
        self.assertIn("reads version %s" % was.decode(), err)
        self.assertIn(db, err)
        # Nothing was changed by the refusal: put the version back and it serves.
        self.assertEqual(Lmdb().put_meta(db, b"schema", was), b"999")
        d.log.close()
        d.start()
        self.assertEqual(d.ok("school.get", {"id": "s-oak"})["school"]["name"], "Oak")


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class FloodTest(ApiCase):
    def test_flood_of_pipelined_requests(self):
        d = self.daemon()
        app = self.world(d)
        before = self.state(d, app)
        base = rss_kb(d.proc.pid)
        flood = self.socket(d)
        flood.setsockopt(zmq.SNDHWM, 0)  # queue everything on our side
        flood.setsockopt(zmq.RCVHWM, 100)
        body = json.dumps({"id": "f", "cmd": "events.since", "actor": "operator",
                           "args": {"after": 0, "limit": 1000}}).encode()
        n = 50000
        for i in range(n):
            flood.send(body if i % 10 else b"garbage")
        peak = base
        other = self.socket(d)
        ping = json.dumps({"id": "p", "cmd": "system.ping", "actor": "operator"}).encode()
        # While the flood is queued and nobody reads its replies, others are served.
        for _ in range(20):
            r = self.exchange(other, [b"", ping], 10000)
            self.assertIsNotNone(r, "not served during the flood")
            peak = max(peak, rss_kb(d.proc.pid))
        # Give the daemon time to chew through everything it can read.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 8:
            peak = max(peak, rss_kb(d.proc.pid))
            self.assertIsNotNone(self.exchange(other, [b"", ping], 10000))
            time.sleep(0.05)
        self.assertIsNone(d.proc.poll(), "pathwayd died")
        # Bounded: the daemon keeps no queue of its own beyond a batch and the HWMs.
        self.assertLess(peak - base, 200 * 1024, "VmRSS grew from %d to %d kB" % (base, peak))
        got = 0
        while flood.poll(500):
            r = json.loads(flood.recv())
            self.assertIn(r["id"], ("f", None))
            got += 1
        self.assertGreater(got, 0)
        self.assertLessEqual(got, n)
        self.assertEqual(self.state(d, app), before)
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")


if __name__ == "__main__":
    unittest.main()
