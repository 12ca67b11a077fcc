#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# make install into a temporary DESTDIR puts exactly the expected files, with
# the directory variables honoured; make uninstall removes all of them.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
mk() { make -s --no-print-directory "$@" >"$work/make.out" 2>&1; }
# listing ROOT: every file and link below ROOT, relative, sorted.
listing() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./|/|' | sort); }

collectd_example=
[ -f collectd-plugin/collectd.conf.example ] &&
	collectd_example=/usr/local/share/doc/upstreams/examples/collectd.conf.example

# --- defaults: PREFIX=/usr/local -----------------------------------------------
d=$work/default
mk install DESTDIR="$d"
ok $? "make install DESTDIR=... succeeds" || sed 's/^/# /' "$work/make.out"
want=$(printf '%s\n' \
    /usr/local/bin/check_upstreams \
    /usr/local/lib/collectd/upstreams.so \
    /usr/local/lib/nagios/plugins/check_upstreams \
    /usr/local/share/doc/upstreams/examples/icinga2-example.conf \
    /usr/local/share/doc/upstreams/examples/icinga2-upstreams.conf \
    /usr/local/share/doc/upstreams/examples/graphite-storage-schemas.conf \
    /usr/local/share/doc/upstreams/examples/nagios-upstreams-service.cfg \
    /usr/local/share/doc/upstreams/examples/nagios-upstreams.cfg \
    /usr/local/share/doc/upstreams/examples/prometheus-upstreams.rules.yml \
    /usr/local/share/man/man1/check_upstreams.1 \
    /usr/local/share/man/man5/collectd-upstreams.5 \
    $collectd_example | sort)
is "$(listing "$d")" "$want" "the installed files, exactly"
is "$(stat -c %a "$d/usr/local/lib/nagios/plugins/check_upstreams")" 755 "the check is executable"
is "$(stat -c %a "$d/usr/local/lib/collectd/upstreams.so")" 644 "the plugin is mode 644"
is "$(readlink "$d/usr/local/bin/check_upstreams")" /usr/local/lib/nagios/plugins/check_upstreams \
    "BINDIR link points at the installed check"
out=$("$d/usr/local/lib/nagios/plugins/check_upstreams" -V)
like "$out" '^check_upstreams [0-9]' "the installed check runs"
cmp -s nagios-check/upstreams.cfg "$d/usr/local/share/doc/upstreams/examples/nagios-upstreams.cfg"
ok $? "example configuration copied as is"
like "$(MANWIDTH=80 man -l "$d/usr/local/share/man/man1/check_upstreams.1" 2>&1)" \
    '^NAME' "the installed man page renders"

mk uninstall DESTDIR="$d"
ok $? "make uninstall succeeds"
is "$(listing "$d")" "" "nothing is left after uninstall"
[ ! -e "$d/usr/local/share/doc/upstreams" ]; ok $? "the project's doc directory is removed"
mk uninstall DESTDIR="$d"
ok $? "a second uninstall is harmless"

# --- every directory variable ----------------------------------------------------
d=$work/custom
mk install DESTDIR="$d" PREFIX=/usr PLUGINDIR=/opt/mp/plugins \
    COLLECTD_PLUGINDIR=/opt/cd/plugins MANDIR=/opt/man BINDIR=/opt/bin \
    DOCDIR=/opt/doc EXAMPLESDIR=/opt/examples
ok $? "make install with every directory set"
listing "$d" >"$work/custom.list"
want="/opt/bin/check_upstreams
/opt/cd/plugins/upstreams.so
/opt/examples/graphite-storage-schemas.conf
/opt/examples/icinga2-example.conf
/opt/examples/icinga2-upstreams.conf
/opt/examples/nagios-upstreams-service.cfg
/opt/examples/nagios-upstreams.cfg
/opt/examples/prometheus-upstreams.rules.yml
${collectd_example:+/opt/examples/collectd.conf.example
}/opt/man/man1/check_upstreams.1
/opt/man/man5/collectd-upstreams.5
/opt/mp/plugins/check_upstreams"
is "$(cat "$work/custom.list")" "$(sort <<<"$want")" "BINDIR, MANDIR, PLUGINDIR, COLLECTD_PLUGINDIR, EXAMPLESDIR honoured"
mk uninstall DESTDIR="$d" PREFIX=/usr PLUGINDIR=/opt/mp/plugins \
    COLLECTD_PLUGINDIR=/opt/cd/plugins MANDIR=/opt/man BINDIR=/opt/bin \
    DOCDIR=/opt/doc EXAMPLESDIR=/opt/examples
is "$(listing "$d")" "" "uninstall with the same variables leaves nothing"

# --- uninstall removes only what install put ------------------------------------------
d=$work/shared
mkdir -p "$d/usr/local/lib/nagios/plugins"
: >"$d/usr/local/lib/nagios/plugins/check_other"
mk install DESTDIR="$d" && mk uninstall DESTDIR="$d"
is "$(listing "$d")" /usr/local/lib/nagios/plugins/check_other "another plugin beside ours survives uninstall"

tap_end
