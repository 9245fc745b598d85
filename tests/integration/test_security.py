#!/usr/bin/python3
"""Who is speaking: the local and curve security modes, over real sockets.

Local mode: the sockets' directory and files are the daemon's user's alone,
every peer is the operator and its events say so. Curve mode: a real
pathwayd with CURVE on tcp://127.0.0.1, pyzmq (which speaks CURVE) as the
outside client, and pathwayctl with the operator's key the daemon made at
its first start. Each way in that must fail is tried: no key, an unknown
key, a person's key acting for another, a revoked key on its next message,
a person's key on the workers socket, a mailer's key on the api, a
non-viewer subscribing, a viewer writing, a web key without a token; each
is refused with its code and audited. Request ids are scoped by principal,
and a reused id with other arguments is refused.
"""
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_timers import Daemon, BIN, SRC, key_file as read_key  # noqa: E402
from answers import ANSWERS

CTL = os.path.join(BIN, "pathwayctl")

CURVE_CONF = """
daemon = {{
	security = "curve";
	api = "tcp://127.0.0.1:{api}";
	events = "tcp://127.0.0.1:{events}";
	workers = "tcp://127.0.0.1:{workers}";
	curve_key = "{d}/keys/pathwayd.key";
	operator_key = "{d}/keys/operator.key";
	db = "{d}/db";
	templates = "{src}/conf/templates";
	clock = "manual";
	clock_start = "2026-09-07T08:00:00Z";
	log_level = "warn";
}};
programmes = [ "{src}/conf/programmes/norfolk-talent-pool.conf" ];
cohorts = [ "{src}/conf/cohorts/ntp-2026-27.conf" ];
"""


