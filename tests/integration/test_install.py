#!/usr/bin/python3
"""Installing and running as a service.

- `cmake --install BUILD --prefix TMP` (BUILD from PATHWAY_BIN) puts the four
  programs in bin/, pathway.conf with programmes (and forms/), cohorts and
  templates in etc/pathway/, examples and demo data in share/pathway/, the
  systemd units in lib/systemd/system/ and the sysusers.d file; the installed
  pathwayd -t and pathway-web -t accept the installed pathway.conf, whose
  paths all name the installed files. With DESTDIR the files land under it
  while the paths in them still name the prefix. systemd-analyze verify
  accepts the units when it is there.
- systemd's notification protocol without systemd: a unix datagram socket
  the test binds as NOTIFY_SOCKET receives READY=1 once pathwayd answers,
  WATCHDOG=1 every half of WATCHDOG_USEC, and STOPPING=1 on SIGTERM.
- Backup and restore as README's "Installing" tells it: system.backup, stop,
  the backup's data.mdb in place of the store's, start: system.ping's head
  and head_hash are those of the moment of the backup.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_timers import CONF, Daemon, BIN, SRC  # noqa: E402

PROGRAMS = ("pathwayd", "pathwayctl", "pathway-mailer", "pathway-web")
UNITS = ("pathwayd.service", "pathway-mailer@.service", "pathway-web.service")


def install(prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir:
        env["DESTDIR"] = destdir
    r = subprocess.run(["cmake", "--install", BIN, "--prefix", prefix], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


class InstallTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pwinst", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def check_tree(self, root, prefix):
        for p in PROGRAMS:
            path = os.path.join(root, "bin", p)
            self.assertTrue(os.access(path, os.X_OK), path)
        etc = os.path.join(root, "etc", "pathway")
        for sub in ("programmes", "programmes/forms", "cohorts", "templates"):
            src = os.path.join(SRC, "conf", sub)
            for name in os.listdir(src):
                if os.path.isfile(os.path.join(src, name)):
                    self.assertTrue(os.path.isfile(os.path.join(etc, sub, name)), (sub, name))
        for name in os.listdir(os.path.join(SRC, "conf", "examples")):
            self.assertTrue(os.path.isfile(os.path.join(root, "share/pathway/examples", name)))
        self.assertTrue(os.path.isfile(os.path.join(root, "share/pathway/demo/people.csv")))
        for u in UNITS:
            with open(os.path.join(root, "lib/systemd/system", u)) as f:
                text = f.read()
            self.assertNotIn("@", text.replace("pathway-mailer@", ""), u)
            for key in ("Type=notify", "User=pathway", "StateDirectory=pathway",
                        "ProtectSystem=strict", "PrivateTmp=yes", "NoNewPrivileges=yes",
                        "WatchdogSec=", "ExecStart=%s/bin/" % prefix,
                        "-c %s/etc/pathway/pathway.conf" % prefix):
                self.assertIn(key, text, u)
        with open(os.path.join(root, "lib/systemd/system/pathwayd.service")) as f:
            self.assertIn("RuntimeDirectory=pathway", f.read())
        self.assertTrue(os.path.isfile(os.path.join(root, "lib/sysusers.d/pathway.conf")))
        with open(os.path.join(etc, "pathway.conf")) as f:
            conf = f.read()
        # Every path in a setting (not a comment) is absolute and names the prefix or state.
        paths = re.findall(r'^[^#\n]*"((?:ipc://)?/[^"]*)"', conf, re.M)
        paths += re.findall(r'^\s*"(/[^"]*)"', conf, re.M)
        self.assertNotRegex(conf, r'(?m)^[^#\n]*"(conf|var)/')
        self.assertIn('db = "/var/lib/pathway/db"', conf)
        self.assertIn('api = "ipc:///run/pathway/api.sock"', conf)
        for p in paths:
            if p.startswith(prefix + "/"):
                self.assertTrue(os.path.exists(os.path.join(root, p[len(prefix) + 1:])), p)
        return os.path.join(etc, "pathway.conf")

    def test_install_prefix(self):
        prefix = os.path.join(self.tmp, "usr")
        install(prefix)
        conf = self.check_tree(prefix, prefix)
        r = subprocess.run([os.path.join(prefix, "bin/pathwayd"), "-t", "-c", conf],
                           capture_output=True, text=True, cwd="/", timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"4 programmes, 6 cohorts: ok")
        r = subprocess.run([os.path.join(prefix, "bin/pathway-web"), "-t", "-c", conf],
                           capture_output=True, text=True, cwd="/", timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        # The installed pathwayctl reads the installed configuration by itself.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAY_")}
        ctl = os.path.join(prefix, "bin/pathwayctl")
        r = subprocess.run([ctl, "--help"], capture_output=True, text=True, cwd="/", env=env,
                           timeout=60)
        self.assertIn("  %s\n" % conf, r.stdout)
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace('api = "ipc:///run/pathway/api.sock"',
                                 'api = "ipc://%s/api.sock"' % d.dir))
        r = subprocess.run([ctl, "--json", "ping"], capture_output=True, text=True, cwd="/",
                           env=env, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["now"], "2026-09-07T08:00:00Z")
        with open(conf, "w") as f:
            f.write(text)
        # An edited pathway.conf survives a second install; the new one goes beside it.
        with open(conf, "a") as f:
            f.write("# edited\n")
        install(prefix)
        with open(conf) as f:
            self.assertTrue(f.read().endswith("# edited\n"))
        self.assertTrue(os.path.isfile(conf + ".new"))
        analyze = shutil.which("systemd-analyze")
        if analyze:
            units = [os.path.join(prefix, "lib/systemd/system", u) for u in UNITS]
            r = subprocess.run([analyze, "verify", "--man=no"] + units, capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_install_destdir(self):
        dest = os.path.join(self.tmp, "dest")
        prefix = "/opt/pathway-test"
        install(prefix, destdir=dest)
        self.check_tree(dest + prefix, prefix)
        self.assertFalse(os.path.exists(prefix))


class NotifyTest(unittest.TestCase):
    def test_ready_watchdog_stopping(self):
        d = tempfile.mkdtemp(prefix="pwn", dir="/tmp")
        self.addCleanup(shutil.rmtree, d, True)
        conf = os.path.join(d, "pathway.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(d=d, src=SRC, start="2026-09-07T08:00:00Z"))
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(os.path.join(d, "notify"))
        sock.settimeout(20)
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(d, "notify"), WATCHDOG_USEC="400000")
        log = open(os.path.join(d, "log"), "wb")
        self.addCleanup(log.close)
        proc = subprocess.Popen([os.path.join(BIN, "pathwayd"), "-c", conf], env=env,
                                stderr=log)
        try:
            msgs = []
            while not any("READY=1" in m for m in msgs):
                msgs.append(sock.recv(4096).decode())
            # Ready means serving: ping answers at once.
            ctx = zmq.Context()
            s = ctx.socket(zmq.DEALER)
            s.connect("ipc://%s/api.sock" % d)
            s.send_multipart([b"", b'{"id":"n1","cmd":"system.ping","actor":"operator"}'])
            self.assertTrue(s.poll(2000), "no answer to ping after READY=1")
            s.recv_multipart()
            s.close(0)
            ctx.term()
            # The watchdog is fed about every 200 ms.
            t0 = time.monotonic()
            dogs = 0
            while dogs < 3:
                if sock.recv(4096).decode().strip() == "WATCHDOG=1":
                    dogs += 1
            self.assertLess(time.monotonic() - t0, 3)
            proc.send_signal(signal.SIGTERM)
            while True:
                m = sock.recv(4096).decode()
                if "STOPPING=1" in m:
                    break
            self.assertEqual(proc.wait(timeout=20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


class RestoreTest(unittest.TestCase):
    def test_backup_restore(self):
        d = Daemon("2026-09-07T08:00:00Z")
        self.addCleanup(d.stop)
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        d.ok("school.create", {"id": "s-elm", "name": "Elm Primary", "phase": "primary"})
        b = d.ok("system.backup", {"path": "nightly"})
        at_backup = d.ok("system.ping")
        self.assertGreater(at_backup["head"], 0)
        # Later writes, which the restore takes back.
        d.ok("school.create", {"id": "s-ash", "name": "Ash Primary", "phase": "primary"})
        self.assertGreater(d.ok("system.ping")["head"], at_backup["head"])
        # Stop, put the backup in place of the store, start.
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=20), 0)
        d.log.close()
        db = os.path.join(d.dir, "db")
        shutil.copyfile(os.path.join(b["path"], "data.mdb"), os.path.join(db, "data.mdb"))
        if os.path.exists(os.path.join(db, "lock.mdb")):
            os.unlink(os.path.join(db, "lock.mdb"))
        d.start()
        after = d.ok("system.ping")
        self.assertEqual(after["head"], at_backup["head"])
        if "head_hash" in at_backup:
            self.assertEqual(after["head_hash"], at_backup["head_hash"])
        self.assertEqual(d.call("school.get", {"id": "s-ash"})["error"]["code"], "not_found")
        self.assertEqual(d.ok("school.get", {"id": "s-elm"})["school"]["name"], "Elm Primary")


if __name__ == "__main__":
    unittest.main()
