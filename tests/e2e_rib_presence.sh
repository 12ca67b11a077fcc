#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The routing table's present set follows the roles of the computation
# (vantage ASes, provider evidence, lateral neighbours apart) from its
# incremental counts: on two real RIS MRT files (tests/fixtures/mrt), for
# the origins with the most routes, the table's present set, upstreams
# and laterals equal those of the full computation over the same routes
# (tests/prog_rib_presence).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

if ! command -v bgpdump >/dev/null 2>&1; then
	echo "1..0 # SKIP bgpdump not installed"
	exit 0
fi
M=tests/fixtures/mrt
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-ribp.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The clique of each file's time, as e2e_mrt_roles.sh has them.
C2002=1,209,701,1239,2914,3356,3549,3561,6461,7018
C2016=174,209,701,1239,1299,2828,2914,3257,3320,3356,3491,5511,6453,6461,6762,7018,12956

top() { python3 tests/mrt_reference.py origins "$1" | awk -v n="$2" 'NR <= n { print $1 }'; }

# shellcheck disable=SC2046
tests/prog_rib_presence --clique "$C2016" "$M/updates.20160811.1600.gz" -- \
    $(top "$M/updates.20160811.1600.gz" 20) >"$work/u.out"
is "$?" 0 "updates 2016, the 20 origins with the most routes: the table's sets are the computation's"
is "$(grep -c ' same$' "$work/u.out")" 20 "20 origins compared"
ok "$(grep -q 'laterals=[0-9]' "$work/u.out"; echo $?)" "laterals kept apart ($(grep -c 'laterals=[0-9]' "$work/u.out") origins)"
ok "$(grep -q 'present=[0-9]*,[0-9]' "$work/u.out"; echo $?)" "origins with several upstreams present"
# shellcheck disable=SC2046
tests/prog_rib_presence --min-peers 1 --clique "$C2002" \
    "$M/bview.20020722.2337.gz" -- $(top "$M/bview.20020722.2337.gz" 8) >"$work/b.out"
is "$?" 0 "RIB dump 2002, the 8 origins with the most routes: the same"
is "$(grep -c ' same$' "$work/b.out")" 8 "8 origins compared"
# An upstream that is not present: its share below min-share, or too few
# vantage ASes, in both.
ok "$(awk '{ split($3, p, "="); split($4, u, "="); if (p[2] != u[2]) n++ } END { exit !n }' "$work/b.out"; echo $?)" \
    "upstreams not present (below min-share) agree too"
tap_end
