#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# The request budget: what each run asks of each source, counted against
# the replay server's own log of the requests it served.  The perfdata
# value 'requests', the -vv line, the JSON object, retries and the cache
# counted as they are; several targets each with its own; the collectd
# plugin's count-requests.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-requests.XXXXXX")
trap 'stop_collectd 5; stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

served() {   # the data requests the replay server saw since the last reset
	curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["requests"])'
}
run() {
	replay_ctl reset
	out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" -t 10 "$@" 2>/dev/null)
	rc=$?
	perf=$(head -n 1 <<<"$out" | sed -n 's/.*| //p')
}
perf_value() { tr ' ' '\n' <<<"$perf" | sed -n "s/^$1=\\([0-9]*\\);.*/\\1/p"; }

# --- one target, one request -----------------------------------------------------------
run -a 131279 -e 4837
is "$rc" 0 "AS131279: OK"
is "$(perf_value requests)" "$(served)" "perfdata requests= is what the server saw"
is "$(perf_value requests)" 1 "one bgp-state request"

# --- -vv: each call named; visibility adds routing-status ------------------------------------
run -a 131279 -e 4837 --visibility -vv
is "$(perf_value requests)" "$(served)" "-vv --visibility: requests= is what the server saw"
like "$out" '^requests: 3 sent \(.*\), 0 from the cache$' \
    "-vv: the long output says what was sent"
like "$out" '^requests: .*ripestat-bgp-state 1[,)]' "-vv: bgp-state named"
like "$out" '^requests: .*ripestat-routing-status 1[,)]' "-vv: routing-status named"
like "$out" '^requests: .*ripestat-announced-prefixes 1[,)]' \
    "-vv: announced-prefixes (its per-prefix lines) named"

# --- JSON ---------------------------------------------------------------------------------
run -a 131279 -e 4837 -f json
sent=$(python3 -c 'import json, sys; r = json.load(sys.stdin)["requests"]; print(r["sent"], r["cached"], r["by_call"]["ripestat-bgp-state"]["sent"])' <<<"$out")
is "$sent" "1 0 1" "JSON: requests.sent, .cached, .by_call"

# --- retries are requests -------------------------------------------------------------------
replay_ctl reset
replay_ctl "fault?kind=status&count=1&arg=503"
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" -t 10 -a 131279 -e 4837 2>/dev/null)
perf=$(head -n 1 <<<"$out" | sed -n 's/.*| //p')
is "$(perf_value requests)" 2 "a 503 then the answer: 2 requests"
is "$(served)" 2 "the server saw 2"

# --- the cache ------------------------------------------------------------------------------
run -a 131279 -e 4837 --cache-dir "$work/cache"
is "$(perf_value requests)" 1 "cache empty: 1 request"
run -a 131279 -e 4837 --cache-dir "$work/cache"
is "$(perf_value requests)" 0 "cache fresh: no request"
is "$(served)" 0 "and the server saw none"
run -a 131279 -e 4837 --cache-dir "$work/cache" -f json
sent=$(python3 -c 'import json, sys; r = json.load(sys.stdin)["requests"]; print(r["sent"], r["cached"])' <<<"$out")
is "$sent" "0 1" "JSON: 0 sent, 1 from the cache"

# --- several targets: each its own ------------------------------------------------------------
run -a 131279,131280 --state-dir "$work/sd"
like "$perf" "'AS131279 requests'=1;;;0" "two targets: AS131279's own requests"

# --- the collectd plugin ----------------------------------------------------------------------
collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$REPLAY_URL"
  MaxAge 0
  SourceApp "upstreams-test"
  Timeout 3000
  Retries 0
  <Target "dprk">
    ASN 131279
    Expect 4837
    Visibility true
  </Target>
</Plugin>
CONF
start_collectd "$work/collectd.conf"
ok $? "collectd starts"
wait_until 20 csv_is dprk count-requests 2
ok $? "collectd: count-requests 2 (bgp-state and routing-status)"
stop_collectd 10

tap_end
