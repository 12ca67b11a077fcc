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
refused "--min-peers: a number from 1" "--min-peers 0" -a 64500 --min-peers 0
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
