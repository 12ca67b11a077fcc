#!/bin/bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# collectd's stop time with every read of the plugin hanging on a source
# that accepts and never answers (Timeout 1 h): tests/e2e_collectd_shutdown.sh
# run ROUNDS times, the SIGTERM-to-exit times collected.
# Usage: bash bench/shutdown.sh [ROUNDS]
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${1:-5}
out=$(mktemp "${TMPDIR:-/tmp}/bench-shutdown.XXXXXX")
for ((i = 0; i < rounds; i++)); do
	UPM_BENCH_OUT=$out bash tests/e2e_collectd_shutdown.sh >/dev/null 2>&1
done
sed -n 's/^stop_s=//p' "$out" | sort -n | awk '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "shutdown: no figure (test failed?)"; exit 1 }
		printf "collectd stop with hanging reads: %d runs, min %.2f s, median %.2f s, max %.2f s\n",
		    NR, v[1], v[int((NR + 1) / 2)], v[NR]
	}'
rc=$?
rm -f "$out"
exit $rc
