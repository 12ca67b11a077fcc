#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""A loopback RIS Live replay server for the tests: the HTTP stream
(/v1/stream/, one JSON message per line, the filter in X-RIS-Subscribe)
and the two RIPEstat calls a live target asks beside it (bgp-state for the
seed, bgp-updates for the backfill), all from one process on 127.0.0.1.

    python3 tests/rislive_replay.py --tree DIR [--port-file F]
        [--max-seconds 600] [--beacon-every S]

DIR is a tree of tests/fixtures/make_replay.py: the seed is
DIR/<scenario>/bgp-state/131279.json.  Every event the server makes is
kept (time, session, prefix, path) and answered again by bgp-updates for
its window, whether or not a stream was connected when it happened.

Controls (GET, answer JSON):
    /_ctl/scenario?name=two   every route of that scenario's bgp-state as
                              an UPDATE (now), in the file's order; the
                              seed becomes that scenario too
    /_ctl/line?text=T         one raw line to the update streams
    /_ctl/garbage             a non-JSON line, a JSON line of another
                              shape, a message with a junk prefix, and a
                              2 MiB line
    /_ctl/unasked?n=N         N UPDATEs for a prefix nobody asked for
    /_ctl/flood?n=N           N UPDATEs re-announcing one route as it is
    /_ctl/peer_down?peer=A    RIS_PEER_STATE "down" of rrc00's peer A to
                              the peer-state streams
    /_ctl/disconnect?hold=S   closes every stream; refuses new ones (503)
                              for S seconds
    /_ctl/stall?s=S           no byte (no beacon) for S seconds
    /_ctl/slow                a ris_error "too slow" line, then closes
    /_ctl/lag?s=S             later messages stamped S seconds ago
    /_ctl/log                 subscriptions, connections, sent events,
                              when lines were written to update streams
