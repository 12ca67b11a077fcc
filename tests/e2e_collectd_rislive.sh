#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# Source "ris-live" in the real collectd against the loopback RIS Live
# replay (tests/rislive_replay.py, which also answers the seed's bgp-state
# and the backfill's bgp-updates): the subscriptions, the seed, a
# FAILURE within seconds of a replayed change and an OKAY when it is
# undone, Hold (a flap is never notified, a lasting change is), a peer
# going down, garbage, long lines, floods and prefixes nobody asked for
# without growth, a stall and lagging messages (read_success 0, logged
# once, recovery), a
# disconnect whose gap is backfilled, a slow-consumer disconnect, a
# prompt stop; then streams that cannot connect (a refused port, a server
# that never answers): read_success 0 within seconds, 1 once it comes up.  Every bound is well inside this test's own timeout.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-rislive.XXXXXX")
RL_PID=
trap 'stop_collectd 5; [ -n "$RL_PID" ] && kill "$RL_PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
python3 tests/rislive_replay.py --tree "$work/tree" --port-file "$work/rl.port" \
    --max-seconds 500 --beacon-every 1 &
RL_PID=$!
wait_for "$work/rl.port" 20 || { echo "# replay did not start" >&2; exit 1; }
URL="http://127.0.0.1:$(cat "$work/rl.port")"
ctl() { curl -fsS --max-time 10 "$URL/_ctl/$1" >/dev/null; }
rl_log() { curl -fsS --max-time 5 "$URL/_ctl/log"; }

collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$URL"
  RISLiveURL "$URL/v1/stream/?format=json&client=upstreams-test"
  RISLiveMaxSilence 6
  RISLiveMaxLag 5
  Timeout 5000
  Retries 0
  <Target "live">
    ASN 131279
    Source "ris-live"
    Expect 4837
  </Target>
  <Target "live_hold">
    ASN 131279
    Source "ris-live"
    Expect 4837
    Hold 3s
  </Target>
</Plugin>
CONF

ours() {  # ours SEVERITY TARGET: the plugin's notifications so far
	log_count "Notification: severity = $1, host = testhost, plugin = upstreams, plugin_instance = $2, message = upstreams "
}
ours_over() { [ "$(ours "$1" "$2")" -gt "$3" ]; }

start_collectd "$work/collectd.conf"
ok $? "collectd starts with two ris-live targets"
wait_until 20 csv_is live count-upstreams 1
ok $? "the table is seeded from bgp-state: count-upstreams 1"
obs_seed=$(csv_last live count-observations)
awk -v a="$obs_seed" 'BEGIN { exit !(a >= 40) }'
ok $? "the snapshot's routes in the table ($obs_seed observations)"
wait_until 10 csv_is live bool-read_success 1; ok $? "read_success 1"
subs=$(rl_log)
like "$subs" 'type[^,]*UPDATE' "an UPDATE subscription"
like "$subs" '175\.45\.176\.0/24' "with the target's prefixes"
like "$subs" '84\.205\.64\.0/24' "and the RIS beacon"
like "$subs" 'moreSpecific[^,]*true' "more-specifics included"
like "$subs" 'RIS_PEER_STATE' "peer states subscribed on their own"
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for s in d["subscriptions"] if "UPDATE" in s))' <<<"$subs")" 1 \
    "two targets share one update stream"

# --- a flap shorter than Hold ---------------------------------------------------
ctl "scenario?name=two"
ctl "scenario?name=one"
wait_until 15 ours_over OKAY live 0
ok $? "a flap: FAILURE and OKAY for the target without Hold"
sleep 5
is "$(ours FAILURE live_hold)" 0 "no notification for the target with Hold 3"

# --- a change that lasts ------------------------------------------------------------
t0=$(date +%s.%N)
ctl "scenario?name=two"
wait_until 15 ours_over FAILURE live 1
ok $? "FAILURE from the stream thread, not at a read"
t1=$(date +%s.%N)
echo "# replayed change to FAILURE in the log: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (polled every 0.2 s)" >&2
like "$(grep 'plugin_instance = live, message' "$work/collectd.log" | tail -n 1)" \
    'AS20485 appeared' "the message names the new upstream"
