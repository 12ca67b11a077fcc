#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Graphite plaintext lines into RRD files laid out as collectd's rrdtool
plugin writes them, so that what collectd would have recorded can be
backfilled and charted with the same `rrdtool graph` command.

    check_upstreams ... -f graphite --graphite-prefix HOST --name NAME |
        python3 demo/backfill.py --dir DIR --step SECONDS

"HOST.upstreams-NAME.percent-AS4837 40.00 1506849480" goes into
DIR/HOST/upstreams-NAME/percent-AS4837.rrd, data source "value" (GAUGE,
heartbeat two steps, as collectd creates it), one row per step.  Needs the
rrdtool program (Debian package rrdtool).
"""
import argparse
import collections
import os
import subprocess
import sys

BATCH = 500  # updates per rrdtool call: keeps the command line short


def read_lines(stream):
    series = collections.OrderedDict()
    for n, line in enumerate(stream, 1):
        parts = line.split()
        if len(parts) != 3:
            sys.exit("backfill: line %d is not 'path value epoch'" % n)
        path, value, epoch = parts[0], float(parts[1]), int(parts[2])
        elems = path.split(".")
        if len(elems) < 3 or any(e in ("", ".", "..") or "/" in e
                                 for e in elems):
            sys.exit("backfill: line %d: bad metric path %r" % (n, path))
        series.setdefault(path, []).append((epoch, value))
    return series


def rrd_path(root, path):
    elems = path.split(".")
    host = ".".join(elems[:-2])
    return os.path.join(root, host, elems[-2], elems[-1] + ".rrd")


def write_rrd(file, points, step):
    os.makedirs(os.path.dirname(file), exist_ok=True)
    points.sort()
    first, last = points[0][0], points[-1][0]
    rows = (last - first) // step + 2
    subprocess.run(["rrdtool", "create", file, "--start", str(first - 1),
                    "--step", str(step),
                    "DS:value:GAUGE:%d:U:U" % (2 * step),
                    "RRA:AVERAGE:0.5:1:%d" % rows,
                    "RRA:MAX:0.5:1:%d" % rows], check=True)
    for i in range(0, len(points), BATCH):
        args = ["%d:%s" % (t, repr(v)) for t, v in points[i:i + BATCH]]
        subprocess.run(["rrdtool", "update", file] + args, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="RRD data directory")
    ap.add_argument("--step", type=int, required=True,
                    help="seconds between the points (the history's step)")
    args = ap.parse_args()
    if args.step <= 0:
        ap.error("--step must be positive")
    series = read_lines(sys.stdin)
    if not series:
        sys.exit("backfill: no lines on stdin")
    for path, points in series.items():
        file = rrd_path(args.dir, path)
        if os.path.exists(file):
            os.unlink(file)
        write_rrd(file, points, args.step)
        print(file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
