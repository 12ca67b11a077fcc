# Shared shell helpers for the end-to-end tests: TAP output, the loopback
# replay server, bounded waits.  Source it from a test run at the repo root.

tap_n=0
tap_failed=0

ok() {   # ok CONDITION-EXIT-STATUS "what"
	local rc=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {   # is GOT WANT "what"
	local got=$1 want=$2; shift 2
	[ "$got" = "$want" ]
	ok $? "$*"
	[ "$got" = "$want" ] || printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
}

# like GOT EXTENDED-REGEX "what": a regex without a newline is matched line by
# line (grep -E, so ^ and $ anchor lines); one with a newline in it is matched
# against the whole text (grep would split it into two patterns, one empty).
matches() {
	if [[ $2 == *$'\n'* ]]; then
		[[ $1 =~ $2 ]]
	else
		grep -qE -- "$2" <<<"$1"
	fi
}

like() {
	local got=$1 re=$2; shift 2
	matches "$got" "$re"
	ok $? "$*"
	matches "$got" "$re" || printf '#   got:  %s\n#   want: /%s/\n' "$got" "$re"
}

tap_end() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# wait_for FILE SECONDS: until FILE exists and is not empty.
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# start_replay ROOT [SCENARIO]: starts tests/replay.py on 127.0.0.1, sets
# REPLAY_PID, REPLAY_PORT and REPLAY_URL.  The caller's trap calls stop_replay.
start_replay() {
	local root=$1 scenario=${2:-default} pf
	pf=$(mktemp "${TMPDIR:-/tmp}/replay-port.XXXXXX")
	rm -f "$pf"
	python3 tests/replay.py --root "$root" --scenario "$scenario" \
	    --port-file "$pf" --max-seconds 600 &
	REPLAY_PID=$!
	if ! wait_for "$pf" 20; then
		echo "# replay server did not start" >&2
		return 1
	fi
	REPLAY_PORT=$(cat "$pf")
	rm -f "$pf"
	REPLAY_URL="http://127.0.0.1:$REPLAY_PORT"
}

stop_replay() {
	[ -n "${REPLAY_PID:-}" ] || return 0
	kill "$REPLAY_PID" 2>/dev/null
	wait "$REPLAY_PID" 2>/dev/null
	REPLAY_PID=
}

# replay_ctl PATH-AND-QUERY: one control request (scenario, fault, reset).
replay_ctl() {
	curl -fsS --max-time 5 "$REPLAY_URL/_replay/$1" >/dev/null
}
