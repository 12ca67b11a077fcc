# Helpers for the end-to-end tests that run the real collectd daemon with
# the built plugin: a private plugin directory, configuration templates,
# start/stop with bounded waits, reading the csv plugin's files.
# Source after tests/lib.sh, from the repository root.
#
# Overridable: COLLECTD (the daemon), COLLECTD_PLUGINS (the directory of
# the stock plugins), COLLECTD_TYPESDB.

COLLECTD=${COLLECTD:-$(command -v collectd || echo /usr/sbin/collectd)}
COLLECTD_PLUGINS=${COLLECTD_PLUGINS:-/usr/lib/collectd}
COLLECTD_TYPESDB=${COLLECTD_TYPESDB:-/usr/share/collectd/types.db}
PLUGIN_SO=collectd-plugin/upstreams.so
COLLECTD_PID=

# collectd_prepare WORK STOCK-PLUGIN...: WORK/plugins holds copies of the
# named stock plugins and of our plugin (collectd loads regular files only,
# no symbolic links).  Fails when something is missing.
collectd_prepare() {
	local work=$1 p; shift
	if [ ! -x "$COLLECTD" ]; then
		echo "# collectd daemon not found (Debian: collectd-core)" >&2
		return 1
	fi
	if [ ! -f "$PLUGIN_SO" ]; then
		echo "# $PLUGIN_SO not built (make plugin)" >&2
		return 1
	fi
	mkdir -p "$work/plugins" "$work/csv" || return 1
	for p in "$@"; do
		cp "$COLLECTD_PLUGINS/$p.so" "$work/plugins/" || return 1
	done
	cp "$PLUGIN_SO" "$work/plugins/" || return 1
}

# render_conf TEMPLATE OUT [NAME=VALUE...]: replaces @WORK@, @URL@,
# @TYPESDB@ and every @NAME@ given.
render_conf() {
	local in=$1 out=$2 kv; shift 2
	local args=(-e "s|@WORK@|$work|g" -e "s|@URL@|${REPLAY_URL:-}|g"
	    -e "s|@TYPESDB@|$COLLECTD_TYPESDB|g")
	for kv in "$@"; do
		args+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
	done
	sed "${args[@]}" "$in" >"$out"
}

# start_collectd CONF [WRAPPER...]: the daemon in the foreground (in the
# background of this shell), optionally under a wrapper such as valgrind.
# Waits until it logs (to $work/collectd.log, as base.conf.in says) that
# initialisation is complete.
start_collectd() {
	local conf=$1; shift
	"$@" "$COLLECTD" -f -C "$conf" >"$work/collectd.out" 2>&1 &
	COLLECTD_PID=$!
	wait_until 60 grep -q 'Initialization complete' "$work/collectd.log"
}

# stop_collectd [SECONDS]: SIGTERM (shutdown callbacks run), then waits;
# SIGKILL only if it does not stop in time.  Returns the daemon's status.
stop_collectd() {
	local i rc
	[ -n "$COLLECTD_PID" ] || return 0
	kill -TERM "$COLLECTD_PID" 2>/dev/null
	for ((i = 0; i < ${1:-30} * 10; i++)); do
		kill -0 "$COLLECTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$COLLECTD_PID" 2>/dev/null
	wait "$COLLECTD_PID"
	rc=$?
	COLLECTD_PID=
	return $rc
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.2 s.
wait_until() {
	local i limit=$(($1 * 5)); shift
	for ((i = 0; i < limit; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}


csv_values() {   # csv_values TARGET TYPE-INSTANCE: the values, one a line
	cat "$work"/csv/testhost/upstreams-"$1"/"$2"-* 2>/dev/null |
	    grep -v '^epoch' | cut -d, -f2
}

csv_last() {     # csv_last TARGET TYPE-INSTANCE: the newest value
	csv_values "$1" "$2" | tail -n 1
}

csv_rows() {     # csv_rows TARGET TYPE-INSTANCE: how many values so far
	csv_values "$1" "$2" | wc -l
}

# csv_rows_over TARGET TYPE-INSTANCE N: more than N values so far.
csv_rows_over() {
	[ "$(csv_rows "$1" "$2")" -gt "$3" ]
}

# csv_is TARGET TYPE-INSTANCE NUMBER: the newest value equals NUMBER
# (compared as numbers, to 0.01).
csv_is() {
	local v
	v=$(csv_last "$1" "$2")
	[ -n "$v" ] && awk -v a="$v" -v b="$3" \
	    'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }'
}

# log_count EXTENDED-REGEX: matching lines of the collectd log.
log_count() {
	grep -cE -- "$1" "$work/collectd.log"
}
