#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams in time: --at and the snapshot history (-s
# ripestat-bgp-state --from/--until/--step) over the October 2017
# reconstruction (demo/generate.py) served on loopback.  History by events
# (the default) is e2e_history_events.sh's.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
FROM=2017-09-30T00:00:00
UNTIL=2017-10-03T00:00:00
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-history.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 demo/generate.py --out "$work/tree" || exit 1
start_replay "$work/tree" default || exit 1

# run ARGS...: sets out, err and rc.
run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# present JSON: "asn:share ..." of the present upstreams of a -f json check.
present() {
	python3 -c 'import json,sys
d=json.load(sys.stdin)
print(" ".join("%d:%.1f" % (u["asn"], u["share"]) for u in d["upstreams"] if u["present"]), d["data_time"])' <<<"$1" 2>&1
}

# --- --at: one instant in the past ---------------------------------------
run -a AS131279 -e AS4837 --at 2017-10-01T09:07:50 -f json
is "$rc" 0 "--at 09:07:50 (before TransTeleCom): OK against AS4837"
is "$(present "$out")" "4837:100.0 2017-09-30T00:00:00" "--at 09:07:50: China Unicom only, data time of that state"
run -a AS131279 -e AS4837 --at 2017-10-01T09:07:51 -f json
is "$rc" 2 "--at 09:07:51: CRITICAL"
is "$(present "$out")" "20485:60.0 4837:40.0 2017-10-01T09:07:51" "--at 09:07:51: TransTeleCom 60 %, China Unicom 40 %"
run -a AS131279 -e AS4837 --at 1506849000
is "$rc" 2 "--at in Unix seconds (09:10:00): CRITICAL"
like "$out" $'\ndata time: 2017-10-01T09:07:51 UTC' "the data time is stated"
run -a AS131279 -e AS4837,AS20485 --at 2017-10-02T09:15:00Z -f json
is "$(present "$out")" "4837:80.0 20485:20.0 2017-10-02T09:10:29" "--at 2 Oct 09:15: only 175.45.178.0/24 left via TransTeleCom (20 %)"
is "$rc" 0 "and both expected: OK"

# --- the history over the whole period -------------------------------------
run -a AS131279 -s ripestat-bgp-state --from "$FROM" --until "$UNTIL" --step 60 -f json
is "$rc" 2 "history with change points: exit 2"
is "$err" "" "nothing on stderr (no progress when stderr is not a terminal)"
echo "$out" >"$work/history.json"
# The published timeline (UTC) and the outage windows of the reconstruction:
# event time, appeared, disappeared.  Each must be found within one step.
expected='2017-10-01T09:07:51 20485 -
2017-10-01T10:14:45 - 20485
2017-10-01T10:47:00 - 4837
2017-10-01T10:53:20 4837 -
2017-10-01T11:29:40 - 4837
2017-10-01T11:34:10 4837 -
2017-10-01T12:21:55 20485 -
2017-10-01T12:23:30 - 4837,20485
2017-10-01T12:26:00 4837,20485 -'
py='import calendar, json, sys, time
d = json.load(open(sys.argv[1]))
step = d["step"]
def ep(s): return calendar.timegm(time.strptime(s.rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))
def asns(s): return [] if s == "-" else [int(x) for x in s.split(",")]
want = [l.split() for l in sys.argv[2].splitlines()]
got = d["changes"]
if len(got) != len(want):
    sys.exit("%d changes, want %d: %s" % (len(got), len(want), [c["time"] for c in got]))
for c, (t, ap, dis) in zip(got, want):
    lag = ep(c["time"]) - ep(t)
    if not 0 <= lag < step:
        sys.exit("%s found at %s: not within one step" % (t, c["time"]))
    if c["appeared"] != asns(ap) or c["disappeared"] != asns(dis):
        sys.exit("%s: appeared %s disappeared %s" % (t, c["appeared"], c["disappeared"]))
print("good")'
is "$(python3 -c "$py" "$work/history.json" "$expected" 2>&1)" good \
    "exactly the published change points, each within one 60 s step"
