#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams --country against the loopback replay server: a country
# of two ASes where one is the other's upstream (domestic transit never
# counts), an extra prefix originated abroad, a large country batched.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-country.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" country || exit 1

run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
}
line1() { head -n 1 <<<"$out"; }
jq_py() { python3 -c "import json,sys
d=json.load(sys.stdin)
$1" <<<"$out" 2>&1; }

# --- two ASes, one the other's upstream ----------------------------------
run --country KP -e 4837,20485
is "$rc" 0 "country KP with its international upstreams expected: OK"
like "$(line1)" '^UPSTREAMS OK - 2 upstreams: AS4837 60\.0%, AS20485 40\.0% \|' "upstreams are the first ASes outside the country"
like "$out" $'\norigin set: 2 ASes; domestic transit: AS64510 \\(20 paths\\)' "domestic transit reported with its count"
if grep -q "'AS64510'" <<<"$out"; then ok 1 "domestic AS not in perfdata"; else ok 0 "domestic AS not in perfdata"; fi
run --country kp -f json
is "$(jq_py 'u=[x["asn"] for x in d["upstreams"]]
assert d["target"]=="KP" and u==[4837,20485], d
assert d["origin_asns"]==2 and d["domestic"]==[{"asn":64510,"observations":20}], d
assert d["observations"]==30 and d["other_origin"]==0
print("good")')" good "json: target, origin_asns, domestic with counts"
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
like "$log" 'country-resource-list' "the country's ASNs come from country-resource-list"
like "$log" '"resource": \["AS64510,AS131279"\]' "bgp-state asked for the country's ASes in one request"

# --- AS-level view for comparison: the domestic AS is AS131279's upstream --
run -a 131279 -f json
is "$(jq_py 'print([x["asn"] for x in d["upstreams"]])')" "[64510]" "as a single AS, AS131279's upstream is AS64510"

# --- extra prefix originated abroad, extra ASN ---------------------------
run --country KP --extra-prefix 210.52.109.0/24 -e 4837,20485 -f json
is "$(jq_py 'u={x["asn"]:x for x in d["upstreams"]}
assert d["observations"]==40 and d["other_origin"]==0, d
assert u[4837]["observations"]==28 and u[4837]["prefixes"]==4, u[4837]
assert d["state"]=="OK"
print("good")')" good "extra prefix: its originating AS counts as the upstream"
run --country KP --extra-asn 4837 -f json
is "$(jq_py 'u=[x["asn"] for x in d["upstreams"] if x["present"]]
assert 4837 not in u and 20485 in u and 3356 in u, u
assert d["origin_asns"]==3 and {"asn":4837,"observations":18} in d["domestic"], d["domestic"]
print("good")')" good "--extra-asn moves AS4837 into the origin set: domestic transit now"
run --country KP -e 4837
is "$rc" 2 "a new international upstream: CRITICAL"
like "$(line1)" 'AS20485 appeared' "names it"

# --- bad input -----------------------------------------------------------
run --country K1
is "$rc" 3 "invalid country code: UNKNOWN"
like "$(line1)" 'two letters' "says what a country code is"
run --country KP -a 131279
is "$rc" 3 "country and AS together refused"
run --country XX
is "$rc" 3 "unknown country (404): UNKNOWN"
like "$(line1)" 'country-resource-list XX' "names the failed request"
replay_ctl "fault?kind=maintenance&count=1"
run --country KP
is "$rc" 3 "maintenance answer for the country list: UNKNOWN"
like "$(line1)" 'maintenance' "says maintenance"

# --- cache -----------------------------------------------------------------
mkdir -p "$work/cache"
run --country KP --cache-dir "$work/cache" -e 4837,20485
is "$rc" 0 "with a cache directory: OK"
[ -n "$(ls -A "$work/cache")" ]; ok $? "answers kept in the cache directory"
replay_ctl "reset"
run --country KP --cache-dir "$work/cache" -e 4837,20485
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
is "$rc" 0 "from the cache: OK"
if grep -q country-resource-list <<<"$log"; then ok 1 "cached list not fetched again"; else ok 0 "cached list not fetched again"; fi

# --- a large country, batched -------------------------------------------------
replay_ctl "scenario?name=bigcountry"
replay_ctl "reset"
run --country ZZ -e 3356,1299 -f json -t 120
is "$rc" 0 "300-AS country: OK"
is "$(jq_py 'print(d["observations"], d["origin_asns"], [round(x["share"]) for x in d["upstreams"]])')" "1200 300 [75, 25]" "all 300 ASes read, shares over all"
n=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log" | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin) if e["path"]=="/data/bgp-state/data.json"))')
is "$n" 6 "bgp-state asked 50 ASes at a time: 6 requests for 300"
stats() { curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["requests"], d["max_in_flight"])'; }
# The batches through the pool: each at most --parallel at a time (a
# latency keeps every request in flight long enough to overlap).
replay_ctl "latency?ms=100"
for par in 1 3; do
	replay_ctl "reset"
	run --country ZZ -e 3356,1299 -f json -t 120 --parallel $par
	is "$(jq_py 'print(d["observations"], d["origin_asns"], [round(x["share"]) for x in d["upstreams"]])')" "1200 300 [75, 25]" "--parallel $par: the same result"
	read -r nreq maxf <<<"$(stats)"
	is "$nreq" 7 "--parallel $par: the country list and 6 batches"
	[ "$maxf" -le "$par" ]; ok $? "--parallel $par: at most $par in flight ($maxf)"
done
replay_ctl "latency?ms=0"
run --country ZZ --max-asns 100 -e 3356,1299
is "$rc" 0 "capped run still judged"
like "$out" 'ZZ has 300 ASes: only the first 100 asked' "the cap is reported, never silent"
like "$(line1)" 'observations=400;' "only the capped ASes read"

# --- a country through a looking glass: every AS's prefixes ----------------
replay_ctl "scenario?name=countrylg"
replay_ctl "reset"
run --country KR -s nlnog-lg --nlnog-url "$REPLAY_URL" -f json
is "$rc" 0 "country through nlnog-lg: OK"
is "$(jq_py 'print(d["prefixes"], d["observations"], d["origin_asns"], d["warnings"])')" "5 25 3 " \
    "every AS's prefixes asked, not only the first AS's"
n=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log" | python3 -c 'import json,sys; l=json.load(sys.stdin); print(sum(1 for e in l if e["path"]=="/api/prefix"), sum(1 for e in l if e["path"]=="/data/announced-prefixes/data.json"))')
is "$n" "5 3" "one looking-glass request per prefix, announced-prefixes per AS"
# KP: 40, 30, 0 and 5 prefixes (AS64520, 64521, 64522, 64523).  In turn
# per AS in ASN order: 5 rounds of three, then AS64520 and AS64521 by
# turns: 30 + 29 + 5 = 64; AS64521's last one is the first left out.
replay_ctl "reset"
run --country KP -s nlnog-lg --nlnog-url "$REPLAY_URL"
is "$rc" 0 "over the prefix cap: still judged, not an error"
like "$out" $'\nwarnings: KP announces 75 prefixes from 3 ASes: 64 asked, in turn per AS; left out: 10\\.21\\.29\\.0/24, 10\\.20\\.30\\.0/24, 10\\.20\\.31\\.0/24, 10\\.20\\.32\\.0/24, 10\\.20\\.33\\.0/24, \\.\\.\\.' \
    "the warning gives the counts and the first five left out"
asked=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log" | python3 -c 'import json,sys
q=[e["query"]["q"][0] for e in json.load(sys.stdin) if e["path"]=="/api/prefix"]
per={}
for p in q: per[p.split(".")[1]]=per.get(p.split(".")[1],0)+1
print(len(q), len(set(q)), per.get("20"), per.get("21"), per.get("23"))')
is "$asked" "64 64 30 29 5" "64 distinct prefixes asked, taken in turn from each AS"

tap_end