Stops on its own after --max-seconds.
"""
import argparse
import ipaddress
import json
import os
import re
import socketserver
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

TARGET = 131279
BEACON = "84.205.64.0/24"


def iso(t):
    return datetime.fromtimestamp(int(t), timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S")


def parse_time(v):
    if v is None:
        return None
    if re.fullmatch(r"[0-9]+", v):
        return int(v)
    v = v.rstrip("Zz")
    fmt = "%Y-%m-%dT%H:%M:%S" if v.count(":") == 2 else "%Y-%m-%dT%H:%M"
    return int(datetime.strptime(v, fmt).replace(
        tzinfo=timezone.utc).timestamp())


class State:
    def __init__(self, tree, beacon_every):
        self.lock = threading.Condition()
        self.tree = tree
        self.scenario = "one"
        self.clients = []          # [{"kind": "updates"|"peers", "q": [], "open": True}]
        self.events = []           # (t, session, prefix, path or None)
        self.sent = []             # {"what", "t"}
        self.writes = []           # when lines left for an update stream
        self.subscriptions = []
        self.connections = 0
        self.refuse_until = 0.0
        self.stall_until = 0.0
        self.lag = 0
        self.beacon_every = beacon_every
        self.beacon_up = False

    def push(self, kind, line, what=None):
        with self.lock:
            for c in self.clients:
                if c["kind"] == kind and c["open"]:
                    c["q"].append(line)
            if what is not None:
                self.sent.append({"what": what, "t": time.time()})
            self.lock.notify_all()

    def update(self, session, prefix, path, what=None):
        """An UPDATE of one route (path None: a withdrawal)."""
        rrc, peer = session.split("-", 1)
        t = time.time() - self.lag
        data = {"timestamp": round(t, 2), "peer": peer,
                "peer_asn": str(path[0]) if path else "64496",
                "id": "replay", "host": "rrc" + rrc, "type": "UPDATE"}
        if path is None:
            data["withdrawals"] = [prefix]
        else:
            data["path"] = path
            data["origin"] = "igp"
            data["announcements"] = [{"next_hop": peer,
                                      "prefixes": [prefix]}]
        with self.lock:
            self.events.append((t, session, prefix, path))
        self.push("updates", json.dumps(
            {"type": "ris_message", "data": data}), what)

    def routes(self, scenario):
        name = os.path.join(self.tree, scenario, "bgp-state",
                            "%d.json" % TARGET)
        with open(name) as f:
            return json.load(f)["data"]["bgp_state"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "rislive-replay"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        st = self.server.state
        if u.path.startswith("/v1/stream"):
            return self.stream(st)
        if u.path == "/data/bgp-state/data.json":
            return self.bgp_state(st, q)
        if u.path == "/data/bgp-updates/data.json":
            return self.bgp_updates(st, q)
        if u.path.startswith("/_ctl/"):
            return self.control(st, u.path[6:], q)
        self.send_json(404, {"error": "not found"})

    def envelope(self, call, data):
        return {"status": "ok", "status_code": 200, "data_call_name": call,
                "data_call_status": "supported - replay", "messages": [],
                "version": "1.0", "time": iso(time.time()), "data": data}

    def bgp_state(self, st, q):
        with st.lock:
            scenario = st.scenario
        routes = st.routes(scenario)
        self.send_json(200, self.envelope("bgp-state", {
            "resource": q.get("resource", ""), "bgp_state": routes,
            "nr_routes": len(routes), "query_time": iso(time.time() - 60)}))

    def bgp_updates(self, st, q):
        start = parse_time(q.get("starttime")) or 0
        end = parse_time(q.get("endtime")) or time.time()
        ups = []
        asked = []
        for r in q.get("resource", "").split(","):
            try:
                asked.append(ipaddress.ip_network(r, strict=False))
            except ValueError:
                pass
        with st.lock:
            events = list(st.events)
        for t, session, prefix, path in events:
            if not start <= int(t) <= end:
                continue
            net = ipaddress.ip_network(prefix, strict=False)
            if not any(net.version == a.version and net.subnet_of(a)
                       for a in asked):
                continue
            attrs = {"source_id": session, "target_prefix": prefix}
            if path is not None:
                attrs["path"] = path
            ups.append({"type": "A" if path is not None else "W",
                        "timestamp": iso(t), "attrs": attrs})
        self.send_json(200, self.envelope("bgp-updates", {
            "resource": q.get("resource", ""), "updates": ups,
            "nr_updates": len(ups), "query_starttime": iso(start),
            "query_endtime": iso(end)}))

    def stream(self, st):
        sub = self.headers.get("X-RIS-Subscribe", "")
        try:
            kind = ("peers" if json.loads(sub).get("type") ==
                    "RIS_PEER_STATE" else "updates")
        except (ValueError, AttributeError):
            return self.send_json(400, {"error": "bad X-RIS-Subscribe"})
        with st.lock:
            st.subscriptions.append(sub)
            refused = time.time() < st.refuse_until
            if not refused:
                st.connections += 1
                client = {"kind": kind, "q": [], "open": True}
                st.clients.append(client)
        if refused:
            return self.send_json(503, {"error": "replay: refused"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            while True:
                with st.lock:
                    while client["open"] and not client["q"]:
                        st.lock.wait(0.5)
                    lines, client["q"] = client["q"], []
                    still = client["open"]
                if lines:
                    self.wfile.write("".join(l + "\n" for l in lines).encode())
                    self.wfile.flush()
                    if kind == "updates":
                        with st.lock:
                            st.writes.append(time.time())
                            del st.writes[:-1000]
                if not still:
                    break
        except OSError:
            pass
        finally:
            with st.lock:
                client["open"] = False
                if client in st.clients:
                    st.clients.remove(client)

    def control(self, st, what, q):
        n = int(q.get("n", "1"))
        if what == "scenario":
            name = q.get("name", "one")
            for r in st.routes(name):
                st.update(r["source_id"], r["target_prefix"], r["path"])
            with st.lock:
                st.scenario = name
                st.sent.append({"what": "scenario " + name,
                                "t": time.time()})
        elif what == "line":
            st.push("updates", q.get("text", ""), "line")
        elif what == "garbage":
            st.push("updates", "this is not json", "garbage")
            st.push("updates", json.dumps([1, 2, 3]))
            st.push("updates", json.dumps({"type": "ris_message", "data": {
                "timestamp": time.time(), "peer": "192.0.2.1",
                "peer_asn": "64496", "host": "rrc00", "type": "UPDATE",
                "path": [64496, 4837, TARGET], "announcements": [
                    {"next_hop": "192.0.2.1", "prefixes": ["junk/99"]}]}}))
            st.push("updates", "x" * (2 << 20))
        elif what == "unasked":
            for i in range(n):
                st.update("00-192.0.2.%d" % (1 + i % 200),
                          "10.%d.%d.0/24" % (i // 256 % 256, i % 256),
                          [64496, 20485, TARGET])
        elif what == "flood":
            r = st.routes(st.scenario)[2]
            for _ in range(n):
                st.update(r["source_id"], r["target_prefix"], r["path"])
        elif what == "peer_down":
            data = {"timestamp": time.time() - st.lag,
                    "peer": q.get("peer", "192.0.2.7"), "peer_asn": "64502",
                    "id": "replay", "host": "rrc00",
                    "type": "RIS_PEER_STATE", "state": "down"}
            st.push("peers", json.dumps({"type": "ris_message",
                                         "data": data}), "peer_down")
        elif what == "disconnect":
            with st.lock:
                st.refuse_until = time.time() + float(q.get("hold", "0"))
                for c in st.clients:
                    c["open"] = False
                st.lock.notify_all()
        elif what == "stall":
            with st.lock:
                st.stall_until = time.time() + float(q.get("s", "5"))
        elif what == "slow":
            st.push("updates", json.dumps({"type": "ris_error", "data": {
                "message": "Client is too slow: disconnecting"}}), "slow")
            time.sleep(0.2)
            with st.lock:
                for c in st.clients:
                    c["open"] = False
                st.lock.notify_all()
        elif what == "lag":
            with st.lock:
                st.lag = int(q.get("s", "0"))
        elif what == "log":
            with st.lock:
                return self.send_json(200, {
                    "subscriptions": st.subscriptions,
                    "connections": st.connections,
                    "clients": len(st.clients), "sent": st.sent,
                    "writes": st.writes,
                    "events": len(st.events)})
        else:
            return self.send_json(404, {"error": "no such control"})
        self.send_json(200, {"ok": True})


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True


def beacons(state):
    """The beacon, announced and withdrawn in turn, while not stalled."""
    while True:
        time.sleep(state.beacon_every)
        with state.lock:
            stalled = time.time() < state.stall_until
            state.beacon_up = not state.beacon_up
            up = state.beacon_up
        if not stalled:
            state.update("00-192.0.2.250", BEACON,
                         [64550, 12654] if up else None)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tree", required=True)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--max-seconds", type=float, default=600)
    p.add_argument("--beacon-every", type=float, default=1.0)
    a = p.parse_args()
    if a.bind not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("rislive_replay: loopback only")
    srv = Server((a.bind, a.port), Handler)
    srv.state = State(a.tree, a.beacon_every)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(tmp, a.port_file)
    threading.Thread(target=beacons, args=(srv.state,), daemon=True).start()
    threading.Timer(a.max_seconds, srv.shutdown).start()
    srv.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