py='import json, sys
d = json.load(open(sys.argv[1]))
c = {x["time"]: x for x in d["changes"]}
assert d["target"] == "AS131279" and d["from"] == "2017-09-30T00:00:00Z", d
assert d["until"] == "2017-10-03T00:00:00Z" and d["step"] == 60, d
assert d["steps"] == 4321 and d["steps_without_data"] == 0, d
assert d["start"]["upstreams"] == [{"asn": 4837, "share": 100.0}], d["start"]
assert c["2017-10-01T09:08:00Z"]["upstreams"] == [{"asn": 20485, "share": 60.0}, {"asn": 4837, "share": 40.0}]
assert c["2017-10-01T10:47:00Z"]["outage"] is True and c["2017-10-01T10:47:00Z"]["no_data"] is False and c["2017-10-01T10:47:00Z"]["upstreams"] == []
assert c["2017-10-01T09:08:00Z"]["no_data"] is False
print("good")'
is "$(python3 -c "$py" "$work/history.json" 2>&1)" good \
    "json: target, range, step, 4321 steps (outages are data: the control is seen), start, shares, outage"

# --- Graphite lines: parse, and agree with the JSON ---------------------------
run -a AS131279 -s ripestat-bgp-state --from "$FROM" --until "$UNTIL" --step 1m -f graphite
is "$rc" 2 "graphite: exit code is the history's too"
echo "$out" >"$work/history.graphite"
py='import calendar, json, re, sys, time
d = json.load(open(sys.argv[1]))
line = re.compile(r"^history\.upstreams-AS131279\.(count-upstreams|percent-AS([0-9]+)) ([0-9]+(\.[0-9]+)?) ([0-9]+)$")
at = {}
for n, l in enumerate(open(sys.argv[2]).read().splitlines(), 1):
    m = line.match(l)
    if not m:
        sys.exit("line %d does not parse: %r" % (n, l))
    key = "count" if m.group(2) is None else int(m.group(2))
    at.setdefault(int(m.group(5)), {})[key] = float(m.group(3))
def ep(s): return calendar.timegm(time.strptime(s.rstrip("Z"), "%Y-%m-%dT%H:%M:%S"))
if len(at) != d["steps"] - d["steps_without_data"]:
    sys.exit("%d epochs, want %d" % (len(at), d["steps"] - d["steps_without_data"]))
for c in d["changes"]:
    t = ep(c["time"])
    if c["no_data"]:
        if t in at: sys.exit("a line at the outage step %s" % c["time"])
        continue
    v = at[t]
    if v["count"] != len(c["upstreams"]):
        sys.exit("%s: count %s, json %d" % (c["time"], v["count"], len(c["upstreams"])))
    for u in c["upstreams"]:
        if abs(v[u["asn"]] - u["share"]) > 0.005:
            sys.exit("%s AS%d: %s vs %s" % (c["time"], u["asn"], v[u["asn"]], u["share"]))
    for asn, share in v.items():
        if asn != "count" and asn not in [u["asn"] for u in c["upstreams"]] and share != 0:
            sys.exit("%s AS%s: %s but not in the json" % (c["time"], asn, share))
# The share drops of 2 Oct change no set, but show in the values.
drops = [(ep("2017-10-02T07:56:00"), 60.0), (ep("2017-10-02T07:57:00"), 40.0),
         (ep("2017-10-02T09:10:00"), 40.0), (ep("2017-10-02T09:11:00"), 20.0)]
for t, want in drops:
    if at[t][20485] != want or at[t]["count"] != 2:
        sys.exit("AS20485 at %d: %s, want %s" % (t, at[t][20485], want))
print("good")'
is "$(python3 -c "$py" "$work/history.json" "$work/history.graphite" 2>&1)" good \
    "every Graphite line parses; values at the change points match the JSON; 2 Oct drops 60 -> 40 -> 20"
run -a 131279 -s ripestat-bgp-state --from 2017-10-01T09:00 --until 2017-10-01T09:10 --step 5m -f graphite \
    --graphite-prefix a.b --name dprk
is "$(head -n 2 <<<"$out")" "a.b.upstreams-dprk.count-upstreams 1 1506848400
a.b.upstreams-dprk.percent-AS4837 100.00 1506848400" "--graphite-prefix and --name shape the path"

# --- finer steps, other formats, exit codes -----------------------------------
run -a 131279 -s ripestat-bgp-state --from 2017-10-01T09:00:00 --until 2017-10-01T09:20:00 --step 30s -f json
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["steps"], [(c["time"], c["appeared"]) for c in d["changes"]])' <<<"$out" 2>&1)" \
    "41 [('2017-10-01T09:08:00Z', [20485])]" "30 s steps: TransTeleCom found at 09:08:00 (event 09:07:51)"
