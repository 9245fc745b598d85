#!/usr/bin/python3
"""The tamper-evident event log (PROTOCOL.md, "The hash chain") on a real pathwayd.

After a run of commands the chain verifies, and this test's own hashes of the
events (Python's hashlib.blake2b over the canonical form the protocol defines)
match every "prev", the stream's and system.ping's head_hash; the stream's
bodies are the canonical bytes themselves. Then the store
is changed behind the daemon's back, with the daemon stopped: one byte of one
event rewritten through LMDB itself, the same byte changed in data.mdb's raw
bytes, the last event changed, an event removed; each time audit.verify and
`pathwayctl audit verify` (exit 1) name that event. Last, a schema version 5
store (events without "prev", no head hash) is chained when pathwayd opens it.
"""
import ctypes
import hashlib
import json
import os
import struct
import subprocess
import unittest

import zmq

from answers import ANSWERS
from test_api import ApiCase, Lmdb, all_events
from test_timers import BIN

CTL = os.path.join(BIN, "pathwayctl")
ZEROS = "0" * 64


def canonical(ev):
    """PROTOCOL.md's canonical form (no control characters in these events)."""
    return json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(ev):
    return hashlib.blake2b(canonical(ev), digest_size=32).hexdigest()


def key(seq):
    return struct.pack(">Q", seq)


class Store(Lmdb):
    """Lmdb, extended to rewrite (or delete) any record of any database."""

    def edit(self, path, db, k, fn):
        """Replace record k of db by fn(old bytes) (None: delete it); returns the old bytes."""
        lib, env, txn, dbi = self.lib, ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_uint()
        self.check(lib.mdb_env_create(ctypes.byref(env)))
        try:
            self.check(lib.mdb_env_set_maxdbs(env, 64))
            self.check(lib.mdb_env_open(env, path.encode(), 0, 0o640))
            self.check(lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)))
            self.check(lib.mdb_dbi_open(txn, db, 0, ctypes.byref(dbi)))
            kb, old = ctypes.create_string_buffer(k), self.Val()
            kv = self.Val(len(k), ctypes.cast(kb, ctypes.c_void_p))
            self.check(lib.mdb_get(txn, dbi, ctypes.byref(kv), ctypes.byref(old)))
            was = ctypes.string_at(old.mv_data, old.mv_size)
            new = fn(was)
            if new is None:
                self.check(lib.mdb_del(txn, dbi, ctypes.byref(kv), None))
            else:
                vb = ctypes.create_string_buffer(new)
                v = self.Val(len(new), ctypes.cast(vb, ctypes.c_void_p))
                self.check(lib.mdb_put(txn, dbi, ctypes.byref(kv), ctypes.byref(v), 0))
            self.check(lib.mdb_txn_commit(txn))
            return was
        finally:
            lib.mdb_env_close(env)


def change_date(raw):
    """One digit of the event's time: 2026 becomes 2027."""
    i = raw.index(b'"at":"2026') + len(b'"at":"202')
    return raw[:i] + b"7" + raw[i + 1:]


