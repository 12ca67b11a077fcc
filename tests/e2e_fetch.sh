#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# upm_fetch end to end against the loopback replay server: every fault kind
# of tests/replay.py, retries and their limits, the time budget, the size
# cap (gzip bombs included), redirects, schemes; and the replay server's own
# file selection, robustness and self-exit.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

# Loopback only: a proxy from the environment must not see these requests.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
    no_proxy NO_PROXY

FETCH=tests/prog_fetch
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-fetch.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
if [ ! -x "$FETCH" ]; then
	ok 1 "$FETCH is built"
	tap_end
	exit 1
fi
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

BGP=$work/tree/one/bgp-state/131279.json
URL="$REPLAY_URL/data/bgp-state/data.json?resource=AS131279&sourceapp=upstreams"
MISSING="$REPLAY_URL/data/bgp-state/data.json?resource=AS64511&sourceapp=upstreams"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# fetch ARGS...: runs prog_fetch; sets out (both lines), line1, rc, elapsed.
fetch() {
	local start
	start=$(now_ms)
	out=$("$FETCH" "$@" 2>"$work/stderr")
	rc=$?
	elapsed=$(( $(now_ms) - start ))
	line1=$(head -n 1 <<<"$out")
}

# fault KIND COUNT [ARG]: a fresh log and one fault (ARG URL-encoded here).
fault() {
	local arg
	arg=$(python3 -c 'import os,sys,urllib.parse as u; print(u.quote(os.fsencode(sys.argv[1]), safe=""))' "${3:-}")
	replay_ctl reset
	replay_ctl "fault?kind=$1&count=$2&arg=$arg"
}

