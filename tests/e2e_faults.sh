#!/usr/bin/env bash
# The fault matrix for check_upstreams (tests/faults.md lists the cases and
# what each must produce): every fault is UNKNOWN (exit 3) with a reason on the
# status line, within the -t budget, never a CRITICAL; the next good answer is
# OK again.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-faults.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

urlenc() { python3 -c 'import os, sys, urllib.parse; print(urllib.parse.quote(os.fsencode(sys.argv[1]), safe=""))' "$1"; }

# An envelope around DATA (a JSON text) with STATUS and DATA_CALL_STATUS.
envelope() {
	printf '{"status": "%s", "data_call_status": "%s", "messages": [], "data": %s}' \
	    "$1" "$2" "$3"
}
good_route='{"source_id": "00-192.0.2.1", "path": [64496, 4837, 131279], "target_prefix": "175.45.176.0/24"}'
routes() { envelope ok "supported - connects to bgp-state" "{\"bgp_state\": [$1]}"; }

# expect_unknown NAME FAULT-QUERY REASON-REGEX [CHECK ARGS...]
# Injects the fault for every request, runs the check with -t 3 and asserts
# UNKNOWN, the reason and the time budget; then clears the fault and asserts
# the next run is OK again.
expect_unknown() {
	local name=$1 fault=$2 reason=$3 out rc start elapsed
	shift 3
	replay_ctl reset
	[ -n "$fault" ] && replay_ctl "fault?$fault&count=-1"
	start=$(date +%s%N)
	out=$("$CHECK" -a 131279 -e 4837 -t 3 --ripestat-url "${FAULT_URL:-$REPLAY_URL}" "$@" 2>/dev/null)
	rc=$?
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	is "$rc" 3 "$name: UNKNOWN"
	like "$(head -n 1 <<<"$out")" "^UPSTREAMS UNKNOWN - .*($reason)" "$name: says why"
	[ "$elapsed" -lt 4500 ]
	ok $? "$name: within -t 3 (${elapsed} ms)"
	replay_ctl reset
	out=$("$CHECK" -a 131279 -e 4837 -t 10 --ripestat-url "$REPLAY_URL" 2>/dev/null)
	is "$?" 0 "$name: the next good answer is OK"
}

body() { echo "kind=body&arg=$(urlenc "$1")"; }

# --- HTTP and transport ---------------------------------------------------------
expect_unknown "HTTP 500" "kind=status&arg=500" "HTTP 500" --retries 1
expect_unknown "HTTP 502" "kind=status&arg=502" "HTTP 502" --retries 1
expect_unknown "HTTP 503" "kind=status&arg=503" "HTTP 503" --retries 1
expect_unknown "HTTP 404" "kind=status&arg=404" "HTTP 404"
expect_unknown "HTTP 400" "kind=status&arg=400" "HTTP 400"
expect_unknown "429 without Retry-After" "kind=429" "HTTP 429" --retries 1
expect_unknown "429 with Retry-After beyond the budget" "kind=retry-after&arg=120" "HTTP 429"
expect_unknown "headers that never come" "kind=delay&arg=30" "timed out|timeout"
expect_unknown "body trickling past the timeout" "kind=trickle&arg=1" "timed out|timeout"
expect_unknown "truncated body" "kind=truncate" "network|transfer|partial|closed" --retries 1
expect_unknown "connection closed without an answer" "kind=close" "network|empty reply|connection|closed" --retries 1
expect_unknown "empty body" "kind=empty" "invalid JSON"
expect_unknown "body that is not JSON" "kind=notjson" "invalid JSON"
expect_unknown "body beyond the size cap" "kind=big&arg=4" "larger than" --max-size 1000000
expect_unknown "compression bomb" "kind=bomb" "larger than" --max-size 1000000
expect_unknown "redirect loop" "kind=redirect-loop" "redirect"
expect_unknown "redirect to another scheme" "kind=redirect-scheme" "redirect|protocol|scheme"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
FAULT_URL="http://127.0.0.1:$port" expect_unknown "connection refused" "" "network|connect|refused" --retries 1

# --- RIPEstat envelope -----------------------------------------------------------
expect_unknown "status not ok" "$(body "$(envelope error supported '{"bgp_state": []}')")" "status"
expect_unknown "data call deprecated" "$(body "$(envelope ok deprecated "{\"bgp_state\": [$good_route]}")")" "deprecated"
expect_unknown "maintenance envelope" "kind=maintenance" "maintenance"
expect_unknown "empty data object" "$(body "$(envelope ok supported '{}')")" "maintenance"
expect_unknown "no routes at all" "$(body "$(routes "")")" "no observations"

# --- JSON shape and content, at every level the bgp-state parser reads ----------
expect_unknown "top level is an array" "$(body '[1, 2]')" "expected|object|shape"
expect_unknown "status of the wrong type" "$(body '{"status": 1, "data_call_status": "supported", "data": {"bgp_state": []}}')" "status"
expect_unknown "data is a string" "$(body "$(envelope ok supported '"x"')")" "data"
expect_unknown "bgp_state is an object" "$(body "$(envelope ok supported '{"bgp_state": {}}')")" "bgp_state"
expect_unknown "route is a number" "$(body "$(routes 7)")" "bgp_state\\[0\\]"
expect_unknown "path is a string" "$(body "$(routes '{"source_id": "a", "path": "4837 131279", "target_prefix": "175.45.176.0/24"}')")" "path"
expect_unknown "source_id is a number" "$(body "$(routes '{"source_id": 5, "path": [1, 4837, 131279], "target_prefix": "175.45.176.0/24"}')")" "source_id"
expect_unknown "target_prefix is null" "$(body "$(routes '{"source_id": "a", "path": [1, 4837, 131279], "target_prefix": null}')")" "target_prefix"
expect_unknown "duplicate keys" "$(body '{"status": "ok", "status": "ok", "data_call_status": "supported", "data": {"bgp_state": []}}')" "invalid JSON|duplicate"
expect_unknown "AS numbers out of range" "$(body "$(routes '{"source_id": "a", "path": [1, 4294967296, 131279], "target_prefix": "175.45.176.0/24"}, {"source_id": "b", "path": [1, -5, 131279], "target_prefix": "175.45.176.0/24"}')")" "unusable|no observations|none of"
expect_unknown "NUL byte inside a string" "$(body "$(routes '{"source_id": "a\u0000b", "path": [1, 4837, 131279], "target_prefix": "175.45.176.0/24"}')")" "invalid JSON|NUL"
bad_utf8=$(printf '{"status": "ok", "data_call_status": "supported", "data": {"bgp_state": [{"source_id": "a\xff\xfeb", "path": [1, 4837, 131279], "target_prefix": "175.45.176.0/24"}]}}')
expect_unknown "invalid UTF-8 inside a string" "$(body "$bad_utf8")" "invalid JSON|UTF-8"

# --- and a compressed good answer is simply OK ---------------------------------------
replay_ctl "fault?kind=gzip&count=-1"
out=$("$CHECK" -a 131279 -e 4837 -t 10 --ripestat-url "$REPLAY_URL" 2>/dev/null)
is "$?" 0 "gzip-encoded answer: OK"
like "$(head -n 1 <<<"$out")" 'observations=42;' "gzip-encoded answer decoded whole"
replay_ctl reset

tap_end
