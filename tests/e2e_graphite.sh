#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# collectd with the upstreams plugin writes through write_graphite into a
# real carbon-cache on loopback: the whisper files of
# testhost.upstreams-dprk.* hold the counts and shares, and follow the
# replay when it switches to another upstream set.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

CARBON_CACHE=${CARBON_CACHE:-$(command -v carbon-cache || echo /usr/bin/carbon-cache)}
WHISPER_FETCH=${WHISPER_FETCH:-$(command -v whisper-fetch || echo /usr/bin/whisper-fetch)}
CARBON_PID=

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-graphite.XXXXXX")
stop_carbon() {
	[ -n "$CARBON_PID" ] || return 0
	kill -TERM "$CARBON_PID" 2>/dev/null
	wait_until 10 bash -c "! kill -0 $CARBON_PID"
	kill -KILL "$CARBON_PID" 2>/dev/null
	wait "$CARBON_PID" 2>/dev/null
	CARBON_PID=
}
trap 'stop_collectd 5; stop_carbon; stop_replay; rm -rf "$work"' EXIT

for prog in "$CARBON_CACHE" "$WHISPER_FETCH"; do
	if [ ! -x "$prog" ]; then
		echo "# $prog not found (Debian: graphite-carbon, python3-whisper)" >&2
		exit 1
	fi
done

# Three free loopback ports, chosen by the kernel.
read -r carbon_port pickle_port query_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
collectd_prepare "$work" logfile csv write_graphite || exit 1
mkdir -p "$work/carbon/storage/whisper" "$work/carbon/log"
ports=(CARBON_PORT="$carbon_port" PICKLE_PORT="$pickle_port" QUERY_PORT="$query_port")
render_conf tests/collectd/carbon.conf.in "$work/carbon/carbon.conf" "${ports[@]}"
render_conf tests/collectd/storage-schemas.conf.in "$work/carbon/storage-schemas.conf"
render_conf tests/collectd/base.conf.in "$work/base.conf"
render_conf tests/collectd/graphite.conf.in "$work/collectd.conf" "${ports[@]}"

"$CARBON_CACHE" --config="$work/carbon/carbon.conf" --nodaemon start \
    >"$work/carbon.out" 2>&1 &
CARBON_PID=$!
wait_until 30 port_open "$carbon_port"
ok $? "carbon-cache listens on 127.0.0.1:$carbon_port"

start_collectd "$work/collectd.conf"
ok $? "collectd starts with write_graphite and the plugin"

wsp=$work/carbon/storage/whisper/testhost/upstreams-dprk

# wsp_last METRIC: the newest value stored in <metric>.wsp.
wsp_last() {
	local now
	now=$(date +%s)
	"$WHISPER_FETCH" --from=$((now - 600)) --until=$((now + 1)) "$wsp/$1.wsp" |
	    awk '$2 != "None" { v = $2 } END { if (v != "") print v }'
}

# wsp_is METRIC NUMBER: the newest stored value equals NUMBER (to 0.01).
wsp_is() {
	local v
	v=$(wsp_last "$1")
	[ -n "$v" ] && awk -v a="$v" -v b="$2" \
	    'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }'
}

wait_until 30 wsp_is count-upstreams 1
ok $? "testhost.upstreams-dprk.count-upstreams = 1"
wait_until 10 wsp_is percent-AS4837 100
ok $? "testhost.upstreams-dprk.percent-AS4837 = 100"
wait_until 10 wsp_is count-unexpected 0
ok $? "testhost.upstreams-dprk.count-unexpected = 0"
wait_until 10 wsp_is count-missing 0
ok $? "testhost.upstreams-dprk.count-missing = 0"
wait_until 10 wsp_is count-observations 42
ok $? "testhost.upstreams-dprk.count-observations = 42"
[ -f "$wsp/count-peers.wsp" ] && [ -f "$wsp/duration-data_age.wsp" ]
ok $? "count-peers and duration-data_age stored"
ls "$wsp" | sort | tr '\n' ' ' >"$work/metrics"
like "$(cat "$work/metrics")" '^bool-expected-AS4837\.wsp bool-present-AS4837\.wsp bool-read_success\.wsp count-malformed\.wsp count-missing\.wsp count-observations\.wsp count-others\.wsp count-peers\.wsp count-requests\.wsp count-unexpected\.wsp count-upstreams\.wsp duration-data_age\.wsp percent-AS4837\.wsp percent-others\.wsp $' \
    "exactly the documented metric names"

replay_ctl "scenario?name=two"
wait_until 30 wsp_is percent-AS20485 40
ok $? "after the switch: testhost.upstreams-dprk.percent-AS20485 = 40"
wait_until 10 wsp_is percent-AS4837 60
ok $? "testhost.upstreams-dprk.percent-AS4837 = 60"
wait_until 10 wsp_is count-unexpected 1
ok $? "testhost.upstreams-dprk.count-unexpected = 1"
wait_until 10 wsp_is count-upstreams 2
ok $? "testhost.upstreams-dprk.count-upstreams = 2"

# The series holds the reads before and after the switch: a step from 1
# to 2 upstreams, each at the time of its read.
steps=$("$WHISPER_FETCH" --from=$(($(date +%s) - 600)) "$wsp/count-upstreams.wsp" |
    awk '$2 != "None" { printf "%d\n", $2 }' | uniq | tr '\n' ' ')
is "$steps" "1 2 " "count-upstreams steps from 1 to 2"

stop_collectd 20
ok $? "collectd stops cleanly"
like "$(grep -c 'write_graphite.*failed\|send.*failed' "$work/collectd.log")" '^0$' \
    "write_graphite reported no send error"

tap_end
