"""A pathwayd on the manual clock with the Unity Schools LDP loaded, for
test_unity.py and test_year_unity.py: its configuration (the shipped
programme and cohorts, or a cohort file the test writes), the Trust's
schools and people, the LDP form's answers, and reading what appeared
since the last look (jobs and events).
"""
import os
import re

from test_timers import SRC, Daemon

CONF = """
daemon = {{
	api = "ipc://{d}/api.sock";
	events = "ipc://{d}/events.sock";
	workers = "ipc://{d}/workers.sock";
	db = "{d}/db";
	backup_dir = "{d}/backup";
	templates = "{src}/conf/templates";
	clock = "manual";
	clock_start = "{start}";
	log_level = "warn";
}};
programmes = [ "{src}/conf/programmes/unity-ldp.conf" ];
cohorts = [ {cohorts} ];
"""

COHORT = "unity-2026-27"
NEXT = "unity-2027-28"
CHAIR = "usp-ceo"
PANEL = ["usp-ceo", "usp-hr", "usp-primary-lead", "usp-secondary-lead"]

ANSWER = {
    "current_post": "Year 5 teacher and maths lead",
    "contract": "Permanent, full time",
    "discipline": "Teaching",
    "aspiration": "Assistant headteacher within the Trust.",
    "strengths": "Led maths mastery across key stage 2; coached two early-career teachers.",
    "development": "Leading adults, school finance; a Trust project on reasoning in maths.",
    "accreditation": ["Internal Trust accreditation"],
    "secondment": True,
    "commitment": True,
}

SCHOOLS = [("u-castle", "Castle Manor Primary", "primary"),
           ("u-clements", "Clements Primary", "primary"),
           ("u-samuel", "Samuel Ward Academy", "secondary"),
           ("u-trust", "Unity Schools Partnership central team", "all-through")]

PEOPLE = [("p-la", "Helen Marsh", ["la_adviser"], None, None),
          ("usp-ceo", "Jane Chief", ["headteacher"], "u-trust", None),
          ("usp-hr", "Harriet Rowe", ["headteacher"], "u-trust", None),
          ("usp-primary-lead", "Paul Prior", ["headteacher"], "u-trust", None),
          ("usp-secondary-lead", "Sara Second", ["headteacher"], "u-trust", None),
          ("h-castle", "Carol Castle", ["headteacher"], "u-castle", None),
          ("h-clements", "Colin Clements", ["headteacher"], "u-clements", None),
          ("h-samuel", "Sam Ward", ["headteacher"], "u-samuel", None),
          ("c-pri", "Priya Patel", ["candidate"], "u-castle", {"permanent": True}),
          ("c-pri2", "Peter Price", ["candidate"], "u-clements", {"permanent": True}),
          ("c-pri3", "Polly Page", ["candidate"], "u-castle", {"permanent": True}),
          ("c-sec", "Simon Stone", ["candidate"], "u-samuel", {"permanent": True}),
          ("c-sec2", "Sally Stone", ["candidate"], "u-samuel", {"permanent": True}),
          ("c-temp", "Tom Temple", ["candidate"], "u-castle", {"permanent": False}),
          ("c-nofact", "Nina Nofact", ["candidate"], "u-clements", None)]

HEAD = {"u-castle": "h-castle", "u-clements": "h-clements", "u-samuel": "h-samuel"}


def cohort_text(max_size=None):
    """The shipped 2026-27 cohort file, with each group's max changed when given."""
    with open(os.path.join(SRC, "conf/cohorts", COHORT + ".conf")) as f:
        text = f.read()
    if max_size is not None:
        text = re.sub(r"min = \d+; max = \d+;", "min = 1; max = %d;" % max_size, text)
    return text


class UnityDaemon(Daemon):
    """Daemon with the LDP only: the shipped cohorts, or the 2026-27 one rewritten."""

    def __init__(self, start, max_size=None, cohorts=(COHORT, NEXT), extra=None,
                 programme=None):
        import shutil
        import tempfile
        import zmq
        self.dir = tempfile.mkdtemp(prefix="pwu", dir="/tmp")
        self.conf = os.path.join(self.dir, "pathway.conf")
        self.curve = False
        files = []
        if max_size is None:
            files = ['"%s/conf/cohorts/%s.conf"' % (SRC, c) for c in cohorts]
        else:
            path = os.path.join(self.dir, COHORT + ".conf")
            with open(path, "w") as f:
                f.write(cohort_text(max_size))
            files = ['"%s"' % path]
        if extra is not None:  # one more cohort file, loaded after the others
            path = os.path.join(self.dir, "extra.conf")
            with open(path, "w") as f:
                f.write(extra)
            files.append('"%s"' % path)
        # A cohort file written elsewhere includes nothing: the programme's @include
        # is resolved beside the programme file, which stays in the checkout.
        conf = CONF.format(d=self.dir, src=SRC, start=start, cohorts=", ".join(files))
        if programme is not None:  # the programme rewritten by programme(text), and its form
            with open(os.path.join(SRC, "conf/programmes/unity-ldp.conf")) as f:
                text = f.read()
            os.makedirs(os.path.join(self.dir, "forms"))
            shutil.copy(os.path.join(SRC, "conf/programmes/forms/unity-ldp.conf"),
                        os.path.join(self.dir, "forms"))
            with open(os.path.join(self.dir, "unity-ldp.conf"), "w") as f:
                f.write(programme(text))
            conf = conf.replace("%s/conf/programmes/unity-ldp.conf" % SRC,
                                os.path.join(self.dir, "unity-ldp.conf"))
        with open(self.conf, "w") as f:
            f.write(conf)
        self.ctx = zmq.Context()
        self.sock = None
        self.proc = None
        self.n = 0
        self.start()


def setup_people(d):
    for sid, name, phase in SCHOOLS:
        d.ok("school.create", {"id": sid, "name": name, "phase": phase})
    for pid, name, roles, school, facts in PEOPLE:
        args = {"id": pid, "name": name, "email": pid + "@example.org", "roles": roles}
        if school:
            args["school"] = school
        if facts is not None:
            args["facts"] = facts
        d.ok("person.create", args)


class News:
    """What appeared since the last look: jobs (with vars) and events."""

    def __init__(self, d):
        self.d = d
        self.seq = 0
        self.job = None
        self.take()

    def take(self):
        evs, jobs = [], []
        while True:
            page = self.d.ok("events.since", {"after": self.seq, "limit": 1000})["events"]
            if not page:
                break
            evs += page
            self.seq = page[-1]["seq"]
        while True:
            args = {"limit": 1000, "vars": True}
            if self.job:
                args["after"] = self.job
            page = self.d.ok("outbox.list", args)["jobs"]
            if not page:
                break
            jobs += page
            self.job = page[-1]["id"]
        return jobs, evs
