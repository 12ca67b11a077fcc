#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# The example carbon schema (examples/graphite/storage-schemas.conf) keeps
# the plugin's five-minute reads: a real carbon-cache on loopback, running
# with Debian's storage-schemas.conf plus the example rule placed before its
# [default] section, receives six hours of plugin-shaped values at the
# README's 300 s interval (past timestamps, so the test takes seconds); the
# 5-minute and 1-hour archives of the whisper files are filled.  The control
# runs Debian's file alone: the same values fill one 1-minute slot of five,
# and the 5-minute and 1-hour archives stay empty.  whisper-resize to the
# example's retentions then recovers the reads, as the README says.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/collectd/lib.sh

CARBON_CACHE=${CARBON_CACHE:-$(command -v carbon-cache || echo /usr/bin/carbon-cache)}
WHISPER_FETCH=${WHISPER_FETCH:-$(command -v whisper-fetch || echo /usr/bin/whisper-fetch)}
WHISPER_INFO=${WHISPER_INFO:-$(command -v whisper-info || echo /usr/bin/whisper-info)}
WHISPER_RESIZE=${WHISPER_RESIZE:-$(command -v whisper-resize || echo /usr/bin/whisper-resize)}
# Debian's schema as graphite-carbon installs it.
DEBIAN_SCHEMAS=${DEBIAN_SCHEMAS:-/etc/carbon/storage-schemas.conf}
RULE=examples/graphite/storage-schemas.conf
CARBON_PID=

work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-graphite-schema.XXXXXX")
top=$work
stop_carbon() {
	[ -n "$CARBON_PID" ] || return 0
	kill -TERM "$CARBON_PID" 2>/dev/null
	wait_until 10 bash -c "! kill -0 $CARBON_PID"
	kill -KILL "$CARBON_PID" 2>/dev/null
	wait "$CARBON_PID" 2>/dev/null
	CARBON_PID=
}
trap 'stop_carbon; rm -rf "$top"' EXIT

for prog in "$CARBON_CACHE" "$WHISPER_FETCH" "$WHISPER_INFO" "$WHISPER_RESIZE"; do
	if [ ! -x "$prog" ]; then
		echo "# $prog not found (Debian: graphite-carbon, python3-whisper)" >&2
		exit 1
	fi
done

# --- the schema files ------------------------------------------------------------
grep -qE '^retentions = 60s:1d,5m:30d,1h:3y$' "$DEBIAN_SCHEMAS" &&
    grep -qE '^\[default\]$' "$DEBIAN_SCHEMAS"
ok $? "Debian's $DEBIAN_SCHEMAS has the [default] rule 60s:1d,5m:30d,1h:3y" ||
	{ tap_end; exit 1; }

# Debian's file with the example's section(s) pasted above [default], as the
# README tells.
mkdir -p "$top/ruled/carbon" "$top/debian/carbon"
awk -v rule="$RULE" '
	/^\[default\]$/ && !done {
		while ((getline line < rule) > 0) print line
		print ""
		done = 1
	}
	{ print }
' "$DEBIAN_SCHEMAS" >"$top/ruled/carbon/storage-schemas.conf"
cp "$DEBIAN_SCHEMAS" "$top/debian/carbon/storage-schemas.conf"
sections=$(grep -E '^\[' "$top/ruled/carbon/storage-schemas.conf" | tr '\n' ' ')
is "$sections" "[carbon] [upstreams] [default] " "the rule sits between Debian's [carbon] and [default]"

# --- carbon-cache with one schema, fed six hours of reads --------------------------
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

now=$(date +%s)
# Six whole hours that ended at least an hour ago, inside Debian's 1-minute
# archive (1 day), as live reads of the last hours are.
start=$(( (now - 8 * 3600) / 3600 * 3600 + 3600 ))
reads=72
metrics_text() {
	local i t
	for ((i = 0; i < reads; i++)); do
		t=$((start + i * 300))
		# the share changes after three hours: the hourly averages show it
		if [ "$i" -lt 36 ]; then
			echo "testhost.upstreams-dprk.percent-AS4837 100 $t"
			echo "testhost.upstreams-dprk.count-upstreams 1 $t"
		else
			echo "testhost.upstreams-dprk.percent-AS4837 58.54 $t"
			echo "testhost.upstreams-dprk.count-upstreams 2 $t"
		fi
	done
}

# values FILE FROM: the stored values (not None) that whisper-fetch returns
# from FROM to now, one a line; the archive is the finest one reaching FROM.
values() {
	"$WHISPER_FETCH" --from="$2" --until="$now" "$1" |
	    awk '$2 != "None" { print $2 + 0 }'
}

count_values() {
	values "$@" | wc -l
}

# count_is FILE FROM N
count_is() {
	[ "$(count_values "$1" "$2")" -eq "$3" ]
}

