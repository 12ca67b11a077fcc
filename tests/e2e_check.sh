#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams end to end against the loopback replay server: exit codes,
# status lines, perfdata, JSON, the state file life cycle, faults.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-check.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

# run ARGS...: sets out and rc.
run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
}
line1() { head -n 1 <<<"$out"; }

# --- one upstream, expected --------------------------------------------------
run -a AS131279 -e 4837
is "$rc" 0 "single upstream as expected: OK"
like "$(line1)" '^UPSTREAMS OK - 1 upstream: AS4837 100\.0% \| ' "status line names the upstream"
like "$(line1)" "upstreams=1;;;0 'AS4837'=100\.00%;;;0;100 " "perfdata: count and share"
like "$(line1)" 'observations=42;;;0 direct=1;;;0 unusable=1;;;0' "perfdata: observation counts (direct and AS_SET counted)"
like "$out" $'\nAS4837: 100\\.00% of paths, 10 peers, 4 prefixes, expected' "long output line per upstream"

# --- requests carry the identification RIPEstat asks for ---------------------
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
like "$log" '"sourceapp": *\[?"upstreams"' "sourceapp=upstreams sent"
like "$log" 'upstreams/0\.' "User-Agent upstreams/<version>"

# --- the 60/40 change ----------------------------------------------------------
replay_ctl "scenario?name=two"
run -a 131279 -e AS4837
is "$rc" 2 "new upstream against --expect: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - AS20485 appeared \(40\.0%\); 2 upstreams: AS4837 60\.0%, AS20485 40\.0%' "summary names the appeared upstream first"
like "$(line1)" "'AS20485'=40\.00%;;;0;100" "perfdata share of the new upstream"
if grep -q "AS64509" <<<"$(line1)"; then ok 1 "lateral noise not in perfdata"; else ok 0 "lateral noise not in perfdata"; fi
like "$out" $'\nlateral neighbours \\(not upstreams\\): AS64509 \\(lateral, 1 path, 1 vantage AS\\)' "noise seen by one vantage AS without evidence: lateral, in its own line"
run -a 131279 -e 4837,20485
is "$rc" 0 "both expected: OK"
run -a 131279 -e 4837,20485 --min-peers 1
is "$rc" 0 "--min-peers 1: the lateral noise is still no upstream: OK"
run -a 131279 -e 4837,20485 --min-peers 1 --neighbours all
is "$rc" 2 "--neighbours all --min-peers 1 makes the one-peer noise an upstream: CRITICAL"
like "$(line1)" "'AS64509'=2\.44%;;;0;100" "--neighbours all: the noise in perfdata, shares as before"
run -a 131279 -e 4837,20485 --min-peers 1 --min-share 5 --neighbours all
is "$rc" 0 "--min-share 5 filters it again: OK"

# --- JSON ------------------------------------------------------------------------
run -a 131279 -e 4837,3356 -f json
is "$rc" 2 "json format: exit code is the state"
py='import json,sys
d=json.load(sys.stdin)
u={x["asn"]:x for x in d["upstreams"]}
assert d["state"]=="CRITICAL" and d["target"]=="AS131279", d
assert d["appeared"]==[20485] and d["disappeared"]==[3356], d
assert d["source"]=="ripestat-bgp-state" and d["data_time"]=="2017-10-01T12:00:00"
assert d["observations"]==43 and d["direct"]==1 and d["unusable"]==1
assert u[4837]["status"]=="expected" and u[20485]["status"]=="new"
assert u[3356]["status"]=="missing" and u[3356]["share"]==0 and not u[3356]["present"]
assert abs(u[4837]["share"]-60.0)<0.01 and u[4837]["peers"]==6 and u[4837]["prefixes"]==4
assert u[4837]["vantage_ases"]==6 and u[4837]["sessions"]==6 and u[4837]["role"]=="upstream"
assert u[4837]["evidence"]=="clique" and 64509 not in u and d["roles"]=="inferred"
n={x["asn"]:x for x in d["neighbours"]}
assert n[64509]["role"]=="lateral" and n[64509]["present"] is False and n[64509]["evidence"]=="none"
assert d["upstreams_by_prefix"]["175.45.176.0/24"]==[4837,20485]
print("good")'
is "$(python3 -c "$py" <<<"$out" 2>&1)" good "json: fields, types, statuses, appeared/disappeared"

run -a 131279 -f text
is "$rc" 0 "text format without baseline: OK"
like "$out" 'AS20485 +40\.0%' "text table row"

# --- thresholds --------------------------------------------------------------------
replay_ctl "scenario?name=one"
run -a 131279 -c 2:
is "$rc" 2 "-c 2: with one upstream: CRITICAL"
like "$(line1)" 'outside critical range 2:' "message says which threshold"
like "$(line1)" 'upstreams=1;;2:;0' "critical range in perfdata"
run -a 131279 -w 2: -c 1:
is "$rc" 1 "-w 2: -c 1: with one upstream: WARNING"
run -a 131279 -w @1:1
is "$rc" 1 "@ range alerts inside"

