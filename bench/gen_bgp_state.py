#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Generates realistic RIPEstat bgp-state responses for the benchmark.

    gen_bgp_state.py --prefixes N [--peers 350] [--upstreams U]
        [--target ASN] [--seed S] OUT.json
    gen_bgp_state.py --tree DIR --targets FIRST-LAST [--prefixes 2]
        [--peers 20]                   (a replay tree, one file per target)

Every RIS peer (source_id "NN-address", its own AS) sees every prefix of
the target through one of U upstreams (skewed: the first ones carry most),
often through one or two transit ASes, with prepending of the origin or
the upstream now and then, and a few communities, as real answers have.
"""
import argparse
import json
import os
import random


def peers(n, rnd):
    out = []
    for i in range(n):
        rrc = i % 26
        addr = "%d.%d.%d.%d" % (rnd.randint(1, 223), rnd.randint(0, 255),
                                rnd.randint(0, 255), rnd.randint(1, 254))
        out.append(("%02d-%s" % (rrc, addr), 64512 + i % 1000 + 100000 * (i // 1000)))
    return out


def route(rnd, peer_as, target, ups, weights):
    up = rnd.choices(ups, weights)[0]
    path = [peer_as]
    for _ in range(rnd.choice((0, 1, 1, 2))):
        path.append(rnd.choice((3356, 1299, 174, 2914, 6939, 3257)))
    path.append(up)
    if rnd.random() < 0.1:
        path.append(up)
    path.append(target)
    for _ in range(rnd.choice((0, 0, 0, 1, 2))):
        path.append(target)
    # A vantage point that is itself the upstream sees it once.
    if path[0] == up:
        path = path[1:]
    return path


def write_state(f, target, prefixes, peer_list, ups, rnd, when):
    weights = [1.0 / (k + 1) for k in range(len(ups))]
    f.write('{"messages": [], "see_also": [], "version": "2.0", '
            '"data_call_name": "bgp-state", "data_call_status": '
            '"supported - connect to stat-ui", "cached": false, "data": {'
            '"resource": "%d", "query_time": "%s", "bgp_state": [' % (target, when))
    first = True
    for pfx in prefixes:
        for source, peer_as in peer_list:
            path = route(rnd, peer_as, target, ups, weights)
            comm = ["%d:%d" % (path[0] % 65536, rnd.randint(1, 999))
                    for _ in range(rnd.randint(0, 3))]
            e = {"target_prefix": pfx, "source_id": source, "path": path,
                 "community": comm}
            f.write(("" if first else ", ") + json.dumps(e))
            first = False
    f.write('], "nr_routes": 0}, "query_id": "bench", "process_time": 1, '
            '"server_id": "bench", "build_version": "bench", '
            '"status": "ok", "status_code": 200, "time": "%s"}\n' % when)


def prefix_list(n, rnd):
    return ["%d.%d.%d.0/24" % (rnd.randint(1, 223), (k >> 8) & 255, k & 255)
            for k in range(n)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--prefixes", type=int, default=10)
    p.add_argument("--peers", type=int, default=350)
    p.add_argument("--upstreams", type=int, default=5)
    p.add_argument("--target", type=int, default=131279)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tree")
    p.add_argument("--targets")
    p.add_argument("out", nargs="?")
    a = p.parse_args()
    rnd = random.Random(a.seed)
    when = "2025-01-01T08:00:00"
    plist = peers(a.peers, rnd)
    if a.tree:
        first, last = (int(x) for x in a.targets.split("-"))
        d = os.path.join(a.tree, "default", "bgp-state")
        os.makedirs(d, exist_ok=True)
        for t in range(first, last + 1):
            ups = [20000 + (t * 7 + k) % 5000 for k in range(1 + t % 4)]
            with open(os.path.join(d, "%d.json" % t), "w") as f:
                write_state(f, t, prefix_list(a.prefixes, rnd), plist, ups,
                            rnd, when)
        return
    ups = [1000 + 37 * k for k in range(a.upstreams)]
    with open(a.out, "w") as f:
        write_state(f, a.target, prefix_list(a.prefixes, rnd), plist, ups,
                    rnd, when)


if __name__ == "__main__":
    main()