# feed DIR: carbon-cache with DIR/carbon/storage-schemas.conf receives the
# reads on loopback; waits until the last one is on disk, then stops.
feed() {
	local dir=$1 carbon_port pickle_port query_port
	read -r carbon_port pickle_port query_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
	mkdir -p "$dir/carbon/storage/whisper" "$dir/carbon/log"
	work=$dir render_conf tests/collectd/carbon.conf.in "$dir/carbon/carbon.conf" \
	    CARBON_PORT="$carbon_port" PICKLE_PORT="$pickle_port" QUERY_PORT="$query_port"
	"$CARBON_CACHE" --config="$dir/carbon/carbon.conf" --nodaemon start \
	    >"$dir/carbon.out" 2>&1 &
	CARBON_PID=$!
	wait_until 30 port_open "$carbon_port"
	ok $? "$2: carbon-cache listens on 127.0.0.1:$carbon_port" || return 1
	metrics_text | timeout 10 bash -c "cat >/dev/tcp/127.0.0.1/$carbon_port"
	ok $? "$2: $((reads * 2)) values sent over the plaintext protocol"
	wsp=$dir/carbon/storage/whisper/testhost/upstreams-dprk
	# every read is somewhere in the finest archive that reaches it
	wait_until 30 count_is "$wsp/percent-AS4837.wsp" "$((start - 1))" "$reads" &&
	    wait_until 10 count_is "$wsp/count-upstreams.wsp" "$((start - 1))" "$reads"
	ok $? "$2: carbon wrote all $reads reads of both metrics"
	stop_carbon
}

week=$((now - 7 * 86400))       # what a week's graph reads: a 5-minute archive
long=$((now - 100 * 86400))     # beyond 90 days: the 1-hour archive

# --- Debian's schema plus the rule ---------------------------------------------------
feed "$top/ruled" "Debian + rule"
wsp=$top/ruled/carbon/storage/whisper/testhost/upstreams-dprk
info=$("$WHISPER_INFO" "$wsp/percent-AS4837.wsp")
like "$(awk '/^secondsPerPoint|^retention/ { printf "%s ", $2 }' <<<"$info")" \
    '^300 7776000 3600 94608000 $' "the rule's archives: 5m for 90 days, 1h for 3 years"
like "$info" '^xFilesFactor: 0\.5$' "xFilesFactor 0.5 (no storage-aggregation.conf)"
is "$(count_values "$wsp/percent-AS4837.wsp" "$week")" "$reads" \
    "5-minute archive (a week's graph): all $reads reads"
is "$(values "$wsp/percent-AS4837.wsp" "$week" | sort -n -u | tr '\n' ' ')" "58.54 100 " \
    "5-minute archive keeps each read's value"
is "$(values "$wsp/percent-AS4837.wsp" "$long" | tr '\n' ' ')" \
    "100 100 100 58.54 58.54 58.54 " "1-hour archive: six hours, each the average of its 12 reads"
is "$(values "$wsp/count-upstreams.wsp" "$long" | tr '\n' ' ')" \
    "1 1 1 2 2 2 " "1-hour archive of count-upstreams: 1 then 2"

# --- control: Debian's schema alone ----------------------------------------------------
feed "$top/debian" "Debian alone"
dwsp=$top/debian/carbon/storage/whisper/testhost/upstreams-dprk
info=$("$WHISPER_INFO" "$dwsp/percent-AS4837.wsp")
like "$(awk '/^secondsPerPoint/ { printf "%s ", $2 }' <<<"$info")" '^60 300 3600 $' \
    "control: Debian's [default] archives 60s, 5m, 1h"
slots=$(( (now - start) / 60 ))
got=$(count_values "$dwsp/percent-AS4837.wsp" "$((start - 1))")
[ "$got" -eq "$reads" ] && [ $((got * 5)) -le $((slots + 5)) ]
ok $? "control: the 1-minute archive holds the $reads reads in $slots slots (4 of 5 empty)"
is "$(count_values "$dwsp/percent-AS4837.wsp" "$week")" 0 \
    "control: 5-minute archive (a week's graph) empty"
is "$(count_values "$dwsp/percent-AS4837.wsp" "$long")" 0 \
    "control: 1-hour archive empty"

# --- whisper-resize, as the README tells for files created before the rule -------------
retentions=$(sed -n 's/^retentions = //p' "$RULE" | tr ',' ' ')
# shellcheck disable=SC2086
"$WHISPER_RESIZE" --nobackup "$dwsp/percent-AS4837.wsp" $retentions >"$top/resize.out" 2>&1
ok $? "whisper-resize $retentions on the control's file" || sed 's/^/# /' "$top/resize.out"
is "$(count_values "$dwsp/percent-AS4837.wsp" "$week")" "$reads" \
    "after whisper-resize: the 5-minute archive holds the $reads reads"
is "$(values "$dwsp/percent-AS4837.wsp" "$long" | tr '\n' ' ')" \
    "100 100 100 58.54 58.54 58.54 " "after whisper-resize: the 1-hour archive is filled"

tap_end
