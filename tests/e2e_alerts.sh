#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Alerts an operator can trust, check_upstreams end to end against the
# loopback replay server: a total outage (control prefix), stale data,
# malformed paths, perfdata that does not follow the noise, the Monitoring
# Plugins conventions (-t SECONDS:STATE, -v levels, --help/--version).
# The field cases are in tests/fixtures/field (see its README).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
FIELD=tests/fixtures/field
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-alerts.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_alerts.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

run() {   # run ARGS...: out, rc (against the replay server)
	out=$("$CHECK" --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
}
line1() { head -n 1 <<<"$out"; }
labels() { line1 | sed 's/^[^|]*|//' | grep -o "'[^']*'=\|[a-z_]*=" | sort; }

# --- 1. a total outage ---------------------------------------------------------
replay_ctl "scenario?name=outage"
run -a 131279 -e 4837
is "$rc" 2 "outage with a baseline: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - all upstreams disappeared: no route to AS131279 seen by any of 6 sessions that see the control 193\.0\.0\.0/21 \(AS4837 0%\)' "outage: the message says so and counts the control's sessions"
like "$(line1)" 'routing-status: 0 of 344 IPv4 and 0 of 341 IPv6 RIS peers see it' "routing-status as added evidence"
like "$(line1)" "upstreams=0;;;0 'AS4837'=0\.00%;;;0;100 " "the baseline upstream at 0 % in perfdata"
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
like "$log" '193\.0\.0\.0/21' "the control prefix was asked"
like "$log" 'timestamp.*20[0-9][0-9]-' "for the time of the target's answer"
run -a 131279
is "$rc" 3 "outage without a baseline: UNKNOWN (nothing says it had upstreams)"
like "$(line1)" 'no baseline says it had upstreams' "and says why"
sf="$work/learn.state"
run -a 131279 --state-file "$sf"
is "$rc" 3 "an outage teaches no baseline"
[ ! -e "$sf" ]; ok $? "no state file written from an outage"
run -a 131279 -e 4837 -f json
like "$out" '"outage":true,"control_sessions":6' "json: outage and the control's sessions"
like "$out" '"last_seen":null' "json: no last_seen when routing-status gives none"
run -a 131279 -e 4837 --control-prefix 192.0.2.0/24
is "$rc" 3 "a control prefix without an answer: UNKNOWN"
like "$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")" '192\.0\.2\.0/24' "--control-prefix is the one asked"
# routing-status' last_seen: the target had upstreams, baseline or not
replay_ctl "scenario?name=outage_seen"
run -a 131279
is "$rc" 2 "outage without a baseline, routing-status last saw it: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - all upstreams disappeared: no route to AS131279 seen by any of 6 sessions that see the control 193\.0\.0\.0/21; routing-status last saw it at 2025-06-11T08:00:00 UTC; routing-status: 0 of 344 IPv4 and 0 of 341 IPv6 RIS peers see it \| ' "last_seen: the message says when RIS last saw it"
! matches "$(line1)" '\(AS[0-9]+ 0%\)|AS4837'
ok $? "last_seen: no upstream named (none is known)"
like "$(line1)" '\| upstreams=0;;;0 others=' "last_seen: no upstream label in perfdata"
run -a 131279 --state-file "$sf"
is "$rc" 2 "last_seen with a state file still to learn: CRITICAL"
[ ! -e "$sf" ]; ok $? "last_seen: still no state file written from an outage"
run -a 131279 -f json
like "$out" '"last_seen":"2025-06-11T08:00:00","last_seen_prefix":"175\.45\.176\.0/24","last_seen_origin":131279' "json: last_seen, its prefix and origin"
like "$out" '"state":"CRITICAL"' "json: CRITICAL"
run -a 131279 -e 4837
is "$rc" 2 "last_seen and a baseline: CRITICAL"
like "$(line1)" 'control 193\.0\.0\.0/21 \(AS4837 0%\)' "with a baseline its upstreams are named"
from=$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%S); until=$(date -u +%Y-%m-%dT%H:%M:%S)
run -a 131279 -s ripestat-bgp-state --from "$from" --until "$until" --step 5m
seen_out=$out seen_rc=$rc
replay_ctl "scenario?name=outage"
run -a 131279 -s ripestat-bgp-state --from "$from" --until "$until" --step 5m
[ "$seen_rc" = "$rc" ] && [ "$seen_out" = "$out" ] && [ -n "$out" ]
ok $? "history mode: the same with and without last_seen (rc $seen_rc)"
replay_ctl "scenario?name=nocontrol"
run -a 131279 -e 4837
is "$rc" 3 "no route to the control either: UNKNOWN"
like "$(line1)" 'the control prefix 193\.0\.0\.0/21 has no route either: the source is at fault' "blames the source"
run -a 131279 -s ripestat-bgp-state --from 2025-01-01T00:00:00 --until 2025-01-01T02:00:00 --step 1h
is "$rc" 3 "history where neither the target nor the control has data: UNKNOWN"
like "$(line1)" 'no data at any step' "retention, not an outage"

