#!/usr/bin/env bash
# Copyright (c) 2026 the upstreams authors.
# SPDX-License-Identifier: MIT
# check_upstreams --mrt on real RIS archive files (bgpdump's own test data):
# the table after a file against an independent computation over bgpdump -m
# text (tests/mrt_reference.py, roles included), change points to the
# second, and the errors a header walk must catch.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

CHECK=nagios-check/check_upstreams
# The real RIS files, copied into the repository (tests/fixtures/mrt/README.md).
MRT=tests/fixtures/mrt
BVIEW=$MRT/bview.20020722.2337.gz
UPDATES=$MRT/updates.20160811.1600.gz
if ! command -v bgpdump >/dev/null 2>&1 || [ ! -r "$BVIEW" ]; then
	echo "not ok 1 - bgpdump (scripts/install-deps) and $BVIEW are needed"
	echo "1..1"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-mrt.XXXXXX")
trap 'rm -rf "$work"' EXIT

# table MODE ORIGIN FILE [check options...]: the check's upstreams as the
# reference prints them, every neighbour (MODE all) or by roles (MODE
# providers: provider evidence, laterals apart).
table() {
	local m=$1 o=$2 f=$3; shift 3
	"$CHECK" -a "$o" --mrt "$f" -f json --neighbours "$m" "$@" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for u in sorted(d["upstreams"], key=lambda u: u["asn"]):
    print("%d %d %d %d %.2f %s" % (u["asn"], u["observations"], u["peers"],
          u["prefixes"], u["share"], "present" if u["present"] else "-"))'
}

for m in all providers; do
	# The 2002 dump has one peer: min-peers 1.
	for o in 701 7018 1221 3908; do
		want=$(python3 tests/mrt_reference.py table "$BVIEW" --origin "$o" --min-peers 1 --neighbours "$m")
		got=$(table "$m" "$o" "$BVIEW" --min-peers 1)
		ok "$([ -n "$want" ] && [ "$got" = "$want" ]; echo $?)" \
		    "bview 2002, AS$o, --neighbours $m: upstreams and shares as the reference ($(wc -l <<<"$want") upstreams)"
	done
	for o in 9829 24427 262785 28573; do
		want=$(python3 tests/mrt_reference.py table "$UPDATES" --origin "$o" --neighbours "$m")
		got=$(table "$m" "$o" "$UPDATES")
		ok "$([ -n "$want" ] && [ "$got" = "$want" ]; echo $?)" \
		    "updates 2016, AS$o, --neighbours $m: the table after the file as the reference ($(wc -l <<<"$want") upstreams)"
	done
done
"$CHECK" -a 3908 --min-peers 1 --mrt "$BVIEW" -e AS701 >"$work/out" 2>&1
is "$?" 2 "a baseline that is not the dump's upstream: CRITICAL"
like "$(cat "$work/out")" "UPSTREAMS CRITICAL" "judged like a live answer"

# Change points: the updates file cut at 16:02:00 into two files.
python3 tests/mrt_split.py "$UPDATES" 1470931320 "$work/u1" "$work/u2"
for o in 9829 24427 262785; do
	want=$(python3 tests/mrt_reference.py changes "$work/u1" "$work/u2" --origin "$o")
	got=$("$CHECK" -a "$o" --mrt "$work/u1" "$work/u2" \
	    --from 2016-08-11T16:00:00 --until 2016-08-11T16:05:00 -f json \
	    2>"$work/err" | python3 -c '
import calendar, json, sys, time
d = json.load(sys.stdin)
for c in d["changes"]:
    t = calendar.timegm(time.strptime(c["time"][:19], "%Y-%m-%dT%H:%M:%S"))
    print(t, " ".join(["+%d" % a for a in sorted(c["appeared"])] +
                      ["-%d" % a for a in sorted(c["disappeared"])]))')
	ok "$([ -n "$want" ] && [ "$got" = "$want" ]; echo $?)" \
	    "AS$o: $(wc -l <<<"$want") change points to the second as the reference"
done
like "$(cat "$work/err")" "not a RIB dump" "an updates file first: a warning"
"$CHECK" -a 9829 --mrt "$work/u1" "$work/u2" --from 2016-08-11T16:00:00 \
    --until 2016-08-11T16:05:00 -f graphite --name t >"$work/g" 2>/dev/null
like "$(cat "$work/g")" "history.upstreams-t.count-upstreams" "graphite lines"

# Hold, per upstream: AS9829's AS4755 went at 16:03:45 and came back at
# :52 (a flap with 10 s); AS6762 went at :57 and was back at 16:04:02 (a
# flap); each appearance of 16:03:17..19 counts at its own second, AS2914
# at 16:03:58 (another AS's flap restarts no clock).
"$CHECK" -a 9829 --mrt "$work/u1" "$work/u2" --hold 10 \
    --from 2016-08-11T16:00:00 --until 2016-08-11T16:05:00 -f text \
    >"$work/out" 2>"$work/err"
like "$(cat "$work/err")" "flap from 2016-08-11T16:03:45Z to 2016-08-11T16:03:52Z: AS4755 disappeared" "--hold 10: the 7-second gap is a flap"
like "$(cat "$work/err")" "flap from 2016-08-11T16:03:57Z to 2016-08-11T16:04:02Z: AS6762 disappeared" "--hold 10: AS6762's 5-second gap too, every flap told"
is "$(grep -v start: "$work/out" | grep -o '^[0-9T:-]*Z [^;]*' | tr '\n' '|')" \
    "2016-08-11T16:03:17Z AS1299 appeared|2016-08-11T16:03:18Z AS4755 appeared, AS6453 appeared, AS6762 appeared|2016-08-11T16:03:19Z AS209 appeared|2016-08-11T16:03:58Z AS2914 appeared|" \
    "--hold 10: each upstream stamped with the second it appeared"
# --hold 59: AS1299 appeared at 16:03:17 and stayed to the end (102 s):
# counted although others moved after it; AS6762, back at 16:04:02 for
# 57 s, is pending at the end, told and in JSON.
"$CHECK" -a 9829 --mrt "$work/u1" "$work/u2" --hold 59 \
    --from 2016-08-11T16:00:00 --until 2016-08-11T16:05:00 -f json \
    >"$work/out" 2>"$work/err"
is "$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s+%s" % (c["time"][11:19], ",".join(map(str, c["appeared"]))) for c in d["changes"]),
      " ".join("%s:%s@%s" % (p["asn"], p["change"], p["since"][11:19]) for p in d.get("pending", [])))' "$work/out" 2>&1)" \
    "16:03:17+1299 16:03:18+6453 16:03:19+209 16:03:52+4755 16:03:58+2914 6762:appeared@16:04:02" \
    "--hold 59: AS1299 counted at 16:03:17; AS6762 pending at the end, in JSON"
