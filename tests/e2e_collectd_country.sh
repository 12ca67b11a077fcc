#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# sanitizers: no
# The real collectd daemon with the plugin's country, looking-glass and
# per-prefix keys against the loopback replay server: a country's
# international upstreams, its domestic transit and origin set, a FAILURE
# notification naming the one prefix whose upstreams differ from its
# expectation, the shared on-disk cache (also used by check_upstreams),
# per-source shares beside the combined ones, sources that disagree
# logged once, and one URL fetched once through CacheDir for two targets
# and a check.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-collectd-country.XXXXXX")
trap 'stop_collectd 5; stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" country || exit 1
collectd_prepare "$work" logfile csv || exit 1
render_conf tests/collectd/base.conf.in "$work/base.conf"

ours() {  # ours SEVERITY TARGET: the plugin's notifications
	log_count "Notification: severity = $1, host = testhost, plugin = upstreams, plugin_instance = $2, message = upstreams "
}
ours_seen() { [ "$(ours "$@")" -gt 0 ]; }
requests() {  # requests PATH-PART: data requests the replay server saw
	curl -fsS --max-time 5 "$REPLAY_URL/_replay/log" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin) if sys.argv[1] in e["path"]))' "$1"
}

# --- a country ------------------------------------------------------------------
render_conf tests/collectd/country.conf.in "$work/collectd.conf"
start_collectd "$work/collectd.conf"
ok $? "collectd starts with the country configuration"
wait_until 20 csv_is kp count-upstreams 2
ok $? "kp: count-upstreams 2 (the first ASes outside the country)"
csv_is kp percent-AS4837 60; ok $? "kp: percent-AS4837 60"
csv_is kp percent-AS20485 40; ok $? "kp: percent-AS20485 40"
[ -z "$(csv_last kp percent-AS64510)" ]
ok $? "kp: the domestic AS64510 is no upstream"
csv_is kp count-domestic 1; ok $? "kp: count-domestic 1"
csv_is kp count-origins 2; ok $? "kp: count-origins 2"
csv_is kp count-observations 30; ok $? "kp: count-observations 30"
csv_is kp count-unexpected 0; ok $? "kp: count-unexpected 0"
csv_is kp count-prefix_changes 1
ok $? "kp: count-prefix_changes 1 (175.45.179.0/24 has AS20485 too)"
wait_until 10 ours_seen FAILURE kp
ok $? "kp: FAILURE notification"
like "$(grep 'plugin_instance = kp, message' "$work/collectd.log")" \
    'severity = FAILURE, .*message = upstreams kp \(KP\): 175\.45\.179\.0/24: AS20485 appeared; 2 upstreams: AS4837 60\.0%, AS20485 40\.0%' \
    "kp: the FAILURE names the prefix and what changed on it"
if grep -q 'plugin_instance = kp, message = .*175\.45\.176\.0/24: AS' "$work/collectd.log"; then
	ok 1 "kp: the prefix as expected is not blamed"
else
	ok 0 "kp: the prefix as expected is not blamed"
fi
wait_until 20 csv_is kp_extra count-origins 3
ok $? "kp_extra: ExtraASN 4837 joins the origin set (count-origins 3)"
csv_is kp_extra count-domestic 2
ok $? "kp_extra: AS64510 and AS4837 are domestic transit now"
like "$(csv_last kp_extra percent-AS3356)" '^[1-9]' \
    "kp_extra: AS4837's own upstream AS3356 counts"
[ -z "$(csv_last kp_extra percent-AS4837)" ]
ok $? "kp_extra: AS4837 is no upstream any more"
wait_until 20 csv_is kp_prefix count-observations 40
ok $? "kp_prefix: ExtraPrefix adds its 10 routes (count-observations 40)"
csv_is kp_prefix percent-AS4837 70
ok $? "kp_prefix: its originating AS4837 counts as the upstream (70%)"
[ -z "$(csv_last kp_prefix count-prefix_changes)" ]
ok $? "kp_prefix: no ExpectPrefix, no count-prefix_changes"

