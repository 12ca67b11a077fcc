#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# The real collectd daemon loads the built upstreams.so with three targets
# at a 1 s interval against the loopback replay server: values in the csv
# plugin's files, FAILURE/OKAY notifications (through the logfile plugin)
# when the replay switches to another upstream set and back, a fault that
# is logged once and dispatches nothing, and configurations with broken
# blocks.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-collectd.XXXXXX")
trap 'stop_collectd 5; stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
collectd_prepare "$work" logfile csv unixsock threshold || exit 1
mkdir -p "$work/state"
render_conf tests/collectd/base.conf.in "$work/base.conf"
render_conf tests/collectd/e2e.conf.in "$work/collectd.conf"

start_collectd "$work/collectd.conf"
ok $? "collectd starts with the plugin"
like "$(cat "$work/collectd.log")" 'plugin "upstreams" successfully loaded' \
    "upstreams.so loaded"

# ours SEVERITY TARGET: the plugin's own notifications (those of the
# threshold plugin carry a type); empty arguments match any.
ours() {
	log_count "Notification: severity = ${1:-[A-Z]+}, host = testhost, plugin = upstreams, plugin_instance = ${2:-[a-z_]+}, message = upstreams "
}
ours_seen() { [ "$(ours "$@")" -gt 0 ]; }

# --- one upstream ------------------------------------------------------------
wait_until 20 csv_is dprk count-upstreams 1
ok $? "dprk: count-upstreams 1"
csv_is dprk percent-AS4837 100; ok $? "dprk: percent-AS4837 100"
csv_is dprk count-unexpected 0; ok $? "dprk: count-unexpected 0"
csv_is dprk count-missing 0; ok $? "dprk: count-missing 0"
csv_is dprk count-observations 42; ok $? "dprk: count-observations 42"
like "$(csv_last dprk count-peers)" '^[1-9][0-9]*\.' "dprk: count-peers reported"
age=$(csv_last dprk duration-data_age)
awk -v a="${age:-0}" 'BEGIN { exit !(a > 8 * 365 * 86400) }'
ok $? "dprk: duration-data_age counts from the 2017 data time ($age s)"
wait_until 20 csv_is uni percent-AS1853 100
ok $? "uni (looking glass, recorded 2025 answer): percent-AS1853 100"
csv_is uni count-observations 421; ok $? "uni: count-observations 421"
wait_until 20 csv_is kp_state count-upstreams 1
ok $? "kp_state: count-upstreams 1"
like "$(cat "$work/state/AS131279.state" 2>&1)" 'upstreams 4837' \
    "kp_state: baseline learned into the state file"
is "$(log_count 'target kp_state: learned baseline AS4837 into')" 1 \
    "learning logged once"
csv_is kp_state percent-visibility_v4 83.33
ok $? "kp_state: percent-visibility_v4 83.33 (10 of 12 RIS peers)"
csv_is kp_state percent-visibility_v6 0
ok $? "kp_state: percent-visibility_v6 0"
[ -z "$(csv_last dprk percent-visibility_v4)" ]
ok $? "dprk: no visibility values unless asked for"
is "$(ours '' '')" 0 "no notification from the plugin while the set is the baseline"
is "$(log_count '\[(error|warning)\] upstreams')" 0 "no error or warning from the plugin"
nagios() {  # nagios VALUE-SPEC RANGE: collectd-nagios, sets out and rc
	out=$(timeout 10 collectd-nagios -s "$work/collectd-unixsock" \
	    -H testhost -n "$1" -c "$2" 2>&1)
	rc=$?
}
nagios upstreams-dprk/count-unexpected 0:0
is "$rc" 0 "collectd-nagios on count-unexpected: OK"
like "$out" '^OKAY' "collectd-nagios says OKAY"
log=$(curl -fsS --max-time 5 "$REPLAY_URL/_replay/log")
like "$log" 'upstreams-test' "SourceApp sent to the server"

# --- the 60/40 change ----------------------------------------------------------
replay_ctl "scenario?name=two"
wait_until 20 ours_seen FAILURE dprk
ok $? "dprk: notification after the switch"
like "$(grep 'plugin_instance = dprk, message' "$work/collectd.log")" \
    'severity = FAILURE, host = testhost, plugin = upstreams, plugin_instance = dprk, message = upstreams dprk \(AS131279\): AS20485 appeared \(40\.0%\)' \
    "dprk: FAILURE names target, AS and share"
wait_until 10 grep -q 'plugin_instance = kp_state, message = .*AS20485 appeared' \
    "$work/collectd.log"
ok $? "kp_state: FAILURE against the learned baseline"
wait_until 10 csv_is dprk count-unexpected 1
ok $? "dprk: count-unexpected 1"
csv_is dprk percent-AS20485 40; ok $? "dprk: percent-AS20485 40"
csv_is dprk percent-AS4837 60; ok $? "dprk: percent-AS4837 60"
csv_is dprk count-upstreams 2; ok $? "dprk: count-upstreams 2"
[ -z "$(csv_last dprk percent-AS64509)" ]; ok $? "dprk: the lateral noise AS64509 is no upstream: no share dispatched"
rows=$(csv_rows dprk count-unexpected)
wait_until 10 csv_rows_over dprk count-unexpected $((rows + 2))
ok $? "dprk: reads go on"
is "$(ours FAILURE dprk)" 1 \
    "dprk: FAILURE not repeated on every read"
