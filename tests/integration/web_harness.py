"""A harness for pathway-web's tests: a real pathwayd (with a web group) and a
real pathway-web on a free loopback port, a worker on the daemon's workers
socket that keeps every job it is offered (so a test can read the links the
emails carry), and a small HTTP client that keeps cookies and fills in a
form's CSRF field.

    w = WebDaemon()                       # local mode; WebDaemon(curve=True) for keys
    w.people()                            # a school, a candidate, a head, an LA adviser
    s = w.login("p-la@example.org")       # a Client with the session cookie
    page = s.get("/dashboard")            # .status, .headers, .body, .cookies
    s.post("/a/" + token, {"decision": "yes"}, form="/a/" + token)   # csrf from that page
    w.stop()                              # SIGTERM both; each must exit 0 (ASan clean)

Nothing here depends on a page of pathway-web but /healthz: login() asks
pathwayd for the link and trades it for a session as the login page does.
"""
import atexit
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import time
import urllib.parse

import zmq

from test_timers import BIN, Daemon, key_file

START = "2026-09-07T08:00:00Z"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class Response:
    def __init__(self, resp):
        self.status = resp.status
        self.headers = resp.headers
        self.body = resp.read().decode("utf-8", "replace")
        self.cookies = resp.headers.get_all("Set-Cookie") or []

    def header(self, name):
        return self.headers.get(name)

    def csrf(self):
        """The value of the first hidden csrf field in the page, or None."""
        m = re.search(r'name="csrf"[^>]*value="([^"]*)"', self.body) or \
            re.search(r'value="([^"]*)"[^>]*name="csrf"', self.body)
        return m.group(1) if m else None


class Client:
    """An HTTP client that keeps the cookies pathway-web sets (a new connection per
    request, as simple as a browser's first visit)."""

    def __init__(self, port, cookies=None, tls=False):
        self.port = port
        self.cookies = dict(cookies or {})
        self.tls = tls

    def request(self, method, path, body=None, headers=None):
        if self.tls:  # a certificate of our own making: not checked
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=20,
                                            context=ssl._create_unverified_context())
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        c.request(method, path, body=body, headers=h)
        r = Response(c.getresponse())
        c.close()
        for sc in r.cookies:
            name, _, rest = sc.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in sc:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return r

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields=None, form=None, csrf=True, headers=None):
        """POST fields urlencoded. With csrf, the field comes from the page at form
        (default: path) unless fields has it."""
        fields = dict(fields or {})
        if csrf and "csrf" not in fields:
            token = self.get(form or path).csrf()
            if token is not None:
                fields["csrf"] = token
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, urllib.parse.urlencode(fields, doseq=True), h)


