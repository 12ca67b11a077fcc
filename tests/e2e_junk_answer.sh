#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# An answer that is not HTTP/1.x (HTTP/0.9: no status line; an unknown
# version; a broken status code; binary junk) is said as such, through the
# fetcher and through the check: never as a redirect to a refused scheme,
# which libcurl reports with the same code.  The real refused redirect
# keeps its own message (tests/e2e_fetch.sh).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

FETCH=tests/prog_fetch
CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-junk.XXXXXX")
jpid=
trap '[ -n "$jpid" ] && kill "$jpid" 2>/dev/null; rm -rf "$work"' EXIT

for kind in http09 version code garbage; do
	rm -f "$work/port"
	python3 tests/junk_server.py "$kind" "$work/port" &
	jpid=$!
	wait_for "$work/port" 10 || { echo "# junk server did not start"; exit 1; }
	url="http://127.0.0.1:$(cat "$work/port")"
	out=$("$FETCH" -r 0 "$url/data/bgp-state/data.json?resource=AS1" 2>&1)
	is "$?" 1 "$kind: the fetch fails"
	like "$out" '^the answer from 127\.0\.0\.1 is not HTTP \(HTTP/0\.9 or a broken status line\): ' \
	    "$kind: said as an answer that is not HTTP"
	matches "$out" 'redirect'; is "$?" 1 "$kind: no word of a redirect"
	out=$("$CHECK" -a 131279 -e 4837 --ripestat-url "$url" -t 5 2>&1)
	is "$?" 3 "$kind: the check is UNKNOWN"
	like "$out" '^UPSTREAMS UNKNOWN - HTTP error: the answer from 127\.0\.0\.1 is not HTTP ' \
	    "$kind: the check's status line says what happened"
	kill "$jpid" 2>/dev/null
	wait "$jpid" 2>/dev/null
	jpid=
done

tap_end
