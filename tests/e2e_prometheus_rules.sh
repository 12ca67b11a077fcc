#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The example alert rules (examples/prometheus/upstreams.rules.yml) under
# Debian's promtool: `promtool check rules` accepts them, and the unit tests
# of tests/prometheus/upstreams.rules.test.yml (appeared, disappeared, read
# failing, data stale, with their labels and annotations) pass.  Broken
# copies of the rules (a comparison turned round, another stale bound, the
# ASN label dropped) make the same unit tests fail, so they can fail.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

PROMTOOL=${PROMTOOL:-$(command -v promtool || echo /usr/bin/promtool)}
RULES=examples/prometheus/upstreams.rules.yml
UNIT=tests/prometheus/upstreams.rules.test.yml
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-prometheus-rules.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -x "$PROMTOOL" ]; ok $? "promtool installed ($PROMTOOL; Debian: prometheus)" ||
	{ tap_end; exit 1; }

out=$("$PROMTOOL" check rules "$RULES" 2>&1)
ok $? "promtool check rules $RULES" || sed 's/^/# /' <<<"$out"
like "$out" 'SUCCESS: 4 rules found' "four rules"
for a in UpstreamAppeared UpstreamDisappeared UpstreamsReadFailing UpstreamsDataStale; do
	grep -qE "^ *- alert: $a\$" "$RULES"; ok $? "rule $a"
done

out=$("$PROMTOOL" test rules "$UNIT" 2>&1)
ok $? "promtool test rules: the unit tests pass" || sed 's/^/# /' <<<"$out" | head -40

# mutant NAME SED-EXPRESSION: the unit tests against a changed copy of the
# rules must fail.
mutant() {
	local d=$work/$1
	mkdir -p "$d/examples/prometheus" "$d/tests/prometheus"
	sed -e "$2" "$RULES" >"$d/$RULES"
	cp "$UNIT" "$d/$UNIT"
	if cmp -s "$RULES" "$d/$RULES"; then
		ok 1 "mutant $1: the sed expression changed nothing"
		return
	fi
	"$PROMTOOL" test rules "$d/$UNIT" >"$d/out" 2>&1
	[ $? -ne 0 ]; ok $? "the unit tests catch a broken rule: $1"
}
mutant expected-ignored 's/expected-AS\[0-9\]+"} == 0/expected-AS[0-9]+"} >= 0/'
mutant stale-bound 's/> 43200/> 86400/'
mutant no-asn-label 's/"asn", "\$1", "type", "present-(AS\[0-9\]+)"/"asn", "$1", "type", "present-(AS[0-9])"/'
mutant read-for 's/for: 15m/for: 5m/'
mutant joined-on-instance-only 's/and ignoring (type)/and on (instance, upstreams, asn)/'

tap_end
