#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""An independent computation over `bgpdump -m` text, for the MRT tests.

Reads the files in order through bgpdump -m, keeps a table of
(peer address, prefix) -> AS path for the routes whose origin is the
target, and gives for one origin AS:

  table   the neighbours at the end: asn observations sessions prefixes
          share (two decimals) present, one line each, by asn
  changes the seconds at which the present set changed after the end of
          the first file (or of a dump): "time +asn -asn", one line each
  origins the origin ASes with the most routes in the files

Same rules as the check's documentation: the neighbour is the first AS
left of the origin's leftmost copy (private ASes walked over); the vantage
AS is the peer's AS.  Roles (issue 12): a neighbour is an upstream with
provider evidence (a transit-free clique AS to its left, seen so by at
least --min-peers vantage ASes; or seen behind at least 5 vantage ASes
other than itself), lateral without it when some neighbour has evidence,
and every neighbour is an upstream when none has (or with --neighbours
all).  Shares are over the upstreams' paths; present = at least
--min-peers vantage ASes and --min-share percent.  Events of one second
are one moment; a peer leaving state 6 loses its routes.

With --hold S (changes): per upstream, an AS's appearance (disappearance)
counts once it has stayed present (absent) S seconds, stamped with the
second it appeared (disappeared); one undone sooner is a flap (not
printed); one that had not lasted S by the last second is printed as
"pending time +asn" (or -asn).  Appearances of one second are one line.
"""
import argparse
import collections
import subprocess
import sys


def lines(path):
    p = subprocess.run(["bgpdump", "-m", path], capture_output=True,
                       text=True, check=True)
    return p.stdout.splitlines()


# The transit-free clique as the check's documentation lists it.
CLIQUE = {174, 209, 286, 701, 1239, 1299, 2828, 2914, 3257, 3320, 3356,
          3491, 5511, 6453, 6461, 6762, 6830, 7018, 12956}
MANY = 5


def private(a):
    return 64512 <= a <= 65534 or 4200000000 <= a <= 4294967294


def reserved(a):
    return a in (0, 23456, 65535, 4294967295) or 65552 <= a <= 131071


def neighbour(path, origin):
    """(neighbour, clique AS to its left) of a path, or None when it is
    not the origin's route; neighbour 0: direct."""
    hops = path.split()
    if not hops or any(not h.isdigit() for h in hops) or int(hops[-1]) != origin:
        return None
    hops = [int(h) for h in hops]
    first = hops.index(origin)
    i = first - 1
    while i >= 0 and private(hops[i]):
        i -= 1
    if i < 0:
        return (0, False)
    if reserved(hops[i]):
        return None
    return (hops[i], any(h != hops[i] and h in CLIQUE for h in hops[:i]))


