#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Real data: the neighbour roles of every origin of two real RIS MRT files
# (tests/fixtures/mrt), read through bgpdump -m, inferred by the library
# (tests/prog_mrt_roles) and checked by an independent computation over
# the same text (tests/mrt_neighbours.py): the same neighbours, and every
# origin with a single neighbour keeps it as its upstream.  The figures
# are the README's ("Neighbour roles on real data").
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

if ! command -v bgpdump >/dev/null 2>&1; then
	echo "1..0 # SKIP bgpdump not installed"
	exit 0
fi
M=tests/fixtures/mrt
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-mrt.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The clique of each file's time (historical data needs its own): 2002,
# the Tier-1 networks of then; 2016, CAIDA's inferred clique of then.
C2002=1,209,701,1239,2914,3356,3549,3561,6461,7018
C2016=174,209,701,1239,1299,2828,2914,3257,3320,3356,3491,5511,6453,6461,6762,7018,12956

total() { awk -v k="$2" '$1 == "T" && $2 == k { print $3 }' "$1"; }

bgpdump -m "$M/bview.20020722.2337.gz" 2>/dev/null >"$work/b.txt"
tests/prog_mrt_roles --clique "$C2002" <"$work/b.txt" >"$work/b.out"
is "$?" 0 "2002 RIB: every single-neighbour origin keeps its upstream"
python3 tests/mrt_neighbours.py "$work/b.txt" "$work/b.out" >"$work/b.py"
ok $? "2002 RIB: independent computation agrees ($(tail -n 1 "$work/b.py"))"
is "$(total "$work/b.out" routes)" 115521 "2002 RIB: 115521 routes"
is "$(total "$work/b.out" origins)" 13408 "2002 RIB: 13408 origins"
is "$(total "$work/b.out" single_neighbour_kept)" "$(total "$work/b.out" single_neighbour)" \
    "2002 RIB: single-neighbour origins all kept ($(total "$work/b.out" single_neighbour))"
is "$(total "$work/b.out" origins_inferred)" 0 \
    "2002 RIB: one vantage AS has 98 % of the routes: roles never inferred"
is "$(total "$work/b.out" lateral)" 0 "2002 RIB: so nothing is lateral"

bgpdump -m "$M/updates.20160811.1600.gz" 2>/dev/null >"$work/u.txt"
tests/prog_mrt_roles --clique "$C2016" <"$work/u.txt" >"$work/u.out"
is "$?" 0 "2016 updates: every single-neighbour origin keeps its upstream"
python3 tests/mrt_neighbours.py "$work/u.txt" "$work/u.out" >"$work/u.py"
ok $? "2016 updates: independent computation agrees ($(tail -n 1 "$work/u.py"))"
is "$(total "$work/u.out" origins)" 317 "2016 updates: 317 origins"
is "$(total "$work/u.out" single_neighbour)" 191 "2016 updates: 191 with one neighbour"
is "$(total "$work/u.out" single_neighbour_kept)" 191 "2016 updates: all 191 kept as upstream"
is "$(total "$work/u.out" origins_inferred)" 243 "2016 updates: roles inferred for 243 origins"
is "$(total "$work/u.out" upstream_clique)" 272 "2016 updates: 272 upstreams on clique evidence"
is "$(total "$work/u.out" upstream_vantage_ases)" 88 "2016 updates: 88 on many vantage ASes"
is "$(total "$work/u.out" upstream_none)" 105 "2016 updates: 105 where roles cannot be inferred"
is "$(total "$work/u.out" lateral)" 77 "2016 updates: 77 lateral"
is "$(total "$work/u.out" collector_peer)" 32 "2016 updates: 32 seen only as the collector's peer"
tap_end
