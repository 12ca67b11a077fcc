#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# Real time into Nagios: collectd's notify_nagios writes the plugin's
# notifications as passive check results into the real nagios4's command
# file.  A passive service "upstreams-live/" (notify_nagios names it
# plugin-plugin_instance/ for a notification without a type) on the
# collectd host: OK from the OKAY of a flap, then CRITICAL after the
# replayed RIS Live change, well inside this test's own bound; the delay
# from the change leaving the replay server to Nagios' status is printed.
# collectd 5.12's notify_nagios seeks to the end of its CommandFile and so
# cannot write into Nagios' FIFO itself (collectd issue #2238): it writes a
# regular file, and "tail -F" relays the lines into the FIFO, as the
# README's configuration does.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

NAGIOS=${NAGIOS:-$(command -v nagios4 || echo /usr/sbin/nagios4)}
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-nagios-notify.XXXXXX") || exit 2
NAGIOS_PID= RL_PID= RELAY_PID=
stop_nagios() {
	[ -n "$NAGIOS_PID" ] || return 0
	kill "$NAGIOS_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$NAGIOS_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$NAGIOS_PID" 2>/dev/null
	wait "$NAGIOS_PID" 2>/dev/null
	NAGIOS_PID=
}
trap 'stop_collectd 5; [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null; stop_nagios; [ -n "$RL_PID" ] && kill "$RL_PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

[ -x "$NAGIOS" ]; ok $? "nagios4 installed ($NAGIOS)" || { tap_end; exit 1; }
user=$(id -un) group=$(id -gn)
mkdir -p "$work/var/spool/checkresults" "$work/var/rw" "$work/etc"
cat >"$work/etc/test.cfg" <<NAGIOSCFG
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
	host_name		testhost
	address			127.0.0.1
	check_command		host_up
	max_check_attempts	1
	check_period		always
	notification_period	always
	notification_interval	0
	contacts		nobody
}
# The collectd plugin's notifications for <Target "live">, passive only.
define service {
	host_name		testhost
	service_description	upstreams-live/
	check_command		host_up
	active_checks_enabled	0
	passive_checks_enabled	1
	check_freshness		0
	max_check_attempts	1
	check_interval		1
	retry_interval		1
	check_period		always
	notification_period	always
	notification_interval	0
	contacts		nobody
}
NAGIOSCFG
cat >"$work/etc/nagios.cfg" <<NAGIOSCFG
log_file=$work/var/nagios.log
cfg_file=$work/etc/test.cfg
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
check_external_commands=1
accept_passive_service_checks=1
nagios_user=$user
nagios_group=$group
interval_length=1
check_result_reaper_frequency=1
max_check_result_reaper_time=1
enable_notifications=0
enable_flap_detection=0
process_performance_data=0
use_syslog=0
log_rotation_method=n
log_passive_checks=1
log_service_retries=1
debug_level=0
NAGIOSCFG
out=$("$NAGIOS" -v "$work/etc/nagios.cfg" 2>&1)
ok $? "nagios4 -v accepts a passive service for the plugin's notifications" ||
	grep -E 'Error|Warning' <<<"$out" | sed 's/^/# /'
"$NAGIOS" "$work/etc/nagios.cfg" >"$work/var/stdout" 2>&1 &
NAGIOS_PID=$!
wait_until 30 test -p "$work/var/rw/nagios.cmd"
ok $? "nagios4 made its command file (a FIFO)"
: >"$work/notify_nagios.cmd"
tail -n +1 -F "$work/notify_nagios.cmd" >"$work/var/rw/nagios.cmd" 2>/dev/null &
RELAY_PID=$!

service_field() {
	awk -v want="$1" '
		/^servicestatus \{/ { inblk = 1; ours = 0; val = ""; next }
		inblk && /^\t*service_description=upstreams-live\/$/ { ours = 1 }
		inblk && index($0, "\t" want "=") == 1 { val = substr($0, length(want) + 3) }
		inblk && /^\t*\}/ { if (ours) { print val; exit } inblk = 0 }
	' "$work/var/status.dat" 2>/dev/null
}
state_is() {   # state_is STATE: checked, current_state STATE, HARD
	[ "$(service_field has_been_checked)" = 1 ] &&
	    [ "$(service_field current_state)" = "$1" ] &&
	    [ "$(service_field state_type)" = 1 ]
}

python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
python3 tests/rislive_replay.py --tree "$work/tree" --port-file "$work/rl.port" \
    --max-seconds 300 --beacon-every 1 &
RL_PID=$!
wait_for "$work/rl.port" 20 || exit 1
URL="http://127.0.0.1:$(cat "$work/rl.port")"
ctl() { curl -fsS --max-time 10 "$URL/_ctl/$1" >/dev/null; }

collectd_prepare "$work" logfile csv notify_nagios || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin notify_nagios
<Plugin notify_nagios>
  CommandFile "$work/notify_nagios.cmd"
</Plugin>
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$URL"
  RISLiveURL "$URL/v1/stream/?format=json&client=upstreams-test"
  <Target "live">
    ASN 131279
    Source "ris-live"
    Expect 4837
  </Target>
</Plugin>
CONF
start_collectd "$work/collectd.conf"
ok $? "collectd starts with notify_nagios and a ris-live target"
wait_until 30 csv_is live count-upstreams 1; ok $? "the table is seeded"

# A flap first, so that the passive service has a result: OK.
ctl "scenario?name=two"
ctl "scenario?name=one"
wait_until 30 state_is 0
ok $? "Nagios: the passive service OK after the OKAY notification"
like "$(service_field plugin_output)" 'upstream set back to baseline' "with the plugin's text"

t0=$(date +%s.%N)
ctl "scenario?name=two"
wait_until 30 state_is 2
ok $? "Nagios: the passive service CRITICAL after the replayed change"
t1=$(date +%s.%N)
like "$(service_field plugin_output)" 'AS20485 appeared' "plugin_output names the new upstream"
grep -q 'PASSIVE SERVICE CHECK: testhost;upstreams-live/;2;' "$work/var/nagios.log"
ok $? "nagios.log: the passive CRITICAL result"
delay=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "# change replayed to CRITICAL in Nagios' status.dat: $delay s (status.dat written every 1 s, polled every 0.2 s)" >&2
[ -n "${UPM_BENCH_OUT:-}" ] && echo "nagios_s=$delay" >>"$UPM_BENCH_OUT"

tap_end
