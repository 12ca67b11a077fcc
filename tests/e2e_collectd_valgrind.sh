#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# collectd with the upstreams plugin under valgrind for more than 20 reads
# (a scenario switch and a failing read among them), stopped with SIGTERM
# so that the plugin's free and shutdown callbacks run: valgrind must find
# no error and no definite or indirect leak in a stack that passes through
# the plugin or the library.  collectd's own findings are not ours.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

if ! command -v valgrind >/dev/null 2>&1; then
	echo "# valgrind not found (Debian: valgrind)" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-vg.XXXXXX")
trap 'stop_collectd 5; stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1
collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"
render_conf tests/collectd/valgrind.conf.in "$work/collectd.conf"

start_collectd "$work/collectd.conf" valgrind --log-file="$work/valgrind.log" \
    --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --num-callers=40
ok $? "collectd starts under valgrind"

wait_until 60 csv_rows_over dprk count-upstreams 4
ok $? "reads under valgrind"
replay_ctl "scenario?name=two"
wait_until 30 grep -q 'severity = FAILURE.*plugin_instance = dprk,' "$work/collectd.log"
ok $? "scenario switch: FAILURE"
replay_ctl "fault?kind=status&arg=503&count=1"
wait_until 30 grep -q '\[error\] upstreams plugin: target ' "$work/collectd.log"
ok $? "a failing read"
wait_until 30 grep -q 'reading works again' "$work/collectd.log"
ok $? "and the recovery"
replay_ctl "scenario?name=one"
wait_until 30 grep -q 'severity = OKAY.*plugin_instance = dprk,' "$work/collectd.log"
ok $? "switch back: OKAY"
wait_until 90 csv_rows_over dprk count-upstreams 19
ok $? "at least 20 good reads of dprk ($(csv_rows dprk count-upstreams))"
wait_until 30 csv_rows_over uni count-upstreams 9
ok $? "and of the looking-glass target ($(csv_rows uni count-upstreams))"

stop_collectd 120
ok $? "collectd stops on SIGTERM"
vg=$(cat "$work/valgrind.log")
like "$vg" 'HEAP SUMMARY' "valgrind ran its leak check at exit"
like "$(cat "$work/collectd.log")" 'Exiting normally' "collectd exited normally"

# Splits the valgrind log into its records (blank-line separated) and
# prints those that are errors or definite/indirect leaks with a frame in
# the plugin (upstreams.c, upstreams.so) or the library (upm_*, common/).
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
like "$vg" 'in use at exit' "valgrind saw the heap at exit"

tap_end
