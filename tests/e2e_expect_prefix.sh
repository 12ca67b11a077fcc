#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# --expect-prefix: per-prefix baselines through the loopback replay server;
# a change on one prefix only is CRITICAL and named by its prefix.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-prefix.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" two || exit 1

run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>"$work/stderr")
	rc=$?
}
line1() { head -n 1 <<<"$out"; }

P1=175.45.176.0/24
P2=175.45.177.0/24
run -a 131279 --expect-prefix "$P1=4837,20485" --expect-prefix "$P2=AS4837,AS20485"
is "$rc" 0 "both prefixes as expected: OK"
like "$out" $'\nprefix 175\\.45\\.176\\.0/24: AS4837 60\\.0%, AS20485 40\\.0% \\(expected AS4837,AS20485\\)' "per-prefix line in the long output"

run -a 131279 --expect-prefix "$P1=4837,20485" --expect-prefix "$P2=4837"
is "$rc" 2 "one prefix broken: CRITICAL"
like "$(line1)" '^UPSTREAMS CRITICAL - 175\.45\.177\.0/24: AS20485 appeared; 2 upstreams' "message names the prefix and the change"
if grep -q '175\.45\.176\.0/24: AS' <<<"$(line1)"; then ok 1 "the good prefix is not blamed"; else ok 0 "the good prefix is not blamed"; fi
like "$out" $'\nprefix 175\\.45\\.177\\.0/24: .*appeared AS20485\\)' "long output says which appeared"

run -a 131279 -e 4837,20485 --expect-prefix "$P2=4837,3356" -f json
is "$rc" 2 "overall set fine, prefix broken: still CRITICAL"
py='import json,sys
d=json.load(sys.stdin)
p=d["prefix_upstreams"]
assert len(p)==1 and p[0]["prefix"]=="175.45.177.0/24", p
assert p[0]["upstreams"]==[4837,20485] and p[0]["expected"]==[3356,4837], p
assert p[0]["appeared"]==[20485] and p[0]["disappeared"]==[3356], p
assert d["appeared"]==[] and d["disappeared"]==[] and d["prefixes"]==4
print("good")'
is "$(python3 -c "$py" <<<"$out" 2>&1)" good "json: prefix_upstreams with expected/appeared/disappeared; overall untouched"

run -a 131279 --expect-prefix "10.0.0.0/8=4837"
is "$rc" 2 "a prefix the target does not announce: its upstream disappeared"
like "$(line1)" '10\.0\.0\.0/8: AS4837 disappeared' "said so"

run -a 131279 --expect-prefix "175.45.176.0=4837"
is "$rc" 3 "prefix without length: UNKNOWN"
run -a 131279 --expect-prefix "$P1=4837" --expect-prefix "$P1=20485"
is "$rc" 3 "the same prefix twice: UNKNOWN"
run -a 131279 --expect-prefix "$P1"
is "$rc" 3 "no ASNs: UNKNOWN"

tap_end
