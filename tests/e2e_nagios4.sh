#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Debian's Nagios 4 runs check_upstreams from the shipped command definitions
# (nagios-check/upstreams.cfg) and service template
# (nagios-check/upstreams-service.cfg) against the loopback replay: OK,
# then, once the replay adds an upstream, a HARD CRITICAL with the perfdata
# in status.dat.  Nagios runs from a private configuration in a temporary
# directory, one-second intervals, and is stopped on exit.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

NAGIOS=${NAGIOS:-$(command -v nagios4 || echo /usr/sbin/nagios4)}
REPO=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-nagios4.XXXXXX")
NAGIOS_PID=
stop_nagios() {
	[ -n "$NAGIOS_PID" ] || return 0
	kill "$NAGIOS_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$NAGIOS_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$NAGIOS_PID" 2>/dev/null
	wait "$NAGIOS_PID" 2>/dev/null
	NAGIOS_PID=
}
trap 'stop_nagios; stop_replay; rm -rf "$work"' EXIT

[ -x "$NAGIOS" ]; ok $? "nagios4 installed ($NAGIOS)" || { tap_end; exit 1; }
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

# Nagios drops privileges to nagios_user; as root (CI) it stays root, as
# anyone else it runs as that user.  Everything it touches is under $work.
user=$(id -un) group=$(id -gn)
mkdir -p "$work/var/spool/checkresults" "$work/var/rw" "$work/etc"
cat >"$work/etc/resource.cfg" <<EOF
\$USER1\$=$REPO/nagios-check
EOF
cat >"$work/etc/test.cfg" <<EOF
define timeperiod {
	timeperiod_name	always
	alias		always
	sunday		00:00-24:00
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
}
define command {
	command_name	host_up
	command_line	/bin/true
}
define contact {
	contact_name			nobody
	host_notifications_enabled	0
	service_notifications_enabled	0
	host_notification_period	always
	service_notification_period	always
	host_notification_options	n
	service_notification_options	n
	host_notification_commands	host_up
	service_notification_commands	host_up
}
define host {
	host_name		ris
	address			127.0.0.1
	check_command		host_up
	max_check_attempts	1
	check_period		always
	notification_period	always
	notification_interval	0
	contacts		nobody
}
define service {
	use			upstreams-service
	host_name		ris
	service_description	upstreams AS131279
	check_command		check_upstreams!131279!4837!--max-age 0 --ripestat-url $REPLAY_URL
	check_interval		1
	retry_interval		1
	max_check_attempts	2
	check_period		always
	notification_period	always
	notification_interval	0
	contacts		nobody
}
EOF
cat >"$work/etc/nagios.cfg" <<EOF
log_file=$work/var/nagios.log
cfg_file=$REPO/nagios-check/upstreams.cfg
cfg_file=$REPO/nagios-check/upstreams-service.cfg
cfg_file=$work/etc/test.cfg
resource_file=$work/etc/resource.cfg
object_cache_file=$work/var/objects.cache
precached_object_file=$work/var/objects.precache
status_file=$work/var/status.dat
status_update_interval=1
state_retention_file=$work/var/retention.dat
retain_state_information=0
use_retained_program_state=0
use_retained_scheduling_info=0
lock_file=$work/var/nagios.lock
temp_file=$work/var/nagios.tmp
temp_path=$work/var
check_result_path=$work/var/spool/checkresults
command_file=$work/var/rw/nagios.cmd
query_socket=$work/var/rw/nagios.qh
check_external_commands=0
nagios_user=$user
nagios_group=$group
interval_length=1
check_result_reaper_frequency=1
max_check_result_reaper_time=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
service_check_timeout=30
enable_notifications=0
enable_flap_detection=0
process_performance_data=0
use_syslog=0
log_rotation_method=n
log_service_retries=1
debug_level=0
illegal_macro_output_chars=\`~\$&|'"<>
EOF

out=$("$NAGIOS" -v "$work/etc/nagios.cfg" 2>&1)
ok $? "nagios4 -v accepts the configuration with upstreams.cfg and upstreams-service.cfg" ||
	grep -E 'Error|Warning' <<<"$out" | sed 's/^/# /'

"$NAGIOS" "$work/etc/nagios.cfg" >"$work/var/stdout" 2>&1 &
NAGIOS_PID=$!

# service_field NAME: the field of our service's block in status.dat.
service_field() {
	awk -v want="$1" '
		/^servicestatus \{/ { inblk = 1; ours = 0; val = ""; next }
		inblk && /^\t*service_description=upstreams AS131279$/ { ours = 1 }
		inblk && index($0, "\t" want "=") == 1 { val = substr($0, length(want) + 3) }
		inblk && /^\t*\}/ { if (ours) { print val; exit } inblk = 0 }
	' "$work/var/status.dat" 2>/dev/null
}

# wait_state STATE TYPE SECONDS: until current_state/state_type match.
wait_state() {
	local i
	for ((i = 0; i < $3 * 4; i++)); do
		if [ "$(service_field has_been_checked)" = 1 ] &&
		    [ "$(service_field current_state)" = "$1" ] &&
		    [ "$(service_field state_type)" = "$2" ]; then
			return 0
		fi
		kill -0 "$NAGIOS_PID" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}

wait_state 0 1 60
ok $? "nagios4 records OK (current_state=0, HARD) for the one-upstream replay" ||
	sed 's/^/# /' "$work/var/stdout" "$work/var/nagios.log" | tail -20
like "$(service_field plugin_output)" '^UPSTREAMS OK - 1 upstream: AS4837' "plugin_output is the status line"
like "$(service_field performance_data)" "'AS4837'=100\.00%" "performance_data holds the share"

replay_ctl "scenario?name=two"
wait_state 2 1 60
ok $? "after the change: HARD CRITICAL (current_state=2, state_type=1)"
is "$(service_field current_attempt)" 2 "reached through max_check_attempts=2 retries"
like "$(service_field plugin_output)" 'AS20485 appeared' "plugin_output names the new upstream"
like "$(service_field performance_data)" "'AS20485'=40\.00%" "performance_data records AS20485 at 40.00%"
like "$(service_field long_plugin_output)" 'AS20485: 40\.00% of paths' "long output kept"
grep -q 'SERVICE ALERT: ris;upstreams AS131279;CRITICAL;SOFT;1;' "$work/var/nagios.log"
ok $? "nagios.log: first a SOFT CRITICAL"
grep -q 'SERVICE ALERT: ris;upstreams AS131279;CRITICAL;HARD;2;' "$work/var/nagios.log"
ok $? "nagios.log: then the HARD CRITICAL alert"

tap_end