def free_ports(n):
    """n distinct tcp ports free on 127.0.0.1 now (bound to port 0, then released)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class CurveDaemon:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pws", dir="/tmp")
        self.ports = dict(zip(("api", "events", "workers"), free_ports(3)))
        self.conf = os.path.join(self.dir, "pathway.conf")
        with open(self.conf, "w") as f:
            f.write(CURVE_CONF.format(d=self.dir, src=SRC, **self.ports))
        self.ctx = zmq.Context()
        self.socks = []
        self.log = open(os.path.join(self.dir, "pathwayd.log"), "ab")
        self.proc = subprocess.Popen([os.path.join(BIN, "pathwayd"), "-c", self.conf],
                                     stderr=self.log)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.path("keys/operator.key")):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("pathwayd made no operator key")
            time.sleep(0.05)
        self.server_pub = read_key(self.path("keys/pathwayd.pub"))[0]
        self.op = self.client(self.path("keys/operator.key"))
        deadline = time.monotonic() + 20
        while True:
            try:
                self.call(self.op, "system.ping", actor="operator", timeout=300)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise RuntimeError("pathwayd did not answer")
        self.n = 0

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def socket(self, kind, keyfile=None, keypair=None, endpoint="api"):
        s = self.ctx.socket(kind)
        s.linger = 0
        if keyfile is not None:
            keypair = read_key(keyfile)
        if keypair is not None:
            s.curve_publickey, s.curve_secretkey = keypair
            s.curve_serverkey = self.server_pub
        s.connect("tcp://127.0.0.1:%d" % self.ports[endpoint])
        self.socks.append(s)
        return s

    def client(self, keyfile=None, keypair=None):
        return self.socket(zmq.DEALER, keyfile, keypair)

    def call(self, sock, cmd, args=None, actor=None, timeout=5000, rid=None, token=None):
        self.n = getattr(self, "n", 0) + 1
        req = {"id": rid or "s%d" % self.n, "cmd": cmd, "args": args or {}}
        if actor is not None:
            req["actor"] = actor
        if token is not None:
            req["token"] = token
        sock.send_multipart([b"", json.dumps(req).encode()])
        if not sock.poll(timeout):
            raise TimeoutError(cmd)
        return json.loads(sock.recv_multipart()[-1])

    def ok(self, cmd, args=None, actor="operator", sock=None):
        r = self.call(sock or self.op, cmd, args, actor)
        if not r["ok"]:
            raise AssertionError("%s %s: %s" % (cmd, args, r["error"]))
        return r["data"]

    def ctl(self, *args, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
        e.update(env or {})
        return subprocess.run([CTL, "-c", self.conf] + list(args), capture_output=True,
                              text=True, env=e, timeout=60)

    def events(self, after=0):
        return self.ok("events.since", {"after": after, "limit": 1000})["events"]

    def stop(self):
        code = 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=20)
        for s in self.socks:
            s.close(0)
        self.ctx.term()
        self.log.close()
        with open(self.path("pathwayd.log"), "rb") as f:
            log = f.read().decode(errors="replace")
        shutil.rmtree(self.dir, ignore_errors=True)
        assert code == 0, "pathwayd exited %d:\n%s" % (code, log[-4000:])


def people(call):
    call("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
    for pid, roles in [("p-head", ["headteacher"]), ("p-cand", ["candidate"]),
                       ("p-la", ["la_adviser"]), ("p-both", ["candidate", "headteacher"])]:
        call("person.create", {"id": pid, "name": pid, "email": pid + "@example.org",
                               "roles": roles, "school": "s-oak"})


class LocalModeTest(unittest.TestCase):
    def test_sockets_are_the_daemons_own(self):
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        self.assertEqual(stat.S_IMODE(os.stat(d.dir).st_mode), 0o700)
        for name in ("api.sock", "events.sock", "workers.sock"):
            mode = stat.S_IMODE(os.stat(os.path.join(d.dir, name)).st_mode)
            self.assertEqual(mode, 0o600, name)
        # Every local peer is the operator: its events say so.
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oakfield Primary"})
        ev = d.ok("events.since", {"after": 0})["events"][-1]
        self.assertEqual((ev["type"], ev["actor"], ev["via"]),
                         ("school.created", "operator", "operator"))
        # The operator must say whom it acts for.
        d.sock.send_multipart([b"", json.dumps({"id": "na", "cmd": "school.list"}).encode()])
        self.assertTrue(d.sock.poll(5000))
        r = json.loads(d.sock.recv_multipart()[-1])
        self.assertEqual(r["error"]["code"], "invalid_request")
        self.assertIn("'actor'", r["error"]["message"])

    def test_shared_directory_refused(self):
        shared = tempfile.mkdtemp(prefix="pwshared", dir="/tmp")
        self.addCleanup(shutil.rmtree, shared, True)
        os.chmod(shared, 0o1777)
        d = Daemon.__new__(Daemon)
        d.dir = tempfile.mkdtemp(prefix="pws", dir="/tmp")
        self.addCleanup(shutil.rmtree, d.dir, True)
        conf = os.path.join(d.dir, "pathway.conf")
        with open(conf, "w") as f:
            f.write(CURVE_CONF.format(d=d.dir, src=SRC, api=1, events=2, workers=3)
                    .replace('security = "curve";', "")
                    .replace("tcp://127.0.0.1:1", "ipc://%s/api.sock" % shared)
                    .replace("tcp://127.0.0.1:2", "ipc://%s/events.sock" % d.dir)
                    .replace("tcp://127.0.0.1:3", "ipc://%s/workers.sock" % d.dir))
        p = subprocess.run([os.path.join(BIN, "pathwayd"), "-c", conf], capture_output=True,
                           timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("shared (world-writable)", p.stderr.decode())
        self.assertEqual(stat.S_IMODE(os.stat(shared).st_mode), 0o1777)  # left as it was
        self.assertFalse(os.path.exists(os.path.join(shared, "api.sock")))


class CurveModeTest(unittest.TestCase):
    def setUp(self):
        self.d = CurveDaemon()
        self.addCleanup(self.d.stop)
        people(self.d.ok)

    def key(self, *args):
        """pathwayctl key add ARGS: (key id, key file)."""
        d = self.d
        out = d.path("k%d.key" % len(os.listdir(d.dir)))
        r = d.ctl("--json", "key", "add", "--out", out, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)["key"]["id"], out

    def refused_audit(self, since, **want):
        evs = [e for e in self.d.events(since) if e["type"] == "audit.refused"]
        self.assertTrue(any(all(e["data"].get(k) == v for k, v in want.items())
                            for e in evs), (want, evs))

    def test_key_files(self):
        d = self.d
        for name in ("pathwayd.key", "operator.key"):
            self.assertEqual(stat.S_IMODE(os.stat(d.path("keys/" + name)).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(d.path("keys/pathwayd.pub")).st_mode), 0o644)
        with open(d.path("keys/pathwayd.pub")) as f:
            self.assertNotIn("secret", f.read())
        # pathwayctl finds the operator's key and the daemon's public key by itself.
        r = d.ctl("ping")
        self.assertEqual(r.returncode, 0, r.stderr)
        kid, path = self.key("--person", "p-head", "--note", "Margaret's laptop")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        listed = json.loads(d.ctl("--json", "key", "list").stdout)["keys"]
        mine = [k for k in listed if k["id"] == kid][0]
        self.assertEqual((mine["person"], mine["note"]), ("p-head", "Margaret's laptop"))
        self.assertNotIn("secret", json.dumps(listed))
        with open(path) as f:
            self.assertNotIn(read_key(path)[1].decode(), json.dumps(d.events()))
        # A key file is never replaced.
        r = d.ctl("key", "add", "--person", "p-cand", "--out", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("File exists", r.stderr)

    def test_stopped_daemon_is_told_within_a_second(self):
        """In curve mode the daemon's loop answers ZAP: a stopped daemon is told silent
        within a second, whatever the timeout, and the message says it may be busy."""
        d = self.d
        d.proc.send_signal(signal.SIGSTOP)
        try:
            r = d.ctl("-t", "30000", "ping")
        finally:
            d.proc.send_signal(signal.SIGCONT)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("is silent: it took the connection but did not answer within 1000 ms",
                      r.stderr)
        self.assertIn("busy with a long one?", r.stderr)
        self.assertIn("(configuration: %s)" % d.conf, r.stderr)
        self.assertEqual(d.ctl("ping").returncode, 0)

    def test_no_key_and_unknown_key(self):
        d = self.d
        head = d.events()[-1]["seq"]
        plain = d.socket(zmq.DEALER)
        with self.assertRaises(TimeoutError):
            d.call(plain, "system.ping", actor="operator", timeout=1000)
        stranger = d.client(keypair=zmq.curve_keypair())
        with self.assertRaises(TimeoutError):
            d.call(stranger, "system.ping", actor="operator", timeout=1000)
        self.refused_audit(head, code="unauthenticated", socket="api", reason="no such key")

    def test_person_key_acts_as_that_person_only(self):
        d = self.d
        kid, path = self.key("--person", "p-head")
        head = d.client(path)
        r = d.call(head, "person.get", {"id": "p-head"})
        self.assertTrue(r["ok"], r)
        r = d.call(head, "person.get", {"id": "p-head"}, actor="p-head")
        self.assertTrue(r["ok"], r)
        seq = d.events()[-1]["seq"]
        r = d.call(head, "person.update", {"id": "p-head", "roles": ["la_adviser"]},
                   actor="p-la")
        self.assertEqual(r["error"]["code"], "forbidden")
        self.refused_audit(seq, principal="person:p-head", key=kid, cmd="person.update")
        self.assertEqual(d.ok("person.get", {"id": "p-head"})["person"]["roles"],
                         ["headteacher"])
        # Its own role still decides: a headteacher cannot create people.
        r = d.call(head, "person.create", {"id": "p-x", "name": "X", "email": "x@example.org",
                                           "roles": ["candidate"]})
        self.assertEqual(r["error"]["code"], "forbidden")
        # The registry is the operator's alone, even for an LA adviser's key.
        _, lapath = self.key("--person", "p-la")
        r = d.call(d.client(lapath), "key.list")
        self.assertEqual(r["error"]["code"], "forbidden")
        # The events of a person's own key carry no "via".
        app = d.call(d.client(self.key("--person", "p-cand")[1]), "application.create",
                     {"cohort": "ntp-2026-27", "candidate": "p-cand"})
        self.assertTrue(app["ok"], app)
        ev = [e for e in d.events() if e["type"] == "application.created"][-1]
        self.assertEqual(ev["actor"], "p-cand")
        self.assertNotIn("via", ev)

    def test_revoked_key_refused_from_next_message(self):
        d = self.d
        kid, path = self.key("--person", "p-head")
        head = d.client(path)
        self.assertTrue(d.call(head, "person.get", {"id": "p-head"})["ok"])
        r = d.ctl("key", "revoke", kid)
        self.assertEqual(r.returncode, 0, r.stderr)
        seq = d.events()[-1]["seq"]
        r = d.call(head, "person.get", {"id": "p-head"})  # the same connection
        self.assertEqual(r["error"]["code"], "unauthenticated")
        self.assertIn("revoked", r["error"]["message"])
        self.refused_audit(seq, principal="person:p-head", key=kid, code="unauthenticated")
        # A new connection with it does not get in at all.
        with self.assertRaises(TimeoutError):
            d.call(d.client(path), "person.get", {"id": "p-head"}, timeout=1000)
        # Revoking twice is a state error.
        self.assertEqual(d.call(d.op, "key.revoke", {"key": kid}, actor="operator")
                         ["error"]["code"], "invalid_transition")

    def test_services_bound_to_their_sockets(self):
        d = self.d
        _, mailer = self.key("--service", "mailer")
        _, person = self.key("--person", "p-head")
        _, viewer = self.key("--service", "viewer")
        _, web = self.key("--service", "web")
        ready = json.dumps({"type": "ready", "name": "t", "credit": 1, "protocol": 1}).encode()
        # A mailer's key serves the workers socket...
        w = d.socket(zmq.DEALER, mailer, endpoint="workers")
        w.send(ready)
        self.assertTrue(w.poll(5000), "the daemon did not welcome a mailer key")
        w.recv()
        # A mailer key revoked is refused from its next message on the same connection.
        mkid = [k for k in d.ok("key.list")["keys"] if k.get("service") == "mailer"][0]["id"]
        d.ok("key.revoke", {"key": mkid})
        w.send(json.dumps({"type": "heartbeat"}).encode())
        self.assertTrue(w.poll(5000), "no reply to a revoked mailer key")
        r = json.loads(w.recv())
        self.assertEqual((r["type"], r["code"]), ("error", "unauthenticated"))
        self.assertIn("revoked", r["message"])
        _, mailer = self.key("--service", "mailer")
        # ... and nothing else; and only mailers serve it.
        with self.assertRaises(TimeoutError):
            d.call(d.client(mailer), "system.ping", timeout=1000)
        seq = d.events()[-1]["seq"]
        p = d.socket(zmq.DEALER, person, endpoint="workers")
        p.send(ready)
        self.assertFalse(p.poll(1500), "a person's key was served jobs")
        self.refused_audit(seq, principal="person:p-head", socket="workers", code="forbidden")
        # A viewer reads and does not write.
        v = d.client(viewer)
        self.assertTrue(d.call(v, "cohort.list")["ok"])
        r = d.call(v, "school.create", {"id": "s-x", "phase": "primary", "name": "X"})
        self.assertEqual(r["error"]["code"], "forbidden")
        # pathway-web's key acts only with a person's token, but may ask for a login link.
        wk = d.client(web)
        r = d.call(wk, "cohort.list")
        self.assertEqual(r["error"]["code"], "unauthenticated")
        self.assertTrue(d.call(wk, "auth.link", {"email": "p-head@example.org"})["ok"])
        r = d.call(wk, "auth.link", {"email": "p-head@example.org"}, actor="p-head")
        self.assertEqual(r["error"]["code"], "forbidden")

    def test_event_stream_for_viewers_and_advisers(self):
        d = self.d
        _, viewer = self.key("--service", "viewer")
        _, adviser = self.key("--person", "p-la")
        _, head = self.key("--person", "p-head")
        subs = {}
        for name, path in (("viewer", viewer), ("adviser", adviser), ("head", head)):
            s = d.socket(zmq.SUB, path, endpoint="events")
            s.setsockopt(zmq.SUBSCRIBE, b"")
            subs[name] = s
        # PUB/SUB has no handshake reply: publish until the allowed ones hear.
        heard = set()
        deadline = time.monotonic() + 10
        n = 0
        while heard != {"viewer", "adviser"} and time.monotonic() < deadline:
            n += 1
            d.ok("school.create", {"id": "s-n%d" % n, "phase": "primary", "name": "N %d" % n})
            for name, s in subs.items():
                while s.poll(50):
                    s.recv_multipart()
                    heard.add(name)
        self.assertEqual(heard, {"viewer", "adviser"})

    def example(self, name, subst):
        """conf/examples/NAME with its site-specific values replaced, written to the test dir."""
        with open(os.path.join(SRC, "conf/examples", name)) as f:
            text = f.read()
        for old, new in subst:
            self.assertIn(old, text)
            text = text.replace(old, new)
        path = self.d.path("ex-" + name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_mailer_and_adviser_on_other_hosts(self):
        """The README's installation: conf/examples/mailer.conf and pathwayctl.conf, with a
        mailer key and a person key made by pathwayctl, over tcp with CURVE."""
        from aiosmtpd.controller import Controller
        from test_mail import Sink, free_port

        d = self.d
        _, mkey = self.key("--service", "mailer")
        _, akey = self.key("--person", "p-la")
        sink, port = Sink(), free_port()
        smtp = Controller(sink, hostname="127.0.0.1", port=port)
        smtp.start()
        self.addCleanup(smtp.stop)
        pub = d.path("keys/pathwayd.pub")
        host = "tcp://pathway.la.example.org:"
        conf = self.example("mailer.conf", [
            (host + "7403", "tcp://127.0.0.1:%d" % d.ports["workers"]),
            ("/etc/pathway/keys/mailer.key", mkey), ("/etc/pathway/keys/pathwayd.pub", pub),
            ("smtp://relay.la.example.org:587", "smtp://127.0.0.1:%d" % port),
            ('starttls = "required";', 'starttls = "none";'), ('user = "pathway";', ""),
            ('password_file = "/etc/pathway/smtp-password";', "")])
        log = open(d.path("mailer.log"), "ab")
        m = subprocess.Popen([os.path.join(BIN, "pathway-mailer"), "-c", conf, "-n", "far"],
                             stderr=log)
        self.addCleanup(lambda: (m.poll() is None and m.send_signal(signal.SIGTERM),
                                 m.wait(timeout=20), log.close()))
        # The adviser, from their own machine, with their own key and no actor.
        ctl = self.example("pathwayctl.conf", [
            (host + "7401", "tcp://127.0.0.1:%d" % d.ports["api"]),
            (host + "7402", "tcp://127.0.0.1:%d" % d.ports["events"]),
            ("/home/adviser/.config/pathway/adviser.key", akey),
            ("/home/adviser/.config/pathway/pathwayd.pub", pub)])
        env = {"PATHWAY_CONF": ctl}
        r = subprocess.run([CTL, "--json", "apply", "ntp-2026-27", "p-cand", "--route",
                            "nomination"], capture_output=True, text=True, timeout=60,
                           env=dict({k: v for k, v in os.environ.items()
                                     if not k.startswith("PATHWAY_")}, **env))
        self.assertEqual(r.returncode, 0, r.stderr)
        app = json.loads(r.stdout)["application"]
        ev = [e for e in d.events() if e["type"] == "application.created"][-1]
        self.assertEqual((ev["app"], ev["actor"]), (app["id"], "p-la"))
        self.assertNotIn("via", ev)
        # The candidate's self-evaluation moves it to the headteacher's sign-off: that
        # email goes out through the far mailer.
        d.ok("application.submit", {"app": app["id"], "doc": "self_evaluation",
                                    "fields": ANSWERS["self_evaluation"]}, actor="p-cand")
        # Three emails: the nominated candidate is told, then both headteachers of the
        # school (p-head and p-both) are asked to sign off.
        got = sink.wait(3, timeout=90)
        rcpt = sorted(to for msg in got for to in msg["rcpt"])
        self.assertEqual(rcpt, ["p-both@example.org", "p-cand@example.org",
                                "p-head@example.org"])

    def test_revoked_viewer_loses_its_subscription(self):
        d = self.d
        kid, gone = self.key("--service", "viewer")
        _, stays = self.key("--service", "viewer")
        subs = {}
        for name, path in (("gone", gone), ("stays", stays)):
            s = d.socket(zmq.SUB, path, endpoint="events")
            s.setsockopt(zmq.SUBSCRIBE, b"")
            subs[name] = s

        def publish_until(who, n0, deadline):
            """Publish school.created until every sub in who heard one; the seqs heard."""
            heard = {k: [] for k in subs}
            n = n0
            while time.monotonic() < deadline and not all(heard[w] for w in who):
                n += 1
                d.ok("school.create", {"id": "s-r%d" % n, "phase": "primary", "name": "R %d" % n})
                for name, s in subs.items():
                    while s.poll(50):
                        heard[name].append(json.loads(s.recv_multipart()[1])["seq"])
            return heard, n

        heard, n = publish_until(("gone", "stays"), 0, time.monotonic() + 10)
        self.assertTrue(heard["gone"] and heard["stays"], heard)
        d.ok("key.revoke", {"key": kid})
        revoked = [e for e in d.events() if e["type"] == "key.revoked"][-1]["seq"]
        # The stream is bound again: the kept viewer reconnects and hears what follows...
        heard, n = publish_until(("stays",), n, time.monotonic() + 10)
        self.assertTrue(heard["stays"], "the kept viewer did not reconnect")
        # ... and go on a while: the revoked one hears nothing after its revocation.
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            n += 1
            d.ok("school.create", {"id": "s-r%d" % n, "phase": "primary", "name": "R %d" % n})
            s = subs["gone"]
            while s.poll(50):
                heard["gone"].append(json.loads(s.recv_multipart()[1])["seq"])
        self.assertEqual([q for q in heard["gone"] if q > revoked], [])

    def test_request_ids(self):
        d = self.d
        args = {"id": "s-1", "name": "One"}
        first = d.call(d.op, "school.create", args, actor="operator", rid="same")
        again = d.call(d.op, "school.create", args, actor="operator", rid="same")
        self.assertEqual(first, again)
        r = d.call(d.op, "school.create", {"id": "s-2", "name": "Two"}, actor="operator",
                   rid="same")
        self.assertEqual(r["error"]["code"], "invalid_request")
        self.assertIn("request id reused", r["error"]["message"])
        self.assertEqual(d.call(d.op, "school.get", {"id": "s-2"}, actor="operator")
                         ["error"]["code"], "not_found")
        # Another principal's id space is its own.
        _, path = self.key("--person", "p-cand")
        r = d.call(d.client(path), "person.digest", {"id": "p-cand", "digest": False},
                   rid="same")
        self.assertTrue(r["ok"], r)


if __name__ == "__main__":
    unittest.main()
