#!/usr/bin/env python3
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
"""Loopback replay server: serves recorded RIPEstat responses and injects
faults, so that no test ever touches the internet.

    python3 tests/replay.py --root DIR [--bind 127.0.0.1] [--port 0]
        [--port-file F] [--log] [--max-seconds 600] [--scenario default]

Data requests
    GET /data/<call>/data.json?resource=R[&timestamp=T][&...]
    is answered from DIR/<scenario>/<call>/<key>.json, where key is R without
    a leading "AS" before digits and with every character outside
    [A-Za-z0-9.-] replaced by "_" (140.78.0.0/16 -> 140.78.0.0_16).
    Snapshots in time are files <key>@<time>.json, the time with ":" as "-"
    (AS131279@2017-10-01T09-07-51.json).  With timestamp=T the exact snapshot
    is served, else the latest one not after T (404 when all are later);
    without a snapshot file at all <key>.json is served.  Without timestamp:
    <key>.json, else the latest snapshot.  Missing: 404 with a RIPEstat-like
    error body.  A window's starttime= (bgplay, bgp-updates)
    picks the snapshot as timestamp= does; a list of resources "a,b" is one
    key ("a_b").

    A comma-separated list of resources without a recording of its own
    (bgp-state takes one: RIPEstat combines the answers) is answered from
    the files of each resource:
    the envelope of the first one found, data.bgp_state the routes of all
    of them in the order asked, data.resource the list as asked.  Missing
    ones add nothing; none found at all is a 404.

Public looking glasses
    GET /api/prefix?q=P (NLNOG RING) and /api/v1/lookup/prefix?q=P (Alice-LG)
    are answered from DIR/<scenario>/nlnog/<key>.json and .../alice/<key>.json,
    key as above.

Control requests (GET)
    /_replay/scenario?name=N           switch to DIR/N
    /_replay/fault?kind=K&count=C&arg=A
                                       the next C data requests get fault K
                                       (C -1: all of them until reset; default 1)
    /_replay/reset                     clear the fault and the request log
    /_replay/log                       JSON list of the data requests seen
    /_replay/stats                     {"requests": n, "in_flight": n,
                                       "max_in_flight": n} of data requests
                                       since the start or the last reset (a
                                       request is in flight from its arrival
                                       until its answer starts)
    /_replay/latency?ms=N              every data request waits N ms first
                                       (also --latency-ms N at start)
    /_replay/quit                      stop the server

Fault kinds (see tests/faults.md): status, retry-after, 429, delay, trickle,
truncate, empty, notjson, maintenance, gzip, bomb, big, redirect,
redirect-loop, redirect-scheme, close, body, trailers, longstring, longkey,
junk, generated.

The server exits on its own after --max-seconds.
"""
import argparse
import datetime
import gzip
import http.server
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
import zlib

FAULT_KINDS = ("status", "retry-after", "429", "delay", "trickle", "truncate",
               "empty", "notjson", "maintenance", "gzip", "bomb", "big",
               "redirect", "redirect-loop", "redirect-scheme", "close",
               "body", "trailers", "longstring", "longkey", "junk", "generated")
NAME_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
CALL_RE = re.compile(r"^/data/([A-Za-z0-9_-]+)/data\.json$")
BOMB_MB = 100
# The hostile streams below end by themselves after this many MB at most.
HOSTILE_MAX_MB = 2048
MAX_TRICKLE_BYTES = 4096
LOG_LIMIT = 10000
# Public looking glasses: request path -> directory under the scenario.
LG_PATHS = {"/api/prefix": "nlnog", "/api/v1/lookup/prefix": "alice"}


def resource_key(resource):
    """"AS131279" -> "131279", "140.78.0.0/16" -> "140.78.0.0_16"."""
    key = re.sub(r"^[Aa][Ss](?=[0-9])", "", resource)
    return re.sub(r"[^A-Za-z0-9.-]", "_", key)


