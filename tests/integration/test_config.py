#!/usr/bin/python3
"""Configuration errors, SIGHUP reload and the store lock, with real processes.

Every error in a configuration file stops start-up (and `pathwayd -t`) with the
file, the line and the setting, and a non-zero exit. A reload (SIGHUP) with a
good change takes effect without losing state; a bad one is refused, logged
with its reason, and the running configuration stays. A second daemon on the
same store refuses to start.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import zmq

from test_timers import BIN, SRC, Daemon

START = "2026-09-07T08:00:00Z"

CONF = """
daemon = {{
	api = "ipc://{d}/{name}api.sock";
	events = "ipc://{d}/{name}events.sock";
	workers = "ipc://{d}/{name}workers.sock";
	db = "{d}/db";
	templates = "{d}/templates";
	clock = "manual";
	clock_start = "{start}";
	log_level = "info";
}};
programmes = [ "{d}/programmes/norfolk-talent-pool.conf",
	       "{d}/programmes/kent-pathways.conf",
	       "{d}/programmes/norfolk-lle.conf" ];
cohorts = [ "{d}/cohorts/ntp-2026-27.conf", "{d}/cohorts/ntp-2027-28.conf",
	    "{d}/cohorts/kent-2026-27.conf", "{d}/cohorts/lle-2026-27.conf" ];
"""


class Tree:
    """A private copy of conf/ (programmes, cohorts, templates) the test may break."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pwc", dir="/tmp")
        for sub in ("programmes", "cohorts", "templates"):
            shutil.copytree(os.path.join(SRC, "conf", sub), os.path.join(self.dir, sub))
        self.conf = self.write_conf()

    def write_conf(self, name=""):
        path = os.path.join(self.dir, name + "pathway.conf")
        with open(path, "w") as f:
            f.write(CONF.format(d=self.dir, start=START, name=name))
        return path

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def write(self, rel, text):
        with open(self.path(rel), "w") as f:
            f.write(text)

    def write_bytes(self, rel, data):
        with open(self.path(rel), "wb") as f:
            f.write(data)

    def append_conf(self, text, marker):
        """Append text to the main file; return the 1-based line marker is on there."""
        old = self.read("pathway.conf")
        self.write("pathway.conf", old + text)
        return (old + text).count("\n", 0, len(old) + text.index(marker)) + 1

    def edit(self, rel, old, new, count=1):
        """Replace the count-th occurrence of old; return the 1-based line it is on."""
        text = self.read(rel)
        at = -1
        for _ in range(count):
            at = text.index(old, at + 1)
        self.write(rel, text[:at] + new + text[at + len(old):])
        return text.count("\n", 0, at) + 1

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def check(conf):
    return subprocess.run([os.path.join(BIN, "pathwayd"), "-t", "-c", conf],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)


def run(conf):
    """A real start that must fail: it exits by itself, quickly."""
    return subprocess.run([os.path.join(BIN, "pathwayd"), "-c", conf],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)