log_json() { curl -fsS --max-time 5 "$REPLAY_URL/_replay/log"; }
log_count() { log_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
bgp_size=$(stat -c %s "$BGP")

# --- plain fetches ----------------------------------------------------------------
replay_ctl reset
fetch -o "$work/body" "$URL"
is "$rc" 0 "recorded answer: exit 0"
is "$line1" "status=ok http=200 bytes=$bgp_size" "status line: ok, HTTP 200, the file's size"
cmp -s "$work/body" "$BGP"; ok $? "body is the recorded file byte for byte"
py='import json,sys
e=json.load(sys.stdin)[0]
assert e["user_agent"].startswith("upstreams/0."), e
assert e["query"]["sourceapp"]==["upstreams"] and e["query"]["resource"]==["AS131279"], e
assert "gzip" in e["accept_encoding"], e
print("good")'
is "$(log_json | python3 -c "$py" 2>&1)" good "log shows User-Agent upstreams/<version>, sourceapp, gzip accepted"
replay_ctl reset
fetch -A "probe/1" "$URL"
like "$(log_json)" '"user_agent": "probe/1"' "a given User-Agent is sent instead"

# --- 4xx: never retried -------------------------------------------------------------
replay_ctl reset
fetch -r 3 -b 50 "$MISSING"
is "$rc" 1 "404: exit 1"
like "$line1" '^status=HTTP error http=404 ' "404: HTTP error, code kept"
is "$(sed -n 2p <<<"$out")" "HTTP 404 from 127.0.0.1" "404: text names code and host"
is "$(log_count)" 1 "404 asked once, never retried"
fault status -1 403
fetch -r 3 -b 50 "$URL"
like "$out" 'HTTP 403 from 127\.0\.0\.1' "403 fault: HTTP 403"
is "$(log_count)" 1 "403 not retried"

# --- 5xx and 429: retried with backoff ---------------------------------------------------
fault status -1 503
fetch -r 2 -b 100 "$URL"
is "$rc" 1 "503 for ever: exit 1"
like "$out" $'\nHTTP 503 from 127\\.0\\.0\\.1 \\(3 tries\\)' "503: text says HTTP 503 and the tries"
is "$(log_count)" 3 "503: first try + 2 retries"
[ "$elapsed" -ge 300 ]; ok $? "backoff 100 + 200 ms slept (${elapsed} ms)"
fault status 1 500
fetch -r 1 -b 50 "$URL"
is "$line1" "status=ok http=200 bytes=$bgp_size" "one 500, then the answer: ok"
is "$(log_count)" 2 "500 retried once"
fault status -1 502
fetch -r 0 "$URL"
is "$(log_count)" 1 "-r 0: no retry"
fault 429 1
fetch -r 1 -b 50 "$URL"
is "$rc" 0 "429 without Retry-After, then the answer: ok"
is "$(log_count)" 2 "429 retried"
fault 429 -1
fetch -r 1 -b 50 "$URL"
like "$line1" '^status=HTTP error http=429 ' "429 for ever: HTTP error 429"

# --- Retry-After --------------------------------------------------------------------
fault retry-after 1 1
fetch -t 10000 "$URL"
is "$rc" 0 "429 with Retry-After 1, then the answer: ok"
[ "$elapsed" -ge 1000 ]; ok $? "waited the Retry-After second (${elapsed} ms)"
fault retry-after 1 120
fetch -t 5000 "$URL"
is "$rc" 1 "Retry-After 120 with a 5 s budget: exit 1"
like "$line1" '^status=HTTP error http=429 ' "fails as an HTTP error"
like "$out" 'HTTP 429 \(Retry-After 120 s exceeds the time budget\)' "says the Retry-After does not fit"
[ "$elapsed" -lt 1000 ]; ok $? "fails fast, without waiting (${elapsed} ms)"
is "$(log_count)" 1 "and without another request"
fault retry-after 1 "$(LC_ALL=C date -u -d '+3 seconds' '+%a, %d %b %Y %H:%M:%S GMT')"
fetch -t 10000 "$URL"
is "$rc" 0 "Retry-After as an HTTP date, then the answer: ok"
[ "$elapsed" -ge 1000 ]; ok $? "waited until the date (${elapsed} ms)"

# --- the time budget ------------------------------------------------------------------
fault delay -1 20
fetch -t 1500 "$URL"
is "$rc" 1 "server that never answers: exit 1"
like "$line1" '^status=timeout ' "status timeout"
like "$out" 'timed out after 1500 ms' "text names the budget"
[ "$elapsed" -ge 1400 ] && [ "$elapsed" -lt 2300 ]; ok $? "ends at the budget (${elapsed} ms)"
fault delay 1 1
fetch -t 5000 "$URL"
is "$rc" 0 "1 s delay inside a 5 s budget: ok"
[ "$elapsed" -ge 1000 ]; ok $? "the delay happened (${elapsed} ms)"
fault trickle -1 0.2
fetch -t 1500 "$URL"
like "$line1" '^status=timeout ' "body trickling in: timeout (the budget covers the body)"
[ "$elapsed" -lt 2300 ]; ok $? "within the budget (${elapsed} ms)"
fault status -1 503
fetch -t 1500 -r 10 -b 400 "$URL"
like "$out" 'HTTP 503' "many retries, small budget: the last HTTP error"
[ "$elapsed" -lt 1700 ]; ok $? "no sleep past the budget (${elapsed} ms)"
is "$(log_count)" 3 "tries at 0, 400, 1200 ms; the next backoff does not fit"

# --- broken bodies ---------------------------------------------------------------------
fault truncate -1
fetch -r 2 -b 50 "$URL"
is "$rc" 1 "truncated body: exit 1"
like "$line1" '^status=network error ' "truncated: network error"
is "$(log_count)" 3 "truncated: retried"
fault truncate 1
fetch -r 1 -b 50 -o "$work/body" "$URL"
is "$rc" 0 "one truncated body, then the answer: ok"
cmp -s "$work/body" "$BGP"; ok $? "only the final body kept, no half body in front"
fault close -1
fetch -r 1 -b 50 "$URL"
like "$line1" '^status=network error http=0 ' "connection closed without an answer: network error"
like "$out" $'\n.*[Ee]mpty reply' "curl's reason in the text"
is "$(log_count)" 2 "closed connection: retried"
fault empty 1
fetch "$URL"
is "$line1" "status=ok http=200 bytes=0" "empty 200: the fetch layer passes it on (the parser judges)"
fault notjson 1
fetch -o "$work/body" "$URL"
is "$rc" 0 "HTML 200: fetched"
like "$(cat "$work/body")" '^<html>' "HTML body as sent"
fault maintenance 1
fetch -o "$work/body" "$URL"
is "$rc" 0 "maintenance: fetched"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["data"])' "$work/body")" "ok {}" "maintenance body: status ok, empty data"
fault body 1 '{"status":"ok","data":{"x":[1,2]}}'
fetch -o "$work/body" "$URL"
is "$(cat "$work/body")" '{"status":"ok","data":{"x":[1,2]}}' "body fault: the given JSON, URL-decoded"
fault body 1 "$(printf '{"s":"a\xff\xfeb"}')"
fetch -o "$work/body" "$URL"
is "$(od -An -tx1 "$work/body" | tr -d ' \n')" 7b2273223a2261fffe62227d "body fault: bytes that are not UTF-8 sent as given"

