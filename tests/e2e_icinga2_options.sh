#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The Icinga 2 CheckCommand (nagios-check/upstreams.conf) cannot drift from
# check_upstreams: the long options of `check_upstreams --help` and the
# command's arguments, as icinga2 itself reads them (`icinga2 object list`
# after `icinga2 daemon -C`), are the same set, less an explicit list of
# options a CheckCommand must not pass.  An option added to --help without
# an argument (or an argument for an option the check does not have) fails.
# Every upstreams_* variable of the command has a row in the README's
# variable table.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

ICINGA2=${ICINGA2:-$(command -v icinga2 || echo /usr/sbin/icinga2)}
CHECK=${CHECK:-nagios-check/check_upstreams}
CONF=nagios-check/upstreams.conf
REPO=$(pwd)

# Options of --help that are no CheckCommand argument, and why:
#   help, version      print text and exit UNKNOWN: never a check result
#   from, until, step  the history walk: a report of change points over a
#   graphite-prefix,   range (exit 0/2/3, graphite lines), run by hand or
#   name               from cron, not a check of now
EXCLUDED="help version from until step graphite-prefix name"

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-icinga2-options.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -x "$ICINGA2" ]; ok $? "icinga2 installed ($ICINGA2)" || { tap_end; exit 1; }
[ -x "$CHECK" ]; ok $? "check_upstreams built ($CHECK)" || { tap_end; exit 1; }

# help_options HELP-TEXT: the long option names of an option list, one a
# line, sorted ("--extra-opts[=...]" gives extra-opts).
help_options() {
	sed -nE 's/^ +(-[A-Za-z], )?--([a-z][a-z0-9-]*).*/\2/p' | sort -u
}
# command_arguments CONF: the argument keys of CheckCommand "upstreams" as
# icinga2 parses CONF, without the leading dashes, sorted.
command_arguments() {
	local conf=$1
	mkdir -p "$work/var/cache/icinga2" "$work/var/lib/icinga2" \
	    "$work/var/log/icinga2" "$work/run/icinga2"
	printf '%s\n' 'const PluginContribDir = "/nonexistent"' \
	    'const NodeName = "localhost"' 'include <itl>' \
	    "include \"$conf\"" >"$work/main.conf"
	ICINGA2_USER=$(id -un) ICINGA2_GROUP=$(id -gn) "$ICINGA2" daemon -C \
	    -c "$work/main.conf" -DLocalStateDir="$work/var" -DRunDir="$work/run" \
	    >"$work/validate.out" 2>&1 || return 1
	ICINGA2_USER=$(id -un) ICINGA2_GROUP=$(id -gn) "$ICINGA2" object list \
	    --type CheckCommand --name upstreams -DLocalStateDir="$work/var" \
	    -DRunDir="$work/run" 2>/dev/null |
	    sed -nE 's/^    \* --([a-z][a-z0-9-]*)$/\1/p' | sort -u
}
# compare HELP-OPTIONS ARGUMENTS: sets missing (in --help, not excluded, no
# argument) and extra (argument, not in --help).
compare() {
	local o
	missing= extra=
	for o in $1; do
		[[ " $EXCLUDED " == *" $o "* ]] && continue
		grep -qx -- "$o" <<<"$2" || missing+=" --$o"
	done
	for o in $2; do
		grep -qx -- "$o" <<<"$1" && continue
		extra+=" --$o"
	done
}

help=$("$CHECK" --help 2>&1)
opts=$(help_options <<<"$help")
n=$(wc -l <<<"$opts")
[ "$n" -ge 40 ]; ok $? "--help lists the long options ($n found)" || sed 's/^/# /' <<<"$opts"
args=$(command_arguments "$REPO/$CONF")
ok $? "icinga2 daemon -C accepts $CONF" || sed 's/^/# /' "$work/validate.out"
[ "$(wc -l <<<"$args")" -ge 30 ]; ok $? "icinga2 lists the command's arguments ($(wc -l <<<"$args"))"

compare "$opts" "$args"
is "$missing" "" "every option of --help is an argument of the CheckCommand (or excluded)"
is "$extra" "" "every argument of the CheckCommand is an option of --help"
for o in $EXCLUDED; do
	grep -qx -- "$o" <<<"$opts"
	ok $? "excluded --$o is an option of --help (the exclusion list is not stale)"
	grep -qx -- "$o" <<<"$args"; [ $? -ne 0 ]
	ok $? "excluded --$o is no argument"
done
# The comparison can fail: an option added to --help without an argument,
# and an argument dropped from the command.
compare "$opts"$'\n'"new-option" "$args"
is "$missing" " --new-option" "an option new in --help without an argument is found"
sed '/^\t\t"--retries" = {/,/^\t\t}/d' "$CONF" >"$work/dropped.conf"
args2=$(command_arguments "$work/dropped.conf")
compare "$opts" "$args2"
is "$missing" " --retries" "an argument dropped from the command is found"
sed 's/"--max-size" = {/"--max-sise" = {/' "$CONF" >"$work/typo.conf"
args2=$(command_arguments "$work/typo.conf")
compare "$opts" "$args2"
is "$missing|$extra" " --max-size| --max-sise" "a misspelt argument is found both ways"

# --- the README's table -----------------------------------------------------------
vars=$(grep -oE '\$upstreams_[a-z_]+\$' "$CONF" | tr -d '$' | sort -u)
[ "$(wc -l <<<"$vars")" -ge 35 ]; ok $? "the command's variables ($(wc -l <<<"$vars"))"
undocumented=
for v in $vars; do
	grep -qE "^\| \`$v\` +\|" README.md || undocumented+=" $v"
done
is "$undocumented" "" "every variable has a row in the README's table"
grep -qE '^\| `upstreams_accept` ' README.md; [ $? -ne 0 ]
ok $? "no permanent upstreams_accept variable is documented"

tap_end
