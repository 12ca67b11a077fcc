#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""The October 2017 replay: RIPEstat-shaped answers for North Korea's AS131279.

    python3 demo/generate.py --out DIR [--step SECONDS] [--timeline]

A reconstruction from published reports (Dyn Research, later Oracle Internet
Intelligence, reported on 1 October 2017 that TransTeleCom, AS20485, had begun
carrying North Korea's routes beside China Unicom, AS4837).  It is NOT
recorded RIS data: the RIS peers below are a plausible set of route-collector
sessions, their paths are illustrative, and so are the proportions.

The timeline (UTC) follows the reports:

  2017-09-30T00:00:00  China Unicom AS4837 carries all four prefixes
  2017-10-01T09:07:51  TransTeleCom AS20485 appears for 175.45.176.0/24,
                       175.45.178.0/24 and 175.45.179.0/24 (.177 stays 4837-only)
  2017-10-01T10:14:45  TransTeleCom gone again
  10:47 .. 12:26       short total outages: no route at all (empty bgp_state).
                       The reports give only the span; the windows chosen here
                       are 10:47:00-10:53:20, 11:29:40-11:34:10, 12:23:30-12:26:00
  2017-10-01T12:21:55  TransTeleCom back (on the same three prefixes)
  2017-10-02T07:56:39  175.45.176.0/24 loses TransTeleCom
  2017-10-02T09:10:29  175.45.179.0/24 loses TransTeleCom

Proportions: 60 RIS peers each see all four prefixes (240 paths).  On a
prefix TransTeleCom carries, 48 of the 60 peers (80 %) prefer it, so with
three such prefixes TransTeleCom has 144 of 240 paths: 60.0 % against China
Unicom's 40.0 %, the split the reports gave.  With two prefixes it is 40/60,
with one (175.45.178.0/24, from 2 Oct 09:10:29) 20/80.

Output (what tests/replay.py serves):
  DIR/default/bgp-state/131279@<time, ':' as '-'>.json  one snapshot at every
      change of the timeline (the server answers an instant with the latest
      snapshot at or before it), plus one every --step seconds when --step
      is given (default 0: change points only; a step of 60 s would mean
      4320 files of ~25 KB for the three days)
  DIR/default/bgp-state/131279.json      the last state (what "now" sees)
  DIR/default/bgp-state/193.0.0.0_21.json  the control prefix (RIPE NCC,
      AS3333), seen by every peer at every instant: what tells the
      outages from a source without data
  DIR/default/routing-status/131279[@<time>].json  visibility, same instants
  DIR/default/bgplay/<prefixes>@<day>.json  the same timeline as BGP events,
      bgplay-shaped: for every day from START (midnight UTC) the routes at
      its start (initial_state) and every announcement and withdrawal of the
      day at its second (events), for the four prefixes together (the key
      of "175.45.176.0/24,175.45.177.0/24,...") and for each one alone
  DIR/default/bgplay/193.0.0.0_21.json  the control prefix, no event
  DIR/default/announced-prefixes/131279.json  the four prefixes
Deterministic: no randomness, so two runs write identical trees.
--timeline prints the change points as JSON lines instead of writing files.
"""
import argparse
import calendar
import json
import os
import sys
import time

TARGET = 131279
CU, TTK = 4837, 20485
PREFIXES = ["175.45.176.0/24", "175.45.177.0/24",
            "175.45.178.0/24", "175.45.179.0/24"]
START = "2017-09-30T00:00:00"
END = "2017-10-03T00:00:00"

# (rrc, peer IP, peer AS, ASes between the peer and China Unicom, ASes
# between the peer and TransTeleCom).  IPs are addresses on the exchanges the
# collectors sit at; ASes are carriers that do peer with RIS.  Illustrative.
PEERS = [
    ("00", "12.0.1.63", 7018, [], [3356]),
    ("00", "4.69.184.193", 3356, [], []),
    ("00", "62.115.137.53", 1299, [], []),
    ("00", "129.250.0.171", 2914, [], [1299]),
    ("00", "154.54.9.17", 174, [], [3356]),
    ("00", "216.218.252.174", 6939, [], [1299]),
    ("00", "89.149.178.10", 3257, [], [1299]),
    ("00", "195.22.216.174", 6762, [], [1299]),
    ("01", "195.66.224.21", 6453, [], [3356]),
    ("01", "195.66.224.32", 9002, [3356], []),
    ("01", "195.66.224.48", 8220, [3356], [9002]),
    ("01", "195.66.224.59", 5511, [], [1299]),
    ("01", "195.66.224.75", 13030, [1299], [1299]),
    ("01", "195.66.224.110", 2914, [], [1299]),
    ("03", "80.249.208.34", 1299, [], []),
    ("03", "80.249.208.50", 3320, [], [1299]),
    ("03", "80.249.208.70", 6830, [3356], [1299]),
    ("03", "80.249.208.96", 20764, [3356], []),
    ("03", "80.249.209.21", 1273, [3356], [1299]),
    ("03", "80.249.209.38", 34549, [174], [9002]),
    ("04", "192.65.185.3", 559, [3356], [1299]),
    ("04", "192.65.185.40", 20965, [6939], [1299]),
    ("05", "193.203.0.1", 1853, [3356], [1299]),
    ("05", "193.203.0.15", 8447, [1299], [1299]),
    ("07", "194.68.123.45", 2603, [1299], [1299]),
    ("07", "194.68.123.80", 1299, [], []),
    ("10", "217.29.66.1", 12874, [3356], [1299]),
    ("10", "217.29.66.39", 6762, [], [1299]),
    ("11", "198.32.160.61", 701, [], [3356]),
    ("11", "198.32.160.94", 6461, [3356], [3356]),
    ("12", "80.81.192.3", 3320, [], [1299]),
    ("12", "80.81.192.74", 9002, [3356], []),
    ("12", "80.81.192.118", 31133, [3356], []),
    ("12", "80.81.192.157", 12389, [1299], []),
    ("12", "80.81.193.23", 3216, [174], []),
    ("12", "80.81.194.40", 8359, [1299], []),
    ("13", "195.208.208.8", 12389, [1299], []),
    ("13", "195.208.208.31", 3216, [174], []),
    ("13", "195.208.208.77", 8359, [1299], []),
    ("13", "195.208.209.12", 31133, [3356], []),
    ("13", "195.208.209.44", 20764, [3356], []),
    ("13", "195.208.209.91", 8492, [9002], [9002]),
    ("14", "198.32.176.20", 2914, [], [1299]),
    ("14", "198.32.176.177", 6939, [], [1299]),
    ("15", "187.16.216.23", 16735, [3356], [3356]),
    ("15", "187.16.217.12", 28329, [174], [1299]),
    ("16", "198.32.124.148", 3549, [3356], [3356]),
    ("16", "198.32.124.176", 174, [], [3356]),
    ("18", "193.242.98.58", 6453, [], [3356]),
    ("18", "193.242.98.102", 3257, [], [1299]),
    ("19", "196.60.8.20", 37100, [6453], [1299]),
    ("19", "196.60.8.73", 37271, [3491], [1299]),
    ("20", "91.206.52.12", 25091, [3356], [1299]),
    ("20", "91.206.52.70", 13030, [1299], [1299]),
    ("21", "37.49.236.16", 5511, [], [1299]),
    ("21", "37.49.236.81", 6939, [], [1299]),
    ("00", "202.249.2.169", 2497, [], [1299]),
    ("00", "203.181.248.168", 2516, [], [3356]),
    ("00", "203.119.104.1", 4608, [4637], [4637, 1299]),
    ("00", "61.14.157.6", 4637, [], [1299]),
]

# Peers that keep China Unicom even where TransTeleCom is on offer: the ones
# in East Asia and a few whose transit peers with China Unicom directly.
# 12 of 60, so TransTeleCom has 48 of 60 paths (80 %) on a prefix it carries.
KEEP_CU = {"00-202.249.2.169", "00-203.181.248.168", "00-203.119.104.1",
           "00-61.14.157.6", "00-4.69.184.193", "00-129.250.0.171",
           "00-154.54.9.17", "01-195.66.224.21", "11-198.32.160.61",
           "14-198.32.176.20", "16-198.32.124.176", "18-193.242.98.58"}

# Peers whose China Unicom paths show the prepending 4837 does towards them.
PREPEND_CU = {"03-80.249.208.50", "12-80.81.192.3", "21-37.49.236.16"}

# The timeline: (time, set of prefixes via TransTeleCom, outage?).
TTK_ALL = {PREFIXES[0], PREFIXES[2], PREFIXES[3]}
EVENTS = [
    ("2017-09-30T00:00:00", set(), False, "China Unicom AS4837 only"),
    ("2017-10-01T09:07:51", TTK_ALL, False,
     "TransTeleCom AS20485 appears on 175.45.176.0/24, .178.0/24, .179.0/24"),
    ("2017-10-01T10:14:45", set(), False, "TransTeleCom gone"),
    ("2017-10-01T10:47:00", set(), True, "outage: no routes"),
    ("2017-10-01T10:53:20", set(), False, "routes back, China Unicom only"),
    ("2017-10-01T11:29:40", set(), True, "outage: no routes"),
    ("2017-10-01T11:34:10", set(), False, "routes back, China Unicom only"),
    ("2017-10-01T12:21:55", TTK_ALL, False, "TransTeleCom back"),
    ("2017-10-01T12:23:30", TTK_ALL, True, "outage: no routes"),
    ("2017-10-01T12:26:00", TTK_ALL, False,
     "routes back, China Unicom and TransTeleCom"),
    ("2017-10-02T07:56:39", {PREFIXES[2], PREFIXES[3]}, False,
     "175.45.176.0/24 loses TransTeleCom"),
    ("2017-10-02T09:10:29", {PREFIXES[2]}, False,
     "175.45.179.0/24 loses TransTeleCom"),
]


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%S"))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))


def source_id(peer):
    return "%s-%s" % (peer[0], peer[1])


def route(peer, prefix, via_ttk):
    rrc, ip, peer_as, cu_mid, ttk_mid = peer
    if via_ttk:
        hops = [peer_as] + ttk_mid + [TTK]
    else:
        hops = [peer_as] + cu_mid + [CU]
        if source_id(peer) in PREPEND_CU:
            hops.append(CU)
    return {"source_id": source_id(peer), "path": hops + [TARGET],
            "community": [], "target_prefix": prefix}


def routes_at(ttk_prefixes, outage):
    if outage:
        return []
    out = []
    for prefix in PREFIXES:
        for peer in PEERS:
            via_ttk = (prefix in ttk_prefixes and
                       source_id(peer) not in KEEP_CU)
            out.append(route(peer, prefix, via_ttk))
    return out


def envelope(call, data, when):
    return {"messages": [], "see_also": [], "version": "1.2",
            "data_call_name": call, "data_call_status": "supported",
            "cached": False, "data": data, "query_id": "demo-" + when,
            "process_time": 1, "server_id": "replay",
            "build_version": "demo", "status": "ok", "status_code": 200,
            "time": when}


def bgp_state(when, ttk_prefixes, outage):
    routes = routes_at(ttk_prefixes, outage)
    return envelope("bgp-state", {"resource": str(TARGET), "query_time": when,
                                  "bgp_state": routes,
                                  "nr_routes": len(routes)}, when)


def control_state():
    routes = [{"source_id": source_id(p), "path": [p[2], 3333],
               "community": [], "target_prefix": "193.0.0.0/21"}
              for p in PEERS]
    return envelope("bgp-state", {"resource": "193.0.0.0/21",
                                  "query_time": START, "bgp_state": routes,
                                  "nr_routes": len(routes)}, START)


def routing_status(when, outage):
    seeing = 0 if outage else len(PEERS)
    return envelope("routing-status", {
        "resource": str(TARGET), "query_time": when,
        "visibility": {"v4": {"ris_peers_seeing": seeing,
                              "total_ris_peers": len(PEERS)},
                       "v6": {"ris_peers_seeing": 0,
                              "total_ris_peers": len(PEERS)}}}, when)


def state_at(t):
    """The event in force at epoch t (the last one at or before it)."""
    current = EVENTS[0]
    for ev in EVENTS:
        if epoch(ev[0]) <= t:
            current = ev
    return current


def write_json(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    os.replace(tmp, path)


def snapshot_times(step):
    times = {epoch(ev[0]) for ev in EVENTS}
    if step > 0:
        times.update(range(epoch(START), epoch(END) + 1, step))
    return sorted(times)


def write_tree(out, step):
    root = os.path.join(out, "default")
    bgp = os.path.join(root, "bgp-state")
    rs = os.path.join(root, "routing-status")
    os.makedirs(bgp, exist_ok=True)
    os.makedirs(rs, exist_ok=True)
    last = None
    for t in snapshot_times(step):
        when = iso(t)
        _, ttk, outage, _ = state_at(t)
        name = "%d@%s.json" % (TARGET, when.replace(":", "-"))
        write_json(os.path.join(bgp, name), bgp_state(when, ttk, outage))
        write_json(os.path.join(rs, name), routing_status(when, outage))
        last = (when, ttk, outage)
    write_json(os.path.join(bgp, "%d.json" % TARGET), bgp_state(*last))
    write_json(os.path.join(bgp, "193.0.0.0_21.json"), control_state())
    write_json(os.path.join(rs, "%d.json" % TARGET),
               routing_status(last[0], last[2]))
    write_events(root)


def route_map(ttk_prefixes, outage):
    """(source_id, prefix) -> route at a state of the timeline."""
    return {(r["source_id"], r["target_prefix"]): r
            for r in routes_at(ttk_prefixes, outage)}


def bgplay(day, prefixes):
    """The bgplay answer for prefixes from midnight day (epoch) for a day:
    the routes then, and every change of the timeline in the day as the
    announcements and withdrawals it takes, at its second."""
    end = day + 86400
    _, ttk, outage, _ = state_at(day)
    before = route_map(ttk, outage)
    initial = [r for k, r in sorted(before.items()) if k[1] in prefixes]
    events = []
    for when, ttk, outage, _ in EVENTS:
        t = epoch(when)
        if t <= day or t >= end:
            continue
        after = route_map(ttk, outage)
        for key in sorted(set(before) | set(after)):
            if key[1] not in prefixes:
                continue
            old, new = before.get(key), after.get(key)
            if new is not None and (old is None or old["path"] != new["path"]):
                events.append({"timestamp": when, "type": "A",
                               "attrs": {"source_id": key[0],
                                         "target_prefix": key[1],
                                         "path": new["path"],
                                         "community": []}})
            elif new is None and old is not None:
                events.append({"timestamp": when, "type": "W",
                               "attrs": {"source_id": key[0],
                                         "target_prefix": key[1]}})
        before = after
    sources = [{"as_number": p[2], "rrc": p[0], "id": source_id(p),
                "ip": p[1]} for p in PEERS]
    return envelope("bgplay", {
        "resource": ",".join(prefixes), "query_starttime": iso(day),
        "query_endtime": iso(end), "sources": sources,
        "targets": [{"prefix": p} for p in prefixes], "nodes": [],
        "initial_state": initial, "events": events}, iso(day))


def resource_key(resource):
    """The replay server's file name for a resource (tests/replay.py)."""
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in resource)


