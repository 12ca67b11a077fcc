#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The fault matrix for check_upstreams.  The cases come from tests/faults.tsv
# (tests/e2e_plugin_faults.sh runs the same ones through the collectd
# plugin; tests/faults.md says what each class must produce): every fault is
# UNKNOWN (exit 3) with the reason on the status line, within the -t budget,
# never CRITICAL; once the fault is gone the next run is OK again.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
TABLE=tests/faults.tsv
BUDGET_S=3
# The budget plus process start and the slack of a loaded machine.
LIMIT_MS=4500
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-faults.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

# A loopback port nobody listens on: bound, then closed again.
closed_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

declare -A target_args
python3 tests/faults_table.py targets "$TABLE" >"$work/targets" || exit 1
python3 tests/faults_table.py cases "$TABLE" >"$work/cases" || exit 1
while IFS=$'\x1f' read -r name args _; do
	target_args[$name]=$args
done <"$work/targets"

# run_check URL TARGET [EXTRA ARGS...]: the check's output; rc in $check_rc.
run_check() {
	local url=$1 target=$2 targs
	shift 2
	read -ra targs <<<"${target_args[$target]}"
	check_out=$("$CHECK" "${targs[@]}" --max-age 0 --ripestat-url "$url" "$@" 2>/dev/null)
	check_rc=$?
}

# expect_unknown NAME TARGET FAULT REASON [CHECK ARGS]: injects the fault for
# every request, asserts UNKNOWN, the reason and the budget; then clears it
# and asserts the next run is OK.
expect_unknown() {
	local name=$1 target=$2 fault=$3 reason=$4 extra url start elapsed
	read -ra extra <<<"$5"
	url=$REPLAY_URL
	replay_ctl reset
	if [ "$fault" = refused ]; then
		url="http://127.0.0.1:$(closed_port)"
	else
		replay_ctl "fault?$fault&count=-1"
	fi
	start=$(date +%s%N)
	run_check "$url" "$target" -t "$BUDGET_S" "${extra[@]}"
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	[ -n "${FAULTS_VERBOSE:-}" ] && echo "# $(head -n 1 <<<"$check_out")"
	is "$check_rc" 3 "$name: UNKNOWN"
	like "$(head -n 1 <<<"$check_out")" "^UPSTREAMS UNKNOWN - .*($reason)" \
	    "$name: says why"
	[ "$elapsed" -lt "$LIMIT_MS" ]
	ok $? "$name: within -t $BUDGET_S (${elapsed} ms)"
	replay_ctl reset
	run_check "$REPLAY_URL" "$target" -t 10
	is "$check_rc" 0 "$name: the next good answer is OK"
}

cases=0
while IFS=$'\x1f' read -r name target fault reason args; do
	expect_unknown "$name" "$target" "$fault" "$reason" "$args" </dev/null
	cases=$((cases + 1))
done <"$work/cases"
[ "$cases" -ge 25 ]
ok $? "the table has at least 25 cases ($cases)"

# A compressed good answer is simply OK, and decoded whole.
replay_ctl "fault?kind=gzip&count=-1"
run_check "$REPLAY_URL" bgp -t 10
is "$check_rc" 0 "gzip-encoded answer: OK"
like "$(head -n 1 <<<"$check_out")" 'observations=42;' "gzip-encoded answer decoded whole"
replay_ctl reset

tap_end
