#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# Values other tools alert on, with the real collectd: present/expected
# gauges by upstream name for the threshold plugin and for collectd-nagios
# over the unixsock plugin; a total outage (zeros and a FAILURE, also
# without a baseline when routing-status last saw the target); a source
# that fails (read_success 0, the last values go on, collectd keeps the
# interval, requests paced); values for present and baseline upstreams
# only (field case 06); a notification that fits collectd's message field
# (field case 09).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

NAGIOS=${COLLECTD_NAGIOS:-$(command -v collectd-nagios || echo /usr/bin/collectd-nagios)}
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-collectd-alerts.XXXXXX")
trap 'stop_collectd 5; stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_alerts.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
collectd_prepare "$work" logfile csv unixsock threshold || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
render_conf tests/collectd/alerts.conf.in "$work/collectd.conf" \
    "FIELD=$PWD/tests/fixtures/field"

start_collectd "$work/collectd.conf"
ok $? "collectd starts with the plugin, unixsock and threshold"

# nagios SPEC RANGE: collectd-nagios' exit status for one value.
nagios() {
	"$NAGIOS" -s "$work/collectd.sock" -H testhost -n "$1" -g none -c "$2" \
	    >"$work/nagios.out" 2>&1
}
threshold_seen() {   # threshold_seen SEVERITY TYPE-INSTANCE
	[ "$(log_count "Notification: severity = $1, host = testhost, plugin = upstreams, plugin_instance = dprk, type = bool, type_instance = $2")" -gt 0 ]
}
ours_seen() {        # ours_seen SEVERITY TARGET REGEX
	[ "$(log_count "Notification: severity = $1, host = testhost, plugin = upstreams, plugin_instance = $2, message = $3")" -gt 0 ]
}

# --- the expected upstream, present -------------------------------------------
wait_until 20 csv_is dprk bool-present-AS4837 1
ok $? "bool-present-AS4837 1"
csv_is dprk bool-expected-AS4837 1; ok $? "bool-expected-AS4837 1"
csv_is dprk bool-read_success 1; ok $? "bool-read_success 1"
csv_is dprk percent-others 0; ok $? "percent-others 0"
csv_is dprk count-others 0; ok $? "count-others 0"
csv_is dprk count-malformed 0; ok $? "count-malformed 0"
age=$(csv_last dprk duration-data_age)
awk -v a="${age:-999}" 'BEGIN { exit !(a >= 60 && a < 600) }'
ok $? "duration-data_age of a fresh answer ($age s)"
if [ -x "$NAGIOS" ]; then
	nagios upstreams-dprk/bool-present-AS4837 0.5:
	is "$?" 0 "collectd-nagios: AS4837 present: OK"
	nagios upstreams-dprk/bool-read_success 0.5:
	is "$?" 0 "collectd-nagios: read_success: OK"
else
	ok 0 "# skip collectd-nagios not installed"
	ok 0 "# skip collectd-nagios not installed"
fi

# --- a total outage without a baseline, routing-status' last_seen ------------------
wait_until 20 ours_seen FAILURE lost 'upstreams lost \(AS64511\): all upstreams disappeared: no route to AS64511 seen by any of 6 sessions that see the control 193\.0\.0\.0/21; routing-status last saw it at 2025-06-11T08:00:00 UTC$'
ok $? "lost: FAILURE notification without a baseline (routing-status last_seen)"
msg=$(grep -a 'plugin_instance = lost, message = ' "$work/collectd.log" | head -n 1 | sed 's/.*message = //')
[ -n "$msg" ] && [ "${#msg}" -le 255 ]; ok $? "lost: message ${#msg} bytes, within collectd's field"
wait_until 10 csv_is lost count-upstreams 0
ok $? "lost: count-upstreams 0"
csv_is lost bool-read_success 1; ok $? "lost: the read itself worked"
[ ! -e "$work/lost.state" ]; ok $? "lost: no baseline learned from an outage"
is "$(log_count 'target lost: .*baseline')" 0 "lost: no baseline logged"

# --- an upstream appears --------------------------------------------------------------
replay_ctl "scenario?name=two"
wait_until 20 csv_is dprk bool-present-AS20485 1
ok $? "bool-present-AS20485 1 when it appears"
csv_is dprk bool-expected-AS20485 0; ok $? "bool-expected-AS20485 0"
wait_until 10 threshold_seen FAILURE present-AS20485
ok $? "threshold plugin: FAILURE for present-AS20485 (appeared, by name)"
if [ -x "$NAGIOS" ]; then
	nagios upstreams-dprk/bool-present-AS20485 0:0.5
	is "$?" 2 "collectd-nagios: AS20485 appeared: CRITICAL"
else
	ok 0 "# skip collectd-nagios not installed"
fi

