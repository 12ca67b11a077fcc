#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# Nothing the plugin does holds collectd: with Timeout at an hour and a
# source that accepts connections and never answers, collectd stops on
# SIGTERM well inside this test's bound (the plugin's fetch threads stop
# at their next progress call); and a country read whose requests each
# fit in Timeout but not all together ends at Timeout, logged as such.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-shutdown.XXXXXX")
SILENT_PID=
trap 'stop_collectd 5; stop_replay; [ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null; rm -rf "$work"' EXIT

# A loopback server that accepts and never answers; it counts the
# connections into a file and stops on its own after 300 s.
python3 - "$work/silent.port" "$work/silent.count" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
s.settimeout(0.5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held, end = [], time.time() + 300
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    held.append(c)
    open(sys.argv[2], "w").write(str(len(held)))
PY
SILENT_PID=$!
wait_for "$work/silent.port" 20 || { echo "# silent server did not start" >&2; exit 1; }
silent_url="http://127.0.0.1:$(cat "$work/silent.port")"
connections() { cat "$work/silent.count" 2>/dev/null || echo 0; }
connections_over() { [ "$(connections)" -gt "$1" ]; }

collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$silent_url"
  Timeout 3600000
  Retries 3
  MaxInFlight 8
  <Target "dprk">
    ASN 131279
  </Target>
  <Target "kp">
    Country "KP"
  </Target>
  <Target "uni">
    ASN 1205
    Source "ripestat-looking-glass"
  </Target>
</Plugin>
CONF

# --- shutdown with every read hanging -----------------------------------------
start_collectd "$work/collectd.conf"
ok $? "collectd starts with three targets on a silent source"
wait_until 30 connections_over 2
ok $? "all three reads hang on the silent source ($(connections) connections)"
sleep 2
start=$(date +%s.%N)
stop_collectd 60
rc=$?
stop_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
is "$rc" 0 "collectd exits with status 0"
awk -v s="$stop_s" 'BEGIN { exit !(s < 15) }'
ok $? "collectd stops within 15 s with reads hanging under Timeout 1 h (${stop_s} s)"
like "$(cat "$work/collectd.log")" 'Exiting normally' "and exits normally"
is "$(log_count 'took longer than Timeout')" 0 "no read reported as timed out at shutdown"
is "$(log_count '\[error\] upstreams')" 0 "no error from the plugin at shutdown"
echo "# stop time with hanging reads: ${stop_s} s" >&2
[ -n "${UPM_BENCH_OUT:-}" ] && echo "stop_s=$stop_s" >>"$UPM_BENCH_OUT"

# --- a country read bounded as a whole ------------------------------------------
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" country || exit 1
replay_ctl "latency?ms=1500" || exit 1
rm -f "$work/collectd.log"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$REPLAY_URL"
  MaxAge 0
  Timeout 2000
  Retries 0
  <Target "kp">
    Country "KP"
  </Target>
</Plugin>
CONF
start_collectd "$work/collectd.conf"
ok $? "collectd starts with a country target, 1500 ms a request (the list, then one batch), Timeout 2000"
wait_until 30 grep -q 'target kp: timeout: the read took longer than Timeout (2000 ms)' "$work/collectd.log"
ok $? "the country read ends at Timeout as a whole"
wait_until 10 csv_is kp bool-read_success 0
ok $? "read_success 0"
start=$(date +%s.%N)
stop_collectd 60
stop2_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
awk -v s="$stop2_s" 'BEGIN { exit !(s < 15) }'
ok $? "and collectd stops promptly again (${stop2_s} s)"

tap_end
