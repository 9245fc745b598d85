#!/usr/bin/python3
"""kill -9 under load: nothing acknowledged is lost, nothing is half applied.

Several DEALER clients in threads drive candidates through the first stages
of the Norfolk programme (person, application, self-evaluation, evidence form,
sign-off, decision) while the main thread kills pathwayd with SIGKILL at
seeded random moments and restarts it. A client that gets no reply resends
the same request id (sometimes it gives up, leaving the request
unacknowledged). After the last restart: every acknowledged command's effect
is in the store, resends return the identical reply, the event log is
gap-free from 1 to head and agrees with every record, and every
unacknowledged request was applied fully or not at all (its resend applies it
exactly once).
"""
import json
import random
import threading
import time
import unittest

import zmq

from test_timers import Daemon
from answers import ANSWERS

SEED = 4242
CLIENTS = 4
CHAINS = 40  # candidates per client
ACCEPTS = 7  # per client: 4 x 7 = 28 of the cohort's 30 places; the rest wait
KILLS = 8
COHORT = "ntp-2026-27"


class Client(threading.Thread):
    def __init__(self, k, d, rng):
        super().__init__(name="client-%d" % k)
        self.k = k
        self.d = d
        self.rng = rng
        self.sock = None
        self.n = 0
        self.acked = []    # (rid, cmd, args, actor, reply)
        self.unacked = []  # (rid, cmd, args, actor)
        self.errors = []
        self.resends = 0
        self.connect()

    def connect(self):
        if self.sock is not None:
            self.sock.close(0)
        self.sock = self.d.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect("ipc://%s/api.sock" % self.d.dir)

    def call(self, cmd, args, actor, may_give_up=True):
        self.n += 1
        rid = "k%d-%d" % (self.k, self.n)
        body = json.dumps({"id": rid, "cmd": cmd, "actor": actor, "args": args}).encode()
        while True:
            self.sock.send_multipart([b"", body])
            deadline = time.monotonic() + 1.0
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self.sock.poll(int(left * 1000) + 1):
                    break
                reply = json.loads(self.sock.recv_multipart()[-1])
                if reply["id"] != rid:
                    continue  # a late reply to an earlier resend
                if reply["ok"]:
                    self.acked.append((rid, cmd, args, actor, reply))
                else:
                    self.errors.append((rid, cmd, args, actor, reply))
                return reply
            # No reply: the daemon is down or the request was lost with it.
            self.resends += 1
            if may_give_up and self.rng.random() < 0.5:
                self.unacked.append((rid, cmd, args, actor))
                self.connect()
                return None
            self.connect()

    def chain(self, j):
        c = "c%d-%02d" % (self.k, j)
        steps = [
            ("person.create", {"id": c, "name": "Candidate %s" % c, "email": c + "@example.org",
                               "roles": ["candidate"], "school": "s-crash"}, "operator"),
            ("application.create", {"cohort": COHORT, "candidate": c}, c),
        ]
        for cmd, args, actor in steps:
            if self.call(cmd, args, actor) is None:
                return
        app = self.acked[-1][4]["data"]["application"]["id"]
        outcome = "accept" if j < ACCEPTS else "waitlist"
        for cmd, args, actor in [
                ("application.submit", {"app": app, "doc": "self_evaluation",
                                        "fields": ANSWERS["self_evaluation"],
                                        "ref": "https://example.org/" + c}, c),
                ("application.submit", {"app": app, "doc": "evidence_form",
                                        "fields": ANSWERS["evidence_form"]}, "p-head"),
                ("application.signoff", {"app": app}, "p-head"),
                ("application.decide", {"app": app, "outcome": outcome}, "operator")]:
            if self.call(cmd, args, actor) is None:
                return

    def run(self):
        try:
            for j in range(CHAINS):
                self.chain(j)
        except Exception as e:  # pylint: disable=broad-except
            self.errors.append(("exception", repr(e)))
        finally:
            self.sock.close(0)


def all_events(d):
    out, after = [], 0
    while True:
        page = d.ok("events.since", {"after": after, "limit": 1000})
        out += page["events"]
        if not page["events"]:
            return out, page["head"]
        after = page["events"][-1]["seq"]


