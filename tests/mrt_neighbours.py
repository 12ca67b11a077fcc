#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Independent check of tests/prog_mrt_roles' output over the same
bgpdump -m text: every origin's neighbours (the AS left of the leftmost
copy of the origin, private ASes walked over, reserved ones dropped, a
last AS_SET of the origin itself ignored) must be exactly the neighbours
the library reported, and an origin with one neighbour must keep it as
its upstream.  Usage: mrt_neighbours.py BGPDUMP_TEXT PROG_OUTPUT"""
import collections
import sys


def private(a):
    return 64512 <= a <= 65534 or 4200000000 <= a <= 4294967294


def reserved(a):
    return a in (0, 23456, 65535, 4294967295) or 65552 <= a <= 131071


def neighbour(tokens):
    if tokens and tokens[-1].startswith('{'):
        members = tokens[-1].strip('{}').split(',')
        rest = tokens[:-1]
        if not rest or not all(m.isdigit() for m in members):
            return None, None
        if any(int(m) != int(rest[-1]) for m in members):
            return int(rest[-1]), None  # another AS_SET: unusable
        tokens = rest
    if not all(t.isdigit() for t in tokens) or not tokens:
        return None, None
    path = [int(t) for t in tokens]
    origin = path[-1]
    first = path.index(origin)
    i = first - 1
    while i >= 0 and private(path[i]):
        i -= 1
    if i < 0 or reserved(path[i]):
        return origin, None
    return origin, path[i]


def main():
    want = collections.defaultdict(set)
    with open(sys.argv[1]) as f:
        for line in f:
            f_ = line.rstrip('\n').split('|')
            if len(f_) < 7 or f_[2] not in ('A', 'B'):
                continue
            origin, n = neighbour(f_[6].split())
            if origin is not None and n is not None:
                want[origin].add(n)
    got = collections.defaultdict(dict)
    with open(sys.argv[2]) as f:
        for line in f:
            p = line.split()
            if p and p[0] == 'N':
                got[int(p[1])][int(p[2])] = p[3]
    bad = 0
    for origin in sorted(set(want) | set(got)):
        if set(got[origin]) != want[origin]:
            print('# AS%d: neighbours %s, library %s' % (
                origin, sorted(want[origin]), sorted(got[origin])))
            bad += 1
        if len(want[origin]) == 1:
            (n,) = want[origin]
            if got[origin].get(n) != 'upstream':
                print('# AS%d: single neighbour AS%d is %s' % (
                    origin, n, got[origin].get(n)))
                bad += 1
    singles = sum(1 for o in want if len(want[o]) == 1)
    print('origins %d single %d mismatches %d' % (len(want), singles, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