# --- a total outage -------------------------------------------------------------------------
replay_ctl "scenario?name=outage"
wait_until 20 csv_is dprk count-upstreams 0
ok $? "outage: count-upstreams 0"
csv_is dprk percent-AS4837 0; ok $? "outage: percent-AS4837 0 (baseline at zero)"
csv_is dprk bool-present-AS4837 0; ok $? "outage: bool-present-AS4837 0"
csv_is dprk bool-read_success 1; ok $? "outage: the read itself worked"
wait_until 10 ours_seen FAILURE dprk 'upstreams dprk \(AS131279\): all upstreams disappeared: no route to AS131279 seen by any of 6 sessions that see the control 193\.0\.0\.0/21'
ok $? "outage: FAILURE notification says all upstreams disappeared"
wait_until 10 threshold_seen FAILURE present-AS4837
ok $? "threshold plugin: FAILURE for present-AS4837 (disappeared, by name)"
if [ -x "$NAGIOS" ]; then
	nagios upstreams-dprk/bool-present-AS4837 0.5:
	is "$?" 2 "collectd-nagios: AS4837 disappeared: CRITICAL"
else
	ok 0 "# skip collectd-nagios not installed"
fi

# --- the source fails -------------------------------------------------------------------------
replay_ctl "scenario?name=one"
wait_until 20 csv_is dprk count-upstreams 1
ok $? "back to one upstream"
wait_until 10 ours_seen OKAY dprk 'upstreams dprk \(AS131279\): upstream set back to baseline: AS4837'
ok $? "OKAY notification when it is back"
replay_ctl "fault?kind=status&count=-1&arg=503"
wait_until 20 csv_is dprk bool-read_success 0
ok $? "a failing source: bool-read_success 0"
n=$(csv_rows dprk bool-read_success)
wait_until 10 csv_rows_over dprk bool-read_success $((n + 3))
ok $? "values go on at every interval while it fails"
csv_is dprk bool-present-AS4837 1; ok $? "the last present gauge goes on"
csv_is dprk count-upstreams 1; ok $? "the last count goes on"
is "$(log_count 'read-function of plugin .upstreams-dprk. failed')" 0 \
    "collectd never sees a failed read (it keeps the interval)"
is "$(log_count 'target dprk: reads fail: requests to the source are paced')" 1 \
    "the backoff is logged once"
requests() {
	curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'
}
reqs=$(requests); rows=$(csv_rows dprk bool-read_success)
sleep 8
reqs2=$(requests); rows2=$(csv_rows dprk bool-read_success)
[ $((reqs2 - reqs)) -le 2 ] && [ $((rows2 - rows)) -ge 6 ]
ok $? "paced: $((reqs2 - reqs)) requests to the source for $((rows2 - rows)) reads"
if [ -x "$NAGIOS" ]; then
	nagios upstreams-dprk/bool-read_success 0.5:
	is "$?" 2 "collectd-nagios: read_success 0: CRITICAL"
else
	ok 0 "# skip collectd-nagios not installed"
fi

# --- field case 06: values for present and baseline upstreams only -----------------------------
wait_until 20 csv_is cdn count-upstreams 2
ok $? "cdn: two upstreams"
files=$(ls "$work/csv/testhost/upstreams-cdn" | grep -c '^percent-AS')
is "$files" 2 "cdn: two percent-AS value files (about 600 first hops below the thresholds)"
# The first hops seen by one vantage AS each, without provider evidence,
# are lateral neighbours: kept apart from the shares and from "others".
[ -n "$(csv_last cdn percent-others)" ] && [ -n "$(csv_last cdn count-others)" ]
ok $? "cdn: percent-others and count-others dispatched"
[ ! -e "$work/csv/testhost/upstreams-cdn/percent-AS20000-$(date +%Y-%m-%d)" ]
ok $? "cdn: no value file for a first hop that is only the collector peer itself"

# --- field case 09: a notification that fits ---------------------------------------------------------
wait_until 20 ours_seen FAILURE cu_global 'upstreams cu_global'
ok $? "cu_global: FAILURE notification"
msg=$(grep -a 'plugin_instance = cu_global, message = ' "$work/collectd.log" | head -n 1 | sed 's/.*message = //')
[ "${#msg}" -le 255 ]; ok $? "cu_global: message ${#msg} bytes, within collectd's field"
like "$msg" '^upstreams cu_global \(AS10099\): AS58453 appeared \(5\.0%\); 20 upstreams: ' "cu_global: the change first"
like "$msg" ', AS[0-9]+ 5\.0% \.\.\. and [0-9]+ more$' "cu_global: ends cleanly with ... and N more"
listed=$(grep -oE 'AS[0-9]+ 5\.0%' <<<"${msg#*upstreams: }" | wc -l)
more=$(sed -E 's/.* and ([0-9]+) more$/\1/' <<<"$msg")
is "$((listed + more))" 20 "cu_global: listed ($listed) and more ($more) add up to 20"

stop_collectd
is "$?" 0 "collectd stops cleanly"
tap_end