class Table:
    def __init__(self, origin, min_peers, min_share, every):
        self.origin, self.min_peers, self.min_share = origin, min_peers, min_share
        self.every = every
        self.routes = {}

    def event(self, f):
        kind = f[2]
        peer = f[3]
        if kind == "STATE":
            if f[5] == "6" and f[6] != "6":
                for k in [k for k in self.routes if k[0] == peer]:
                    del self.routes[k]
            return
        key = (peer, f[5])
        if kind == "W":
            self.routes.pop(key, None)
        elif kind in ("A", "B"):
            n = neighbour(f[6], self.origin)
            if n is None:
                self.routes.pop(key, None)
            else:
                self.routes[key] = (n[0], n[1], int(f[4]))

    def counts(self):
        """neighbour -> (paths, sessions, prefixes, share, present,
        upstream), share and present for the upstreams only."""
        obs = collections.Counter()
        sess = collections.defaultdict(set)
        pfx = collections.defaultdict(set)
        vant = collections.defaultdict(set)
        clique = collections.defaultdict(set)
        for (peer, prefix), (n, left, peer_as) in self.routes.items():
            if n == 0:
                continue
            obs[n] += 1
            sess[n].add(peer)
            pfx[n].add(prefix)
            vant[n].add(peer_as)
            if left:
                clique[n].add(peer_as)
        evidence = {n for n in obs
                    if (len(clique[n]) >= self.min_peers and clique[n]) or
                    len(vant[n] - {n}) >= MANY}
        upstream = set(obs) if self.every or not evidence else evidence
        total = sum(obs[n] for n in upstream)
        out = {}
        for n in obs:
            share = obs[n] * 100.0 / total if n in upstream else 0.0
            out[n] = (obs[n], len(sess[n]), len(pfx[n]), share,
                      n in upstream and len(vant[n]) >= self.min_peers and
                      share >= self.min_share, n in upstream)
        return out

    def present(self):
        return {n for n, v in self.counts().items() if v[4]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["table", "changes", "origins"])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--origin", type=int, default=0)
    ap.add_argument("--min-peers", type=int, default=2)
    ap.add_argument("--min-share", type=float, default=1.0)
    ap.add_argument("--neighbours", choices=["all", "providers"],
                    default="providers")
    ap.add_argument("--hold", type=int, default=0)
    a = ap.parse_args()
    if a.what == "origins":
        c = collections.Counter()
        for path in a.files:
            for line in lines(path):
                f = line.split("|")
                if len(f) > 6 and f[2] in ("A", "B") and f[6]:
                    c[f[6].split()[-1]] += 1
        for o, n in c.most_common(20):
            print(o, n)
        return
    t = Table(a.origin, a.min_peers, a.min_share, a.neighbours == "all")
    changes = []
    before, second = None, None
    timeline = []       # --hold: (second, present set) after the start

    def close(ts):
        nonlocal before
        now = t.present()
        if before is not None and a.hold:
            timeline.append((ts, now))
        elif before is not None and now != before:
            changes.append((ts, now - before, before - now))
            before = now

    for i, path in enumerate(a.files):
        for line in lines(path):
            f = line.split("|")
            if len(f) < 6 or not f[1].isdigit():
                continue
            ts = int(f[1])
            if second is not None and ts > second:
                close(second)
            second = ts if second is None else max(second, ts)
            t.event(f)
        if i == 0:
            # The table after the first file is the starting point.
            before = t.present()
            second = None
    if second is not None:
        close(second)
    pending = []
    if a.hold and before is not None:
        changes, pending = held(before, timeline, second, a.hold)
    if a.what == "table":
        for n, v in sorted(t.counts().items()):
            if not v[5]:
                continue      # lateral: apart, as the check has them
            print("%d %d %d %d %.2f %s" % (n, v[0], v[1], v[2], v[3],
                                           "present" if v[4] else "-"))
    else:
        for ts, up, down in changes:
            print(ts, " ".join(["+%d" % x for x in sorted(up)] +
                               ["-%d" % x for x in sorted(down)]))
        for ts, x, appear in sorted(pending):
            print("pending", ts, ("+%d" if appear else "-%d") % x)


def held(start, timeline, end, hold):
    """The per-upstream hold over the present sets of each second."""
    flips = collections.defaultdict(list)   # asn -> [(second, present)]
    prev = start
    for ts, now in timeline:
        for x in now ^ prev:
            flips[x].append((ts, x in now))
        prev = now
    counted = collections.defaultdict(lambda: (set(), set()))
    pending = []
    for x, fl in flips.items():
        i = 0
        while i < len(fl):
            s, state = fl[i]
            nxt = fl[i + 1][0] if i + 1 < len(fl) else end
            if nxt - s >= hold:
                counted[s][0 if state else 1].add(x)
                i += 1
            elif i + 1 < len(fl):
                i += 2          # a flap: undone at the next flip
            else:
                pending.append((s, x, state))
                i += 1
    return [(s, up, down) for s, (up, down) in sorted(counted.items())], \
        pending


if __name__ == "__main__":
    sys.exit(main())