class AuditTest(ApiCase):
    def run_commands(self, d):
        app = self.world(d)
        d.ok("application.submit", {"app": app, "doc": "evidence_form",
                                    "fields": ANSWERS["evidence_form"]}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("person.update", {"id": "p-other", "name": "Zoë Ünal"})
        d.ok("school.update", {"id": "s-elm", "email": "office@elm.example.org"})
        d.ok("clock.advance", {"seconds": 86400})
        return app

    def ctl(self, d, *args):
        return subprocess.run([CTL, "-c", d.conf] + list(args), capture_output=True, text=True,
                              timeout=60)

    def check_chain(self, d):
        """Recompute the whole chain here; returns (events, head hash)."""
        events, head = all_events(d)
        prev = ZEROS
        for n, ev in enumerate(events, 1):
            self.assertEqual(ev["seq"], n)
            self.assertEqual(ev["prev"], prev, "event %d" % n)
            prev = event_hash(ev)
        self.assertEqual(head, len(events))
        ping = d.ok("system.ping")
        self.assertEqual(ping["head"], head)
        self.assertEqual(ping["head_hash"], prev)
        return events, prev

    def restart(self, d):
        d.proc.terminate()
        self.assertEqual(d.proc.wait(20), 0)
        d.log.close()
        d.start()

    def stop(self, d):
        d.proc.terminate()
        self.assertEqual(d.proc.wait(20), 0)
        d.log.close()
        return os.path.join(d.dir, "db")

    def assert_broken(self, d, seq, **args):
        r = d.ok("audit.verify", args)
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["broken_at"], seq, r)
        self.assertIn(str(seq), r["reason"])
        flags = ["--from", str(args["from"])] if "from" in args else []
        out = self.ctl(d, "audit", "verify", *flags)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("chain BROKEN at event %d: " % seq, out.stdout)
        return r

    def test_chain_verifies_and_matches_our_hashes(self):
        d = self.daemon()
        self.assertEqual(d.ok("system.ping")["head_hash"], ZEROS)
        self.assertEqual(d.ok("audit.verify"), {"ok": True, "checked": 0, "head": 0,
                                                "head_hash": ZEROS})
        sub = d.ctx.socket(zmq.SUB)
        sub.setsockopt(zmq.LINGER, 0)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect("ipc://%s/events.sock" % d.dir)
        self.addCleanup(sub.close, 0)
        self.run_commands(d)
        events, head_hash = self.check_chain(d)
        self.assertGreater(len(events), 8)
        r = d.ok("audit.verify")
        self.assertEqual(r, {"ok": True, "checked": len(events), "head": len(events),
                             "head_hash": head_hash})
        self.assertEqual(d.ok("audit.verify", {"from": 4})["checked"], len(events) - 3)
        self.assertEqual(d.ok("audit.verify", {"from": 2, "limit": 3})["checked"], 3)
        for bad in ({"from": 0}, {"limit": 0}, {"from": "1"}):
            self.assertEqual(d.call("audit.verify", bad)["error"]["code"], "invalid_request")
        self.assertEqual(d.call("audit.verify", {}, "p-view")["error"]["code"], "forbidden")
        # An application's history carries the same prev as the log.
        app = events[-1].get("app") or next(e["app"] for e in events if "app" in e)
        hist = d.ok("application.history", {"app": app})["events"]
        by_seq = {e["seq"]: e for e in events}
        for e in hist:
            self.assertEqual(e["prev"], by_seq[e["seq"]]["prev"])
        # The stream: a new event names the head's hash, and becomes the head.
        # Each body is the event's canonical form, the bytes the log holds and hashes.
        sub.poll(2000)
        while sub.poll(200):
            body = sub.recv_multipart()[1]
            self.assertEqual(body, canonical(json.loads(body)))
        events, head_hash = self.check_chain(d)  # with the audit.refused of p-view's try
        self.assertEqual(events[-1]["type"], "audit.refused")
        d.ok("school.update", {"id": "s-oak", "lss": True})
        self.assertTrue(sub.poll(5000))
        body = sub.recv_multipart()[1]
        ev = json.loads(body)
        self.assertEqual(ev["prev"], head_hash)
        self.assertEqual(body, canonical(ev))
        self.assertEqual(d.ok("system.ping")["head_hash"],
                         hashlib.blake2b(body, digest_size=32).hexdigest())
        out = self.ctl(d, "audit", "verify")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("chain verified: %d events checked" % (len(events) + 1), out.stdout)
        self.assertIn(event_hash(ev), out.stdout)
        self.assertEqual(json.loads(self.ctl(d, "--json", "audit", "verify").stdout)["ok"],
                         True)
        # Across a restart, and after an erasure: events carry ids, the chain stays whole.
        self.restart(d)
        d.call("person.erase", {"id": "p-other"})
        self.check_chain(d)
        self.assertTrue(d.ok("audit.verify")["ok"])

    def test_a_byte_changed_through_lmdb_is_found(self):
        d = self.daemon()
        self.run_commands(d)
        events, _ = self.check_chain(d)
        n = len(events) // 2
        db = self.stop(d)
        was = Store().edit(db, b"events", key(n), change_date)
        self.assertEqual(json.loads(was), events[n - 1])
        d.start()
        self.assert_broken(d, n)
        self.assert_broken(d, n, **{"from": n + 1})  # the link into n + 1 names n
        self.assertTrue(d.ok("audit.verify", {"limit": n - 1})["ok"])
        # Put back: whole again.
        db = self.stop(d)
        Store().edit(db, b"events", key(n), lambda _: was)
        d.start()
        self.assertTrue(d.ok("audit.verify")["ok"])
        # The prev of an event: that event is named, not the one before it.
        db = self.stop(d)
        Store().edit(db, b"events", key(n), lambda raw: raw.replace(
            events[n - 1]["prev"].encode(), events[n - 1]["prev"][::-1].encode()))
        d.start()
        self.assert_broken(d, n)
        # The last event: the head hash the store keeps catches it.
        db = self.stop(d)
        Store().edit(db, b"events", key(n), lambda _: was)
        Store().edit(db, b"events", key(len(events)), change_date)
        d.start()
        self.assertIn("head hash", self.assert_broken(d, len(events))["reason"])
        # A missing event.
        db = self.stop(d)
        Store().edit(db, b"events", key(len(events)), lambda _: canonical(events[-1]))
        Store().edit(db, b"events", key(3), lambda _: None)
        d.start()
        self.assertIn("missing", self.assert_broken(d, 3)["reason"])

    def test_a_byte_changed_in_the_store_file_is_found(self):
        d = self.daemon()
        self.run_commands(d)
        events, _ = self.check_chain(d)
        n = len(events) - 3
        db = self.stop(d)
        path = os.path.join(db, "data.mdb")
        with open(path, "rb") as f:
            data = f.read()
        # The event's bytes as stored: its canonical form (older copies in free pages too).
        want = canonical(events[n - 1])
        self.assertIn(want, data)
        with open(path, "wb") as f:
            f.write(data.replace(want, change_date(want)))
        d.start()
        self.assert_broken(d, n)

    def test_a_schema_5_store_is_chained_on_open(self):
        d = self.daemon()
        self.run_commands(d)
        events, head_hash = self.check_chain(d)
        db = self.stop(d)
        store = Store()
        for ev in events:  # as version 5 wrote them: no prev, keys in their own order
            old = {k: v for k, v in ev.items() if k != "prev"}
            store.edit(db, b"events", key(ev["seq"]), lambda _, o=old: json.dumps(
                o, separators=(",", ":"), ensure_ascii=False).encode())
        store.edit(db, b"meta", b"head_hash", lambda _: None)
        store.edit(db, b"meta", b"schema", lambda _: b"5")
        d.start()
        again, head_again = self.check_chain(d)
        self.assertEqual(again, events)
        self.assertEqual(head_again, head_hash)
        self.assertTrue(d.ok("audit.verify")["ok"])


if __name__ == "__main__":
    unittest.main()
