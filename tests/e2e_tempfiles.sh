#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Temporary files of check_upstreams: a cached download (the replay server
# trickles the body) and a state write (fsync slowed by an LD_PRELOAD
# shim) interrupted by SIGTERM, SIGHUP, SIGINT and the check's own -t
# alarm leave no temporary behind; stale temporaries of our naming (older
# than an hour) are swept when the directory is next used, fresh ones and
# other programs' files are left alone.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-tempfiles.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
${CC:-cc} -shared -fPIC -o "$work/slow_io.so" tests/tools/slow_io.c -ldl ||
    exit 1

# A sanitizer build wants its runtime first; the shim is preloaded before it.
asan_options="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

cache_tmps() { ls -A "$work/cache" 2>/dev/null | grep -cE '^[0-9a-f]{16}\.tmp\.'; }
state_tmps() { ls -A "$work/st" 2>/dev/null | grep -cE '^AS131279\.state\.[A-Za-z0-9]{6}$'; }
has_cache_tmp() { [ "$(cache_tmps)" -gt 0 ]; }
has_state_tmp() { [ "$(state_tmps)" -gt 0 ]; }

# until_true SECONDS COMMAND...: polls every 0.1 s.
until_true() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# spawn COMMAND...: in the background with job control on, so that SIGINT
# is not ignored (a non-interactive shell ignores it in background jobs,
# and the check leaves an ignored signal ignored); sets pid.
spawn() {
	set -m
	"$@" >/dev/null 2>&1 &
	pid=$!
	set +m
}

# --- a cached download, interrupted ------------------------------------------------
for sig in TERM HUP INT; do
	rm -rf "$work/cache"
	replay_ctl reset
	replay_ctl "fault?kind=trickle&count=-1&arg=0.05"
	spawn "$CHECK" -a 131279 -e 4837 --max-age 0 --ripestat-url "$REPLAY_URL" \
	    --cache-dir "$work/cache" -t 60
	until_true 10 has_cache_tmp
	ok $? "SIG$sig: the download's temporary file exists"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	pid=
	is "$rc" "$((128 + $(kill -l "$sig")))" "SIG$sig: the check ends by the signal"
	is "$(cache_tmps)" 0 "SIG$sig during a cached download: no temporary left"
done
rm -rf "$work/cache"
replay_ctl reset
replay_ctl "fault?kind=trickle&count=-1&arg=0.05"
out=$("$CHECK" -a 131279 -e 4837 --max-age 0 --ripestat-url "$REPLAY_URL" \
    --cache-dir "$work/cache" -t 2 2>&1)
is "$?" 3 "-t 2 during a cached download: UNKNOWN"
like "$out" '^UPSTREAMS UNKNOWN - .*timed out' "the timeout said"
is "$(cache_tmps)" 0 "the timeout alarm: no temporary left"
replay_ctl reset

# --- a state write, interrupted ---------------------------------------------------------
mkdir -p "$work/st"
for sig in TERM HUP INT; do
	rm -f "$work/st"/*
	spawn env LD_PRELOAD="$work/slow_io.so" UPM_SLOW_FSYNC_MS=20000 \
	    ASAN_OPTIONS="$asan_options" \
	    "$CHECK" -a 131279 --max-age 0 --ripestat-url "$REPLAY_URL" \
	    --state-file "$work/st/AS131279.state" -t 60
	until_true 10 has_state_tmp
	ok $? "SIG$sig: the state write's temporary file exists"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	pid=
	is "$rc" "$((128 + $(kill -l "$sig")))" "SIG$sig: the check ends by the signal"
	is "$(state_tmps)" 0 "SIG$sig during a state write: no temporary left"
done
rm -f "$work/st"/*
out=$(LD_PRELOAD=$work/slow_io.so UPM_SLOW_FSYNC_MS=20000 \
    ASAN_OPTIONS="$asan_options" "$CHECK" \
    -a 131279 --max-age 0 --ripestat-url "$REPLAY_URL" \
    --state-file "$work/st/AS131279.state" -t 2 2>&1)
is "$?" 3 "-t 2 during a state write: UNKNOWN"
is "$(state_tmps)" 0 "the timeout alarm during a state write: no temporary left"
[ ! -e "$work/st/AS131279.state" ]; ok $? "and no half-written state file"

# --- stale temporaries swept ----------------------------------------------------------
rm -rf "$work/st" "$work/cache"
mkdir -p "$work/st" "$work/cache"
printf '# upstreams baseline, written by upstreams 0.1.0; edit with care\nversion 2\n' \
    >"$work/st/AS131279.state.aB3dE9"
: >"$work/st/AS131279.state.Zz0000"
printf '# upstreams baseline\n' >"$work/st/AS131279.state.fresh1"
printf 'somebody else\n' >"$work/st/notes.txt.Qw1234"
touch -d '2 hours ago' "$work/st/AS131279.state.aB3dE9" \
    "$work/st/AS131279.state.Zz0000" "$work/st/notes.txt.Qw1234"
printf 'UPMCACHE1 partial' >"$work/cache/0123456789abcdef.tmp.aB3dE9"
printf 'UPMCACHE1 partial' >"$work/cache/0123456789abcdee.tmp.fresh1"
touch -d '2 hours ago' "$work/cache/0123456789abcdef.tmp.aB3dE9"
out=$("$CHECK" -a 131279 --max-age 0 --ripestat-url "$REPLAY_URL" \
    --state-file "$work/st/AS131279.state" --cache-dir "$work/cache" 2>&1)
is "$?" 0 "a run in directories with temporaries left: OK (learns)"
[ ! -e "$work/st/AS131279.state.aB3dE9" ]; ok $? "state: a stale temporary of ours is swept"
[ ! -e "$work/st/AS131279.state.Zz0000" ]; ok $? "state: a stale empty temporary is swept"
[ -e "$work/st/AS131279.state.fresh1" ]; ok $? "state: a fresh one is left (a writer may be at work)"
[ -e "$work/st/notes.txt.Qw1234" ]; ok $? "state: another program's file of a like name is left"
[ ! -e "$work/cache/0123456789abcdef.tmp.aB3dE9" ]; ok $? "cache: a stale temporary is swept"
[ -e "$work/cache/0123456789abcdee.tmp.fresh1" ]; ok $? "cache: a fresh one is left"

tap_end
