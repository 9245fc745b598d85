#!/usr/bin/python3
"""Forms and the 360, tried from outside.

A real pathwayd on ipc sockets in a temporary directory, on a manual clock,
running a test programme whose form has a field of every type and whose 360
has four rater categories. Forms: every field type valid and invalid, drafts,
a return for changes and who may read what. The 360: raters who need no
account invited by name, email and category and answering through the links
their invitations carry (taken from the jobs a worker is offered), the
anonymous roll-up with a short category folded into "others" and a hidden
one, and every view a candidate or coach can have, checked to reveal no
rater's answers and not who responded, also to a candidate who invites raters
one at a time.
"""
import json
import re
import time
import unittest

import zmq

from test_timers import SRC, Daemon, add_programme

START = "2026-09-07T08:00:00Z"

PROGRAMME = """
programme = {
	id = "forms-test";
	name = "Forms Test Programme";
	forms = (
		{
			id = "every";
			title = "Every kind of field";
			help = "A form with one field of each type.";
			filled_by = "candidate";
			readers = [ "headteacher" ];
			fields = (
				{ id = "t"; label = "Text"; type = "text"; required = true; max = 10; },
				{ id = "lt"; label = "Long text"; type = "long_text"; max = 50; },
				{ id = "c"; label = "Choice"; type = "choice"; required = true; options = [ "A", "B" ]; },
				{ id = "mc"; label = "Multiple choice"; type = "multiple_choice"; options = [ "x", "y", "z" ]; max = 2; },
				{ id = "r"; label = "Rating"; type = "rating"; max = 4; },
				{ id = "d"; label = "Date"; type = "date"; },
				{ id = "l"; label = "Link"; type = "link"; },
				{ id = "yn"; label = "Yes or no"; type = "yes_no"; required = true; }
			);
		},
		{
			id = "evidence";
			title = "Headteacher's evidence";
			filled_by = "headteacher";
			fields = ( { id = "why"; label = "Why"; type = "long_text"; required = true; } );
		}
	);
	feedback = {
		scale = { max = 5; };
		report = "REPORT";
		self_assessment = true;
		count_from = 3;
		minutes = 15;
		categories = (
			{ id = "line_manager"; name = "Line manager"; threshold = 1; },
			{ id = "peers"; name = "Peers"; threshold = 3; },
			{ id = "direct_reports"; name = "Direct reports"; threshold = 3; },
			{ id = "others"; name = "Others"; threshold = 3; }
		);
		questions = (
			{ id = "q1"; text = "Sets a clear direction"; },
			{ id = "q2"; text = "Develops others"; }
		);
	};
	stages = (
		{ id = "apply"; requires = ( { kind = "submission"; form = "every"; } ); },
		{ id = "signoff"; requires = ( { kind = "submission"; form = "evidence"; },
					       { kind = "signoff"; role = "headteacher"; } ); },
		{ id = "select"; requires = ( { kind = "decision"; role = "la_adviser"; } ); },
		{ id = "f360"; requires = ( { kind = "responses"; min = 9; per_category = { line_manager = 1; }; } );
		  deadline = { days = 30; }; },
		{ id = "done"; terminal = true; }
	);
	notifications = (
		{ on = "application.returned"; to = [ "candidate", "headteacher" ]; template = "form-returned"; },
		{ on = "application.rater_invited"; to = [ "rater" ]; template = "rater-invitation"; },
		{ on = "application.feedback_ready"; to = [ "candidate", "coach" ]; template = "feedback-ready"; }
	);
};
"""

COHORT = """
cohort = {
	id = "ft-2026";
	programme = "forms-test";
	name = "Forms Test 2026";
	places = 10;
	timezone = "Europe/London";
	starts = "2026-09-01";
};
"""

GOOD = {"t": "hello", "lt": "line one\nline two", "c": "A", "mc": ["x", "z"], "r": 4,
        "d": "2026-10-01", "l": "https://example.org/x", "yn": True}


class FormsDaemon(Daemon):
    """A Daemon running the test programme beside the seed programmes."""
    report = "met"

    def start(self):
        if add_programme(self.dir, self.conf, "forms-test",
                         PROGRAMME.replace("REPORT", self.report), "ft-2026", COHORT):
            with open(self.conf, "a") as f:
                f.write('web = { base_url = "https://pathway.test"; };\n')  # links in the emails
        super().start()

    def call_token(self, cmd, args, token):
        """A request made with a person token (as pathway-web relays a link)."""
        self.n += 1
        rid = "k%d" % self.n
        self.sock.send_multipart([b"", json.dumps(
            {"id": rid, "cmd": cmd, "token": token, "args": args}).encode()])
        if not self.sock.poll(10000):
            raise TimeoutError(cmd)
        return json.loads(self.sock.recv_multipart()[-1])


