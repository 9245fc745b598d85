#!/usr/bin/env python3
"""
test_layout.py: the shape of the source tree, checked on every build.

1. No two source files depend on each other, directly or through others.
   A file depends on another when its object uses a symbol the other's
   object defines (read with nm from the objects the build made), so the
   check sees what the code calls, not what a header happens to declare.
   Each program is checked with the objects it links: pathwayd, pathwayctl,
   pathway-mailer, pathway-web (each with proto/).
2. Every C file under daemon/, proto/ and workers/ opens with a comment on
   what it owns and has at most 800 lines.

The cycle finder is checked first on graphs with and without a circle, so
a finder that could not see one fails here rather than passing silently.
"""
import os
import subprocess
import sys

SRC = os.environ.get("PATHWAY_SRC") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.environ.get("PATHWAY_BIN") or os.path.join(SRC, "build")
MAX_LINES = 800

# Each program and the CMake targets whose objects it links.
PROGRAMS = {
    "pathwayd": ["pathwayd", "pwcore", "pwproto"],
    "pathwayctl": ["pathwayctl", "pwproto"],
    "pathway-mailer": ["pathway-mailer", "pwmail", "pwproto"],
    "pathway-web": ["pathway-web", "pwproto"],
}

checks = {"passed": 0, "failed": 0}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def count(ok):
    checks["passed" if ok else "failed"] += 1


def cycles(graph):
    """The strongly connected components of graph (node -> set of nodes) with
    more than one node, each as a sorted list (Tarjan's algorithm)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def finder_selftest():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    print("ok: the cycle finder finds circles of two and three files")


def objects(target):
    d = os.path.join(BIN, "CMakeFiles", target + ".dir")
    found = []
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith(".c.o"):
                path = os.path.join(root, f)
                found.append((os.path.relpath(path, d)[:-2], path))
    return found


def symbols(path):
    """(defined, used) global symbols of one object file."""
    out = subprocess.run(["nm", "-g", path], check=True, capture_output=True,
                         text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRCVW":
            defined.add(parts[2])
    return defined, used


def check_program(name, targets):
    objs = [o for t in targets for o in objects(t)]
    if not objs:
        fail("%s: no objects under %s (build first)" % (name, BIN))
        count(False)
        return
    defs, uses = {}, {}
    for src, path in objs:
        d, u = symbols(path)
        uses[src] = u
        for sym in d:
            defs[sym] = src
    graph, why = {}, {}
    for src, used in uses.items():
        graph[src] = set()
        for sym in used:
            dst = defs.get(sym)
            if dst is not None and dst != src:
                graph[src].add(dst)
                why.setdefault((src, dst), sym)
    found = cycles(graph)
    for comp in found:
        edges = ["%s -> %s (%s)" % (a, b, why[(a, b)]) for a in comp for b in comp
                 if (a, b) in why]
        fail("%s: these files depend on each other in a circle: %s" % (name,
                                                                      "; ".join(edges)))
    if not found:
        print("ok: %s: %d files, no two depend on each other" % (name, len(objs)))
    count(not found)


def check_sources():
    n = 0
    for top in ("daemon", "proto", "workers"):
        for root, _, files in os.walk(os.path.join(SRC, top)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, f)
                rel = os.path.relpath(path, SRC)
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                lines = text.count("\n")
                n += 1
                ok = text.startswith("/*") and lines <= MAX_LINES
                if not text.startswith("/*"):
                    fail("%s does not open with a comment on what it owns" % rel)
                if lines > MAX_LINES:
                    fail("%s has %d lines (at most %d: split it)" % (rel, lines, MAX_LINES))
                count(ok)
    print("ok: %d source files read for their opening comment and length" % n)


finder_selftest()
count(True)
for prog, targets in PROGRAMS.items():
    check_program(prog, targets)
check_sources()
print("%d passed, %d failed" % (checks["passed"], checks["failed"]))
sys.exit(1 if failures else 0)
