#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The fault matrix through the collectd plugin: the cases of
# tests/faults.tsv (the same ones tests/e2e_faults.sh runs through the
# check), each injected for every request while tests/prog_plugin_faults runs
# the plugin's read callback against the replay server.  A failed read
# returns 0 with read_success 0, logs one error that says why, sends no
# notification and ends within the time budget; once the fault is gone the
# next read dispatches values again and logs the recovery once.  A few cases
# run again under valgrind (no errors, no definite or indirect leaks); in a
# sanitizer build (UPM_SANITIZED=1) the program checks itself instead.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

PROG=tests/prog_plugin_faults
TABLE=tests/faults.tsv
# The plugin's Timeout is 3 s; the rest is slack for a loaded machine, and
# much more of it for valgrind.
LIMIT_MS=4500
LIMIT_SLOW_MS=20000
# The cases run again under valgrind: one of each kind of failure path.
SLOW_CASES=("HTTP 503" "connection refused" "headers that never come"
    "truncated body" "compression bomb" "body that is not JSON"
    "invalid UTF-8 inside a string" "maintenance envelope"
    "route is a number" "AS numbers out of range"
    "asn-neighbours: AS number out of range"
    "looking-glass: as_path is a list")

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-plugin-faults.XXXXXX")
PLUGIN_PID=
cleanup() {
	[ -n "$PLUGIN_PID" ] && kill "$PLUGIN_PID" 2>/dev/null
	stop_replay
	rm -rf "$work"
}
trap cleanup EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

closed_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

python3 tests/faults_table.py targets "$TABLE" >"$work/targets" || exit 1
python3 tests/faults_table.py cases "$TABLE" >"$work/cases" || exit 1
specs=()
while IFS=$'\x1f' read -r name _ keys; do
	specs+=("$name:$keys")
done <"$work/targets"
# The state file cases below have a target of their own.
specs+=("sf:ASN=131279;StateFile=$work/sf.state")

# ---------------------------------------------------------------- the program

# start_prog [WRAPPER...]: runs the program as a coprocess, reading from the
# replay server; waits for its "ready" line.
start_prog() {
	coproc PLUGIN { exec "$@" "$PROG" "$REPLAY_URL" "${specs[@]}" \
	    2>"$work/prog.err"; }
	PLUGIN_PID=$!
	exec {prog_in}>&"${PLUGIN[1]}" {prog_out}<&"${PLUGIN[0]}"
	local line
	read -r -t 60 line <&"$prog_out"
	[ "$line" = "ready targets=${#specs[@]}" ]
}

# send COMMAND: one command; then the reply is in $reply (the last line),
# the log lines before it in $logs and the fields in rc, values, errors,
# notes, upstreams, last_error.
send() {
	local line
	printf '%s\n' "$1" >&"$prog_in"
	logs=
	reply=
	while read -r -t 60 line <&"$prog_out"; do
		case "$line" in
		"# log "*) logs+="$line"$'\n' ;;
		*) reply=$line; break ;;
		esac
	done
	rc='' values='' success='' errors='' notes='' upstreams='' last_error=''
	if [[ "$reply" =~ ^rc=(-?[0-9]+)\ values=([0-9]+)\ success=(-?[0-9]+)\ errors=([0-9]+)\ notes=([0-9]+)\ upstreams=(-?[0-9.]+)\ last_error=(.*)$ ]]; then
		rc=${BASH_REMATCH[1]} values=${BASH_REMATCH[2]}
		success=${BASH_REMATCH[3]} errors=${BASH_REMATCH[4]}
		notes=${BASH_REMATCH[5]} upstreams=${BASH_REMATCH[6]}
		last_error=${BASH_REMATCH[7]}
	fi
}

# stop_prog WHAT: "quit", then the program's exit status must be 0.
stop_prog() {
	local status
	printf 'quit\n' >&"$prog_in"
	exec {prog_in}>&- {prog_out}<&-
	wait "$PLUGIN_PID"
	status=$?
	PLUGIN_PID=
	is "$status" 0 "$1: exits 0 after quit"
	[ "$status" -eq 0 ] || sed 's/^/#   /' "$work/prog.err" | head -40
}

recovered_lines() { grep -c "target $1: reading works again" <<<"$logs"; }

# ------------------------------------------------------------------ the cases

# expect_failure NAME TARGET FAULT REASON LIMIT-MS
expect_failure() {
	local name=$1 target=$2 fault=$3 reason=$4 limit=$5 start elapsed
	replay_ctl reset
	if [ "$fault" = refused ]; then
		send "url http://127.0.0.1:$(closed_port)"
	else
		replay_ctl "fault?$fault&count=-1"
	fi
	start=$(date +%s%N)
	send "read $target"
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	is "$rc" 0 "$name: the read returns 0 (collectd keeps the interval)"
	is "$success" 0 "$name: read_success 0 (the last values sent again)"
	is "$errors" 1 "$name: one error logged"
	like "$last_error" "^upstreams plugin: target $target: .*($reason)" \
	    "$name: the error says why"
	is "$notes" 0 "$name: no notification"
	[ "$elapsed" -lt "$limit" ]
	ok $? "$name: within the budget (${elapsed} ms)"

	replay_ctl reset
	[ "$fault" = refused ] && send "url $REPLAY_URL"
	send "read $target"
	is "$rc/$success/$errors/$notes" 0/1/0/0 "$name: the next good read works"
	[ "$values" -gt 0 ] && [ "$upstreams" != -1 ]
	ok $? "$name: values again ($values, upstreams=$upstreams)"
	is "$(recovered_lines "$target")" 1 "$name: the recovery is logged"
}