class FormsCase(unittest.TestCase):
    maxDiff = None

    report = "met"

    def setUp(self):
        FormsDaemon.report = self.report
        self.d = FormsDaemon(START)
        self.addCleanup(self.d.stop)
        d = self.d
        d.ok("school.create", {"id": "s-oak", "name": "Oakfield Primary", "phase": "primary"})
        for pid, roles in [("p-cand", ["candidate"]), ("p-head", ["headteacher"]),
                           ("p-coach", ["coach"]), ("p-la", ["la_adviser"]),
                           ("p-view", ["viewer"]), ("p-other", ["candidate"]),
                           ("p-head2", ["headteacher", "candidate"])]:
            d.ok("person.create", {"id": pid, "name": pid[2:].title() + " Person",
                                   "email": pid + "@example.org", "roles": roles,
                                   "school": "s-oak"})
        self.app = d.ok("application.create", {"cohort": "ft-2026", "candidate": "p-cand"},
                        "p-cand")["application"]["id"]

    def refused(self, cmd, args, actor, code, words):
        """cmd is refused with code (message holding words) and changes nothing."""
        d = self.d
        before = d.ok("application.get", {"app": self.app})["application"]
        form = d.ok("form.get", {"app": self.app, "form": "every"})["form"]
        r = d.call(cmd, args, actor)
        self.assertFalse(r["ok"], (cmd, args))
        self.assertEqual(r["error"]["code"], code, r)
        self.assertIn(words, r["error"]["message"])
        self.assertEqual(d.ok("application.get", {"app": self.app})["application"], before)
        self.assertEqual(d.ok("form.get", {"app": self.app, "form": "every"})["form"], form)
        return r

    def to_360(self):
        d, app = self.d, self.app
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        d.ok("application.submit", {"app": app, "doc": "evidence",
                                    "fields": {"why": "Ready to lead."}}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        self.assertEqual(d.ok("application.get", {"app": app})["application"]["stage"], "f360")


class FormTest(FormsCase):
    def test_every_field_type_valid_and_invalid(self):
        app = self.app
        bad = [
            ({"c": "A", "yn": True}, "field 't' of form 'every' is required"),
            (dict(GOOD, t=""), "field 't' of form 'every' is required"),
            (dict(GOOD, nope=1), "form 'every' has no field 'nope'"),
            (dict(GOOD, t="x" * 11), "field 't' of form 'every' is longer than 10"),
            (dict(GOOD, t="two\nlines"), "field 't' of form 'every' must be one line"),
            (dict(GOOD, t=7), "field 't' of form 'every' must be a string"),
            (dict(GOOD, lt="y" * 51), "field 'lt' of form 'every' is longer than 50"),
            (dict(GOOD, c="C"), "field 'c' of form 'every' must be one of its options"),
            (dict(GOOD, mc="x"), "field 'mc' of form 'every' must be an array"),
            (dict(GOOD, mc=["x", "w"]), "field 'mc' of form 'every' holds a value that is not"),
            (dict(GOOD, mc=["x", "x"]), "field 'mc' of form 'every' holds an option twice"),
            (dict(GOOD, mc=["x", "y", "z"]), "field 'mc' of form 'every' takes at most 2"),
            (dict(GOOD, r=5), "field 'r' of form 'every' must be an integer from 1 to 4"),
            (dict(GOOD, r=0), "field 'r' of form 'every' must be an integer from 1 to 4"),
            (dict(GOOD, r="4"), "field 'r' of form 'every' must be an integer from 1 to 4"),
            (dict(GOOD, d="2026-02-30"), "field 'd' of form 'every' must be a date"),
            (dict(GOOD, d="1 Oct"), "field 'd' of form 'every' must be a date"),
            (dict(GOOD, l="ftp://x"), "field 'l' of form 'every' must be a link"),
            (dict(GOOD, l="https://a b"), "field 'l' of form 'every' must be a link"),
            (dict(GOOD, yn="yes"), "field 'yn' of form 'every' must be true or false"),
            (dict(GOOD, yn=None), "field 'yn' of form 'every' is required"),
        ]
        for fields, words in bad:
            self.refused("application.submit", {"app": app, "doc": "every", "fields": fields},
                         "p-cand", "invalid_request", words)
        self.refused("application.submit", {"app": app, "doc": "every", "fields": [1]},
                     "p-cand", "invalid_request", "'fields' must be an object")
        self.refused("application.submit", {"app": app, "doc": "every"}, "p-cand",
                     "invalid_request", "'fields' is required")
        # Another candidate, and the headteacher, may not fill in the candidate's form.
        self.refused("application.submit", {"app": app, "doc": "every", "fields": GOOD},
                     "p-other", "forbidden", "may not")
        a = self.d.ok("application.submit", {"app": app, "doc": "every",
                                             "fields": dict(GOOD, lt="", r=None)},
                      "p-cand")["application"]
        self.assertEqual(a["stage"], "signoff")
        self.assertEqual(a["docs"]["every"]["by"], "p-cand")
        self.assertNotIn("fields", a["docs"]["every"])  # content lives apart from the record
        f = self.d.ok("form.get", {"app": app, "form": "every"}, "p-cand")["form"]
        self.assertEqual(f["state"], "submitted")
        # Empty optional values are not kept.
        want = dict(GOOD)
        del want["lt"], want["r"]
        self.assertEqual(f["fields"], want)
        self.assertEqual(f["definition"]["id"], "every")
        self.assertEqual([x["type"] for x in f["definition"]["fields"]],
                         ["text", "long_text", "choice", "multiple_choice", "rating", "date",
                          "link", "yes_no"])
        self.assertEqual(f["definition"]["fields"][3]["options"], ["x", "y", "z"])
        self.assertEqual(f["definition"]["readers"], ["headteacher"])
        # Nothing on the stream carries the content.
        evs = self.d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        self.assertNotIn("hello", json.dumps(evs))
        sub = [e for e in evs if e["type"] == "application.submitted"]
        self.assertEqual(sub[-1]["data"], {"doc": "every"})

    def test_drafts(self):
        d, app = self.d, self.app
        r = d.ok("application.save_draft", {"app": app, "form": "every",
                                            "fields": {"t": "draft", "r": 2}}, "p-cand")
        self.assertEqual(r["form"]["state"], "draft")
        self.assertEqual(r["form"]["fields"], {"t": "draft", "r": 2})
        # A draft is checked field by field, but may be incomplete; it keeps what it is not told.
        self.refused("application.save_draft", {"app": app, "form": "every",
                                                "fields": {"r": 9}}, "p-cand",
                     "invalid_request", "field 'r'")
        d.ok("application.save_draft", {"app": app, "form": "every",
                                        "fields": {"c": "B", "r": None}}, "p-cand")
        mine = d.ok("form.get", {"app": app, "form": "every"}, "p-cand")["form"]
        self.assertEqual(mine["fields"], {"t": "draft", "c": "B"})
        # A draft is its filler's: the headteacher (a reader) and the LA see only that there is one.
        for who in ("p-head", "p-la"):
            seen = d.ok("form.get", {"app": app, "form": "every"}, who)["form"]
            self.assertEqual(seen["state"], "draft")
            self.assertNotIn("fields", seen)
        self.refused("application.save_draft", {"app": app, "form": "every",
                                                "fields": {"t": "x"}}, "p-head",
                     "forbidden", "may not")
        # Submitting the draft as it is: a required field is still missing.
        self.refused("application.submit", {"app": app, "doc": "every"}, "p-cand",
                     "invalid_request", "field 'yn' of form 'every' is required")
        d.ok("application.save_draft", {"app": app, "form": "every", "fields": {"yn": False}},
             "p-cand")
        a = d.ok("application.submit", {"app": app, "doc": "every"}, "p-cand")["application"]
        self.assertEqual(a["stage"], "signoff")
        f = d.ok("form.get", {"app": app, "form": "every"}, "p-head")["form"]
        self.assertEqual((f["state"], f["fields"]), ("submitted", {"t": "draft", "c": "B",
                                                                   "yn": False}))
        # Once submitted there is no draft to keep.
        self.assertEqual(d.call("application.save_draft", {"app": app, "form": "every",
                                                           "fields": {"t": "y"}},
                                "p-cand")["error"]["code"], "invalid_transition")
        # Drafts tell the stream nothing.
        types = [e["type"] for e in d.ok("events.since", {"after": 0})["events"]]
        self.assertNotIn("application.draft", " ".join(types))

    def test_return_for_changes(self):
        d, app = self.d, self.app
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        head = d.ok("system.ping")["head"]
        # Nobody but the stage's sign-off role or the LA sends a form back; never the candidate.
        self.refused("application.return", {"app": app, "form": "every", "note": "no"},
                     "p-cand", "forbidden", "may not")
        self.refused("application.return", {"app": app, "form": "every", "note": "no"},
                     "p-coach", "forbidden", "may not")
        self.refused("application.return", {"app": app, "form": "evidence", "note": "x"},
                     "p-head", "invalid_transition", "not submitted")
        self.refused("application.return", {"app": app, "form": "nope", "note": "x"},
                     "p-head", "not_found", "no form 'nope'")
        a = d.ok("application.return", {"app": app, "form": "every",
                                        "note": "Please add your evidence on behaviour."},
                 "p-head")["application"]
        # Back to the stage of the form, which waits for it again.
        self.assertEqual(a["stage"], "apply")
        self.assertNotIn("every", a.get("docs", {}))
        self.assertEqual(a["returned"]["every"]["note"], "Please add your evidence on behaviour.")
        evs = d.ok("events.since", {"after": head})["events"]
        self.assertEqual([e["type"] for e in evs if not e["type"].startswith("notification")],
                         ["audit.refused", "audit.refused", "application.stage_changed",
                          "application.returned"])
        self.assertEqual(evs[-1]["data"], {"form": "every"})
        self.assertNotIn("behaviour", json.dumps(evs))  # the note stays off the stream
        # The candidate (who fills it in) is told, with the note; the headteacher is not.
        jobs = d.ok("outbox.list", {"vars": True})["jobs"]
        ret = [j for j in jobs if j["template"] == "form-returned"]
        self.assertEqual([j["to"]["person"] for j in ret], ["p-cand"])
        self.assertEqual(ret[0]["vars"]["note"], "Please add your evidence on behaviour.")
        self.assertEqual(ret[0]["vars"]["form_title"], "Every kind of field")
        # The content is the filler's to change again.
        f = d.ok("form.get", {"app": app, "form": "every"}, "p-cand")["form"]
        self.assertEqual(f["state"], "returned")
        self.assertEqual(f["fields"], GOOD)
        self.assertEqual(f["returns"][0]["by"], "p-head")
        # The coach (no reader) sees neither the form nor the note.
        self.assertEqual(d.call("form.get", {"app": app, "form": "every"},
                                "p-coach")["error"]["code"], "forbidden")
        d.ok("application.assign_coach", {"app": app, "coach": "p-coach"}, "p-la")
        seen = d.ok("application.get", {"app": app}, "p-coach")["application"]
        self.assertNotIn("note", seen["returned"]["every"])
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        a = d.ok("application.submit", {"app": app, "doc": "evidence",
                                        "fields": {"why": "Strong."}}, "p-head")["application"]
        self.assertNotIn("returned", a)
        self.assertEqual(a["stage"], "signoff")
        # The LA may return the headteacher's evidence; once signed off, nothing goes back.
        d.ok("application.return", {"app": app, "form": "evidence", "note": "More, please."},
             "p-la")
        d.ok("application.submit", {"app": app, "doc": "evidence",
                                    "fields": {"why": "Much more."}}, "p-head")
        d.ok("application.signoff", {"app": app}, "p-head")
        d.ok("application.decide", {"app": app, "outcome": "accept"}, "p-la")
        self.refused("application.return", {"app": app, "form": "every", "note": "late"},
                     "p-la", "invalid_transition", "moved on")

    def test_who_reads_a_form(self):
        d, app = self.d, self.app
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-cand")
        self.assertEqual(d.ok("form.get", {"app": app, "form": "every"},
                              "p-head")["form"]["fields"], GOOD)
        self.assertEqual(d.ok("form.get", {"app": app, "form": "every"},
                              "p-la")["form"]["fields"], GOOD)
        for who in ("p-other", "p-view", "p-coach"):
            r = d.call("form.get", {"app": app, "form": "every"}, who)
            self.assertEqual(r["error"]["code"], "forbidden", who)
        # The headteacher's own form: the candidate is no reader of it.
        d.ok("application.submit", {"app": app, "doc": "evidence",
                                    "fields": {"why": "Private view."}}, "p-head")
        self.assertEqual(d.call("form.get", {"app": app, "form": "evidence"},
                                "p-cand")["error"]["code"], "forbidden")
        self.assertEqual(d.ok("form.get", {"app": app, "form": "evidence"},
                              "p-la")["form"]["fields"], {"why": "Private view."})

    def test_own_application_in_another_role(self):
        d = self.d
        app = d.ok("application.create", {"cohort": "ft-2026", "candidate": "p-head2"},
                   "p-head2")["application"]["id"]
        d.ok("application.submit", {"app": app, "doc": "every", "fields": GOOD}, "p-head2")
        r = d.call("application.submit", {"app": app, "doc": "evidence",
                                          "fields": {"why": "Me!"}}, "p-head2")
        self.assertEqual(r["error"]["code"], "forbidden")
        r = d.call("application.save_draft", {"app": app, "form": "evidence",
                                              "fields": {"why": "Me!"}}, "p-head2")
        self.assertEqual(r["error"]["code"], "forbidden")


class Worker:
    """A worker on the daemon's workers socket, to read the jobs (and their links)."""

    def __init__(self, d):
        self.s = d.ctx.socket(zmq.DEALER)
        self.s.setsockopt(zmq.LINGER, 0)
        self.s.connect("ipc://%s/workers.sock" % d.dir)
        self.s.send_json({"type": "ready", "credit": 1000, "name": "test", "protocol": 1})

    def jobs(self, n, timeout=10):
        out, end = [], time.monotonic() + timeout
        while len(out) < n and time.monotonic() < end:
            if self.s.poll(100):
                m = json.loads(self.s.recv_multipart()[-1])
                if m["type"] == "job":
                    out.append(m["job"])
                    self.s.send_json({"type": "done", "job": m["job"]["id"]})
        assert len(out) == n, "%d jobs of %d" % (len(out), n)
        return out

    def close(self):
        self.s.close(0)


RATERS = [("Lena Manager", "line_manager"),
          ("Pat Peer", "peers"), ("Pia Peer", "peers"), ("Paz Peer", "peers"),
          ("Dee Report", "direct_reports"), ("Dan Report", "direct_reports"),
          ("Ola Other", "others"), ("Oli Other", "others"), ("Oma Other", "others"),
          ("Ora Other", "others")]


class FeedbackTest(FormsCase):
    def invite(self, name, category, actor="p-cand"):
        email = name.lower().replace(" ", ".") + "@colleagues.example.org"
        return self.d.ok("feedback.invite", {"app": self.app, "name": name, "email": email,
                                             "category": category}, actor)["application"]

    def link_tokens(self, w, n):
        """The tokens in the next n invitation emails, by rater name."""
        out = {}
        for j in w.jobs(n):
            self.assertEqual(j["template"]["name"], "rater-invitation")
            url = j["vars"]["action_url"]
            m = re.search(r"/a/([A-Za-z0-9_-]+)$", url)
            self.assertIsNotNone(m, url)
            out[j["to"]["name"]] = m.group(1)
        return out

    def candidate_views(self):
        """Everything the candidate and the coach can see of the application and its 360."""
        d, app = self.d, self.app
        views = {}
        for who in ("p-cand", "p-coach"):
            views[who] = {
                "get": d.ok("application.get", {"app": app}, who),
                "history": d.ok("application.history", {"app": app}, who),
                "report": d.call("feedback.report", {"app": app}, who),
            }
            views[who]["report"].pop("id")
        views["p-cand"]["questionnaire"] = d.ok("feedback.questionnaire", {"app": app}, "p-cand")
        return views

    def test_invitations(self):
        d, app = self.d, self.app
        r = d.call("feedback.invite", {"app": app, "name": "A", "email": "a@example.org"},
                   "p-cand")
        self.assertEqual(r["error"]["code"], "invalid_transition")  # not at the 360 yet
        self.to_360()
        w = Worker(d)
        self.addCleanup(w.close)
        for args, actor, code, words in [
                ({"name": "A", "email": "a@example.org", "category": "bosses"}, "p-cand",
                 "invalid_request", "'bosses' is not a 360 category"),
                ({"name": "", "email": "a@example.org"}, "p-cand", "invalid_request", "'name'"),
                ({"name": "A", "email": "not an address"}, "p-cand", "invalid_request", "email"),
                ({"name": "Me", "email": "P-CAND@example.org"}, "p-cand", "invalid_request",
                 "cannot rate themself"),
                ({"name": "A", "email": "a@example.org"}, "p-head", "forbidden", "may not"),
                ({"name": "A", "email": "a@example.org"}, "p-other", "forbidden", "may not")]:
            r = d.call("feedback.invite", dict(args, app=app), actor)
            self.assertEqual(r["error"]["code"], code, (args, r))
            self.assertIn(words, r["error"]["message"])
        a = self.invite("Lena Manager", "line_manager")
        self.assertEqual(len(a["raters"]), 1)
        rid, entry = next(iter(a["raters"].items()))
        self.assertEqual(entry["category"], "line_manager")
        # The rater is a person with the rater role and nothing else; the invitation says
        # how long it takes and how the answers are shown.
        p = d.ok("person.get", {"id": rid})["person"]
        self.assertEqual((p["name"], p["roles"]), ("Lena Manager", ["rater"]))
        job = w.jobs(1)[0]
        self.assertEqual(job["to"]["person"], rid)
        self.assertEqual(job["vars"]["minutes"], 15)
        self.assertEqual(job["vars"]["category_name"], "Line manager")
        # What the invitation says of how the answers are shown is what the report does.
        self.assertIn("shown as that group's, and so can be told apart", job["vars"]["shown_as"])
        self.invite("Pat Peer", "peers")
        job = w.jobs(1)[0]
        self.assertIn("average with those of at least 2 other colleagues",
                      job["vars"]["shown_as"])
        self.assertIn("{{shown_as}}", job["template"]["text"])
        self.assertIn("{{minutes}} minutes", job["template"]["text"])
        r = d.call("feedback.invite", {"app": app, "name": "Lena Again",
                                       "email": "LENA.MANAGER@colleagues.example.org"}, "p-cand")
        self.assertEqual(r["error"]["code"], "already_exists")

    def test_360_end_to_end(self):
        d, app = self.d, self.app
        self.to_360()
        d.ok("application.assign_coach", {"app": app, "coach": "p-coach"}, "p-la")
        w = Worker(d)
        self.addCleanup(w.close)
        for name, cat in RATERS:
            self.invite(name, cat)
        tokens = self.link_tokens(w, len(RATERS))
        # The questionnaire through the link, without using it up.
        q = d.call_token("feedback.questionnaire", {"app": app}, tokens["Pat Peer"])
        self.assertTrue(q["ok"], q)
        q = q["data"]["questionnaire"]
        self.assertEqual([x["id"] for x in q["questions"]], ["q1", "q2"])
        self.assertEqual(q["category"], {"id": "peers", "name": "Peers", "threshold": 3})
        self.assertEqual((q["minutes"], q["responded"]), (15, False))
        # Bad answers change nothing and leave the link usable.
        for ratings, words in [({"q1": 6}, "integer from 1 to 5"), ({"q9": 1}, "no question 'q9'"),
                               ({"q1": "3"}, "integer from 1 to 5")]:
            r = d.call_token("feedback.respond", {"app": app, "ratings": ratings},
                             tokens["Pat Peer"])
            self.assertEqual(r["error"]["code"], "invalid_request")
            self.assertIn(words, r["error"]["message"])
        # The candidate's self-assessment.
        d.ok("feedback.respond", {"app": app, "ratings": {"q1": 2, "q2": 3},
                                  "comments": {"q1": "I am still learning."}}, "p-cand")
        r = d.call("feedback.respond", {"app": app, "ratings": {"q1": 2}}, "p-cand")
        self.assertEqual(r["error"]["code"], "invalid_transition")

        answers = {
            "Lena Manager": ({"q1": 5, "q2": 4}, {"q1": "Clear sense of where we are going."}),
            "Pat Peer": ({"q1": 4, "q2": 3}, {}),
            "Pia Peer": ({"q1": 3, "q2": 3}, {"q2": "Could delegate more."}),
            "Paz Peer": ({"q1": 5, "q2": None}, {}),
            "Dee Report": ({"q1": 1, "q2": 2}, {"q2": "A"}),
            "Dan Report": ({"q1": 2, "q2": 2}, {}),
            "Ola Other": ({"q1": 4, "q2": 4}, {"q1": "Zealous and kind."}),
            "Oli Other": ({"q1": 4, "q2": 5}, {}),
            "Oma Other": ({"q1": 3, "q2": 4}, {}),
        }
        before = self.candidate_views()
        first = True
        for name, (ratings, comments) in answers.items():
            r = d.call_token("feedback.respond", {"app": app, "ratings": ratings,
                                                  "comments": comments}, tokens[name])
            self.assertTrue(r["ok"], (name, r))
            self.assertEqual(r["data"], {"app": app, "recorded": True})
            # A link works once.
            again = d.call_token("feedback.respond", {"app": app, "ratings": ratings},
                                 tokens[name])
            self.assertEqual(again["error"]["code"], "token_used")
            if first:
                # One response changes nothing a candidate or coach can see.
                self.assertEqual(self.candidate_views(), before)
                first = False
        a = d.ok("application.get", {"app": app}, "p-cand")["application"]
        self.assertEqual(a["stage"], "done")  # 9 responses (min 9), the line manager among them
        self.assertNotIn("responded", json.dumps(a["raters"]))

        report = d.ok("feedback.report", {"app": app}, "p-cand")["report"]
        self.assertEqual(d.ok("feedback.report", {"app": app}, "p-coach")["report"], report)
        self.assertEqual(d.ok("feedback.report", {"app": app}, "p-la")["report"], report)
        self.assertEqual(report["responses"], 9)
        q1, q2 = report["questions"]
        # Line manager (threshold 1) and peers (3) shown; two direct reports folded into
        # "others" with its three.
        self.assertEqual([(g["category"], g["n"], g["average"]) for g in q1["groups"]],
                         [("line_manager", 1, 5.0), ("peers", 3, 4.0), ("others", 5, 2.8)])
        self.assertEqual(q1["all"], {"category": "all", "name": "All colleagues", "n": 9,
                                     "average": round(31 / 9, 2)})
        self.assertEqual((q1["self"], q1["self_comment"]), (2, "I am still learning."))
        self.assertFalse(q1["hidden"])
        # q2: one peer did not rate it, so peers (2) fold into others too.
        self.assertEqual([(g["category"], g["n"]) for g in q2["groups"]],
                         [("line_manager", 1), ("others", 7)])
        # Comments without names, in the order of their text.
        self.assertEqual(q1["comments"], ["Clear sense of where we are going.",
                                          "Zealous and kind."])
        self.assertEqual(q2["comments"], ["A", "Could delegate more."])
        self.assertNotIn("Lena", json.dumps(report))
        # The candidate and coach are told the report is ready, once.
        ready = [e for e in d.ok("events.since", {"after": 0, "limit": 1000})["events"]
                 if e["type"] == "application.feedback_ready"]
        self.assertEqual(len(ready), 1)
        told = sorted(j["to"]["person"] for j in d.ok("outbox.list", {"limit": 1000})["jobs"]
                      if j["template"] == "feedback-ready")
        self.assertEqual(told, ["p-cand", "p-coach"])
        # The headteacher and the raters get no report.
        self.assertEqual(d.call("feedback.report", {"app": app}, "p-head")["error"]["code"],
                         "forbidden")
        # The stream never says who responded.
        evs = d.ok("events.since", {"after": 0, "limit": 1000})["events"]
        for e in evs:
            if e["type"] == "application.response_recorded":
                self.assertNotIn("actor", e)
                self.assertEqual(set(e["data"]), {"have", "need"})
        self.assertNotIn("Clear sense", json.dumps(evs))
        # The LA's record says who responded, never what they said.
        la = d.ok("application.get", {"app": app}, "p-la")["application"]
        self.assertEqual(sum(1 for r in la["raters"].values() if "responded" in r), 9)
        self.assertNotIn("Clear sense", json.dumps(la))

    def test_short_categories_hidden_and_one_at_a_time(self):
        d, app = self.d, self.app
        self.to_360()
        d.ok("application.assign_coach", {"app": app, "coach": "p-coach"}, "p-la")
        w = Worker(d)
        self.addCleanup(w.close)
        seen = []
        # Invited one at a time, each answering before the next is invited: what the
        # candidate sees must not move until count_from (3) responses are in.
        for i, (name, cat) in enumerate([("Lena Manager", "line_manager"),
                                         ("Dee Report", "direct_reports"),
                                         ("Ola Other", "others"),
                                         ("Pat Peer", "peers"),
                                         ("Pia Peer", "peers")]):
            self.invite(name, cat)
            token = self.link_tokens(w, 1)[name]
            views = self.candidate_views()
            d.call_token("feedback.respond", {"app": app, "ratings": {"q1": 1 + i, "q2": 3},
                                              "comments": {"q2": "c%d" % i}}, token)
            after = self.candidate_views()
            req = [q for q in after["p-cand"]["get"]["application"]["requirements"]
                   if q["kind"] == "responses"][0]
            if i < 2:
                # Only the invitation itself shows: the response is invisible.
                self.assertEqual(after, views, name)
                self.assertEqual(req.get("fewer_than"), 3)
                self.assertNotIn("have", req)
            else:
                self.assertEqual(req["have"], i + 1)
            self.assertNotIn("categories", req)
            seen.append(req)
        report = d.ok("feedback.report", {"app": app}, "p-la")["report"]
        q1 = report["questions"][0]
        # Line manager shown; 1 report + 1 other + 2 peers = 4 in others (threshold 3).
        self.assertEqual([(g["category"], g["n"]) for g in q1["groups"]],
                         [("line_manager", 1), ("others", 4)])
        # Five of the nine needed: the candidate and coach have no report yet.
        self.assertEqual(d.ok("application.get", {"app": app})["application"]["stage"], "f360")
        for who in ("p-cand", "p-coach"):
            r = d.call("feedback.report", {"app": app}, who)
            self.assertEqual(r["error"]["code"], "invalid_transition", who)
            self.assertIn("ready once its stage 'f360' is complete", r["error"]["message"])

    def test_hidden_when_others_still_short(self):
        d, app = self.d, self.app
        self.to_360()
        w = Worker(d)
        self.addCleanup(w.close)
        for name, cat in [("Lena Manager", "line_manager"), ("Dee Report", "direct_reports"),
                          ("Ola Other", "others")]:
            self.invite(name, cat)
        tokens = self.link_tokens(w, 3)
        for name, t in tokens.items():
            d.call_token("feedback.respond", {"app": app, "ratings": {"q1": 2, "q2": 2},
                                              "comments": {"q1": "from " + name}}, t)
        # Before the stage is met the candidate has no report; the LA has.
        r = d.call("feedback.report", {"app": app}, "p-cand")
        self.assertEqual(r["error"]["code"], "invalid_transition")
        report = d.ok("feedback.report", {"app": app}, "p-la")["report"]
        q1 = report["questions"][0]
        # 2 in "others" (a direct report folded in) is short of 3: hidden, and no average
        # of everyone (from which the hidden part could be worked out).
        self.assertEqual([g["category"] for g in q1["groups"]], ["line_manager"])
        self.assertTrue(q1["hidden"])
        self.assertNotIn("all", q1)
        self.assertEqual(report["responses"], 3)
        self.assertEqual(len(q1["comments"]), 3)
        # The LA records a paper response for an invited rater... none left: invite one.
        self.invite("Oli Other", "others")
        rid = [k for k, v in d.ok("application.get", {"app": app})["application"]["raters"]
               .items() if "responded" not in v][0]
        d.ok("feedback.respond", {"app": app, "rater": rid, "ratings": {"q1": 4}}, "p-la")
        q1 = d.ok("feedback.report", {"app": app}, "p-la")["report"]["questions"][0]
        self.assertEqual([(g["category"], g["n"]) for g in q1["groups"]],
                         [("line_manager", 1), ("others", 3)])


class DeadlineReportTest(FormsCase):
    """report = "deadline": the candidate and coach get the report once the 360's deadline
    passes, though the stage is not met."""
    report = "deadline"

    def test_report_when_the_deadline_passes(self):
        d, app = self.d, self.app
        self.to_360()
        w = Worker(d)
        self.addCleanup(w.close)
        for name, cat in RATERS[:4]:
            FeedbackTest.invite(self, name, cat)
        for t in FeedbackTest.link_tokens(self, w, 4).values():
            d.call_token("feedback.respond", {"app": app, "ratings": {"q1": 3, "q2": 4}}, t)
        self.assertEqual(d.call("feedback.report", {"app": app}, "p-cand")["error"]["code"],
                         "invalid_transition")
        d.ok("clock.advance", {"seconds": 29 * 86400})
        self.assertEqual(d.call("feedback.report", {"app": app}, "p-cand")["error"]["code"],
                         "invalid_transition")
        d.ok("clock.advance", {"seconds": 2 * 86400})
        a = d.ok("application.get", {"app": app})["application"]
        self.assertEqual((a["stage"], a["overdue"]["stage"]), ("f360", "f360"))
        self.assertIn("feedback_ready", a)
        report = d.ok("feedback.report", {"app": app}, "p-cand")["report"]
        self.assertEqual(report["responses"], 4)
        types = [e["type"] for e in d.ok("events.since", {"after": 0, "limit": 1000})["events"]]
        self.assertEqual(types.count("application.feedback_ready"), 1)


if __name__ == "__main__":
    unittest.main()
