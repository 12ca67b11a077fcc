#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# History by events, the default of --from/--until: announced-prefixes for
# the window, then bgplay for those prefixes one day per request, into the
# routing table; change points at the events' seconds, --step samples from
# the table without a request more; RIPEstat's retention (an empty answer
# for the target and for the control prefix) is UNKNOWN, never "no
# upstreams".  The October 2017 reconstruction (demo/generate.py) and the
# real empty bgplay answer of tests/fixtures/public on loopback.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
FROM=2017-09-30T00:00:00
UNTIL=2017-10-03T00:00:00
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-events.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 demo/generate.py --out "$work/tree" || exit 1
# retention: RIPEstat's real answer for a window it keeps nothing of, for
# the target's prefixes and for the control prefix alike.
empty=tests/fixtures/public/andrelia-hacks__ripestat__bgplay.json
all=175.45.176.0_24_175.45.177.0_24_175.45.178.0_24_175.45.179.0_24
mkdir -p "$work/tree/retention/bgplay" "$work/tree/dark/bgplay"
cp -r "$work/tree/default/announced-prefixes" "$work/tree/retention/"
cp "$empty" "$work/tree/retention/bgplay/$all.json"
cp "$empty" "$work/tree/retention/bgplay/193.0.0.0_21.json"
# dark: nothing of the target, while the control is announced.
cp -r "$work/tree/default/announced-prefixes" "$work/tree/dark/"
cp "$empty" "$work/tree/dark/bgplay/$all.json"
cp "$work/tree/default/bgplay/193.0.0.0_21.json" "$work/tree/dark/bgplay/"
# straddle: RIPEstat's retention begins inside the range: the first day
# answers empty, the next ones as usual.
mkdir -p "$work/tree/straddle/bgplay"
cp -r "$work/tree/default/announced-prefixes" "$work/tree/straddle/"
cp "$empty" "$work/tree/straddle/bgplay/$all@2017-09-30T00-00-00.json"
cp "$work/tree/default/bgplay/$all@2017-10-0"[12]"T00-00-00.json" "$work/tree/straddle/bgplay/"
# hole: the middle day answers empty (RIPEstat's real empty answer).
mkdir -p "$work/tree/hole/bgplay"
cp -r "$work/tree/default/announced-prefixes" "$work/tree/hole/"
cp "$work/tree/default/bgplay/$all@2017-09-30T00-00-00.json" "$work/tree/default/bgplay/$all@2017-10-02T00-00-00.json" "$work/tree/hole/bgplay/"
cp "$empty" "$work/tree/hole/bgplay/$all@2017-10-01T00-00-00.json"
# ignorer: a server that answers every window with the same day (as one
# that ignores starttime= would).
mkdir -p "$work/tree/ignorer/bgplay"
cp -r "$work/tree/default/announced-prefixes" "$work/tree/ignorer/"
cp "$work/tree/default/bgplay/$all@2017-10-01T00-00-00.json" "$work/tree/ignorer/bgplay/$all.json"
cp "$work/tree/default/bgplay/193.0.0.0_21.json" "$work/tree/ignorer/bgplay/"
start_replay "$work/tree" default || exit 1

run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# requests: "n max_in_flight call(starttime..endtime) ..." since the reset.
requests() {
	local log stats
	log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
	stats=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats")
	python3 -c 'import json, sys
l = json.loads(sys.argv[1]); s = json.loads(sys.argv[2])
print(len(l), s["max_in_flight"], " ".join("%s(%s..%s)" % (e["path"].split("/")[2],
    e["query"].get("starttime", ["-"])[0][5:13], e["query"].get("endtime", ["-"])[0][5:13]) for e in l))' "$log" "$stats"
}

# --- three days by events ---------------------------------------------------
replay_ctl reset
run -a AS131279 --from "$FROM" --until "$UNTIL" -f json
is "$rc" 2 "three days by events: change points, exit 2"
echo "$out" >"$work/events.json"
is "$(requests)" "4 1 announced-prefixes(09-30T00..10-03T00) bgplay(09-30T00..10-01T00) bgplay(10-01T00..10-02T00) bgplay(10-02T00..10-03T00)" \
    "4 requests (at most 5), one at a time: announced-prefixes for the window, bgplay a day each"