# field case 08: the recorded outage, live, --at and history agree
replay_ctl "scenario?name=field"
run -a 131279 -e 4837 --max-age 1000d
is "$rc" 2 "field 08 live: CRITICAL"
like "$(line1)" 'all upstreams disappeared: no route to AS131279 seen by any of 6 sessions' "field 08 live: all upstreams disappeared"
run -a 131279 -e 4837 --at 2025-01-02T01:00:00
is "$rc" 2 "field 08 --at the outage: CRITICAL (the control answers for that time)"
run -a 131279 -e 4837 --at 2024-12-01T00:00:00
is "$rc" 3 "--at before any data: UNKNOWN, not an outage"
run -a 131279 -s ripestat-bgp-state --from 2025-01-02T00:00:00 --until 2025-01-02T01:00:00 --step 1h
is "$rc" 2 "field 08 history: a change point"
like "$out" 'AS4837 disappeared; no route to the target \(outage: the control prefix seen by 6 sessions\)' "history: the outage named"
like "$(line1)" 'steps_without_data=0' "history: the outage is no step without data"

# --- 2. stale data ------------------------------------------------------------------
out=$("$CHECK" -a 131279 -e 4837 --ripestat-url "file://$PWD/$FIELD/stale/bgp"); rc=$?
is "$rc" 3 "field 07a: a years-old answer for now: UNKNOWN"
like "$(line1)" '^UPSTREAMS UNKNOWN - stale data: data is [0-9]+ d [0-9]+ h old \(data time 2020-09-27T00:00:00 UTC, maximum age 12 h 0 min\)' "names the age, the data time and the limit"
like "$(line1)" 'data_age=[0-9]+s;;;0' "the age in perfdata"
out=$("$CHECK" -a 131279 -e 4837 --max-age 0 --ripestat-url "file://$PWD/$FIELD/stale/bgp"); rc=$?
is "$rc" 0 "--max-age 0: no limit"
out=$("$CHECK" -a 209974 -s ripestat-asn-neighbours --max-age 0 --ripestat-url "file://$PWD/$FIELD/stale/neigh" -f json); rc=$?
like "$out" '"warnings":"[^"]*Query time has been set to the latest available time[^"]*; warning: Latest available results are 29 hours old\."' "field 07b: every RIPEstat message in JSON, the warning too"
out=$("$CHECK" -a 209974 -s ripestat-asn-neighbours --max-age 0 --ripestat-url "file://$PWD/$FIELD/stale/neigh"); rc=$?
like "$out" '^warnings: .*warning: Latest available results are 29 hours old\.' "field 07b: and in the long output"
out=$("$CHECK" -a 209974 -s ripestat-asn-neighbours --ripestat-url "file://$PWD/$FIELD/stale/neigh"); rc=$?
like "$(line1)" 'maximum age 2 d 0 h' "asn-neighbours' own default: 2 days"
replay_ctl "scenario?name=one"
run -a 131279 -e 4837
is "$rc" 0 "a fresh answer: OK"
like "$(line1)" 'data_age=[0-9]+s;;;0 requests=1;;;0$' "data_age in perfdata, then the requests sent, last"
run -a 131279 -e 4837 --max-age 30s
is "$rc" 3 "older than --max-age 30s: UNKNOWN"
like "$(line1)" 'data is 1 min old' "says how old"
run -a 131279 -e 4837 --max-age 0s
is "$rc" 3 "--max-age 0s is no duration"

