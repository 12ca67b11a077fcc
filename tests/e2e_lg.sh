#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Public looking glasses as sources (NLNOG RING LG, Alice-LG) through the
# loopback replay server: per-source shares, a looking glass that
# disagrees with RIPEstat, one that agrees, bad configurations.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-lg.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" lg || exit 1

run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --nlnog-url "$REPLAY_URL" \
	    --alice-url "$REPLAY_URL/" "$@" 2>"$work/stderr")
	rc=$?
}
line1() { head -n 1 <<<"$out"; }
jq_py() { python3 -c "import json,sys
d=json.load(sys.stdin)
$1" <<<"$out" 2>&1; }

# --- RIPEstat and Alice agree -----------------------------------------------
run -a 131279 -s ripestat-bgp-state,alice-lg -e 4837
is "$rc" 0 "RIPEstat and Alice-LG agree: OK"
if grep -q 'disagree' <<<"$out"; then ok 1 "no disagreement reported"; else ok 0 "no disagreement reported"; fi
like "$out" $'\nsource alice-lg: 8 observations, 4 vantage points; AS4837 100\\.0%' "per-source line for Alice-LG"
like "$(line1)" "'alice_lg-AS4837'=100\.00%" "per-source share in perfdata"
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
like "$log" '"/api/v1/lookup/prefix", "query": \{"q": \["175\.45\.176\.0/24"\]' "Alice asked per announced prefix"

# --- the NLNOG RING disagrees --------------------------------------------------
run -a 131279 -s ripestat-bgp-state,nlnog-lg,alice-lg -e 4837
is "$rc" 2 "combined set has the upstream only the ring sees: CRITICAL"
like "$(line1)" 'sources disagree: ripestat-bgp-state AS4837; nlnog-lg AS4837, AS20485; alice-lg AS4837' "both views reported, named by source"
like "$out" $'\nsource nlnog-lg: 10 observations, 5 vantage points; AS4837 60\\.0%, AS20485 40\\.0%' "the ring's own shares"
run -a 131279 -s ripestat-bgp-state,nlnog-lg -f json
is "$(jq_py 's=d["sources"]
assert set(s)=={"ripestat-bgp-state","nlnog-lg"}, s
assert s["ripestat-bgp-state"]["present"]==[4837], s
assert s["nlnog-lg"]["present"]==[4837,20485] and s["nlnog-lg"]["sessions"]==5
assert s["nlnog-lg"]["upstreams"][0]["asn"]==4837 and s["nlnog-lg"]["upstreams"][0]["share"]==60.0
assert d["sources_disagree"].startswith("sources disagree: ")
assert d["observations"]==52 and d["source"]=="ripestat-bgp-state,nlnog-lg"
print("good")')" good "json: per-source present sets and shares, combined counts"

# --- one looking glass alone, given prefixes ------------------------------------
run -a 131279 -s nlnog-lg --prefix 175.45.176.0/24 -e 4837,20485
is "$rc" 0 "nlnog-lg alone with --prefix: OK"
like "$(line1)" "observations=5;" "only the given prefix asked"
if grep -q "sources disagree" <<<"$out"; then ok 1 "one source: no comparison"; else ok 0 "one source: no comparison"; fi

# --- failures ----------------------------------------------------------------
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" -a 131279 -s alice-lg 2>&1); rc=$?
is "$rc" 3 "alice-lg without --alice-url: UNKNOWN"
like "$out" 'base URL' "says the URL is missing"
run -a 131279 -s nlnog-lg --prefix 175.45.178.0/24
is "$rc" 3 "prefix the ring does not know (404): UNKNOWN"
like "$(line1)" 'nlnog-lg 175\.45\.178\.0/24' "names source and prefix"
replay_ctl "fault?kind=notjson&count=3"
run -a 131279 -s ripestat-bgp-state,nlnog-lg
is "$rc" 3 "garbage from a looking glass: UNKNOWN, never a false CRITICAL"
replay_ctl "reset"
run -a 131279 -s ripestat-bgp-state,bogus
is "$rc" 3 "unknown source: UNKNOWN"
run -a 131279 -s nlnog-lg,nlnog-lg
is "$rc" 3 "source twice: UNKNOWN"
run -a 131279 -s ripestat-asn-neighbours,nlnog-lg
is "$rc" 3 "asn-neighbours beside a looking glass: refused"

# --- several sources share the on-disk cache -----------------------------------
requests() { curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
run -a 131279 -s ripestat-bgp-state,nlnog-lg,alice-lg -e 4837 --cache-dir "$work/cache" -f json
first=$out
before=$(requests)
run -a 131279 -s ripestat-bgp-state,nlnog-lg,alice-lg -e 4837 --cache-dir "$work/cache" -f json
is "$(requests)" "$before" "second run within freshness: every answer from the cache, no request"
# The same but for data_age, which counts seconds from the data time, and
# the requests (sent the first time, from the cache now).
is "$(jq -c '.requests.sent' <<<"$out") $(jq -c '.requests.cached' <<<"$out")" \
    "0 $(jq -c '.requests.sent' <<<"$first")" \
    "the requests: none sent, as many from the cache as were sent before"
is "$(jq -c 'del(.data_age, .requests)' <<<"$out")" \
    "$(jq -c 'del(.data_age, .requests)' <<<"$first")" \
    "and the same result"
replay_ctl reset
replay_ctl "fault?kind=maintenance&count=-1"
run -a 3333 -s ripestat-bgp-state,nlnog-lg --cache-dir "$work/cache2"
replay_ctl reset
before=$(requests)
run -a 3333 -s ripestat-bgp-state,nlnog-lg --cache-dir "$work/cache2"
[ "$(requests)" -gt "$before" ]
ok $? "a maintenance answer was not cached: asked again"

tap_end
