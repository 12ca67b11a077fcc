#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams with several targets in one run, against the loopback
# replay server: the worst state wins (CRITICAL > WARNING > UNKNOWN > OK), a
# failed target is UNKNOWN and never CRITICAL, perfdata labels per target,
# JSON per target, --state-dir, bounded parallelism and the shared cache.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-multi.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
# AS131280: a second good target, AS131279's single-upstream answer under
# another number, in both scenarios (so it stays OK when AS131279 changes).
for s in one two; do
	sed 's/131279/131280/g' "$work/tree/one/bgp-state/131279.json" \
	    >"$work/tree/$s/bgp-state/131280.json" || exit 1
done
# Scenario "gen": six generated targets for the parallelism and the cache.
python3 bench/gen_bgp_state.py --tree "$work/gen" --targets 100001-100006 \
    --prefixes 2 --peers 8 || exit 1
mv "$work/gen/default" "$work/tree/gen" || exit 1
start_replay "$work/tree" one || exit 1

# run ARGS...: sets out and rc.
run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
}
line1() { head -n 1 <<<"$out"; }
# has_line LINE "what": the output has exactly this line.
has_line() {
	grep -qxF -- "$1" <<<"$out"
	ok $? "$2"
	grep -qxF -- "$1" <<<"$out" || printf '#   no line: %s\n' "$1"
}
perfdata() { line1 | sed -n 's/^[^|]*| //p'; }
stats() { curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats"; }
field() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
sd=$work/states

# --- one target: as before, --state-dir names the file --------------------------
run -a 131279 -e 4837
single=$out
run -a 131279,AS131279 -e 4837
# data_age counts seconds to the clock: the two runs may lie a second apart.
is "$(sed -E 's/data_age=[0-9]+s/data_age=Ns/' <<<"$out")" \
    "$(sed -E 's/data_age=[0-9]+s/data_age=Ns/' <<<"$single")" \
    "-a given the same AS twice: one target, the usual output"
run -a 131279 --state-dir "$sd"
is "$rc" 0 "one target with --state-dir: learns (OK)"
like "$(line1)" '^UPSTREAMS OK - learned baseline: AS4837; 1 upstream: AS4837 100\.0% \| upstreams=1;;;0 ' "  the single-target status line"
[ -s "$sd/AS131279.state" ]; ok $? "  baseline kept in DIR/AS131279.state"
is "$(stat -c %a "$sd")" 700 "  state directory created 0700"
run -a 131279 --state-file "$work/one.state"
learned_by_file=$out
rm -rf "$sd"
run -a 131279 --state-dir "$sd"
is "$out" "$learned_by_file" "  same output as --state-file"
rm -rf "$sd"

# --- several targets: learn, compare, change, accept -----------------------------
run -a 131279,131280 --state-dir "$sd"
is "$rc" 0 "two targets, first run: learned, OK"
like "$(line1)" '^UPSTREAMS OK - 2 targets: AS131279 OK, AS131280 OK \| ' "status line names each target and its state"
has_line "AS131279 OK - learned baseline: AS4837; 1 upstream: AS4837 100.0%" "long output: AS131279's own status line"
has_line "AS131280 OK - learned baseline: AS4837; 1 upstream: AS4837 100.0%" "long output: AS131280's own status line"
has_line "  AS4837: 100.00% of paths, 10 peers, 4 prefixes, expected" "  then its per-upstream lines"
is "$(sed -n 2p <<<"$out")" "AS131279 OK - learned baseline: AS4837; 1 upstream: AS4837 100.0%" "  in the order given, right after the status line"
[ -s "$sd/AS131279.state" ] && [ -s "$sd/AS131280.state" ]; ok $? "one state file per target"
is "$(stat -c %a "$sd/AS131280.state")" 600 "  mode 0600"
cp "$sd/AS131279.state" "$work/learned.state"
run -a 131279,131280 --state-dir "$sd"
is "$rc" 0 "second run compares: OK"
like "$out" 'AS131279 OK - 1 upstream: AS4837 100\.0%' "  no relearning"

replay_ctl "scenario?name=two"
run -a 131279,131280 --state-dir "$sd"
is "$rc" 2 "AS131279 gains an upstream: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - 2 targets: AS131279 CRITICAL \(AS20485 appeared \(40\.0%\)\), AS131280 OK \| ' "summary: the target and why"
has_line "AS131279 CRITICAL - AS20485 appeared (40.0%); 2 upstreams: AS4837 60.0%, AS20485 40.0% (accept with --accept)" "long output: the target's status line with the --accept hint"
has_line "  AS20485: 40.00% of paths, 4 peers, 4 prefixes, new" "  and the new upstream's line"
run -a 131279,131280 --state-dir "$sd"
is "$rc" 2 "still CRITICAL on the next run (until accepted)"
cmp -s "$sd/AS131279.state" "$work/learned.state"; ok $? "  baseline file untouched"
run -a 131279,131280 --state-dir "$sd" --accept
is "$rc" 0 "--accept: both baselines replaced, OK"
like "$out" 'AS131279 OK - accepted new baseline: AS4837, AS20485;' "  says what was accepted"
run -a 131279,131280 --state-dir "$sd"
is "$rc" 0 "after --accept: OK"
like "$(line1)" '^UPSTREAMS OK - 2 targets: AS131279 OK, AS131280 OK ' "  both OK"

printf 'garbage\n' >"$sd/AS131280.state"
run -a 131279,131280 --state-dir "$sd"
is "$rc" 3 "a corrupt state file: that target UNKNOWN, the run UNKNOWN"
like "$(line1)" 'AS131279 OK, AS131280 UNKNOWN \(state file error\) \| ' "  named in the summary"
like "$out" "AS131280 UNKNOWN - state file error: .*$sd/AS131280.state" "  the file named in the long output"
is "$(cat "$sd/AS131280.state")" garbage "  corrupt file left alone"
cp "$sd/AS131279.state" "$sd/AS131280.state"
run -a 131279,131280 --state-dir "$sd"
is "$rc" 3 "another target's state file: UNKNOWN"
like "$out" 'AS131280 UNKNOWN - .*holds the baseline of AS131279, not AS131280' "  with the reason in the long output"
rm -f "$sd/AS131280.state"
run -a 131279,64511 --state-dir "$sd"
[ ! -e "$sd/AS64511.state" ]; ok $? "a failed target learns nothing"

# --- the worst state wins, a failed target is never CRITICAL ----------------------
rm -rf "$sd"
replay_ctl "scenario?name=one"
run -a 131279,131280 --state-dir "$sd"
replay_ctl "scenario?name=two"
run -a 131279,131280,64511 --state-dir "$sd" -w 2:
is "$rc" 2 "CRITICAL + WARNING + UNKNOWN: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - 3 targets: AS131279 CRITICAL \(AS20485 appeared \(40\.0%\)\), AS131280 WARNING \(1 upstream outside warning range 2:\), AS64511 UNKNOWN \(HTTP 404\) \| ' "each target's state and reason"
run -a 131280,64511 -w 2:
is "$rc" 1 "WARNING + UNKNOWN: WARNING"
run -a 131279,1205,3333,64511
is "$rc" 3 "OK + UNKNOWN: UNKNOWN"
like "$(line1)" '^UPSTREAMS UNKNOWN - 4 targets: AS131279 OK, AS1205 UNKNOWN \(data source in maintenance\), AS3333 UNKNOWN \(no data\), AS64511 UNKNOWN \(HTTP 404\) \| ' "maintenance, empty answer and HTTP 404 named"
run -a 131279,64511 -c 1:
is "$rc" 3 "-c 1: and a target that failed: UNKNOWN, not CRITICAL"
like "$(line1)" 'AS64511 UNKNOWN \(HTTP 404\)' "  the failed target is UNKNOWN"
run -a 64511,3333 -c 1:
is "$rc" 3 "every target failed: UNKNOWN"
like "$(line1)" '^UPSTREAMS UNKNOWN - 2 targets: AS64511 UNKNOWN \(HTTP 404\), AS3333 UNKNOWN \(no data\)$' "  no perfdata at all, targets in the order given"
has_line "AS64511 UNKNOWN - HTTP error: HTTP 404 from 127.0.0.1" "  full reason in the long output"
run -a 131279,131280 -c 2:3 -w 2:
is "$rc" 2 "-c applies to each target (AS131280 has one upstream)"
like "$(line1)" 'AS131279 OK, AS131280 CRITICAL \(1 upstream outside critical range 2:3\)' "  only that target is CRITICAL"

# --- perfdata ------------------------------------------------------------------------
run -a 131279,131280,64511 -w 1: -c 1:
pd=$(perfdata)
like "$pd" "^'AS131279 upstreams'=2;1:;1:;0 'AS131279 AS4837'=60\.00%;;;0;100 'AS131279 AS20485'=40\.00%;;;0;100 " "AS131279's count (with thresholds) and shares"
like "$pd" "'AS131280 upstreams'=1;1:;1:;0 'AS131280 AS4837'=100\.00%;;;0;100 " "AS131280's count and share"
like "$pd" "'AS131279 observations'=43;;;0 'AS131279 direct'=1;;;0 'AS131279 unusable'=1;;;0" "observation counts per target"
py='import re,sys
item=r"'"'"'[^'"'"'=]+'"'"'=[0-9.]+(%|s)?(;[0-9.:~@]*){0,4}"
print("good" if re.fullmatch(item+"( "+item+")*", sys.argv[1]) else "bad")'
is "$(python3 -c "$py" "$pd")" good "every perfdata item valid: quoted label without ' or =, value, thresholds"
is "$(python3 -c "$py" "$pd 'AS1 x=y'=1")" bad "  (the validation rejects a label with '=')"
is "$(grep -o "'AS64511" <<<"$pd")" "" "no perfdata for the failed target"
is "$(grep -oE "^[^|]*\|" <<<"$(line1)" | wc -l)" 1 "one '|' on the status line"

# --- JSON ------------------------------------------------------------------------------
run -a 131279,64511,1205 -f json
is "$rc" 3 "json: the exit code is the run's state"
multi=$out
for a in 131279 64511 1205; do
	run -a $a -f json
	echo "$out" >"$work/single-$a.json"
done
py='import json,sys
d=json.loads(sys.argv[1])
singles=[json.load(open(f)) for f in sys.argv[2:]]
assert d["state"]=="UNKNOWN", d["state"]
assert d["message"].startswith("3 targets: AS131279 OK, AS64511 UNKNOWN (HTTP 404)"), d["message"]
assert [t["target"] for t in d["targets"]]==["AS131279","AS64511","AS1205"]
# data_age counts seconds to the clock: two runs may lie a second apart.
for t in d["targets"] + singles:
    t.pop("data_age", None)
assert d["targets"]==singles, "per-target objects differ from single runs: %r" % [(a.get("requests"), b.get("requests")) for a, b in zip(d["targets"], singles) if a != b]
assert d["targets"][0]["upstreams"][0]["asn"]==4837
print("good")'
is "$(python3 -c "$py" "$multi" "$work/single-131279.json" "$work/single-64511.json" "$work/single-1205.json" 2>&1)" good "json: {state, targets} with each target's single-check object"

# --- text --------------------------------------------------------------------------------
run -a 131279,64511 -f text
is "$rc" 3 "text: the exit code is the run's state"
is "$(grep -c '^Target:' <<<"$out")" 2 "one block per target"
is "$(grep -B1 '^Target: *AS64511$' <<<"$out" | head -n 1)" "" "  separated by a blank line"

# --- what goes with one target only ----------------------------------------------------
refused() {   # refused "what" REGEX ARGS...
	local what=$1 re=$2; shift 2
	run "$@"
	is "$rc" 3 "refused: $what"
	like "$(line1)" "^UPSTREAMS UNKNOWN - $re" "  with a reason"
}
refused "-e with several targets" '--expect is the baseline of one target: with several targets use --state-dir' -a 131279,131280 -e 4837
refused "--state-file with several targets" '--state-file holds the baseline of one target' -a 131279 -a 131280 --state-file "$work/x.state"
refused "--state-file and --state-dir" 'use either --state-file or --state-dir' -a 131279 --state-file "$work/x.state" --state-dir "$sd"
refused "--expect and --state-dir" 'use either --expect or --state-dir' -a 131279 -e 4837 --state-dir "$sd"
refused "history with several targets" 'history .* goes with one target' -a 131279,131280 --from 2017-10-01T00:00 --until 2017-10-01T12:00 --step 1h
refused "several sources with several targets" 'several sources, --prefix' -a 131279,131280 -s ripestat-bgp-state,nlnog-lg
refused "--expect-prefix with several targets" 'several sources, --prefix.*--expect-prefix go with one target' -a 131279,131280 --expect-prefix 175.45.176.0/24=4837
refused "--country and -a" 'use either -a/--asn or --country' -a 131279,131280 --country KP
refused "--parallel 9" "--parallel: 9 is out of range \\(1\\.\\.8\\)" -a 131279,131280 --parallel 9
refused "--parallel 0" "--parallel: 0 is out of range \\(1\\.\\.8\\)" -a 131279,131280 --parallel 0
refused "-a without an AS" '-a/--asn needs an AS' -a ,
refused "a bad AS in the list" '.*AS12x' -a 131279,AS12x
refused "--accept without a state" '--accept needs --state-file or --state-dir' -a 131279,131280 --accept
[ ! -e "$work/x.state" ]; ok $? "refused runs wrote nothing"

# --- bounded parallelism ------------------------------------------------------------------
targets=100001,100002,100003,100004,100005,100006
replay_ctl "scenario?name=gen"
replay_ctl "latency?ms=200"
replay_ctl reset
t0=$(date +%s%N)
run -a $targets --parallel 2 -f json
t1=$(date +%s%N)
is "$rc" 0 "six targets, --parallel 2: OK"
par=$out
s=$(stats)
is "$(field requests <<<"$s")" 6 "  one request per target"
max=$(field max_in_flight <<<"$s")
[ "${max:-99}" -le 2 ]; ok $? "  never more than 2 in flight (saw $max)"
[ "${max:-0}" -ge 2 ]; ok $? "  requests did overlap (saw $max)"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 10000 ]; ok $? "  done well within bounds (${ms} ms; 6 x 200 ms / 2 = 600 ms ideal)"
replay_ctl reset
run -a $targets -f json
s=$(stats)
max=$(field max_in_flight <<<"$s")
[ "${max:-99}" -le 4 ] && [ "${max:-0}" -ge 2 ]; ok $? "default --parallel: at most 4 in flight (saw $max)"
replay_ctl reset
run -a $targets --parallel 1 -f json
is "$(stats | field max_in_flight)" 1 "--parallel 1: one at a time"
replay_ctl "latency?ms=0"
for a in ${targets//,/ }; do
	run -a $a -f json
	echo "$out" >"$work/single-$a.json"
done
py='import json,sys
d=json.loads(sys.argv[1])
singles=[json.load(open(f)) for f in sys.argv[2:]]
assert d["state"]=="OK" and len(d["targets"])==6
for t in d["targets"] + singles:   # seconds pass between the runs
    t.pop("data_age", None)
assert d["targets"]==singles
print("good")'
is "$(python3 -c "$py" "$par" "$work"/single-10000[1-6].json 2>&1)" good "parallel results equal one check per target"

# --- the shared cache ---------------------------------------------------------------------
c=$work/cache
replay_ctl reset
run -a $targets --parallel 4 --cache-dir "$c"
is "$rc" 0 "six targets with --cache-dir"
first=$out
is "$(stats | field requests)" 6 "  six requests"
is "$(find "$c" -type f -name '????????????????' | wc -l)" 6 "  six cache entries"
run -a $targets --parallel 4 --cache-dir "$c"
is "$(stats | field requests)" 6 "second run within the freshness: no new request"
# The same but for data_age, which counts seconds from the data time, and
# the requests (none now: every answer from the cache).
no_age() { sed -E -e 's/data_age=[0-9]+s/data_age=Ns/g' -e "s/requests'=[0-9]+;/requests'=N;/g" <<<"$1"; }
is "$(no_age "$out")" "$(no_age "$first")" "  same output"
run -a 100001 --cache-dir "$c"
is "$(stats | field requests)" 6 "a single-target check shares the cache"
replay_ctl reset
run -a $targets,131279 --parallel 4 --cache-dir "$c"
is "$(stats | field requests)" 1 "a target not cached yet: only its request"

# --- no leaks (valgrind) ------------------------------------------------------------------
# (valgrind must be able to read the build: old versions cannot read the
# DWARF 5 of a clang build and give up on any program; then it is left out.)
if [ "${UPM_SANITIZED:-0}" != 1 ] && [ "${UPM_VALGRIND:-1}" = 1 ] &&
    command -v valgrind >/dev/null 2>&1 &&
    valgrind -q --error-exitcode=99 "$CHECK" --version >/dev/null 2>&1; then
	replay_ctl "scenario?name=two"
	rm -rf "$sd"
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect "$CHECK" \
	    --max-age 0 --ripestat-url "$REPLAY_URL" -a 131279,131280,1205,3333,64511 \
	    --state-dir "$sd" --parallel 3 -w 2: >"$work/vg.out" 2>"$work/vg.err"
	is "$?" 1 "valgrind clean: five targets, failures among them (WARNING)"
	for f in json text; do
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect "$CHECK" \
		    --max-age 0 --ripestat-url "$REPLAY_URL" -a 131279,64511 -f $f \
		    >"$work/vg.out" 2>>"$work/vg.err"
		is "$?" 3 "valgrind clean: -f $f"
	done
	grep -q . "$work/vg.err" && sed 's/^/# /' "$work/vg.err" | head -20
fi

# --- the -t budget runs out: finished targets still reported ------------------------------
# 40 targets at 500 ms each, 4 at a time (5 s) under -t 3: the batch stops
# before the alarm; those done are CRITICAL by -c 2:, the rest timed out.
replay_ctl "scenario?name=bigcountry"
replay_ctl "latency?ms=500"
t0=$(date +%s%N)
run -a "$(seq -s, 64512 64551)" -t 3 --parallel 4 -c 2:
t1=$(date +%s%N)
replay_ctl "latency?ms=0"
is "$rc" 2 "-t overrun by several targets: the finished CRITICALs decide (exit 2)"
like "$(line1)" '^UPSTREAMS CRITICAL - 40 targets: AS64512 CRITICAL \(1 upstream outside critical range 2:\), ' "  the status line names the finished CRITICALs"
like "$(line1)" 'AS64551 UNKNOWN \(timeout\)' "  an unfinished target: UNKNOWN (timeout)"
like "$out" $'\nAS64551 UNKNOWN - timeout: not finished within the -t budget \\(3 s\\)' "  its long output says why"
! grep -q 'plugin timed out' <<<"$out"; ok $? "  not the alarm's bare line"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 3500 ]; ok $? "  within -t, near enough (${ms} ms)"
run -a "$(seq -s, 64512 64551)" -t 3:WARNING --parallel 4
is "$rc" 0 "  the same, no delay: all finish (OK)"
replay_ctl "latency?ms=500"
run -a "$(seq -s, 64512 64551)" -t 3:WARNING --parallel 4
replay_ctl "latency?ms=0"
is "$rc" 1 "-t 3:WARNING: the unfinished targets are WARNING"
like "$(line1)" 'AS64512 OK, .*AS64551 WARNING \(timeout\)' "  finished OK, unfinished WARNING"

# --- documented --------------------------------------------------------------------------
help=$("$CHECK" --help)
like "$help" '--parallel N' "--help lists --parallel"
like "$help" '--state-dir DIR' "--help lists --state-dir"
like "$help" 'CRITICAL > WARNING > UNKNOWN > OK' "--help states the rule for several targets"

tap_end
