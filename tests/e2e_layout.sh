#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The core's layout as ARCHITECTURE.md states it: no two objects of the
# library need each other, the library exports only upm_ names, the plugin
# only module_register, and the driver names no source.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-layout.XXXXXX")
trap 'rm -rf "$work"' EXIT

findings=$(python3 tests/tools/layout.py common/*.o)
is "$findings" "" "common/*.o: no cycle between objects, only upm_ exports"

exports=$(nm -D --defined-only collectd-plugin/upstreams.so | awk '$2 == "T" { print $3 }')
is "$exports" "module_register" "the plugin exports module_register alone"

# The driver and the computation know no source by name: only the table does.
named=$(grep -lE 'upm_source_(ripestat|nlnog|alice)_[a-z_]+' common/*.c |
	grep -vE '^common/(sources|source_[a-z_]+)\.c$')
is "$named" "" "only sources.c and the source files name a source descriptor"

# The check can fail: two objects that call each other are a cycle, and a
# stray export is named.
cat >"$work/a.c" <<'C'
int upm_b(void);
int upm_a(void) { return upm_b(); }
int helper(void) { return 1; }
C
cat >"$work/b.c" <<'C'
int upm_a(void);
int upm_b(void) { return upm_a(); }
C
cc -c -o "$work/a.o" "$work/a.c" && cc -c -o "$work/b.o" "$work/b.c"
findings=$(python3 tests/tools/layout.py "$work/a.o" "$work/b.o")
like "$findings" "^cycle .*a\.o .*b\.o" "a cycle between two objects is found"
like "$findings" "export helper" "an export without upm_ is named"

tap_end