def time_key(value):
    """A timestamp as it appears in file names: ISO, ":" as "-", no "Z".

    Unix seconds and ISO times without seconds are made whole so that the
    names compare as times; anything else is only made safe."""
    value = value.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1]
    when = None
    if re.fullmatch(r"[0-9]{1,12}", value):
        when = datetime.datetime.fromtimestamp(int(value),
                                               datetime.timezone.utc)
    else:
        for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
                    "%Y-%m-%dT%H-%M-%S", "%Y-%m-%dT%H-%M"):
            try:
                when = datetime.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if when is not None:
        return when.strftime("%Y-%m-%dT%H-%M-%S")
    return re.sub(r"[^A-Za-z0-9.-]", "_", value.replace(":", "-"))


def error_body(code, text):
    return json.dumps({"status": "error", "status_code": code,
                       "messages": [["error", text]], "data": {}}).encode()


class State:
    """Everything the handler threads share, behind one lock."""

    def __init__(self, root, scenario, deadline):
        self.lock = threading.Lock()
        self.root = root
        self.scenario = scenario
        self.deadline = deadline
        self.quit = threading.Event()
        self.fault = None          # (kind, arg) or None
        self.fault_count = 0       # -1: forever
        self.log = []
        self.bomb = None
        self.json_bomb = None
        self.latency_ms = 0
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def take_fault(self):
        with self.lock:
            if self.fault is None or self.fault_count == 0:
                return None
            fault = self.fault
            if self.fault_count > 0:
                self.fault_count -= 1
                if self.fault_count == 0:
                    self.fault = None
            return fault

    def bomb_body(self, json_like=False):
        """About 100 KB of gzip that inflates to 100 MB of zeros, built once;
        json_like: "[" and 100 MB of spaces (it starts like JSON)."""
        with self.lock:
            if (self.json_bomb if json_like else self.bomb) is None:
                comp = zlib.compressobj(9, zlib.DEFLATED, 31)
                chunk = b" " * (1024 * 1024) if json_like else bytes(1024 * 1024)
                parts = [comp.compress(b"[")] if json_like else []
                parts += [comp.compress(chunk) for _ in range(BOMB_MB)]
                parts.append(comp.flush())
                if json_like:
                    self.json_bomb = b"".join(parts)
                else:
                    self.bomb = b"".join(parts)
            return self.json_bomb if json_like else self.bomb

    def seconds_left(self):
        return self.deadline - time.monotonic()


