#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Several targets in one run keep the status line and the long output
# within --output-limit (default 8192 bytes): the status line counts the
# states and names the targets that are not OK, the long output shows
# their blocks first, then the OK ones that fit, then says what it left
# out; the perfdata stays whole.  --output-limit 0 (or a limit the whole
# output fits in) gives today's full output.  302 targets of the replay's
# "bigcountry" scenario, two of them without data (UNKNOWN).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-output-limit.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" bigcountry || exit 1

# 300 ASes with data, and two without (HTTP 404: UNKNOWN), one of them
# in the middle.
targets="$(seq -s, 64512 64661),64000,$(seq -s, 64662 64811),64001"
run() {
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --parallel 8 \
	    -t 60 -a "$targets" "$@" 2>/dev/null)
	rc=$?
}
# sizes: "TEXT PERF" bytes of the output (status line and long output
# less the perfdata; the perfdata).
sizes() {
	python3 -c '
import sys
out = sys.stdin.read()
first, _, rest = out.partition("\n")
status, _, perf = first.partition(" |")
print(len(status) + 1 + len(rest), len(perf))' <<<"$out"
}

run
is "$rc" 3 "302 targets, 2 without data: UNKNOWN"
line1=$(head -n 1 <<<"$out")
like "$line1" '^UPSTREAMS UNKNOWN - 302 targets: 2 UNKNOWN, 300 OK; not OK: AS64000 UNKNOWN \(HTTP 404[^)]*\), AS64001 UNKNOWN \(HTTP 404[^)]*\) \|' \
    "status line: the counts, then the targets not OK with their reasons"
read -r text perf <<<"$(sizes)"
[ "$text" -le 8192 ]; ok $? "status line and long output within the default 8192 bytes ($text)"
[ "$text" -ge 4096 ]; ok $? "  and the budget is used ($text bytes)"
is "$(grep -o "'AS[0-9]* upstreams'=" <<<"$line1" | wc -l)" 300 \
    "perfdata whole: every target with data has its values ($perf bytes)"
is "$(sed -n 2p <<<"$out" | cut -d' ' -f1-2)" "AS64000 UNKNOWN" "long output: the targets not OK first"
is "$(sed -n 3p <<<"$out" | cut -d' ' -f1-2)" "AS64001 UNKNOWN" "  both of them"
shown=$(grep -cE '^AS[0-9]+ (OK|UNKNOWN) - ' <<<"$out")
like "$(tail -n 1 <<<"$out")" "^\\($shown of 302 targets shown, those not OK first; left out: 0 not OK, $((302 - shown)) OK; output limit 8192 bytes, --output-limit 0 for all\\)$" \
    "the last line says what was left out ($shown blocks shown)"

run --output-limit 0
is "$rc" 3 "--output-limit 0: the same state"
is "$(grep -cE '^AS[0-9]+ (OK|UNKNOWN) - ' <<<"$out")" 302 "--output-limit 0: every target's block"
like "$(head -n 1 <<<"$out")" '^UPSTREAMS UNKNOWN - 302 targets: AS64512 OK, AS64513 OK, ' \
    "  and the full status line, as before"
full_text=$(sizes | cut -d' ' -f1)
run --output-limit $((full_text + 100))
is "$(grep -cE '^AS[0-9]+ (OK|UNKNOWN) - ' <<<"$out")" 302 \
    "a limit the whole output fits in ($((full_text + 100))): the full output"

run --output-limit 2048
read -r text perf <<<"$(sizes)"
[ "$text" -le 2048 ]; ok $? "--output-limit 2048: within it ($text)"
is "$(grep -o "'AS[0-9]* upstreams'=" <<<"$(head -n 1 <<<"$out")" | wc -l)" 300 \
    "  perfdata still whole"

run -f json
is "$(python3 -c 'import json, sys; print(len(json.load(sys.stdin)["targets"]))' <<<"$out")" 302 \
    "JSON is for programs: every target, no limit"

out=$("$CHECK" -a 64512,64513 --output-limit 100 2>&1); rc=$?
is "$rc" 3 "--output-limit 100: refused (at least 1024, or 0)"
like "$out" "--output-limit: 100 is out of range \\(0, or 1024\\.\\.16777216\\)" "  said"

tap_end