like "$(cat "$work/err")" "pending at the end: AS6762 appeared at 2016-08-11T16:04:02Z" "and told on stderr"
like "$(cat "$work/err")" "flap from 2016-08-11T16:03:18Z to 2016-08-11T16:03:45Z: AS4755 appeared" "the flaps of each upstream told"

# The hold per upstream against the independent reference (changes and
# what is pending at the end).
for o in 9829 24427 262785; do
	for h in 10 59; do
		want=$(python3 tests/mrt_reference.py changes "$work/u1" "$work/u2" --origin "$o" --hold "$h")
		got=$("$CHECK" -a "$o" --mrt "$work/u1" "$work/u2" --hold "$h" \
		    --from 2016-08-11T16:00:00 --until 2016-08-11T16:05:00 -f json \
		    2>/dev/null | python3 -c '
import calendar, json, sys, time
d = json.load(sys.stdin)
t = lambda s: calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))
for c in d["changes"]:
    print(t(c["time"]), " ".join(["+%d" % a for a in sorted(c["appeared"])] +
                                 ["-%d" % a for a in sorted(c["disappeared"])]))
for p in sorted(d.get("pending", []), key=lambda p: (t(p["since"]), p["asn"])):
    print("pending", t(p["since"]), ("+%d" if p["change"] == "appeared" else "-%d") % p["asn"])')
		ok "$([ -n "$want" ] && [ "$got" = "$want" ]; echo $?)" \
		    "AS$o --hold $h: $(wc -l <<<"$want") lines (change points, pending) as the reference"
		[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	done
done

# Errors.
head -c 100000 "$work/u2" >"$work/cut"
"$CHECK" -a 9829 --mrt "$work/cut" >"$work/out" 2>&1
is "$?" 3 "a truncated file: UNKNOWN"
like "$(cat "$work/out")" "truncated in record" "and named"
"$CHECK" -a 9829 --mrt "$work/u2" "$work/u1" >"$work/out" 2>&1
like "$(cat "$work/out")" "out of time order" "files out of time order"
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack(">IHHI", 1470931200, 99, 0, 4) + b"abcd")' >"$work/odd"
"$CHECK" -a 9829 --mrt "$work/odd" >"$work/out" 2>&1
like "$(cat "$work/out")" "MRT type 99" "an unknown record type"
PATH=/nonexistent "$CHECK" -a 9829 --mrt "$work/u1" >"$work/out" 2>&1
is "$?" 3 "no bgpdump: UNKNOWN"
like "$(cat "$work/out")" "bgpdump not found" "and said"
cat >"$work/slow" <<'SH'
#!/bin/sh
sleep 30 &
sleep 30
SH
chmod +x "$work/slow"
start=$(date +%s)
UPSTREAMS_BGPDUMP="$work/slow" "$CHECK" -a 9829 -t 1 --mrt "$work/u1" >"$work/out" 2>&1
rc=$?
is "$rc" 3 "bgpdump past the time budget: UNKNOWN"
ok "$([ $(( $(date +%s) - start )) -lt 5 ]; echo $?)" "killed at the budget with its process group"
like "$(cat "$work/out")" "did not finish in time" "and said"
"$CHECK" -a 9829 --mrt "$work/u1" --step 1m --from 2016-08-11T16:00:00 --until 2016-08-11T16:05:00 >"$work/out" 2>&1
like "$(cat "$work/out")" "--step does not go with --mrt" "--step with --mrt refused"
# Not regular files: refused at once, whatever -t says (a FIFO without a
# writer would block an open).
mkfifo "$work/fifo"
start=$(date +%s)
timeout 20 "$CHECK" -a 9829 -t 2 --mrt "$work/fifo" >"$work/out" 2>&1
is "$?" 3 "a FIFO: UNKNOWN"
ok "$([ $(( $(date +%s) - start )) -lt 2 ]; echo $?)" "a FIFO: no wait"
like "$(cat "$work/out")" "MRT file .*fifo: a FIFO, not a regular file" "a FIFO: named, not a regular file"
"$CHECK" -a 9829 --mrt "$work" >"$work/out" 2>&1
like "$(cat "$work/out")" "MRT file .*: a directory, not a regular file" "a directory: not a regular file"
"$CHECK" -a 9829 --mrt /dev/null >"$work/out" 2>&1
like "$(cat "$work/out")" "MRT file /dev/null: a character device, not a regular file" "a device: not a regular file"
"$CHECK" -a 9829 --mrt '' >"$work/out" 2>&1
is "$?" 3 "--mrt '': UNKNOWN"
like "$(cat "$work/out")" "--mrt: an empty file name" "--mrt '': said"
printf 'hello\n' >"$work/hello.txt"
printf 'this is a text file, not an archive\n' | gzip >"$work/text.gz"
for f in hello.txt text.gz; do
	"$CHECK" -a 9829 --mrt "$work/$f" >"$work/out" 2>&1
	like "$(cat "$work/out")" "$f: not an MRT file" "$f: not an MRT file"
	! grep -q "truncated" "$work/out"
	ok $? "$f: not called truncated"
