#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Reads `nm` of the core's objects and prints one line per finding:
"cycle A B ..." for objects that need each other, "export NAME" for a
symbol the library exports without the upm_ prefix.  No output: clean."""
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, needed = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBR":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            needed.add(f[1])
    return defined, needed


def cycles(graph):
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
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
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main(objs):
    table = {o: symbols(o) for o in objs}
    owner = {s: o for o, (d, _) in table.items() for s in d}
    graph = {o: {owner[s] for s in n if s in owner and owner[s] != o}
             for o, (_, n) in table.items()}
    for comp in cycles(graph):
        print("cycle " + " ".join(comp))
    for o, (d, _) in sorted(table.items()):
        for s in sorted(d):
            if not s.startswith("upm_"):
                print("export %s (%s)" % (s, o))


if __name__ == "__main__":
    main(sys.argv[1:])