wait_until 15 ours_over FAILURE live_hold 0
ok $? "the target with Hold notifies once the change lasted 3 s"
wait_until 10 csv_is live count-upstreams 2
ok $? "values: count-upstreams 2"
wait_until 10 csv_is live count-unexpected 1; ok $? "count-unexpected 1"

# --- a peer goes down -------------------------------------------------------------------
obs_before=$(csv_last live count-observations)
ctl "peer_down?peer=192.0.2.7"
wait_until 10 csv_is live count-observations "$(awk -v a="$obs_before" 'BEGIN { print a - 4 }')"
ok $? "a peer going down drops its 4 routes ($obs_before before)"

# --- garbage, long lines, floods, prefixes not asked for ---------------------------------
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$COLLECTD_PID/status"; }
obs=$(csv_last live count-observations)
rss0=$(rss)
ctl garbage
ctl "unasked?n=20000"
ctl "flood?n=20000"
sleep 4
kill -0 "$COLLECTD_PID"; ok $? "collectd lives through garbage and floods"
wait_until 10 csv_is live count-observations "$obs"
ok $? "observations unchanged ($obs)"
rss1=$(rss)
awk -v a="$rss0" -v b="$rss1" 'BEGIN { exit !(b - a < 16384) }'
ok $? "resident memory grows less than 16 MiB ($rss0 -> $rss1 KiB)"
is "$(log_count 'upstreams plugin: target live: ')" 0 "nothing logged for the target"

# --- a stall --------------------------------------------------------------------------------
ctl "stall?s=12"
wait_until 15 grep -q 'target live: ris-live: no message for' "$work/collectd.log"
ok $? "a silent stream is a failed source"
wait_until 5 csv_is live bool-read_success 0; ok $? "read_success 0"
wait_until 25 grep -q 'target live: ris-live: the stream works again' "$work/collectd.log"
ok $? "and the recovery is logged"
is "$(log_count 'target live: ris-live: no message for')" 1 "the failure logged once"
wait_until 10 csv_is live bool-read_success 1; ok $? "read_success 1 again"
like "$(cat "$work/collectd.log")" 'ris-live: stream ended: no data for 6 s' \
    "the stalled stream was dropped and reopened"

# --- messages lagging the clock ---------------------------------------------------------
ctl "lag?s=120"
wait_until 20 grep -q 'target live: ris-live: messages lag the clock by 1[0-9][0-9] s (limit 5 s)' "$work/collectd.log"
ok $? "messages 120 s old for 5 s (RISLiveMaxLag 5): a failed source, logged"
wait_until 5 csv_is live bool-read_success 0; ok $? "read_success 0"
ctl "lag?s=0"
lag_back() { [ "$(log_count 'target live: ris-live: the stream works again')" -ge 2 ]; }
wait_until 15 lag_back; ok $? "fresh messages again: the stream works again"
wait_until 10 csv_is live bool-read_success 1; ok $? "read_success 1"

# --- a disconnect: the gap comes from bgp-updates ------------------------------------------
okays=$(ours OKAY live)
ctl "disconnect?hold=2"
sleep 0.5
ctl "scenario?name=one"
wait_until 30 ours_over OKAY live "$okays"
ok $? "the change made while disconnected is backfilled: OKAY"
wait_until 10 csv_is live count-upstreams 1; ok $? "count-upstreams 1"

# --- a slow consumer -----------------------------------------------------------------------------
clients() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$(rl_log)"; }
streams_up() { [ "$(clients clients)" -ge 2 ]; }
wait_until 20 streams_up; ok $? "both streams are connected again"
conns=$(clients connections)
ctl slow
wait_until 10 grep -q 'ris-live: the server says: Client is too slow' "$work/collectd.log"
ok $? "a slow-consumer disconnect is logged"
more_conns() { [ "$(clients connections)" -gt "$conns" ] && streams_up; }
wait_until 20 more_conns
ok $? "and the stream is reopened ($(clients connections) connections so far)"
is "$(log_count '\[error\] upstreams plugin: target live_hold')" 2 \
    "two errors for the Hold target: the stall's and the lag's"