# --- encodings and the size cap ----------------------------------------------------------
fault gzip 1
fetch -o "$work/body" "$URL"
is "$line1" "status=ok http=200 bytes=$bgp_size" "gzip: decoded size is the file's size"
cmp -s "$work/body" "$BGP"; ok $? "gzip: decoded body is the file"
fetch -m 100 "$URL"
is "$line1" "status=response too large http=200 bytes=0" "100-byte cap on a plain answer: too large"
like "$out" 'response larger than 100 bytes' "text names the cap"
fault big 1 50
fetch -m 1000000 "$URL"
like "$line1" '^status=response too large ' "50 MB body, 1 MB cap: too large"
[ "$elapsed" -lt 3000 ]; ok $? "stopped early (${elapsed} ms)"
fault bomb 1
fetch -m 1000000 "$URL"
like "$line1" '^status=response too large ' "gzip bomb (100 MB of zeros), 1 MB cap: too large"
like "$out" 'response larger than 1000000 bytes' "the cap counts decoded bytes"
[ "$elapsed" -lt 5000 ]; ok $? "bomb stopped quickly (${elapsed} ms)"
fault bomb 1
fetch "$URL"
like "$line1" '^status=response too large ' "gzip bomb against the default 8 MiB cap of a whole answer: too large"
is "$(log_count)" 1 "too large: never retried"

# --- redirects and schemes --------------------------------------------------------------------
fault redirect 1
fetch -o "$work/body" "$URL"
is "$line1" "status=ok http=200 bytes=$bgp_size" "one redirect followed"
is "$(log_count)" 2 "two requests for it"
fault redirect-loop -1
fetch -r 3 "$URL"
like "$line1" '^status=HTTP error http=302 ' "redirect loop: HTTP error"
like "$out" 'too many redirects' "says too many redirects"
is "$(log_count)" 4 "first request + 3 redirects, not retried"
fault redirect-scheme -1
fetch -r 3 "$URL"
is "$rc" 1 "redirect to ftp://: exit 1"
like "$out" 'refused scheme' "says the scheme was refused"
is "$(log_count)" 1 "not retried"
replay_ctl reset
fetch "file://$BGP"
like "$line1" '^status=invalid argument ' "file:// without -F: refused"
like "$out" 'file:// not allowed' "says file:// is not allowed"
fetch -F -o "$work/body" "file://$BGP"
is "$line1" "status=ok http=0 bytes=$bgp_size" "file:// with -F: read, http 0"
fetch "ftp://127.0.0.1/x"
like "$line1" '^status=invalid argument ' "ftp:// refused before any connection"

# --- connection refused ---------------------------------------------------------------------
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
fetch -r 2 -b 100 "http://127.0.0.1:$closed/data/bgp-state/data.json?resource=AS1"
is "$rc" 1 "closed port: exit 1"
like "$line1" '^status=network error http=0 ' "closed port: network error"
like "$out" $'\n.*(refused|Failed to connect)' "curl's reason in the text"
[ "$elapsed" -ge 300 ]; ok $? "connection errors retried with backoff (${elapsed} ms)"

# --- leaks on the error paths (valgrind) -----------------------------------------------------------
if [ "${UPM_SANITIZED:-0}" != 1 ] && [ "${UPM_VALGRIND:-1}" = 1 ] &&
    command -v valgrind >/dev/null 2>&1; then
	vg() {
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect "$FETCH" "$@" \
		    >"$work/vg.out" 2>"$work/vg.err"
		rc=$?
	}
	fault bomb 1; vg -m 1000000 "$URL"; is "$rc" 1 "valgrind clean: gzip bomb"
	fault truncate -1; vg -r 1 -b 50 "$URL"; is "$rc" 1 "valgrind clean: truncated, retried"
	fault redirect-loop -1; vg "$URL"; is "$rc" 1 "valgrind clean: redirect loop"
	fault retry-after 1 1; vg -t 5000 "$URL"; is "$rc" 0 "valgrind clean: Retry-After then ok"
	fault delay -1 5; vg -t 1000 "$URL"; is "$rc" 1 "valgrind clean: timeout"
	[ "$rc" = 99 ] && sed 's/^/# /' "$work/vg.err" | head -20
