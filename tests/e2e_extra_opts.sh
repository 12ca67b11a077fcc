#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams --extra-opts end to end: options from an INI section, the
# command line winning, the default file from MP_CONFIG_FILE, strict errors.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-extra-opts.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" two || exit 1
cat >"$work/plugins.ini" <<INI
# shared by every service
[check_upstreams]
ripestat-url=$REPLAY_URL
critical=3:
# the replay's data is recorded, years old: no maximum age
max-age=0

[dprk]
ripestat-url = $REPLAY_URL
asn = AS131279
expect = 4837,20485
max-age = 0
INI
unset NAGIOS_CONFIG_PATH

run() { out=$(MP_CONFIG_FILE=${mp:-} "$CHECK" "$@" 2>&1); rc=$?; }

mp= run --extra-opts="dprk@$work/plugins.ini"
is "$rc" 0 "SECTION@FILE: target, baseline and URL from the file: OK"
like "$out" '^UPSTREAMS OK - 2 upstreams' "status line"
mp= run --extra-opts "dprk@$work/plugins.ini" -e 3356
is "$rc" 2 "-e on the command line adds to the file's list (AS3356 missing): CRITICAL"
like "$out" 'AS3356 disappeared' "the added ASN is expected too"
mp=$work/plugins.ini run --extra-opts -a 131279 -e 4837,20485
is "$rc" 2 "default section from MP_CONFIG_FILE: its critical=3: applies"
like "$out" '2 upstreams outside critical range 3:' "the file's threshold named (two: plural)"
mp=$work/plugins.ini run --extra-opts -a 131279 -e 4837,20485 -c 2:
is "$rc" 0 "the command line's -c wins over the file's"
mp= run --extra-opts="nosuch@$work/plugins.ini" -a 1
is "$rc" 3 "missing section: UNKNOWN"
like "$out" "no section \[nosuch\] in $work/plugins.ini" "names section and file"
printf '[check_upstreams]\nthis is not an option\n' >"$work/bad.ini"
mp= run --extra-opts="@$work/bad.ini" -a 1
is "$rc" 3 "malformed line: UNKNOWN"
like "$out" "bad.ini:2: " "names file and line"
# A key alone of an option that needs a value took the next argument.
printf '[check_upstreams]\nsourceapp\n' >"$work/bare.ini"
mp= run --extra-opts="@$work/bare.ini" --visibility -a 131279
is "$rc" 3 "a bare key that needs a value: UNKNOWN"
like "$out" "^UPSTREAMS UNKNOWN - $work/bare.ini:2: sourceapp needs a value \\(sourceapp=VALUE\\); a key alone is only for an option without one$" "  names the file, the line and the key"
printf '[check_upstreams]\nsourcea\n' >"$work/bare.ini"
mp= run --extra-opts="@$work/bare.ini" --visibility -a 131279
like "$out" "bare.ini:2: sourcea needs a value" "  an abbreviation too"
printf '[check_upstreams]\nripestat-url=%s\nmax-age=0\nverbose\n' "$REPLAY_URL" >"$work/bare.ini"
mp= run --extra-opts="@$work/bare.ini" -a 131279 -e 4837,20485
is "$rc" 0 "a bare flag (verbose): fine"
mp= run --extra-opts="@$work/missing.ini" -a 1
is "$rc" 3 "missing file: UNKNOWN"
like "$("$CHECK" --help)" '--extra-opts' "--help lists --extra-opts"

tap_end