expected='2017-10-01T09:07:51Z 20485 -
2017-10-01T10:14:45Z - 20485
2017-10-01T10:47:00Z - 4837
2017-10-01T10:53:20Z 4837 -
2017-10-01T11:29:40Z - 4837
2017-10-01T11:34:10Z 4837 -
2017-10-01T12:21:55Z 20485 -
2017-10-01T12:23:30Z - 4837,20485
2017-10-01T12:26:00Z 4837,20485 -'
got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
j = lambda l: ",".join(map(str, l)) or "-"
print("\n".join("%s %s %s" % (c["time"], j(c["appeared"]), j(c["disappeared"])) for c in d["changes"]))' "$work/events.json" 2>&1)
is "$got" "$expected" "the published seconds: TransTeleCom from 09:07:51, gone 10:14:45, back 12:21:55 (and the outages)"
is "$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = {x["time"]: x for x in d["changes"]}
print(d["step"], d["start"]["time"], d["start"]["upstreams"], c["2017-10-01T09:07:51Z"]["upstreams"], c["2017-10-01T10:47:00Z"]["outage"])' "$work/events.json" 2>&1)" \
    "0 2017-09-30T00:00:00Z [{'asn': 4837, 'share': 100.0}] [{'asn': 20485, 'share': 60.0}, {'asn': 4837, 'share': 40.0}] True" \
    "json: no step, the start, the shares at the change, an outage is one"
run -a AS131279 --from "$FROM" --until "$UNTIL" -f text
like "$out" "^9 changes of AS131279's upstreams from 2017-09-30T00:00:00Z until 2017-10-03T00:00:00Z \(from BGP events, to the second\)" "text summary"
like "$out" $'\n2017-10-01T10:47:00Z AS4837 disappeared; no route to the target \(outage: every route withdrawn\)\n' "an outage is said"

# --- the two prefixes of 2 October, each alone --------------------------------
run -a AS131279 -s ripestat-bgplay -p 175.45.176.0/24 --from "$FROM" --until "$UNTIL" -f json
is "$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["changes"][-1]["time"], d["changes"][-1]["disappeared"])' <<<"$out" 2>&1)" \
    "2017-10-02T07:56:39Z [20485]" "175.45.176.0/24 loses TransTeleCom at 07:56:39"
run -a AS131279 -s ripestat-bgplay -p 175.45.179.0/24 --from "$FROM" --until "$UNTIL" -f json
is "$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["changes"][-1]["time"], d["changes"][-1]["disappeared"])' <<<"$out" 2>&1)" \
    "2017-10-02T09:10:29Z [20485]" "175.45.179.0/24 at 09:10:29"
# bgplay is history's default: -p alone asks it the same.
run -a AS131279 -p 175.45.179.0/24 --from "$FROM" --until "$UNTIL" -f json
is "$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["changes"][-1]["time"], d["changes"][-1]["disappeared"])' <<<"$out" 2>&1)" \
    "2017-10-02T09:10:29Z [20485]" "-p without -s: the default bgplay, the same change"
run -a AS131279 -p 175.45.179.0/24
like "$out" "^UPSTREAMS UNKNOWN - .*--prefix goes with -s" "-p for now without a prefix source: still refused"

# --- --step: samples from the table, no request more -----------------------------
replay_ctl reset
run -a AS131279 --from "$FROM" --until "$UNTIL" --step 1h -f graphite
is "$rc" 2 "graphite by events: exit 2"
is "$(requests | cut -d' ' -f1,2)" "4 1" "--step asks nothing more: still 4 requests"
echo "$out" >"$work/events.graphite"
is "$(python3 -c 'import re, sys
at = {}
for l in open(sys.argv[1]).read().splitlines():
    m = re.match(r"^history\.upstreams-AS131279\.(count-upstreams|percent-AS([0-9]+)) ([0-9.]+) ([0-9]+)$", l)
    if not m: sys.exit("does not parse: %r" % l)
    at.setdefault(int(m.group(4)), {})[m.group(2) or "n"] = float(m.group(3))