class ConfigErrorsTest(unittest.TestCase):
    def setUp(self):
        self.tree = Tree()
        self.addCleanup(self.tree.remove)

    def refused(self, rel, line, setting, *words):
        """Both -t and a real start refuse with FILE:LINE: SETTING and a non-zero exit."""
        where = "%s:%d: %s" % (self.tree.path(rel), line, setting)
        for how, p in (("-t", check(self.tree.conf)), ("start", run(self.tree.conf))):
            err = p.stderr.decode()
            self.assertNotEqual(p.returncode, 0, how)
            self.assertIn(where, err, how)
            for w in words:
                self.assertIn(w, err, how)
            self.assertEqual(p.stdout, b"", how)
        # The refused start created no store to serve, and bound nothing.
        self.assertFalse(os.path.exists(self.tree.path("api.sock")))

    def test_shipped_configuration_is_valid(self):
        p = check(self.tree.conf)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("3 programmes, 4 cohorts: ok", p.stdout.decode())

    def test_duplicate_stage_id(self):
        line = self.tree.edit("programmes/norfolk-talent-pool.conf", 'id = "signoff";',
                              'id = "interest";')
        self.refused("programmes/norfolk-talent-pool.conf", line, "id", "interest")

    def test_stage_requires_undefined_session(self):
        # Reported at the calendar of the first cohort of that programme that lacks it.
        self.tree.edit("programmes/norfolk-talent-pool.conf", '[ "TP6" ]', '[ "TP66" ]')
        line = self.tree.read("cohorts/ntp-2026-27.conf").split("sessions = (")[0].count("\n") + 1
        self.refused("cohorts/ntp-2026-27.conf", line, "sessions", "'TP66'",
                     self.tree.path("programmes/norfolk-talent-pool.conf"))

    def test_session_missing_from_one_cohort(self):
        # The programme names TP6; one cohort of that programme lacks it.
        rel = "cohorts/ntp-2027-28.conf"
        line = self.tree.edit(rel, '{ id = "TP6";', '{ id = "TP6b";')
        err = check(self.tree.conf)
        self.assertNotEqual(err.returncode, 0)
        text = err.stderr.decode()
        self.assertIn("TP6", text)
        self.assertRegex(text, re.escape(self.tree.path("")) + r"[^:]+\.conf:\d+: ")
        del line

    def test_unknown_requirement_kind(self):
        line = self.tree.edit("programmes/kent-pathways.conf", 'kind = "submission"',
                              'kind = "essay"')
        self.refused("programmes/kent-pathways.conf", line, "kind", "unknown requirement kind")

    def test_unknown_role(self):
        line = self.tree.edit("programmes/norfolk-talent-pool.conf",
                              'kind = "signoff"; role = "headteacher"',
                              'kind = "signoff"; role = "principal"')
        self.refused("programmes/norfolk-talent-pool.conf", line, "role", "not a role")

    def test_unknown_role_in_notification(self):
        line = self.tree.edit("programmes/kent-pathways.conf",
                              'to = [ "coach", "candidate" ]', 'to = [ "coach", "mentor" ]')
        self.refused("programmes/kent-pathways.conf", line, "to", "not a role")

    def test_template_with_unknown_variable(self):
        rel = "templates/signoff-needed.txt"
        text = self.tree.read(rel)
        self.tree.write(rel, text.rstrip("\n") + "\nYour shoe size: {{shoe_size}}\n")
        line = text.rstrip("\n").count("\n") + 2
        self.refused(rel, line, "{{shoe_size}}", "application.stage_changed")

    def test_unknown_time_zone(self):
        # A misspelt zone would silently be UTC: every local time an hour out in summer.
        rel = "cohorts/kent-2026-27.conf"
        line = self.tree.edit(rel, '"Europe/London"', '"Europe/Lodnon"')
        self.refused(rel, line, "timezone", "unknown time zone 'Europe/Lodnon'")
        for bad in ('"../../etc/passwd"', '"Europe"', '"zone.tab"', '""'):
            self.tree.write(rel, self.tree.read(rel).replace(
                self.tree.read(rel).split("timezone = ")[1].split(";")[0], bad, 1))
            self.refused(rel, line, "timezone", "unknown time zone")

    def test_syntax_error(self):
        line = self.tree.edit("cohorts/kent-2026-27.conf", "places = 20;", "places = = 20;")
        # libconfig reports the line where it noticed (the next token's).
        p = check(self.tree.conf)
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0)
        m = re.search(re.escape(self.tree.path("cohorts/kent-2026-27.conf")) + r":(\d+): (.+)",
                      err)
        self.assertIsNotNone(m, err)
        self.assertIn(int(m.group(1)), (line, line + 1))
        self.assertIn("syntax error", m.group(2))
        p = run(self.tree.conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(m.group(0), p.stderr.decode())

    def test_syntax_error_in_main_file(self):
        with open(self.tree.conf, "a") as f:
            f.write("\ncohorts = ( oops\n")
        p = check(self.tree.conf)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(p.stderr.decode(), re.escape(self.tree.conf) + r":\d+: ")

    def test_wrong_type_and_unknown_setting(self):
        line = self.tree.edit("cohorts/kent-2026-27.conf", "places = 20;", 'places = "twenty";')
        self.refused("cohorts/kent-2026-27.conf", line, "places")
        self.tree.edit("cohorts/kent-2026-27.conf", 'places = "twenty";', "places = 20;")
        line = self.tree.edit("programmes/kent-pathways.conf", 'kind = "submission";',
                              'kind = "submission"; weight = 3;')
        self.refused("programmes/kent-pathways.conf", line, "weight")


class EncodingTest(unittest.TestCase):
    """Text that is not UTF-8 (a file saved as Latin-1) is refused at load, not when a
    worker connects (the daemon could not encode the job) or a client lists cohorts."""

    def setUp(self):
        self.tree = Tree()
        self.addCleanup(self.tree.remove)

    refused = ConfigErrorsTest.refused

    def test_latin1_template(self):
        rel = "templates/signoff-needed.txt"
        text = self.tree.read(rel)
        self.tree.write_bytes(rel, text.encode() + "Merci, l'\u00e9quipe\n".encode("latin-1"))
        self.refused(rel, text.count("\n") + 1, "not valid UTF-8", "0xE9")

    def test_latin1_html_template(self):
        rel = "templates/graduated.html"
        text = self.tree.read(rel)
        self.tree.write_bytes(rel, "<p>F\u00e9licitations</p>\n".encode("latin-1") + text.encode())
        self.refused(rel, 1, "not valid UTF-8")

    def test_latin1_cohort_name(self):
        rel = "cohorts/kent-2026-27.conf"
        line = self.tree.edit(rel, "summer 2027", "\u00e9t\u00e9 2027")
        self.tree.write_bytes(rel, self.tree.read(rel).encode("latin-1"))
        self.refused(rel, line, "name", "not valid UTF-8", "0xE9")

    def test_latin1_programme_and_main_file(self):
        rel = "programmes/kent-pathways.conf"
        text = self.tree.read(rel)
        line = self.tree.edit(rel, '"Introduction twilight"', '"Caf\u00e9 twilight"')
        self.tree.write_bytes(rel, self.tree.read(rel).encode("latin-1"))
        self.refused(rel, line, "name", "not valid UTF-8")
        self.tree.write(rel, text)
        # An element of a list is named by the list.
        line = self.tree.append_conf('ctl = { actor = "op\u00e9rateur"; };\n', "ctl")
        self.tree.write_bytes("pathway.conf", self.tree.read("pathway.conf").encode("latin-1"))
        self.refused("pathway.conf", line, "actor", "not valid UTF-8")


class StartupChecksTest(unittest.TestCase):
    """What a start would refuse, `pathwayd -t` refuses first, at the setting."""

    def setUp(self):
        self.tree = Tree()
        self.addCleanup(self.tree.remove)

    refused = ConfigErrorsTest.refused

    def checked(self, line, setting, *words):
        """-t refuses (the mailer group is not the daemon's: a start is not refused)."""
        p = check(self.tree.conf)
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("%s:%d: %s: " % (self.tree.conf, line, setting), err)
        for w in words:
            self.assertIn(w, err)
        self.assertEqual(err.count("\n"), 1, err)

    def test_template_settings_are_template_ids(self):
        shipped = self.tree.read("pathway.conf")
        for group, setting in (("outbox", "failed_template"),
                               ("opportunities", "early_template"),
                               ("opportunities", "released_template"),
                               ("digest", "template")):
            # A path to a real template is still not an id.
            self.tree.write("pathway.conf", shipped)
            line = self.tree.append_conf('%s = { %s = "../templates/digest"; };\n'
                                         % (group, setting), group)
            self.refused("pathway.conf", line, setting, "not an id")
            # An id with no template is reported at the setting too.
            self.tree.write("pathway.conf", shipped)
            line = self.tree.append_conf('%s = {\n\t%s = "no-such";\n};\n'
                                         % (group, setting), setting)
            self.refused("pathway.conf", line, setting, "cannot read the template",
                         self.tree.path("templates/no-such.txt"))
        self.tree.write("pathway.conf", shipped)
        self.tree.append_conf('outbox = { failed_template = "notification-failed"; };\n'
                              'digest = { template = "digest"; };\n', "outbox")
        self.assertEqual(check(self.tree.conf).returncode, 0)

    def test_endpoints(self):
        shipped = self.tree.read("pathway.conf")
        api = 'api = "ipc://%s/api.sock";' % self.tree.dir
        cases = [
            ("api", "tcp://127.0.0.1:99999", "the port must be a number from 1 to 65535"),
            ("api", "tcp://127.0.0.1:*", "the port must be a number"),
            ("api", "tcp://127.0.0.1", "tcp:// needs HOST:PORT"),
            ("api", "tcp://:7401", "needs a host"),
            ("api", "tcp://localhost:7401", "'localhost' is not *, an IPv4 address"),
            ("api", "tcp://[::1]:7401", "IPv6"),
            ("api", "udp://127.0.0.1:7401", "must be ipc://PATH, tcp://HOST:PORT or inproc://"),
            ("api", "api.sock", "must be ipc://PATH"),
            ("api", "ipc://", "ipc:// needs a path"),
            ("api", "ipc://%s/%s.sock" % (self.tree.dir, "x" * 100), "too long"),
            ("events", "ipc://%s/api.sock" % self.tree.dir, "the same endpoint as daemon.api"),
            ("workers", "ipc://%s/api.sock" % self.tree.dir, "the same endpoint as daemon.api"),
        ]
        for setting, endpoint, why in cases:
            self.tree.write("pathway.conf", shipped)
            old = api if setting == "api" else '%s = "ipc://%s/%s.sock";' % (
                setting, self.tree.dir, setting)
            line = self.tree.edit("pathway.conf", old, '%s = "%s";' % (setting, endpoint))
            self.refused("pathway.conf", line, setting, why)
        # What zmq_bind takes still passes: in curve mode all of it, in local
        # mode only endpoints the file system protects.
        for endpoint in ("tcp://127.0.0.1:7401", "tcp://*:7401", "tcp://lo:7401",
                         "inproc://pathway-api", "ipc://@pathway-api"):
            curve = shipped.replace(api, 'api = "%s"; security = "curve";' % endpoint)
            self.tree.write("pathway.conf", curve)
            p = check(self.tree.conf)
            self.assertEqual(p.returncode, 0, (endpoint, p.stderr.decode()))
        self.tree.write("pathway.conf", shipped.replace(api, 'api = "inproc://pathway-api";'))
        self.assertEqual(check(self.tree.conf).returncode, 0)
        # Local mode refuses what anyone could reach as the operator.
        for endpoint, why in (("tcp://127.0.0.1:7401", "a tcp endpoint needs daemon.security"),
                              ("ipc://@pathway-api", "an abstract ipc endpoint")):
            self.tree.write("pathway.conf", shipped)
            line = self.tree.edit("pathway.conf", api, 'api = "%s";' % endpoint)
            self.refused("pathway.conf", line, "api", why)
        self.tree.write("pathway.conf", shipped)
        line = self.tree.edit("pathway.conf", api, api + ' security = "open";')
        self.refused("pathway.conf", line, "security", "must be local or curve")

    def test_mailer_settings(self):
        shipped = self.tree.read("pathway.conf")
        secret = self.tree.path("secret")
        with open(secret, "w") as f:
            f.write("s3cret\n")
        empty = self.tree.path("empty")
        open(empty, "w").close()
        ca = self.tree.path("ca.pem")
        with open(ca, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        tls = 'starttls = "required"; user = "pathway"; '
        cases = [
            ('starttls = "maybe";', "starttls", "must be none, optional or required"),
            ('credit = 0;', "credit", "must be at least 1"),
            ('heartbeat_ms = 5;', "heartbeat_ms", "must be at least 10"),
            ('timeout_ms = "10s";', "timeout_ms", "must be an integer"),
            ('reuse_connection = "yes";', "reuse_connection", "must be true or false"),
            ('smtp_host = "relay";', "smtp_host", "unknown setting"),
            ('smtp_url = "http://relay:25";', "smtp_url", "smtp://"),
            ('smtp_url = "smtp://pathway:pw@relay:25";', "smtp_url",
             "put no user or password in it"),
            ('user = "pathway"; password_file = "%s";' % secret, "user", "in clear"),
            (tls, "user", "AUTH needs a password: set password_file or password_env"),
            (tls + 'password_file = "%s/none";' % self.tree.dir, "password_file",
             "%s/none: cannot read it (No such file or directory)" % self.tree.dir),
            (tls + 'password_file = "%s";' % empty, "password_file", "(empty)"),
            (tls + 'password_file = "%s"; password_env = "PW_SMTP";' % secret, "password_env",
             "not both"),
            ('ca_file = "%s/missing.pem";' % self.tree.dir, "ca_file", "cannot read it"),
            ('ca_file = "%s";' % empty, "ca_file", "no PEM certificate"),
        ]
        for settings, setting, why in cases:
            self.tree.write("pathway.conf", shipped)
            line = self.tree.append_conf("mailer = {\n\t%s\n};\n" % settings, settings)
            self.checked(line, setting, why)
        # Settings the mailer takes pass, AUTH over TLS with each password source.
        for settings in (tls + 'password_file = "%s"; ca_file = "%s";' % (secret, ca),
                         'user = "pathway"; password_env = "PW_SMTP"; '
                         'smtp_url = "smtps://relay:465";',
                         'smtp_url = "smtp://relay:25"; starttls = "none"; credit = 4;'):
            self.tree.write("pathway.conf", shipped + "mailer = { %s };\n" % settings)
            p = check(self.tree.conf)
            self.assertEqual(p.returncode, 0, (settings, p.stderr.decode()))


class Served(Daemon):
    """A Daemon on a Tree's configuration (copied files the test may change)."""

    def __init__(self, tree):  # pylint: disable=super-init-not-called
        self.tree = tree
        self.dir = tree.dir
        self.conf = tree.conf
        self.ctx = zmq.Context()
        self.sock = None
        self.proc = None
        self.n = 0
        self.start()

    def log_text(self):
        with open(os.path.join(self.dir, "pathwayd.log"), "rb") as f:
            return f.read().decode(errors="replace")


def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.tree = Tree()
        self.d = Served(self.tree)
        self.addCleanup(self.tree.remove)
        self.addCleanup(self.d.stop)
        d = self.d
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak"})
        self.apps = []
        for i in range(3):
            c = "p-%d" % i
            d.ok("person.create", {"id": c, "name": c, "email": c + "@example.org",
                                   "roles": ["candidate"], "school": "s-oak"})
            self.apps.append(d.ok("application.create", {"cohort": "kent-2026-27",
                                                         "track": "senior", "candidate": c},
                                  c)["application"]["id"])
        d.ok("application.decide", {"app": self.apps[0], "outcome": "accept"})

    def snapshot(self):
        d = self.d
        return ([d.ok("application.get", {"app": a})["application"] for a in self.apps],
                d.ok("events.since", {"after": 0, "limit": 1000})["events"])

    def places(self):
        return self.d.ok("cohort.get", {"cohort": "kent-2026-27"})["cohort"]["places"]

    def hup_and_wait_log(self, needle, count):
        self.d.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.d.log_text().count(needle) >= count, what=needle)

    def test_good_reload_then_bad_reloads_keep_running_config(self):
        d = self.d
        before = self.snapshot()
        self.assertEqual(self.places(), 20)
        self.tree.edit("cohorts/kent-2026-27.conf", "places = 20;", "places = 25;")
        d.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.places() == 25, what="the reload")
        self.assertEqual(self.snapshot(), before, "state survives a reload")
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["places"], rep["taken"], rep["left"]), (25, 1, 24))
        self.assertIn("reloaded", d.log_text())

        # A syntax error: refused, logged with file:line, the old configuration stays.
        self.tree.edit("cohorts/kent-2026-27.conf", "places = 25;", "places = = 30;")
        self.hup_and_wait_log("reload refused", 1)
        log = d.log_text()
        self.assertRegex(log, r"reload refused.*" +
                         re.escape(self.tree.path("cohorts/kent-2026-27.conf")) + r":\d+: ")
        self.assertEqual(self.places(), 25)
        self.assertEqual(self.snapshot(), before)

        # A semantic error: an unknown requirement kind, refused with the setting.
        self.tree.edit("cohorts/kent-2026-27.conf", "places = = 30;", "places = 30;")
        line = self.tree.edit("programmes/kent-pathways.conf", 'kind = "submission"',
                              'kind = "essay"')
        self.hup_and_wait_log("reload refused", 2)
        self.assertIn("%s:%d: kind" % (self.tree.path("programmes/kent-pathways.conf"), line),
                      d.log_text())
        self.assertEqual(self.places(), 25)
        self.tree.edit("programmes/kent-pathways.conf", 'kind = "essay"', 'kind = "submission"')

        # Removing a stage that applications occupy is refused too.
        text = self.tree.read("programmes/kent-pathways.conf")
        self.tree.write("programmes/kent-pathways.conf",
                        text.replace('id = "introduction";', 'id = "intro";'))
        self.hup_and_wait_log("reload refused", 3)
        self.assertIn("introduction", d.log_text().split("reload refused")[-1])
        self.tree.write("programmes/kent-pathways.conf", text)

        # Dropping a cohort that holds applications is refused.
        conf = self.tree.read("pathway.conf")
        self.tree.write("pathway.conf", conf.replace(
            '"%s/cohorts/kent-2026-27.conf", ' % self.tree.dir, ""))
        self.hup_and_wait_log("reload refused", 4)
        self.assertIn("kent-2026-27", d.log_text().split("reload refused")[-1])
        self.tree.write("pathway.conf", conf)
        self.assertEqual(self.places(), 25)
        self.assertEqual(self.snapshot(), before)

        # Still serving, with the running configuration: a write works.
        d.ok("application.decide", {"app": self.apps[1], "outcome": "accept"})
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["places"], rep["taken"]), (25, 2))
        # A good reload after the bad ones applies the files as they now are.
        self.tree.edit("cohorts/kent-2026-27.conf", "places = 30;", "places = 26;")
        d.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.places() == 26, what="the last reload")
        # And the state is what it was, across a restart too.
        mid = self.snapshot()
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(20), 0)
        d.log.close()
        d.start()
        self.assertEqual(self.snapshot(), mid)
        self.assertEqual(self.places(), 26)

    def test_reload_drops_a_stage_only_ended_applications_are_at(self):
        d = self.d
        d.ok("application.withdraw", {"app": self.apps[1]})
        d.ok("application.decide", {"app": self.apps[2], "outcome": "waitlist"})
        text = self.tree.read("programmes/kent-pathways.conf")
        renamed = text.replace('id = "confirmation";', 'id = "confirmation_2027";')
        # A waiting application would be offered a place from a stage that is gone.
        self.tree.write("programmes/kent-pathways.conf", renamed)
        self.hup_and_wait_log("reload refused", 1)
        self.assertIn("%s of cohort 'kent-2026-27' waits for a place at stage 'confirmation'"
                      % self.apps[2], d.log_text())
        # Once it too has ended, the stage may go: ended applications are kept as they are.
        d.ok("application.withdraw", {"app": self.apps[2]})
        self.hup_and_wait_log("reloaded", 1)
        for a in self.apps[1:]:
            got = d.ok("application.get", {"app": a})["application"]
            self.assertEqual((got["status"], got["stage"]), ("withdrawn", "confirmation"))
            for cmd, args in (("application.withdraw", {"app": a}),
                              ("application.submit", {"app": a, "doc": "x"}),
                              ("application.decide", {"app": a, "outcome": "accept"})):
                r = d.call(cmd, args)
                self.assertEqual(r["error"]["code"], "invalid_transition", (cmd, r))
                self.assertIn("no longer defines", r["error"]["message"])
        self.assertEqual(len(d.ok("application.history", {"app": self.apps[1]})["events"]), 2)
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["taken"], rep["total"]), (1, 3))
        d.ok("system.ping")

    def test_lower_places_than_taken(self):
        d = self.d
        for a in self.apps[1:]:
            d.ok("application.decide", {"app": a, "outcome": "accept"})
        self.tree.edit("cohorts/kent-2026-27.conf", "places = 20;", "places = 2;")
        d.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.places() == 2, what="the reload")
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        # Applied without taking any place away; none left (never a negative count).
        self.assertEqual((rep["places"], rep["taken"], rep["left"]), (2, 3, 0))
        c = "p-x"
        d.ok("person.create", {"id": c, "name": c, "email": "x@example.org",
                               "roles": ["candidate"], "school": "s-oak"})
        app = d.ok("application.create", {"cohort": "kent-2026-27", "track": "senior",
                                          "candidate": c},
                   c)["application"]["id"]
        self.assertEqual(d.call("application.decide", {"app": app, "outcome": "accept"})
                         ["error"]["code"], "cohort_full")
        d.ok("application.decide", {"app": app, "outcome": "waitlist"})
        # A withdrawal frees a place, but 2 of 2 are still taken: the first on the waiting
        # list keeps its turn, nothing is offered; the next withdrawal offers it the place,
        # which it takes when the candidate accepts.
        d.ok("application.withdraw", {"app": self.apps[0]})
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"],
                          rep["offers"]), (2, 0, 0, [app], []))
        self.assertEqual(d.ok("application.get", {"app": app})["application"]["status"],
                         "waitlisted")
        d.ok("application.withdraw", {"app": self.apps[1]})
        a = d.ok("application.get", {"app": app})["application"]
        self.assertEqual((a["status"], a["place"]), ("waitlisted", False))
        self.assertIn("expires", a["offer"])
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"],
                          rep["offers"]), (1, 1, 0, [], [app]))
        a = d.ok("application.accept_offer", {"app": app}, c)["application"]
        self.assertEqual((a["status"], a["stage"], a["place"]), ("active", "introduction", True))
        rep = d.ok("cohort.report", {"cohort": "kent-2026-27"})
        self.assertEqual((rep["taken"], rep["offered"], rep["left"], rep["waiting"],
                          rep["offers"]), (2, 0, 0, [], []))