fi

# --- the replay server itself ------------------------------------------------------------------
d=$work/tree/one/bgp-state
printf '{"v": 1}' >"$d/64500@2017-10-01T09-00-00.json"
printf '{"v": 2}' >"$d/64500@2017-10-02T00-00-00.json"
printf '{"v": 0}' >"$d/64501.json"
replay_ctl reset
get() { curl -sS --max-time 5 "$REPLAY_URL/data/bgp-state/data.json?resource=$1"; }
is "$(get 'AS64500&timestamp=2017-10-01T09:00:00Z')" '{"v": 1}' "replay: exact snapshot for timestamp (Z stripped)"
is "$(get 'AS64500&timestamp=2017-10-01T12:00:00')" '{"v": 1}' "replay: latest snapshot not after timestamp"
is "$(get 'AS64500&timestamp=2017-10-05T00:00')" '{"v": 2}' "replay: later timestamp, newest snapshot"
is "$(get 'AS64500&timestamp=1506902400')" '{"v": 2}' "replay: Unix-seconds timestamp compares as a time"
like "$(get 'AS64500&timestamp=2017-09-01T00:00:00')" '"status_code": 404' "replay: timestamp before every snapshot: 404"
is "$(get 'as64500')" '{"v": 2}' "replay: no timestamp, no plain file: newest snapshot"
is "$(get 'AS64501&timestamp=2017-10-01T00:00:00')" '{"v": 0}' "replay: timestamp without snapshots: the plain file"
code=$(curl -s -o /dev/null -w '%{http_code}' "$REPLAY_URL/data/..%2F..%2Fone/data.json?resource=x")
is "$code" 404 "replay: path tricks get 404"
code=$(curl -s -o /dev/null -w '%{http_code}' "$REPLAY_URL/data/bgp-state/data.json?resource=..%2F..%2F..%2Fetc%2Fpasswd")
is "$code" 404 "replay: resource with ../ is only a file name: 404"
code=$(curl -s -o /dev/null -w '%{http_code}' "$REPLAY_URL/_replay/fault?kind=nonsense")
is "$code" 400 "replay: unknown fault kind refused"
code=$(curl -s -o /dev/null -w '%{http_code}' "$REPLAY_URL/_replay/scenario?name=..")
is "$code" 400 "replay: scenario name .. refused"
exec 3<>"/dev/tcp/127.0.0.1/$REPLAY_PORT" && printf '\x00\xff garbage\r\n\r\n' >&3 &&
    timeout 5 cat <&3 >/dev/null; exec 3<&- 3>&-
python3 - "$REPLAY_PORT" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.close()   # connects and leaves without a request
EOF
replay_ctl reset
fetch "$URL"
is "$rc" 0 "replay: still serving after garbage and silent connections"
replay_ctl "scenario?name=two"
fetch -o "$work/body" "$URL"
cmp -s "$work/body" "$work/tree/two/bgp-state/131279.json"; ok $? "replay: scenario switch serves the other tree"

# Self-exit: a second server with a short life, and /_replay/quit.
python3 tests/replay.py --root "$work/tree" --port-file "$work/p2" --max-seconds 2 &
pid2=$!
wait_for "$work/p2" 10
start=$(now_ms)
for ((i = 0; i < 100; i++)); do kill -0 "$pid2" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid2" 2>/dev/null; still=$?
[ "$still" -ne 0 ]; ok $? "replay: exits on its own after --max-seconds"
kill "$pid2" 2>/dev/null; wait "$pid2" 2>/dev/null
python3 tests/replay.py --root "$work/tree" --port-file "$work/p3" --max-seconds 60 &
pid3=$!
wait_for "$work/p3" 10
curl -fsS --max-time 5 "http://127.0.0.1:$(cat "$work/p3")/_replay/quit" >/dev/null
for ((i = 0; i < 50; i++)); do kill -0 "$pid3" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid3" 2>/dev/null; still=$?
[ "$still" -ne 0 ]; ok $? "replay: /_replay/quit stops it"
kill "$pid3" 2>/dev/null; wait "$pid3" 2>/dev/null

tap_end