hours = [t for t in at if (t - 1506729600) % 3600 == 0]
print(len(hours), at[1506852000], at[1506852000 - 3600 * 2]["20485"], at[1506934800]["20485"], at[1506938400]["20485"], at[1506848871]["20485"])' "$work/events.graphite" 2>&1)" \
    "73 {'n': 2.0, '4837': 40.0, '20485': 60.0} 0.0 40.0 20.0 60.0" \
    "a line set every hour (73) plus the change points; 2 Oct's share drops show: 60 -> 40 -> 20"

# --- retention and outage ---------------------------------------------------------
replay_ctl "scenario?name=retention"
replay_ctl reset
run -a AS131279 --from 2020-12-21T07:00:00 --until 2020-12-21T12:00:00
is "$rc" 3 "nothing kept for the target nor for the control: UNKNOWN"
like "$out" "^UPSTREAMS UNKNOWN - .*no BGP events kept for that time" "says no event is kept"
like "$out" "--mrt .*data\.ris\.ripe\.net" "and names the archive route"
ok "$(! grep -qi 'no upstream' <<<"$out"; echo $?)" "never \"no upstreams\""
is "$(requests)" "3 1 announced-prefixes(12-21T07..12-21T12) bgplay(12-21T07..12-21T12) bgplay(12-21T07..12-21T12)" \
    "the control asked once, for the same window"
run -a AS131279 --from 2020-12-21T07:00:00 --until 2020-12-21T12:00:00 -f json
is "$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["state"], "no BGP events kept" in d["message"])' <<<"$out" 2>&1)" \
    "UNKNOWN True" "json: UNKNOWN with the reason"
replay_ctl "scenario?name=dark"
run -a AS131279 --from 2020-12-21T07:00:00 --until 2020-12-21T12:00:00 -f text
is "$rc" 0 "no route of the target while the control has them: no change"
like "$out" "start: no route to the target \(outage: the control prefix seen by 60 sessions\)" "an outage all along"
replay_ctl "scenario?name=straddle"
run -a AS131279 --from "$FROM" --until "$UNTIL" -f json
is "$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["start"]["time"], d["start"]["upstreams"], len(d["changes"]), d["changes"][0]["time"])' <<<"$out" 2>&1)" \
    "2017-10-01T00:00:00Z [{'asn': 4837, 'share': 100.0}] 9 2017-10-01T09:07:51Z" \
    "a first day without data: the history starts with the next day's routes, no false change"
replay_ctl "scenario?name=default"

# --- the options -------------------------------------------------------------------
run -a 131279 -s ripestat-bgp-state --from "$FROM" --until "$UNTIL"
is "$rc" 3 "snapshots without --step: UNKNOWN"
like "$out" 'ripestat-bgp-state history needs --step' "says so"
run -a 131279 -s ripestat-bgp-state --from "$FROM" --until "$UNTIL" --step 1h --hold 5m
is "$rc" 3 "--hold with snapshots: UNKNOWN"
run -a 131279 --from 2017-01-01T00:00:00 --until 2017-03-05T00:00:00
is "$rc" 3 "64 days by events: UNKNOWN (a request a day, at most 62)"
like "$out" '64 days: more than 62 by events' "says how many and the cap"
run -a 131279 -s ripestat-bgplay
is "$rc" 3 "an event source without a window: UNKNOWN"
like "$out" 'gives events, not a snapshot' "says why"
run -a 131279 --from "$FROM" --until "$UNTIL" --hold 10m -f text
is "$rc" 2 "--hold 10m: change points remain"
is "$(grep -o '^[0-9T:-]*Z AS[0-9]* [a-z]*' <<<"$out" | tr '\n' ' ')" \
    "2017-10-01T09:07:51Z AS20485 appeared 2017-10-01T10:14:45Z AS20485 disappeared 2017-10-01T12:26:00Z AS20485 appeared " \
    "the outages of minutes are no change; TransTeleCom counted once it has lasted, each flap apart"
