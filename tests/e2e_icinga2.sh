#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The Icinga 2 CheckCommand (nagios-check/upstreams.conf) and the example
# host/service (nagios-check/icinga2-example.conf) against Debian's icinga2:
# `icinga2 daemon -C` accepts them and rejects broken copies; then a short
# daemon run executes the command against the loopback replay, so the
# command line Icinga builds (repeat_key, set_if, joined arrays, unset
# variables left out) and the states it records are checked too.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

ICINGA2=${ICINGA2:-$(command -v icinga2 || echo /usr/sbin/icinga2)}
REPO=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-icinga2.XXXXXX")
ICINGA_PID=
# descendants PID: the processes below PID (Icinga's main process and its
# process spawn helper sit below the umbrella process we start).
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
stop_icinga() {
	local pids
	[ -n "$ICINGA_PID" ] || return 0
	pids=$(descendants "$ICINGA_PID")
	kill "$ICINGA_PID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$ICINGA_PID" 2>/dev/null || break; sleep 0.1; done
	# shellcheck disable=SC2086
	kill -9 "$ICINGA_PID" $pids 2>/dev/null
	wait "$ICINGA_PID" 2>/dev/null
	ICINGA_PID=
}
trap 'stop_icinga; stop_replay; rm -rf "$work"' EXIT

[ -x "$ICINGA2" ]; ok $? "icinga2 installed ($ICINGA2)" || { tap_end; exit 1; }

# Everything Icinga writes goes under $work; it runs as the current user.
export ICINGA2_USER ICINGA2_GROUP
ICINGA2_USER=$(id -un) ICINGA2_GROUP=$(id -gn)
mkdir -p "$work/var/cache/icinga2" "$work/var/lib/icinga2" \
    "$work/var/log/icinga2" "$work/var/spool/icinga2/perfdata" "$work/run/icinga2"
icinga() {
	"$ICINGA2" daemon -DLocalStateDir="$work/var" -DRunDir="$work/run" "$@"
}

# validate MAIN-CONF-BODY: runs icinga2 daemon -C; sets out and rc.
validate() {
	printf '%s\n' "const PluginContribDir = \"$REPO/nagios-check\"" \
	    'const NodeName = "localhost"' 'include <itl>' "$1" >"$work/main.conf"
	out=$(icinga -C -c "$work/main.conf" 2>&1)
	rc=$?
}

# --- validation ------------------------------------------------------------
validate "include \"$REPO/nagios-check/upstreams.conf\"
include \"$REPO/nagios-check/icinga2-example.conf\""
is "$rc" 0 "icinga2 daemon -C accepts upstreams.conf and the example" ||
	grep -E 'critical|warning' <<<"$out" | sed 's/^/# /'
like "$out" 'Instantiated 1 Service' "the example's apply rule creates the service"
like "$out" 'Instantiated 1 Host' "the example host"

sed 's/value = "\$upstreams_asn\$"/vlaue = "$upstreams_asn$"/' \
    nagios-check/upstreams.conf >"$work/typo.conf"
validate "include \"$work/typo.conf\""
[ "$rc" -ne 0 ]; ok $? "a typo'd argument attribute (vlaue) is rejected"
like "$out" "Invalid attribute: vlaue" "and named"

sed 's/repeat_key = true/repeat_key = yes/' nagios-check/upstreams.conf >"$work/bad.conf"
validate "include \"$work/bad.conf\""
[ "$rc" -ne 0 ]; ok $? "a bad value (repeat_key = yes) is rejected"

sed 's/check_command = "upstreams"/check_command = "upstream"/' \
    nagios-check/icinga2-example.conf >"$work/example.conf"
validate "include \"$REPO/nagios-check/upstreams.conf\"
include \"$work/example.conf\""
[ "$rc" -ne 0 ]; ok $? "the example with a misspelt command name is rejected"

# --- a real run against the replay ----------------------------------------------
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" two || exit 1

pd=$work/var/spool/icinga2/perfdata
cat >"$work/run.conf" <<EOF
const PluginContribDir = "$REPO/nagios-check"
const NodeName = "localhost"
include <itl>
include "$REPO/nagios-check/upstreams.conf"

