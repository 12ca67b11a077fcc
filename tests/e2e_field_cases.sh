#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Field cases 01, 02 and 04 (tests/fixtures/field-cases/README.md): path
# poisoning, AS_TRANS where the upstream should be, one AS with two
# sessions (bgp-state and Alice-LG), each with the rest of its kind.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
F=$PWD/tests/fixtures/field-cases
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-field.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT

# The recorded cases are older than any maximum age: --max-age 0.
run() {
	out=$("$CHECK" --max-age 0 "$@" 2>"$work/stderr")
	rc=$?
}
jq_is() {   # jq_is FILTER WANT "what": over the last JSON output
	is "$(jq -c "$1" <<<"$out")" "$2" "$3"
}

# 01: "... 4837 131279 701 131279" on 175.45.177.0/24.
run -a 131279 -e 4837 --ripestat-url "file://$F/01-path-poisoning/data"
is "$rc" 0 "01 poisoning: OK with -e 4837"
like "$out" '^UPSTREAMS OK - 1 upstream: AS4837 100\.0%' "01: AS4837 carries every path"
if grep -q "AS701" <<<"$out"; then ok 1 "01: AS701 never named"; else ok 0 "01: AS701 never named"; fi
run -a 131279 -e 4837 --ripestat-url "file://$F/01-path-poisoning/data" -f json
jq_is '[.neighbours[].asn]' '[4837]' "01: the only neighbour is AS4837"
jq_is '.poisoned' '8' "01: 8 poisoned paths counted"
jq_is '.upstreams_by_prefix["175.45.177.0/24"]' '[4837]' "01: the poisoned prefix's upstream is AS4837"
jq_is '.neighbours[0].evidence' '"clique"' "01: provider evidence from clique vantage points"
run -a 131279 -e 4837 --neighbours all --ripestat-url "file://$F/01-path-poisoning/data"
is "$rc" 0 "01: --neighbours all: still OK (poisoning is a path rule)"

# 02: AS_TRANS 23456 on 3 of 10 sessions.
run -a 131279 -e 65551 --ripestat-url "file://$F/02-as-trans-upstream/data"
is "$rc" 0 "02 AS_TRANS: OK with -e 65551"
like "$out" '1 upstream: AS65551 100\.0%' "02: the real upstream's share is not split"
if grep -q "AS23456" <<<"$out"; then ok 1 "02: AS23456 never named"; else ok 0 "02: AS23456 never named"; fi
like "$out" 'unusable=0;' "02: not counted as unusable (well formed)"
run -a 131279 -e 65551 --ripestat-url "file://$F/02-as-trans-upstream/data" -f json
jq_is '.reserved' '3' "02: 3 paths unusable by rule, counted as reserved"
jq_is '[.neighbours[].asn]' '[65551]' "02: AS65551 the only neighbour"

# 04a: 20 RIS peer ASes via AS4837; one feeder AS, two sessions, via AS20485.
run -a 131279 -e 4837 --ripestat-url "file://$F/04-one-as-two-sessions/data"
is "$rc" 0 "04a: one AS with two sessions: OK"
if grep -q "AS20485 appeared" <<<"$out"; then ok 1 "04a: AS20485 not appeared"; else ok 0 "04a: AS20485 not appeared"; fi
run -a 131279 -e 4837 --ripestat-url "file://$F/04-one-as-two-sessions/data" -f json
jq_is '[.neighbours[] | select(.asn == 20485) | .vantage_ases, .sessions, .present]' '[1,2,false]' \
    "04a: AS20485 one vantage AS, two sessions, not present"
jq_is '.vantage_ases' '21' "04a: 21 vantage ASes in all"
run -a 131279 -e 4837 --neighbours all --ripestat-url "file://$F/04-one-as-two-sessions/data" -f json
is "$rc" 0 "04a: --neighbours all: still OK (min-peers counts vantage ASes)"
jq_is '[.upstreams[] | select(.asn == 20485) | .present]' '[false]' "04a: --neighbours all: AS20485 below --min-peers 2"

# An old (version 1) state file that lists the now-lateral AS20485.
printf '# old\nversion 1\ntarget AS131279\nupstreams 4837 20485\n' >"$work/old.state"
run -a 131279 --state-file "$work/old.state" --ripestat-url "file://$F/04-one-as-two-sessions/data"
is "$rc" 1 "version 1 state file with a now-lateral entry: WARNING, not CRITICAL"
like "$(head -n 1 <<<"$out")" 'AS20485 left the baseline \(lateral neighbours now\)' "the WARNING names it"
like "$(cat "$work/old.state")" $'version 2\ntarget AS131279\nupstreams 4837' "written back as version 2 without it"
run -a 131279 --state-file "$work/old.state" --ripestat-url "file://$F/04-one-as-two-sessions/data"
is "$rc" 0 "the next run: OK"

# 04b: Alice-LG, every member seen by rs1 and rs2.
start_replay "$F/04-one-as-two-sessions/alice-tree" || exit 1
run -a 131279 -e 4837 -s alice-lg --alice-url "$REPLAY_URL" -p 175.45.176.0/24
is "$rc" 0 "04b: one exchange member seen by both route servers: OK"
if grep -q "AS20485 appeared" <<<"$out"; then ok 1 "04b: AS20485 not appeared"; else ok 0 "04b: AS20485 not appeared"; fi
run -a 131279 -e 4837 -s alice-lg --alice-url "$REPLAY_URL" -p 175.45.176.0/24 -f json
jq_is '[.neighbours[] | select(.asn == 20485) | .vantage_ases, .sessions, .present, .evidence]' '[1,2,false,"route-server"]' \
    "04b: AS20485 one member AS, two route-server sessions, route-server evidence, not present"
jq_is '[.neighbours[] | select(.asn == 4837) | .vantage_ases, .present]' '[5,true]' "04b: AS4837 five member ASes, present"
tap_end