# --- the state file life cycle -------------------------------------------------------
sf=$work/state/AS131279.state
mkdir -p "$work/state"
run -a 131279 --state-file "$sf"
is "$rc" 0 "first run learns the baseline: OK"
like "$(line1)" 'learned baseline: AS4837' "and says so"
is "$(stat -c %a "$sf")" 600 "state file mode 0600"
replay_ctl "scenario?name=two"
run -a 131279 --state-file "$sf"
is "$rc" 2 "change against the learned baseline: CRITICAL"
run -a 131279 --state-file "$sf"
is "$rc" 2 "still CRITICAL on the next run (Nagios retries see it)"
like "$(line1)" 'AS20485 appeared' "still names the change"
run -a 131279 --state-file "$sf" --accept
is "$rc" 0 "--accept: OK"
like "$(line1)" 'accepted new baseline: AS4837, AS20485' "--accept says what it accepted"
run -a 131279 --state-file "$sf"
is "$rc" 0 "after accepting: OK"
replay_ctl "scenario?name=one"
run -a 131279 --state-file "$sf"
is "$rc" 2 "upstream gone: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - AS20485 disappeared' "names the missing upstream"
printf 'garbage\n' >"$sf"
run -a 131279 --state-file "$sf"
is "$rc" 3 "corrupt state file: UNKNOWN"
is "$(cat "$sf")" "garbage" "corrupt state file is left alone, not relearned"
printf '# upstreams baseline\nversion 1\ntarget AS64501\nupstreams 1\n' >"$sf"
run -a 131279 --state-file "$sf"
is "$rc" 3 "state file of another target: UNKNOWN"

# --- other sources ---------------------------------------------------------------------
run -a 1205 -s ripestat-looking-glass -e 1853
is "$rc" 0 "looking-glass via announced-prefixes (recorded 2025 answer): OK"
like "$(line1)" 'observations=421;' "421 observations of 140.78.0.0/16"
like "$(line1)" "'AS1853'=100\.00%" "all via AS1853"
run -a 1205 -s ripestat-looking-glass --prefix 140.78.0.0/16 -f json
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["upstreams"][0]["asn"], d["observations"])' <<<"$out")" "1853 421" "--prefix asks the given prefix"
run -a 12386 -s ripestat-asn-neighbours -f json
py='import json,sys
d=json.load(sys.stdin)
u={x["asn"]:x for x in d["upstreams"]}
assert set(u)=={12479,25259,8220}, u
assert abs(u[12479]["share"]-97.31)<0.01 and abs(u[8220]["share"]-2.63)<0.01
assert u[12479]["present"] and u[8220]["present"] and not u[25259]["present"]
print("good")'
is "$(python3 -c "$py" <<<"$out" 2>&1)" good "asn-neighbours: shares by v4+v6 peers of left neighbours"

# --- data that cannot be trusted is UNKNOWN, never CRITICAL ------------------------------
run -a 1205 -e 1853
is "$rc" 3 "maintenance answer: UNKNOWN"
like "$(line1)" '^UPSTREAMS UNKNOWN - .*maintenance' "says maintenance"
run -a 3333 -e 1
is "$rc" 3 "empty bgp-state: UNKNOWN, not 'no upstreams'"
like "$(line1)" 'no observations' "says no observations"
run -a 64511 -e 1
is "$rc" 3 "404 for an unknown resource: UNKNOWN"
like "$(line1)" 'HTTP 404' "names the HTTP status"
replay_ctl "fault?kind=status&arg=503&count=-1"
run -a 131279 -e 4837 -t 5 --retries 1
is "$rc" 3 "503 persisting: UNKNOWN"
replay_ctl reset
replay_ctl "fault?kind=retry-after&arg=1&count=1"
start=$(date +%s%N)
run -a 131279 -e 4837 -t 10
is "$rc" 0 "429 with Retry-After 1, then the answer: OK"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -ge 1000 ]; ok $? "waited for Retry-After (${elapsed} ms)"
replay_ctl "fault?kind=delay&arg=20&count=-1"
start=$(date +%s%N)
run -a 131279 -e 4837 -t 2
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 3 "server that never answers: UNKNOWN"
[ "$elapsed" -lt 3500 ]; ok $? "within -t 2 (${elapsed} ms)"
replay_ctl reset
replay_ctl "fault?kind=notjson&count=1"
run -a 131279 -e 4837 --retries 0
is "$rc" 3 "HTML instead of JSON: UNKNOWN"
like "$(line1)" 'invalid JSON' "says invalid JSON"
replay_ctl reset

# --- arguments -------------------------------------------------------------------------------
run -a 131279x
is "$rc" 3 "bad ASN: UNKNOWN"
like "$(line1)" "invalid AS number '131279x'" "names the bad ASN"
run -e 4837
is "$rc" 3 "missing -a: UNKNOWN"
run -a 131279 -w 5:1
is "$rc" 3 "range with start > end: UNKNOWN"
run -a 131279 -e 4837 --state-file "$sf"
is "$rc" 3 "--expect with --state-file: UNKNOWN"
run -a 131279 -s ripestat-bogus
is "$rc" 3 "unknown source: UNKNOWN"
out=$("$CHECK" --help); rc=$?
is "$rc" 3 "--help exits 3 (UNKNOWN), as the Monitoring Plugins do"
like "$out" '--min-peers' "--help lists options"
out=$("$CHECK" -V); rc=$?
like "$out" '^check_upstreams [0-9]+\.[0-9]+' "-V prints the version"

# --- verbosity levels (Monitoring Plugins: -vv requests, -vvv diagnosis) -------
replay_ctl "scenario?name=one"
run -a 131279 -e 4837 -v
is "$(wc -c <"$work/stderr")" 0 "-v: nothing on stderr"
run -a 131279 -e 4837 -vv
like "$(cat "$work/stderr")" "^fetching http://127\.0\.0\.1:[0-9]+/data/bgp-state/data\.json\?resource=AS131279" "-vv: each request on stderr"
run -a 131279 -e 4837 -vvv -c 1: --min-peers 3
like "$(cat "$work/stderr")" '^config: min-peers 3, min-share 1, warning \(none\), critical 1:' "-vvv: the effective configuration"
is "$rc" 0 "-vvv: the state is unchanged"

tap_end