object CheckerComponent "checker" { }
object FileLogger "debug" {
	path = "$work/var/log/icinga2/debug.log"
	severity = "debug"
}
object PerfdataWriter "perfdata" {
	service_perfdata_path = "$pd/service-perfdata"
	service_temp_path = "$work/var/spool/icinga2/service-perfdata.tmp"
	host_perfdata_path = "$pd/host-perfdata"
	host_temp_path = "$work/var/spool/icinga2/host-perfdata.tmp"
	service_format_template = "RESULT\t\$service.name\$\t\$service.state\$\t\$service.state_type\$\t\$service.output\$\t\$service.perfdata\$"
	rotation_interval = 1s
}
object Host "ris" {
	check_command = "dummy"
	enable_active_checks = false
}
object Service "dprk" {
	host_name = "ris"
	check_command = "upstreams"
	check_interval = 1s
	retry_interval = 1s
	max_check_attempts = 2
	vars.upstreams_asn = "AS131279"
	vars.upstreams_expect = [ "AS4837", "20485" ]
	vars.upstreams_ripestat_url = "$REPLAY_URL"
	vars.upstreams_max_age = "0"
	vars.upstreams_critical = "1:"
}
object Service "lg" {
	host_name = "ris"
	check_command = "upstreams"
	check_interval = 1s
	vars.upstreams_asn = "1205"
	vars.upstreams_source = "ripestat-looking-glass"
	vars.upstreams_prefix = [ "140.78.0.0/16" ]
	vars.upstreams_expect = "AS1853"
	vars.upstreams_ripestat_url = "$REPLAY_URL"
	vars.upstreams_max_age = "0"
}
object Service "joined" {
	host_name = "ris"
	check_command = "upstreams"
	check_interval = 1s
	vars.upstreams_asn = "1205"
	vars.upstreams_source = "ripestat-looking-glass"
	vars.upstreams_prefix = [ "140.78.0.0/16", "140.78.0.0/17" ]
	vars.upstreams_visibility = true
	vars.upstreams_ripestat_url = "$REPLAY_URL"
	vars.upstreams_max_age = "0"
}
/* Accepting once: --accept only while upstreams_accept_until is ahead. */
object Service "accepting" {
	host_name = "ris"
	check_command = "upstreams"
	check_interval = 1s
	vars.upstreams_asn = "131279"
	vars.upstreams_state_file = "$work/accepting.state"
	vars.upstreams_accept_until = get_time() + 3600
	vars.upstreams_source = [ "ripestat-bgp-state" ]
	vars.upstreams_expect_prefix = [ "175.45.176.0/24=4837", "175.45.177.0/24=4837" ]
	vars.upstreams_ripestat_url = "$REPLAY_URL"
	vars.upstreams_max_age = "0"
}
object Service "expired" {
	host_name = "ris"
	check_command = "upstreams"
	check_interval = 1s
	vars.upstreams_asn = "131279"
	vars.upstreams_state_file = "$work/expired.state"
	vars.upstreams_accept_until = get_time() - 60
	vars.upstreams_ripestat_url = "$REPLAY_URL"
	vars.upstreams_max_age = "0"
}
EOF
# Started directly (not through the function) so that $! is Icinga itself.
"$ICINGA2" daemon -DLocalStateDir="$work/var" -DRunDir="$work/run" \
    -c "$work/run.conf" >"$work/daemon.out" 2>&1 &
ICINGA_PID=$!

# results SERVICE: its check results so far, one a line (the long output's
# line breaks as " // "): RESULT, service, state, type, output, perfdata.
results() {
	cat "$pd"/service-perfdata* "$work"/var/spool/icinga2/service-perfdata.tmp \
	    2>/dev/null | awk -v s="$1" 'BEGIN { RS = "RESULT\t"; FS = "\t" }
		$1 == s { gsub(/\n+$/, ""); gsub(/\n/, " // "); print "RESULT\t" $0 }'
}
# wait_result SERVICE REGEX SECONDS: until a RESULT line of SERVICE matches.
wait_result() {
	local i
	for ((i = 0; i < $3 * 4; i++)); do
		results "$1" | grep -qE -- "$2" && return 0
		kill -0 "$ICINGA_PID" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}

