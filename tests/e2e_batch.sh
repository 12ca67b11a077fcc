#!/bin/bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Many targets through upm_batch against the loopback replay server: never
# more requests in flight than allowed, the same results as one query after
# the other, and the on-disk cache: one fetch for two runs within the
# freshness, a new one after it (time injected, no sleeping).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e_batch.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 bench/gen_bgp_state.py --tree "$work/tree" --targets 100001-100012 \
    --prefixes 2 --peers 8 || exit 1
start_replay "$work/tree" || exit 1
stats() { curl -fsS --max-time 5 "$REPLAY_URL/_replay/stats"; }
field() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }

# -- bounded parallelism
replay_ctl "latency?ms=150"
replay_ctl reset
./tests/prog_batch --parallel 3 "$REPLAY_URL" 100001-100012 > "$work/batch.out"
ok $? "batch of 12 targets, 3 in flight"
s=$(stats)
is "$(field requests <<<"$s")" 12 "one request per target"
max=$(field max_in_flight <<<"$s")
[ "$max" -le 3 ]; ok $? "never more than 3 in flight (saw $max)"
[ "$max" -ge 2 ]; ok $? "requests did overlap (saw $max)"
is "$(grep -c ' ok ' "$work/batch.out")" 12 "every target answered"

replay_ctl "latency?ms=0"
./tests/prog_batch --sequential "$REPLAY_URL" 100001-100012 > "$work/seq.out"
ok $? "the same targets one after the other"
cmp -s "$work/batch.out" "$work/seq.out"
ok $? "batch results equal sequential upm_query results"

./tests/prog_batch --parallel 33 "$REPLAY_URL" 100001 2> "$work/err" >/dev/null
is "$?" 2 "more than 32 in flight refused"
like "$(cat "$work/err")" "at most 32" "  with a reason"

# -- the cache
c="$work/cache"
now=1700000000
replay_ctl reset
./tests/prog_batch --cache "$c" --now $now "$REPLAY_URL" 100001 > "$work/c1.out"
ok $? "first run with a cache"
is "$(stats | field requests)" 1 "  fetched once"
is "$(stat -c %a "$c")" "$(printf '%o' $((02770 & ~$(umask))))" "  cache directory 2770 less the umask"
is "$(find "$c" -type f -name '????????????????' | wc -l)" 1 "  one entry"
is "$(stat -c %a "$(find "$c" -type f -name '????????????????')")" 640 "  entry 0640"
[ -f "$c/.swept" ]; ok $? "  the sweep's mark"
./tests/prog_batch --cache "$c" --now $((now + 120)) "$REPLAY_URL" 100001 > "$work/c2.out"
is "$(stats | field requests)" 1 "second run 2 min later: served from the cache"
cmp -s "$work/c1.out" "$work/c2.out"; ok $? "  same result"
./tests/prog_batch --cache "$c" --now $((now + 301)) "$REPLAY_URL" 100001 > "$work/c3.out"
is "$(stats | field requests)" 2 "after 5 min (bgp-state freshness): fetched again"
cmp -s "$work/c1.out" "$work/c3.out"; ok $? "  same result"

# Two parallel targets of one batch, twice: the second batch is all cache.
replay_ctl reset
./tests/prog_batch --parallel 4 --cache "$c" --now $now "$REPLAY_URL" 100002-100005 >/dev/null
is "$(stats | field requests)" 4 "batch of 4 with the cache: 4 fetches"
./tests/prog_batch --parallel 4 --cache "$c" --now $((now + 10)) "$REPLAY_URL" 100002-100005 >/dev/null
is "$(stats | field requests)" 4 "  again: no new fetch"

# A failed answer is never cached.
replay_ctl reset
replay_ctl "fault?kind=maintenance&count=1"
./tests/prog_batch --cache "$c" --now $now "$REPLAY_URL" 100006 > "$work/m.out"
like "$(cat "$work/m.out")" "AS100006 error" "maintenance answer: an error"
./tests/prog_batch --cache "$c" --now $now "$REPLAY_URL" 100006 > "$work/m2.out"
like "$(cat "$work/m2.out")" "AS100006 ok" "  not cached: the next run fetches a good one"
is "$(stats | field requests)" 2 "  two fetches"

# Corrupt entries are ignored and replaced.
for f in "$c"/*; do printf 'junk' > "$f"; done
replay_ctl reset
./tests/prog_batch --parallel 4 --cache "$c" --now $((now + 20)) "$REPLAY_URL" 100002-100005 > "$work/j.out"
is "$(stats | field requests)" 4 "corrupt entries: refetched"
is "$(grep -c ' ok ' "$work/j.out")" 4 "  all four answered"
./tests/prog_batch --parallel 4 --cache "$c" --now $((now + 30)) "$REPLAY_URL" 100002-100005 >/dev/null
is "$(stats | field requests)" 4 "  and cached again"

tap_end
