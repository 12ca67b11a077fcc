#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams' command line: every refused value or combination says
# which option, before anything is asked (no network: these all stop at
# the options).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-options.XXXXXX")
trap 'rm -rf "$work"' EXIT
: >"$work/f.mrt"

# refused WANT-REGEX "what" ARGS...: exit 3, the regex on the first line.
refused() {
	local want=$1 what=$2 out rc; shift 2
	out=$(timeout 10 "$CHECK" "$@" 2>&1); rc=$?
	is "$rc" 3 "$what: UNKNOWN"
	like "$(head -1 <<<"$out")" "^UPSTREAMS UNKNOWN - .*$want" "$what: said"
}

for o in sourceapp cache-dir state-dir nlnog-url alice-url state-file \
    ripestat-url ca-file at from until name; do
	refused "--$o needs a value, not an empty one" "--$o ''" -a 64500 "--$o" ''
done
refused "--sourceapp needs a value" "--sourceapp=" -a 64500 --sourceapp=
refused "--state-file needs a value" "--state-file without a value" -a 64500 --state-file
refused "--asn needs a value" "--asn without a value" --asn
refused "-e needs a value" "-e without a value" -a 64500 -e
refused "unknown option --bogus" "an unknown long option" -a 64500 --bogus
refused "unknown option -x" "an unknown short option" -a 64500 -x
refused "--clique '1,,2': an empty element" "--clique 1,,2" -a 64500 --clique 1,,2
refused "an empty element" "--clique with a trailing comma" -a 64500 --clique 174,3356,
for a in 0 AS0 23456 65535 65552 100000 131071 4294967295; do
	refused "--clique: '$a' is not an AS number that can be in a clique" \
	    "--clique $a (reserved)" -a 64500 --clique "174,$a"
done
refused "--min-peers: 0 is out of range \\(1\\.\\.100000\\)" "--min-peers 0" -a 64500 --min-peers 0
# Every bad value: the option first, then what is wrong (a number's limits).
refused "--max-age: invalid duration '-1': " "--max-age -1" -a 64500 --max-age -1
refused "--step: invalid duration '-1': " "--step -1" -a 64500 --step -1
refused "--hold: invalid duration '-1': " "--hold -1" -a 64500 --hold -1
refused "--at: invalid time 'abc'" "--at abc" -a 64500 --at abc
refused "--from: invalid time 'abc'" "--from abc" -a 64500 --from abc
refused "--until: invalid time 'abc'" "--until abc" -a 64500 --until abc
refused "-w/--warning: invalid range '-1'" "-w -1" -a 64500 -w -1
refused "-c/--critical: invalid range '-1'" "-c -1" -a 64500 -c -1
refused "-e/--expect: invalid AS number 'abc'" "-e abc" -a 64500 -e abc
refused "--extra-asn: invalid AS number 'abc'" "--extra-asn abc" -a 64500 --extra-asn abc
refused "-p/--prefix: invalid .*prefix" "--prefix 10.0.0.0/99" -a 64500 --prefix 10.0.0.0/99
refused "--control-prefix: invalid prefix 'x'" "--control-prefix x" -a 64500 --control-prefix x
refused "--parallel: 9 is out of range \\(1\\.\\.8\\)$" "--parallel 9" -a 64500 --parallel 9
refused "--output-limit: 1023 is out of range \\(0, or 1024\\.\\.16777216\\)$" "--output-limit 1023" -a 64500 --output-limit 1023
refused "--retries: 100 is out of range \\(0\\.\\.10\\)$" "--retries 100" -a 64500 --retries 100
refused "-t/--timeout: 3601 is out of range \\(1\\.\\.3600\\)$" "-t 3601" -a 64500 -t 3601
refused "--max-size: 100 is out of range \\(1024\\.\\." "--max-size 100" -a 64500 --max-size 100
refused "--max-asns: 'x' is not a number \\(1\\.\\.100000\\)$" "--max-asns x" -a 64500 --max-asns x
# Numbers read the same everywhere: no leading blank, no hex.
refused "-t/--timeout: ' 5' begins with a blank" "-t ' 5'" -a 64500 -t ' 5'
refused "-e/--expect: ' 5' begins with a blank" "-e ' 5'" -a 64500 -e ' 5'
refused "--max-size: ' 5' begins with a blank" "--max-size ' 5'" -a 64500 --max-size ' 5'
refused "--min-share: '0x10' is not a number \\(0\\.\\.100\\)$" "--min-share 0x10" -a 64500 --min-share 0x10
refused "--min-share: 'inf' is not a number" "--min-share inf" -a 64500 --min-share inf
refused "--parallel: '\\+4' is not a number" "--parallel +4" -a 64500 --parallel +4
refused "-t/--timeout: 'bogus' is not a state" "-t 5:bogus" -a 64500 -t 5:bogus
refused "-a/--asn: more than 4096 targets" "4097 targets" -a "$(seq -s, 1 4097)"
like "$("$CHECK" --help)" 'at most 4096' "--help states the 4096-target limit"
refused "after 9999-12-31T23:59:59" "--at past year 9999" -a 64500 --at 253402300800
for o in "-s nlnog-lg" "--source ripestat-bgp-state" "--visibility" \
    "--ripestat-url http://127.0.0.1:9" "--nlnog-url http://127.0.0.1:9" \
    "--alice-url http://127.0.0.1:9" "--at 2016-08-11T16:00:00" "--country KP"; do
	name=${o%% *}
	[ "$name" = -s ] && name=--source
	# shellcheck disable=SC2086
	refused "$name does not go with --mrt" "$o with --mrt" -a 64500 --mrt "$work/f.mrt" $o
done

# --help: 80 columns, and every option's text in the 25th column after
# two blanks; an option too long for that stands alone on its line.
help=$("$CHECK" --help)
is "$(awk 'length > 80' <<<"$help")" "" "--help fits 80 columns"
is "$(python3 -c '
import re, sys
for line in sys.stdin.read().splitlines():
    if not re.match(r" {1,5}-", line):
        continue
    if len(line) > 24 and line[22:24] == "  " and line[24] != " ":
        continue
    words = line.split()
    if not all(re.match(r"(-[-a-z]*,?|--?[a-z-]+\[.*|[A-Z][A-Z0-9=,.:\[\]]*)$", w) for w in words):
        print(line)' <<<"$help")" "" "--help: every option apart from its text"
tap_end
