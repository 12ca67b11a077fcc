#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# The plugin in the real collectd with a FIFO (nobody writing) and
# /dev/zero as a target's StateFile: every read refuses the file at once
# with a message naming it, no read thread is held, the other target's
# values go on, and collectd stops on SIGTERM well inside the bound.  Then
# a FIFO as CACert: refused, named, collectd stops promptly.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-collectd-nonregular.XXXXXX")
trap 'stop_collectd 5; stop_replay; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
collectd_prepare "$work" logfile csv || exit 1
mkfifo "$work/fifo.state" || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
render_conf tests/collectd/nonregular.conf.in "$work/collectd.conf"

start_collectd "$work/collectd.conf"
ok $? "collectd starts with the plugin"

refused_logged() {   # refused_logged FILE KIND: logged (once, as failures are)
	[ "$(log_count "state file $1: $2, not a regular file; refused")" -ge 1 ]
}
refused_logged_ca() {
	[ "$(log_count "CA file $work/ca.fifo: a FIFO, not a regular file; refused")" -ge 1 ]
}
wait_until 20 refused_logged "$work/fifo.state" "a FIFO"
ok $? "FIFO StateFile: refused with a message naming it"
wait_until 20 refused_logged /dev/zero "a character device"
ok $? "/dev/zero StateFile: refused, named"
# Every read ends (read_success 0 each time): none waits on the FIFO.
wait_until 20 csv_rows_over fifo bool-read_success 2
ok $? "FIFO target: read after read ends (read_success dispatched 3 times)"
csv_is fifo bool-read_success 0; ok $? "FIFO target: read_success 0"
wait_until 20 csv_rows_over zero bool-read_success 2
ok $? "/dev/zero target: read after read ends"
wait_until 20 csv_rows_over dprk count-upstreams 2
ok $? "the healthy target's values go on"
[ -p "$work/fifo.state" ]; ok $? "the FIFO is left as it was"

start=$(date +%s%N)
stop_collectd 10
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 10000 ]; ok $? "collectd stops on SIGTERM (${elapsed} ms, bound 10 s)"
grep -q 'Exiting normally' "$work/collectd.log"; ok $? "and exits normally"

# CACert a FIFO: libcurl would open it blocking at the first TLS request;
# the fetcher looks first, so every read fails at once, naming the file.
mkfifo "$work/ca.fifo" || exit 1
mv "$work/collectd.log" "$work/collectd-1.log"
cat >"$work/ca.conf" <<CONF
Include "$work/base.conf"
LoadPlugin upstreams
<Plugin upstreams>
  RipestatURL "$REPLAY_URL"
  CACert "$work/ca.fifo"
  MaxAge 0
  Timeout 3000
  Retries 0
  <Target "dprk">
    ASN 131279
    Expect 4837
  </Target>
</Plugin>
CONF
start_collectd "$work/ca.conf"
ok $? "collectd starts with a FIFO as CACert"
wait_until 20 refused_logged_ca
ok $? "CACert FIFO: every read refused, the file named"
start=$(date +%s%N)
stop_collectd 10
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 10000 ]; ok $? "collectd stops on SIGTERM (${elapsed} ms, bound 10 s)"

tap_end