def pick_file(directory, key, timestamp):
    """The file to serve for key (and timestamp), or None."""
    plain = os.path.join(directory, key + ".json")
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    prefix = key + "@"
    snaps = sorted((time_key(n[len(prefix):-5]), n) for n in names
                   if n.startswith(prefix) and n.endswith(".json"))
    if timestamp is not None:
        want = time_key(timestamp)
        for t, name in snaps:
            if t == want:
                return os.path.join(directory, name)
        if snaps:
            older = [name for t, name in snaps if t <= want]
            return os.path.join(directory, older[-1]) if older else None
        return plain if os.path.isfile(plain) else None
    if os.path.isfile(plain):
        return plain
    return os.path.join(directory, snaps[-1][1]) if snaps else None


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "replay/1"
    protocol_version = "HTTP/1.0"
    # A client that connects and then says nothing frees its thread.
    timeout = 60

    # ------------------------------------------------------------ plumbing
    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("replay: %s\n" % (fmt % args))

    def do_GET(self):
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        except Exception as e:  # never let one odd request stop the server
            self.close_connection = True
            if self.server.verbose:
                sys.stderr.write("replay: error %r\n" % (e,))
            try:
                self.send_body(500, error_body(500, "replay server error"))
            except Exception:
                pass

    def send_body(self, code, body, ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, code, doc):
        self.send_body(code, json.dumps(doc).encode())

    @property
    def state(self):
        return self.server.state

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        # surrogateescape: arbitrary bytes (bad UTF-8 for the body fault)
        # survive decoding and are sent back exactly as the test gave them.
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True,
                                      errors="surrogateescape")
        if url.path.startswith("/_replay/"):
            self.control(url.path[len("/_replay/"):], query)
            return
        self.data(url.path, query)

    # ------------------------------------------------------------ control
    def control(self, what, query):
        st = self.state
        one = lambda k, d=None: query.get(k, [d])[0]
        if what == "scenario":
            name = one("name", "")
            if not NAME_RE.match(name):
                self.send_json(400, {"ok": False, "error": "bad name"})
                return
            with st.lock:
                st.scenario = name
            self.send_json(200, {"ok": True, "scenario": name})
        elif what == "fault":
            kind = one("kind", "")
            try:
                count = int(one("count", "1"))
            except ValueError:
                count = None
            if kind not in FAULT_KINDS or count is None or count < -1:
                self.send_json(400, {"ok": False, "error": "bad fault"})
                return
            with st.lock:
                st.fault = (kind, one("arg", "")) if count != 0 else None
                st.fault_count = count
            self.send_json(200, {"ok": True, "kind": kind, "count": count})
        elif what == "reset":
            with st.lock:
                st.fault = None
                st.fault_count = 0
                st.log = []
                st.requests = 0
                st.max_in_flight = st.in_flight
            self.send_json(200, {"ok": True})
        elif what == "stats":
            with st.lock:
                doc = {"requests": st.requests, "in_flight": st.in_flight,
                       "max_in_flight": st.max_in_flight}
            self.send_json(200, doc)
        elif what == "latency":
            try:
                ms = int(one("ms", ""))
            except ValueError:
                ms = -1
            if not 0 <= ms <= 60000:
                self.send_json(400, {"ok": False, "error": "bad ms"})
                return
            with st.lock:
                st.latency_ms = ms
            self.send_json(200, {"ok": True, "ms": ms})
        elif what == "log":
            with st.lock:
                entries = list(st.log)
            self.send_json(200, entries)
        elif what == "quit":
            self.send_json(200, {"ok": True})
            st.quit.set()
        else:
            self.send_json(404, {"ok": False, "error": "unknown control"})

    # --------------------------------------------------------------- data
    def record(self, path, query, fault):
        entry = {"path": path, "query": query,
                 "user_agent": self.headers.get("User-Agent"),
                 "accept_encoding": self.headers.get("Accept-Encoding"),
                 "fault": fault[0] if fault else None}
        with self.state.lock:
            if len(self.state.log) < LOG_LIMIT:
                self.state.log.append(entry)

    def lookup(self, path, query):
        """(code, body bytes, call) for a data request without faults."""
        if path in LG_PATHS:
            return self.lookup_lg(LG_PATHS[path], query)
        m = CALL_RE.match(path)
        if not m:
            return 404, error_body(404, "not found"), None
        call = m.group(1)
        resource = query.get("resource", [""])[0]
        if not resource:
            return 400, error_body(400, "resource missing"), call
        # A window (bgplay, bgp-updates, announced-prefixes) picks its
        # snapshot by its start.
        stamp = query.get("timestamp", query.get("starttime", [None]))[0]
        with self.state.lock:
            scenario = self.state.scenario
        directory = os.path.join(self.state.root, scenario, call)
        name = pick_file(directory, resource_key(resource), stamp)
        if name is None and "," in resource:
            return self.lookup_list(directory, resource, stamp, call)
        if name is None:
            return 404, error_body(404, "not found"), call
        try:
            with open(name, "rb") as f:
                return 200, f.read(), call
        except OSError:
            return 404, error_body(404, "not found"), call

    def lookup_list(self, directory, resource, stamp, call):
        """Several resources in one request: their answers combined."""
        doc = None
        routes = []
        for one in resource.split(","):
            name = pick_file(directory, resource_key(one.strip()), stamp)
            if name is None:
                continue
            try:
                with open(name, "rb") as f:
                    part = json.load(f)
            except (OSError, ValueError):
                return 500, error_body(500, "bad recording"), call
            data = part.get("data") if isinstance(part, dict) else None
            if not isinstance(data, dict):
                return 500, error_body(500, "bad recording"), call
            if doc is None:
                doc = part
            routes.extend(data.get("bgp_state") or [])
        if doc is None:
            return 404, error_body(404, "not found"), call
        doc["data"]["bgp_state"] = routes
        doc["data"]["resource"] = resource
        if "nr_routes" in doc["data"]:
            doc["data"]["nr_routes"] = len(routes)
        return 200, json.dumps(doc).encode(), call

    def lookup_lg(self, name, query):
        """A public looking glass: DIR/<scenario>/<name>/<key of q>.json."""
        resource = query.get("q", [""])[0]
        if not resource:
            return 400, json.dumps({"error": "No prefix specified."}).encode(), name
        with self.state.lock:
            scenario = self.state.scenario
        plain = os.path.join(self.state.root, scenario, name,
                             resource_key(resource) + ".json")
        try:
            with open(plain, "rb") as f:
                return 200, f.read(), name
        except OSError:
            return 404, json.dumps({"error": "not found"}).encode(), name

    def data(self, path, query):
        st = self.state
        with st.lock:
            st.requests += 1
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
            latency = st.latency_ms
        # In flight until the answer starts: a client that got its whole
        # answer may send its next request before this thread would get
        # past the write, which must not count as one more at a time.
        try:
            if latency > 0:
                self.pause(latency / 1000.0)
        finally:
            with st.lock:
                st.in_flight -= 1
        self.data_now(path, query)

    def data_now(self, path, query):
        fault = self.state.take_fault()
        self.record(path, query, fault)
        if fault is None:
            code, body, _ = self.lookup(path, query)
            self.send_body(code, body)
            return
        kind, arg = fault
        getattr(self, "fault_" + kind.replace("-", "_"))(path, query, arg)

    # ------------------------------------------------------------- faults
    def number(self, arg, default):
        try:
            value = float(arg)
        except ValueError:
            return default
        return value if value == value and value >= 0 else default

    def pause(self, seconds):
        """Sleeps in small steps; stops early when the server is going."""
        end = time.monotonic() + seconds
        while not self.state.quit.is_set() and self.state.seconds_left() > 0:
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(0.05, left))

    def fault_status(self, path, query, arg):
        code = int(self.number(arg, 500))
        code = code if 100 <= code <= 599 else 500
        self.send_body(code, error_body(code, "replay fault %d" % code))

    def fault_retry_after(self, path, query, arg):
        self.send_body(429, error_body(429, "too many requests"),
                       headers=[("Retry-After", arg or "1")])

    def fault_429(self, path, query, arg):
        self.send_body(429, error_body(429, "too many requests"))

    def fault_delay(self, path, query, arg):
        self.pause(self.number(arg, 5))
        code, body, _ = self.lookup(path, query)
        self.send_body(code, body)

    def fault_trickle(self, path, query, arg):
        """Real headers, then the body one byte at a time, arg s apart."""
        step = self.number(arg, 1)
        code, body, _ = self.lookup(path, query)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for i in range(min(len(body), MAX_TRICKLE_BYTES)):
            if self.state.quit.is_set() or self.state.seconds_left() <= 0:
                break
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            self.pause(step)
        self.close_connection = True

    def fault_truncate(self, path, query, arg):
        code, body, _ = self.lookup(path, query)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def fault_empty(self, path, query, arg):
        self.send_body(200, b"")

    def fault_notjson(self, path, query, arg):
        self.send_body(200, b"<html><body><h1>Service temporarily "
                       b"unavailable</h1></body></html>\n", "text/html")

    def fault_maintenance(self, path, query, arg):
        m = CALL_RE.match(path)
        call = m.group(1) if m else "unknown"
        self.send_json(200, {"messages": [["info", "maintenance"]],
                             "see_also": [], "version": "1.0",
                             "data_call_name": call,
                             "data_call_status": "supported", "cached": False,
                             "data": {}, "query_id": "replay",
                             "process_time": 0, "server_id": "replay",
                             "build_version": "replay", "status": "ok",
                             "status_code": 200,
                             "time": "2017-10-01T12:00:00"})

    def fault_gzip(self, path, query, arg):
        code, body, _ = self.lookup(path, query)
        self.send_body(code, gzip.compress(body),
                       headers=[("Content-Encoding", "gzip")])

    def fault_bomb(self, path, query, arg):
        self.send_body(200, self.state.bomb_body(arg == "json"),
                       headers=[("Content-Encoding", "gzip")])

    def fault_big(self, path, query, arg):
        """A JSON body of arg MB (default 100) whose Content-Length says so.

        The body is streamed; a client that stops reading ends it."""
        size = int(self.number(arg, 100) * 1024 * 1024)
        head = b'{"status": "ok", "data": {"filler": "'
        tail = b'"}}'
        fill = max(0, size - len(head) - len(tail))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + fill + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        chunk = b"a" * 65536
        while fill > 0:
            if self.state.quit.is_set() or self.state.seconds_left() <= 0:
                break
            n = min(fill, len(chunk))
            self.wfile.write(chunk[:n])
            fill -= n
        self.wfile.write(tail)
        self.close_connection = True

    def stream_bytes(self, total, byte=b"a"):
        """total bytes of byte, stopping when the server is going."""
        chunk = byte * 65536
        while total > 0:
            if self.state.quit.is_set() or self.state.seconds_left() <= 0:
                return
            n = min(total, len(chunk))
            self.wfile.write(chunk[:n])
            total -= n

    def hostile_mb(self, arg, default):
        return int(min(self.number(arg, default), HOSTILE_MAX_MB) * 1024 * 1024)

    def fault_trailers(self, path, query, arg):
        """The real answer chunked, then trailer lines without end (arg MB
        of them at most, default 1024): the client must stop reading."""
        code, body, _ = self.lookup(path, query)
        self.wfile.write(b"HTTP/1.1 %d OK\r\nContent-Type: application/json"
                         b"\r\nTransfer-Encoding: chunked\r\n"
                         b"Trailer: X-Pad\r\nConnection: close\r\n\r\n" % code)
        self.wfile.write(b"%x\r\n%s\r\n0\r\n" % (len(body), body))
        left = self.hostile_mb(arg, 1024)
        line = b"X-Pad: " + b"p" * 1000 + b"\r\n"
        lines = line * 64
        while left > 0:
            if self.state.quit.is_set() or self.state.seconds_left() <= 0:
                break
            self.wfile.write(lines)
            left -= len(lines)
        self.wfile.write(b"\r\n")
        self.close_connection = True

    def hostile_json(self, head, size, tail):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + size + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        self.stream_bytes(size)
        self.wfile.write(tail)
        self.close_connection = True

    def fault_longstring(self, path, query, arg):
        """A bgp-state element whose prefix is one string of arg MB (50)."""
        self.hostile_json(b'{"status": "ok", "data": {"bgp_state": '
                          b'[{"target_prefix": "', self.hostile_mb(arg, 50),
                          b'", "source_id": "00-1.2.3.4", "path": [1, 2]}]}}')

    def fault_longkey(self, path, query, arg):
        """An envelope key of arg MB (20)."""
        self.hostile_json(b'{"', self.hostile_mb(arg, 20),
                          b'": 1, "status": "ok", "data": {}}')

    def fault_junk(self, path, query, arg):
        """arg MB (64) of bytes that are not JSON, said to be JSON."""
        self.hostile_json(b"<html>", self.hostile_mb(arg, 64), b"</html>")

    def fault_generated(self, path, query, arg):
        """A bgp-state answer of about arg MB (default 100) for the asked
        AS, made while it is sent (nothing on disk): 350 sessions see every
        prefix 10.x.y.0/24, three of four through AS3356, the rest through
        AS1299; a 1,000th of the paths prepend the origin.  Sent without a
        Content-Length (the end of the connection ends it)."""
        resource = query.get("resource", ["AS131279"])[0].split(",")[0]
        target = int(re.sub(r"^[Aa][Ss]", "", resource) or 131279)
        size = self.hostile_mb(arg, 100)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        head = ('{"messages": [], "see_also": [], "version": "2.0", '
                '"data_call_name": "bgp-state", "data_call_status": '
                '"supported - connect to stat-ui", "cached": false, '
                '"data": {"resource": "%d", "query_time": '
                '"2025-06-11T16:00:00", "bgp_state": [' % target)
        self.wfile.write(head.encode())
        parts = []
        for i in range(350):
            up = 1299 if i % 4 == 3 else 3356
            tail = ", %d" % target if i == 7 else ""
            parts.append('{"target_prefix": "%%s", "source_id": "%02d-192.0.2.%d", '
                         '"path": [%d, %d, %d%s], "community": ["%d:%d"]}'
                         % (i % 26, i % 250 + 1, 64512 + i, up, target, tail,
                            up, 100 + i))
        template = ", ".join(parts)
        sent = 0
        n = 0
        while sent < size:
            if self.state.quit.is_set() or self.state.seconds_left() <= 0:
                break
            block = []
            for _ in range(64):
                prefix = "10.%d.%d.0/24" % ((n >> 8) & 255, n & 255) \
                    if n < 65536 else "11.%d.%d.0/24" % ((n >> 8) & 255, n & 255)
                block.append(template.replace("%s", prefix))
                n += 1
            data = (", " if sent else "") + ", ".join(block)
            self.wfile.write(data.encode())
            sent += len(data)
        self.wfile.write(b']}, "query_id": "replay", "status": "ok", '
                         b'"status_code": 200, "time": "2025-06-11T16:00:01"}')
        self.close_connection = True

    def redirect_to(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def fault_redirect(self, path, query, arg):
        """One hop to the same URL: with count 1 the second request is real."""
        self.redirect_to(self.path)

    def fault_redirect_loop(self, path, query, arg):
        """302 to the same URL; use count=-1 so every hop loops again."""
        self.redirect_to(self.path)

    def fault_redirect_scheme(self, path, query, arg):
        self.redirect_to("ftp://127.0.0.1/x")

    def fault_close(self, path, query, arg):
        """Closes the connection without a single byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def fault_body(self, path, query, arg):
        self.send_body(200, arg.encode("utf-8", "surrogateescape"))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Server6(Server):
    address_family = socket.AF_INET6


def write_port_file(path, port):
    """Written whole, then renamed: a reader never sees half a number."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def parse_args(argv):
    p = argparse.ArgumentParser(description="loopback RIPEstat replay server")
    p.add_argument("--root", required=True)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log", action="store_true")
    p.add_argument("--max-seconds", type=float, default=600)
    p.add_argument("--scenario", default="default")
    p.add_argument("--latency-ms", type=int, default=0)
    args = p.parse_args(argv)
    if not 0 <= args.latency_ms <= 60000:
        p.error("bad --latency-ms")
    if not NAME_RE.match(args.scenario):
        p.error("bad scenario name")
    if not 0 <= args.port <= 65535 or args.max_seconds <= 0:
        p.error("bad --port or --max-seconds")
    return args


def main(argv):
    args = parse_args(argv)
    state = State(os.path.abspath(args.root), args.scenario,
                  time.monotonic() + args.max_seconds)
    cls = Server6 if ":" in args.bind else Server
    server = cls((args.bind, args.port), Handler)
    state.latency_ms = args.latency_ms
    server.state = state
    server.verbose = args.log
    if args.port_file:
        write_port_file(args.port_file, server.server_address[1])
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        state.quit.wait(max(0.0, state.seconds_left()))
    except KeyboardInterrupt:
        pass
    state.quit.set()
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