class EventStream:
    """GET /events as an EventSource would, on a raw socket (the chunked body decoded
    here, so that waiting for an event can time out and go on): events parsed as
    they come."""

    def __init__(self, port, cookies, query="", last_id=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        h = ["GET /events%s HTTP/1.1" % query, "Host: 127.0.0.1:%d" % port,
             "Accept: text/event-stream"]
        if cookies:
            h.append("Cookie: " + "; ".join("%s=%s" % kv for kv in cookies.items()))
        if last_id is not None:
            h.append("Last-Event-ID: %s" % last_id)
        self.sock.sendall(("\r\n".join(h) + "\r\n\r\n").encode())
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            data = self.sock.recv(65536)
            if not data:
                break
            self.raw += data
        head, _, self.raw = self.raw.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(": ")
            self.headers[k] = v
        self.chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        self.text = ""  # the decoded body not yet parsed
        self.ended = False
        self.comments = []
        self._decode()  # what came with the headers

    def _decode(self):
        """Move whole chunks from raw to text."""
        if not self.chunked:
            self.text += self.raw.decode()
            self.raw = b""
            return
        while True:
            line, sep, rest = self.raw.partition(b"\r\n")
            if not sep:
                return
            size = int(line.split(b";")[0], 16)
            if size == 0:
                self.ended = True
                return
            if len(rest) < size + 2:
                return
            self.text += rest[:size].decode()
            self.raw = rest[size + 2:]

    def next(self, timeout=5.0):
        """The next event as {"id", "event", "data"}, or None at the timeout or end."""
        end = time.monotonic() + timeout
        while True:
            while "\n\n" in self.text:
                block, _, self.text = self.text.partition("\n\n")
                ev = {}
                for line in block.split("\n"):
                    if line.startswith(":"):
                        self.comments.append(line)
                    elif line:
                        k, _, v = line.partition(": ")
                        ev[k] = v
                if "data" in ev:
                    ev["data"] = json.loads(ev["data"])
                    return ev
            left = end - time.monotonic()
            if left <= 0 or self.ended:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            data = self.sock.recv(65536)
            if not data:
                self.ended = True
                return None
            self.raw += data
            self._decode()

    def events(self, n, timeout=5.0):
        out = []
        end = time.monotonic() + timeout
        while len(out) < n and time.monotonic() < end:
            ev = self.next(max(0.05, end - time.monotonic()))
            if ev is not None:
                out.append(ev)
            elif self.ended:
                break
        return out

    def close(self):
        self.sock.close()


class Worker:
    """A worker on the daemon's workers socket: keeps every job it is offered."""

    def __init__(self, d):
        self.s = d.ctx.socket(zmq.DEALER)
        self.s.setsockopt(zmq.LINGER, 0)
        if d.curve:
            keys = os.path.join(d.dir, "keys")
            self.s.curve_publickey, self.s.curve_secretkey = key_file(
                os.path.join(keys, "operator.key"))
            self.s.curve_serverkey = key_file(os.path.join(keys, "pathwayd.pub"))[0]
        self.s.connect("ipc://%s/workers.sock" % d.dir)
        self.s.send_json({"type": "ready", "credit": 1000, "name": "test", "protocol": 3})
        self.jobs = []
        self.last = time.monotonic()

    def poll(self):
        while self.s.poll(0):
            m = json.loads(self.s.recv_multipart()[-1])
            if m.get("type") == "job":
                self.jobs.append(m["job"])
                self.s.send_json({"type": "done", "job": m["job"]["id"]})
        if time.monotonic() - self.last > 1:  # the daemon drops a silent worker
            self.s.send_json({"type": "heartbeat"})
            self.last = time.monotonic()

    def wait(self, pred, timeout=10.0, what="a job"):
        def find():
            self.poll()
            found = [j for j in self.jobs if pred(j)]
            return found[-1] if found else None
        return wait_until(find, timeout, what)

    def close(self):
        self.s.close(0)


LIVE = []  # WebDaemons not stopped yet


@atexit.register
def _stop_forgotten():
    """A test that failed before its cleanup was registered (setUpClass) must not leave
    daemons behind: they hold ctest's output pipe open until its timeout."""
    for w in list(LIVE):
        try:
            w.stop()
        except Exception:  # pylint: disable=broad-except
            pass


class WebDaemon(Daemon):
    """pathwayd on a manual clock with web.base_url, and pathway-web in front of it."""

    def __init__(self, start=START, curve=False, web="", base=None, tls=False):
        self.port = free_port()
        self.tls = tls
        self.base = base or "http://127.0.0.1:%d" % self.port
        self.web_settings = web
        self.web_proc = None
        self.worker = None
        super().__init__(start, curve)
        LIVE.append(self)
        try:
            if curve:
                self.web_keys()
            self.worker = Worker(self)
            self.web_start()
        except BaseException:
            self.stop()
            raise

    def start(self):
        with open(self.conf) as f:
            text = f.read()
        if "\nweb = {" not in text:
            web = ('web = {\n\tbase_url = "%s";\n\tlisten = "127.0.0.1:%d";\n'
                   '\ttimeout_ms = 3000;\n%s\n' % (self.base, self.port, self.web_settings))
            if self.curve:
                web += ('\tkey = "%s/keys/web.key";\n\tviewer_key = "%s/keys/viewer.key";\n'
                        % (self.dir, self.dir))
            if self.tls:  # HTTPS here, with a self-signed certificate
                cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
                subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                "-keyout", key, "-out", cert, "-days", "2",
                                "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
                web += '\ttls_cert = "%s";\n\ttls_key = "%s";\n' % (cert, key)
            text += web + "};\n"
            with open(self.conf, "w") as f:
                f.write(text)
        super().start()

    def web_keys(self):
        """Curve mode: a web and a viewer key pair, registered, in key files."""
        for service in ("web", "viewer"):
            pub, sec = zmq.curve_keypair()
            self.ok("key.add", {"public": pub.decode(), "service": service})
            path = os.path.join(self.dir, "keys", service + ".key")
            with open(path, "w") as f:
                f.write('public = "%s";\nsecret = "%s";\n' % (pub.decode(), sec.decode()))
            os.chmod(path, 0o600)

    def web_start(self):
        self.web_log = open(os.path.join(self.dir, "web.log"), "ab")
        self.web_proc = subprocess.Popen([os.path.join(BIN, "pathway-web"), "-c", self.conf],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=self.web_log)

        def up():
            if self.web_proc.poll() is not None:
                raise AssertionError("pathway-web exited %d:\n%s" % (
                    self.web_proc.returncode, self.web_log_text()))
            try:
                return self.client().get("/healthz").status == 200
            except OSError:
                return False
        wait_until(up, 20, "pathway-web to answer")

    def web_log_text(self):
        with open(os.path.join(self.dir, "web.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def web_stop(self):
        """SIGTERM pathway-web; it must exit 0 (under ASan: with nothing leaked)."""
        if self.web_proc is None:
            return
        code = 0
        if self.web_proc.poll() is None:
            self.web_proc.send_signal(signal.SIGTERM)
            code = self.web_proc.wait(timeout=20)
        else:
            code = self.web_proc.returncode
        self.web_proc = None
        self.web_log.close()
        assert code == 0, "pathway-web exited %d:\n%s" % (code, self.web_log_text()[-4000:])

    def stop(self):
        if self in LIVE:
            LIVE.remove(self)
        try:
            self.web_stop()
        finally:
            if self.worker is not None:
                self.worker.close()
                self.worker = None
            super().stop()

    def client(self, cookies=None):
        return Client(self.port, cookies, self.tls)

    def people(self):
        """A school, a candidate, their headteacher, an LA adviser and a viewer."""
        self.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        for pid, name, roles, school in [
                ("p-cand", "Amara Okafor", ["candidate"], "s-oak"),
                ("p-head", "Margaret Lowe", ["headteacher"], "s-oak"),
                ("p-la", "Helen Marsh", ["la_adviser"], None),
                ("p-view", "Victor Viewer", ["viewer"], None)]:
            args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
            if school:
                args["school"] = school
            self.ok("person.create", args)

    def login_token(self, email):
        """The token of the next login link emailed to email."""
        seen = {j["id"] for j in self.worker.jobs}
        self.ok("auth.link", {"email": email})
        job = self.worker.wait(lambda j: j["id"] not in seen and j["to"]["email"] == email and
                               "login_url" in j.get("vars", {}), what="a login link")
        return re.search(r"/login/([A-Za-z0-9_-]+)$", job["vars"]["login_url"]).group(1)

    def login(self, email):
        """A Client signed in as the person with that address (a session cookie)."""
        session = self.ok("auth.session", {"token": self.login_token(email)})["token"]
        return self.client({"pw_session": session})

    def action_token(self, email, template=None):
        """The token of the newest action link emailed to email."""
        job = self.worker.wait(lambda j: j["to"]["email"] == email and
                               "/a/" in j.get("vars", {}).get("action_url", "") and
                               (template is None or j["template"]["name"] == template),
                               what="an action link to " + email)
        return re.search(r"/a/([A-Za-z0-9_-]+)$", job["vars"]["action_url"]).group(1)

    def stream(self, client, query="", last_id=None):
        return EventStream(self.port, client.cookies, query, last_id)