done

# gzip cut at a record boundary after a sync flush: no trailer, every
# record whole; zlib reads it without complaint unless asked.
python3 - "$UPDATES" "$work/sync.gz" <<'PY'
import gzip, struct, sys, zlib
data = gzip.open(sys.argv[1]).read()
off = 0
for _ in range(500):
    off += 12 + struct.unpack(">I", data[off + 8:off + 12])[0]
c = zlib.compressobj(6, zlib.DEFLATED, 31)
open(sys.argv[2], "wb").write(c.compress(data[:off]) + c.flush(zlib.Z_SYNC_FLUSH))
PY
"$CHECK" -a 9829 --mrt "$work/sync.gz" >"$work/out" 2>&1
is "$?" 3 "gzip cut after a sync flush at a record: UNKNOWN"
like "$(cat "$work/out")" "truncated or damaged compressed file" "and said"
gzip -dc "$UPDATES" | head -c 200000 | gzip >"$work/whole.gz"
"$CHECK" -a 9829 --mrt "$work/whole.gz" >"$work/out" 2>&1
like "$(cat "$work/out")" "truncated in record [0-9]+" "a whole gzip of a cut file: truncated in a record"

# An updates file years after the dump before it: refused.
"$CHECK" -a 701 --min-peers 1 --mrt "$BVIEW" "$UPDATES" >"$work/out" 2>&1
is "$?" 3 "a 2016 updates file after a 2002 dump: UNKNOWN"
like "$(cat "$work/out")" "starts [0-9]+ hours after the end of .*bview.*more than 24" "and said, with the gap"
"$CHECK" -a 9829 --mrt "$work/u1" "$work/u2" >"$work/out" 2>&1
unlike_gap=$(grep -c "hours after" "$work/out")
is "$unlike_gap" 0 "consecutive updates files: no gap"
# --state-file with --mrt: learned on the first run, compared after.
"$CHECK" -a AS9829 --mrt "$work/u1" --state-file "$work/state" >"$work/out" 2>/dev/null
is "$?" 0 "--state-file: the first run learns (OK)"
like "$(head -1 "$work/out")" "learned baseline" "and says so"
like "$(cat "$work/state")" "^target AS9829$" "the state file names the target"
"$CHECK" -a AS9829 --mrt "$work/u1" --state-file "$work/state" >"$work/out" 2>/dev/null
is "$?" 0 "--state-file: the second run compares, unchanged: OK"
sed -i 's/^upstreams .*/upstreams 174/' "$work/state"
"$CHECK" -a AS9829 --mrt "$work/u1" --state-file "$work/state" >"$work/out" 2>/dev/null
is "$?" 2 "--state-file: another baseline: CRITICAL"
like "$(head -1 "$work/out")" "AS174 disappeared" "and the change named"
"$CHECK" -a 9829 --mrt "$work/u1" --hold 10 >"$work/out" 2>&1
is "$?" 3 "--hold without --from/--until: UNKNOWN"
like "$(cat "$work/out")" "--hold goes with --from/--until" "and said"
tap_end