# The country list is cached a day in CacheDir: fetched once for all
# three targets and every read, and reused by check_upstreams.
rows=$(csv_rows kp count-upstreams)
wait_until 15 csv_rows_over kp count-upstreams $((rows + 3))
ok $? "kp: reads go on"
is "$(requests country-resource-list)" 1 \
    "the country list fetched once for every target and read"
[ -n "$(ls -A "$work/cache" 2>/dev/null)" ]
ok $? "CacheDir created and holding the answers"
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --sourceapp upstreams-test \
    --country KP -e 4837,20485 --cache-dir "$work/cache" 2>&1)
rc=$?
is "$rc" 0 "check_upstreams on the same cache: OK"
like "$out" '^UPSTREAMS OK - 2 upstreams: AS4837 60\.0%, AS20485 40\.0%' \
    "and the same shares"
is "$(requests country-resource-list)" 1 \
    "the check took the country list from the plugin's cache"
is "$(log_count '\[(error|warning)\] upstreams')" 0 "no error or warning"
stop_collectd 20
ok $? "collectd stops cleanly"

# --- looking glasses ------------------------------------------------------------
replay_ctl "scenario?name=lg"
replay_ctl reset
rm -rf "$work/csv" "$work/collectd.log"
render_conf tests/collectd/lg.conf.in "$work/collectd.conf"
start_collectd "$work/collectd.conf"
ok $? "collectd starts with the looking-glass configuration"
like "$(cat "$work/collectd.log")" \
    "\[warning\] upstreams plugin: invalid value for 'RipestatURL' in <Target \"bad_url\">: 'ftp://127\.0\.0\.1/' is not an http://, https:// or file:// URL" \
    "an ftp:// URL is refused at startup, naming key and block"
wait_until 20 csv_is lg percent-nlnog_lg-AS20485 40
ok $? "lg: percent-nlnog_lg-AS20485 40 (the ring's own share)"
csv_is lg percent-nlnog_lg-AS4837 60; ok $? "lg: percent-nlnog_lg-AS4837 60"
csv_is lg percent-ripestat_bgp_state-AS4837 100
ok $? "lg: percent-ripestat_bgp_state-AS4837 100"
csv_is lg percent-alice_lg-AS4837 100; ok $? "lg: percent-alice_lg-AS4837 100"
[ -z "$(csv_last lg percent-alice_lg-AS20485)" ]
ok $? "lg: no AS20485 share for Alice-LG, which never saw it"
json=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --nlnog-url "$REPLAY_URL" \
    --alice-url "$REPLAY_URL/" -a 131279 \
    -s ripestat-bgp-state,nlnog-lg,alice-lg -e 4837 -f json 2>/dev/null)