curl -fsS --max-time 5 "$REPLAY_URL/_replay/reset" >/dev/null
run -a 131279 -s ripestat-bgp-state --from 2017-10-01T09:00:00 --until 2017-10-01T09:20:00 --step 2m
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
is "$(python3 -c 'import json,sys; l=json.load(sys.stdin); print(len(l), sorted(set(q["query"]["timestamp"][0][11:] for q in l))[:3])' <<<"$log" 2>&1)" \
    "11 ['09:00:00', '09:02:00', '09:04:00']" "one bgp-state request per step, timestamp= each step"
run -a 131279 -s ripestat-bgp-state --from 2017-10-01T09:00:00 --until 2017-10-01T12:00:00 --step 1h
is "$rc" 2 "nagios format: CRITICAL with change points"
like "$(head -n 1 <<<"$out")" "^UPSTREAMS CRITICAL - 2 changes of AS131279's upstreams from 2017-10-01T09:00:00Z until 2017-10-01T12:00:00Z \(4 steps of 3600 s, 0 without data\) \| changes=2;;;0 steps=4;;;0 steps_without_data=0;;;0$" \
    "nagios status line with perfdata"
like "$out" $'\n2017-10-01T10:00:00Z AS20485 appeared; 2 upstreams: AS20485 60.0%, AS4837 40.0%\n' "long output: one line per change"
run -a 131279 -s ripestat-bgp-state --from "$FROM" --until 2017-10-01T09:00:00 --step 1h -f text
is "$rc" 0 "no change in the range: exit 0"
like "$out" "^no change of AS131279's upstreams" "text says no change"
run -a 131279 -s ripestat-bgp-state --from 2017-10-01T10:48:00 --until 2017-10-01T10:52:00 --step 1m
is "$rc" 0 "only outage steps (the control seen): no change, OK"
like "$out" 'start: no route to the target \(outage: the control prefix seen by 60 sessions\)' "the start is the outage"
run -a 131279 -s ripestat-bgp-state --from 2017-09-29T00:00:00 --until "$FROM" --step 1d -f json
is "$rc" 3 "a step the replay has nothing for (HTTP 404): UNKNOWN, no partial history"
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["state"], "HTTP 404" in d["message"], "2017-09-29T00:00:00Z" in d["message"])' <<<"$out" 2>&1)" \
    "UNKNOWN True True" "json error names the HTTP status and the step"
run -a 131279 -s ripestat-bgp-state --from 2017-09-29T00:00:00 --until "$FROM" --step 1d -f graphite
is "$rc/$out" "3/" "graphite error: UNKNOWN, nothing on stdout"
like "$err" 'HTTP 404' "the reason on stderr"

# --- arguments ------------------------------------------------------------------
run -a 131279 --from "$FROM" --until "$UNTIL" --step 1s
is "$rc" 3 "259201 steps: UNKNOWN"
like "$out" 'UNKNOWN - 259201 steps: more than 10000' "says how many and the cap"
for bad in 0 0s -60 1x 1.5h 99999999999999999999; do
	run -a 131279 --from "$FROM" --until "$UNTIL" --step "$bad"
	is "$rc" 3 "--step $bad: UNKNOWN"
done
like "$out" 'invalid duration' "says the duration is invalid"
run -a 131279 --from "$UNTIL" --until "$FROM" --step 1h
is "$rc" 3 "--until before --from: UNKNOWN"
run -a 131279 --from "$FROM" --step 1h
is "$rc" 3 "--from without --until: UNKNOWN"
like "$out" 'history needs --from and --until' "says what is missing"
run -a 131279 --from "$FROM" --until "$UNTIL" --step 1h --at "$FROM"
is "$rc" 3 "--at with a history: UNKNOWN"
run -a 131279 --from "$FROM" --until "$UNTIL" --step 1h -e 4837
is "$rc" 3 "--expect with a history: UNKNOWN"
run -a 131279 -f graphite
is "$rc" 3 "-f graphite without a history: UNKNOWN"
run -a 131279 --from "$FROM" --until "$UNTIL" --step 1h --name 'a.b'
is "$rc" 3 "--name with a dot: UNKNOWN"
run -a 131279 --from "$FROM" --until "$UNTIL" --step 1h -s ripestat-asn-neighbours
is "$rc" 3 "history with another source: UNKNOWN"

tap_end
