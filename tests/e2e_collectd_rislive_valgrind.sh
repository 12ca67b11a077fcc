#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# collectd with two ris-live targets under valgrind through changes,
# garbage, a peer going down and three reconnects (a disconnect, a stall,
# a slow-consumer error), stopped with SIGTERM: valgrind must find no
# error and no definite or indirect leak in a stack through the plugin or
# the library.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

if ! command -v valgrind >/dev/null 2>&1; then
	echo "# valgrind not found (Debian: valgrind)" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-rl-vg.XXXXXX")
RL_PID=
trap 'stop_collectd 5; [ -n "$RL_PID" ] && kill "$RL_PID" 2>/dev/null; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
python3 tests/rislive_replay.py --tree "$work/tree" --port-file "$work/rl.port" \
    --max-seconds 500 --beacon-every 1 &
RL_PID=$!
wait_for "$work/rl.port" 20 || exit 1
URL="http://127.0.0.1:$(cat "$work/rl.port")"
ctl() { curl -fsS --max-time 10 "$URL/_ctl/$1" >/dev/null; }
clients() { curl -fsS --max-time 5 "$URL/_ctl/log" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
streams_up() { [ "$(clients clients)" -ge 2 ]; }

collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
cat >"$work/collectd.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$URL"
  RISLiveURL "$URL/v1/stream/?format=json&client=upstreams-test"
  RISLiveMaxSilence 6
  Timeout 10000
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
    Hold 2
  </Target>
</Plugin>
CONF
failures() { log_count 'severity = FAILURE.*plugin_instance = live,'; }
failures_over() { [ "$(failures)" -gt "$1" ]; }

start_collectd "$work/collectd.conf" valgrind --log-file="$work/valgrind.log" \
    --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --num-callers=40
ok $? "collectd starts under valgrind"
wait_until 90 csv_is live count-upstreams 1
ok $? "seeded under valgrind"
wait_until 60 streams_up; ok $? "streams up"
ctl "scenario?name=two"
wait_until 60 failures_over 0; ok $? "FAILURE"
ctl garbage
ctl "peer_down?peer=192.0.2.7"
ctl "disconnect?hold=1"
wait_until 60 grep -q 'ris-live: stream ended' "$work/collectd.log"
ok $? "reconnect 1: a disconnect"
sleep 2
ctl "scenario?name=one"
wait_until 60 grep -q 'severity = OKAY.*plugin_instance = live,' "$work/collectd.log"
ok $? "OKAY"
wait_until 60 streams_up
conns=$(clients connections)
ctl "stall?s=15"
more() { [ "$(clients connections)" -gt "$conns" ] && streams_up; }
wait_until 60 more; ok $? "reconnect 2: a stall ($conns -> $(clients connections) connections)"
conns=$(clients connections)
ctl slow
wait_until 60 more; ok $? "reconnect 3: a slow-consumer error"
ctl "scenario?name=two"
wait_until 60 failures_over 1; ok $? "FAILURE again after the reconnects"

stop_collectd 120
ok $? "collectd stops on SIGTERM"
vg=$(cat "$work/valgrind.log")
like "$vg" 'HEAP SUMMARY' "valgrind ran its leak check at exit"
like "$(cat "$work/collectd.log")" 'Exiting normally' "collectd exited normally"
ours=$(awk '
	/^==[0-9]+== *$/ { flush(); next }
	{ rec = rec $0 "\n" }
	function flush() {
		if (rec ~ /(at|by) 0x[0-9A-Fa-f]+: / &&
		    rec ~ /(upstreams\.(c|so)|upm_[a-z_]+ |\(common\/)/ &&
		    rec !~ /(possibly lost|still reachable)/)
			printf "%s\n", rec
		rec = ""
	}
	END { flush() }' "$work/valgrind.log")
is "$ours" "" "no valgrind error or leak in the plugin or the library"
[ -n "$ours" ] && sed 's/^/# /' <<<"$ours" | head -80

tap_end
