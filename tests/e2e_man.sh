#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The man pages built from man/*.scd (make man): lint-clean for mandoc and
# groff, rendered by man(1), and in step with the programs they describe.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-man.XXXXXX")
trap 'rm -rf "$work"' EXIT

# lint PAGE: every complaint of mandoc (warnings and worse) and groff (all
# warnings).  scdoc opens each paragraph with a .P that mandoc reports as
# redundant ("skipping paragraph macro") and drops; that one is not counted.
lint() {
	mandoc -T lint -W warning "$1" 2>&1 | grep -v 'skipping paragraph macro'
	groff -man -t -ww -z "$1" 2>&1
}

for page in man/check_upstreams.1 man/collectd-upstreams.5; do
	[ -s "$page" ]; ok $? "$page built from $page.scd"
	msgs=$(lint "$page")
	is "$msgs" "" "$page: no mandoc or groff warning"
	text=$(MANWIDTH=80 man -l "$page" 2>&1)
	like "$text" "^NAME" "$page renders with man(1)"
done

# The lint can fail: a broken copy is reported.
{ cat man/check_upstreams.1; printf '.BOGUS\nsome \\fCtext\\fR\n'; } >"$work/broken.1"
msgs=$(lint "$work/broken.1")
like "$msgs" "BOGUS" "an unknown macro in a broken copy is reported"
like "$msgs" 'escape' "a bad escape in a broken copy is reported"

# Every option --help lists is documented in check_upstreams(1).
text=$(MANWIDTH=200 man -l man/check_upstreams.1 2>/dev/null)
help=$(nagios-check/check_upstreams --help)
missing=
for opt in $(grep -oE -- '--[a-z][a-z-]+' <<<"$help" | sort -u); do
	grep -qF -- "$opt" <<<"$text" || missing+=" $opt"
done
n=$(grep -oE -- '--[a-z][a-z-]+' <<<"$help" | sort -u | wc -l)
[ "$n" -ge 15 ]; ok $? "--help lists the options ($n)"
is "$missing" "" "every option of --help is in check_upstreams(1)"
like "$text" '--extra-opts' "check_upstreams(1) documents --extra-opts"
like "$text" 'EXIT STATUS' "check_upstreams(1) has the exit codes"

# Every configuration key the plugin accepts is in collectd-upstreams(5).
text=$(MANWIDTH=200 man -l man/collectd-upstreams.5 2>/dev/null)
keys=$(grep -oE 'strcasecmp\([^"]*"[A-Za-z]+"' collectd-plugin/upstreams.c |
	grep -oE '"[A-Za-z]+"' | tr -d '"' | sort -u)
missing=
for key in $keys RipestatURL SourceApp Timeout Target ASN Source Interval \
    Expect StateFile MinPeers MinShare; do
	grep -qw -- "$key" <<<"$text" || missing+=" $key"
done
n=$(wc -w <<<"$keys")
[ "$n" -ge 11 ]; ok $? "configuration keys found in the plugin source ($n)"
is "$missing" "" "every configuration key is in collectd-upstreams(5)"
like "$text" 'percent-AS' "collectd-upstreams(5) names the values"

tap_end