like "$err" "flap from 2017-10-01T10:47:00Z to 2017-10-01T10:53:20Z" "flaps told on stderr"

# --- --from 0 is the epoch, not "no start"; an answer for another time is refused --
replay_ctl reset
run -a 131279 --from 0 --until 1970-01-01T12:00:00
is "$(requests | cut -d' ' -f3-)" "announced-prefixes(01-01T00..01-01T12) bgplay(01-01T00..01-01T12)" \
    "--from 0: starttime=1970-01-01T00:00:00 sent, not left out"
replay_ctl "scenario?name=ignorer"
run -a 131279 --from 0 --until 1970-01-01T12:00:00
is "$rc" 3 "--from 0, an answer of 2017: UNKNOWN"
like "$out" 'bgplay .* from 1970-01-01T00:00:00Z until 1970-01-01T12:00:00Z: the answer holds a route of 2017-10-01T[0-9:]*Z, outside the time asked; refused' "says the answer is of another time"
run -a 131279 --from 1970-01-01T00:00:00 --until 1970-01-01T12:00:00
is "$rc" 3 "--from 1970-01-01T00:00:00 likewise"
run -a 131279 --from 2017-09-29T00:00:00 --until 2017-09-29T12:00:00 -f json
is "$rc" 3 "a window of 2017-09-29 answered with 2017-10-01: UNKNOWN"
like "$out" 'outside the time asked' "refused"
replay_ctl "scenario?name=default"

# --- an empty day in the middle: no data, not a change at the next midnight --------
replay_ctl "scenario?name=hole"
run -a 131279 --from "$FROM" --until "$UNTIL" -f text
is "$rc" 3 "a middle day without data: UNKNOWN, not a change stamped at 2017-10-02T00:00:00Z"
like "$out" 'no data: no BGP data from 2017-10-01T00:00:00Z until 2017-10-02T00:00:00Z .*what changed then is unknown' "names the gap"
run -a 131279 --from "$FROM" --until 2017-10-01T00:00:00 -f text
is "$rc" 0 "the range before the gap: its history as usual"
replay_ctl "scenario?name=default"

# --- --min-peers above the vantage ASes: UNKNOWN, as the live check ---------------
run -a 131279 --from "$FROM" --until "$UNTIL" --min-peers 100
is "$rc" 3 "by events, --min-peers 100 over 41 vantage ASes: UNKNOWN, not a quiet history"
like "$out" 'data quality: at 2017-09-30T00:00:00Z only 41 vantage ASes see AS131279, fewer than --min-peers 100' "names the reason"
run -a 131279 -s ripestat-bgp-state --step 1h --from "$FROM" --until "$UNTIL" --min-peers 100
is "$rc" 3 "snapshots, --min-peers 100: UNKNOWN"
like "$out" 'data quality: .*only 41 vantage ASes' "names the reason"
MRT=${UPM_MRT_DIR:-../shared/fixtures-public/mrt}
if command -v bgpdump >/dev/null 2>&1 && [ -r "$MRT/updates.20160811.1600.gz" ]; then
	python3 tests/mrt_split.py "$MRT/updates.20160811.1600.gz" 1470931320 "$work/u1" "$work/u2"
	out=$("$CHECK" -a 9829 --mrt "$work/u1" "$work/u2" --from 2016-08-11T16:00:00 --until 2016-08-11T16:05:00 --min-peers 100 2>/dev/null)
	rc=$?
	is "$rc" 3 "--mrt history, --min-peers 100: UNKNOWN"
	like "$out" 'data quality: at .* vantage ASes see AS9829, fewer than --min-peers 100' "names the reason"
else
	ok 0 "# skip bgpdump or the MRT files are not here"
	ok 0 "# skip bgpdump or the MRT files are not here"
fi

tap_end
