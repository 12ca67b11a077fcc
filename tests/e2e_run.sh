#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# tests/run itself: a selected unit test that is not built, or a pattern
# that matches nothing, is a failure, never a green "0 passed, 0 failed".
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/tests"
cp tests/run "$work/tests/run"
printf 'int main(void) { return 0; }\n' >"$work/tests/test_fake.c"
printf 'echo "ok 1 - fine"; echo "1..1"\n' >"$work/tests/e2e_fine.sh"

out=$(UPM_VALGRIND=0 bash "$work/tests/run" test_fake 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "an unbuilt unit test: the run fails"
like "$out" "test_fake not built: run make tests" "and says how to build it"
is "$(tail -1 <<<"$out")" "0 passed, 1 failed" "closing line counts it failed"

out=$(UPM_VALGRIND=0 bash "$work/tests/run" no_such_test 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "a pattern matching nothing: the run fails"
like "$out" "no test matched no_such_test" "and says so"
is "$(tail -1 <<<"$out")" "0 passed, 1 failed" "closing line format kept"

out=$(UPM_VALGRIND=0 bash "$work/tests/run" e2e_fine 2>&1); rc=$?
is "$rc" 0 "a selected test that runs and passes: exit 0"
is "$(tail -1 <<<"$out")" "1 passed, 0 failed" "and counted"
tap_end