def write_events(root):
    play = os.path.join(root, "bgplay")
    ann = os.path.join(root, "announced-prefixes")
    os.makedirs(play, exist_ok=True)
    os.makedirs(ann, exist_ok=True)
    for prefixes in [PREFIXES] + [[p] for p in PREFIXES]:
        key = resource_key(",".join(prefixes))
        for day in range(epoch(START), epoch(END), 86400):
            write_json(os.path.join(play, "%s@%s.json" % (
                key, iso(day).replace(":", "-"))), bgplay(day, prefixes))
    control = [{"source_id": source_id(p), "path": [p[2], 3333],
                "community": [], "target_prefix": "193.0.0.0/21"}
               for p in PEERS]
    write_json(os.path.join(play, "193.0.0.0_21.json"), envelope("bgplay", {
        "resource": "193.0.0.0/21", "query_starttime": START,
        "query_endtime": END, "sources": [], "targets": [], "nodes": [],
        "initial_state": control, "events": []}, START))
    write_json(os.path.join(ann, "%d.json" % TARGET), envelope(
        "announced-prefixes", {
            "resource": str(TARGET), "query_starttime": START,
            "query_endtime": END,
            "prefixes": [{"prefix": p, "timelines": [
                {"starttime": START, "endtime": END}]} for p in PREFIXES]},
        END))


def share_of_ttk(ttk_prefixes):
    keep = sum(1 for p in PEERS if source_id(p) in KEEP_CU)
    ttk_paths = len(ttk_prefixes) * (len(PEERS) - keep)
    return 100.0 * ttk_paths / (len(PREFIXES) * len(PEERS))


def print_timeline():
    for when, ttk, outage, what in EVENTS:
        print(json.dumps({"time": when, "outage": outage,
                          "ttk_prefixes": sorted(ttk),
                          "ttk_share": 0.0 if outage else share_of_ttk(ttk),
                          "what": what}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="directory to write the replay tree into")
    ap.add_argument("--step", type=int, default=0,
                    help="also write a snapshot every STEP seconds "
                         "(default 0: only at the change points)")
    ap.add_argument("--timeline", action="store_true",
                    help="print the change points as JSON lines")
    args = ap.parse_args()
    if args.step < 0:
        ap.error("--step must be >= 0")
    if args.timeline:
        print_timeline()
        return 0
    if not args.out:
        ap.error("--out is required")
    write_tree(args.out, args.step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
