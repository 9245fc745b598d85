#!/usr/bin/python3
"""system.stats: the group commit's figures, as PROTOCOL.md documents them.

A real pathwayd on a manual clock, driven with pyzmq. The reply has exactly
its documented fields; commits and requests move with the requests sent
(each turn that carries requests commits once, so there are never fewer
requests than commits); requests sent together without waiting for replies
are all answered and counted; the limits are the configuration's. The
operator, an LA adviser and a viewer may ask; a candidate is refused and
nothing about the commits changes the event log. No figure of time is
asserted beyond its type.
"""
import json
import os
import subprocess
import unittest

from test_timers import BIN, Daemon

START = "2026-09-07T08:00:00Z"
FIELDS = {"since", "commits", "requests", "requests_per_commit", "largest_batch",
          "commit_ms", "wait", "limits"}


class StatsTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(START)
        self.addCleanup(self.d.stop)

    def stats(self, actor="operator"):
        return self.d.ok("system.stats", {}, actor)

    def test_reply_is_as_documented(self):
        s = self.stats()
        self.assertEqual(set(s), FIELDS)
        self.assertEqual(set(s["commit_ms"]), {"p50", "p99", "max", "average"})
        self.assertEqual(set(s["wait"]), {"turns", "timeouts", "gathered", "ms_total",
                                          "ms_mean", "ms_max"})
        self.assertEqual(s["limits"], {"max_batch": 256, "commit_wait_us": 2000})
        self.assertEqual(s["since"], START)
        for k in ("commits", "requests", "largest_batch"):
            self.assertIsInstance(s[k], int)
        for v in list(s["commit_ms"].values()) + [s["wait"]["ms_total"], s["wait"]["ms_mean"]]:
            self.assertIsInstance(v, (int, float))
            self.assertGreaterEqual(v, 0)
        # The ping that found the daemon up was a request, committed in its own turn.
        self.assertGreaterEqual(s["commits"], 1)
        self.assertGreaterEqual(s["requests"], s["commits"])
        self.assertGreaterEqual(s["requests_per_commit"], 1)

    def test_counters_move(self):
        before = self.stats()
        for i in range(3):
            self.d.ok("person.create", {"id": "p%d" % i, "name": "P %d" % i,
                                        "email": "p%d@example.org" % i, "roles": ["candidate"]})
        after = self.stats()
        # The first stats request's own turn and the three creates, at least.
        self.assertGreaterEqual(after["commits"] - before["commits"], 4)
        self.assertGreaterEqual(after["requests"] - before["requests"], 4)
        self.assertGreaterEqual(after["requests_per_commit"], 1)
        self.assertGreaterEqual(after["largest_batch"], 1)

    def test_requests_sent_together(self):
        """Forty requests sent without waiting: all answered, all counted, none lost."""
        before = self.stats()
        sock, n = self.d.sock, 40
        for i in range(n):
            sock.send_multipart([b"", json.dumps({
                "id": "burst-%d" % i, "cmd": "person.create", "actor": "operator",
                "args": {"id": "b%d" % i, "name": "B %d" % i, "email": "b%d@example.org" % i,
                         "roles": ["candidate"]}}).encode()])
        got = set()
        for _ in range(n):
            self.assertTrue(sock.poll(10000), "a reply is missing")
            reply = json.loads(sock.recv_multipart()[-1])
            self.assertTrue(reply["ok"], reply)
            got.add(reply["id"])
        self.assertEqual(got, {"burst-%d" % i for i in range(n)})
        after = self.stats()
        self.assertGreaterEqual(after["requests"] - before["requests"], n + 1)
        self.assertGreaterEqual(after["commits"] - before["commits"], 1)
        self.assertLessEqual(after["commits"] - before["commits"], n + 1)
        self.assertGreaterEqual(after["requests"], after["commits"])
        self.assertLessEqual(after["largest_batch"], 256)
        # Every person is there: durable before acknowledged, one record each.
        self.assertEqual(self.d.ok("person.get", {"id": "b%d" % (n - 1)})["person"]["id"],
                         "b%d" % (n - 1))

    def test_who_may_ask(self):
        for pid, roles in [("p-adv", ["la_adviser"]), ("p-view", ["viewer"]),
                           ("p-cand", ["candidate"]), ("p-head", ["headteacher"])]:
            self.d.ok("person.create", {"id": pid, "name": pid, "email": pid + "@example.org",
                                        "roles": roles})
        head = self.d.ok("system.ping")["head"]
        self.assertIn("commits", self.stats("p-adv"))
        self.assertIn("commits", self.stats("p-view"))
        for pid in ("p-cand", "p-head"):
            r = self.d.call("system.stats", {}, pid)
            self.assertFalse(r["ok"])
            self.assertEqual(r["error"]["code"], "forbidden")
        # Reading the figures writes nothing (the refusals above are audited, as any is).
        self.stats()
        self.assertEqual(self.d.ok("system.ping")["head"], head + 2)
        r = self.d.call("system.stats", {"extra": 1})
        self.assertFalse(r["ok"])
        self.assertEqual(r["error"]["code"], "invalid_request")

    def test_pathwayctl_stats(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
        out = subprocess.run([os.path.join(BIN, "pathwayctl"), "-c", self.d.conf, "stats"],
                             capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("commits ", out.stdout)
        self.assertIn("per commit", out.stdout)
        self.assertIn("max_batch 256, commit_wait_us 2000", out.stdout)


if __name__ == "__main__":
    unittest.main()