class CrashTest(unittest.TestCase):
    def test_kill9_under_load(self):
        t0 = time.monotonic()
        rng = random.Random(SEED)
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        d.ok("school.create", {"id": "s-crash", "phase": "primary", "name": "Crash Primary"})
        d.ok("person.create", {"id": "p-head", "name": "Head", "email": "h@example.org",
                               "roles": ["headteacher"], "school": "s-crash"})
        clients = [Client(k, d, random.Random(rng.random())) for k in range(CLIENTS)]
        for c in clients:
            c.start()
        # Crash at random points of the load, measured in acknowledged requests (not
        # in seconds, so a faster or slower machine crashes as often): out of about
        # CLIENTS * CHAINS * 6 requests, at least 700 are answered whatever the kills.
        kills = 0
        for at in sorted(rng.sample(range(20, 700), KILLS)):
            while (sum(len(c.acked) for c in clients) < at and
                   any(c.is_alive() for c in clients)):
                time.sleep(0.005)
            if not any(c.is_alive() for c in clients):
                break
            d.kill()
            kills += 1
            d.start()
        for c in clients:
            c.join(120)
            self.assertFalse(c.is_alive())
        self.assertEqual(kills, KILLS, "the load ended before every kill")
        d.kill()
        d.start()

        for c in clients:
            self.assertEqual([e for e in c.errors], [], "refused or failed requests")
        acked = [a for c in clients for a in c.acked]
        unacked = [u for c in clients for u in c.unacked]
        self.assertGreater(len(acked), CLIENTS * CHAINS)
        print("crash: %d kills, %d acknowledged, %d unacknowledged, %d resends" % (
            kills, len(acked), len(unacked), sum(c.resends for c in clients)))

        # 1. Every acknowledged command's effect is in the store.
        for rid, cmd, args, actor, reply in acked:
            data = reply["data"]
            if cmd == "person.create":
                self.assertEqual(d.ok("person.get", {"id": args["id"]})["person"]["name"],
                                 args["name"])
                continue
            app = d.ok("application.get", {"app": data["application"]["id"]})["application"]
            if cmd == "application.create":
                self.assertEqual((app["candidate"], app["cohort"]), (args["candidate"], COHORT))
            elif cmd == "application.submit":
                self.assertIn(args["doc"], app["docs"])
                self.assertEqual(app["docs"][args["doc"]]["by"], actor)
            elif cmd == "application.signoff":
                self.assertEqual(app["signoffs"]["signoff"]["by"], "p-head")
            elif cmd == "application.decide":
                self.assertEqual(app["decisions"]["selection"]["outcome"], args["outcome"])
                self.assertEqual(app["status"],
                                 "active" if args["outcome"] == "accept" else "waitlisted")
        # ... and a resend with the same id returns the identical reply, applying nothing.
        head = d.ok("system.ping")["head"]
        sock = d.ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect("ipc://%s/api.sock" % d.dir)
        self.addCleanup(sock.close, 0)

        def send(rid, cmd, args, actor):
            sock.send(json.dumps({"id": rid, "cmd": cmd, "actor": actor,
                                  "args": args}).encode())
            self.assertTrue(sock.poll(10000))
            return json.loads(sock.recv())
        for rid, cmd, args, actor, reply in acked:
            self.assertEqual(send(rid, cmd, args, actor), reply, rid)
        self.assertEqual(d.ok("system.ping")["head"], head)

        # 2. The log is gap-free and agrees with every record.
        events, head = all_events(d)
        self.assertEqual([e["seq"] for e in events], list(range(1, head + 1)))
        self.check_consistent(d, events)

        # 3. Unacknowledged requests were applied fully or not at all: the records and
        # the log agree (above), and a resend applies each exactly once.
        self.assertGreater(len(unacked), 0, "no request was left unacknowledged")
        for rid, cmd, args, actor in unacked:
            before = all_events(d)[1]
            r = send(rid, cmd, args, actor)
            self.assertIs(r["ok"], True, (rid, cmd, r))
            self.assertEqual(send(rid, cmd, args, actor), r, "a second resend")
            new = d.ok("events.since", {"after": before})["events"]
            if cmd == "person.create":
                self.assertEqual(d.ok("person.get", {"id": args["id"]})["person"]["name"],
                                 args["name"])
                self.assertIn(len(new), (0, 1))
            elif cmd == "application.create":
                mine = [a for a in d.ok("application.list", {"limit": 1000})["applications"]
                        if a["candidate"] == args["candidate"]]
                self.assertEqual([a["id"] for a in mine], [r["data"]["application"]["id"]])
        events, head = all_events(d)
        self.assertEqual([e["seq"] for e in events], list(range(1, head + 1)))
        self.check_consistent(d, events)
        self.assertLess(time.monotonic() - t0, 90)

    def check_consistent(self, d, events):
        apps = {a["id"]: a for a in d.ok("application.list", {"limit": 1000})["applications"]}
        people = {p["id"] for p in d.ok("person.list", {})["people"]}
        created = [e["data"]["person"] for e in events if e["type"] == "person.created"]
        self.assertEqual(sorted(created), sorted(people), "one person.created per person")
        per_app = {}
        for e in events:
            if "app" in e:
                per_app.setdefault(e["app"], []).append(e)
        self.assertEqual(set(per_app), set(apps))
        places = 0
        for aid, a in apps.items():
            evs = per_app[aid]
            types = [e["type"] for e in evs]
            self.assertEqual(types.count("application.created"), 1, aid)
            self.assertEqual(types[0], "application.created")
            docs = sorted(e["data"]["doc"] for e in evs if e["type"] == "application.submitted")
            self.assertEqual(docs, sorted(a.get("docs", {})), aid)
            moves = [e["data"] for e in evs if e["type"] == "application.stage_changed"]
            for m1, m2 in zip(moves, moves[1:]):
                self.assertEqual(m1["to"], m2["from"])
            if moves:
                self.assertEqual(moves[-1]["to"], a["stage"], aid)
            decided = [e["data"]["outcome"] for e in evs if e["type"] == "application.decided"]
            self.assertLessEqual(len(decided), 1)
            if decided:
                self.assertEqual(a["decisions"]["selection"]["outcome"], decided[0])
            places += bool(a.get("place"))
        rep = d.ok("cohort.report", {"cohort": COHORT})
        self.assertEqual(rep["taken"], places)
        self.assertEqual(rep["total"], len(apps))
        waiting = sorted(a for a, v in apps.items() if v["status"] == "waitlisted")
        self.assertEqual(sorted(rep["waiting"]), waiting)
        self.assertEqual(len(set(rep["waiting"])), len(rep["waiting"]))


if __name__ == "__main__":
    unittest.main()