read -r s4837 s20485 < <(python3 -c 'import json,sys
d=json.load(sys.stdin); u={x["asn"]: x["share"] for x in d["upstreams"]}
print(u[4837], u[20485])' <<<"$json")
csv_is lg percent-AS4837 "${s4837:-x}"
ok $? "lg: combined percent-AS4837 as check_upstreams computes it (${s4837:-?})"
csv_is lg percent-AS20485 "${s20485:-x}"
ok $? "lg: combined percent-AS20485 (${s20485:-?})"
csv_is lg count-unexpected 1; ok $? "lg: count-unexpected 1"
wait_until 10 ours_seen FAILURE lg
ok $? "lg: FAILURE for the upstream only the ring sees"
wait_until 10 csv_is alice percent-AS4837 100
ok $? "alice (one looking glass alone): percent-AS4837 100"
[ -z "$(ls "$work"/csv/testhost/upstreams-alice/ | grep alice_lg)" ]
ok $? "alice: one source, no per-source values"
rows=$(csv_rows lg count-upstreams)
wait_until 15 csv_rows_over lg count-upstreams $((rows + 2))
ok $? "lg: reads go on"
is "$(log_count '\[warning\] upstreams plugin: target lg: sources disagree: ripestat-bgp-state AS4837; nlnog-lg AS4837, AS20485; alice-lg AS4837')" 1 \
    "the disagreement is logged once, naming every source's view"
is "$(ours FAILURE alice)" 0 "alice: no notification"
stop_collectd 20
ok $? "collectd stops cleanly"

# --- one URL, two targets, one cache ----------------------------------------------
replay_ctl "scenario?name=one"
replay_ctl reset
rm -rf "$work/csv" "$work/collectd.log"
render_conf tests/collectd/cache.conf.in "$work/collectd.conf"
sed -i "s|@CACHEDIR@|$work/var/cache/cache2|" "$work/collectd.conf"
start_collectd "$work/collectd.conf"
ok $? "collectd starts with two targets on one cache"
wait_until 20 csv_is one percent-AS4837 100
ok $? "one: percent-AS4837 100"
wait_until 20 csv_is two percent-AS4837 100
ok $? "two: percent-AS4837 100"
rows=$(csv_rows two count-upstreams)
wait_until 15 csv_rows_over two count-upstreams $((rows + 3))
ok $? "both go on reading"
is "$(requests bgp-state)" 1 \
    "bgp-state fetched once within its freshness, for both targets"
[ -n "$(ls "$work/var/cache/cache2")" ]; ok $? "the answer is in CacheDir, its parents made"
is "$(stat -c %a "$work/var/cache/cache2")" "$(printf '%o' $((02770 & ~$(umask))))" \
    "CacheDir made 2770 less collectd's umask"
entry=$(ls "$work/var/cache/cache2" | grep -E '^[0-9a-f]{16}$' | head -n 1)
is "$(stat -c %a "$work/var/cache/cache2/$entry")" 640 "entries 0640: readable by the group"
is "$(grep -c 'Timeout 3 read as 3 seconds; Timeout is in milliseconds now: write Timeout 3000' "$work/collectd.log")" 1 \
    "Timeout 3: one WARNING naming milliseconds"
is "$(grep -c 'CAFile is an old name; write CACert' "$work/collectd.log")" 1 \
    "CAFile: one WARNING naming CACert"
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --sourceapp upstreams-test \
    -a 131279 -e 4837 --cache-dir "$work/var/cache/cache2" 2>&1)
is "$?" 0 "check_upstreams on the plugin's cache: OK"
is "$(requests bgp-state)" 1 "and answered from it"
stop_collectd 20
ok $? "collectd stops cleanly"

# --- a CacheDir that cannot be used: a WARNING once, reads go on -------------------
replay_ctl reset
rm -rf "$work/csv" "$work/collectd.log"
: >"$work/plainfile"
render_conf tests/collectd/cache.conf.in "$work/collectd.conf"
sed -i "s|@CACHEDIR@|$work/plainfile/cache|" "$work/collectd.conf"
start_collectd "$work/collectd.conf"
ok $? "collectd starts with a CacheDir below a plain file"
wait_until 20 csv_is two percent-AS4837 100
ok $? "reads work without the cache"
rows=$(csv_rows two count-upstreams)
wait_until 15 csv_rows_over two count-upstreams $((rows + 2))
ok $? "and go on"
is "$(grep -c 'CacheDir unusable: cache directory .*plainfile/cache' "$work/collectd.log")" 1 \
    "an unusable CacheDir: one WARNING for all targets and reads"
like "$(grep 'CacheDir unusable' "$work/collectd.log")" 'warning' "logged as a warning"
stop_collectd 20
ok $? "collectd stops cleanly"

# --- the check: an unusable cache is said with -v -------------------------------------
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --sourceapp upstreams-test \
    -a 131279 -e 4837 --cache-dir "$work/plainfile/cache" -v 2>&1 >/dev/null)
like "$out" "^warning: cache directory $work/plainfile/cache: .*; every request goes to the network" \
    "check -v: the unusable cache is a warning on stderr"
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --sourceapp upstreams-test \
    -a 131279 -e 4837 --cache-dir "$work/plainfile/cache" 2>&1 >/dev/null)
is "$out" "" "without -v the output stays the plugin's contract (nothing on stderr)"
out=$("$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" --sourceapp upstreams-test \
    -a 131279 -e 4837 --cache-dir "$work/plainfile/cache" -v 2>/dev/null)
is "$?" 0 "and the check is still OK"

tap_end