wait_result dprk $'\tOK\tHARD\t' 60
ok $? "icinga2 runs the command: OK while both expected upstreams are there" ||
	tail -5 "$work/daemon.out" | sed 's/^/# /'
line=$(results dprk | grep -m1 $'\tOK\t')
like "$line" $'\tUPSTREAMS OK - 2 upstreams: AS4837 60\\.0%, AS20485 40\\.0%' "output of the check"
like "$line" 'AS20485: 40\.00% of paths' "long output kept"
like "$line" $'\tupstreams=2;;1:;0 .*AS20485=40\\.00%;;;0;100' "perfdata recorded (Icinga drops the label quotes)"

log=$work/var/log/icinga2/debug.log
cmd=$(grep -m1 "Running command '$REPO/nagios-check/check_upstreams' '--asn' 'AS131279'" "$log")
like "$cmd" "'--expect' 'AS4837' '--expect' '20485'" "an array is repeated with its key (repeat_key)"
like "$cmd" "'--critical' '1:'" "a string variable is passed"
grep -q -- "'--prefix'" <<<"$cmd"; [ $? -ne 0 ]; ok $? "an unset variable is left out (no --prefix)"
grep -qE -- "'--(accept|visibility|verbose)'" <<<"$cmd"; [ $? -ne 0 ]
ok $? "false flags are left out (set_if)"
like "$cmd" "'--source' 'ripestat-bgp-state' '--timeout' '30'" "the CheckCommand's defaults"

wait_result lg $'\tOK\t' 30
ok $? "looking-glass service with a one-prefix array: OK"
like "$(results lg | grep -m1 $'\tOK\t')" "AS1853=100\.00%" "all via AS1853"
cmd=$(grep -m1 "Running command .* '--prefix' '140.78.0.0/16,140.78.0.0/17'" "$log")
[ -n "$cmd" ]; ok $? "a prefix array is joined into one comma-separated argument"
like "$cmd" "'--visibility'" "a true flag is passed (set_if)"

wait_until_cmd() {  # wait_until_cmd REGEX SECONDS: a command line in the log
	local i
	for ((i = 0; i < $2 * 4; i++)); do
		grep -qE -- "$1" "$log" && return 0
		sleep 0.25
	done
	return 1
}
wait_until_cmd "Running command .*'--state-file' '$work/accepting.state'" 30
ok $? "the accepting service runs"
cmd=$(grep -m1 "Running command .*'--state-file' '$work/accepting.state'" "$log")
like "$cmd" "'--accept'" "--accept while upstreams_accept_until is in the future"
like "$cmd" "'--source' 'ripestat-bgp-state'" "a one-element source array is passed as its element"
like "$cmd" "'--expect-prefix' '175.45.176.0/24=4837' '--expect-prefix' '175.45.177.0/24=4837'" \
    "an expect-prefix array is repeated with its key"
wait_until_cmd "Running command .*'--state-file' '$work/expired.state'" 30
ok $? "the service with an expired upstreams_accept_until runs"
grep "Running command .*'--state-file' '$work/expired.state'" "$log" | grep -q -- "'--accept'"
[ $? -ne 0 ]; ok $? "no --accept once upstreams_accept_until has passed"
like "$(grep -m1 'Running command' "$log")" "Running command '$REPO/nagios-check/check_upstreams'" \
    "the command is PluginContribDir/check_upstreams (no PluginDir defined)"

replay_ctl "scenario?name=one"
wait_result dprk $'\tCRITICAL\tHARD\t' 60
ok $? "after the change: HARD CRITICAL"
like "$(results dprk | grep -m1 $'\tCRITICAL\tHARD\t')" 'AS20485 disappeared' "names the missing upstream"
results dprk | grep -q $'\tCRITICAL\tSOFT\t'
ok $? "a SOFT CRITICAL came first (max_check_attempts 2)"

tap_end