class LockTest(unittest.TestCase):
    def test_second_daemon_on_the_same_store_refuses(self):
        tree = Tree()
        self.addCleanup(tree.remove)
        d = Served(tree)
        self.addCleanup(d.stop)
        d.ok("school.create", {"id": "s-oak", "phase": "primary", "name": "Oak"})
        # Other sockets, same store: the lock, not a busy endpoint, refuses it.
        other = tree.write_conf("second-")
        p = run(other)
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("another pathwayd is serving this store", err)
        self.assertIn(os.path.join(tree.dir, "db"), err)
        # The first serves on, unharmed.
        self.assertEqual(d.ok("school.get", {"id": "s-oak"})["school"]["name"], "Oak")
        d.ok("school.create", {"id": "s-elm", "phase": "primary", "name": "Elm"})
        # Once it has stopped, the second may start.
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(20), 0)
        q = subprocess.Popen([os.path.join(BIN, "pathwayd"), "-c", other],
                             stderr=subprocess.PIPE)
        ctx = zmq.Context()
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect("ipc://%s/second-api.sock" % tree.dir)
        try:
            s.send(b'{"id": 1, "cmd": "school.list", "actor": "operator"}')
            self.assertTrue(s.poll(20000), "the second daemon did not serve")
            got = json.loads(s.recv())["data"]["schools"]
            self.assertEqual(sorted(x["id"] for x in got), ["s-elm", "s-oak"])
        finally:
            s.close(0)
            ctx.term()
            q.send_signal(signal.SIGTERM)
            code = q.wait(20)
            err = q.stderr.read().decode()
            q.stderr.close()
            self.assertEqual(code, 0, err[-2000:])


if __name__ == "__main__":
    unittest.main()
