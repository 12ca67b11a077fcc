#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# Files that are not regular files, given to check_upstreams where it reads
# a file: a FIFO (nobody writing), /dev/zero and a UNIX socket as the state
# file (--state-file, --state-dir), the CA file (--ca-file), the
# --extra-opts file, the --as-relationships file, and cache entries (the
# --mrt files: tests/e2e_mrt.sh).  Each is refused at once with a
# message naming the file (never waited on, never read without bound); an
# over-long --extra-opts file is refused at its cap.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
# Far below -t 10: nothing may wait for the FIFO's writer.
LIMIT_MS=4000
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-nonregular.XXXXXX")
trap 'stop_replay; rm -rf "$work"' EXIT
python3 tests/fixtures/make_replay.py "$work/tree" || exit 1
start_replay "$work/tree" one || exit 1

mkfifo "$work/fifo" || exit 1
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$work/sock" || exit 1

run() {   # run ARGS...: out, rc, elapsed (ms)
	local start
	start=$(date +%s%N)
	out=$(timeout 30 "$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" \
	    -t 10 "$@" 2>&1)
	rc=$?
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
}

refused() {   # refused WHAT FILE KIND ARGS...: UNKNOWN at once, file named
	local what=$1 file=$2 kind=$3; shift 3
	run "$@"
	is "$rc" 3 "$what $kind: UNKNOWN"
	like "$out" "^UPSTREAMS UNKNOWN - .*$what $file: $kind, not a regular file; refused" \
	    "$what $kind: the message names the file and what it is"
	[ "$elapsed" -lt "$LIMIT_MS" ]; ok $? "$what $kind: at once (${elapsed} ms)"
}

for spec in "fifo:a FIFO" "zero:a character device" "sock:a socket"; do
	name=${spec%%:*} kind=${spec#*:}
	case $name in
	zero) file=/dev/zero ;;
	*) file=$work/$name ;;
	esac
	refused "state file" "$file" "$kind" -a 131279 --state-file "$file"
	refused "CA file" "$file" "$kind" -a 131279 -e 4837 --ca-file "$file"
	refused "--extra-opts file" "$file" "$kind" --extra-opts="@$file"
	refused "AS-relationship file" "$file" "$kind" -a 131279 -e 4837 \
	    --as-relationships "$file"
	# --state-dir: the target's file in the directory.
	rm -rf "$work/sd"; mkdir "$work/sd"
	case $name in
	fifo) mkfifo "$work/sd/AS131279.state" ;;
	zero) ln -s /dev/zero "$work/sd/AS131279.state" ;;
	sock) python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	    "$work/sd/AS131279.state" ;;
	esac
	refused "state file" "$work/sd/AS131279.state" "$kind" \
	    -a 131279 --state-dir "$work/sd"
done

# An --extra-opts file beyond its 1 MiB cap: refused, not read whole.
head -c 2000000 /dev/zero | tr '\0' '#' >"$work/big.ini"
run --extra-opts="@$work/big.ini"
is "$rc" 3 "--extra-opts file of 2 MB: UNKNOWN"
like "$out" "--extra-opts file $work/big.ini: larger than 1048576 bytes" \
    "--extra-opts file of 2 MB: the cap is named"
# The command line's -t bounds the reading of the file; the file's own -t
# (here 7) bounds the rest.
printf '[check_upstreams]\ntimeout=7\nasn=131279\nexpect=4837\n' >"$work/t.ini"
run --extra-opts="@$work/t.ini"
is "$rc" 0 "--extra-opts with a timeout: read in the budget, OK"
out=$("$CHECK" --extra-opts="@$work/t.ini" -vvv --max-age 0 \
    --ripestat-url "$REPLAY_URL" 2>&1)
like "$out" 'timeout 7 s|-t 7|timeout: 7' "the file's timeout applies"

# Reading the file is bounded by the command line's -t: a file whose open
# hangs (an LD_PRELOAD shim sleeps 20 s in it, as a hung network file
# system would) ends in -t 3 as a timeout; one slowed by 1 s is read, and
# its own timeout bounds the rest.
${CC:-cc} -shared -fPIC -o "$work/slow_io.so" tests/tools/slow_io.c -ldl || exit 1
asan_options="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
slow_run() {   # slow_run MS ARGS...
	local ms=$1 start
	shift
	start=$(date +%s%N)
	out=$(LD_PRELOAD="$work/slow_io.so" UPM_SLOW_OPEN_SUFFIX=/t.ini \
	    UPM_SLOW_OPEN_MS="$ms" ASAN_OPTIONS="$asan_options" timeout 30 \
	    "$CHECK" --max-age 0 --ripestat-url "$REPLAY_URL" "$@" 2>&1)
	rc=$?
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
}
slow_run 20000 --extra-opts="@$work/t.ini" -t 3
is "$rc" 3 "--extra-opts file hanging 20 s, -t 3: UNKNOWN"
like "$out" '^UPSTREAMS UNKNOWN - plugin timed out after 3 s$' "  the timeout of the command line"
[ "$elapsed" -lt 6000 ]; ok $? "  within it (${elapsed} ms)"
slow_run 1000 --extra-opts="@$work/t.ini" -t 3
is "$rc" 0 "--extra-opts file slowed by 1 s, -t 3: read, OK"

# Cache entries: a FIFO, a symlink to /dev/zero and a socket in place of
# the entries are passed over (a miss: fetched again), at once.
cd_=$work/cache
run -a 131279 -e 4837 --cache-dir "$cd_"
is "$rc" 0 "cache filled"
entries() { ls -A "$cd_" | grep -E '^[0-9a-f]{16}$'; }
entries=$(entries | wc -l)
[ "$entries" -ge 1 ]; ok $? "cache entries written ($entries)"
for kind in fifo zero sock; do
	for f in $(entries); do
		f=$cd_/$f
		rm -f "$f"
		case $kind in
		fifo) mkfifo "$f" ;;
		zero) ln -s /dev/zero "$f" ;;
		sock) python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$f" ;;
		esac
	done
	run -a 131279 -e 4837 --cache-dir "$cd_"
	is "$rc" 0 "cache entries that are a $kind: passed over, OK"
	[ "$elapsed" -lt "$LIMIT_MS" ]; ok $? "cache $kind: at once (${elapsed} ms)"
	bad=$(for f in $(entries); do [ -f "$cd_/$f" ] && [ ! -L "$cd_/$f" ] || echo "$f"; done | wc -l)
	is "$bad" 0 "cache $kind: replaced by regular entries"
done

tap_end