stream_ends=$(log_count 'ris-live: stream ended: ')
[ "$stream_ends" -ge 3 ]
ok $? "every end of the stream logged ($stream_ends: the stall, the disconnect, the slow reader)"
returns_all() { [ "$(log_count 'ris-live: the stream is back')" -ge "$stream_ends" ]; }
wait_until 10 returns_all
ok $? "and every return ($(log_count 'ris-live: the stream is back'))"

start=$(date +%s.%N)
stop_collectd 60
rc=$?
stop_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
is "$rc" 0 "collectd exits with status 0"
awk -v s="$stop_s" 'BEGIN { exit !(s < 15) }'
ok $? "and stops within 15 s with the streams open (${stop_s} s)"
like "$(cat "$work/collectd.log")" 'Exiting normally' "exits normally"

# --- a stream that cannot connect -------------------------------------------------------
# One block whose RISLiveURL is refused (nothing listens there until a
# second replay comes up on that port) and one whose server accepts and
# never answers: read_success 0 once the connection grace (5 s) is over,
# not after RISLiveMaxSilence.
root=$work
work=$root/down
trap 'stop_collectd 5; [ -n "$RL_PID" ] && kill "$RL_PID" 2>/dev/null; [ -n "${RL2_PID:-}" ] && kill "$RL2_PID" 2>/dev/null; [ -n "${MUTE_PID:-}" ] && kill "$MUTE_PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$root"' EXIT
mkdir -p "$work"
late=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$work/mute.port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
s.settimeout(1)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held, end = [], time.time() + 300
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
PY
MUTE_PID=$!
wait_for "$work/mute.port" 20 || { echo "# silent server did not start" >&2; exit 1; }
collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$URL"
  RISLiveURL "http://127.0.0.1:$late/v1/stream/?format=json&client=upstreams-test"
  Timeout 5000
  Retries 0
  <Target "refused">
    ASN 131279
    Source "ris-live"
    Expect 4837
  </Target>
</Plugin>
<Plugin upstreams>
  RipestatURL "$URL"
  RISLiveURL "http://127.0.0.1:$(cat "$work/mute.port")/v1/stream/?format=json&client=upstreams-test"
  Timeout 5000
  Retries 0
  <Target "mute">
    ASN 131279
    Source "ris-live"
    Expect 4837
  </Target>
</Plugin>
CONF
start_collectd "$work/collectd.conf"
ok $? "collectd starts with streams that cannot connect"
wait_until 20 csv_is refused count-upstreams 1
ok $? "refused: the table is seeded (count-upstreams 1)"
wait_until 20 csv_is mute count-upstreams 1
ok $? "mute: the table is seeded (count-upstreams 1)"
wait_until 20 grep -q 'target refused: ris-live: the stream is not connected (for [0-9]* s): Couldn' "$work/collectd.log"
ok $? "refused: not connected, logged with the reason"
wait_until 5 csv_is refused bool-read_success 0; ok $? "refused: read_success 0"
wait_until 20 grep -q 'target mute: ris-live: the stream is not connected (for [0-9]* s): no answer' "$work/collectd.log"
ok $? "mute: not connected, logged"
wait_until 5 csv_is mute bool-read_success 0; ok $? "mute: read_success 0"
sleep 3
csv_is refused bool-read_success 0 && csv_is mute bool-read_success 0
ok $? "and it stays 0"
is "$(log_count 'target (refused|mute): ris-live: the stream is not connected')" 2 \
    "logged once per target"
python3 tests/rislive_replay.py --tree "$root/tree" --port "$late" \
    --port-file "$work/rl2.port" --max-seconds 200 --beacon-every 1 &
RL2_PID=$!
wait_for "$work/rl2.port" 20 || { echo "# second replay did not start" >&2; exit 1; }
wait_until 60 grep -q 'target refused: ris-live: the stream works again' "$work/collectd.log"
ok $? "refused: the server comes up, the stream works again"
wait_until 10 csv_is refused bool-read_success 1; ok $? "refused: read_success 1"
csv_is mute bool-read_success 0; ok $? "mute: still read_success 0"
stop_collectd 30
is "$?" 0 "collectd stops with a connection that never answers"

tap_end