# --- 3. malformed paths ---------------------------------------------------------------
replay_ctl "scenario?name=garbled"
run -a 131279 -e 4837,20485
is "$rc" 3 "8 of 20 paths malformed: UNKNOWN, never a change"
like "$(line1)" '^UPSTREAMS UNKNOWN - data quality: 8 of 20 paths malformed \(more than 10 %\)' "data quality message"
like "$(line1)" 'unusable=8;;;0 malformed=8;;;0' "malformed counted apart, in perfdata"
replay_ctl "scenario?name=hide"
run -a 131279 -e 4837,20485
is "$rc" 3 "1 malformed path that could hide a baseline upstream: UNKNOWN"
like "$(line1)" 'data quality: 1 of 20 paths malformed, enough to hide AS20485' "names the upstream it could hide"
replay_ctl "scenario?name=asset"
run -a 131279 -e 4837,20485
is "$rc" 2 "an AS_SET (well formed, unusable by rule): the change stands"
like "$(line1)" 'AS20485 disappeared' "and is named"
like "$(line1)" 'unusable=1;;;0 malformed=0;;;0' "unusable, not malformed"

# --- 4. perfdata that does not follow the noise (field case 06) --------------------------
o1=$("$CHECK" -a 13335 -e 1299,3356 --max-age 0 --ripestat-url "file://$PWD/$FIELD/stray-run1")
o2=$("$CHECK" -a 13335 -e 1299,3356 --max-age 0 --ripestat-url "file://$PWD/$FIELD/stray-run2")
out=$o1; l1=$(labels); out=$o2; l2=$(labels)
is "$l1" "$l2" "field 06: the same labels in two runs over the same situation"
is "$(grep -c "^'AS" <<<"$l1")" 2 "field 06: labels for the two upstreams only"
like "$(head -n 1 <<<"$o1")" "others=[0-9.]+%;;;0;100 others_count=[0-9]+;;;0" "field 06: the rest aggregated"
n=$(head -n 1 <<<"$o1" | wc -c)
[ "$n" -lt 1024 ]; ok $? "field 06: first line $n bytes (was 14582)"

# --- 6. Monitoring Plugins conventions ------------------------------------------------------
replay_ctl "scenario?name=one"
out=$("$CHECK" --help); rc=$?
is "$rc" 3 "--help exits 3"
like "$out" '--max-age DURATION' "--help lists --max-age"
like "$out" '--control-prefix P' "--help lists --control-prefix"
like "$out" '-t, --timeout SECONDS\[:STATE\]' "--help shows -t SECONDS[:STATE]"
out=$("$CHECK" --version); rc=$?
is "$rc" 3 "--version exits 3"
run -a 131279 -e 4837
plain=$out
run -a 131279 -e 4837 -v
like "$out" $'\nprefix 175\\.45\\.176\\.0/24: AS4837 100\\.0%' "-v: one line per prefix"
is "$(grep -c '^prefix ' <<<"$plain")" 0 "default output: no prefix lines"
# (-v asks announced-prefixes for its prefix lines: one request more.)
mask() { sed -e 's/data_age=[0-9]*s/data_age=Xs/' -e 's/requests=[0-9]*;/requests=N;/'; }
is "$(grep -v '^prefix ' <<<"$out" | mask)" "$(mask <<<"$plain")" "-v adds lines, changes none"
is "$(wc -c <"$work/stderr")" 0 "-v: nothing on stderr"
run -a 131279 -e 4837 -vv
like "$(cat "$work/stderr")" '^fetching http://127\.0\.0\.1:[0-9]+/data/bgp-state/' "-vv: the requests on stderr"
run -a 131279 -e 4837 -vvv
like "$(cat "$work/stderr")" '^config: control-prefix 193\.0\.0\.0/21, max-age source default 43200 s' "-vvv: the configuration"
replay_ctl "fault?kind=delay&count=-1&arg=5"
run -a 131279 -e 4837 -t 1:CRITICAL --retries 0
is "$rc" 2 "-t 1:CRITICAL: a timeout is CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - ' "and says CRITICAL"
run -a 131279 -e 4837 -t 1 --retries 0
is "$rc" 3 "-t 1: a timeout is UNKNOWN by default"
run -a 131279 -e 4837 -t 1:warning --retries 0
is "$rc" 1 "-t 1:warning (any case): WARNING"
replay_ctl reset
run -a 131279 -t 1:bogus
is "$rc" 3 "-t 1:bogus refused"
like "$(line1)" "-t/--timeout: 'bogus' is not a state" "and named"

tap_end