is "$(ours '' uni)" 0 "uni: unaffected, no notification"
like "$(grep 'type = count' "$work/collectd.log")" \
    'severity = FAILURE.*plugin_instance = dprk, type = count, type_instance = unexpected' \
    "threshold plugin: FAILURE on count-unexpected, no ASN configured"
nagios upstreams-dprk/count-unexpected 0:0
is "$rc" 2 "collectd-nagios on count-unexpected: CRITICAL"
like "$out" '^CRITICAL' "collectd-nagios says CRITICAL"

# --- back --------------------------------------------------------------------------
replay_ctl "scenario?name=one"
wait_until 20 ours_seen OKAY dprk
ok $? "dprk: OKAY after the switch back"
like "$(grep 'severity = OKAY.*plugin_instance = dprk, message' "$work/collectd.log")" \
    'message = upstreams dprk \(AS131279\): upstream set back to baseline: AS4837' \
    "dprk: OKAY message"
wait_until 10 csv_is dprk count-unexpected 0
ok $? "dprk: count-unexpected back to 0"
rows=$(csv_rows dprk count-unexpected)
wait_until 10 csv_rows_over dprk count-unexpected $((rows + 1))
is "$(ours OKAY dprk)" 1 "dprk: OKAY once"

# --- a fault: logged once, read_success 0 with the last values, recovery ---------
replay_ctl "fault?kind=status&arg=503&count=-1"
wait_until 20 grep -q '\[error\] upstreams plugin: target dprk: ' "$work/collectd.log"
ok $? "dprk: failing read logged"
like "$(grep '\[error\] upstreams plugin: target dprk: ' "$work/collectd.log")" \
    '503' "the error names the HTTP status"
sleep 1   # a read that was already past its fetch may still dispatch
rows=$(csv_rows dprk count-upstreams)
sleep 5
[ "$(csv_rows dprk count-upstreams)" -ge $((rows + 4)) ] &&
    csv_is dprk bool-read_success 0
ok $? "dprk: the last values go on during the fault, with read_success 0"
is "$(log_count '\[error\] upstreams plugin: target dprk: ')" 1 \
    "dprk: the failure is logged once, not on every read"
is "$(log_count "read-function of plugin .upstreams-dprk. failed")" 0 \
    "the read returned 0: collectd keeps the interval"
replay_ctl reset
wait_until 20 grep -q 'upstreams plugin: target dprk: reading works again' \
    "$work/collectd.log"
ok $? "dprk: recovery logged"
wait_until 10 csv_rows_over dprk count-upstreams "$rows"
ok $? "dprk: values again after the fault"
csv_is dprk count-upstreams 1; ok $? "dprk: count-upstreams 1 again"
is "$(ours '' dprk)" 2 \
    "the fault caused no notification"

stop_collectd 20
ok $? "collectd stops cleanly on SIGTERM"
like "$(cat "$work/collectd.log")" 'Exiting normally' "collectd says it exited normally"

# --- broken blocks -------------------------------------------------------------
rm -rf "$work/csv" "$work/collectd.log"
render_conf tests/collectd/broken.conf.in "$work/broken.conf"
start_collectd "$work/broken.conf"
ok $? "collectd starts with broken blocks beside a good one"
logtext=$(cat "$work/collectd.log")
like "$logtext" "\[warning\] upstreams plugin: unknown config key 'Expected' in <Target \"bad_key\">" \
    "unknown key: warning names key and block"
like "$logtext" "\[warning\] upstreams plugin: invalid value for 'ASN' in <Target \"bad_asn\">: invalid AS number 'AS13x'" \
    "bad ASN: warning names key, block and value"
like "$logtext" "\[warning\] upstreams plugin: <Target \"no_asn\">: no ASN given" \
    "missing ASN warned"
like "$logtext" "\[warning\] upstreams plugin: duplicate target name 'dprk'" \
    "duplicate name warned"
like "$logtext" "\[warning\] upstreams plugin: <Target> needs one name" \
    "bad target name warned"
wait_until 20 csv_is dprk count-upstreams 1
ok $? "the good target still reports"
ls "$work/csv/testhost" >"$work/dirs"
is "$(cat "$work/dirs")" "upstreams-dprk" "and only the good target"
stop_collectd 20

# --- no usable block: the configuration fails ----------------------------------
rm -f "$work/collectd.log"
render_conf tests/collectd/unusable.conf.in "$work/unusable.conf"
timeout 20 "$COLLECTD" -f -C "$work/unusable.conf" >"$work/t.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
ok $? "collectd refuses to start without a usable target (status $rc)"
like "$(cat "$work/collectd.log" "$work/t.out" 2>/dev/null)" \
    'upstreams plugin: no usable <Target> block' "and says why"

tap_end