# run_cases LIMIT-MS [NAME...]: every case of the table, or the named ones.
run_cases() {
	local limit=$1 n=0 name target fault reason
	shift
	while IFS=$'\x1f' read -r name target fault reason _; do
		if [ $# -gt 0 ]; then
			printf '%s\n' "$@" | grep -qxF -- "$name" || continue
		fi
		expect_failure "$name" "$target" "$fault" "$reason" "$limit" \
		    </dev/null
		n=$((n + 1))
	done <"$work/cases"
	ran=$n
}

# --- every case, at full speed ------------------------------------------------
start_prog
ok $? "the plugin is configured with ${#specs[@]} targets"
send "read bgp"
is "$rc/$errors/$notes/$upstreams" 0/0/0/1 "a good read first"

run_cases "$LIMIT_MS"
[ "$ran" -ge 25 ]
ok $? "the table has at least 25 cases ($ran)"

# --- a fault that lasts: logged once, and the recovery once -------------------
replay_ctl reset
replay_ctl "fault?kind=status&arg=503&count=-1"
send "read bgp"
is "$rc/$success/$errors" 0/0/1 "lasting fault, first read: the error is logged"
send "read bgp"
is "$rc/$success/$errors" 0/0/0 "lasting fault, second read: fails without logging again"
send "read bgp"
is "$rc/$success/$errors" 0/0/0 "lasting fault, third read: still quiet"
replay_ctl reset
send "read bgp"
is "$rc/$errors/$notes" 0/0/0 "fault gone: the read works"
is "$(recovered_lines bgp)" 1 "fault gone: the recovery is logged once"
send "read bgp"
is "$rc/$(recovered_lines bgp)" 0/0 "next good read: no second recovery line"

# --- one target failing leaves the others alone ----------------------------------
replay_ctl reset
replay_ctl "fault?kind=notjson&count=1"
send "read bgp"
is "$rc/$success" 0/0 "a fault on one target's read"
send "read neigh"
is "$rc/$errors/$(recovered_lines neigh)" 0/0/0 "the next target reads normally"
send "read bgp"
is "$rc/$(recovered_lines bgp)" 0/1 "and the first one recovers"

# --- a state file that cannot be trusted: the same, with good data --------------
state=$work/sf.state
send "read sf"
is "$rc/$errors/$upstreams" 0/0/1 "state file: learned on the first read"
grep -qx 'upstreams 4837' "$state"
ok $? "state file: holds the learned baseline"
cp "$state" "$work/sf.good"
# state_fault NAME REASON: the file was just spoiled; the read must fail and
# say why, and work again once the good file is back.
state_fault() {
	send "read sf"
	is "$rc/$success/$errors/$notes" 0/0/1/0 "state file $1: fails: read_success 0, one error"
	like "$last_error" "^upstreams plugin: target sf: .*($2)" "state file $1: the error says why"
	rm -f "$state"
	cp "$work/sf.good" "$state"
	send "read sf"
	is "$rc/$errors/$(recovered_lines sf)" 0/0/1 "state file $1: works again once repaired"
}
printf 'garbage\n' >"$state"
state_fault corrupt "state file error: .*unknown line"
: >"$state"
state_fault empty "state file error: .*empty"
sed 's/^target AS131279$/target AS12386/' "$work/sf.good" >"$state"
state_fault "of another target" "holds the baseline of AS12386, not AS131279"
rm -f "$state"
ln -s "$work/elsewhere" "$state"
state_fault "that is a symlink" "symbolic link"
[ ! -e "$work/elsewhere" ]
ok $? "state file that is a symlink: nothing written through it"
stop_prog "full matrix"

# --- some cases under valgrind (or the sanitizers) --------------------------------
if [ "${UPM_SANITIZED:-0}" = 1 ]; then
	wrapper=()
	what="sanitizer build"
else
	wrapper=(valgrind -q --error-exitcode=99 --leak-check=full
	    "--errors-for-leak-kinds=definite,indirect"
	    "--show-leak-kinds=definite,indirect" --num-callers=30)
	what=valgrind
fi
start_prog "${wrapper[@]}"
ok $? "$what: the plugin is configured"
run_cases "$LIMIT_SLOW_MS" "${SLOW_CASES[@]}"
is "$ran" "${#SLOW_CASES[@]}" "$what: every chosen case is in the table"
stop_prog "$what"

tap_end
